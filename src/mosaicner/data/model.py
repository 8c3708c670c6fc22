"""Torch-free value types: Token, Span, Sentence, Document, Corpus.

Conventions (used everywhere in mosaicner):

* every interval is half-open ``[start, end)``;
* ``start``/``end`` are **character** offsets into ``Document.text``;
* ``token_start``/``token_end`` are **token** indices into ``Document.tokens`` (document level);
* spans may nest, overlap or coincide; nothing here forces them flat.

Objects are frozen; every transform returns new objects.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mosaicner.errors import OffsetError

GOLD = "gold"
PRED = "pred"


@dataclass(frozen=True, slots=True)
class Token:
    """A token: its text and character interval ``[start, end)`` in the document text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Span:
    """A mention.

    ``start``/``end`` are character offsets (source of truth); ``token_start``/``token_end`` are
    filled when the document is tokenised (``None`` when unknown).  ``fragments`` holds the
    character intervals of a discontinuous mention (empty for a contiguous one); ``start``/``end``
    then cover the whole mention.  ``attrs`` holds normalisations (``{"MESH": "D003920"}``) and
    source ids (strings), and on tagger output ``"heads"``: the provenance list
    ``[{"head": ..., "score": ...}]`` (:mod:`mosaicner.merge`); it does not take part in equality.
    """

    start: int
    end: int
    label: str
    token_start: int | None = None
    token_end: int | None = None
    score: float | None = field(default=None, compare=False)
    attrs: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    fragments: tuple[tuple[int, int], ...] = ()

    @property
    def char_span(self) -> tuple[int, int]:
        """``(start, end)`` in characters, half-open."""
        return (self.start, self.end)

    @property
    def token_span(self) -> tuple[int, int]:
        """``(token_start, token_end)``, half-open; an error when the span has no token offsets."""
        if self.token_start is None or self.token_end is None:
            raise OffsetError(f"span {self.start}-{self.end} {self.label} has no token offsets")
        return (self.token_start, self.token_end)

    def contains(self, other: Span) -> bool:
        """True if ``other`` lies inside this span (equal intervals count)."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        """Whether the two character ranges share at least one character."""
        return self.start < other.end and other.start < self.end

    def crosses(self, other: Span) -> bool:
        """True if the spans overlap but neither contains the other."""
        return self.overlaps(other) and not self.contains(other) and not other.contains(self)

    def same_boundary(self, other: Span) -> bool:
        """Whether both spans cover the same characters (labels may differ)."""
        return self.start == other.start and self.end == other.end

    def with_label(self, label: str) -> Span:
        """A copy with another label."""
        return replace(self, label=label)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: character bounds and the token range it covers (both half-open)."""

    start: int
    end: int
    token_start: int
    token_end: int


@dataclass(frozen=True, slots=True)
class SentenceExample:
    """A sentence as the models see it: its words and its spans in sentence-local token offsets.

    ``left`` / ``right``: words of the same document just before / after the sentence, given to
    the encoder as context and never labelled (empty unless document context is asked for; see
    :func:`mosaicner.data.context.add_document_context`).
    """

    doc_id: str
    index: int
    words: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]
    corpus: str = ""
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A document: text, tokens, sentences and layers of spans (``gold``, ``pred``, ...)."""

    id: str
    text: str
    tokens: tuple[Token, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    spans: Mapping[str, tuple[Span, ...]] = field(default_factory=dict, hash=False)
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        n = len(self.text)
        prev_end = 0
        for i, tok in enumerate(self.tokens):
            if not (0 <= tok.start < tok.end <= n) or tok.start < prev_end:
                raise OffsetError(
                    f"document {self.id!r}: token {i} [{tok.start}, {tok.end}) is empty, "
                    f"outside the text (length {n}) or overlaps the previous token",
                    expected="ordered, non-empty, non-overlapping token intervals",
                )
            prev_end = tok.end
        for layer, spans in self.spans.items():
            for sp in spans:
                if not (0 <= sp.start < sp.end <= n):
                    raise OffsetError(
                        f"document {self.id!r}: span [{sp.start}, {sp.end}) {sp.label!r} in layer "
                        f"{layer!r} lies outside the text (length {n}) or is empty",
                        expected="0 <= start < end <= len(text)",
                    )

    # ------------------------------------------------------------------ views
    def layer(self, name: str = GOLD) -> tuple[Span, ...]:
        """The spans of layer ``name`` (``gold`` by default; empty when absent)."""
        return self.spans.get(name, ())

    def span_text(self, span: Span) -> str:
        """The text a span covers (fragments joined by one space)."""
        if span.fragments:
            return " ".join(self.text[s:e] for s, e in span.fragments)
        return self.text[span.start : span.end]

    def with_layer(self, name: str, spans: Iterable[Span]) -> Document:
        """A copy with layer ``name`` replaced by ``spans``."""
        layers = dict(self.spans)
        layers[name] = tuple(sorted(spans, key=span_sort_key))
        return replace(self, spans=layers)

    def without_layer(self, name: str) -> Document:
        """A copy without layer ``name``."""
        layers = {k: v for k, v in self.spans.items() if k != name}
        return replace(self, spans=layers)

    def sentence_examples(self, layer: str = GOLD, corpus: str = "") -> Iterator[SentenceExample]:
        """Yield each sentence with its spans in sentence-local token offsets.

        A span that has no token offsets or crosses a sentence boundary is not yielded; use
        :func:`mosaicner.data.alignment.align_document` first, which reports such spans.
        """
        spans = sorted(
            (s for s in self.layer(layer) if s.token_start is not None and s.token_end is not None),
            key=lambda s: (s.token_start or 0, s.token_end or 0),
        )
        starts = [s.token_start or 0 for s in spans]
        for i, sent in enumerate(self.sentences):
            lo = bisect.bisect_left(starts, sent.token_start)
            hi = bisect.bisect_left(starts, sent.token_end)
            local: list[tuple[int, int, str]] = []
            for sp in spans[lo:hi]:
                assert sp.token_start is not None and sp.token_end is not None
                if sp.token_end <= sent.token_end:
                    local.append(
                        (
                            sp.token_start - sent.token_start,
                            sp.token_end - sent.token_start,
                            sp.label,
                        )
                    )
            words = tuple(t.text for t in self.tokens[sent.token_start : sent.token_end])
            yield SentenceExample(self.id, i, words, tuple(local), corpus)

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_sentences(
        cls,
        doc_id: str,
        sentences: Sequence[Sequence[str]],
        spans: Sequence[Sequence[tuple[int, int, str]]] | None = None,
        *,
        layer: str = GOLD,
        metadata: Mapping[str, Any] | None = None,
        separator: str = " ",
    ) -> Document:
        """Build a document from tokenised sentences (token-only formats).

        The text is every token joined by one space (sentences too, by ``separator``), so
        every span gets character offsets.  ``spans`` are per sentence, in sentence-local token
        offsets ``(token_start, token_end, label)``.
        """
        tokens: list[Token] = []
        sents: list[Sentence] = []
        out_spans: list[Span] = []
        pieces: list[str] = []
        pos = 0
        for si, words in enumerate(sentences):
            if si > 0 and words:
                pieces.append(separator)
                pos += len(separator)
            sent_tok_start = len(tokens)
            sent_char_start = pos
            for wi, w in enumerate(words):
                if wi > 0:
                    pieces.append(" ")
                    pos += 1
                tokens.append(Token(w, pos, pos + len(w)))
                pieces.append(w)
                pos += len(w)
            sents.append(Sentence(sent_char_start, pos, sent_tok_start, len(tokens)))
            if spans is not None:
                for ts, te, label in spans[si]:
                    a = tokens[sent_tok_start + ts]
                    b = tokens[sent_tok_start + te - 1]
                    out_spans.append(
                        Span(a.start, b.end, label, sent_tok_start + ts, sent_tok_start + te)
                    )
        text = "".join(pieces)
        layers = {layer: tuple(sorted(out_spans, key=span_sort_key))} if spans is not None else {}
        return cls(doc_id, text, tuple(tokens), tuple(sents), layers, dict(metadata or {}))


def span_sort_key(span: Span) -> tuple[int, int, str]:
    """Canonical order: by start, longer first, then label."""
    return (span.start, -span.end, span.label)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a corpus came from: source, licence, citation, URL."""

    source: str = ""
    licence: str = ""
    citation: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Corpus:
    """A named corpus with its splits (``train``/``dev``/``test``), label set and provenance."""

    name: str
    splits: Mapping[str, tuple[Document, ...]]
    labels: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)

    def split(self, name: str) -> tuple[Document, ...]:
        """The documents of split ``name``; an error naming the known splits when absent."""
        from mosaicner.errors import MissingSplitError

        if name not in self.splits:
            raise MissingSplitError(
                f"corpus {self.name!r} has no split {name!r}",
                expected="one of " + ", ".join(sorted(self.splits)),
            )
        return self.splits[name]

    def examples(self, split: str, layer: str = GOLD) -> list[SentenceExample]:
        """Sentence examples of ``split`` with the spans of ``layer``."""
        return [
            ex for doc in self.split(split) for ex in doc.sentence_examples(layer, corpus=self.name)
        ]


__all__ = [
    "GOLD",
    "PRED",
    "Corpus",
    "Document",
    "Provenance",
    "Sentence",
    "SentenceExample",
    "Span",
    "Token",
    "span_sort_key",
]
