from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_strategies import char_documents, char_view, documents, token_view

from mosaicner.data.model import Document
from mosaicner.errors import ConfigError, FormatError, OffsetError
from mosaicner.io import read, write

FAST = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

FOREIGN = """<?xml version='1.0' encoding='utf-8'?>
<collection><source>PubTator</source><date>2024</date><key>BioC.key</key>
<document><id>123</id>
<passage><infon key="type">title</infon><offset>0</offset><text>IL-2 binds IL2R.</text>
<annotation id="1"><infon key="type">Gene</infon><infon key="identifier">3558</infon>
<location offset="0" length="4"/><text>IL-2</text></annotation></passage>
<passage><infon key="type">abstract</infon><offset>17</offset>
<text>We saw IL2Rbeta and IL2Ralpha chains.</text>
<annotation id="2"><infon key="type">Gene</infon>
<location offset="24" length="4"/><location offset="47" length="6"/>
<text>IL2R chains</text></annotation>
<annotation id="3"><infon key="type">Gene</infon>
<location offset="24" length="2"/><text>IL</text></annotation>
</passage>
<relation id="R1"><infon key="type">Bind</infon>
<node refid="1" role="a"/><node refid="2" role="b"/></relation>
</document></collection>
"""


def test_foreign_bioc_is_tokenised_aligned_and_reported(tmp_path: Path) -> None:
    f = tmp_path / "f.xml"
    f.write_text(FOREIGN)
    res = read(f, "bioc-xml")
    (doc,) = res.documents
    assert doc.text == "IL-2 binds IL2R.\nWe saw IL2Rbeta and IL2Ralpha chains."
    spans = doc.layer()
    assert [doc.span_text(s) for s in spans] == ["IL-2", "IL2R chains", "IL"]
    assert spans[0].attrs["identifier"] == "3558" and spans[0].token_span == (0, 3)
    assert spans[1].fragments == ((24, 28), (47, 53)) and (spans[1].start, spans[1].end) == (24, 53)
    assert len(doc.sentences) == 2  # title and abstract never share a sentence
    rep = res.report
    assert rep.lossy["relations (not modelled, not read)"] == 1
    assert rep.alignment is not None and rep.alignment.failed >= 1  # 'IL' inside 'IL2Rbeta'
    assert doc.metadata["passages"][1] == {"type": "abstract", "offset": 17, "length": 37}


@FAST
@given(docs=documents(nested=True), flavour=st.sampled_from(["bioc-xml", "bioc-json"]))
def test_round_trip_tokenised_documents(tmp_path: Path, docs: list[Document], flavour: str) -> None:
    f = tmp_path / "rt.bioc"
    rep = write(docs, f, flavour)
    assert rep.lossy == {}
    back = read(f, flavour).documents
    assert back == docs
    assert token_view(back) == token_view(docs)


@FAST
@given(docs=char_documents(), flavour=st.sampled_from(["bioc-xml", "bioc-json"]))
def test_round_trip_char_spans(tmp_path: Path, docs: list[Document], flavour: str) -> None:
    f = tmp_path / "rt.bioc"
    write(docs, f, flavour)
    assert char_view(read(f, flavour).documents) == char_view(docs)


def test_real_bc5cdr_conll_bioc_conll(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "BC5CDR" / "test.tsv"
    docs = read(src, "conll").documents
    write(docs, tmp_path / "test.xml", "bioc-xml")
    res = read(tmp_path / "test.xml", "bioc-xml")
    assert res.report.alignment is not None and res.report.alignment.lossless
    assert token_view(res.documents) == token_view(docs)
    assert res.report.spans == 9809
    write(res.documents, tmp_path / "back.tsv", "conll")
    assert (tmp_path / "back.tsv").read_text() == src.read_text()


def test_error_malformed_xml(tmp_path: Path) -> None:
    f = tmp_path / "bad.xml"
    f.write_text("<collection>\n<document>\n</collection>\n")
    with pytest.raises(FormatError, match=rf"{f}:3: not well-formed XML"):
        read(f, "bioc-xml")


def test_error_malformed_json(tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text('{"source": "x",\n "documents": [}\n')
    with pytest.raises(FormatError, match=rf"{f}:2: not valid JSON"):
        read(f, "bioc-json")


def test_error_location_outside_text(tmp_path: Path) -> None:
    f = tmp_path / "bad.xml"
    f.write_text(FOREIGN.replace('offset="0" length="4"', 'offset="0" length="400"'))
    with pytest.raises(OffsetError, match=rf"{f}: document '123'"):
        read(f, "bioc-xml")


def test_error_unknown_flavour(tmp_path: Path) -> None:
    from mosaicner.io import bioc_format

    with pytest.raises(ConfigError, match=r"bioc-xml \| bioc-json"):
        bioc_format.read(tmp_path / "x", flavour="bioc-yaml")


def _bioc_json(passage: dict[str, object]) -> str:
    import json

    empty: dict[str, object] = {"infons": {}, "annotations": [], "relations": []}
    base = {"offset": 0, "text": "IL-2 binds.", "sentences": [], **empty}
    doc = {"id": "1", "passages": [base | passage], **empty}
    return json.dumps({"source": "", "date": "", "key": "", "infons": {}, "documents": [doc]})


@pytest.mark.parametrize(
    ("passage", "error"),
    [
        ({"offset": "abc"}, FormatError),
        ({"offset": None}, FormatError),
        ({"offset": 1.5}, FormatError),
        ({"infons": [1, 2]}, FormatError),
        ({"text": 7}, FormatError),
        ({"annotations": [{"id": "a", "infons": {"type": "X"}, "text": "IL",
                           "locations": [{"offset": {"a": 1}, "length": 2}]}]}, FormatError),
        ({"annotations": [{"id": "a", "infons": {"type": "X"}, "text": "IL",
                           "locations": [{"offset": 0, "length": 10**12}]}]}, OffsetError),
        ({"offset": 10**12}, OffsetError),  # a gap of 10^12 characters: no allocation
    ],
)  # fmt: skip
def test_hostile_bioc_json_is_refused(
    tmp_path: Path, passage: dict[str, object], error: type[Exception]
) -> None:
    f = tmp_path / "bad.json"
    f.write_text(_bioc_json(passage), encoding="utf-8")
    with pytest.raises(error, match=str(f)):
        read(f, "bioc-json")


def test_non_bioc_xml_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "other.xml"
    f.write_text("<?xml version='1.0'?>\n<html><body>hello</body></html>\n", encoding="utf-8")
    with pytest.raises(FormatError, match=rf"{f}:2: .*<html>, not a BioC <collection>"):
        read(f, "bioc-xml")


def test_xml_writer_names_characters_xml_cannot_hold(tmp_path: Path) -> None:
    from mosaicner.errors import UnrepresentableError

    doc = Document("d", "bell \x07 here")
    with pytest.raises(UnrepresentableError, match=r"U\+0007, which XML 1.0 cannot hold"):
        write([doc], tmp_path / "o.xml", "bioc-xml")
    assert not (tmp_path / "o.xml").exists()
    write([doc], tmp_path / "o.json", "bioc-json")  # JSON can
    assert read(tmp_path / "o.json", "bioc-json").documents[0].text == "bell \x07 here"
