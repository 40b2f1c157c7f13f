"""The HTML report: highlights at the original text's offsets, a facts table
whose rows link to their evidence, self-contained; checked in headless Chromium."""

import datetime as dt
import json
import re
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.io import Article, read_inputs
from pipeline.report import Mark, format_period, format_value, without_overlaps
from schemas import Fact

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless-browser test: /usr/bin/chromium is absent (`make browser` installs Debian's chromium)")
# Full width digits and Traditional script: the marks must show the article as written.
TSMC = "---\nid: tsmc\ndate: 2025-10-16\n---\n臺積電第三季合併營收新台幣９８９９.２億元，季增6%、年增30.3%。\n"
MARK = re.compile(r'<mark class="ff-mark ff-(\w+)" data-label="\w+"(?: id="([\w-]+)")?[^>]*>\s*(.*?)'
                  r'<span class="ff-label">', re.S)
ROW = re.compile(r'<tr id="fact-(\w+)" data-target="([\w-]+)"')


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", str(ROOT / "corpora" / "articles"), "-o", str(out), "-q"]) == 0
    return out


def _report_of(tmp_path: Path, text: str) -> str:
    src = tmp_path / "tsmc.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(src), "-o", str(out), "-q"]) == 0
    return out.read_text(encoding="utf-8")


def test_each_kind_is_highlighted_as_written(tmp_path):
    marks = [(kind, text.strip()) for kind, _, text in MARK.findall(_report_of(tmp_path, TSMC))]
    assert marks == [("company", "臺積電"), ("period", "第三季"), ("metric", "合併營收"),
                     ("value", "９８９９.２億元"), ("value", "6%"), ("value", "30.3%")]


def test_every_fact_row_points_at_its_number_in_the_original(corpus_report):
    page = corpus_report.read_text(encoding="utf-8")
    articles = [a for a in read_inputs([str(ROOT / "corpora" / "articles")]) if isinstance(a, Article)]
    anchors = {anchor: text.strip() for _, anchor, text in MARK.findall(page) if anchor}
    rows = ROW.findall(page)
    assert len(rows) > 100 and len(set(rows)) == len(rows)
    for _, target in rows:
        assert target in anchors, target
        index, start, end = (int(n) for n in target[1:].split("-"))
        original = articles[index].text[start:end]
        assert anchors[target] == original.replace("&", "&amp;").replace("<", "&lt;")


def test_page_is_self_contained(corpus_report):
    page = corpus_report.read_text(encoding="utf-8")
    assert not re.search(r'(?:src|href)="(?!#)', page)
    assert "<link" not in page and "<script src" not in page and "@import" not in page
    assert page.count("<style>") == 1 and page.count("<script>") == 1


def test_report_is_deterministic(tmp_path):
    assert _report_of(tmp_path, TSMC) == _report_of(tmp_path, TSMC)


def test_failed_inputs_are_listed_and_exit_1(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(TSMC, encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(good), str(tmp_path / "missing.txt"), "-o", str(out)]) == 1
    page = out.read_text(encoding="utf-8")
    assert "Inputs that failed" in page and "missing.txt: no such file or directory" in page
    err = capsys.readouterr().err
    assert "articles: 1   facts: 3   errors: 1" in err and "time:" in err


def test_report_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exc:
        main(["report", "x.txt", "--date", "yesterday"])
    assert exc.value.code == 2


def test_overlaps_keep_evidence_then_priority():
    marks = [Mark(0, 4, "METRIC"), Mark(2, 6, "VALUE"), Mark(2, 6, "VALUE", "m0-2-6"), Mark(6, 9, "PERIOD"),
             Mark(7, 8, "COMPANY"), Mark(9, 9, "VALUE")]
    assert without_overlaps(marks) == [Mark(2, 6, "VALUE", "m0-2-6"), Mark(7, 8, "COMPANY")]


def _fact(**changes) -> Fact:
    base = dict(id="f", doc_id="d", subject="x", subject_text="x", subject_type="company", metric="revenue",
                kind="level", value=1.0, unit="CNY", evidence={"text": "t", "start": 0, "end": 1}, confidence=1)
    return Fact(**{**base, **changes})


@pytest.mark.parametrize("start, end, fiscal, expected", [
    ("2025-07-01", "2025-09-30", None, "2025 Q3"), ("2025-01-01", "2025-06-30", None, "2025 H1"),
    ("2024-01-01", "2024-12-31", None, "2024"), ("2025-10-01", "2025-10-31", None, "2025-10"),
    ("2025-01-01", "2025-09-30", None, "2025 Q1–Q3"), ("2024-07-01", "2025-06-30", None, "2024-07 – 2025-06"),
    ("2025-10-01", "2025-11-30", None, "2025-10 – 2025-11"), ("2025-11-03", "2025-11-07", None, "2025-11-03 – 2025-11-07"),
    ("2025-11-14", "2025-11-14", None, "2025-11-14"),
    (None, None, "FY2026-Q2", "FY2026-Q2"), (None, None, None, "–"),
])
def test_periods_read_as_people_write_them(start, end, fiscal, expected):
    fact = _fact(period_start=start and dt.date.fromisoformat(start), period_end=end and dt.date.fromisoformat(end),
                 fiscal_period=fiscal)
    assert format_period(fact) == expected


def test_values_show_qualifier_range_and_estimate():
    assert format_value(_fact(value=989920000000.0)) == "989,920,000,000"
    assert format_value(_fact(value=12.9, qualifier="approx", estimate=True)) == "≈12.9 (est.)"
    assert format_value(_fact(value=10.0, value_high=20.0, qualifier="range")) == "10–20"


# In a real browser ---------------------------------------------------------------------------

def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--window-size=1400,1000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


@needs_chromium
def test_rendered_dom_has_highlights_and_tables(corpus_report, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", corpus_report.as_uri()).stdout
    source = corpus_report.read_text(encoding="utf-8")
    assert dom.count('class="ff-article"') == 10
    assert dom.count('<mark class="ff-mark') == source.count('<mark class="ff-mark') > 300
    assert len(ROW.findall(dom)) == len(ROW.findall(source))
    assert {kind for kind, _, _ in MARK.findall(dom)} >= {"value", "company", "period", "metric"}


@needs_chromium
def test_opening_at_a_fact_highlights_its_evidence(corpus_report, tmp_path):
    fact_id, target = ROW.findall(corpus_report.read_text(encoding="utf-8"))[3]
    dom = chromium(tmp_path, "--dump-dom", f"{corpus_report.as_uri()}#fact-{fact_id}").stdout
    assert f'data-focused="fact-{fact_id}"' in dom
    assert re.search(rf'<mark class="[^"]*ff-focus[^"]*"[^>]*id="{target}"', dom)
    assert re.search(rf'<tr id="fact-{fact_id}" data-target="{target}"[^>]*class="ff-focus"', dom)


CLICK_LAST_FACT = """<script>
window.addEventListener("load", function () {
  var rows = document.querySelectorAll("tr[data-target]");
  var row = rows[rows.length - 1];
  row.cells[2].click();
  var mark = document.getElementById(row.getAttribute("data-target"));
  var box = mark.getBoundingClientRect();
  document.body.setAttribute("data-test", JSON.stringify({row: row.id, mark: mark.id, focused: mark.className,
    top: box.top, bottom: box.bottom, height: window.innerHeight, scrolled: window.scrollY}));
});
</script>
</body>"""


@needs_chromium
def test_clicking_a_fact_scrolls_to_its_number(corpus_report, tmp_path):
    page = tmp_path / "click.html"
    page.write_text(corpus_report.read_text(encoding="utf-8").replace("</body>", CLICK_LAST_FACT), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    state = json.loads(re.search(r"data-test=\"([^\"]*)\"", dom).group(1).replace("&quot;", '"'))
    assert f'data-focused="{state["row"]}"' in dom
    assert "ff-focus" in state["focused"]
    assert state["scrolled"] > 2000  # the last article is far down the page
    assert 0 <= state["top"] and state["bottom"] <= state["height"]  # and its number is on screen


@needs_chromium
def test_screenshot(corpus_report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", corpus_report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 1000)
    assert len(data) > 50_000  # a blank page is a few kB; text, colours and a table are far more
