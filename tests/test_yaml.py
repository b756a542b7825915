from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from smartgoals._errors import GoalFileError, SourceSpan
from smartgoals._yaml import MAX_FILE_BYTES, parse_yaml, read_yaml

BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_parse_yaml_keeps_positions():
    doc = parse_yaml("goals:\n  - id: a\n    deadline: 2026-12-31\n", "g.yaml")
    assert doc.data == {"goals": [{"id": "a", "deadline": date(2026, 12, 31)}]}
    assert doc.spans[("goals", 0, "deadline")] == SourceSpan("g.yaml", 3, 15)
    assert doc.key_spans[("goals", 0, "deadline")] == SourceSpan("g.yaml", 3, 5)


def test_parse_yaml_keeps_yes_no_as_text():
    doc = parse_yaml("a: NO\nb: yes\nc: true\n", "g.yaml")
    assert doc.data == {"a": "NO", "b": "yes", "c": True}


def test_parse_yaml_syntax_error_has_problem_mark():
    with pytest.raises(GoalFileError) as info:
        parse_yaml("goals:\n  - id: [a\n", "g.yaml")
    assert str(info.value.problems[0].span).startswith("g.yaml:3:")
    assert "YAML syntax error" in info.value.problems[0].message


def test_parse_yaml_duplicate_key():
    with pytest.raises(GoalFileError, match="g.yaml:2:1: duplicate key 'a'"):
        parse_yaml("a: 1\na: 2\n", "g.yaml")


def test_parse_yaml_refuses_python_tags():
    with pytest.raises(GoalFileError):
        parse_yaml("a: !!python/object/apply:os.system ['true']\n", "g.yaml")


def test_yaml_bomb_fails_without_expanding(monkeypatch):
    from smartgoals import _yaml

    visits = 0
    counted = _yaml._expanded_size

    def counting(node, memo):
        nonlocal visits
        visits += 1
        return counted(node, memo)

    monkeypatch.setattr(_yaml, "_expanded_size", counting)
    with pytest.raises(GoalFileError, match="expands to more than"):
        parse_yaml(BOMB, "bomb.yaml")
    # NOTE: each node of the document is counted once, however often aliases repeat it
    assert visits < 200


def test_read_yaml_refuses_large_files(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(GoalFileError, match="limited to"):
        read_yaml(path)


def test_read_yaml_missing_file(tmp_path):
    with pytest.raises(GoalFileError, match="cannot read file"):
        read_yaml(tmp_path / "nope.yaml")


SCALARS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.dates(),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(tree=TREES, flow=st.sampled_from([None, False, True]))
def test_libyaml_and_pyyaml_read_the_same_document(tree, flow):
    text = yaml.safe_dump({"goals": tree}, default_flow_style=flow, allow_unicode=True)
    fast = parse_yaml(text, "g.yaml")
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(yaml, "__with_libyaml__", False)
        pure = parse_yaml(text, "g.yaml")
    assert (fast.data, fast.spans, fast.key_spans) == (pure.data, pure.spans, pure.key_spans)


def test_a_document_libyaml_refuses_gets_pyyaml_s_message():
    with pytest.raises(GoalFileError) as fast:
        parse_yaml("goals: [\n  - a: b\n", "g.yaml")
    assert yaml.__with_libyaml__
    assert "expected the node content, but found '-'" in fast.value.problems[0].message
