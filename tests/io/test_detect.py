"""Format detection: by content where the suffix is ambiguous; targets by suffix only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.corpora.resolve import detect_format as corpora_detect_format
from mosaicner.errors import ConfigError, FormatError
from mosaicner.io import read


def detect_format(path: Path) -> str:
    from mosaicner.io import detect_format as detect

    return detect(path)


def format_for_target(path: Path) -> str:
    from mosaicner.io import format_for_target as target

    return target(path)


PUBTATOR = (
    "123|t|Aspirin and Reye syndrome\n"
    "123|a|We report a case.\n"
    "123\t0\t7\tAspirin\tChemical\tD001241\n"
    "123\t12\t25\tReye syndrome\tDisease\tD012202\n"
    "\n"
)
CONLL = "-DOCSTART-\tO\n\nAspirin\tB-Chemical\nhelps\tO\n.\tO\n"
BIOC_XML = (
    "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE collection SYSTEM 'BioC.dtd'>\n"
    "<collection><source>x</source><date>d</date><key>k</key>"
    "<document><id>1</id><passage><offset>0</offset><text>IL-2 binds.</text>"
    '<annotation id="a"><infon key="type">Gene</infon><location offset="0" length="4"/>'
    "<text>IL-2</text></annotation></passage></document></collection>\n"
)
BIOC_JSON = json.dumps(
    {
        "source": "x", "date": "d", "key": "k", "infons": {},
        "documents": [{"id": "1", "infons": {}, "relations": [], "annotations": [],
                       "passages": [{"offset": 0, "infons": {}, "text": "IL-2 binds.",
                                     "sentences": [], "relations": [], "annotations": []}]}],
    },
    indent=1,
)  # fmt: skip
GENIA = json.dumps({"tokens": ["IL-2", "binds"], "entity_mentions": []}) + "\n"
NATIVE = json.dumps({"id": "d", "text": "IL-2 binds"}) + "\n"
ACTIONS = "IL-2 binds ||| TRANSITION(protein) SHIFT REDUCE(protein) OUT\n"


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.txt", PUBTATOR, "pubtator"),
        ("a.tsv", PUBTATOR, "pubtator"),
        ("a", PUBTATOR, "pubtator"),
        ("a.txt", CONLL, "conll"),
        ("a.tsv", CONLL, "conll"),
        ("a.txt", "Just some text.\nAnother line.\n", "text"),
        ("a.txt", "<p>markup in a text file</p>\n", "text"),
        ("a.txt", ACTIONS, "actions"),
        ("a.xml", BIOC_XML, "bioc-xml"),
        ("a", BIOC_XML, "bioc-xml"),
        ("a.json", BIOC_JSON, "bioc-json"),
        ("a.json", GENIA, "genia-jsonl"),
        ("a.json", NATIVE, "jsonl"),
        ("a.jsonl", GENIA, "genia-jsonl"),
        ("a.jsonl", NATIVE, "jsonl"),
        ("a.data", NATIVE, "jsonl"),
        ("a.conll", PUBTATOR, "conll"),  # a decisive suffix wins over the content
        ("a.pubtator", "anything", "pubtator"),
    ],
)
def test_detect_format(tmp_path: Path, name: str, content: str, fmt: str) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    assert detect_format(f) == fmt


def test_pubtator_file_named_txt_is_read_as_pubtator(tmp_path: Path) -> None:
    f = tmp_path / "abstracts.txt"
    f.write_text(PUBTATOR, encoding="utf-8")
    # the corpora layer (validate, stats, convert, evaluate) used to say "text": 0 mentions
    assert corpora_detect_format(f) == "pubtator"
    (doc,) = read(f, corpora_detect_format(f)).documents
    assert [doc.span_text(s) for s in doc.layer()] == ["Aspirin", "Reye syndrome"]


def test_txt_next_to_ann_is_brat(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("IL-2 binds.", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tGene 0 4\tIL-2\n", encoding="utf-8")
    assert detect_format(tmp_path / "d.txt") == "brat"
    assert detect_format(tmp_path) == "brat"


def test_xml_that_is_not_bioc_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "pom.xml"
    f.write_text("<?xml version='1.0'?>\n<project><document/></project>\n", encoding="utf-8")
    with pytest.raises(FormatError, match=rf"{f}:2: .*<project>, not a BioC <collection>"):
        detect_format(f)
    with pytest.raises(FormatError, match="not a BioC <collection>"):
        read(f, "bioc-xml")  # an explicit format is refused too (it gave 0 documents)


def test_unknown_content_without_a_known_suffix_asks_for_the_format(tmp_path: Path) -> None:
    f = tmp_path / "a.bin"
    f.write_bytes(b"\x00\x01\x02 nothing recognisable")
    with pytest.raises(ConfigError, match="--from FORMAT"):
        detect_format(f)


def test_target_format_comes_from_the_suffix_only(tmp_path: Path) -> None:
    assert format_for_target(tmp_path / "not" / "there.jsonl") == "jsonl"
    existing = tmp_path / "old.jsonl"
    existing.write_text(GENIA, encoding="utf-8")  # content of another format is ignored
    assert format_for_target(existing) == "jsonl"
    assert format_for_target(tmp_path / "x.XML") == "bioc-xml"
    with pytest.raises(ConfigError, match="--to FORMAT"):
        format_for_target(tmp_path / "out.weird")
    with pytest.raises(ConfigError, match="--to FORMAT"):
        format_for_target(tmp_path / "brat_folder")
