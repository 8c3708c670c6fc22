"""Which format a corpus file is in: :func:`detect_format` (for reading) and
:func:`format_for_target` (for writing).

Reading (:func:`detect_format`) looks at the suffix and, where the suffix does not settle it,
at the first 64 KiB of the content:

* ``.conll``, ``.iob``, ``.iob2``, ``.bio``, ``.bioes`` → ``conll``; ``.pubtator`` →
  ``pubtator``; ``.actions`` → ``actions``; ``.ann`` → ``brat``: the suffix decides;
* a folder → ``brat`` when it holds ``.ann`` files, ``text`` when it holds only ``.txt`` files;
* ``.txt`` → ``brat`` when a ``.ann`` file of the same name lies next to it; else the content:
  PubTator (``PMID|t|`` first line), CoNLL (every one of the first lines is
  ``token<TAB>...<TAB>tag`` with an IOB/IOBES tag), action lines (``words ||| actions``),
  BioC XML, JSON Lines; anything else is ``text``;
* ``.tsv`` → PubTator or action lines by content, else ``conll``;
* ``.json``, ``.jsonl``, ``.jsonlines`` → by the first record: a BioC collection
  (``"documents"``) is ``bioc-json``, a record with ``entity_mentions`` (or ``tokens`` and no
  ``text``) is ``genia-jsonl``, a record with ``text`` is ``jsonl``; when no record settles it,
  ``.json`` is ``bioc-json`` and ``.jsonl``/``.jsonlines`` is ``jsonl`` (the reader then
  reports what is wrong, with the line);
* ``.xml`` → ``bioc-xml`` when the root element is ``<collection>``; XML with another root is
  refused (:class:`~mosaicner.errors.FormatError`, ``FILE:LINE``);
* any other suffix, or none → the content as above; when nothing matches,
  :class:`~mosaicner.errors.ConfigError` asks for the format.

Writing (:func:`format_for_target`) never opens the target (it may not exist yet, and an
existing file's content says nothing about the format wanted): the suffix alone decides, and a
suffix without a format raises :class:`~mosaicner.errors.ConfigError`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mosaicner.errors import ConfigError, FormatError, MissingFileError

COLUMN_SUFFIXES = (".tsv", ".conll", ".iob", ".iob2", ".bio", ".bioes")
JSONL_SUFFIXES = (".jsonl", ".jsonlines")
#: suffixes whose format needs no look at the content
DECISIVE_SUFFIXES = {
    **dict.fromkeys((".conll", ".iob", ".iob2", ".bio", ".bioes"), "conll"),
    ".pubtator": "pubtator",
    ".actions": "actions",
    ".ann": "brat",
}
#: the format a writer uses for each target suffix
TARGET_SUFFIXES = {
    **dict.fromkeys(COLUMN_SUFFIXES, "conll"),
    **dict.fromkeys(JSONL_SUFFIXES, "jsonl"),
    ".json": "bioc-json",
    ".xml": "bioc-xml",
    ".pubtator": "pubtator",
    ".actions": "actions",
    ".txt": "text",
}
SNIFF_BYTES = 1 << 16
_NOT_BIOC = "xml-not-bioc"
_PUBTATOR = re.compile(r"^[^|\t]+\|[ta]\|")
_TAG = re.compile(r"^(O|[BIESLU]-\S.*)$")
_XML_PROLOG = re.compile(
    r"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]*|[^\[>]*\[.*?\])\s*>)", re.DOTALL
)
_XML_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def _head(path: Path) -> tuple[str, bool]:
    """The first :data:`SNIFF_BYTES` of a file as text, and whether that is the whole file."""
    with path.open("rb") as fh:
        data = fh.read(SNIFF_BYTES + 1)
    complete = len(data) <= SNIFF_BYTES
    text = data[:SNIFF_BYTES].decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff"), complete


def _xml_root(head: str) -> tuple[str | None, int]:
    """The root element's local name (``None`` when it cannot be seen) and its line."""
    pos = 0
    while True:
        m = _XML_PROLOG.match(head, pos)
        if m is None:
            break
        pos = m.end()
    m = _XML_ROOT.match(head, pos)
    if m is None:
        return None, 1
    return m.group(2), head.count("\n", 0, m.end()) + 1


def _json_record(head: str, complete: bool) -> dict[str, object] | None:
    """The first JSON object of the text (the first line, or the whole head when complete)."""
    first = next((line for line in head.split("\n") if line.strip()), "")
    for candidate in (first, head if complete else ""):
        if not candidate.strip():
            continue
        try:
            obj = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            return obj
    return None


def sniff(head: str, complete: bool = False) -> str | None:
    """The format the start of a file looks like (``None`` when it looks like none).

    Returns ``"xml-not-bioc"`` for XML whose root element is not ``<collection>``.
    """
    stripped = head.lstrip()
    if not stripped:
        return None
    lines = [line.rstrip("\r") for line in head.split("\n")]
    content = [line for line in lines if line.strip()]
    first = content[0] if content else ""
    if stripped.startswith("<"):
        root, _ = _xml_root(head)
        if root == "collection":
            return "bioc-xml"
        return _NOT_BIOC if root is not None else None
    if stripped.startswith("{"):
        obj = _json_record(head, complete)
        if obj is not None:
            if "documents" in obj:
                return "bioc-json"
            if "entity_mentions" in obj or ("tokens" in obj and "text" not in obj):
                return "genia-jsonl"
            if "text" in obj:
                return "jsonl"
            return None
        if re.search(r'"documents"\s*:', head):
            return "bioc-json"
        if re.search(r'"entity_mentions"\s*:', head):
            return "genia-jsonl"
        return None
    if _PUBTATOR.match(first):
        return "pubtator"
    sample = content[:20] if complete else content[:-1][:20]  # the last line may be cut
    if sample and all(" ||| " in line or line.strip().startswith("doc-sep") for line in sample):
        return "actions"
    if sample and all(
        line.split("\t")[0] == "-DOCSTART-"
        or (len(line.split("\t")) >= 2 and _TAG.match(line.split("\t")[-1].strip()))
        for line in sample
    ):
        return "conll"
    return None


def _refuse_xml(path: Path, head: str) -> FormatError:
    root, line = _xml_root(head)
    return FormatError(
        f"an XML file whose root element is <{root}>, not a BioC <collection>",
        file=path,
        line=line,
        expected="BioC XML (<collection><document>...)",
        hint="pass --from FORMAT if the file is in another format",
    )


def detect_format(path: str | Path) -> str:
    """The format of the corpus file or folder ``path`` (see the module docstring)."""
    p = Path(path)
    if p.is_dir():
        if any(p.glob("*.ann")):
            return "brat"
        if any(p.glob("*.txt")) and not any(f.suffix != ".txt" for f in p.iterdir() if f.is_file()):
            return "text"
        raise ConfigError(
            f"cannot tell the format of directory {p}",
            expected="a folder of BRAT .txt/.ann files or of .txt files",
            hint="pass the format explicitly (--from FORMAT)",
        )
    if not p.exists():
        raise MissingFileError(f"no such file: {p}", file=p, hint="check the path")
    suffix = p.suffix.lower()
    if suffix in DECISIVE_SUFFIXES:
        return DECISIVE_SUFFIXES[suffix]
    if suffix == ".txt" and p.with_suffix(".ann").is_file():
        return "brat"
    head, complete = _head(p)
    found = sniff(head, complete)
    if suffix == ".txt":
        return found if found not in (None, _NOT_BIOC) else "text"
    if suffix == ".tsv":
        return found if found in ("pubtator", "actions", "conll") else "conll"
    if suffix == ".json":
        return found if found in ("bioc-json", "jsonl", "genia-jsonl") else "bioc-json"
    if suffix in JSONL_SUFFIXES:
        return found if found in ("bioc-json", "jsonl", "genia-jsonl") else "jsonl"
    if found == _NOT_BIOC:
        raise _refuse_xml(p, head)
    if suffix == ".xml":
        return "bioc-xml"  # not XML at all: the reader says where it breaks
    if found is not None:
        return found
    raise ConfigError(
        f"cannot tell the format of {p}: neither its suffix {suffix or '(none)'!r} nor its "
        "content settles it",
        expected="a suffix such as " + ", ".join(sorted({*TARGET_SUFFIXES, *DECISIVE_SUFFIXES})),
        hint="pass the format explicitly (--from FORMAT)",
    )


def format_for_target(path: str | Path) -> str:
    """The format to write ``path`` in, from its suffix only (the file is never opened)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in TARGET_SUFFIXES:
        return TARGET_SUFFIXES[suffix]
    raise ConfigError(
        f"cannot tell the output format of {p} from its suffix {suffix or '(none)'!r}",
        expected="one of " + ", ".join(sorted(TARGET_SUFFIXES)) + " (a BRAT folder needs --to)",
        hint="pass the output format explicitly (--to FORMAT)",
    )


def check_bioc_xml_root(path: str | Path, text: str) -> None:
    """Refuse XML whose root element is not ``<collection>`` (raises FormatError)."""
    root, _ = _xml_root(text[:SNIFF_BYTES].removeprefix("\ufeff"))
    if root is not None and root != "collection":
        raise _refuse_xml(Path(path), text[:SNIFF_BYTES])


__all__ = [
    "COLUMN_SUFFIXES",
    "DECISIVE_SUFFIXES",
    "JSONL_SUFFIXES",
    "TARGET_SUFFIXES",
    "check_bioc_xml_root",
    "detect_format",
    "format_for_target",
    "sniff",
]
