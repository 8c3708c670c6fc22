"""Count the distinct non-toolkit exception sites of every reader and writer (not a test).

    PYTHONPATH=src python tests/io/fuzz_census.py [CASES_PER_FORMAT] [SEED]

Each case damages a valid file (byte-level mutations; for the JSON formats half the cases are
structure-aware mutations), reads it, writes what was read with every writer and runs
``corpora.validate.validate_documents`` on it.  A case that runs longer than 10 s is stopped
and counted as a ``TimeoutError`` site; the address space is capped at 4 GiB so an unbounded
allocation shows up as ``MemoryError``.
"""

from __future__ import annotations

import random
import resource
import signal
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from fuzzing import JSON_FORMATS, READERS, check_file, damaged_copy, seed_documents, write_seed

from mosaicner.corpora.validate import validate_documents


def _timeout(signum: int, frame: Any) -> None:
    raise TimeoutError("case ran longer than 10 s")


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    signal.signal(signal.SIGALRM, _timeout)
    rnd = random.Random(seed)
    sites: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for fmt in READERS:
            seed_dir = root / f"seed-{fmt}"
            seed_dir.mkdir()
            seed_path = write_seed(fmt, seed_documents(), seed_dir)
            for k in range(cases):
                case = root / f"case-{fmt}-{k}"
                case.mkdir()
                structured = fmt in JSON_FORMATS and k % 2 == 1
                path = damaged_copy(fmt, seed_path, case, rnd, structured)
                signal.alarm(10)
                try:
                    failures = check_file(
                        fmt, path, extra=lambda docs, p: validate_documents(docs, p)
                    )
                except TimeoutError as exc:  # raised outside the guarded calls
                    failures = []
                    print(f"timeout outside a guarded call: {exc}", file=sys.stderr)
                finally:
                    signal.alarm(0)
                for f in failures:
                    key = f"{f.phase.split(' (')[0]} | {f.site}"
                    sites[fmt][key] += 1
                    examples.setdefault(key, f.detail)
                import shutil

                shutil.rmtree(case, ignore_errors=True)
    total = 0
    for fmt in READERS:
        print(f"{fmt}: {len(sites[fmt])} distinct non-toolkit exception sites "
              f"({sum(sites[fmt].values())} failures in {cases} cases)")  # fmt: skip
        for key, n in sites[fmt].most_common():
            print(f"    {n:5d}  {key}  -- {examples[key][:150]}")
        total += len(sites[fmt])
    distinct = {k for c in sites.values() for k in c}
    print(f"total: {total} (format, site) pairs, {len(distinct)} distinct sites")


if __name__ == "__main__":
    main()
