"""Sub-word pieces of a sentence ready for the encoder (torch-free).

:class:`EncodedSentence` holds a sentence's pieces, where each word's pieces lie, the encoder
windows of a sentence too long for one, and the document context read around it;
:func:`assemble` builds it from the tokenizer's pieces per word; :class:`EncoderStats` counts
what the encoder did not take as it was.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

#: cache key of an encoded sentence: its words and its (left, right) document context
_Key = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class EncodedSentence:
    """One sentence prepared for the encoder (no tensors).

    ``piece_ids``: the content subwords of all words, without special tokens.
    ``word_starts`` / ``word_ends``: each word's subword range ``[start, end)`` in ``piece_ids``.
    ``windows``: subword ranges encoded as separate sequences (one range when the sentence fits).
    ``word_window``: the window each word takes its vector from.
    ``fallback_words``: words that had no subword and were given the unknown token.
    ``truncated_pieces``: subwords dropped from words longer than a whole window.
    """

    piece_ids: tuple[int, ...]
    word_starts: tuple[int, ...]
    word_ends: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]
    word_window: tuple[int, ...]
    fallback_words: int = 0
    truncated_pieces: int = 0
    #: pieces of document context around the sentence (read by the encoder, not labelled)
    context_pieces: int = 0

    @property
    def num_words(self) -> int:
        """Words of the sentence."""
        return len(self.word_starts)

    @property
    def num_pieces(self) -> int:
        """Sub-word pieces of the sentence (without special tokens and document context)."""
        return len(self.piece_ids) - self.context_pieces

    @property
    def windowed(self) -> bool:
        """Whether the sentence is split into several encoder windows."""
        return len(self.windows) > 1

    def num_tokens(self, num_special: int = 2) -> int:
        """Subword positions the encoder runs over (all windows, special tokens included)."""
        return sum(b - a for a, b in self.windows) + num_special * len(self.windows)

    def padded_length(self, num_special: int = 2) -> int:
        """Length of this sentence's longest window, special tokens included."""
        return max(b - a for a, b in self.windows) + num_special


@dataclass
class EncoderStats:
    """Counts of everything the encoder did not take as it was (reported by trainer/tagger).

    ``TransformerEncoder.stats`` counts each distinct sentence once (at its first, cached
    encoding); ``EncoderStats.of(encoded)`` counts any list of encoded sentences, and
    ``MultiTaskModel.last_stats`` holds those of the last ``predict_words`` call.
    """

    sentences: int = 0
    words: int = 0
    windowed_sentences: int = 0
    windows: int = 0
    fallback_words: int = 0
    truncated_pieces: int = 0

    def add(self, enc: EncodedSentence) -> None:
        """Count one encoded sentence."""
        self.sentences += 1
        self.words += enc.num_words
        self.windowed_sentences += int(enc.windowed)
        self.windows += len(enc.windows)
        self.fallback_words += enc.fallback_words
        self.truncated_pieces += enc.truncated_pieces

    @classmethod
    def of(cls, encoded: Iterable[EncodedSentence]) -> EncoderStats:
        """Counts over ``encoded``."""
        stats = cls()
        for enc in encoded:
            stats.add(enc)
        return stats

    def merge(self, other: EncoderStats) -> EncoderStats:
        """The sum of two counts."""
        return EncoderStats(**{k: v + getattr(other, k) for k, v in self.as_dict().items()})

    def as_dict(self) -> dict[str, int]:
        """The counts as a dict."""
        return asdict(self)

    def reset(self) -> None:
        """Set every count to zero."""
        for key in self.as_dict():
            setattr(self, key, 0)


def _windows(
    starts: Sequence[int], ends: Sequence[int], capacity: int, stride: int
) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Cut words into windows of at most ``capacity`` subwords on word boundaries.

    Returns the windows (subword ranges) and, for each word, the window in which it is most
    central (largest distance to the nearer window edge; earlier window on ties).
    """
    n_words = len(starts)
    n_pieces = ends[-1] if n_words else 0
    if n_pieces <= capacity:
        return ((0, n_pieces),), (0,) * n_words
    stride = min(stride, capacity // 2)
    word_ranges: list[tuple[int, int]] = []
    first = 0
    while True:
        a = starts[first]
        last = bisect.bisect_right(ends, a + capacity)  # words [first, last) fit
        last = max(last, first + 1)
        word_ranges.append((first, last))
        if last >= n_words:
            break
        b = ends[last - 1]
        nxt = bisect.bisect_left(starts, b - stride)
        first = min(max(nxt, first + 1), last)
    windows = tuple((starts[f], ends[last - 1]) for f, last in word_ranges)
    best = [-1] * n_words
    owner = [0] * n_words
    for k, ((f, last), (a, b)) in enumerate(zip(word_ranges, windows, strict=True)):
        for w in range(f, last):
            centrality = min(starts[w] - a, b - ends[w])
            if centrality > best[w]:
                best[w] = centrality
                owner[w] = k
    return windows, tuple(owner)


def assemble(
    per_word: Sequence[Sequence[int]],
    n_left: int,
    n_words: int,
    capacity: int,
    stride: int,
    unk_id: int,
) -> EncodedSentence:
    """An :class:`EncodedSentence` from the pieces of each word: ``n_left`` context words, the
    sentence's ``n_words`` words, then right context.  A word without pieces becomes
    ``unk_id`` and a word longer than a window is cut (both counted); context is trimmed to the
    room a one-window sentence leaves (nearest pieces kept, split evenly when both sides are
    long) and left out of a sentence that needs several windows."""
    pieces: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    fallback = truncated = 0
    for word_pieces in per_word[n_left : n_left + n_words]:
        wp = list(word_pieces)
        if not wp:
            wp = [unk_id]
            fallback += 1
        elif len(wp) > capacity:
            truncated += len(wp) - capacity
            wp = wp[:capacity]
        starts.append(len(pieces))
        pieces.extend(wp)
        ends.append(len(pieces))
    room = capacity - len(pieces)
    if (n_left or len(per_word) > n_left + n_words) and room > 0:
        left = [t for wp in per_word[:n_left] for t in wp]
        right = [t for wp in per_word[n_left + n_words :] for t in wp]
        take_left = min(len(left), max(room // 2, room - len(right)))
        take_right = min(len(right), room - take_left)
        before = left[len(left) - take_left :]
        shifted = len(before)
        pieces = [*before, *pieces, *right[:take_right]]
        return EncodedSentence(
            tuple(pieces),
            tuple(a + shifted for a in starts),
            tuple(b + shifted for b in ends),
            ((0, len(pieces)),),
            (0,) * n_words,
            fallback,
            truncated,
            take_left + take_right,
        )
    windows, owner = _windows(starts, ends, capacity, stride)
    return EncodedSentence(
        tuple(pieces), tuple(starts), tuple(ends), windows, owner, fallback, truncated
    )


__all__ = ["EncodedSentence", "EncoderStats", "assemble"]
