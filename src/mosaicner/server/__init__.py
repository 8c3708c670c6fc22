"""mosaicner.server: the REST tagging server (FastAPI), above inference.

``create_app(tagger)`` builds the application; ``mosaicner serve MODEL`` runs it with uvicorn.
"""

from mosaicner.server.app import create_app

__all__ = ["create_app"]
