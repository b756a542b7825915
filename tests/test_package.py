"""The package as users get it: built, installed into a fresh virtual environment, used from
another folder with nothing of the repository around.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import smartgoals
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


def test_wheel_and_sdist_carry_license_urls_and_one_version(dist):
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    assert f"-{smartgoals.__version__}-" in wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert f"Version: {smartgoals.__version__}" in metadata
    urls = dict(re.findall(r"Project-URL: ([^,]+), (\S+)", metadata))
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    # the package index shows the README: its links must work there
    assert "](docs/" not in metadata
    with tarfile.open(sdist) as archive:
        assert any(n.endswith("/LICENSE") for n in archive.getnames())


def test_installed_wheel_runs_the_readme_example_elsewhere(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run(
        [str(env / "bin" / "smartgoals"), "init", "demo"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert code is not None
    done = subprocess.run(
        [str(python), "-c", code.group(1)], cwd=elsewhere, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "chat-first-response breached" in done.stdout
