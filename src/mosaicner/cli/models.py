"""``mosaicner models ...`` (the local model store) and ``mosaicner merge-policies``.

Each command parses its arguments and calls one library function (:mod:`mosaicner.store`,
:func:`mosaicner.training.recipe.build_recipe`,
:func:`mosaicner.inference.scoring.score_merge_policies`).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

models_app = typer.Typer(
    help="Models by name: the local store ($MOSAICNER_HOME), recipes, hub push/pull.",
    no_args_is_help=True,
)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


@models_app.command("list")
def list_cmd(
    fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
) -> None:
    """List the installed models (and the recipes `models build` knows)."""
    from mosaicner.store import list_models, recipe_names, store_home

    entries = list_models()
    if fmt == "json":
        typer.echo(json.dumps([e.as_dict() for e in entries], indent=2))
        return
    table = Table(title=f"models in {store_home()}")
    for col in ("name", "types", "corpora", "size", "origin"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.name, ", ".join(e.types), ", ".join(e.corpora), _mb(e.size_bytes), e.origin)
    console.print(table)
    if not entries:
        console.print("no model installed yet")
    console.print("recipes for `mosaicner models build`: " + ", ".join(recipe_names()))


@models_app.command("info")
def info_cmd(
    name: str = typer.Argument(..., help="Installed model name (or a model folder)."),
) -> None:
    """Show a model's types, corpora, heads, merge settings and stored figures (JSON)."""
    from mosaicner.store import model_info

    typer.echo(json.dumps(model_info(name), indent=2, default=str))


@models_app.command("build")
def build_cmd(
    name: str = typer.Argument(..., help="Model name; also the recipe unless --recipe is given."),
    recipe: str | None = typer.Option(
        None, "--recipe", help="Recipe name or training YAML (default: the recipe NAME)."
    ),
    overrides: list[str] = typer.Option(
        [], "--set", help="Dotted override of the recipe, e.g. --set trainer.max_steps=100."
    ),
    resume: bool = typer.Option(True, "--resume/--fresh", help="Resume an interrupted build."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an installed model."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    select_merge: bool = typer.Option(
        True,
        "--select-merge/--no-select-merge",
        help="Choose the merge policy (and calibration) on the recipe's dev splits.",
    ),
) -> None:
    """Train a pinned recipe (mosaic, mosaic-quick) and install the model as NAME."""
    from mosaicner.inference.scoring import choose_merge_policy
    from mosaicner.training.recipe import build_recipe

    summary = build_recipe(
        name,
        recipe=recipe,
        overrides=list(overrides),
        resume=resume,
        overwrite=overwrite,
        progress=not quiet,
        select_merge=choose_merge_policy if select_merge else None,
    )
    for corpus, micro in summary["reports"].items():
        console.print(f"{corpus}: F1 {100 * float(micro['f1']):.2f}", markup=False)
    sel = summary.get("merge_selection") or {}
    if sel.get("chosen"):
        scores = ", ".join(f"{p} {100 * f:.2f}" for p, f in sel["macro_f1"].items())
        console.print(f"merge policy {sel['chosen']} (dev macro F1: {scores})", markup=False)
    elif sel:
        console.print(f"merge policy unchanged: {sel['why']}", markup=False)
    console.print(
        f"built {name} in {summary['seconds'] / 60:.1f} min ({summary['steps']} steps); "
        f"installed at {summary['path']}",
        markup=False,
    )


@models_app.command("install")
def install_cmd(
    path: Path = typer.Argument(..., help="A saved model folder or a training run folder."),
    name: str = typer.Option(..., "--name", help="Name to install it under."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an installed model."),
) -> None:
    """Copy a model folder into the store under NAME (and write its model card)."""
    from mosaicner.store import install_model

    target = install_model(path, name, overwrite=overwrite)
    console.print(f"installed {name} at {target}", markup=False)


@models_app.command("remove")
def remove_cmd(name: str = typer.Argument(..., help="Installed model name.")) -> None:
    """Delete an installed model."""
    from mosaicner.store import remove_model

    folder = remove_model(name)
    console.print(f"removed {name} ({folder})", markup=False)


@models_app.command("push")
def push_cmd(
    name: str = typer.Argument(..., help="Installed model name."),
    repo_id: str = typer.Argument(..., help="Hugging Face repository, e.g. user/mosaic-quick."),
    private: bool = typer.Option(False, "--private", help="Create the repository private."),
) -> None:
    """Upload an installed model to the Hugging Face hub (needs network and a token)."""
    from mosaicner.store import push_model

    url = push_model(name, repo_id, private=private)
    console.print(f"pushed {name} to {repo_id}: {url}", markup=False)


@models_app.command("pull")
def pull_cmd(
    repo_id: str = typer.Argument(..., help="Hugging Face repository of a mosaicner model."),
    name: str = typer.Option(..., "--name", help="Name to install it under."),
    revision: str | None = typer.Option(None, "--revision", help="Branch, tag or commit."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an installed model."),
) -> None:
    """Download a model from the Hugging Face hub and install it under NAME."""
    from mosaicner.store import pull_model

    target = pull_model(repo_id, name, revision=revision, overwrite=overwrite)
    console.print(f"installed {repo_id} as {name} at {target}", markup=False)


def merge_policies(
    model: str = typer.Argument(..., help="Model folder or installed model name."),
    corpus: list[str] = typer.Option(
        [], "--corpus", "-c", help="Corpus to score on (repeatable; default: every trained one)."
    ),
    split: str = typer.Option("dev", "--split", help="Split to choose on (never the test set)."),
    calibrate: bool = typer.Option(
        True, "--calibrate/--no-calibrate", help="Fit per-head Platt calibration on the split."
    ),
    write: bool = typer.Option(
        False, "--write", help="Store the best policy and the calibration in merge.json."
    ),
    threads: int | None = typer.Option(None, "--threads", help="torch threads."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
) -> None:
    """Score every merge policy on dev data (strict F1 per corpus, macro) and pick the best."""
    from mosaicner.inference.scoring import score_merge_policies
    from mosaicner.inference.tagger import Tagger
    from mosaicner.models.multitask import find_model_dir
    from mosaicner.store import resolve_model

    folder = find_model_dir(resolve_model(model))
    tagger = Tagger.load(folder, num_threads=threads)
    out = score_merge_policies(
        tagger, list(corpus) or None, split, calibrate=calibrate, write=write, model_dir=folder
    )
    if fmt == "json":
        typer.echo(json.dumps(out, indent=2))
        return
    table = Table(title=f"merge policies on {split} (strict span F1)")
    table.add_column("policy")
    for name in out["corpora"]:
        table.add_column(name, justify="right")
    table.add_column("macro", justify="right")
    for policy, res in out["policies"].items():
        cells = [f"{100 * float(res['corpora'][c]['f1']):.2f}" for c in out["corpora"]]
        table.add_row(policy, *cells, f"{100 * res['macro_f1']:.2f}")
    console.print(table)
    for name, why in out.get("skipped", {}).items():
        console.print(f"skipped {name}: {why}", markup=False)
    console.print(f"best: {out['best']}" + (f" (written to {out['written']})" if write else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
    app.command("merge-policies")(merge_policies)
