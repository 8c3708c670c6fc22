"""Issue 12: a document with a lone surrogate is skipped and reported, never a crash."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.data.model import Document
from mosaicner.inference import batch
from mosaicner.inference.tagger import Tagger

LINES = [
    '{"id": "a", "text": "Aspirin induced asthma in patients."}',
    '{"id": "bad", "text": "IL-2 \\ud83d in human T cells."}',
    '{"id": "c", "text": "Tumor cells of mice. \\ud83d\\ude00 fine pair."}',
]


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0)


def test_invalid_text_reason() -> None:
    from mosaicner.errors import InvalidTextError
    from mosaicner.inference.textcheck import check_text, invalid_text_reason

    assert invalid_text_reason("ok \U0001f600 \ufffe \x00") is None
    reason = invalid_text_reason("ab\udc00c\ud800")
    assert reason is not None and "U+DC00 at character 2" in reason and "2 in all" in reason
    with pytest.raises(InvalidTextError, match="lone surrogate"):
        check_text("x\ud83d", what="doc 1")


def test_tag_skips_surrogate_document_and_reports_it(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["tag", str(tiny_model_dir), "-i", str(src), "-o", str(out), "--from", "jsonl", "-q"]
    for _ in range(2):  # a rerun does not stop at the document either
        assert _run([*args, "--overwrite"]) == 0
        err = capsys.readouterr().err
        assert "1 documents could not be tagged" in err
        assert "bad: lone surrogate U+D83D at character 5" in err
        from mosaicner.io import jsonl

        ids = [d.id for d in jsonl.read(out).documents]
        assert ids == ["a", "c"]
    assert not batch.parts_dir(out).exists()


class _PoisonTagger(Tagger):
    def tag_documents(self, inputs: Sequence[str | Document]) -> list[Document]:
        if any("POISON" in (x if isinstance(x, str) else x.text) for x in inputs):
            raise RuntimeError("fell over")
        return super().tag_documents(inputs)


def test_tag_block_isolates_a_failing_document() -> None:
    from mosaicner.inference.dictionary import DictionaryPredictor

    tagger = _PoisonTagger(DictionaryPredictor({"Chemical": ["IL-2"]}))
    block = [(0, Document("a", "IL-2")), (1, Document("p", "POISON")), (2, Document("c", "x"))]
    rejected: list[dict[str, str]] = []
    out = batch.tag_block(tagger, block, rejected)
    assert [k for k, _ in out] == [0, 2]
    assert rejected == [{"document": "p", "reason": "RuntimeError: fell over"}]
    with pytest.raises(RuntimeError):  # every document fails alone: the model is at fault
        batch.tag_block(tagger, [(0, Document("p", "POISON")), (1, Document("q", "POISON"))], [])


@pytest.mark.parametrize(
    "bad_line",
    [
        '{"id": "x", "text": "a", "n": ' + "9" * 5000 + "}",  # beyond the int-string limit
        '{"id": "x", "text": "a", "n": Infinity}',
        '{"id": "x", "text": "a", "n": ' + "[" * 100000 + "]" * 100000 + "}",  # deep nesting
    ],
)
def test_tag_jsonl_hostile_json_is_a_clean_error(
    tiny_model_dir: Path, tmp_path: Path, bad_line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(LINES[0] + "\n" + bad_line + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = _run(["tag", str(tiny_model_dir), "-i", str(src), "-o", str(out), "--from", "jsonl"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{src}:2" in err and "Traceback" not in err
