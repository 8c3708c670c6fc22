"""The canonical entity types that corpus label maps point to.

Spelling is fixed here and used everywhere (maps, models, outputs).  ``Gene_or_protein`` follows
the BioNLP shared-task convention (``Gene_or_gene_product``) and SRU-NER's ``tag_dict`` name;
``DNA`` and ``RNA`` stay separate from it because GENIA/JNLPBA annotate them apart, and merging
them would be a lossy choice a user can still make with their own map.

The general-domain types (``Person``, ``Location``, ``Organization``, ``Product``,
``Creative_work``) let one model tag people, places and organisations next to the biomedical
types (SRU-NER's CoNLL + biomedical setting).  ``Organization`` covers companies as well as other
groups (bands, teams, agencies, institutions), as CoNLL-2003 ``ORG`` and OntoNotes ``ORG`` do; the
WNUT-17 map explains why its ``group`` and ``corporation`` both go there.
"""

from __future__ import annotations

from types import MappingProxyType

CHEMICAL = "Chemical"
DISEASE = "Disease"
GENE_OR_PROTEIN = "Gene_or_protein"
SPECIES = "Species"
CELL_LINE = "Cell_line"
CELL_TYPE = "Cell_type"
ANATOMY = "Anatomy"
DNA = "DNA"
RNA = "RNA"
PERSON = "Person"
LOCATION = "Location"
ORGANIZATION = "Organization"
PRODUCT = "Product"
CREATIVE_WORK = "Creative_work"

CANONICAL_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {
        CHEMICAL: "chemical compounds, drugs, simple chemicals and amino acids",
        DISEASE: "diseases, disorders, symptoms and cancers",
        GENE_OR_PROTEIN: "genes, gene products and proteins (incl. families and complexes)",
        SPECIES: "organisms and species (incl. 'patients', 'mice')",
        CELL_LINE: "named cell lines (e.g. HeLa, Jurkat)",
        CELL_TYPE: "cell types and cells (e.g. T cells, monocytes)",
        ANATOMY: "anatomical entities: organs, tissues, systems, substances, cell components",
        DNA: "DNA regions, genes as DNA (promoters, enhancers, sites)",
        RNA: "RNA molecules and transcripts (mRNA)",
        PERSON: "people, real or fictional, by name (incl. user names used as names)",
        LOCATION: "places: countries, cities, regions, buildings, landmarks, natural features",
        ORGANIZATION: "companies, institutions, agencies, teams, bands and other named groups",
        PRODUCT: "named products, devices, software and services (e.g. iPhone, Windows)",
        CREATIVE_WORK: "titles of songs, films, books, shows, games and other works",
    }
)

#: The general-domain canonical types (the rest are biomedical).
GENERAL_TYPES: tuple[str, ...] = (PERSON, LOCATION, ORGANIZATION, PRODUCT, CREATIVE_WORK)

__all__ = [
    "ANATOMY",
    "CANONICAL_TYPES",
    "CELL_LINE",
    "CELL_TYPE",
    "CHEMICAL",
    "CREATIVE_WORK",
    "DISEASE",
    "DNA",
    "GENERAL_TYPES",
    "GENE_OR_PROTEIN",
    "LOCATION",
    "ORGANIZATION",
    "PERSON",
    "PRODUCT",
    "RNA",
    "SPECIES",
]
