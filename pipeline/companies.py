"""Company recognizer: known companies from the knowledge base, unseen ones
from the text, and regions and markets that can be subjects.

Known: every name, alias and ticker in ``data/companies.yaml``, normalised
like the article text, matched longest first. Unseen: organisation suffixes
(科技, 股份, 半导体...), ticker brackets (X(2330)), then context and the
statistical model (``company_context``: appositions 芯片企业X, sentence
subjects X公布, lists X与Y, the NER model of ``ner``), whose persons, places
and bodies also veto rule candidates. A short form (沐曦) of an unseen long
form (沐曦股份) links to it for the rest of the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from . import company_context, lexicon
from .gazetteer import Gazetteer, occurrences
from .normalize import normalize


@dataclass(frozen=True)
class Entity:
    id: str | None
    name: str
    type: str  # company | region | market | other
    market: str | None = None
    currency: str | None = None
    known: bool = True
    sector: str | None = None
    listings: tuple[str, ...] = ()  # markets whose exchanges list it (from the tickers): prices are quoted there


@dataclass(frozen=True)
class EntityMention:
    start: int
    end: int
    text: str
    entity: Entity
    source: str  # kb | suffix | ticker | apposition | subject | model | conjunct | short | region | market ...


# Organisation suffixes (company_cues.yaml org_suffixes), in the order a
# suffix is looked for: the first that ends a word is its suffix.
ORG_SUFFIXES = company_context.cues().org_suffixes
_SUFFIX_TUPLE = tuple(ORG_SUFFIXES)
WEAK_SUFFIXES = tuple(company_context.cues().weak_suffixes)
WEAK_SUFFIX_PHRASES = tuple(company_context.cues().weak_suffix_phrases)
# Words that make a phrase generic, never a company name on their own.
GENERIC_NAME_PARTS = set(
    "人工智能 智能 芯片 半导体 国产 中国 全球 国内 海外 相关 其他 数字 信息 科技 高科技 新兴 传统 头部 龙头 上市 民营 "
    "国有 电子 汽车 新能源 消费 金融 互联网 网络 生物 医药 光伏 储能 通信 工业 制造 技术 产业 行业 市场 算力 大模型 云 "
    "硬件 软件 材料 本土 知名 大型 中小 小型 多家 一家 该 这家 各家 创新 未来 先进 精密 汽车电子 消费电子 功率 模拟 "
    "高阶 高端 低阶 中阶 低端 中高阶 核心 关键 新型 受惠 受益 带动 拉动 推动 "
    "存储 显示 面板 光学 生成式 规上 电动 智能电动 商业 高效能 集成电路 新一代 下一代 主要 领先 综合 外资 中资 港资 台资 美资 日资 韩资 欧美 "
    "锂电 锂电池 动力电池 风电 重要性 系统重要性 本国 外国 外商 国银 公股 散装 干散货 国营 公营 消费性 消费型 车用".split()
)
APPOSITION_HEADS = [
    "企业", "厂商", "公司", "龙头", "巨头", "大厂", "厂", "品牌", "独角兽", "新势力", "车企", "初创公司",
    "新创", "供应商", "代工厂", "设计公司", "上市公司", "概念股", "股", "商", "业者",
]
STOP_TOKENS = set(
    "的 和 与 及 以及 在 中 对 由 是 将 已 已经 被 把 向 从 为 了 也 都 而 并 或 等 其 该 这 那 此 上 下 年 月 日 "
    "据 称 表示 宣布 指出 认为 包括 其中 同时 此外 但 不过 今年 去年 目前 近日 日前 昨日 今日 公司 企业 厂商 "
    "国内 国产 国际 全球 中国 美国 旗下 作为 成为 随着 通过 根据 来自 龙头 巨头 大厂 股价 营收 市值 我们 他们 "
    "多家 一家 两家 这家 该公司 当地 本土 头部 领先 主要 相关 知名 新 老 大 小".split()
)
NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&]")
# sorted once, not per candidate name
_GENERIC_LONGEST_FIRST = sorted(GENERIC_NAME_PARTS, key=len, reverse=True)
_GENERIC_BY_FIRST: dict[str, list[int]] = {}  # first character -> places in _GENERIC_LONGEST_FIRST
for _k, _part in enumerate(_GENERIC_LONGEST_FIRST):
    _GENERIC_BY_FIRST.setdefault(_part[0], []).append(_k)


@lru_cache(maxsize=1)
def company_entities() -> dict[str, Entity]:
    """The knowledge base's entity of every company, by id."""
    return {c.id: Entity(c.id, c.name, "company", c.market, c.currency, True, c.sector, _listing_markets(c.tickers))
            for c in lexicon.companies().companies}


@lru_cache(maxsize=1)
def knowledge_base() -> Gazetteer[Entity]:
    gaz: Gazetteer[Entity] = Gazetteer()
    blocked = set(normalized_form(w) for w in lexicon.regions().not_companies)
    entities = company_entities()
    for company in lexicon.companies().companies:
        entity = entities[company.id]
        for form in [company.name, *company.aliases, *company.tickers]:
            key = normalized_form(form)
            if _bare_short_ticker(form, company):
                continue  # V (Visa), T (AT&T), ON: letters of any text, not names
            if key and key not in blocked and gaz.get(key) is None:
                gaz.add(key, entity)
    return gaz


def _bare_short_ticker(form: str, company: lexicon.Company) -> bool:
    return form in company.tickers and form not in company.aliases and form.isascii() and len(form) <= 2


PRICE_INDEX = "price-index"  # Entity.sector of a freight or commodity index (regions.yaml price_indices)


@lru_cache(maxsize=1)
def region_gazetteer() -> Gazetteer[Entity]:
    r = lexicon.regions()
    gaz: Gazetteer[Entity] = Gazetteer()
    named = [(r.regions, "region", None), (r.indices, "market", None), (r.price_indices, "market", PRICE_INDEX),
             (r.investor_groups, "other", None)]
    for names, kind, sector in named:
        for name, aliases in names.items():
            entity = Entity(None, name, kind, known=True, sector=sector)
            for form in [name, *aliases]:
                gaz.add(normalized_form(form), entity)
    not_company = Entity(None, "", "blocked", known=True)
    for word in lexicon.regions().not_companies:
        gaz.add(normalized_form(word), not_company)
    return gaz


@lru_cache(maxsize=1)
def _short_prefixes() -> dict[str, Entity]:
    """理想 -> 理想汽车: a known name cut before its suffix, where that is unique.
    Used only where the text lists it beside other companies."""
    seen: dict[str, Entity | None] = {}
    for company in lexicon.companies().companies:
        for suffix in ORG_SUFFIXES:
            if company.name.endswith(suffix) and len(company.name) - len(suffix) >= 2:
                short = company.name[: -len(suffix)]
                entity = knowledge_base().get(normalized_form(company.name))
                seen[short] = None if short in seen and seen[short] != entity else entity
                break
    return {k: v for k, v in seen.items() if v is not None}


def company_by_short_name(word: str) -> Entity | None:
    return _short_prefixes().get(word)


def company_words() -> list[str]:
    """Every normalised company form, for the segmenter's user dictionary."""
    words = []
    for company in lexicon.companies().companies:
        for form in [company.name, *company.aliases]:
            key = normalized_form(form)
            if re.search(r"[\u4e00-\u9fff]", key):
                words.append(key)
    return words


def normalized_form(text: str) -> str:
    """A name as the recognizers meet it: normalised (OpenCC, half-width), stripped."""
    return normalize(text).text.strip()


def find_entities(text: str, tokens: list[tuple[int, int]] | None = None, known_unseen: dict[str, Entity] | None = None) -> list[EntityMention]:
    """Companies, regions and bodies in ``text`` (normalised), in order.

    ``tokens`` are (start, end) pairs from the segmenter; ``known_unseen``
    carries unseen companies found earlier in the article (short forms).
    """
    found: list[EntityMention] = []
    taken = [False] * (len(text) + 1)

    def take(m: EntityMention) -> None:
        if any(taken[m.start:m.end]):
            return
        found.append(m)
        for i in range(m.start, m.end):
            taken[i] = True

    def take_short_names(names: dict[str, Entity], introduced: dict[Entity, int] | None = None) -> None:
        """Every occurrence of names this text gave its companies (a defined
        short name, a short form, a prefix of a known name); with
        ``introduced``, only those after the company was first named in full."""
        if names:
            for start, end, entity in Gazetteer(names.items()).find_all(text):
                if introduced is not None and start < introduced.get(entity, 0):
                    continue  # 燃气…, then 中国燃气(00384): a word before the name is not yet its short form
                subsidiary = _subsidiary_of_known(text, end)
                if subsidiary is not None and subsidiary not in _SUFFIX_TUPLE:
                    take(_subsidiary_mention(text, start, end + len(subsidiary)))  # 广发证券 … 广发|基金
                elif not any(a <= start and end <= b and (a, b) != (start, end) for a, b in ticker_names):
                    # (数码通电讯(00315) holds no 电讯, the short form of 香港电讯)
                    take(EntityMention(start, end, text[start:end], entity, "short"))

    # the statistical model: its ORG spans are candidates, its persons, places
    # and bodies veto rule candidates (company_context)
    known = _joint_names(text, list(knowledge_base().find_all(text)))
    model = company_context.model_spans(text, [(start, end) for start, end, _ in known])
    defined = _defined_short_names(text)
    for m in defined:
        take(m)
    # 美的集团分拆的美的置业(03990): a known name inside a name that a ticker of its own closes is part of that name
    tickers = ticker_mentions(text)
    ticker_names = _spans_of(text, {m.text for m in tickers if m.source == "ticker"})
    # 顺丰房托 (下称 for 顺丰房地产投资信托基金) holds 顺丰: the name the article gave wins over the known one inside it
    defined_spans = _spans_of(text, {m.text for m in defined if m.source == "defined"})
    for start, end, entity in known:
        if any(a <= start and end < b for a, b in ticker_names):
            continue
        if any(a <= start and end <= b and (a, b) != (start, end) for a, b in defined_spans):
            continue
        if end - start <= 3 and company_context.closes_word_before(text, start):
            continue  # 人力|成本 is no 力成, 其中|移动 no 中移动: a short name whose first character ends a common word
        if end - start == 2 and start > 0 and company_context.common_word(text[start - 1:start + 1], 0) \
                and not company_context.cut_at(text, start):
            continue  # 核电|装机容量 is no 电装: jieba reads the name's first character into the word before it
        if end - start == 2 and company_context.common_word(text[end - 1:end + 1], 0) \
                and not company_context.cut_at(text, end) and not company_context.cut_at(text, start):
            continue  # 全澳|博彩 is no 澳博: jieba reads the name's characters into the words around it
        if company_context.inside_person(start, end, model):
            continue
        subsidiary = _subsidiary_of_known(text, end)
        if subsidiary is None:
            take(EntityMention(start, end, text[start:end], entity, "kb" if entity.known else "joint"))
        elif subsidiary not in _SUFFIX_TUPLE:
            take(_subsidiary_mention(text, start, end + len(subsidiary)))
    take_short_names({m.text: m.entity for m in defined if m.source == "defined"})
    by_kb = [m for m in found if m.source == "kb"]  # (the takes below add short names only)
    take_short_names(_known_prefixes(by_kb))
    for m in _place_prefixes_acting(text, by_kb):
        take(m)
    take_short_names(_without_place(by_kb, text))
    # 巨大(9921) for 巨大机械: the name the article gives a known company by its ticker is its name here
    take_short_names({m.text: m.entity for m in tickers if m.source == "ticker-kb" and m.text != m.entity.name
                      and len(m.text) >= 2 and m.text not in STOP_TOKENS and m.text not in GENERIC_NAME_PARTS})
    take_short_names(known_unseen or {})
    places = list(region_gazetteer().find_all(text))  # read twice below: looked up once
    deferred = []
    for start, end, entity in places:
        if entity.type == "blocked":
            take(EntityMention(start, end, text[start:end], entity, "blocked"))
        elif entity.type in ("market", "other"):
            m = EntityMention(start, end, text[start:end], entity, "index" if entity.type == "market" else "group")
            if entity.type == "other" and m.text in ORG_SUFFIXES and start > 0 and NAME_CHAR.match(text[start - 1]):
                deferred.append(m)  # 元大|投信: the suffix of a name before the investor group (投信)
            else:
                take(m)
    unseen = [_reshape(text, m, model) for m in _unseen(text, tokens or _char_tokens(text), tickers)]
    # 专科医院集团|海吉亚医疗(06078), 民办教育集团|宇华教育集团有限公司（下称宇华教育）: a suffix name
    # right before a name given with its ticker or its short name describes it
    named_starts = {m.start for m in tickers} | {m.start for m in defined if m.source == "defined-long"}
    unseen = [m for m in unseen if not (m.source == "suffix" and m.end in named_starts)]
    # (a reshaped name may be left with its suffix alone: A股|股份)
    unseen = [m for m in unseen if not any(taken[m.start:m.end]) and m.text not in _SUFFIX_TUPLE
              and company_context.suffix_name_ok(text, m.start, m.end, model, m.source == "ticker")]
    for m in unseen:
        take(m)
    for m in deferred:
        take(m)
    so_far = [(m.start, m.end) for m in found if m.entity.type == "company"]
    reserved = list(taken)  # markets and groups (全球智能手机出货量) come later but are not names
    groups, markets = _vendor_groups(text), _markets(text)
    for m in [*groups, *markets]:
        reserved[m.start:m.end] = [True] * (m.end - m.start)
    for c in company_context.candidates(text, reserved.__getitem__, model, so_far):
        name = text[c.start:c.end]
        m = EntityMention(c.start, c.end, name, Entity(None, name, "company", known=False), c.source)
        take(m)
        unseen.append(m)
    short: dict[str, Entity] = {}
    for m in unseen:
        for name, entity in {**short_forms(m), **_without_place([m], text), **_bracketed_short_name(text, m),
                             **_clipped_ticker_name(m)}.items():
            if name not in short or short[name].name == name:
                short[name] = entity  # 敏华 stays 敏华控股's short form, though the model also read 敏华 alone
    # 台聚集团旗下台聚(1304): a name given with a ticker of its own is that company, not a short form of another
    short.update({m.text: m.entity for m in unseen if m.source == "ticker"})
    first_named: dict[Entity, int] = {}
    for m in unseen:
        first_named[m.entity] = min(first_named.get(m.entity, m.start), m.start)
    take_short_names(short, first_named)
    # 敏华控股(01999) … 敏华: a name the model or a context rule took first is still the short form;
    # so is the head of a name given with its ticker (海吉亚医疗(06078) … 海吉亚股价), though no suffix ends it
    heads = _ticker_name_heads(unseen)
    for head, entity in heads.items():
        if head not in short or short[head].name == head:
            short[head] = entity
    # 新濠国际(suffix) … 新濠国际发展(00200): a company found by a head of a ticker's name is that company
    short = {name: heads.get(entity.name, entity) for name, entity in short.items()}
    found = [replace(m, entity=short[m.text]) if m.text in short and not m.entity.known and m.entity.type == "company"
             and m.entity != short[m.text] and short[m.text].name != m.text else m for m in found]
    for m in groups:
        take(m)
    for m in markets:
        take(m)
    for m in _sales_objects(text, places):
        take(m)
    for start, end, entity in places:
        if entity.type == "region" and not _inside_name(text, start, end):
            take(EntityMention(start, end, text[start:end], entity, "region"))
    found.sort(key=lambda m: m.start)
    return [m for m in found if m.source != "blocked"]


@lru_cache(maxsize=1)
def _market_pattern() -> re.Pattern:
    r = lexicon.regions()
    regions = lexicon.alternation([normalized_form(w) for name, aliases in r.regions.items() for w in [name, *aliases]])
    suffixes = lexicon.alternation(r.market_suffixes)
    return re.compile(rf"(?:{regions})[\u4e00-\u9fffA-Za-z0-9]{{0,10}}?的?(?:{suffixes})")


@lru_cache(maxsize=1)
def _vendor_group_pattern() -> re.Pattern:
    g = lexicon.regions().vendor_groups
    alt = lexicon.alternation
    return re.compile(rf"(?P<prefix>{alt(g.prefixes)})(?P<product>{alt(g.products)})(?:{alt(g.tails)})?")


def _vendor_groups(text: str) -> list[EntityMention]:
    """国产AI芯片, 国产人工智能芯片厂商 -> the group 国产AI芯片 (subject_type other)."""
    g = lexicon.regions().vendor_groups
    out = []
    for m in _vendor_group_pattern().finditer(text):
        product = g.synonyms.get(m.group("product"), m.group("product"))
        name = m.group("prefix") + product
        out.append(EntityMention(m.start(), m.end(), m.group(), Entity(None, name, "other", known=False), "group"))
    return out


@lru_cache(maxsize=1)
def _market_by_metric_pattern() -> re.Pattern:
    """全球智能手机出货量: a place, a product, then a market-wide quantity."""
    r = lexicon.regions()
    regions = lexicon.alternation([normalized_form(w) for name, aliases in r.regions.items() for w in [name, *aliases]])
    # sales and market size make a market (中国乘用车零售); output does not
    # (中国粗钢产量 is the country's figure, the region is its subject)
    words = [w for name, e in lexicon.metrics().metrics.items() if name in MARKET_METRICS for w in e.words]
    return re.compile(rf"(?P<region>{regions})(?P<product>[\u4e00-\u9fffA-Za-z0-9]{{2,8}}?)(?={lexicon.alternation(words)})")


MARKET_METRICS = ("shipments", "market_size")
MARKET_BY_METRIC = "market-by-metric"  # EntityMention.source of a market read from a place, a product and a sales word
TRAILING_TOTAL = re.compile(r"(?:累计|合计|总计|累积)$")
LEADING_PERIOD = re.compile(r"^(?:今年|去年|明年|本年|全年|前[一二三四1-4]季度?|[上下]半年|第?[一二三四1-4]季度?|前?\d{1,2}(?:-\d{1,2})?月份?)")


def _market_region_prefix(text: str) -> str:
    hit = region_gazetteer().longest_at(text, 0)
    return text[: hit[0]] if hit and hit[1].type == "region" else ""


def _region(form: str) -> Entity | None:
    """The region ``form`` names, if it names one."""
    entity = region_gazetteer().get(form)
    return entity if entity is not None and entity.type == "region" else None


def _region_name(form: str) -> str:
    region = _region(form)
    return region.name if region is not None else form


SALES_OBJECT = re.compile(r"(?:销售|出口|出货|交付)(?![量额收价面金均])了?(?:各类|各种|各型)?(?P<product>[\u4e00-\u9fff]{2,8}?)(?:约|近|逾|超|达|共|合计|累计)?(?=\d)")


# 其中新能源乘用车零售128.2万辆: a part of the market just named, itself a market
SUB_MARKET = re.compile(r"其中(?P<product>[\u4e00-\u9fff]{2,8}?)(?=零售|批发|销量|出货量|交付量|销售量)")
# 新能源汽车方面，11月产销...: a paragraph of an industry report on one product
ASPECT = re.compile(r"(?:^|(?<=[。！？!?\n]))(?P<product>[\u4e00-\u9fff]{2,8}?)方面[，,]")
ASPECT_WORDS = {"经营", "业务", "财务", "销售", "出口", "进口", "资产", "资产质量", "资产品质", "客户", "产品", "市场", "价格",
                "政策", "营运", "获利", "盈利", "成本", "费用", "估值", "股价", "资金", "产能", "研发", "投资", "展望", "营收",
                "同业", "同行", "同业的", "同行业", "竞争对手", "对手"}  # 同业方面: the peers, no product
VAGUE_PRODUCTS = {"相关", "其他", "其它", "整体", "主要", "国产", "国内", "海外", "总体", "全部", "产品", "行业",
                  "同店", "可比门店", "自营店", "直营店"}  # 香港同店销售: the company's stores in a place, no product
NOT_IN_PRODUCT = "的和与及、为是增减达约比升降涨跌共计将已占"  # a verb or a joiner: no product name


def _sales_objects(text: str, places: list[tuple[int, int, Entity]]) -> list[EntityMention]:
    """共销售各类挖掘机18096台 in industry statistics: the market of what was
    sold (中国挖掘机市场), named with the place last named before it. Whether
    it is the subject is decided in assembly: not where a company is.
    ``places``: the region gazetteer's matches in ``text``."""
    out = []
    regions = [(s, e, ent) for s, e, ent in places if ent.type == "region"]
    for m in [*SALES_OBJECT.finditer(text), *SUB_MARKET.finditer(text), *ASPECT.finditer(text)]:
        product = m.group("product")
        if product in ASPECT_WORDS or product.endswith(company_context.word_tuple("unit_after")):
            continue  # 燃气业务方面: a business of the company, no market
        if product in GENERIC_NAME_PARTS or lexicon_word(product) or any(ch in product for ch in NOT_IN_PRODUCT):
            continue
        place = next((ent for s, e, ent in reversed(regions) if e <= m.start()), None)
        if place is None:
            continue
        a, b = m.start("product"), m.end("product")
        out.append(EntityMention(a, b, product, market_entity(place.name, product), "sales-object"))
    return out


def market_entity(place: str, product: str) -> Entity:
    """The market of ``product`` in ``place`` (中国, 动力煤 -> 中国动力煤市场)."""
    return Entity(None, market_name(f"{place}{product}市场"), "market", known=False)


def market_name(name: str) -> str:
    """全球笔电市场 -> 全球笔记本电脑市场: a product written short is spelled out
    (regions.yaml market_products), so that one market has one name."""
    for short, full in lexicon.regions().market_products.items():
        if short in name and full not in name:
            name = name.replace(short, full)
    return name


SCOPE_MARKETS = ("国际市场", "全球市场", "海外市场", "境外市场", "世界市场")


def _markets(text: str) -> list[EntityMention]:
    """中国加速芯片(的)市场, 全球人工智能服务器市场: a market as a subject; and
    全球智能手机出货量 -> the market 全球智能手机市场."""
    out = []
    for m in _market_pattern().finditer(text):
        region = _market_region_prefix(m.group())
        if any(w in m.group()[len(region):] for w in ("及", "和", "与", "、", "其他", "其它")):
            continue  # 澳门及其他市场营业额: places where a company sells, not a product's market
        if m.group().endswith(SCOPE_MARKETS):
            continue  # 我国造船三大指标国际市场份额: the place's share of the world's market, no market of its own
        name = market_name((_region_name(region) + m.group()[len(region):] if region else m.group()).replace("的", ""))
        out.append(EntityMention(m.start(), m.end(), m.group(), Entity(None, name, "market", known=False), "market"))
    for m in _market_by_metric_pattern().finditer(text):
        # 中国前三季粗钢: the period is no part of the market; nor is 累计 (我国动力电池累计装车量)
        product = TRAILING_TOTAL.sub("", LEADING_PERIOD.sub("", m.group("product")))
        # a generic product is a market's own name (我国汽车产销 -> 中国汽车市场); a vague word is none
        if len(product) < 2 or any(ch in product for ch in "的和与及、占为是") or product.endswith(("产业", "行业", "市场")) \
                or product in VAGUE_PRODUCTS:
            continue
        if any(o.start <= m.start() < o.end for o in out):
            continue
        market = market_entity(_region_name(m.group("region")), product)
        out.append(EntityMention(m.start(), m.end(), m.group(), market, MARKET_BY_METRIC))
    return out


DEFINING = r"(?:以下)?(?:简称|下称)(?:为)?"  # the words that give a company its short name
DEFINED_NAME = re.compile(
    r"(?P<long>[\u4e00-\u9fffA-Za-z0-9]{2,30}?(?:股份有限公司|有限责任公司|有限公司|集团|公司))"
    rf"[（(]{DEFINING}[:：]?\s?[“\"「]?(?P<short>[^”\"」）)，,]{{2,12}}?)[”\"」]?"
    r"(?:[，,、]\s?\d{4,6}(?:\.[A-Z]{2})?)?[）)]"  # 远东发展有限公司（下称远东发展，00035）: a code after it
)


def _defined_short_names(text: str) -> list[EntityMention]:
    """北京昂瑞微电子技术股份有限公司（下称“昂瑞微”）: the article's own short
    name becomes the canonical name (or the known company it names)."""
    out = _short_names_with_code(text)
    if "简称" not in text and "下称" not in text:
        return out  # the pattern needs one of them; its lazy name part is slow to fail everywhere
    for m in DEFINED_NAME.finditer(text):
        short = m.group("short")
        known = knowledge_base().get(short)
        entity = known or Entity(None, short, "company", known=False)
        out.append(EntityMention(m.start("long"), m.end("long"), m.group("long"), entity, "defined-long"))
        out.append(EntityMention(m.start("short"), m.end("short"), short, entity, "defined"))
    return out


# 顺天医药生技（顺药，6535）, 中鸿钢铁（下称中鸿，2014）: the short name and the code in one bracket
SHORT_WITH_CODE = re.compile(rf"(?P<run>[\u4e00-\u9fff]{{3,12}})[（(](?:{DEFINING})?(?P<short>[\u4e00-\u9fff]{{2,4}})[，,、]\s?"
                             r"(?P<code>\d{4,6}(?:\.[A-Z]{2})?)[)）]")


def _short_names_with_code(text: str) -> list[EntityMention]:
    """顺天医药生技（顺药，6535） … 顺药: the short name in the bracket is the
    name the article goes on with, and the canonical one (as 下称 makes it).
    The long name starts where the short name's first character does, with
    the others after it in order (今年以来|顺天医药生技)."""
    out: list[EntityMention] = []
    for m in SHORT_WITH_CODE.finditer(text):
        run, short = m.group("run"), m.group("short")
        start = next((k for k in abbreviation_starts(run, short) if not any(w in run[k:] for w in LONG_NAME_BREAKS)), None)
        if start is None:
            continue
        entity = knowledge_base().get(short) or ticker_index().get(_ticker_key(m.group("code"))) \
            or Entity(None, short, "company", known=False)
        out.append(EntityMention(m.start("run") + start, m.end("run"), run[start:], entity, "defined-long"))
        out.append(EntityMention(m.start("short"), m.end("short"), short, entity, "defined"))
    return out


LONG_NAME_BREAKS = ("的", "旗下", "之")  # 中钢集团旗下的|中鸿钢铁: the long name starts after them


def abbreviation_starts(run: str, short: str) -> list[int]:
    """Where in ``run`` a name that ``short`` abbreviates can start: at each
    of ``short``'s first character with its other characters after it, in
    order (顺天医药生技 for 顺药; 合作金库商业银行 for 合库银行)."""
    return [k for k in range(len(run) - len(short)) if run[k] == short[0] and in_order(short[1:], run[k + 1:])]


def in_order(chars: str, text: str) -> bool:
    rest = iter(text)
    return all(ch in rest for ch in chars)


LEADING_CONJUNCTIONS = ("及", "与", "以及")


def _joint_names(text: str, known: list[tuple[int, int, Entity]]) -> list[tuple[int, int, Entity]]:
    """海信日立, 东风日产, 广汽本田: two known companies written together with
    nothing between name a third, their joint venture, which the knowledge
    base does not know: one unseen company, neither of its parents."""
    out: list[tuple[int, int, Entity]] = []
    for start, end, entity in known:
        if out and out[-1][1] == start and entity.type == "company" and out[-1][2].type == "company" \
                and out[-1][2].known and entity.id != out[-1][2].id:
            first = out.pop()
            name = text[first[0]:end]
            out.append((first[0], end, Entity(None, name, "company", known=False)))
            continue
        out.append((start, end, entity))
    return out


def _spans_of(text: str, names: set[str]) -> list[tuple[int, int]]:
    """Every place ``names`` are written: 海信家电(000921) … 海信家电A股 is the
    ticker's company each time, never the known 海信 its first characters spell."""
    return [(at, at + len(name)) for name in names for at in occurrences(text, name)]


def _subsidiary_of_known(text: str, end: int) -> str | None:
    """中国信托|银行: the suffix after a known name that makes another company
    (a bank, an insurer, a fund manager of the group), unless the knowledge
    base knows that longer name too (it would have matched it)."""
    return next((w for w in company_context.cues().subsidiary_suffixes if text.startswith(w, end)), None)


def _subsidiary_mention(text: str, start: int, end: int) -> EntityMention:
    """广发|基金, 统一|期货: the subsidiary a known name and a suffix that is
    no organisation suffix of its own make (the suffix rule finds 中国信托银行)."""
    name = text[start:end]
    return EntityMention(start, end, name, Entity(None, name, "company", known=False), "subsidiary")


BRACKETED_SHORT = re.compile(r"[(（](?P<short>[\u4e00-\u9fff]{2,4})[)）]")


PREFIX_LENGTH = 2
MIN_NAME_FOR_PREFIX = 4
RARE_WORD = 100  # jieba frequency at most: 海天 (38) yes, 招商 (595), 长城 (1559) no


def _known_prefixes(mentions: list[EntityMention]) -> dict[str, Entity]:
    """海天味业 ... 海天A股, 永辉超市 ... 永辉调改: a known company named in full
    is named later by the first two characters of its name, where those are
    no other name, no place and no common word, and no other company named
    in the article starts with them."""
    out = {}
    for prefix, entities in _prefix_owners(mentions).items():
        if not all("\u4e00" <= ch <= "\u9fff" for ch in prefix):
            continue
        if len(entities) == 1 and knowledge_base().get(prefix) is None and region_gazetteer().get(prefix) is None \
                and prefix not in GENERIC_NAME_PARTS and prefix not in STOP_TOKENS \
                and not company_context.common_word(prefix, RARE_WORD):
            out[prefix] = next(iter(entities))
    return out


def _prefix_owners(mentions: list[EntityMention]) -> dict[str, set[Entity]]:
    """The first PREFIX_LENGTH characters of the names of the companies
    mentioned (names of MIN_NAME_FOR_PREFIX characters or more), each with
    the companies whose name starts with them."""
    owners: dict[str, set[Entity]] = {}
    for m in mentions:
        if len(m.entity.name) >= MIN_NAME_FOR_PREFIX:
            owners.setdefault(m.entity.name[:PREFIX_LENGTH], set()).add(m.entity)
    return owners


def _place_prefixes_acting(text: str, mentions: list[EntityMention]) -> list[EntityMention]:
    """东亚银行 ... 东亚股价, 东亚联席行政总裁: a known company's first two
    characters that also name a place (or are a common word) name the company
    only where a company's predicate follows them at once."""
    out = []
    for prefix, entities in _prefix_owners([m for m in mentions if m.text == m.entity.name]).items():
        if len(entities) != 1 or knowledge_base().get(prefix) is not None:
            continue
        entity = next(iter(entities))
        for start in occurrences(text, prefix):
            end = start + len(prefix)
            if text.startswith(entity.name, start) or not text.startswith(company_context.word_tuple("company_predicates"), end):
                continue
            out.append(EntityMention(start, end, prefix, entity, "short"))
    return out


UNCOMMON_WORD = 500  # jieba frequency at most for a name without its place: 高铁 (350), 联通 (437) yes; 石化, 移动 no


def _without_place(mentions: list[EntityMention], text: str) -> dict[str, Entity]:
    """台湾高铁 ... 高铁股价, 中国联通 ... 联通: a company whose name opens with a
    place is named later without it, where the rest is no place, no other
    name, no suffix alone, no common word, and no word the article used
    before it named the company (燃气业务…, then 中国燃气)."""
    out: dict[str, Entity] = {}
    for m in mentions:
        place = region_gazetteer().longest_at(m.text, 0)
        if place is None or place[1].type != "region":
            continue
        rest = m.text[place[0]:]
        other = knowledge_base().get(rest)
        if len(rest) >= 2 and (other is None or other == m.entity) and region_gazetteer().get(rest) is None \
                and rest not in _SUFFIX_TUPLE and rest not in GENERIC_NAME_PARTS and rest not in STOP_TOKENS \
                and not company_context.common_word(rest, UNCOMMON_WORD) and not 0 <= text.find(rest) < m.start:
            out[rest] = m.entity
    return out


def _bracketed_short_name(text: str, m: EntityMention) -> dict[str, Entity]:
    """中国信托银行(中信银): the short name the article uses next. Only an
    abbreviation counts: its characters appear in the name, in order (not
    a place or a role in brackets)."""
    b = BRACKETED_SHORT.match(text, m.end)
    if b is None or m.entity.known:
        return {}
    short = b.group("short")
    if short == m.text or not in_order(short, m.text):
        return {}
    return {short: m.entity}


_NAME_SUFFIXES = tuple(ORG_SUFFIXES[:30])


def _inside_name(text: str, start: int, end: int) -> bool:
    """上海 in 上海电气 is part of a company name, not the region."""
    return end < len(text) and text.startswith(_NAME_SUFFIXES, end)


def _char_tokens(text: str) -> list[tuple[int, int]]:
    return [(i, i + 1) for i in range(len(text))]


def _unseen(text: str, tokens: list[tuple[int, int]], tickers: list[EntityMention]) -> list[EntityMention]:
    """Companies by their organisation suffix, and ``tickers`` (:func:`ticker_mentions`)."""
    out: list[EntityMention] = []
    token_text = _TokenTexts(text, tokens)
    # one C call per token: only tokens that end in a suffix are looked at
    for i in [i for i, (a, b) in enumerate(tokens) if text.endswith(_SUFFIX_TUPLE, a, b)]:
        b = tokens[i][1]
        word = token_text[i]
        suffix = _suffix_of(word)
        if suffix is None:
            continue
        start = _name_start(tokens, token_text, i, word, suffix)
        if start is None:
            continue
        while text.startswith(LEADING_CONJUNCTIONS, start) and b - start > len(suffix) + 2:
            start += 1  # 及富邦产险: the conjunction joins the name to a list, it is not part of it
        if b - start > len(suffix) + 2 and company_context.closes_word_before(text, start):
            start += 1  # 其中|城市商业银行: the first character closes the word before, it opens no name
        if start > 0 and text[start - 1].isdigit():
            continue  # 5500|大卡动力煤: right after a number stands its unit, no name
        if suffix in WEAK_SUFFIXES and text.startswith(WEAK_SUFFIX_PHRASES, b):
            continue  # 三大指标|国际市场份额: 国际 opens a phrase there, it ends no name
        name = text[start:b]
        if _plausible_name(name, suffix):
            out.append(EntityMention(start, b, name, Entity(None, name, "company", known=False), "suffix"))
    # 分拆的紫金|黄金国际(02259), 亚玛芬体育|国际(AS.US): the bracket marks where the
    # name ends, the suffix rule may stop short of either end; the ticker's name wins
    ticker_names = [m for m in tickers if m.source == "ticker"]
    out = [next((t for t in ticker_names if t.start <= m.start and m.end <= t.end), m) for m in out]
    out = list(dict.fromkeys(out))
    out.extend(m for m in tickers if m not in out)
    return out


class _TokenTexts:
    """``token_text[j]``: the text of token ``j``, cut out when asked (the
    suffix walk reads a few tokens; most are never read)."""

    def __init__(self, text: str, tokens: list[tuple[int, int]]) -> None:
        self.text, self.tokens = text, tokens

    def __getitem__(self, j: int) -> str:
        a, b = self.tokens[j]
        return self.text[a:b]


def _reshape(text: str, m: EntityMention, model: list[tuple[int, int, str]]) -> EntityMention:
    """车用晶片厂杰发科技 -> 杰发科技, 大新银行 -> 大新银行集团: a suffix or
    ticker name made whole (company_context.reshape)."""
    if m.entity.known:
        return m  # 陽明(2609): the ticker already named a known company
    start, end = company_context.reshape(text, m.start, m.end, model)
    if (start, end) == (m.start, m.end):
        return m
    name = text[start:end]
    return EntityMention(start, end, name, Entity(None, name, "company", known=False), m.source)


COUNT_LED = re.compile(r"[一二两三四五六七八九十几多数百千\d]+[款个家项种类批座艘台名位]")


def _plausible_name(name: str, suffix: str) -> bool:
    """摩尔线程科技 yes; 人工智能, GPU芯片, 国产半导体 no."""
    head = name[: len(name) - len(suffix)]
    if not 2 <= len(head) <= 8 or head in GENERIC_NAME_PARTS or name in STOP_TOKENS or lexicon_word(name) \
            or company_context.generic_name(name):
        return False
    if head.isascii() and len(head) <= 3:
        return False
    if COUNT_LED.match(head):
        return False  # 两款|创新药, 七家|银行: a count of things, no name
    if any(head.endswith(w) for w in ("的", "和", "与", "及", "等", "在", "是")) or company_context.time_led(head) \
            or company_context.reports_speech(head):
        return False
    if head.endswith(tuple(company_context.cues().field_endings)):
        return False  # 华东地区|汽车: a region or a field, then an industry
    if len(without_generic_parts(head)) < 2:
        return False
    if head in company_context.cues().object_verbs and suffix in lexicon.cues().coreference_words:
        return False  # 贡献|集团毛利: the group is the verb's object, the stand-in of a company already named
    if company_context.adverb_then_verb(head):
        return False  # 亦关注|集团旗下
    if suffix in WEAK_SUFFIXES and company_context.ends_in_verb(head):
        return False
    return not _is_dictionary_word(name)


def without_generic_parts(head: str) -> str:
    """``head`` with every generic part removed, longest parts first. Only
    parts whose first character is in ``head`` can be there (removing never
    adds a character), so only those are tried, in the same order."""
    remainder = head
    for k in sorted({k for ch in set(head) for k in _GENERIC_BY_FIRST.get(ch, ())}):
        remainder = remainder.replace(_GENERIC_LONGEST_FIRST[k], "")
    return remainder


def _is_dictionary_word(word: str) -> bool:
    """A common word of jieba's own dictionary (集成电路, 人工智能) is not a name."""
    import jieba

    jieba.initialize()
    return jieba.dt.FREQ.get(word, 0) > 50 and word not in knowledge_base()


def _suffix_of(word: str) -> str | None:
    if not word.endswith(_SUFFIX_TUPLE):
        return None  # one C call rules out almost every token (this ran per token, per suffix)
    for suffix in ORG_SUFFIXES:
        if word.endswith(suffix) and suffix not in ("公司", "芯", "微"):
            return suffix
    return None


def _name_start(tokens, token_text, i, word, suffix) -> int | None:
    """Walk left over name-like tokens (at most two) before the suffix token."""
    start = tokens[i][0]
    if len(word) > len(suffix):
        taken_tokens = 0 if len(word) - len(suffix) < 2 else 1
    else:
        taken_tokens = 0
    j = i - 1
    while j >= 0 and taken_tokens < 2:
        piece = token_text[j]
        if piece in STOP_TOKENS or not all(NAME_CHAR.match(c) for c in piece) or _suffix_of(piece) or lexicon_word(piece):
            break
        if piece.isdigit():
            break
        start = tokens[j][0]
        taken_tokens += 1
        j -= 1
        if taken_tokens >= 1 and len(token_text[j + 1]) >= 2 and (j < 0 or len(token_text[j]) >= 2):
            if j >= 0 and suffix in CITY_NAMED_SUFFIXES and _region(token_text[j]) is not None:
                start = tokens[j][0]  # 台北|富邦|银行: banks and insurers carry their city in the name
            break
    if start == tokens[i][0] and len(word) == len(suffix):
        return None
    return start


CITY_NAMED_SUFFIXES = tuple(company_context.cues().city_named_suffixes)


# X(2330), X(688256.SH), X(NVDA.US): a code in brackets. Letters alone are
# left out: 高效能运算(HPC), 每股纯益(EPS) are a term and its abbreviation.
# A name may open with digits (361度(1361), 58同城(WUBA.US)), but only where a
# clause opens, so that 2025年 or 营收30亿 never join the name after them.
TICKER_NAME_REACH = 8  # characters of the name before the bracket, at most
TICKER_CODE = re.compile(r"[(（](?P<code>\d{4,6}(?:\.[A-Z]{2})?|[A-Z]{1,5}\.(?:US|O|N|HK|SH|SZ|TW|KS|T))[)）]")
DIGIT_LED_NAME = r"(?:^|(?<=[，,、。；;：:\s「『“（(]))\d{1,4}(?![年月日季号时])[\u4e00-\u9fffA-Za-z]{1,4}"
TICKER = re.compile(rf"({DIGIT_LED_NAME}|[\u4e00-\u9fffA-Za-z·\-]{{2,{TICKER_NAME_REACH}}}){TICKER_CODE.pattern}")


def _ticker_matches(text: str) -> Iterator[re.Match]:
    """``TICKER.finditer(text)``, scanning only just before bracketed codes:
    the name part cannot hold a bracket, so a match starts at most
    TICKER_NAME_REACH characters before the code that ends it. (TICKER
    alone tries a name at every position of the text.)"""
    pos = 0
    while (code := TICKER_CODE.search(text, pos)) is not None:
        m = TICKER.search(text, max(pos, code.start() - TICKER_NAME_REACH), code.end())
        if m is None:
            pos = code.start() + 1
            continue
        yield m
        pos = m.end()


def _whole_written_name(text: str, m: re.Match) -> str:
    """The name part of a ticker match, without the word the reach cut in two
    (小型发|展商资本策略地产(00497): 展商 is the tail of 发展商, a descriptor,
    not part of the name)."""
    import jieba

    start = m.start(1)
    if m.end(1) - start < TICKER_NAME_REACH or start == 0 or not NAME_CHAR.match(text[start - 1]):
        return m.group(1)
    wider = start
    while wider > max(0, start - TICKER_WIDEN) and NAME_CHAR.match(text[wider - 1]):
        wider -= 1
    pos = wider
    for word in jieba.dt.cut(text[wider:m.end(1)], HMM=False):
        pos += len(word)
        if pos == start:
            return m.group(1)  # the reach cut between two words
        if pos > start:
            return text[pos:m.end(1)] if pos - start < m.end(1) - start - 1 else m.group(1)
    return m.group(1)


TICKER_WIDEN = 3  # characters a cut word may reach back beyond TICKER_NAME_REACH


def _without_leading_suffix(name: str) -> str:
    """专科医院集团|海吉亚医疗(06078), 民营医疗集团|医思健康(02138): the name
    before a ticker starts after a group word inside it, which ends its
    descriptor; not where what follows is a common word or a suffix
    (新濠国际|发展, 平安银行|股份 are whole names)."""
    best = 0
    for word in DESCRIPTOR_ENDS:
        i = name.rfind(word)
        rest = name[i + len(word):] if i >= 0 else ""
        if _names_itself(rest):
            best = max(best, i + len(word))
    return name[best:]


def _names_itself(rest: str) -> bool:
    """Is what is left after a descriptor a name of its own: two characters
    or more besides its suffixes (not 股份 alone) and no common word (not 发展)?"""
    return len(_without_suffixes(rest)) >= 2 and not company_context.common_word(rest, UNCOMMON_WORD)


def _without_cut_descriptor(text: str, end: int, name: str) -> str:
    """低成本|航空台湾虎航(6757): a name that opens with an organisation suffix
    right after more of a word (the reach cut a descriptor in two) starts after
    that suffix, where a name of its own is left (not 电子|城, 信息|发展)."""
    start = end - len(name)
    if start == 0 or not NAME_CHAR.match(text[start - 1]) or not name.startswith(_SUFFIX_TUPLE):
        return name
    suffix = next(s for s in ORG_SUFFIXES if name.startswith(s))
    rest = name[len(suffix):]
    return rest if _names_itself(rest) else name


def _without_suffixes(name: str) -> str:
    """``name`` less the organisation suffixes it ends in (平安银行股份 -> 平安;
    中教控股 -> 中教; 股份 -> nothing: a suffix alone names no company)."""
    while name.endswith(_SUFFIX_TUPLE):
        name = name[:-len(next(s for s in ORG_SUFFIXES if name.endswith(s)))]
    return name


DESCRIPTOR_ENDS = ("集团", "公司")


NAME_OPENING_STOPS = ("国产",)  # a stop word some names open with (国产建材实业)


def _after_last_stop_word(name: str) -> str:
    """The tail that is most likely the name: what follows the last stop word,
    as jieba cuts it (分拆|的|美的|置业 -> 美的置业: the 的 inside 美的 is no stop word)."""
    import jieba

    words = list(jieba.dt.cut(name, HMM=False))
    for i in range(len(words) - 1, -1, -1):
        rest = "".join(words[i + 1:])
        if words[i] in NAME_ADJECTIVES and i > 0 and words[i - 1] not in STOP_TOKENS:
            continue  # 的|台湾|大|车队: an adjective after a name word is part of the name
        if words[i] in NAME_ADJECTIVES and i == 0:
            return name  # 新|高教|集团(02001): the adjective opens the name
        if words[i] in NAME_ADJECTIVES and i + 1 < len(words) and len(words[i + 1]) == 1:
            return words[i] + rest  # 厂商|新|时|达, 的|大|银|微|系统: a name jieba cannot cut into words
        if words[i] in NAME_PART_STOPS and company_context.common_word(rest, UNCOMMON_WORD):
            continue  # 新濠|国际|发展: 发展 alone is no name, 国际 is part of it
        if i == 0 and words[0] in NAME_OPENERS and not any(w.endswith(company_context.word_tuple("descriptor_heads")) for w in words[1:]):
            return name  # 中国|海外|宏洋|集团(00081): the name opens with the country; 中国|车企|X: a descriptor
        if words[i] in NAME_OPENING_STOPS and i > 0 and (words[i - 1] in STOP_TOKENS
                                                         or words[i - 1].endswith(company_context.word_tuple("descriptor_heads"))):
            return words[i] + rest  # 混凝土龙头|国产|建材|实业(2504): after the descriptor, the word opens the name
        if words[i] in STOP_TOKENS and len(rest) >= 2:
            if rest in NAME_PART_STOPS or _region(rest) is not None:
                continue  # 统一|企业|中国(00220): a country alone is no name, the words before it are the name's
            if words[i] in NAME_ADJECTIVES and company_context.common_word(rest.lstrip("".join(NAME_ADJECTIVES)), UNCOMMON_WORD):
                continue  # 大|新|金融(00440): what would be left is a common word, the adjectives are the name's
            if len(words[i]) == 1 and words[i] != "的" and company_context.common_word(rest, UNCOMMON_WORD):
                continue  # 南|都|电源(300068): a common word alone is no name, the character before it is the name's
            return rest
    return name


NAME_PART_STOPS = frozenset("国际 中国 美国 全球 国内 国产".split())  # stop tokens that also sit inside names
NAME_OPENERS = frozenset(("中国",))  # stop tokens that open many names (中国旺旺, 中国宏桥, 中国海外宏洋集团)
NAME_ADJECTIVES = frozenset("新 老 大 小 中 上 下".split())  # stop tokens that may sit inside a name


def ticker_mentions(text: str) -> list[EntityMention]:
    out = []
    for m in _ticker_matches(text):
        written = _whole_written_name(text, m)
        name = _without_cut_descriptor(text, m.end(1), _without_leading_suffix(_after_last_stop_word(written)))
        known = ticker_index().get(_ticker_key(m.group("code")))
        if known is not None and not _names_agree(name, known):
            known = None  # 廣達(2382) is no 舜宇光学科技 (2382.HK): one code, two exchanges
        if known is None and SHARE_CLASS_NAME.fullmatch(name):
            continue  # H股（01776）: a class of the shares of a company named before, no name of its own
        if known is None and (lexicon_word(written) or (_may_be_abbreviation(m.group("code"))
                                                         and _is_dictionary_word(written))):
            continue  # 每股纯益(EPS), 存托凭证(ADR): a term and its abbreviation
        start = m.end(1) - len(name)
        if known is not None:
            # 陽明(2609): the code names a known company, whatever the short name
            out.append(EntityMention(start, m.end(1), name, known, "ticker-kb"))
            continue
        out.append(EntityMention(start, m.end(1), name, Entity(None, name, "company", known=False), "ticker"))
    return out


def _may_be_abbreviation(code: str) -> bool:
    """Can a bracketed code be no ticker: letters (存托凭证(ADR)), or a year
    (营收(2024))? A common word before any other code is a company's short
    name: 雄狮(2731), 国宾(2704), 统一(1216)."""
    return not code[0].isdigit() or YEAR_LIKE.fullmatch(code) is not None


YEAR_LIKE = re.compile(r"(?:19|20)\d{2}")
SHARE_CLASS_NAME = re.compile(r"[AHBN]股|港股|美股|台股|存托股份|ADR|ADS")


def _names_agree(written: str, entity: Entity) -> bool:
    """Can ``written`` name ``entity``: one of its forms, or a part of its
    name (巨大 of 巨大机械, 阳明 of 阳明海运), or its name inside ``written``?
    A class of its shares (H股（00300.HK）) names it too."""
    if knowledge_base().get(written) == entity or entity.name in written or written in entity.name \
            or SHARE_CLASS_NAME.fullmatch(written):
        return True
    return any(written in alias for alias in _aliases_by_id().get(entity.id, ()))


@lru_cache(maxsize=1)
def _aliases_by_id() -> dict[str, tuple[str, ...]]:
    return {c.id: tuple(normalized_form(alias) for alias in c.aliases) for c in lexicon.companies().companies}


TICKER_MARKETS = {"TW": "tw", "TWO": "tw", "HK": "hk", "SH": "cn", "SZ": "cn", "BJ": "cn", "KS": "kr", "KQ": "kr", "T": "jp"}


def _listing_markets(tickers: list[str]) -> tuple[str, ...]:
    """2330.TW -> tw, 0700.HK -> hk, NVDA -> us: where the shares trade."""
    markets = []
    for ticker in tickers:
        suffix = ticker.rsplit(".", 1)[1] if "." in ticker else ("us" if ticker.isalpha() else "")
        market = TICKER_MARKETS.get(suffix, suffix if suffix == "us" else "")
        if market and market not in markets:
            markets.append(market)
    return tuple(markets)


def _ticker_key(code: str) -> str:
    """2609.TW, 2609 -> 2609; 00700, 0700.HK -> 700; NVDA.US -> NVDA. A
    mainland code keeps its six digits: 002049 (紫光国微) is not 2049 (上银)."""
    head = code.split(".")[0]
    if head.isdigit() and len(head) == MAINLAND_CODE_DIGITS:
        return head
    return head.lstrip("0") if head.isdigit() else head


MAINLAND_CODE_DIGITS = 6


@lru_cache(maxsize=1)
def ticker_index() -> dict[str, Entity]:
    index: dict[str, Entity] = {}
    for company in lexicon.companies().companies:
        entity = knowledge_base().get(normalized_form(company.name))
        for ticker in company.tickers:
            key = _ticker_key(ticker)
            if key and entity is not None:
                index.setdefault(key, entity)
    return index


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    words = set()
    for entry in lexicon.metrics().metrics.values():
        words.update(entry.words)
    for kinds in lexicon.cues().kind_words.values():
        words.update(kinds)
    return frozenset(words)


def lexicon_word(word: str) -> bool:
    return word in _lexicon_words()


def _ticker_name_heads(unseen: list[EntityMention]) -> dict[str, Entity]:
    """海吉亚医疗(06078) -> {海吉亚: entity, 海吉: entity}: the heads of a name
    written with its ticker that leave two characters or more, to tie the
    mentions found by other rules to it (never to find new ones: 海吉 alone
    is no name)."""
    heads: dict[str, Entity] = {}
    for m in unseen:
        if m.source == "ticker" and len(m.text) >= TICKER_HEAD_MIN:
            for k in range(2, len(m.text) - 1):
                heads.setdefault(m.text[:k], m.entity)
    return heads


TICKER_HEAD_MIN = 4


def _clipped_ticker_name(mention: EntityMention) -> dict[str, Entity]:
    """亚太电信(3682) … 亚太电: a four-character name written with its ticker
    is named later by its first three (Taiwan's 中华电, 亚太电), where those
    are no word, place or other name."""
    name = mention.text
    if mention.source != "ticker" or len(name) != 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return {}
    clipped = name[:3]
    if knowledge_base().get(clipped) is not None or region_gazetteer().get(clipped) is not None \
            or lexicon_word(clipped) or company_context.common_word(clipped, RARE_WORD):
        return {}
    return {clipped: mention.entity}


def short_forms(mention: EntityMention) -> dict[str, Entity]:
    """沐曦股份 -> {沐曦: entity}: the name without its suffix, for later links."""
    if mention.entity.known or mention.source not in ("suffix", "ticker", *company_context.SOURCES):
        return {}
    name = mention.text
    for suffix in ORG_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return {name: mention.entity, name[: -len(suffix)]: mention.entity}
    return {name: mention.entity}
