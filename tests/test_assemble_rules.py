"""Linking rules of pipeline/assemble.py, one written example each (issue #5).

Sentences are written for these tests; each would fail without its rule."""

import datetime as dt

import pytest

from pipeline.cli import article_from_text
from pipeline.extract import extract_article


def facts(text: str, date: str = "2025-10-30") -> list[dict]:
    article = article_from_text(text, dt.date.fromisoformat(date))
    return [f.model_dump(mode="json") for f in extract_article(article).facts]


def one(text: str, value: float, date: str = "2025-10-30") -> dict:
    hits = [f for f in facts(text, date) if abs(f["value"] - value) < 1e-6]
    assert len(hits) == 1, [(f["metric"], f["kind"], f["value"]) for f in facts(text, date)]
    return hits[0]


@pytest.mark.parametrize("text, value, metric", [
    # the base of the share after the share word: 占...营收
    ("联电表示，从制程结构看，28纳米出货占第三季晶圆营收的35%。", 35.0, "revenue_share"),
    # a share of another quantity of the company: other
    ("比亚迪第三季度销量约111万辆，其中海外销量约占两成。", 20.0, "other"),
    ("截至2024年底，该公司员工总数为500人，其中研发人员占比近五成。", 50.0, "other"),
    # a share within a market
    ("小米在全球智能手机出货量中的占比为13.5%。", 13.5, "market_share"),
])
def test_share_words_say_what_the_share_is_of(text, value, metric):
    assert one(text, value)["metric"] == metric


def test_a_share_with_no_base_goes_on_from_the_share_before():
    text = "联电第三季营收600亿元。28纳米占第三季晶圆营收的35%，22纳米占20%；22纳米及以下合计占比达55%。"
    assert one(text, 55.0)["metric"] == "revenue_share"


def test_balances_without_a_code_take_the_end_day():
    text = "兴业银行前三季度营业收入1600亿元。截至9月末，贷款总额5.8万亿元，对公贷款同比增长9.1%。"
    loans = one(text, 5.8e12)
    assert (loans["metric"], loans["segment"]) == ("other", "贷款总额")
    assert loans["period_start"] == loans["period_end"] == "2025-09-30"
    corporate = one(text, 9.1)
    assert (corporate["metric"], corporate["kind"], corporate["period_end"]) == ("other", "yoy", "2025-09-30")


@pytest.mark.parametrize("text, value, metric", [
    ("工商银行前三季度净利差为1.52%，净息差为1.30%。", 1.52, "other"),  # spread is not margin
    ("工商银行前三季度净利差为1.52%，净息差为1.30%。", 1.30, "net_interest_margin"),
    ("该分部本季度经营收益为9亿元。", 9e8, "operating_profit"),
    ("腾讯第三季度实际税率升至18.2%。", 18.2, "other"),
])
def test_metric_words(text, value, metric):
    assert one(text, value)["metric"] == metric


@pytest.mark.parametrize("text, date, value, subject", [
    ("台股今天终场下跌120.5点，收在27010.2点，全天成交值为4120.6亿元。", "2025-12-02", 4.1206e11, "台湾股市"),
    ("港股今日靠稳。恒指收报25,980点，升40点；大市全日成交额2,410亿元。", "2025-12-02", 2.41e11, "香港股市"),
    ("外资今天买超新台币120亿元。上市公司总市值一天增加1.2兆元，升至86.1兆元。", "2025-12-02", 8.61e13, "台湾股市"),
])
def test_a_whole_markets_turnover_and_value_belong_to_the_stock_market(text, date, value, subject):
    fact = one(text, value, date)
    assert (fact["subject"], fact["subject_type"]) == (subject, "market")


def test_a_companys_own_market_value_stays_the_companys():
    fact = one("台股今天走高，台积电上涨20元，市值增加5186亿元。", 5.186e11, "2025-12-02")
    assert fact["subject"] == "台积电"


def test_the_leads_quote_of_the_publication_day_dates_later_prices():
    text = ("美股四大指数昨天全面收黑，台股今天开低走低，终场下跌300点。\n\n"
            "记忆体族群同样难逃卖压，南亚科收在140元。")
    assert one(text, 140.0, "2025-11-21")["period_start"] == "2025-11-21"


def test_a_weeks_move_spans_the_week_to_date():
    text = "台股今天终场下跌300点。\n\n就本周表现而言，加权指数累计下跌962.56点。"
    fact = one(text, -962.56, "2025-11-21")
    assert (fact["period_start"], fact["period_end"]) == ("2025-11-17", "2025-11-21")


def test_a_number_in_the_condition_of_a_hypothetical_is_not_a_fact():
    text = "港交所上半年收入140亿港元。分析员认为，若下半年日均成交能维持在2500亿港元以上，全年盈利有望再创纪录。"
    assert not [f for f in facts(text, "2025-08-20") if f["value"] == 2.5e11]
    kept = "汇丰第三季平均有形股本回报率为12.3%；若不计及须予注意项目则为16.4%。"
    assert one(kept, 16.4)["metric"] == "roe"


def test_price_thresholds_are_dropped_but_amount_thresholds_are_facts():
    prices = "台达电今天收在895元，昨天才重新站回900元，今天又失守1000元关卡。"
    assert {f["value"] for f in facts(prices, "2025-11-21")} == {895.0}
    fact = one("高盛预估，鸿海明年营收有机会突破10兆元大关。", 1e13, "2025-11-05")
    assert (fact["metric"], fact["qualifier"]) == ("revenue", "over")


def test_a_stated_conversion_takes_the_period_its_amount_took():
    text = "小米集团今天港股收盘市值约为一点〇五万亿港元（约合人民币九千六百亿元）。"
    hkd, cny = one(text, 1.05e12, "2025-11-18"), one(text, 9.6e11, "2025-11-18")
    assert hkd["period_start"] == cny["period_start"] == "2025-11-18"


@pytest.mark.parametrize("text, value, kind", [
    ("汇丰普通股权一级资本比率为14.5%，较第二季末下降0.1个百分点。", -0.1, "qoq"),
    ("小米17系列上市首月销量较上一代增长约三成。", 30.0, "change"),
])
def test_kind_words(text, value, kind):
    assert one(text, value)["kind"] == kind


def test_an_events_date_is_not_the_period_of_its_number():
    text = "汇丰第三季除税前利润72.95亿美元。至于7月宣布、规模最多30亿美元的回购计划，则已经完成。"
    assert one(text, 3e9)["period_start"] is None


def test_a_target_ratio_does_not_take_the_as_of_day():
    text = "截至9月底，普通股权一级资本比率为14.5%，处于14%至14.5%的中期目标范围上限。"
    fact = one(text, 14.0)
    assert fact["estimate"] and fact["period_start"] is None


def test_a_growth_word_after_the_number():
    fact = one("招商银行前三季度营收2514亿元。市场普遍预计，招行全年归母净利润有望实现1%左右的正增长。", 1.0)
    assert (fact["metric"], fact["kind"], fact["period_end"]) == ("net_profit", "yoy", "2025-12-31")


def test_a_change_restated_as_a_percentage_is_not_a_price_move():
    fact = one("汇丰第三季除税前利润为72.95亿美元，较去年同期减少12亿美元，跌幅约14%。", -14.0)
    assert (fact["metric"], fact["kind"], fact["period_start"]) == ("pretax_profit", "yoy", "2025-07-01")


def test_the_exchange_a_company_lists_on_is_not_the_topic():
    text = ("药明康德上半年营收207.99亿元。公司H股于5月在港交所挂牌，募资净额约30亿港元。\n\n"
            "截至6月末，公司货币资金为150.2亿元。")
    assert one(text, 1.502e10, "2025-08-20")["subject"] == "药明康德"


def test_a_companys_hong_kong_market_value_stays_the_companys():
    fact = one("业绩公布前，小米集团港股收盘市值约为一点〇五万亿港元。", 1.05e12, "2025-11-18")
    assert fact["subject"] == "小米"
