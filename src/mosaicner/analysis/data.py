"""Corpora as the transferability measures see them: sentences of words with token spans.

Corpora are found through the corpora registry (:func:`mosaicner.corpora.resolve_corpus`):
a registry name, a folder of ``$MOSAICNER_DATA`` or a path.  A corpus given by path is named by
its folder name.  Splits are read lazily and cached on the object; ``-DOCSTART-`` markers are
document boundaries for the readers, never tokens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mosaicner.errors import MissingSplitError

#: (words, spans) with sentence-local, half-open token spans ``(start, end, type)``.
SentenceRecord = tuple[tuple[str, ...], tuple[tuple[int, int, str], ...]]

_SPLIT_ALIASES = {"devel": "dev", "development": "dev", "valid": "dev", "validation": "dev"}


def _norm_split(split: str) -> str:
    return _SPLIT_ALIASES.get(split.lower(), split.lower())


@dataclass
class AnalysisCorpus:
    """A named corpus whose splits are loaded on first use."""

    name: str
    source: str
    files: dict[str, Path]
    _loaded: dict[str, list[SentenceRecord]] = field(default_factory=dict, repr=False)
    _resolved: object = field(default=None, repr=False)

    @classmethod
    def from_sentences(
        cls, name: str, splits: dict[str, Sequence[SentenceRecord]]
    ) -> AnalysisCorpus:
        """An in-memory corpus (tests, programmatic use)."""
        corpus = cls(name=name, source="<memory>", files={})
        corpus._loaded = {_norm_split(k): list(v) for k, v in splits.items()}
        return corpus

    def has_split(self, split: str) -> bool:
        """Whether the corpus has ``split`` (loaded or on disk)."""
        key = _norm_split(split)
        return key in self._loaded or key in self.files

    def sentences(self, split: str) -> list[SentenceRecord]:
        """The ``(words, spans)`` records of ``split``, read once and kept."""
        key = _norm_split(split)
        if key not in self._loaded:
            if key not in self.files:
                raise MissingSplitError(
                    f"corpus {self.name!r} has no {key!r} split",
                    file=self.source,
                    expected="one of " + ", ".join(sorted({*self.files, *self._loaded})),
                )
            from mosaicner.corpora.load import iter_sentences

            self._loaded[key] = [
                (tuple(ex.words), tuple(ex.spans))
                for ex in iter_sentences(self._resolved or self.source, key)  # type: ignore[arg-type]
            ]
        return self._loaded[key]

    # -- derived statistics (cheap, recomputed on demand) -------------------------------------

    def vocabulary(self, split: str = "train") -> set[str]:
        """Case-sensitive set of token strings of a split."""
        return {w for words, _ in self.sentences(split) for w in words}

    def unigram_counts(self, split: str = "train") -> Counter[str]:
        """Token counts of ``split``."""
        return Counter(w for words, _ in self.sentences(split) for w in words)

    def mentions(
        self, split: str, *, typed: bool = False
    ) -> Counter[str] | Counter[tuple[str, str]]:
        """Multiset of mention strings (tokens joined by one space); with ``typed``, of
        ``(string, type)`` pairs."""
        if typed:
            typed_counter: Counter[tuple[str, str]] = Counter()
            for words, spans in self.sentences(split):
                for s, e, label in spans:
                    typed_counter[(" ".join(words[s:e]), label)] += 1
            return typed_counter
        counter: Counter[str] = Counter()
        for words, spans in self.sentences(split):
            for s, e, _label in spans:
                counter[" ".join(words[s:e])] += 1
        return counter

    def labels(self, split: str = "train") -> set[str]:
        """The span labels used in ``split``."""
        return {label for _, spans in self.sentences(split) for _, _, label in spans}

    def n_tokens(self, split: str = "train") -> int:
        """Number of tokens in ``split``."""
        return sum(len(words) for words, _ in self.sentences(split))


def load_analysis_corpus(name_or_path: str | Path, format: str | None = None) -> AnalysisCorpus:
    """Resolve a corpus by registry name, data-directory folder or path (nothing is read yet);
    ``format`` overrides format detection for a path."""
    from mosaicner.corpora.resolve import resolve_corpus

    resolved = resolve_corpus(name_or_path, format=format)
    path = Path(str(name_or_path)).expanduser()
    name = path.name if path.is_dir() else resolved.name
    corpus = AnalysisCorpus(name=name, source=str(resolved.root), files=dict(resolved.files))
    corpus._resolved = resolved
    return corpus


def load_corpora(names: Iterable[str | Path], format: str | None = None) -> list[AnalysisCorpus]:
    """Load several corpora by name or path; their names must be distinct."""
    corpora = [load_analysis_corpus(n, format) for n in names]
    seen: set[str] = set()
    for c in corpora:
        if c.name in seen:
            from mosaicner.errors import ConfigError

            raise ConfigError(
                f"corpus {c.name!r} given twice", hint="each corpus must have a distinct name"
            )
        seen.add(c.name)
    return corpora


__all__ = ["AnalysisCorpus", "SentenceRecord", "load_analysis_corpus", "load_corpora"]
