"""Typed training configuration (YAML), saved next to every trained model.

A run is described by one YAML file whose sections map onto :class:`TrainConfig`.  Unknown keys
are rejected (``extra="forbid"``) with a :class:`~mosaicner.errors.ConfigError` that names the key
and the file.  Values can be overridden from the command line with dotted paths::

    mosaicner train configs/quickstart.yaml \
        --set trainer.max_steps=100 --set corpora.0.subsample=500

Override values are parsed as YAML scalars (``100`` is an int, ``1e-3`` a float, ``[a, b]`` a
list, ``null`` is None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mosaicner.data.batching import EVAL_MAX_WORDS
from mosaicner.encoders.config import EncoderConfig
from mosaicner.errors import ConfigError

Mode = Literal["single", "pairwise", "all", "transfer-a", "transfer-b"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SplitNames(_Strict):
    """Which split of the corpus plays which role (``dev: null`` = no dev set)."""

    train: str = "train"
    dev: str | None = "dev"
    test: str | None = "test"


class CorpusSpec(_Strict):
    """One training corpus."""

    name: str = Field(description="registry name (see `mosaicner corpora list`) or a path")
    label_map: str | None = Field(
        default=None,
        description="label map name or YAML/JSON path; null keeps the corpus's own labels",
    )
    head: str = Field(default="crf", description="head type of this corpus's private head")
    shared_head: str | None = Field(
        default=None, description="name of an entry in `heads.shared` serving this corpus"
    )
    subsample: int | float | None = Field(
        default=None,
        description="keep N training sentences (int) or a fraction (float in (0, 1])",
    )
    subsample_seed: int = 0
    splits: SplitNames = Field(default_factory=SplitNames)
    format: str | None = Field(default=None, description="file format when `name` is a path")
    alias: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$",
        description="name of this corpus's head, metrics and routes (default: the corpus "
        "name); lets one corpus appear twice, e.g. two flat views of a nested corpus",
    )
    view: Literal["outermost", "innermost"] | None = Field(
        default=None,
        description="train (and select) on a flat view of a nested corpus: its outermost or "
        "innermost mentions (dropped spans are counted in the notes); test scoring keeps the "
        "nested gold.  Two heads on the two views of one corpus give nested output through "
        "the merge (same-type nesting between views of one corpus is not a conflict)",
    )

    @model_validator(mode="after")
    def _check_subsample(self) -> CorpusSpec:
        s = self.subsample
        if isinstance(s, float) and not 0.0 < s <= 1.0:
            raise ValueError("a fractional subsample must lie in (0, 1]")
        if isinstance(s, int) and not isinstance(s, bool) and s < 1:
            raise ValueError("subsample must be a positive number of sentences")
        return self

    @property
    def key(self) -> str:
        """The corpus name used for heads, metrics and routes (the folder name for paths,
        ``alias`` when set)."""
        if self.alias:
            return self.alias
        return Path(self.name).name if ("/" in self.name or "\\" in self.name) else self.name


class SharedHeadSpec(_Strict):
    """A named head serving several corpora: its type and options (over ``heads.options``)."""

    type: str
    options: dict[str, Any] = Field(default_factory=dict)


class HeadsConfig(_Strict):
    """Options per head type (passed to ``build_head``) and named heads shared by corpora.

    Each head type declares its options as a pydantic model (``Head.options_model``, e.g.
    :class:`mosaicner.heads.crf.CRFOptions`); :class:`TrainConfig` checks every head type and
    option against them when the config is loaded, before any corpus is read.
    """

    options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    shared: dict[str, SharedHeadSpec] = Field(default_factory=dict)


class SamplerConfig(_Strict):
    """How the corpus of each step is chosen.

    ``uniform``: p = 1/K (Akdemir & Shibuya); ``proportional``: p ~ n_k (training sentences);
    ``temperature``: p ~ n_k^(1/T) (T=1 is proportional, large T tends to uniform).
    """

    kind: Literal["uniform", "proportional", "temperature"] = "uniform"
    temperature: float = Field(default=2.0, gt=0)


class BatchingConfig(_Strict):
    """Length-bucketed batches under a token budget (padded subword tokens per batch)."""

    max_tokens: int = Field(default=2048, ge=8)
    max_sentences: int = Field(default=64, ge=1)
    bucket_size: int = Field(
        default=100, ge=1, description="sentences per length bucket before packing"
    )
    eval_max_words: int = Field(
        default=EVAL_MAX_WORDS, ge=8, description="words per evaluation batch (sorted by length)"
    )


class OptimizerConfig(_Strict):
    """AdamW with two learning rates (encoder, heads), warm-up and decay, clipping, accumulation."""

    encoder_lr: float = Field(default=3e-5, gt=0)
    head_lr: float = Field(default=1e-3, gt=0)
    weight_decay: float = Field(default=0.01, ge=0)
    eps: float = Field(default=1e-6, gt=0)
    warmup_ratio: float = Field(default=0.1, ge=0, le=1)
    schedule: Literal["linear", "constant"] = "linear"
    max_grad_norm: float | None = Field(default=1.0, description="null disables clipping")
    accumulation: int = Field(default=1, ge=1, description="batches per optimizer step")
    freeze_embeddings: bool = Field(
        default=False,
        description="keep the encoder's word-embedding matrix fixed (much faster on CPU: no "
        "dense vocabulary-sized gradient and AdamW update per step)",
    )


class TrainerConfig(_Strict):
    """Step budget, evaluation and early stopping."""

    max_steps: int = Field(default=1000, ge=1)
    eval_every: int = Field(default=200, ge=1)
    patience: int | None = Field(
        default=None, description="stop after this many evaluations without improvement"
    )
    select_on: str | None = Field(
        default=None,
        description="'macro' (mean dev F1 over corpora) or a corpus name; "
        "default: the target when one is set, else 'macro'",
    )
    dev_subsample: int | None = Field(
        default=None, description="evaluate on at most N dev sentences per corpus (seeded)"
    )
    final_split: Literal["test", "dev"] = "test"
    keep_best_per_corpus: bool = Field(
        default=False,
        description="also keep, for every corpus, the model of the evaluation where that corpus's "
        "dev F1 was best (run_dir/best/CORPUS/), and score each corpus with its own snapshot; "
        "patience then resets whenever any corpus improves (Akdemir & Shibuya's per-head model "
        "selection)",
    )
    checkpoint_every: int | None = Field(
        default=None, description="save a resumable checkpoint every N steps (default: eval_every)"
    )
    log_every: int = Field(default=20, ge=1)
    device: str | None = Field(
        default=None,
        description="torch device; default: cuda (this process's GPU) if any, else cpu",
    )


class TransferConfig(_Strict):
    """Transfer settings: ``transfer-a`` (MTL on auxiliaries, then fine-tune on the target) and
    ``transfer-b`` (start from an earlier run's encoder, then MTL)."""

    stage1_steps: int = Field(default=500, ge=1, description="transfer-a: MTL steps on auxiliaries")
    init_from: str | None = Field(
        default=None, description="transfer-b: a model dir (or run dir) to take the encoder from"
    )


class MLflowConfig(_Strict):
    """Optional MLflow tracking of parameters, metrics and run files."""

    enabled: bool = False
    tracking_uri: str = Field(default="mlruns", description="a folder (local file store) or a URI")
    experiment: str = "mosaicner"
    run_name: str | None = None


class TrainConfig(_Strict):
    """A whole training run: corpora, encoder, heads, mode, sampling, batching, optimizer..."""

    corpora: list[CorpusSpec]
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    heads: HeadsConfig = Field(default_factory=HeadsConfig)
    mode: Mode = "all"
    target: str | None = Field(
        default=None, description="target corpus (single, pairwise, transfer-a)"
    )
    sampler: SamplerConfig = Field(default_factory=SamplerConfig)
    batching: BatchingConfig = Field(default_factory=BatchingConfig)
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    trainer: TrainerConfig = Field(default_factory=TrainerConfig)
    transfer: TransferConfig = Field(default_factory=TransferConfig)
    seed: int = 13
    num_threads: int | None = Field(default=None, description="torch intra-op threads")
    mlflow: MLflowConfig = Field(default_factory=MLflowConfig)
    output_dir: str = "runs/default"

    @model_validator(mode="after")
    def _check_mode(self) -> TrainConfig:
        keys = [c.key for c in self.corpora]
        if not keys:
            raise ValueError("`corpora` lists no corpus")
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"corpora listed twice: {', '.join(dupes)}")
        if self.target is not None and self.target not in keys:
            raise ValueError(f"target {self.target!r} is not among the corpora ({', '.join(keys)})")
        if self.mode == "single" and len(keys) != 1 and self.target is None:
            raise ValueError("mode 'single' needs one corpus, or a `target` among several")
        if self.mode == "pairwise":
            if len(keys) != 2:
                raise ValueError("mode 'pairwise' needs exactly two corpora (target + auxiliary)")
            if self.target is None:
                raise ValueError("mode 'pairwise' needs a `target`")
        if self.mode == "transfer-a" and (self.target is None or len(keys) < 2):
            raise ValueError("mode 'transfer-a' needs a `target` and at least one auxiliary")
        if self.mode == "transfer-b" and not self.transfer.init_from:
            raise ValueError("mode 'transfer-b' needs `transfer.init_from` (a model dir)")
        for c in self.corpora:
            if c.shared_head is not None and c.shared_head not in self.heads.shared:
                raise ValueError(
                    f"corpus {c.key!r} names shared head {c.shared_head!r}, "
                    f"which `heads.shared` does not define"
                )
        sel = self.trainer.select_on
        if sel is not None and sel != "macro" and sel not in keys:
            raise ValueError(f"trainer.select_on {sel!r} is neither 'macro' nor a corpus")
        return self

    @model_validator(mode="after")
    def _check_heads(self) -> TrainConfig:
        """Head types and options, against each head's options model (no corpus is read)."""
        from mosaicner.errors import UnknownComponentError
        from mosaicner.heads import check_head_options

        checks: list[tuple[str, str, dict[str, Any], str]] = [
            (f"heads.options.{kind}", kind, dict(opts), f"heads.options.{kind}")
            for kind, opts in self.heads.options.items()
        ]
        for name, shared in self.heads.shared.items():
            where = f"heads.shared.{name}"
            checks.append((f"{where}.type", shared.type, dict(shared.options), f"{where}.options"))
        for i, c in enumerate(self.corpora):
            if c.shared_head is None:
                checks.append((f"corpora.{i}.head", c.head, {}, ""))
        for key, kind, options, where in checks:
            try:
                check_head_options(kind, options, where)
            except UnknownComponentError as exc:
                raise ValueError(f"{key}: {exc}") from None
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return self

    # ------------------------------------------------------------------ views
    def training_corpora(self) -> list[CorpusSpec]:
        """Corpora trained on (for ``single`` with a target, only the target)."""
        if self.mode == "single" and self.target is not None:
            return [c for c in self.corpora if c.key == self.target]
        return list(self.corpora)

    @property
    def selection(self) -> str:
        """What best-checkpoint selection maximises: 'macro' or a corpus name."""
        if self.trainer.select_on is not None:
            return self.trainer.select_on
        return self.target if self.target is not None else "macro"

    def head_options(self, kind: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The options a head of type ``kind`` is built with: ``heads.options[kind]`` updated
        with ``extra`` (a shared head's own options)."""
        return {**self.heads.options.get(kind, {}), **(extra or {})}

    def to_yaml(self) -> str:
        """The config as YAML (saved as ``RUN/config.yaml``)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------------------- loading
def parse_override(item: str) -> tuple[list[str], Any]:
    """``"trainer.max_steps=100"`` -> (["trainer", "max_steps"], 100)."""
    if "=" not in item:
        raise ConfigError(
            f"override {item!r} has no '='", expected="KEY.PATH=VALUE", hint="e.g. trainer.seed=1"
        )
    key, _, raw = item.partition("=")
    path = [p for p in key.strip().split(".") if p]
    if not path:
        raise ConfigError(f"override {item!r} has an empty key", expected="KEY.PATH=VALUE")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return path, value


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Set dotted keys in a nested dict/list structure (list items by index)."""
    for item in overrides:
        path, value = parse_override(item)
        node: Any = data
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, list):
                if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                    raise ConfigError(
                        f"override {item!r}: {'.'.join(path[: i + 1])!r} is not an index of a "
                        f"list of {len(node)} items"
                    )
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
            else:
                raise ConfigError(
                    f"override {item!r}: {'.'.join(path[:i])!r} is a value, not a section"
                )
    return data


def _format_error(exc: ValidationError, source: str) -> ConfigError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        parent = loc.rsplit(".", 1)[0] if "." in loc else "the top level"
        return ConfigError(
            f"unknown key {loc!r} in {parent!r}" if "." in loc else f"unknown key {loc!r}",
            file=source,
            hint="check the spelling; `mosaicner train --help` and configs/*.yaml show the keys",
        )
    more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
    where = f"{loc}: " if loc else ""
    msg = str(err["msg"]).removeprefix("Value error, ")
    return ConfigError(f"invalid config: {where}{msg}{more}", file=source)


def config_from_dict(
    data: Mapping[str, Any], overrides: Sequence[str] = (), source: str = "<config>"
) -> TrainConfig:
    """Validate a config mapping after dotted ``overrides``; errors name the key and ``source``."""
    raw = apply_overrides(yaml.safe_load(yaml.safe_dump(dict(data))) or {}, overrides)
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise _format_error(exc, source) from None


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> TrainConfig:
    """Read a YAML config, apply dotted overrides and validate it."""
    p = Path(path)
    if not p.is_file():
        from mosaicner.errors import MissingFileError

        raise MissingFileError("config file not found", file=p)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"YAML does not parse: {exc}", file=p, line=line) from None
    if not isinstance(data, dict):
        raise ConfigError("a config file must hold a mapping of sections", file=p)
    return config_from_dict(data, overrides, source=str(p))


__all__ = [
    "BatchingConfig",
    "CorpusSpec",
    "HeadsConfig",
    "MLflowConfig",
    "Mode",
    "OptimizerConfig",
    "SamplerConfig",
    "SharedHeadSpec",
    "SplitNames",
    "TrainConfig",
    "TrainerConfig",
    "TransferConfig",
    "apply_overrides",
    "config_from_dict",
    "load_config",
    "parse_override",
]
