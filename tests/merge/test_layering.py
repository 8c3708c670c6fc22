"""The merge and the model store are torch-free (they run where no model is loaded)."""

from __future__ import annotations

import subprocess
import sys


def test_merge_and_store_do_not_import_torch() -> None:
    code = (
        "import sys, mosaicner.merge, mosaicner.store;"
        "from mosaicner.store import list_models, recipe_names; list_models(); recipe_names();"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
