"""Score what the tagger outputs, and choose a merge policy on dev data.

* :func:`evaluate_tagged` runs the *tag path* (:class:`~.tagger.Tagger`, merge included) on a
  corpus split and scores the result: ``mosaicner evaluate MODEL --merged``.
* :func:`evaluate_predictions` scores a file written by ``mosaicner tag`` against a corpus
  split: ``mosaicner evaluate --predictions FILE``.  Documents are matched by id and must
  carry the same text; unmatched documents are counted, never silently skipped.
* :func:`score_merge_policies` collects every head's predictions on the dev split of each
  training corpus once, fits per-head Platt calibration on them, then scores every merge policy
  (``mosaicner merge-policies MODEL``); ``write=True`` stores the best policy (macro F1 over the
  corpora) and the calibration in the model's ``merge.json``.

Scores are strict character-span P/R/F1 on the corpus's own types (after its label map), one
item per document; predictions of other types are reported as ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mosaicner.data.model import GOLD, PRED, Document
from mosaicner.errors import ConfigError
from mosaicner.evaluation import evaluation_report
from mosaicner.merge import (
    POLICIES,
    RESOLVING_POLICIES,
    Calibration,
    Candidate,
    MergeConfig,
    fit_platt,
    merge_candidates,
    update_merge_file,
)


def gold_documents(
    corpus: str, split: str, label_map: Any = None
) -> tuple[list[Document], list[str]]:
    """A corpus split's documents with its label map applied to ``gold``; the gold types."""
    from mosaicner.corpora import normalise_split, resolve_corpus
    from mosaicner.corpora.load import read_split
    from mosaicner.errors import UnknownComponentError
    from mosaicner.schema import LabelMap, get_label_map

    resolved = resolve_corpus(corpus)
    docs, _ = read_split(resolved, normalise_split(split))
    name = resolved.info.name if resolved.info else Path(corpus).name
    if isinstance(label_map, dict):
        lmap = LabelMap.from_dict(label_map)
    else:
        try:
            lmap = get_label_map(label_map, corpus=name)
        except UnknownComponentError:
            if label_map is not None:
                raise
            lmap = LabelMap.keep_original()
    mapped, _ = lmap.apply(docs, layers=[GOLD])
    types = sorted({s.label for d in mapped for s in d.layer(GOLD)})
    return mapped, types


def _triples(doc: Document, layer: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in doc.layer(layer)]


def score_documents(
    gold: Sequence[Document],
    pred: Sequence[Document],
    types: Sequence[str],
    *,
    corpus: str,
    split: str,
    layer: str = PRED,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    """Match documents by id (same text required) and score ``layer`` against ``gold``."""
    by_id: dict[str, Document] = {}
    for d in pred:
        by_id.setdefault(d.id, d)
    gold_items: list[list[tuple[int, int, str]]] = []
    pred_items: list[list[tuple[int, int, str]]] = []
    missing = 0
    for g in gold:
        p = by_id.pop(g.id, None)
        if p is None:
            missing += 1
            pred_items.append([])
        else:
            if p.text != g.text:
                raise ConfigError(
                    f"document {g.id!r}: the predicted text differs from the corpus text",
                    hint="tag the same split of the same corpus (mosaicner tag --from FORMAT)",
                )
            pred_items.append(_triples(p, layer))
        gold_items.append(_triples(g, GOLD))
    report = evaluation_report(
        corpus, split, gold_items, pred_items, types, n_resamples=n_resamples
    )
    report["documents_without_predictions"] = missing
    report["predicted_documents_not_in_corpus"] = len(by_id)
    return report


def _source(tagger: Any, corpus: str) -> str:
    """Where a trained corpus was read from (``training.json``), else ``corpus`` itself."""
    meta = dict(getattr(tagger.predictor, "metadata", {}) or {}).get("corpora") or {}
    known = meta.get(corpus) if isinstance(meta, dict) else None
    return str(known.get("source") or corpus) if isinstance(known, dict) else corpus


def _known_label_map(tagger: Any, corpus: str) -> Any:
    maps = dict(getattr(tagger.predictor, "label_maps", {}) or {})
    return maps.get(corpus) or maps.get(Path(corpus).name)


def evaluate_tagged(
    tagger: Any,
    corpus: str,
    split: str = "test",
    *,
    label_map: Any = None,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    """Tag a corpus split exactly as ``mosaicner tag`` does (merge included) and score it."""
    lm = label_map if label_map is not None else _known_label_map(tagger, corpus)
    gold, types = gold_documents(_source(tagger, corpus), split, lm)
    tagged = tagger.tag_documents([d.without_layer(GOLD) for d in gold])
    report = score_documents(
        gold,
        tagged,
        types,
        corpus=corpus,
        split=split,
        layer=tagger.layer,
        n_resamples=n_resamples,
    )
    report["merge_policy"] = tagger.merge.policy
    report["tagging"] = tagger.last_stats.as_dict()
    return report


def evaluate_predictions(
    path: str | Path,
    corpus: str,
    split: str = "test",
    *,
    fmt: str = "jsonl",
    layer: str = PRED,
    label_map: Any = None,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    """Score a prediction file (``mosaicner tag`` output) against a corpus split."""
    from mosaicner import io

    pred = io.read(Path(path), fmt).documents
    gold, types = gold_documents(corpus, split, label_map)
    report = score_documents(
        gold, pred, types, corpus=corpus, split=split, layer=layer, n_resamples=n_resamples
    )
    report["predictions"] = str(path)
    return report


def _head_of(tagger: Any, corpus: str) -> str:
    routes = dict(getattr(tagger.predictor, "routes", {}) or {})
    head = routes.get(corpus, corpus)
    # a head shared by several corpora reports the corpus as the source of its spans
    shared = sum(1 for h in routes.values() if h == head) > 1
    return corpus if shared else head


def _split_roles(tagger: Any, corpus: str) -> dict[str, str | None] | None:
    """The split names the model's training config gave ``corpus`` (``dev: null`` included)."""
    meta = dict(getattr(tagger.predictor, "metadata", {}) or {})
    config = meta.get("mosaicner_config")
    specs = config.get("corpora") if isinstance(config, dict) else None
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict) or not isinstance(spec.get("splits"), dict):
            continue
        name = str(spec.get("name", ""))
        if corpus in (name, Path(name).name):
            return {str(k): (None if v is None else str(v)) for k, v in spec["splits"].items()}
    return None


def selection_split(tagger: Any, corpus: str, split: str) -> tuple[str | None, str]:
    """The split of ``corpus`` to choose merge settings on, or ``None`` with the reason.

    ``split`` names a role of the training config (``dev``) or a split of the corpus.  A corpus
    the model was trained without that role (``dev: null``, e.g. JNLPBA and GENIA-nested in the
    mosaic recipes, whose dev splits are another corpus's test or training data) is skipped, and
    the corpus's test split is refused: choices are never made on test data.
    """
    roles = _split_roles(tagger, corpus) or {}
    name = roles.get(split, split)
    if name is None:
        return None, f"the model was trained with no {split} split of {corpus}"
    if split == "test" or name == roles.get("test"):
        raise ConfigError(
            f"{name!r} is the test split of {corpus}: merge settings are never chosen on test data",
            hint="use --split dev",
        )
    return name, ""


def score_merge_policies(
    tagger: Any,
    corpora: Sequence[str] | None = None,
    split: str = "dev",
    *,
    policies: Sequence[str] = POLICIES,
    choose_from: Sequence[str] = RESOLVING_POLICIES,
    calibrate: bool = True,
    write: bool = False,
    model_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Score every merge policy on each corpus's ``split``; optionally store the best one.

    Every head's predictions are collected once per corpus (:meth:`Tagger.candidates`).  With
    ``calibrate``, a Platt function per head is fitted on that head's predictions on its own
    corpus (correct = the exact span and type is gold) and used by every policy.  The best
    policy of ``choose_from`` maximises the macro F1 over the corpora (ties: the order of
    ``policies``).  By default only the policies that resolve conflicts compete: ``union`` is
    scored for comparison but never chosen, because each corpus's dev set scores only the types
    it annotates, so two types claimed for one span ("cisplatin" as Chemical and as
    Gene_or_protein) cost ``union`` nothing there although the answer is incoherent.
    """
    routes = dict(getattr(tagger.predictor, "routes", {}) or {})
    wanted = list(corpora) if corpora else sorted(routes)
    skipped: dict[str, str] = {}
    splits: dict[str, str] = {}
    for name in wanted:
        chosen, why = selection_split(tagger, name, split)
        if chosen is None:
            skipped[name] = why
        else:
            splits[name] = chosen
    names = [n for n in wanted if n in splits]
    if not names:
        raise ConfigError(
            f"no corpus to score on ({split} split)"
            + (f"; skipped: {'; '.join(skipped.values())}" if skipped else ""),
            hint="pass --corpus NAME of a corpus trained with a dev split",
        )
    data: dict[str, tuple[list[Document], list[str], list[list[Candidate]]]] = {}
    for name in names:
        gold, types = gold_documents(
            _source(tagger, name), splits[name], _known_label_map(tagger, name)
        )
        docs = [tagger.prepare(d.without_layer(GOLD), i) for i, d in enumerate(gold)]
        data[name] = (gold, types, tagger.candidates(docs))
    calibration = Calibration()
    fitted: dict[str, dict[str, float | int]] = {}
    if calibrate:
        platt: dict[str, tuple[float, float]] = {}
        for name, (gold, types, cands) in data.items():
            head = _head_of(tagger, name)
            scores: list[float] = []
            correct: list[bool] = []
            for g, cs in zip(gold, cands, strict=True):
                truth = set(_triples(g, GOLD))
                for c in cs:
                    if c.head == head and c.label in types:
                        scores.append(c.score)
                        correct.append((c.start, c.end, c.label) in truth)
            if scores and head not in platt:
                platt[head] = fit_platt(scores, correct)
                fitted[head] = {
                    "a": platt[head][0],
                    "b": platt[head][1],
                    "n": len(scores),
                    "precision": sum(correct) / len(correct),
                }
        calibration = Calibration(platt)
    base = tagger.merge
    deference = model_deference(tagger)
    results: dict[str, dict[str, Any]] = {}
    for policy in policies:
        cfg = MergeConfig(
            policy=policy,
            cooccurrence=base.cooccurrence,
            calibration=calibration,
            max_token_shift=base.max_token_shift,
            min_jaccard=base.min_jaccard,
            deference={h: {t: frozenset(to) for t, to in d.items()} for h, d in deference.items()},
        )
        per: dict[str, Any] = {}
        for name, (gold, types, cands) in data.items():
            gold_items = [_triples(g, GOLD) for g in gold]
            pred_items = [
                [(m.start, m.end, m.label) for m in merge_candidates(cs, cfg)] for cs in cands
            ]
            rep = evaluation_report(name, split, gold_items, pred_items, types, n_resamples=0)
            per[name] = rep["micro"]
        macro = sum(float(r["f1"]) for r in per.values()) / len(per)
        results[policy] = {"macro_f1": macro, "corpora": per}
    candidates = [p for p in policies if p in choose_from] or list(policies)
    best = max(candidates, key=lambda p: (results[p]["macro_f1"], -list(policies).index(p)))
    out: dict[str, Any] = {
        "split": split,
        "corpora": names,
        "skipped": skipped,
        "policies": results,
        "best": best,
        "chosen_from": candidates,
        "calibration": fitted,
    }
    if write:
        if model_dir is None:
            raise ConfigError("writing the chosen policy needs the model folder")
        out["written"] = str(
            update_merge_file(
                model_dir,
                policy=best,
                calibration=calibration.to_json(),
                deference=deference,
                chosen_on={
                    "split": split,
                    "corpora": names,
                    "macro_f1": {p: r["macro_f1"] for p, r in results.items()},
                    "chosen_from": candidates,
                },
            )
        )
    return out


def model_deference(tagger: Any) -> dict[str, dict[str, list[str]]]:
    """``{head: {type: [types it yields to]}}`` from the ``defers_to`` of the label maps the
    model's corpora were trained with (AnatEM: Anatomy yields to Disease, Cell_type,
    Cell_line); heads of corpora without such a map are absent."""
    from mosaicner.errors import MosaicnerError
    from mosaicner.schema import get_label_map

    meta = dict(getattr(tagger.predictor, "metadata", {}) or {}).get("corpora") or {}
    out: dict[str, dict[str, list[str]]] = {}
    for key, info in meta.items():
        if not isinstance(info, dict):
            continue
        try:
            lmap = get_label_map(info.get("label_map"), corpus=Path(str(info["source"])).name)
        except (MosaicnerError, KeyError):
            continue  # no such map here: nothing declared
        if lmap.defers_to:
            out[str(key)] = {t: sorted(to) for t, to in lmap.defers_to.items()}
    return out


def choose_merge_policy(model_dir: str | Path, num_threads: int | None = None) -> dict[str, Any]:
    """Score every merge policy on the dev splits of the model's training corpora and store the
    best (with the calibration fitted there) in ``merge.json``: ``models build`` runs it on every
    model it trains.  Returns the scores, or why nothing was chosen (one head: nothing to merge
    across heads; no corpus trained with a dev split)."""
    from mosaicner.inference.tagger import Tagger

    tagger = Tagger.load(model_dir, num_threads=num_threads)
    heads = set((getattr(tagger.predictor, "routes", {}) or {}).values())
    if len(heads) < 2:
        return {"chosen": None, "why": "one head: nothing to merge across heads"}
    try:
        out = score_merge_policies(tagger, split="dev", write=True, model_dir=model_dir)
    except ConfigError as exc:
        return {"chosen": None, "why": str(exc)}
    return {
        "chosen": out["best"],
        "split": out["split"],
        "corpora": out["corpora"],
        "skipped": out["skipped"],
        "macro_f1": {p: r["macro_f1"] for p, r in out["policies"].items()},
    }


__all__ = [
    "choose_merge_policy",
    "evaluate_merged_or_file",
    "evaluate_predictions",
    "evaluate_tagged",
    "gold_documents",
    "model_deference",
    "score_documents",
    "score_merge_policies",
]


def evaluate_merged_or_file(
    model: str | None,
    corpus: str,
    split: str,
    *,
    predictions: str | Path | None = None,
    predictions_format: str = "jsonl",
    merge_policy: str | None = None,
    label_map: Any = None,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    """What ``mosaicner evaluate --merged`` / ``--predictions FILE`` run."""
    if predictions is not None:
        if model is not None:
            raise ConfigError("give either a MODEL with --merged or --predictions FILE, not both")
        return evaluate_predictions(
            predictions,
            corpus,
            split,
            fmt=predictions_format,
            label_map=label_map,
            n_resamples=n_resamples,
        )
    if model is None:
        raise ConfigError("--merged needs a MODEL")
    from mosaicner.inference.tagger import Tagger

    tagger = Tagger.load(model, merge_policy=merge_policy)
    return evaluate_tagged(tagger, corpus, split, label_map=label_map, n_resamples=n_resamples)
