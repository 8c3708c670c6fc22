"""The science benchmark scripts live outside the package: import them from their folder."""

from __future__ import annotations

import sys
from pathlib import Path

SCIENCE = Path(__file__).resolve().parents[2] / "benchmarks" / "science"
if str(SCIENCE) not in sys.path:
    sys.path.insert(0, str(SCIENCE))
