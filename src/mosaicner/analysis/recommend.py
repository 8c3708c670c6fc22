"""Rank candidate auxiliary corpora for a target before spending compute on them.

Without a gains table the ranking uses **TVC** (target vocabulary covered), the default.
With a gains table (see :mod:`mosaicner.analysis.correlate` for its format) the measure is
*chosen*: among the candidate measures, the one with the highest mean per-target Spearman ρ
between its oriented values and gain, computed on the table's targets **other than** the
requested target (leave-one-target-out), so the requested target never tunes its own choice.
A target where the measure cannot rank the auxiliaries (all values tied, so ρ is undefined)
counts as ρ = 0 in that mean: otherwise a measure defined on two targets out of six (label
overlap is zero for most pairs) could win on those two alone.

:func:`loto_hit_rate` validates the procedure itself: for every target of the gains table,
choose the measure on the other targets, take that measure's top auxiliary for the held-out
target, and count a hit when its gain beats the target's median auxiliary.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mosaicner.analysis.correlate import (
    evaluate_measure,
    gains_table,
    predicted_best,
    similarity_table,
)
from mosaicner.analysis.measures import MEASURES, SentenceEmbed, higher_is_similar

Record = dict[str, Any]
Pair = tuple[str, str]
DEFAULT_MEASURE = "tvc"


def _selectable(measures: Sequence[str]) -> list[str]:
    return [m for m in measures if not (m in MEASURES and MEASURES[m].target_only)]


def choose_measure(
    similarity: Sequence[Record],
    gains: Mapping[Pair, float],
    measures: Sequence[str],
    exclude_target: str | None = None,
) -> tuple[str | None, dict[str, float]]:
    """The measure with the highest mean per-target oriented Spearman ρ on the gains table
    without ``exclude_target`` (a target where ρ is undefined, e.g. the measure is constant
    over its auxiliaries, counts as 0); returns (measure or None, score of every measure)."""
    g = {p: v for p, v in gains.items() if p[0] != exclude_target}
    scores: dict[str, float] = {}
    for m in _selectable(measures):
        per_target = evaluate_measure(m, similarity_table(similarity, m), g)["per_target"]
        rhos = [float(row["spearman"]["r"]) for row in per_target.values()]
        defined = [r for r in rhos if not math.isnan(r)]
        if defined:
            rho = sum(defined) / len(rhos)  # an undefined target adds 0 to the sum
            scores[m] = rho if higher_is_similar(m) else -rho
    if not scores:
        return None, scores
    best = max(sorted(scores), key=lambda m: scores[m])
    return best, scores


def loto_hit_rate(
    similarity: Sequence[Record], gain_records: Sequence[Record], measures: Sequence[str]
) -> dict[str, Any]:
    """Leave-one-target-out validation of measure choice + top-1 recommendation."""
    gains = gains_table(gain_records)
    targets = sorted({t for t, _ in gains})
    per_target: dict[str, Any] = {}
    for t in targets:
        measure, _ = choose_measure(similarity, gains, measures, exclude_target=t)
        measure = measure or DEFAULT_MEASURE
        sim = similarity_table(similarity, measure)
        auxes = sorted(a for (tt, a) in gains if tt == t and (t, a) in sim)
        if len(auxes) < 2:
            continue
        sign = 1.0 if higher_is_similar(measure) else -1.0
        s = {a: sign * sim[(t, a)] for a in auxes}
        g = {a: gains[(t, a)] for a in auxes}
        pick = predicted_best(s, g)
        median = statistics.median(g.values())
        per_target[t] = {
            "measure": measure,
            "recommended": pick,
            "gain_of_recommended": g[pick],
            "median_gain": median,
            "best_auxiliary": max(sorted(g), key=lambda a: g[a]),
            "best_gain": max(g.values()),
            "hit": g[pick] > median,
        }
    hits = [v["hit"] for v in per_target.values()]
    # chance level: share of auxiliaries strictly above the median, averaged over targets
    chance = []
    for t in per_target:
        g_t = [v for (tt, _), v in gains.items() if tt == t]
        med = statistics.median(g_t)
        chance.append(sum(1 for v in g_t if v > med) / len(g_t))
    return {
        "hit_rate": sum(hits) / len(hits) if hits else math.nan,
        "n_targets": len(hits),
        "chance_hit_rate": sum(chance) / len(chance) if chance else math.nan,
        "per_target": per_target,
    }


def recommend(
    target: str,
    candidates: Sequence[str],
    similarity: Sequence[Record],
    gain_records: Sequence[Record] | None = None,
    measures: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Rank ``candidates`` as auxiliaries of ``target``; explain the measure and its evidence."""
    measures = list(measures or sorted({r["measure"] for r in similarity}))
    validation: dict[str, Any] | None = None
    if gain_records:
        gains = gains_table(gain_records)
        chosen, scores = choose_measure(similarity, gains, measures, exclude_target=target)
        if chosen is None:
            measure = DEFAULT_MEASURE
            why = (
                "default TVC: no measure had a defined per-target Spearman on the gains table "
                f"without {target}"
            )
        else:
            measure = chosen
            why = (
                f"{measure}: highest mean per-target Spearman rho with gain (0 on targets it "
                "cannot rank) "
                f"({scores[measure]:+.3f}) on the gains table without {target} "
                "(leave-one-target-out)"
            )
        validation = {
            "selection_scores": dict(sorted(scores.items(), key=lambda kv: -kv[1])),
            "loto": loto_hit_rate(similarity, gain_records, measures),
        }
        known = {a: gains[(target, a)] for a in candidates if (target, a) in gains}
        if known:
            validation["known_gains"] = known
    else:
        measure = DEFAULT_MEASURE
        why = "default TVC (target vocabulary covered); pass --gains to choose a validated measure"
    sim = similarity_table(similarity, measure)
    sign = 1.0 if higher_is_similar(measure) else -1.0
    evidence = {m: similarity_table(similarity, m) for m in measures}
    ranking: list[dict[str, Any]] = []
    for a in candidates:
        if a == target:
            continue
        ranking.append(
            {
                "auxiliary": a,
                "score": sim.get((target, a), math.nan),
                "values": {m: evidence[m].get((target, a), math.nan) for m in measures},
            }
        )
    ranking.sort(
        key=lambda r: (
            math.isnan(r["score"]),
            -sign * r["score"] if not math.isnan(r["score"]) else 0.0,
            r["auxiliary"],
        )
    )
    for i, r in enumerate(ranking, start=1):
        r["rank"] = i
    return {
        "target": target,
        "measure": measure,
        "why": why,
        "ranking": ranking,
        "validation": validation,
    }


def _corpus_name(name_or_path: str) -> str:
    """A corpus given by path is named by its folder name."""
    p = Path(name_or_path).expanduser()
    return p.name if p.is_dir() else name_or_path


def recommend_auxiliaries(
    target: str,
    candidates: Sequence[str],
    measures: str | Sequence[str],
    *,
    gains_file: str | Path | None = None,
    similarity_file: str | Path | None = None,
    embed: SentenceEmbed | None = None,
    data_format: str | None = None,
) -> dict[str, Any]:
    """``mosaicner analyze recommend``: read the gains and similarity files, compute the
    similarity records they lack (corpora by name or path; ``embed`` for the ``embedding``
    measure), then :func:`recommend`.  The result also holds ``measures`` (the measures shown)."""
    from mosaicner.analysis.correlate import load_gains
    from mosaicner.analysis.data import load_analysis_corpus, load_corpora
    from mosaicner.analysis.measures import compute_similarity, parse_measures
    from mosaicner.analysis.output import read_records

    names = parse_measures(measures)
    if DEFAULT_MEASURE not in names:
        names.append(DEFAULT_MEASURE)
    gains = load_gains(gains_file) if gains_file is not None else None
    sim: list[dict[str, Any]] = read_records(similarity_file) if similarity_file else []
    have = {(r["measure"], r["target"], r["auxiliary"]) for r in sim}
    target_name = _corpus_name(target)
    cand_names = [_corpus_name(c) for c in candidates]
    missing = any(
        (m, target_name, c) not in have for m in names for c in cand_names if c != target_name
    )
    extra: list[str] = []
    if gains is not None and similarity_file is None:
        extra = sorted(
            {str(g[k]) for g in gains for k in ("target", "auxiliary")} - {target_name, *cand_names}
        )
    if missing or extra:
        target_corpus = load_analysis_corpus(target, data_format)
        cand_corpora = [load_analysis_corpus(c, data_format) for c in candidates]
        target_name, cand_names = target_corpus.name, [c.name for c in cand_corpora]
        pool = [target_corpus, *cand_corpora, *load_corpora(extra, data_format)]
        sim.extend(
            r
            for r in compute_similarity(pool, names, embed=embed)
            if (r["measure"], r["target"], r["auxiliary"]) not in have
        )
    result = recommend(target_name, cand_names, sim, gains, measures=names)
    result["measures"] = names
    return result


__all__ = [
    "DEFAULT_MEASURE",
    "choose_measure",
    "loto_hit_rate",
    "recommend",
    "recommend_auxiliaries",
]
