from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mosaicner.encoders.pieces import assemble

_WORD = st.lists(st.integers(5, 50), min_size=0, max_size=3)


@given(
    st.lists(_WORD, max_size=6),
    st.lists(_WORD, min_size=1, max_size=6),
    st.lists(_WORD, max_size=6),
    st.integers(4, 16),
)
def test_context_never_displaces_the_sentence(
    left: list[list[int]], words: list[list[int]], right: list[list[int]], capacity: int
) -> None:
    enc = assemble([*left, *words, *right], len(left), len(words), capacity, 2, 1)
    alone = assemble(words, 0, len(words), capacity, 2, 1)
    assert enc.num_words == len(words)
    assert enc.fallback_words == alone.fallback_words == sum(1 for w in words if not w)
    # the sentence's own pieces are those it has alone, in order
    own = [
        p for a, b in zip(enc.word_starts, enc.word_ends, strict=True) for p in enc.piece_ids[a:b]
    ]
    assert own == list(alone.piece_ids)
    assert enc.num_pieces == alone.num_pieces
    if alone.windowed:
        assert enc == alone  # no context for a sentence that needs several windows
    else:
        assert len(enc.piece_ids) <= capacity and enc.windows == ((0, len(enc.piece_ids)),)
        flat_left = [p for w in left for p in w]
        flat_right = [p for w in right for p in w]
        n_before = enc.word_starts[0]
        # nearest context kept: the end of the left context, the start of the right one
        assert list(enc.piece_ids[:n_before]) == flat_left[len(flat_left) - n_before :]
        after = list(enc.piece_ids[enc.word_ends[-1] :])
        assert after == flat_right[: len(after)]
        # trimmed only when there is no more room
        if len(enc.piece_ids) < capacity:
            assert n_before == len(flat_left) and len(after) == len(flat_right)
