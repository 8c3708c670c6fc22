from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_strategies import documents

from mosaicner.data.model import Document, Span, Token
from mosaicner.errors import JSONLineError, OffsetError
from mosaicner.io import read, write

FAST = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def full(doc: Document) -> tuple[object, ...]:
    """Every field, including those that do not take part in equality."""
    return (
        doc,
        dict(doc.metadata),
        {k: [(s.score, dict(s.attrs)) for s in v] for k, v in doc.spans.items()},
    )


@FAST
@given(docs=documents(nested=True), score=st.floats(0, 1), frag=st.booleans())
def test_round_trip_is_lossless(
    tmp_path: Path, docs: list[Document], score: float, frag: bool
) -> None:
    rich = []
    for d in docs:
        gold = d.layer()
        pred = tuple(
            replace(s, score=score, attrs={"identifier": "MESH:D1", "note": "x"}) for s in gold
        )
        if frag and gold and gold[0].end - gold[0].start >= 3:
            g = gold[0]
            gold = (replace(g, fragments=((g.start, g.start + 1), (g.start + 2, g.end))), *gold[1:])
        rich.append(
            replace(d, spans={"gold": gold, "pred": pred}, metadata={"sent_ids": ["a"], "n": 1})
        )
    f = tmp_path / "docs.jsonl"
    rep = write(rich, f, "jsonl")
    assert rep.lossy == {} and rep.documents == len(rich)
    back = read(f, "jsonl").documents
    assert back == rich
    assert [full(d) for d in back] == [full(d) for d in rich]


def test_token_text_that_differs_from_the_slice_is_kept(tmp_path: Path) -> None:
    doc = Document("d", "don't", (Token("do", 0, 2), Token("n't", 2, 5)))
    doc2 = Document("e", "Ab", (Token("ab", 0, 2),), spans={"gold": (Span(0, 2, "X"),)})
    write([doc, doc2], tmp_path / "x.jsonl", "jsonl")
    back = read(tmp_path / "x.jsonl", "jsonl").documents
    assert back == [doc, doc2] and back[1].tokens[0].text == "ab"


def test_error_malformed_json_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "a", "text": "x"}\n{"id": \n')
    with pytest.raises(JSONLineError, match=rf"{f}:2: not valid JSON"):
        read(f, "jsonl")


def test_error_missing_field(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "a"}\n')
    with pytest.raises(JSONLineError, match=rf"{f}:1: .*missing field 'text'"):
        read(f, "jsonl")


def test_error_span_outside_text(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(
        '{"id": "a", "text": "x"}\n'
        '{"id": "b", "text": "abc", "spans": {"gold": [{"start": 1, "end": 9, "label": "X"}]}}\n'
    )
    with pytest.raises(OffsetError, match=rf"{f}:2: "):
        read(f, "jsonl")


def test_real_genia_nested_survives_jsonl(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "GENIA-nested" / "test.jsonlines"
    docs = read(src, "genia-jsonl").documents
    write(docs, tmp_path / "native.jsonl", "jsonl")
    native = read(tmp_path / "native.jsonl", "jsonl").documents
    assert native == docs
    write(native, tmp_path / "back.jsonlines", "genia-jsonl")
    back = read(tmp_path / "back.jsonlines", "genia-jsonl")
    assert back.documents == docs
    assert back.report.spans == 5119  # every mention, nested and two-label ones included


_BIG = "9" * 5000


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"id": "a", "text": "abc", "tokens": [[0, ' + _BIG + "]]}", "not usable JSON"),
        ('{"id": "a", "text": "abc", "tokens": [[0, Infinity]]}', "not usable JSON"),
        ('{"id": "a", "text": "abc", "spans": {"gold": [{"start": null, "end": 1, '
         '"label": "X"}]}}', "span 'start' is null"),
        ('{"id": "a", "text": "abc", "spans": {"gold": [{"start": 1e3, "end": 1, '
         '"label": "X"}]}}', "not an integer"),
        ('{"id": "a", "text": "abc", "spans": {"gold": [{"start": 0, "end": 1, '
         '"label": "X", "attrs": [1]}]}}', "span 'attrs' is a list"),
        ('{"id": "a", "text": "abc", "spans": {"gold": {"start": 0}}}', "is an object, not a list"),
        ('{"id": "a", "text": "abc", "spans": {"gold": [{"start": 0, "end": 1, '
         '"label": "X", "fragments": [[0, "1"]]}]}}', "fragment end is the string"),
        ('{"id": "a", "text": "abc", "tokens": [[0, 1, 5]]}', "token 0 text is an integer"),
        ('{"id": "a", "text": "abc", "metadata": ' + "[" * 5000 + "]" * 5000 + "}",
         "nested too deeply"),
        ('{"id": "a", "text": "abc", "metadata": {"k": "\\ud83d"}}', "lone UTF-16 surrogate"),
    ],
)  # fmt: skip
def test_hostile_values_are_format_errors(tmp_path: Path, line: str, error: str) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "ok", "text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(JSONLineError, match=rf"{f}:2: .*{error}"):
        read(f, "jsonl")


@pytest.mark.parametrize(
    "field",
    [
        '"sentences": [[0, 3, 0, 1000000000000]]',
        '"sentences": [[0, 3, 0, 1]], "spans": {"gold": [{"start": 0, "end": 1, '
        '"label": "X", "token_start": 0, "token_end": 7}]}',
        '"spans": {"gold": [{"start": 0, "end": 1, "label": "X", "fragments": [[0, 9]]}]}',
    ],
)
def test_token_and_sentence_offsets_outside_the_document(tmp_path: Path, field: str) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "a", "text": "abc", "tokens": [[0, 3]], ' + field + "}\n")
    with pytest.raises(OffsetError, match=rf"{f}:1: "):
        read(f, "jsonl")
