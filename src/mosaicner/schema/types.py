"""The canonical entity types that corpus label maps point to.

Spelling is fixed here and used everywhere (maps, models, outputs).  ``Gene_or_protein`` follows
the BioNLP shared-task convention (``Gene_or_gene_product``) and SRU-NER's ``tag_dict`` name;
``DNA`` and ``RNA`` stay separate from it because GENIA/JNLPBA annotate them apart, and merging
them would be a lossy choice a user can still make with their own map.
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
    }
)

__all__ = [
    "ANATOMY",
    "CANONICAL_TYPES",
    "CELL_LINE",
    "CELL_TYPE",
    "CHEMICAL",
    "DISEASE",
    "DNA",
    "GENE_OR_PROTEIN",
    "RNA",
    "SPECIES",
]
