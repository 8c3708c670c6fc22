"""``mosaicner train`` / ``evaluate`` / ``predict`` (heavy imports inside the commands)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

console = Console(highlight=False)


def _table(reports: list[dict[str, Any]], per_type: bool = True) -> None:
    from mosaicner.evaluation import render_table

    console.print(render_table(reports, per_type=per_type))


def train(
    config: Path = typer.Argument(..., help="YAML config (see configs/)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Run folder (default: output_dir from the config)."
    ),
    overrides: list[str] = typer.Option(
        [], "--set", help="Dotted override, e.g. --set trainer.max_steps=100 (repeatable)."
    ),
    resume: bool = typer.Option(
        True,
        "--resume/--fresh",
        help="Continue from RUN/checkpoints/last.pt when present (default) or start over.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Train a (multi-task) model: RUN holds model/, checkpoints/, metrics.jsonl, train.log."""
    from mosaicner.training.config import load_config
    from mosaicner.training.run import train_and_evaluate

    cfg = load_config(config, overrides)
    run_dir = Path(output) if output is not None else Path(cfg.output_dir)
    if output is not None:
        cfg = cfg.model_copy(update={"output_dir": str(output)})
    logging.basicConfig(level=logging.WARNING)
    if not resume and run_dir.exists():
        import shutil

        for sub in ("checkpoints", "model"):
            if (run_dir / sub).exists():
                shutil.rmtree(run_dir / sub)
        for name in ("metrics.jsonl", "train.log", "results.json"):
            (run_dir / name).unlink(missing_ok=True)
    has_ckpt = (run_dir / "checkpoints" / "last.pt").is_file()
    console.print(
        f"[bold]mosaicner train[/bold] {config} -> {run_dir} "
        f"({'resuming from checkpoint' if has_ckpt else 'new run'}; mode {cfg.mode}, "
        f"{len(cfg.training_corpora())} corpora)"
    )
    result, reports = train_and_evaluate(cfg, run_dir, resume=resume, progress=not quiet)
    if int(os.environ.get("RANK", "0")) != 0:
        return  # a data-parallel worker process (process 0 reports)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    console.print(
        f"{result.steps} steps; best dev {cfg.selection} F1 {100 * result.best_score:.2f} "
        f"at step {result.best_step}{' (early stop)' if result.stopped_early else ''}; "
        f"model saved to {result.model_dir}"
    )
    _table(list(reports.values()))
    for name, rep in reports.items():
        console.print(
            f"final {rep['split']} F1 {name}: {100 * rep['micro']['f1']:.2f}"
            + (f" (model {rep['model_dir']})" if cfg.trainer.keep_best_per_corpus else ""),
            markup=False,
        )


def evaluate(
    model_dir: Path = typer.Argument(..., help="Model folder (or a run folder with model/)."),
    corpus: str = typer.Option(..., "--corpus", "-c", help="Corpus name or path."),
    split: str = typer.Option("test", "--split", help="Split to score."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
    head: str | None = typer.Option(
        None, "--head", help="Head (or trained corpus) to use for a corpus the model never saw."
    ),
    type_map: str | None = typer.Option(
        None, "--type-map", help="YAML/JSON dict model_type -> corpus_type (null drops a type)."
    ),
    label_map: str | None = typer.Option(
        None, "--label-map", help="Label map for the corpus (default: as in training)."
    ),
    resamples: int = typer.Option(1000, "--resamples", help="Bootstrap resamples for the CI."),
    data_format: str | None = typer.Option(
        None, "--from", help="Format of the corpus files (default: detected)."
    ),
) -> None:
    """Score a model on a corpus split (strict span P/R/F1, per type, 95% bootstrap CI)."""
    from mosaicner.training.run import evaluate_corpus, load_trained

    if fmt not in ("table", "json"):
        raise typer.BadParameter("--format must be table or json")
    loaded = load_trained(model_dir)
    report = evaluate_corpus(
        loaded,
        corpus,
        split,
        head=head,
        type_map=type_map,
        label_map=label_map,
        n_resamples=resamples,
        format=data_format,
    )
    if fmt == "json":
        typer.echo(json.dumps(report, indent=2))
    else:
        _table([report])


def predict(
    model_dir: Path = typer.Argument(..., help="Model folder (or a run folder with model/)."),
    input: Path = typer.Option(..., "--input", "-i", help="Input file (a corpus format)."),
    output: Path = typer.Option(..., "--output", "-o", help="Output file."),
    from_fmt: str | None = typer.Option(
        None, "--from", help="Input format (mosaicner.io names; default: detected)."
    ),
    to_fmt: str | None = typer.Option(
        None, "--to", help="Output format (default: the input format)."
    ),
    corpus: str | None = typer.Option(
        None, "--corpus", help="Trained corpus whose head tags the text (default: every head)."
    ),
) -> None:
    """Tag the sentences of a tokenised corpus file; predictions go to the span layer 'pred'."""
    from mosaicner import io
    from mosaicner.training.predict import predict_documents
    from mosaicner.training.run import load_trained

    loaded = load_trained(model_dir)
    fmt_in = from_fmt or io.detect_format(input)
    result = io.read(input, fmt_in)
    docs, counts = predict_documents(loaded, result.documents, corpus=corpus)
    report = io.write(docs, output, to_fmt or fmt_in, layer="pred")
    console.print(
        f"{len(docs)} documents, {counts['sentences']} sentences, {counts['spans']} predicted "
        f"spans -> {output}"
        + (f" (lossy: {report.lossy})" if getattr(report, "lossy", None) else "")
    )


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("predict")(predict)
