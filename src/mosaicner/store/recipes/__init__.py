"""Pinned training recipes for ``mosaicner models build NAME``: YAML training configs shipped
with the package (``mosaicner/store/recipes/*.yaml``, next to this module).

* ``mosaic`` — the full model over the eight shared corpora (see the file's comments);
* ``mosaic-quick`` — the same recipe on a budget of at most 30 minutes wall on 2 CPU cores.

A recipe is a plain :class:`~mosaicner.training.config.TrainConfig` YAML; ``build`` also takes
a path (``--recipe FILE``), which is how tests build from a tiny recipe.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mosaicner.errors import UnknownComponentError


def _recipes_dir() -> Path:
    return Path(str(resources.files("mosaicner.store.recipes")))


def recipe_names() -> list[str]:
    return sorted(p.stem for p in _recipes_dir().glob("*.yaml"))


def recipe_path(name_or_path: str | Path) -> Path:
    """The YAML of a shipped recipe, or ``name_or_path`` itself when it is a file."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    candidate = _recipes_dir() / f"{name_or_path}.yaml"
    if candidate.is_file():
        return candidate
    raise UnknownComponentError.for_name("recipe", str(name_or_path), recipe_names())


__all__ = ["recipe_names", "recipe_path"]
