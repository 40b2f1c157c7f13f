"""--script: what the pipeline wrote in the reader's script, evidence as written."""

import json

import pytest

from pipeline.cli import main
from pipeline.scripts import SCRIPTS, convert, render_fact
from schemas import Fact

SIMPLIFIED = "台积电第三季合并营收新台币9899.2亿元，季增6%。宁德时代汽车业务营收1041.86亿元。"


def _fact(**changes) -> Fact:
    base = dict(id="f1", doc_id="tsmc", subject="台积电", subject_id="tsmc", subject_text="臺積電",
                subject_type="company", metric="shipments", kind="level", value=3.0, unit="万张",
                segment="汽车业务客群", evidence={"text": "臺積電出貨3萬張", "start": 5, "end": 8}, confidence=0.9)
    return Fact(**{**base, **changes})


@pytest.mark.parametrize("script, subject, segment, unit", [
    ("traditional", "臺積電", "汽車業務客羣", "萬張"),  # OpenCC s2t: the standard forms
    ("tw", "臺積電", "汽車業務客群", "萬張"),  # s2tw: Taiwan's variants (群, not 羣)
    ("hk", "台積電", "汽車業務客羣", "萬張"),  # s2hk: Hong Kong's (台, 羣)
    ("simplified", "台积电", "汽车业务客群", "万张"),
])
def test_each_script_renders_the_pipelines_own_text(script, subject, segment, unit):
    fact = render_fact(_fact(), script)
    assert (fact.subject, fact.segment, fact.unit) == (subject, segment, unit)


def test_evidence_ids_and_codes_are_never_converted():
    original = _fact()
    for script in SCRIPTS:
        fact = render_fact(original, script)
        assert fact.evidence == original.evidence
        assert fact.subject_text == "臺積電"  # as written in the article
        assert (fact.id, fact.doc_id, fact.subject_id, fact.metric) == ("f1", "tsmc", "tsmc", "shipments")


def test_traditional_input_back_to_simplified():
    fact = render_fact(_fact(subject="鴻海精密", segment="雲端業務", unit="輛"), "simplified")
    assert (fact.subject, fact.segment, fact.unit) == ("鸿海精密", "云端业务", "辆")


def test_no_script_and_null_fields_are_left_alone():
    fact = _fact(segment=None, unit="CNY")
    assert render_fact(fact, None) is fact
    converted = render_fact(fact, "tw")
    assert converted.segment is None and converted.unit == "CNY"
    assert convert(None, "hk") is None


def test_unknown_script_is_refused():
    with pytest.raises(ValueError, match="unknown script"):
        convert("台积电", "kanji")


def test_command_line_script_tw_keeps_offsets_into_the_original(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(SIMPLIFIED, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(src), "-o", str(out), "--date", "2025-10-16", "--script", "tw", "-q"]) == 0
    facts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {f["subject"] for f in facts} >= {"臺積電", "寧德時代"}
    for f in facts:
        assert SIMPLIFIED[f["evidence"]["start"]:f["evidence"]["end"]] in ("9899.2亿元", "6%", "1041.86亿元")
        assert f["evidence"]["text"] in SIMPLIFIED
        assert f["subject_text"] in SIMPLIFIED


def test_command_line_rejects_an_unknown_script(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["extract", "x.txt", "--script", "kanji"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
