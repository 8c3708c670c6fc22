from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (REPO.parent / "shared" / "corpora").resolve()


def corpora_dir() -> Path:
    return Path(os.environ.get("MOSAICNER_DATA", str(DEFAULT_DATA)))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = corpora_dir()
    if not path.is_dir():
        pytest.skip(f"shared corpora not found at {path}")
    return path
