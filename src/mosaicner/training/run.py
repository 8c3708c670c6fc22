"""Train, then score the selected model: what ``mosaicner train`` and ``mosaicner evaluate`` run.

The figures printed at the end of training come from :func:`evaluate_corpus` on the model
*reloaded from* ``run_dir/model`` (or, with ``trainer.keep_best_per_corpus``, from each corpus's
own snapshot ``run_dir/best/CORPUS``) — the same function, inputs and batching that
``mosaicner evaluate`` uses, so both print identical numbers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from mosaicner.data.batching import EVAL_MAX_WORDS
from mosaicner.errors import ConfigError, ModelError
from mosaicner.evaluation.coverage import unscored_summary
from mosaicner.training.build import model_dir_of
from mosaicner.training.config import CorpusSpec, TrainConfig, load_config
from mosaicner.training.data import prepare_corpus
from mosaicner.training.evaluate import evaluate_examples, load_type_map
from mosaicner.training.loop import StepHook, Trainer, TrainResult


@dataclass
class LoadedModel:
    """A trained model loaded for scoring, with the metadata saved next to it."""

    model: Any
    metadata: dict[str, Any]
    path: Path


def load_trained(path: str | Path) -> LoadedModel:
    """Load a model folder, a run folder's ``model/``, or a model of the local store by name,
    in eval mode, with the thread count it was trained with."""
    from mosaicner.models import load_model
    from mosaicner.store import resolve_model

    folder = model_dir_of(resolve_model(path))  # a path, or the name of an installed model
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


@dataclass
class CorpusExamples:
    """One split of a corpus read for a trained model: sentence examples and scored types."""

    key: str  # the corpus's name in the model (folder name for a path)
    examples: list[Any]
    types: list[str]  # the types scored: those the corpus annotates
    seen: bool  # whether the model was trained on this corpus
    # reason -> gold spans of the split that no sentence example carries (not scored)
    unscored: dict[str, int] = field(default_factory=dict)


def corpus_examples(
    loaded: LoadedModel,
    corpus: str,
    split: str,
    label_map: str | None = None,
    format: str | None = None,
) -> CorpusExamples:
    """Read ``split`` of ``corpus`` as the model saw it in training (same label map and types),
    or, for a corpus it never saw, with ``label_map`` (default: the corpus's built-in map);
    ``format`` overrides format detection for a corpus given as a path."""
    meta_corpora: dict[str, Any] = dict(loaded.metadata.get("corpora", {}))
    key = corpus if corpus in meta_corpora else Path(corpus).name
    known = meta_corpora.get(key)
    source = known["source"] if known and corpus == key else corpus
    spec = CorpusSpec(
        name=source,
        format=format,
        label_map=label_map if label_map is not None else (known or {}).get("label_map"),
        splits={"train": split, "dev": None, "test": None},  # type: ignore[arg-type]
    )
    enc_cfg = loaded.model.encoder.config
    context = int(getattr(enc_cfg, "context_words", 0) or 0)
    mode = str(getattr(enc_cfg, "context_mode", "neighbours"))
    pc = prepare_corpus(spec, roles=("train",), context_words=context, context_mode=mode)
    types = list(known["types"]) if known else list(pc.labels)
    return CorpusExamples(
        key, list(pc.examples("train")), types, known is not None, pc.unscored.get("train", {})
    )


def evaluate_corpus(
    model: LoadedModel | str | Path,
    corpus: str,
    split: str = "test",
    *,
    head: str | None = None,
    type_map: str | Path | Mapping[str, Any] | None = None,
    label_map: str | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    format: str | None = None,
) -> dict[str, Any]:
    """Score a trained model on one split of a corpus (name or path).

    A corpus the model was trained on is read with the label map used in training and scored on
    the types it annotates.  Another corpus needs ``head`` (a head name, or a trained corpus
    whose head to use) unless the model has a single head; ``type_map`` renames the model's types
    to the corpus's first (``model_type -> corpus_type``).  ``model`` is a loaded model or a
    model (or run) folder.
    """
    loaded = model if isinstance(model, LoadedModel) else load_trained(model)
    data = corpus_examples(loaded, corpus, split, label_map, format)
    key, examples, types = data.key, data.examples, data.types
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
    elif not data.seen or key not in routes:
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
        max_words=int(loaded.metadata.get("eval_max_words", EVAL_MAX_WORDS)),
        route_as=route_as,
        type_map=load_type_map(type_map),
        n_resamples=n_resamples,
        seed=seed,
    )
    report["head"] = routes.get(route_as or "", route_as)
    report["unscored_gold"] = unscored_summary(data.unscored)
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


#: What ``--fresh`` discards of an earlier run in the same folder.
RUN_STATE = ("checkpoints", "model", "metrics.jsonl", "train.log", "results.json")


def clear_run(run_dir: str | Path) -> None:
    """Forget an earlier run in ``run_dir`` (checkpoints, selected model, logs, results)."""
    import shutil

    root = Path(run_dir)
    for name in RUN_STATE:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def has_checkpoint(run_dir: str | Path) -> bool:
    """Whether ``run_dir`` holds a checkpoint to resume from."""
    from mosaicner.training.checkpoint import LAST

    return (Path(run_dir) / "checkpoints" / LAST).is_file()


@dataclass
class TrainReport:
    """The outcome of ``mosaicner train``: the config, the run and the final reports."""

    config: TrainConfig
    result: TrainResult
    reports: dict[str, dict[str, Any]]
    worker: bool = False  # a data-parallel worker process: process 0 reports

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (the shape of ``results.json``)."""
        r = self.result
        return {
            "run_dir": str(r.run_dir),
            "model_dir": str(r.model_dir),
            "steps": r.steps,
            "best_step": r.best_step,
            "best_dev_score": r.best_score,
            "selection": self.config.selection,
            "stopped_early": r.stopped_early,
            "final_split": self.config.trainer.final_split,
            "reports": self.reports,
            "notes": list(r.notes),
        }


StartHook = Callable[[TrainConfig, Path, bool], None]


def train_from_config(
    config: str | Path,
    *,
    output: str | Path | None = None,
    overrides: Sequence[str] = (),
    resume: bool = True,
    progress: bool = True,
    on_start: StartHook | None = None,
) -> TrainReport:
    """``mosaicner train``: load and validate the config (before any corpus is read), start over
    when not ``resume``, train and score.  ``on_start(cfg, run_dir, resuming)`` is called once
    the run folder is known."""
    cfg = load_config(config, overrides)
    run_dir = Path(output) if output is not None else Path(cfg.output_dir)
    if output is not None:
        cfg = cfg.model_copy(update={"output_dir": str(output)})
    if not resume and run_dir.exists():
        clear_run(run_dir)
    if on_start is not None:
        on_start(cfg, run_dir, has_checkpoint(run_dir))
    result, reports = train_and_evaluate(cfg, run_dir, resume=resume, progress=progress)
    return TrainReport(cfg, result, reports, worker=int(os.environ.get("RANK", "0")) != 0)


__all__ = [
    "CorpusExamples",
    "LoadedModel",
    "TrainReport",
    "clear_run",
    "corpus_examples",
    "evaluate_corpus",
    "has_checkpoint",
    "load_trained",
    "model_dir_of",
    "train_and_evaluate",
    "train_from_config",
]
