"""Extraction over a stream of inputs: in this process or in a pool of
worker processes, with the same output either way.

``extract_stream`` takes what :func:`pipeline.io.read_inputs` yields (articles
and input errors, in order) and yields one :class:`Outcome` per item, in the
same order. With ``jobs > 1`` the articles are sent to worker processes in
batches; each worker builds its spaCy pipeline once. At most a few batches
are in flight, so memory stays flat however long the stream; results come
back in input order, so the output is byte for byte that of one process.

An article longer than :data:`PIECE_CHARS` is extracted a block of
paragraphs at a time (memory and the segmenter's cost grow with the text),
its facts moved back to offsets in the whole article.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace

from schemas import Fact

from .io import Article, InputError

PIECE_CHARS = 50_000  # longer articles are extracted in pieces of at most this many characters
BATCH_CHARS = 30_000  # what one task for a worker holds, about
BATCH_ITEMS = 64
PIECE_BREAKS = ("\n\n", "\n", "。", "！", "？", ". ")  # where a piece may end, best first
IN_FLIGHT_PER_JOB = 3  # batches queued per worker: enough to keep it busy, few enough to bound memory


@dataclass
class Outcome:
    """What became of one input: its facts, or the error that stopped it."""

    item: Article | InputError
    facts: list[Fact] = field(default_factory=list)
    error: InputError | None = None


def extract_facts(article: Article, date: dt.date | None = None) -> list[Fact]:
    """The facts of one article; a long one is done a block of paragraphs at a time."""
    from .extract import extract_article

    if len(article.text) <= PIECE_CHARS:
        return extract_article(article, date).facts
    return _facts_in_pieces(article, date)


def process(item: Article | InputError, date: dt.date | None = None) -> Outcome:
    """Extract one item; an exception costs that article only."""
    if isinstance(item, InputError):
        return Outcome(item, error=item)
    try:
        return Outcome(item, extract_facts(item, date))
    except Exception as exc:  # one article must never cost the batch
        return Outcome(item, error=InputError(item.path, f"extraction failed: {_one_line(exc)}", item.line))


def _one_line(exc: Exception, limit: int = 300) -> str:
    """An exception as one line of at most ``limit`` characters: every error is one line on standard error."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def extract_stream(items: Iterable[Article | InputError], date: dt.date | None = None, jobs: int = 1) -> Iterator[Outcome]:
    """One outcome per item, in order, whatever ``jobs`` is."""
    if jobs <= 1:
        for item in items:
            yield process(item, date)
        return
    with _Workers(jobs) as workers:
        pending: deque[tuple[list, Future]] = deque()
        for batch in _batches(items):
            pending.append((batch, workers.submit(batch, date)))
            while len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                yield from workers.finish(*pending.popleft(), date)
        while pending:
            yield from workers.finish(*pending.popleft(), date)


def _batches(items: Iterable[Article | InputError]) -> Iterator[list[Article | InputError]]:
    """Consecutive items, cut every ``BATCH_CHARS`` characters of text or ``BATCH_ITEMS`` items."""
    batch: list[Article | InputError] = []
    size = 0
    for item in items:
        batch.append(item)
        size += len(item.text) if isinstance(item, Article) else 0
        if size >= BATCH_CHARS or len(batch) >= BATCH_ITEMS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group: the parent alone decides, and
    # stops the workers itself (no traceback from every worker).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .segment import build_nlp

    build_nlp()


def _ready() -> int:
    return os.getpid()


def _work(articles: list[Article], date: dt.date | None) -> list[tuple[list[Fact], InputError | None]]:
    """In a worker: the facts (or error) of each article. The articles are
    not sent back: the parent still holds them."""
    out = []
    for article in articles:
        outcome = process(article, date)
        out.append((outcome.facts, outcome.error))
    return out


class _Workers:
    """A process pool that survives the death of a worker (the kernel's
    out-of-memory killer, a crash in a C extension): the batch it held is
    retried an article at a time in a new pool, and only an article that
    kills a worker on its own is reported as failed."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # fork on Linux: workers inherit the imported modules; each still
        # builds its own pipeline (jieba's dictionary) in _init_worker
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker)
        # start every worker now, before any thread (a progress bar) exists to be forked
        for future in [pool.submit(_ready) for _ in range(self.jobs)]:
            future.result()
        return pool

    def submit(self, batch: list[Article | InputError], date: dt.date | None) -> Future:
        return self.pool.submit(_work, [i for i in batch if isinstance(i, Article)], date)

    def finish(self, batch: list[Article | InputError], future: Future, date: dt.date | None) -> Iterator[Outcome]:
        try:
            results = iter(future.result())
        except BrokenProcessPool:
            results = iter(self._retry([i for i in batch if isinstance(i, Article)], date))
        for item in batch:
            if isinstance(item, InputError):
                yield Outcome(item, error=item)
            else:
                facts, error = next(results)
                yield Outcome(item, facts, error)

    def _retry(self, articles: list[Article], date: dt.date | None) -> list[tuple[list[Fact], InputError | None]]:
        out = []
        for article in articles:
            if self._broken():
                self._restart()
            try:
                out.extend(self.pool.submit(_work, [article], date).result())
            except BrokenProcessPool:
                out.append(([], InputError(article.path, "extraction failed: the worker process died "
                                                         "(killed, or out of memory)", article.line)))
        return out

    def _broken(self) -> bool:
        return getattr(self.pool, "_broken", False)

    def _restart(self) -> None:
        self._stop()
        self.pool = self._start()

    def _stop(self) -> None:
        processes = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # an interrupted run must not leave workers behind
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.pool.shutdown(wait=True)
        else:
            self._stop()


def _facts_in_pieces(article: Article, date: dt.date | None) -> list[Fact]:
    from .extract import extract_article, fact_id, publication_date
    from .normalize import normalize

    parts = pieces(article.text, PIECE_CHARS)
    published, source = publication_date(article, normalize(parts[0][1]), date)
    facts = []
    for base, text in parts:
        piece = replace(article, text=text, date=published, date_source=source if published else "none")
        result = extract_article(piece, date)
        for fact, link in zip(result.facts, result.links):
            # the normalised text has the original's offsets, so a link moved
            # by ``base`` is the link of the whole article, and so is its id
            moved = replace(link, value=replace(link.value, start=link.value.start + base, end=link.value.end + base))
            evidence = fact.evidence.model_copy(update={"start": fact.evidence.start + base,
                                                        "end": fact.evidence.end + base})
            facts.append(fact.model_copy(update={"id": fact_id(article.id, moved), "evidence": evidence}))
    return facts


def pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """(offset, piece) covering ``text`` in order, each at most ``limit``
    characters, cut after a blank line, else a line, else a sentence end,
    else anywhere."""
    out = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = next((window.rfind(sep) + len(sep) for sep in PIECE_BREAKS if window.rfind(sep) > limit // 2), limit)
        out.append((start, text[start:start + cut]))
        start += cut
    out.append((start, text[start:]))
    return out


class ResumeError(ValueError):
    """The existing output cannot be resumed from (exit code 2)."""


def previous_facts(path: str) -> Iterator[Fact]:
    """The facts of an earlier run's JSON Lines output, read a line at a time
    (none when there is no such file). Raises ResumeError at the first line
    that is not a fact: resuming must not silently drop what was there."""
    try:
        handle = open(path, encoding="utf-8")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ResumeError(f"cannot resume from {path}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield Fact.model_validate_json(line)
            except ValueError as exc:
                first = str(exc).splitlines()[0]
                raise ResumeError(f"cannot resume from {path}: line {number} is not a fact ({first})") from exc


def done_ids(path: str) -> set[str]:
    """The article ids an earlier run's output has facts for."""
    return {fact.doc_id for fact in previous_facts(path)}


def skip_done(items: Iterable[Article | InputError], done: set[str], skipped: list[str]) -> Iterator[Article | InputError]:
    """``items`` without the articles whose id is in ``done`` (their ids go to ``skipped``)."""
    for item in items:
        if isinstance(item, Article) and item.id in done:
            skipped.append(item.id)
            continue
        yield item
