#!/usr/bin/env bash
# The demo: corpus statistics now; multi-corpus training + tagging once the engine exists.
set -euo pipefail
cd "$(dirname "$0")/.."
MOSAICNER=.venv/bin/mosaicner
$MOSAICNER corpora list
for c in NCBI-disease BC5CDR linnaeus GENIA-nested; do
  $MOSAICNER corpora stats "$c"
done
