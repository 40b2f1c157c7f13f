"""Command line: ``python -m pipeline extract|report|eval|debug``.

Exit codes: 0 every input was processed; 1 some inputs failed (the others
were still processed and written); 2 usage error (bad option or argument);
141 the reader of standard output closed it early (| head).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from . import __version__
from .io import MAX_ARTICLE_BYTES, Article, InputError, parse_date, read_inputs
from .options import add_output_options, add_report_parser, finish_help

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_READER_GONE = 141  # 128 + SIGPIPE: the reader of standard output closed it (| head)


def _date_arg(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _jobs_arg(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return int(text)


def _size_arg(text: str) -> float:
    try:
        size = float(text)
    except ValueError:
        size = 0.0
    if not size > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size in MB (more than 0)")
    return size


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Extract quantitative facts (company, metric, value, unit, period) from Chinese financial news.",
        epilog="Exit codes: 0 all inputs processed; 1 some inputs failed (the rest were written); 2 usage error; "
               "141 standard output closed early by its reader (| head).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ex = sub.add_parser("extract", help="extract facts from articles (JSON Lines, JSON, CSV or Parquet)",
                        description="Read articles (files, folders recursively: .txt .md .jsonl; '-' for standard input) "
                                    "and write one validated fact per line (JSON Lines), or a JSON array, CSV or Parquet.")
    ex.add_argument("inputs", nargs="+", metavar="PATH", help="file, folder or '-' for standard input")
    ex.add_argument("-o", "--output", default="out/facts.jsonl", help="output file, '-' for standard output (text formats); its extension picks the format (default: %(default)s)")
    ex.add_argument("--date", type=_date_arg, metavar="YYYY-MM-DD", help="publication date for articles whose metadata has none")
    ex.add_argument("--errors", metavar="FILE", help="also write the inputs that failed, as JSON Lines")
    ex.add_argument("-j", "--jobs", type=_jobs_arg, default=1, metavar="N",
                    help="worker processes (default: %(default)s); the output is the same for any N")
    ex.add_argument("--resume", action="store_true",
                    help="keep the facts already in the output (JSON Lines) and skip the articles they came from")
    ex.add_argument("--max-article-mb", type=_size_arg, default=MAX_ARTICLE_BYTES / 2**20, metavar="MB",
                    help="refuse, unread, a file or JSON Lines line larger than this (default: %(default)g)")
    add_output_options(ex)
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")

    ev = sub.add_parser("eval", help="score the pipeline against gold facts",
                        description="Print precision, recall and F1 at four levels for corpora/ gold and, when present, ../shared/seeds.")
    ev.add_argument("--corpora", default="corpora", help="the corpora folder (default: %(default)s)")
    ev.add_argument("--seeds", default="../shared/seeds", help="the seeds folder (default: %(default)s)")
    ev.add_argument("--show-errors", action="store_true", help="list the missed and spurious facts at the full level")
    ev.add_argument("--misses", action="store_true",
                    help="per article, the gold facts not matched and the predicted facts not in gold, each listed under "
                         "the first level where it fails (value, subject, metric, full)")
    ev.add_argument("--set", action="append", metavar="NAME",
                    help="score only this set: corpora, seeds, or a corpora/heldout* folder (heldout, heldout2, ...); repeatable; skips the company scores")
    ev.add_argument("--article", metavar="ID", help="score only the articles whose id contains ID; skips the company scores")

    db = sub.add_parser("debug", help="show what each stage saw in a text and why each fact came out",
                        description="Print the normalised text, every recognised span and each fact with the rules that linked it.")
    db.add_argument("text", help="the text to analyse")
    db.add_argument("--date", type=_date_arg, default=None, metavar="YYYY-MM-DD", help="publication date")
    add_report_parser(sub, _date_arg)
    finish_help(parser, sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "extract":
        return run_extract(args)
    if args.command == "eval":
        from .evaluate import run_eval

        return run_eval(args)
    if args.command == "debug":
        from .debug import run_debug

        return run_debug(args)
    if args.command == "report":
        from .report import run_report

        return run_report(args)
    return EXIT_USAGE


class AtomicWriter:
    """Write to a temporary file beside the target; rename only on success,
    so an interrupted run leaves the previous output intact. ``binary``
    gives a bytes handle (Parquet) instead of UTF-8 text."""

    def __init__(self, target: str, binary: bool = False) -> None:
        self.target = target
        self.binary = binary
        self.handle = None
        self.tmp = None

    def __enter__(self):
        if self.target == "-":
            return sys.stdout.buffer if self.binary else sys.stdout
        folder = Path(self.target).parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=".facts-", suffix=".tmp", dir=folder)
        if self.binary:
            self.handle = os.fdopen(fd, "wb")
        else:
            self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self.handle

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.handle is None:
            return
        self.handle.close()
        if exc_type is None:
            os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make the output private
            os.replace(self.tmp, self.target)
        else:
            os.unlink(self.tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def run_extract(args: argparse.Namespace) -> int:
    from .batch import ResumeError, extract_stream, previous_facts, skip_done
    from .progress import progress
    from .writers import UsageError, open_facts, output_format

    started = time.perf_counter()
    errors: list[InputError] = []
    articles = 0
    per_metric: Counter[str] = Counter()
    encodings: Counter[str] = Counter()
    skipped: list[str] = []
    try:
        fmt = output_format(args.output, args.format, args.bom)
        done = _resumable(args, fmt) if args.resume else set()
    except (UsageError, ResumeError) as exc:
        print(f"python -m pipeline extract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    max_bytes = int(args.max_article_mb * 2**20)
    with _stop_signals() as stop, open_facts(args.output, fmt, bom=args.bom, script=args.script) as out:
        for fact in previous_facts(args.output) if args.resume else ():
            out.write(fact)
            per_metric[fact.metric] += 1
        items = progress(read_inputs(args.inputs, max_bytes), args.inputs, quiet=args.quiet)
        # closed as soon as the loop stops, so that an interrupt stops the workers at once
        with contextlib.closing(extract_stream(skip_done(items, done, skipped), args.date, args.jobs)) as outcomes:
            for outcome in outcomes:
                stop.check()
                if outcome.error is not None:
                    errors.append(outcome.error)
                    print(f"error: {outcome.error}", file=sys.stderr)
                    continue
                articles += 1
                encodings[outcome.item.encoding] += 1
                for fact in outcome.facts:
                    out.write(fact)
                    per_metric[fact.metric] += 1
        stop.check()  # a signal after the last article: the output is not renamed into place either
    if args.resume and not args.quiet:
        print(f"resumed: {len(done)} articles' facts kept from {args.output}, "
              f"{len(skipped)} inputs skipped as already done", file=sys.stderr)
    if args.errors:
        with AtomicWriter(args.errors) as err_out:
            for err in errors:
                err_out.write(json.dumps(err.to_json(), ensure_ascii=False) + "\n")
    if not args.quiet:
        _summary(articles, per_metric, errors, encodings, args.output, time.perf_counter() - started)
    return EXIT_SOME_FAILED if errors else EXIT_OK


def _resumable(args: argparse.Namespace, fmt: str) -> set[str]:
    """The ids already done in the output --resume continues (read, and checked, before anything is written)."""
    from .batch import done_ids
    from .writers import UsageError

    if fmt != "jsonl" or args.output == "-":
        raise UsageError("--resume needs a JSON Lines output file (-o facts.jsonl)")
    return done_ids(args.output)


class _Stop:
    """What stopped the run: SIGINT (Ctrl-C) and SIGTERM (kill, a scheduler
    stopping the job) unwind the run, so the temporary output is removed and
    the previous output stays as it was. The handler only records the signal;
    the run raises it at ``check``, after each article. An exception raised
    by the handler itself could land anywhere: inside a ``with lock:`` of the
    worker pool, between taking the lock and the block that releases it, it
    left the lock held and the run hung on its way out with its workers
    alive; in a finaliser it was dropped and the run went on to finish."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum, _frame):
        self.signum = signum

    def check(self) -> None:
        if self.signum == signal.SIGINT:
            raise KeyboardInterrupt
        if self.signum is not None:
            raise SystemExit(128 + self.signum)


@contextlib.contextmanager
def _stop_signals():
    """Install :class:`_Stop` for SIGINT and SIGTERM while the run lasts.
    Only the main thread may set a handler; elsewhere nothing changes."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _summary(articles: int, per_metric: Counter, errors: list, encodings: Counter, output: str,
             seconds: float | None = None) -> None:
    from .progress import format_seconds

    total = sum(per_metric.values())
    took = f"   time: {format_seconds(seconds)}" if seconds is not None else ""
    lines = [
        f"articles read: {articles}   facts written: {total}   errors: {len(errors)}{took}   -> {output}",
        "encodings: " + ", ".join(f"{k} {v}" for k, v in sorted(encodings.items())) if encodings else "encodings: -",
    ]
    if per_metric:
        lines.append("facts per metric: " + ", ".join(f"{m} {n}" for m, n in per_metric.most_common()))
    print("\n".join(lines), file=sys.stderr)


def article_from_text(text: str, date: dt.date | None, doc_id: str = "text") -> Article:
    return Article(id=doc_id, text=text, date=date, date_source="option" if date else "none")
