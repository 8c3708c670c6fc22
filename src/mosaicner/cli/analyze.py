"""``mosaicner analyze similarity|correlate|recommend|transfer-matrix``: which corpora help which.

Torch is only imported for the ``embedding`` measure and by ``transfer-matrix`` (training).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

analyze_app = typer.Typer(
    name="analyze",
    help="Transferability analysis: similarity measures, correlation with MTL gain, "
    "auxiliary recommendation, transfer matrices.",
    no_args_is_help=True,
)

DEFAULT_MEASURES_TEXT = "tvc,dice,entity_coverage,jsd,size_ratio,label_overlap"


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    from mosaicner.errors import ConfigError

    if value not in allowed:
        raise ConfigError(f"unknown {what} {value!r}", expected=" | ".join(allowed))


def _json_default(x: Any) -> Any:
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def _dump(payload: Any) -> str:
    return json.dumps(payload, indent=1, default=_json_default)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        err_console.print(f"wrote {output}")


def _similarity_table(records: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    from mosaicner.analysis.output import matrix

    tables = []
    for measure in dict.fromkeys(r["measure"] for r in records):
        names, m = matrix(records, measure)
        table = Table(title=f"{measure} (rows: target, columns: auxiliary)")
        table.add_column("target \\ aux")
        for n in names:
            table.add_column(n, justify="right")
        for i, n in enumerate(names):
            table.add_row(
                n, *("-" if math.isnan(m[i, j]) else f"{m[i, j]:.3f}" for j in range(len(names)))
            )
        tables.append(table)
    return tables


def _embedder(encoder: str) -> Callable[[Sequence[Sequence[str]]], Any]:
    """The embedding measure's sentence encoder; torch is imported on the first call only."""
    loaded: list[Any] = []

    def embed(sentences: Sequence[Sequence[str]]) -> Any:
        if not loaded:
            from mosaicner.encoders.sentence import SentenceEmbedder

            loaded.append(SentenceEmbedder(encoder))
        return loaded[0](sentences)

    return embed


# ------------------------------------------------------------------------------- similarity
@analyze_app.command("similarity")
def similarity(
    corpus: list[str] = typer.Option(
        ..., "--corpus", "-c", help="Corpus name or path (repeat; at least two)."
    ),
    measures: str = typer.Option(
        DEFAULT_MEASURES_TEXT,
        "--measures",
        "-m",
        help="Comma-separated: tvc, dice, entity_coverage, unseen_mention_rate, jsd, size_ratio, "
        "label_overlap, embedding, topic, all; combinations mean:a+b, rank_mean:a+b.",
    ),
    output_format: str = typer.Option("json", "--format", help="json, csv or table."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    plot: Path | None = typer.Option(None, "--plot", help="Write one heatmap PNG per measure."),
    encoder: str = typer.Option("all-MiniLM-L6-v2", help="Encoder of the embedding measure."),
    n_sentences: int = typer.Option(500, help="Sentences sampled for the embedding measure."),
    seed: int = typer.Option(0, help="Seed of the embedding sample and of NMF."),
    topics: int = typer.Option(5, help="NMF components of the topic measure."),
    cache_dir: Path | None = typer.Option(None, help="Embedding cache (default ~/.cache)."),
    data_format: str | None = typer.Option(
        None, "--from", help="Format of corpora given as paths (default: detected)."
    ),
) -> None:
    """Similarity of every ordered pair (target, auxiliary), target ≠ auxiliary.

    Output records: {"measure", "target", "auxiliary", "value"}.  Asymmetric measures
    (tvc, entity_coverage, size_ratio) read target ← auxiliary.
    """
    from mosaicner.analysis.data import load_corpora
    from mosaicner.analysis.measures import compute_similarity, parse_measures
    from mosaicner.analysis.output import plot_heatmaps, records_to_csv, records_to_json
    from mosaicner.errors import ConfigError

    _check_choice(output_format, ("json", "csv", "table"), "output format")
    names = parse_measures(measures)
    if len(corpus) < 2:
        raise ConfigError("similarity needs at least two corpora", hint="repeat --corpus")
    corpora = load_corpora(corpus, data_format)
    with err_console.status("computing similarity") as status:

        def progress(m: str) -> None:
            status.update(f"computing {m}")

        records = compute_similarity(
            corpora,
            names,
            encoder=encoder,
            n_sentences=n_sentences,
            seed=seed,
            n_topics=topics,
            cache_dir=cache_dir,
            progress=progress,
            embed=_embedder(encoder),
        )
    if plot is not None:
        files = plot_heatmaps(records, plot, [c.name for c in corpora])
        err_console.print(f"wrote {len(files)} heatmaps to {plot}")
    if output_format == "table":
        for table in _similarity_table(records):
            console.print(table)
        return
    text = records_to_csv(records) if output_format == "csv" else records_to_json(records)
    _emit(text, output)


# -------------------------------------------------------------------------------- correlate
@analyze_app.command("correlate")
def correlate_cmd(
    similarity_file: Path = typer.Option(..., "--similarity", help="Similarity JSON or CSV."),
    gains_file: Path = typer.Option(..., "--gains", help="Gains JSON or CSV."),
    measures: str | None = typer.Option(None, "--measures", help="Subset of measures."),
    k: int = typer.Option(3, "--k", help="Cut-off of NDCG@k."),
    output_format: str = typer.Option("table", "--format", help="table, json or markdown."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    plot: Path | None = typer.Option(None, "--plot", help="Write scatter plots here."),
) -> None:
    """Correlate each measure with MTL gain (per target and pooled) and score its rankings.

    Gains file: JSON array of {"target", "auxiliary", "gain"} (optional f1_stl, f1_mtl, sd),
    gain = F1_MTL(target|aux) - F1_STL(target).  Self pairs are excluded and missing pairs
    dropped (never zero-filled).
    """
    from mosaicner.analysis.correlate import (
        correlate,
        load_gains,
        markdown_table,
        plot_scatter,
        rich_table,
    )
    from mosaicner.analysis.output import read_records

    _check_choice(output_format, ("table", "json", "markdown"), "output format")
    sim = read_records(similarity_file)
    gains = load_gains(gains_file)
    wanted = [m.strip() for m in measures.split(",")] if measures else None
    report = correlate(sim, gains, wanted, k=k)
    if plot is not None:
        keep = set(wanted) if wanted else None
        files = plot_scatter([r for r in sim if keep is None or r["measure"] in keep], gains, plot)
        err_console.print(f"wrote {len(files)} scatter plots to {plot}")
    if output_format == "json":
        _emit(_dump(report), output)
    elif output_format == "markdown":
        _emit(markdown_table(report), output)
    else:
        console.print(rich_table(report))
        if output is not None:
            _emit(_dump(report), output)


# -------------------------------------------------------------------------------- recommend
@analyze_app.command(
    "recommend", context_settings={"allow_extra_args": True, "ignore_unknown_options": False}
)
def recommend_cmd(
    ctx: typer.Context,
    target: str = typer.Option(..., "--target", "-t", help="Target corpus (name or path)."),
    candidates: list[str] = typer.Option(
        ..., "--candidates", help="Candidate auxiliaries: --candidates A B C (or A,B,C)."
    ),
    gains_file: Path | None = typer.Option(None, "--gains", help="Gains table to validate on."),
    similarity_file: Path | None = typer.Option(
        None, "--similarity", help="Precomputed similarity records (else computed)."
    ),
    measures: str = typer.Option(
        DEFAULT_MEASURES_TEXT, "--measures", help="Measures to choose from / show."
    ),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    data_format: str | None = typer.Option(
        None, "--from", help="Format of corpora given as paths (default: detected)."
    ),
) -> None:
    """Rank auxiliary corpora for a target by the best validated measure (default: TVC)."""
    from mosaicner.analysis.recommend import recommend_auxiliaries

    _check_choice(output_format, ("table", "json"), "output format")
    cand_args = [c for item in [*candidates, *ctx.args] for c in item.split(",") if c]
    with err_console.status("computing similarity"):
        result = recommend_auxiliaries(
            target,
            cand_args,
            measures,
            gains_file=gains_file,
            similarity_file=similarity_file,
            embed=_embedder("all-MiniLM-L6-v2"),
            data_format=data_format,
        )
    names = result.pop("measures")
    if output_format == "json":
        _emit(_dump(result), None)
        return
    from rich.table import Table

    console.print(
        f"target: [bold]{result['target']}[/bold]; ranked by [bold]{result['why']}[/bold]"
    )
    table = Table()
    table.add_column("rank", justify="right")
    table.add_column("auxiliary")
    for m in names:
        table.add_column(m + (" *" if m == result["measure"] else ""), justify="right")
    known = (result["validation"] or {}).get("known_gains", {})
    if known:
        table.add_column("known gain", justify="right")
    for row in result["ranking"]:
        cells = [str(row["rank"]), row["auxiliary"]]
        cells += ["-" if math.isnan(row["values"][m]) else f"{row['values'][m]:.3f}" for m in names]
        if known:
            g = known.get(row["auxiliary"])
            cells.append("-" if g is None else f"{g:+.4f}")
        table.add_row(*cells)
    console.print(table)
    val = result["validation"]
    if val:
        loto = val["loto"]
        console.print(
            "validation (leave-one-target-out on the gains table): top-1 auxiliary beats the "
            f"median auxiliary for {loto['hit_rate']:.2f} of {loto['n_targets']} targets "
            f"(chance {loto['chance_hit_rate']:.2f}); selection scores (mean per-target "
            "Spearman rho, 0 where a measure cannot rank a target's auxiliaries): "
            + ", ".join(f"{m} {v:+.3f}" for m, v in val["selection_scores"].items())
        )


# -------------------------------------------------------------------------- transfer-matrix
@analyze_app.command("transfer-matrix")
def transfer_matrix(
    config: Path = typer.Argument(..., help="YAML: corpora, seeds, budget overrides, output."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List the jobs, train nothing."),
) -> None:
    """Single-task baselines and pairwise MTL for every ordered pair (resumable), then gains."""
    from mosaicner.training.transfer import run_matrix

    result = run_matrix(config, dry_run=dry_run, log=lambda s: err_console.print(s))
    _emit(_dump(result), None)


def register(app: typer.Typer) -> None:
    """Add ``mosaicner analyze ...`` to ``app``."""
    app.add_typer(analyze_app, name="analyze")


__all__ = ["analyze_app", "register"]
