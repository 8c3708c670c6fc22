"""``mosaicner tag`` (tag files and corpora) and ``mosaicner serve`` (HTTP API and web page)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

console = Console(stderr=True, highlight=False)


def _load_tagger(
    model: str, threads: int | None, batch_size_tokens: int, quantize: bool, runtime: str = "torch"
) -> Any:
    from mosaicner.inference.tagger import Tagger

    return Tagger.load(
        model,
        num_threads=threads,
        batch_size_tokens=batch_size_tokens,
        quantize=quantize,
        runtime=runtime,
    )


def tag(
    model: str = typer.Argument(..., help="Saved model folder (or a dictionary .json/.tsv file)."),
    input: str = typer.Option(..., "--input", "-i", help="Input file, folder of shards, or '-'."),
    output: str = typer.Option(..., "--output", "-o", help="Output path, or '-' (jsonl only)."),
    from_format: str = typer.Option(
        "text", "--from", help="text, jsonl, bioc-xml, bioc-json, pubtator, brat, conll."
    ),
    to_format: str = typer.Option(
        "jsonl", "--to", help="jsonl, bioc-xml, bioc-json, pubtator, brat."
    ),
    text_unit: str = typer.Option(
        "auto",
        "--text-unit",
        help="For --from text: 'line' (a document a line), 'file', or 'auto' (file for a folder).",
    ),
    engine: str = typer.Option("local", "--engine", help="local, or ray (Ray Data workers)."),
    num_workers: int = typer.Option(2, "--num-workers", help="Ray workers (--engine ray)."),
    threads: int | None = typer.Option(None, "--threads", help="torch threads (per worker)."),
    batch_size_tokens: int = typer.Option(
        1024, "--batch-size-tokens", help="Padded sub-words per model batch."
    ),
    chunk_size: int = typer.Option(64, "--chunk-size", help="Documents per resumable chunk."),
    quantize: bool = typer.Option(False, "--quantize", help="Dynamic int8 quantisation (CPU)."),
    runtime: str = typer.Option("torch", "--runtime", help="Encoder runtime: torch or onnx."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace output, discard parts."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Tag documents with a trained model; resumable: re-run the same command after a crash."""
    from mosaicner.errors import ConfigError
    from mosaicner.inference import batch

    if engine not in ("local", "ray"):
        raise ConfigError(f"unknown engine {engine!r}", expected="local or ray")
    if text_unit not in ("auto", "line", "file"):
        raise ConfigError(f"unknown text unit {text_unit!r}", expected="auto, line or file")
    spec = batch.InputSpec(input, from_format, text_unit)
    if output == "-":
        if to_format != "jsonl":
            raise ConfigError("--output - writes JSON Lines only", hint="pass --to jsonl")
        tagger = _load_tagger(model, threads, batch_size_tokens, quantize, runtime)
        streamed = batch.stream_jsonl(tagger, spec, sys.stdout, chunk_size=chunk_size)
        _report_rejected(streamed.rejected)
        return
    out = Path(output)
    extra = {"model": str(Path(model).resolve()), "quantize": quantize, "runtime": runtime}
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
            overwrite=overwrite,
            manifest_extra=extra,
            progress=not quiet,
        )
    else:
        tagger = _load_tagger(model, threads, batch_size_tokens, quantize, runtime)
        total = batch.count_documents(spec)
        with _progress(quiet) as progress:
            task = progress.add_task("tagging", total=total, sentences=0)
            sent_count = [0]

            def on_start(done: int) -> None:
                if done:
                    console.print(f"resuming: {done} documents already tagged")
                progress.update(task, completed=done)

            def on_progress(docs: int, sentences: int) -> None:
                sent_count[0] += sentences
                progress.update(task, advance=docs, sentences=sent_count[0])

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
    elapsed = time.perf_counter() - t0
    stats = summary.stats
    sent = int(stats.get("sentences", 0))
    rate = f", {sent / elapsed:.1f} sentences/s overall" if sent and elapsed > 0 else ""
    console.print(
        f"wrote {summary.total} documents to {out} ({summary.tagged} tagged now, "
        f"{summary.skipped} from an earlier run; {int(stats.get('entities', 0))} entities"
        f"{rate})"
    )
    if stats.get("windowed_sentences"):
        console.print(
            f"note: {int(stats['windowed_sentences'])} long sentences were tagged in "
            f"{int(stats['windows'])} overlapping word windows"
        )
    for what, n in sorted(summary.lossy.items()):
        console.print(f"note: {to_format} output: {n} {what}")
    if stats.get("replaced_words"):
        console.print(
            f"note: {int(stats['replaced_words'])} words without sub-words were sent as [UNK]"
        )
    _report_rejected(summary.rejected)


def _report_rejected(rejected: list[dict[str, str]], show: int = 10) -> None:
    """Documents left out of the output (counted, each with its reason)."""
    if not rejected:
        return
    console.print(
        f"warning: {len(rejected)} documents could not be tagged and are not in the output:",
        markup=False,
    )
    for item in rejected[:show]:
        console.print(f"  {item['document']}: {item['reason']}", markup=False)
    if len(rejected) > show:
        console.print(f"  ... and {len(rejected) - show} more", markup=False)


class _NullProgress:
    def __enter__(self) -> _NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def update(self, *args: Any, **kwargs: Any) -> None:
        return None


def _progress(quiet: bool) -> Any:
    if quiet:
        return _NullProgress()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("docs · {task.fields[sentences]} sentences"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def serve(
    model: str = typer.Argument(..., help="Saved model folder (or a dictionary .json/.tsv file)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(8000, "--port", help="Port to bind."),
    threads: int | None = typer.Option(None, "--threads", help="torch threads."),
    batch_size_tokens: int = typer.Option(1024, "--batch-size-tokens"),
    max_body_bytes: int = typer.Option(
        2_000_000, "--max-body-bytes", help="Larger request bodies get 413."
    ),
    max_batch_documents: int = typer.Option(
        64, "--max-batch-documents", help="Sentences (units of work) in one model call at most."
    ),
    max_batch_words: int = typer.Option(
        256, "--max-batch-words", help="Words in one model call at most (latency bound)."
    ),
    max_wait_ms: float = typer.Option(5.0, "--max-wait-ms", help="Micro-batching wait."),
    keep_alive_s: float = typer.Option(
        5.0, "--keep-alive-timeout", help="Idle keep-alive connections are closed after this."
    ),
    read_timeout_s: float = typer.Option(
        30.0, "--read-timeout", help="Seconds a client has to send a whole request."
    ),
    graceful_shutdown_s: float = typer.Option(
        2.0, "--graceful-shutdown", help="On SIGTERM, cancel requests still running after this."
    ),
    quantize: bool = typer.Option(False, "--quantize", help="Dynamic int8 quantisation (CPU)."),
    runtime: str = typer.Option("torch", "--runtime", help="Encoder runtime: torch or onnx."),
) -> None:
    """Serve the model over HTTP: POST /v1/tag, GET /v1/model, GET /health, a page at /."""
    from mosaicner.server.app import create_app
    from mosaicner.server.run import serve_app
    from mosaicner.server.settings import ServerSettings

    tagger = _load_tagger(model, threads, batch_size_tokens, quantize, runtime)
    settings = ServerSettings(
        max_body_bytes=max_body_bytes,
        max_batch_documents=max_batch_documents,
        max_batch_words=max_batch_words,
        max_wait_ms=max_wait_ms,
        timeout_keep_alive_s=keep_alive_s,
        request_read_timeout_s=read_timeout_s,
        graceful_shutdown_s=graceful_shutdown_s,
    )
    app = create_app(tagger, settings)
    console.print(f"serving {model} on http://{host}:{port} (docs at /docs)")
    console.print(json.dumps(tagger.info(), default=str))
    serve_app(app, settings, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("tag")(tag)
    app.command("serve")(serve)
