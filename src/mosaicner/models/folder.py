"""Checks of a saved model folder, so that a damaged folder is a clear error, not garbage.

:meth:`MultiTaskModel.load <mosaicner.models.multitask.MultiTaskModel.load>` runs them; each
failure is a :class:`~mosaicner.errors.ModelError` naming the file and what to do, which the
CLI turns into ``error: ...`` and exit code 2.

* :func:`check_encoder_files`: ``encoder/config.json`` and a vocabulary (``tokenizer.json``,
  ``vocab.txt``, ``vocab.json`` + ``merges.txt`` or a SentencePiece model).  Without one,
  transformers quietly builds a tokenizer that knows only its special tokens, and the model
  tags garbage.
* :func:`check_tokenizer_size`: the loaded tokenizer covers the encoder's embedding matrix
  (no fewer than half its rows, no ids beyond it).
* :func:`read_safetensors_header`: ``model.safetensors`` has a well-formed header and every
  tensor lies inside the file (a truncated or overwritten file is caught before torch reads it).
* :func:`check_weights_match`: tensor names and shapes of the file equal the model that
  ``config.json`` describes.
* :func:`check_label_maps`: ``label_maps.json`` names corpora the model routes, and each
  corpus's output types are targets of its label map.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mosaicner.errors import ModelError

_SAVE_AGAIN = "copy the whole model folder again, or save it again with MultiTaskModel.save"
_VOCAB_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "tokenizer.model")
_MAX_HEADER = 100_000_000  # safetensors' own limit on the JSON header
_DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E5M2": 1,
    "F8_E4M3": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}


def check_encoder_files(encoder_dir: Path) -> None:
    """``encoder/`` holds the encoder's config and a tokenizer vocabulary."""
    config = encoder_dir / "config.json"
    if not config.is_file():
        raise ModelError(
            "the encoder folder has no config.json",
            file=config,
            expected="the encoder's transformers config, written by MultiTaskModel.save",
            hint=_SAVE_AGAIN,
        )
    present = {p.name for p in encoder_dir.iterdir()}
    has_vocab = (
        "tokenizer.json" in present
        or "vocab.txt" in present
        or {"vocab.json", "merges.txt"} <= present
        or any(name.endswith(".model") for name in present)
    )
    if not has_vocab:
        raise ModelError(
            "the encoder folder has no tokenizer vocabulary",
            file=encoder_dir,
            expected="one of " + ", ".join(_VOCAB_FILES) + " (vocab.json with merges.txt)",
            hint=_SAVE_AGAIN,
        )


def check_tokenizer_size(encoder_dir: Path, tokenizer_size: int, vocab_size: int | None) -> None:
    """The tokenizer and the embedding matrix come from the same encoder."""
    if vocab_size is None or vocab_size <= 0:
        return
    if tokenizer_size > vocab_size or tokenizer_size * 2 < vocab_size:
        raise ModelError(
            f"the tokenizer has {tokenizer_size} tokens but the encoder's embedding has "
            f"{vocab_size} rows",
            file=encoder_dir,
            expected="the tokenizer files saved with this model",
            hint="the tokenizer files are missing, damaged or from another model; " + _SAVE_AGAIN,
        )


def read_safetensors_header(path: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensor name → (dtype, shape) from a well-formed, complete safetensors file."""
    if not path.is_file():
        raise ModelError(
            "the model directory has no weights file",
            file=path,
            hint="the run may not have finished; use a directory written by MultiTaskModel.save",
        )
    size = path.stat().st_size

    def damaged(what: str) -> ModelError:
        return ModelError(
            f"the weights file is damaged ({what})",
            file=path,
            expected=f"a complete safetensors file ({size} bytes found)",
            hint=_SAVE_AGAIN,
        )

    with open(path, "rb") as fh:
        first = fh.read(8)
        if len(first) < 8:
            raise damaged("shorter than its 8-byte header length")
        (n,) = struct.unpack("<Q", first)
        if n > _MAX_HEADER or 8 + n > size:
            raise damaged(f"header length {n} does not fit the file")
        raw = fh.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise damaged(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise damaged("header is not a JSON object")
    data_size = size - 8 - n
    tensors: dict[str, tuple[str, tuple[int, ...]]] = {}
    covered = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = str(info["dtype"])
            shape = tuple(int(x) for x in info["shape"])
            begin, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise damaged(f"entry {name!r} lacks dtype, shape or data_offsets") from None
        count = 1
        for dim in shape:
            count *= dim
        width = _DTYPE_BYTES.get(dtype)
        if not 0 <= begin <= end <= data_size:
            raise damaged(f"tensor {name!r} lies beyond the end of the file")
        if width is not None and (end - begin) != count * width:
            raise damaged(f"tensor {name!r} has {end - begin} bytes for shape {list(shape)}")
        covered = max(covered, end)
        tensors[name] = (dtype, shape)
    if covered != data_size:
        raise damaged(f"{data_size - covered} bytes after the last tensor")
    return tensors


def check_weights_match(
    path: Path, file_tensors: Mapping[str, tuple[str, tuple[int, ...]]], state: Mapping[str, Any]
) -> None:
    """The file's tensors are exactly the model's parameters and buffers, shape for shape.

    Tensors that share memory (tied weights) are saved once, so a name missing from the file
    is fine when another name of the same memory is there.
    """
    expected = {k: tuple(int(d) for d in v.shape) for k, v in state.items()}
    shared: dict[Any, set[str]] = {}
    for k, v in state.items():
        ptr = v.data_ptr() if hasattr(v, "data_ptr") else id(v)
        shared.setdefault((ptr, expected[k]), set()).add(k)
    missing = sorted(
        k
        for k in set(expected) - set(file_tensors)
        if not any(
            alias in file_tensors
            for alias in shared[
                (
                    state[k].data_ptr() if hasattr(state[k], "data_ptr") else id(state[k]),
                    expected[k],
                )
            ]
        )
    )
    extra = sorted(set(file_tensors) - set(expected))
    wrong = sorted(
        f"{k} {list(file_tensors[k][1])} instead of {list(expected[k])}"
        for k in set(expected) & set(file_tensors)
        if file_tensors[k][1] != expected[k]
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} tensors missing (first: {', '.join(missing[:3])})")
    if extra:
        problems.append(f"{len(extra)} unexpected tensors (first: {', '.join(extra[:3])})")
    if wrong:
        problems.append(f"{len(wrong)} with other shapes (first: {'; '.join(wrong[:3])})")
    if problems:
        raise ModelError(
            "the weights do not match the model config.json describes: " + "; ".join(problems),
            file=path,
            hint="config.json and model.safetensors come from different runs? " + _SAVE_AGAIN,
        )


def check_label_maps(
    path: Path, label_maps: Any, routes: Mapping[str, str], types: Mapping[str, list[str]]
) -> None:
    """Label maps name routed corpora; each corpus's types are targets of its map.

    ``types``: the output types of each routed corpus (from its head).
    """
    if label_maps in (None, {}):
        return
    if not isinstance(label_maps, dict):
        raise ModelError(
            "label_maps.json is not a JSON object",
            file=path,
            expected="corpus name → label map",
            hint=_SAVE_AGAIN,
        )
    for corpus, lmap in label_maps.items():
        if corpus not in routes:
            raise ModelError(
                f"label_maps.json has a label map for corpus {corpus!r}, which the model has no "
                "head for",
                file=path,
                expected="corpora of config.json's routes: " + ", ".join(sorted(routes)),
                hint="label_maps.json comes from another model? " + _SAVE_AGAIN,
            )
        if not isinstance(lmap, dict):
            raise ModelError(f"the label map of corpus {corpus!r} is not a JSON object", file=path)
        mapping = lmap.get("map")
        if lmap.get("keep_original") or not isinstance(mapping, dict) or not mapping:
            continue
        targets = {str(t) for t in mapping.values() if t is not None}
        stray = sorted(set(types.get(corpus, [])) - targets)
        if stray:
            raise ModelError(
                f"corpus {corpus!r}: the model predicts {', '.join(stray)}, which its label map "
                f"does not produce (targets: {', '.join(sorted(targets)) or 'none'})",
                file=path,
                expected="label maps and heads saved together",
                hint="label_maps.json or config.json comes from another model? " + _SAVE_AGAIN,
            )


__all__ = [
    "check_encoder_files",
    "check_label_maps",
    "check_tokenizer_size",
    "check_weights_match",
    "read_safetensors_header",
]
