"""``mosaicner train`` / ``evaluate`` / ``predict`` (heavy imports inside the commands)."""

from __future__ import annotations

import json
import logging
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
        help="Continue from RUN/checkpoints/last.safetensors when present (default) or start over.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Train a (multi-task) model: RUN holds model/, checkpoints/, metrics.jsonl, train.log."""
    from mosaicner.training.run import train_from_config

    def announce(cfg: Any, run_dir: Path, resuming: bool) -> None:
        console.print(
            f"[bold]mosaicner train[/bold] {config} -> {run_dir} "
            f"({'resuming from checkpoint' if resuming else 'new run'}; mode {cfg.mode}, "
            f"{len(cfg.training_corpora())} corpora)"
        )

    logging.basicConfig(level=logging.WARNING)
    report = train_from_config(
        config,
        output=output,
        overrides=overrides,
        resume=resume,
        progress=not quiet,
        on_start=announce,
    )
    if report.worker:
        return  # a data-parallel worker process (process 0 reports)
    result, reports, cfg = report.result, report.reports, report.config
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
    model_dir: str | None = typer.Argument(
        None, help="Model folder, run folder or installed model name (not with --predictions)."
    ),
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
    merged: bool = typer.Option(
        False,
        "--merged",
        help="Score what `mosaicner tag` outputs: every head, merged (character spans).",
    ),
    merge_policy: str | None = typer.Option(
        None, "--merge-policy", help="With --merged: union, vote or max-score."
    ),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="Score this `mosaicner tag` output file instead of a model."
    ),
    pred_format: str = typer.Option("jsonl", "--predictions-format", help="Its format."),
    data_format: str | None = typer.Option(
        None, "--from", help="Format of the corpus files (default: detected)."
    ),
) -> None:
    """Score a model on a corpus split (strict span P/R/F1, per type, 95% bootstrap CI).

    By default each trained corpus is scored with its own head (the training figures);
    ``--merged`` runs the tagging path instead, and ``--predictions FILE`` scores a file that
    ``mosaicner tag`` wrote, so what `tag` outputs can be scored exactly.
    """
    from mosaicner.training.run import evaluate_corpus

    if fmt not in ("table", "json"):
        raise typer.BadParameter("--format must be table or json")
    if predictions is not None or merged:
        from mosaicner.inference.scoring import evaluate_merged_or_file

        report = evaluate_merged_or_file(
            model_dir,
            corpus,
            split,
            predictions=predictions,
            predictions_format=pred_format,
            merge_policy=merge_policy,
            label_map=label_map,
            n_resamples=resamples,
        )
        if fmt == "json":
            typer.echo(json.dumps(report, indent=2))
        else:
            _table([report])
        return
    if model_dir is None:
        raise typer.BadParameter("give a MODEL (or --predictions FILE)")
    report = evaluate_corpus(
        model_dir,
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
    from mosaicner.training.predict import predict_file

    report = predict_file(
        model_dir, input, output, from_format=from_fmt, to_format=to_fmt, corpus=corpus
    )
    console.print(report.summary())


def register(app: typer.Typer) -> None:
    """Add ``mosaicner train``, ``evaluate`` and ``predict`` to ``app``."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("predict")(predict)
