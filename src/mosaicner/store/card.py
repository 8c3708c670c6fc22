"""The model card (``README.md``) written into every model folder of the store.

Sections: what the model tags (types), the training corpora with their licences and citations
(from :mod:`mosaicner.corpora.registry`), the training budget (steps, selection, encoder), the
per-corpus figures from ``results.json`` when the folder has one (never invented: a model
without results says so), the merge policy, and how to load it.  The card starts with a YAML
front matter block the Hugging Face hub reads (``library_name``, ``tags``, ``license: other``:
the licences of the training corpora differ and some carry ShareAlike terms).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mosaicner.corpora.registry import find_corpus
from mosaicner.store.local import CARD_FILE, RESULTS_FILE, describe_folder


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * float(x):.2f}"


def model_card(folder: Path, *, name: str, record: dict[str, Any] | None = None) -> str:
    desc = describe_folder(folder)
    training = desc["training"]
    cfg = training.get("mosaicner_config") or {}
    meta_corpora = training.get("corpora") or {}
    if isinstance(meta_corpora, list):
        meta_corpora = {c: {} for c in meta_corpora}
    results: dict[str, Any] = {}
    if (folder / RESULTS_FILE).is_file():
        results = json.loads((folder / RESULTS_FILE).read_text(encoding="utf-8"))
    merge: dict[str, Any] = {}
    if (folder / "merge.json").is_file():
        merge = json.loads((folder / "merge.json").read_text(encoding="utf-8"))
    record = record or {}
    lines = [
        "---",
        "library_name: mosaicner",
        "license: other",
        "tags: [token-classification, biomedical, named-entity-recognition, nested-ner]",
        "---",
        "",
        f"# {name}",
        "",
        f"A mosaicner model tagging **{', '.join(desc['types']) or 'no types'}**"
        + (f", built from the recipe `{record['recipe']}`." if record.get("recipe") else "."),
        "",
        "```python",
        "from mosaicner.inference.tagger import Tagger",
        "",
        f'tagger = Tagger.load("{name}")  # or the path of this folder',
        'doc = tagger("Cisplatin-induced nephrotoxicity in rats.")',
        "```",
        "",
        "## Training data",
        "",
        "| corpus | types | training sentences | licence |",
        "|---|---|---:|---|",
    ]
    cites: list[str] = []
    for corpus in desc["corpora"]:
        meta = meta_corpora.get(corpus) or {}
        info = find_corpus(str(meta.get("source") or corpus))
        licence = info.licence if info else "unknown (not a registry corpus)"
        if info and info.citation not in cites:
            cites.append(info.citation)
        types = ", ".join(meta.get("types") or [])
        n = meta.get("train_sentences", "–")
        lines.append(f"| {corpus} | {types} | {n} | {licence} |")
    lines += [
        "",
        "Respect each corpus's licence when you redistribute this model; ShareAlike terms, where "
        "listed, may extend to models trained on the data.",
        "",
    ]
    if cites:
        lines += ["Cite the corpora:", ""] + [f"* {c}" for c in cites] + [""]
    lines += ["## Budget", ""]
    trainer = cfg.get("trainer") or {}
    encoder = (cfg.get("encoder") or {}).get("name") or desc["encoder"]
    lines += [
        f"* encoder: `{encoder}`",
        f"* heads: {', '.join(f'{k} ({v})' for k, v in desc['heads'].items())}",
        f"* steps: {trainer.get('max_steps', '–')} (selected step: {training.get('step', '–')}, "
        f"selected on {training.get('selected_on', '–')})",
    ]
    if record.get("build_seconds") is not None:
        lines.append(f"* build wall time: {float(record['build_seconds']) / 60:.1f} min")
    lines += ["", "## Results", ""]
    reports = results.get("reports") or {}
    if reports:
        lines += [
            f"Strict span scores on each corpus's full {results.get('final_split', 'test')} "
            "split (from `results.json`, written by training), each corpus scored through its "
            "own head on the types it annotates; `mosaicner evaluate --merged` scores the merged "
            "output of all heads instead:",
            "",
            "| corpus | split | P | R | F1 |",
            "|---|---|---:|---:|---:|",
        ]
        for corpus, rep in reports.items():
            micro = rep.get("micro") or {}
            lines.append(
                f"| {corpus} | {rep.get('split', '–')} | {_pct(micro.get('precision'))} | "
                f"{_pct(micro.get('recall'))} | {_pct(micro.get('f1'))} |"
            )
    else:
        lines.append("No evaluation results were stored with this model.")
    lines += ["", "## Merge", ""]
    lines.append(
        f"Predictions of all heads are merged with the `{merge.get('policy', 'vote')}` policy "
        "(`mosaicner.merge`); every span lists its heads in `attrs['heads']`."
    )
    chosen = merge.get("chosen_on")
    if isinstance(chosen, dict) and chosen.get("macro_f1"):
        scores = ", ".join(
            f"{p} {_pct(f)}" for p, f in sorted(chosen["macro_f1"].items(), key=lambda kv: kv[0])
        )
        corpora = ", ".join(chosen.get("corpora") or [])
        eligible = chosen.get("chosen_from")
        left_out = set(chosen["macro_f1"]) - set(eligible) if isinstance(eligible, list) else set()
        lines.append(
            f"The policy was chosen on the {chosen.get('split', 'dev')} splits of {corpora} "
            f"(macro strict F1 of the merged output: {scores})"
            + (
                f"; scored for comparison but not eligible: {', '.join(sorted(left_out))} (a "
                "policy that leaves two types on one span unresolved, which per-corpus dev scores "
                "cannot see)."
                if left_out
                else "."
            )
        )
    if merge.get("cooccurrence") is not None:
        pairs = ", ".join("+".join(p) for p in merge["cooccurrence"]) or "none"
        lines.append(f"Type pairs the training data lets share a span: {pairs}.")
    lines += ["", f"Origin: {record.get('origin', '–')}", ""]
    return "\n".join(lines)


def write_model_card(folder: Path, *, name: str, record: dict[str, Any] | None = None) -> Path:
    path = folder / CARD_FILE
    path.write_text(model_card(folder, name=name, record=record), encoding="utf-8")
    return path


__all__ = ["model_card", "write_model_card"]
