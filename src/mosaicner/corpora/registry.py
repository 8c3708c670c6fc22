"""Catalogue of the known corpora: files per split, format, types, licence, citation, sources.

This is data, not logic.  Every downloadable file has a public URL (pinned to a commit) and its
SHA-256; the checksums are those of the copies in the shared corpora folder, which MANIFEST.md
shows to be byte-identical to the pinned sources (git blob ids compared).  A file may be stored
under another name than the source's (WNUT-17's ``wnut17train.conll`` becomes ``train.tsv``):
the bytes are the same, only the name changes, so ``corpora download`` converts nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

GITHUB_RAW = "https://raw.githubusercontent.com/"
MTL_COMMIT = "df0df02fae6dbb87d88ffcf323b9096528f06f84"
MTL = f"cambridgeltl/MTL-Bioinformatics-2016/{MTL_COMMIT}"
YHCC_COMMIT = "d1c9fae196e2d7692f3d5afd86694dd933b08d71"
YHCC = f"yhcc/CNN_Nested_NER/{YHCC_COMMIT}"
WNUT17_COMMIT = "e52a2d2a71ac1a051ca2d532eef28653c5c02603"
WNUT17 = f"leondz/emerging_entities_17/{WNUT17_COMMIT}"

MTL_CITATION = (
    "Crichton G, Pyysalo S, Chiu B, Korhonen A (2017). A neural network multi-task learning "
    "approach to biomedical named entity recognition. BMC Bioinformatics 18:368."
)


@dataclass(frozen=True)
class RemoteFile:
    """One file of a corpus: where it goes locally and where it comes from.

    ``remote`` is a path relative to a URL base (default: raw.githubusercontent.com), so a mirror
    with the same layout can stand in for the source (``--url-base``).  ``remote=None`` means the
    file has no public copy and must be rebuilt (``note`` says how).
    """

    local: str
    remote: str | None
    sha256: str | None = None
    size: int | None = None
    split: str | None = None
    note: str = ""

    def url(self, base: str = GITHUB_RAW) -> str | None:
        if self.remote is None:
            return None
        return base.rstrip("/") + "/" + self.remote


@dataclass(frozen=True)
class CorpusInfo:
    """Registry entry of one corpus."""

    name: str
    format: str
    splits: Mapping[str, str]  # split (train/dev/test) -> file name in the corpus folder
    types: tuple[str, ...]
    licence: str
    citation: str
    source: str
    url: str
    description: str = ""
    files: tuple[RemoteFile, ...] = ()
    aliases: tuple[str, ...] = ()
    nested: bool = False
    notes: tuple[str, ...] = ()
    read_options: Mapping[str, object] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return self.name

    @property
    def label_map(self) -> str:
        """Name of the built-in label map (see :mod:`mosaicner.schema`)."""
        return self.name


def _mtl_tsv(
    name: str, folder: str, sums: Mapping[str, tuple[str, int]], extra: tuple[RemoteFile, ...] = ()
) -> tuple[RemoteFile, ...]:
    files = [
        RemoteFile(f"{stem}.tsv", f"{MTL}/data/{folder}/{stem}.tsv", sha, size, split)
        for stem, split in (("train", "train"), ("devel", "dev"), ("test", "test"))
        for sha, size in [sums[stem]]
    ]
    return (*files, *extra)


_CORPORA: list[CorpusInfo] = [
    CorpusInfo(
        name="BC2GM",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("GENE",),
        licence="not stated by BioCreative; MTL release: CC BY 4.0 ('can be re-distributed')",
        citation="Smith L, et al. (2008). Overview of BioCreative II gene mention recognition. "
        "Genome Biology 9(Suppl 2):S2. " + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/BC2GM-IOB",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="BioCreative II gene mention, sentences from PubMed abstracts",
        aliases=("bc2", "biocreative2gm"),
        notes=("IOB keeps primary boundaries only (no ALTGENE): exact F1 < official BC2GM F1",),
        files=_mtl_tsv(
            "BC2GM",
            "BC2GM-IOB",
            {
                "train": (
                    "46e17f4e1509483b82c03f27d6f0214020f738fb71704356fb3445eb824ab38d",
                    2894167,
                ),
                "devel": (
                    "33a94577aa22f1e70ec9e02781a05baa4e1390e866d28bf2b344888e4e3d4103",
                    577660,
                ),
                "test": (
                    "30d7a4f571ca8ed22a044528063ba5d0388d666d8b8b329733d6927e5fb30764",
                    1165057,
                ),
            },
        ),
    ),
    CorpusInfo(
        name="BC5CDR",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("Chemical", "Disease"),
        licence="Public Domain Mark 1.0 (BioCreative V CDR); MTL materials CC BY 4.0",
        citation="Li J, et al. (2016). BioCreative V CDR task corpus: a resource for chemical "
        "disease relation extraction. Database 2016:baw068. " + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/BC5CDR-IOB",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="BioCreative V CDR, chemicals and diseases, 500 abstracts per split",
        aliases=("cdr", "bc5"),
        notes=("BioRED overlaps BC5CDR (34 of 100 BioRED test documents)",),
        files=_mtl_tsv(
            "BC5CDR",
            "BC5CDR-IOB",
            {
                "train": (
                    "b731361c0ed73afd04cc5fdad39afcdfd8f325d6e46c282339185a91d1af4c14",
                    1039940,
                ),
                "devel": (
                    "b909de65c4f7e3c23bb09ad52d654cdc92e96db941abe1a5dcf6f6010c03cff5",
                    1031781,
                ),
                "test": (
                    "e41a2843a5fff0cd8d1a88cb147968d61ae29336ca70cddc3d7fb8ff21dfa1e8",
                    1080717,
                ),
            },
        ),
    ),
    CorpusInfo(
        name="NCBI-disease",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("Disease",),
        licence="CC0 1.0 (NCBI); MTL materials CC BY 4.0",
        citation="Doğan RI, Leaman R, Lu Z (2014). NCBI disease corpus: a resource for disease "
        "name recognition and concept normalization. J Biomed Inform 47:1-10. " + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/NCBI-disease-IOB",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="NCBI Disease corpus, 793 PubMed abstracts (593/100/100)",
        aliases=("ncbi", "ncbi_disease", "ncbidisease"),
        files=_mtl_tsv(
            "NCBI-disease",
            "NCBI-disease-IOB",
            {
                "train": (
                    "58379baf4614b8d757d93dd7a21b202849ca99f9b9d71b49185523ff5443300c",
                    1137445,
                ),
                "devel": (
                    "b4e1e7efcc2a35047bf2f3d281648357470e674f555d4a26a0049ac37d59cc61",
                    200352,
                ),
                "test": (
                    "8f088ce45dc4746592188f9e69de3d89d87f3bb8f0ed8c4a287d018123fa148d",
                    205664,
                ),
            },
        ),
    ),
    CorpusInfo(
        name="linnaeus",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("Species",),
        licence="CC BY 4.0 (texts: PMC OA articles)",
        citation="Gerner M, Nenadic G, Bergman CM (2010). LINNAEUS: a species name "
        "identification system for biomedical literature. BMC Bioinformatics 11:85. "
        + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/linnaeus-IOB",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="LINNAEUS species corpus, 100 full-text PMC OA articles",
        aliases=("linneaus",),
        notes=("sparse: fewer than 1 in 5 sentences has a mention",),
        files=_mtl_tsv(
            "linnaeus",
            "linnaeus-IOB",
            {
                "train": (
                    "74c8612944a4de87665680989a3d589c843562d3ec175e3b512295691b221d9a",
                    2088795,
                ),
                "devel": (
                    "042b5676d4f541995d617f43e2926afdf6653ed60ad9010c2f45b78ae869f2b6",
                    696409,
                ),
                "test": (
                    "1792b82f7cf9159fd71de38b139a457dbc5ca126c13ac9e355a5fad3e65930ad",
                    1228864,
                ),
            },
        ),
    ),
    CorpusInfo(
        name="AnatEM",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("Anatomy",),
        licence="CC BY-SA 3.0 (NaCTeM) - ShareAlike applies",
        citation="Pyysalo S, Ananiadou S (2014). Anatomical entity mention recognition at "
        "literature scale. Bioinformatics 30(6):868-875. " + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/AnatEM-IOB",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="AnatEM, 1212 abstracts and full-text extracts; 12 types collapsed to Anatomy",
        aliases=("anatem",),
        notes=("Anatomy includes cells and cancers (12 AnatEM types collapsed)",),
        files=_mtl_tsv(
            "AnatEM",
            "AnatEM-IOB",
            {
                "train": (
                    "bd4235e9673f7c67667c1eb321903a51544a94cf481ba265b527b3104d6ba806",
                    1280190,
                ),
                "devel": (
                    "0758bb2f26ec12fc717c1054b64ea00a40c7aae26b21a7541b86fbfba66119ec",
                    480960,
                ),
                "test": (
                    "a3d6555f6f5b7809fc014bee975be0db93c012d770ab60c190cf37d589e97fc9",
                    833816,
                ),
            },
        ),
    ),
    CorpusInfo(
        name="BioNLP13CG",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=(
            "Amino_acid",
            "Anatomical_system",
            "Cancer",
            "Cell",
            "Cellular_component",
            "Developing_anatomical_structure",
            "Gene_or_gene_product",
            "Immaterial_anatomical_entity",
            "Multi-tissue_structure",
            "Organ",
            "Organism",
            "Organism_subdivision",
            "Organism_substance",
            "Pathological_formation",
            "Simple_chemical",
            "Tissue",
        ),
        licence="CC BY-SA 3.0 (NaCTeM) - ShareAlike applies; abstracts under NLM terms",
        citation="Pyysalo S, Ohta T, Ananiadou S (2013). Overview of the Cancer Genetics (CG) "
        "task of BioNLP Shared Task 2013. Proc. BioNLP Shared Task 2013 Workshop. " + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/BioNLP13CG-IOB",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="BioNLP-ST 2013 Cancer Genetics, 16 physical-entity types",
        aliases=("cg", "bionlp2013cg", "bionlp13-cg"),
        notes=("originally nested; flattened with 'keep-shorter' in the IOB release",),
        files=_mtl_tsv(
            "BioNLP13CG",
            "BioNLP13CG-IOB",
            {
                "train": (
                    "016ee311428431433c46ceeebeba5fce9c3da9bfd05fafcc484e57a736ea91e7",
                    943120,
                ),
                "devel": (
                    "6c834f3a16ed080940e7e12d831ca8f79458d08db5d6f0c1fdbfe85c3c7a072c",
                    316312,
                ),
                "test": (
                    "9ee374ba1b93af177ba3d39dfda4c7e1602bd703d8011bae46a34f3d719cd338",
                    593469,
                ),
            },
            (
                RemoteFile(
                    "LICENSE",
                    f"{MTL}/data/BioNLP13CG-IOB/LICENSE",
                    "1d790b574972b557cdda066d2d76d8de9251f4decfa291fd5fc4b565a33c1262",
                    1628,
                ),
                RemoteFile(
                    "README",
                    f"{MTL}/data/BioNLP13CG-IOB/README",
                    "129f2c73555da486f13a2f429d32f4625d199e10d616204f5430db07da96334a",
                    554,
                ),
            ),
        ),
    ),
    CorpusInfo(
        name="JNLPBA",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("DNA", "RNA", "cell_line", "cell_type", "protein"),
        licence="GENIA Project License: annotations CC BY 3.0; attribute 'Corpus annotations "
        "(c) GENIA Project' and ship the licence text",
        citation="Kim J-D, Ohta T, Tsuruoka Y, Tateisi Y, Collier N (2004). Introduction to the "
        "bio-entity recognition task at JNLPBA. Proc. JNLPBA. " + MTL_CITATION,
        source=f"cambridgeltl/MTL-Bioinformatics-2016@{MTL_COMMIT} data/JNLPBA",
        url="https://github.com/cambridgeltl/MTL-Bioinformatics-2016",
        description="JNLPBA 2004 shared task (GENIA 3.02 abstracts + Genia4EReval1)",
        aliases=("jnlpba2004",),
        notes=(
            "-DOCSTART- lines mark abstracts (1800/200/404)",
            "contains the GENIA-nested documents: never tune on JNLPBA and test on GENIA-nested",
        ),
        files=_mtl_tsv(
            "JNLPBA",
            "JNLPBA",
            {
                "train": (
                    "eb39b9e83089e2a7a05505012247b442a89f577b1b19fe55cf12ca6f0e00db84",
                    4439893,
                ),
                "devel": (
                    "462b09bc79a4dd69cec2e70b6041f54383b4b94892d2ee971a587fdc74caae80",
                    464143,
                ),
                "test": (
                    "87c9b8f1f7fcf94add38c16088203d4ddf35c2f61eb2c7e61240c738d8dd9d35",
                    996475,
                ),
            },
            (
                RemoteFile(
                    "LICENSE",
                    f"{MTL}/data/JNLPBA/original-data/train/LICENSE",
                    "ec7ff63a1f9a81e2ee19d543098f99b0251ac0afbd4d54f8d6b04dcb5e84e902",
                    3792,
                ),
            ),
        ),
    ),
    CorpusInfo(
        name="GENIA-nested",
        format="genia-jsonl",
        splits={"train": "train.jsonlines", "dev": "dev.jsonlines", "test": "test.jsonlines"},
        types=("DNA", "RNA", "cell_line", "cell_type", "protein"),
        licence="GENIA Project License: annotations CC BY 3.0; attribute 'Corpus annotations "
        "(c) GENIA Project' and ship the licence text",
        citation="Kim J-D, Ohta T, Tateisi Y, Tsujii J (2003). GENIA corpus - a semantically "
        "annotated corpus for bio-textmining. Bioinformatics 19(Suppl 1):i180-i182. "
        "Split and processing: Yan H, et al. (2023). An Embarrassingly Easy but Strong "
        "Baseline for Nested Named Entity Recognition. ACL 2023.",
        source=f"yhcc/CNN_Nested_NER@{YHCC_COMMIT} preprocess/outputs/genia (dev, test); "
        "train rebuilt from GENIAcorpus3.02",
        url="https://github.com/yhcc/CNN_Nested_NER",
        description="GENIA term corpus 3.02, nested mentions, 1601/199/199 documents",
        aliases=("genia", "genia_nested", "genianested"),
        nested=True,
        notes=(
            "nested: no crossing mentions; some spans carry two labels",
            "train.jsonlines has no public copy: rebuild it from GENIAcorpus3.02 (MANIFEST.md)",
            "not held out from JNLPBA (same abstracts)",
        ),
        files=(
            RemoteFile(
                "train.jsonlines",
                None,
                "618768070b4b71ab5b3d303d92191431b7d330b02f201793ae90d11246908616",
                8658350,
                "train",
                note="no public copy: rebuild it from the GENIA term corpus 3.02 archive "
                "(GENIAcorpus3.02.tgz) as the shared corpora's MANIFEST.md describes (section "
                "'GENIA-nested train split': GENIA POS tokenisation, mentions extracted as "
                "yhcc/CNN_Nested_NER preprocess/process_genia.py does, the 1601 document ids of "
                "splits/train.txt); the result's sha256 is recorded here",
            ),
            RemoteFile(
                "dev.jsonlines",
                f"{YHCC}/preprocess/outputs/genia/dev.jsonlines",
                "18deb63b0f86623c2881b1c91297b3cb86d60414b2b1acc60e0a97cc573cc8b1",
                953625,
                "dev",
            ),
            RemoteFile(
                "test.jsonlines",
                f"{YHCC}/preprocess/outputs/genia/test.jsonlines",
                "d20ea84b8dfc707e9350196156af95581d0b53530d3bfbb842ac87eaf9005b6b",
                992360,
                "test",
            ),
            *(
                RemoteFile(f"splits/{s}.txt", f"{YHCC}/preprocess/splits/genia/{s}.txt", sha, size)
                for s, sha, size in (
                    (
                        "train",
                        "fb8c38a539100a926661eef31dfe5c88e636e4161ba765e8323c5ca3a8ec3ba3",
                        27217,
                    ),
                    (
                        "dev",
                        "345b7fbbf54f6f5b2d379e63810473c27ad8ab4d548040cfe3b24d19ce5fb599",
                        3383,
                    ),
                    (
                        "test",
                        "29bb07a6b9f98a71b6d7ec473ebec4ddd26d1d9391635564b4829ebffc3c2ec1",
                        3383,
                    ),
                )
            ),
        ),
    ),
    CorpusInfo(
        name="WNUT-17",
        format="conll",
        splits={"train": "train.tsv", "dev": "devel.tsv", "test": "test.tsv"},
        types=("person", "location", "group", "corporation", "product", "creative-work"),
        licence="CC BY 4.0",
        citation="Derczynski L, Nichols E, van Erp M, Limsopatham N (2017). Results of the "
        "WNUT2017 Shared Task on Novel and Emerging Entity Recognition. Proc. 3rd Workshop on "
        "Noisy User-generated Text (W-NUT), EMNLP 2017, pp. 140-147.",
        source=f"leondz/emerging_entities_17@{WNUT17_COMMIT} wnut17train.conll, "
        "emerging.dev.conll, emerging.test.annotated",
        url="https://github.com/leondz/emerging_entities_17",
        description="W-NUT 2017 emerging and rare entities: general-domain types in noisy "
        "user-generated English (Twitter, Reddit, YouTube, Stack Overflow)",
        aliases=("wnut17", "wnut2017", "wnut", "emerging-entities-17"),
        notes=(
            "general domain: train it beside biomedical corpora for one model of both kinds",
            "the built-in map sends group and corporation both to Organization (counted)",
            "test is emerging.test.annotated (single labels), not emerging.test.conll",
        ),
        files=tuple(
            RemoteFile(local, f"{WNUT17}/{remote}", sha, size, split)
            for local, remote, split, sha, size in (
                (
                    "train.tsv",
                    "wnut17train.conll",
                    "train",
                    "731820e13f71af324c6b55a1575ec2ce59fbaa2a0806f8f0400b98d56cd6a7a5",
                    493781,
                ),
                (
                    "devel.tsv",
                    "emerging.dev.conll",
                    "dev",
                    "e053b752b8155113ca66e7db08af5f2f5f43ab993694e4774f1ec5bad42312d8",
                    114749,
                ),
                (
                    "test.tsv",
                    "emerging.test.annotated",
                    "test",
                    "2aa79b764e56ec9264a1b30fdd9b70195bd00ff400b62edd8f399d5f13c178f0",
                    192425,
                ),
            )
        ),
    ),
]

CORPORA: Mapping[str, CorpusInfo] = MappingProxyType({c.name: c for c in _CORPORA})


def _key(name: str) -> str:
    return name.lower().replace("_", "-")


_LOOKUP: dict[str, CorpusInfo] = {}
for _info in _CORPORA:
    for _alias in (_info.name, *_info.aliases):
        _LOOKUP[_key(_alias)] = _info


def find_corpus(name: str) -> CorpusInfo | None:
    """The registry entry for ``name`` (case-insensitive, aliases accepted), or ``None``."""
    return _LOOKUP.get(_key(name))


def corpus_names() -> tuple[str, ...]:
    return tuple(CORPORA)


def close_matches(name: str, candidates: list[str] | None = None) -> list[str]:
    pool = candidates if candidates is not None else list(CORPORA)
    lowered = {c.lower(): c for c in pool}
    return [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=3)]


__all__ = [
    "CORPORA",
    "GITHUB_RAW",
    "CorpusInfo",
    "RemoteFile",
    "close_matches",
    "corpus_names",
    "find_corpus",
]
