from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from mosaicner.corpora.validate import validate, validate_documents
from mosaicner.data.model import Document, Span


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("a\tO\nb\tO\nc\tI-Disease\n\n", "tag-sequence", 3),
        ("a\tO\tX\nb\tO\n\n", "columns", 1),
        ("a\tB-Chem\nb\tI-Dis\n\n", "tag-sequence", 2),
        ("a\tB-Chem\nb\tX-Chem\n\n", "tag", 2),
        ("a\tO\n\n\nb\tO\n\n", "empty-sentence", 3),
        ("-DOCSTART-\tB-X\n\na\tO\n\n", "docstart", 1),
    ],
)
def test_conll_problems_have_file_and_line(tmp_path: Path, text: str, kind: str, line: int) -> None:
    p = _write(tmp_path, "x.tsv", text)
    report = validate(p)
    assert not report.ok
    assert report.counts[kind] == 1, report.counts
    (problem,) = [q for q in report.problems if q.kind == kind]
    assert (problem.file, problem.line) == (str(p), line)
    assert problem.render().startswith(f"{p}:{line}: error: {kind}: ")


def test_conll_collects_every_problem(tmp_path: Path) -> None:
    p = _write(tmp_path, "x.tsv", "a\tI-A\n\nb\tI-B\nc\tO\td\n\n")
    report = validate(p)
    assert report.counts == {"tag-sequence": 2, "columns": 1}
    assert report.to_dict()["errors"] == 3


def test_clean_conll_with_docstart_is_ok(tmp_path: Path) -> None:
    p = _write(tmp_path, "x.tsv", "-DOCSTART-\tO\n\na\tB-A\nb\tI-A\n\nc\tO\n")
    report = validate(p)
    assert report.ok and report.sentences == 2 and report.mentions == 1


def test_iobes_scheme(tmp_path: Path) -> None:
    good = _write(tmp_path, "g.tsv", "a\tB-A\nb\tE-A\nc\tS-B\n\n")
    bad = _write(tmp_path, "b.tsv", "a\tB-A\nb\tO\n\n")
    assert validate(good, scheme="iobes").ok
    assert validate(bad, scheme="iobes").counts["tag-sequence"] == 1


def test_genia_jsonl_problems(tmp_path: Path) -> None:
    lines = [
        {
            "tokens": ["a", "b", "c", "d"],
            "entity_mentions": [
                {"start": 0, "end": 2, "entity_type": "X"},
                {"start": 1, "end": 3, "entity_type": "X"},  # crosses [0, 2)
                {"start": 0, "end": 2, "entity_type": "X"},  # duplicate
                {"start": 3, "end": 9, "entity_type": "X"},  # outside
                {"start": 3, "end": 4, "entity_type": "X", "text": "zzz"},  # wrong text
            ],
        },
        {"tokens": [], "entity_mentions": []},
        {"tokens": ["G + C"], "entity_mentions": []},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n{not json\n"
    p = _write(tmp_path, "x.jsonlines", text)
    report = validate(p)
    assert dict(report.counts) == {
        "crossing": 1,
        "duplicate": 1,
        "offsets": 1,
        "text": 1,
        "empty-sentence": 1,
        "token-space": 1,
        "json": 1,
    }
    assert report.warnings == 1 and report.errors == 6
    assert {q.line for q in report.problems if q.kind == "json"} == {4}


def test_document_checks() -> None:
    doc = Document.from_sentences("d", [["a", "b", "c"], ["d"]], [[(0, 2, "X"), (1, 3, "X")], []])
    doc = doc.with_layer("gold", [*doc.layer(), Span(4, 7, "Y", 2, 4)])
    report = validate_documents([doc], "mem")
    assert report.counts["crossing"] == 2
    assert report.counts["sentence-boundary"] == 1


def test_shared_corpora_are_clean(data_dir: Path) -> None:
    for name in ("NCBI-disease", "GENIA-nested"):
        report = validate(data_dir / name)
        assert report.ok, report.problems[:3]
    # GENIA 3.02 has tokens holding spaces ("G + C"): warnings, not errors
    assert validate(data_dir / "GENIA-nested" / "dev.jsonlines").warnings == 3


@settings(max_examples=200, deadline=None)
@given(
    tags=hst.lists(
        hst.lists(hst.sampled_from(["O", "B-A", "I-A", "B-B", "I-B"]), min_size=1, max_size=6),
        min_size=1,
        max_size=4,
    )
)
def test_validator_agrees_with_strict_reader(tags: list[list[str]]) -> None:
    """validate() finds a tag problem exactly when the strict IOB2 reader refuses the file."""
    import tempfile

    from mosaicner import io
    from mosaicner.errors import TagSequenceError

    text = "".join("".join(f"w\t{t}\n" for t in sent) + "\n" for sent in tags)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "x.tsv"
        p.write_text(text)
        report = validate(p)
        try:
            result = io.read(p, "conll")
        except TagSequenceError as exc:
            assert not report.ok
            assert exc.line == report.problems[0].line
        else:
            assert report.ok
            assert report.mentions == result.report.spans


# ---------------------------------------------------------------- issue 12: file and line
def test_brat_problems_name_the_ann_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Aspirin induced asthma. IL-2 in mice.\n")
    (folder / "a.ann").write_text(
        "T1\tChemical 0 7\tAspirin\n"
        "T2\tChemical 0 4\tAspi\n"  # not on token boundaries
        "T3\tDisease 8 22\tinduced asthma\n"
        "T4\tDisease 16 28\tasthma. IL-2\n"  # crosses T3 and the sentence boundary
    )
    (folder / "b.txt").write_text("Nothing here.\n")
    (folder / "b.ann").write_text("")
    report = validate(folder, format="brat")
    ann = str(folder / "a.ann")
    by_kind = {(p.kind, p.file, p.line) for p in report.problems}
    assert ("alignment", ann, 2) in by_kind
    assert ("sentence-boundary", ann, 4) in by_kind
    assert ("crossing", ann, 4) in by_kind
    assert all(p.line is not None for p in report.problems)
    assert all(p.file.endswith(".ann") or p.file.endswith(".txt") for p in report.problems)


def test_pubtator_problems_name_the_mention_line(tmp_path: Path) -> None:
    p = tmp_path / "x.pubtator"
    p.write_text(
        "1|t|Aspirin induced asthma.\n1|a|In mice.\n1\t0\t7\tAspirin\tChemical\n\n"
        "2|t|IL-2 in rats.\n2|a|None.\n2\t0\t4\tIL-2\tChemical\n2\t8\t11\trat\tSpecies\n"
    )
    report = validate(p, format="pubtator")
    problems = [q for q in report.problems if q.kind == "alignment"]
    assert [(q.file, q.line) for q in problems] == [(str(p), 8)]
    assert all(q.line is not None for q in report.problems)
