"""Writing the selected model as a complete model folder (``RUN/model``, ``RUN/best/CORPUS``).

The folder is written next to its target and renamed into place, so a run killed while saving
keeps the previous snapshot.  Its metadata records the config, each corpus's types, label map
and size, the step, the dev scores, the selection and the notes of the run.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mosaicner.training.config import TrainConfig
from mosaicner.training.data import PreparedCorpus


def model_metadata(
    cfg: TrainConfig,
    data: dict[str, PreparedCorpus],
    step: int,
    dev: dict[str, Any] | None,
    *,
    threads: int,
    notes: list[str],
    selected_on: str | None = None,
) -> dict[str, Any]:
    """What a saved model folder records about the run that made it."""
    return {
        "mosaicner_config": cfg.model_dump(mode="json"),
        "corpora": {
            name: {
                "types": pc.labels,
                "label_map": next(c.label_map for c in cfg.corpora if c.key == name),
                "source": next(c.name for c in cfg.corpora if c.key == name),
                "train_sentences": len(pc.examples("train")),
            }
            for name, pc in data.items()
        },
        "step": step,
        "dev": dev,
        "selected_on": selected_on or cfg.selection,
        "eval_max_words": cfg.batching.eval_max_words,
        "num_threads": threads,
        "notes": notes,
    }


def save_snapshot(
    model: Any, target: Path, metadata: dict[str, Any], data: dict[str, PreparedCorpus]
) -> None:
    """Save ``model`` to ``target`` (replacing it) through a temporary folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save(tmp, metadata=metadata, label_maps={n: pc.label_map for n, pc in data.items()})
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)


__all__ = ["model_metadata", "save_snapshot"]
