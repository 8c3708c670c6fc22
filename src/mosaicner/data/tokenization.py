"""Rule-based tokenisation and sentence splitting for raw text, matching the shared corpora.

The shared IOB corpora (Crichton et al. 2017, via standoff2conll) split every punctuation
character off as its own token: ``IL-2`` → ``IL - 2``, ``(TNF)`` → ``( TNF )``.  The tokenizer
below does the same: runs of letters/digits are tokens, every other non-space character is a
token of its own.  Offsets index the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mosaicner.data.model import Document, Sentence, Token

# Combining marks stay with their letter (decomposed "é" = "e" + U+0301); `re` has no \p{M}.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TOKEN_RE = re.compile(rf"(?:[^\W_][{_MARKS}]*)+|\S[{_MARKS}]*", re.UNICODE)

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "al", "fig", "figs", "vs", "etc", "approx", "ca", "cf", "dr", "mr", "mrs",
        "ms", "no", "nos", "ref", "refs", "resp", "sp", "spp", "st", "vol", "eq", "eqs", "tab",
        "suppl", "var", "subsp", "incl", "min", "max", "jr", "sr", "co", "inc", "ltd", "dept",
    }
)  # fmt: skip


# First words of the bracketed notes PubMed appends to titles.
_TITLE_NOTES = frozenset(
    {"see", "published", "erratum", "comment", "comments", "letter", "editorial", "retracted",
     "corrected", "retraction", "news", "review", "abridged"}
)  # fmt: skip


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into tokens; offsets are shifted by ``offset``."""
    return [
        Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN_RE.finditer(text)
    ]


def _ends_sentence(text: str, tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    if tok.text not in {".", "!", "?"}:
        return False
    if i + 1 >= len(tokens):
        return True
    nxt = tokens[i + 1]
    if nxt.start == tok.end:  # no whitespace after the mark: "3.5", "e.g."
        return False
    if tok.text == ".":
        prev = tokens[i - 1] if i > 0 else None
        if prev is not None and prev.end == tok.start:
            word = text[prev.start : prev.end].lower()
            # "e.g." / "i.e." → the token before the final period is "g" preceded by "e."
            if i >= 3 and tokens[i - 2].text == "." and tokens[i - 2].end == prev.start:
                word = (tokens[i - 3].text + "." + prev.text).lower()
            if word in _ABBREVIATIONS:
                return False
            if len(word) == 1 and word.isalpha() and prev.text.isupper():
                return False  # initials: "J. Smith"
    first = nxt.text[0]
    if first.isupper() or first.isdigit() or first in "([\"'`":
        return True
    # a lower-case start that is a gene/chemical-like symbol: "p65", "cAMP", "sIg", "fNF"
    prev_word = tokens[i - 1].text if i > 0 else ""
    return (
        tok.text == "."
        and len(prev_word) > 2
        and prev_word.lower() not in _ABBREVIATIONS
        and any(c.isupper() or c.isdigit() for c in nxt.text[1:])
    )


def _closes_title(tokens: list[Token], begin: int, i: int) -> bool:
    """``[Translated title.] Next sentence`` / ``... [see comments] Next``: end after ``]``."""
    if tokens[i].text != "]" or i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    if nxt.start == tokens[i].end or not (nxt.text[0].isupper() or nxt.text[0].isdigit()):
        return False
    if tokens[begin].text == "[":
        depth = 0
        for k in range(begin, i + 1):
            depth += {"[": 1, "]": -1}.get(tokens[k].text, 0)
            if depth == 0 and k < i:
                return False  # the opening bracket closed earlier
        return depth == 0
    # PubMed title notes: "[see comments]", "[published erratum appears in ...]"
    depth = 0
    for k in range(i, max(begin, i - 40) - 1, -1):
        depth += {"]": 1, "[": -1}.get(tokens[k].text, 0)
        if depth == 0:
            return k + 1 < i and tokens[k + 1].text.lower() in _TITLE_NOTES
    return False


def split_sentences(text: str, tokens: list[Token]) -> list[Sentence]:
    """Group tokens into sentences at sentence-final punctuation and at blank lines."""
    sentences: list[Sentence] = []
    begin = 0
    for i in range(len(tokens)):
        boundary = _ends_sentence(text, tokens, i) or _closes_title(tokens, begin, i)
        if not boundary and i + 1 < len(tokens):
            gap = text[tokens[i].end : tokens[i + 1].start]
            boundary = gap.count("\n") >= 2 or (
                "\n" in gap and tokens[i].text in {".", "!", "?", ":"}
            )
        if boundary:
            sentences.append(Sentence(tokens[begin].start, tokens[i].end, begin, i + 1))
            begin = i + 1
    if begin < len(tokens):
        sentences.append(Sentence(tokens[begin].start, tokens[-1].end, begin, len(tokens)))
    return sentences


def make_document(doc_id: str, text: str) -> Document:
    """A document from raw text: tokenised and sentence-split, no spans."""
    tokens = tokenize(text)
    return Document(doc_id, text, tuple(tokens), tuple(split_sentences(text, tokens)))


def iter_words(text: str) -> Iterator[str]:
    """The words of ``text`` as the default tokenizer splits them."""
    for m in _TOKEN_RE.finditer(text):
        yield m.group()


__all__ = ["iter_words", "make_document", "split_sentences", "tokenize"]
