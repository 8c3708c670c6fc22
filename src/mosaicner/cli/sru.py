"""``mosaicner views`` and ``mosaicner ood``: SRU-NER evaluation views and out-of-domain export.

* ``mosaicner views MODEL --corpus C``: scores a model with a shared SRU head on corpus ``C``
  in the *separate* and *joined* views, and counts its global predictions (types ``C`` does
  not annotate).  For a corpus the model never saw, ``--type-map`` maps the model's (joined)
  types to the corpus's, and only the types the corpus annotates are scored.
* ``mosaicner ood MODEL --corpus C --output FILE``: writes every prediction of a type ``C``
  does not annotate, with its sentence and gold mentions, as TSV or JSONL for human review.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer


def views(
    model_dir: Path = typer.Argument(..., help="Model folder (or a run folder with model/)."),
    corpus: str = typer.Option(..., "--corpus", "-c", help="Corpus name or path."),
    split: str = typer.Option("test", "--split", help="Split to score."),
    type_map: str | None = typer.Option(
        None, "--type-map", help="YAML/JSON dict model_type -> corpus_type (unseen corpora)."
    ),
    label_map: str | None = typer.Option(None, "--label-map", help="Label map for the corpus."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
    data_format: str | None = typer.Option(
        None, "--from", help="Format of the corpus files (default: detected)."
    ),
) -> None:
    """Separate / joined scores and global predictions of an SRU model on a corpus split."""
    from mosaicner.training.views import score_sru_views

    result = score_sru_views(
        model_dir, corpus, split, type_map=type_map, label_map=label_map, data_format=data_format
    )
    key = result["corpus"]
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2))
        return
    from rich.console import Console

    console = Console()
    for view in ("separate", "joined", "cross_corpus"):
        if view in result:
            micro = result[view]["micro"]
            console.print(
                f"{key} {split} {view}: P {100 * micro['precision']:.2f} "
                f"R {100 * micro['recall']:.2f} F1 {100 * micro['f1']:.2f}",
                markup=False,
            )
    if "global_predictions" in result:
        console.print(f"global predictions: {result['global_predictions']}", markup=False)


def ood(
    model_dir: Path = typer.Argument(..., help="Model folder (or a run folder with model/)."),
    corpus: str = typer.Option(..., "--corpus", "-c", help="Corpus name or path."),
    output: Path = typer.Option(..., "--output", "-o", help="Output .tsv or .jsonl file."),
    split: str = typer.Option("test", "--split", help="Split to tag."),
    min_score: float = typer.Option(0.0, "--min-score", help="Drop predictions below this."),
    label_map: str | None = typer.Option(None, "--label-map", help="Label map for the corpus."),
    data_format: str | None = typer.Option(
        None, "--from", help="Format of the corpus files (default: detected)."
    ),
) -> None:
    """Export predictions of types the corpus does not annotate, for human review."""
    from mosaicner.training.views import export_ood

    report = export_ood(
        model_dir,
        corpus,
        output,
        split=split,
        min_score=min_score,
        label_map=label_map,
        data_format=data_format,
    )
    typer.echo(report.summary())


def register(app: typer.Typer) -> None:
    """Add ``mosaicner views`` and ``mosaicner ood`` to ``app``."""
    app.command("views")(views)
    app.command("ood")(ood)
