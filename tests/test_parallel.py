"""--jobs N: a process pool whose output is byte for byte that of one process;
long articles in pieces; the selective segmenter reads what jieba reads."""

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline import batch
from pipeline.batch import Outcome, extract_stream, pieces
from pipeline.cli import main
from pipeline.io import Article, InputError, read_inputs
from pipeline.normalize import normalize
from pipeline.numbers import CN_NUMERAL_CHARS

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "corpora" / "articles"
ARTICLE = "台積電第三季合併營收新台幣9899.2億元，季增6%、年增30.3%。"


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    """The corpus articles, each twice under another id, with bad inputs between them."""
    folder = tmp_path_factory.mktemp("batch")
    for path in sorted(ARTICLES.glob("*.txt")):
        shutil.copy(path, folder / path.name)
        text = path.read_text(encoding="utf-8").replace("\nid: ", "\nid: copy-", 1)
        (folder / f"copy_{path.name}").write_text(text, encoding="utf-8")
    (folder / "b_binary.txt").write_bytes(b"\x00\x01binary")
    (folder / "m_records.jsonl").write_text("\n".join([
        json.dumps({"id": "j1", "text": ARTICLE, "date": "2025-10-16"}, ensure_ascii=False),
        "{broken",
        json.dumps({"id": "j2", "text": "宁德时代第三季度营业收入1041.86亿元，同比增长12.9%。"}, ensure_ascii=False),
    ]), encoding="utf-8")
    return folder


def _run(folder: Path, out: Path, jobs: int, capsys) -> tuple[int, bytes, list[str]]:
    code = main(["extract", str(folder), "-o", str(out), "--jobs", str(jobs), "--date", "2025-11-14"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    return code, out.read_bytes(), errors


def test_two_jobs_write_exactly_what_one_job_writes(batch_dir, tmp_path, capsys):
    one = _run(batch_dir, tmp_path / "one.jsonl", 1, capsys)
    two = _run(batch_dir, tmp_path / "two.jsonl", 2, capsys)
    assert one[0] == two[0] == 1  # the binary file and the broken line fail, the rest is written
    assert one[1] == two[1]
    assert one[2] == two[2] and len(one[2]) == 2
    doc_ids = {json.loads(line)["doc_id"] for line in one[1].decode("utf-8").splitlines()}
    assert {"tw_tsmc_2025q3", "copy-tw_tsmc_2025q3", "j1", "j2"} <= doc_ids


def test_outcomes_come_back_in_input_order(monkeypatch):
    monkeypatch.setattr(batch, "BATCH_ITEMS", 2)  # many small batches in flight
    items = []
    for i in range(9):
        items.append(Article(id=f"a{i}", text=f"台积电营收{i + 1}亿元。", date=None))
        if i % 3 == 0:
            items.append(InputError(f"bad{i}.txt", "broken"))
    outcomes = list(extract_stream(iter(items), None, jobs=2))
    assert [o.item for o in outcomes] == items
    assert all(isinstance(o, Outcome) for o in outcomes)
    assert [o.facts[0].value for o in outcomes if o.error is None] == [float(i + 1) * 1e8 for i in range(9)]


def _die_on_poison(article, date=None):
    if article.id == "poison":
        os._exit(3)  # what the out-of-memory killer does to a worker
    return _real_extract_facts(article, date)


_real_extract_facts = batch.extract_facts


def test_a_worker_that_dies_costs_only_its_article(monkeypatch):
    # the pool forks after the patch, so the workers run the patched function
    monkeypatch.setattr(batch, "extract_facts", _die_on_poison)
    items = [Article(id=name, text=f"台积电营收{i + 1}亿元。") for i, name in enumerate(["a", "poison", "b", "c"])]
    outcomes = list(extract_stream(items, None, jobs=2))
    assert [o.item.id for o in outcomes] == ["a", "poison", "b", "c"]
    assert outcomes[1].error is not None and "worker process died" in outcomes[1].error.message
    assert [o.facts[0].value for o in outcomes if o.item.id != "poison"] == [1e8, 3e8, 4e8]


def test_pieces_cover_the_text_and_cut_at_paragraphs():
    text = "".join(f"第{i}段营收{i}亿元。\n\n" for i in range(500))
    parts = pieces(text, 1000)
    assert "".join(p for _, p in parts) == text
    assert all(len(p) <= 1000 for _, p in parts)
    assert all(text[start:start + len(p)] == p for start, p in parts)
    assert all(p.endswith("\n\n") for _, p in parts[:-1])
    assert pieces("短文", 1000) == [(0, "短文")]
    hard = "一" * 2500  # no break anywhere: cut where the limit falls
    assert [len(p) for _, p in pieces(hard, 1000)] == [1000, 1000, 500]


def test_a_long_article_is_extracted_in_pieces_with_offsets_into_the_whole(monkeypatch, tmp_path):
    monkeypatch.setattr(batch, "PIECE_CHARS", 2000)
    bodies = [p.read_text(encoding="utf-8").split("---\n", 2)[2] for p in sorted(ARTICLES.glob("*.txt"))]
    long_text = "\n\n".join(bodies)  # about 28,000 characters: more than a dozen pieces
    src = tmp_path / "long.txt"
    src.write_text("---\nid: long\ndate: 2025-10-16\n---\n" + long_text, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(src), "-o", str(out), "-q"]) == 0
    facts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert max(f["evidence"]["start"] for f in facts) > len(long_text) - len(bodies[-1])  # the last article's too
    assert len({f["id"] for f in facts}) == len(facts)
    for f in facts:
        mention = long_text[f["evidence"]["start"]:f["evidence"]["end"]]
        assert any(ch.isdigit() or ch in CN_NUMERAL_CHARS + "半" for ch in normalize(mention).text), mention
    assert ("revenue", "qoq", 6.0) in {(f["metric"], f["kind"], f["value"]) for f in facts}  # 台積電 季增6%


def test_jobs_must_be_a_positive_number(capsys):
    for bad in ("0", "-1", "two"):
        with pytest.raises(SystemExit) as exc:
            main(["extract", str(ARTICLES), "--jobs", bad])
        assert exc.value.code == 2
    assert "not a number of processes" in capsys.readouterr().err


def test_selective_segmentation_reads_what_full_jieba_reads():
    """jieba runs only where a recognizer reads token boundaries; every fact
    of every corpus text must be what segmenting everything gives."""
    from pipeline import extract as E
    from pipeline.assemble import assemble
    from pipeline.segment import build_nlp, make_doc

    def facts(article, selective):
        norm = normalize(article.text)
        published, source = E.publication_date(article, norm, None)
        market = E.default_market(norm)
        doc = make_doc(build_nlp(selective), norm.text, published, market, {})
        return [E._to_fact(article, norm, link, source).model_dump_json() for link in assemble(doc, market)]

    articles = [a for a in read_inputs([str(ARTICLES)]) if isinstance(a, Article)]
    for folder in ("values", "periods", "companies"):
        for path in sorted((ROOT / "corpora" / folder).glob("*.jsonl")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                if line.strip() and json.loads(line).get("text"):
                    articles.append(Article(id=f"{path.name}:{n}", text=json.loads(line)["text"]))
    articles.append(Article(id="spaced", text="摩尔 线程 科技营收3亿元，贝莱德·科技 投资四亿元，李四人说。"))
    for article in articles:
        assert facts(article, True) == facts(article, False), article.id
