"""Reading and writing similarity records (JSON, CSV) and heatmaps.

A similarity file is a JSON array of records ``{"measure", "target", "auxiliary", "value"}``
(every ordered pair target ≠ auxiliary; symmetric measures appear in both orders; records may
carry extra keys such as ``collection`` or ``params``), or a CSV file with the header
``measure,target,auxiliary,value``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mosaicner.errors import FormatError, MissingFileError

Record = dict[str, Any]
CSV_FIELDS = ("measure", "target", "auxiliary", "value")


def records_to_json(records: Sequence[Record]) -> str:
    """Similarity records as a JSON array."""
    return json.dumps(list(records), indent=1, allow_nan=True)


def records_to_csv(records: Sequence[Record]) -> str:
    """Similarity records as CSV (``CSV_FIELDS`` columns)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in records:
        writer.writerow([r["measure"], r["target"], r["auxiliary"], repr(float(r["value"]))])
    return buf.getvalue()


def read_records(
    path: str | Path, required: Sequence[str] = CSV_FIELDS, kind: str = "similarity"
) -> list[Record]:
    """Records from a JSON array or a CSV file; every record must have ``required`` keys."""
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(f"{kind} file not found", file=p)
    text = p.read_text(encoding="utf-8")
    records: list[Record]
    if p.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        records = []
        for i, row in enumerate(rows, start=2):
            missing = [k for k in required if not row.get(k)]
            if missing:
                raise FormatError(
                    f"{kind} row lacks {', '.join(missing)}",
                    file=p,
                    line=i,
                    expected="columns " + ",".join(required),
                )
            rec: Record = dict(row)
            for k, v in row.items():
                if k in ("measure", "target", "auxiliary") or v in (None, ""):
                    continue
                try:
                    rec[k] = float(v)
                except ValueError:
                    rec[k] = v
            records.append(rec)
        return records
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON: {exc.msg}", file=p, line=exc.lineno, expected="a JSON array"
        ) from exc
    if not isinstance(data, list):
        raise FormatError(f"{kind} file is not a JSON array", file=p, expected="[{...}, ...]")
    for i, r in enumerate(data):
        if not isinstance(r, dict) or any(k not in r for k in required):
            raise FormatError(
                f"{kind} record {i} lacks one of {', '.join(required)}",
                file=p,
                expected="records with keys " + ", ".join(required),
            )
    return data


def write_records(records: Sequence[Record], path: str | Path, fmt: str | None = None) -> None:
    """Write records as CSV or JSON (by ``fmt``, else by the file suffix)."""
    p = Path(path)
    fmt = fmt or ("csv" if p.suffix.lower() == ".csv" else "json")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(records_to_csv(records) if fmt == "csv" else records_to_json(records) + "\n")


def matrix(
    records: Sequence[Record], measure: str, names: Sequence[str] | None = None
) -> tuple[list[str], NDArray[np.float64]]:
    """Square matrix (rows = targets, columns = auxiliaries); NaN where there is no record."""
    rows = [r for r in records if r["measure"] == measure]
    if names is None:
        names = sorted({r["target"] for r in rows} | {r["auxiliary"] for r in rows})
    index = {n: i for i, n in enumerate(names)}
    m = np.full((len(names), len(names)), math.nan)
    for r in rows:
        if r["target"] in index and r["auxiliary"] in index:
            m[index[r["target"]], index[r["auxiliary"]]] = float(r["value"])
    return list(names), m


def plot_heatmaps(
    records: Sequence[Record], out_dir: str | Path, names: Sequence[str] | None = None
) -> list[Path]:
    """One PNG per measure (rows = targets, columns = auxiliaries); returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for measure in sorted({r["measure"] for r in records}):
        labels, m = matrix(records, measure, names)
        size = max(4.0, 0.8 * len(labels) + 2)
        fig, ax = plt.subplots(figsize=(size + 1, size))
        masked = np.ma.masked_invalid(m)
        im = ax.imshow(masked, cmap="viridis")
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("auxiliary")
        ax.set_ylabel("target")
        ax.set_title(measure)
        finite = m[np.isfinite(m)]
        mid = float(finite.mean()) if finite.size else 0.0
        for i in range(len(labels)):
            for j in range(len(labels)):
                if np.isfinite(m[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{m[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="black" if m[i, j] > mid else "white",
                    )
        fig.colorbar(im, ax=ax, shrink=0.8)
        fig.tight_layout()
        safe = measure.replace(":", "-").replace("+", "_")
        path = out / f"heatmap_{safe}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(path)
    return files


__all__ = [
    "CSV_FIELDS",
    "matrix",
    "plot_heatmaps",
    "read_records",
    "records_to_csv",
    "records_to_json",
    "write_records",
]
