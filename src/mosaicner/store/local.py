"""A local store of models by name (torch-free).

Layout::

    $MOSAICNER_HOME/                     default: the user data directory (below)
      models/
        NAME/                            a complete model folder, loadable by path too
          config.json  model.safetensors  encoder/  label_maps.json  training.json
          merge.json                     merge policy, co-occurrence table, calibration
          results.json                   final figures of the build (when built or installed
                                         from a run folder that has them)
          README.md                      the model card (:mod:`.card`)
          store.json                     name, origin (path, recipe or hub repo), install time
      builds/
        NAME/                            the training run of `models build NAME` (resumable)

``$MOSAICNER_HOME`` defaults to ``platformdirs.user_data_dir("mosaicner")`` when platformdirs
is installed, else ``$XDG_DATA_HOME/mosaicner`` (``~/.local/share/mosaicner``).

Every MODEL argument accepts a path or a name (:func:`resolve_model`): an existing path wins;
otherwise the name is looked up in the store; an unknown name is a
:class:`~mosaicner.errors.MissingFileError` listing the installed names (exit code 2 from the CLI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mosaicner._version import __version__
from mosaicner.errors import ConfigError, MissingFileError, ModelError

HOME_ENV = "MOSAICNER_HOME"
STORE_FILE = "store.json"
CARD_FILE = "README.md"
RESULTS_FILE = "results.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def store_home() -> Path:
    """``$MOSAICNER_HOME``, or the user data directory's ``mosaicner`` folder."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir("mosaicner", appauthor=False))
    except ImportError:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base).expanduser() / "mosaicner"


def models_root(home: Path | None = None) -> Path:
    """The folder of installed models (``$MOSAICNER_HOME/models`` by default)."""
    return (home or store_home()) / "models"


def builds_root(home: Path | None = None) -> Path:
    """The folder of recipe builds in progress or finished (``$MOSAICNER_HOME/builds``)."""
    return (home or store_home()) / "builds"


def check_name(name: str) -> str:
    """``name`` when it can name an installed model (a safe folder name), else ConfigError."""
    if not _NAME.match(name) or name in (".", ".."):
        raise ConfigError(
            f"invalid model name {name!r}",
            expected="letters, digits, '.', '_' or '-' (starting with a letter or digit)",
        )
    return name


@dataclass(frozen=True)
class ModelEntry:
    """One installed model as ``models list`` shows it."""

    name: str
    path: Path
    types: list[str]
    corpora: list[str]
    origin: str
    installed: str
    size_bytes: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "path": str(self.path),
            "types": self.types,
            "corpora": self.corpora,
            "origin": self.origin,
            "installed": self.installed,
            "size_bytes": self.size_bytes,
        }


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"not valid JSON ({exc})", file=path) from exc
    return data if isinstance(data, dict) else {}


def _strip(label: str, corpora: set[str]) -> str:
    prefix, sep, rest = label.partition("$")
    return rest if sep and prefix in corpora else label


def describe_folder(folder: Path) -> dict[str, Any]:
    """Types, corpora and heads of a saved model folder, read from its JSON files (no torch)."""
    config = _read_json(folder / "config.json")
    training = _read_json(folder / "training.json")
    routes = dict(config.get("routes") or {})
    corpora = set(routes)
    types = sorted(
        {
            _strip(str(lab), corpora)
            for head in (config.get("heads") or {}).values()
            for lab in (head.get("labels") or [])
        }
    )
    meta_corpora = training.get("corpora") or {}
    if isinstance(meta_corpora, list):
        meta_corpora = {str(c): {} for c in meta_corpora}
    return {
        "types": types,
        "corpora": sorted(set(meta_corpora) | corpora),
        "heads": {k: v.get("type") for k, v in (config.get("heads") or {}).items()},
        "routes": routes,
        "training": training,
        "encoder": (config.get("encoder") or {}).get("name"),
    }


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def installed_names(home: Path | None = None) -> list[str]:
    """Names of the installed models, sorted."""
    root = models_root(home)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "config.json").is_file())


def list_models(home: Path | None = None) -> list[ModelEntry]:
    """Every installed model with its types, corpora, origin and size."""
    out = []
    for name in installed_names(home):
        folder = models_root(home) / name
        desc = describe_folder(folder)
        meta = _read_json(folder / STORE_FILE)
        out.append(
            ModelEntry(
                name,
                folder,
                desc["types"],
                desc["corpora"],
                str(meta.get("origin", "")),
                str(meta.get("installed", "")),
                _size(folder),
            )
        )
    return out


def model_path(name: str, home: Path | None = None) -> Path:
    """The folder of an installed model; a clear error listing the installed names if none."""
    folder = models_root(home) / name
    if _NAME.match(name) and (folder / "config.json").is_file():
        return folder
    names = installed_names(home)
    raise MissingFileError(
        f"no model path or installed model named {name!r}",
        expected="a model folder, a dictionary file, or one of the installed models: "
        + (", ".join(names) if names else "(none installed)"),
        hint="see `mosaicner models list`; build one with `mosaicner models build mosaic-quick`",
    )


def resolve_model(name_or_path: str | Path, home: Path | None = None) -> Path:
    """A path when it exists, else the installed model of that name (error listing names)."""
    p = Path(name_or_path)
    if p.exists():
        return p
    return model_path(str(name_or_path), home)


def model_info(name_or_path: str | Path, home: Path | None = None) -> dict[str, Any]:
    """What ``models info`` shows: description, store record, merge settings, figures."""
    folder = resolve_model(name_or_path, home)
    if (folder / "model" / "config.json").is_file() and not (folder / "config.json").is_file():
        folder = folder / "model"
    desc = describe_folder(folder)
    results = _read_json(folder / RESULTS_FILE)
    figures = {
        corpus: {
            "split": rep.get("split"),
            "f1": (rep.get("micro") or {}).get("f1"),
            "precision": (rep.get("micro") or {}).get("precision"),
            "recall": (rep.get("micro") or {}).get("recall"),
        }
        for corpus, rep in (results.get("reports") or {}).items()
    }
    return {
        "name": folder.name,
        "path": str(folder),
        "types": desc["types"],
        "corpora": desc["corpora"],
        "heads": desc["heads"],
        "encoder": desc["encoder"],
        "store": _read_json(folder / STORE_FILE),
        "merge": _read_json(folder / "merge.json"),
        "figures": figures,
        "size_bytes": _size(folder),
    }


def _source_model_dir(path: Path) -> tuple[Path, Path | None]:
    """(model folder, results.json or None) for a model folder or a run folder."""
    if (path / "model" / "config.json").is_file() and not (path / "config.json").is_file():
        results = path / RESULTS_FILE
        return path / "model", results if results.is_file() else None
    if not (path / "config.json").is_file():
        raise ModelError(
            "not a saved model folder (no config.json)",
            file=path,
            hint="pass the model/ folder of a training run, or the run folder itself",
        )
    results = path / RESULTS_FILE
    return path, results if results.is_file() else None


def install_model(
    path: str | Path,
    name: str,
    *,
    home: Path | None = None,
    overwrite: bool = False,
    origin: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Copy a model (or run) folder into the store as ``name`` and write its model card."""
    from mosaicner.store.card import write_model_card

    check_name(name)
    src = Path(path)
    if not src.exists():
        raise MissingFileError("no such model folder", file=src)
    model_dir, results = _source_model_dir(src)
    target = models_root(home) / name
    if target.exists() and not overwrite:
        raise ConfigError(
            f"a model named {name!r} is already installed",
            file=target,
            hint="pass --overwrite to replace it, or choose another --name",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(model_dir, tmp, ignore=shutil.ignore_patterns("onnx", "*.tmp"))
    if results is not None and not (tmp / RESULTS_FILE).exists():
        shutil.copy2(results, tmp / RESULTS_FILE)
    record = {
        "name": name,
        "origin": origin or str(src.resolve()),
        "installed": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mosaicner_version": __version__,
        **(extra or {}),
    }
    (tmp / STORE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    write_model_card(tmp, name=name, record=record)
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)
    return target


def remove_model(name: str, home: Path | None = None) -> Path:
    """Delete the installed model ``name``; returns the folder that was removed."""
    folder = model_path(name, home)
    shutil.rmtree(folder)
    return folder


__all__ = [
    "CARD_FILE",
    "HOME_ENV",
    "STORE_FILE",
    "ModelEntry",
    "builds_root",
    "check_name",
    "describe_folder",
    "install_model",
    "installed_names",
    "list_models",
    "model_info",
    "model_path",
    "models_root",
    "remove_model",
    "resolve_model",
    "store_home",
]
