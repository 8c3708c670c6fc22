from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.errors import CrossingSpansError, FormatError, OffsetError
from mosaicner.transitions import (
    Action,
    ActionVocab,
    DecodeStats,
    decode,
    decode_step_scores,
    encode,
    format_actions,
    pack_timesteps,
    parse_actions,
    resolve_crossing,
    spans_to_timesteps,
    timesteps_to_spans,
)

LABELS = ["A", "B", "C"]
VOCAB = ActionVocab(LABELS)


def test_reference_example() -> None:
    spans = [(3, 8, "DNA"), (3, 7, "Protein"), (5, 7, "DNA")]
    acts = encode(9, spans)
    assert format_actions(acts) == (
        "OUT OUT OUT TRANSITION(DNA) TRANSITION(Protein) SHIFT SHIFT TRANSITION(DNA) SHIFT SHIFT "
        "REDUCE(DNA) REDUCE(Protein) SHIFT REDUCE(DNA) OUT"
    )
    vocab = ActionVocab(["DNA", "Protein"])
    steps = pack_timesteps(acts, vocab)
    names = [sorted(str(vocab.action(i)) for i in s) for s in steps]
    assert len(steps) == 14
    assert names[3] == ["TRANSITION(DNA)", "TRANSITION(Protein)"]
    assert names[9] == ["REDUCE(DNA)", "REDUCE(Protein)"]
    assert names[11] == ["REDUCE(DNA)"]
    assert names[-1] == ["EOA"]
    assert decode(acts, 9) == sorted(spans, key=lambda x: (x[0], -x[1], x[2]))
    assert set(timesteps_to_spans(steps, vocab)) == set(spans)


def test_last_word_and_adjacent_mentions_kept() -> None:
    spans = [(0, 1, "A"), (1, 2, "A"), (2, 3, "B")]
    acts = encode(3, spans)
    assert format_actions(acts) == (
        "TRANSITION(A) SHIFT REDUCE(A) TRANSITION(A) SHIFT REDUCE(A) TRANSITION(B) SHIFT REDUCE(B)"
    )
    assert set(decode(acts, 3)) == set(spans)
    steps = spans_to_timesteps(3, spans, VOCAB)
    # {REDUCE(A), TRANSITION(A)} share one step: adjacent mentions of one type
    assert frozenset({VOCAB.reduce_id("A"), VOCAB.transition_id("A")}) in steps
    assert set(timesteps_to_spans(steps, VOCAB)) == set(spans)


def test_repeated_action_starts_new_step() -> None:
    spans = [(0, 3, "A"), (0, 2, "A")]
    steps = spans_to_timesteps(3, spans, VOCAB)
    assert steps[0] == frozenset({VOCAB.transition_id("A")})
    assert steps[1] == frozenset({VOCAB.transition_id("A")})
    assert set(timesteps_to_spans(steps, VOCAB)) == set(spans)


def test_identical_span_two_types() -> None:
    spans = [(1, 3, "A"), (1, 3, "B")]
    assert set(decode(encode(4, spans), 4)) == set(spans)


def test_crossing_same_type_raises_or_drops() -> None:
    spans = [(0, 3, "A"), (2, 5, "A")]
    with pytest.raises(CrossingSpansError):
        encode(6, spans)
    kept, dropped = resolve_crossing(spans, "drop")
    assert len(kept) == 1 and len(dropped) == 1
    # different types may cross: per-type stacks represent them exactly
    mixed = [(0, 3, "A"), (2, 5, "B")]
    assert set(decode(encode(6, mixed), 6)) == set(mixed)


def test_bad_spans_and_sequences() -> None:
    with pytest.raises(OffsetError):
        encode(3, [(2, 4, "A")])
    with pytest.raises(FormatError):
        decode(parse_actions("SHIFT REDUCE(A)"), 1)
    with pytest.raises(FormatError):
        decode(parse_actions("TRANSITION(A) SHIFT"), 1)
    with pytest.raises(FormatError):
        decode(parse_actions("SHIFT SHIFT"), 3)
    with pytest.raises(ValueError):
        Action.parse("JUMP")


@st.composite
def laminar_spans(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, str]]]:
    n = draw(st.integers(0, 12))
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, max(n - 1, 0)), st.integers(1, 6), st.sampled_from(LABELS)),
            max_size=10,
        )
    )
    spans = [(s, min(n, s + ln), lab) for s, ln, lab in raw if n > 0]
    kept, _ = resolve_crossing(spans, "drop")
    return n, kept


@settings(max_examples=300, deadline=None)
@given(laminar_spans())
def test_round_trip_property(case: tuple[int, list[tuple[int, int, str]]]) -> None:
    n, spans = case
    acts = encode(n, spans)
    assert sum(a.moves for a in acts) == n
    assert set(decode(parse_actions(format_actions(acts)), n)) == set(spans)
    steps = pack_timesteps(acts, VOCAB)
    assert set(timesteps_to_spans(steps, VOCAB)) == set(spans)
    # a perfect predictor's probabilities decode to the same spans
    probs = []
    for step in steps:
        row = [0.01] * len(VOCAB)
        for i in step:
            row[i] = 0.99
        probs.append(row)
    stats = DecodeStats()
    pred = decode_step_scores(probs, VOCAB, n, stats=stats)
    assert {(s, e, lab) for s, e, lab, _ in pred} == set(spans)
    assert stats == DecodeStats()


def test_decode_scores_ignores_ill_formed() -> None:
    v = ActionVocab(["A"])
    rows = [
        [0.0, 0.1, 0.0, 0.9],  # REDUCE(A) with nothing open
        [0.0, 0.1, 0.9, 0.0],  # TRANSITION(A)
        [0.0, 0.9, 0.0, 0.0],  # SHIFT
        [0.9, 0.0, 0.0, 0.0],  # EOA: A left open
    ]
    stats = DecodeStats()
    assert decode_step_scores(rows, v, 2, stats=stats) == []
    assert stats.unmatched_reduce == 1 and stats.left_open == 1
