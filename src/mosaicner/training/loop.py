"""The multi-task training loop (explicit; no framework).

One optimizer step:

1. for each of ``accumulation`` micro-batches: sample a corpus (uniform / proportional /
   temperature), take the next length-bucketed batch of that corpus, run the shared encoder and
   the corpus's head, back-propagate ``loss / accumulation``;
2. clip the gradient norm, step AdamW (two parameter groups: encoder and heads, each with its own
   learning rate; heads that saw no batch have no gradient and are left untouched, as in
   Akdemir & Shibuya where only the sampled head and the encoder are updated), step the
   warm-up + linear-decay schedule.

Every ``eval_every`` steps the dev sets (optionally subsampled, seeded) are scored per corpus and
macro-averaged; the best model so far (on ``selection``: macro or one corpus) is saved to
``model/``, and a resumable checkpoint is written to ``checkpoints/last.pt``.  With
``trainer.keep_best_per_corpus`` every corpus also keeps the model of its own best dev round in
``best/CORPUS/`` (the per-head selection of Akdemir & Shibuya), and patience resets whenever any
corpus improves.  Training stops at ``max_steps`` or when ``patience`` evaluations pass without
improvement.

Modes are phases of this loop: ``single``/``pairwise``/``all``/``transfer-b`` have one phase;
``transfer-a`` first trains on the auxiliary corpora for ``transfer.stage1_steps`` steps, then
fine-tunes on the target (selection on the target's dev F1).
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mosaicner.data.batching import BatchStream
from mosaicner.data.model import SentenceExample
from mosaicner.errors import ModelError
from mosaicner.training.checkpoint import (
    load_checkpoint,
    save_checkpoint,
    seed_everything,
    set_rng_state,
)
from mosaicner.training.config import TrainConfig
from mosaicner.training.data import PreparedCorpus, prepare_corpus, subsample_examples
from mosaicner.training.distributed import Dist
from mosaicner.training.evaluate import quick_f1
from mosaicner.training.sampling import CorpusSampler

log = logging.getLogger("mosaicner.training")

StepHook = Callable[[int, dict[str, Any]], None]


@dataclass
class Phase:
    name: str
    corpora: list[str]
    steps: int
    selection: str  # "macro" or a corpus name
    select: bool = True  # keep the best dev checkpoint in this phase


@dataclass
class TrainResult:
    run_dir: Path
    model_dir: Path
    steps: int
    best_step: int
    best_score: float
    history: list[dict[str, Any]] = field(default_factory=list)
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------- building
def plan_phases(cfg: TrainConfig) -> list[Phase]:
    keys = [c.key for c in cfg.training_corpora()]
    steps = cfg.trainer.max_steps
    if cfg.mode == "transfer-a":
        assert cfg.target is not None
        aux = [k for k in keys if k != cfg.target]
        return [
            Phase("auxiliary", aux, cfg.transfer.stage1_steps, "macro", select=False),
            Phase("target", [cfg.target], steps, cfg.target),
        ]
    return [Phase("main", keys, steps, cfg.selection)]


def build_model(cfg: TrainConfig, corpora: Sequence[PreparedCorpus]) -> Any:
    """The shared encoder and one head per corpus (or the shared heads named in the config)."""
    from mosaicner.encoders import TransformerEncoder
    from mosaicner.heads import build_head
    from mosaicner.models import MultiTaskModel

    encoder = TransformerEncoder.from_config(cfg.encoder)
    hidden = int(encoder.hidden_size)
    specs = {c.key: c for c in cfg.corpora}
    heads: dict[str, Any] = {}
    routes: dict[str, str] = {}
    shared_members: dict[str, list[PreparedCorpus]] = {}
    for pc in corpora:
        spec = specs[pc.name]
        if spec.shared_head is not None:
            shared_members.setdefault(spec.shared_head, []).append(pc)
            routes[pc.name] = spec.shared_head
            continue
        options = dict(cfg.heads.options.get(spec.head, {}))
        heads[pc.name] = build_head(spec.head, hidden, pc.labels, {pc.name: pc.labels}, **options)
        routes[pc.name] = pc.name
    for head_name, members in shared_members.items():
        shared = cfg.heads.shared[head_name]
        labels = sorted({t for pc in members for t in pc.labels})
        options = {**cfg.heads.options.get(shared.type, {}), **shared.options}
        heads[head_name] = build_head(
            shared.type, hidden, labels, {pc.name: pc.labels for pc in members}, **options
        )
    if cfg.mode == "transfer-b":
        assert cfg.transfer.init_from is not None
        load_encoder_weights(encoder, cfg.transfer.init_from)
    return MultiTaskModel(encoder, heads, routes)


def _model_dir_of(path: str | Path) -> Path:
    p = Path(path)
    if (p / "model").is_dir() and not (p / "config.json").is_file():
        return p / "model"
    return p


def load_encoder_weights(encoder: Any, source: str | Path) -> None:
    """Copy the encoder weights of an earlier model (transfer-b); heads are not taken."""
    from mosaicner.models import load_model

    src = load_model(_model_dir_of(source))
    missing, unexpected = encoder.load_state_dict(src.encoder.state_dict(), strict=False)
    if missing:
        raise ModelError(
            f"the encoder in {source} does not match the configured encoder "
            f"({len(missing)} missing weights, e.g. {missing[0]})",
            hint="use the same encoder.name as the run you start from",
        )
    del unexpected


def param_groups(model: Any, cfg: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: encoder (decayed / not decayed) and heads (decayed / not decayed)."""
    opt = cfg.optimizer
    groups: dict[tuple[str, bool], list[torch.nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        part = "encoder" if name.startswith("encoder.") else "heads"
        no_decay = p.ndim < 2 or "norm" in name.lower() or name.endswith(".bias")
        groups.setdefault((part, no_decay), []).append(p)
    out = []
    for (part, no_decay), params in sorted(groups.items()):
        out.append(
            {
                "params": params,
                "lr": opt.encoder_lr if part == "encoder" else opt.head_lr,
                "weight_decay": 0.0 if no_decay else opt.weight_decay,
                "name": f"{part}{'' if not no_decay else '/no_decay'}",
            }
        )
    return out


def resolve_threads(requested: int | None, sample_s: float = 0.5) -> int:
    """torch threads: as configured, or (``None``) the cores not busy right now.

    On a shared CPU, torch threads spin-wait: with more runnable processes than cores, two
    threads can be several times slower than one, so the automatic choice measures how busy the
    cores are over ``sample_s`` seconds (``/proc/stat``).  The one-minute load average is only the
    fallback: it still counts work that has just finished (``pip install`` right before a run
    would make an idle 2-core machine look busy and halve the training speed).
    """
    if requested:
        return int(requested)
    cpus = os.cpu_count() or 1
    busy = busy_cores(sample_s)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
    return max(1, min(cpus, int(cpus - busy + 0.5)))


def _cpu_times() -> tuple[int, int] | None:
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values), idle


def busy_cores(sample_s: float = 0.5) -> float | None:
    """How many cores other processes keep busy, measured over ``sample_s`` (Linux only)."""
    first = _cpu_times()
    if first is None:
        return None
    time.sleep(sample_s)
    second = _cpu_times()
    if second is None or second[0] <= first[0]:
        return None
    total, idle = second[0] - first[0], second[1] - first[1]
    return (os.cpu_count() or 1) * (1.0 - idle / total)


def freeze_word_embeddings(model: Any) -> int:
    """Fix the encoder's input word embeddings; returns the number of frozen parameters."""
    frozen = 0
    transformer = getattr(model.encoder, "transformer", None)
    get = getattr(transformer, "get_input_embeddings", None)
    if get is not None:
        emb = get()
        for p in emb.parameters():
            p.requires_grad_(False)
            frozen += p.numel()
    return frozen


def make_optimizer(groups: list[dict[str, Any]], eps: float) -> torch.optim.Optimizer:
    """AdamW, fused (one kernel over all tensors) where this torch build supports it on CPU."""
    try:
        return torch.optim.AdamW(groups, eps=eps, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(groups, eps=eps, foreach=True)


def lr_lambda(total_steps: int, warmup_ratio: float, schedule: str) -> Callable[[int], float]:
    warmup = round(total_steps * warmup_ratio)

    def f(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        if schedule == "constant":
            return 1.0
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return f


# ------------------------------------------------------------------------------- the loop
class Trainer:
    """Runs a :class:`TrainConfig` in ``run_dir`` (``model/``, ``checkpoints/``,
    ``metrics.jsonl``, ``train.log``, ``config.yaml``, ``results.json``)."""

    def __init__(
        self,
        cfg: TrainConfig,
        run_dir: str | Path,
        *,
        on_step: StepHook | None = None,
        progress: bool = True,
    ) -> None:
        self.cfg = cfg
        self.run_dir = Path(run_dir)
        self.model_dir = self.run_dir / "model"
        self.ckpt_dir = self.run_dir / "checkpoints"
        self.on_step = on_step
        self.progress = progress
        self.notes: list[str] = []
        self._tracker: Any = None
        self.model: Any = None
        self.dist = Dist()
        self.threads = 1

    # ---------------------------------------------------------------- setup
    def _log(self, message: str) -> None:
        if not self.dist.main:
            return
        log.info(message)
        with open(self.run_dir / "train.log", "a", encoding="utf-8") as fh:
            fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")

    def _metric(self, record: dict[str, Any]) -> None:
        if not self.dist.main:
            return
        with open(self.run_dir / "metrics.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
        if self._tracker is not None:
            self._tracker.log(record)

    def _prepare_data(self) -> dict[str, PreparedCorpus]:
        out: dict[str, PreparedCorpus] = {}
        for spec in self.cfg.training_corpora():
            pc = prepare_corpus(spec, roles=("train", "dev"))
            if not pc.examples("train"):
                raise ModelError(f"corpus {pc.name!r} has no training sentences")
            for note in pc.notes:
                self._note(note)
            dev = pc.examples("dev")
            n = self.cfg.trainer.dev_subsample
            if n is not None and len(dev) > n:
                pc.splits["dev"] = subsample_examples(dev, n, self.cfg.seed)
                self._note(
                    f"{pc.name} dev: model selection on a seeded subsample of {n} of "
                    f"{len(dev)} sentences"
                )
            out[pc.name] = pc
        return out

    def _device(self) -> torch.device:
        if self.cfg.trainer.device:
            return torch.device(self.cfg.trainer.device)
        if torch.cuda.is_available():
            return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        return torch.device("cpu")

    def _note(self, text: str) -> None:
        self.notes.append(text)
        self._log(text)

    # ---------------------------------------------------------------- run
    def run(self, resume: bool = True) -> TrainResult:
        cfg = self.cfg
        self.dist = Dist.setup()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.dist.main:
            (self.run_dir / "config.yaml").write_text(cfg.to_yaml(), encoding="utf-8")
        self.threads = resolve_threads(cfg.num_threads)
        torch.set_num_threads(self.threads)
        seed_everything(cfg.seed)
        state = load_checkpoint(self.ckpt_dir) if resume else None
        if state is not None and self.dist.active and not state.get("finished"):
            own = load_checkpoint(self.ckpt_dir, self.dist.rank_state_name())
            if own is not None:  # this process's sampler, streams and RNG states
                state = {**state, **own}
        if not resume and self.dist.main and (self.run_dir / "metrics.jsonl").exists():
            (self.run_dir / "metrics.jsonl").unlink()
        if state is not None and state.get("finished"):
            self._log("run already finished; nothing to resume")
            return TrainResult(
                self.run_dir,
                self.model_dir,
                int(state["total_steps"]),
                int(state["best_step"]),
                float(state["best_score"]),
                list(state["history"]),
                bool(state.get("stopped_early", False)),
                self.notes,
            )
        self._log(
            f"{'resuming' if state else 'starting'} run in {self.run_dir} "
            f"(mode {cfg.mode}, seed {cfg.seed}, {self.threads} torch threads)"
        )
        data = self._prepare_data()
        model = build_model(cfg, list(data.values()))
        self.model = model
        model.to(self._device())
        model.train()
        if cfg.optimizer.freeze_embeddings:
            n = freeze_word_embeddings(model)
            self._log(f"word embeddings frozen ({n} parameters not trained)")
        if self.dist.active:
            self.dist.broadcast_model(model)
            torch.manual_seed(cfg.seed + 7919 * self.dist.rank)  # own dropout masks
            self._log(f"data-parallel training over {self.dist.world} processes")
        if cfg.mlflow.enabled and self.dist.main:
            from mosaicner.training.tracking import MLflowTracker

            self._tracker = MLflowTracker(cfg, self.run_dir, resume=state is not None)

        # pre-tokenise each training sentence once: lengths for the token budget
        t0 = time.time()
        lengths = {
            name: [
                enc.padded_length(model.encoder.num_special)
                for enc in model.encoder.encode_batch([ex.words for ex in pc.examples("train")])
            ]
            for name, pc in data.items()
        }
        self._log(f"pre-tokenised training sentences in {time.time() - t0:.1f}s")

        phases = plan_phases(cfg)
        phase_idx = int(state["phase"]) if state else 0
        history: list[dict[str, Any]] = list(state["history"]) if state else []
        total_steps = int(state["total_steps"]) if state else 0
        stopped_early = bool(state.get("stopped_early", False)) if state else False
        if state is not None:
            model.load_state_dict(state["model"])
        result_best = (float(state["best_score"]), int(state["best_step"])) if state else (-1, 0)
        try:
            while phase_idx < len(phases):
                phase = phases[phase_idx]
                phase_state = state if state and int(state["phase"]) == phase_idx else None
                stopped_early, result_best, total_steps = self._run_phase(
                    phase, phase_idx, model, data, lengths, phase_state, history, total_steps
                )
                state = None
                phase_idx += 1
            if self.dist.main and not self.model_dir.is_dir():  # no selection (no dev set)
                self._save_model(model, data, total_steps, None)
            self.dist.barrier()
            if not self.dist.main:
                return TrainResult(self.run_dir, self.model_dir, total_steps, 0, 0.0, history)
            save_checkpoint(
                self.ckpt_dir,
                {
                    "finished": True,
                    "phase": len(phases),
                    "history": history,
                    "total_steps": total_steps,
                    "best_score": result_best[0],
                    "best_step": result_best[1],
                    "stopped_early": stopped_early,
                    "model": {},
                },
            )
        finally:
            if self._tracker is not None:
                self._tracker.close()
        return TrainResult(
            self.run_dir,
            self.model_dir,
            total_steps,
            result_best[1],
            result_best[0],
            history,
            stopped_early,
            self.notes,
        )

    def best_dir(self, corpus: str) -> Path:
        """Where ``keep_best_per_corpus`` keeps the snapshot selected on ``corpus``'s dev F1."""
        return self.run_dir / "best" / corpus

    def _save_model(
        self,
        model: Any,
        data: dict[str, PreparedCorpus],
        step: int,
        dev: dict[str, Any] | None,
        target: Path | None = None,
        selected_on: str | None = None,
    ) -> None:
        cfg = self.cfg
        target = target or self.model_dir
        metadata = {
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
            "num_threads": self.threads,
            "notes": self.notes,
        }
        import shutil

        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        model.save(tmp, metadata=metadata, label_maps={n: pc.label_map for n, pc in data.items()})
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)

    def _evaluate_dev(
        self, model: Any, data: dict[str, PreparedCorpus], corpora: Sequence[str]
    ) -> dict[str, Any]:
        per: dict[str, float] = {}
        for name in corpora:
            pc = data[name]
            dev = pc.examples("dev")
            if not dev:
                continue
            per[name] = quick_f1(model, dev, pc.labels, self.cfg.batching.eval_max_words)["f1"]
        macro = float(np.mean(list(per.values()))) if per else float("nan")
        return {"per_corpus": per, "macro": macro}

    def _run_phase(
        self,
        phase: Phase,
        phase_idx: int,
        model: Any,
        data: dict[str, PreparedCorpus],
        lengths: dict[str, list[int]],
        state: dict[str, Any] | None,
        history: list[dict[str, Any]],
        total_steps: int,
    ) -> tuple[bool, tuple[float, int], int]:
        cfg = self.cfg
        bcfg = cfg.batching
        sizes = {k: len(data[k].examples("train")) for k in phase.corpora}
        rank_seed = 7919 * self.dist.rank
        sampler = CorpusSampler(
            sizes,
            cfg.sampler.kind,
            cfg.sampler.temperature,
            seed=cfg.seed + 1000 * phase_idx + rank_seed,
        )
        streams = {
            k: BatchStream(
                lengths[k],
                bcfg.max_tokens,
                bcfg.max_sentences,
                bcfg.bucket_size,
                seed=cfg.seed + 17 * (i + 1) + 1000 * phase_idx + rank_seed,
            )
            for i, k in enumerate(phase.corpora)
        }
        for k, s in streams.items():
            if s.oversized:
                self._note(f"{k}: {s.oversized} sentences exceed the token budget alone")
        groups = param_groups(model, cfg)
        optimizer = make_optimizer(groups, cfg.optimizer.eps)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lr_lambda(phase.steps, cfg.optimizer.warmup_ratio, cfg.optimizer.schedule),
        )
        step = 0
        best_score, best_step, bad_evals = -math.inf, 0, 0
        per_corpus = cfg.trainer.keep_best_per_corpus and phase.select
        corpus_best: dict[str, list[float]] = {}  # corpus -> [dev F1, step]
        if state is not None:
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            sampler.load_state_dict(state["sampler"])
            for k, s in streams.items():
                s.load_state_dict(state["streams"][k])
            step = int(state["step"])
            best_score, best_step = float(state["best_score"]), int(state["best_step"])
            bad_evals = int(state["bad_evals"])
            corpus_best = {k: list(v) for k, v in state.get("corpus_best", {}).items()}
            set_rng_state(state["rng"])
            self._log(f"phase {phase.name}: resumed at step {step}")
        else:
            self._log(
                f"phase {phase.name}: {phase.steps} steps on {', '.join(phase.corpora)}; "
                f"sampler {cfg.sampler.kind} "
                + ", ".join(f"{k}={p:.3f}" for k, p in sampler.probabilities.items())
            )
        eval_every = cfg.trainer.eval_every
        ckpt_every = cfg.trainer.checkpoint_every or eval_every
        stopped_early = False
        running: dict[str, list[float]] = {}
        t_start = time.time()
        tokens_seen = 0
        progress = _make_progress(self.progress)
        with progress:
            task = progress.add_task(f"train [{phase.name}]", total=phase.steps, completed=step)
            while step < phase.steps:
                optimizer.zero_grad(set_to_none=True)
                for _ in range(cfg.optimizer.accumulation):
                    name = sampler()
                    idx = streams[name].next()
                    batch: list[SentenceExample] = [data[name].splits["train"][i] for i in idx]
                    tokens_seen += sum(lengths[name][i] for i in idx)
                    loss, _ = model.loss(batch)
                    (loss / cfg.optimizer.accumulation).backward()
                    running.setdefault(name, []).append(float(loss.detach()))
                self.dist.average_gradients(model)
                if cfg.optimizer.max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optimizer.max_grad_norm)
                optimizer.step()
                scheduler.step()
                step += 1
                total_steps += 1
                progress.update(task, advance=1)
                if step % cfg.trainer.log_every == 0 or step == phase.steps:
                    rec = {
                        "event": "train",
                        "phase": phase.name,
                        "step": step,
                        "loss": {k: float(np.mean(v)) for k, v in running.items()},
                        "lr": {g["name"]: g["lr"] for g in optimizer.param_groups},
                        "subword_tokens_per_s": tokens_seen / max(1e-9, time.time() - t_start),
                    }
                    self._metric(rec)
                    running = {}
                if self.on_step is not None:
                    self.on_step(step, {"phase": phase.name, "corpus": name})
                do_eval = step % eval_every == 0 or step == phase.steps
                if do_eval and self.dist.main:
                    dev = self._evaluate_dev(model, data, phase.corpora)
                    score = (
                        dev["macro"]
                        if phase.selection == "macro"
                        else dev["per_corpus"].get(phase.selection, float("nan"))
                    )
                    improved = phase.select and not math.isnan(score) and score > best_score
                    if improved:
                        best_score, best_step = score, step
                        self._save_model(model, data, total_steps, dev)
                    improved_corpora: list[str] = []
                    if per_corpus:
                        for c, v in dev["per_corpus"].items():
                            if not math.isnan(v) and v > corpus_best.get(c, [-math.inf, 0])[0]:
                                corpus_best[c] = [v, step]
                                improved_corpora.append(c)
                                self._save_model(
                                    model, data, total_steps, dev, self.best_dir(c), c
                                )
                    if improved or improved_corpora:
                        bad_evals = 0
                    elif phase.select:
                        bad_evals += 1
                    rec = {
                        "event": "dev",
                        "phase": phase.name,
                        "step": step,
                        "f1": dev["per_corpus"],
                        "macro_f1": dev["macro"],
                        "selection": phase.selection,
                        "improved": improved,
                    }
                    if per_corpus:
                        rec["improved_corpora"] = improved_corpora
                    history.append(rec)
                    self._metric(rec)
                    progress.update(
                        task,
                        description=f"train [{phase.name}] dev {phase.selection} F1 "
                        f"{100 * score:.1f} (best {100 * max(best_score, 0):.1f})",
                    )
                    self._log(
                        f"step {step}: dev F1 "
                        + ", ".join(f"{k} {100 * v:.2f}" for k, v in dev["per_corpus"].items())
                        + f", macro {100 * dev['macro']:.2f}"
                        + (" (best)" if improved else "")
                    )
                    patience = cfg.trainer.patience
                    if phase.select and patience is not None and bad_evals >= patience:
                        stopped_early = True
                        self._log(f"early stop at step {step}: {patience} evaluations without gain")
                if do_eval:
                    stopped_early = self.dist.broadcast_flag(stopped_early)
                if do_eval or step % ckpt_every == 0 or stopped_early:
                    if not self.dist.main:
                        save_checkpoint(
                            self.ckpt_dir,
                            {
                                "sampler": sampler.state_dict(),
                                "streams": {k: s.state_dict() for k, s in streams.items()},
                            },
                            name=self.dist.rank_state_name(),
                        )
                    else:
                        save_checkpoint(
                            self.ckpt_dir,
                            {
                                "phase": phase_idx,
                                "step": step if not stopped_early else phase.steps,
                                "model": model.state_dict(),
                                "optimizer": optimizer.state_dict(),
                                "scheduler": scheduler.state_dict(),
                                "sampler": sampler.state_dict(),
                                "streams": {k: s.state_dict() for k, s in streams.items()},
                                "best_score": best_score,
                                "best_step": best_step,
                                "bad_evals": bad_evals,
                                "corpus_best": corpus_best,
                                "history": history,
                                "total_steps": total_steps,
                                "stopped_early": stopped_early,
                            },
                        )
                    self.dist.barrier()
                if stopped_early:
                    break
        if phase.select and best_step:
            self._log(
                f"phase {phase.name}: best dev {phase.selection} F1 {100 * best_score:.2f} "
                f"at step {best_step}"
            )
        return stopped_early, (best_score, best_step), total_steps


def _make_progress(enabled: bool) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


__all__ = [
    "Phase",
    "TrainResult",
    "Trainer",
    "build_model",
    "load_encoder_weights",
    "lr_lambda",
    "param_groups",
    "plan_phases",
]
