"""mosaicner.cli: the ``mosaicner`` command (typer + rich); top layer.

Every command parses its arguments and calls one library function; the command modules
(``corpora``, ``train``, ``sru``, ``analyze``, ``tag``) register themselves on ``app`` in
:mod:`mosaicner.cli.main` (imported on first use, so ``python -m mosaicner.cli.main`` works).
"""

import importlib
from typing import Any

__all__ = ["app"]


def __getattr__(name: str) -> Any:
    if name == "app":
        return importlib.import_module("mosaicner.cli.main").app
    raise AttributeError(f"module 'mosaicner.cli' has no attribute {name!r}")
