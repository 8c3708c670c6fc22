"""A dictionary (gazetteer) span predictor: exact, case-insensitive term matches.

A baseline and a model-free stand-in for tests and demos: it satisfies
:class:`~mosaicner.inference.tagger.SpanPredictor`, so ``Tagger``, ``mosaicner tag`` and
``mosaicner serve`` accept a dictionary file where they accept a model folder.

File formats: ``.json`` — ``{"Chemical": ["cisplatin", ...], "Disease": [...]}``; anything
else — one ``term<TAB>label`` per line (``#`` comments and blank lines ignored).  Terms are
tokenised like raw text, so ``"IL-2"`` matches the words ``IL - 2``.  Every match is reported,
nested and overlapping ones included, with score 1.0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mosaicner.data.tokenization import iter_words
from mosaicner.errors import FormatError


class DictionaryPredictor:
    """Exact (lower-cased) multi-word term matching."""

    def __init__(self, terms: Mapping[str, Sequence[str]], *, name: str = "dictionary") -> None:
        self.name = name
        self._index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._types: set[str] = set()
        n = 0
        for label, items in terms.items():
            self._types.add(label)
            for term in items:
                words = tuple(w.lower() for w in iter_words(term))
                if words:
                    self._index.setdefault(words[0], []).append((words, label))
                    n += 1
        self.n_terms = n

    @classmethod
    def load(cls, path: str | Path) -> DictionaryPredictor:
        """A dictionary from a ``.json`` file (type -> terms) or a ``term<TAB>label`` file."""
        p = Path(path)
        text = p.read_text(encoding="utf-8")
        terms: dict[str, list[str]] = {}
        if p.suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise FormatError(
                    f"not valid JSON: {exc.msg}", file=p, line=exc.lineno, expected="a JSON object"
                ) from None
            if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
                raise FormatError(
                    "a dictionary file must map labels to lists of terms",
                    file=p,
                    expected='{"Label": ["term", ...]}',
                )
            terms = {str(k): [str(t) for t in v] for k, v in data.items()}
        else:
            for lineno, line in enumerate(text.splitlines(), 1):
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                    raise FormatError(
                        "a dictionary line needs a term and a label",
                        file=p,
                        line=lineno,
                        expected="term<TAB>label",
                    )
                terms.setdefault(parts[1].strip(), []).append(parts[0].strip())
        return cls(terms, name=p.name)

    def predict_words(
        self, sentences: Sequence[Sequence[str]], batch_size_tokens: int = 0
    ) -> list[list[tuple[int, int, str, float]]]:
        """Every case-insensitive term match per sentence, as ``(start, end, type, 1.0)``."""
        out: list[list[tuple[int, int, str, float]]] = []
        for words in sentences:
            low = [w.lower() for w in words]
            found: list[tuple[int, int, str, float]] = []
            for i, w in enumerate(low):
                for term, label in self._index.get(w, ()):
                    j = i + len(term)
                    if j <= len(low) and tuple(low[i:j]) == term:
                        found.append((i, j, label, 1.0))
            out.append(found)
        return out

    def info(self) -> dict[str, Any]:
        """Types, name and size of the dictionary (for ``GET /v1/model``)."""
        return {
            "types": sorted(self._types),
            "corpora": [],
            "encoder": None,
            "version": None,
            "kind": "dictionary",
            "name": self.name,
            "terms": self.n_terms,
        }


__all__ = ["DictionaryPredictor"]
