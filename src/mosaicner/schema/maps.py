"""Built-in label maps (one YAML file per shared corpus) and map lookup by name or path."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from mosaicner.errors import UnknownComponentError
from mosaicner.schema.labelmap import LabelMap

#: Spellings that select the keep-original (identity) map.
KEEP_ORIGINAL = ("original", "keep", "keep-original", "identity")
#: Spellings that select the corpus's built-in map.
BUILTIN = ("builtin", "canonical", "default")


def _builtin_dir() -> Path:
    return Path(str(resources.files("mosaicner.schema") / "builtin"))


@lru_cache(maxsize=1)
def _builtin_files() -> dict[str, Path]:
    return {p.stem.lower(): p for p in sorted(_builtin_dir().glob("*.yaml"))}


def _key(name: str) -> str | None:
    """The built-in map file key of ``name``, ignoring case, ``-``, ``_`` and spaces
    (``WNUT-17``, ``wnut17`` and ``wnut_17`` are one map); None when there is none."""
    wanted = "".join(ch for ch in name.lower() if ch not in "-_ ")
    for key in _builtin_files():
        if key.replace("-", "").replace("_", "") == wanted:
            return key
    return None


def builtin_map_names() -> tuple[str, ...]:
    """Names of the built-in maps (the corpus names, as spelled in each file)."""
    return tuple(builtin_map(key).name for key in _builtin_files())


@cache
def _load_builtin(key: str) -> LabelMap:
    return LabelMap.from_yaml(_builtin_files()[key])


def builtin_map(corpus: str) -> LabelMap:
    """The built-in map of a shared corpus (case-insensitive; ``-``, ``_`` and spaces ignored)."""
    key = _key(corpus)
    files = _builtin_files()
    if key is None:
        raise UnknownComponentError.for_name(
            "built-in label map", corpus, [_load_builtin(k).name for k in files]
        )
    return _load_builtin(key)


def get_label_map(spec: str | Path | LabelMap | None, corpus: str | None = None) -> LabelMap:
    """Resolve a label-map specification.

    * a :class:`LabelMap`: returned as is;
    * ``None``, ``"builtin"``, ``"canonical"``: the built-in map of ``corpus``;
    * ``"original"``, ``"keep"``, ``"identity"``: keep every label as it is;
    * a path to a YAML file;
    * the name of a built-in map (``"BC5CDR"``).
    """
    if isinstance(spec, LabelMap):
        return spec
    if spec is None or (isinstance(spec, str) and spec.lower() in BUILTIN):
        if corpus is None:
            raise UnknownComponentError(
                "a built-in label map needs a corpus name",
                hint="pass corpus=..., a YAML path, or 'original'",
            )
        return builtin_map(corpus)
    text = str(spec)
    if text.lower() in KEEP_ORIGINAL:
        return LabelMap.keep_original()
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        return LabelMap.from_yaml(path)
    key = _key(text)
    if key is not None:
        return _load_builtin(key)
    raise UnknownComponentError.for_name(
        "label map", text, [*(_load_builtin(k).name for k in _builtin_files()), *KEEP_ORIGINAL]
    )


__all__ = ["BUILTIN", "KEEP_ORIGINAL", "builtin_map", "builtin_map_names", "get_label_map"]
