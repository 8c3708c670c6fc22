"""``mosaicner tag --from text``: offsets index the input file exactly (CRLF, lone CR, BOM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.inference.batch import InputSpec, iter_documents

TERMS = {"Chemical": ["cisplatin", "IL-2"], "Disease": ["lung cancer", "cancer"]}


def _tag(tmp_path: Path, inp: Path, unit: str) -> list[dict]:
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    out = tmp_path / f"out-{unit}.jsonl"
    args = ["tag", str(terms), "-i", str(inp), "-o", str(out), "--from", "text"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--text-unit", unit, "-q"])
    assert exc.value.code in (0, None)
    return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


def test_file_offsets_index_the_file_with_crlf_and_bom(tmp_path: Path) -> None:
    raw = "\ufeffCisplatin helps.\r\nLung cancer\r\nand IL-2\rcancer.\r\n"
    inp = tmp_path / "in.txt"
    inp.write_bytes(raw.encode("utf-8"))
    (rec,) = _tag(tmp_path, inp, "file")
    with open(inp, encoding="utf-8-sig", newline="") as fh:  # the documented convention
        exact = fh.read()
    assert rec["text"] == exact
    spans = rec["spans"]["pred"]
    assert [exact[s["start"] : s["end"]] for s in spans] == [
        "Cisplatin", "Lung cancer", "cancer", "IL-2", "cancer"
    ]  # fmt: skip


def test_lines_end_at_lf_or_crlf_and_a_lone_cr_stays_inside(tmp_path: Path) -> None:
    inp = tmp_path / "lines.txt"
    inp.write_bytes(b"Cisplatin\rcancer\r\nIL-2\n\nlast line cancer")
    docs = [d for _, d in iter_documents(InputSpec(str(inp), "text", "line"))]
    assert [d.text for d in docs] == ["Cisplatin\rcancer", "IL-2", "", "last line cancer"]
    recs = _tag(tmp_path, inp, "line")
    assert [r["id"] for r in recs] == ["lines:1", "lines:2", "lines:3", "lines:4"]
    first = recs[0]
    assert [first["text"][s["start"] : s["end"]] for s in first["spans"]["pred"]] == [
        "Cisplatin", "cancer"
    ]  # fmt: skip
