"""Regenerate the tables of ``benchmarks/science/README.md`` from ``runs.jsonl``.

For every experiment in the runs file the README gets one generated block between the markers::

    <!-- BEGIN GENERATED TABLES: general_biomedical -->
    ...
    <!-- END GENERATED TABLES: general_biomedical -->

Everything outside the markers (hand-written prose) is kept; an experiment without a block yet
gets one appended at the end under its own heading.  Each block holds:

* **scores**: per corpus and setting (condition at a step budget, test set): the number of
  seeds, micro F1 / P / R as mean ± sample standard deviation over seeds (percentages);
* **global predictions** (when the records carry ``global_predictions``, type -> count on the
  test sentences of a corpus that does not annotate that type): mean count per type over seeds,
  also for ``global_predictions_other_corpus`` (a model run on a corpus it was not trained on);
* **paired differences**: for every two settings of the same corpus and test set that share at
  least two seeds, the mean of the seed-paired F1 differences (first minus second) with a 95%
  t-interval over those differences (n - 1 degrees of freedom), and how many seeds the first
  setting won.  In ``SAME_BUDGET_EXPERIMENTS`` two settings are paired only at the same step
  budget or as one condition at two budgets.

When a (setting, corpus, seed) was recorded more than once, the last record counts and the
table says how many were superseded.

Usage::

    .venv/bin/python benchmarks/science/make_tables.py            # rewrite README.md
    .venv/bin/python benchmarks/science/make_tables.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import RUNS, read_records

README = Path(__file__).resolve().parent / "README.md"
#: a corpus with more settings than this (the transfer matrix) gets paired differences against
#: its baseline settings only
MAX_ALL_PAIRS = 5
#: condition prefixes of baselines (read second in a paired difference, so a gain reads
#: positive): single-task models, single-corpus models, GENIA without document context
BASELINE_PREFIXES = ("stl", "single", "context0")
#: experiments whose settings differ by budget as well as by condition: two settings are compared
#: only at the same budget, or as one condition at two budgets (a setting with context is never
#: set against plain sentences trained for another number of steps)
SAME_BUDGET_EXPERIMENTS = frozenset({"genia_context"})
# experiments whose block also gets an F1-per-type table
PER_TYPE_EXPERIMENTS = frozenset({"partial_annotation", "synthetic_ensemble"})
BEGIN = "<!-- BEGIN GENERATED TABLES: {name} -->"
END = "<!-- END GENERATED TABLES: {name} -->"
_BLOCK = re.compile(
    r"<!-- BEGIN GENERATED TABLES: (?P<name>[^>]+?) -->\n.*?<!-- END GENERATED TABLES: "
    r"(?P=name) -->",
    re.S,
)


@dataclass
class Setting:
    """All seeds of one (experiment, corpus, condition, steps, test subsample)."""

    experiment: str
    corpus: str
    condition: str
    steps: int
    test_subsample: int | None
    by_seed: dict[int, dict[str, Any]] = field(default_factory=dict)
    superseded: int = 0

    @property
    def label(self) -> str:
        return f"{self.condition} @ {self.steps}"

    @property
    def test(self) -> str:
        return "full" if self.test_subsample is None else f"{self.test_subsample} sent."

    @property
    def design(self) -> Any:
        """What must match for two settings to be compared seed by seed: the training-data
        design (``target_train``, absent = full data).  Two designs that happen to share seed
        numbers are different experiments, never paired."""
        return next(iter(self.by_seed.values())).get("target_train")

    @property
    def baseline(self) -> bool:
        return self.condition.startswith(BASELINE_PREFIXES)

    def values(self, key: str) -> list[float]:
        return [float(self.by_seed[s][key]) for s in sorted(self.by_seed)]


def group(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Setting]]:
    """Settings per experiment, in the order they first appear in the runs file."""
    out: dict[str, dict[tuple[Any, ...], Setting]] = {}
    for rec in records:
        key = (rec["corpus"], rec["condition"], rec["steps"], rec["test_subsample"])
        settings = out.setdefault(rec["experiment"], {})
        st = settings.get(key)
        if st is None:
            st = settings[key] = Setting(rec["experiment"], *key)
        if rec["seed"] in st.by_seed:
            st.superseded += 1
        st.by_seed[int(rec["seed"])] = dict(rec)
    return {exp: list(s.values()) for exp, s in out.items()}


def mean_sd(values: Sequence[float]) -> tuple[float, float | None]:
    m = statistics.fmean(values)
    return m, (statistics.stdev(values) if len(values) > 1 else None)


def t_quantile(df: int, level: float = 0.95) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2, df))


def paired_difference(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """Mean of ``a[i] - b[i]`` and its 95% t-interval (needs at least two pairs)."""
    if len(a) != len(b) or len(a) < 2:
        raise ValueError("a paired difference needs two equally long lists of >= 2 values")
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    m = statistics.fmean(diffs)
    half = t_quantile(len(diffs) - 1) * statistics.stdev(diffs) / math.sqrt(len(diffs))
    return m, m - half, m + half


def _pct(value: float) -> str:
    return f"{100 * value:.2f}"


def _pm(values: Sequence[float]) -> str:
    m, sd = mean_sd(values)
    return _pct(m) if sd is None else f"{_pct(m)} ± {_pct(sd)}"


def _signed(value: float) -> str:
    return f"{100 * value:+.2f}"


def experiment_tables(settings: Sequence[Setting]) -> str:
    """The markdown of one experiment's generated block (without the markers)."""
    lines = [
        "Scores: strict micro F1 / P / R in %, mean ± sample sd over seeds.",
        "",
        "| corpus | condition @ steps | test | seeds | F1 | P | R | test mentions |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    corpora = list(dict.fromkeys(s.corpus for s in settings))
    notes: list[str] = []
    for corpus in corpora:
        for st in (s for s in settings if s.corpus == corpus):
            support = sorted({int(r["test_support"]) for r in st.by_seed.values()})
            lines.append(
                f"| {corpus} | {st.label} | {st.test} | {len(st.by_seed)} | "
                f"{_pm(st.values('f1'))} | {_pm(st.values('p'))} | {_pm(st.values('r'))} | "
                f"{'/'.join(str(x) for x in support)} |"
            )
            if st.superseded:
                notes.append(
                    f"{corpus} {st.label}: {st.superseded} earlier record(s) of a repeated seed "
                    "superseded by the last one."
                )
    diff_rows: list[str] = []
    for corpus in corpora:
        mine = [s for s in settings if s.corpus == corpus]
        for a, b in combinations(mine, 2):
            if a.test_subsample != b.test_subsample or a.design != b.design:
                continue
            if (
                a.experiment in SAME_BUDGET_EXPERIMENTS
                and a.steps != b.steps
                and a.condition != b.condition
            ):
                continue
            many = sum(1 for s in mine if s.design == a.design) > MAX_ALL_PAIRS
            if many and not (a.baseline or b.baseline):
                continue  # many settings (transfer matrix): each against the baselines only
            if a.baseline and not b.baseline:
                a, b = b, a  # the non-baseline first: a gain reads positive
            seeds = sorted(set(a.by_seed) & set(b.by_seed))
            if len(seeds) < 2:
                continue
            fa = [float(a.by_seed[s]["f1"]) for s in seeds]
            fb = [float(b.by_seed[s]["f1"]) for s in seeds]
            m, lo, hi = paired_difference(fa, fb)
            wins = sum(x > y for x, y in zip(fa, fb, strict=True))
            diff_rows.append(
                f"| {corpus} | {a.label} − {b.label} | {len(seeds)} | {_signed(m)} | "
                f"[{_signed(lo)}, {_signed(hi)}] | {wins}/{len(seeds)} |"
            )
    lines.append("")
    if diff_rows:
        lines += [
            "Paired differences of F1 (percentage points, first minus second setting, paired by "
            "seed; 95% t-interval over the seed differences):",
            "",
            "| corpus | settings | seeds | mean diff | 95% CI | first wins |",
            "|---|---|---:|---:|---|---:|",
            *diff_rows,
        ]
    else:
        lines.append("No two settings share two seeds yet: no paired differences.")
    lines += per_type_table(settings)
    lines += global_prediction_table(settings)
    if notes:
        lines += ["", *(f"* {n}" for n in notes)]
    return "\n".join(lines)


def _mean_counts(counts: Sequence[Mapping[str, Any]]) -> str:
    types = sorted({t for c in counts for t in c})
    means = {t: statistics.fmean(float(c.get(t, 0)) for c in counts) for t in types}
    if not means:
        return "none"
    return ", ".join(f"{t} {m:.1f}" for t, m in sorted(means.items(), key=lambda x: (-x[1], x[0])))


def per_type_table(settings: Sequence[Setting]) -> list[str]:
    """F1 per entity type, mean ± sd over seeds, for the experiments whose question is about
    single types (which corpus teaches which type); empty elsewhere."""
    settings = [s for s in settings if s.experiment in PER_TYPE_EXPERIMENTS]
    types = sorted(
        {t for s in settings for r in s.by_seed.values() for t in dict(r.get("per_type") or {})}
    )
    if not types:
        return []
    rows = []
    for st in settings:
        cells = []
        for t in types:
            vals = [
                float(r["per_type"][t]["f1"])
                for r in (st.by_seed[s] for s in sorted(st.by_seed))
                if t in dict(r.get("per_type") or {})
            ]
            cells.append(_pm(vals) if vals else "–")
        rows.append(f"| {st.corpus} | {st.label} | {len(st.by_seed)} | {' | '.join(cells)} |")
    return [
        "",
        "F1 per type (%, mean ± sd over seeds):",
        "",
        f"| corpus | condition @ steps | seeds | {' | '.join(types)} |",
        f"|---|---|---:|{'---:|' * len(types)}",
        *rows,
    ]


def global_prediction_table(settings: Sequence[Setting]) -> list[str]:
    """Mean counts of predicted types the scored corpus does not annotate (if recorded)."""
    rows: list[str] = []
    for st in settings:
        recs = [st.by_seed[s] for s in sorted(st.by_seed)]
        own = [g for r in recs if isinstance(g := r.get("global_predictions"), dict)]
        if own:
            rows.append(f"| {st.corpus} | {st.label} | {len(own)} | {_mean_counts(own)} |")
        others: dict[str, list[Mapping[str, Any]]] = {}
        for r in recs:
            for corpus, counts in dict(r.get("global_predictions_other_corpus") or {}).items():
                others.setdefault(corpus, []).append(counts)
        for corpus, counts in others.items():
            rows.append(
                f"| {corpus} | {st.label}, trained on {st.corpus} only | {len(counts)} | "
                f"{_mean_counts(counts)} |"
            )
    if not rows:
        return []
    return [
        "",
        "Global predictions: predicted mentions of types the test corpus does not annotate "
        "(never scored), mean count per type over seeds:",
        "",
        "| test corpus | model | seeds | mean count per type |",
        "|---|---|---:|---|",
        *rows,
    ]


def render(readme_text: str, grouped: Mapping[str, Sequence[Setting]]) -> str:
    """``readme_text`` with every experiment's block replaced (or appended when missing)."""
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group("name").strip()
        seen.add(name)
        body = experiment_tables(grouped[name]) if name in grouped else "No records yet."
        return f"{BEGIN.format(name=name)}\n{body}\n{END.format(name=name)}"

    text = _BLOCK.sub(replace, readme_text)
    for name, settings in grouped.items():
        if name in seen:
            continue
        text = text.rstrip("\n") + (
            f"\n\n## {name}\n\n{BEGIN.format(name=name)}\n{experiment_tables(settings)}\n"
            f"{END.format(name=name)}\n"
        )
    return text if text.endswith("\n") else text + "\n"


HEADER = """# Science experiments: results

Every run appends its records to `runs.jsonl` (see `records.py`); the tables between the
`GENERATED TABLES` markers are rewritten by `make_tables.py` from those records.  Write the
reading of each experiment outside the markers.
"""


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=Path, default=RUNS, help="records file (JSON Lines)")
    ap.add_argument("--readme", type=Path, default=README, help="markdown file to update")
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is not up to date")
    args = ap.parse_args(argv)
    grouped = group(read_records(args.runs))
    old = args.readme.read_text(encoding="utf-8") if args.readme.is_file() else HEADER
    new = render(old, grouped)
    if args.check:
        stale = new != old
        print(f"{args.readme}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    args.readme.write_text(new, encoding="utf-8")
    n = sum(len(s.by_seed) for ss in grouped.values() for s in ss)
    print(f"{args.readme}: {len(grouped)} experiment(s), {n} record(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
