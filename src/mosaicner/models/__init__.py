"""mosaicner.models: the multi-task model (shared encoder + named heads) and its directory."""

from mosaicner.models.multitask import (
    MultiTaskModel,
    find_model_dir,
    load_model,
    select,
    token_batches,
)

__all__ = ["MultiTaskModel", "find_model_dir", "load_model", "select", "token_batches"]
