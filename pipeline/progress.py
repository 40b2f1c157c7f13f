"""A progress bar on standard error for long runs, and the run's clock.

The bar (tqdm) shows only when standard error is a terminal and the run is
not ``--quiet``: piped or logged runs get the final summary alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from tqdm import tqdm

from .io import JSONL_SUFFIXES, expand_paths

T = TypeVar("T")


def shows_bar(quiet: bool, stream: IO[str] | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


def progress(items: Iterable[T], inputs: list[str], *, quiet: bool, stream: IO[str] | None = None) -> Iterator[T]:
    """``items`` unchanged, with a bar counting them on ``stream`` (standard error) when it shows."""
    stream = sys.stderr if stream is None else stream
    if not shows_bar(quiet, stream):
        yield from items
        return
    bar = tqdm(items, total=count_articles(inputs), unit=" articles", file=stream, dynamic_ncols=True,
               leave=False, mininterval=0.2)
    try:
        yield from bar
    finally:
        bar.close()


def count_articles(inputs: list[str]) -> int | None:
    """How many records ``inputs`` will give, read cheaply (a JSON Lines file counts its
    non-blank lines); None when standard input is among them."""
    total = 0
    for path in expand_paths(inputs):
        if path == "-":
            return None
        if not isinstance(path, str):  # an input error still counts as one item
            total += 1
        elif Path(path).suffix.lower() in JSONL_SUFFIXES:
            total += _non_blank_lines(path)
        else:
            total += 1
    return total


def _non_blank_lines(path: str) -> int:
    try:
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 1


def format_seconds(seconds: float) -> str:
    """12.3 s, 4 min 05 s, 1 h 02 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
