"""Analysis commands read corpora given as paths with detected or forced formats (issue 12)."""

from __future__ import annotations

from pathlib import Path

from mosaicner.analysis.data import load_corpora

PUBTATOR = (
    "1|t|Aspirin and asthma.\n"
    "1|a|Aspirin induced asthma in patients.\n"
    "1\t0\t7\tAspirin\tChemical\tD001241\n"
    "1\t12\t18\tasthma\tDisease\tD001249\n\n"
)


def test_similarity_corpora_honour_detection_and_from(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        for split in ("train", "devel", "test"):
            (d / f"{split}.txt").write_text(PUBTATOR, encoding="utf-8")
    detected = load_corpora([a, b])
    assert [c.name for c in detected] == ["a", "b"]
    assert detected[0]._resolved.format == "pubtator"
    forced = load_corpora([a, b], "text")
    assert forced[0]._resolved.format == "text"
