from __future__ import annotations

import json

from rich.console import Console

from mosaicner.evaluation import evaluation_report, macro_report, render_table


def test_report_shape_and_fractions() -> None:
    gold = [[(0, 1, "Disease"), (2, 4, "Chemical")], [(1, 2, "Disease")]]
    pred = [[(0, 1, "Disease"), (2, 3, "Chemical"), (5, 6, "Species")], []]
    rep = evaluation_report("BC5CDR", "test", gold, pred, {"Disease", "Chemical"}, 100)
    json.dumps(rep)  # JSON serialisable
    assert rep["corpus"] == "BC5CDR" and rep["split"] == "test"
    assert set(rep["micro"]) >= {"precision", "recall", "f1"}
    assert set(rep["per_type"]) == {"Chemical", "Disease"}
    assert rep["per_type"]["Disease"]["support"] == 2
    for key in ("precision", "recall", "f1"):
        lo, hi = rep["ci95"][key]
        assert 0.0 <= lo <= hi <= 1.0
        assert 0.0 <= rep["micro"][key] <= 1.0
    assert rep["ignored_predictions"] == {"Species": 1}
    assert rep["overlap"]["micro"]["f1"] >= rep["micro"]["f1"]
    assert abs(rep["micro"]["precision"] - 0.5) < 1e-12


def test_table_renders_and_macro() -> None:
    a = evaluation_report("a", "test", [[(0, 1, "X")]], [[(0, 1, "X")]], None, 10)
    b = evaluation_report("b", "test", [[(0, 1, "Y")]], [[]], None, 0)
    assert "ci95" not in b
    assert macro_report([a, b])["f1"] == 0.5
    console = Console(record=True, width=120)
    console.print(render_table([a, b]))
    text = console.export_text()
    assert "macro" in text and "100.00" in text
