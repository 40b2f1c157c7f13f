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


@pytest.mark.parametrize("text, kept", [
    ("第三季营收增长8%，上月出货量创新高", []),  # both need the publication year
    ("今年以来股价上涨", []),
    ("2024年第三季营收", ["2024年第三季"]),
    ("2025财年第二季度", ["2025财年第二季度"]),
    ("截至2023年12月31日止六个月", ["截至2023年12月31日止六个月"]),
])
def test_without_a_publication_date_only_date_free_periods_are_kept(text, kept):
    """No date anywhere: resolving 第三季 against the day of the run would make
    the output depend on when it ran; such mentions are dropped instead."""
    from pipeline.periods import find_periods

    assert [p.text for p in find_periods(text, None)] == kept
