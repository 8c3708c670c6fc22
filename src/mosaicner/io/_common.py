"""Helpers shared by the readers and writers (private to :mod:`mosaicner.io`)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from mosaicner.data.alignment import AlignmentReport, AlignMode, align_document
from mosaicner.data.model import GOLD, Document, Sentence, Span, Token
from mosaicner.data.tokenization import split_sentences, tokenize
from mosaicner.errors import ConfigError
from mosaicner.io.base import ReadReport, WriteReport


def reject_options(options: Mapping[str, object], fmt: str, known: Sequence[str]) -> None:
    """Raise ConfigError for options a reader/writer does not know (never ignore a typo)."""
    if not options:
        return
    import difflib

    name = sorted(options)[0]
    close = difflib.get_close_matches(name, list(known), n=1)
    raise ConfigError(
        f"unknown option {name!r} for format {fmt!r}",
        expected=("one of " + ", ".join(known)) if known else "no options",
        hint=f"did you mean {close[0]!r}?" if close else None,
    )


def tokenize_and_align(
    doc: Document, mode: AlignMode = "strict"
) -> tuple[Document, AlignmentReport]:
    """Tokenise and sentence-split ``doc.text`` (keeping existing tokens), align every layer.

    Spans that do not fall on token boundaries keep ``token_start=None`` in ``strict`` mode and
    are counted in the report; ``contract``/``expand`` move them to token boundaries (counted
    as adjusted).
    """
    if not doc.tokens:
        tokens = tokenize(doc.text)
        doc = replace(doc, tokens=tuple(tokens), sentences=tuple(split_sentences(doc.text, tokens)))
    elif not doc.sentences:
        doc = replace(doc, sentences=tuple(split_sentences(doc.text, list(doc.tokens))))
    return align_document(doc, mode)


def segment(
    text: str, regions: Sequence[tuple[int, int]] | None = None
) -> tuple[tuple[Token, ...], tuple[Sentence, ...]]:
    """Tokenise and sentence-split ``text``; a sentence never crosses a region boundary.

    ``regions`` are character intervals (passages: title, abstract); text outside them is
    tokenised as one more region.  Without regions the whole text is one region.
    """
    bounds = sorted(regions or [(0, len(text))])
    cuts: list[tuple[int, int]] = []
    pos = 0
    for a, b in bounds:
        if a > pos:
            cuts.append((pos, a))
        cuts.append((max(a, pos), b))
        pos = max(pos, b)
    if pos < len(text):
        cuts.append((pos, len(text)))
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    for a, b in cuts:
        if b <= a:
            continue
        toks = tokenize(text[a:b], offset=a)
        base = len(tokens)
        for s in split_sentences(text, toks):
            sentences.append(Sentence(s.start, s.end, s.token_start + base, s.token_end + base))
        tokens.extend(toks)
    return tuple(tokens), tuple(sentences)


def align_spans(doc: Document, report: ReadReport, mode: AlignMode = "strict") -> Document:
    """Align every layer of a tokenised document; record the outcome in ``report``."""
    aligned, align = align_document(doc, mode)
    add_alignment(report, align)
    count_cross_sentence(aligned, report)
    return aligned


def count_cross_sentence(doc: Document, report: ReadReport) -> None:
    """Count aligned spans that cross a sentence boundary (models cannot learn them)."""
    if not doc.sentences:
        return
    starts = [s.token_start for s in doc.sentences]
    n = 0
    for spans in doc.spans.values():
        for sp in spans:
            if sp.token_start is None or sp.token_end is None:
                continue
            k = bisect.bisect_right(starts, sp.token_start) - 1
            if k < 0 or sp.token_end > doc.sentences[k].token_end:
                n += 1
                report.warn(f"{doc.id}: span {doc.text[sp.start : sp.end]!r} crosses a sentence")
    if n:
        report.count_loss("spans crossing a sentence boundary (kept; token writers drop them)", n)


def add_alignment(report: ReadReport, align: AlignmentReport) -> None:
    """Merge an alignment report into a read report and count what was lossy."""
    if report.alignment is None:
        report.alignment = AlignmentReport(mode=align.mode)
    report.alignment.merge(align)
    if align.failed:
        report.count_loss("spans not aligned to tokens (kept without token offsets)", align.failed)
    if align.adjusted:
        report.count_loss(f"spans moved to token boundaries ({align.mode})", align.adjusted)
    for example in align.examples:
        report.warn(example)


def sentences_of(doc: Document) -> tuple[Sentence, ...]:
    """The document's sentences; one sentence over all tokens when it has none."""
    if doc.sentences:
        return doc.sentences
    if not doc.tokens:
        return ()
    return (Sentence(doc.tokens[0].start, doc.tokens[-1].end, 0, len(doc.tokens)),)


def ensure_tokens(doc: Document, report: WriteReport, mode: AlignMode = "expand") -> Document:
    """Give a token-less document tokens and sentences (for token-level writers), counting loss."""
    if doc.tokens and all(s.token_start is not None for layer in doc.spans.values() for s in layer):
        return doc
    aligned, align = tokenize_and_align(doc, mode)
    if align.adjusted:
        report.count_loss(f"spans moved to token boundaries ({mode})", align.adjusted)
    return aligned


def sentence_spans(
    doc: Document, layer: str, report: WriteReport
) -> list[tuple[Sentence, list[Span]]]:
    """Group a layer's spans by sentence; count spans that cannot be placed in one sentence.

    Returned spans keep document-level token offsets; spans without token offsets or crossing a
    sentence boundary are counted in ``report.lossy`` and left out.
    """
    sents = sentences_of(doc)
    out: list[tuple[Sentence, list[Span]]] = [(s, []) for s in sents]
    starts = [s.token_start for s in sents]
    for sp in doc.layer(layer):
        if sp.token_start is None or sp.token_end is None:
            report.count_loss("spans without token offsets (dropped)")
            continue
        k = bisect.bisect_right(starts, sp.token_start) - 1
        if k < 0 or sp.token_end > sents[k].token_end:
            report.count_loss("spans crossing a sentence boundary (dropped)")
            continue
        out[k][1].append(sp)
    return out


def count_discontinuous(spans: Iterable[Span], report: WriteReport) -> None:
    n = sum(1 for s in spans if s.fragments)
    if n:
        report.count_loss("discontinuous spans written as their covering span", n)


def doc_layers(doc: Document, layer: str) -> tuple[Span, ...]:
    return doc.spans.get(layer, ())


__all__ = [
    "GOLD",
    "add_alignment",
    "align_spans",
    "count_cross_sentence",
    "count_discontinuous",
    "doc_layers",
    "ensure_tokens",
    "reject_options",
    "segment",
    "sentence_spans",
    "sentences_of",
    "tokenize_and_align",
]
