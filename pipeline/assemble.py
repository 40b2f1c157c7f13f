"""Assemble facts: link each value to its subject, metric, kind and period.

Reads the recognizers' ``Doc._`` attributes of one article and returns
:class:`Link` records, which ``pipeline.extract`` turns into validated
:class:`schemas.Fact` models. Every decision records the rule that made it
(``Link.rules``), so ``python -m pipeline debug`` can say why a fact came out
as it did.

Scopes, nearest first: the clause (between commas), the sentence, the
article's current topic. Growth words between the metric and the number
decide the kind; a period marked as a comparison base (较去年同期) is never
the period of a fact.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter

from spacy.tokens import Doc

from . import lexicon
from .companies import (
    MARKET_BY_METRIC,
    PRICE_INDEX,
    Entity,
    EntityMention,
    company_by_short_name,
    market_entity,
    region_gazetteer,
)
from .metrics import CueMention, MetricMention, find_metrics
from .periods import (
    FROM_WORDS,
    PREVIOUS_QUARTER_WORDS,
    WHOLE_YEAR_WORDS,
    PeriodMention,
    months_after,
    quarter_bounds,
)
from .products import ProductMention
from .values import ValueMention, with_market

SENTENCE_END = re.compile(r"[。！？!?\n]+|;(?=\s)|；")
# (not the comma of 5,258 nor the colon of 9:30: digits on both sides)
CLAUSE_BREAK = re.compile(r"[，；（）()“”\"「」]|(?<!\d)[,;:：]|[,;:：](?!\d)")
SOURCE_AFTER = re.compile(r"^(?:的)?(?:最新|近期|近日|日前)?(?:分析师|报告|数据|统计|显示|研究|调查)")
# 花旗表示, 摩根士丹利预计: a broker speaking is a source; 台积电预计, 鸿海指出,
# 比亚迪披露: a company speaking gives its own figures and is their subject
SPEAKS_AFTER = re.compile(r"^(?:最新|近期|近日|日前)?(?:预测|预计|指出|表示|称|认为|估算|测算|发布|披露)")
# Figures of a company's own business: a place before them is a segment, not the subject.
COMPANY_METRICS = {"revenue", "net_profit", "operating_profit", "gross_profit", "eps", "rd_expense", "capex",
                   "pretax_profit", "operating_expense", "dividend", "gross_margin", "operating_margin", "net_margin",
                   "ebitda", "cash", "free_cash_flow", "operating_cash_flow", "buyback"}
ACTORS = ("company", "other")  # subjects that act: companies and investor groups (外资)
LISTED_ON = re.compile(r"(?:主板|创业板|科创板)?(?:挂牌|上市|交易|招股)")
ANALYST_SECTORS = ("finance", "bank")
ANALYST_VIEW = re.compile(r"^[^，。,]{0,6}?(?:看法|观点|认为|预估|估计|预计|预期|预测|指出|表示|报告|研报|分析师|给予|维持|上调|下调|调升|调降|重申|评级|目标价)")
CONJUNCTIONS = ("与", "和", "及")
CLAUSE_OPENERS = (",", "，", ";", "；", ":", "：")
PER_SHARE = ("每股", "每股约", "每股逾", "每股近")  # 亏损缩小至每股0.12元: a result per share
# 以海信日立为主体的中央空调业务: the company a business is run through names the
# segment; the figures are the reporting company's
VEHICLE_AFTER = re.compile(r"为(?:主体|核心|主|载体|平台)的")
# 于天猫、京东及抖音等平台的零售额, 抖音渠道增速: where a company sells is a channel, not a seller
CHANNEL_LIST = re.compile(r"(?:于|在|透过|通过|经由|借助)(?P<names>(?:[\u4e00-\u9fffA-Za-z]{1,8}[、及和与]){0,6}[\u4e00-\u9fffA-Za-z]{1,8}?)"
                          r"等?(?:电商|线上|网购|直播)?(?:平台|渠道|商城)")
CHANNEL_AFTER = re.compile(r"(?:电商)?渠道")
INSTRUMENT_BEFORE = ("以", "凭借", "借助", "透过", "通过", "利用", "采用")  # …X的牌照/平台/技术: a means, not a subject
PARTNER_AFTER = ("相比", "比较", "对比", "相较", "合作", "签", "共同", "联合", "一样", "相同", "之间")
OBJECT_BEFORE = ("来自", "向", "对", "给", "替", "从", "与", "和", "及", "取代", "超过", "低于", "高于", "落后")
SEGMENT_RE = re.compile(r"([\u4e00-\u9fffA-Za-z0-9]{2,10}?(?:业务|事业部|事业群|板块|部门))(?:的)?$")
AMOUNT_TYPES = ("amount", "size", "count", "price")
DAILY_METRICS = ("stock_price", "market_cap")
CONTEXT_GRANULARITIES = ("quarter", "half", "ytd", "year", "fiscal", "span")
LEAD_CHARS = 300
CONTINUATION = ("其中", "当中", "其次")
COMPANIES_COUNTED = re.compile(r"[^，,。；;]{0,8}?(?:企业|公司|厂商|车企|厂家|机构|券商|银行|会员)")
TARGET_PRICE = "目标价"  # the segment of a broker's target price (data/metrics.yaml): a forecast, no period
PREVIOUS_FISCAL_YEAR = re.compile(r"上一?个?(?:财年|财政年度|会计年度)")
def _comparison_period(p: PeriodMention) -> bool:
    """去年同期, 上一财年: named to compare with, never the period a text reports on."""
    return p.text.endswith("同期") or PREVIOUS_FISCAL_YEAR.match(p.text) is not None


CURRENT_PERIOD_WORDS = ("本季度", "本季", "当季", "该季度")
# Figures of a reporting period, which inherit the period the text reports on.
FLOW_METRICS = {
    "revenue", "net_profit", "operating_profit", "gross_margin", "operating_margin", "net_margin", "eps",
    "rd_expense", "capex", "gross_profit", "pretax_profit", "ebitda", "operating_expense", "expense_ratio",
    "free_cash_flow", "operating_cash_flow", "shipments", "net_interest_income", "net_interest_margin",
    "credit_loss", "roe", "roa", "asp", "revenue_share", "dividend", "market_share", "market_size", "other",
}
# Balances, which inherit the end day of that period.
STOCK_METRICS = {"total_assets", "total_liabilities", "debt_ratio", "cash", "inventory", "npl", "npl_ratio",
                 "capital_ratio", "accumulated_deficit"}


@dataclass
class Link:
    value: ValueMention
    subject: Entity | None
    subject_mention: EntityMention | None
    metric: str
    kind: str
    period: PeriodMention | None
    estimate: bool
    segment: str | None
    confidence: float
    sentence: tuple[int, int]
    rules: list[str] = field(default_factory=list)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    fiscal: str | None = None
    period_locked: bool = False  # a rule decided there is no period: do not inherit one
    daily: bool = False  # quoted per trading day (prices, market values, net buying)
    balance: bool = False  # a balance on a day: inherits the end day of the period reported on
    converts: Link | None = None  # the amount this one states in another currency


@dataclass
class Sentence:
    start: int
    end: int
    clauses: list[tuple[int, int]]


def split_sentences(text: str) -> list[Sentence]:
    out = []
    pos = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > pos and text[pos:m.start()].strip():
            out.append(_sentence(text, pos, m.end()))
        pos = m.end()
    if text[pos:].strip():
        out.append(_sentence(text, pos, len(text)))
    return out


def _sentence(text: str, start: int, end: int) -> Sentence:
    clauses = []
    pos = start
    for m in CLAUSE_BREAK.finditer(text, start, end):
        clauses.append((pos, m.start()))
        pos = m.end()
    clauses.append((pos, end))
    return Sentence(start, end, [c for c in clauses if c[1] > c[0]])


def _clause_of(sentence: Sentence, pos: int) -> tuple[int, int]:
    for a, b in sentence.clauses:
        if a <= pos < b:
            return a, b
    return sentence.start, sentence.end


_START = attrgetter("start")


def _within(items, a: int, b: int):
    """The mentions of ``items`` inside [a, b). Every recognizer's list is
    in text order (segment.py sorts them), so a binary search finds the
    first and the scan stops past ``b``: the assembler asks this for every
    value, and a long article's lists are long."""
    out = []
    for i in range(bisect.bisect_left(items, a, key=_START), len(items)):
        x = items[i]
        if x.start > b:
            break
        if x.end <= b:
            out.append(x)
    return out


@lru_cache(maxsize=1)
def _cues() -> lexicon.Cues:
    return lexicon.cues()


class Topic:
    """The company the article is talking about at this point. A company
    named in a sentence without figures (市场研究机构指出，微软停止支援…) is the
    topic only until its paragraph ends; then the topic of the last sentence
    with figures comes back."""

    def __init__(self) -> None:
        self.current: EntityMention | None = None
        self.with_figures: EntityMention | None = None
        self.aside_paragraph: int | None = None
        self.lead: EntityMention | None = None  # the first company the article names
        self.paragraph: int | None = None  # where the current topic was named or last had figures

    def enter(self, paragraph_index: int) -> None:
        if self.aside_paragraph not in (None, paragraph_index) and self.with_figures is not None:
            self.current = self.with_figures
            self.aside_paragraph = None

    def back_to_group(self, text: str, sentence: Sentence, subjects: list[EntityMention], paragraph_index: int) -> None:
        """阳光财险…。投资方面，截至年末，集团投资资产规模…: the group word, before any
        company the sentence names, takes the topic from a unit of the lead
        company back to the lead; so does 公司 alone in a later paragraph than
        the unit's (新光人寿…；…。公司预估…: within the unit's paragraph, 公司 is
        still the unit), or anywhere after a unit the text calls a subsidiary
        (核心子公司中美华东…。公司医药商业板块…: 公司 is the listed parent)."""
        if self.current is None or self.lead is None or self.current.entity == self.lead.entity:
            return
        subsidiary = text.endswith(SUBSIDIARY_WORDS, 0, self.current.start)
        if not subsidiary and not _unit_of(self.current.entity, self.lead.entity):
            return
        first = min((e.start for e in subjects if e.entity.type == "company"), default=sentence.end)
        if GROUP_STAND_IN.search(text, sentence.start, first) \
                or (subsidiary or paragraph_index != self.paragraph) and COMPANY_STAND_IN.search(text, sentence.start, first):
            self.current = self.with_figures = self.lead

    def update(self, mention: EntityMention | None, figures: list[Link] = (), paragraph_index: int = 0,
               peers: bool = False) -> None:
        if peers and mention is not None and self.with_figures is not None:
            # 同行业公司中，信立泰…；(next paragraph) 财务方面，公司货币资金…: peers named for
            # comparison are the topic until their paragraph ends, then the article's company is back
            self.current, self.aside_paragraph = mention, paragraph_index
            return
        subjects = [lk.subject_mention for lk in figures if lk.subject is not None and lk.subject.type == "company"]
        if subjects:
            self.with_figures, self.aside_paragraph = subjects[-1], None
            if self.current is not None and subjects[-1].entity == self.current.entity:
                self.paragraph = paragraph_index  # the topic's figures go on in this paragraph
        if mention is None or mention.entity.type != "company":
            return
        if self.lead is None:
            self.lead = mention
        self.current, self.paragraph = mention, paragraph_index
        if not figures and mention.entity != (self.with_figures.entity if self.with_figures else None):
            self.aside_paragraph = paragraph_index


GROUP_STAND_IN = re.compile(r"(?<![\u4e00-\u9fffA-Za-z])(?:本|该)?集团(?!旗下|内)")  # 集团 alone, no name before it
SUBSIDIARY_WORDS = ("子公司", "附属公司")  # 核心子公司|中美华东: the name after them is a unit of the group
COMPANY_STAND_IN = re.compile(r"(?<![\u4e00-\u9fffA-Za-z])本?公司(?!旗下|内)")  # 公司 alone


def _unit_of(entity: Entity, lead: Entity) -> bool:
    """阳光财险 of 阳光保险集团, 太保产险 of 中国太保, 广发基金 of 广发证券: another
    company that carries the lead's brand (the first two characters of its
    name after a place; 中国太平 is no unit of 中国平安)."""
    if entity == lead or entity.type != "company" or len(lead.name) < 4:
        return False
    place = region_gazetteer().longest_at(lead.name, 0)
    brand = lead.name[place[0]:] if place is not None else lead.name
    return len(brand) >= 2 and entity.name[:2] == brand[:2] and not lead.name.startswith(entity.name)


MONTH_REPORTS_ON = re.compile(r"[^，,。；;：:]{0,6}$")  # between a month and the metric it dates: no punctuation


def _reports_on(period: PeriodMention, text: str, metrics: list[MetricMention]) -> bool:
    """Is the month followed, in its clause, by the metric it dates (10月自结合并营收)
    or by the report it names (10月海关进出口贸易统计, 10月经营简报)?"""
    after = next((m for m in metrics if m.start >= period.end), None)
    if after is not None and after.start - period.end <= 6 and MONTH_REPORTS_ON.search(text, period.end, after.start) is not None:
        return True
    return _month_report().match(text, period.end) is not None


@lru_cache(maxsize=1)
def _month_report() -> re.Pattern:
    return re.compile(rf"[^，,。；;：:\n]{{0,10}}?(?:{lexicon.alternation(_cues().report_words) or '(?!)'})")


PART_OPENERS = ("其中", "其中,", "其中，")


HEADER_END = ("：", ":")
LIST_LINE = re.compile(r"[^，,。；;：:\n]{1,12}[：:]")  # 7月：37.5亿元（月增4.2%）, 原煤产量：…: a label, then the figures


def paragraph_starts(text: str) -> list[int]:
    """Where each paragraph starts: at every line, except the lines of a list
    under a header line (公司披露前三季度主要经营数据：/原煤产量：1,568.4万吨/…),
    which go on with the header's paragraph and its period."""
    starts, in_list, at = [], False, 0
    for line in text.split("\n"):
        stripped = line.strip()
        if at and in_list and LIST_LINE.match(stripped):
            pass
        elif at:
            starts.append(at)
        in_list = stripped.endswith(HEADER_END) or in_list and bool(LIST_LINE.match(stripped))
        at += len(line) + 1
    return starts


class PeriodContext:
    """The reporting period the article is talking about: the last one named
    in this paragraph, else the one named in the lead. A flow figure with no
    period of its own (报告期内，营收...) takes it; an as-of figure (资本充足率)
    takes its end day."""

    def __init__(self, published: dt.date | None = None) -> None:
        self.published = published
        self.lead_day: PeriodMention | None = None
        self.main: PeriodMention | None = None
        self.paragraph: PeriodMention | None = None
        self.day: PeriodMention | None = None  # the trading day this paragraph is about
        self.paragraph_index = -1

    def enter(self, paragraph_index: int) -> None:
        if paragraph_index != self.paragraph_index:
            self.paragraph, self.day, self.paragraph_index = None, None, paragraph_index

    def observe(self, periods: list[PeriodMention], text: str = "", metrics: list[MetricMention] = ()) -> None:
        for p in periods:
            if self.main is None and p.granularity == "month" and p.role == "period" and p.start < LEAD_CHARS \
                    and _reports_on(p, text, metrics):
                self.main = p  # 10月自结合并营收: a monthly report; a month in passing (4月，...) is no context
            if p.role == "period" and p.granularity == "day" and self.day is None:
                self.day = p  # the paragraph's first day: later ones (该公司昨天...) are asides
            if p.role == "period" and p.granularity == "day" and p.start < LEAD_CHARS and (
                    self.lead_day is None or (p.period_start == self.published != self.lead_day.period_start)):
                # 美股昨天收黑...台股今天: the lead's quote of the publication day wins
                self.lead_day = p
            if _comparison_period(p) or p.text in WHOLE_YEAR_WORDS or p.text in CURRENT_PERIOD_WORDS:
                continue  # 去年同期, 上一财年 are comparisons; 全年, 本季度 take their year from the context
            if p.text in PREVIOUS_QUARTER_WORDS or (text and text[p.start - 1:p.start] in FROM_WORDS):
                continue  # 较上季, 由第二季的48%拉升至56%: the period of an earlier figure reports on nothing
            if text and text.endswith(PART_OPENERS, max(0, p.start - 3), p.start):
                continue  # 前三季度…；其中第三季度售价环比回升: a part of the period, for its own clause only
            if p.granularity == "span" and p.period_start and (p.period_end - p.period_start).days < 28:
                continue  # 本周, 15日至19日: a few days (an offer window, a week's trading) report on nothing
            if p.role == "period" and p.granularity in CONTEXT_GRANULARITIES and (p.period_start or p.fiscal):
                if self.paragraph is not None and self.paragraph.fiscal and not p.fiscal and p.granularity == "quarter":
                    continue  # 创下9月季度新高 inside a fiscal-quarter report does not replace it
                self.paragraph = p
                if self.main is None and p.start < LEAD_CHARS:
                    self.main = p

    def current(self) -> PeriodMention | None:
        return self.paragraph or self.main

    def trading_day(self) -> PeriodMention | None:
        """The paragraph's day, else the lead's when it is the publication day
        or the day before (a market report); an older lead day dates an
        event, not the prices quoted later."""
        if self.day is not None:
            return self.day
        if self.lead_day is not None and self.published is not None and 0 <= (self.published - self.lead_day.period_start).days <= 1:
            return self.lead_day
        return None


def assemble(doc: Doc, default_market: str) -> list[Link]:
    text = doc.text
    links: list[Link] = []
    topic = Topic()
    context = PeriodContext(doc._.published)
    paragraphs = paragraph_starts(text)
    for sentence in split_sentences(text):
        paragraph_index = bisect.bisect_right(paragraphs, sentence.start)
        context.enter(paragraph_index)
        topic.enter(paragraph_index)
        ents = _within(doc._.entities, sentence.start, sentence.end)
        # what an industry sold (销售各类挖掘机, 新能源汽车方面) is a market only in an article about no company
        subjects = _without_speakers_of_others(text, [e for e in ents if _can_be_subject(text, e, sentence)
                                                      and not (e.source == "sales-object" and topic.current is not None)
                                                      and not _product_taken_for_company(doc, e)
                                                      and not _place_inside_metric_word(doc, e)])
        topic.back_to_group(text, sentence, subjects, paragraph_index)
        sentence_links: list[Link] = []
        values = _within(doc._.values, sentence.start, sentence.end)
        for value in values:
            link = _link(doc, sentence, value, subjects, topic, default_market, sentence_links, links)
            if link is not None:
                sentence_links.append(link)
        _distribute_enumerations(doc, sentence, sentence_links)
        _from_to(doc, sentence, sentence_links)
        days = [lk.period for lk in sentence_links if lk.daily and lk.period is not None and lk.period.granularity == "day"]
        for link in sentence_links:
            _inherit_period(link, context.trading_day() if link.daily else context.current())
            if link.daily:
                _to_trading_day(link, days[-1] if days else context.trading_day(), doc._.published)
        for link in sentence_links:
            if link.converts is not None:  # 约合人民币九千六百亿元: the period its amount took
                link.period_start, link.period_end, link.fiscal = link.converts.period_start, link.converts.period_end, link.converts.fiscal
            _interim_dividend(text, link)
        context.observe(_context_periods(doc, sentence, values), text, doc._.metrics)
        links.extend(sentence_links)
        companies_here = [e for e in subjects if e.entity.type == "company"]
        topic.update(_head_company(text, companies_here) if companies_here else None, sentence_links, paragraph_index,
                     peers=_peer_sentence(text, sentence))
    return _dedupe(links)


INTERIM_DIVIDEND = re.compile(r"中期(?:股)?息(?:每股)?(?:为|约)?$")


def _interim_dividend(text: str, link: Link) -> None:
    """连同已派发的中期息12港仙, in a full-year report: the interim dividend is
    of the first half of the year reported (FY2025-H1, 2025-01-01..06-30)."""
    if link.metric != "dividend" or link.period_start is None or link.period_end is None \
            or not INTERIM_DIVIDEND.search(text, max(0, link.value.start - 8), link.value.start):
        return
    if (link.period_end - link.period_start).days < 360 or (link.fiscal and "-" in link.fiscal):
        return  # already a half (中期业绩) or a quarter
    link.period_end = months_after(link.period_start, 6) - dt.timedelta(days=1)
    link.fiscal = f"{link.fiscal}-H1" if link.fiscal else None
    link.rules.append("period: the first half of the year (an interim dividend)")


def _peer_sentence(text: str, sentence: Sentence) -> bool:
    """同业方面，…; 同行业公司中，…: a sentence that opens by naming peers for comparison."""
    return PEER_OPENING.match(text, sentence.start) is not None


PEER_OPENING = re.compile(r"\s*(?:此外|另外|而)?[，,]?(?:同业|同行|同类|可比|其他)[\u4e00-\u9fff]{0,6}?(?:方面|中|来看|比较|对比)?[，,：:]")


@lru_cache(maxsize=1)
def _opened_before() -> re.Pattern:
    """新开门店 (stores opened): cues.yaml opened_words, right before a balance's metric word."""
    return re.compile(rf"(?:{lexicon.alternation(_cues().opened_words)})(?:了)?$")


@lru_cache(maxsize=1)
def _opened_before_value() -> re.Pattern:
    """再新开约150个网点: an opened word a few words before the number makes
    the count a flow too; a net change (净减少37个至412个) stays dated as the
    balance it moves."""
    opened = [w for w in _cues().opened_words if not w.startswith("净")]
    return re.compile(rf"(?:{lexicon.alternation(opened)})[^，,。；;:：\d]{{0,7}}$")


@lru_cache(maxsize=1)
def _parent_of_next() -> re.Pattern:
    """紫金矿业(601899)分拆的|紫金黄金国际: between two companies, the words
    (cues.yaml parent_words) that make the first only qualify the second."""
    return re.compile(rf"\s?(?:[(（][^()（）]{{1,12}}[)）])?\s?(?:{lexicon.alternation(_cues().parent_words)})$")


MARKET_SIZE_OF = ("shipments", "revenue")  # what a whole market's figure of is its size


def _market_of_company(code: str, subject: Entity | None, topic: Topic, previous: list[Link]) -> bool:
    """A market or place that takes a share of revenue (or goes on from one)
    in an article about a company is where that company sells."""
    if subject is None or subject.type not in ("market", "region") or topic.current is None:
        return False
    return code == "revenue_share" or (code == "market_share" and bool(previous) and previous[-1].metric == "revenue_share"
                                        and previous[-1].subject == topic.current.entity)


def _seller_in_place(subjects: list[EntityMention], sentence: Sentence, value: ValueMention, code: str,
                     subject: Entity | None, topic: Topic) -> EntityMention | None:
    """The company whose figure in a place's market (中国市场) this is: one
    named earlier in the sentence, else, for a company's own metric, the
    article's topic."""
    if subject is None or not _place_market(subject):
        return None
    named = [e for e in subjects if e.entity.type == "company" and sentence.start <= e.start and e.end <= value.start]
    if named:
        return named[-1]
    return topic.current if code in COMPANY_METRICS else None


def _place_market(subject: Entity) -> bool:
    """中国市场, 北美市场: a place and 市场, no product (全球智能手机市场 has one)."""
    if subject.type != "market" or not subject.name.endswith("市场"):
        return False
    place = region_gazetteer().get(subject.name.removesuffix("市场"))
    return place is not None and place.type == "region"


# 交通部观光署统计，… / 国家统计局数据显示，…: a sentence that opens with an agency's statistics
# (外部环境方面，经济部统计处日前公布，…: after a topic phrase, and with the day of the release)
STATISTICS_OPENING = re.compile(
    r"(?:[^,，。；;]{1,10}方面[,，])?[\u4e00-\u9fff]{1,12}?(?:部|局|署|处|厅|委|统计处|统计局|主计总处)(?:的)?"
    r"(?:(?:最新)?(?:统计|数据|资料)(?:则|亦|也)?(?:显示|指出)?|(?:则|亦|也)?(?:日前|近日|昨日|今日|昨天|今天|最新)?(?:公布|发布)(?:数据|资料)?(?:显示)?)[,，]")


def _statistics_opening(text: str, sentence: Sentence) -> re.Match | None:
    return STATISTICS_OPENING.match(text, sentence.start)


INDUSTRY_BEFORE = re.compile(r"(?P<industry>[\u4e00-\u9fff]{2})业$")  # 餐饮业, 零售业
NO_INDUSTRY = frozenset("产行企营物专事农作")  # 产业, 行业, 企业, 营业… are no industry's name


def _industry_before(text: str, metric: MetricMention) -> str | None:
    """餐饮业营业额: the industry written right before a metric, without 业."""
    m = INDUSTRY_BEFORE.search(text, max(0, metric.start - 3), metric.start)
    return m.group("industry") if m and m.group("industry")[-1] not in NO_INDUSTRY else None


def _industry_market(market: str, industry: str, rules: list[str]) -> Entity | None:
    """The home economy's market of an industry (台湾餐饮市场)."""
    region = _home_region(market)
    if region is None:
        return None
    market = market_entity(region.name, industry)
    rules.append(f"subject: {market.name}, the industry an agency's statistic counts")
    return market


def _place_of_paragraph(doc: Doc, sentence: Sentence, opening: re.Match) -> Entity | None:
    """The last region named in the paragraph before the sentence, or in
    the agency's name that opens it (``opening``: 澳门统计暨普查局数据显示，);
    not one in the figures' own words (其中内地旅客…占整体约七成六)."""
    start = doc.text.rfind("\n", 0, sentence.start) + 1
    places = [e for e in _within(doc._.entities, start, opening.end()) if e.entity.type == "region"]
    return places[-1].entity if places else None


def _commodity_market(doc: Doc, sentence: Sentence, metric: MetricMention, subject_mention: EntityMention | None) -> Entity | None:
    """长江现货A00铝均价, 国内聚合MDI市场均价: the market of the commodity
    (regions.yaml commodities) written before a price word in its clause,
    named with the place the clause names (else 中国), unless a company of
    the clause sells at that price (公司商品煤平均售价)."""
    text = doc.text
    start = _clause_of(sentence, metric.start)[0]
    if subject_mention is not None and subject_mention.entity.type == "company" and subject_mention.start >= start:
        return None
    if "售" in metric.text or COMPANY_STAND_IN.search(text, start, metric.start):
        return None  # 公司ABC组件平均售价: what the company sells at
    span = text[start:metric.end]
    found = max(((span.rfind(w), len(w), w) for w in lexicon.regions().commodities if w in span), default=None)
    if found is None:
        return None
    at = start + found[0]
    places = [e for e in _within(doc._.entities, start, at) if e.entity.type == "region"]
    return market_entity(places[-1].entity.name if places else CHINA, lexicon.regions().commodities[found[2]])


CHINA = "中国"


def _home_region(market: str) -> Entity | None:
    name = lexicon.regions().home_regions.get(market)
    return Entity(None, name, "region") if name else None


def _destination(metric: MetricMention, rules: list[str]) -> Entity | None:
    """访澳旅客: the place a visitor count names (cues.yaml destination_words) is its subject."""
    for word, place in _cues().destination_words.items():
        if word in metric.text:
            entity = region_gazetteer().get(place)
            if entity is not None:
                rules.append(f"subject: {place}, where the visitors of {metric.text} go")
                return entity
    return None


def _home_economy(market: str, why: str, rules: list[str], confidence: float) -> tuple[Entity | None, float]:
    """The economy of the article's market as the subject of a statistic
    (none, and ``confidence`` unchanged, for a market without a home region)."""
    subject = _home_region(market)
    if subject is None:
        return None, confidence
    rules.append(f"subject: {subject.name}, {why} the article's market")
    return subject, 0.5


def _context_periods(doc: Doc, sentence: Sentence, values: list[ValueMention]) -> list[PeriodMention]:
    """The periods of a sentence that may date what follows: in a sentence with
    figures (``values``), not those after its last figure (净息差收窄至1.97%，主要反映
    HIBOR于第二季急跌: the quarter explains, the report is still of the half year)."""
    periods = _within(doc._.periods, sentence.start, sentence.end)
    if not values:
        return periods
    return [p for p in periods if p.start < values[-1].end]


def _head_company(text: str, companies_here: list[EntityMention]) -> EntityMention:
    """The company a sentence is about: the first, unless it is the parent
    that qualifies the next one (紫金矿业分拆的紫金黄金国际今日挂牌)."""
    first = companies_here[0]
    if len(companies_here) > 1 and _parent_of_next().match(text, first.end, companies_here[1].start):
        return companies_here[1]
    return first


def _place_inside_metric_word(doc: Doc, e: EntityMention) -> bool:
    """全球 in 全球发售: a place that is part of a metric word is no subject."""
    return e.entity.type == "region" and any(m.start <= e.start and e.end <= m.end and m.end - m.start > e.end - e.start
                                             for m in _within(doc._.metrics, e.start - 8, e.end + 8))


def _product_taken_for_company(doc: Doc, e: EntityMention) -> bool:
    """淘天集团 read as an unseen company by its suffix: it is a business unit
    of its maker (products.yaml), whose figures the product rule gives."""
    return not e.entity.known and any(p.start < e.end and e.start < p.end for p in doc._.products or ())


def _without_speakers_of_others(text: str, subjects: list[EntityMention]) -> list[EntityMention]:
    """鸿海指出，第三季营收季增20%: the company that speaks is the subject;
    中钢表示，中国大陆前三季粗钢产量…: one that speaks of another subject
    named after it is not."""
    return [e for i, e in enumerate(subjects)
            if not (SPEAKS_AFTER.match(text[e.end:e.end + 6]) and any(o.start >= e.end for o in subjects[i + 1:]))]


def _can_be_subject(text: str, e: EntityMention, sentence: Sentence) -> bool:
    """Not a source (花旗分析师, 据IDC数据) nor an object (来自英伟达的收入)."""
    after = text[e.end:min(sentence.end, e.end + 6)]
    before = text[max(sentence.start, e.start - 3):e.start]
    if SOURCE_AFTER.match(after):
        return False
    if SPEAKS_AFTER.match(after) and (e.entity.type != "company" or e.entity.sector in ANALYST_SECTORS):
        return False
    if e.entity.sector in ANALYST_SECTORS and ANALYST_VIEW.match(text[e.end:min(sentence.end, e.end + 12)]):
        return False  # 摩根士丹利的看法相对保守，估计...: a broker's forecast is about another company
    if before.endswith("以") and VEHICLE_AFTER.match(text, e.end):
        return False
    if e.entity.type == "company" and _is_channel(text, e.start, e.end, sentence.start, sentence.end):
        return False
    if before.endswith(INSTRUMENT_BEFORE) and text.startswith("的", e.end) and not find_metrics(text[e.end + 1:e.end + 8]):
        return False  # 该场以澳博的博彩牌照营运: whose licence, platform or technology is used, not who reports
    word = next((w for w in OBJECT_BEFORE if before.endswith(w)), None)
    if word is not None:
        # ，及元大人寿则获利30.1亿元: a conjunction opening a clause joins subjects
        opening = text[max(sentence.start, e.start - len(word) - 1):e.start - len(word)]
        # (与招行相比, 与英伟达合作: the frame of a comparison or a deal, an object)
        return word in CONJUNCTIONS and (e.start - len(word) == sentence.start or opening in CLAUSE_OPENERS) \
            and not after.startswith(PARTNER_AFTER)
    if before.endswith("在") and (LISTED_ON.match(after) if e.entity.type == "company" else e.entity.type == "market"):
        # 在港交所挂牌: the exchange is a place; 该公司在全球动力电池市场中的市占率: the market is the scope
        return False
    return True


def _is_channel(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Is the company or product at start:end where goods are sold (抖音渠道,
    于天猫、京东等平台), looking for lists between lo and hi?"""
    if CHANNEL_AFTER.match(text, end):
        return True
    return any(m.start("names") <= start and end <= m.end("names") for m in CHANNEL_LIST.finditer(text, lo, hi))


def _link(doc: Doc, sentence: Sentence, value: ValueMention, subjects: list[EntityMention], topic: Topic, default_market: str, previous: list[Link], history: list[Link]) -> Link | None:
    text = doc.text
    rules: list[str] = []
    clause = _clause_of(sentence, value.start)
    conversion = _conversion_of(doc, value, previous)
    if conversion is not None:
        return conversion
    restated = _restated_change(text, clause, value, previous)
    if restated is not None:
        return restated
    if _in_condition(text, clause, value):
        rules.append("dropped: inside the condition of a hypothetical (若...), not a figure")
        return None
    metric = _metric_for(doc, sentence, clause, value, rules)
    if metric is None:
        rules.append("dropped: no metric word in the sentence")
        return None
    if (metric.code in DAILY_METRICS or metric.daily) and (THRESHOLD_AFTER.match(text, value.end) or THRESHOLD_BEFORE.search(text, clause[0], value.start)):
        # 营收突破10兆元大关 is a fact (qualifier over); a price's round level is not
        rules.append("dropped: a price threshold (失守1400元关卡, 站回900元), not a figure")
        return None
    if value.unit_type == "count" and metric.type not in ("count", "size") and value.unit != "点" and value.unit not in metric.counts:
        rules.append("dropped: a count without a count metric (narrative count)")
        return None
    if value.unit == "家" and COMPANIES_COUNTED.match(text, value.end):
        rules.append("dropped: a count of the companies a statistic covers (26家企业), narrative")
        return None
    kind = _kind(doc, clause, sentence, metric, value, rules)
    if kind is None:
        return None
    code = metric.code
    value = _per_share(text, clause, code, value, rules)
    if code == "dividend" and value.unit_type == "money" and abs(value.value) >= 1e6:
        # FACT_SPEC's dividend is per share; a total payout (派发现金红利346.71亿元) is `other`
        code, metric = "other", MetricMention(metric.start, metric.end, metric.text, "other", metric.type, segment="分红总额")
        rules.append("metric: other (a total dividend payout, not per share)")
    destination = _destination(metric, rules)
    if destination is not None:
        subject_mention, subject, confidence = None, destination, 0.7
    else:
        subject_mention, confidence = _subject(text, sentence, clause, value, metric, subjects, topic, rules, previous, history)
        subject = subject_mention.entity if subject_mention else None
    opening = _statistics_opening(text, sentence) if subject is None else None
    if opening is not None:
        industry = _industry_before(text, metric)
        if industry is not None and code in MARKET_SIZE_OF:
            # 经济部统计处日前公布，10月餐饮业营业额…: an industry's sales are its market's size
            subject = _industry_market(default_market, industry, rules)
        elif metric.market or code not in COMPANY_METRICS:
            # 交通部观光署统计，今年1至9月来台旅客约625万人次: an agency's statistic is the economy's,
            # not the company the article is about: the place the paragraph names
            # (澳门…。博彩监察协调局则公布，10月博彩毛收入…), else the article's home economy
            place = _place_of_paragraph(doc, sentence, opening)
            if place is not None:
                subject, confidence = place, 0.6
                rules.append(f"subject: {place.name}, the place of the paragraph an agency's statistic counts")
            else:
                subject, confidence = _home_economy(default_market, "an agency's statistic of", rules, confidence)
    if subject is None and topic.current is not None:
        subject_mention, subject = topic.current, topic.current.entity
        confidence = 0.6
        rules.append("subject: article topic")
    elif subject is None:
        # an industry report about no company: 1-11月，汽车产销累计... goes on about the market last named
        # (or the economy: 1—9月份，全国规模以上工业企业... then 规模以上工业企业实现营业收入...)
        market = next((lk.subject_mention for lk in reversed(history) if lk.subject is not None
                       and (lk.subject.type == "market" and lk.subject.sector is None or lk.subject.type == "region")), None)
        if market is not None:
            subject_mention, subject, confidence = market, market.entity, 0.5
            rules.append(f"subject: {market.entity.name}, the {market.entity.type} the article reports on")
        elif code not in COMPANY_METRICS:
            # 政府统计处公布，9月零售业总销货价值...: before any company or place is named,
            # a statistic is of the home economy (a margin or an EPS is never an economy's)
            subject, confidence = _home_economy(default_market, "the economy of", rules, confidence)
    if code in DAILY_METRICS and subject is not None and subject.type == "other" and topic.current is not None:
        # 美系外资维持买进评等，目标价2,900元; 外资卖超1,850张，市值约503亿元: a share price or
        # market value is a company's, not an investor group's: the company quoted earlier in
        # the sentence (华新科昨日股价收103.5元…), else the topic
        quoted = next((lk.subject_mention for lk in reversed(previous) if lk.sentence == (sentence.start, sentence.end)
                       and lk.subject is not None and lk.subject.type == "company"), None) or topic.current
        subject_mention, subject, confidence = quoted, quoted.entity, 0.6
        rules.append(f"subject: {subject.name} (a share price or market value of no investor group)")
    product = _product_before(doc, clause, metric, value)
    if product is not None and product.owner != subject and not (
            subject_mention is not None and clause[0] <= subject_mention.start < clause[1]):
        # 业内估计，昇腾芯片明年出货量有望突破100万片: the maker, unless the clause names another company
        subject_mention, subject, confidence = EntityMention(product.start, product.end, product.text, product.owner, "product"), product.owner, 0.7
        rules.append(f"subject: {product.owner.name}, the maker of {product.text}")
    if code == "share":
        code = _metric_code(doc, sentence, clause, metric, value, subject, previous or history, rules)
        if code == "other" and metric.segment is None:
            metric = replace(metric, segment=_share_segment(text, clause, metric))
        elif code == "expense_ratio":
            metric = replace(metric, segment=expense_of_share(text, sentence, metric))
        if _market_of_company(code, subject, topic, previous):
            # 美国市场第三季营收约占总营收的七成五; 日本与韩国市场合计比重约一成: where the
            # company sells, a segment of its revenue, not a market of its own
            metric = replace(metric, segment=metric.segment or subject_mention.text)
            subject_mention, subject, confidence, code = topic.current, topic.current.entity, 0.6, "revenue_share"
            rules.append(f"subject: {subject.name}, whose revenue the market {metric.segment} is a share of")
    seller = _seller_in_place(subjects, sentence, value, code, subject, topic)
    if seller is not None:
        # 分地区看，中国市场收入约为45.2亿港元; 百威亚太…，其中中国市场销量按年下滑8.3%:
        # what a company sells in one place
        metric = replace(metric, segment=metric.segment or subject_mention.text)
        subject_mention, subject, confidence = seller, seller.entity, 0.6
        rules.append(f"subject: {subject.name}, who sells in {metric.segment}")
    whole_market = _stock_market(doc, sentence, metric, value, default_market, rules)
    if whole_market is not None:
        subject_mention, subject, confidence = whole_market, whole_market.entity, 0.75
    market = subject.market if subject is not None and subject.market else default_market
    if code in DAILY_METRICS and subject is not None and subject.listings:
        # a price is quoted where the shares trade: 腾讯's 642.5元 in Hong Kong is HKD
        market = default_market if default_market in subject.listings else subject.listings[0]
    value = _typed_plain(value, metric, market, history, rules)
    value = with_market(value, market)
    value = _apply_sign(text, clause, metric, kind, value, rules)
    period = _period(doc, sentence, clause, value, metric, rules)
    event_dated = period is EVENT
    if event_dated:
        period = None
    base = _base_level(doc, value)
    if base is not None and value.unit_type == "percent" and metric.type in AMOUNT_TYPES:
        # 增速较上半年的7.6%明显放缓: a percent of an amount is the growth the comparison period had
        kind, period = (kind if kind != "level" else "yoy"), base
        rules.append(f"kind: {kind}, the growth of the comparison period {base.text}")
    elif base is not None:
        # 较去年同期的32.6亿元: the level of the comparison period, not a growth
        kind, period = "level", base
        rules.append(f"kind: level of the comparison period {base.text}")
    if kind == "qoq" and period is not None and period.granularity == "month":
        kind = "change"  # 环比 of a monthly figure is month-on-month: FACT_SPEC has no kind for it
        rules.append("kind: change (环比 of a month)")
    if kind in ("yoy", "qoq", "change"):
        # (毛利率5.6%，较第二季提升0.3个百分点 in a third-quarter report: a change against the quarter before is qoq)
        kind = _kind_against_date(doc, clause, value, period, kind, rules)
    estimate = _estimate(doc, clause, value) or _forecast_sentence(doc, sentence, period)
    target = TARGET_AFTER.match(text, value.end) is not None or metric.segment == TARGET_PRICE
    if target:
        # 处于14%至14.5%的中期目标范围: a target, with no period of its own here
        estimate, period = True, None
        rules.append("estimate: a target (目标 after the number); no period")
    segment = metric.segment or (product.segment if product is not None else None) or _segment(text, clause, metric) \
        or _region_segment(doc, clause, metric, subject) \
        or _segment_of_level(previous, kind, code, subject)
    if code == "market_share" and "渗透率" in metric.text and subject is not None and subject.type == "company":
        # 长城汽车新能源渗透率31.8%, 5G套餐用户渗透率: a share of the company's own sales or users
        code, segment = "other", segment or metric.text
        rules.append("metric: other (a company's penetration rate is a share of its own quantity)")
    if code == "asp":
        commodity = _commodity_market(doc, sentence, metric, subject_mention)
        if commodity is not None or (subject is not None and subject.type == "market"):
            # 秦皇岛港5500大卡动力煤平仓价为686元/吨: a market's price, no selling price of a company
            subject = commodity or subject
            subject_mention = None if commodity is not None else subject_mention
            code, segment = "other", segment or metric.text
            rules.append(f"subject: {subject.name}, the market whose price {metric.text} is; metric: other")
    if code == "stock_price" and subject is not None and subject.sector == PRICE_INDEX:
        # SCFI收在1198.21点, 美西线运价1674美元: a freight index, no share price
        code, segment = "other", segment or _priced_route(text, clause, value) or "指数点位"
        rules.append(f"metric: other ({subject.name} is a price index)")
    if code == "market_size" and subject is not None and subject.type == "company":
        # 公募管理规模1.56万亿元, 受托资产规模: a company's scale is no market's size
        code, segment = "other", segment or metric.text
        rules.append("metric: other (the scale of a company, not a market's size)")
    if code == "net_profit" and text.endswith(PER_SHARE, max(0, value.start - 3), value.start) and value.unit_type == "money":
        code = "eps"  # 亏损可望缩小至每股0.12元: a result per share
        rules.append("metric: eps (每股 before the amount)")
    if metric.market and subject is not None and subject.type == "region":
        # 澳门…10月份幸运博彩毛收入: a place's gaming revenue is the size of its gaming market
        subject = market_entity(subject.name, metric.market)
        rules.append(f"subject: {subject.name}, the market of a place's {metric.text}")
    if code in MARKET_SIZE_OF and subject is not None and subject.type == "market":
        code = "market_size"  # a whole market's sales volume or revenue (快递业务收入) is its size
        rules.append("metric: market_size (the shipments or revenue of a market)")
    link = Link(value, subject, subject_mention, code, kind, period, estimate, segment, confidence, (sentence.start, sentence.end), rules)
    link.daily = _quoted_daily(metric)
    # 门店总数 is counted on a day; 新开门市 (stores opened) is a flow over the period
    link.balance = (metric.balance or code in STOCK_METRICS) and not (
        _opened_before().search(text, max(0, metric.start - 3), metric.start)
        or _opened_before_value().search(text, max(sentence.start, value.start - 12), value.start)
        or _opened_before_value().search(text, max(sentence.start, metric.start - 10), metric.start))
    if metric.undated:
        period = link.period = None
    if event_dated or target or (estimate and link.balance and period is None) or metric.undated:
        # an event's figure, a target ratio (14%至14.5%的中期目标), an offer's terms
        # (超额认购1,110倍, 一手中签率10%: metrics.yaml undated): no period of the report
        link.period_locked = True
    _fill_period(link, previous)
    return link


PER_N_SHARES = re.compile(r"每(?P<n>\d+)股[^，,。；;]{0,6}$")


def _per_share(text: str, clause, code: str, value: ValueMention, rules: list[str]) -> ValueMention:
    """每10股派276.24元: FACT_SPEC's dividend is per share, 27.624."""
    m = PER_N_SHARES.search(text, clause[0], value.start)
    if code not in ("dividend", "eps") or m is None or int(m.group("n")) <= 1:
        return value
    n = int(m.group("n"))
    rules.append(f"value: per share (每{n}股)")
    return replace(value, value=round(value.value / n, 10))


def _change_from_base(doc: Doc, after_cue: int, value: ValueMention) -> bool:
    """较去年同期的3.73元增加0.15元: the base's level, a change word (cues.yaml),
    then the amount of the change (ANNOTATION M10: a growth in money keeps its kind)."""
    levels = [v for v in _within(doc._.values, after_cue, value.start) if v.unit == value.unit]
    if not levels:
        return False
    return any(c.cue == "kind:change" and not doc.text[c.end:value.start].strip("了约逾近超过 ")
               for c in _cues_between(doc, levels[-1].end, value.start))


def _kind_against_date(doc: Doc, clause: tuple[int, int], value: ValueMention, period: PeriodMention | None, kind: str,
                       rules: list[str]) -> str:
    """估值为380亿港元（6月底），较去年12月底下跌约1.5%; 第三季纯益…较第二季
    大增逾一倍: a figure compared with the same kind of period earlier is yoy a
    year back, qoq a quarter back, else a change."""
    if period is None or period.period_end is None or period.period_start is None:
        return kind
    length = (period.period_end - period.period_start).days
    # the same kind of period: a day against a day, a quarter against a quarter (较第二季大增逾一倍)
    bases = [p for p in _within(doc._.periods, clause[0], value.start)
             if p.role == "base" and p.period_end is not None and p.period_start is not None
             and abs((p.period_end - p.period_start).days - length) <= 3]
    if not bases:
        return kind
    back = (period.period_end.year - bases[-1].period_end.year) * 12 + period.period_end.month - bases[-1].period_end.month
    if back <= 0:
        return kind  # 较上年 read against the publication year, not the year reported: no telling
    against = "yoy" if back == 12 else "qoq" if back == 3 else "change"
    if against != kind:
        rules.append(f"kind: {against} (against {bases[-1].text}, {back} months before)")
    return against


def _base_level(doc: Doc, value: ValueMention) -> PeriodMention | None:
    """较去年同期的32.6亿元, 较二季度亏损11.58亿元: the amount right after the
    comparison period (nothing but 的 or metric words between) is its level."""
    for p in doc._.periods:
        if p.role != "base" or not p.period_start or not p.end <= value.start <= p.end + 12:
            continue
        gap = list(doc.text[p.end:value.start])
        for m in _within(doc._.metrics, p.end, value.start):
            gap[m.start - p.end:m.end - p.end] = [""] * (m.end - m.start)
        if "".join(gap).replace("的", "") == "":
            return p
    return None


def _typed_plain(value: ValueMention, metric: MetricMention, market: str, history: list[Link], rules: list[str]) -> ValueMention:
    """营收三年未破8亿: a bare amount of a money metric is money in the local
    currency; 华为70万的年出货量: a bare count takes the unit the article used
    for the same metric before."""
    if value.unit_type != "plain":
        return value
    if metric.type in ("amount", "price"):
        rules.append("unit: local currency of a bare amount")
        return replace(value, unit_type="money", currency_source="local", unit=lexicon.units().market_currency[market])
    if metric.type == "count" and metric.unit:
        rules.append(f"unit: {metric.unit}, the unit of {metric.text}")
        return replace(value, unit_type="count", unit=metric.unit)
    if metric.type == "count":
        earlier = next((lk for lk in reversed(history) if lk.metric == metric.code and lk.value.unit_type == "count"), None)
        if earlier is not None:
            rules.append(f"unit: {earlier.value.unit}, as for the same metric earlier")
            return replace(value, unit_type="count", unit=earlier.value.unit)
    return value


def _metric_for(doc: Doc, sentence: Sentence, clause: tuple[int, int], value: ValueMention, rules: list[str]) -> MetricMention | None:
    text = doc.text
    metrics = _within(doc._.metrics, sentence.start, sentence.end)
    compatible = [m for m in metrics if _compatible(m, value)]
    # 超30%的市场份额, 82万张的出货量: a metric right after "的" names the number.
    after = [m for m in compatible if clause[0] <= m.start and m.end <= clause[1]
             and (m.start == value.end or (0 <= m.start - value.end <= 8 and text[value.end:value.end + 1] == "的"))]
    if after:
        rules.append(f"metric: {after[0].text} after the number")
        return after[0]
    before_clause = [m for m in compatible if clause[0] <= m.start and m.end <= value.start]
    shares = [m for m in before_clause if m.code == "share"]
    if shares and value.unit_type == "percent":
        # 中国区营收占英伟达全球总收入的27%: the share word decides, not the nearer 总收入
        rules.append(f"metric: {shares[-1].text} (a share) in the clause")
        return shares[-1]
    if before_clause:
        swung = _swing_of(text, before_clause)
        if swung is not None:
            rules.append(f"metric: {swung.text}, swinging ({before_clause[-1].text} gives the sign)")
            return swung
        rules.append(f"metric: {before_clause[-1].text} in the clause")
        return before_clause[-1]
    move = _price_move(doc, sentence, clause, value, rules)
    if move is not None:
        return move
    found = _nearest(compatible, value, clause, rules, "metric")
    if found is not None:
        return found
    if value.unit_type == "count" and value.unit in lexicon.units().goods_count_units:
        # 小米以4350万台、13.5%的份额排名第三，出货量同比增长1.8%: the unit says it is a quantity
        later = [m for m in compatible if m.start >= value.end]
        if later:
            rules.append(f"metric: {later[0].text} later in the sentence (a count)")
            return later[0]
    header = _list_header_metric(doc, sentence, value)
    if header is not None:
        rules.append(f"metric: {header.text} in the list's header line")
    return header


def _list_header_metric(doc: Doc, sentence: Sentence, value: ValueMention) -> MetricMention | None:
    """威刚近四个月自结合并营收如下：\n7月：37.5亿元\n8月：…: a line of a list
    whose label is a period takes the metric its header line names."""
    text = doc.text
    line_start = text.rfind("\n", 0, sentence.start) + 1
    label = LIST_LINE.match(text, line_start)
    if label is None or label.end() > value.start or \
            not any(p.start >= line_start and p.end <= label.end() for p in doc._.periods):
        return None
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].rstrip()
        if line.endswith(HEADER_END):
            header = [m for m in _within(doc._.metrics, start, end) if _compatible(m, value)]
            return header[-1] if header else None
        if not LIST_LINE.match(text, start):
            return None  # a paragraph that is no line of the list: no header above
        end = start - 1
    return None


SWING_WORDS = ("由", "从", "转为", "转")


def _swing_of(text: str, before: list[MetricMention]) -> MetricMention | None:
    """吨钢毛利由去年同期的亏损约52元转为盈利约186元: a metric that swings
    between a loss and a profit; the words 亏损 and 盈利 give the sign, the
    metric named before them names the figure."""
    signs = _cues().swing_sign_words
    last = before[-1]
    if last.text not in signs:
        return None
    earlier = next((m for m in reversed(before) if m.text not in signs), None)
    if earlier is None or earlier.code == last.code or earlier.type not in ("amount", "price"):
        return None
    if not any(w in text[earlier.end:last.start] for w in SWING_WORDS):
        return None
    return replace(earlier, loss=signs[last.text] == "loss")


def _enumerated_move(doc: Doc, sentence: Sentence, clause, value: ValueMention) -> bool:
    """A move with no metric of its own, after a clause whose figure moved
    too, in a sentence that named a metric that is no price, and on no
    trading day of its own: one item of a list of moves of that metric."""
    earlier = [m for m in _within(doc._.metrics, sentence.start, clause[0])
               if m.code not in DAILY_METRICS and not m.daily and m.code != "share"]
    if not earlier:
        return False
    if any(p.granularity == "day" for p in _within(doc._.periods, sentence.start, value.start)):
        return False  # 今日下跌2%: the day makes it a price move
    before = [v for v in _within(doc._.values, sentence.start, clause[0]) if v.unit_type == value.unit_type]
    return bool(before)


def _price_move(doc: Doc, sentence: Sentence, clause, value: ValueMention, rules: list[str]) -> MetricMention | None:
    """今天下跌70元，跌幅4.81%: a price move with no metric word is the stock price."""
    if value.unit_type not in ("money", "percent") and value.unit != "点":
        return None
    text = doc.text
    before = text[clause[0]:value.start].rstrip("了超逾近约 ")
    if any(c.cue in ("kind:yoy", "kind:qoq", "kind:cagr") for c in _cues_between(doc, clause[0], value.start)):
        return None  # 按年下跌14%: a growth rate of the metric named earlier, not a price move
    if any(p.role == "base" for p in _within(doc._.periods, clause[0], value.start)):
        return None  # 估值…，较3月底下跌约2%: a change against a comparison date, of the metric named earlier
    if _enumerated_move(doc, sentence, clause, value):
        return None  # 药物及化妆品上升8.5%；衣物则下跌约3%: the sentence goes on with the metric named earlier
    if value.unit_type == "money" and (before.endswith(("收", "收报", "报收")) or before == "报" or MOVE_TO_PRICE.search(before)):
        # 收1145元; 跌2.6%至98.15元; 收涨1.2%，报28.15元: the price the move ended at
        rules.append("metric: stock price (closing price)")
        return MetricMention(value.start, value.start, "", "stock_price", "price")
    if value.unit == "点" and before.endswith(("收", "报", "收在", "报收", "收于")):
        # SCFI报1,733点, 恒指收报26434点: the level an index stood at
        rules.append("metric: index level (points)")
        return MetricMention(value.start, value.start, "", "stock_price", "price")
    word = next((w for w in sorted(_cues().price_move_words, key=len, reverse=True) if before.endswith(w)), None)
    if word is None:
        return None
    rules.append(f"metric: stock price (price move {word})")
    at = clause[0] + len(before) - len(word)
    # an empty mention just before the move word, so the word itself decides the kind
    return MetricMention(at, at, "", "stock_price", "price")


def _compatible(metric: MetricMention, value: ValueMention) -> bool:
    """A ratio metric takes %, pp; an amount takes money (or % as a growth);
    a multiple (倍) only a metric counted in 倍 (PE, subscription)."""
    if value.unit_type == "multiple":
        return metric.unit == "倍"
    if value.unit_type in ("percent", "pp"):
        return True
    if value.unit_type == "money":
        return metric.type in ("amount", "size", "price")
    if value.unit == "点":
        return metric.type == "price"  # index points: 收在26434.94点
    if value.unit_type == "count":
        return metric.type in ("count", "size") or value.unit in metric.counts
    if value.unit_type == "physical":
        return metric.type in ("size", "count", "amount")
    return metric.type in ("amount", "size", "count")


def _cues_between(doc: Doc, a: int, b: int) -> list[CueMention]:
    return _within(doc._.cues, a, b)


def _kind(doc: Doc, clause, sentence, metric: MetricMention, value: ValueMention, rules: list[str]) -> str | None:
    text = doc.text
    start = max(metric.end, clause[0]) if metric.end <= value.start else clause[0]
    cues = [c for c in _cues_between(doc, start, value.start) if c.cue.startswith("kind:")]
    if not cues and metric.end <= value.start:
        # 经济成长率为4.45%: a growth-rate word is its own cue (cues.yaml kind_words)
        cues = [c for c in _cues_between(doc, metric.start, metric.end) if c.cue.startswith("kind:") and c.end == metric.end]
    gap = text[cues[-1].end:value.start] if cues else ""
    level_words = _cues().level_after_change
    plain_change = bool(cues) and cues[-1].cue == "kind:change"
    reached = any(gap.rstrip("了超逾近约 ").endswith(w) for w in level_words) or gap.lstrip().startswith(("至", "到"))
    if plain_change and reached and not (metric.code == "stock_price" and value.unit_type == "percent"):
        # (a share price is never a percentage: 跌幅收窄至0.8% is the move, not a level)
        rules.append(f"kind: level (reached after {cues[-1].text})")
        return "level"
    if plain_change and reached and value.unit_type in ("percent", "pp") and metric.type == "ratio":
        rules.append(f"kind: level (ratio reached after {cues[-1].text})")
        return "level"
    explicit = [c for c in cues if c.cue in ("kind:yoy", "kind:qoq", "kind:cagr", "kind:mom")]
    if explicit:
        kind = explicit[-1].cue.split(":")[1]
        if kind == "mom":
            kind = "change"  # FACT_SPEC has no month-on-month kind
        if value.unit_type == "money" and kind in ("yoy", "qoq") and len(text[explicit[-1].end:value.start]) > 6 \
                and not _change_from_base(doc, explicit[-1].end, value):
            rules.append("kind: level (money after a growth clause)")
            return "level"
        rules.append(f"kind: {kind} ({explicit[-1].text})")
        return kind
    if cues:
        cue = cues[-1]
        if value.unit_type == "money" and len(text[cue.end:value.start].strip()) > 4:
            rules.append("kind: level")
            return "level"
        if metric.type == "ratio" and value.unit_type == "percent" and metric.code not in ("share",):
            rules.append(f"kind: change of a ratio ({cue.text})")
            return "change"
        if value.unit_type in ("percent", "pp") and metric.type in AMOUNT_TYPES and metric.code not in DAILY_METRICS and not metric.daily and value.unit_type == "percent":
            rules.append(f"kind: yoy (growth word {cue.text} on a flow metric)")
            return "yoy"
        rules.append(f"kind: change ({cue.text})")
        return "change"
    if value.unit_type == "percent" and metric.type in AMOUNT_TYPES and metric.code not in DAILY_METRICS \
            and not metric.daily and GROWTH_AFTER.match(text, value.end):
        # 全年净利润有望实现1%左右的正增长: the growth word follows the number
        rules.append("kind: yoy (growth word after the number on a flow metric)")
        return "yoy"
    if value.unit_type in ("percent", "pp") and metric.type in AMOUNT_TYPES and metric.code not in ("share", "market_share"):
        if metric.code == "stock_price" or value.negated_by:
            rules.append("kind: change (percentage of a price)")
            return "change"
        rules.append("dropped: a percentage of an amount metric with no growth word")
        return None
    rules.append("kind: level")
    return "level"


REVENUE_BASE_EXTRA = ("业务",)  # 占...业务的: a business line's share of the whole


@lru_cache(maxsize=1)
def _revenue_base() -> tuple[str, ...]:
    """Words that make a share one of revenue: the revenue words of
    metrics.yaml (营收, 营业额, 收益...) and 业务."""
    words = [w for code, entry in lexicon.metrics().metrics.items() if (entry.code or code) == "revenue" for w in entry.words]
    return (*words, *REVENUE_BASE_EXTRA)


MARKET_BASE = ("市场", "全球", "行业")


@lru_cache(maxsize=1)
def _expense_share() -> re.Pattern:
    """研发费用占营收比重, 研发费用约2亿元，(同比增长11%，)占营收的7%: an expense word
    of metrics.yaml right before 占, or before the clauses (two at most) that 占 follows."""
    words = [w for code, entry in lexicon.metrics().metrics.items() if (entry.code or code) in EXPENSE_CODES
             for w in entry.words]
    return re.compile(rf"(?P<w>{lexicon.alternation(words)})的?(?:[^,;。，；]{{1,14}}[,，]){{0,2}}占")


EXPENSE_CODES = ("rd_expense", "operating_expense")


def _without_amount_words(doc: Doc, sentence: Sentence, lo: int, metric: MetricMention, value: ValueMention) -> tuple[str, bool]:
    """The words around a share (from ``lo`` to the share word, and on to the
    value) with the amount words of metrics other than revenue blanked out
    (新业务价值 holds 业务, a revenue base word), and whether there was one
    (保障型产品占新业务价值约五成: a share of it). The words are the sentence's
    metric mentions: the window may start inside one."""
    masked = list(doc.text[sentence.start:value.start])
    found = False
    for m in _within(doc._.metrics, sentence.start, value.start):
        if m.type == "amount" and m.code not in ("revenue", *EXPENSE_CODES):
            masked[m.start - sentence.start:m.end - sentence.start] = ["\x00"] * (m.end - m.start)
            found = found or m.end > lo
    masked_text = "".join(masked)
    window = masked_text[lo - sentence.start:metric.start - sentence.start] + masked_text[metric.end - sentence.start:]
    return window, found


def expense_of_share(text: str, sentence: Sentence, metric: MetricMention) -> str | None:
    """The expense a share of revenue is of (研发费用占营收比重约7% -> 研发费用), if any."""
    found = None
    for m in _expense_share().finditer(text, max(sentence.start, metric.start - 40), metric.end):
        found = m.group("w")
    return found


def _metric_code(doc: Doc, sentence: Sentence, clause, metric: MetricMention, value: ValueMention, subject: Entity | None, history: list[Link], rules: list[str]) -> str:
    """占比, 比重, 占: a share of what? Of the subject's revenue (营收占比) ->
    revenue_share; of a market (在全球出货量中的占比, or the subject is a
    market) -> market_share; of another quantity of the subject (储能电池占
    销量两成, 研发人员占比, 占归母净利润的75%) -> other. With no base word at
    all (合计占比达74%) the share goes on from the share figure just before."""
    if metric.code != "share":
        return metric.code
    text = doc.text
    window, of_amount = _without_amount_words(doc, sentence, max(sentence.start, metric.start - 20), metric, value)
    revenue_base = any(w in window for w in _revenue_base())
    if revenue_base and expense_of_share(text, sentence, metric) is not None:
        rules.append("metric: expense_ratio (an expense's share of revenue)")
        return "expense_ratio"
    if revenue_base:
        rules.append("metric: revenue_share (占比 of the subject's revenue)")
        return "revenue_share"
    if of_amount:
        rules.append("metric: other (占比 of an amount of the subject that is not its revenue)")
        return "other"
    if (subject is not None and subject.type == "market") or any(w in window for w in MARKET_BASE):
        rules.append("metric: market_share (占比 of a market)")
        return "market_share"
    last = history[-1] if history else None
    if last is not None and last.metric in ("revenue_share", "market_share") and last.subject == subject \
            and not re.search(r"[\u4e00-\u9fff]", text[metric.end:value.start].strip("达为约近超过逾了")) \
            and text.count("\n", last.value.end, value.start) == 0:
        rules.append(f"metric: {last.metric}, as the share just before")
        return last.metric
    if any(w in text[sentence.start:metric.start] for w in _cues().revenue_mix_words) \
            and "占" not in text[clause[0]:value.start].replace("占比", ""):
        # 以营收结构观察，记忆体代工占比由第二季的48%拉升至56%: the mix of the revenue
        # (not 约占前三季总运量的六成: a base of its own)
        rules.append("metric: revenue_share (占比 in an account of the revenue mix)")
        return "revenue_share"
    rules.append("metric: other (占比 of another quantity of the subject)")
    return "other"


@lru_cache(maxsize=1)
def _stock_market_words() -> tuple[re.Pattern, dict[str, tuple[str, str | None]]]:
    regions = lexicon.regions()
    words: dict[str, tuple[str, str | None]] = {}
    for name, sm in regions.stock_markets.items():
        for w in [name, *sm.words]:
            words[w] = (name, sm.market)
    for w in regions.stock_market_words:
        words.setdefault(w, ("", None))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    return pattern, words


TURNOVER_SEGMENTS = ("成交额", "日均成交额")  # (metrics.yaml turnover, average_turnover)


def _stock_market(doc: Doc, sentence: Sentence, metric: MetricMention, value: ValueMention, default_market: str, rules: list[str]) -> EntityMention | None:
    """台股...全天成交值, 大市成交额, 上市公司总市值: a whole market's turnover or
    market value belongs to the stock market (ANNOTATION.md S4), not to the
    index named with it nor to the article's company. A word naming a market
    (台股, 港股) may stand anywhere earlier in the sentence; a generic word
    (大市, 证券市场, 上市公司) only right before the metric word."""
    if metric.code != "market_cap" and metric.segment not in TURNOVER_SEGMENTS:
        return None
    if not metric.text or metric.start > value.start:
        return None
    pattern, words = _stock_market_words()
    text = doc.text
    hits = list(pattern.finditer(text, sentence.start, metric.start))
    if not hits:
        return None
    hit = hits[-1]
    companies = [e for e in _within(doc._.entities, sentence.start, hit.end()) if e.entity.type == "company"]
    if any(e.start < h.start() <= e.end for e in companies for h in hits):
        # 海天A股...总市值, 中国太保A股收报38.62元，A股流通市值: the company's own shares, not the market
        return None
    name, market = words[hit.group()]
    if not name:
        if metric.start - hit.end() > 6:
            return None
        market = default_market
        name = next((n for n, sm in lexicon.regions().stock_markets.items() if sm.market == market), None)
        if name is None:
            return None
    clause_start = max((c[0] for c in sentence.clauses if c[0] <= metric.start), default=sentence.start)
    if any(min(hit.end(), clause_start) <= e.start and e.end <= value.start and e.entity.type in ACTORS for e in doc._.entities):
        return None  # 台股...台积电市值, 小米集团港股收盘市值: the company's own market value
    rules.append(f"subject: the stock market {name} ({hit.group()})")
    return EntityMention(hit.start(), hit.end(), hit.group(), Entity(None, name, "market", market), "stock_market")


def _share_segment(text: str, clause, metric: MetricMention) -> str | None:
    """储能电池约占两成 -> 储能电池占比: what the share is of."""
    head = re.sub(r"^(?:其中|当中|而|其)", "", text[clause[0]:metric.start]).rstrip("约近的")
    return f"{head}占比" if head else None


def _subject(text: str, sentence: Sentence, clause, value: ValueMention, metric: MetricMention, subjects: list[EntityMention], topic: Topic, rules: list[str], previous: list[Link], history: list[Link]) -> tuple[EntityMention | None, float]:
    before = [e for e in subjects if e.end <= value.start]
    companies_clause = [e for e in before if e.start >= clause[0] and e.entity.type in ACTORS]
    if companies_clause:
        rules.append(f"subject: {companies_clause[-1].text} in the clause")
        return companies_clause[-1], 0.9
    markets_clause = [e for e in before if e.start >= clause[0] and e.entity.type == "market"]
    companies_sentence = [e for e in before if e.entity.type in ACTORS]
    if markets_clause and markets_clause[-1].source == MARKET_BY_METRIC and companies_sentence:
        # 六福集团公布…，内地自营店同店销售上升约9%: a place and a product of the company named, not a market
        markets_clause = []
    if markets_clause:
        rules.append(f"subject: market {markets_clause[-1].text} in the clause")
        return markets_clause[-1], 0.75
    if not previous and history and text[sentence.start:sentence.start + 2] in CONTINUATION and not before:
        # 其中，生成式人工智能服务器占比...: the sentence details the previous figure
        previous = history[-1:]
    named_since = previous and any(previous[-1].value.end <= e.start and e.entity.type in ACTORS for e in before)
    if previous and previous[-1].subject_mention is not None and not named_since:
        # the sentence goes on about the subject of its previous figure (unless it names another since)
        rules.append(f"subject: {previous[-1].subject_mention.text}, as for the previous figure")
        return previous[-1].subject_mention, previous[-1].confidence
    if companies_sentence:
        rules.append(f"subject: {companies_sentence[-1].text} earlier in the sentence")
        return companies_sentence[-1], 0.8
    places = [e for e in before if e.entity.type in ("region", "market")]
    coreference = any(w in text[clause[0]:value.start] for w in _cues().coreference_words)
    breakdown = any(w in text[sentence.start:value.start] for w in _cues().region_breakdown_words)
    if places and not coreference and (topic.current is None or not breakdown and _place_is_subject(text, places[-1], metric)):
        rules.append(f"subject: {places[-1].entity.type} {places[-1].text} in the sentence")
        return places[-1], 0.7
    return None, 0.5


def _place_is_subject(text: str, place: EntityMention, metric: MetricMention) -> bool:
    """A market, or a place whose own size is measured (上海...产业规模), is the
    subject; 全球 in 全球手机出货量 of a company's article only qualifies it."""
    if place.entity.type == "market" or metric.type == "size" and metric.code != "other":
        return True  # (not 在杭州新增土地，建筑面积29.4万平方米: a floor area is the company's)
    if metric.market and text[place.end:metric.start] == "":
        return True  # 全澳博彩毛收入: the place's gaming market (metrics.yaml market), not a company's revenue
    if metric.code in COMPANY_METRICS or metric.code == "share" or metric.text in _cues().store_metric_words:
        # 分地区看，大中华区营收...; 内地定价首饰占零售值的三成: a region of the company's business
        return False
    between = text[place.end:metric.start]
    if not between and metric.text in _outlet_words():
        return False  # 台湾门市1,021家, 香港门市21家: the company's stores in a place
    # 上海...产业规模, 中国AI芯片自给率: the place, a product, then the metric
    return 0 <= len(between) <= 8 and not re.search(r"[，,；;。的和与及、]", between)


@lru_cache(maxsize=1)
def _outlet_words() -> frozenset[str]:
    """The words of metrics.yaml's outlets (门市, 门店, 分店)."""
    return frozenset(lexicon.metrics().metrics["outlets"].words)


IMPROVED = re.compile("优化|改善")
COST_RATIO_WORDS = ("成本率", "费用率", "赔付率", "成本收入比", "成本对收入比率")


def _cost_ratio(metric: MetricMention) -> bool:
    """A ratio that is better lower (综合成本率, 费用率, 赔付率)."""
    return metric.type == "ratio" and (metric.code == "expense_ratio" or any(w in metric.text for w in COST_RATIO_WORDS))


# The size of a move, with the sign it gives: 跌幅约14%, 跌幅收窄至0.8% are falls
MOVE_SIZE_WORDS = {"跌幅": -1, "降幅": -1, "减幅": -1, "涨幅": 1, "增幅": 1, "升幅": 1}
MOVE_SIZE = re.compile("|".join(MOVE_SIZE_WORDS))


def _apply_sign(text: str, clause, metric: MetricMention, kind: str, value: ValueMention, rules: list[str]) -> ValueMention:
    if kind == "change" and value.unit_type == "percent" and value.value > 0 and value.value_high is None:
        sizes = MOVE_SIZE.findall(text, clause[0], value.start)
        if sizes and MOVE_SIZE_WORDS[sizes[-1]] < 0:
            # 跌幅收窄至0.8%: the size of a fall, whatever happened to it
            rules.append(f"sign: negative ({sizes[-1]})")
            return replace(value, value=-value.value)
    if kind != "level" and value.value > 0 and _cost_ratio(metric) and IMPROVED.search(text, max(clause[0], metric.end), value.start):
        # 综合成本率同比优化0.8个百分点: a cost ratio improves by falling (ANNOTATION M11)
        rules.append("sign: negative (a cost ratio improved)")
        return replace(value, value=-value.value)
    if not metric.loss and not (metric.code == "net_profit" and "亏损" in text[clause[0]:value.start]):
        return value
    if kind == "level":
        if value.value > 0:
            rules.append(f"sign: negative ({metric.text} is a loss)")
            if value.value_high is not None:  # the lower bound first (value <= value_high)
                return replace(value, value=-value.value_high, value_high=-value.value)
            return replace(value, value=-value.value)
        return value
    span = text[metric.end:value.start]
    c = _cues()
    if any(w in span for w in c.loss_narrowing_words):
        rules.append("sign: loss narrowed, an improvement")
        return replace(value, value=abs(value.value))
    if any(w in span for w in c.loss_widening_words):
        rules.append("sign: loss widened")
        return replace(value, value=-abs(value.value))
    return value


def _period(doc: Doc, sentence: Sentence, clause, value: ValueMention, metric: MetricMention, rules: list[str]) -> PeriodMention | None:
    within = _within(doc._.periods, sentence.start, sentence.end)
    base = [p for p in within if p.role == "base" and p.end <= value.start and BASE_OF.fullmatch(doc.text, p.end, value.start)]
    if base:
        # 较上一财年的52亿港元: the figure compared with is dated by the period it is of
        rules.append(f"period: {base[-1].text}, the period of the figure compared with")
        return base[-1]
    periods = [p for p in within if p.role != "base"]
    others = [p for p in periods if not _period_of_earlier_value(doc, p, value)]
    earlier = [p for p in periods if p not in others]
    if earlier and (any(p.end <= value.start for p in others) or doc.text[earlier[0].start - 1] == "由"):
        # 公布第三季...毛利率由第二季的负2.2%翻正至18.5%: 18.5% is the third quarter's;
        # 占比由第二季的48%拉升至56%: so is 56%, from the text's context
        # (with no other period before it, 从A到B decides: see _from_to)
        periods = others
    labelled = [p for p in periods if p.end <= value.start and LABEL_COLON.fullmatch(doc.text, p.end, value.start)]
    if labelled:
        # (上一财年：13.8亿港元), (去年同期：3,207亿元): the period labels the figure after its colon
        rules.append(f"period: {labelled[-1].text}, the label before the colon")
        return labelled[-1]
    in_clause = [p for p in periods if p.start >= clause[0] and p.end <= value.start]
    events = [p for p in in_clause if EVENT_AFTER.match(doc.text, p.end)]
    if events and events[-1] is in_clause[-1]:
        # 7月宣布的回购计划, 9月发布的新机: the month dates the event, not the number (ANNOTATION.md P7)
        rules.append(f"period: none ({events[-1].text} dates an event)")
        return EVENT
    if in_clause:
        rules.append(f"period: {in_clause[-1].text} in the clause")
        return in_clause[-1]
    # A day in another clause is usually when something was said or done
    # (10月28日出席大会后...宣布), not the period of the number, except for
    # prices and market values, which are quoted per day.
    # 上年同期亏损65.04亿元，亏损同比收窄47.68%: the comparison period is the
    # period of its own clause only; what follows is about the reported period
    periods = [p for p in periods if not _comparison_period(p)]
    # 创下9月季度的历史新高: a period that names a record dates nothing outside its clause;
    # nor does the horizon of a target (全年目标约为300家；门店总数为461家)
    # nor does a time things have gone on since (主要得益于去年下半年以来新机组投运；…累计发电量)
    periods = [p for p in periods if not RECORD_AFTER.match(doc.text, p.end) and not TARGET_AFTER.match(doc.text, p.end)
               and not doc.text.startswith(SINCE_WORDS, p.end)]
    if not _quoted_daily(metric) or _yield_on_forecast(doc, sentence, metric):
        # 上周公布中期溢利…，按年跌约一成: a time that dates an event dates no figure outside its clause
        periods = [p for p in periods if p.granularity != "day" and not EVENT_AFTER.match(doc.text, p.end)]
    else:
        # a price is quoted per day: a month or year in another clause (12月降息) is not its period
        # 本周...累计下跌, 本月至今累升: a span up to the publication day is the period of a move
        periods = [p for p in periods if p.granularity == "day"
                   or (p.granularity == "span" and p.period_end is not None and p.period_end == doc._.published)]
    return _nearest(periods, value, clause, rules, "period")


SINCE_WORDS = ("以来", "至今")
BASE_OF = re.compile(r"的(?:约|近|逾)?")
LABEL_COLON = re.compile(r"\s?[：:]\s?(?:约|为)?")
TARGET_AFTER = re.compile(r"的?(?:中期|长期|中长期|全年|年度)?目标")
GROWTH_AFTER = re.compile(r"(?:左右|以上)?的?(?:正增长|增长|增幅|成长|升幅)")
EVENT_AFTER = re.compile(r"(?:晚间|早间|盘后)?(?:宣布|发布|推出|公布|披露|举行|召开|上市的|亮相)")
EVENT = PeriodMention(0, 0, "", None, None, granularity="event")


def _period_of_earlier_value(doc: Doc, period: PeriodMention, value: ValueMention) -> bool:
    """毛利率由第二季的负2.2%翻正至18.5%: 第二季 dates the figure it was
    changed from, not the one it reached."""
    if doc.text[period.start - 1:period.start] not in FROM_WORDS:
        return False
    return any(period.end <= v.start and v.end <= value.start for v in doc._.values if v is not value)


RECORD_AFTER = re.compile(r"(?:的)?(?:历史|同期)?(?:新高|新低|纪录|记录|高点|低点)")
PRICED_ROUTE = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:线|航线))(?:运价|运费|每)")


def _priced_route(text: str, clause, value: ValueMention) -> str | None:
    """美西线运价每FEU 1674美元: the route a freight index prices."""
    routes = list(PRICED_ROUTE.finditer(text, clause[0], value.start))
    if not routes:
        return None
    route = routes[-1].group(1)
    for word in CONTINUATION:
        route = route.removeprefix(word)  # 其中美西线
    return route + "运价"


def _quoted_daily(metric: MetricMention) -> bool:
    """Prices and market values are quoted per trading day; a price named
    with a segment (招股价) is an offer term, not a day's quote."""
    return metric.daily or (metric.code in DAILY_METRICS and not (metric.code == "stock_price" and metric.segment))


def _nearest(items: list, value: ValueMention, clause, rules: list[str], what: str):
    """The nearest item before the value in the sentence, else the first after
    it in the clause; the choice is recorded as a rule."""
    before = [x for x in items if x.end <= value.start]
    if before:
        rules.append(f"{what}: {before[-1].text} earlier in the sentence")
        return before[-1]
    after = [x for x in items if x.start >= value.end and x.end <= clause[1]]
    if after:
        rules.append(f"{what}: {after[0].text} later in the clause")
        return after[0]
    return None


def _to_trading_day(link: Link, day: PeriodMention | None, published: dt.date | None) -> None:
    """今年以来累计上升约一成 in a paragraph quoting yesterday's close: the move
    runs to that close, not to the publication day."""
    if day is None or published is None or day.period_end is None or link.period is None:
        return
    if link.period.granularity == "span" and link.period_end == published and link.period_start is not None \
            and link.period_start < day.period_end < published:
        link.period_end = day.period_end
        link.rules.append(f"period: up to {day.text}, the trading day of the paragraph")


def _inherit_period(link: Link, context: PeriodMention | None) -> None:
    if context is None:
        return
    if link.period is not None and link.period.text in CURRENT_PERIOD_WORDS and context.granularity in ("quarter", "fiscal"):
        link.period = context  # 本季度 in a results article is the reported quarter
        link.period_start, link.period_end, link.fiscal = context.period_start, context.period_end, context.fiscal
        link.rules.append(f"period: {context.text}, the reported quarter")
        return
    if (link.period is not None and link.period.text in WHOLE_YEAR_WORDS and not link.period.text[:2].isdigit()
            and link.period.fiscal is None and not link.period.anchored
            and not (link.estimate and context.fiscal is None and context.period_end is not None
                     and link.period.period_start is not None and context.period_end.year < link.period.period_start.year)):
        # (法人预估全年每股纯益4.3元 after 去年度股利: a forecast's 全年 is the year of publication)
        # 全年 in an article about 2024 (or a fiscal year) is that year, not the publication year
        # (periods.py has dated a 全年 that follows a fiscal label already)
        if context.fiscal:
            whole = "-" not in context.fiscal and context.period_start is not None
            link.period_start, link.period_end = (context.period_start, context.period_end) if whole else (None, None)
            link.fiscal = context.fiscal.split("-")[0]
        elif context.period_end is not None:
            link.period_start, link.period_end = dt.date(context.period_end.year, 1, 1), dt.date(context.period_end.year, 12, 31)
        link.rules.append(f"period: 全年 of {context.text}")
        return
    if link.period is not None or link.period_start is not None or link.fiscal is not None or link.period_locked:
        return
    if link.daily and context.granularity == "day":
        link.period_start, link.period_end = context.period_start, context.period_end
        link.rules.append(f"period: {context.text}, the trading day of the paragraph")
        link.confidence = min(link.confidence, 0.7)
    elif link.metric in FLOW_METRICS and not link.balance:
        link.period_start, link.period_end, link.fiscal = context.period_start, context.period_end, context.fiscal
        link.rules.append(f"period: {context.text}, the period the paragraph or lead reports on")
        link.confidence = min(link.confidence, 0.7)
    elif link.balance and context.period_end is not None:
        link.period_start = link.period_end = context.period_end
        link.rules.append(f"period: end of {context.text}, as of")
        link.confidence = min(link.confidence, 0.7)


def _fill_period(link: Link, previous: list[Link]) -> None:
    p = link.period
    if p is not None:
        link.period_start, link.period_end, link.fiscal = p.period_start, p.period_end, p.fiscal
        if link.balance and p.period_end is not None and p.period_start != p.period_end and p.role != "base":
            # 全年目标约为300家门店: a balance is counted on a day, the end of the period named
            link.period_start = p.period_end
            link.rules.append(f"period: end of {p.text}, as of (a balance)")
        return
    # A growth with no period of its own takes the period of the level it modifies.
    if link.kind != "level":
        for prev in reversed(previous):
            if prev.metric == link.metric and prev.subject == link.subject and prev.period is not None \
                    and prev.period.role != "base" and not _comparison_period(prev.period):
                # (较去年同期的43港仙增加两成, (上一财年：13.8亿港元)，按年减少8.7%: a base's level is modified by nothing)
                link.period = prev.period
                link.period_start, link.period_end, link.fiscal = prev.period_start, prev.period_end, prev.fiscal
                link.rules.append("period: from the level it modifies")
                return


def _estimate(doc: Doc, clause, value: ValueMention) -> bool:
    return any(c.cue == "estimate" for c in _cues_between(doc, clause[0], value.start))


def _yield_on_forecast(doc: Doc, sentence: Sentence, metric: MetricMention) -> bool:
    """投顾预估今年每股纯益约1.55元，以此推算现金殖利率约4.2%: a ratio quoted
    per day (a yield) computed on forecast earnings is the forecast year's."""
    return (metric.type == "ratio" and _forecast_opening(doc, sentence)
            and not PRICE_BASIS.search(doc.text, sentence.start, metric.start))


# 以现价计, 按今日收盘价计算: the yield is the day's, whatever the sentence forecasts
PRICE_BASIS = re.compile(r"现价|收盘价|收市价|股价|市价")


def _forecast_opening(doc: Doc, sentence: Sentence) -> bool:
    """Does a forecast word (预计, 预估) stand in the sentence's first clause?"""
    first = sentence.clauses[0]
    return any(c.cue == "estimate" for c in _cues_between(doc, first[0], first[1]))


def _forecast_sentence(doc: Doc, sentence: Sentence, period: PeriodMention | None) -> bool:
    """我们预计公司2025E/2026E归母净利润分别为...，EPS分别为...: a forecast word
    in a sentence's first clause governs its later clauses, for periods not
    yet over at publication (a past year there is a comparison, not a forecast)."""
    if not _forecast_opening(doc, sentence):
        return False
    published = doc._.published
    return period is not None and period.period_end is not None and published is not None and period.period_end >= published


PRODUCT_JOINERS = ("与", "和", "及", "、", "/")
PRODUCT_GAP = re.compile(r"[^，,；;。、：:及和与]{0,8}")


def _product_before(doc: Doc, clause, metric: MetricMention, value: ValueMention) -> ProductMention | None:
    """昇腾芯片2025年出货量, iPhone营收: a product named in the clause just
    before the metric word (or before the number, where the metric follows
    it), nothing but a few words between."""
    anchor = metric.start if clause[0] <= metric.start <= value.start else value.start
    found = [p for p in _within(doc._.products or [], clause[0], anchor)
             if not _is_channel(doc.text, p.start, p.end, clause[0], clause[1])]
    if not found or not PRODUCT_GAP.fullmatch(doc.text, found[-1].end, anchor):
        return None
    if len(found) > 1 and doc.text[found[-2].end:found[-1].start].strip() in PRODUCT_JOINERS:
        return None  # Mac与iPad营收分别为...: which figure is whose is the enumeration's to say
    return found[-1]


def _segment(text: str, clause, metric: MetricMention) -> str | None:
    if metric.start < clause[0]:
        return None
    m = SEGMENT_RE.search(text[clause[0]:metric.start])
    if m is None:
        return _business_line(text, clause, metric)
    # 以TCL华星为主体的显示业务: what qualifies the segment (up to its 的) is no part of it
    segment = m.group(1).rpartition("的")[2]
    return segment if len(segment) > 2 else m.group(1)


BUSINESS_LINE = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,10}$")


def _segment_of_level(previous: list[Link], kind: str, code: str, subject: Entity | None) -> str | None:
    """增值服务收入914亿元，按年增长16%: a growth shares the segment of the level it modifies."""
    if kind == "level" or not previous:
        return None
    last = previous[-1]
    return last.segment if last.metric == code and last.subject == subject and last.kind == "level" else None


@lru_cache(maxsize=1)
def _segment_heads() -> list[str]:
    """cues.yaml segment_heads, longest first (智能手机 before 手机)."""
    return sorted(_cues().segment_heads, key=len, reverse=True)


def _business_line(text: str, clause, metric: MetricMention) -> str | None:
    """增值服务收入914亿元, 客运营收102.4亿元: a business line (ending in a
    head word of cues.yaml segment_heads) written right before a revenue word."""
    if metric.code != "revenue" or metric.text not in ("收入", "营收", "营业额", "销售额", "营业收入"):
        return None
    m = BUSINESS_LINE.search(text, clause[0], metric.start)
    if m is None:
        return None
    phrase = m.group()
    head = next((h for h in _segment_heads() if phrase.endswith(h)), None)
    if head is None:
        return None
    # keep only the business line: 其中境外互联网服务 -> 境外互联网服务, 公司客运 -> 客运
    cut = max((phrase.rfind(w) + len(w) for w in SEGMENT_LEAD_WORDS if w in phrase[:len(phrase) - len(head)]), default=0)
    line = phrase[cut:]
    return line if len(line) >= 2 else None


SEGMENT_LEAD_WORDS = ("期内", "其中", "当中", "在内", "包括", "公司", "集团", "季内", "年内", "本季", "单季", "全年", "今年", "去年",
                      "同期", "累计", "合计", "总", "的", "为", "之", "而", "则", "及", "和", "与")


def _region_segment(doc: Doc, clause, metric: MetricMention, subject: Entity | None) -> str | None:
    """大中华区营收144.9亿美元 in 苹果's article: the region is the segment
    (not the 世界 inside 新世界发展: a place inside a name is no region)."""
    if subject is None or subject.type != "company" or metric.start < clause[0]:
        return None
    head = doc.text[clause[0]:metric.start]
    names = [(m.start - clause[0], m.end - clause[0]) for m in doc._.entities if m.entity.type != "region"]
    hit = next(((s, e, ent) for s, e, ent in region_gazetteer().find_all(head)
                if ent.type == "region" and not any(a < e and s < b for a, b in names)), None)
    if hit is None or len(head) - hit[1] > 4:
        return None
    segment = head[hit[0]:].rstrip("的")
    for tail in ("季内", "期内", "年内", "全年", "同期"):
        segment = segment.removesuffix(tail)  # 澳门银河季内: the period is no part of it
    return segment or None


RESTATED = re.compile(rf"(?P<w>{MOVE_SIZE.pattern})(?:约|达|为|近|超过|逾|约为)*$")


def _restated_change(text: str, clause, value: ValueMention, previous: list[Link]) -> Link | None:
    """较去年同期减少12亿美元，跌幅约14%: the same change as a percentage, not
    a price move."""
    if not previous or value.unit_type != "percent":
        return None
    m = RESTATED.fullmatch(text[clause[0]:value.start].strip())
    prev = previous[-1]
    if m is None or prev.kind == "level" or prev.value.unit_type != "money" or prev.daily:
        return None
    sign = MOVE_SIZE_WORDS[m.group("w")]
    link = _restating(prev, replace(value, value=sign * abs(value.value)), f"the change just before, as a percentage ({m.group('w')})")
    link.period_locked = prev.period_locked
    return link


def _restating(prev: Link, value: ValueMention, rule: str) -> Link:
    """The fact ``prev`` stated again as ``value`` (in another currency, or a
    change as a percentage): its subject, metric, kind, segment and period;
    it takes the period ``prev`` ends up with (see ``converts``)."""
    link = Link(value, prev.subject, prev.subject_mention, prev.metric, prev.kind, prev.period, prev.estimate, prev.segment,
                prev.confidence, prev.sentence, [rule])
    link.period_start, link.period_end, link.fiscal = prev.period_start, prev.period_end, prev.fiscal
    link.converts = prev
    return link


def _conversion_of(doc: Doc, value: ValueMention, previous: list[Link]) -> Link | None:
    """约合人民币11605亿元: the same fact in another currency."""
    if not previous or value.unit_type != "money":
        return None
    before = doc.text[max(0, value.start - 6):value.start]
    if not any(w in before for w in _cues().conversion_words if len(w) > 1):
        return None
    prev = previous[-1]
    if prev.value.unit_type != "money" or prev.value.unit == value.unit:
        return None
    sign = -1 if prev.value.value < 0 else 1
    converted = replace(value, value=sign * abs(value.value), qualifier="approx" if value.qualifier == "exact" else value.qualifier)
    return _restating(prev, converted, "conversion of the previous amount")


def _distribute_enumerations(doc: Doc, sentence: Sentence, links: list[Link]) -> None:
    """2022年至2024年...分别为A、B和C: one year per value, in order."""
    cues = [c for c in _within(doc._.cues, sentence.start, sentence.end) if c.cue == "enumeration"]
    if not cues:
        return
    for cue in cues:
        after = [lk for lk in links if lk.value.start >= cue.end]
        group = _same_run(doc.text, after)
        if len(group) < 2:
            continue
        _distribute_subjects(doc, sentence, cue, group)
        _distribute_metrics(doc, sentence, cue, group)
        # a day (今日发布数据显示) dates the report, it is no slot of an enumeration
        periods = [p for p in _within(doc._.periods, sentence.start, cue.start)
                   if p.role != "base" and (p.period_start or p.fiscal) and p.granularity != "day"]
        slots = _period_slots(doc.text, periods)
        if len(slots) != len(group):
            # 预估今年每股亏损0.95元，明后年每股盈余则分别为3.2元、5.6元: the cue's own clause
            clause_start = max(doc.text.rfind(ch, sentence.start, cue.start) for ch in "，,；;") + 1
            slots = _period_slots(doc.text, [p for p in periods if p.start >= clause_start])
        if len(slots) != len(group):
            continue
        for lk, (start, end, label, fiscal) in zip(group, slots):
            lk.period_start, lk.period_end, lk.fiscal = start, end, fiscal
            lk.rules.append(f"period: {label} by enumeration order")


def _distribute_metrics(doc: Doc, sentence: Sentence, cue: CueMention, group: list[Link]) -> None:
    """汽车产销分别完成A和B: A is the production, B the sales (cues.yaml
    paired_metrics), and so for the growth rates listed after them."""
    pairs = _cues().paired_metrics
    named = [m for m in _within(doc._.metrics, sentence.start, cue.start) if m.text in pairs]
    if not named or len(group) != len(pairs[named[-1].text]):
        return
    for lk, word in zip(group, pairs[named[-1].text]):
        metric = find_metrics(word)[0]
        code, segment = metric.code, metric.segment
        if code == "shipments" and lk.subject is not None and lk.subject.type == "market":
            code = "market_size"
        lk.metric, lk.segment = code, segment
        lk.rules.append(f"metric: {word} ({named[-1].text}, by enumeration order)")


def _distribute_subjects(doc: Doc, sentence: Sentence, cue: CueMention, group: list[Link]) -> None:
    """传音和vivo...出货量分别为2920万台和2880万台: one subject per value, in order,
    when the subjects are listed together (A和B, A、B与C) in the same clause run."""
    actors = [e for e in _within(doc._.entities, sentence.start, cue.start) if e.entity.type in ACTORS]
    listed: list[EntityMention] = []
    for e in actors:
        if listed and not ENUMERATION_JOINER.fullmatch(doc.text[listed[-1].end:e.start]):
            listed = []
        listed.append(e)
    if listed and len(listed) + 1 == len(group):
        # 小鹏、蔚来、理想分别交付...: a known company's short name closes the list
        tail = LIST_TAIL.match(doc.text, listed[-1].end, cue.start)
        entity = company_by_short_name(tail.group("name")) if tail else None
        if entity is not None:
            listed.append(EntityMention(tail.start("name"), tail.end("name"), tail.group("name"), entity, "listed"))
    if len(listed) < 2 or len(listed) != len(group):
        return
    for lk, e in zip(group, listed):
        lk.subject_mention, lk.subject = e, e.entity
        lk.rules.append(f"subject: {e.text} by enumeration order")


MOVE_TO_PRICE = re.compile(r"(?:升|跌|涨|挫|扬|落)\s?\d+(?:\.\d+)?%(?:至|到)$")
THRESHOLD_BEFORE = re.compile(r"(?:站回|站上|重返|失守|跌破|守住|收复|摸高)(?:了)?$")
CONDITION = re.compile(r"^(?:若|如果|假如|倘若|假设|假若|一旦|要是)")
CONSEQUENCE = re.compile(r"则|便可|就会|就能")


def _in_condition(text: str, clause, value: ValueMention) -> bool:
    """若下半年日均成交能维持在2000亿港元以上，全年盈利有望...: the number states
    a condition, not a value (ANNOTATION.md A3). 若不计该项目则为16.4% is a value."""
    head = text[clause[0]:value.start]
    return bool(CONDITION.match(head)) and not CONSEQUENCE.search(head) and clause[1] < len(text) and text[clause[1]:clause[1] + 1] in "，,"


THRESHOLD_AFTER = re.compile(r"(?:的)?(?:关卡|关口|大关|整数关|支撑|压力位|心理关)")
LIST_TAIL = re.compile(r"(?:、|和|及|与)(?P<name>[\u4e00-\u9fff]{2,4}?)$")
ENUMERATION_JOINER = re.compile(r"\s*(?:、|和|及|与|以及|,|，|;|；|/)?\s*")


def _same_run(text: str, links: list[Link]) -> list[Link]:
    """The values of one enumeration: same unit type and metric, joined only
    by 、 和 及 (A、B和C), so a total after the list is not part of it."""
    if not links:
        return []
    run = [links[0]]
    for lk in links[1:]:
        prev = run[-1]
        if lk.value.unit_type != prev.value.unit_type or lk.metric != prev.metric:
            break
        if not ENUMERATION_JOINER.fullmatch(text[prev.value.end:lk.value.start]):
            break
        run.append(lk)
    return run


def _period_slots(text: str, periods: list[PeriodMention]) -> list[tuple[dt.date, dt.date, str, str | None]]:
    """The periods an enumeration walks through: a span of years counts one
    slot a year (2022年至2024年 -> three slots; 2022年至2025年第一季度 -> 2022,
    2023, 2024 and 2025 Q1)."""
    slots = []
    for i, p in enumerate(periods):
        nxt = periods[i + 1] if i + 1 < len(periods) else None
        joined = nxt is not None and text[p.end:nxt.start].strip() in ("至", "到", "-", "~", "—")
        if p.granularity == "span" and p.period_start.month == 1 and p.period_end.month == 12:
            slots += _year_slots(p.period_start.year, p.period_end.year)
        elif joined and p.granularity == "year" and nxt.period_start is not None and nxt.period_start.year > p.period_start.year:
            # (a fiscal label after 至, undated (2025年至2026财年), is a slot of its own)
            slots += _year_slots(p.period_start.year, nxt.period_start.year - 1)
        else:
            slots.append((p.period_start, p.period_end, p.text, p.fiscal))  # 本财年及下一财年: FY2026, FY2027
    return slots if len(slots) >= 2 else []


def _year_slots(first: int, last: int) -> list[tuple[dt.date, dt.date, str, str | None]]:
    return [(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y), None) for y in range(first, last + 1)]


FROM_TO = re.compile(r"从$")


def _from_to(doc: Doc, sentence: Sentence, links: list[Link]) -> None:
    """从12%增长到25%: the first value is the earlier period's level."""
    text = doc.text
    for first, second in zip(links, links[1:]):
        opening = text.rfind("从", first.sentence[0], first.value.start)
        if opening < 0 or any(opening < lk.value.start < first.value.start for lk in links):
            continue
        if CLAUSE_BREAK.search(text, opening, first.value.start):
            continue
        between = text[first.value.end:second.value.start]
        if not re.fullmatch(r"[\u4e00-\u9fff]{0,4}(?:到|至)", between):
            continue
        first.kind = second.kind = "level"
        p = second.period
        if p is None or p.period_start is None:
            continue
        if p.start > opening and p.end <= first.value.start:
            # 从2022年的95%下降至50%: the year belongs to the first level only
            second.period, second.period_start, second.period_end, second.fiscal = None, None, None, None
            second.period_locked = True
            second.rules.append("period: none (the year names the earlier level)")
            continue
        if p.granularity == "span":
            first.period_start, first.period_end = dt.date(p.period_start.year, 1, 1), dt.date(p.period_start.year, 12, 31)
            second.period_start, second.period_end = dt.date(p.period_end.year, 1, 1), dt.date(p.period_end.year, 12, 31)
        elif p.granularity == "year":
            y = p.period_start.year - 1
            first.period_start, first.period_end = dt.date(y, 1, 1), dt.date(y, 12, 31)
        elif p.granularity == "quarter":
            q = (p.period_start.month - 1) // 3 + 1
            y, q = (p.period_start.year, q - 1) if q > 1 else (p.period_start.year - 1, 4)
            first.period_start, first.period_end = quarter_bounds(y, q)
        first.rules.append("period: the earlier level of 从A到B")


def _dedupe(links: list[Link]) -> list[Link]:
    seen: set[tuple] = set()
    out = []
    for lk in links:
        key = (lk.subject.name if lk.subject else None, lk.metric, lk.kind, round(lk.value.value, 6), lk.value.unit, lk.period_start, lk.period_end, lk.fiscal, lk.segment)
        if key in seen:
            continue
        seen.add(key)
        out.append(lk)
    return out
