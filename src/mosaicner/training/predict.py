"""Tag the sentences of already-tokenised documents with a trained model (``mosaicner predict``).

Predictions are added as the span layer ``pred`` (character and token offsets), gold spans are
kept, so the output can be written in any corpus format of :mod:`mosaicner.io`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mosaicner.data.batching import EVAL_MAX_WORDS, make_batches
from mosaicner.data.model import PRED, Document, Span


def predict_documents(
    loaded: Any,
    documents: Sequence[Document],
    *,
    corpus: str | None = None,
    max_words: int | None = None,
) -> tuple[list[Document], dict[str, int]]:
    """Documents with a ``pred`` layer; ``corpus`` picks one trained corpus's head (default:
    every head, merged as the tagger merges them: :mod:`mosaicner.merge`, the model's
    ``merge.json``, provenance in ``attrs["heads"]``)."""
    model = loaded.model
    budget = int(max_words or loaded.metadata.get("eval_max_words", EVAL_MAX_WORDS))
    sentences: list[tuple[int, int, int]] = []  # (doc index, token_start, token_end)
    words: list[tuple[str, ...]] = []
    for di, doc in enumerate(documents):
        for sent in doc.sentences:
            toks = doc.tokens[sent.token_start : sent.token_end]
            if toks:
                sentences.append((di, sent.token_start, sent.token_end))
                words.append(tuple(t.text for t in toks))
    preds: list[list[tuple[int, int, str, float]]] = [[] for _ in words]
    if corpus is None and hasattr(model, "predict_words_by_head"):
        return _predict_merged(loaded, documents, sentences, words)
    if corpus is None:
        preds = [list(p) for p in model.predict_words(words)]
    else:
        for batch in make_batches([len(w) for w in words], budget):
            out = model.predict([words[i] for i in batch], corpus=corpus)
            for i, spans in zip(batch, out, strict=True):
                preds[i] = list(spans)
    per_doc: dict[int, list[Span]] = {}
    n_spans = 0
    for (di, ts, _te), spans in zip(sentences, preds, strict=True):
        doc = documents[di]
        for s, e, label, score in spans:
            a, b = doc.tokens[ts + s], doc.tokens[ts + e - 1]
            per_doc.setdefault(di, []).append(
                Span(a.start, b.end, label, ts + s, ts + e, score=float(score))
            )
            n_spans += 1
    out_docs = [doc.with_layer(PRED, per_doc.get(i, [])) for i, doc in enumerate(documents)]
    return out_docs, {"sentences": len(words), "spans": n_spans}


def _predict_merged(
    loaded: Any,
    documents: Sequence[Document],
    sentences: Sequence[tuple[int, int, int]],
    words: Sequence[tuple[str, ...]],
) -> tuple[list[Document], dict[str, int]]:
    from mosaicner.merge import Candidate, load_merge_config, merge_candidates

    cfg = load_merge_config(loaded.path)
    raw = loaded.model.predict_words_by_head(words) if words else []
    cands: dict[int, list[Candidate]] = {}
    for (di, ts, _te), spans in zip(sentences, raw, strict=True):
        doc = documents[di]
        for s, e, label, score, head in spans:
            a, b = doc.tokens[ts + s], doc.tokens[ts + e - 1]
            cands.setdefault(di, []).append(
                Candidate(a.start, b.end, label, head, float(score), ts + s, ts + e)
            )
    out_docs: list[Document] = []
    n_spans = 0
    for i, doc in enumerate(documents):
        merged = merge_candidates(cands.get(i, []), cfg)
        n_spans += len(merged)
        spans = [m.to_span() for m in merged]
        out_docs.append(doc.with_layer(PRED, spans))
    return out_docs, {"sentences": len(words), "spans": n_spans}


@dataclass
class PredictReport:
    """What :func:`predict_file` read, tagged and wrote."""

    documents: int
    sentences: int
    spans: int
    output: Path
    lossy: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "spans": self.spans,
            "output": str(self.output),
            "lossy": dict(self.lossy),
        }

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.documents} documents, {self.sentences} sentences, {self.spans} predicted "
            f"spans -> {self.output}" + (f" (lossy: {self.lossy})" if self.lossy else "")
        )


def predict_file(
    model: Any,
    input: str | Path,
    output: str | Path,
    *,
    from_format: str | None = None,
    to_format: str | None = None,
    corpus: str | None = None,
) -> PredictReport:
    """``mosaicner predict``: read a tokenised corpus file, tag it with ``model`` (a model or run
    folder, or a loaded model) and write the ``pred`` layer in ``to_format`` (default: the
    input's format)."""
    from mosaicner import io
    from mosaicner.training.run import LoadedModel, load_trained

    loaded = model if isinstance(model, LoadedModel) else load_trained(model)
    fmt_in = from_format or io.detect_format(input)
    result = io.read(input, fmt_in)
    docs, counts = predict_documents(loaded, result.documents, corpus=corpus)
    report = io.write(docs, output, to_format or fmt_in, layer="pred")
    lossy = dict(getattr(report, "lossy", None) or {})
    return PredictReport(len(docs), counts["sentences"], counts["spans"], Path(output), lossy)


__all__ = ["PredictReport", "predict_documents", "predict_file"]
