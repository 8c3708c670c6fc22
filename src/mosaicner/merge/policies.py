"""Merge the predictions of several heads into one coherent answer (torch-free, pure functions).

A multi-head model (one head per corpus) or a shared head over several corpora predicts, for each
text, a bag of :class:`Candidate` spans: ``(start, end, label, head, score)``.  Heads disagree:
two Disease heads answer "colorectal cancer" and "Aspirin reduced colorectal cancer", a Chemical
head and a gene head both claim "PPARa".  :func:`merge_candidates` turns the bag into one answer:

1. **Deduplicate.**  Every ``(start, end, label)`` appears once.  Its score is the highest raw
   score of the heads that predicted it, and its provenance lists every such head once with
   that head's best score (:class:`Vote`).
2. **Resolve** (every policy but ``union``).  First, a span yields to a (nearly) identical span
   of another type when its corpus's label map declares its type broader than the canonical one
   (``defers_to``, e.g. AnatEM's Anatomy yields to Disease, Cell_type and Cell_line:
   "breast cancer" stays a Disease).  Then spans are ranked by the policy's key and kept
   greedily: a span is dropped when it *conflicts* with a span already kept.  Two spans conflict
   when

   * **same type, overlapping**: they share at least one character, unless one lies inside the
     other and a common source predicted both: one head, or two heads on views of one corpus
     (``GENIA-nested`` and ``GENIA-nested@inner``, see :data:`VIEW_SEP`).  A nested GENIA head,
     or the outer and inner views of GENIA, mean the nesting; two heads of different corpora
     with different boundary conventions do not;
   * **different types, (nearly) the same span**, when no training corpus lets these two types
     annotate such spans together (the :class:`Cooccurrence` table).  "Nearly the same"
     (:func:`near_same`): the spans overlap and either their token boundaries differ by at most
     ``max_token_shift`` tokens in total (default 1; "PPARa" vs "PPARa gene") or, when token
     offsets are unknown, their character Jaccard index is at least ``min_jaccard`` (default
     0.8).  Cross-type nesting that is not nearly the same span (a protein inside a long DNA
     mention) is never a conflict.

Policies (:data:`POLICIES`):

* ``union`` — step 1 only: every distinct prediction of every head (the behaviour before the
  merge existed; kept for comparison).
* ``vote`` — rank by the number of heads that predicted the span, then the best *calibrated*
  score, then length (longer first), then position.
* ``max-score`` — rank by the best calibrated score, then the number of heads, then length and
  position.

Cross-type conflicts are ranked by calibrated scores in both resolving policies: ``vote`` only
counts heads for same-type overlaps; for a cross-type conflict it compares calibrated scores
first (heads of different types are different evidence, their counts do not compare).

Calibration (:class:`Calibration`) maps each head's raw score through a Platt function
``sigmoid(a * logit(p) + b)`` fitted on dev predictions (:func:`fit_platt`); heads without a
fitted function keep their raw score.  Ranking ties end on ``(start, end, label)``, so every
policy is deterministic and independent of the order of its input.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mosaicner.data.model import Span
from mosaicner.errors import ConfigError

POLICIES: tuple[str, ...] = ("union", "vote", "max-score")
#: The policies that give one coherent answer (resolve conflicts); ``merge-policies`` and
#: ``models build`` choose among these on dev data.
RESOLVING_POLICIES: tuple[str, ...] = ("vote", "max-score")
DEFAULT_POLICY = "vote"
#: Separates a corpus from the name of one of its views in head names (``GENIA-nested@inner``).
VIEW_SEP = "@"
DEFAULT_MAX_TOKEN_SHIFT = 1
DEFAULT_MIN_JACCARD = 0.8


@dataclass(frozen=True, slots=True)
class Candidate:
    """One head's prediction: character offsets (``token_*`` when known), label, head, score."""

    start: int
    end: int
    label: str
    head: str
    score: float = 1.0
    token_start: int | None = None
    token_end: int | None = None


@dataclass(frozen=True, slots=True)
class Vote:
    """One head's support for a span: the head (or corpus) name and its best raw score."""

    head: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        """``{"head": ..., "score": ...}`` (the score rounded to 6 digits)."""
        return {"head": self.head, "score": round(float(self.score), 6)}


@dataclass(frozen=True, slots=True)
class MergedSpan:
    """One answer: the span, its best raw score and every head that predicted it."""

    start: int
    end: int
    label: str
    score: float
    heads: tuple[Vote, ...]
    token_start: int | None = None
    token_end: int | None = None
    calibrated: float = 0.0

    @property
    def key(self) -> tuple[int, int, str]:
        """``(start, end, label)``: what makes two answers the same."""
        return (self.start, self.end, self.label)

    def provenance(self) -> list[dict[str, Any]]:
        """``attrs["heads"]``: ``[{"head": ..., "score": ...}, ...]`` sorted by head name."""
        return [v.as_dict() for v in self.heads]

    def to_span(self) -> Span:
        """The answer as a data-model span, provenance in ``attrs["heads"]``."""
        return Span(
            self.start,
            self.end,
            self.label,
            self.token_start,
            self.token_end,
            self.score,
            attrs={"heads": self.provenance()},
        )


@dataclass
class MergeStats:
    """What the merge did (every dropped prediction is counted)."""

    candidates: int = 0
    duplicates: int = 0  # the same (start, end, label) from another head or window
    overlaps_dropped: int = 0  # same type, overlapping a kept span
    conflicts_dropped: int = 0  # other type on (nearly) the same span, pair never co-annotated

    def add(self, other: MergeStats) -> None:
        """Add another call's counts to these."""
        self.candidates += other.candidates
        self.duplicates += other.duplicates
        self.overlaps_dropped += other.overlaps_dropped
        self.conflicts_dropped += other.conflicts_dropped


@dataclass(frozen=True)
class Cooccurrence:
    """Which pairs of types may label (nearly) the same span (see :mod:`.cooccurrence`).

    ``pairs`` holds unordered pairs as sorted 2-tuples.  ``known=False`` (no table: e.g. a model
    saved before the merge existed) allows every pair, so no cross-type prediction is dropped.
    """

    pairs: frozenset[tuple[str, str]] = frozenset()
    known: bool = True

    def allowed(self, a: str, b: str) -> bool:
        """Whether types ``a`` and ``b`` may label (nearly) the same span."""
        if a == b or not self.known:
            return True
        return (min(a, b), max(a, b)) in self.pairs

    @classmethod
    def unknown(cls) -> Cooccurrence:
        """No table: every pair allowed."""
        return cls(frozenset(), known=False)

    @classmethod
    def from_pairs(cls, pairs: Iterable[Sequence[str]]) -> Cooccurrence:
        """A table allowing exactly these (unordered) pairs."""
        out: set[tuple[str, str]] = set()
        for pair in pairs:
            a, b = (str(x) for x in pair)
            out.add((min(a, b), max(a, b)))
        return cls(frozenset(out))

    def to_json(self) -> list[list[str]] | None:
        """The pairs as sorted lists (None for an unknown table)."""
        return sorted([list(p) for p in self.pairs]) if self.known else None


@dataclass(frozen=True)
class Calibration:
    """Per-head Platt functions ``p -> sigmoid(a * logit(p) + b)`` (``{head: (a, b)}``)."""

    platt: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __call__(self, head: str, score: float) -> float:
        ab = self.platt.get(head)
        if ab is None:
            return float(score)
        a, b = ab
        return _sigmoid(a * _logit(score) + b)

    def to_json(self) -> dict[str, dict[str, float]]:
        """``{head: {"a": ..., "b": ...}}``."""
        return {h: {"a": a, "b": b} for h, (a, b) in sorted(self.platt.items())}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Calibration:
        """The inverse of :meth:`to_json` (empty or None: no calibration)."""
        if not data:
            return cls()
        return cls({str(h): (float(v["a"]), float(v["b"])) for h, v in data.items()})


@dataclass(frozen=True)
class MergeConfig:
    """A policy and what it needs; stored as ``merge.json`` in a model folder (:mod:`.config`)."""

    policy: str = DEFAULT_POLICY
    cooccurrence: Cooccurrence = field(default_factory=Cooccurrence.unknown)
    calibration: Calibration = field(default_factory=Calibration)
    max_token_shift: int = DEFAULT_MAX_TOKEN_SHIFT
    min_jaccard: float = DEFAULT_MIN_JACCARD
    #: head -> {type: types it yields to}: a head whose corpus's type is broader than the
    #: canonical one (AnatEM's Anatomy includes cancers and cells) gives way to those types
    deference: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_policy(self.policy)


def check_policy(policy: str) -> str:
    """``policy`` when it is one of :data:`POLICIES`, else ConfigError."""
    if policy not in POLICIES:
        raise ConfigError(f"unknown merge policy {policy!r}", expected=", ".join(POLICIES))
    return policy


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def fit_platt(
    scores: Sequence[float], correct: Sequence[bool], *, iterations: int = 100, l2: float = 1e-3
) -> tuple[float, float]:
    """Fit ``(a, b)`` of ``sigmoid(a * logit(score) + b)`` to 0/1 outcomes (Newton, small L2).

    Damped Newton on the regularised log-loss (the L2 term pulls towards the identity
    ``(1, 0)``, so a head with few or one-sided outcomes stays close to its raw scores).  With no
    predictions returns the identity.
    """
    if len(scores) != len(correct):
        raise ValueError("scores and outcomes differ in length")
    n = len(scores)
    if n == 0:
        return (1.0, 0.0)
    xs = [_logit(s) for s in scores]
    ys = [1.0 if c else 0.0 for c in correct]

    def loss(a: float, b: float) -> float:
        total = 0.0
        for x, y in zip(xs, ys, strict=True):
            z = a * x + b
            # log(1 + e^z) - y z, computed stably
            total += (max(z, 0.0) + math.log1p(math.exp(-abs(z)))) - y * z
        return total + 0.5 * l2 * n * ((a - 1.0) ** 2 + b**2)

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(iterations):
        ga = gb = 0.0
        haa = hab = hbb = 0.0
        for x, y in zip(xs, ys, strict=True):
            p = _sigmoid(a * x + b)
            r = p - y
            w = p * (1.0 - p)
            ga += r * x
            gb += r
            haa += w * x * x
            hab += w * x
            hbb += w
        ga += l2 * (a - 1.0) * n
        gb += l2 * b * n
        haa += l2 * n
        hbb += l2 * n
        det = haa * hbb - hab * hab
        if det <= 1e-12:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        step = 1.0  # damped Newton: halve the step until the loss decreases
        while step > 1e-6:
            na, nb = a - step * da, b - step * db
            new = loss(na, nb)
            if new <= current:
                break
            step /= 2
        else:
            break
        moved = abs(na - a) + abs(nb - b)
        a, b, current = na, nb, new
        if moved < 1e-9:
            break
    return (float(a), float(b))


def near_same(
    a: MergedSpan | Candidate,
    b: MergedSpan | Candidate,
    *,
    max_token_shift: int = DEFAULT_MAX_TOKEN_SHIFT,
    min_jaccard: float = DEFAULT_MIN_JACCARD,
) -> bool:
    """True when ``a`` and ``b`` overlap and are the same or nearly the same span.

    Token offsets on both: ``|Δtoken_start| + |Δtoken_end| <= max_token_shift``; otherwise the
    character Jaccard index ``|a ∩ b| / |a ∪ b| >= min_jaccard``.
    """
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return False
    if None not in (a.token_start, a.token_end, b.token_start, b.token_end):
        shift = abs(int(a.token_start) - int(b.token_start))  # type: ignore[arg-type]
        shift += abs(int(a.token_end) - int(b.token_end))  # type: ignore[arg-type]
        return shift <= max_token_shift
    union = max(a.end, b.end) - min(a.start, b.start)
    return union > 0 and inter / union >= min_jaccard


def deduplicate(
    candidates: Iterable[Candidate], calibration: Calibration | None = None
) -> tuple[list[MergedSpan], int]:
    """One :class:`MergedSpan` per ``(start, end, label)``; returns them and the duplicate count."""
    cal = calibration or Calibration()
    best: dict[tuple[int, int, str], dict[str, float]] = {}
    tokens: dict[tuple[int, int, str], tuple[int | None, int | None]] = {}
    n = 0
    for c in candidates:
        n += 1
        key = (int(c.start), int(c.end), c.label)
        heads = best.setdefault(key, {})
        score = float(c.score)
        if c.head not in heads or score > heads[c.head]:
            heads[c.head] = score
        ts, te = tokens.get(key, (None, None))
        tokens[key] = (
            c.token_start if ts is None else ts,
            c.token_end if te is None else te,
        )
    out: list[MergedSpan] = []
    for key, heads in best.items():
        votes = tuple(Vote(h, heads[h]) for h in sorted(heads))
        ts, te = tokens[key]
        out.append(
            MergedSpan(
                key[0],
                key[1],
                key[2],
                max(heads.values()),
                votes,
                ts,
                te,
                max(cal(v.head, v.score) for v in votes),
            )
        )
    out.sort(key=lambda s: (s.start, -s.end, s.label))
    return out, n - len(out)


def _rank(policy: str, s: MergedSpan) -> tuple[Any, ...]:
    tail = (-(s.end - s.start), s.start, s.end, s.label)
    if policy == "vote":
        return (-len(s.heads), -s.calibrated, *tail)
    return (-s.calibrated, -len(s.heads), *tail)


def _source(head: str) -> str:
    """The corpus behind a head: views of one corpus (``GENIA-nested@inner``) are one source."""
    return head.split(VIEW_SEP, 1)[0]


def _conflict(kept: MergedSpan, new: MergedSpan, cfg: MergeConfig) -> str | None:
    if min(kept.end, new.end) <= max(kept.start, new.start):
        return None  # disjoint
    if kept.label == new.label:
        nested = (kept.start <= new.start and new.end <= kept.end) or (
            new.start <= kept.start and kept.end <= new.end
        )
        if nested and {_source(v.head) for v in kept.heads} & {_source(v.head) for v in new.heads}:
            return None
        return "overlap"
    if cfg.cooccurrence.allowed(kept.label, new.label):
        return None
    if near_same(kept, new, max_token_shift=cfg.max_token_shift, min_jaccard=cfg.min_jaccard):
        return "conflict"
    return None


def _apply_deference(
    spans: Sequence[MergedSpan], cfg: MergeConfig, stats: MergeStats | None
) -> list[MergedSpan]:
    """Drop each span whose heads all yield its type to the type of a (nearly) identical span
    (:attr:`MergeConfig.deference`), whatever the scores; counted as conflicts."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    starts = [s.start for s in ordered]
    longest = max((s.end - s.start for s in ordered), default=0)
    out: list[MergedSpan] = []
    for span in spans:
        yields_to = (
            set.intersection(
                *(set(cfg.deference.get(v.head, {}).get(span.label, ())) for v in span.heads)
            )
            if span.heads
            else set()
        )
        if yields_to:
            lo = bisect.bisect_left(starts, span.start - longest)
            hi = bisect.bisect_left(starts, span.end)
            if any(
                other.label in yields_to
                and other.end > span.start
                and near_same(
                    span, other, max_token_shift=cfg.max_token_shift, min_jaccard=cfg.min_jaccard
                )
                for other in ordered[lo:hi]
            ):
                if stats is not None:
                    stats.conflicts_dropped += 1
                continue
        out.append(span)
    return out


def resolve(
    spans: Sequence[MergedSpan], cfg: MergeConfig, stats: MergeStats | None = None
) -> list[MergedSpan]:
    """Apply ``cfg.policy`` to deduplicated spans (``union`` keeps them all)."""
    if cfg.policy == "union":
        return sorted(spans, key=lambda s: (s.start, -s.end, s.label))
    if cfg.deference:
        spans = _apply_deference(spans, cfg, stats)
    kept: list[MergedSpan] = []
    starts: list[int] = []  # kept spans sorted by start, to find overlapping ones quickly
    by_start: list[MergedSpan] = []
    longest = 0
    for span in sorted(spans, key=lambda s: _rank(cfg.policy, s)):
        why = None
        lo = bisect.bisect_left(starts, span.start - longest)
        hi = bisect.bisect_left(starts, span.end)
        for other in by_start[lo:hi]:
            why = _conflict(other, span, cfg)
            if why:
                break
        if why is None:
            kept.append(span)
            i = bisect.bisect_left(starts, span.start)
            starts.insert(i, span.start)
            by_start.insert(i, span)
            longest = max(longest, span.end - span.start)
        elif stats is not None:
            if why == "overlap":
                stats.overlaps_dropped += 1
            else:
                stats.conflicts_dropped += 1
    return sorted(kept, key=lambda s: (s.start, -s.end, s.label))


def merge_candidates(
    candidates: Iterable[Candidate],
    cfg: MergeConfig | None = None,
    stats: MergeStats | None = None,
) -> list[MergedSpan]:
    """Deduplicate, then resolve with ``cfg.policy``; ``stats`` (when given) is updated."""
    cfg = cfg or MergeConfig()
    spans, dupes = deduplicate(candidates, cfg.calibration)
    if stats is not None:
        stats.candidates += len(spans) + dupes
        stats.duplicates += dupes
    return resolve(spans, cfg, stats)


__all__ = [
    "DEFAULT_POLICY",
    "POLICIES",
    "RESOLVING_POLICIES",
    "Calibration",
    "Candidate",
    "Cooccurrence",
    "MergeConfig",
    "MergeStats",
    "MergedSpan",
    "Vote",
    "check_policy",
    "deduplicate",
    "fit_platt",
    "merge_candidates",
    "near_same",
    "resolve",
]
