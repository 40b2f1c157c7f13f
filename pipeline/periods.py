"""Period recognizer: years, quarters, halves, months, days, spans, fiscal
labels and relative words, resolved against the publication date.

Pure functions over normalised text. Rules for text without a year:
- a day (7月15日) takes the publication year (FACT_SPEC);
- a quarter or month takes the year of an explicit year earlier in the same
  text, else the most recent one that had begun by the publication date
  (第四季 in a February article is last year's);
- a half year takes the year of an earlier explicit year, else the
  publication year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .numbers import NumberError, parse_number

CN_SMALL = "〇○零一二两三四五六七八九十"
NUM12 = rf"(?:\d{{1,2}}|[{CN_SMALL}]{{1,3}})"
QNUM = r"[1-4一二三四]"
YEAR4 = r"(?:19|20)\d{2}|[一二][〇○零九][〇○零一二三四五六七八九]{2}"
BASE_MARKERS = ("较", "比", "与", "相较", "相比", "对比", "较之", "高于", "低于", "超过", "优于")
ASOF_MARKERS = ("截至", "截止", "截止到", "截至到", "截止至", "到", "于")


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    text: str
    period_start: dt.date | None
    period_end: dt.date | None
    fiscal: str | None = None
    granularity: str = "year"  # year quarter half month day span ytd asof fiscal
    role: str = "period"  # period | base (去年同期 after 较) | asof (截至...)
    explicit_year: bool = True
    anchored: bool = False  # 全年 dated by the year the sentence named before it (明年…，全年)


def _num(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int(parse_number(text))


def quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
    first = 3 * (q - 1) + 1
    return dt.date(year, first, 1), month_end(year, first + 2)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def half_bounds(year: int, h: int) -> tuple[dt.date, dt.date]:
    return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if h == 1 else (dt.date(year, 7, 1), dt.date(year, 12, 31))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _year(text: str) -> int:
    """2025 or 二〇二五 (read digit by digit)."""
    if text.isdigit() and text.isascii():
        return int(text)
    return int("".join(str(int(parse_number(ch))) for ch in text))


def _two_digit_year(text: str) -> int:
    return 2000 + int(text)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    sub = (
        rf"(?:(?:前|首)(?P<firstq>{QNUM})季(?:度)?|(?:前|首)(?P<firstm>{NUM12})(?:个)?月"
        rf"|(?P<report>半年报|半年度报告|中报|中期报告|中期业绩|中期(?=分红|派息|股息|分派|派发)|一季报|三季报|年报|年度报告|年度业绩)"
        rf"|(?:第?(?P<q>{QNUM})季(?:度)?|(?P<qfirst>首季)(?:度)?|Q(?P<qq>[1-4])|(?P<half>上半年|下半年|上半财年|下半财年)|H(?P<hh>[12]))(?P<pend>末|底)?"
        rf"|(?P<m1>{NUM12})(?:月)?(?:-|至|~|到|—)(?P<m2>{NUM12})月(?:份)?"
        rf"|(?P<mon>{NUM12})月(?:份)?(?:(?P<day>{NUM12})(?:日|号)(?:(?:至|到|-|~|—)(?:(?P<mon2>{NUM12})月)?(?P<day2>{NUM12})(?:日|号))?|(?P<mend>末|底))?"
        rf"|(?P<yend>年底|年末|底|末)|(?P<ystart>年初)|(?P<full>全年))"
    )
    rel_year = r"(?P<rel>今年|去年|前年|明年|本年|上年|上一年|同年|当年|全年|本年度|上年度)"
    year = rf"(?:(?:民国(?P<roc>\d{{2,3}})|(?P<y>{YEAR4}))\s?年(?:度)?|{rel_year})"
    return [
        ("asof_span", re.compile(rf"(?:截至|截止)(?:(?P<y>{YEAR4})年|(?P<ry>今年|去年|本年))?(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})日|(?P<me>底|末))?止(?:的)?(?:(?P<n>{NUM12})个月|(?P<yr>年度|财政年度|财年|会计年度|全年)|(?P<qtr>季度|(?:第[一二三四1-4])?财季)|(?P<hy>中期|半年度|半年)(?=业绩|报告|财报|溢利|盈利|[，,]))")),
        ("fiscal", re.compile(rf"(?:(?P<fy>{YEAR4})\s?(?:财年|会计年度|财政年度)|(?:{YEAR4})/(?P<fy3>\d{{2}})\s?(?:财年|会计年度|财政年度|年度)|FY\s?(?P<fy2>{YEAR4}|\d{{2}}))(?:的)?\s?(?:第?(?P<fq>{QNUM})(?:财季|季度|季)|Q(?P<fqq>[1-4])|(?P<fh>上半年|下半年|H1|H2|中期))?")),
        ("month_quarter", re.compile(rf"(?P<mq>{NUM12})月(?:份)?季度")),
        ("broker_year", re.compile(r"(?P<y>(?:19|20)\d{2})[EFA](?![A-Za-z0-9])")),
        ("qy", re.compile(rf"(?P<qn>[1-4])Q(?P<yy>\d{{2}})(?!\d)|Q(?P<qn2>[1-4])\s?(?P<y4>{YEAR4})|(?P<y5>{YEAR4})\s?Q(?P<qn3>[1-4])|(?P<hn>[12])H(?P<yy2>\d{{2}})(?!\d)")),
        # 2025/26及2026/27财年: the first fiscal year of a list takes the label the last one writes
        ("fiscal_list", re.compile(rf"(?:{YEAR4})/(?P<fy3>\d{{2}})(?=\s?[、及和与]\s?(?:{YEAR4})/\d{{2}}\s?(?:财年|会计年度|财政年度|年度))")),
        # 2025、2026、2027年, 2025/2026年, 25/26/27年 (分别为...): a year each
        ("year_list", re.compile(rf"(?<![\d/.])(?P<ys>(?:{YEAR4})(?:\s?[、/及和与]\s?(?:{YEAR4})){{1,4}}|\d{{2}}(?:/\d{{2}}){{2,4}})\s?年(?!度)")),
        ("span", re.compile(rf"(?P<a>{YEAR4})\s?(?:年)?\s?(?:至|到|-|~|—|–|－|～)\s?(?P<b>{YEAR4})\s?年(?:度)?(?!第|[一二三四1-4]季|上半|下半|前|Q|H|\d{{1,2}}月|[一二三四五六七八九十]{{1,2}}月)")),
        ("iso", re.compile(rf"(?P<y>{YEAR4})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?!\d)")),
        ("day_note", re.compile(r"(?P<rd>今|昨|前|明)\s?[(（]\s?(?P<dd>\d{1,2})\s?[)）]\s?日")),
        ("weekday", re.compile(r"(?P<wk>本周|这周|上周|下周)(?P<wd>[一二三四五六日天])")),
        ("rel", re.compile(r"(?P<w>上一季度|下一季度|今年以来|今年迄今|年初以来|年初至今|月初至今|本月以来|本月至今|上一季|上个月|上季度|下一季|下个月|下季度|本季度|上周|上季|上月|下季|下月|今天|今日|今早|今晨|今午|前天|同日|当前|当天|当季|当日|当月|同月|昨天|昨日|本周|本季|本月|次日|现时|目前|翌日|迄今)")),
        ("rel_years", re.compile(r"(?P<ry>今[、,]?明[、,]?后三年|今[、,]?明两年|今[、,]?明年|明[、,]?后两年|明[、,]?后年)")),
        ("ymd", re.compile(rf"{year}(?:{sub})?")),
        ("sub", re.compile(sub)),
        ("within", re.compile(rf"(?:未来)?(?P<n>{NUM12})年(?:内|之内)")),
    ]


# Two publication dates far apart: a mention that resolves the same against
# both does not depend on the publication date (see _date_free).
PROBE_DATES = (dt.date(2001, 2, 14), dt.date(2013, 8, 27))


def find_periods(text: str, published: dt.date | None) -> list[PeriodMention]:
    """All period mentions in ``text``, in order, resolved against ``published``.

    With no publication date (none in the input, on the command line, in a
    dateline or as a year in the text), only mentions that need none are
    kept: 今年 or 第三季 against the day of the run would make the output
    depend on when it ran."""
    if published is None:
        return _date_free(text)
    return _resolved(text, published)


def _date_free(text: str) -> list[PeriodMention]:
    first, second = (_resolved(text, day) for day in PROBE_DATES)
    return [p for p in first if p in second]


# Words without one of which a pattern cannot match: checked by a substring
# test in C before the pattern scans the text (most texts have none of them).
NEEDS = {
    "asof_span": ("截至", "截止"),
    "fiscal": ("财年", "年度", "FY"),
    "fiscal_list": ("财年", "年度"),
    "month_quarter": ("季度",),
    "qy": ("Q", "H"),
    "within": ("年内", "年之内"),
    "rel_years": ("今明", "明后", "今、明", "明、后", "今,明"),
}


def _resolved(text: str, pub: dt.date) -> list[PeriodMention]:
    taken = [False] * (len(text) + 1)
    found: list[PeriodMention] = []
    for name, pat in _patterns():
        needs = NEEDS.get(name)
        if needs is not None and not any(word in text for word in needs):
            continue
        for m in pat.finditer(text):
            if any(taken[m.start():m.end()]) or m.end() == m.start():
                continue
            if _inside_word(text, m):
                continue
            mention = _resolve(name, m, text, pub, found)
            if mention is None:
                continue
            if isinstance(mention, list):
                found.extend(mention)
            else:
                found.append(mention)
            for i in range(m.start(), m.end()):
                taken[i] = True
    found.sort(key=lambda p: p.start)
    return _resolve_context(text, found, pub)


def _inside_word(text: str, m: re.Match) -> bool:
    """3nm, H20, A800 or a number with a unit: not a period."""
    before = text[m.start() - 1] if m.start() > 0 else ""
    after = text[m.end()] if m.end() < len(text) else ""
    if before.isascii() and (before.isalnum() or before == ".") and m.group()[:1].isascii():
        return True  # (万科A今日: a Chinese word after a Latin name is no part of it)
    if m.group().isascii() and after.isascii() and after.isalnum():
        return True
    return False


def _resolve(name: str, m: re.Match, text: str, pub: dt.date, found: list[PeriodMention]) -> PeriodMention | list[PeriodMention] | None:
    g = m.groupdict()
    try:
        if name in ("fiscal", "fiscal_list"):
            return _fiscal(m, g)
        if name == "year_list":
            return _year_list(m)
        if name == "broker_year":
            # 2025E / 2026F in a broker's note: that year (estimated or forecast)
            start, end = year_bounds(int(g["y"]))
            return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity="year")
        if name == "day_note":
            return _day_note(m, g, pub)
        if name == "weekday":
            return _weekday(m, g, pub)
        if name == "asof_span":
            return _months_ending(m, g, pub)
        if name == "month_quarter":
            # 9月季度: the calendar quarter that ends in September
            month = _num(g["mq"])
            if month % 3:
                return None
            year = _most_recent_year(pub, dt.date(pub.year, month - 2, 1), None)
            start, end = quarter_bounds(year, month // 3)
            # its year is settled here; it is never a fiscal quarter of its own
            return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity="quarter")
        if name == "qy":
            return _qy(m, g)
        if name == "span":
            a, b = _year(g["a"]), _year(g["b"])
            if b <= a:
                return None
            return PeriodMention(m.start(), m.end(), m.group(), dt.date(a, 1, 1), dt.date(b, 12, 31), granularity="span")
        if name == "iso":
            day = dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
            return PeriodMention(m.start(), m.end(), m.group(), day, day, granularity="day")
        if name == "rel_years":
            # 今明两年 each of this year and next (分别为2.83元及2.91元): a span of years
            first, last = REL_YEARS[re.sub("[、,]", "", g["ry"])]  # 今、明两年 is 今明两年
            return PeriodMention(m.start(), m.end(), m.group(), dt.date(pub.year + first, 1, 1),
                                 dt.date(pub.year + last, 12, 31), granularity="span")
        if name == "ymd":
            return _ymd(m, g, pub)
        if name == "sub":
            return _sub(m, g, None, pub, explicit=False)
        if name == "rel":
            return _relative(m, g["w"], pub)
        if name == "within":
            n = _num(g["n"])
            if not 1 <= n <= 10 or not _looks_forward(text, m.start()):
                return None
            end = _add_years(pub, n) - dt.timedelta(days=1)
            return PeriodMention(m.start(), m.end(), m.group(), pub, end, granularity="span")
    except (ValueError, NumberError):
        return None
    return None


def _looks_forward(text: str, start: int) -> bool:
    return any(w in text[max(0, start - 8):start] for w in ("预计", "将", "计划", "未来", "拟", "目标", "有望"))


def _add_years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return day.replace(year=day.year + n, day=28)


def _day_note(m: re.Match, g: dict, pub: dt.date) -> PeriodMention | None:
    """今(26)日, 昨(6)日 (Taiwanese news): the day of the month in brackets,
    in the month that puts it on the right side of the publication day."""
    day = int(g["dd"])
    if not 1 <= day <= 31:
        return None
    ahead = g["rd"] == "明"
    for months_back in ((0, -1) if ahead else (0, 1)):
        y, mo = pub.year, pub.month - months_back
        if mo < 1:
            y, mo = y - 1, mo + 12
        if mo > 12:
            y, mo = y + 1, mo - 12
        if day > calendar.monthrange(y, mo)[1]:
            continue
        when = dt.date(y, mo, day)
        if (when >= pub) if ahead else (when <= pub):
            return PeriodMention(m.start(), m.end(), m.group(), when, when, granularity="day", explicit_year=False)
    return None


WEEK_OFFSET = {"本周": 0, "这周": 0, "上周": -1, "下周": 1}
WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _weekday(m: re.Match, g: dict, pub: dt.date) -> PeriodMention:
    """本周五 -> the Friday of the publication week (a day, not the week)."""
    monday = pub - dt.timedelta(days=pub.weekday())
    day = monday + dt.timedelta(days=7 * WEEK_OFFSET[g["wk"]] + WEEKDAY[g["wd"]])
    return PeriodMention(m.start(), m.end(), m.group(), day, day, granularity="day", explicit_year=False)


def _months_ending(m: re.Match, g: dict, pub: dt.date) -> PeriodMention | None:
    """截至2024年12月31日止六个月 -> 2024-07-01..2024-12-31; 止年度 -> twelve
    months; 截至9月底止九个月 -> the most recent September's end."""
    month = int(g["m"])
    if not 1 <= month <= 12:
        return None
    if g.get("y"):
        year = int(g["y"])
    elif g.get("ry"):
        year = pub.year + REL_YEAR_OFFSET.get(g["ry"], 0)  # 截至今年6月底止六个月
    else:
        year = _most_recent_year(pub, dt.date(pub.year, month, 1), None)
    # 截至2026年3月止财年: a month with no day ends on its last day
    end = dt.date(year, month, int(g["d"])) if g.get("d") else month_end(year, month)
    months = 12 if g.get("yr") else 3 if g.get("qtr") else 6 if g.get("hy") else _num(g["n"])
    first_month = end.month - months + 1
    year = end.year
    while first_month < 1:
        first_month += 12
        year -= 1
    start = dt.date(year, first_month, 1) if end == month_end(end.year, end.month) else end
    # a year that does not end in December is the company's fiscal year, named
    # by the year it ends in (截至2025年6月30日止年度 -> FY2025)
    fiscal = f"FY{end.year}" if g.get("yr") and (end.month, end.day) != (12, 31) else None
    return PeriodMention(m.start(), m.end(), m.group(), start, end, fiscal=fiscal, granularity="span")


YEAR_ITEM = re.compile(rf"{YEAR4}|\d{{2}}")


def _year_list(m: re.Match) -> list[PeriodMention] | None:
    """2025、2026、2027年 -> one mention per year, the last one holding 年;
    None unless the years rise (25/26 read as a date or a fraction is no list)."""
    items = list(YEAR_ITEM.finditer(m.group("ys")))
    years = [_year(i.group()) if len(i.group()) == 4 else _two_digit_year(i.group()) for i in items]
    if any(b <= a for a, b in zip(years, years[1:])) or years[-1] - years[0] > 10:
        return None
    base = m.start("ys")
    out = []
    for i, (item, year) in enumerate(zip(items, years)):
        start, end = base + item.start(), (m.end() if i == len(items) - 1 else base + item.end())
        out.append(PeriodMention(start, end, m.string[start:end], *year_bounds(year), granularity="year"))
    return out


def _fiscal(m: re.Match, g: dict) -> PeriodMention:
    """2026财年第二季度 -> FY2026-Q2; 2024/25财政年度中期 -> FY2025-H1 (named by the year it ends in)."""
    year = int(g.get("fy") or g.get("fy2") or g["fy3"])
    if year < 100:
        year += 2000
    label = f"FY{year}"
    q = g.get("fq") or g.get("fqq")
    if q:
        label += f"-Q{_num(q)}"
    elif g.get("fh"):
        label += "-H1" if g["fh"] in ("上半年", "H1", "中期") else "-H2"
    return PeriodMention(m.start(), m.end(), m.group(), None, None, fiscal=label, granularity="fiscal")


def _qy(m: re.Match, g: dict) -> PeriodMention:
    if g["qn"]:
        start, end = quarter_bounds(_two_digit_year(g["yy"]), int(g["qn"]))
    elif g["qn2"]:
        start, end = quarter_bounds(int(g["y4"]), int(g["qn2"]))
    elif g["qn3"]:
        start, end = quarter_bounds(int(g["y5"]), int(g["qn3"]))
    else:
        start, end = half_bounds(_two_digit_year(g["yy2"]), int(g["hn"]))
        return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity="half")
    return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity="quarter")


REL_YEARS = {"今明两年": (0, 1), "今明年": (0, 1), "今明后三年": (0, 2), "明后两年": (1, 2), "明后年": (1, 2)}
REL_YEAR_OFFSET = {"今年": 0, "本年": 0, "本年度": 0, "全年": 0, "去年": -1, "上年": -1, "上一年": -1, "上年度": -1, "前年": -2, "明年": 1}


def _ymd(m: re.Match, g: dict, pub: dt.date) -> PeriodMention | None:
    if g["y"] or g["roc"]:
        year = _year(g["y"]) if g["y"] else 1911 + int(g["roc"])
        explicit = True
    else:
        rel = g["rel"]
        if rel in ("同年", "当年"):
            year = pub.year
            explicit = False
            mention = _sub(m, g, year, pub, explicit=False)
            return replace(mention, granularity="same-year") if mention else None
        year = pub.year + REL_YEAR_OFFSET[rel]
        explicit = False
    has_sub = any(g.get(k) for k in ("q", "qfirst", "qq", "half", "hh", "firstq", "firstm", "m1", "mon", "yend", "ystart", "report"))
    if g.get("full") and not has_sub:
        start, end = year_bounds(year)
        return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity="year", explicit_year=True)
    if not has_sub:
        start, end = year_bounds(year)
        return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity="year", explicit_year=explicit or g["rel"] is not None)
    mention = _sub(m, g, year, pub, explicit=True)
    return mention


def _report_bounds(report: str, year: int) -> tuple[dt.date, dt.date]:
    if report == "一季报":
        return quarter_bounds(year, 1)
    if report == "三季报":
        return dt.date(year, 1, 1), dt.date(year, 9, 30)
    if report.startswith(("年报", "年度")):
        return year_bounds(year)
    return half_bounds(year, 1)


CALENDAR_REPORTS = ("半年报", "半年度报告", "中报", "一季报")  # the mainland's (fiscal year = calendar year); 三季报 may be of the quarter or the nine months
INTERIM_MONTHS = (7, 8, 9)  # a December year's interim results come out then; a June or March year's do not


def _report_year(report: str, pub: dt.date) -> int | None:
    """The year of a report named with no year: a mainland report
    (半年报, 一季报) is the latest one ended by ``pub``; an interim report
    (中期业绩) published in July to September is of that year's first half
    (新鸿基地产's, of a year ending in June, comes out in February); anything
    else may be of a fiscal year: none."""
    if report in CALENDAR_REPORTS:
        start, end = _report_bounds(report, pub.year)
        return pub.year if end < pub else pub.year - 1
    if report.startswith("中期") and pub.month in INTERIM_MONTHS:
        return pub.year
    return None


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _sub(m: re.Match, g: dict, year: int | None, pub: dt.date, explicit: bool) -> PeriodMention | None:
    """A part of a year; ``year`` None means the year is still to be decided."""
    text = m.group()
    y = year if year is not None else pub.year
    if g.get("report"):
        # 2025年半年报 covers H1; 三季报 the first three quarters; 年报 the year.
        report = g["report"]
        if year is None:
            y = _report_year(report, pub)
            if y is None:
                return None
        start, end = _report_bounds(report, y)
        return PeriodMention(m.start(), m.end(), text, start, end, granularity="ytd" if report == "三季报" else "half" if end.month == 6 else "year")
    if g.get("q") or g.get("qfirst") or g.get("qq"):
        q = 1 if g.get("qfirst") else _num(g.get("q") or g.get("qq"))
        if year is None:
            y = _most_recent_year(pub, *quarter_bounds(pub.year, q))
        start, end = quarter_bounds(y, q)
        gran = "quarter"
        if g.get("pend"):
            start, gran = end, "asof"
    elif g.get("half") or g.get("hh"):
        h = 1 if (g.get("half") or "").startswith("上") or g.get("hh") == "1" else 2
        start, end = half_bounds(y, h)
        gran = "half"
        if g.get("pend"):
            start, gran = end, "asof"
    elif g.get("firstq"):
        q = _num(g["firstq"])
        start, end = dt.date(y, 1, 1), quarter_bounds(y, q)[1]
        gran = "ytd"
    elif g.get("firstm"):
        n = _num(g["firstm"])
        if not 1 <= n <= 12:
            return None
        if year is None:
            y = _most_recent_year(pub, dt.date(pub.year, n, 1), None)
        start, end = dt.date(y, 1, 1), month_end(y, n)
        gran = "ytd"
    elif g.get("m1"):
        a, b = _num(g["m1"]), _num(g["m2"])
        if not 1 <= a < b <= 12:
            return None
        if year is None:
            y = _most_recent_year(pub, dt.date(pub.year, b, 1), None)
        start, end = dt.date(y, a, 1), month_end(y, b)
        gran = "ytd" if a == 1 else "span"
    elif g.get("mon"):
        month = _num(g["mon"])
        if not 1 <= month <= 12:
            return None
        if g.get("day"):
            day = _num(g["day"])
            start = end = dt.date(y, month, day)
            gran = "day"
            if g.get("day2"):
                # 10月1日至8日, 9月29日至10月5日: the days from the first to the last
                end = _valid_date(y, _num(g["mon2"]) if g.get("mon2") else month, _num(g["day2"]))
                if end is None or end < start:
                    return None
                gran = "span"
        elif g.get("mend"):
            if year is None:
                y = _most_recent_year(pub, dt.date(pub.year, month, 1), None)
            start = end = month_end(y, month)
            gran = "asof"
        else:
            if year is None:
                # the month after publication is this year's (公布12月盘价 in November)
                y = pub.year if month <= pub.month + 1 else pub.year - 1
            start, end = dt.date(y, month, 1), month_end(y, month)
            gran = "month"
    elif g.get("yend"):
        if year is None and g["yend"] in ("底", "末"):
            return None  # 末期股息, 底部: 末 and 底 alone are not year-ends
        start = end = dt.date(y, 12, 31)
        gran = "asof"
    elif g.get("ystart"):
        start = end = dt.date(y, 1, 1)
        gran = "asof"
    elif g.get("full"):
        start, end = year_bounds(y)
        gran = "year"
    else:
        return None
    return PeriodMention(m.start(), m.end(), text, start, end, granularity=gran, explicit_year=explicit or year is not None)


def _most_recent_year(pub: dt.date, start_this_year: dt.date, _end: dt.date | None) -> int:
    return pub.year if start_this_year <= pub else pub.year - 1


def _relative(m: re.Match, word: str, pub: dt.date) -> PeriodMention | None:
    q_now = (pub.month - 1) // 3 + 1
    if word in ("本季度", "本季", "当季"):
        start, end = quarter_bounds(pub.year, q_now)
        gran = "quarter"
    elif word in ("上一季度", "上一季", "上季度", "上季"):
        y, q = (pub.year, q_now - 1) if q_now > 1 else (pub.year - 1, 4)
        start, end = quarter_bounds(y, q)
        gran = "quarter"
    elif word in ("下一季度", "下一季", "下季度", "下季"):
        y, q = (pub.year, q_now + 1) if q_now < 4 else (pub.year + 1, 1)
        start, end = quarter_bounds(y, q)
        gran = "quarter"
    elif word == "本月":
        start, end = dt.date(pub.year, pub.month, 1), month_end(pub.year, pub.month)
        gran = "month"
    elif word in ("上月", "上个月"):
        y, mo = (pub.year, pub.month - 1) if pub.month > 1 else (pub.year - 1, 12)
        start, end = dt.date(y, mo, 1), month_end(y, mo)
        gran = "month"
    elif word in ("下月", "下个月"):
        y, mo = (pub.year, pub.month + 1) if pub.month < 12 else (pub.year + 1, 1)
        start, end = dt.date(y, mo, 1), month_end(y, mo)
        gran = "month"
    elif word in ("今年以来", "年初至今", "今年迄今", "年初以来"):
        start, end = dt.date(pub.year, 1, 1), pub  # year to date
        gran = "span"
    elif word in ("本月至今", "本月以来", "月初至今"):
        start, end = dt.date(pub.year, pub.month, 1), pub
        gran = "span"
    elif word == "本周":
        start, end = pub - dt.timedelta(days=pub.weekday()), pub  # week to date
        gran = "span"
    elif word == "上周":
        start = pub - dt.timedelta(days=pub.weekday() + 7)
        end, gran = start + dt.timedelta(days=6), "span"
    elif word in ("今天", "今日", "今早", "今晨", "今午", "目前", "当前", "现时", "迄今"):
        start = end = pub
        gran = "day" if word in ("今天", "今日", "今早", "今晨", "今午") else "asof"
    elif word in ("昨天", "昨日"):
        start = end = pub - dt.timedelta(days=1)
        gran = "day"
    elif word == "前天":
        start = end = pub - dt.timedelta(days=2)
        gran = "day"
    elif word in ("同日", "当日", "当天"):
        return PeriodMention(m.start(), m.end(), m.group(), None, None, granularity="same-day", explicit_year=False)
    elif word in ("当月", "同月"):
        return PeriodMention(m.start(), m.end(), m.group(), None, None, granularity="same-month", explicit_year=False)
    elif word in ("次日", "翌日"):
        return PeriodMention(m.start(), m.end(), m.group(), None, None, granularity="next-day", explicit_year=False)
    else:
        return None
    return PeriodMention(m.start(), m.end(), m.group(), start, end, granularity=gran)


# What may stand between a dated span and the fiscal label it is restated as:
# 的中期业绩，即 / (即 / ，亦即.
SAME_PERIOD_GAP = re.compile(r"(?:的)?(?:中期|全年|年度|季度)?(?:业绩|财报|报告|期间)?\s?[,，(（]?\s?(?:即|亦即|也就是)")


def _both_labels(span: PeriodMention, labelled: PeriodMention) -> tuple[PeriodMention, PeriodMention]:
    """A span and a fiscal label that name one period: the span takes the
    label, the label the span's dates."""
    return (replace(span, fiscal=labelled.fiscal),
            replace(labelled, period_start=span.period_start, period_end=span.period_end))


def _fits(labelled: PeriodMention, span: PeriodMention) -> bool:
    """Can a fiscal label and a dated span name one period: the same dates,
    or, where the label has none, as many months as its part (a quarter 3,
    a half 6, a year 12)? 下半财年…截至2026年3月止财年 are two."""
    if labelled.period_start is not None:
        return (labelled.period_start, labelled.period_end) == (span.period_start, span.period_end)
    part = labelled.fiscal.partition("-")[2]
    months = 3 if part.startswith("Q") else 6 if part.startswith("H") else 12
    return span.period_start is not None and months_after(span.period_start, months) == span.period_end + dt.timedelta(days=1)


def _resolve_context(text: str, found: list[PeriodMention], pub: dt.date) -> list[PeriodMention]:
    """Second pass: 同日, 去年同期, as-of and comparison-base roles, years
    inherited from an earlier explicit year in the same text."""
    out: list[PeriodMention] = []
    last_day: PeriodMention | None = None
    last_month: PeriodMention | None = None  # 当月 is the month named last
    last_year: int | None = None
    last_year_end = 0  # a year named in an earlier sentence does not carry over
    fiscal_year: str | None = None  # set while a fiscal year is the latest year named
    for p in found:
        if p.granularity == "span" and out and out[-1].fiscal and p.start - out[-1].end <= 40 and _fits(out[-1], p):
            # 2024/25财政年度中期...截至2024年12月31日止六个月: one period, both labels
            p, out[-1] = _both_labels(p, out[-1])
        elif (p.granularity == "fiscal" and p.period_start is None and out and out[-1].granularity == "span"
              and out[-1].fiscal in (None, p.fiscal) and out[-1].text.startswith(("截至", "截止"))
              and (0 <= p.start - out[-1].end <= 3 or SAME_PERIOD_GAP.fullmatch(text, out[-1].end, p.start))):
            # 截至2025年9月30日止六个月的2026财年中期, 截至…止六个月的中期业绩，即2025/26财政年度上半年:
            # the same, the span first
            out[-1], p = _both_labels(out[-1], p)
        if p.fiscal:
            fiscal_year = p.fiscal.split("-")[0]
        elif YEAR_WRITTEN.search(p.text):
            fiscal_year = None
        if fiscal_year and p.granularity == "half" and "财年" in p.text:
            # 上半财年, 下半财年 after a fiscal label: halves of that fiscal year
            p = _fiscal_half(p, fiscal_year, out)
        if fiscal_year and p.text in THIS_YEAR_AFTER_FISCAL:
            # 截至2025年6月30日止年度全年业绩, 全年派息: the whole fiscal year
            p = _whole_fiscal(p, fiscal_year, out)
        if fiscal_year and p.granularity == "quarter" and not p.explicit_year:
            # 英伟达2026财年第二季度...二季度H20销售额: the fiscal quarter again
            q = (p.period_start.month - 1) // 3 + 1
            out.append(replace(p, period_start=None, period_end=None, fiscal=f"{fiscal_year}-Q{q}", granularity="fiscal"))
            continue
        if (p.text == "全年" and not p.fiscal and out and _dates_year(out[-1])
                and not SENTENCE_BREAK.search(text, out[-1].end, p.start)):
            # 明年在客户恢复拉货下，全年营收力拼年增一成, 去年第四季…，全年: the whole of the
            # year of the period just named (明年资本支出…，第四季营收…，全年: this year's)
            year = out[-1].period_end.year
            p = replace(p, period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31), anchored=True)
        if p.granularity == "same-month":
            if last_month is None:
                continue
            p = replace(p, period_start=last_month.period_start, period_end=last_month.period_end, granularity="month")
        elif p.granularity in ("same-day", "next-day"):
            if last_day is None:
                continue
            shift = dt.timedelta(days=1 if p.granularity == "next-day" else 0)
            p = replace(p, period_start=last_day.period_start + shift, period_end=last_day.period_end + shift, granularity="day")
        elif p.text in PREVIOUS_QUARTER_WORDS and (named := _last_named_quarter(text, out)) is not None:
            # 第三季营收较上季成长: the quarter before the one just named (a 上季 counts back
            # from the named quarter, not from an earlier 上季: 由上季的…；对照上季…)
            anchor = named.period_start
            y, q = anchor.year, (anchor.month - 1) // 3 + 1
            y, q = (y, q - 1) if q > 1 else (y - 1, 4)
            start, end = quarter_bounds(y, q)
            p = replace(p, period_start=start, period_end=end)
        elif not p.explicit_year and last_year is not None and p.period_start and p.granularity in ("quarter", "half", "ytd", "month", "asof") and p.text[:2] not in REL_YEAR_OFFSET and not SENTENCE_BREAK.search(text, last_year_end, p.start):
            p = _shift_to_year(p, last_year)
        before = text[max(0, p.start - 4):p.start]
        if any(before.endswith(w) for w in BASE_MARKERS):
            p = replace(p, role="base")
        elif (any(before.endswith(w) for w in ASOF_MARKERS[:5]) or ASOF_NEAR.search(text[max(0, p.start - 10):p.start])) \
                and p.period_end is not None and not (p.granularity == "day" and CLOSE_AFTER.match(text, p.end)):
            # (截至今日午间收盘, 金风科技A股报13.62元: the day of the quote, no as-of)
            p = replace(p, role="asof", period_start=p.period_end, granularity="asof")
            if p.text in YEAR_END_WORDS and not p.explicit_year and pub is not None and p.period_end > pub:
                # 截至年末 in March: the year-end passed (the year reported on), not the one to come
                p = _shift_to_year(p, p.period_end.year - 1)
        if p.granularity == "asof" and p.role == "period":
            p = replace(p, role="asof")
        out.append(p)
        if p.granularity == "day":
            last_day = p
        if p.granularity == "month" and p.role != "base":
            last_month = p
        if p.explicit_year and p.period_end and p.role != "base" and YEAR_WRITTEN.search(p.text):
            last_year, last_year_end = p.period_end.year, p.end
    return _this_fiscal_year(text, _same_period_last_year(text, out, pub))


YEAR_END_WORDS = ("年末", "年底")


def _dates_year(p: PeriodMention) -> bool:
    """Does ``p`` name the year a 全年 right after it is the whole of: a
    year, or a quarter, half or month of one, reported on (no comparison base)."""
    return p.role == "period" and p.period_end is not None and p.granularity in ("year", "quarter", "half", "month", "ytd")


FROM_WORDS = ("由", "从")  # 由第二季的48%拉升至56%: before the period of the figure a change starts from


def _last_named_quarter(text: str, found: list[PeriodMention]) -> PeriodMention | None:
    """The quarter the text last reported on, when the last mention that is
    no comparison is a quarter: the 上季 that count back from it, the
    quarter of an earlier figure (由第二季的48%拉升至56%；…由上季的七成: the
    third quarter's 上季) and 去年… are skipped."""
    for p in reversed(found):
        if (p.text in PREVIOUS_QUARTER_WORDS or text[p.start - 1:p.start] in FROM_WORDS
                or p.text.startswith(("去年", "上年"))):
            continue  # comparisons, not the quarter the text reports on
        return p if p.granularity == "quarter" and p.period_start is not None else None
    return None


def _shift_to_year(p: PeriodMention, year: int) -> PeriodMention:
    try:
        return replace(p, period_start=p.period_start.replace(year=year), period_end=p.period_end.replace(year=year) if p.period_end.month != 2 else month_end(year, 2), explicit_year=True)
    except ValueError:
        return p


# 截至报告期末(2025年一季度): an as-of marker a few characters before, across a bracket
ASOF_NEAR = re.compile(r"(?:截至|截止)[^，。,;；]{0,6}[(（]$")
SENTENCE_BREAK = re.compile(r"[。！？!?\n]")
CLOSE_AFTER = re.compile(r"(?:早盘|午间|午盘|午市|上午|下午)?(?:收盘|收市)")
PREVIOUS_QUARTER_WORDS = ("上一季度", "上一季", "上季度", "上季")
YEAR_WRITTEN = re.compile(r"(?:19|20)\d{2}")
# 上一财年 counts back from any fiscal year; 上年度 / 去年度 only from one not ending in
# December (elsewhere they are the calendar year before, read by _relative)
SAME_PERIOD = re.compile(r"(?:去年|上年)同(?:期|季)|(?P<fy>上一?个?(?:财年|财政年度|会计年度))|(?P<fyear>上一?个?年度|去年度)")
THIS_FISCAL_YEAR = re.compile(r"(?:本|(?P<next>下一?个?))(?:财年|财政年度|会计年度)")


def _same_period_last_year(text: str, found: list[PeriodMention], pub: dt.date | None = None) -> list[PeriodMention]:
    """去年同期: the period of the nearest earlier mention, one year back; a
    period not over at publication (下半年将继续…) only when no other is."""
    out = list(found)
    for m in SAME_PERIOD.finditer(text):
        # the nearest in the text (out is in text order but for the mentions added here, at its end)
        # (上季 is no anchor: 对照上季亏损…，以及去年同期亏损 compares with the reported quarter)
        anchors = [p for p in out if p.end <= m.start() and (p.period_start or p.fiscal) and p.role != "base"
                   and p.text not in PREVIOUS_QUARTER_WORDS]
        if m.group("fyear"):
            # 截至2025年3月31日止年度…，6月18日…上年度: the fiscal year last named, however far
            # back, and not another 上年度 (上年度为4港仙 after 由上年度的…)
            anchors = [p for p in anchors if p.fiscal and p.period_end and p.period_end.month != 12
                       and not SAME_PERIOD.fullmatch(p.text)]
        elif m.group("fy"):
            # (上一财年：13.8亿港元)…较上一财年的52亿港元: both count back from the fiscal year last named
            # (not from each other, nor from a day in between: 截至3月底)
            anchors = [p for p in anchors if p.fiscal and not SAME_PERIOD.fullmatch(p.text)]
        reported = anchors if m.group("fyear") else [p for p in anchors if pub is None or p.period_end is None or p.period_end < pub]
        anchor = max(reported or anchors, key=lambda p: p.end, default=None)
        if anchor is None:
            continue  # (上年度 after no fiscal year: the calendar year before, as _relative read it)
        before = text[max(0, m.start() - 3):m.start()]
        role = "base" if any(before.endswith(w) for w in BASE_MARKERS) else "period"
        out = [p for p in out if not (p.start == m.start() and p.end <= m.end())]  # the bare 去年 / 上年 inside
        if m.group("fy") and not anchor.fiscal:
            continue  # 上一财年 needs a fiscal year to count back from
        if anchor.fiscal:
            fy, _, rest = anchor.fiscal.partition("-")
            if m.group("fy") or m.group("fyear"):
                rest = ""  # the fiscal year before, whole
                anchor = _whole_fiscal_year(anchor, out)
            label = f"FY{int(fy[2:]) - 1}" + (f"-{rest}" if rest else "")
            start, end = (_minus_year(anchor.period_start), _minus_year(anchor.period_end)) if anchor.period_start else (None, None)
            out.append(PeriodMention(m.start(), m.end(), m.group(), start, end, fiscal=label, granularity="fiscal", role=role))
            continue
        start, end = _minus_year(anchor.period_start), _minus_year(anchor.period_end)
        out.append(PeriodMention(m.start(), m.end(), m.group(), start, end, granularity=anchor.granularity, role=role, explicit_year=True))
    out.sort(key=lambda p: p.start)
    return out


def _whole_fiscal_year(anchor: PeriodMention, found: list[PeriodMention]) -> PeriodMention:
    """The mention that names the whole fiscal year of ``anchor`` (FY2025 for
    FY2025-H1), when the text named it; else ``anchor`` without its dates."""
    fy = anchor.fiscal.partition("-")[0]
    whole = next((p for p in found if p.fiscal == fy and p.period_start), None)
    return whole or replace(anchor, period_start=None, period_end=None)


def _this_fiscal_year(text: str, found: list[PeriodMention]) -> list[PeriodMention]:
    """本财年: the fiscal year the text last named (a quarter or half of it
    names it too: 2025/26财政年度第二季 ... 本财年 is FY2026); 下一财年 the next."""
    out = list(found)
    for m in THIS_FISCAL_YEAR.finditer(text):
        anchor = next((p for p in reversed(found) if p.end <= m.start() and p.fiscal
                       and p.role != "base" and not SAME_PERIOD.match(p.text)), None)
        if anchor is None:
            continue
        fy = anchor.fiscal.partition("-")[0]
        start = _fiscal_year_start(found, fy)
        if m.group("next"):  # 下一财年: the one after
            fy, start = f"FY{int(fy[2:]) + 1}", months_after(start, 12) if start else None
        out.append(PeriodMention(m.start(), m.end(), m.group(), start, _year_end(start), fiscal=fy, granularity="fiscal"))
    out.sort(key=lambda p: p.start)
    return out


def months_after(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _fiscal_year_start(found: list[PeriodMention], fy: str) -> dt.date | None:
    """The first day of fiscal year ``fy``, from a dated label of it
    (FY2026-Q2 = 2025-07-01..2025-09-30 -> 2025-04-01)."""
    for p in found:
        if p.fiscal and p.fiscal.partition("-")[0] == fy and p.period_start and p.period_start.day == 1:
            part = p.fiscal.partition("-")[2]
            back = 3 * (int(part[1]) - 1) if part.startswith("Q") else 6 * (int(part[1]) - 1) if part.startswith("H") else 0
            return months_after(p.period_start, -back)
    return None


WHOLE_YEAR_WORDS = ("全年", "本年度")  # the year the text is about: after a fiscal label, that fiscal year
# after a fiscal label, 今年 is that fiscal year too (上一财年计提商誉减值，今年未再出现)
THIS_YEAR_AFTER_FISCAL = (*WHOLE_YEAR_WORDS, "今年", "本年")


def _whole_fiscal(p: PeriodMention, fy: str, found: list[PeriodMention]) -> PeriodMention:
    """全年 after a fiscal label: fiscal year ``fy``, dated when a label of it is."""
    start = _fiscal_year_start(found, fy)
    return replace(p, period_start=start, period_end=_year_end(start), fiscal=fy, granularity="fiscal")


def _year_end(start: dt.date | None) -> dt.date | None:
    """The last day of the twelve months from ``start`` (None: an undated year)."""
    return months_after(start, 12) - dt.timedelta(days=1) if start else None


def _fiscal_half(p: PeriodMention, fy: str, found: list[PeriodMention]) -> PeriodMention:
    """上半财年 / 下半财年 of fiscal year ``fy``, dated when a label of it is."""
    h = 1 if p.text.startswith("上") else 2
    start = _fiscal_year_start(found, fy)
    if start is None:
        return replace(p, period_start=None, period_end=None, fiscal=f"{fy}-H{h}", granularity="fiscal")
    first = months_after(start, 6 * (h - 1))
    return replace(p, period_start=first, period_end=months_after(first, 6) - dt.timedelta(days=1),
                   fiscal=f"{fy}-H{h}", granularity="fiscal")


def _minus_year(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    if day.month == 2 and day.day == 28 and calendar.isleap(day.year - 1):
        return dt.date(day.year - 1, 2, 29)
    return day.replace(year=day.year - 1)
