"""``mosaicner corpora list|stats|validate|download`` and ``mosaicner convert``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

OUTPUT_FORMATS = ("table", "json")


def _check_output(fmt: str) -> None:
    from mosaicner.errors import ConfigError

    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"unknown output format {fmt!r}", expected=" | ".join(OUTPUT_FORMATS))


def _parse_options(items: list[str] | None, flag: str) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; values become int, float, bool or None when they look like one."""
    from mosaicner.errors import ConfigError

    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"bad {flag} {item!r}", expected="KEY=VALUE")
        value: Any = raw
        low = raw.lower()
        if low in ("true", "false"):
            value = low == "true"
        elif low in ("none", "null"):
            value = None
        else:
            for cast in (int, float):
                try:
                    value = cast(raw)
                    break
                except ValueError:
                    pass
        out[key.strip().replace("-", "_")] = value
    return out


# --------------------------------------------------------------------------------------- list
def list_corpora(
    output: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """The registry corpora: format, types, licence, and whether they are in the data dir."""
    from mosaicner.corpora.catalog import list_corpora as listing

    _check_output(output)
    report = listing()
    if output == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    base, rows = report.data_dir, report.rows
    table = Table(title=f"corpora (data dir: {base})")
    table.add_column("name", style="bold")
    table.add_column("format")
    table.add_column("types")
    table.add_column("licence")
    table.add_column("present")
    for info, present in rows:
        if len(present) == len(info.splits):
            status = "[green]present[/green]"
        elif present:
            status = "[yellow]partial: " + ", ".join(present) + "[/yellow]"
        else:
            status = "[red]absent[/red]"
        types = ", ".join(info.types) if len(info.types) <= 5 else f"{len(info.types)} types"
        table.add_row(info.name, info.format, types, info.licence.split(";")[0], status)
    console.print(table)


# --------------------------------------------------------------------------------------- info
def info(
    corpus: str = typer.Argument(..., help="Registry corpus name."),
    output: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Everything the registry knows: source, licence, citation, files, label map, caveats."""
    from mosaicner.corpora.catalog import corpus_card

    _check_output(output)
    card = corpus_card(corpus)
    entry, label_map, root = card.info, card.label_map, card.root
    payload = card.to_dict()
    if output == "json":
        typer.echo(json.dumps(payload, indent=2))
        return
    for key in ("name", "description", "format", "licence", "citation", "source", "url"):
        console.print(f"[bold]{key}[/bold]: {payload[key]}")
    console.print(f"[bold]types[/bold]: {', '.join(entry.types)}")
    for note in entry.notes:
        console.print(f"[bold]note[/bold]: {note}")
    mapping = ", ".join(
        f"{k} -> {v if v is not None else 'dropped'}" for k, v in label_map.mapping.items()
    )
    console.print(f"[bold]built-in label map[/bold]: {mapping}")
    table = Table(title=f"files (local: {root})")
    table.add_column("file")
    table.add_column("split")
    table.add_column("present")
    table.add_column("url / how to get it", overflow="fold")
    for f in entry.files:
        where = f.url() or f.note
        present = "yes" if (root / f.local).is_file() else "no"
        table.add_row(f.local, f.split or "", present, where)
    console.print(table)


# -------------------------------------------------------------------------------------- stats
def stats(
    corpus: str = typer.Argument(..., help="Registry name, corpus directory, or one file."),
    output: str = typer.Option("table", "--format", help="table or json."),
    split: list[str] | None = typer.Option(None, "--split", help="Only these splits."),
    data_format: str | None = typer.Option(
        None, "--from", "--data-format", help="Format of the files (default: detected)."
    ),
) -> None:
    """Documents, sentences, tokens, mentions per type and nested mentions per split."""
    from mosaicner.corpora import normalise_split, resolve_corpus, stats_for

    _check_output(output)
    resolved = resolve_corpus(corpus, format=data_format)
    splits = [normalise_split(s) for s in split] if split else None
    result = stats_for(resolved, splits)
    if output == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    table = Table(title=f"{result.corpus} ({resolved.format}, {resolved.root})")
    for col in ("split", "documents", "sentences", "tokens", "mentions", "nested", "max depth"):
        table.add_column(col, justify="left" if col == "split" else "right")
    for name, st in result.splits.items():
        table.add_row(
            name,
            str(st.documents),
            str(st.sentences),
            str(st.tokens),
            str(st.total_mentions),
            str(st.nested_mentions),
            str(st.max_depth),
        )
    console.print(table)
    types = sorted({t for st in result.splits.values() for t in st.mentions})
    per_type = Table(title="mentions per type")
    per_type.add_column("type")
    for name in result.splits:
        per_type.add_column(name, justify="right")
    for t in types:
        per_type.add_row(t, *(str(st.mentions.get(t, 0)) for st in result.splits.values()))
    console.print(per_type)


# ----------------------------------------------------------------------------------- validate
def validate(
    path: str = typer.Argument(..., help="A file, a corpus directory, or a registry name."),
    output: str = typer.Option("table", "--format", help="table or json."),
    data_format: str | None = typer.Option(
        None, "--from", "--data-format", help="Format of the files (default: detected)."
    ),
    scheme: str = typer.Option("iob2", "--scheme", help="Tag scheme of column files."),
    limit: int = typer.Option(50, "--limit", help="Problems to print (all are counted)."),
) -> None:
    """Report ill-formed tags, crossing/duplicate spans, empty sentences... Exit 2 on errors."""
    from mosaicner.corpora.validate import validate as run_validate

    _check_output(output)
    options: dict[str, Any] = {"scheme": scheme} if scheme != "iob2" else {}
    report = run_validate(path, format=data_format, **options)
    if output == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for problem in report.problems[:limit]:
            err_console.print(problem.render(), markup=False)
        shown = min(limit, len(report.problems))
        if report.total > shown:
            err_console.print(f"... and {report.total - shown} more", markup=False)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
        verdict = "[green]OK[/green]" if report.ok else "[red]INVALID[/red]"
        console.print(
            f"{verdict} {len(report.files)} file(s), {report.sentences} sentences, "
            f"{report.mentions} mentions: {report.errors} errors, {report.warnings} warnings"
            + (f" ({counts})" if counts else "")
        )
    if not report.ok:
        raise typer.Exit(2)


# ----------------------------------------------------------------------------------- download
def download(
    corpus: str = typer.Argument(..., help="Registry corpus name (see 'mosaicner corpora list')."),
    dest: Path | None = typer.Option(
        None, "--dest", help="Data directory to write NAME/ into (default: the data dir)."
    ),
    url_base: str | None = typer.Option(
        None,
        "--url-base",
        help="Replace https://raw.githubusercontent.com/ (a mirror with the same layout).",
    ),
    force: bool = typer.Option(False, "--force", help="Download even verified files again."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fetch a corpus from its public source (checksums verified, atomic writes)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    from mosaicner.corpora.download import download_corpus
    from mosaicner.corpora.registry import RemoteFile

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def hook(spec: RemoteFile, done: int, total: int | None) -> None:
            if spec.local not in tasks:
                tasks[spec.local] = bar.add_task(spec.local, total=total)
            bar.update(tasks[spec.local], completed=done, total=total)

        report = download_corpus(corpus, dest, url_base=url_base, force=force, progress=hook)
    for name in report.downloaded:
        console.print(f"downloaded {report.dest / name}", markup=False)
    for name in report.skipped:
        console.print(f"up to date {report.dest / name}", markup=False)
    for name, note in report.unavailable:
        err_console.print(f"warning: {report.dest / name} not downloaded: {note}", markup=False)
    console.print(
        f"{report.corpus}: {len(report.downloaded)} downloaded ({report.bytes} bytes), "
        f"{len(report.skipped)} up to date, {len(report.unavailable)} unavailable -> {report.dest}",
        markup=False,
    )


# ------------------------------------------------------------------------------------ convert
def convert(
    source: Path = typer.Argument(..., help="Input file (or folder for brat)."),
    target: Path = typer.Argument(..., help="Output file (or folder for brat)."),
    from_format: str | None = typer.Option(
        None, "--from", help="Input format (default: detected from the suffix and content)."
    ),
    to_format: str | None = typer.Option(
        None, "--to", help="Output format (default: from the target's suffix)."
    ),
    label_map: str | None = typer.Option(
        None, "--label-map", help="Apply a label map: a YAML file or a built-in map name."
    ),
    read_opt: list[str] | None = typer.Option(
        None, "--read-opt", help="Reader option KEY=VALUE (repeatable), e.g. strict=false."
    ),
    write_opt: list[str] | None = typer.Option(
        None, "--write-opt", help="Writer option KEY=VALUE (repeatable), e.g. flatten=innermost."
    ),
    output: str = typer.Option("table", "--format", help="Report as table or json."),
) -> None:
    """Convert between conll, jsonl, genia-jsonl, brat, bioc-xml, bioc-json, pubtator, actions,
    text; prints what was read, written and lost."""
    from mosaicner import io

    _check_output(output)
    fmt_in = from_format or io.detect_format(source)
    fmt_out = to_format or io.format_for_target(target)  # the target is never read
    io.get_format(fmt_in)
    io.get_format(fmt_out)
    result = io.read(source, fmt_in, **_parse_options(read_opt, "--read-opt"))
    docs = result.documents
    harmonised = None
    if label_map is not None:
        from mosaicner.schema import get_label_map

        docs, harmonised = get_label_map(label_map).apply(docs)
    wrote = io.write(docs, target, fmt_out, **_parse_options(write_opt, "--write-opt"))
    rr = result.report
    if output == "json":
        payload: dict[str, Any] = {
            "read": {
                "path": str(source),
                "format": fmt_in,
                "documents": rr.documents,
                "sentences": rr.sentences,
                "spans": rr.spans,
                "repaired": rr.repaired,
                "skipped": rr.skipped,
                "lossy": dict(rr.lossy),
                "warnings": list(rr.warnings),
            },
            "write": {
                "path": str(target),
                "format": fmt_out,
                "documents": wrote.documents,
                "spans": wrote.spans,
                "lossy": dict(wrote.lossy),
            },
        }
        if harmonised is not None:
            payload["label_map"] = harmonised.to_dict()
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(f"read  [{fmt_in}] {rr.summary()}", markup=False)
    for warning in rr.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    if harmonised is not None:
        console.print(harmonised.summary(), markup=False)
    console.print(
        f"wrote [{fmt_out}] {target}: {wrote.documents} documents, {wrote.spans} spans",
        markup=False,
    )
    lossy = dict(wrote.lossy)
    if lossy:
        for what, n in sorted(lossy.items()):
            err_console.print(f"lossy: {n} {what}", markup=False)
    else:
        console.print("lossless: nothing the target format could not represent", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``mosaicner corpora ...`` and ``mosaicner convert`` to ``app``."""
    corpora_app = typer.Typer(
        name="corpora",
        help="Known corpora: list, info, statistics, validation, download.",
        no_args_is_help=True,
    )
    corpora_app.command("list")(list_corpora)
    corpora_app.command("info")(info)
    corpora_app.command("stats")(stats)
    corpora_app.command("validate")(validate)
    corpora_app.command("download")(download)
    app.add_typer(corpora_app, name="corpora")
    app.command("convert")(convert)


__all__ = ["convert", "download", "info", "list_corpora", "register", "stats", "validate"]
