"""mosaicner.training: multi-task training of a shared encoder with one head per corpus.

Where things live: :mod:`~mosaicner.training.config` (the YAML config), :mod:`.data` (corpora as
sentence examples), :mod:`.build` (the model), :mod:`.phases` (sampler, batch streams, optimizer
of a phase), :mod:`.optim`, :mod:`.selection` (best dev round, patience), :mod:`.loop` (the
loop), :mod:`.checkpoint` (resume; no pickle), :mod:`.snapshot` (model folders), :mod:`.runlog`
(``train.log``, ``metrics.jsonl``), :mod:`.run` (train then score; ``mosaicner train`` /
``evaluate``), :mod:`.predict`, :mod:`.distributed`, :mod:`.tracking` (MLflow),
:mod:`.transfer` (the transfer-matrix runner), :mod:`.threads`, :mod:`.recipe` (``mosaicner
models build``: train a pinned recipe into the model store).
"""

from mosaicner.training.config import TrainConfig, config_from_dict, load_config
from mosaicner.training.loop import Trainer, TrainResult
from mosaicner.training.predict import predict_documents
from mosaicner.training.run import LoadedModel, evaluate_corpus, load_trained, train_and_evaluate

__all__ = [
    "LoadedModel",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "config_from_dict",
    "evaluate_corpus",
    "load_config",
    "load_trained",
    "predict_documents",
    "train_and_evaluate",
]
