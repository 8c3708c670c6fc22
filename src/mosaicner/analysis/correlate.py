"""Do the similarity measures predict multi-task gain?

**Gains file.** A JSON array (or CSV with the same columns) of records::

    {"target": "NCBI-disease", "auxiliary": "BC5CDR", "gain": 0.012,
     "f1_stl": 0.801, "f1_mtl": 0.813, "sd": 0.004, "n_seeds": 3}

``gain`` = ΔF(t | a) = F_MTL(t | a) − F_STL(t), test F1 of the target as a fraction (percent
points work too, as long as one file uses one scale); ``f1_stl``, ``f1_mtl``, ``sd`` (standard
deviation of the gain over seeds) and ``n_seeds`` are optional and only reported.

**What is computed**, for every measure, over pairs with target ≠ auxiliary present in *both*
files (missing pairs are dropped, never zero-filled):

* per target and pooled over all pairs: Pearson r, Spearman ρ and Kendall τ of the measure's
  raw values with gain, with two-sided p-values from :mod:`scipy.stats` (NaN with fewer than 3
  pairs or a constant input);
* per target, in the measure's *oriented* order (higher = more similar; divergences reversed):
  the rank of the true best auxiliary (1 + number of other auxiliaries the measure scores at
  least as high, so ties count against the measure), the rank in the gain ordering of the
  auxiliary the measure ranks first (ties among the measure's top broken pessimistically), and
  NDCG@k with linear gains clipped at 0 (NaN when no auxiliary has a positive gain); whether
  the measure's top-1 auxiliary beats the target's median auxiliary ("hit");
* a permutation test of the mean per-target Spearman rho that shuffles gains only among the
  auxiliaries of each target (:func:`within_target_permutation`): pairs of one target share its
  baseline, so the pooled p-values overstate the evidence.

Means over targets ignore NaN values and say how many targets counted.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mosaicner.analysis.measures import higher_is_similar
from mosaicner.analysis.output import read_records

Record = dict[str, Any]
Pair = tuple[str, str]
NAN = math.nan


def load_gains(path: str | Path) -> list[Record]:
    """Gain records from a JSON array or CSV file (see the module docstring)."""
    return read_records(path, required=("target", "auxiliary", "gain"), kind="gains")


def gains_table(records: Sequence[Record]) -> dict[Pair, float]:
    """Gain records as ``{(target, auxiliary): gain}``."""
    return {
        (str(r["target"]), str(r["auxiliary"])): float(r["gain"])
        for r in records
        if r["target"] != r["auxiliary"]
        and r.get("gain") is not None
        and not math.isnan(float(r["gain"]))
    }


def similarity_table(records: Sequence[Record], measure: str) -> dict[Pair, float]:
    """The records of ``measure`` as ``{(target, auxiliary): value}``."""
    return {
        (str(r["target"]), str(r["auxiliary"])): float(r["value"])
        for r in records
        if r["measure"] == measure and r["target"] != r["auxiliary"]
    }


def _corr(x: Sequence[float], y: Sequence[float]) -> dict[str, dict[str, float]]:
    from scipy import stats

    out: dict[str, dict[str, float]] = {}
    constant = len(set(x)) < 2 or len(set(y)) < 2
    for name, fn in (
        ("pearson", stats.pearsonr),
        ("spearman", stats.spearmanr),
        ("kendall", stats.kendalltau),
    ):
        if len(x) < 3 or constant:
            out[name] = {"r": NAN, "p": NAN}
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fn(x, y)
        out[name] = {"r": float(res[0]), "p": float(res[1])}
    return out


def correlations(x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    """Pearson, Spearman and Kendall of two equal-length sequences, with p-values and n."""
    return {"n": len(x), **_corr(list(x), list(y))}


def _oriented(measure: str, sim: Mapping[str, float]) -> dict[str, float]:
    sign = 1.0 if higher_is_similar(measure) else -1.0
    return {a: sign * v for a, v in sim.items()}


def best_aux_rank(sim: Mapping[str, float], gain: Mapping[str, float]) -> int:
    """1-based rank, under the measure (higher = ranked first), of the auxiliary with the
    highest gain; ties in the measure count against it.  Gain ties: the first name wins."""
    best = max(sorted(gain), key=lambda a: gain[a])
    return 1 + sum(1 for a in sim if a != best and sim[a] >= sim[best])


def predicted_best(sim: Mapping[str, float], gain: Mapping[str, float]) -> str:
    """The auxiliary the measure ranks first; ties broken towards the lowest gain."""
    top = max(sim.values())
    tied = sorted(a for a in sim if sim[a] == top)
    return min(tied, key=lambda a: gain[a])


def predicted_best_rank(sim: Mapping[str, float], gain: Mapping[str, float]) -> int:
    """1-based rank, in the gain ordering, of the measure's top auxiliary (ties count against)."""
    pick = predicted_best(sim, gain)
    return 1 + sum(1 for a in gain if a != pick and gain[a] >= gain[pick])


def ndcg(sim: Mapping[str, float], gain: Mapping[str, float], k: int | None = None) -> float:
    """NDCG@k of the measure's ranking with linear relevance max(gain, 0); ties in the measure
    are ordered pessimistically (lower gain first).  NaN if no gain is positive."""
    order = sorted(sim, key=lambda a: (-sim[a], gain[a], a))
    rel = [max(gain[a], 0.0) for a in order]
    ideal = sorted(rel, reverse=True)
    kk = len(rel) if k is None else min(k, len(rel))

    def dcg(values: Sequence[float]) -> float:
        return sum(v / math.log2(i + 2) for i, v in enumerate(values[:kk]))

    best = dcg(ideal)
    return dcg(rel) / best if best > 0 else NAN


def top1_hit(sim: Mapping[str, float], gain: Mapping[str, float]) -> bool:
    """Whether the measure's top auxiliary has a gain above the median gain of the target."""
    return gain[predicted_best(sim, gain)] > statistics.median(gain.values())


def within_target_permutation(
    sim: Mapping[Pair, float],
    gains: Mapping[Pair, float],
    n_permutations: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Permutation test of the mean per-target Spearman rho that respects pair dependence.

    The pairs of one target share its single-task baseline (and so its noise), so they are not
    independent and the pooled p-values overstate the evidence.  The null distribution here
    shuffles the gains among the auxiliaries *of each target* (the target's baseline and gain
    scale stay with it) and recomputes the mean over targets of Spearman's rho between measure
    and gain; ``p`` is two-sided, ``(1 + #{|null| >= |observed|}) / (1 + n)``.  Targets with
    fewer than three auxiliaries or constant values do not count.
    """
    import numpy as np
    from scipy.stats import rankdata

    by_target: dict[str, list[str]] = defaultdict(list)
    for t, a in sorted(set(sim) & set(gains)):
        by_target[t].append(a)
    blocks: list[tuple[Any, Any]] = []
    for t, auxes in by_target.items():
        x = [sim[(t, a)] for a in auxes]
        y = [gains[(t, a)] for a in auxes]
        if len(auxes) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
            continue
        rx, ry = rankdata(x), rankdata(y)
        blocks.append(((rx - rx.mean()) / rx.std(), (ry - ry.mean()) / ry.std()))
    if not blocks:
        return {"statistic": "mean per-target spearman", "observed": NAN, "p": NAN, "n_targets": 0}
    observed = float(np.mean([float(np.mean(zx * zy)) for zx, zy in blocks]))
    rng = np.random.default_rng(seed)
    null = np.zeros(n_permutations)
    for zx, zy in blocks:
        shuffled = rng.permuted(np.tile(zy, (n_permutations, 1)), axis=1)
        null += (shuffled * zx).mean(axis=1)
    null /= len(blocks)
    extreme = int(np.sum(np.abs(null) >= abs(observed) - 1e-12))
    return {
        "statistic": "mean per-target spearman",
        "observed": observed,
        "p": (1 + extreme) / (1 + n_permutations),
        "n_targets": len(blocks),
        "n_permutations": n_permutations,
    }


def _nanmean(values: Sequence[float]) -> tuple[float, int]:
    good = [v for v in values if not math.isnan(v)]
    return (sum(good) / len(good) if good else NAN), len(good)


def evaluate_measure(
    measure: str, sim: Mapping[Pair, float], gains: Mapping[Pair, float], k: int = 3
) -> dict[str, Any]:
    """Per-target and pooled statistics of one measure against gains."""
    pairs = sorted(set(sim) & set(gains))
    pooled = correlations([sim[p] for p in pairs], [gains[p] for p in pairs])
    by_target: dict[str, list[str]] = defaultdict(list)
    for t, a in pairs:
        by_target[t].append(a)
    per_target: dict[str, Any] = {}
    for t, auxes in sorted(by_target.items()):
        s = {a: sim[(t, a)] for a in auxes}
        g = {a: gains[(t, a)] for a in auxes}
        row: dict[str, Any] = correlations([s[a] for a in auxes], [g[a] for a in auxes])
        so = _oriented(measure, s)
        row["best_aux"] = max(sorted(g), key=lambda a: g[a])
        row["predicted_best"] = predicted_best(so, g)
        row["best_aux_rank"] = best_aux_rank(so, g)
        row["predicted_best_rank"] = predicted_best_rank(so, g)
        row["ndcg"] = ndcg(so, g, k)
        row["hit"] = top1_hit(so, g) if len(auxes) >= 2 else None
        per_target[t] = row
    summary: dict[str, Any] = {}
    for key in ("pearson", "spearman", "kendall"):
        summary[f"mean_{key}"], summary[f"n_targets_{key}"] = _nanmean(
            [row[key]["r"] for row in per_target.values()]
        )
    summary["mean_ndcg"], summary["n_targets_ndcg"] = _nanmean(
        [row["ndcg"] for row in per_target.values()]
    )
    summary["mean_best_aux_rank"], _ = _nanmean(
        [float(row["best_aux_rank"]) for row in per_target.values()]
    )
    summary["mean_predicted_best_rank"], _ = _nanmean(
        [float(row["predicted_best_rank"]) for row in per_target.values()]
    )
    hits = [row["hit"] for row in per_target.values() if row["hit"] is not None]
    summary["hit_rate"] = sum(hits) / len(hits) if hits else NAN
    summary["n_targets"] = len(per_target)
    summary["within_target_permutation"] = within_target_permutation(sim, gains)
    return {
        "measure": measure,
        "higher_is_similar": higher_is_similar(measure),
        "pooled": pooled,
        "summary": summary,
        "per_target": per_target,
    }


def correlate(
    similarity: Sequence[Record],
    gains: Sequence[Record],
    measures: Sequence[str] | None = None,
    k: int = 3,
) -> dict[str, Any]:
    """Evaluate every measure of the similarity records against the gain records."""
    g = gains_table(gains)
    names = list(measures) if measures else sorted({r["measure"] for r in similarity})
    results = [evaluate_measure(m, similarity_table(similarity, m), g, k) for m in names]
    return {
        "k": k,
        "n_gain_pairs": len(g),
        "gain_definition": "F1_MTL(target|auxiliary) - F1_STL(target), self pairs excluded",
        "measures": results,
    }


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _p(x: float) -> str:
    if math.isnan(x):
        return "nan"
    return f"{x:.2g}" if x < 0.01 else f"{x:.2f}"


SUMMARY_COLUMNS = (
    "measure",
    "n",
    "pooled Pearson r (p)",
    "pooled Spearman ρ (p)",
    "pooled Kendall τ (p)",
    "mean per-target ρ (permutation p)",
    "NDCG@k",
    "best-aux rank",
    "pred.-best rank",
    "hit rate",
)


def _perm_p(summary: Mapping[str, Any]) -> float:
    perm = summary.get("within_target_permutation") or {}
    return float(perm.get("p", NAN))


def summary_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """One row of formatted cells per measure (the summary table)."""
    rows: list[list[str]] = []
    for res in report["measures"]:
        pooled, summ = res["pooled"], res["summary"]
        arrow = "" if res["higher_is_similar"] else " (↓)"
        rows.append(
            [
                res["measure"] + arrow,
                str(pooled["n"]),
                f"{_fmt(pooled['pearson']['r'])} ({_p(pooled['pearson']['p'])})",
                f"{_fmt(pooled['spearman']['r'])} ({_p(pooled['spearman']['p'])})",
                f"{_fmt(pooled['kendall']['r'])} ({_p(pooled['kendall']['p'])})",
                f"{_fmt(summ['mean_spearman'])} ({_p(_perm_p(summ))})",
                _fmt(summ["mean_ndcg"]),
                _fmt(summ["mean_best_aux_rank"], 2),
                _fmt(summ["mean_predicted_best_rank"], 2),
                _fmt(summ["hit_rate"], 2),
            ]
        )
    return rows


def markdown_table(report: Mapping[str, Any]) -> str:
    """The summary table as Markdown."""
    cols = [c.replace("NDCG@k", f"NDCG@{report['k']}") for c in SUMMARY_COLUMNS]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r) + " |" for r in summary_rows(report)]
    return "\n".join(lines)


def rich_table(report: Mapping[str, Any]) -> Any:
    """The summary table for the terminal."""
    from rich.table import Table

    table = Table(title=f"Measures vs. MTL gain ({report['n_gain_pairs']} gain pairs)")
    for c in SUMMARY_COLUMNS:
        table.add_column(
            c.replace("NDCG@k", f"NDCG@{report['k']}"),
            justify="left" if c == "measure" else "right",
        )
    for row in summary_rows(report):
        table.add_row(*row)
    return table


def plot_scatter(
    similarity: Sequence[Record], gains: Sequence[Record], out_dir: str | Path
) -> list[Path]:
    """One scatter plot per measure: measure value against gain, one colour per target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = gains_table(gains)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for measure in sorted({r["measure"] for r in similarity}):
        sim = similarity_table(similarity, measure)
        pairs = sorted(set(sim) & set(g))
        if not pairs:
            continue
        fig, ax = plt.subplots(figsize=(6, 4.5))
        targets = sorted({t for t, _ in pairs})
        cmap = plt.get_cmap("tab10")
        for i, t in enumerate(targets):
            pts = [(sim[p], g[p], p[1]) for p in pairs if p[0] == t]
            ax.scatter([x for x, _, _ in pts], [y for _, y, _ in pts], color=cmap(i % 10), label=t)
            for x, y, a in pts:
                ax.annotate(
                    a, (x, y), fontsize=6, alpha=0.7, xytext=(2, 2), textcoords="offset points"
                )
        ax.axhline(0.0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(measure)
        ax.set_ylabel("gain ΔF1 (MTL − STL)")
        ax.set_title(f"{measure} vs. gain")
        ax.legend(fontsize=7, title="target", title_fontsize=7)
        fig.tight_layout()
        path = out / f"scatter_{measure.replace(':', '-').replace('+', '_')}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(path)
    return files


__all__ = [
    "best_aux_rank",
    "correlate",
    "correlations",
    "evaluate_measure",
    "gains_table",
    "load_gains",
    "markdown_table",
    "ndcg",
    "plot_scatter",
    "predicted_best",
    "predicted_best_rank",
    "rich_table",
    "similarity_table",
    "top1_hit",
    "within_target_permutation",
]
