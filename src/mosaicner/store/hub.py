"""Push models of the store to the Hugging Face hub and pull them back (``huggingface_hub``).

Both take an ``api`` object (default: ``huggingface_hub.HfApi()``) with ``create_repo``,
``upload_folder`` and ``snapshot_download``, so tests pass a local stand-in and never touch the
network.  Authentication is huggingface_hub's own (``HF_TOKEN`` or ``huggingface-cli login``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from mosaicner.errors import ConfigError
from mosaicner.store.local import STORE_FILE, install_model, model_path


def _api(api: Any | None) -> Any:
    if api is not None:
        return api
    try:
        from huggingface_hub import HfApi
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "pushing and pulling models needs huggingface_hub",
            hint="pip install huggingface_hub",
        ) from exc
    return HfApi()


def push_model(
    name: str,
    repo_id: str,
    *,
    home: Path | None = None,
    private: bool = False,
    revision: str | None = None,
    api: Any | None = None,
) -> str:
    """Upload the installed model ``name`` to the hub repository ``repo_id``; returns its URL."""
    folder = model_path(name, home)
    hub = _api(api)
    hub.create_repo(repo_id=repo_id, repo_type="model", private=private, exist_ok=True)
    result = hub.upload_folder(
        repo_id=repo_id,
        folder_path=str(folder),
        repo_type="model",
        revision=revision,
        commit_message=f"mosaicner model {name}",
        ignore_patterns=[STORE_FILE, "onnx/*"],
    )
    return str(getattr(result, "commit_url", None) or result or f"hf://{repo_id}")


def pull_model(
    repo_id: str,
    name: str,
    *,
    home: Path | None = None,
    revision: str | None = None,
    overwrite: bool = False,
    api: Any | None = None,
) -> Path:
    """Download ``repo_id`` from the hub and install it in the store as ``name``."""
    hub = _api(api)
    with tempfile.TemporaryDirectory(prefix="mosaicner-pull-") as tmp:
        local = Path(tmp) / "snapshot"
        path = hub.snapshot_download(
            repo_id=repo_id, repo_type="model", revision=revision, local_dir=str(local)
        )
        src = Path(path) if path else local
        cache = src / ".cache"
        if cache.is_dir():
            shutil.rmtree(cache)
        return install_model(
            src,
            name,
            home=home,
            overwrite=overwrite,
            origin=f"hf://{repo_id}" + (f"@{revision}" if revision else ""),
            extra={"repo_id": repo_id, "revision": revision},
        )


__all__ = ["pull_model", "push_model"]
