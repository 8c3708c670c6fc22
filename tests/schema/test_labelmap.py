from __future__ import annotations

from pathlib import Path

import pytest

from mosaicner.corpora.registry import CORPORA
from mosaicner.data.model import Document
from mosaicner.errors import SchemaError, UnknownComponentError, UnknownLabelError
from mosaicner.schema import (
    CANONICAL_TYPES,
    LabelMap,
    builtin_map,
    builtin_map_names,
    get_label_map,
)


def _doc() -> Document:
    return Document.from_sentences(
        "d1",
        [["aspirin", "causes", "breast", "cancer", "in", "mice"]],
        [[(0, 1, "Simple_chemical"), (2, 4, "Cancer"), (3, 4, "Cancer"), (5, 6, "Organism")]],
    )


def test_builtin_maps_cover_every_registry_corpus_and_its_types() -> None:
    assert set(builtin_map_names()) == set(CORPORA)
    for name, info in CORPORA.items():
        m = builtin_map(name)
        assert set(m.known) == set(info.types), name
        assert set(m.output_labels) <= set(CANONICAL_TYPES), name


def test_bionlp13cg_decisions() -> None:
    m = builtin_map("BioNLP13CG")
    assert m.map("Simple_chemical") == "Chemical"
    assert m.map("Gene_or_gene_product") == "Gene_or_protein"
    assert m.map("Organism") == "Species"
    assert m.map("Cancer") == "Disease"
    assert m.map("Cell") == "Cell_type"
    assert m.map("Tissue") == m.map("Organ") == "Anatomy"
    assert builtin_map("bc2gm").map("GENE") == "Gene_or_protein"
    assert builtin_map("jnlpba").map("protein") == "Gene_or_protein"


def test_apply_returns_new_documents_and_counts() -> None:
    doc = _doc()
    m = LabelMap("t", {"Simple_chemical": "Chemical", "Cancer": "Disease", "Organism": None})
    (out,), report = m.apply([doc])
    assert [s.label for s in doc.layer()] == ["Simple_chemical", "Cancer", "Cancer", "Organism"]
    assert [s.label for s in out.layer()] == ["Chemical", "Disease", "Disease"]
    assert report.renamed[("Cancer", "Disease")] == 2
    assert report.renamed[("Simple_chemical", "Chemical")] == 1
    assert report.dropped["Organism"] == 1
    assert report.total_in == 4 and report.total_out == 3
    assert report.to_dict()["dropped"] == {"Organism": 1}
    assert "dropped Organism: 1" in report.summary()


def test_many_to_one_merges_duplicates_and_reports_them() -> None:
    doc = Document.from_sentences("d", [["IL-2", "gene"]], [[(0, 1, "DNA"), (0, 1, "protein")]])
    m = LabelMap("merge", {"DNA": "Gene_or_protein", "protein": "Gene_or_protein"})
    (out,), report = m.apply([doc])
    assert len(out.layer()) == 1
    assert report.merged["Gene_or_protein"] == 1
    assert report.lossy


def test_keep_original_is_identity() -> None:
    doc = _doc()
    (out,), report = LabelMap.keep_original().apply([doc])
    assert out.layer() == doc.layer()
    assert sum(report.kept.values()) == 4 and not report.lossy
    assert get_label_map("original").identity


def test_unknown_label_lists_known_ones() -> None:
    m = builtin_map("BC5CDR")
    with pytest.raises(UnknownLabelError) as exc:
        m.apply([_doc()])
    text = str(exc.value)
    assert "Simple_chemical" in text and "Organism" in text
    assert "one of Chemical, Disease" in text
    assert exc.value.file is not None and exc.value.file.endswith("bc5cdr.yaml")
    assert exc.value.line is not None


def test_yaml_map_unknown_target_has_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("name: mine\nmap:\n  GENE: Gene_or_protein\n  Chem: Chemcial\n")
    with pytest.raises(UnknownLabelError) as exc:
        LabelMap.from_yaml(p)
    assert str(exc.value).startswith(f"{p}:4: ")
    assert "Chemical" in str(exc.value)


def test_yaml_map_unknown_data_label_points_to_map_file(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("# comment\nname: mine\nmap:\n  Cancer: Disease\n  Organism: null\n")
    m = LabelMap.from_yaml(p)
    assert m.map("Organism") is None
    with pytest.raises(UnknownLabelError) as exc:
        m.apply([_doc()])
    assert str(exc.value).startswith(f"{p}:3: ")
    assert "'Simple_chemical'" in str(exc.value)
    assert "expected one of Cancer, Organism" in str(exc.value)


def test_yaml_targets_extend_and_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("name: x\ntargets: [Mutation]\nmap:\n  Var: Mutation\n  GENE: Gene_or_protein\n")
    m = LabelMap.from_yaml(p)
    assert m.map("Var") == "Mutation"
    q = tmp_path / "back.yaml"
    m.to_yaml(q)
    assert LabelMap.from_yaml(q) == m


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: x\nmap:\n  A: Chemical\n  A: Disease\n", 4),
        ("name: x\nmap:\n  A: [1, 2]\n", 3),
        ("name: x\nmap: {A: Chemical\n", 3),
        ("- a\n- b\n", 1),
    ],
)
def test_bad_yaml_maps_name_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(SchemaError) as exc:
        LabelMap.from_yaml(p)
    assert exc.value.file == str(p)
    assert exc.value.line == line


def test_get_label_map_specs(tmp_path: Path) -> None:
    assert get_label_map(None, corpus="NCBI-disease").name == "NCBI-disease"
    assert get_label_map("builtin", corpus="genia_nested").name == "GENIA-nested"
    assert get_label_map("JNLPBA").name == "JNLPBA"
    with pytest.raises(UnknownComponentError, match="did you mean 'BC5CDR'"):
        get_label_map("BC5CRD")


def test_apply_corpus() -> None:
    from mosaicner.data.model import Corpus

    corpus = Corpus("CG", {"train": (_doc(),), "test": (_doc(),)}, labels=("Simple_chemical",
                    "Cancer", "Organism"))  # fmt: skip
    new, reports = builtin_map("BioNLP13CG").apply_corpus(corpus)
    assert new.labels == ("Chemical", "Disease", "Species")
    assert set(reports) == {"train", "test"}
    assert reports["test"].renamed[("Organism", "Species")] == 1
    assert [s.label for s in new.split("train")[0].layer()] == [
        "Chemical", "Disease", "Disease", "Species"
    ]  # fmt: skip
    assert corpus.split("train")[0].layer()[0].label == "Simple_chemical"


def test_wnut17_general_types_and_organization_merge_is_counted(data_dir: Path) -> None:
    from mosaicner.corpora.load import load_corpus
    from mosaicner.schema.types import GENERAL_TYPES

    m = builtin_map("wnut_17")
    assert m.name == "WNUT-17"
    assert m.map("group") == m.map("corporation") == "Organization"
    assert {m.map(x) for x in ("person", "location", "product", "creative-work")} == {
        "Person", "Location", "Product", "Creative_work"
    }  # fmt: skip
    assert set(m.output_labels) == set(GENERAL_TYPES) and set(GENERAL_TYPES) <= set(CANONICAL_TYPES)
    corpus = load_corpus("WNUT-17", ["test"], data_directory=data_dir)
    new, reports = m.apply_corpus(corpus)
    rep = reports["test"]
    # the many-to-one map is visible in the report, per original label (MANIFEST test counts)
    assert rep.renamed[("group", "Organization")] == 165
    assert rep.renamed[("corporation", "Organization")] == 66
    assert rep.renamed[("person", "Person")] == 429
    assert not rep.merged and not rep.dropped  # flat corpus: no span carries both labels
    assert rep.total_in == rep.total_out == 1079
    assert "renamed group -> Organization: 165" in rep.summary()
    assert "Organization" in new.labels and "group" not in new.labels


def test_builtin_maps_are_found_under_common_spellings() -> None:
    from mosaicner.schema import builtin_map, get_label_map

    for spelling in ("WNUT-17", "wnut17", "wnut_17", "Wnut 17"):
        assert builtin_map(spelling).name == "WNUT-17"
        assert get_label_map(spelling).name == "WNUT-17"
    assert builtin_map("ncbi_disease").name == "NCBI-disease"
    with pytest.raises(UnknownComponentError):
        builtin_map("wnut18")


def test_defers_to_is_read_checked_and_written() -> None:
    from mosaicner.schema import builtin_map

    anat = builtin_map("AnatEM")
    assert set(anat.defers_to["Anatomy"]) == {"Disease", "Cell_type", "Cell_line"}
    again = LabelMap.from_yaml_text(anat.to_yaml())
    assert again.defers_to == anat.defers_to
    with pytest.raises(SchemaError, match="defers_to"):
        LabelMap.from_yaml_text("name: x\ndefers_to: {Anatomy: Disease}\nmap: {A: Anatomy}\n")
