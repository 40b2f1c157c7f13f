"""Build the benchmark corpus deterministically from the project's own texts.

Paragraphs of ``corpora/articles`` are recombined (a fixed random seed), their
sentences shuffled or dropped, company names swapped for others from
``pipeline/data/companies.yaml`` and amounts re-drawn digit by digit, with
short sentences from the value and period corpora mixed in. Re-drawn numbers
and names keep any cache keyed on text from flattering the figures: every
article is new text, as in a real feed.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = 20251114
SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
# Digits that are part of a date, a ticker, an ordinal or a process node stay
# as written; only amounts are re-drawn (a 13月 would test nothing useful).
NUMBER = re.compile(r"(?<![\d.(（第])\d+(?:\.\d+)?(?![\d.]|[年月日号號季周週奈纳納nm）)])")


def _front_matter_and_body(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def source_paragraphs() -> list[tuple[str, list[str]]]:
    """(date, sentences) for every paragraph of every corpus article."""
    out = []
    for path in sorted((ROOT / "corpora" / "articles").glob("*.txt")):
        meta, body = _front_matter_and_body(path)
        for para in body.split("\n"):
            sentences = [s for s in SENTENCE.findall(para.strip()) if s.strip()]
            if sentences:
                out.append((str(meta["date"]), sentences))
    return out


def short_sentences() -> list[str]:
    """The texts of the value, period and company corpora: one line each."""
    out = []
    for folder in ("values", "periods", "companies"):
        for path in sorted((ROOT / "corpora" / folder).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    out.append(json.loads(line)["text"])
    return out


def company_forms() -> list[str]:
    """Every Chinese written form of every company in the knowledge base."""
    data = yaml.safe_load((ROOT / "pipeline" / "data" / "companies.yaml").read_text(encoding="utf-8"))
    forms = []
    for company in data:
        for form in [company["name"], *company.get("aliases", [])]:
            if re.search(r"[\u4e00-\u9fff]", form) and len(form) >= 2:
                forms.append(form)
    return sorted(set(forms))


class Generator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.paragraphs = source_paragraphs()
        self.shorts = short_sentences()
        self.forms = company_forms()
        self.form_re = re.compile("|".join(re.escape(f) for f in sorted(self.forms, key=len, reverse=True)))

    def _redraw(self, m: re.Match) -> str:
        digits = [str(self.rng.randint(1 if i == 0 and len(m.group()) > 1 else 0, 9)) if ch.isdigit() else ch
                  for i, ch in enumerate(m.group())]
        return "".join(digits)

    def vary(self, sentence: str) -> str:
        sentence = self.form_re.sub(lambda _m: self.rng.choice(self.forms), sentence)
        return NUMBER.sub(self._redraw, sentence)

    def paragraph(self) -> tuple[str, str]:
        date, sentences = self.rng.choice(self.paragraphs)
        picked = [s for s in sentences if self.rng.random() > 0.2] or sentences[:1]
        if len(picked) > 2 and self.rng.random() < 0.3:
            self.rng.shuffle(picked)
        if self.rng.random() < 0.3:
            picked.insert(self.rng.randrange(len(picked) + 1), self.rng.choice(self.shorts) + "。")
        return date, "".join(self.vary(s) for s in picked)

    def article(self, number: int) -> str:
        parts = [self.paragraph() for _ in range(self.rng.randint(2, 6))]
        date = parts[0][0]
        body = "\n\n".join(p for _, p in parts)
        return f"---\nid: bench-{number:06d}\ndate: {date}\n---\n{body}\n"


def build(folder: Path, articles: int, seed: int = SEED) -> int:
    """Write ``articles`` files under ``folder`` (100 per sub-folder); return the characters written.
    The same seed always gives the same bytes."""
    gen = Generator(seed)
    total = 0
    for number in range(articles):
        sub = folder / f"{number // 100:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        text = gen.article(number)
        (sub / f"bench-{number:06d}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total
