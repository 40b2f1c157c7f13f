"""corpora/periods/*.jsonl: every row must resolve exactly as expected against
its fixed publication date."""

import datetime as dt

import pytest
from conftest import CORPORA, corpus_params, load_rows

from pipeline.recognize import periods_in

ROWS = load_rows(CORPORA / "periods")


@pytest.mark.parametrize("row", corpus_params(ROWS))
def test_period_row(row):
    got = periods_in(row["text"], dt.date.fromisoformat(row["date"]))
    expected = [{"mention": e["mention"], "start": e["start"], "end": e["end"], "fiscal": e.get("fiscal")} for e in row["expect"]]
    assert got == expected, row["_where"]


def test_corpus_is_large_and_has_negatives():
    assert len(ROWS) >= 150
    assert sum(1 for r in ROWS if not r["expect"]) >= 20
    assert len({r["id"] for r in ROWS}) == len(ROWS), "row ids must be unique"
