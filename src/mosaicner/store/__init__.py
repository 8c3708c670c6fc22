"""Models by name: a local store (``$MOSAICNER_HOME``), model cards, hub push/pull, recipes.

Layer: torch-free, above :mod:`mosaicner.corpora` (licence notes for model cards) and below the
torch layer; ``models build`` (training a recipe) lives in :mod:`mosaicner.training.recipe`.
"""

from mosaicner.store.card import model_card, write_model_card
from mosaicner.store.hub import pull_model, push_model
from mosaicner.store.local import (
    HOME_ENV,
    ModelEntry,
    builds_root,
    check_name,
    describe_folder,
    install_model,
    installed_names,
    list_models,
    model_info,
    model_path,
    models_root,
    remove_model,
    resolve_model,
    store_home,
)
from mosaicner.store.recipes import recipe_names, recipe_path

__all__ = [
    "HOME_ENV",
    "ModelEntry",
    "builds_root",
    "check_name",
    "describe_folder",
    "install_model",
    "installed_names",
    "list_models",
    "model_card",
    "model_info",
    "model_path",
    "models_root",
    "pull_model",
    "push_model",
    "recipe_names",
    "recipe_path",
    "remove_model",
    "resolve_model",
    "store_home",
    "write_model_card",
]
