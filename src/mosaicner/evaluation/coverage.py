"""Gold spans that cannot be scored, counted by reason (nothing is left out silently).

Scoring works on sentences and tokens: a gold span takes part only when it has token offsets
(it aligns to token boundaries) and lies inside one sentence.  :func:`unscorable_gold` counts
the spans of a document list that fail either test; evaluation reports carry the counts as
``unscored_gold`` (see :func:`unscored_summary`), and ``mosaicner evaluate`` prints them.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from mosaicner.data.model import GOLD, Document

NOT_ALIGNED = "not aligned to token boundaries"
CROSSES_SENTENCES = "crosses a sentence boundary"
OUTSIDE_SENTENCES = "outside every sentence"


def unscorable_gold(docs: Iterable[Document], layer: str = GOLD) -> dict[str, int]:
    """Reason → number of spans of ``layer`` that sentence-level scoring cannot use."""
    counts: Counter[str] = Counter()
    for doc in docs:
        starts = [s.token_start for s in doc.sentences]
        for sp in doc.layer(layer):
            if sp.token_start is None or sp.token_end is None:
                counts[NOT_ALIGNED] += 1
                continue
            k = bisect.bisect_right(starts, sp.token_start) - 1
            if k < 0 or sp.token_start >= doc.sentences[k].token_end:
                counts[OUTSIDE_SENTENCES] += 1
            elif sp.token_end > doc.sentences[k].token_end:
                counts[CROSSES_SENTENCES] += 1
    return dict(sorted(counts.items()))


def unscored_summary(reasons: Mapping[str, int]) -> dict[str, Any]:
    """The ``unscored_gold`` entry of a report: ``{"total": n, "reasons": {reason: n}}``."""
    clean = {str(k): int(v) for k, v in sorted(reasons.items()) if int(v)}
    return {"total": sum(clean.values()), "reasons": clean}


def unscored_text(report: Mapping[str, Any]) -> str | None:
    """One line about a report's unscored gold spans, or ``None`` when there are none."""
    info = report.get("unscored_gold")
    if not info or not info.get("total"):
        return None
    reasons = "; ".join(f"{why}: {n}" for why, n in info["reasons"].items())
    return (
        f"{report.get('corpus', '?')} {report.get('split', '')}: {info['total']} gold spans "
        f"could not be scored and are not in the support ({reasons})"
    )


__all__ = [
    "CROSSES_SENTENCES",
    "NOT_ALIGNED",
    "OUTSIDE_SENTENCES",
    "unscorable_gold",
    "unscored_summary",
    "unscored_text",
]
