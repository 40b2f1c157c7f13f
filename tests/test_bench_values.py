"""bench/values_vs_jionlp.py (``make bench-values``): the helpers that map
JioNLP's output to our readings and compare readings, on hand-made inputs;
and the whole comparison on five rows, skipped when jionlp (a bench-only
dependency, the ``bench`` extra) is not installed."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "values_vs_jionlp.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_values_vs_jionlp", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def _money(text, num, case, definition="accurate"):
    return {"text": text, "offset": [0, len(text)], "type": "money",
            "detail": {"num": num, "case": case, "definition": definition}}


def _time(text, kind, time):
    return {"text": text, "offset": [0, len(text)], "type": kind,
            "detail": {"type": kind, "definition": "accurate", "time": time}}


# ---------------------------------------------------------------- money mapping


def test_money_plain_amount_and_currency_codes():
    got = bench.jio_money_reading(_money("720亿美元", "72000000000.00", "美元"), "tw")
    assert got["value"] == 72e9 and got["unit"] == "USD" and got["value_high"] is None
    assert bench.jio_money_reading(_money("新台币9899.2亿元", "989920000000.00", "新台币"), "cn")["unit"] == "TWD"
    assert bench.jio_money_reading(_money("2.6亿港元", "260000000.00", "港元"), "cn")["unit"] == "HKD"
    assert bench.jio_money_reading(_money("5亿日元", "500000000.00", "日元"), "cn")["unit"] == "JPY"


def test_bare_yuan_takes_the_row_market_unless_renminbi_or_strict():
    entity = _money("4523亿元", "452300000000.00", "元")
    assert bench.jio_money_reading(entity, "tw")["unit"] == "TWD"
    assert bench.jio_money_reading(entity, "hk")["unit"] == "HKD"
    assert bench.jio_money_reading(entity, "cn")["unit"] == "CNY"
    assert bench.jio_money_reading(entity, "tw", local_yuan=False)["unit"] == "CNY"
    rmb = _money("人民币601,293.11元", "601293.11", "元")
    assert bench.jio_money_reading(rmb, "tw")["unit"] == "CNY"


def test_unknown_case_is_kept_as_written():
    assert bench.jio_money_reading(_money("3亿第纳尔", "300000000.00", "第纳尔"), "cn")["unit"] == "第纳尔"


def test_written_range_keeps_both_ends_but_duo_yu_is_a_lower_bound():
    span = bench.jio_money_reading(_money("700亿至720亿美元", ["70000000000.00", "72000000000.00"], "美元", "blur"))
    assert (span["value"], span["value_high"]) == (70e9, 72e9)
    over = bench.jio_money_reading(_money("4000多万港元", ["40000000.00", "50000000.00"], "港元", "blur"), "hk")
    assert (over["value"], over["value_high"], over["unit"]) == (40e6, None, "HKD")
    yu = bench.jio_money_reading(_money("2000余元", ["2000.00", "3000.00"], "元", "blur"))
    assert (yu["value"], yu["value_high"]) == (2000.0, None)


# ---------------------------------------------------------------- time mapping


def test_time_point_and_span_become_dates():
    got = bench.jio_period_reading(_time("2025年第三季度", "time_span", ["2025-07-01 00:00:00", "2025-09-30 23:59:59"]))
    assert (got["start"], got["end"], got["fiscal"]) == ("2025-07-01", "2025-09-30", None)
    day = bench.jio_period_reading(_time("10月20日晚间", "time_point", ["2025-10-20 20:00:00", "2025-10-20 23:59:59"]))
    assert (day["start"], day["end"]) == ("2025-10-20", "2025-10-20")
    open_end = bench.jio_period_reading(_time("今年以来", "time_span", ["2025-01-01 00:00:00", "inf"]))
    assert (open_end["start"], open_end["end"]) == ("2025-01-01", None)


def test_durations_and_recurrences_are_not_periods():
    assert bench.jio_period_reading(_time("3天", "time_delta", {"day": 3.0})) is None
    assert bench.jio_period_reading(_time("每周", "time_period", {"delta": {"day": 7}, "point": None})) is None


# ---------------------------------------------------------------- comparison


def test_tolerance_sign_and_row_matching():
    exp = [{"value": -3.2e8, "unit": "CNY", "qualifier": "exact", "value_high": None},
           {"value": 6.32, "unit": "%", "qualifier": "exact", "value_high": None}]
    close = [{"value": 6.320001, "unit": "%", "qualifier": "exact", "value_high": None},
             {"value": -3.2e8 * (1 + 5e-7), "unit": "CNY", "qualifier": "exact", "value_high": None}]
    assert bench.row_correct(close, exp, bench.VALUE_STRICT_OURS)  # any order, rel. tolerance 1e-6
    far = [dict(close[0], value=6.33), close[1]]
    assert not bench.row_correct(far, exp, bench.VALUE_STRICT_OURS)
    unsigned = [{"value": 3.2e8, "unit": "CNY", "value_high": None}]
    assert not bench.row_correct(unsigned, exp[:1], bench.VALUE_STRICT_JIO)
    assert bench.row_correct(unsigned, exp[:1], bench.VALUE_STRICT_JIO, absolute=True)
    assert not bench.row_correct(unsigned + unsigned, exp[:1], bench.VALUE_STRICT_JIO, absolute=True)
    assert not bench.row_correct(None, [], bench.VALUE_STRICT_OURS)  # an exception is a wrong row
    assert bench.row_correct([], [], bench.VALUE_STRICT_OURS)  # a negative read as nothing


def test_score_counts_rows_mentions_and_errors():
    score = bench.Score()
    exp = [{"value": 1.0, "unit": "CNY"}, {"value": 2.0, "unit": "%"}]
    score.add("a", [{"value": 1.0, "unit": "CNY"}], exp, bench.VALUE_LENIENT, bench.VALUE_LENIENT, True)
    score.add("b", None, exp, bench.VALUE_LENIENT, bench.VALUE_LENIENT, True)
    assert (score.rows, score.correct, score.errors) == (2, 0, 1)
    assert (score.matched, score.predicted, score.expected) == (1, 1, 4)
    assert score.f1 == pytest.approx(2 * 1.0 * 0.25 / 1.25)


# ---------------------------------------------------------------- five rows, both systems

VALUE_ROWS = [
    {"id": "t-v-1", "text": "贵州茅台前三季度实现营业总收入1309.04亿元，同比增长6.32%。", "market": "cn",
     "expect": [{"mention": "1309.04亿元", "value": 130904000000.0, "unit": "CNY", "qualifier": "exact",
                 "value_high": None},
                {"mention": "6.32%", "value": 6.32, "unit": "%", "qualifier": "exact", "value_high": None}]},
    {"id": "t-v-2", "text": "該產品每月維護費用為2000餘元。", "market": "cn",
     "expect": [{"mention": "2000餘元", "value": 2000.0, "unit": "CNY", "qualifier": "over", "value_high": None}]},
    {"id": "t-v-3", "text": "英伟达H20芯片对华出口再度受限。", "expect": []},
]
PERIOD_ROWS = [
    {"id": "t-p-1", "text": "2025年第三季度營收", "date": "2025-11-14",
     "expect": [{"mention": "2025年第三季度", "start": "2025-07-01", "end": "2025-09-30", "fiscal": None}]},
    {"id": "t-p-2", "text": "这已是黄仁勋第三次访问台积电。", "date": "2025-11-14", "expect": []},
]


def _set(name):
    return next(rs for rs in bench.ROW_SETS if rs.name == name)


def _right(scores):
    return {system: sorted(score.right_ids) for system, score in scores.items()}


def test_five_rows_against_jionlp():
    pytest.importorskip("jionlp")
    jio = bench.load_jionlp()
    value_runs = bench.run_value_rows(VALUE_ROWS, jio)
    period_runs = bench.run_period_rows(PERIOD_ROWS, jio)
    errors = [(rid, s, run.error) for runs in (value_runs, period_runs) for rid, r in runs.items()
              for s, run in r.items() if run.raw is None]
    assert not errors

    money = bench.score_set(_set("money rows (currency readings)"), VALUE_ROWS, value_runs)
    # JioNLP reads 餘 only after t2s, and its 2000余元 span counts as "over 2000".
    assert _right(money) == {"ours": ["t-v-1", "t-v-2"], "jio": ["t-v-1"], "jio_t2s": ["t-v-1", "t-v-2"]}
    every = bench.score_set(_set("all value rows"), VALUE_ROWS, value_runs)
    # JioNLP has no percentages: t-v-1 is out of its reach as a whole row.
    assert _right(every) == {"ours": ["t-v-1", "t-v-2", "t-v-3"], "jio": ["t-v-3"], "jio_t2s": ["t-v-2", "t-v-3"]}
    assert every["jio"].f1 == pytest.approx(2 * 1.0 * (1 / 3) / (1 + 1 / 3))

    periods = bench.score_set(_set("period rows"), PERIOD_ROWS, period_runs)
    assert _right(periods) == {system: ["t-p-1", "t-p-2"] for system in bench.SYSTEMS}
