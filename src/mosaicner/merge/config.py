"""``merge.json`` in a model folder: the merge policy, the co-occurrence table, calibration.

::

    {
      "policy": "vote",
      "cooccurrence": [["DNA", "Gene_or_protein"], ...],   # null: unknown (allow every pair)
      "cooccurrence_counts": {"DNA|Gene_or_protein": 812, ...},
      "calibration": {"BC5CDR": {"a": 0.9, "b": -0.4}, ...},
      "max_token_shift": 1,
      "min_jaccard": 0.8,
      "chosen_on": {...}                                   # how the policy was chosen, if it was
    }

A model folder without ``merge.json`` merges with :data:`~.policies.DEFAULT_POLICY`, no
calibration and an unknown table (no cross-type prediction is dropped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mosaicner.errors import ConfigError
from mosaicner.merge.policies import (
    DEFAULT_MAX_TOKEN_SHIFT,
    DEFAULT_MIN_JACCARD,
    DEFAULT_POLICY,
    Calibration,
    Cooccurrence,
    MergeConfig,
)

MERGE_FILE = "merge.json"


def config_from_json(data: Mapping[str, Any], *, source: str = MERGE_FILE) -> MergeConfig:
    try:
        pairs = data.get("cooccurrence")
        return MergeConfig(
            policy=str(data.get("policy", DEFAULT_POLICY)),
            cooccurrence=Cooccurrence.unknown()
            if pairs is None
            else Cooccurrence.from_pairs(pairs),
            calibration=Calibration.from_json(data.get("calibration")),
            max_token_shift=int(data.get("max_token_shift", DEFAULT_MAX_TOKEN_SHIFT)),
            min_jaccard=float(data.get("min_jaccard", DEFAULT_MIN_JACCARD)),
            deference={
                str(head): {str(t): frozenset(str(x) for x in to) for t, to in types.items()}
                for head, types in dict(data.get("deference") or {}).items()
            },
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"{source}: malformed merge settings ({exc})") from exc


def config_to_json(cfg: MergeConfig, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "policy": cfg.policy,
        "cooccurrence": cfg.cooccurrence.to_json(),
        "calibration": cfg.calibration.to_json(),
        "max_token_shift": cfg.max_token_shift,
        "min_jaccard": cfg.min_jaccard,
        "deference": {
            h: {t: sorted(to) for t, to in types.items()} for h, types in cfg.deference.items()
        },
    }
    out.update(extra)
    return out


def read_merge_file(model_dir: str | Path) -> dict[str, Any]:
    """The raw ``merge.json`` of a model folder (``{}`` when there is none)."""
    path = Path(model_dir) / MERGE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})", file=path) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object", file=path)
    return data


def load_merge_config(model_dir: str | Path, policy: str | None = None) -> MergeConfig:
    """The merge settings of a model folder; ``policy`` overrides the stored one."""
    data = dict(read_merge_file(model_dir))
    if policy is not None:
        data["policy"] = policy
    return config_from_json(data, source=str(Path(model_dir) / MERGE_FILE))


def update_merge_file(model_dir: str | Path, **fields: Any) -> Path:
    """Merge ``fields`` into the folder's ``merge.json`` (created when missing)."""
    data = read_merge_file(model_dir)
    data.update(fields)
    config_from_json(data)  # validate before writing
    path = Path(model_dir) / MERGE_FILE
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


__all__ = [
    "MERGE_FILE",
    "config_from_json",
    "config_to_json",
    "load_merge_config",
    "read_merge_file",
    "update_merge_file",
]
