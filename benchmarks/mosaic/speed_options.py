"""What pays for training speed on CPU: freezing lower encoder layers, caching their outputs,
packing sentences (issue 10, item 4).

    MOSAICNER_DATA=../shared/corpora HF_HUB_OFFLINE=1 PYTHONPATH=src \
        python benchmarks/mosaic/speed_options.py mosaic-quick --threads 2 --rounds 4 --steps 15

Three systems train on the same batches of the recipe (same corpora, sampler, token budget),
in interleaved rounds (A B C, A B C, ...) in one process, so machine load hits all alike:

* ``A recipe`` — the recipe as it is (word embeddings frozen, every layer trained);
* ``B freeze-k`` — embeddings and the lower ``k`` transformer layers frozen (no gradient, no
  backward through them);
* ``C freeze-k + cache`` — as B, and the lower ``k`` layers' outputs are served from a cache
  (filled beforehand for exactly these batches), so only the upper layers run: the time of a
  cache *hit*.  A miss costs what a B step costs (the lower layers must run once).

Whether a cache pays depends on how often a training sentence comes back: the script replays
the recipe's own sampler and batch streams for ``max_steps`` and counts sentence visits and
distinct sentences per corpus; the expected C step over the whole run is
``miss_share * B + (1 - miss_share) * C_hit``.  The same replay gives the padding share of the
length-bucketed batches: the most that packing sentences into full rows could save.

Writes ``results/speed_options_RECIPE.json`` (every step time, the replay counts, load averages,
the command) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mosaicner.data.batching import BatchStream
from mosaicner.store import recipe_path
from mosaicner.training.build import build_model, freeze_word_embeddings, subword_lengths
from mosaicner.training.config import load_config
from mosaicner.training.data import prepare_corpus
from mosaicner.training.optim import make_optimizer, param_groups
from mosaicner.training.sampling import CorpusSampler

HERE = Path(__file__).resolve().parent


class _Served(nn.Module):
    """Stands in for the lowest frozen layer: returns the cached output of the frozen stack."""

    def __init__(self) -> None:
        super().__init__()
        self.cached: torch.Tensor | None = None

    def forward(self, hidden_states: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        assert self.cached is not None and self.cached.shape == hidden_states.shape
        return self.cached


class _Pass(nn.Module):
    def forward(self, hidden_states: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return hidden_states


def replay(cfg: Any, lengths: dict[str, list[int]]) -> dict[str, Any]:
    """The recipe's batch sequence (same seeds as training phase 0): visits, padding."""
    bcfg = cfg.batching
    seed = cfg.seed
    names = list(lengths)
    sampler = CorpusSampler(
        {k: len(v) for k, v in lengths.items()},
        cfg.sampler.kind,
        cfg.sampler.temperature,
        seed=seed,
    )
    streams = {
        k: BatchStream(
            lengths[k],
            bcfg.max_tokens,
            bcfg.max_sentences,
            bcfg.bucket_size,
            seed=seed + 17 * (i + 1),
        )
        for i, k in enumerate(names)
    }
    visits: Counter[str] = Counter()
    seen: dict[str, set[int]] = {k: set() for k in names}
    padded = real = 0
    sequence: list[tuple[str, list[int]]] = []
    for _ in range(cfg.trainer.max_steps):
        k = sampler()
        batch = streams[k].next()
        sequence.append((k, batch))
        visits[k] += len(batch)
        seen[k].update(batch)
        longest = max(lengths[k][i] for i in batch)
        padded += longest * len(batch)
        real += sum(lengths[k][i] for i in batch)
    distinct = {k: len(v) for k, v in seen.items()}
    total_visits = sum(visits.values())
    return {
        "steps": cfg.trainer.max_steps,
        "visits": dict(visits),
        "distinct": distinct,
        "corpus_sentences": {k: len(v) for k, v in lengths.items()},
        "miss_share": sum(distinct.values()) / max(total_visits, 1),
        "padded_subwords": padded,
        "real_subwords": real,
        "padding_share": 1 - real / max(padded, 1),
        "sequence": sequence,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe")
    ap.add_argument("--freeze", type=int, default=3, help="lower layers frozen in B and C")
    ap.add_argument("--steps", type=int, default=15, help="steps per system and round")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--replay-only",
        action="store_true",
        help="only replay the recipe's batches: visits, cache miss share, padding (no timing)",
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = load_config(recipe_path(args.recipe))
    pcs = [prepare_corpus(spec, roles=("train",)) for spec in cfg.training_corpora()]
    data = {pc.name: pc for pc in pcs}

    def fresh(freeze: int) -> Any:
        torch.manual_seed(0)
        c = cfg.model_copy(
            update={"encoder": cfg.encoder.model_copy(update={"freeze_layers": freeze})}
        )
        m = build_model(c, pcs)
        m.train()
        freeze_word_embeddings(m)
        return m

    model_a = fresh(0)
    lengths = subword_lengths(model_a, data)
    plan = replay(cfg, lengths)
    if args.replay_only:
        plan.pop("sequence")
        plan["command"] = "python " + " ".join(sys.argv)
        out = HERE / "results" / f"speed_options_replay_{args.recipe}.json"
        out.write_text(json.dumps(plan, indent=1), encoding="utf-8")
        print(
            f"{args.recipe}: {plan['steps']} steps, {sum(plan['visits'].values())} sentence "
            f"visits, {sum(plan['distinct'].values())} distinct (cache miss share "
            f"{plan['miss_share']:.2f}); padding {100 * plan['padding_share']:.1f}%"
        )
        return
    model_b, model_c = fresh(args.freeze), fresh(args.freeze)
    n_timed = args.steps * args.rounds + 1
    sequence = plan.pop("sequence")[:n_timed]
    batches = [[data[k].examples("train")[i] for i in b] for k, b in sequence]
    tokens = [sum(lengths[k][i] for i in b) for k, b in sequence]

    # fill the cache of C: the frozen stack's output for exactly these batches (eval mode: a
    # cached frozen stack runs without dropout)
    stack = model_b.encoder.transformer.encoder.layer
    captured: list[torch.Tensor] = []
    hook = stack[args.freeze - 1].register_forward_hook(
        lambda _m, _i, out: captured.append((out[0] if isinstance(out, tuple) else out).detach())
    )
    model_b.eval()
    t0 = time.perf_counter()
    with torch.inference_mode():
        for b in batches:
            model_b.encoder(model_b.encoder.encode_batch([ex.words for ex in b]))
    fill_s = time.perf_counter() - t0
    hook.remove()
    model_b.train()
    cache = [t.clone() for t in captured]
    layers_c = model_c.encoder.transformer.encoder.layer
    served = _Served()
    layers_c[0] = served
    for j in range(1, args.freeze):
        layers_c[j] = _Pass()

    systems: dict[str, Any] = {
        "A recipe": model_a,
        f"B freeze-{args.freeze}": model_b,
        f"C freeze-{args.freeze} + cache (hit)": model_c,
    }
    opts = {n: make_optimizer(param_groups(m, cfg), 1e-6) for n, m in systems.items()}

    def step(name: str, k: int) -> None:
        model = systems[name]
        if model is model_c:
            served.cached = cache[k]
        opt = opts[name]
        opt.zero_grad(set_to_none=True)
        loss, _ = model.loss(batches[k])
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        opt.step()

    for name in systems:  # warm-up
        step(name, 0)
    times: dict[str, list[float]] = {n: [] for n in systems}
    load_start = os.getloadavg()
    for r in range(args.rounds):
        ks = range(1 + r * args.steps, 1 + (r + 1) * args.steps)
        for name in systems:
            for k in ks:
                t0 = time.perf_counter()
                step(name, k)
                times[name].append(time.perf_counter() - t0)
    load_end = os.getloadavg()
    timed_tokens = sum(tokens[1:n_timed])
    med = {n: statistics.median(v) for n, v in times.items()}
    tps = {n: timed_tokens / sum(v) for n, v in times.items()}
    a_name, b_name, c_name = list(systems)
    miss = plan["miss_share"]
    expected_c = miss * sum(times[b_name]) + (1 - miss) * sum(times[c_name])
    result = {
        "recipe": args.recipe,
        "freeze_layers": args.freeze,
        "threads": args.threads,
        "rounds": args.rounds,
        "steps_per_round": args.steps,
        "order": "A, B, C in each round, steps_per_round each, the same batches",
        "median_step_s": med,
        "subword_tokens_per_s": tps,
        "speedup_vs_A": {n: tps[n] / tps[a_name] for n in systems},
        "expected_C_over_run_speedup_vs_A": sum(times[a_name]) / expected_c,
        "cache_fill_seconds": fill_s,
        "cache_megabytes_for_timed_batches": sum(t.numel() * 4 for t in cache) / 2**20,
        "replay": plan,
        "step_s": {n: [round(t, 4) for t in v] for n, v in times.items()},
        "load_average_at_start": load_start,
        "load_average_at_end": load_end,
        "command": "python " + " ".join(sys.argv),
        "cpus": os.cpu_count(),
    }
    out = HERE / "results" / f"speed_options_{args.recipe}.json"
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"load average {load_start[0]:.2f} -> {load_end[0]:.2f}; {args.threads} threads")
    print("| system | median step (s) | subword tokens/s | vs A |")
    print("|---|---:|---:|---:|")
    for n in systems:
        print(f"| {n} | {med[n]:.3f} | {tps[n]:.0f} | {result['speedup_vs_A'][n]:.2f} |")
    print(
        f"replay of {plan['steps']} steps: {sum(plan['visits'].values())} sentence visits, "
        f"{sum(plan['distinct'].values())} distinct (cache miss share {miss:.2f}); "
        f"expected C over the run vs A: {result['expected_C_over_run_speedup_vs_A']:.2f}"
    )
    print(
        f"padding: {100 * plan['padding_share']:.1f}% of the {plan['padded_subwords']} padded "
        "subword positions (the most packing could save)"
    )
    print(
        "per corpus visits/distinct/sentences: "
        + ", ".join(
            f"{k} {plan['visits'].get(k, 0)}/{plan['distinct'][k]}/{plan['corpus_sentences'][k]}"
            for k in plan["distinct"]
        )
    )


if __name__ == "__main__":
    main()
