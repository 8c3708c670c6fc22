"""Issue 12: gold spans that cannot be scored are counted, with the reason, in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.data.model import Document, Sentence, Span, Token
from mosaicner.evaluation.coverage import (
    CROSSES_SENTENCES,
    NOT_ALIGNED,
    OUTSIDE_SENTENCES,
    unscorable_gold,
    unscored_summary,
    unscored_text,
)


def _doc() -> Document:
    text = "Aa bb. Cc dd. ee"
    tokens = tuple(
        Token(w, i, i + len(w))
        for w, i in [("Aa", 0), ("bb", 3), (".", 5), ("Cc", 7), ("dd", 10), (".", 12), ("ee", 14)]
    )
    sentences = (Sentence(0, 6, 0, 3), Sentence(7, 13, 3, 6))
    gold = (
        Span(0, 5, "X", 0, 2),  # fine
        Span(0, 1, "X"),  # no token offsets
        Span(3, 9, "X", 1, 4),  # crosses sentences
        Span(14, 16, "X", 6, 7),  # in no sentence
    )
    return Document("d", text, tokens, sentences, {"gold": gold})


def test_unscorable_gold_counts_each_reason() -> None:
    counts = unscorable_gold([_doc()])
    assert counts == {NOT_ALIGNED: 1, CROSSES_SENTENCES: 1, OUTSIDE_SENTENCES: 1}
    summary = unscored_summary(counts)
    assert summary["total"] == 3
    text = unscored_text({"corpus": "c", "split": "test", "unscored_gold": summary})
    assert text is not None and "3 gold spans could not be scored" in text
    assert unscored_text({"unscored_gold": unscored_summary({})}) is None


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0)


def test_evaluate_reports_unscored_gold_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    from mosaicner.testing.tiny import make_tiny_model

    model = make_tiny_model(tmp_path / "m")
    test = tmp_path / "corp" / "test"
    test.mkdir(parents=True)
    (test / "a.txt").write_text("Aspirin induced asthma in patients. IL-2 in mice.\n")
    (test / "a.ann").write_text(
        "T1\tChemical 0 4\tAspi\nT2\tDisease 16 22\tasthma\nT3\tChemical 36 40\tIL-2\n"
    )
    base = ["evaluate", str(model), "--corpus", str(tmp_path / "corp"), "--split", "test"]
    base += ["--head", "BC5CDR", "--resamples", "0"]
    assert _run([*base, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unscored_gold"] == {"total": 1, "reasons": {NOT_ALIGNED: 1}}
    assert report["micro"]["tp"] + report["micro"]["fn"] == 2  # the support lacks that span
    assert _run(base) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "1 gold spans could not be scored and are not in the support" in out
    assert NOT_ALIGNED in out
