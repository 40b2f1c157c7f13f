"""``make bench-values``: our value and period recognizers against JioNLP on the
same corpus rows (corpora/values/*.jsonl, corpora/periods/*.jsonl).

Both systems see every row; the table gives each one's row accuracy and a
lenient per-mention F1. JioNLP is run twice: on the row text as written
("raw") and on the text after OpenCC t2s ("t2s"), since it only reads
Simplified script. Our recognizers always get the text as written.

What is compared
----------------

Values (``pipeline.recognize.values_in(text, market)`` against
``jionlp.ner.extract_money(text, with_parsing=True)``):

* a row is correct when the readings match the expected list one to one
  (same count, every expected reading paired with a distinct reading; order
  is not required). Numbers are equal within a relative tolerance of 1e-6.
* ours, strict: value (signed), unit, qualifier, value_high.
* JioNLP, strict: |value|, unit, value_high. JioNLP has no sign (a loss or
  fall word before the number is context, not money) and no qualifier
  vocabulary of ours (its ``definition``: accurate / blur / blur+ / blur- is
  not scored), so neither is compared. Its range (``num`` = [low, high]) is
  compared as value + value_high, except the span it makes of 多 / 余 / 几
  (2000余元 -> [2000, 3000]): that is its encoding of "more than 2000", which
  the corpus writes as value 2000 with no value_high, so only the low end is
  kept.
* JioNLP currency ("case") -> ISO code: see ``JIO_CASE_TO_ISO``. Its 元 (which
  also covers 块, 圆 and 人民币, folded by its parser) is CNY when the mention
  says 人民币, otherwise the currency of the row's market (``market``: tw ->
  TWD, hk -> HKD, ...), the same hint our recognizer is given. The table also
  shows JioNLP with 元 always CNY (its own documented default).
* lenient per-mention score (both systems): a reading matches an expected one
  when |value| and unit agree (qualifier, range end and sign ignored);
  micro precision / recall / F1 over mentions.
* JioNLP only extracts money, so "all value rows" (which include %, pp,
  counts) are out of its reach whenever a row has a non-money reading; the
  "money rows" line is the like-for-like one: rows with at least one currency
  reading, scored on currency readings only (expected readings and ours
  filtered to ISO currency units; every JioNLP reading is money).
* value negatives (expect []): correct when the system reads nothing; ours is
  asked for every kind of value, JioNLP only for money (an easier task).

Periods (``pipeline.recognize.periods_in(text, date)`` against
``jionlp.ner.extract_time(text, time_base=<publication date 00:00>,
with_parsing=True)``):

* ours, strict: start, end, fiscal label. JioNLP, strict: start, end (it has
  no fiscal labels, so rows expecting an undated fiscal label are out of its
  reach). Its ``time`` [start, end] strings are cut to their dates; ``inf``
  becomes None.
* JioNLP's ``time_delta`` (durations: 3天) and ``time_period`` (recurrences:
  每周) results are dropped: they are not periods and the corpus does not
  annotate them. ``time_point`` and ``time_span`` are periods.
* lenient per-mention: start and end agree (fiscal label ignored).

Mentions (offsets, boundaries) are not compared for either system. A JioNLP
exception on a row counts as a wrong row with no readings; the count is
printed. Note that the corpora were written alongside our recognizers (every
row is a test of ours), so our side is scored in-sample.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import math
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REL_TOL = 1e-6
ABS_TOL = 1e-9

# The home-market currency of a bare 元, as pipeline/data/units.yaml
# (market_currency) decides it for our recognizer.
MARKET_CURRENCY = {"cn": "CNY", "tw": "TWD", "hk": "HKD", "us": "USD", "jp": "JPY", "kr": "KRW",
                   "eu": "EUR", "other": "CNY"}

# JioNLP's money "case" (jionlp/gadget/money_parser.py folds 块钱, 人民币, 圆
# ... into 元; 港币 into 港元; 台币 into 新台币; 美金 into 美元 ...) -> ISO 4217.
# 元 is None here: it is resolved by ``jio_money_reading`` (人民币 / market).
JIO_CASE_TO_ISO = {
    "元": None,
    "人民币": "CNY",
    "元人民币": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "元港币": "HKD",
    "美元": "USD",
    "美金": "USD",
    "美刀": "USD",
    "新台币": "TWD",
    "台币": "TWD",
    "元新台币": "TWD",
    "元台币": "TWD",
    "日元": "JPY",
    "日币": "JPY",
    "元日币": "JPY",
    "韩元": "KRW",
    "韩币": "KRW",
    "元韩币": "KRW",
    "欧元": "EUR",
    "英镑": "GBP",
    "澳元": "AUD",
    "澳币": "AUD",
    "澳大利亚元": "AUD",
    "元澳币": "AUD",
    "澳门元": "MOP",
    "加元": "CAD",
    "加拿大元": "CAD",
    "新加坡元": "SGD",
    "新西兰元": "NZD",
    "马元": "MYR",
    "缅元": "MMK",
    "卢布": "RUB",
    "泰铢": "THB",
    "越南盾": "VND",
    "越盾": "VND",
    "雷亚尔": "BRL",
    "法郎": "CHF",
    "马克": "DEM",
}

# 多 / 余 / 几 / 数 make JioNLP return a span ([2000, 3000] for 2000余元) that
# stands for "more than"; a written range has a separator.
_IMPLIED_SPAN = re.compile(r"[多余几数]")
_RANGE_SEPARATOR = re.compile(r"[至到~～\-—－]")
_ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")

VALUE_STRICT_OURS = ("value", "unit", "qualifier", "value_high")
VALUE_STRICT_JIO = ("value", "unit", "value_high")
VALUE_LENIENT = ("value", "unit")
PERIOD_STRICT_OURS = ("start", "end", "fiscal")
PERIOD_STRICT_JIO = ("start", "end")
PERIOD_LENIENT = ("start", "end")
NUMBER_FIELDS = {"value", "value_high"}


# --------------------------------------------------------------------------
# JioNLP output -> our readings
# --------------------------------------------------------------------------


def is_currency(unit: str | None) -> bool:
    return bool(unit) and bool(_ISO_CURRENCY.match(unit))


def jio_currency(case: str, mention: str, market: str, local_yuan: bool = True) -> str:
    """ISO code of a JioNLP money ``case``. A bare 元 (JioNLP's default, which
    also stands for 块 / 圆 / 人民币) is CNY when the mention says 人民币 or
    when ``local_yuan`` is false, otherwise the row market's currency. An
    unknown case is returned as written (and will not match)."""
    if case in JIO_CASE_TO_ISO and JIO_CASE_TO_ISO[case] is not None:
        return JIO_CASE_TO_ISO[case]
    if case == "元":
        if not local_yuan or "人民币" in mention or "人民幣" in mention:
            return "CNY"
        return MARKET_CURRENCY.get(market, "CNY")
    return case


def jio_money_reading(entity: dict, market: str = "cn", local_yuan: bool = True) -> dict:
    """One ``extract_money(..., with_parsing=True)`` entity as our reading:
    {mention, value, unit, value_high, qualifier: None, definition}."""
    detail = entity["detail"]
    mention = entity["text"]
    num = detail["num"]
    if isinstance(num, list | tuple):
        low, high = float(num[0]), float(num[1])
        if _IMPLIED_SPAN.search(mention) and not _RANGE_SEPARATOR.search(mention):
            high = None
    else:
        low, high = float(num), None
    return {"mention": mention, "value": low, "unit": jio_currency(detail["case"], mention, market, local_yuan),
            "qualifier": None, "value_high": high, "definition": detail.get("definition")}


def _jio_day(stamp) -> str | None:
    if not isinstance(stamp, str) or len(stamp) < 10:
        return None
    try:
        return dt.date.fromisoformat(stamp[:10]).isoformat()
    except ValueError:
        return None


def jio_period_reading(entity: dict) -> dict | None:
    """One ``extract_time(..., with_parsing=True)`` entity as our reading
    {mention, start, end, fiscal: None}; None for durations and recurrences."""
    detail = entity["detail"]
    if detail.get("type") not in ("time_point", "time_span"):
        return None
    times = detail.get("time")
    if not isinstance(times, list | tuple) or len(times) != 2:
        return None
    return {"mention": entity["text"], "start": _jio_day(times[0]), "end": _jio_day(times[1]), "fiscal": None}


# --------------------------------------------------------------------------
# Running the systems
# --------------------------------------------------------------------------


def load_jionlp():
    """Import jionlp without its banner on standard output."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    return jionlp


_T2S = None


def t2s(text: str) -> str:
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def publication_datetime(date: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time())


def jio_money_entities(jio, text: str) -> list[dict]:
    return jio.ner.extract_money(text, with_parsing=True)


def jio_time_entities(jio, text: str, date: str) -> list[dict]:
    return jio.ner.extract_time(text, time_base=publication_datetime(date), with_parsing=True)


@dataclass
class Run:
    """One system's answer on one row: ``raw`` is the system's own output
    (None when it raised); ``error`` the exception, if any."""

    raw: list | None
    error: str | None = None


def _attempt(call: Callable[[], list], quiet: bool = False) -> Run:
    """Run one system on one row. ``quiet`` (JioNLP) swallows what it prints
    and logs: it logs tracebacks of failures it catches itself and then
    returns normally; only an exception that reaches us counts as one."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), (contextlib.redirect_stderr(sink) if quiet
                                                else contextlib.nullcontext()):
            return Run(list(call()))
    except Exception as exc:  # noqa: BLE001 - any failure of a system counts as a wrong row
        return Run(None, f"{type(exc).__name__}: {exc}".splitlines()[0][:200])


SYSTEMS = ("ours", "jio", "jio_t2s")


def run_value_rows(rows: list[dict], jio) -> dict[str, dict[str, Run]]:
    from pipeline.recognize import values_in

    out = {}
    for row in rows:
        market = row.get("market", "cn")
        text = row["text"]
        out[row["id"]] = {
            "ours": _attempt(lambda text=text, market=market: values_in(text, market)),
            "jio": _attempt(lambda text=text: jio_money_entities(jio, text), quiet=True),
            "jio_t2s": _attempt(lambda text=text: jio_money_entities(jio, t2s(text)), quiet=True),
        }
    return out


def run_period_rows(rows: list[dict], jio) -> dict[str, dict[str, Run]]:
    from pipeline.recognize import periods_in

    out = {}
    for row in rows:
        text, date = row["text"], row["date"]
        published = dt.date.fromisoformat(date)
        out[row["id"]] = {
            "ours": _attempt(lambda text=text, published=published: periods_in(text, published)),
            "jio": _attempt(lambda text=text, date=date: jio_time_entities(jio, text, date), quiet=True),
            "jio_t2s": _attempt(lambda text=text, date=date: jio_time_entities(jio, t2s(text), date),
                                quiet=True),
        }
    return out


def value_readings(system: str, run: Run, row: dict, local_yuan: bool = True) -> list[dict] | None:
    if run.raw is None:
        return None
    if system == "ours":
        return run.raw
    market = row.get("market", "cn")
    return [jio_money_reading(e, market, local_yuan) for e in run.raw]


def period_readings(system: str, run: Run) -> list[dict] | None:
    if run.raw is None:
        return None
    if system == "ours":
        return run.raw
    return [r for r in (jio_period_reading(e) for e in run.raw) if r is not None]


# --------------------------------------------------------------------------
# Comparing readings
# --------------------------------------------------------------------------


def _same_number(a, b, absolute: bool) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if absolute:
        a, b = abs(a), abs(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def same_reading(got: dict, expected: dict, fields: Iterable[str], absolute: bool = False) -> bool:
    for name in fields:
        if name in NUMBER_FIELDS:
            if not _same_number(got.get(name), expected.get(name), absolute):
                return False
        elif got.get(name) != expected.get(name):
            return False
    return True


def pair_up(got: list[dict], expected: list[dict], fields, absolute: bool = False) -> int:
    """How many expected readings find a distinct matching reading (greedy:
    equality within tolerance makes the first free match as good as any)."""
    free = list(range(len(got)))
    matched = 0
    for exp in expected:
        for k in free:
            if same_reading(got[k], exp, fields, absolute):
                free.remove(k)
                matched += 1
                break
    return matched


def row_correct(got: list[dict] | None, expected: list[dict], fields, absolute: bool = False) -> bool:
    if got is None:
        return False
    return len(got) == len(expected) and pair_up(got, expected, fields, absolute) == len(expected)


@dataclass
class Score:
    rows: int = 0
    correct: int = 0
    errors: int = 0
    matched: int = 0
    predicted: int = 0
    expected: int = 0
    right_ids: set = field(default_factory=set)

    def add(self, row_id: str, got: list[dict] | None, expected: list[dict], strict, lenient, absolute: bool):
        self.rows += 1
        self.expected += len(expected)
        if got is None:
            self.errors += 1
            return
        if row_correct(got, expected, strict, absolute):
            self.correct += 1
            self.right_ids.add(row_id)
        self.predicted += len(got)
        self.matched += pair_up(got, expected, lenient, absolute=True)

    @property
    def accuracy(self) -> float:
        return self.correct / self.rows if self.rows else 0.0

    @property
    def f1(self) -> float | None:
        if not self.expected:
            return None
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.expected
        return 2 * p * r / (p + r) if p + r else 0.0


# A row set: which rows, which expected readings, which readings of a system.
@dataclass
class RowSet:
    name: str
    corpus: str  # "values" or "periods"
    keep_row: Callable[[dict], bool]
    only_currency: bool = False
    local_yuan: bool = True


ROW_SETS = [
    RowSet("money rows (currency readings)", "values",
           lambda r: any(is_currency(e["unit"]) for e in r["expect"]), only_currency=True),
    RowSet("money-only rows (all readings)", "values",
           lambda r: bool(r["expect"]) and all(is_currency(e["unit"]) for e in r["expect"])),
    RowSet("money rows, JioNLP bare yuan = CNY", "values",
           lambda r: any(is_currency(e["unit"]) for e in r["expect"]), only_currency=True, local_yuan=False),
    RowSet("all value rows", "values", lambda r: True),
    RowSet("value negatives", "values", lambda r: not r["expect"]),
    RowSet("period rows", "periods", lambda r: True),
    RowSet("period positives", "periods", lambda r: bool(r["expect"])),
    RowSet("period negatives", "periods", lambda r: not r["expect"]),
]


def expected_for(rowset: RowSet, row: dict) -> list[dict]:
    if rowset.only_currency:
        return [e for e in row["expect"] if is_currency(e["unit"])]
    return row["expect"]


def readings_for(rowset: RowSet, system: str, run: Run, row: dict) -> tuple[list | None, list]:
    """(the system's readings, the expected readings) for one row of a set."""
    expected = expected_for(rowset, row)
    if rowset.corpus == "periods":
        return period_readings(system, run), expected
    got = value_readings(system, run, row, rowset.local_yuan)
    if rowset.only_currency and got is not None and system == "ours":
        got = [g for g in got if is_currency(g["unit"])]
    return got, expected


def fields_for(rowset: RowSet, system: str) -> tuple[tuple, tuple, bool]:
    """(strict fields, lenient fields, compare |value|) for a system."""
    if rowset.corpus == "periods":
        return (PERIOD_STRICT_OURS if system == "ours" else PERIOD_STRICT_JIO), PERIOD_LENIENT, False
    if system == "ours":
        return VALUE_STRICT_OURS, VALUE_LENIENT, False
    return VALUE_STRICT_JIO, VALUE_LENIENT, True


def score_set(rowset: RowSet, rows: list[dict], runs: dict[str, dict[str, Run]]) -> dict[str, Score]:
    scores = {s: Score() for s in SYSTEMS}
    for row in rows:
        if not rowset.keep_row(row):
            continue
        for system in SYSTEMS:
            got, expected = readings_for(rowset, system, runs[row["id"]][system], row)
            strict, lenient, absolute = fields_for(rowset, system)
            scores[system].add(row["id"], got, expected, strict, lenient, absolute)
    return scores


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def load_rows(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _cell(score: Score) -> str:
    return f"{score.correct:>3}/{score.rows:<3} {100 * score.accuracy:5.1f}%"


def _f1(score: Score) -> str:
    return "    -" if score.f1 is None else f"{score.f1:5.3f}"


def _short(readings: list[dict] | None, corpus: str) -> str:
    if readings is None:
        return "EXCEPTION"
    if corpus == "periods":
        parts = [f"{r['mention']}={r['start']}..{r['end']}" + (f" {r['fiscal']}" if r.get("fiscal") else "")
                 for r in readings]
    else:
        parts = []
        for r in readings:
            high = f"..{r['value_high']:g}" if r.get("value_high") is not None else ""
            qual = f" {r['qualifier']}" if r.get("qualifier") else ""
            parts.append(f"{r['mention']}={r['value']:g}{high} {r['unit']}{qual}")
    return "[" + "; ".join(parts) + "]"


def print_table(results: list[tuple[RowSet, dict[str, Score]]], out) -> None:
    head = (f"{'row set':<34} {'rows':>4}  {'ours':>15}  {'JioNLP raw':>15}  {'JioNLP t2s':>15}"
            f"   {'F1 ours':>7} {'F1 raw':>6} {'F1 t2s':>6}")
    print(head, file=out)
    print("-" * len(head), file=out)
    for rowset, s in results:
        print(f"{rowset.name:<34} {s['ours'].rows:>4}  {_cell(s['ours']):>15}  {_cell(s['jio']):>15}  "
              f"{_cell(s['jio_t2s']):>15}   {_f1(s['ours']):>7} {_f1(s['jio']):>6} {_f1(s['jio_t2s']):>6}",
              file=out)


def print_examples(rowset: RowSet, scores: dict[str, Score], rows: list[dict], runs, limit: int, out) -> None:
    ours, raw, simp = (scores[s].right_ids for s in SYSTEMS)
    kept = [r for r in rows if rowset.keep_row(r)]
    lose = [r for r in kept if r["id"] not in ours and (r["id"] in raw or r["id"] in simp)]
    win = [r for r in kept if r["id"] in ours and r["id"] not in raw and r["id"] not in simp]
    print(f"\n{rowset.name}: we are right and JioNLP wrong (raw and t2s) on {len(win)} rows; "
          f"JioNLP right and we wrong on {len(lose)} rows.", file=out)
    for title, chosen in (("rows we lose on (all)", lose), (f"examples we win (first {limit})", win[:limit])):
        if not chosen:
            continue
        print(f"  {title}:", file=out)
        for row in chosen:
            exp = expected_for(rowset, row)
            print(f"    {row['id']}  {row['text']}", file=out)
            print(f"      expected   {_short(exp, rowset.corpus)}", file=out)
            for system, label in (("ours", "ours"), ("jio", "JioNLP raw"), ("jio_t2s", "JioNLP t2s")):
                got = readings_for(rowset, system, runs[row["id"]][system], row)[0]
                print(f"      {label:<10} {_short(got, rowset.corpus)}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=ROOT / "corpora", help="folder with values/ and periods/")
    parser.add_argument("--examples", type=int, default=4, help="example rows we win, per row set shown")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows of each corpus (0: all)")
    args = parser.parse_args(argv)

    try:
        jio = load_jionlp()
    except ImportError:
        print("jionlp is not installed: `make bench-values` installs the bench extra", file=sys.stderr)
        return 2
    out = sys.stdout

    value_rows = load_rows(args.corpora / "values")
    period_rows = load_rows(args.corpora / "periods")
    if args.limit:
        value_rows, period_rows = value_rows[: args.limit], period_rows[: args.limit]
    rows = {"values": value_rows, "periods": period_rows}
    runs = {"values": run_value_rows(value_rows, jio), "periods": run_period_rows(period_rows, jio)}

    results = [(rs, score_set(rs, rows[rs.corpus], runs[rs.corpus])) for rs in ROW_SETS]

    print(f"Values: {len(value_rows)} rows; periods: {len(period_rows)} rows. JioNLP {jio.__version__}, "
          f"extract_money / extract_time; raw = row text as written, t2s = after OpenCC t2s.", file=out)
    print("Row accuracy: every reading right (ours: value, unit, qualifier, value_high / start, end, fiscal;"
          "\nJioNLP: |value|, unit, value_high / start, end). F1: per mention, |value|+unit / start+end.\n",
          file=out)
    print_table(results, out)

    print("\nExceptions (counted as wrong rows with no readings):", file=out)
    for corpus in ("values", "periods"):
        for system in SYSTEMS:
            errors = [(rid, r[system].error) for rid, r in runs[corpus].items() if r[system].raw is None]
            line = f"  {corpus:<7} {system:<8} {len(errors)}"
            if errors:
                line += "  e.g. " + "; ".join(f"{rid}: {msg}" for rid, msg in errors[:3])
            print(line, file=out)

    by_name = {rs.name: (rs, s) for rs, s in results}
    verdicts = []
    for name in ("money rows (currency readings)", "period rows"):
        rs, s = by_name[name]
        best_jio = max(s["jio"].accuracy, s["jio_t2s"].accuracy)
        verdicts.append((name, s["ours"].accuracy > best_jio))
        print_examples(rs, s, rows[rs.corpus], runs[rs.corpus], args.examples, out)

    print("", file=out)
    for name, higher in verdicts:
        print(f"{name}: ours {'higher' if higher else 'NOT higher'} than JioNLP (best of raw / t2s)", file=out)
    print("Note: these corpora are the test rows of our recognizers, written alongside them: our side is "
          "scored in-sample.", file=out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except Exception:
        traceback.print_exc()
        sys.exit(1)
