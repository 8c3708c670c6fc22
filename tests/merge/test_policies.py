"""The merge: documented rules, and properties over random head predictions (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.merge import (
    POLICIES,
    Calibration,
    Candidate,
    Cooccurrence,
    MergeConfig,
    MergeStats,
    fit_platt,
    merge_candidates,
    near_same,
)

GENES = Cooccurrence.from_pairs([("DNA", "Gene_or_protein")])
NONE = Cooccurrence.from_pairs([])  # a known table that lets no two types share a span


def keys(spans: list) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in spans}


def test_union_keeps_every_distinct_span_once_with_all_heads() -> None:
    cands = [
        Candidate(0, 33, "Disease", "BC5CDR", 0.6),
        Candidate(16, 33, "Disease", "NCBI-disease", 0.9),
        Candidate(16, 33, "Disease", "BC5CDR", 0.7),
    ]
    stats = MergeStats()
    out = merge_candidates(cands, MergeConfig(policy="union"), stats)
    assert keys(out) == {(0, 33, "Disease"), (16, 33, "Disease")}
    inner = next(s for s in out if s.start == 16)
    assert inner.provenance() == [
        {"head": "BC5CDR", "score": 0.7},
        {"head": "NCBI-disease", "score": 0.9},
    ]
    assert inner.score == 0.9
    assert stats.duplicates == 1 and stats.overlaps_dropped == 0


def test_vote_prefers_the_span_more_heads_predicted() -> None:
    # "Aspirin reduced colorectal cancer" (one head) vs "colorectal cancer" (two heads)
    cands = [
        Candidate(0, 33, "Disease", "BC5CDR", 0.95),
        Candidate(16, 33, "Disease", "NCBI-disease", 0.6),
        Candidate(16, 33, "Disease", "BioNLP13CG", 0.5),
    ]
    stats = MergeStats()
    out = merge_candidates(cands, MergeConfig(policy="vote"), stats)
    assert keys(out) == {(16, 33, "Disease")}
    assert stats.overlaps_dropped == 1
    # max-score prefers the single confident head instead
    out = merge_candidates(cands, MergeConfig(policy="max-score"))
    assert keys(out) == {(0, 33, "Disease")}


def test_same_head_nesting_of_one_type_is_kept() -> None:
    # a nested head (GENIA) may nest DNA in DNA: both spans come from one head
    cands = [Candidate(0, 20, "DNA", "GENIA", 0.8), Candidate(0, 8, "DNA", "GENIA", 0.7)]
    for policy in POLICIES:
        assert len(merge_candidates(cands, MergeConfig(policy=policy))) == 2


def test_nesting_between_views_of_one_corpus_is_kept_between_corpora_resolved() -> None:
    # the outer and inner flat views of GENIA together give nested output of one type ...
    views = [
        Candidate(0, 20, "Gene_or_protein", "GENIA-nested", 0.8),
        Candidate(0, 8, "Gene_or_protein", "GENIA-nested@inner", 0.7),
    ]
    # ... while two corpora's heads nesting one type is a boundary disagreement to resolve
    corpora = [
        Candidate(0, 20, "Gene_or_protein", "JNLPBA", 0.8),
        Candidate(0, 8, "Gene_or_protein", "BC2GM", 0.7),
    ]
    for policy in ("vote", "max-score"):
        assert len(merge_candidates(views, MergeConfig(policy=policy))) == 2
        assert len(merge_candidates(corpora, MergeConfig(policy=policy))) == 1
        # views overlapping without nesting still conflict
        crossing = [views[0], Candidate(10, 30, "Gene_or_protein", "GENIA-nested@inner", 0.7)]
        assert len(merge_candidates(crossing, MergeConfig(policy=policy))) == 1


def test_a_broader_type_yields_to_the_types_it_covers_whatever_the_scores() -> None:
    # AnatEM's Anatomy includes cancers: "breast cancer" stays a Disease even when the AnatEM
    # head is the more confident one
    defer = {"AnatEM": {"Anatomy": frozenset({"Disease", "Cell_type"})}}
    cands = [
        Candidate(10, 23, "Anatomy", "AnatEM", 0.98),
        Candidate(10, 23, "Disease", "BC5CDR", 0.60),
        Candidate(30, 35, "Anatomy", "AnatEM", 0.90),  # "liver": nothing to yield to
        Candidate(40, 52, "Anatomy", "AnatEM", 0.95),  # yields only to the listed types
        Candidate(40, 52, "Chemical", "BC5CDR", 0.50),
    ]
    for policy in ("vote", "max-score"):
        stats = MergeStats()
        cfg = MergeConfig(policy=policy, cooccurrence=NONE, deference=defer)
        out = merge_candidates(cands, cfg, stats)
        assert (10, 23, "Disease") in keys(out) and (10, 23, "Anatomy") not in keys(out)
        assert (30, 35, "Anatomy") in keys(out)
        assert (40, 52, "Anatomy") in keys(out)  # Chemical loses on calibrated score
        assert stats.conflicts_dropped == 2
        # without deference the confident Anatomy head wins "breast cancer"
        plain = merge_candidates(cands, MergeConfig(policy=policy, cooccurrence=NONE))
        assert (10, 23, "Anatomy") in keys(plain) and (10, 23, "Disease") not in keys(plain)
    # a span also predicted by a head that does not defer keeps its say
    shared = [*cands[:2], Candidate(10, 23, "Anatomy", "BioNLP13CG", 0.9)]
    cfg = MergeConfig(policy="max-score", cooccurrence=NONE, deference=defer)
    out = merge_candidates(shared, cfg)
    assert (10, 23, "Anatomy") in keys(out)
    # merge.json round trip
    from mosaicner.merge import config_from_json, config_to_json

    cfg = MergeConfig(policy="vote", deference=defer)
    assert config_from_json(config_to_json(cfg)).deference == defer


def test_cross_type_nesting_stays_but_conflicts_are_resolved_by_calibrated_score() -> None:
    # protein inside a DNA mention: allowed (the table says GENIA nests them)
    nested = [
        Candidate(0, 9, "DNA", "JNLPBA", 0.8, 0, 2),
        Candidate(0, 4, "Gene_or_protein", "BC2GM", 0.9, 0, 1),
    ]
    cfg = MergeConfig(policy="vote", cooccurrence=GENES)
    assert len(merge_candidates(nested, cfg)) == 2
    # "PPARa" as Chemical and as Gene_or_protein: no corpus lets them share a span
    clash = [
        Candidate(10, 15, "Chemical", "BC5CDR", 0.9, 3, 4),
        Candidate(10, 15, "Gene_or_protein", "BC2GM", 0.7, 3, 4),
    ]
    stats = MergeStats()
    out = merge_candidates(clash, cfg, stats)
    assert keys(out) == {(10, 15, "Chemical")} and stats.conflicts_dropped == 1
    # calibration says the chemical head is over-confident: the gene wins
    cal = Calibration({"BC5CDR": (1.0, -4.0)})
    cfg = MergeConfig(policy="vote", cooccurrence=GENES, calibration=cal)
    assert keys(merge_candidates(clash, cfg)) == {(10, 15, "Gene_or_protein")}
    # union keeps both (today's behaviour, for comparison)
    assert len(merge_candidates(clash, MergeConfig(policy="union", cooccurrence=GENES))) == 2
    # an unknown table drops nothing across types
    assert len(merge_candidates(clash, MergeConfig(policy="vote"))) == 2


def test_near_same_rule() -> None:
    a = Candidate(0, 5, "A", "h", 1.0, 0, 1)
    b = Candidate(0, 10, "B", "h", 1.0, 0, 2)  # one token longer
    c = Candidate(0, 16, "B", "h", 1.0, 0, 3)  # two tokens longer
    assert near_same(a, b) and not near_same(a, c)
    # without token offsets: character Jaccard >= 0.8
    assert near_same(Candidate(0, 10, "A", "h"), Candidate(0, 9, "B", "h"))
    assert not near_same(Candidate(0, 10, "A", "h"), Candidate(0, 5, "B", "h"))
    assert not near_same(Candidate(0, 5, "A", "h", 1, 0, 1), Candidate(5, 9, "B", "h", 1, 1, 2))


def test_fit_platt_moves_scores_towards_observed_precision() -> None:
    rng = random.Random(0)
    scores = [rng.uniform(0.8, 1.0) for _ in range(300)]
    correct = [rng.random() < 0.3 for _ in scores]  # an over-confident head
    a, b = fit_platt(scores, correct)
    cal = Calibration({"h": (a, b)})
    mean = sum(cal("h", s) for s in scores) / len(scores)
    assert abs(mean - 0.3) < 0.05
    assert fit_platt([], []) == (1.0, 0.0)


LABELS = ("Chemical", "Disease", "Gene_or_protein", "DNA")
HEADS = ("BC5CDR", "NCBI-disease", "BC2GM", "JNLPBA")


@st.composite
def candidates(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(0, 14))
    out = []
    for _ in range(n):
        ts = draw(st.integers(0, 8))
        te = draw(st.integers(ts + 1, ts + 4))
        out.append(
            Candidate(
                ts * 6,
                te * 6 - 1,
                draw(st.sampled_from(LABELS)),
                draw(st.sampled_from(HEADS)),
                draw(st.floats(0.01, 0.99)),
                ts,
                te,
            )
        )
    return out


CONFIGS = [
    MergeConfig(policy=p, cooccurrence=c, calibration=cal)
    for p in POLICIES
    for c in (Cooccurrence.unknown(), GENES)
    for cal in (Calibration(), Calibration({"BC5CDR": (0.5, -1.0), "BC2GM": (2.0, 0.3)}))
]


@settings(max_examples=150, deadline=None)
@given(candidates(), st.sampled_from(CONFIGS), st.randoms(use_true_random=False))
def test_merge_properties(cands: list[Candidate], cfg: MergeConfig, rnd: random.Random) -> None:
    out = merge_candidates(cands, cfg)
    # each (start, end, type) once
    assert len(keys(out)) == len(out)
    # every output span was predicted by some head, and its provenance is exact
    for s in out:
        assert s.heads
        support = {(c.head, c.score) for c in cands if (c.start, c.end, c.label) == s.key}
        assert {v.head for v in s.heads} == {h for h, _ in support}
        for v in s.heads:
            assert v.score == max(sc for h, sc in support if h == v.head)
        assert s.score == max(v.score for v in s.heads)
    # deterministic and independent of the input order
    shuffled = list(cands)
    rnd.shuffle(shuffled)
    assert merge_candidates(shuffled, cfg) == out
    assert merge_candidates(cands, cfg) == out
    # union drops nothing; the resolving policies only drop, never invent
    if cfg.policy == "union":
        assert keys(out) == {(c.start, c.end, c.label) for c in cands}
    else:
        assert keys(out) <= {(c.start, c.end, c.label) for c in cands}
        # no two kept spans of one type overlap unless nested and sharing a head
        for a in out:
            for b in out:
                if a is b or a.label != b.label or min(a.end, b.end) <= max(a.start, b.start):
                    continue
                nested = (a.start <= b.start and b.end <= a.end) or (
                    b.start <= a.start and a.end <= b.end
                )
                assert nested and {v.head for v in a.heads} & {v.head for v in b.heads}


@settings(max_examples=60, deadline=None)
@given(candidates(), st.sampled_from(CONFIGS))
def test_stats_count_every_dropped_prediction(cands: list[Candidate], cfg: MergeConfig) -> None:
    stats = MergeStats()
    out = merge_candidates(cands, cfg, stats)
    assert stats.candidates == len(cands)
    distinct = len({(c.start, c.end, c.label) for c in cands})
    assert stats.duplicates == len(cands) - distinct
    assert distinct - len(out) == stats.overlaps_dropped + stats.conflicts_dropped
