"""The SRU-NER transition system: mentions <-> action sequences <-> multi-label timesteps.

Torch-free.  A sentence of ``n`` words is read left to right by a pointer; the actions are

* ``SHIFT``: consume the current word (move the pointer right);
* ``OUT``: like ``SHIFT``, but only in files, marking a word no mention covers;
* ``TRANSITION(T)``: open a mention of type ``T`` at the current word;
* ``REDUCE(T)``: close the most recently opened, still open mention of type ``T``; it ends
  (exclusive) at the current word, i.e. it covers the words consumed since it was opened;
* ``EOA``: end of actions (never written in files).

Order of the actions (Ruano et al., SRU-NER): for every word, first the ``REDUCE`` of the
mentions ending just before it (shortest first), then the ``TRANSITION`` of the mentions starting
at it (longest first), then ``SHIFT``/``OUT``; after the last word, the ``REDUCE`` of the
mentions ending at the last word, then ``EOA``.  Each type has its own stack, so nested
mentions, identical spans with different types and adjacent mentions are all exact.  Two
mentions of the *same* type that cross cannot be paired unambiguously: :func:`encode` raises
:class:`~mosaicner.errors.CrossingSpansError` for them (or drops and counts them on request).
Mentions of different types that cross are represented exactly by the per-type stacks.

Unlike the released SRU-NER code, mentions ending at the last word and mentions directly
followed by another are kept (the round trip is lossless for every representable span set).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from mosaicner.errors import CrossingSpansError, FormatError, OffsetError

SpanTriple = tuple[int, int, str]
ScoredSpan = tuple[int, int, str, float]

SHIFT = "SHIFT"
OUT = "OUT"
EOA = "EOA"
TRANSITION = "TRANSITION"
REDUCE = "REDUCE"
_KINDS = (SHIFT, OUT, EOA, TRANSITION, REDUCE)


@dataclass(frozen=True, slots=True)
class Action:
    """One action; ``label`` is set for ``TRANSITION``/``REDUCE`` only."""

    kind: str
    label: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}({self.label})" if self.label is not None else self.kind

    @property
    def moves(self) -> bool:
        """True for the actions that consume a word (``SHIFT`` and ``OUT``)."""
        return self.kind in (SHIFT, OUT)

    @classmethod
    def parse(cls, text: str) -> Action:
        """Parse ``SHIFT``, ``OUT``, ``EOA``, ``TRANSITION(T)`` or ``REDUCE(T)``."""
        text = text.strip()
        if text in (SHIFT, OUT, EOA):
            return cls(text)
        head, sep, rest = text.partition("(")
        if sep and head in (TRANSITION, REDUCE) and rest.endswith(")") and len(rest) > 1:
            return cls(head, rest[:-1])
        raise ValueError(f"not an action: {text!r}")


class ActionVocab:
    """Action indices for a label list: ``EOA`` = 0, ``SHIFT`` = 1, then for label ``k``
    ``TRANSITION`` = 2 + 2k and ``REDUCE`` = 3 + 2k (no ``OUT``: it is folded into ``SHIFT``)."""

    EOA_ID = 0
    SHIFT_ID = 1

    def __init__(self, labels: Sequence[str]) -> None:
        if len(set(labels)) != len(labels):
            raise ValueError("duplicate labels in the action vocabulary")
        self.labels: tuple[str, ...] = tuple(labels)
        self.label_ids: dict[str, int] = {lab: i for i, lab in enumerate(self.labels)}

    def __len__(self) -> int:
        return 2 + 2 * len(self.labels)

    @property
    def size(self) -> int:
        """Number of actions (EOA, SHIFT, then TRANSITION and REDUCE per label)."""
        return len(self)

    def transition_id(self, label: str) -> int:
        """Index of TRANSITION(``label``)."""
        return 2 + 2 * self.label_ids[label]

    def reduce_id(self, label: str) -> int:
        """Index of REDUCE(``label``)."""
        return 3 + 2 * self.label_ids[label]

    def index(self, action: Action) -> int:
        """Index of an action."""
        if action.kind == EOA:
            return self.EOA_ID
        if action.kind in (SHIFT, OUT):
            return self.SHIFT_ID
        assert action.label is not None
        if action.label not in self.label_ids:
            raise KeyError(f"label {action.label!r} is not in the action vocabulary")
        if action.kind == TRANSITION:
            return self.transition_id(action.label)
        return self.reduce_id(action.label)

    def action(self, index: int) -> Action:
        """The action at ``index``."""
        if index == self.EOA_ID:
            return Action(EOA)
        if index == self.SHIFT_ID:
            return Action(SHIFT)
        k, r = divmod(index - 2, 2)
        return Action(TRANSITION if r == 0 else REDUCE, self.labels[k])

    def names(self) -> list[str]:
        """Every action's text, in index order."""
        return [str(self.action(i)) for i in range(len(self))]

    def is_transition(self, index: int) -> bool:
        """Whether ``index`` is a TRANSITION action."""
        return index >= 2 and index % 2 == 0

    def is_reduce(self, index: int) -> bool:
        """Whether ``index`` is a REDUCE action."""
        return index >= 2 and index % 2 == 1

    def label_of(self, index: int) -> str:
        """The label of a TRANSITION or REDUCE index."""
        return self.labels[(index - 2) // 2]


# --------------------------------------------------------------------------- encoding


@dataclass
class EncodeReport:
    """What :func:`encode` could not represent (only with ``on_crossing="drop"``)."""

    duplicates: int = 0
    crossing_dropped: list[SpanTriple] = field(default_factory=list)


def _check_spans(n_words: int, spans: Iterable[SpanTriple]) -> list[SpanTriple]:
    out = []
    for s, e, label in spans:
        if not (0 <= s < e <= n_words):
            raise OffsetError(
                f"span [{s}, {e}) {label!r} is empty or outside a sentence of {n_words} words",
                expected="0 <= token_start < token_end <= number of words",
            )
        out.append((int(s), int(e), str(label)))
    return out


def _crosses(a: SpanTriple, b: SpanTriple) -> bool:
    return a[0] < b[0] < a[1] < b[1] or b[0] < a[0] < b[1] < a[1]


def resolve_crossing(
    spans: Iterable[SpanTriple], on_crossing: Literal["raise", "drop"] = "raise"
) -> tuple[list[SpanTriple], list[SpanTriple]]:
    """Deduplicate and check that no two spans of the same type cross.

    Returns ``(kept, dropped)`` sorted by (start, -end, label).  With ``"drop"``, spans are
    visited longest first (then leftmost) and a span that crosses an already kept span of the same
    type is dropped; with ``"raise"`` the first crossing pair raises CrossingSpansError.
    """
    unique = sorted(set(spans), key=lambda x: (x[0] - x[1], x[0], x[2]))
    kept: list[SpanTriple] = []
    dropped: list[SpanTriple] = []
    by_label: dict[str, list[SpanTriple]] = {}
    for sp in unique:
        same = by_label.setdefault(sp[2], [])
        clash = next((k for k in same if _crosses(k, sp)), None)
        if clash is not None:
            if on_crossing == "raise":
                raise CrossingSpansError(
                    f"spans {clash[:2]} and {sp[:2]} of type {sp[2]!r} cross",
                    expected="mentions of one type that are nested or disjoint",
                    hint="drop one of them (on_crossing='drop') before encoding actions",
                )
            dropped.append(sp)
            continue
        same.append(sp)
        kept.append(sp)
    key = lambda x: (x[0], -x[1], x[2])  # noqa: E731
    return sorted(kept, key=key), sorted(dropped, key=key)


def encode(
    n_words: int,
    spans: Iterable[SpanTriple],
    *,
    with_out: bool = True,
    on_crossing: Literal["raise", "drop"] = "raise",
    report: EncodeReport | None = None,
) -> list[Action]:
    """Mentions -> flat action sequence (without ``EOA``).

    ``with_out=True`` writes ``OUT`` for words that no mention covers (the file format);
    ``False`` writes ``SHIFT`` for every word (the model's targets).
    """
    checked = _check_spans(n_words, spans)
    n_in = len(checked)
    kept, dropped = resolve_crossing(checked, on_crossing)
    if report is not None:
        report.duplicates += n_in - len(set(checked))
        report.crossing_dropped.extend(dropped)
    ending: list[list[SpanTriple]] = [[] for _ in range(n_words + 1)]
    starting: list[list[SpanTriple]] = [[] for _ in range(n_words + 1)]
    covered = [False] * n_words
    for sp in kept:
        ending[sp[1]].append(sp)
        starting[sp[0]].append(sp)
        for i in range(sp[0], sp[1]):
            covered[i] = True
    actions: list[Action] = []
    for i in range(n_words + 1):
        # shortest first; among equal lengths any order is fine (different labels or disjoint)
        for sp in sorted(ending[i], key=lambda x: (x[1] - x[0], x[2])):
            actions.append(Action(REDUCE, sp[2]))
        # longest first
        for sp in sorted(starting[i], key=lambda x: (x[0] - x[1], x[2])):
            actions.append(Action(TRANSITION, sp[2]))
        if i < n_words:
            actions.append(Action(OUT if with_out and not covered[i] else SHIFT))
    return actions


class _Stacks:
    """Per-type stacks of open mentions."""

    def __init__(self) -> None:
        self.open: dict[str, list[tuple[int, float]]] = {}

    def push(self, label: str, start: int, score: float = 1.0) -> None:
        self.open.setdefault(label, []).append((start, score))

    def pop(self, label: str) -> tuple[int, float] | None:
        stack = self.open.get(label)
        if not stack:
            return None
        return stack.pop()

    def remaining(self) -> list[tuple[str, int]]:
        return [(lab, s) for lab, st in self.open.items() for s, _ in st]


def decode(actions: Sequence[Action], n_words: int | None = None) -> list[SpanTriple]:
    """Flat action sequence -> mentions, strictly (gold data).

    Raises :class:`~mosaicner.errors.FormatError` when a ``REDUCE`` has nothing to close, a
    mention would be empty, a mention is left open, or the number of ``SHIFT``/``OUT`` differs
    from ``n_words`` (when given).  Returns spans sorted by (start, -end, label).
    """
    stacks = _Stacks()
    pos = 0
    spans: set[SpanTriple] = set()
    for k, act in enumerate(actions):
        if act.moves:
            pos += 1
        elif act.kind == TRANSITION:
            assert act.label is not None
            stacks.push(act.label, pos)
        elif act.kind == REDUCE:
            assert act.label is not None
            top = stacks.pop(act.label)
            if top is None:
                raise FormatError(
                    f"action {k + 1} {act} closes a mention that was never opened",
                    expected=f"a TRANSITION({act.label}) before it",
                )
            if top[0] >= pos:
                raise FormatError(
                    f"action {k + 1} {act} closes an empty mention",
                    expected="at least one SHIFT/OUT between TRANSITION and REDUCE",
                )
            spans.add((top[0], pos, act.label))
        elif act.kind == EOA:
            break
    if n_words is not None and pos != n_words:
        raise FormatError(
            f"{pos} SHIFT/OUT actions for {n_words} words",
            expected="one SHIFT or OUT per word",
        )
    left = stacks.remaining()
    if left:
        raise FormatError(
            f"{len(left)} mention(s) left open: "
            + ", ".join(f"TRANSITION({lab}) at word {s}" for lab, s in left[:5]),
            expected="a REDUCE for every TRANSITION",
        )
    return sorted(spans, key=lambda x: (x[0], -x[1], x[2]))


# --------------------------------------------------------------------------- timesteps


def pack_timesteps(actions: Sequence[Action], vocab: ActionVocab) -> list[frozenset[int]]:
    """Flat actions -> multi-label timesteps (sets of action indices), ``EOA`` appended.

    ``SHIFT`` (and ``OUT``) and ``EOA`` take a step each; consecutive ``TRANSITION``/``REDUCE``
    share a step unless the same action is already in it.
    """
    steps: list[frozenset[int]] = []
    current: set[int] = set()
    for act in actions:
        if act.kind == EOA:
            break
        idx = vocab.index(act)
        if idx == vocab.SHIFT_ID:
            if current:
                steps.append(frozenset(current))
                current = set()
            steps.append(frozenset({idx}))
        else:
            if idx in current:
                steps.append(frozenset(current))
                current = set()
            current.add(idx)
    if current:
        steps.append(frozenset(current))
    steps.append(frozenset({vocab.EOA_ID}))
    return steps


def spans_to_timesteps(
    n_words: int,
    spans: Iterable[SpanTriple],
    vocab: ActionVocab,
    *,
    on_crossing: Literal["raise", "drop"] = "raise",
    report: EncodeReport | None = None,
) -> list[frozenset[int]]:
    """Mentions -> the model's multi-label target timesteps (``OUT`` folded into ``SHIFT``)."""
    acts = encode(n_words, spans, with_out=False, on_crossing=on_crossing, report=report)
    return pack_timesteps(acts, vocab)


def timesteps_to_spans(steps: Sequence[Iterable[int]], vocab: ActionVocab) -> list[SpanTriple]:
    """Gold timesteps -> mentions (closes before opens within a step; stops at ``EOA``)."""
    actions: list[Action] = []
    for step in steps:
        ids = set(step)
        if vocab.EOA_ID in ids:
            break
        if vocab.SHIFT_ID in ids:
            actions.append(Action(SHIFT))
            continue
        reduces = sorted(i for i in ids if vocab.is_reduce(i))
        transitions = sorted(i for i in ids if vocab.is_transition(i))
        actions.extend(vocab.action(i) for i in reduces + transitions)
    return decode(actions)


@dataclass
class DecodeStats:
    """Ill-formed predictions that :func:`decode_step_scores` ignored (counted, not raised)."""

    unmatched_reduce: int = 0
    empty_span: int = 0
    left_open: int = 0
    beyond_sentence: int = 0


def decode_step_scores(
    step_scores: Sequence[Sequence[float]],
    vocab: ActionVocab,
    n_words: int,
    *,
    threshold: float = 0.5,
    stats: DecodeStats | None = None,
) -> list[ScoredSpan]:
    """Predicted per-step sigmoid probabilities -> scored mentions (inference).

    At each step the argmax decides: ``EOA`` stops; ``SHIFT`` consumes a word (other actions of
    that step are ignored); otherwise every ``REDUCE`` above ``threshold`` closes the top open
    mention of its type, then every ``TRANSITION`` above ``threshold`` opens one.  Mentions may
    end at the last word (the released code's ``< n_words`` quirk is not kept).  A span's score
    is the mean of its ``TRANSITION`` and ``REDUCE`` probabilities; a span predicted twice keeps
    its best score.  Ill-formed actions are ignored and counted in ``stats``.
    """
    stacks = _Stacks()
    pos = 0
    best: dict[SpanTriple, float] = {}
    n_actions = len(vocab)
    for row in step_scores:
        arg = max(range(n_actions), key=row.__getitem__)
        if arg == vocab.EOA_ID:
            break
        if arg == vocab.SHIFT_ID:
            pos += 1
            if pos > n_words:
                break
            continue
        for i in range(3, n_actions, 2):  # REDUCE first
            if row[i] > threshold:
                label = vocab.labels[(i - 3) // 2]
                top = stacks.pop(label)
                if top is None:
                    if stats is not None:
                        stats.unmatched_reduce += 1
                    continue
                if top[0] >= pos:
                    if stats is not None:
                        stats.empty_span += 1
                    continue
                key = (top[0], pos, label)
                score = (top[1] + float(row[i])) / 2
                if score > best.get(key, -1.0):
                    best[key] = score
        for i in range(2, n_actions, 2):
            if row[i] > threshold:
                if pos >= n_words:
                    if stats is not None:
                        stats.beyond_sentence += 1
                    continue
                stacks.push(vocab.labels[(i - 2) // 2], pos, float(row[i]))
    if stats is not None:
        stats.left_open += len(stacks.remaining())
    return [(s, e, lab, sc) for (s, e, lab), sc in sorted(best.items(), key=_pred_key)]


def _pred_key(item: tuple[SpanTriple, float]) -> tuple[int, int, str]:
    (s, e, lab), _ = item
    return (s, -e, lab)


def format_actions(actions: Sequence[Action]) -> str:
    """Actions as space-separated text (the ``actions`` format)."""
    return " ".join(str(a) for a in actions)


def parse_actions(text: str) -> list[Action]:
    """The inverse of :func:`format_actions`."""
    return [Action.parse(tok) for tok in text.split()]


__all__ = [
    "EOA",
    "OUT",
    "REDUCE",
    "SHIFT",
    "TRANSITION",
    "Action",
    "ActionVocab",
    "DecodeStats",
    "EncodeReport",
    "ScoredSpan",
    "SpanTriple",
    "decode",
    "decode_step_scores",
    "encode",
    "format_actions",
    "pack_timesteps",
    "parse_actions",
    "resolve_crossing",
    "spans_to_timesteps",
    "timesteps_to_spans",
]
