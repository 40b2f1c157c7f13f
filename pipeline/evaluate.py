"""``make eval``: precision, recall and F1 of the pipeline against gold facts.

Four cumulative levels, each a one-to-one matching of facts per article:
  value   number and unit agree (and value_high for ranges)
  subject + canonical subject (names the knowledge base lists as aliases of
          one company count as the same subject)
  metric  + metric and kind
  full    + period (start, end, fiscal label)
Also the share of facts whose evidence offsets slice the original text to the
number as written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import lexicon
from .companies import abbreviation_starts, knowledge_base, ticker_mentions
from .extract import extract_article
from .io import Article, read_text_document
from .normalize import normalize

LEVELS = ("value", "subject", "metric", "full")
NUMERAL = re.compile(r"[0-9０-９〇○零一二两兩三四五六七八九十百千万萬亿億兆壹贰貳叁參肆伍陆陸柒捌玖拾佰仟半]")


def _num(v: float | None) -> str | None:
    return None if v is None else f"{float(v):.6g}"


def same_subject(name: str | None) -> str | None:
    """One name per company, as the knowledge base knows it: gold written as
    腾讯控股 or 長榮海運 and output 腾讯 / 长荣 are the same subject."""
    if not name:
        return name
    entity = knowledge_base().get(normalize(name).text)
    if entity is not None and entity.type == "company":
        return entity.name
    return _without_group_word(normalize(name).text)


GROUP_WORDS = ("控股集团", "集团股份", "集团控股", "集团", "控股", "股份")


def _without_group_word(name: str) -> str:
    """阳光保险集团 and 阳光保险 are one company (ANNOTATION S1: the name as
    written, and articles write both): a group word at the end is no part
    of what is compared, where two characters or more are left."""
    for word in GROUP_WORDS:
        if name.endswith(word) and len(name) - len(word) >= 2:
            return name[:-len(word)]
    return name


def same_unit(unit: str | None) -> str | None:
    """One spelling per physical unit: a unit written in Chinese (吨, 千升)
    is its Latin symbol (t, kL), as units.yaml physical_units maps it and as
    the output gives it (ANNOTATION U1)."""
    if not unit:
        return unit
    return lexicon.units().physical_units.get(normalize(unit).text, unit)


def _named_by_ticker(gold: list[dict], original: str) -> list[dict]:
    """Gold that names a listed company as the article writes it (上银, from
    上銀(2049)) names the knowledge base's company of that ticker (上银科技):
    ANNOTATION S1 allows either name, and the article ties the two."""
    written = {m.text: m.entity.name for m in ticker_mentions(normalize(original).text) if m.source == "ticker-kb"}
    if not written:
        return gold
    return [{**f, "subject": written.get(normalize(f["subject"]).text, f["subject"])} if f.get("subject") else f
            for f in gold]


# 合作金庫商業銀行（合庫銀行）: a name and the abbreviation the article gives it in brackets
ABBREVIATED = re.compile(r"(?P<run>[\u4e00-\u9fff]{3,14})[（(](?P<short>[\u4e00-\u9fff]{2,4})[）)]")


def _abbreviations(original: str) -> dict[str, str]:
    """The names an article writes out in full and then abbreviates in
    brackets (合作金庫商業銀行（合庫銀行）, 中國信託銀行(中信銀)): each full
    name, read from every place the abbreviation's first character starts
    it, to the abbreviation. ANNOTATION S1 allows the name as written, and
    the article writes both."""
    out = {}
    for m in ABBREVIATED.finditer(normalize(original).text):
        run, short = m.group("run"), m.group("short")
        for k in abbreviation_starts(run, short):
            out[run[k:]] = short
    return out


def _abbreviated(facts: list[dict], names: dict[str, str]) -> list[dict]:
    if not names:
        return facts
    return [{**f, "subject": names.get(normalize(f["subject"]).text, f["subject"])} if f.get("subject") else f
            for f in facts]


def fact_key(f: dict, level: str) -> tuple:
    key: tuple = (_num(f["value"]), same_unit(f["unit"]), _num(f.get("value_high")))
    if level in ("subject", "metric", "full"):
        key += (same_subject(f.get("subject")),)
    if level in ("metric", "full"):
        key += (f["metric"], f["kind"])
    if level == "full":
        key += (_iso(f.get("period_start")), _iso(f.get("period_end")), f.get("fiscal_period"))
    return key


def _iso(v) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, dt.date) else str(v)


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    n_pred: int = 0
    n_gold: int = 0
    offsets_ok: int = 0
    missed: list = field(default_factory=list)
    spurious: list = field(default_factory=list)
    # per article: (doc_id, [(level, gold facts first unmatched there, predicted facts first unmatched there)])
    misses: list = field(default_factory=list)

    def add(self, doc_id: str, gold: list[dict], pred: list[dict], original: str) -> None:
        gold = _named_by_ticker(gold, original)
        names = _abbreviations(original)
        gold, pred = _abbreviated(gold, names), _abbreviated(pred, names)
        self.n_gold += len(gold)
        self.n_pred += len(pred)
        self.misses.append((doc_id, unmatched_by_level(gold, pred)))
        for level in LEVELS:
            g = Counter(fact_key(f, level) for f in gold)
            p = Counter(fact_key(f, level) for f in pred)
            self.tp[level] += sum((g & p).values())
            if level == "full":
                self.missed += [(doc_id, k) for k in (g - p).elements()]
                self.spurious += [(doc_id, k) for k in (p - g).elements()]
        for f in pred:
            s, e = f["evidence"]["start"], f["evidence"]["end"]
            if 0 <= s < e <= len(original) and NUMERAL.search(original[s:e]):
                self.offsets_ok += 1

    def prf(self, level: str) -> tuple[float, float, float]:
        tp = self.tp[level]
        p = tp / self.n_pred if self.n_pred else 0.0
        r = tp / self.n_gold if self.n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def unmatched_by_level(gold: list[dict], pred: list[dict]) -> list[tuple[str, list[dict], list[dict]]]:
    """For each level, the gold facts with no partner in the output and the
    output facts with no partner in gold, each listed at the first (loosest)
    level where it fails: a fact listed under `metric` has its number, unit
    and subject right."""
    out = []
    seen_gold: set[int] = set()
    seen_pred: set[int] = set()
    for level in LEVELS:
        free: dict[tuple, list[int]] = {}
        for i, f in enumerate(pred):
            free.setdefault(fact_key(f, level), []).append(i)
        lost_gold = []
        matched_pred: set[int] = set()
        for i, f in enumerate(gold):
            partners = free.get(fact_key(f, level))
            if partners:
                matched_pred.add(partners.pop(0))
            elif i not in seen_gold:
                seen_gold.add(i)
                lost_gold.append(f)
        lost_pred = [f for i, f in enumerate(pred) if i not in matched_pred and i not in seen_pred]
        seen_pred.update(i for i in range(len(pred)) if i not in matched_pred)
        out.append((level, lost_gold, lost_pred))
    return out


def describe_fact(f: dict, original: str | None = None) -> str:
    """One line: subject, metric/kind, value, unit, period, and where it is in the text."""
    period = f.get("fiscal_period") or (f"{f.get('period_start')}..{f.get('period_end')}" if f.get("period_start") else "-")
    value = _num(f["value"]) + (f"..{_num(f['value_high'])}" if f.get("value_high") is not None else "")
    if "evidence" in f:
        ev = f["evidence"]
        where = f"{original[ev['start']:ev['end']] if original else ''}@{ev['start']}"
    else:
        where = f.get("mention", "")
    extra = " est" if f.get("estimate") else ""
    seg = f" seg={f['segment']}" if f.get("segment") else ""
    return f"{f.get('subject')} {f['metric']}/{f['kind']} {value} {f['unit']} {period}{extra}{seg}  [{where}]"


def format_misses(score: Score, texts: dict[str, str]) -> str:
    lines = []
    for doc_id, levels in score.misses:
        if not any(g or p for _, g, p in levels):
            continue
        lines.append(f"  {doc_id}")
        for level, lost_gold, lost_pred in levels:
            for f in lost_gold:
                lines.append(f"    {level:<7} gold  {describe_fact(f)}")
            for f in lost_pred:
                lines.append(f"    {level:<7} pred  {describe_fact(f, texts.get(doc_id))}")
    return "\n".join(lines)


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_pairs(corpora: Path) -> list[tuple[Article, list[dict]]]:
    pairs = []
    for gold_path in sorted((corpora / "gold").glob("*.jsonl")):
        article_path = corpora / "articles" / f"{gold_path.stem}.txt"
        if not article_path.exists():
            continue
        article = read_text_document(article_path.read_bytes(), str(article_path), gold_path.stem)
        pairs.append((article, load_gold(gold_path)))
    return pairs


def seed_pairs(seeds: Path) -> list[tuple[Article, list[dict]]]:
    meta_path = seeds / "meta.json"
    if not meta_path.exists():
        return []
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    pairs = []
    for name, info in sorted(meta.items()):
        path = seeds / name
        gold = seeds / "gold" / f"{Path(name).stem}.jsonl"
        if not path.exists() or not gold.exists():
            continue
        article = read_text_document(path.read_bytes(), str(path), Path(name).stem)
        article.date = dt.date.fromisoformat(info["date"])
        article.date_source = "metadata"
        pairs.append((article, load_gold(gold)))
    return pairs


def score_pairs(pairs: list[tuple[Article, list[dict]]]) -> Score:
    score = Score()
    for article, gold in pairs:
        facts = [f.model_dump(mode="json") for f in extract_article(article).facts]
        score.add(article.id, gold, facts, article.text)
    return score


def format_table(name: str, score: Score, n_docs: int) -> str:
    lines = [f"{name}: {n_docs} articles, {score.n_gold} gold facts, {score.n_pred} predicted",
             f"  {'level':<8} {'P':>6} {'R':>6} {'F1':>6}"]
    for level in LEVELS:
        p, r, f = score.prf(level)
        lines.append(f"  {level:<8} {p:6.3f} {r:6.3f} {f:6.3f}")
    share = score.offsets_ok / score.n_pred if score.n_pred else 1.0
    lines.append(f"  offsets valid: {share:.3f} ({score.offsets_ok}/{score.n_pred})")
    return "\n".join(lines)


def run_eval(args: argparse.Namespace) -> int:
    sets = [("corpora", corpus_pairs(Path(args.corpora)))]
    for heldout in sorted(Path(args.corpora).glob("heldout*")):
        if (heldout / "gold").exists():
            # written blind (without reading the pipeline): the honest estimate
            sets.append((heldout.name, corpus_pairs(heldout)))
    seeds = Path(args.seeds)
    if seeds.exists():
        sets.append(("seeds", seed_pairs(seeds)))
    else:
        print(f"(no seeds at {seeds}: skipped)")
    wanted = getattr(args, "set", None)
    article = getattr(args, "article", None)
    for name, pairs in sets:
        if wanted and name not in wanted:
            continue
        if article:
            pairs = [(a, g) for a, g in pairs if article in a.id]
            if not pairs:
                continue
        score = score_pairs(pairs)
        print(format_table(name, score, len(pairs)))
        if getattr(args, "misses", False):
            print(format_misses(score, {a.id: a.text for a, _ in pairs}))
        if args.show_errors:
            for doc_id, key in score.missed:
                print(f"    missed   {doc_id} {key}")
            for doc_id, key in score.spurious:
                print(f"    spurious {doc_id} {key}")
    if wanted or article:
        return 0
    from .ner_eval import run_entity_eval  # company recognition on its own (ORG, known / unseen)

    run_entity_eval(Path(args.corpora) / "companies" / "heldout.jsonl", show_errors=args.show_errors)
    return 0
