"""Entity evaluation of the company recognizer on ``corpora/companies``.

Runs :func:`pipeline.companies.find_entities` (knowledge base, rules and the
statistical model together, exactly as the pipeline does) over each sentence,
normalised, and scores the company mentions against the ``ORG`` entities:

- exact: the predicted span equals the gold span;
- relaxed: the spans overlap (one-to-one, first come first served).

Gold companies are split by ``known`` (in the knowledge base or not). A
prediction that matches a gold company counts in that company's group; one
that matches nothing counts in the group it claims (a knowledge-base match is
known, anything else unseen).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import companies
from .normalize import normalize

GROUPS = ("known", "unseen", "all")
MODES = ("exact", "relaxed")
COMPANIES_DIR = Path(__file__).resolve().parent.parent / "corpora" / "companies"


@dataclass
class Counts:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.n_pred if self.n_pred else 0.0
        r = self.tp / self.n_gold if self.n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class EntityScore:
    n_sentences: int = 0
    counts: dict[tuple[str, str], Counts] = field(
        default_factory=lambda: {(m, g): Counts() for m in MODES for g in GROUPS})
    # gold PER / GPE / ORG_GOV / MKT spans that were predicted as companies (relaxed)
    confusions: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (row id, kind, text)

    def prf(self, mode: str, group: str) -> tuple[float, float, float]:
        return self.counts[(mode, group)].prf()


def load_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match(gold: list[tuple[int, int]], pred: list[tuple[int, int]], mode: str) -> dict[int, int]:
    """Prediction index -> gold index, one to one."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if j in used:
                continue
            if (p == g) if mode == "exact" else _overlaps(p, g):
                pairs[i] = j
                used.add(j)
                break
    return pairs


def company_spans(text: str, tokens: list[tuple[int, int]] | None = None) -> list[tuple[int, int, bool, str]]:
    """(start, end, known, source) of every company mention in normalised
    ``text``, but for ticker codes in brackets (the corpus marks names only)."""
    return [(m.start, m.end, m.entity.known, m.source) for m in companies.find_entities(text, tokens)
            if m.entity.type == "company" and not ticker_code(text, m.start, m.end)]


TICKER_CODE = re.compile(r"[(（]([0-9A-Z][0-9A-Z.]*)[)）]")


def ticker_code(text: str, start: int, end: int) -> bool:
    """300750.SZ in 宁德时代(300750.SZ), NVDA in 英伟达(NVDA.US); not TSMC in 台积电(TSMC)."""
    m = TICKER_CODE.match(text, start - 1) if start > 0 else None
    return m is not None and m.end(1) >= end and any(c.isdigit() or c == "." for c in m.group(1))


def _tokens(text: str) -> list[tuple[int, int]]:
    from .segment import build_nlp

    return [(t.idx, t.idx + len(t.text)) for t in build_nlp().make_doc(text) if not t.is_space]


def score_rows(rows: list[dict]) -> EntityScore:
    score = EntityScore()
    for row in rows:
        text = normalize(row["text"]).text
        score.n_sentences += 1
        predicted = company_spans(text, _tokens(text))
        pred = [(a, b) for a, b, _, _ in predicted]
        orgs = [e for e in row["entities"] if e["label"] == "ORG"]
        gold = [(e["start"], e["end"]) for e in orgs]
        gold_group = ["known" if e["known"] else "unseen" for e in orgs]
        for mode in MODES:
            pairs = _match(gold, pred, mode)
            for group in gold_group:
                score.counts[(mode, group)].n_gold += 1
                score.counts[(mode, "all")].n_gold += 1
            for i, (_a, _b, known, _source) in enumerate(predicted):
                group = gold_group[pairs[i]] if i in pairs else ("known" if known else "unseen")
                score.counts[(mode, group)].n_pred += 1
                score.counts[(mode, "all")].n_pred += 1
                if i in pairs:
                    score.counts[(mode, group)].tp += 1
                    score.counts[(mode, "all")].tp += 1
            if mode == "exact":
                matched = set(pairs.values())
                score.errors += [(row["id"], "missed", text[a:b]) for j, (a, b) in enumerate(gold) if j not in matched]
                score.errors += [(row["id"], f"spurious:{source}", text[a:b])
                                 for i, (a, b, _, source) in enumerate(predicted) if i not in pairs]
        for e in row["entities"]:
            if e["label"] != "ORG" and any(_overlaps((e["start"], e["end"]), p) for p in pred):
                score.confusions[e["label"]] = score.confusions.get(e["label"], 0) + 1
    return score


def format_entity_table(name: str, score: EntityScore) -> str:
    lines = [f"{name}: {score.n_sentences} sentences, company (ORG) mentions",
             f"  {'group':<8} {'mode':<8} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    for group in GROUPS:
        for mode in MODES:
            c = score.counts[(mode, group)]
            p, r, f = c.prf()
            lines.append(f"  {group:<8} {mode:<8} {c.n_gold:5d} {c.n_pred:5d} {p:6.3f} {r:6.3f} {f:6.3f}")
    if score.confusions:
        named = ", ".join(f"{label} {n}" for label, n in sorted(score.confusions.items()))
        lines.append(f"  non-companies taken as companies: {named}")
    return "\n".join(lines)


def run_entity_eval(path: Path | None = None, show_errors: bool = False) -> EntityScore:
    """Print the company table for ``path`` (default: the held-out sentences)."""
    path = path or COMPANIES_DIR / "heldout.jsonl"
    if not path.exists():
        print(f"(no company sentences at {path}: skipped)")
        return EntityScore()
    score = score_rows(load_rows(path))
    print(format_entity_table(f"companies {path.stem}", score))
    if show_errors:
        for row_id, kind, text in score.errors:
            print(f"    {kind:<18} {row_id} {text}")
    return score


if __name__ == "__main__":
    import sys

    run_entity_eval(Path(sys.argv[1]) if len(sys.argv) > 1 else None, show_errors="-v" in sys.argv)
