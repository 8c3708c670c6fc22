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
from typing import Any

import typer


def _examples(
    loaded: Any, corpus: str, split: str, label_map: str | None, data_format: str | None = None
) -> tuple[Any, ...]:
    from mosaicner.training.config import CorpusSpec
    from mosaicner.training.data import prepare_corpus

    meta_corpora: dict[str, Any] = dict(loaded.metadata.get("corpora", {}))
    key = corpus if corpus in meta_corpora else Path(corpus).name
    known = meta_corpora.get(key)
    source = known["source"] if known and corpus == key else corpus
    spec = CorpusSpec(
        name=source,
        format=data_format,
        label_map=label_map if label_map is not None else (known or {}).get("label_map"),
        splits={"train": split, "dev": None, "test": None},  # type: ignore[arg-type]
    )
    pc = prepare_corpus(spec, roles=("train",))
    examples = [ex for ex in pc.examples("train")]
    types = list(known["types"]) if known else list(pc.labels)
    return key, examples, types, known is not None


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
    from dataclasses import replace

    from mosaicner.evaluation.views import score_cross_corpus, score_views
    from mosaicner.heads.sru import predict_raw
    from mosaicner.training.evaluate import load_type_map
    from mosaicner.training.run import load_trained

    loaded = load_trained(model_dir)
    key, examples, types, seen = _examples(loaded, corpus, split, label_map, data_format)
    gold = [[(int(s), int(e), str(t)) for s, e, t in ex.spans] for ex in examples]
    raw = predict_raw(loaded.model, [replace(ex, corpus=key) for ex in examples])
    tmap = load_type_map(type_map)
    result: dict[str, Any] = {"corpus": key, "split": split, "types": types, "seen": seen}
    if seen and not tmap:
        result.update(score_views(gold, raw, key, types).to_dict())
    else:
        scores = score_cross_corpus(gold, raw, types, tmap)
        result["cross_corpus"] = scores.to_dict()
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
    from dataclasses import replace

    from mosaicner.analysis.ood import collect_ood, summarize_ood, write_ood
    from mosaicner.heads.sru import predict_raw
    from mosaicner.training.run import load_trained

    loaded = load_trained(model_dir)
    key, examples, types, _ = _examples(loaded, corpus, split, label_map, data_format)
    examples = [replace(ex, corpus=key) for ex in examples]
    raw = predict_raw(loaded.model, examples)
    records = collect_ood(examples, raw, types, min_score=min_score)
    write_ood(records, output)
    typer.echo(
        f"{len(records)} out-of-domain predictions on {len(examples)} sentences of {key} "
        f"{split} -> {output}; by type: {json.dumps(summarize_ood(records).get(key, {}))}"
    )


def register(app: typer.Typer) -> None:
    app.command("views")(views)
    app.command("ood")(ood)
