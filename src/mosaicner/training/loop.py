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
``model/``, and a resumable checkpoint is written to ``checkpoints/last.safetensors``.  With
``trainer.keep_best_per_corpus`` every corpus also keeps the model of its own best dev round in
``best/CORPUS/`` (the per-head selection of Akdemir & Shibuya), and patience resets whenever any
corpus improves.  Training stops at ``max_steps`` or when ``patience`` evaluations pass without
improvement.

Modes are phases of this loop (:mod:`~mosaicner.training.phases`).  The other parts live next
door: :mod:`~mosaicner.training.threads` (torch threads),
:mod:`~mosaicner.training.build` (model), :mod:`~mosaicner.training.optim` (optimizer and
schedule), :mod:`~mosaicner.training.selection` (best dev round, patience),
:mod:`~mosaicner.training.checkpoint` (resume), :mod:`~mosaicner.training.snapshot` (model
folders) and :mod:`~mosaicner.training.runlog` (``train.log``, ``metrics.jsonl``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mosaicner.data.context import context_keys
from mosaicner.training.build import (
    build_model,
    default_device,
    freeze_word_embeddings,
    subword_lengths,
)
from mosaicner.training.checkpoint import (
    load_checkpoint,
    save_checkpoint,
    seed_everything,
    set_rng_state,
)
from mosaicner.training.config import TrainConfig
from mosaicner.training.data import PreparedCorpus, prepare_training_data
from mosaicner.training.distributed import Dist
from mosaicner.training.evaluate import dev_scores
from mosaicner.training.phases import Phase, PhaseRun, plan_phases, start_phase
from mosaicner.training.runlog import RunLog, progress_bar
from mosaicner.training.snapshot import model_metadata, save_snapshot
from mosaicner.training.threads import resolve_threads

StepHook = Callable[[int, dict[str, Any]], None]


@dataclass
class TrainResult:
    """What :meth:`Trainer.run` returns: where the model is and how selection went."""

    run_dir: Path
    model_dir: Path
    steps: int
    best_step: int
    best_score: float
    history: list[dict[str, Any]] = field(default_factory=list)
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)


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
        self.runlog = RunLog(self.run_dir)
        self.notes = self.runlog.notes
        self.model: Any = None
        self.dist = Dist()
        self.threads = 1
        self.history: list[dict[str, Any]] = []
        self.total_steps = 0

    def best_dir(self, corpus: str) -> Path:
        """Where ``keep_best_per_corpus`` keeps the snapshot selected on ``corpus``'s dev F1."""
        return self.run_dir / "best" / corpus

    # ---------------------------------------------------------------- run
    def run(self, resume: bool = True) -> TrainResult:
        """Train (or continue a killed run when ``resume``) and return where the model is."""
        cfg = self.cfg
        self.dist = Dist.setup()
        self.runlog.main = self.dist.main
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.dist.main:
            (self.run_dir / "config.yaml").write_text(cfg.to_yaml(), encoding="utf-8")
        self.threads = resolve_threads(cfg.num_threads)
        torch.set_num_threads(self.threads)
        seed_everything(cfg.seed)
        state = self._resume_state() if resume else None
        if state is None:
            self.runlog.clear_metrics()
        elif state.get("finished"):
            self.runlog.log("run already finished; nothing to resume")
            return self._result(state)
        phases = plan_phases(cfg)
        if state is not None:  # records after the checkpoint are written again
            self.runlog.drop_after(
                int(state["phase"]), int(state["step"]), [p.name for p in phases]
            )
        self.runlog.log(
            f"{'resuming' if state else 'starting'} run in {self.run_dir} "
            f"(mode {cfg.mode}, seed {cfg.seed}, {self.threads} torch threads)"
        )
        data = prepare_training_data(cfg, self.runlog.note)
        model = self._setup_model(data, resume=state is not None)
        t0 = time.time()
        lengths = subword_lengths(model, data)
        self.runlog.log(f"pre-tokenised training sentences in {time.time() - t0:.1f}s")
        self.history = list(state["history"]) if state else []
        self.total_steps = int(state["total_steps"]) if state else 0
        if state is not None:
            model.load_state_dict(state["model"])
        try:
            return self._run_phases(model, data, lengths, phases, state)
        finally:
            if self.runlog.tracker is not None:
                self.runlog.tracker.close()

    def _run_phases(
        self,
        model: Any,
        data: dict[str, PreparedCorpus],
        lengths: dict[str, list[int]],
        phases: list[Phase],
        state: dict[str, Any] | None,
    ) -> TrainResult:
        stopped_early = bool(state.get("stopped_early", False)) if state else False
        best = (float(state["best_score"]), int(state["best_step"])) if state else (-1.0, 0)
        for idx in range(int(state["phase"]) if state else 0, len(phases)):
            own = state if state and int(state["phase"]) == idx else None
            stopped_early, best = self._run_phase(phases[idx], idx, model, data, lengths, own)
        if self.dist.main and not self.model_dir.is_dir():  # no selection (no dev set)
            self._save_model(model, data, None)
        self.dist.barrier()
        if not self.dist.main:
            return TrainResult(self.run_dir, self.model_dir, self.total_steps, 0, 0.0, self.history)
        final = {
            "finished": True,
            "phase": len(phases),
            "history": self.history,
            "total_steps": self.total_steps,
            "best_score": best[0],
            "best_step": best[1],
            "stopped_early": stopped_early,
            "model": {},
        }
        save_checkpoint(self.ckpt_dir, final)
        return self._result(final)

    def _result(self, state: Mapping[str, Any]) -> TrainResult:
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

    # ---------------------------------------------------------------- setup
    def _resume_state(self) -> dict[str, Any] | None:
        state = load_checkpoint(self.ckpt_dir)
        if state is not None and self.dist.active and not state.get("finished"):
            own = load_checkpoint(self.ckpt_dir, self.dist.rank_state_name())
            if own is not None:  # this process's sampler, streams and RNG states
                state = {**state, **own}
        return state

    def _setup_model(self, data: dict[str, PreparedCorpus], *, resume: bool) -> Any:
        cfg = self.cfg
        model = build_model(cfg, list(data.values()))
        self.model = model
        model.to(default_device(cfg))
        model.train()
        if cfg.optimizer.freeze_embeddings:
            n = freeze_word_embeddings(model)
            self.runlog.log(f"word embeddings frozen ({n} parameters not trained)")
        if self.dist.active:
            self.dist.broadcast_model(model)
            torch.manual_seed(cfg.seed + 7919 * self.dist.rank)  # own dropout masks
            self.runlog.log(f"data-parallel training over {self.dist.world} processes")
        if cfg.mlflow.enabled and self.dist.main:
            from mosaicner.training.tracking import MLflowTracker

            self.runlog.tracker = MLflowTracker(cfg, self.run_dir, resume=resume)
        return model

    def _save_model(
        self,
        model: Any,
        data: dict[str, PreparedCorpus],
        dev: dict[str, Any] | None,
        target: Path | None = None,
        selected_on: str | None = None,
    ) -> None:
        meta = model_metadata(
            self.cfg,
            data,
            self.total_steps,
            dev,
            threads=self.threads,
            notes=self.notes,
            selected_on=selected_on,
        )
        save_snapshot(model, target or self.model_dir, meta, data)

    # ---------------------------------------------------------------- one phase
    def _run_phase(
        self,
        phase: Phase,
        idx: int,
        model: Any,
        data: dict[str, PreparedCorpus],
        lengths: dict[str, list[int]],
        state: dict[str, Any] | None,
    ) -> tuple[bool, tuple[float, int]]:
        cfg = self.cfg
        sizes = {k: len(data[k].examples("train")) for k in phase.corpora}
        # sentences packed into shared document windows are batched together
        keys = {k: context_keys(data[k].examples("train")) for k in phase.corpora}
        run = start_phase(cfg, phase, idx, model, lengths, sizes, self.dist.rank, keys)
        for k, s in run.streams.items():
            if s.oversized:
                self.runlog.note(f"{k}: {s.oversized} sentences exceed the token budget alone")
        if state is not None:
            run.load_state_dict(state)
            set_rng_state(state["rng"])
            self.runlog.log(f"phase {phase.name}: resumed at step {run.step}")
        else:
            self.runlog.log(
                f"phase {phase.name}: {phase.steps} steps on {', '.join(phase.corpora)}; "
                f"sampler {cfg.sampler.kind} "
                + ", ".join(f"{k}={p:.3f}" for k, p in run.sampler.probabilities.items())
            )
        sel = run.selection
        eval_every = cfg.trainer.eval_every
        ckpt_every = cfg.trainer.checkpoint_every or eval_every
        stopped_early = False
        running: dict[str, list[float]] = {}
        t_start, tokens = time.time(), 0
        with progress_bar(self.progress) as bar:
            task = bar.add_task(f"train [{phase.name}]", total=phase.steps, completed=run.step)
            while run.step < phase.steps:
                name, n_tokens = self._train_step(run, model, data, lengths, running)
                tokens += n_tokens
                bar.update(task, advance=1)
                if run.step % cfg.trainer.log_every == 0 or run.step == phase.steps:
                    self.runlog.metric(
                        {
                            "event": "train",
                            "phase": phase.name,
                            "step": run.step,
                            "loss": {k: float(np.mean(v)) for k, v in running.items()},
                            "lr": {g["name"]: g["lr"] for g in run.optimizer.param_groups},
                            "subword_tokens_per_s": tokens / max(1e-9, time.time() - t_start),
                        }
                    )
                    running = {}
                if self.on_step is not None:
                    self.on_step(run.step, {"phase": phase.name, "corpus": name})
                do_eval = run.step % eval_every == 0 or run.step == phase.steps
                if do_eval and self.dist.main:
                    stopped_early = self._evaluate(run, model, data, bar, task)
                if do_eval:
                    stopped_early = self.dist.broadcast_flag(stopped_early)
                if do_eval or run.step % ckpt_every == 0 or stopped_early:
                    self._checkpoint(run, model, stopped_early)
                if stopped_early:
                    break
        if phase.select and sel.best_step:
            self.runlog.log(
                f"phase {phase.name}: best dev {phase.selection} F1 {100 * sel.best_score:.2f} "
                f"at step {sel.best_step}"
            )
        return stopped_early, (sel.best_score, sel.best_step)

    def _train_step(
        self,
        run: PhaseRun,
        model: Any,
        data: dict[str, PreparedCorpus],
        lengths: dict[str, list[int]],
        running: dict[str, list[float]],
    ) -> tuple[str, int]:
        """One optimizer step; returns the last corpus sampled and the subword tokens seen."""
        opt = self.cfg.optimizer
        run.optimizer.zero_grad(set_to_none=True)
        tokens = 0
        name = ""
        for _ in range(opt.accumulation):
            name = run.sampler()
            idx = run.streams[name].next()
            batch = [data[name].splits["train"][i] for i in idx]
            tokens += sum(lengths[name][i] for i in idx)
            loss, _ = model.loss(batch)
            (loss / opt.accumulation).backward()
            running.setdefault(name, []).append(float(loss.detach()))
        self.dist.average_gradients(model)
        if opt.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), opt.max_grad_norm)
        run.optimizer.step()
        run.scheduler.step()
        run.step += 1
        self.total_steps += 1
        return name, tokens

    def _evaluate(
        self, run: PhaseRun, model: Any, data: dict[str, PreparedCorpus], bar: Any, task: Any
    ) -> bool:
        """Score the dev sets, save improved models, log; returns whether to stop early."""
        phase, sel = run.phase, run.selection
        dev = dev_scores(model, data, phase.corpora, self.cfg.batching.eval_max_words)
        verdict = sel.update(dev, run.step)
        if verdict.improved:
            self._save_model(model, data, dev)
        for c in verdict.improved_corpora:
            self._save_model(model, data, dev, self.best_dir(c), c)
        rec: dict[str, Any] = {
            "event": "dev",
            "phase": phase.name,
            "step": run.step,
            "f1": dev["per_corpus"],
            "macro_f1": dev["macro"],
            "selection": phase.selection,
            "improved": verdict.improved,
        }
        if sel.per_corpus:
            rec["improved_corpora"] = verdict.improved_corpora
        self.history.append(rec)
        self.runlog.metric(rec)
        bar.update(
            task,
            description=f"train [{phase.name}] dev {phase.selection} F1 "
            f"{100 * verdict.score:.1f} (best {100 * max(sel.best_score, 0):.1f})",
        )
        self.runlog.log(
            f"step {run.step}: dev F1 "
            + ", ".join(f"{k} {100 * v:.2f}" for k, v in dev["per_corpus"].items())
            + f", macro {100 * dev['macro']:.2f}"
            + (" (best)" if verdict.improved else "")
        )
        if verdict.stop:
            self.runlog.log(
                f"early stop at step {run.step}: {sel.patience} evaluations without gain"
            )
        return verdict.stop

    def _checkpoint(self, run: PhaseRun, model: Any, stopped_early: bool) -> None:
        """Process 0 saves everything; the others their own sampler, streams and RNG states."""
        if not self.dist.main:
            save_checkpoint(self.ckpt_dir, run.data_state(), name=self.dist.rank_state_name())
        else:
            state = run.state_dict()
            if stopped_early:
                state["step"] = run.phase.steps
            state.update(
                model=model.state_dict(),
                history=self.history,
                total_steps=self.total_steps,
                stopped_early=stopped_early,
            )
            save_checkpoint(self.ckpt_dir, state)
        self.dist.barrier()


__all__ = ["StepHook", "TrainResult", "Trainer"]
