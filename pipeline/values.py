"""Value recognizer: numbers with scale, unit, qualifier, range and sign.

Pure functions over normalised text (Simplified, half-width). Knowledge (unit
words, currencies, qualifiers) comes from ``data/units.yaml``. What is not a
value (model numbers, process nodes, dates, ordinals, stock codes, multiples)
is rejected here, so later stages never see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from . import lexicon
from .numbers import (
    CN_NUMERAL_CHARS,
    NumberError,
    decimal_to_float,
    parse_digit_pair_range,
    parse_number,
)

CN = re.escape(CN_NUMERAL_CHARS)
SCALE = "十百千万亿兆拾佰仟"
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# scale characters, except the 千 of a unit (7179.5万千瓦 is 万 then 千瓦, 654.3万千升 万 then 千升,
# 16,385千兆瓦时 the unit 千兆瓦时)
SCALE_RUN = rf"(?:[{SCALE}](?![瓦克米升]|兆瓦))+"
# One number with its scale: 1.05兆, 4000多万, 13万2, 三十几万, 一点〇五兆.
NUMBER = (
    rf"(?:(?:{ARABIC})(?:(?:多|余|几)?{SCALE_RUN}(?:(?:{ARABIC}){SCALE_RUN})*"
    rf"(?:(?<=万)(?:\d,\d{{3}}|\d{{2,4}})(?![\d.,])|\d(?![\d.,])[{SCALE}]*)?)?"  # 1万2,350张, 13万2
    rf"|[{CN}](?:[{CN}]|点(?=[{CN}])|(?:多|余|几)(?=[{SCALE}]))*)"
)
RANGE_JOINERS = "至|到|~|～|-|—|–|－|或"
# After a number: what cannot follow a value (it is a date, an ordinal unit, a
# multiple, a process node or part of a model name).
NOT_VALUE_AFTER = re.compile(r"(?:年|月|日|号|季|周|天|小时|时|分钟|秒|岁|届|次|期|代|级|倍|纳米|奈米|nm|英寸|寸|吋|像素|毫米|厘米|公分|帧|核(?!心)|线|楼|层|路|号线|版|[A-Za-z])")
SHARE_CLASS = re.compile(r"[AHB]股")
NOT_VALUE_BEFORE = re.compile(r"(?:第|[A-Za-z_]|[A-Za-z]-|#|No\.?|v|V)$")
PERCENT_WORDS_RE = r"百分之"
TIME_BEFORE = re.compile(r"(?:上午|下午|晚上|凌晨|早上|中午|傍晚|晚间|早盘|午盘)$")
TIME_AFTER = re.compile(r"(?:\d{1,2}分|[〇○零一二三四五六七八九十]{1,3}分|半|钟|整|前|后|左右)")
HALF_WORDS = {"归零": ("exact", 0.0), "一半": ("exact", 50.0), "逾半": ("over", 50.0), "过半": ("over", 50.0), "超半": ("over", 50.0), "近半": ("approx", 50.0), "大半": ("over", 50.0)}
TEN_PERCENT_FOLLOW_NOT = "[为本功立员长交熟绩果都效品型就全]|份股|分股"


@dataclass(frozen=True)
class ValueMention:
    start: int
    end: int
    text: str
    value: float
    unit: str | None
    unit_type: str  # money | percent | pp | count | physical | plain
    qualifier: str = "exact"
    value_high: float | None = None
    currency_source: str = "none"  # word | prefix | local | none
    negated_by: str | None = None  # the falling or loss word that made it negative
    has_scale: bool = False


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    u = lexicon.units()
    alt = lexicon.alternation
    currency = alt(list(u.currency_words) + u.local_currency_words)
    unit = "|".join(
        [
            rf"(?P<pp>{alt(u.point_words)})",
            rf"(?P<bp>{alt(u.basis_point_words)})",
            rf"(?P<qp>{alt(u.quarter_point_words)})(?![\u4e00-\u9fff])",
            rf"(?P<pct>{alt(u.percent_words)})",
            rf"(?P<cur>{currency})",
            rf"(?P<phys>{alt(u.physical_units)})",
            rf"(?P<cnt>{alt(u.count_words)})",
        ]
    )
    prefix = alt(u.currency_prefixes)
    one = rf"(?P<prefix>{prefix})?\s?(?P<minus>[-−负])?(?P<num>{NUMBER})(?P<mid>多|余|几)?\s?(?:{unit})?"
    return {
        "one": re.compile(one),
        "unit": re.compile(rf"(?:多|余)?\s?(?:{unit})"),
        "joiner": re.compile(rf"\s?(?:{RANGE_JOINERS})\s?"),
        "percent_words": re.compile(rf"{PERCENT_WORDS_RE}(?P<num>{NUMBER})"),
        "cheng": re.compile(rf"(?P<num>[{CN}]{{1,3}}|\d{{1,2}})(?P<mid>多|余)?成(?P<tail>[一二三四五六七八九](?![{CN}]))?(?!{TEN_PERCENT_FOLLOW_NOT})"),
        # 四至五成, 三到四成: a range of tenths with the unit written once, after the second
        "cheng_range": re.compile(r"(?P<a>[一二两三四五六七八九])(?:至|到|~|－|-)(?P<b>[一二两三四五六七八九])成"),
        "half": re.compile(alt(HALF_WORDS)),
        "jiao_fen": re.compile(rf"(?:(?P<jiao>[{CN}\d])角)?(?:(?P<fen>[{CN}\d])分)?(?:整)?"),
        "qual_before": re.compile(rf"(?:{alt(u.qualifiers_before)})\s?$"),
        "neg_before": re.compile(rf"(?:{alt(u.negative_words_before)})了?\s?$"),
        "no_qualifier": re.compile(rf"(?:{alt(u.qualifier_exceptions)})$"),
        "prefix_word_before": re.compile(rf"(?:{alt(u.currency_prefix_words)})\s?$"),
        "qual_after": re.compile(rf"\s?(?:{alt(u.qualifiers_after)})"),
        "shared_unit": re.compile(
            rf"(?<![\d.,])(?P<a>{ARABIC})(?P<ge>个)?(?:和|及|、|与|或)(?={ARABIC}个?"
            rf"(?:(?P<bp>{alt(u.basis_point_words)})|(?P<pp>{alt(u.point_words)})|(?P<pct>{alt(u.percent_words)})))"),
    }


def _unit_of(m: re.Match, market: str) -> tuple[str | None, str, str]:
    """(unit, unit_type, currency_source) from a match of the unit group."""
    u = lexicon.units()
    if m.group("pp") or m.group("bp") or m.group("qp"):
        return "pp", "pp", "none"
    if m.group("pct"):
        return "%", "percent", "none"
    if m.group("cur"):
        word = m.group("cur")
        if word in u.currency_words:
            return u.currency_words[word], "money", "word"
        return u.market_currency[market], "money", "local"
    if m.group("phys"):
        return u.physical_units[m.group("phys")], "physical", "none"
    if m.group("cnt"):
        return u.count_words[m.group("cnt")], "count", "none"
    return None, "plain", "none"


def _unit_with_prefix(m: re.Match, market: str) -> tuple[str | None, str, str]:
    """The unit after the number, unless a currency prefix (US$, NT$) stands before it."""
    if m.group("prefix"):
        return lexicon.units().currency_prefixes[m.group("prefix")], "money", "prefix"
    return _unit_of(m, market)


def _has_scale(num: str) -> bool:
    return any(ch in "万亿兆" for ch in num) or (not num[:1].isdigit() and len(num) > 1)


def _has_big_scale(num: str) -> bool:
    """70万, 8亿, 二十万亿, 一点〇五兆: a scale after a leading digit (万一 is a word)."""
    return any(ch in "万亿兆" for ch in num) and (num[0].isdigit() or num[0] in "〇○零一二两三四五六七八九壹贰叁肆伍陆柒捌玖十")


def _parse(num: str) -> Decimal:
    cleaned = num.replace("多", "").replace("余", "").replace("几", "")
    return parse_number(cleaned)


def _is_cn_numeral(num: str) -> bool:
    return not num[:1].isdigit()


def _qualifier_before(text: str, start: int) -> tuple[str | None, int]:
    """Qualifier word ending at ``start`` and where it starts."""
    window = text[max(0, start - 6):start]
    m = _patterns()["qual_before"].search(window)
    if not m or _patterns()["no_qualifier"].search(window):
        return None, start  # 买超 (net buying) is not 超 (over)
    return lexicon.units().qualifiers_before[m.group().strip()], start - len(m.group())


NARROWING = ("收窄", "缩窄", "缩小")


# 比去年同期低约6个百分点, 较上季少1.2亿元: lower than the base, a fall
COMPARED_LOWER = re.compile(r"(?<!占)(?:比|较)(?![例重率])[^，,。；;：:]{1,12}?(?:低|少)了?$")


def _negative_before(text: str, start: int) -> str | None:
    window = text[max(0, start - 8):start]
    m = _patterns()["neg_before"].search(window)
    if m and m.group().strip().startswith(NARROWING) and "亏" in window[:m.start()]:
        return None  # 亏损收窄31.2%: a loss that narrows is an improvement
    if m is None and (lower := COMPARED_LOWER.search(text, max(0, start - 16), start)) is not None:
        return lower.group()[-1]
    return m.group().strip() if m else None


def _local_currency_hint(text: str, start: int) -> str | None:
    """人民币 / 新台币 written just before the number fixes a bare 元."""
    m = _patterns()["prefix_word_before"].search(text[max(0, start - 5):start])
    return lexicon.units().currency_prefix_words[m.group().strip()] if m else None


# 6MW及以上机型, 3200万像素及以上模组: the bound of a class of products, no figure
CLASS_BOUND_AFTER = re.compile(r"及以[上下](?=[\u4e00-\u9fffA-Za-z])")


def _reject_context(text: str, start: int, end: int, unit_type: str) -> bool:
    if CLASS_BOUND_AFTER.match(text, end):
        return True
    before = text[max(0, start - 3):start]
    if NOT_VALUE_BEFORE.search(before):
        return True
    if unit_type == "count" and before.endswith("每"):
        return True  # 每10股派...: the base of a rate, not a quantity
    if text[end - 1:end] == "点" and (TIME_BEFORE.search(text[max(0, start - 3):start]) or TIME_AFTER.match(text, end)):
        return True  # 下午3点, 9点30分: a time of day, not index points
    if unit_type in ("plain", "count") and NOT_VALUE_AFTER.match(text, end) and not SHARE_CLASS.match(text, end):
        return True
    if unit_type == "count" and text.startswith("位数", end - 1):
        return True  # 两位数, 个位数: a number of digits, not two people
    if unit_type != "physical" and end < len(text) and text[end].isascii() and text[end].isalpha() \
            and not SHARE_CLASS.match(text, end):
        return True  # (5.8亿股H股: the class of the shares counted follows)
    if start > 0 and text[start - 1].isascii() and (text[start - 1].isdigit() or text[start - 1] == "."):
        return True
    return False


def _in_bracketed_code(text: str, start: int, end: int) -> bool:
    """(2330), (00700.HK), (688256.SH): a stock code, not a value."""
    return start > 0 and text[start - 1] in "(（[【" and re.match(r"\.?[A-Z]{0,3}\s?[)）\]】]", text[end:end + 5]) is not None


SLASH_LIST = re.compile(rf"(?<![\d./])(?:{ARABIC})(?:/(?:{ARABIC}))+(?=[{SCALE}]*[^\d/,.])")


def _slash_lists(text: str, market: str) -> list[ValueMention]:
    """118.6/128.4/139.2亿元 (a broker's forecasts for three years): the scale
    and unit written after the last number apply to each."""
    out = []
    for m in SLASH_LIST.finditer(text):
        last_start = m.start() + m.group().rfind("/") + 1
        last = _patterns()["one"].match(text, last_start)
        if last is None or _unit_of(last, market)[1] == "plain":
            continue
        tail = last.group()[len(last.group("num")):]
        unit, unit_type, source = _unit_of(last, market)
        pos = m.start()
        for item in m.group().split("/"):
            try:
                value = parse_number(item + "".join(ch for ch in last.group("num") if ch in "万亿兆"))
            except NumberError:
                break
            end = pos + len(item) + (len(tail) + len(last.group("num")) - len(item) if pos == last_start else 0)
            out.append(ValueMention(pos, end, text[pos:end], decimal_to_float(value), unit, unit_type,
                                    currency_source=source, has_scale=True))
            pos += len(item) + 1
    return out


def find_values(text: str, market: str = "cn", token_starts: frozenset[int] | None = None) -> list[ValueMention]:
    """All value mentions in ``text`` in order, non-overlapping."""
    found: list[ValueMention] = []
    taken = [False] * (len(text) + 1)
    for mention in (_special_forms(text) + _slash_lists(text, market) + _cents(text, market) + _growth_multiples(text)
                    + _valuation_multiples(text) + _shared_unit_lists(text)):
        found.append(mention)
        for i in range(mention.start, mention.end):
            taken[i] = True
    pos = 0
    pat = _patterns()["one"]
    while pos < len(text):
        m = pat.search(text, pos)
        if not m:
            break
        if taken[m.start("num")]:
            pos = m.end("num")
            continue
        mention = _read_match(text, m, market, token_starts)
        if mention is None:
            pos = m.end("num")
            continue
        found.append(mention)
        for i in range(mention.start, mention.end):
            taken[i] = True
        pos = mention.end
    found.sort(key=lambda v: v.start)
    found = _drop_exchange_rates(text, found)
    return _carry_currency(text, _share_signs(text, [_with_context(text, v) for v in found]), market)


EXCHANGE_JOINER = re.compile(r"\s?(?:兑|兑换|换|比)\s?(?:约)?\s?")


def _drop_exchange_rates(text: str, mentions: list[ValueMention]) -> list[ValueMention]:
    """1美元兑30.5元新台币: an exchange rate, two amounts of money that are
    no figure of anyone (a rate the article assumes or quotes)."""
    drop: set[int] = set()
    for i in range(len(mentions) - 1):
        a, b = mentions[i], mentions[i + 1]
        if a.unit_type == b.unit_type == "money" and EXCHANGE_JOINER.fullmatch(text, a.end, b.start):
            drop |= {i, i + 1}
    return [v for i, v in enumerate(mentions) if i not in drop]


SENTENCE_END = re.compile(r"[。！？!?\n]")
# (人民币，下同), （单位：港元，下同）, (以人民币计，下同): the currency of every later bare 元
SAME_BELOW = re.compile(
    r"[(（](?:单位[:：]|[以按])?\s?(?:(?P<word>[\u4e00-\u9fff]{2,3}?)计?\s?[,，、]?\s?)?下同[)）]")


def _carry_currency(text: str, mentions: list[ValueMention], market: str = "cn") -> list[ValueMention]:
    """A bare 元 takes a currency the article has fixed for it: one declared
    for what follows (人民币，下同), else the currency word of an earlier
    amount in the same sentence (人民币195.3亿元、248亿元及297.6亿元 are all
    CNY: the word is written once for the list), else the foreign currency
    a Hong Kong article reports a company's results in (see
    ``_reporting_currency``)."""
    declared = _declared_currencies(text, mentions)
    out, sentence_currency, reporting, previous_end = [], None, None, 0
    for v in mentions:
        if SENTENCE_END.search(text, previous_end, v.start):
            sentence_currency = None
        previous_end = v.end
        if v.unit_type == "money" and v.currency_source in ("word", "prefix"):
            # 人民币248亿元 starts a currency for the bare 元 after it; 110亿港元 ends it
            carries = (text[v.end - 1:v.end] in "元块" and _local_currency_hint(text, v.start)) \
                or _currency_after_yuan(text, v)
            sentence_currency = v.unit if carries else None
            reporting = _reporting_currency(market, v, carries, reporting)
        elif v.unit_type == "money" and v.currency_source == "local":
            unit = (sentence_currency or next((u for pos, u in reversed(declared) if pos <= v.start), None)
                    or (reporting if not QUOTE_BEFORE.search(text, max(0, v.start - 6), v.start) else None))
            if unit is not None:
                v = replace(v, unit=unit, currency_source="carried")
        out.append(v)
    return _currency_after_list(text, out)


def _currency_after_yuan(text: str, v: ValueMention) -> bool:
    """111.8亿元人民币: the currency word written after 元 fixes the currency
    as 人民币111.8亿元 does, for the bare 元 after it."""
    return text.endswith(_yuan_then_currency(), v.start, v.end)


@lru_cache(maxsize=1)
def _yuan_then_currency() -> tuple[str, ...]:
    return tuple(f"元{w}" for w in lexicon.units().currency_prefix_words)


# 股价收报5元, 目标价由21元: a Hong Kong share is quoted in its own currency
QUOTE_BEFORE = re.compile(r"(?:报|收于|收|高见|低见|股价|目标价|价)(?:由|为|至|在)?$")


def _reporting_currency(market: str, v: ValueMention, carries: bool, current: str | None) -> str | None:
    """Hong Kong papers give a mainland company's results as 收入人民币21.4亿元
    and then go on in bare 元 (溢利3.02亿元, and in the next paragraph 医院业务
    收入18.7亿元): the 元 stays the foreign currency until the article names
    an amount in its own currency again (报13.58港元)."""
    if market != "hk":
        return None
    if v.unit == lexicon.units().market_currency[market]:
        return None
    return v.unit if carries else current


def _currency_after_list(text: str, mentions: list[ValueMention]) -> list[ValueMention]:
    """0.95元及1.08元人民币: a currency word after the last amount of a list
    is the currency of the bare 元 before it."""
    out = list(mentions)
    for i in range(len(out) - 2, -1, -1):
        cur, nxt = out[i], out[i + 1]
        if (cur.unit_type == "money" and cur.currency_source in ("local", "carried") and nxt.unit_type == "money"
                and nxt.currency_source == "word" and text[cur.end - 1:cur.end] == "元"
                and text[nxt.end - 1:nxt.end] != "元" and text[cur.end:nxt.start].strip() in LIST_JOINERS):
            out[i] = replace(cur, unit=nxt.unit, currency_source="carried")
    return out


def _declared_currencies(text: str, mentions: list[ValueMention]) -> list[tuple[int, str]]:
    """(position, currency) of every 下同 declaration, in order: the word in
    the brackets, or the currency of the amount the brackets follow."""
    out = []
    words = lexicon.units().currency_prefix_words
    for m in SAME_BELOW.finditer(text):
        before = next((v for v in reversed(mentions) if v.end <= m.start() and m.start() - v.end <= 3), None)
        if m.group("word") in words:
            # 收入815.3亿元(人民币，下同): the declaration names the currency of the amount it follows too
            at = before.start if before is not None and before.unit_type == "money" else m.end()
            out.append((at, words[m.group("word")]))
            continue
        if before is not None and before.unit_type == "money" and before.currency_source != "local":
            out.append((m.end(), before.unit))
    return out


LIST_JOINERS = ("或", "和", "及", "与", "、")  # 跌11点或0.12%, 下降10个和12个基点: one sign for both


def _share_signs(text: str, mentions: list[ValueMention]) -> list[ValueMention]:
    """跌11点或0.12%: the fall applies to both ways of saying it."""
    out = list(mentions)
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        if prev.negated_by and not cur.negated_by and cur.value > 0 and text[prev.end:cur.start].strip() in LIST_JOINERS:
            out[i] = replace(cur, value=-cur.value, negated_by=prev.negated_by)
    return out


# The capital (banker's) forms of the digits, and 幺 and 俩: words of their own
# (参股, 大陆, 陆续, 队伍) unless other numerals join them (壹佰万元, 叁拾)
LONE_FORMS_NO_NUMBER = frozenset("壹贰叁参肆伍陆柒捌玖拾佰仟幺俩")


def _read_match(text: str, m: re.Match, market: str, token_starts: frozenset[int] | None) -> ValueMention | None:
    num = m.group("num")
    start = m.start("prefix") if m.group("prefix") else m.start("minus") if m.group("minus") else m.start("num")
    if m.group("prefix") and m.group("prefix").isalpha() and start > 0 and text[start - 1].isascii() and text[start - 1].isalpha():
        return None
    unit, unit_type, source = _unit_with_prefix(m, market)
    end = m.end()
    if _is_cn_numeral(num):
        if len(num) == 1 and num in LONE_FORMS_NO_NUMBER:
            return None  # 参股, 陆家嘴, 伍: an amount's capital form never stands alone
        if all(ch in "万亿兆千百十" for ch in num) and unit_type == "count" and not m.group("mid") and not _qualifier_before(text, m.start("num"))[0]:
            return None  # 万卡, 千卡: a size descriptor, not a count
        if num in ("一", "壹") and unit_type == "count":
            return None  # 一家, 一款, 一个: an article, not a quantity
        if num in ("零", "〇") and unit_type == "count":
            return None  # 汽车零部件, 零件: a word, not a count of nothing
        if unit_type == "count" and unit in lexicon.units().digit_only_count_words and not _has_big_scale(num):
            return None  # 两头承压: an idiom, not two head of livestock
    if _reject_context(text, start, end, unit_type):
        return None
    if _in_bracketed_code(text, m.start("num"), m.end("num")) and unit_type == "plain":
        return None
    qualifier = "over" if (m.group("mid") or any(ch in num for ch in "多余几")) else "exact"
    try:
        pair = parse_digit_pair_range(num) if _is_cn_numeral(num) else None
        value = _parse(num) if pair is None else pair[0]
    except NumberError:
        return None
    high = pair[1] if pair else None
    if unit_type == "pp" and m.group("bp"):
        value = value / 100
    if unit_type == "pp" and m.group("qp"):
        value = value / 4  # 降息1码: a quarter of a percentage point
    if unit_type == "money" and m.group("cur") in lexicon.units().local_currency_words:
        end, value = _jiao_fen(text, end, value)
    if m.group("minus"):
        value = -value
    mention = ValueMention(
        start=start, end=end, text=text[start:end], value=decimal_to_float(value), unit=unit,
        unit_type=unit_type, qualifier="range" if pair else qualifier,
        value_high=decimal_to_float(high) if high is not None else None,
        currency_source=source, has_scale=_has_scale(num),
    )
    mention = _extend_range(text, mention, market, token_starts)
    if mention.unit_type == "plain" and not _has_big_scale(num):
        return None  # 一系列, 十五五, 万卡, a bare 2330: a value needs a unit or a scale
    if _is_cn_numeral(num) and token_starts is not None and m.start("num") not in token_starts and not _qualifier_before(text, m.start("num"))[0]:
        # 李四人: the numeral is inside a word (破兆元 is not: 破 qualifies it).
        # Asked last: the answer can need the segmenter, every test above is cheap.
        return None
    return mention


def _jiao_fen(text: str, end: int, value: Decimal) -> tuple[int, Decimal]:
    """123元1角1分 -> 123.11; 伍仟元整 -> 5000."""
    m = _patterns()["jiao_fen"].match(text, end)
    if not m or m.end() == end:
        return end, value
    for group, scale in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
        if m.group(group):
            try:
                value += parse_number(m.group(group)) * scale
            except NumberError:
                return end, value
    return m.end(), value


PLUS_MINUS = re.compile(r"\s?(?:±|\+/-)\s?(?P<num>\d+(?:\.\d+)?)\s?(?:个百分点|百分点|%)")


# A change verb right before a number: 降300元至18,900元 reads "by ... to ...".
CHANGE_BY_BEFORE = re.compile(r"(?:降|升|涨|跌|增|减|加|上调|下调|调高|调低|提高|降低|增加|减少|下滑|上升|下降)了?$")


def _change_then_level(text: str, first: ValueMention, second: ValueMention, joiner: re.Match) -> bool:
    """调降300元至18,900元: by 300 to 18,900, two figures. A growth range
    (增长10%至15%) stays a range: only amounts, and only where the second is
    far larger than the first (a change to a level, not two bounds)."""
    return (joiner.group().strip() in ("至", "到") and first.unit_type != "percent"
            and CHANGE_BY_BEFORE.search(text, max(0, first.start - 3), first.start) is not None
            and abs(second.value) > 3 * abs(first.value))


def _extend_range(text: str, first: ValueMention, market: str, token_starts: frozenset[int] | None) -> ValueMention:
    """346亿至358亿美元, 10%到20%, 1.2至1.5亿元, 46%±1.5个百分点: one mention with value_high."""
    pm = PLUS_MINUS.match(text, first.end)
    if pm and first.unit_type == "percent":
        try:
            delta = parse_number(pm.group("num"))
        except NumberError:
            return first  # ±99999…: too large to be a margin (a float would make it infinite)
        center = Decimal(str(first.value))
        return replace(first, end=pm.end(), text=text[first.start:pm.end()], value=decimal_to_float(center - delta),
                       value_high=decimal_to_float(center + delta), qualifier="range")
    j = _patterns()["joiner"].match(text, first.end)
    if not j:
        return first
    m = _patterns()["one"].match(text, j.end())
    if not m or m.group("prefix") and first.unit_type != "money":
        return first
    second = _read_match_no_range(text, m, market, token_starts)
    if second is None:
        return first
    if j.group().strip() in "-—–－" and first.unit_type == "plain" and not first.has_scale and second.unit_type == "plain":
        return first
    if first.unit_type not in ("plain", second.unit_type):
        return first
    if first.unit_type == "money" and second.unit_type == "money" and first.unit != second.unit and first.currency_source != "local":
        return first
    low = Decimal(str(first.value))
    if not first.has_scale and second.has_scale and first.unit_type == "plain":
        low = _borrow_scale(first, second)
    if _change_then_level(text, first, second, j):
        return first
    if low > Decimal(str(second.value)) and first.unit_type == second.unit_type:
        return first  # 增长至 / from-to of two levels, not a range
    return replace(
        second, start=first.start, text=text[first.start:second.end], value=decimal_to_float(low),
        value_high=second.value, qualifier="range",
    )


def _read_match_no_range(text: str, m: re.Match, market: str, token_starts: frozenset[int] | None) -> ValueMention | None:
    num = m.group("num")
    if _is_cn_numeral(num) and token_starts is not None and m.start("num") not in token_starts:
        return None
    unit, unit_type, source = _unit_with_prefix(m, market)
    if unit_type == "plain" and not _has_scale(num):
        return None
    if _reject_context(text, m.start(), m.end(), unit_type):
        return None
    try:
        value = _parse(num)
    except NumberError:
        return None
    if m.group("minus"):
        value = -value
    return ValueMention(
        start=m.start(), end=m.end(), text=m.group(), value=decimal_to_float(value), unit=unit,
        unit_type=unit_type, currency_source=source, has_scale=_has_scale(num),
    )


def _borrow_scale(first: ValueMention, second: ValueMention) -> Decimal:
    """1.2至1.5亿元: the low end takes the scale of the high end."""
    scale_chars = "".join(ch for ch in second.text if ch in "万亿兆")
    if not scale_chars:
        return Decimal(str(first.value))
    factor = Decimal(1)
    for ch in scale_chars:
        factor *= {"万": 10**4, "亿": 10**8, "兆": 10**12}[ch]
    return Decimal(str(first.value)) * factor


def _parsed(pattern: re.Pattern, text: str, group: str) -> Iterator[tuple[re.Match, Decimal]]:
    """Matches of ``pattern`` whose ``group`` reads as a number, with it."""
    for m in pattern.finditer(text):
        try:
            yield m, parse_number(m.group(group).replace(",", ""))
        except NumberError:
            continue


CENTS = re.compile(rf"(?<![\d.])(?P<num>{ARABIC})\s?(?P<unit>港仙|美仙|仙|分)(?![钟之])")
PER_SHARE_BEFORE = re.compile(r"每股[^，,。；;]{0,8}$")


def _cents(text: str, market: str) -> list[ValueMention]:
    """每股派息20港仙, 每股基本盈利67.2分: a hundredth of the currency. 港仙
    and 美仙 say which; 仙 is Hong Kong's; 分 counts only after 每股 (elsewhere
    it is a score, a minute or a point)."""
    out = []
    for m, number in _parsed(CENTS, text, "num"):
        unit = m.group("unit")
        if unit == "分" and not PER_SHARE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        currency = {"港仙": "HKD", "美仙": "USD", "仙": "HKD"}.get(unit)
        source = "word" if currency else "local"
        code = currency or lexicon.units().market_currency[market]
        out.append(ValueMention(m.start(), m.end(), m.group(), decimal_to_float(number / 100), code, "money",
                                currency_source=source))
    return out


def _shared_unit_lists(text: str) -> list[ValueMention]:
    """分别下降10个和12个基点, 0.5和0.3个百分点: the unit (units.yaml) is
    written once, after the last number; the first takes it too."""
    out = []
    for m, number in _parsed(_patterns()["shared_unit"], text, "a"):
        if m.group("bp"):
            value, code, kind = number / 100, "pp", "pp"
        elif m.group("pp"):
            value, code, kind = number, "pp", "pp"
        else:
            value, code, kind = number, "%", "percent"
        end = m.end("ge") if m.group("ge") else m.end("a")
        out.append(ValueMention(m.start("a"), end, text[m.start("a"):end], decimal_to_float(value), code, kind))
    return out


# 同比增长一点三倍, 年增1.5倍: a growth by N times is a growth of N x 100%
# (a bare multiple, 是营收的6倍 or 市盈率15倍, stays no value)
GROWTH_MULTIPLE = re.compile(rf"(?:增长|增加|成长|年增|季增|月增|大增|暴增|提升|上升)(?P<mid>逾|超过|超|近|约|了)?(?P<num>{ARABIC}|[{CN}](?:[{CN}]|点(?=[{CN}]))*)倍(?!以上|以下|至|到)")


@lru_cache(maxsize=1)
def _valuation_multiple_pattern() -> re.Pattern:
    u = lexicon.units()
    before, after = lexicon.alternation(u.multiple_words_before), lexicon.alternation(u.multiple_words_after)
    joiner = r"(?:的|为|约|约为|达|达到|高达|逾|超过|超|近|仅|获|只有|分别|分别为)*"
    return re.compile(rf"(?:(?:{before}){joiner}(?P<num>{ARABIC}|[{CN}](?:[{CN}]|点(?=[{CN}]))*)倍"
                      rf"|(?<![\d.,])(?P<num2>{ARABIC})倍(?:的)?(?={after}))")


def _valuation_multiples(text: str) -> list[ValueMention]:
    """市盈率约15倍, 16.5倍PE, 超额认购1,110倍: a multiple a word says the
    meaning of (units.yaml multiple_words_*), unit 倍."""
    out = []
    for m in _valuation_multiple_pattern().finditer(text):
        group = "num" if m.group("num") else "num2"
        end = m.end(group) + 1
        try:
            out.append(_multiple(text, m.start(group), end, m.group(group)))
        except NumberError:
            continue
        while (more := MULTIPLE_LIST_NEXT.match(text, end)) is not None:
            # 市盈率分别为44倍、33倍和26倍: the list goes on in the same measure
            out.append(_multiple(text, more.start("num"), more.end(), more.group("num")))
            end = more.end()
    return out


def _multiple(text: str, start: int, end: int, number: str) -> ValueMention:
    """``number``倍 at [start, end), unit 倍 (NumberError if it reads as no number)."""
    return ValueMention(start, end, text[start:end], decimal_to_float(parse_number(number.replace(",", ""))), "倍", "multiple")


MULTIPLE_LIST_NEXT = re.compile(rf"(?:、|和|及|与|以及)(?P<num>{ARABIC})倍")


def _growth_multiples(text: str) -> list[ValueMention]:
    out = []
    for m, times in _parsed(GROWTH_MULTIPLE, text, "num"):
        qualifier = {"逾": "over", "超过": "over", "超": "over", "近": "approx", "约": "approx"}.get(m.group("mid") or "", "exact")
        start = m.start("num")
        out.append(ValueMention(start, m.end(), text[start:m.end()], decimal_to_float(times * 100), "%", "percent",
                                qualifier=qualifier))
    return out


def _special_forms(text: str) -> list[ValueMention]:
    """百分之六十二点三, 三成, 逾半: percentages written in words."""
    return _word_ranges(text, _percent_words(text))


def _word_ranges(text: str, mentions: list[ValueMention]) -> list[ValueMention]:
    """一成至一成五: two percentages in words joined by 至 are one range."""
    mentions = sorted(mentions, key=lambda v: v.start)
    out: list[ValueMention] = []
    for v in mentions:
        prev = out[-1] if out else None
        if (prev is not None and prev.value_high is None and v.value_high is None and prev.value < v.value
                and _patterns()["joiner"].fullmatch(text, prev.end, v.start)):
            out[-1] = replace(prev, end=v.end, text=text[prev.start:v.end], value_high=v.value, qualifier="range")
            continue
        out.append(v)
    return out


def _percent_words(text: str) -> list[ValueMention]:
    out: list[ValueMention] = []
    p = _patterns()
    for m in p["percent_words"].finditer(text):
        try:
            value = parse_number(m.group("num").replace("几", ""))
        except NumberError:
            continue
        out.append(ValueMention(m.start(), m.end(), m.group(), decimal_to_float(value), "%", "percent"))
    for m in p["cheng_range"].finditer(text):
        low, high = parse_number(m.group("a")) * 10, parse_number(m.group("b")) * 10
        if low < high and (m.start() == 0 or text[m.start() - 1] not in CN_NUMERAL_CHARS):
            out.append(ValueMention(m.start(), m.end(), m.group(), decimal_to_float(low), "%", "percent", "range",
                                    decimal_to_float(high)))
    for m in p["cheng"].finditer(text):
        if any(v.start <= m.start() < v.end for v in out):
            continue
        if m.start() > 0 and (text[m.start() - 1] in CN_NUMERAL_CHARS or text[m.start() - 1].isdigit()):
            continue
        pair = parse_digit_pair_range(m.group("num") + "十") if len(m.group("num")) == 2 else None
        try:
            value = parse_number(m.group("num")) * 10 if pair is None else pair[0]
            if m.group("tail"):
                value += parse_number(m.group("tail"))
        except NumberError:
            continue
        if value > 100:
            continue
        qualifier = "over" if m.group("mid") else "range" if pair else "exact"
        high = decimal_to_float(pair[1]) if pair else None
        out.append(ValueMention(m.start(), m.end(), m.group(), decimal_to_float(value), "%", "percent", qualifier, high))
    for m in p["half"].finditer(text):
        qualifier, value = HALF_WORDS[m.group()]
        start = m.start() + (1 if m.group() not in ("一半", "归零") else 0)
        out.append(ValueMention(start, m.end(), text[start:m.end()], value, "%", "percent", qualifier))
    return out


def _with_context(text: str, v: ValueMention) -> ValueMention:
    """Apply the qualifier and sign written around the mention."""
    cursor = v.start
    prefix_word = _patterns()["prefix_word_before"].search(text[max(0, cursor - 5):cursor])
    if prefix_word:
        cursor -= len(prefix_word.group())  # 约合人民币11605亿元: the qualifier stands before the currency word
    qualifier = v.qualifier
    if qualifier == "exact":
        m = _patterns()["qual_after"].match(text, v.end)
        after = lexicon.units().qualifiers_after[m.group().strip()] if m else None
        # 约...左右 and 超过...以上 agree; a word right before the number wins
        qualifier = _qualifier_before(text, v.start)[0] or after or _qualifier_before(text, cursor)[0] or "exact"
    _, cursor = _qualifier_before(text, cursor)
    negated_by = _negative_before(text, cursor)
    value, high = v.value, v.value_high
    if negated_by and value > 0:
        # 季减5%至9%: -9 to -5, the lower bound first (value <= value_high)
        value, high = (-high, -value) if high is not None else (-value, None)
    unit, source = v.unit, v.currency_source
    if source == "local":
        hint = _local_currency_hint(text, v.start)
        if hint:
            unit, source = hint, "word"
    if (qualifier, value, high, negated_by, unit, source) == (v.qualifier, v.value, v.value_high, v.negated_by, v.unit,
                                                              v.currency_source):
        return v  # most mentions: nothing around them changes them (and replace() is not cheap)
    return replace(v, qualifier=qualifier, value=value, value_high=high, negated_by=negated_by, unit=unit, currency_source=source)


def with_market(v: ValueMention, market: str) -> ValueMention:
    """Re-decide a bare 元 for the home market of the fact's subject."""
    if v.currency_source != "local":
        return v
    return replace(v, unit=lexicon.units().market_currency[market])
