"""``python -m pipeline report``: one self-contained HTML page per run.

Each article is shown with its numbers, companies, metric words and periods
highlighted (spaCy displaCy, ``style="ent"``, ``manual=True``, character
offsets into the original text) and the table of its facts beside it.
Clicking a fact scrolls to its number in the text and highlights it. The
page carries its own CSS and script (``pipeline/templates``): no network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from spacy import displacy

from schemas import Fact

from . import __version__
from .extract import Extraction
from .io import InputError, read_inputs
from .progress import format_seconds, progress
from .scripts import render_fact

TEMPLATES = Path(__file__).parent / "templates"
COLORS = {
    "VALUE": "#ffd166", "PERIOD": "#a2d2ff", "COMPANY": "#95d5b2", "METRIC": "#ffafcc",
    "MARKET": "#cdb4db", "REGION": "#e9c46a", "ENTITY": "#dddddd",
}
# When two spans overlap, the one whose label comes first here is shown.
PRIORITY = ("VALUE", "COMPANY", "MARKET", "REGION", "ENTITY", "PERIOD", "METRIC")
ENTITY_LABELS = {"company": "COMPANY", "market": "MARKET", "region": "REGION"}
MARK = ('<mark class="ff-mark ff-{kind}" data-label="{label}"{attrs} title="{label}" '
        'style="background: {bg}">{text}<span class="ff-label">{label}</span></mark>')
QUALIFIER_SIGNS = {"approx": "≈", "over": ">", "under": "<"}


@dataclass(frozen=True)
class Mark:
    """A highlight: [start, end) in the original text; ``anchor`` is the id a fact links to."""

    start: int
    end: int
    label: str
    anchor: str | None = None


def anchor(article_index: int, fact: Fact) -> str:
    return f"m{article_index}-{fact.evidence.start}-{fact.evidence.end}"


def recognised_marks(result: Extraction) -> list[Mark]:
    """The recognisers' spans (normalised offsets on ``result.doc``) mapped to the original text."""
    doc, norm = result.doc, result.normalized
    if doc is None:
        return []
    found = [("VALUE", s) for s in doc._.values or []] + [("PERIOD", s) for s in doc._.periods or []]
    found += [(_entity_label(s), s) for s in doc._.entities or []]
    found += [("METRIC", s) for s in doc._.metrics or []]
    return [Mark(*norm.original_span(span.start, span.end), label) for label, span in found]


def _entity_label(mention) -> str:
    entity = getattr(mention, "entity", None)
    return ENTITY_LABELS.get(getattr(entity, "type", None), "ENTITY")


def article_marks(result: Extraction, index: int) -> list[Mark]:
    """Every fact's evidence (with its anchor) and the recognised spans, without overlaps, in text order."""
    evidence = [Mark(f.evidence.start, f.evidence.end, "VALUE", anchor(index, f)) for f in result.facts]
    return without_overlaps(evidence + recognised_marks(result))


def without_overlaps(marks: list[Mark]) -> list[Mark]:
    """Keep anchored marks first, then by label priority and length; drop what overlaps a kept one."""
    ranked = sorted(marks, key=lambda m: (m.anchor is None, PRIORITY.index(m.label), m.start - m.end, m.start))
    kept: list[Mark] = []
    taken: set[int] = set()
    for mark in ranked:
        cells = set(range(mark.start, mark.end))
        if cells and not cells & taken:
            kept.append(mark)
            taken |= cells
    return sorted(kept, key=lambda m: m.start)


def render_text(text: str, marks: list[Mark]) -> str:
    """The article with its marks, by displaCy (entity style, manual, character offsets)."""
    ents = [{"start": m.start, "end": m.end, "label": m.label, "params": _mark_params(m)} for m in marks]
    return displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True,
                           jupyter=False, options={"colors": COLORS, "template": MARK})


def _mark_params(mark: Mark) -> dict[str, str]:
    attrs = f' id="{mark.anchor}"' if mark.anchor else ""
    return {"kind": mark.label.lower(), "attrs": attrs}


def format_value(fact: Fact) -> str:
    number = _number(fact.value)
    if fact.qualifier == "range" and fact.value_high is not None:
        number = f"{number}–{_number(fact.value_high)}"
    sign = QUALIFIER_SIGNS.get(fact.qualifier, "")
    return sign + number + (" (est.)" if fact.estimate else "")


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def format_period(fact: Fact) -> str:
    """The period as people write it: 2025, 2025 H1, 2025 Q3, 2025-10, a day, else start – end."""
    start, end = fact.period_start, fact.period_end
    if fact.fiscal_period:
        return fact.fiscal_period
    if not (start and end):
        return "–"
    if start == end:
        return start.isoformat()
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        return _calendar_label(start, end)
    return f"{start.isoformat()} – {end.isoformat()}"


def _calendar_label(start: dt.date, end: dt.date) -> str:
    """A span of whole months: 2025, 2025 H1, 2025 Q3, 2025 Q1–Q3, 2025-10, else 2024-07 – 2025-06."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12 and start.month == 1:
        return str(start.year)
    if months == 6 and start.month in (1, 7):
        return f"{start.year} H{1 if start.month == 1 else 2}"
    if start.year == end.year and start.month % 3 == 1 and end.month % 3 == 0:
        first, last = (start.month + 2) // 3, end.month // 3
        return f"{start.year} Q{first}" + (f"–Q{last}" if last != first else "")
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-{start.month:02d} – {end.year}-{end.month:02d}"


FACT_COLUMNS = ("#", "subject", "metric", "kind", "value", "unit", "period", "segment", "conf.")


def fact_row(number: int, fact: Fact, index: int) -> str:
    target = anchor(index, fact)
    num, span = ' class="ff-num"', _e(f"{fact.period_start or '?'} – {fact.period_end or '?'}")
    cells = [(f'<a href="#{target}">{number}</a>', num), (_e(fact.subject or "–"), ""), (_e(fact.metric), ""),
             (_e(fact.kind), ""), (_e(format_value(fact)), num), (_e(fact.unit or ""), ""),
             (_e(format_period(fact)), f' title="{span}"'), (_e(fact.segment or ""), ""),
             (f"{fact.confidence:.2f}", num)]
    tds = "".join(f"<td{attrs}>{cell}</td>" for cell, attrs in cells)
    title = _e(fact.evidence.text)
    return f'<tr id="fact-{_e(fact.id)}" data-target="{target}" title="{title}">{tds}</tr>'


def facts_table(facts: list[Fact], index: int) -> str:
    if not facts:
        return '<p class="ff-none">No facts in this article.</p>'
    head = "".join(f"<th>{c}</th>" for c in FACT_COLUMNS)
    rows = "\n".join(fact_row(n, fact, index) for n, fact in enumerate(facts, start=1))
    return f'<table class="ff-table"><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>'


def render_article(result: Extraction, index: int, script: str | None = None) -> str:
    article = result.article
    facts = [render_fact(f, script) for f in result.facts]
    meta = [f"id {article.id}", f"published {result.published or '?'} ({result.date_source})",
            f"{article.path} ({article.encoding})", f"{len(facts)} facts"]
    return (f'<section class="ff-article" id="article-{index}" data-doc-id="{_e(article.id)}">\n'
            f"<h2>{_e(article.title or article.id)}</h2>\n"
            f'<p class="ff-meta">{_e(" · ".join(meta))}</p>\n'
            f'<div class="ff-body">\n<div class="ff-text">{render_text(article.text, article_marks(result, index))}</div>\n'
            f'<div class="ff-facts">{facts_table(facts, index)}</div>\n</div>\n</section>')


@dataclass
class ReportRun:
    """What a report gathers while it runs: the rendered articles, their table of contents, errors."""

    sections: list[str]
    toc: list[str]
    errors: list[InputError]
    facts: int = 0

    def add(self, result: Extraction, script: str | None) -> None:
        index = len(self.sections)
        self.sections.append(render_article(result, index, script))
        name = result.article.title or result.article.id
        self.toc.append(f'<li><a href="#article-{index}">{_e(name)}</a> ({len(result.facts)})</li>')
        self.facts += len(result.facts)


def render_page(run: ReportRun, title: str, inputs: list[str]) -> str:
    page = Template((TEMPLATES / "report.html").read_text(encoding="utf-8"))
    summary = (f"{len(run.sections)} articles · {run.facts} facts · {len(run.errors)} errors · "
               f"from {' '.join(inputs)} · finfacts {__version__}")
    return page.substitute(
        version=__version__, title=_e(title), run=_e(summary), toc="\n".join(run.toc),
        legend=" ".join(f'<span class="ff-chip" style="background: {c}">{label}</span>' for label, c in COLORS.items()),
        articles="\n".join(run.sections), errors=_errors_html(run.errors),
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        js=(TEMPLATES / "report.js").read_text(encoding="utf-8"),
    )


def _errors_html(errors: list[InputError]) -> str:
    if not errors:
        return ""
    items = "\n".join(f"<li>{_e(str(err))}</li>" for err in errors)
    return f'<section class="ff-article ff-errors" id="errors"><h2>Inputs that failed</h2><ul>{items}</ul></section>'


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def run_report(args: argparse.Namespace) -> int:
    """Extract every input and write the page; exit 1 when some inputs failed."""
    from .cli import EXIT_OK, EXIT_SOME_FAILED, AtomicWriter
    from .extract import extract_article

    started = time.perf_counter()
    run = ReportRun([], [], [])
    for item in progress(read_inputs(args.inputs), args.inputs, quiet=args.quiet):
        if isinstance(item, InputError):
            _fail(run, item)
            continue
        try:
            run.add(extract_article(item, args.date), args.script)
        except Exception as exc:  # one article must never cost the report
            _fail(run, InputError(item.path, f"extraction failed: {type(exc).__name__}: {exc}", item.line))
    with AtomicWriter(args.output) as out:
        out.write(render_page(run, args.title, args.inputs))
    if not args.quiet:
        print(f"articles: {len(run.sections)}   facts: {run.facts}   errors: {len(run.errors)}   "
              f"time: {format_seconds(time.perf_counter() - started)}   -> {args.output}", file=sys.stderr)
    return EXIT_SOME_FAILED if run.errors else EXIT_OK


def _fail(run: ReportRun, error: InputError) -> None:
    run.errors.append(error)
    print(f"error: {error}", file=sys.stderr)
