from __future__ import annotations

import json
from pathlib import Path

from mosaicner.analysis.ood import collect_ood, summarize_ood, write_ood
from mosaicner.data.model import SentenceExample


def test_collect_and_write(tmp_path: Path) -> None:
    ex = SentenceExample(
        "d1", 0, ("Aspirin", "kills", "rats", "."), ((0, 1, "Chemical"),), "BC5CDR"
    )
    preds = [
        [
            (0, 1, "BC5CDR$Chemical", 0.9),
            (2, 3, "linnaeus$Species", 0.8),
            (0, 2, "X$Species", 0.3),
        ]
    ]
    recs = collect_ood([ex], preds, ["Chemical", "Disease"], min_score=0.0)
    assert [(r.mention, r.type, r.overlaps_gold) for r in recs] == [
        ("rats", "Species", False),
        ("Aspirin kills", "Species", True),
    ]
    assert summarize_ood(recs) == {"BC5CDR": {"Species": 2}}
    tsv = write_ood(recs, tmp_path / "o.tsv").read_text().splitlines()
    assert tsv[0].startswith("corpus\tdoc_id") and len(tsv) == 3
    jl = [json.loads(x) for x in write_ood(recs, tmp_path / "o.jsonl").read_text().splitlines()]
    assert jl[0]["sentence"] == "Aspirin kills rats ." and jl[0]["gold"] == "0-1:Chemical:Aspirin"
    assert collect_ood([ex], preds, ["Chemical"], min_score=0.5)[0].mention == "rats"
