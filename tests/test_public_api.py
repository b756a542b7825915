from __future__ import annotations

import subprocess
import sys

import smartgoals


def test_all_is_sorted_and_complete():
    names = [n for n in smartgoals.__all__ if n != "__version__"]
    # NOTE: ruff's RUF022 order: CONSTANTS, then Classes, then functions
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for name in smartgoals.__all__:
        assert hasattr(smartgoals, name), name


def test_public_objects_are_documented():
    for name in smartgoals.__all__:
        obj = getattr(smartgoals, name)
        if callable(obj):
            assert obj.__doc__, name


def test_import_does_not_load_cli_stack():
    code = "import sys, smartgoals; print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
