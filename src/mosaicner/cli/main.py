"""The ``mosaicner`` command line.

Subcommands live in their own modules, each exposing ``register(app)``; heavy imports (torch,
transformers, ray) happen inside the commands, so ``mosaicner corpora ...`` stays fast.
Every :class:`~mosaicner.errors.MosaicnerError` becomes ``error: FILE:LINE: ...`` and exit code 2.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import typer
from rich.console import Console

from mosaicner._version import __version__
from mosaicner.errors import MosaicnerError

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="mosaicner",
    help="Multi-corpus, nested biomedical NER: corpora, training, analysis, tagging, serving.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Modules that contribute commands; each defines `register(app: typer.Typer) -> None`.
COMMAND_MODULES = (
    "mosaicner.cli.corpora",  # corpora list/stats/validate/download, convert
    "mosaicner.cli.train",  # train, evaluate, predict
    "mosaicner.cli.analyze",  # analyze similarity/transfer-matrix/correlate/recommend
    "mosaicner.cli.tag",  # tag, serve
    "mosaicner.cli.sru",  # views, ood (SRU-NER evaluation views, out-of-domain export)
    "mosaicner.cli.models",  # models list/info/build/install/remove/push/pull, merge-policies
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # not written yet
                continue
            raise
        module.register(app)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    data_dir: str | None = typer.Option(
        None,
        "--data-dir",
        help="Folder holding the corpora (overrides $MOSAICNER_DATA).",
    ),
) -> None:
    if version:
        typer.echo(f"mosaicner {__version__}")
        raise typer.Exit(0)
    if data_dir:
        os.environ["MOSAICNER_DATA"] = data_dir


_register_all()


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the app, turning library errors into exit code 2."""
    try:
        # with standalone_mode=False click returns (not raises) the code of `raise typer.Exit(n)`
        rc = app(args=list(argv) if argv is not None else None, standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except MosaicnerError as exc:
        err_console.print(f"error: {exc}", markup=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted", markup=False)
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(2)
        raise
    sys.exit(0)


if __name__ == "__main__":
    main()
