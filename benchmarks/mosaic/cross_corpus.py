"""Cross-corpus scores of the mosaic recipe: tag a corpus the model never trained on, merge on.

    MOSAICNER_HOME=... MOSAICNER_DATA=../shared/corpora PYTHONPATH=src \
        python benchmarks/mosaic/cross_corpus.py cross-a cross-b [cross-a-wnut ...] --threads 2

Issue 10 asks for five type-level pairs between the shared corpora, each in both directions,
never training on the test corpus: Gene_or_protein (BC2GM <-> JNLPBA), Disease (NCBI-disease <->
BC5CDR), Species (linnaeus <-> BioNLP13CG Organism), Chemical (BC5CDR <-> BioNLP13CG) and Anatomy
(AnatEM <-> BioNLP13CG).  Two builds cover the ten directions: ``cross-a`` trains on BC2GM,
BC5CDR, linnaeus and AnatEM and is tested on JNLPBA, NCBI-disease and BioNLP13CG; ``cross-b``
trains on JNLPBA, NCBI-disease and BioNLP13CG and is tested on BC2GM, BC5CDR, linnaeus and
AnatEM (recipes in ``recipes/``; both are the mosaic-quick recipe with 225 batches per corpus).
GENIA-nested is in neither: it shares abstracts with JNLPBA.

Every held-out test set is tagged once through :class:`~mosaicner.inference.tagger.Tagger` (the
path of ``mosaicner tag``: every head, merged with the model's chosen policy) and scored with
strict character spans against the corpus's built-in label map; the table reads the row of the
pair's type.  Predictions of types the test corpus does not annotate are not scored.  A model
that also saw the test corpus is refused, so nothing here can train on its test corpus.
Each direction is also scored from the source corpus's head alone (``evaluate --head SRC``: no
merge, no other head), so the merge's own effect can be read off.  Results:
``results/cross_corpus.json`` (full reports, rewritten after each corpus, resumable).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from mosaicner.store import builds_root

HERE = Path(__file__).resolve().parent

# (type, corpus A, corpus B): a model trained on A is tested on B and the other way round
PAIRS: list[tuple[str, str, str]] = [
    ("Gene_or_protein", "BC2GM", "JNLPBA"),
    ("Disease", "NCBI-disease", "BC5CDR"),
    ("Species", "linnaeus", "BioNLP13CG"),
    ("Chemical", "BC5CDR", "BioNLP13CG"),
    ("Anatomy", "AnatEM", "BioNLP13CG"),
]
# corpora that share text with another: training on one counts as training on the other
SHARED_TEXT = {"GENIA-nested": "JNLPBA", "JNLPBA": "GENIA-nested"}


def trained_corpora(name: str) -> list[str]:
    cfg = yaml.safe_load((builds_root() / name / "config.yaml").read_text(encoding="utf-8"))
    return [str(c["name"]) for c in cfg["corpora"]]


def held_out_tests(trained: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Test corpus -> [(type, source corpus)] for every direction this model can score."""
    seen = set(trained) | {SHARED_TEXT[c] for c in trained if c in SHARED_TEXT}
    out: dict[str, list[tuple[str, str]]] = {}
    for typ, a, b in PAIRS:
        for src, tgt in ((a, b), (b, a)):
            if src in trained and tgt not in seen:
                out.setdefault(tgt, []).append((typ, src))
    return out


def table(results: dict[str, Any], in_corpus: list[Path]) -> str:
    """Markdown: each direction's held-out F1 per model, next to the in-corpus figure of the
    test corpus's own head in mosaic-quick builds (mean over the given build files)."""
    own: dict[tuple[str, str], list[float]] = {}
    for path in in_corpus:
        build = json.loads(path.read_text(encoding="utf-8"))
        for corpus, rep in build["reports"].items():
            for typ, row in rep["per_type"].items():
                own.setdefault((corpus, typ), []).append(100 * float(row["f1"]))
    models = list(dict.fromkeys(r["model"] for r in results["runs"].values()))
    head = "| type | trained on → held-out test | " + " | ".join(models)
    lines = [
        head + " | in-corpus (test corpus's own head) |",
        "|---|---|" + "---:|" * (len(models) + 1),
    ]
    for typ, a, b in PAIRS:
        for src, tgt in ((a, b), (b, a)):
            cells = []
            for m in models:
                run = results["runs"].get(f"{m}|{tgt}")
                if run is None or not any(
                    p["source"] == src and p["type"] == typ for p in run["pairs"]
                ):
                    cells.append("–")
                    continue
                row = run["report"]["per_type"].get(typ, {})
                f1, p_, r = (100 * row.get(k, 0.0) for k in ("f1", "precision", "recall"))
                alone = run.get("head_alone", {}).get(f"{typ}|{src}")
                solo = f"; head alone {100 * alone['f1']:.2f}" if alone else ""
                cells.append(f"{f1:.2f} ({p_:.1f}/{r:.1f}){solo}")
            ref = own.get((tgt, typ))
            ref_cell = f"{sum(ref) / len(ref):.2f}" if ref else "–"
            lines.append(f"| {typ} | {src} → {tgt} | " + " | ".join(cells) + f" | {ref_cell} |")
    return "\n".join(lines)


def head_alone(name: str, corpus: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Each pair's type scored from the source corpus's head alone (no merge, no other head):
    what the head transfers, so that the merge's own effect can be read off."""
    from mosaicner.store import resolve_model
    from mosaicner.training.run import evaluate_corpus, load_trained

    loaded = load_trained(resolve_model(name))
    out: dict[str, Any] = {}
    for typ, src in pairs:
        rep = evaluate_corpus(loaded, corpus, "test", head=src, n_resamples=0)
        row = rep["per_type"].get(typ, {})
        out[f"{typ}|{src}"] = row
        f1, p, r = (100 * row.get(m, 0.0) for m in ("f1", "precision", "recall"))
        print(f"{name}: {src} head alone -> {corpus} {typ}: F1 {f1:.2f} (P {p:.2f}, R {r:.2f})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="*", help="installed model names (built from a recipe)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--results", default=str(HERE / "results" / "cross_corpus.json"))
    ap.add_argument("--no-head-alone", action="store_true", help="only the merged figures (faster)")
    ap.add_argument("--merge-policy", default=None, help="override the models' merge policy")
    ap.add_argument(
        "--table",
        nargs="*",
        type=Path,
        default=None,
        help="print the table; the build files give the in-corpus reference column",
    )
    args = ap.parse_args()
    if args.table is not None:
        print(table(json.loads(Path(args.results).read_text(encoding="utf-8")), args.table))
        return
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from mosaicner.inference.scoring import evaluate_tagged
    from mosaicner.inference.tagger import Tagger

    target = Path(args.results)
    done: dict[str, Any] = json.loads(target.read_text()) if target.is_file() else {}
    done.setdefault("command", "python " + " ".join(sys.argv))
    runs: dict[str, Any] = done.setdefault("runs", {})
    for name in args.models:
        trained = trained_corpora(name)
        tests = held_out_tests(trained)
        tagger = None
        for corpus, pairs in tests.items():
            key = f"{name}|{corpus}"
            if key in runs:
                if "head_alone" not in runs[key] and not args.no_head_alone:
                    runs[key]["head_alone"] = head_alone(name, corpus, pairs)
                    target.write_text(json.dumps(done, indent=1), encoding="utf-8")
                continue
            if tagger is None:
                tagger = Tagger.load(name, merge_policy=args.merge_policy)
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            rep = evaluate_tagged(tagger, corpus, "test", n_resamples=1000)
            runs[key] = {
                "model": name,
                "trained_on": trained,
                "test_corpus": corpus,
                "pairs": [{"type": t, "source": s} for t, s in pairs],
                "seconds": time.perf_counter() - t0,
                "load_average": [round(load0, 2), round(os.getloadavg()[0], 2)],
                "report": rep,
                "merge": {
                    "policy": tagger.merge.policy,
                    "deference": {
                        h: {t: sorted(v) for t, v in d.items()}
                        for h, d in tagger.merge.deference.items()
                    },
                },
            }
            if not args.no_head_alone:
                runs[key]["head_alone"] = head_alone(name, corpus, pairs)
            for typ, src in pairs:
                row = rep["per_type"].get(typ, {})
                f1, p, r = (100 * row.get(m, 0.0) for m in ("f1", "precision", "recall"))
                print(f"{name}: {src} -> {corpus} {typ}: F1 {f1:.2f} (P {p:.2f}, R {r:.2f})")
            target.write_text(json.dumps(done, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
