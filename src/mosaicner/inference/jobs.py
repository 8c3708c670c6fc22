"""``mosaicner tag`` as one library call: read, tag and write a corpus with the chosen engine.

:func:`tag_job` checks the options, loads the model (``local``: one :class:`Tagger` in this
process; ``ray``: Ray Data workers), tags resumably and returns a :class:`TagReport`.  With
``output="-"`` documents stream to ``stdout`` as JSON Lines.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from mosaicner.errors import ConfigError
from mosaicner.inference import batch

ENGINES = ("local", "ray")
TEXT_UNITS = ("auto", "line", "file")


def load_tagger(
    model: str,
    threads: int | None = None,
    batch_size_tokens: int = 1024,
    quantize: bool = False,
    runtime: str = "torch",
    merge_policy: str | None = None,
) -> Any:
    """A :class:`~mosaicner.inference.tagger.Tagger` for ``model`` (an installed model's name,
    a model folder or a dictionary file); ``merge_policy`` overrides the model's own."""
    from mosaicner.inference.tagger import Tagger
    from mosaicner.store import resolve_model

    if merge_policy is not None:
        from mosaicner.merge import check_policy

        check_policy(merge_policy)
    return Tagger.load(
        str(resolve_model(model)),
        num_threads=threads,
        batch_size_tokens=batch_size_tokens,
        quantize=quantize,
        runtime=runtime,
        merge_policy=merge_policy,
    )


@dataclass
class TagReport:
    """What a tagging run wrote (``summary``) and how long it took."""

    summary: batch.RunSummary
    seconds: float
    output: str
    to_format: str
    streamed: bool = False  # documents went to standard output: only warnings are printed

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {**asdict(self.summary), "seconds": self.seconds, "format": self.to_format}

    def lines(self) -> list[str]:
        """The summary and notes printed by ``mosaicner tag``."""
        s, stats = self.summary, self.summary.stats
        if self.streamed:
            return self._rejected_lines()
        sent = int(stats.get("sentences", 0))
        rate = (
            f", {sent / self.seconds:.1f} sentences/s overall" if sent and self.seconds > 0 else ""
        )
        out = [
            f"wrote {s.total} documents to {self.output} ({s.tagged} tagged now, "
            f"{s.skipped} from an earlier run; {int(stats.get('entities', 0))} entities{rate})"
        ]
        if stats.get("windowed_sentences"):
            out.append(
                f"note: {int(stats['windowed_sentences'])} long sentences were tagged in "
                f"{int(stats['windows'])} overlapping word windows"
            )
        out.extend(
            f"note: {self.to_format} output: {n} {what}" for what, n in sorted(s.lossy.items())
        )
        if stats.get("replaced_words"):
            out.append(
                f"note: {int(stats['replaced_words'])} words without sub-words were sent as [UNK]"
            )
        if stats.get("overlaps_dropped") or stats.get("conflicts_dropped"):
            out.append(
                f"note: the merge dropped {int(stats.get('overlaps_dropped', 0))} predictions "
                "overlapping a preferred one of the same type and "
                f"{int(stats.get('conflicts_dropped', 0))} of another type on (nearly) the "
                "same span"
            )
        return out + self._rejected_lines()

    def _rejected_lines(self, show: int = 10) -> list[str]:
        """Documents left out of the output (counted, each with its reason)."""
        rejected = self.summary.rejected
        if not rejected:
            return []
        out = [f"warning: {len(rejected)} documents could not be tagged and are not in the output:"]
        out.extend(f"  {item['document']}: {item['reason']}" for item in rejected[:show])
        if len(rejected) > show:
            out.append(f"  ... and {len(rejected) - show} more")
        return out


def tag_job(
    model: str,
    input: str,
    output: str,
    *,
    from_format: str = "text",
    to_format: str = "jsonl",
    text_unit: str = "auto",
    engine: str = "local",
    num_workers: int = 2,
    threads: int | None = None,
    batch_size_tokens: int = 1024,
    chunk_size: int = 64,
    quantize: bool = False,
    runtime: str = "torch",
    merge_policy: str | None = None,
    overwrite: bool = False,
    progress: bool = True,
    stdout: IO[str] | None = None,
    on_total: Callable[[int | None], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: batch.ProgressCallback | None = None,
) -> TagReport:
    """Tag ``input`` into ``output`` (resumable: run it again after a crash).

    ``on_total`` gets the number of documents (``None`` when unknown) before tagging starts,
    ``on_start`` how many an earlier run already tagged, ``on_progress`` each finished chunk;
    the ``ray`` engine reports its own progress (``progress``).  Documents that cannot be tagged
    (invalid text, or failing alone) are left out and listed in ``summary.rejected``.
    """
    from mosaicner.store import resolve_model

    if merge_policy is not None:
        from mosaicner.merge import check_policy

        check_policy(merge_policy)
    model = str(resolve_model(model))  # an installed model's name becomes its folder
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}", expected="local or ray")
    if text_unit not in TEXT_UNITS:
        raise ConfigError(f"unknown text unit {text_unit!r}", expected="auto, line or file")
    spec = batch.InputSpec(input, from_format, text_unit)
    if output == "-":
        if to_format != "jsonl":
            raise ConfigError("--output - writes JSON Lines only", hint="pass --to jsonl")
        tagger = load_tagger(model, threads, batch_size_tokens, quantize, runtime, merge_policy)
        t0 = time.perf_counter()
        streamed = batch.stream_jsonl(tagger, spec, stdout or sys.stdout, chunk_size=chunk_size)
        return TagReport(streamed, time.perf_counter() - t0, "-", "jsonl", streamed=True)
    out = Path(output)
    extra = {
        "model": str(Path(model).resolve()),
        "quantize": quantize,
        "runtime": runtime,
        "merge_policy": merge_policy,
    }
    t0 = time.perf_counter()
    if engine == "ray":
        from mosaicner.inference.ray_engine import tag_corpus_ray

        summary = tag_corpus_ray(
            model,
            spec,
            out,
            to_format,
            num_workers=num_workers,
            threads=threads,
            batch_size_tokens=batch_size_tokens,
            chunk_size=chunk_size,
            quantize=quantize,
            runtime=runtime,
            merge_policy=merge_policy,
            overwrite=overwrite,
            manifest_extra=extra,
            progress=progress,
        )
    else:
        tagger = load_tagger(model, threads, batch_size_tokens, quantize, runtime, merge_policy)
        if on_total is not None:
            on_total(batch.count_documents(spec))
        summary = batch.tag_corpus(
            tagger,
            spec,
            out,
            to_format,
            chunk_size=chunk_size,
            overwrite=overwrite,
            manifest_extra=extra,
            on_progress=on_progress,
            on_start=on_start,
        )
    return TagReport(summary, time.perf_counter() - t0, str(out), to_format)


__all__ = ["ENGINES", "TEXT_UNITS", "TagReport", "load_tagger", "tag_job"]
