"""Tagging with trained models: raw text, documents and whole corpora.

* :class:`~mosaicner.inference.tagger.Tagger` — ``Tagger.load(path_or_name)(text)`` → a
  document with a ``pred`` span layer (character offsets into the original text, nested spans
  kept, every head's predictions merged by :mod:`mosaicner.merge`, provenance per span);
* :mod:`~mosaicner.inference.scoring` — score what the tagger outputs (``evaluate --merged``,
  ``evaluate --predictions FILE``) and choose a merge policy on dev data (``merge-policies``);
* :mod:`~mosaicner.inference.batch` — streaming, resumable corpus tagging (``mosaicner tag``);
* :mod:`~mosaicner.inference.ray_engine` — the same over a Ray cluster (``--engine ray``);
* :mod:`~mosaicner.inference.spacy_export` — spaCy ``Doc`` objects (``doc.spans`` + ``ents``);
* :mod:`~mosaicner.inference.quantize` / :mod:`~mosaicner.inference.onnx` — faster CPU runtimes;
* :mod:`~mosaicner.inference.dictionary` — a gazetteer predictor (baseline, tests).

torch is imported only when a model is loaded.
"""

from mosaicner.inference.tagger import SpanPredictor, Tagger, TaggingStats, entity_records

__all__ = ["SpanPredictor", "Tagger", "TaggingStats", "entity_records"]
