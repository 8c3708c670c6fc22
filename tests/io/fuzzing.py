"""Fuzzing harness for every reader and writer of :mod:`mosaicner.io`.

Valid files come from the writers (documents drawn by hypothesis, or the fixed documents of
:func:`seed_documents`); they are then damaged in two ways:

* **byte level** (:func:`mutate_bytes`): flipped, deleted, inserted and duplicated bytes, and
  hostile tokens (huge integers, ``Infinity``, ``null``, lone surrogates, deep nesting, CR and
  CRLF, a BOM, non-ASCII digits, separators of the formats, ...);
* **structure aware** for the JSON formats (:func:`mutate_json_text`): the JSON is parsed, a
  random value somewhere in the tree is replaced by one of the wrong type or range (or a key is
  deleted), and the tree is written back.

:func:`check_file` validates and reads a damaged file (``corpora.validate.validate_file`` has
line-by-line checkers of its own for conll and genia-jsonl), and when the reader accepts it
writes the documents with the writers; every exception that is not a
:class:`~mosaicner.errors.MosaicnerError` is a :class:`Failure` named by its *site*
(exception type + innermost ``mosaicner`` frame).
``tests/io/test_fuzz.py`` asserts there are none; ``tests/io/fuzz_census.py`` counts the
distinct sites over many more cases.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mosaicner.data.model import Document, Span, span_sort_key
from mosaicner.errors import MosaicnerError
from mosaicner.io import read, write

READERS = (
    "conll",
    "jsonl",
    "genia-jsonl",
    "brat",
    "bioc-xml",
    "bioc-json",
    "pubtator",
    "text",
    "actions",
)
WRITERS = READERS
JSON_FORMATS = ("jsonl", "genia-jsonl", "bioc-json")
#: file name of a single-file format (brat is a folder)
FILE_NAMES = {
    "conll": "f.tsv",
    "jsonl": "f.jsonl",
    "genia-jsonl": "f.jsonl",
    "brat": "brat",
    "bioc-xml": "f.xml",
    "bioc-json": "f.json",
    "pubtator": "f.pubtator",
    "text": "f.txt",
    "actions": "f.actions",
}

# raw JSON text spliced in for placeholders (json.dumps cannot write these itself)
_BIG = "9" * 5000
_RAW: dict[str, str] = {
    "\x00BIG\x00": _BIG,
    "\x00NEGBIG\x00": "-" + _BIG,
    "\x00DEEP\x00": "[" * 100_000 + "]" * 100_000,
    "\x00DEEPOBJ\x00": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "\x00INF\x00": "Infinity",
    "\x00NAN\x00": "NaN",
    "\x00SURR\x00": '"\\ud83d"',
    "\x00EXP\x00": "1e999",
}

HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2,
    10**12,
    -(10**12),
    2**63,
    1.5,
    -0.0,
    "",
    "0",
    "abc",
    "٣",
    "３",
    [],
    [1],
    [[0, 1]],
    ["a", "b"],
    {},
    {"a": 1},
    {"start": 0},
    *_RAW,
)

HOSTILE_TOKENS: tuple[bytes, ...] = (
    _BIG.encode(),
    b"-1",
    b"0",
    b"1000000000000",
    b"1e999",
    b"Infinity",
    b"NaN",
    b"null",
    b"true",
    b'"',
    b"\\",
    b"\\ud83d",
    b'"\\udc00"',
    b"[]",
    b"{}",
    b"[" * 5000,
    b"\r",
    b"\r\n",
    b"\n",
    b"\n\n",
    b"\t",
    b" ",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    "٣".encode(),
    "３".encode(),
    "²".encode(),
    "\u2028".encode(),
    "\u0085".encode(),
    b"|t|",
    b"|a|",
    b" ||| ",
    b"SHIFT",
    b"REDUCE(X)",
    b"TRANSITION(",
    b"doc-sep",
    b"-DOCSTART-\tO",
    b"B-",
    b"I-X",
    b"E-Y",
    b"T1\tX 0 1\tx",
    b"T",
    b"N1\tReference T1 X:1\tn",
    b"#1\tNote T1\tn",
    b"A1\tNeg T1",
    b";",
    b"0 999999",
    b"<",
    b">",
    b"<collection>",
    b"</passage>",
    b"<!DOCTYPE x [<!ENTITY e 'ee'>]>",
    b"&e;",
    b"<offset>-5</offset>",
    b'offset="99999"',
    b'length="-1"',
)


def seed_documents() -> list[Document]:
    """A few documents that exercise nesting, fragments, attributes and several sentences."""
    nested = Document.from_sentences(
        "n1",
        [["IL", "-", "2", "receptor", "alpha"], ["Aspirin", "helps", "."]],
        [[(0, 3, "protein"), (0, 5, "protein"), (3, 4, "Gene")], [(0, 1, "Chemical")]],
    )
    text = "Lung cancer and breast cancer.\nAspirin ( ASA ) in rats."
    spans = (
        Span(0, 11, "Disease", attrs={"identifier": "MESH:D008175"}),
        Span(5, 11, "Disease"),
        Span(16, 28, "Disease", fragments=((16, 22), (23, 28))),
        Span(31, 38, "Chemical", attrs={"identifier": "D001241"}),
    )
    chars = Document("c1", text, spans={"gold": tuple(sorted(spans, key=span_sort_key))})
    return [nested, chars]


def write_seed(fmt: str, docs: Sequence[Document], folder: Path) -> Path:
    """Write ``docs`` in ``fmt`` under ``folder``; return the path a reader takes."""
    path = folder / FILE_NAMES[fmt]
    if fmt == "text":
        write(docs[:1], path, fmt)
    else:
        write(docs, path, fmt)
    return path


def files_of(fmt: str, path: Path) -> list[Path]:
    """The files that make up a written corpus (one file, or the files of a BRAT folder)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file())
    return [path]


# ------------------------------------------------------------------------------- mutations
def mutate_bytes(data: bytes, rnd: random.Random, rounds: int | None = None) -> bytes:
    """Apply 1-4 random byte-level mutations."""
    buf = bytearray(data)
    for _ in range(rounds if rounds is not None else rnd.randint(1, 4)):
        op = rnd.randrange(8)
        pos = rnd.randint(0, len(buf))
        if op == 0 and buf:  # flip a byte
            i = rnd.randrange(len(buf))
            buf[i] = rnd.randrange(256)
        elif op == 1 and buf:  # delete a range
            j = min(len(buf), pos + rnd.randint(1, 16))
            del buf[pos:j]
        elif op == 2:  # insert random bytes
            buf[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        elif op == 3 and buf:  # duplicate a range
            j = min(len(buf), pos + rnd.randint(1, 64))
            buf[pos:pos] = buf[pos:j]
        elif op == 4 and buf:  # truncate
            del buf[pos:]
        elif op == 5:  # replace a run of digits by a hostile number
            digits = [i for i, b in enumerate(buf) if 48 <= b <= 57]
            if digits:
                i = rnd.choice(digits)
                j = i
                while j < len(buf) and 48 <= buf[j] <= 57:
                    j += 1
                buf[i:j] = rnd.choice(
                    [_BIG.encode(), b"1000000000000", b"0", "٣".encode(), "３".encode(),
                     "²".encode(), b"-1", b"1e999", b"Infinity", b"null", b"4294967296"]
                )  # fmt: skip
        else:  # insert a hostile token
            buf[pos:pos] = rnd.choice(HOSTILE_TOKENS)
    return bytes(buf)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(_paths(v, (*prefix, i)))
    return out


def mutate_json_value(obj: Any, rnd: random.Random) -> Any:
    """Replace (or delete) one random value of a parsed JSON tree; placeholders stay strings."""
    paths = _paths(obj)
    path = rnd.choice(paths)
    if not path:
        return rnd.choice(HOSTILE_VALUES)
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    op = rnd.randrange(10)
    if op == 0 and isinstance(parent, dict):
        del parent[last]
    elif op == 1 and isinstance(parent, list):
        parent.append(rnd.choice(HOSTILE_VALUES))
    elif op == 2 and isinstance(parent[last], int) and not isinstance(parent[last], bool):
        parent[last] = parent[last] + rnd.choice([-(10**12), -2, -1, 1, 2, 10**9])
    elif op == 3 and isinstance(parent, dict):
        parent[rnd.choice(["start", "end", "text", "id", "offset", "x"])] = rnd.choice(
            HOSTILE_VALUES
        )
    else:
        parent[last] = rnd.choice(HOSTILE_VALUES)
    return obj


def _dump(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    for key, raw in _RAW.items():
        text = text.replace(json.dumps(key), raw)
    return text


def mutate_json_text(text: str, rnd: random.Random, jsonl: bool) -> str:
    """Structure-aware mutation of a JSON (``jsonl=False``) or JSON Lines text."""
    if jsonl:
        lines = text.split("\n")
        idx = [i for i, line in enumerate(lines) if line.strip()]
        if not idx:
            return text
        for _ in range(rnd.randint(1, 3)):
            i = rnd.choice(idx)
            try:
                obj = json.loads(lines[i])
            except (ValueError, RecursionError):
                continue
            lines[i] = _dump(mutate_json_value(obj, rnd))
        return "\n".join(lines)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return text
    for _ in range(rnd.randint(1, 3)):
        obj = mutate_json_value(obj, rnd)
    return _dump(obj)


# ---------------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class Failure:
    """A non-toolkit exception: where it escaped from and what it was."""

    phase: str  # "read <fmt>" or "write <fmt>"
    site: str  # exception type + innermost mosaicner frame
    detail: str

    def __str__(self) -> str:
        return f"{self.phase}: {self.site}: {self.detail}"


def site_of(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/mosaicner/" in f.filename.replace("\\", "/")]
    frame = (ours or frames)[-1] if (ours or frames) else None
    where = "?"
    if frame is not None:
        name = frame.filename.replace("\\", "/")
        name = name.split("/mosaicner/", 1)[-1] if "/mosaicner/" in name else Path(name).name
        where = f"{name}:{frame.lineno} ({frame.name})"
    return f"{type(exc).__name__} at {where}"


def _guard(phase: str, fn: Callable[[], Any], failures: list[Failure]) -> Any:
    try:
        return fn()
    except MosaicnerError:
        return None
    except Exception as exc:  # the point of the harness: anything else is a finding
        failures.append(Failure(phase, site_of(exc), f"{type(exc).__name__}: {exc!s:.200}"))
        return None


def check_file(
    fmt: str,
    path: Path,
    writers: Sequence[str] = WRITERS,
    extra: Callable[[list[Document], Path], Any] | None = None,
) -> list[Failure]:
    """Validate and read ``path`` as ``fmt``; when reading works, run ``extra`` on the
    documents and write them with ``writers``."""
    from mosaicner.corpora.validate import validate_file

    failures: list[Failure] = []
    _guard(f"validate {fmt}", lambda: validate_file(path, fmt), failures)
    result = _guard(f"read {fmt}", lambda: read(path, fmt), failures)
    if result is None:
        return failures
    docs = list(result.documents)
    if extra is not None:
        _guard(f"check {fmt}", lambda: extra(docs, path), failures)
    out = Path(tempfile.mkdtemp(prefix="fuzz-out-"))
    try:
        for w in writers:
            target = out / ("w-" + FILE_NAMES[w])
            _guard(f"write {w} (from {fmt})", lambda w=w, t=target: write(docs, t, w), failures)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return failures


def damaged_copy(fmt: str, seed: Path, folder: Path, rnd: random.Random, structured: bool) -> Path:
    """Copy the seed corpus ``seed`` into ``folder`` with one of its files damaged."""
    target = folder / FILE_NAMES[fmt]
    if seed.is_dir():
        shutil.copytree(seed, target)
    else:
        shutil.copyfile(seed, target)
    files = files_of(fmt, target)
    victim = rnd.choice(files)
    data = victim.read_bytes()
    if structured and fmt in JSON_FORMATS:
        text = data.decode("utf-8")
        new = mutate_json_text(text, rnd, jsonl=fmt != "bioc-json").encode("utf-8", "surrogatepass")
    else:
        new = mutate_bytes(data, rnd)
    victim.write_bytes(new)
    return target


__all__ = [
    "FILE_NAMES",
    "JSON_FORMATS",
    "READERS",
    "WRITERS",
    "Failure",
    "check_file",
    "damaged_copy",
    "files_of",
    "mutate_bytes",
    "mutate_json_text",
    "seed_documents",
    "site_of",
    "write_seed",
]
