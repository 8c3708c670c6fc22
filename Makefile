# mosaicner — `make demo` and `make test` each set everything up on a fresh clone.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := $(PY) -m pip
MOSAICNER_DATA ?= $(abspath ../shared/corpora)
export MOSAICNER_DATA
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
PYTEST_ARGS ?=

.PHONY: install browser test demo lint format bench clean

install: .venv/.installed

# Two stamps: `make demo` needs only the training stack (torch + transformers: about a minute
# here), `make test` and `make lint` need every extra (MLflow, Ray, spaCy, ONNX, ...).
# torch is installed first and pinned to the CPU build (2.13.0 ships on this machine's disk);
# the package metadata keeps an open `torch>=` range for users elsewhere.
.venv/.installed-train: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "torch==2.13.0" || $(PIP) install -q "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
	$(PIP) install -q -e '.[train]'
	touch $@

.venv/.installed: .venv/.installed-train
	$(PIP) install -q -e '.[train,analysis,server,tracking,scale,spacy,dev]'
	touch $@

# Headless Chromium (Debian package) for the web-page test; needs root and the Debian registry.
# Without it the browser test is skipped with its reason printed.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null) \
	  || echo "warning: could not install chromium; the browser test will be skipped" >&2; \
	fi

test: install browser
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy

format: install
	.venv/bin/ruff check --fix src tests benchmarks
	.venv/bin/ruff format src tests benchmarks

demo: .venv/.installed-train
	bash scripts/demo.sh

clean:
	rm -rf .venv runs .pytest_cache .mypy_cache .ruff_cache
