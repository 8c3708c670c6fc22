"""``corpora validate`` reports hostile JSON lines as problems instead of crashing."""

from __future__ import annotations

from pathlib import Path

from mosaicner.corpora.validate import validate_file


def test_genia_lines_with_huge_numbers_or_deep_nesting_are_problems(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(
        '{"tokens": ["a"], "entity_mentions": []}\n'
        '{"tokens": ["a"], "entity_mentions": [{"start": 0, "end": ' + "9" * 5000 + "}]}\n"
        '{"tokens": ["a"], "x": ' + "[" * 5000 + "]" * 5000 + "}\n",
        encoding="utf-8",
    )
    rep = validate_file(f, "genia-jsonl")
    assert [(p.line, p.kind) for p in rep.problems] == [(2, "json"), (3, "json")]
    assert not rep.ok
