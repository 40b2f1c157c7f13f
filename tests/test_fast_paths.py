"""Shortcuts taken for speed give what the plain way gives (issue #6).

The gazetteer scans only where a word's first two characters can start,
tickers are looked for only before a bracketed code, the tokenizer aligns
its words with the text itself, the sentence-subject signal walks a name
only where a predicate can follow it: each is compared here with the
slow, obvious version on texts built from the pieces that matter.
"""

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy import util

from pipeline import companies, company_context
from pipeline.gazetteer import FEW_WORDS, Gazetteer, _is_latin
from pipeline.segment import build_nlp, words_and_spaces


def _plain_find_all(gaz: Gazetteer, text: str) -> list:
    """Gazetteer.find_all, one position at a time."""
    out, i, n = [], 0, len(text)
    while i < n:
        hit = gaz.longest_at(text, i)
        if hit is None:
            i += 1
            continue
        end, payload = hit
        if _is_latin(text[i]) and i > 0 and _is_latin(text[i - 1]) and text[i - 1] not in "-.":
            i += 1
            continue
        if _is_latin(text[end - 1]) and end < n and _is_latin(text[end]) and text[end] not in "-.":
            i += 1
            continue
        out.append((i, end, payload))
        i = end
    return out


WORDS = ["台积电", "台积", "联电", "AMD", "2330", "2330.TW", "中", "中芯国际", "A", "-KY", "科技"]
PIECES = WORDS + ["电", "国", "际", "X", "2", "0", "3", ".", "-", " ", "，", "公司", "AMDX"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20), st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_gazetteer_finds_what_a_scan_of_every_position_finds(pieces, words):
    text = "".join(pieces)
    few = Gazetteer((w, w) for w in words)  # found with str.find
    assert list(few.find_all(text)) == _plain_find_all(few, text)
    # past FEW_WORDS words, found by the regex of first characters
    many = Gazetteer([(w, w) for w in words] + [(f"填{i}", f"填{i}") for i in range(FEW_WORDS + 1)])
    assert list(many.find_all(text)) == _plain_find_all(many, text)


def test_gazetteer_on_the_knowledge_base_and_the_corpus_texts():
    from conftest import CORPORA

    kb = companies.knowledge_base()
    for path in sorted(CORPORA.glob("articles/*.txt"))[:20]:
        text = path.read_text(encoding="utf-8")
        assert list(kb.find_all(text)) == _plain_find_all(kb, text)


TICKER_PIECES = ["台积", "电", "A", "NV", "·", "-", "(", "（", ")", "）", "2330", "12", "688256", ".SH", ".US",
                 ".T", "NVDA", " ", "，", "9", "科技股份", "(2330)", "（688256.SH）", "(NVDA.US)", "(12)", "361", "度", "年", "、"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(TICKER_PIECES), max_size=25))
def test_tickers_are_the_matches_of_the_ticker_pattern(pieces):
    text = "".join(pieces)
    expected = [(m.span(), m.group(1), m.group("code")) for m in companies.TICKER.finditer(text)]
    assert [(m.span(), m.group(1), m.group("code")) for m in companies._ticker_matches(text)] == expected


SPACE_PIECES = ["台积电", "营收", "增长", " ", "  ", "\n", "\r\n", "\t", "　", "，", "AB", "12", ".", "-", " \n "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SPACE_PIECES), max_size=20), st.booleans())
def test_words_and_spaces_are_spacys(pieces, selective):
    text = "".join(pieces)
    tokenizer = build_nlp().tokenizer
    words = type(tokenizer)(tokenizer.vocab, selective).words(text)
    assert words_and_spaces(words, text) == util.get_words_and_spaces(words, text)


def test_predicate_positions_are_where_the_predicate_gazetteer_matches():
    text = "古茗公布中期业绩，股价创新高；旗下品牌公告董事会决议，公布公布"
    starts = [m.start() for m in company_context._predicate_pattern().finditer(text)]
    assert starts == [i for i in range(len(text)) if company_context._predicates().longest_at(text, i) is not None]
