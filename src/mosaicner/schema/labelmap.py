"""Label maps: corpus label → canonical type, or dropped.

A :class:`LabelMap` is data (usually a YAML file) that says, for one corpus, what each original
label becomes: a canonical type (:data:`mosaicner.schema.types.CANONICAL_TYPES`, or a type the map
declares under ``targets:``) or ``null`` to drop the mentions.  Many labels may map to one type.

YAML layout::

    name: BioNLP13CG
    description: free text
    targets: [Chemical, ...]    # optional; default: the canonical types
    map:
      Simple_chemical: Chemical
      Gene_or_gene_product: Gene_or_protein
      Amino_acid: null          # drop

A map with ``keep_original: true`` (or :meth:`LabelMap.keep_original`) keeps every label as is.

Applying a map never mutates documents and never loses anything silently:
:meth:`LabelMap.apply` returns new documents and a :class:`HarmonizationReport` that counts, per
original label, what was kept, renamed, dropped, and merged (two spans that become identical once
many labels collapse into one type are merged and counted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from mosaicner.data.model import Corpus, Document, Span, span_sort_key
from mosaicner.errors import MissingFileError, SchemaError, UnknownLabelError
from mosaicner.schema.types import CANONICAL_TYPES

DROP_WORDS = frozenset({"drop", "none", "null", "~"})


@dataclass
class HarmonizationReport:
    """What applying a label map did, counted per original label."""

    map_name: str = ""
    documents: int = 0
    kept: Counter[str] = field(default_factory=Counter)
    renamed: Counter[tuple[str, str]] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)

    @property
    def total_in(self) -> int:
        """Spans before the map."""
        return sum(self.kept.values()) + sum(self.renamed.values()) + sum(self.dropped.values())

    @property
    def total_out(self) -> int:
        """Spans after the map (dropped and merged ones gone)."""
        return sum(self.kept.values()) + sum(self.renamed.values()) - sum(self.merged.values())

    @property
    def lossy(self) -> bool:
        """Whether the map dropped or merged any span."""
        return bool(self.dropped) or bool(self.merged)

    def merge(self, other: HarmonizationReport) -> HarmonizationReport:
        """Add ``other``'s counts to this report (in place) and return it."""
        self.documents += other.documents
        self.kept.update(other.kept)
        self.renamed.update(other.renamed)
        self.dropped.update(other.dropped)
        self.merged.update(other.merged)
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "map": self.map_name,
            "documents": self.documents,
            "mentions_in": self.total_in,
            "mentions_out": self.total_out,
            "kept": dict(sorted(self.kept.items())),
            "renamed": {
                src: {"to": dst, "count": n} for (src, dst), n in sorted(self.renamed.items())
            },
            "dropped": dict(sorted(self.dropped.items())),
            "merged": dict(sorted(self.merged.items())),
        }

    def summary(self) -> str:
        """What was kept, renamed, merged and dropped, in a few lines."""
        lines = [
            f"label map {self.map_name!r}: {self.documents} documents, "
            f"{self.total_in} mentions in, {self.total_out} out"
        ]
        for (src, dst), n in sorted(self.renamed.items()):
            lines.append(f"  renamed {src} -> {dst}: {n}")
        for label, n in sorted(self.kept.items()):
            lines.append(f"  kept {label}: {n}")
        for label, n in sorted(self.dropped.items()):
            lines.append(f"  dropped {label}: {n}")
        for label, n in sorted(self.merged.items()):
            lines.append(f"  merged duplicate {label} spans: {n}")
        return "\n".join(lines)


@dataclass(frozen=True)
class LabelMap:
    """Original label → canonical type (``str``) or dropped (``None``).

    ``identity=True`` is the keep-original map: every label maps to itself; if ``mapping`` is
    non-empty its keys are still the only labels accepted.  ``defers_to`` (YAML ``defers_to:
    {Anatomy: [Disease, Cell_type]}``) says that one of this corpus's output types is broader
    than the canonical one and covers mentions the canonical schema gives another type: when a
    model merges heads, a prediction of that type from this corpus's head yields to a
    prediction of one of the listed types on (nearly) the same span (:mod:`mosaicner.merge`).
    """

    name: str
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    targets: tuple[str, ...] = tuple(CANONICAL_TYPES)
    identity: bool = False
    description: str = field(default="", compare=False)
    source: str | None = field(default=None, compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    map_line: int | None = field(default=None, compare=False)
    defers_to: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.identity:
            return
        allowed = set(self.targets)
        for label, target in self.mapping.items():
            if not isinstance(label, str) or not label.strip() or label != label.strip():
                raise SchemaError(
                    f"label map {self.name!r}: bad label {label!r}",
                    file=self.source,
                    line=self.lines.get(str(label), self.map_line),
                    expected="a non-empty label without surrounding spaces",
                )
            if target is not None and target not in allowed:
                raise UnknownLabelError(
                    f"label map {self.name!r} maps {label!r} to unknown type {target!r}",
                    file=self.source,
                    line=self.lines.get(label, self.map_line),
                    expected="one of " + ", ".join(self.targets) + " or null (drop)",
                    hint="fix the spelling, or declare the new type under 'targets:'",
                )

    # ----------------------------------------------------------------- builders
    @classmethod
    def keep_original(cls, labels: Iterable[str] | None = None, name: str = "original") -> LabelMap:
        """The identity map.  With ``labels``, other labels are rejected as unknown."""
        mapping = {label: label for label in labels} if labels is not None else {}
        return cls(name=name, mapping=mapping, targets=tuple(mapping), identity=True)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        name: str | None = None,
        source: str | None = None,
        lines: Mapping[str, int] | None = None,
        map_line: int | None = None,
    ) -> LabelMap:
        """Build a map from the YAML structure (``name``, ``map``, optional ``targets``)."""
        map_name = str(data.get("name") or name or "label-map")
        identity = bool(data.get("keep_original", False))
        raw = data.get("map", {} if identity else None)
        if raw is None:
            raw = {}
            if not identity:
                raise SchemaError(
                    f"label map {map_name!r} has no 'map' section",
                    file=source,
                    line=1,
                    expected="'map:' with one 'LABEL: TYPE' (or 'LABEL: null') line per label",
                )
        if not isinstance(raw, Mapping):
            raise SchemaError(
                f"label map {map_name!r}: 'map' must be a mapping",
                file=source,
                line=map_line,
                expected="'LABEL: TYPE' lines",
            )
        mapping: dict[str, str | None] = {}
        for key, value in raw.items():
            label = str(key)
            line = (lines or {}).get(label, map_line)
            if value is None or (isinstance(value, str) and value.strip().lower() in DROP_WORDS):
                mapping[label] = None
            elif isinstance(value, str) and value.strip():
                mapping[label] = value.strip()
            else:
                raise SchemaError(
                    f"label map {map_name!r}: label {label!r} maps to {value!r}",
                    file=source,
                    line=line,
                    expected="a type name, or null to drop the label",
                )
        targets_raw = data.get("targets")
        if targets_raw is None:
            targets = tuple(CANONICAL_TYPES)
        elif isinstance(targets_raw, list) and all(isinstance(t, str) for t in targets_raw):
            targets = tuple(dict.fromkeys([*CANONICAL_TYPES, *targets_raw]))
        else:
            raise SchemaError(
                f"label map {map_name!r}: 'targets' must be a list of type names",
                file=source,
                expected="targets: [TypeA, TypeB]",
            )
        if identity:
            targets = tuple(mapping)
            mapping = {k: k for k in mapping}
        defers_raw = data.get("defers_to") or {}
        if not isinstance(defers_raw, Mapping) or not all(
            isinstance(v, list) and all(isinstance(t, str) for t in v) for v in defers_raw.values()
        ):
            raise SchemaError(
                f"label map {map_name!r}: 'defers_to' must map a type to a list of types",
                file=source,
                expected="defers_to: {Anatomy: [Disease, Cell_type]}",
            )
        return cls(
            name=map_name,
            mapping=mapping,
            targets=targets,
            identity=identity,
            description=str(data.get("description") or "").strip(),
            source=source,
            lines=dict(lines or {}),
            map_line=map_line,
            defers_to={str(k): tuple(v) for k, v in defers_raw.items()},
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> LabelMap:
        """Load a map from a YAML file; every problem names the file and line."""
        p = Path(path)
        if not p.is_file():
            raise MissingFileError(f"no such label map file: {p}", file=p)
        return cls.from_yaml_text(p.read_text(encoding="utf-8"), source=str(p), name=p.stem)

    @classmethod
    def from_yaml_text(
        cls, text: str, *, source: str | None = None, name: str | None = None
    ) -> LabelMap:
        """A label map from YAML text (``source`` names the file in errors)."""
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise SchemaError(
                f"label map is not valid YAML: {getattr(exc, 'problem', None) or exc}",
                file=source,
                line=mark.line + 1 if mark is not None else None,
            ) from None
        if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
            raise SchemaError(
                "label map must be a YAML mapping",
                file=source,
                line=1,
                expected="keys 'name', 'map' (and optionally 'targets', 'description')",
            )
        lines: dict[str, int] = {}
        map_line: int | None = None
        for key_node, value_node in root.value:
            if key_node.value != "map":
                continue
            map_line = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode):
                for k, _v in value_node.value:
                    label = str(k.value)
                    if label in lines:
                        raise SchemaError(
                            f"label {label!r} appears twice in the label map "
                            f"(first on line {lines[label]})",
                            file=source,
                            line=k.start_mark.line + 1,
                            hint="keep one entry per label",
                        )
                    lines[label] = k.start_mark.line + 1
        return cls.from_dict(data, name=name, source=source, lines=lines, map_line=map_line)

    # ------------------------------------------------------------------ queries
    @property
    def known(self) -> tuple[str, ...]:
        """Labels this map accepts (empty for an open keep-original map)."""
        return tuple(sorted(self.mapping))

    @property
    def output_labels(self) -> tuple[str, ...]:
        """The labels that come out of this map (sorted)."""
        return tuple(sorted({v for v in self.mapping.values() if v is not None}))

    @property
    def dropped_labels(self) -> tuple[str, ...]:
        """The labels the map drops."""
        return tuple(sorted(k for k, v in self.mapping.items() if v is None))

    def accepts(self, label: str) -> bool:
        """Whether the map knows ``label`` (an identity map without entries accepts any)."""
        return label in self.mapping or (self.identity and not self.mapping)

    def unknown_error(self, labels: Iterable[str]) -> UnknownLabelError:
        """The error for labels the map does not know, listing the known ones."""
        unknown = sorted(set(labels))
        what = ", ".join(repr(x) for x in unknown)
        return UnknownLabelError(
            f"label map {self.name!r} does not know label(s) {what}",
            file=self.source,
            line=self.map_line,
            expected="one of " + (", ".join(self.known) or "(none)"),
            hint=f"add '{unknown[0]}: <type or null>' under 'map:'"
            + (f" in {self.source}" if self.source else ""),
        )

    def map(self, label: str) -> str | None:
        """The target of ``label`` (``None`` = dropped); unknown labels raise."""
        if self.identity and not self.mapping:
            return label
        try:
            return self.mapping[label]
        except KeyError:
            raise self.unknown_error([label]) from None

    def __getitem__(self, label: str) -> str | None:
        return self.map(label)

    def validate(self, labels: Iterable[str]) -> None:
        """Raise :class:`UnknownLabelError` naming every label the map does not know."""
        unknown = [label for label in set(labels) if not self.accepts(label)]
        if unknown:
            raise self.unknown_error(unknown)

    # -------------------------------------------------------------------- apply
    def apply(
        self, documents: Iterable[Document], *, layers: Iterable[str] | None = None
    ) -> tuple[list[Document], HarmonizationReport]:
        """Map the labels of ``documents`` (all layers, or only ``layers``).

        Returns new documents and the report.  Every unknown label in the input is listed in one
        :class:`UnknownLabelError` before anything is returned.
        """
        wanted = set(layers) if layers is not None else None
        report = HarmonizationReport(map_name=self.name)
        out: list[Document] = []
        unknown: set[str] = set()
        for doc in documents:
            report.documents += 1
            new_layers: dict[str, tuple[Span, ...]] = {}
            for layer_name, spans in doc.spans.items():
                if wanted is not None and layer_name not in wanted:
                    new_layers[layer_name] = spans
                    continue
                mapped: dict[tuple[int, int, str, tuple[tuple[int, int], ...]], Span] = {}
                for sp in spans:
                    if not self.accepts(sp.label):
                        unknown.add(sp.label)
                        continue
                    target = self.map(sp.label)
                    if target is None:
                        report.dropped[sp.label] += 1
                        continue
                    if target == sp.label:
                        report.kept[sp.label] += 1
                        new = sp
                    else:
                        report.renamed[(sp.label, target)] += 1
                        new = sp.with_label(target)
                    key = (new.start, new.end, new.label, new.fragments)
                    if key in mapped:
                        report.merged[target] += 1
                        continue
                    mapped[key] = new
                new_layers[layer_name] = tuple(sorted(mapped.values(), key=span_sort_key))
            out.append(replace(doc, spans=new_layers))
        if unknown:
            raise self.unknown_error(unknown)
        return out, report

    def apply_corpus(
        self, corpus: Corpus, *, layers: Iterable[str] | None = None
    ) -> tuple[Corpus, dict[str, HarmonizationReport]]:
        """Apply the map to every split; the new corpus's ``labels`` are the map's outputs."""
        splits: dict[str, tuple[Document, ...]] = {}
        reports: dict[str, HarmonizationReport] = {}
        for name, docs in corpus.splits.items():
            new_docs, reports[name] = self.apply(docs, layers=layers)
            splits[name] = tuple(new_docs)
        if self.identity and not self.mapping:
            labels = corpus.labels
        else:
            self.validate(corpus.labels)
            labels = tuple(
                dict.fromkeys(t for t in (self.map(x) for x in corpus.labels) if t is not None)
            )
        return replace(corpus, splits=splits, labels=labels), reports

    # -------------------------------------------------------------------- save
    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (the YAML file's content)."""
        data: dict[str, Any] = {"name": self.name}
        if self.description:
            data["description"] = self.description
        if self.identity:
            data["keep_original"] = True
        extra = [t for t in self.targets if t not in CANONICAL_TYPES]
        if extra and not self.identity:
            data["targets"] = extra
        if self.defers_to:
            data["defers_to"] = {k: list(v) for k, v in self.defers_to.items()}
        data["map"] = dict(self.mapping)
        return data

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The map as YAML, also written to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


__all__ = ["HarmonizationReport", "LabelMap"]
