"""Shared fixtures: MANIFEST.md figures (parsed, not retyped) and cached corpus statistics."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mosaicner.corpora.registry import CORPORA

SPLIT_NAMES = {"train": "train", "devel": "dev", "dev": "dev", "test": "test"}


def parse_manifest(text: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Per corpus and split: sentences, tokens, entities, per-type counts (+ GENIA extras)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    section = ""
    header: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^## (\S+)", line)
        if m:
            section = m.group(1)
            header = []
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "split":
            header = cells
            continue
        if not header or set(cells[0]) <= {"-", ":"} or cells[0] not in SPLIT_NAMES:
            continue
        row = dict(zip(header, cells, strict=True))
        name = section  # "## GENIA-nested train split" also parses as GENIA-nested
        per_type = {}
        for part in row["per type"].split(","):
            label, n = part.strip().rsplit(" ", 1)
            per_type[label] = int(n)
        entry: dict[str, Any] = {
            "sentences": int(row["sentences"]),
            "tokens": int(row["tokens"]),
            "entities": int(row["entities"]),
            "mentions": per_type,
        }
        if "docs" in row:
            entry["documents"] = int(row["docs"])
        if "nested in another" in row:
            entry["nested_mentions"] = int(row["nested in another"])
            entry["max_depth"] = int(row["max depth"])
        out.setdefault(name, {})[SPLIT_NAMES[cells[0]]] = entry
    docstart = re.search(r"\((\d+) in train, (\d+) in devel, (\d+) in test\)", text)
    assert docstart is not None, "JNLPBA -DOCSTART- counts not found in MANIFEST.md"
    for split, n in zip(("train", "dev", "test"), docstart.groups(), strict=True):
        out["JNLPBA"][split]["documents"] = int(n)
    return out


@pytest.fixture(scope="session")
def manifest(data_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    parsed = parse_manifest((data_dir / "MANIFEST.md").read_text(encoding="utf-8"))
    # every corpus with a count table in the manifest is in the registry, and vice versa
    assert set(parsed) == set(CORPORA), parsed.keys()
    assert all(len(v) == 3 for v in parsed.values()), parsed.keys()
    return parsed


@pytest.fixture(scope="session")
def cli_stats(data_dir: Path) -> Callable[[str], dict[str, Any]]:
    """``mosaicner corpora stats NAME --format json`` run in-process once per corpus."""
    from mosaicner.cli.main import main

    cache: dict[str, dict[str, Any]] = {}

    def run(name: str) -> dict[str, Any]:
        if name not in cache:
            import contextlib
            import io

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf), pytest.raises(SystemExit) as exc:
                main(["--data-dir", str(data_dir), "corpora", "stats", name, "--format", "json"])
            assert exc.value.code == 0, buf.getvalue()
            cache[name] = json.loads(buf.getvalue())
        return cache[name]

    return run
