from __future__ import annotations

import json
from pathlib import Path

import pytest

import mosaicner.io as mio
from mosaicner.data.model import Document
from mosaicner.errors import FormatError
from mosaicner.transitions import decode, encode

EXAMPLE = """doc-sep
binding to the NF - chi B site . ||| OUT OUT OUT TRANSITION(DNA) TRANSITION(Protein) SHIFT SHIFT TRANSITION(DNA) SHIFT SHIFT REDUCE(DNA) REDUCE(Protein) SHIFT REDUCE(DNA) OUT
Barack Obama was a president . ||| TRANSITION(PER) SHIFT SHIFT REDUCE(PER) OUT OUT OUT OUT
doc-sep d2
It ends here ||| OUT OUT TRANSITION(X) SHIFT REDUCE(X)
"""  # noqa: E501


def _spans(doc: Document) -> list[tuple[int, int, str]]:
    return [ex_sp for ex in doc.sentence_examples() for ex_sp in ex.spans]


def test_read_write_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "a.actions"
    src.write_text(EXAMPLE)
    res = mio.read(src, "actions")
    docs = res.documents
    assert [d.id for d in docs] == ["a-0", "d2"]
    assert res.report.sentences == 3 and res.report.spans == 5
    ex = list(docs[0].sentence_examples())
    assert set(ex[0].spans) == {(3, 8, "DNA"), (3, 7, "Protein"), (5, 7, "DNA")}
    assert ex[1].spans == ((0, 2, "PER"),)
    assert next(iter(docs[1].sentence_examples())).spans == ((2, 3, "X"),)
    out = tmp_path / "b.actions"
    rep = mio.write(docs, out, "actions")
    assert rep.lossy == {}
    again = mio.read(out, "actions").documents
    assert [_spans(d) for d in again] == [_spans(d) for d in docs]
    assert [d.text for d in again] == [d.text for d in docs]


def test_errors_carry_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.actions"
    bad.write_text("a b ||| SHIFT\n")
    with pytest.raises(FormatError) as e:
        mio.read(bad, "actions")
    assert ":1:" in str(e.value)
    bad.write_text("a b ||| OUT JUMP\n")
    with pytest.raises(FormatError):
        mio.read(bad, "actions")
    bad.write_text("a b c\n")
    with pytest.raises(FormatError):
        mio.read(bad, "actions")


def test_writer_counts_crossing(tmp_path: Path) -> None:
    doc = Document.from_sentences("d", [["a", "b", "c", "d"]], [[(0, 2, "A"), (1, 3, "A")]])
    rep = mio.write([doc], tmp_path / "x.actions", "actions")
    assert rep.lossy == {"crossing spans of one type (dropped)": 1}
    with pytest.raises(Exception, match="cross"):
        mio.write([doc], tmp_path / "y.actions", "actions", on_crossing="raise")


@pytest.mark.parametrize("split", ["dev", "test"])
def test_genia_sentences_round_trip(data_dir: Path, split: str) -> None:
    """Every GENIA-nested mention survives encode -> decode (format-independent check)."""
    path = data_dir / "GENIA-nested" / f"{split}.jsonlines"
    n = 0
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        spans = {(m["start"], m["end"], m["entity_type"]) for m in rec["entity_mentions"]}
        words = len(rec["tokens"])
        assert set(decode(encode(words, spans), words)) == spans
        n += len(spans)
    assert n > 4000


@pytest.mark.parametrize("split", ["dev", "test"])
def test_genia_jsonl_actions_genia_jsonl(data_dir: Path, tmp_path: Path, split: str) -> None:
    path = data_dir / "GENIA-nested" / f"{split}.jsonlines"
    docs = mio.read(path, "genia-jsonl").documents
    act = tmp_path / "g.actions"
    rep = mio.write(docs, act, "actions")
    assert rep.lossy == {}
    back = mio.read(act, "actions").documents
    out = tmp_path / "g.jsonl"
    mio.write(back, out, "genia-jsonl")
    orig = [json.loads(x) for x in path.read_text().splitlines()]
    new = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(orig) == len(new)
    for a, b in zip(orig, new, strict=True):
        assert a["tokens"] == b["tokens"] and a["doc_id"] == b["doc_id"]
        key = lambda m: (m["start"], m["end"], m["entity_type"])  # noqa: E731
        assert sorted(map(key, a["entity_mentions"])) == sorted(map(key, b["entity_mentions"]))
