"""Issue 10's tagging checks on an installed model: `mosaicner tag NAME` on raw text, then
``Tagger.load(NAME)`` on the same sentence.

    MOSAICNER_HOME=... python benchmarks/mosaic/check_tagging.py mosaic-quick
    MOSAICNER_HOME=... python benchmarks/mosaic/check_tagging.py mosaic-quick-wnut --general

``--general`` adds a sentence with general-domain names (people, organisations, places,
products) before the biomedical one, for the models that also learned WNUT-17's types.

Prints every predicted span with its provenance (``attrs["heads"]``), the canonical types
found, the number of duplicate (start, end, type) triples and of spans without provenance.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

TEXT = (
    "In HeLa cells and CD4+ T lymphocytes from patients with breast cancer, cisplatin reduced "
    "BRCA1 mRNA levels and the activity of the IL-2 promoter in the liver of mice."
)


GENERAL = (
    "Researchers at Pfizer in New York, led by John Smith, tested the drug on an iPhone app "
    "before the trial. "
)


def main(name: str, text: str = TEXT) -> None:
    folder = Path(tempfile.mkdtemp())
    src, out = folder / "abstract.txt", folder / "out.jsonl"
    src.write_text(text + "\n", encoding="utf-8")
    cmd = ["mosaicner", "tag", name, "-i", str(src), "-o", str(out), "-q"]
    print("$ " + " ".join(cmd))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print("exit", done.returncode, done.stderr[-500:])
    with out.open(encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    spans = [s for doc in docs for s in doc["spans"]["pred"]]
    for s in spans:
        heads = s.get("attrs", {}).get("heads")
        words = text[s["start"] : s["end"]]
        print(f"  [{s['start']},{s['end']}) {s['label']:16s} {words!r:32s} heads={heads}")
    types = sorted({s["label"] for s in spans})
    keys = Counter((s["start"], s["end"], s["label"]) for s in spans)
    print("types:", len(types), types)
    print("duplicate (start,end,type):", sum(1 for v in keys.values() if v > 1))
    print("spans without provenance:", sum(1 for s in spans if not s.get("attrs", {}).get("heads")))

    from mosaicner.inference import Tagger

    tagger = Tagger.load(name)
    doc = tagger(text)
    found = sorted(
        (s.start, s.end, s.label, len(s.attrs.get("heads", []))) for s in doc.layer("pred")
    )
    print("Tagger.load ok:", type(tagger).__name__, "predicted:", found)


if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(names[0] if names else "mosaic-quick", GENERAL + TEXT if "--general" in sys.argv else TEXT)
