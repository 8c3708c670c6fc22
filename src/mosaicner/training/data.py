"""Training data: corpora loaded, label-mapped and subsampled, as sentence examples.

Everything lossy is reported in :class:`PreparedCorpus.notes` (label-map drops and merges,
subsampling, empty sentences skipped, missing dev/test splits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mosaicner.data.context import add_document_context
from mosaicner.data.flatten import flat_target_drops, flat_view
from mosaicner.data.model import Corpus, SentenceExample
from mosaicner.errors import ModelError, UnknownComponentError
from mosaicner.evaluation.coverage import unscorable_gold
from mosaicner.training.config import CorpusSpec, TrainConfig


@dataclass
class PreparedCorpus:
    """One corpus ready for training: label-mapped sentence examples per role, types, notes."""

    name: str
    labels: list[str]
    splits: dict[str, list[SentenceExample]]
    notes: list[str] = field(default_factory=list)
    label_report: dict[str, Any] = field(default_factory=dict)
    label_map: dict[str, Any] = field(default_factory=dict)
    # role -> reason -> gold spans no sentence example carries (mosaicner.evaluation.coverage)
    unscored: dict[str, dict[str, int]] = field(default_factory=dict)

    def examples(self, role: str) -> list[SentenceExample]:
        """The examples playing ``role`` (train, dev or test); empty when absent."""
        return self.splits.get(role, [])


def load_raw_corpus(spec: CorpusSpec, roles: Sequence[str]) -> tuple[Corpus, dict[str, str]]:
    """Load only the splits playing ``roles`` through the corpora registry.

    Returns the corpus and role -> split name; a missing dev/test split is left out (the caller
    notes it); a missing train split raises.
    """
    from mosaicner.corpora import normalise_split, resolve_corpus
    from mosaicner.corpora.load import load_corpus

    resolved = resolve_corpus(spec.name, format=spec.format)
    present = set(resolved.files)
    wanted: dict[str, str] = {}
    for role in roles:
        split = getattr(spec.splits, role)
        if split is None:
            continue
        split = normalise_split(split)
        if split not in present and role != "train":
            continue
        wanted[role] = split
    corpus = load_corpus(resolved, sorted(set(wanted.values())))
    return corpus, wanted


def resolve_label_map(spec: str | None, corpus_name: str) -> Any:
    """``None``: the corpus's built-in map when one exists, else keep the original labels."""
    from mosaicner.schema import LabelMap, get_label_map

    if spec is None:
        try:
            return get_label_map(None, corpus=corpus_name)
        except UnknownComponentError:
            return LabelMap.keep_original()
    return get_label_map(spec, corpus=corpus_name)


def subsample_examples(
    examples: Sequence[SentenceExample], n: int | float | None, seed: int
) -> list[SentenceExample]:
    """Keep ``n`` sentences (int) or a fraction (float); seeded, original order kept."""
    if n is None:
        return list(examples)
    k = round(len(examples) * n) if isinstance(n, float) else int(n)
    k = max(0, min(k, len(examples)))
    if k >= len(examples):
        return list(examples)
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(examples), size=k, replace=False))
    return [examples[int(i)] for i in keep]


def prepare_corpus(
    spec: CorpusSpec,
    roles: Sequence[str] = ("train", "dev", "test"),
    context_words: int = 0,
    context_mode: str = "neighbours",
) -> PreparedCorpus:
    """Load ``spec``'s corpus, apply its label map and subsampling, return sentence examples
    (with document context when ``context_words`` is set: that many words on each side, or
    windows of that many words with ``context_mode="window"``)."""
    raw, wanted = load_raw_corpus(spec, roles)
    name = spec.key
    lmap = resolve_label_map(spec.label_map, raw.name or name)
    notes: list[str] = []
    splits: dict[str, list[SentenceExample]] = {}
    label_report: dict[str, Any] = {}
    labels: set[str] = set()
    unscored: dict[str, dict[str, int]] = {}
    for role in roles:
        if role not in wanted:
            if getattr(spec.splits, role) is not None:
                notes.append(f"{name}: no {role} split ({getattr(spec.splits, role)!r}); skipped")
            continue
        docs, report = lmap.apply(raw.split(wanted[role]), layers=["gold"])
        label_report[role] = report.to_dict()
        unscored[role] = unscorable_gold(docs)
        if unscored[role]:
            why = "; ".join(f"{k}: {n}" for k, n in unscored[role].items())
            notes.append(f"{name} {role}: {sum(unscored[role].values())} gold spans unused ({why})")
        if report.lossy:
            notes.append(f"{name} {role}: {report.summary()}")
        exs = [replace(ex, corpus=name) for d in docs for ex in d.sentence_examples("gold")]
        if context_words:
            n_sentences = len(exs)
            exs = add_document_context(exs, context_words, context_mode)
            if context_mode == "merge":
                notes.append(
                    f"{name} {role}: {n_sentences} sentences merged into {len(exs)} examples "
                    f"(document windows of <= {context_words} words; subsampling and batch "
                    "limits count these examples)"
                )
        if spec.view is not None and role in ("train", "dev"):
            exs, dropped = _flat_view(exs, spec.view)
            if dropped:
                total = dropped + sum(len(ex.spans) for ex in exs)
                notes.append(
                    f"{name} {role}: {spec.view} view: {dropped} of {total} gold spans nested "
                    "in or overlapping a kept one dropped (test scoring keeps the nested gold)"
                )
        empty = sum(1 for ex in exs if not ex.words)
        if empty:
            notes.append(f"{name} {role}: {empty} empty sentences skipped")
            exs = [ex for ex in exs if ex.words]
        if role == "train":
            before = len(exs)
            exs = subsample_examples(exs, spec.subsample, spec.subsample_seed)
            if len(exs) != before:
                notes.append(
                    f"{name} train: subsampled {len(exs)} of {before} sentences "
                    f"(seed {spec.subsample_seed})"
                )
        splits[role] = exs
        labels.update(s[2] for ex in exs for s in ex.spans)
    out_labels = sorted(labels)  # the types this corpus annotates, after its label map
    return PreparedCorpus(name, out_labels, splits, notes, label_report, lmap.to_dict(), unscored)


def _flat_view(
    examples: Sequence[SentenceExample], policy: str
) -> tuple[list[SentenceExample], int]:
    out: list[SentenceExample] = []
    dropped = 0
    for ex in examples:
        kept = flat_view(ex.spans, policy)
        dropped += len(ex.spans) - len(kept)
        out.append(replace(ex, spans=kept))
    return out, dropped


def _flat_head_note(cfg: TrainConfig, spec: CorpusSpec, pc: PreparedCorpus) -> str | None:
    """A note when ``spec``'s head is flat and its training gold nests: what the targets drop."""
    from mosaicner.heads import HEADS

    kind = cfg.heads.shared[spec.shared_head].type if spec.shared_head else spec.head
    head_cls = HEADS.get(kind)
    if head_cls is None or head_cls.nested:
        return None
    train = pc.examples("train")
    total = sum(len(ex.spans) for ex in train)
    dropped = sum(flat_target_drops(ex.spans) for ex in train)
    if not dropped:
        return None
    return (
        f"{pc.name} train: its {kind} head is flat: {dropped} of {total} gold spans "
        f"({100 * dropped / max(total, 1):.1f}%) nest inside or overlap a kept one and are not "
        "training targets (outermost kept); nested output for this corpus can only come from "
        "other heads"
    )


def prepare_training_data(
    cfg: TrainConfig, note: Callable[[str], None] | None = None
) -> dict[str, PreparedCorpus]:
    """Train and dev examples of every training corpus of ``cfg`` (dev optionally subsampled,
    seeded, for model selection); what was lost or changed is passed to ``note``."""
    say = note or (lambda _: None)
    out: dict[str, PreparedCorpus] = {}
    for spec in cfg.training_corpora():
        pc = prepare_corpus(
            spec,
            roles=("train", "dev"),
            context_words=cfg.encoder.context_words,
            context_mode=cfg.encoder.context_mode,
        )
        if not pc.examples("train"):
            raise ModelError(f"corpus {pc.name!r} has no training sentences")
        for text in pc.notes:
            say(text)
        flat_note = _flat_head_note(cfg, spec, pc)
        if flat_note:
            say(flat_note)
        dev = pc.examples("dev")
        n = cfg.trainer.dev_subsample
        if n is not None and len(dev) > n:
            pc.splits["dev"] = subsample_examples(dev, n, cfg.seed)
            say(
                f"{pc.name} dev: model selection on a seeded subsample of {n} of "
                f"{len(dev)} sentences"
            )
        out[pc.name] = pc
    return out


__all__ = [
    "PreparedCorpus",
    "load_raw_corpus",
    "prepare_corpus",
    "prepare_training_data",
    "resolve_label_map",
    "subsample_examples",
]
