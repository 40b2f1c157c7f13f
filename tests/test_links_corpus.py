"""corpora/links/*.jsonl: short texts with the facts their numbers must link
to. Each expected fact is found by its mention; only the fields a row names
are compared, so a row tests one linking rule without restating the rest.
``absent`` lists mentions that must give no fact (a threshold, a condition)."""

import datetime as dt

import pytest
from conftest import CORPORA, corpus_params, load_rows

from pipeline.extract import extract_article
from pipeline.io import Article

ROWS = load_rows(CORPORA / "links")


def _facts(row: dict) -> dict[str, dict]:
    article = Article(id=row["id"], text=row["text"], date=dt.date.fromisoformat(row["date"]), date_source="metadata")
    facts = {}
    for fact in extract_article(article).facts:
        mention = row["text"][fact.evidence.start:fact.evidence.end]
        facts.setdefault(mention, fact.model_dump(mode="json"))
    return facts


@pytest.mark.parametrize("row", corpus_params(ROWS))
def test_link_row(row):
    facts = _facts(row)
    for expected in row["expect"]:
        fact = facts.get(expected["mention"])
        assert fact is not None, f"{row['_where']}: no fact for {expected['mention']!r}; got {sorted(facts)}"
        got = {key: fact[key] for key in expected if key != "mention"}
        want = {key: value for key, value in expected.items() if key != "mention"}
        assert got == want, f"{row['_where']}: {expected['mention']}"
    for mention in row.get("absent", []):
        assert mention not in facts, f"{row['_where']}: {mention!r} must give no fact"


def test_rows_have_notes_and_unique_ids():
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    assert all(r.get("note") for r in ROWS), "every row says which rule it tests"
