# Two commands do everything on a fresh machine: `make extract` and `make test`.
# The virtual environment is created here and the project installed from its
# own pyproject.toml; nothing needs installing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

IN   ?= corpora/articles
OUT  ?= out/facts.jsonl
REPORT ?= out/report.html
DATE ?=
TEXT ?= 台积电第三季营收9899.2亿元，季增6%、年增30.3%。

.PHONY: extract test eval debug schema lint bench bench-values report browser clean train spark-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

extract: $(STAMP)
	$(BIN)/python -m pipeline extract $(IN) -o $(OUT) $(if $(DATE),--date $(DATE))

# The spark extra for tests/test_spark.py. If it cannot be installed (no
# network) the suite still runs and that test is skipped, saying why.
SPARK_STAMP := $(VENV)/.installed-spark

$(SPARK_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]' && touch $@ \
		|| echo "warning: the spark extra could not be installed; tests/test_spark.py will be skipped" >&2

spark-deps: $(SPARK_STAMP)

test: $(STAMP) $(SPARK_STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/python -m pipeline eval

# Rebuild the company NER model (pipeline/models/ner, committed) from
# corpora/companies/train.jsonl; fixed seed, the same model on every run.
train: $(STAMP)
	$(BIN)/python -m pipeline.ner train

debug: $(STAMP)
	$(BIN)/python -m pipeline debug '$(TEXT)' $(if $(DATE),--date $(DATE))

schema: $(STAMP)
	$(BIN)/python -m schemas

lint: $(STAMP)
	$(BIN)/ruff check pipeline schemas tests

report: $(STAMP)
	$(BIN)/python -m pipeline report $(IN) -o $(REPORT) $(if $(DATE),--date $(DATE))

# Debian's chromium and a CJK font, for the report's headless-browser tests
# (tests/test_report.py skips them, saying why, where /usr/bin/chromium is
# absent). Needs root and apt; .ci/run calls it before `make test`.
browser:
	@if [ -x /usr/bin/chromium ] && fc-list :lang=zh | grep -q .; then \
		echo "chromium and a CJK font are installed"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; \
	fi

# Our value and period recognizers against JioNLP on the same corpus rows.
# JioNLP is a bench-only dependency: the `bench` extra, installed here.
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench-values: $(BENCH_STAMP)
	$(BIN)/python bench/values_vs_jionlp.py

# Throughput and memory: a generated corpus of 2,000 articles (bench/work/,
# not committed), our pipeline against jieba and JioNLP, 1 and 2 processes,
# peak memory at 1x and 10x, and a profile. Prints; never fails.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) out build *.egg-info bench/work
