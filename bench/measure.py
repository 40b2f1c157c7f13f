"""One measurement, in a process of its own (``bench/run.py`` starts it), so
that each figure has a clean interpreter and its own peak memory. The last
line of standard output is the result as JSON:

    {"chars": ..., "wall": s, "cpu": s, "rss_kib": ..., "children_rss_kib": ...}

``chars`` counts the article texts (what follows the front matter), the same
for every contender; the clock starts after every model is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def articles(folder: str) -> Iterator:
    from pipeline.io import Article, read_inputs

    for item in read_inputs([folder]):
        if isinstance(item, Article):
            yield item


def count_chars(folder: str) -> int:
    return sum(len(a.text) for a in articles(folder))


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def pipeline(folder: str, out: str, jobs: int) -> dict:
    """The command line's extract, as `python -m pipeline extract` runs it,
    after one article has warmed every model (workers fork from this)."""
    from pipeline.cli import main
    from pipeline.extract import extract_article

    chars = count_chars(folder)
    extract_article(next(articles(folder)))
    with Clock() as clock:
        code = main(["extract", folder, "-o", out, "-q", "--jobs", str(jobs)])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"chars": chars, "wall": clock.wall, "cpu": clock.cpu + children.ru_utime + children.ru_stime,
            "exit": code, "facts": sum(1 for _ in open(out, encoding="utf-8"))}


def jieba_cut(folder: str) -> dict:
    import jieba

    jieba.initialize()
    texts = [a.text for a in articles(folder)]
    with Clock() as clock:
        for text in texts:
            for _ in jieba.cut(text):
                pass
    return {"chars": sum(map(len, texts)), "wall": clock.wall, "cpu": clock.cpu}


def jionlp_money_time(folder: str) -> dict:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # its banner
        import jionlp

    items = [(a.text, _epoch(a.date)) for a in articles(folder)]
    jionlp.ner.extract_money(items[0][0])
    jionlp.ner.extract_time(items[0][0], time_base=items[0][1])
    with Clock() as clock:
        for text, base in items:
            jionlp.ner.extract_money(text)
            jionlp.ner.extract_time(text, time_base=base)
    return {"chars": sum(len(t) for t, _ in items), "wall": clock.wall, "cpu": clock.cpu}


def _epoch(day: dt.date | None) -> float:
    day = day or dt.date(2025, 11, 14)
    return time.mktime((day.year, day.month, day.day, 12, 0, 0, 0, 0, -1))


def stages(folder: str, limit: int) -> dict:
    """CPU seconds per stage over the first ``limit`` articles."""
    from pipeline import extract as E
    from pipeline.assemble import assemble
    from pipeline.normalize import normalize
    from pipeline.segment import build_nlp

    nlp = build_nlp()
    sample = [a for _, a in zip(range(limit), articles(folder))]
    E.extract_article(sample[0])
    spent: dict[str, float] = {}

    def timed(name, fn, *args):
        start = time.process_time()
        result = fn(*args)
        spent[name] = spent.get(name, 0.0) + time.process_time() - start
        return result

    for article in sample:
        norm = timed("normalise (OpenCC, width)", normalize, article.text)
        published, source = E.publication_date(article, norm, None)
        market = E.default_market(norm)
        doc = timed("segment (jieba, selective)", nlp.make_doc, norm.text)
        doc._.published, doc._.market, doc._.unseen = published, market, {}
        for name, component in nlp.pipeline:
            doc = timed(name.replace("finfacts_", "recognize: "), component, doc)
        links = timed("assemble", assemble, doc, market)
        facts = timed("facts (pydantic)", _facts, E, article, norm, links, source)
        timed("JSON", _dump, facts)
    return {"chars": sum(len(a.text) for a in sample), "stages": spent}


def _facts(E, article, norm, links, source) -> list:
    return [E._to_fact(article, norm, link, source) for link in links]


def _dump(facts: list) -> list[str]:
    return [f.model_dump_json() for f in facts]


def profile(folder: str, limit: int, out: str) -> dict:
    """pyinstrument over the first ``limit`` articles; the text report goes to ``out``."""
    from pyinstrument import Profiler

    from pipeline.extract import extract_article

    sample = [a for _, a in zip(range(limit), articles(folder))]
    extract_article(sample[0])
    profiler = Profiler(interval=0.001)
    profiler.start()
    for article in sample:
        extract_article(article)
    profiler.stop()
    Path(out).write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    return {"chars": sum(len(a.text) for a in sample)}


def main(argv: list[str]) -> int:
    what, folder, *rest = argv
    if what == "pipeline":
        result = pipeline(folder, rest[0], int(rest[1]))
    elif what == "jieba":
        result = jieba_cut(folder)
    elif what == "jionlp":
        result = jionlp_money_time(folder)
    elif what == "stages":
        result = stages(folder, int(rest[0]))
    elif what == "profile":
        result = profile(folder, int(rest[0]), rest[1])
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    result["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["children_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
