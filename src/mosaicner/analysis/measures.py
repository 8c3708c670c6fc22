"""Dataset-level transferability measures between a target corpus and an auxiliary corpus.

Conventions (see also /docs and the akdemir reference, sections 5 and 9):

* **Vocabulary** V(D): the case-sensitive set of token strings of D's *train* split.
  ``-DOCSTART-`` markers are not tokens; no special tokens are added.
* **Mentions** E(D, split): the multiset of mention strings, the mention's tokens joined by one
  space.  Type labels are ignored when matching across corpora.
* Asymmetric measures are written ``m(target <- auxiliary)``: numerators count target items
  found in the auxiliary, denominators are target counts.

Measures (``MEASURES`` holds their metadata):

``dice``               2|V_t ∩ V_a| / (|V_t| + |V_a|)                         symmetric
``tvc``                |V_t ∩ V_a| / |V_t|  (target vocabulary covered)          asymmetric
``entity_coverage``    share of the target's *test* mentions, counted with repetition, whose
                       string occurs among the auxiliary's *train* mentions      asymmetric
``unseen_mention_rate`` share of the target's test mentions whose (string, type) is not among
                       its own train mentions; a property of the target alone, repeated for
                       every auxiliary (so per-target correlations are undefined)
``jsd``                Jensen–Shannon divergence (base 2, in [0, 1]) of the train unigram
                       distributions; a *divergence*: lower means more similar     symmetric
``size_ratio``         auxiliary train tokens / target train tokens               asymmetric
``label_overlap``      Jaccard overlap of the train label sets (case-insensitive)   symmetric
``embedding``          cosine of the mean of L2-normalised, mean-pooled sentence vectors of
                       N seeded random train sentences under the default encoder  symmetric
``topic``              cosine of NMF topic vectors (TF-IDF, one document per corpus, max_df 0.7,
                       English stop words, k = min(5, #corpora), seed 0); depends on the whole
                       collection, which is recorded with every value             symmetric

Combinations: ``mean:m1+m2`` is the mean of the *oriented* values (divergences enter as
1 − value), ``rank_mean:m1+m2`` the mean over measures of the within-target rank score
(1 for the auxiliary the measure ranks first, 0 for the last, ties share the average).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mosaicner.analysis.data import AnalysisCorpus
from mosaicner.errors import ConfigError, UnknownComponentError

Record = dict[str, Any]


@dataclass(frozen=True)
class MeasureInfo:
    """How to read a measure: symmetric or not, whether higher means more similar, target-only."""

    name: str
    symmetric: bool
    higher_is_similar: bool
    description: str
    needs_torch: bool = False
    collection_level: bool = False
    target_only: bool = False


MEASURES: dict[str, MeasureInfo] = {
    m.name: m
    for m in (
        MeasureInfo("dice", True, True, "vocabulary Dice coefficient (train)"),
        MeasureInfo("tvc", False, True, "target vocabulary covered by the auxiliary (train)"),
        MeasureInfo("entity_coverage", False, True, "target test mentions seen in auxiliary train"),
        MeasureInfo(
            "unseen_mention_rate",
            False,
            True,
            "target's own unseen test-mention rate (target-only)",
            target_only=True,
        ),
        MeasureInfo("jsd", True, False, "Jensen-Shannon divergence of train unigrams (base 2)"),
        MeasureInfo("size_ratio", False, True, "auxiliary / target train tokens"),
        MeasureInfo("label_overlap", True, True, "Jaccard overlap of label sets"),
        MeasureInfo(
            "embedding", True, True, "cosine of mean sentence embeddings", needs_torch=True
        ),
        MeasureInfo("topic", True, True, "cosine of NMF topic vectors", collection_level=True),
    )
}
DEFAULT_MEASURES = ("tvc", "dice", "entity_coverage", "jsd", "size_ratio", "label_overlap")
COMBINERS = ("mean", "rank_mean")


# --------------------------------------------------------------------------------------------
# Pairwise measures


def vocab_dice(a: AnalysisCorpus, b: AnalysisCorpus) -> float:
    """Dice overlap of the two train vocabularies (symmetric)."""
    va, vb = a.vocabulary("train"), b.vocabulary("train")
    total = len(va) + len(vb)
    return 2 * len(va & vb) / total if total else 0.0


def target_vocab_covered(target: AnalysisCorpus, aux: AnalysisCorpus) -> float:
    """TVC: share of the target's train vocabulary found in the auxiliary's."""
    vt, va = target.vocabulary("train"), aux.vocabulary("train")
    return len(vt & va) / len(vt) if vt else 0.0


def entity_coverage(target: AnalysisCorpus, aux: AnalysisCorpus) -> float:
    """Share of the target's test mentions (with repetition) among the auxiliary's train ones."""
    test = target.mentions("test")
    seen = aux.mentions("train")
    total = sum(test.values())
    if not total:
        return 0.0
    return sum(c for m, c in test.items() if m in seen) / total


def unseen_mention_rate(corpus: AnalysisCorpus) -> float:
    """Share of the corpus's test mentions whose (string, type) its train split lacks."""
    test = corpus.mentions("test", typed=True)
    seen = corpus.mentions("train", typed=True)
    total = sum(test.values())
    if not total:
        return 0.0
    return sum(c for m, c in test.items() if m not in seen) / total


def js_divergence(a: AnalysisCorpus, b: AnalysisCorpus) -> float:
    """Jensen-Shannon divergence (base 2) of the train unigram distributions; lower is closer."""
    ca, cb = a.unigram_counts("train"), b.unigram_counts("train")
    keys = sorted(set(ca) | set(cb))
    p = np.array([ca.get(k, 0) for k in keys], dtype=np.float64)
    q = np.array([cb.get(k, 0) for k in keys], dtype=np.float64)
    if p.sum() == 0 or q.sum() == 0:
        return 1.0
    p /= p.sum()
    q /= q.sum()
    m = 0.5 * (p + q)

    def kl(x: NDArray[np.float64]) -> float:
        nz = x > 0
        return float(np.sum(x[nz] * np.log2(x[nz] / m[nz])))

    return min(1.0, max(0.0, 0.5 * kl(p) + 0.5 * kl(q)))


def size_ratio(target: AnalysisCorpus, aux: AnalysisCorpus) -> float:
    """Auxiliary train tokens over target train tokens."""
    nt = target.n_tokens("train")
    return aux.n_tokens("train") / nt if nt else math.inf


def label_overlap(a: AnalysisCorpus, b: AnalysisCorpus) -> float:
    """Jaccard overlap of the train label sets (case-insensitive)."""
    la = {x.lower() for x in a.labels("train")}
    lb = {x.lower() for x in b.labels("train")}
    union = la | lb
    return len(la & lb) / len(union) if union else 0.0


PAIRWISE: dict[str, Callable[[AnalysisCorpus, AnalysisCorpus], float]] = {
    "dice": vocab_dice,
    "tvc": target_vocab_covered,
    "entity_coverage": entity_coverage,
    "jsd": js_divergence,
    "size_ratio": size_ratio,
    "label_overlap": label_overlap,
}


# --------------------------------------------------------------------------------------------
# Collection-level and model-based measures


def _cosine(u: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    return float(u @ v / (nu * nv)) if nu and nv else 0.0


def topic_vectors(
    corpora: Sequence[AnalysisCorpus],
    n_topics: int = 5,
    max_df: float = 0.7,
    seed: int = 0,
) -> tuple[dict[str, NDArray[np.float64]], dict[str, Any]]:
    """NMF topic vector of every corpus (one TF-IDF document per corpus, train split)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = ["\n".join(" ".join(w) for w, _ in c.sentences("train")) for c in corpora]
    k = max(1, min(n_topics, len(corpora)))
    vectoriser = TfidfVectorizer(max_df=max_df, stop_words="english")
    try:
        x = vectoriser.fit_transform(docs)
    except ValueError:  # every term pruned (e.g. two corpora with max_df 0.7)
        vectoriser = TfidfVectorizer(stop_words="english")
        x = vectoriser.fit_transform(docs)
    model = NMF(n_components=k, random_state=seed, init="nndsvda", max_iter=1000)
    w = model.fit_transform(x)
    meta = {
        "collection": [c.name for c in corpora],
        "n_topics": k,
        "max_df": max_df,
        "seed": seed,
        "vocabulary_size": len(vectoriser.vocabulary_),
    }
    return {c.name: np.asarray(w[i], dtype=np.float64) for i, c in enumerate(corpora)}, meta


DEFAULT_ENCODER = "all-MiniLM-L6-v2"


def default_cache_dir() -> Path:
    """Where embedding vectors are cached (``$XDG_CACHE_HOME/mosaicner/analysis``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mosaicner" / "analysis"


def _corpus_fingerprint(corpus: AnalysisCorpus) -> str:
    path = corpus.files.get("train")
    if path is not None and Path(path).exists():
        st = Path(path).stat()
        return f"{Path(path).resolve()}:{st.st_size}:{int(st.st_mtime)}"
    # in-memory corpus: hash its content
    h = hashlib.sha1()
    for words, _ in corpus.sentences("train"):
        h.update(" ".join(words).encode())
        h.update(b"\n")
    return h.hexdigest()


#: Vectors of sentences (lists of words): one L2-normalised vector per sentence, ``[n, H]``.
#: Computing them needs torch: :class:`mosaicner.encoders.sentence.SentenceEmbedder` is one.
SentenceEmbed = Callable[[Sequence[Sequence[str]]], NDArray[np.float64]]


def embedding_vector(
    corpus: AnalysisCorpus,
    encoder: str = DEFAULT_ENCODER,
    n_sentences: int = 500,
    seed: int = 0,
    max_length: int = 256,
    cache_dir: Path | None = None,
    embed: SentenceEmbed | None = None,
) -> NDArray[np.float64]:
    """Mean over N seeded random train sentences of their vectors under ``embed`` (the
    L2-normalised, attention-masked mean-pooled last hidden state of ``encoder``, truncated at
    ``max_length`` subwords).  Cached per (corpus file, encoder, N, seed, max_length): ``embed``
    is called only on a cache miss."""
    key_src = json.dumps(
        [_corpus_fingerprint(corpus), encoder, n_sentences, seed, max_length], sort_keys=True
    )
    key = hashlib.sha1(key_src.encode()).hexdigest()[:16]
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    cache_file = cache / f"embedding-{corpus.name}-{key}.npy"
    if cache_file.exists():
        return np.asarray(np.load(cache_file, allow_pickle=False), dtype=np.float64)
    if embed is None:
        raise ConfigError(
            "the embedding measure needs a sentence encoder",
            hint="pass embed=mosaicner.encoders.sentence.SentenceEmbedder(ENCODER)",
        )
    sentences = [s for s, _ in corpus.sentences("train") if s]
    rng = np.random.default_rng(seed)
    n = min(n_sentences, len(sentences))
    chosen = [sentences[i] for i in sorted(rng.choice(len(sentences), size=n, replace=False))]
    chosen.sort(key=len)  # length-bucketed batches
    vectors = [np.asarray(embed([list(s) for s in chosen]), dtype=np.float64)] if chosen else []
    vec = np.concatenate(vectors).mean(axis=0) if vectors else np.zeros(1)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cache_file, vec)
    return np.asarray(vec, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Matrices of records


def parse_measures(spec: str | Iterable[str]) -> list[str]:
    """``"tvc,dice,mean:tvc+dice"`` → names; ``all`` = every base measure; checks names."""
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    out: list[str] = []
    for item in items:
        if not item:
            continue
        if item == "all":
            out.extend(m for m in MEASURES if m not in out)
            continue
        if ":" in item:
            how, _, parts = item.partition(":")
            if how not in COMBINERS:
                raise UnknownComponentError.for_name("combination", how, COMBINERS)
            members = [p for p in parts.split("+") if p]
            if len(members) < 2:
                raise ConfigError(
                    f"combination {item!r} needs at least two measures",
                    expected=f"{how}:m1+m2[+...]",
                )
            for m in members:
                if m not in MEASURES:
                    raise UnknownComponentError.for_name("measure", m, MEASURES)
        elif item not in MEASURES:
            raise UnknownComponentError.for_name("measure", item, [*MEASURES, "all"])
        if item not in out:
            out.append(item)
    return out


def base_measures(names: Iterable[str]) -> list[str]:
    """Base measures needed for the given names (members of combinations included)."""
    out: list[str] = []
    for n in names:
        members = n.partition(":")[2].split("+") if ":" in n else [n]
        for m in members:
            if m not in out:
                out.append(m)
    return out


def oriented(measure: str, value: float) -> float:
    """A value where higher always means "more similar" (divergences → 1 − value)."""
    info = MEASURES.get(measure)
    if info is not None and not info.higher_is_similar:
        return 1.0 - value
    return value


def higher_is_similar(measure: str) -> bool:
    """Whether a higher value of ``measure`` means more similar (false for divergences)."""
    info = MEASURES.get(measure)
    return True if info is None else info.higher_is_similar


def _rank_scores(values: Mapping[str, float]) -> dict[str, float]:
    """1 for the highest value, 0 for the lowest, ties share their average position."""
    from scipy.stats import rankdata

    names = sorted(values)
    if len(names) == 1:
        return {names[0]: 1.0}
    ranks = rankdata([values[n] for n in names])  # 1 = lowest
    return {n: float((r - 1) / (len(names) - 1)) for n, r in zip(names, ranks, strict=True)}


def combine(records: Sequence[Record], name: str) -> list[Record]:
    """Records of a combination (``mean:a+b`` or ``rank_mean:a+b``) from base-measure records."""
    how, _, parts = name.partition(":")
    members = parts.split("+")
    table: dict[str, dict[tuple[str, str], float]] = {m: {} for m in members}
    for r in records:
        if r["measure"] in table:
            table[r["measure"]][(r["target"], r["auxiliary"])] = float(r["value"])
    pairs = sorted(set.intersection(*(set(t) for t in table.values())))
    out: list[Record] = []
    if how == "mean":
        for t, a in pairs:
            value = sum(oriented(m, table[m][(t, a)]) for m in members) / len(members)
            out.append({"measure": name, "target": t, "auxiliary": a, "value": value})
        return out
    targets = sorted({t for t, _ in pairs})
    for t in targets:
        auxes = [a for tt, a in pairs if tt == t]
        per_measure = [
            _rank_scores({a: oriented(m, table[m][(t, a)]) for a in auxes}) for m in members
        ]
        for a in auxes:
            value = sum(s[a] for s in per_measure) / len(members)
            out.append({"measure": name, "target": t, "auxiliary": a, "value": value})
    return out


ProgressFn = Callable[[str], None]


def compute_similarity(
    corpora: Sequence[AnalysisCorpus],
    measures: Sequence[str] = DEFAULT_MEASURES,
    *,
    encoder: str = DEFAULT_ENCODER,
    n_sentences: int = 500,
    seed: int = 0,
    n_topics: int = 5,
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
    embed: SentenceEmbed | None = None,
) -> list[Record]:
    """Records ``{"measure", "target", "auxiliary", "value"}`` for every ordered pair
    target ≠ auxiliary and every requested measure (combinations after their members).

    The ``embedding`` measure calls ``embed`` (sentence vectors under ``encoder``) for every
    corpus whose vector is not cached; the other measures need no encoder."""
    names = parse_measures(measures)
    if len({c.name for c in corpora}) != len(corpora):
        raise ConfigError("corpus names must be distinct")
    pairs = [(t, a) for t in corpora for a in corpora if t.name != a.name]
    records: list[Record] = []
    for m in base_measures(names):
        if progress is not None:
            progress(m)
        if m in PAIRWISE:
            fn = PAIRWISE[m]
            cache: dict[frozenset[str], float] = {}
            for t, a in pairs:
                if MEASURES[m].symmetric:
                    k = frozenset((t.name, a.name))
                    if k not in cache:
                        cache[k] = fn(t, a)
                    value = cache[k]
                else:
                    value = fn(t, a)
                records.append(
                    {"measure": m, "target": t.name, "auxiliary": a.name, "value": value}
                )
        elif m == "unseen_mention_rate":
            rates = {c.name: unseen_mention_rate(c) for c in corpora}
            records.extend(
                {"measure": m, "target": t.name, "auxiliary": a.name, "value": rates[t.name]}
                for t, a in pairs
            )
        elif m == "topic":
            vecs, meta = topic_vectors(corpora, n_topics=n_topics, seed=seed)
            records.extend(
                {
                    "measure": m,
                    "target": t.name,
                    "auxiliary": a.name,
                    "value": _cosine(vecs[t.name], vecs[a.name]),
                    "collection": meta["collection"],
                    "params": {k: v for k, v in meta.items() if k != "collection"},
                }
                for t, a in pairs
            )
        elif m == "embedding":
            vecs_e = {
                c.name: embedding_vector(
                    c,
                    encoder,
                    n_sentences=n_sentences,
                    seed=seed,
                    cache_dir=cache_dir,
                    embed=embed,
                )
                for c in corpora
            }
            records.extend(
                {
                    "measure": m,
                    "target": t.name,
                    "auxiliary": a.name,
                    "value": _cosine(vecs_e[t.name], vecs_e[a.name]),
                    "params": {"encoder": encoder, "n_sentences": n_sentences, "seed": seed},
                }
                for t, a in pairs
            )
    by_measure = [r for r in records if r["measure"] in names]
    for name in names:
        if ":" in name:
            by_measure.extend(combine(records, name))
    return by_measure


__all__ = [
    "COMBINERS",
    "DEFAULT_MEASURES",
    "MEASURES",
    "PAIRWISE",
    "MeasureInfo",
    "Record",
    "SentenceEmbed",
    "base_measures",
    "combine",
    "compute_similarity",
    "embedding_vector",
    "entity_coverage",
    "higher_is_similar",
    "js_divergence",
    "label_overlap",
    "oriented",
    "parse_measures",
    "size_ratio",
    "target_vocab_covered",
    "topic_vectors",
    "unseen_mention_rate",
    "vocab_dice",
]
