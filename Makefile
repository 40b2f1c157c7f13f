# Two commands do everything on a fresh machine: `make extract` and `make test`.
# The virtual environment is created here and the project installed from its
# own pyproject.toml; nothing needs installing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

IN   ?= corpora/articles
OUT  ?= out/facts.jsonl
DATE ?=
TEXT ?= 台积电第三季营收9899.2亿元，季增6%、年增30.3%。

.PHONY: extract test eval debug schema lint bench bench-values clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

extract: $(STAMP)
	$(BIN)/python -m pipeline extract $(IN) -o $(OUT) $(if $(DATE),--date $(DATE))

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/python -m pipeline eval

debug: $(STAMP)
	$(BIN)/python -m pipeline debug '$(TEXT)' $(if $(DATE),--date $(DATE))

schema: $(STAMP)
	$(BIN)/python -m schemas

lint: $(STAMP)
	$(BIN)/ruff check pipeline schemas tests

# Our value and period recognizers against JioNLP on the same corpus rows.
# JioNLP is a bench-only dependency: the `bench` extra, installed here.
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench-values: $(BENCH_STAMP)
	$(BIN)/python bench/values_vs_jionlp.py

clean:
	rm -rf $(VENV) out build *.egg-info
