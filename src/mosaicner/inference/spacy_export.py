"""Export tagged documents to spaCy ``Doc`` objects.

Every prediction goes to the span group ``doc.spans["mosaicner"]`` (nested and overlapping
spans kept, scores in ``SpanGroup.attrs["scores"]``, the merge's provenance of each span — the
heads that predicted it — in ``SpanGroup.attrs["heads"]``).  ``doc.ents`` must be flat, so it
gets a non-overlapping subset chosen by an explicit policy, and the number of spans left out of
``doc.ents`` is reported (``ExportReport.dropped``):

* ``"longest"`` — longest non-overlapping first (ties: earlier start, then higher score);
* ``"score"`` — highest score first (ties: longer, then earlier);
* ``"outermost"`` / ``"innermost"`` — for nested spans, keep the outer / inner level.

The spaCy tokens are mosaicner's tokens (punctuation split off); whitespace between them
becomes ``whitespace_`` or whitespace tokens, so ``doc.text`` equals the original text and
character offsets agree.  Works with ``spacy.blank("en")`` — no spaCy model is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mosaicner.data.model import PRED, Document, Span
from mosaicner.data.tokenization import tokenize
from mosaicner.errors import ConfigError

SPAN_KEY = "mosaicner"
POLICIES = ("longest", "score", "outermost", "innermost")


@dataclass
class ExportReport:
    """What the spaCy export put in ``doc.spans`` and ``doc.ents``, and what it left out."""

    documents: int = 0
    spans: int = 0  # predictions put in doc.spans[SPAN_KEY]
    ents: int = 0  # spans put in doc.ents
    dropped: int = 0  # predictions not in doc.ents (overlap with a kept span)
    dropped_by_label: dict[str, int] = field(default_factory=dict)
    policy: str = "longest"

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.documents} documents: {self.spans} spans in doc.spans[{SPAN_KEY!r}], "
            f"{self.ents} in doc.ents, {self.dropped} left out of doc.ents by the "
            f"{self.policy!r} policy (they overlap a kept span)"
        )


def _priority(policy: str) -> Callable[[Span], tuple[float, ...]]:
    def length(s: Span) -> int:
        return s.end - s.start

    score = lambda s: float(s.score if s.score is not None else 0.0)  # noqa: E731
    if policy == "longest":
        return lambda s: (-length(s), s.start, -score(s))
    if policy == "score":
        return lambda s: (-score(s), -length(s), s.start)
    if policy == "outermost":
        return lambda s: (-length(s), -score(s), s.start)
    if policy == "innermost":
        return lambda s: (length(s), -score(s), s.start)
    raise ConfigError(f"unknown flattening policy {policy!r}", expected=", ".join(POLICIES))


def flatten_spans(spans: Iterable[Span], policy: str = "longest") -> tuple[list[Span], list[Span]]:
    """Greedy non-overlapping subset: ``(kept, dropped)``; kept in text order."""
    key = _priority(policy)
    kept: list[Span] = []
    dropped: list[Span] = []
    for span in sorted(spans, key=key):
        if any(span.overlaps(k) for k in kept):
            dropped.append(span)
        else:
            kept.append(span)
    kept.sort(key=lambda s: (s.start, s.end))
    return kept, dropped


def _words_and_spaces(doc: Document) -> tuple[list[str], list[bool], list[int]]:
    """spaCy words/spaces reproducing ``doc.text``; the spaCy index of each mosaicner token."""
    tokens = list(doc.tokens) if doc.tokens else tokenize(doc.text)
    text = doc.text
    words: list[str] = []
    spaces: list[bool] = []
    index: list[int] = []
    if tokens and tokens[0].start > 0:
        words.append(text[: tokens[0].start])
        spaces.append(False)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1].start if i + 1 < len(tokens) else len(text)
        gap = text[tok.end : nxt]
        index.append(len(words))
        words.append(text[tok.start : tok.end])
        if gap == " ":
            spaces.append(True)
        elif gap:
            # spaCy's convention: one trailing space on the token, the rest a whitespace token
            if gap.startswith(" "):
                spaces.append(True)
                gap = gap[1:]
            else:
                spaces.append(False)
            if gap:
                words.append(gap)
                spaces.append(False)
        else:
            spaces.append(False)
    if not tokens and text:
        words.append(text)
        spaces.append(False)
    return words, spaces, index


def to_spacy(
    doc: Document,
    nlp: Any = None,
    *,
    layer: str = PRED,
    policy: str = "longest",
    report: ExportReport | None = None,
) -> Any:
    """A spaCy ``Doc`` with every ``layer`` span in ``doc.spans["mosaicner"]`` and flat ents."""
    import spacy
    from spacy.tokens import Doc

    if nlp is None:
        nlp = spacy.blank("en")
    words, spaces, _ = _words_and_spaces(doc)
    sdoc = Doc(nlp.vocab, words=words, spaces=spaces)
    if sdoc.text != doc.text:  # pragma: no cover - guarded by tests
        raise ConfigError(f"document {doc.id!r}: spaCy text does not reproduce the original")
    report = report if report is not None else ExportReport(policy=policy)
    report.policy = policy
    spans = list(doc.layer(layer))
    group = []
    scores = []
    heads = []
    for s in spans:
        sp = sdoc.char_span(s.start, s.end, label=s.label, alignment_mode="strict")
        if sp is None:  # pragma: no cover - spans always lie on token boundaries
            raise ConfigError(f"span {s.start}-{s.end} does not fall on spaCy token boundaries")
        group.append(sp)
        scores.append(s.score)
        heads.append(list(s.attrs.get("heads", [])))
    sdoc.spans[SPAN_KEY] = group
    sdoc.spans[SPAN_KEY].attrs["scores"] = scores
    sdoc.spans[SPAN_KEY].attrs["heads"] = heads
    kept, dropped = flatten_spans(spans, policy)
    sdoc.ents = [sdoc.char_span(s.start, s.end, label=s.label) for s in kept]  # type: ignore[misc]
    sdoc.user_data["mosaicner"] = {
        "id": doc.id,
        "flatten_policy": policy,
        "dropped_from_ents": len(dropped),
    }
    report.documents += 1
    report.spans += len(spans)
    report.ents += len(kept)
    report.dropped += len(dropped)
    for s in dropped:
        report.dropped_by_label[s.label] = report.dropped_by_label.get(s.label, 0) + 1
    return sdoc


def to_spacy_docs(
    docs: Iterable[Document], nlp: Any = None, *, layer: str = PRED, policy: str = "longest"
) -> tuple[list[Any], ExportReport]:
    """spaCy docs of ``docs`` with one shared export report (see :func:`to_spacy`)."""
    import spacy

    nlp = nlp if nlp is not None else spacy.blank("en")
    report = ExportReport(policy=policy)
    return [to_spacy(d, nlp, layer=layer, policy=policy, report=report) for d in docs], report


__all__ = ["POLICIES", "SPAN_KEY", "ExportReport", "flatten_spans", "to_spacy", "to_spacy_docs"]
