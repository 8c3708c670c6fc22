"""Ray Data engine on a local 2-CPU Ray cluster (about 20-40 s, most of it Ray start-up)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaicner.data.model import Document
from mosaicner.inference import batch
from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.tagger import Tagger

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TERMS = {"Chemical": ["cisplatin"], "Disease": ["lung cancer", "cancer"]}


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


class FailingTagger(Tagger):
    """Dies from its third call on, leaving a half-finished parts folder (a tagger that fails
    once is retried document by document, see ``batch.tag_block``)."""

    calls = 0

    def tag_documents(self, inputs: list[str | Document]) -> list[Document]:  # type: ignore[override]
        self.calls += 1
        if self.calls >= 3:
            raise RuntimeError("simulated crash")
        return super().tag_documents(inputs)


def test_ray_two_workers_resume_local_run(tmp_path: Path, local_ray: None) -> None:
    from mosaicner.inference.ray_engine import tag_corpus_ray

    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    shards = tmp_path / "shards"
    shards.mkdir()
    expected = []
    for s in range(3):
        lines = [f"Doc {s}-{i}: cisplatin for lung cancer." for i in range(40)]
        (shards / f"part{s}.txt").write_text("\n".join(lines) + "\n")
        expected += [f"part{s}:{i + 1}" for i in range(40)]
    spec = batch.InputSpec(str(shards), "text", "line")
    out = tmp_path / "out.jsonl"
    extra = {"model": str(terms.resolve()), "quantize": False}
    with pytest.raises(RuntimeError):
        batch.tag_corpus(
            FailingTagger(DictionaryPredictor(TERMS)), spec, out, "jsonl", chunk_size=10,
            manifest_extra=extra,
        )  # fmt: skip
    assert len(list(batch.parts_dir(out).glob("chunk-*"))) == 2  # 20 documents done
    summary = tag_corpus_ray(
        str(terms), spec, out, "jsonl", num_workers=2, chunk_size=10, manifest_extra=extra,
        progress=False,
    )  # fmt: skip
    assert summary.skipped == 20 and summary.tagged == 100 and summary.total == 120
    # two actors were started; under CPU contention one may end up taking every batch
    assert 1 <= summary.stats["workers"] <= 2
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == expected  # each document once, input order
    for r in records:
        assert [s["text"] for s in r["spans"]["pred"]] == ["cisplatin", "lung cancer", "cancer"]
        for s in r["spans"]["pred"]:
            assert r["text"][s["start"] : s["end"]] == s["text"]


def test_cli_engine_ray(tmp_path: Path, local_ray: None) -> None:
    from mosaicner.cli.main import main

    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    inp = tmp_path / "in.txt"
    inp.write_text("cancer\n\ncisplatin and cancer\n")
    out = tmp_path / "out.jsonl"
    args = ["tag", str(terms), "-i", str(inp), "-o", str(out), "--engine", "ray"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--num-workers", "1", "-q"])
    assert exc.value.code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [len(r["spans"]["pred"]) for r in records] == [1, 0, 2]


def test_ray_engine_skips_a_surrogate_document(tmp_path: Path, local_ray: None) -> None:
    """Issue 12: a lone surrogate fails its document alone under --engine ray too."""
    from mosaicner.cli.main import main

    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        '{"id": "a", "text": "cancer"}\n'
        '{"id": "bad", "text": "cancer \\ud83d"}\n'
        '{"id": "c", "text": "cisplatin and cancer"}\n'
    )
    out = tmp_path / "out.jsonl"
    args = ["tag", str(terms), "-i", str(inp), "-o", str(out), "--from", "jsonl"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--engine", "ray", "--num-workers", "1", "-q"])
    assert exc.value.code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "c"]
