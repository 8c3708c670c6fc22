"""``mosaicner tag`` (tag files and corpora) and ``mosaicner serve`` (HTTP API and web page)."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

console = Console(stderr=True, highlight=False)

MERGE_HELP = "How the heads' predictions merge: union, vote, max-score (default: the model's)."
MODEL_HELP = "Installed model name, saved model folder, or a dictionary .json/.tsv file."


def tag(
    model: str = typer.Argument(..., help=MODEL_HELP),
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
    merge_policy: str | None = typer.Option(None, "--merge-policy", help=MERGE_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace output, discard parts."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Tag documents with a trained model; resumable: re-run the same command after a crash."""
    from mosaicner.inference.jobs import tag_job

    with _progress(quiet or engine == "ray" or output == "-") as progress:
        task = progress.add_task("tagging", total=None, sentences=0)
        sent_count = [0]

        def on_total(total: int | None) -> None:
            progress.update(task, total=total)

        def on_start(done: int) -> None:
            if done:
                console.print(f"resuming: {done} documents already tagged")
            progress.update(task, completed=done)

        def on_progress(docs: int, sentences: int) -> None:
            sent_count[0] += sentences
            progress.update(task, advance=docs, sentences=sent_count[0])

        report = tag_job(
            model,
            input,
            output,
            from_format=from_format,
            to_format=to_format,
            text_unit=text_unit,
            engine=engine,
            num_workers=num_workers,
            threads=threads,
            batch_size_tokens=batch_size_tokens,
            chunk_size=chunk_size,
            quantize=quantize,
            runtime=runtime,
            merge_policy=merge_policy,
            overwrite=overwrite,
            progress=not quiet,
            stdout=sys.stdout,
            on_total=on_total,
            on_start=on_start,
            on_progress=on_progress,
        )
    for line in report.lines():
        console.print(line, markup=False)


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
    model: str = typer.Argument(..., help=MODEL_HELP),
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
    merge_policy: str | None = typer.Option(None, "--merge-policy", help=MERGE_HELP),
) -> None:
    """Serve the model over HTTP: POST /v1/tag, GET /v1/model, GET /health, a page at /."""
    from mosaicner.inference.jobs import load_tagger
    from mosaicner.server.app import create_app
    from mosaicner.server.run import serve_app
    from mosaicner.server.settings import ServerSettings

    tagger = load_tagger(model, threads, batch_size_tokens, quantize, runtime, merge_policy)
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
    """Add ``mosaicner tag`` and ``mosaicner serve`` to ``app``."""
    app.command("tag")(tag)
    app.command("serve")(serve)
