"""``mosaicner models build NAME``: train a pinned recipe and install the model in the store.

Steps: train (resumably, in ``$MOSAICNER_HOME/builds/NAME``) with
:func:`~mosaicner.training.run.train_and_evaluate`; compute the type co-occurrence table from
the training splits of the recipe's corpora (:mod:`mosaicner.merge.cooccurrence`) and write
``merge.json`` next to the model; optionally choose the merge policy on dev data
(``select_merge``, given from above: :func:`mosaicner.inference.scoring.choose_merge_policy`);
install the model folder (with ``results.json``) under
``NAME`` and write its model card.  Re-running the same command after a crash resumes training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mosaicner.errors import ConfigError
from mosaicner.merge import DEFAULT_POLICY, cooccurrence_from_sentences, update_merge_file
from mosaicner.store import builds_root, check_name, install_model, installed_names, recipe_path
from mosaicner.training.config import TrainConfig, load_config


def cooccurrence_for_config(cfg: TrainConfig) -> tuple[list[list[str]], dict[str, int]]:
    """Type pairs the training splits of ``cfg``'s corpora put on (nearly) the same span."""
    from mosaicner.training.data import prepare_corpus

    sentences: list[tuple[tuple[int, int, str], ...]] = []
    seen: set[tuple[str, str | None]] = set()
    for spec in cfg.training_corpora():
        if (spec.name, spec.label_map) in seen:
            continue  # another view of a corpus already counted
        seen.add((spec.name, spec.label_map))
        # the corpus's own annotation, not a flat view of it: the views drop nested pairs
        pc = prepare_corpus(spec.model_copy(update={"view": None}), roles=("train",))
        sentences.extend(ex.spans for ex in pc.examples("train"))
    table, counts = cooccurrence_from_sentences(sentences)
    return table.to_json() or [], counts


def deference_for_config(cfg: TrainConfig) -> dict[str, dict[str, list[str]]]:
    """``{head: {type: [types it yields to]}}`` from the ``defers_to`` of each training
    corpus's label map (AnatEM: Anatomy yields to Disease, Cell_type, Cell_line)."""
    from mosaicner.corpora import resolve_corpus
    from mosaicner.training.data import resolve_label_map

    out: dict[str, dict[str, list[str]]] = {}
    for spec in cfg.training_corpora():
        resolved = resolve_corpus(spec.name, format=spec.format)
        name = resolved.info.name if resolved.info else spec.key
        lmap = resolve_label_map(spec.label_map, name)
        if lmap.defers_to:
            out[spec.key] = {t: sorted(to) for t, to in lmap.defers_to.items()}
    return out


def build_recipe(
    name: str,
    *,
    recipe: str | Path | None = None,
    home: Path | None = None,
    overrides: list[str] | None = None,
    resume: bool = True,
    overwrite: bool = False,
    progress: bool = True,
    select_merge: Callable[[Path], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Train ``recipe`` (default: the shipped recipe called ``name``) and install it as ``name``.

    ``select_merge(model_dir)``, when given, chooses the merge policy of the trained model before
    it is installed and returns what it chose (kept in ``store.json`` and the summary).
    """
    check_name(name)
    if not overwrite and name in installed_names(home):
        raise ConfigError(
            f"a model named {name!r} is already installed",
            hint="pass --overwrite to rebuild it, or `mosaicner models remove` it first",
        )
    source = recipe_path(recipe if recipe is not None else name)
    cfg = load_config(source, overrides or [])
    run_dir = builds_root(home) / name
    cfg = cfg.model_copy(update={"output_dir": str(run_dir)})
    from mosaicner.training.run import train_and_evaluate

    t0 = time.perf_counter()
    result, reports = train_and_evaluate(cfg, run_dir, resume=resume, progress=progress)
    pairs, counts = cooccurrence_for_config(cfg)
    update_merge_file(
        result.model_dir,
        policy=DEFAULT_POLICY,
        cooccurrence=pairs,
        cooccurrence_counts=counts,
        deference=deference_for_config(cfg),
    )
    chosen = select_merge(result.model_dir) if select_merge is not None else None
    seconds = time.perf_counter() - t0
    target = install_model(
        run_dir,
        name,
        home=home,
        overwrite=overwrite,
        origin=f"recipe:{source.name}",
        extra={
            "recipe": source.stem,
            "recipe_file": str(source),
            "build_seconds": seconds,
            "merge_selection": chosen,
        },
    )
    return {
        "name": name,
        "path": str(target),
        "run_dir": str(run_dir),
        "steps": result.steps,
        "seconds": seconds,
        "reports": {k: r["micro"] for k, r in reports.items()},
        "cooccurrence": pairs,
        "merge_selection": chosen,
        "notes": list(result.notes),
    }


__all__ = ["build_recipe", "cooccurrence_for_config", "deference_for_config"]
