"""Train, then score the selected model: what ``mosaicner train`` and ``mosaicner evaluate`` run.

The figures printed at the end of training come from :func:`evaluate_corpus` on the model
*reloaded from* ``run_dir/model`` (or, with ``trainer.keep_best_per_corpus``, from each corpus's
own snapshot ``run_dir/best/CORPUS``) — the same function, inputs and batching that
``mosaicner evaluate`` uses, so both print identical numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from mosaicner.errors import ConfigError, ModelError
from mosaicner.evaluation.coverage import unscored_summary
from mosaicner.training.config import CorpusSpec, TrainConfig
from mosaicner.training.data import prepare_corpus
from mosaicner.training.evaluate import evaluate_examples, load_type_map
from mosaicner.training.loop import StepHook, Trainer, TrainResult


@dataclass
class LoadedModel:
    model: Any
    metadata: dict[str, Any]
    path: Path


def model_dir_of(path: str | Path) -> Path:
    """Accept a model folder or a run folder holding ``model/``."""
    p = Path(path)
    if (p / "model").is_dir() and not (p / "config.json").is_file():
        return p / "model"
    return p


def load_trained(path: str | Path) -> LoadedModel:
    from mosaicner.models import load_model

    folder = model_dir_of(path)
    if not folder.is_dir():
        raise ModelError(
            "model folder not found", file=folder, hint="train one with mosaicner train"
        )
    model = load_model(folder)
    meta = dict(getattr(model, "metadata", None) or {})
    threads = meta.get("num_threads")
    if threads:
        torch.set_num_threads(int(threads))
    model.eval()
    return LoadedModel(model, meta, folder)


def _routes(model: Any) -> dict[str, str]:
    return dict(getattr(model, "routes", {}) or {})


def evaluate_corpus(
    loaded: LoadedModel,
    corpus: str,
    split: str = "test",
    *,
    head: str | None = None,
    type_map: str | Path | Mapping[str, Any] | None = None,
    label_map: str | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Score a trained model on one split of a corpus (name or path).

    A corpus the model was trained on is read with the label map used in training and scored on
    the types it annotates.  Another corpus needs ``head`` (a head name, or a trained corpus
    whose head to use) unless the model has a single head; ``type_map`` renames the model's types
    to the corpus's first (``model_type -> corpus_type``).
    """
    meta_corpora: dict[str, Any] = dict(loaded.metadata.get("corpora", {}))
    key = corpus if corpus in meta_corpora else Path(corpus).name
    known = meta_corpora.get(key)
    source = known["source"] if known and corpus == key else corpus
    spec = CorpusSpec(
        name=source,
        label_map=label_map if label_map is not None else (known or {}).get("label_map"),
        splits={"train": split, "dev": None, "test": None},  # type: ignore[arg-type]
    )
    from mosaicner.training.data import PreparedCorpus

    pc: PreparedCorpus = prepare_corpus(spec, roles=("train",))
    examples = pc.examples("train")
    types = list(known["types"]) if known else pc.labels
    routes = _routes(loaded.model)
    route_as: str | None = None
    if head is not None:
        if head in routes:
            route_as = head
        else:
            members = [c for c, h in routes.items() if h == head]
            if not members:
                raise ConfigError(
                    f"the model has no head or corpus named {head!r}",
                    expected="one of " + ", ".join(sorted({*routes, *routes.values()})),
                )
            route_as = members[0]
    elif known is None or key not in routes:
        if len(set(routes.values())) == 1 and routes:
            route_as = next(iter(routes))
        else:
            raise ConfigError(
                f"the model was not trained on {corpus!r}; say which head to use",
                hint="--head NAME (one of " + ", ".join(sorted(set(routes.values()))) + ")",
            )
    else:
        route_as = key
    report = evaluate_examples(
        loaded.model,
        examples,
        types,
        corpus=key,
        split=split,
        max_words=int(loaded.metadata.get("eval_max_words", 4096)),
        route_as=route_as,
        type_map=load_type_map(type_map),
        n_resamples=n_resamples,
        seed=seed,
    )
    report["head"] = routes.get(route_as or "", route_as)
    report["unscored_gold"] = unscored_summary(pc.unscored.get("train", {}))
    return report


def train_and_evaluate(
    cfg: TrainConfig,
    run_dir: str | Path,
    *,
    resume: bool = True,
    on_step: StepHook | None = None,
    progress: bool = True,
    n_resamples: int = 1000,
) -> tuple[TrainResult, dict[str, dict[str, Any]]]:
    """Train (or resume) and score the selected model on each corpus's final split."""
    trainer = Trainer(cfg, run_dir, on_step=on_step, progress=progress)
    result = trainer.run(resume=resume)
    saved = Path(run_dir) / "results.json"
    if trainer.model is None and saved.is_file():  # finished earlier: the figures it printed
        previous: dict[str, dict[str, Any]] = json.loads(saved.read_text(encoding="utf-8")).get(
            "reports", {}
        )
        if previous:
            return result, previous
    if not trainer.dist.main:  # data-parallel worker: process 0 evaluates and reports
        return result, {}
    loaded = load_trained(result.model_dir)
    reports: dict[str, dict[str, Any]] = {}
    split_role = cfg.trainer.final_split
    for spec in cfg.training_corpora():
        split = getattr(spec.splits, split_role)
        if split is None:
            continue
        own = trainer.best_dir(spec.key)
        use = loaded
        if cfg.trainer.keep_best_per_corpus and own.is_dir():
            use = load_trained(own)  # the snapshot selected on this corpus's own dev F1
        reports[spec.key] = evaluate_corpus(use, spec.key, split, n_resamples=n_resamples, seed=0)
        reports[spec.key]["model_dir"] = str(use.path)
    summary = {
        "run_dir": str(result.run_dir),
        "steps": result.steps,
        "best_step": result.best_step,
        "best_dev_score": result.best_score,
        "selection": cfg.selection,
        "stopped_early": result.stopped_early,
        "final_split": split_role,
        "reports": reports,
        "notes": result.notes,
    }
    (Path(run_dir) / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    lines = [
        f"final {split_role} F1 {name}: {100 * rep['micro']['f1']:.2f} "
        f"(P {100 * rep['micro']['precision']:.2f}, R {100 * rep['micro']['recall']:.2f})"
        for name, rep in reports.items()
    ]
    with open(Path(run_dir) / "train.log", "a", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
    if cfg.mlflow.enabled:
        from mosaicner.training.tracking import MLflowTracker

        tracker = MLflowTracker(cfg, Path(run_dir), resume=True)
        tracker.log_final(reports)
        tracker.close()
    return result, reports


__all__ = ["LoadedModel", "evaluate_corpus", "load_trained", "model_dir_of", "train_and_evaluate"]
