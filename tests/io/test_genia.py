from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from io_strategies import documents, token_view

from mosaicner.data.model import Document
from mosaicner.errors import JSONLineError, OffsetError
from mosaicner.io import read, write


def line(tokens: list[str], doc_id: str, k: int, mentions: list[tuple[int, int, str]]) -> str:
    return json.dumps(
        {
            "tokens": tokens,
            "doc_id": doc_id,
            "sent_id": f"{doc_id}-{k}",
            "entity_mentions": [
                {"start": s, "end": e, "entity_type": t, "text": " ".join(tokens[s:e])}
                for s, e, t in mentions
            ],
        }
    )


def test_groups_by_doc_and_keeps_nesting(tmp_path: Path) -> None:
    f = tmp_path / "g.jsonlines"
    f.write_text(
        "\n".join(
            [
                line(
                    ["IL-2", "gene", "expression"],
                    "D1",
                    0,
                    [(0, 1, "protein"), (0, 2, "DNA"), (0, 2, "RNA")],
                ),
                line(["T", "cells"], "D1", 1, [(0, 2, "cell_type")]),
                line(["x"], "D2", 0, []),
            ]
        )
        + "\n"
    )
    res = read(f, "genia-jsonl")
    d1, d2 = res.documents
    assert (d1.id, d2.id) == ("D1", "D2")
    assert d1.text == "IL-2 gene expression T cells"
    assert sorted((s.token_start, s.token_end, s.label) for s in d1.layer()) == [
        (0, 1, "protein"),
        (0, 2, "DNA"),
        (0, 2, "RNA"),
        (3, 5, "cell_type"),
    ]
    assert res.report.spans == 4 and res.report.sentences == 3
    out = tmp_path / "o.jsonlines"
    write(res.documents, out, "genia-jsonl")
    assert read(out, "genia-jsonl").documents == res.documents


def test_missing_ids_are_synthesised(tmp_path: Path) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text('{"tokens": ["a"], "entity_mentions": []}\n{"tokens": ["b"]}\n')
    docs = read(f, "genia-jsonl").documents
    assert [d.id for d in docs] == ["s-0", "s-1"]
    write(docs, tmp_path / "o.jsonl", "genia-jsonl")
    first = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[0])
    assert first["doc_id"] == "s-0" and first["sent_id"] == "s-0-0"


def test_error_malformed_json_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"tokens": ["a"], "entity_mentions": []}\n{"tokens": ["a"\n')
    with pytest.raises(JSONLineError, match=rf"{f}:2: not valid JSON"):
        read(f, "genia-jsonl")


def test_error_wrong_shape(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"words": ["a"]}\n')
    with pytest.raises(JSONLineError, match=rf"{f}:1: field 'tokens'"):
        read(f, "genia-jsonl")


def test_error_mention_outside_sentence(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(
        '\n{"tokens": ["a", "b"], '
        '"entity_mentions": [{"start": 1, "end": 3, "entity_type": "DNA"}]}\n'
    )
    with pytest.raises(OffsetError, match=rf"{f}:2: mention \[1, 3\)"):
        read(f, "genia-jsonl")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=documents(nested=True))
def test_round_trip_nested(tmp_path: Path, docs: list[Document]) -> None:
    f = tmp_path / "rt.jsonl"
    rep = write(docs, f, "genia-jsonl")
    assert rep.lossy == {}
    back = read(f, "genia-jsonl").documents
    assert back == docs
    assert token_view(back) == token_view(docs)


def test_real_genia_test_split(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "GENIA-nested" / "test.jsonlines"
    res = read(src, "genia-jsonl")
    r = res.report
    assert (r.documents, r.sentences, r.spans) == (199, 1732, 5119)
    out = tmp_path / "test.jsonlines"
    write(res.documents, out, "genia-jsonl")
    back = read(out, "genia-jsonl").documents
    assert back == res.documents
    # byte-identical apart from the order of labels on a few shared intervals
    a, b = src.read_text().splitlines(), out.read_text().splitlines()
    assert len(a) == len(b)
    assert sum(x != y for x, y in zip(a, b, strict=True)) <= 5


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"tokens": ["a"], "entity_mentions": [{"start": 0, "end": ' + "9" * 5000 + "}]}",
         "not usable JSON"),
        ('{"tokens": ["a"], "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        ('{"tokens": ["a"], "entity_mentions": [{"start": 0, "end": Infinity, '
         '"entity_type": "X"}]}', "not usable JSON"),
        ('{"tokens": ["a"], "entity_mentions": [{"start": false, "end": true, '
         '"entity_type": "X"}]}', "lacks int 'start'"),
    ],
)  # fmt: skip
def test_hostile_values_are_format_errors(tmp_path: Path, line: str, error: str) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(JSONLineError, match=rf"{f}:1: .*{error}"):
        read(f, "genia-jsonl")
