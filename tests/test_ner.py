"""The company NER model (pipeline/ner.py), its place among the company
signals (pipeline/company_context.py) and the entity evaluation
(pipeline/ner_eval.py).

Sentences here are written for these tests (names invented), never taken
from corpora/companies/heldout.jsonl, which only the regression floor reads
(and the check that the numpy prediction is spaCy's, which scores nothing).
"""

import json
from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import companies, ner, ner_eval, ner_numpy
from pipeline.normalize import normalize

# (text, company names the model must read as ORG)
MODEL_ORGS = [
    ("瑞泰达与景川光电公布第三季财报，获利同步成长", ["瑞泰达", "景川光电"]),
    ("储能厂商恒晟能科宣布完成新一轮融资", ["恒晟能科"]),
    ("锂电池企业宁远新材宣布在泰国建厂", ["宁远新材"]),
]

# (text, company names the whole recognizer must find as unseen companies)
PIPELINE_ORGS = [
    ("光模块厂商拓锐光电今日股价大涨", ["拓锐光电"]),  # apposition
    ("芯片设计公司翰微电子(688999)三季度营收同比增长", ["翰微电子"]),  # descriptor trimmed off
    ("瑞泰达与景川光电公布第三季财报，获利同步成长", ["瑞泰达", "景川光电"]),
    ("锂电池企业宁远新材宣布在泰国建厂", ["宁远新材"]),
    ("嘉禾精密-KY公布十月营收", ["嘉禾精密-KY"]),
    ("晶圓代工廠宏芯半導體宣布擴產", ["宏芯半导体"]),  # Traditional and full width, normalised first
]

# (text, a person, place or body in it that must not be a company)
NOT_COMPANIES = [
    ("董事长李明远表示，公司将扩大海外产能", "李明远"),
    ("张志强宣布辞去公司董事长职务", "张志强"),
    ("刘德华在香港出席新片发布会", "刘德华"),
    ("刘德华在香港出席新片发布会", "香港"),
    ("美国商务部宣布对多家企业实施出口管制", "美国商务部"),
    ("日本政府宣布新一轮半导体补贴", "日本政府"),
    ("国家发改委发布最新产业政策", "国家发改委"),
    ("江苏省政府发布集成电路产业支持政策", "江苏省政府"),
    ("德国汽车产业明年将面临转型压力", "德国汽车"),
    ("人形机器人产业链今年迎来快速发展", "人形机器人"),
]


def _companies(text: str) -> list[str]:
    text = normalize(text).text
    return [m.text for m in companies.find_entities(text) if m.entity.type == "company"]


def test_committed_model_loads_and_is_small():
    nlp = ner.load()
    assert nlp.lang == "zh" and "ner" in nlp.pipe_names
    assert set(nlp.get_pipe("ner").labels) == set(ner.LABELS)
    size = sum(p.stat().st_size for p in ner.MODEL_DIR.rglob("*") if p.is_file())
    assert size < 5_000_000


def test_committed_model_was_trained_on_the_current_corpus():
    """A changed train.jsonl or changed settings need ``make train`` (and a
    commit of the model)."""
    meta = json.loads((ner.MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    source = meta["sources"][0]
    assert {k: source[k] for k in ("name", "sha256", "rows")} == ner.corpus_source()
    assert source["settings"] == json.loads(json.dumps(asdict(ner.Settings())))


@pytest.mark.parametrize("text, names", MODEL_ORGS, ids=[t for t, _ in MODEL_ORGS])
def test_model_reads_companies(text, names):
    norm = normalize(text).text
    orgs = [norm[a:b] for a, b, label in ner.predict(norm) if label == "ORG"]
    for name in names:
        assert name in orgs


@pytest.mark.parametrize("text, names", PIPELINE_ORGS, ids=[t for t, _ in PIPELINE_ORGS])
def test_unseen_companies_are_found(text, names):
    found = _companies(text)
    for name in names:
        assert name in found


@pytest.mark.parametrize("text, span", NOT_COMPANIES, ids=[f"{t}:{s}" for t, s in NOT_COMPANIES])
def test_people_places_and_bodies_are_not_companies(text, span):
    norm = normalize(text).text
    a = norm.index(span)
    b = a + len(span)
    for m in companies.find_entities(norm):
        if m.entity.type == "company":
            assert not (m.start < b and a < m.end), f"{m.text} ({m.source}) taken as a company"


def test_model_veto_keeps_known_company_inside_a_person_out():
    """小鹏 (an alias of 小鹏汽车) inside 何小鹏 is the person, not the company."""
    assert _companies("小鹏汽车董事长何小鹏表示，新车将于明年交付") == ["小鹏汽车"]


# whitespace as the zh char segmenter sees it: leading, trailing, doubled, other kinds
WHITESPACE_TEXTS = ["瑞泰达 与景川光电", "瑞泰达  与景川光电", " 瑞泰达", "瑞泰达 ", "瑞泰达\n\n景川光电",
                    "瑞泰达 \n 景川光电", "宁远\u3000新材\t公布", "  ", "\n", "a b  c", ""]


def _corpus_texts() -> list[str]:
    rows = ner.load_rows() + ner.load_rows(ner_eval.COMPANIES_DIR / "heldout.jsonl")
    return [normalize(row["text"]).text for row in rows]


def test_numpy_prediction_is_spacys():
    """predict_many (the weights in numpy) finds exactly what spaCy's own
    nlp.pipe finds, on every corpus sentence and on whitespace."""
    texts = _corpus_texts() + [normalize(t).text for t, _ in MODEL_ORGS] + WHITESPACE_TEXTS
    assert ner.predict_many(texts) == ner.spacy_predict_many(texts)


# characters the model meets: Chinese, Latin, digits, punctuation, whitespace
SAMPLE_CHARS = "台积电董事长何小鹏宣布公司营收增长美国商务部科技集团股份有限-KYAb3.5%()，。、 \n\u3000"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.text(alphabet=SAMPLE_CHARS, max_size=40), min_size=1, max_size=6))
def test_numpy_prediction_is_spacys_on_any_text(texts):
    assert ner.predict_many(texts) == ner.spacy_predict_many(texts)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.text(alphabet=SAMPLE_CHARS, max_size=60), max_size=8))
def test_predicted_spans_are_valid(texts):
    """In order, apart, inside the text, known labels, never starting or
    (a one-token entity) consisting of whitespace."""
    for text, spans in zip(texts, ner.predict_many(texts), strict=True):
        for (a, b, label), following in zip(spans, spans[1:] + [(len(text), len(text), "")]):
            assert 0 <= a < b <= following[0] <= len(text)
            assert label in ner.LABELS
            assert not text[a].isspace()


def test_batch_does_not_change_a_texts_entities():
    texts = _corpus_texts()[:300] + WHITESPACE_TEXTS
    together = ner.predict_many(texts)
    assert [ner.predict(t) for t in texts] == together
    assert ner.predict_many(texts[::-1]) == together[::-1]


@pytest.mark.parametrize("text", WHITESPACE_TEXTS + ["瑞泰达与景川光电"])
def test_char_tokens_are_the_zh_segmenters(text):
    doc = ner.load().make_doc(text)
    assert ner_numpy.char_tokens(text) == [(t.idx, t.idx + len(t.text)) for t in doc]


def test_retraining_is_reproducible():
    rows = ner.load_rows()[:150]
    settings = ner.Settings(epochs=2)
    first = ner.fit(rows, settings)
    second = ner.fit(rows, settings)
    assert first.get_pipe("ner").to_bytes() == second.get_pipe("ner").to_bytes()
    texts = [normalize(t).text for t, _ in MODEL_ORGS]
    assert ner.predict_many(texts, first) == ner.predict_many(texts, second)


def test_training_reproduces_the_committed_model():
    """What ``make train`` builds reads every training sentence as the
    committed model does (about 20 s)."""
    rebuilt = ner.fit(ner.load_rows())
    texts = [text for text, _ in ner.normalised_rows(ner.load_rows())] + [normalize(t).text for t, _ in MODEL_ORGS]
    assert ner.predict_many(texts, rebuilt) == ner.predict_many(texts)


def test_ticker_codes_are_not_scored():
    text = "宁德时代(300750.SZ)与英伟达(NVDA.US)、台积电(TSMC)"
    assert ner_eval.ticker_code(text, text.index("300750"), text.index("300750") + 9)
    assert ner_eval.ticker_code(text, text.index("NVDA"), text.index("NVDA") + 4)
    assert not ner_eval.ticker_code(text, text.index("TSMC"), text.index("TSMC") + 4)


def test_exact_and_relaxed_matching():
    gold = [(0, 4), (5, 9)]
    pred = [(0, 4), (6, 9), (10, 12)]
    assert ner_eval._match(gold, pred, "exact") == {0: 0}
    assert ner_eval._match(gold, pred, "relaxed") == {0: 0, 1: 1}


def test_heldout_scores_stay_above_their_floor():
    """Regression floor, just under what the recognizer reaches on the
    held-out sentences: unseen companies exact P 0.943 R 0.810, relaxed
    P 0.975 R 0.837; all companies exact F1 0.870."""
    score = ner_eval.score_rows(ner_eval.load_rows(ner_eval.COMPANIES_DIR / "heldout.jsonl"))
    p, r, _ = score.prf("exact", "unseen")
    assert p >= 0.92 and r >= 0.79, (p, r)
    p, r, _ = score.prf("relaxed", "unseen")
    assert p >= 0.95 and r >= 0.82, (p, r)
    assert score.prf("exact", "known")[1] == 1.0
    assert score.prf("exact", "all")[2] >= 0.85


def test_a_descriptor_head_does_not_cut_a_word():
    """股 heads a descriptor (新药股X) and 连锁 does (烧肉连锁乾杯), but in
    大药房连锁股份有限公司 the 股 opens the word 股份: the name is not cut there."""
    from pipeline.company_context import trim_descriptor

    text = "益丰大药房连锁股份有限公司"
    assert text[trim_descriptor(text, 0, len(text)):] != "份有限公司"
    text = "烧肉连锁乾杯"
    assert text[trim_descriptor(text, 0, len(text)):] == "乾杯"
