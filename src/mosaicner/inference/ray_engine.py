"""Corpus-scale tagging with Ray Data (``mosaicner tag --engine ray --num-workers N``).

Pipeline: a dataset of input shards (files) → ``flat_map`` reads each shard into document
records (skipping documents an earlier run finished) → ``map_batches`` with a stateful class,
:class:`TaggerWorker`, that loads the :class:`~.tagger.Tagger` once per actor; ``num_workers``
actors run at a time → the driver writes each returned batch as an atomic chunk of the same
parts folder as the local engine (:mod:`.batch`), so runs are resumable, may switch engines,
and a document is written exactly once.  Documents travel as JSON strings (lossless, Arrow
friendly).

``ray.init`` is called when Ray is not running yet: it joins the cluster named by
``RAY_ADDRESS`` if that is set, else starts a local one.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mosaicner.errors import ConfigError
from mosaicner.inference.batch import RunSummary, finish_run, prepare_run, tag_block
from mosaicner.inference.inputs import (
    InputSpec,
    document_from_json,
    document_to_json,
    iter_shard,
    make_key,
)
from mosaicner.inference.tagger import Tagger, TaggingStats

READ_CPUS = 0.1  # the shard readers are light; leave the CPUs to the tagging actors


class ShardReader:
    """``flat_map`` function: one shard row → its not-yet-done documents as records."""

    def __init__(self, spec: InputSpec, done: Iterable[int]) -> None:
        self.spec = spec
        self.done = frozenset(done)

    def __call__(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        shard = int(row["shard"])
        out = []
        for index, doc in iter_shard(self.spec, Path(str(row["path"]))):
            key = make_key(shard, index)
            if key not in self.done:
                out.append({"key": key, "doc": json.dumps(document_to_json(doc))})
        return out


class TaggerWorker:
    """``map_batches`` class: loads the tagger once per Ray actor and tags batches."""

    def __init__(
        self,
        model: str,
        threads: int | None,
        batch_size_tokens: int,
        quantize: bool,
        runtime: str = "torch",
        merge_policy: str | None = None,
    ) -> None:
        self.tagger = Tagger.load(
            model,
            num_threads=threads,
            batch_size_tokens=batch_size_tokens,
            quantize=quantize,
            runtime=runtime,
            merge_policy=merge_policy,
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        block = [
            (int(k), document_from_json(json.loads(s)))
            for k, s in zip(batch["key"], batch["doc"], strict=True)
        ]
        rejected: list[dict[str, str]] = []
        done = tag_block(self.tagger, block, rejected)  # bad documents fail alone, counted
        tagged = [d for _, d in done]
        stats = self.tagger.last_stats if tagged else TaggingStats()
        # left-out documents travel as rows without a document, carrying their reason
        keys = [k for k, _ in done] + [-1] * len(rejected)
        n = len(keys)
        return {
            "key": keys,
            "doc": [json.dumps(document_to_json(d)) for d in tagged] + [""] * len(rejected),
            "rejected": [""] * len(tagged) + [json.dumps(r) for r in rejected],
            "sentences": [len(d.sentences) for d in tagged] + [0] * len(rejected),
            "entities": [len(d.layer(self.tagger.layer)) for d in tagged] + [0] * len(rejected),
            # per-batch counters, repeated on the first row only
            "windowed": [stats.windowed_sentences if i == 0 else 0 for i in range(n)],
            "windows": [stats.windows if i == 0 else 0 for i in range(n)],
            "overlaps_dropped": [stats.overlaps_dropped if i == 0 else 0 for i in range(n)],
            "conflicts_dropped": [stats.conflicts_dropped if i == 0 else 0 for i in range(n)],
            "worker": [os.getpid()] * n,
        }


def _ensure_ray(num_workers: int) -> Any:
    import ray

    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(include_dashboard=False, log_to_driver=False)
    return ray


def tag_corpus_ray(
    model: str,
    spec: InputSpec,
    output: Path,
    out_format: str,
    *,
    num_workers: int = 2,
    threads: int | None = None,
    batch_size_tokens: int = 1024,
    chunk_size: int = 64,
    quantize: bool = False,
    runtime: str = "torch",
    merge_policy: str | None = None,
    overwrite: bool = False,
    manifest_extra: dict[str, Any] | None = None,
    progress: bool = True,
) -> RunSummary:
    """Tag ``spec`` into ``output`` with ``num_workers`` Ray actors (resumable)."""
    if spec.path == "-":
        raise ConfigError("--engine ray cannot read standard input", hint="pass a file or folder")
    if num_workers < 1:
        raise ConfigError("--num-workers must be at least 1")
    manifest = {
        "input": str(Path(spec.path).resolve()),
        "from": spec.format,
        "to": out_format,
        "text_unit": spec.unit() if spec.format == "text" else None,
        "fingerprint": spec.fingerprint(),
        **(manifest_extra or {}),
    }
    store, done = prepare_run(output, manifest, overwrite=overwrite)
    summary = RunSummary(skipped=len(done), output=str(output))
    shards = spec.shards()
    ray = _ensure_ray(num_workers)
    from ray.data import DataContext

    logging.getLogger("ray.data").setLevel(logging.WARNING)  # our own progress bar instead
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.verbose_progress = False
    total_cpus = float(ray.cluster_resources().get("CPU", 1.0))
    worker_cpus = float(threads or 1)
    if worker_cpus * num_workers + READ_CPUS > total_cpus:
        worker_cpus = max(0.01, (total_cpus - READ_CPUS) / num_workers)
    ds = ray.data.from_items([{"shard": i, "path": str(p)} for i, p in enumerate(shards)])
    ds = ds.flat_map(ShardReader(spec, done), num_cpus=READ_CPUS)
    ds = ds.map_batches(
        TaggerWorker,
        fn_constructor_kwargs={
            "model": str(model),
            "threads": threads or 1,
            "batch_size_tokens": batch_size_tokens,
            "quantize": quantize,
            "runtime": runtime,
            "merge_policy": merge_policy,
        },
        batch_size=chunk_size,
        concurrency=num_workers,
        num_cpus=worker_cpus,
        batch_format="default",
    )
    sentences = entities = windowed = windows = 0
    merge_dropped = {"overlaps_dropped": 0, "conflicts_dropped": 0}
    workers: set[int] = set()
    bar = None
    if progress:
        from rich.progress import Progress

        bar = Progress(transient=False)
        bar.start()
        task = bar.add_task(f"tagging with {num_workers} Ray workers", total=None)
    try:
        for batch in ds.iter_batches(batch_size=None, batch_format="default"):
            summary.rejected.extend(json.loads(r) for r in batch["rejected"] if r)
            keys = [int(k) for k in batch["key"] if int(k) >= 0]
            if not keys:
                continue
            docs = [document_from_json(json.loads(s)) for s in batch["doc"] if s]
            store.write_chunk(list(zip(keys, docs, strict=True)))
            summary.tagged += len(keys)
            summary.chunks += 1
            sentences += int(sum(batch["sentences"]))
            entities += int(sum(batch["entities"]))
            windowed += int(sum(batch["windowed"]))
            windows += int(sum(batch["windows"]))
            for key in merge_dropped:
                merge_dropped[key] += int(sum(batch[key]))
            workers.update(int(w) for w in batch["worker"])
            if bar is not None:
                bar.update(task, advance=len(keys))
    finally:
        if bar is not None:
            bar.stop()
    summary.total, summary.lossy = finish_run(store, output, out_format)
    summary.stats = {
        "documents": float(summary.tagged),
        "sentences": float(sentences),
        "entities": float(entities),
        "windowed_sentences": float(windowed),
        "windows": float(windows),
        "workers": float(len(workers)),
        **{key: float(n) for key, n in merge_dropped.items()},
    }
    return summary


__all__ = ["ShardReader", "TaggerWorker", "tag_corpus_ray"]
