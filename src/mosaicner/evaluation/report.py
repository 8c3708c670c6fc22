"""Evaluation reports: one JSON-ready dict per (corpus, split) and a rich table.

JSON shape (all scores are fractions in [0, 1])::

    {
      "corpus": "BC5CDR", "split": "test", "n_items": 4797,
      "types": ["Chemical", "Disease"],
      "micro": {"precision": .., "recall": .., "f1": .., "tp": .., "fp": .., "fn": ..},
      "per_type": {"Chemical": {"precision": .., "recall": .., "f1": .., "tp": .., "fp": ..,
                                "fn": .., "support": ..}, ...},
      "ci95": {"precision": [lo, hi], "recall": [lo, hi], "f1": [lo, hi],
               "n_resamples": 1000, "seed": 0, "unit": "item"},
      "overlap": {"definition": "...", "micro": {...}, "per_type": {...}},
      "ignored_predictions": {"Species": 12},
      "unscored_gold": {"total": 3, "reasons": {"not aligned to token boundaries": 3}}
    }

``ignored_predictions`` counts predictions of types the corpus does not annotate; they are
neither true nor false positives for that corpus ("global" predictions).  ``unscored_gold``
(added by ``mosaicner evaluate``, see :mod:`.coverage`) counts gold spans that no sentence
carries, so they are not in the support; the table shows them in its caption.  ``ci95`` is
absent when ``n_resamples`` is 0.  :func:`macro_report` averages micro scores over corpora
(unweighted).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from rich.table import Table

from mosaicner.evaluation.bootstrap import bootstrap_ci
from mosaicner.evaluation.coverage import unscored_text
from mosaicner.evaluation.metrics import SpanTriple, score_spans
from mosaicner.evaluation.overlap import score_overlap


def evaluation_report(
    corpus: str,
    split: str,
    gold: Sequence[Iterable[SpanTriple]],
    pred: Sequence[Iterable[SpanTriple]],
    types: Collection[str] | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Strict scores, per-type scores, a 95% bootstrap interval and overlap scores."""
    gold_l = [list(g) for g in gold]
    pred_l = [list(p) for p in pred]
    strict = score_spans(gold_l, pred_l, types)
    per_type: dict[str, dict[str, float | int]] = {}
    for label, prf in sorted(strict.per_type.items()):
        row = prf.to_dict()
        row["support"] = prf.tp + prf.fn
        per_type[label] = row
    scored_types = sorted(types) if types is not None else sorted(strict.per_type)
    report: dict[str, Any] = {
        "corpus": corpus,
        "split": split,
        "n_items": len(gold_l),
        "types": scored_types,
        "micro": strict.micro.to_dict(),
        "per_type": per_type,
    }
    if n_resamples > 0:
        ci = bootstrap_ci(gold_l, pred_l, types, n_resamples=n_resamples, seed=seed)
        report["ci95"] = {
            **{k: [lo, hi] for k, (lo, hi) in ci.items()},
            "n_resamples": n_resamples,
            "seed": seed,
            "unit": "item",
        }
    report["overlap"] = score_overlap(gold_l, pred_l, types).to_dict()
    report["ignored_predictions"] = dict(sorted(strict.ignored.items()))
    return report


def macro_report(reports: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Unweighted mean of micro P/R/F1 over the given corpus reports."""
    rows = list(reports)
    n = len(rows)
    out: dict[str, Any] = {"n_corpora": n, "corpora": [r["corpus"] for r in rows]}
    for key in ("precision", "recall", "f1"):
        out[key] = sum(float(r["micro"][key]) for r in rows) / n if n else 0.0
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.2f}"


def render_table(reports: Sequence[Mapping[str, Any]], *, per_type: bool = True) -> Table:
    """A rich table: one row per corpus (micro), optionally one indented row per type, and a
    macro row when there is more than one corpus.  Scores are shown in percent."""
    table = Table(title="Strict span scores (%)", show_lines=False)
    table.add_column("corpus / type")
    table.add_column("split")
    for col in ("P", "R", "F1", "F1 95% CI", "overlap F1"):
        table.add_column(col, justify="right")
    table.add_column("support", justify="right")
    for rep in reports:
        micro = rep["micro"]
        ci = rep.get("ci95")
        ci_text = f"{_pct(ci['f1'][0])}–{_pct(ci['f1'][1])}" if ci else "-"
        table.add_row(
            f"[bold]{rep['corpus']}[/bold]",
            str(rep["split"]),
            _pct(micro["precision"]),
            _pct(micro["recall"]),
            f"[bold]{_pct(micro['f1'])}[/bold]",
            ci_text,
            _pct(rep["overlap"]["micro"]["f1"]) if "overlap" in rep else "-",
            str(micro["tp"] + micro["fn"]),
        )
        if per_type:
            overlap_types = rep.get("overlap", {}).get("per_type", {})
            for label, row in rep["per_type"].items():
                ov = overlap_types.get(label)
                table.add_row(
                    f"  {label}",
                    "",
                    _pct(row["precision"]),
                    _pct(row["recall"]),
                    _pct(row["f1"]),
                    "",
                    _pct(ov["f1"]) if ov else "-",
                    str(row["support"]),
                )
    if len(reports) > 1:
        macro = macro_report(reports)
        table.add_row(
            "[bold]macro (corpora)[/bold]",
            "",
            _pct(macro["precision"]),
            _pct(macro["recall"]),
            f"[bold]{_pct(macro['f1'])}[/bold]",
            "",
            "",
            "",
        )
    notes = [t for t in (unscored_text(rep) for rep in reports) if t]
    if notes:
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    return table


__all__ = ["evaluation_report", "macro_report", "render_table"]
