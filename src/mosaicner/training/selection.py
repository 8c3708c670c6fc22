"""Model selection on dev F1, with patience, for one training phase.

The phase's selection score is the macro dev F1 or one corpus's dev F1.  With
``keep_best_per_corpus`` every corpus also keeps its own best round, and patience resets
whenever any corpus improves.  The state is saved in checkpoints (:meth:`Selection.state_dict`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Verdict:
    """What one evaluation round decided."""

    score: float
    improved: bool
    improved_corpora: list[str]
    stop: bool


@dataclass
class Selection:
    """Best dev score so far, patience, and (optionally) each corpus's best round."""

    selection: str  # "macro" or a corpus name
    select: bool = True  # keep the best dev checkpoint in this phase
    per_corpus: bool = False
    patience: int | None = None
    best_score: float = -math.inf
    best_step: int = 0
    bad_evals: int = 0
    corpus_best: dict[str, list[float]] = field(default_factory=dict)  # corpus -> [F1, step]

    def score_of(self, dev: Mapping[str, Any]) -> float:
        """The selection score of a dev result ``{"per_corpus", "macro"}``."""
        if self.selection == "macro":
            return float(dev["macro"])
        return float(dev["per_corpus"].get(self.selection, float("nan")))

    def update(self, dev: Mapping[str, Any], step: int) -> Verdict:
        """Record the dev scores of ``step``; say what improved and whether to stop."""
        score = self.score_of(dev)
        improved = self.select and not math.isnan(score) and score > self.best_score
        if improved:
            self.best_score, self.best_step = score, step
        improved_corpora: list[str] = []
        if self.per_corpus:
            for c, v in dev["per_corpus"].items():
                if not math.isnan(v) and v > self.corpus_best.get(c, [-math.inf, 0])[0]:
                    self.corpus_best[c] = [v, step]
                    improved_corpora.append(c)
        if improved or improved_corpora:
            self.bad_evals = 0
        elif self.select:
            self.bad_evals += 1
        stop = self.select and self.patience is not None and self.bad_evals >= self.patience
        return Verdict(score, improved, improved_corpora, stop)

    def state_dict(self) -> dict[str, Any]:
        """The resumable part of the selection."""
        return {
            "best_score": self.best_score,
            "best_step": self.best_step,
            "bad_evals": self.bad_evals,
            "corpus_best": {k: list(v) for k, v in self.corpus_best.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.best_score = float(state["best_score"])
        self.best_step = int(state["best_step"])
        self.bad_evals = int(state["bad_evals"])
        self.corpus_best = {k: list(v) for k, v in state.get("corpus_best", {}).items()}


__all__ = ["Selection", "Verdict"]
