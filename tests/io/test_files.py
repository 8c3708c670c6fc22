"""Atomic writes: a failed or killed writer never leaves half a file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaicner.data.model import Document
from mosaicner.io import write

FILE_FORMATS = {
    "jsonl": "o.jsonl",
    "conll": "o.tsv",
    "genia-jsonl": "o.jsonl",
    "bioc-xml": "o.xml",
    "bioc-json": "o.json",
    "pubtator": "o.pubtator",
    "actions": "o.actions",
}


def _docs_then_failure() -> Iterator[Document]:
    yield Document.from_sentences("a", [["IL-2", "binds"]], [[(0, 1, "Gene")]])
    raise RuntimeError("the input broke half-way")


def test_write_text_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    from mosaicner.io.files import write_text_atomic

    target = tmp_path / "sub" / "out.txt"
    write_text_atomic(target, "a\r\nb\rc\n")
    assert target.read_bytes() == b"a\r\nb\rc\n"  # written exactly, no newline translation
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode


@pytest.mark.parametrize("fmt", sorted(FILE_FORMATS))
def test_a_failing_writer_keeps_the_old_target(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / FILE_FORMATS[fmt]
    target.write_text("OLD\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write(_docs_then_failure(), target, fmt)
    assert target.read_text(encoding="utf-8") == "OLD\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_killed_writer_keeps_the_old_target(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("OLD\n", encoding="utf-8")
    script = f"""
import os, signal
from mosaicner.data.model import Document
from mosaicner.io import write
def docs():
    for i in range(200):
        yield Document(f"d{{i}}", "IL-2 binds its receptor. " * 50)
    os.kill(os.getpid(), signal.SIGKILL)
write(docs(), {str(target)!r}, "jsonl")
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=120)
    assert proc.returncode == -9
    assert target.read_text(encoding="utf-8") == "OLD\n"


def test_lone_surrogate_is_a_toolkit_error(tmp_path: Path) -> None:
    from mosaicner.errors import UnrepresentableError
    from mosaicner.io.files import atomic_open

    with pytest.raises(UnrepresentableError, match=r"U\+D83D"):
        write([Document("d", "bad \ud83d text")], tmp_path / "o.jsonl", "jsonl")
    with pytest.raises(UnrepresentableError), atomic_open(tmp_path / "x.txt") as fh:
        fh.write("\udc00")
    assert list(tmp_path.iterdir()) == []


def test_long_and_odd_document_ids_make_valid_file_names(tmp_path: Path) -> None:
    from mosaicner.io.files import MAX_NAME_BYTES, file_name

    docs = [Document("x" * 400, "a"), Document("y" * 400, "b"), Document("..", "c")]
    write(docs, tmp_path / "brat", "brat")
    write(docs, tmp_path / "text", "text")
    for folder in ("brat", "text"):
        names = [p.name for p in (tmp_path / folder).iterdir()]
        assert all(len(n.encode()) <= MAX_NAME_BYTES + 4 for n in names)
    assert file_name("a/b\x00c") == "a_b_c"
    assert file_name("x" * 400) != file_name("x" * 401)
