"""mosaicner: multi-corpus, nested biomedical named entity recognition.

The core (``mosaicner.data``, ``mosaicner.io``, ``mosaicner.schema``, ``mosaicner.evaluation``,
``mosaicner.analysis``, ``mosaicner.transitions``) imports no torch.
"""

from mosaicner._version import __version__
from mosaicner.data import Corpus, Document, Sentence, Span, Token
from mosaicner.errors import MosaicnerError

__all__ = ["Corpus", "Document", "MosaicnerError", "Sentence", "Span", "Token", "__version__"]
