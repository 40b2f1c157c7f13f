"""Fuzzing the whole pipeline: hypothesis builds news-like text out of the
pieces the recognizers react to, mixed with noise (astral characters,
controls, combining marks, RTL, digits of every script), and a corpus of
nasty files goes through the command line. Whatever comes in: no exception
escapes, every fact validates, every offset slices the original text to a
string holding a digit or a numeral, and the same input gives the same
output."""

import datetime as dt
import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.extract import extract_article
from pipeline.io import Article
from pipeline.normalize import normalize
from pipeline.numbers import CN_NUMERAL_CHARS
from schemas import Fact

WORDS = [
    "台积电", "臺積電", "宁德时代", "腾讯控股", "小米集团", "摩尔线程科技", "该公司", "营收", "營收", "净利润", "稅後純益",
    "毛利率", "出货量", "市值", "股价", "每股收益", "同比增长", "年增", "季增", "环比下降", "较去年同期", "预计", "约",
    "超过", "逾", "近", "多", "余", "至", "到", "-", "~", "±", "亿元", "億元", "万", "兆", "美元", "港元", "新台币", "人民币",
    "%", "％", "个百分点", "基点", "台", "辆", "万张", "成", "一半", "过半", "第三季度", "前三季", "上半年", "2025年",
    "去年", "今年", "10月", "20日", "FY2026", "财年", "Q3", "US$", "NT$", "HK$", "RMB", "¥", "（2330）", "(00700.HK)",
]
NUMERALS = list("0123456789一二三四五六七八九十百千万亿兆〇○零两壹贰叁點点.,") + ["０", "５", "٣", "३", "𝟓", "①", "½"]
NOISE = ["，", "。", "、", "；", "：", "（", "）", "「", "」", " ", "\n", "\n\n", "\t", "\r\n", "\u3000", "😀", "🇨🇳",
         "𠀋", "\u0301", "\u200f", "\u202e", "\u200b", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "ע", "ب", "é", "A", "nm",
         "H20", "\\", '"', "'", "{", "}", "---"]
NUMBER = st.lists(st.sampled_from(NUMERALS), min_size=1, max_size=8).map("".join)
PIECE = st.one_of(st.sampled_from(WORDS), NUMBER, st.sampled_from(NOISE), st.text(max_size=2))
TEXT = st.lists(PIECE, max_size=60).map("".join)
DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))


def check_facts(text: str, facts: list[Fact]) -> None:
    for fact in facts:
        again = Fact.model_validate_json(fact.model_dump_json())
        assert 0 <= again.evidence.start < again.evidence.end <= len(text), again.evidence
        mention = normalize(text[again.evidence.start:again.evidence.end]).text
        assert any(ch.isdigit() or ch in CN_NUMERAL_CHARS + "半" for ch in mention), mention


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, DATES)
def test_any_text_gives_valid_facts_pointing_at_numbers(text, date):
    article = Article(id="fuzz", text=text, date=date, date_source="metadata" if date else "none")
    first = extract_article(article).facts
    check_facts(text, first)
    assert [f.model_dump_json() for f in extract_article(article).facts] == [f.model_dump_json() for f in first]


def nasty_files(seed: int = 8) -> dict[str, bytes]:
    """Files the command line must survive, made from the fuzz pieces."""
    rng = random.Random(seed)

    def text(n: int) -> str:
        return "".join(rng.choice(WORDS + NUMERALS + NOISE) for _ in range(n))

    files = {
        "ok.txt": ("---\nid: ok\ndate: 2025-10-16\n---\n台積電第三季合併營收新台幣9899.2億元，季增6%。").encode(),
        "gb.txt": ("---\nid: gb\n---\n" + text(200).replace("\x00", "")).encode("gb18030", "replace"),
        "big5.txt": "台積電營收9899.2億元，年增30.3%。".encode("big5"),
        "nul.txt": text(100).encode("utf-8") + b"\x00",
        "front.md": ("---\n" + text(40) + "\n---\n" + text(100)).encode("utf-8", "replace"),
        "nested.txt": ("---\nid: {" * 50 + "\n---\n" + text(50)).encode("utf-8", "replace"),
        "crlf.txt": ("---\r\nid: crlf\r\n---\r\n" + text(150)).encode("utf-8", "replace"),
        "latin1.txt": "Umsatz 5 Mio. £ - größer, ½ µ".encode("latin-1"),
        "cut_utf8.txt": "台积电营收9899.2亿元".encode()[:-1],
    }
    lines = []
    for i in range(30):
        record = {"id": rng.choice([f"r{i}", i, None, True, [i], f"r{i % 7}"]), "text": rng.choice([text(80), 5, None, ""])}
        if rng.random() < 0.3:
            record["date"] = rng.choice(["2025-10-16", "2025-13-45", 20251016, "", None, "yesterday"])
        line = json.dumps(record, ensure_ascii=rng.random() < 0.5)
        lines.append(line if rng.random() > 0.15 else line[: rng.randrange(len(line))])
    files["records.jsonl"] = "\n".join(lines).encode("utf-8", "replace")
    for i in range(5):
        files[f"noise_{i}.txt"] = text(rng.randrange(1, 400)).encode("utf-8", "surrogatepass")
    return files


def test_nasty_files_through_the_command_line(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in nasty_files().items():
        (folder / name).write_bytes(data)
    outputs = []
    for run in range(2):
        out = tmp_path / f"o{run}.jsonl"
        code = main(["extract", str(folder), "-o", str(out), "--errors", str(tmp_path / f"e{run}.jsonl"), "-q"])
        assert code in (0, 1)
        outputs.append(out.read_bytes())
        err = capsys.readouterr().err
        assert "Traceback" not in err and "extraction failed" not in err, err
    assert outputs[0] == outputs[1]
    texts = {}
    for line in outputs[0].decode("utf-8").splitlines():
        fact = Fact.model_validate_json(line)
        if fact.doc_id not in texts:
            texts[fact.doc_id] = _text_of(folder, fact.doc_id)
        check_facts(texts[fact.doc_id], [fact])
    assert "ok" in texts


def _text_of(folder, doc_id):
    from pipeline.io import read_inputs

    for item in read_inputs([str(folder)]):
        if isinstance(item, Article) and item.id == doc_id:
            return item.text
    raise AssertionError(f"no article {doc_id}")
