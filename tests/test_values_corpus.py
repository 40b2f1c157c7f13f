"""corpora/values/*.jsonl: every row must read exactly as expected (Duckling
style: one expected reading per surface form; negatives must read nothing)."""

import math

import pytest
from conftest import CORPORA, corpus_params, load_rows

from pipeline.recognize import values_in

ROWS = load_rows(CORPORA / "values")


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("row", corpus_params(ROWS))
def test_value_row(row):
    got = values_in(row["text"], row.get("market", "cn"))
    expected = row["expect"]
    assert [g["mention"] for g in got] == [e["mention"] for e in expected], row["_where"]
    for g, e in zip(got, expected):
        assert _same(g["value"], e["value"]), (row["_where"], g, e)
        assert _same(g["value_high"], e.get("value_high")), (row["_where"], g, e)
        assert g["unit"] == e["unit"], (row["_where"], g, e)
        assert g["qualifier"] == e["qualifier"], (row["_where"], g, e)


def test_corpus_is_large_and_has_negatives():
    assert len(ROWS) >= 400
    assert sum(1 for r in ROWS if not r["expect"]) >= 60
    assert len({r["id"] for r in ROWS}) == len(ROWS), "row ids must be unique"
