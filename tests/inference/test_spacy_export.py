from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.data.model import Span
from mosaicner.data.tokenization import make_document
from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.spacy_export import SPAN_KEY, flatten_spans, to_spacy, to_spacy_docs
from mosaicner.inference.tagger import Tagger

spacy = pytest.importorskip("spacy")
NLP = spacy.blank("en")
TERMS = {"Disease": ["lung cancer", "cancer"], "Gene": ["IL-2", "IL-2 receptor"], "X": ["rats"]}


def test_nested_spans_kept_and_ents_flattened() -> None:
    tagger = Tagger(DictionaryPredictor(TERMS))
    text = "  IL-2 receptor and lung cancer\n\nin  rats."
    doc = tagger(text)
    sdoc = to_spacy(doc, NLP)
    assert sdoc.text == text
    got = sorted((s.text, s.label_) for s in sdoc.spans[SPAN_KEY])
    assert got == sorted(
        [("IL-2", "Gene"), ("IL-2 receptor", "Gene"), ("lung cancer", "Disease"),
         ("cancer", "Disease"), ("rats", "X")]
    )  # fmt: skip
    assert sdoc.spans[SPAN_KEY].attrs["scores"] == [1.0] * 5
    assert [(e.text, e.label_) for e in sdoc.ents] == [
        ("IL-2 receptor", "Gene"),
        ("lung cancer", "Disease"),
        ("rats", "X"),
    ]
    assert sdoc.user_data["mosaicner"]["dropped_from_ents"] == 2
    docs, report = to_spacy_docs([doc, doc], NLP, policy="innermost")
    assert [e.text for e in docs[0].ents] == ["IL-2", "cancer", "rats"]
    assert report.documents == 2 and report.dropped == 4 and report.ents == 6
    assert report.dropped_by_label == {"Gene": 2, "Disease": 2}
    assert "left out of doc.ents" in report.summary()


def test_flatten_by_score() -> None:
    spans = [Span(0, 10, "A", score=0.2), Span(0, 4, "B", score=0.9), Span(5, 10, "C", score=0.8)]
    kept, dropped = flatten_spans(spans, "score")
    assert [s.label for s in kept] == ["B", "C"] and [s.label for s in dropped] == ["A"]
    kept, dropped = flatten_spans(spans, "longest")
    assert [s.label for s in kept] == ["A"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["cancer", "IL-2", " ", "  ", "\n", "\t", "x.", "(", "é"]), max_size=30
    )
)
def test_text_round_trip(pieces: list[str]) -> None:
    text = "".join(pieces)
    doc = make_document("d", text)
    doc = doc.with_layer(
        "pred", [Span(t.start, t.end, "T", i, i + 1) for i, t in enumerate(doc.tokens)]
    )
    sdoc = to_spacy(doc, NLP)
    assert sdoc.text == text
    assert [(s.start_char, s.end_char) for s in sdoc.spans[SPAN_KEY]] == [
        (t.start, t.end) for t in doc.tokens
    ]


def test_cli_to_spacy_docbin(tmp_path: Path) -> None:
    from spacy.tokens import DocBin

    from mosaicner.cli.main import main

    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    inp = tmp_path / "in.txt"
    inp.write_text("IL-2 receptor in lung cancer.\nrats\n")
    out = tmp_path / "out.spacy"
    with pytest.raises(SystemExit) as exc:
        main(["tag", str(terms), "-i", str(inp), "-o", str(out), "--to", "spacy", "-q"])
    assert exc.value.code == 0
    docs = list(DocBin().from_disk(out).get_docs(NLP.vocab))
    assert [d.text for d in docs] == ["IL-2 receptor in lung cancer.", "rats"]
    assert len(docs[0].spans[SPAN_KEY]) == 4 and [e.text for e in docs[0].ents] == [
        "IL-2 receptor",
        "lung cancer",
    ]
