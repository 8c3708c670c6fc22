from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mosaicner.cli.main import main

TERMS = {"Chemical": ["cisplatin", "IL-2"], "Disease": ["lung cancer", "cancer"]}

# Runs the CLI with a dictionary predictor slowed down, so the run can be killed mid-way.
SLOW_CLI = """
import sys, time
from mosaicner.inference.dictionary import DictionaryPredictor as D
_orig = D.predict_words
def slow(self, sentences, batch_size_tokens=0):
    time.sleep(0.03)
    return _orig(self, sentences)
D.predict_words = slow
from mosaicner.cli.main import main
main(sys.argv[1:])
"""


def _run_main(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0)


@pytest.fixture
def terms(tmp_path: Path) -> Path:
    p = tmp_path / "terms.json"
    p.write_text(json.dumps(TERMS))
    return p


def _check_entities(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for rec in records:
        for span in rec["spans"].get("pred", []):
            assert rec["text"][span["start"] : span["end"]] == span["text"]
    return records


def test_tag_text_lines_to_jsonl(tmp_path: Path, terms: Path) -> None:
    inp = tmp_path / "in.txt"
    inp.write_text("Cisplatin and IL-2.\n\n  lung cancer (LC) in rats\nnothing here\n")
    out = tmp_path / "out.jsonl"
    rc = _run_main(["tag", str(terms), "-i", str(inp), "-o", str(out), "--from", "text", "-q"])
    assert rc == 0
    records = _check_entities(out)
    assert [r["id"] for r in records] == ["in:1", "in:2", "in:3", "in:4"]
    labels = [[s["text"] for s in r["spans"]["pred"]] for r in records]
    assert labels == [["Cisplatin", "IL-2"], [], ["lung cancer", "cancer"], []]
    assert not (tmp_path / "out.jsonl.parts").exists()
    # a finished output is not silently overwritten
    rc = _run_main(["tag", str(terms), "-i", str(inp), "-o", str(out), "-q"])
    assert rc == 2
    rc = _run_main(["tag", str(terms), "-i", str(inp), "-o", str(out), "-q", "--overwrite"])
    assert rc == 0


def test_tag_folder_of_text_files_and_jsonl_input(tmp_path: Path, terms: Path) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    (folder / "a.txt").write_text("Cisplatin.\nSecond line of a: cancer.")
    (folder / "b.txt").write_text("IL-2")
    out = tmp_path / "out.jsonl"
    assert _run_main(["tag", str(terms), "-i", str(folder), "-o", str(out), "-q"]) == 0
    recs = _check_entities(out)
    assert [r["id"] for r in recs] == ["a.txt", "b.txt"]
    assert len(recs[0]["spans"]["pred"]) == 2
    jl = tmp_path / "in.jsonl"
    jl.write_text(json.dumps({"id": "p1", "text": "cancer", "year": 2020}) + "\n\n")
    out2 = tmp_path / "out2.jsonl"
    assert (
        _run_main(["tag", str(terms), "-i", str(jl), "-o", str(out2), "--from", "jsonl", "-q"]) == 0
    )
    (rec,) = _check_entities(out2)
    assert rec["id"] == "p1" and rec["metadata"] == {"year": 2020}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "x"}\n{"id": 2\n')
    assert (
        _run_main(
            [
                "tag",
                str(terms),
                "-i",
                str(bad),
                "-o",
                str(tmp_path / "o3.jsonl"),
                "--from",
                "jsonl",
                "-q",
            ]
        )
        == 2
    )


def test_changed_settings_refuse_to_resume(tmp_path: Path, terms: Path) -> None:
    from mosaicner.inference import batch

    inp = tmp_path / "in.txt"
    inp.write_text("cancer\n")
    out = tmp_path / "out.jsonl"
    batch.ChunkStore(batch.parts_dir(out)).open({"input": "something else"})
    assert _run_main(["tag", str(terms), "-i", str(inp), "-o", str(out), "-q"]) == 2


def test_killed_run_resumes_every_document_exactly_once(tmp_path: Path, terms: Path) -> None:
    n_docs = 2000
    inp = tmp_path / "in.txt"
    lines = [f"Patient {i} got cisplatin for lung cancer ; IL-2 {i % 7}." for i in range(n_docs)]
    inp.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    args = ["tag", str(terms), "-i", str(inp), "-o", str(out), "--chunk-size", "20", "-q"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_CLI, *args], env=env)
    parts = tmp_path / "out.jsonl.parts"
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            if parts.exists() and len(list(parts.glob("chunk-*.jsonl"))) >= 8:
                break
            if proc.poll() is not None:
                pytest.fail("the run finished before it could be killed")
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    done_before = len(list(parts.glob("chunk-*.jsonl")))
    assert 8 <= done_before < n_docs // 20
    res = subprocess.run(
        [sys.executable, "-m", "mosaicner.cli.main", *args], capture_output=True, text=True, env=env
    )
    assert res.returncode == 0, res.stderr
    assert "resuming" in res.stderr
    records = _check_entities(out)
    ids = [r["id"] for r in records]
    assert ids == [f"in:{i + 1}" for i in range(n_docs)]  # every document once, in input order
    assert all(len(r["spans"]["pred"]) == 4 for r in records)
    assert not parts.exists()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    from mosaicner.testing.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny"))


def test_tag_with_tiny_model_offsets(tmp_path: Path, tiny_model: Path) -> None:
    inp = tmp_path / "in.txt"
    lines = [
        "Aspirin-induced asthma in patients (n = 12).",
        "IL-2 receptor alpha expression in human T cells; mice and rats.",
        "   ",
        "cancer " * 80,
    ]
    inp.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    rc = _run_main(["tag", str(tiny_model), "-i", str(inp), "-o", str(out), "--threads", "1", "-q"])
    assert rc == 0
    records = _check_entities(out)
    assert [r["text"] for r in records] == lines
    assert sum(len(r["spans"]["pred"]) for r in records) > 0


@pytest.mark.parametrize("fmt", ["pubtator", "bioc-xml", "bioc-json", "brat", "jsonl"])
def test_output_formats_read_back(tmp_path: Path, terms: Path, fmt: str) -> None:
    from mosaicner import io

    jl = tmp_path / "in.jsonl"
    docs = [
        {"id": "1001", "text": "Cisplatin and lung cancer."},
        {"id": "1002", "text": "IL-2 in cancer"},
    ]
    jl.write_text("".join(json.dumps(d) + "\n" for d in docs))
    out = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    args = ["tag", str(terms), "-i", str(jl), "-o", str(out), "--from", "jsonl", "--to", fmt, "-q"]
    assert _run_main(args) == 0
    back = io.read(out, fmt).documents
    layer = "pred" if fmt == "jsonl" else "gold"  # other formats have one unnamed layer
    got = {d.id: sorted((d.text[s.start : s.end], s.label) for s in d.layer(layer)) for d in back}
    assert got == {
        "1001": [("Cisplatin", "Chemical"), ("cancer", "Disease"), ("lung cancer", "Disease")],
        "1002": [("IL-2", "Chemical"), ("cancer", "Disease")],
    }


def test_native_jsonl_input_keeps_gold(tmp_path: Path, terms: Path) -> None:
    from mosaicner import io
    from mosaicner.data.model import Document

    src = tmp_path / "gold.jsonl"
    io.write(
        [Document.from_sentences("g1", [["lung", "cancer", "."]], [[(0, 2, "Disease")]])],
        src,
        "jsonl",
    )
    out = tmp_path / "out.jsonl"
    assert (
        _run_main(["tag", str(terms), "-i", str(src), "-o", str(out), "--from", "jsonl", "-q"]) == 0
    )
    (doc,) = io.read(out, "jsonl").documents
    assert [s.label for s in doc.layer("gold")] == ["Disease"]
    assert [(s.start, s.end) for s in doc.layer("pred")] == [(0, 11), (5, 11)]


def test_serve_command_on_loopback(tmp_path: Path, terms: Path) -> None:
    import httpx

    from mosaicner.testing.net import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "mosaicner.cli.main", "serve", str(terms), "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), "--max-body-bytes", "1000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the server exited"
            assert time.time() < deadline, "the server did not start"
            time.sleep(0.2)
        text = "IL-2 and lung cancer"
        ents = httpx.post(base + "/v1/tag", json={"text": text}).json()["entities"]
        assert [(e["text"], e["label"]) for e in ents] == [
            ("IL-2", "Chemical"),
            ("lung cancer", "Disease"),
            ("cancer", "Disease"),
        ]
        assert httpx.post(base + "/v1/tag", json={"text": "x" * 2000}).status_code == 413
    finally:
        proc.terminate()
        proc.wait(timeout=20)
