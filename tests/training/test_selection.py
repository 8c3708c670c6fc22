"""Model selection on dev F1: best round, patience, per-corpus bests, resumable state."""

from __future__ import annotations

import math

from mosaicner.training.selection import Selection


def dev(a: float, b: float) -> dict[str, object]:
    return {"per_corpus": {"a": a, "b": b}, "macro": (a + b) / 2}


def test_macro_selection_and_patience() -> None:
    sel = Selection("macro", patience=2)
    assert sel.update(dev(0.2, 0.4), 10).improved
    v = sel.update(dev(0.1, 0.4), 20)
    assert not v.improved and not v.stop
    v = sel.update(dev(0.1, 0.1), 30)
    assert v.stop and sel.best_step == 10 and math.isclose(sel.best_score, 0.3)


def test_one_corpus_selection_ignores_the_others() -> None:
    sel = Selection("b")
    sel.update(dev(0.9, 0.2), 1)
    v = sel.update(dev(0.1, 0.3), 2)
    assert v.improved and sel.best_step == 2


def test_per_corpus_bests_reset_patience() -> None:
    sel = Selection("macro", per_corpus=True, patience=1)
    sel.update(dev(0.5, 0.5), 1)
    v = sel.update(dev(0.6, 0.1), 2)  # macro worse, corpus a better: patience resets
    assert not v.improved and v.improved_corpora == ["a"] and not v.stop
    assert sel.corpus_best == {"a": [0.6, 2], "b": [0.5, 1]}
    assert sel.update(dev(0.1, 0.1), 3).stop


def test_no_selection_phase_never_stops() -> None:
    sel = Selection("macro", select=False, patience=1)
    for step in range(1, 4):
        v = sel.update(dev(0.1, 0.1), step)
        assert not v.improved and not v.stop


def test_state_round_trip() -> None:
    sel = Selection("macro", per_corpus=True, patience=3)
    sel.update(dev(0.5, 0.2), 4)
    sel.update(dev(0.1, 0.1), 8)
    other = Selection("macro", per_corpus=True, patience=3)
    other.load_state_dict(sel.state_dict())
    assert other == sel
