"""Read articles: files, folders, JSON Lines and standard input.

Bytes are decoded as UTF-8, GB18030 or Big5 (detected, and reported); a YAML
front matter gives id, date, title and source. Every problem becomes an
:class:`InputError` naming the file (and line), so one bad input never stops
the batch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
INPUT_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES


@dataclass
class Article:
    id: str
    text: str
    date: dt.date | None = None
    date_source: str = "none"  # metadata | option | dateline | latest-year | none
    title: str | None = None
    source: str | None = None
    path: str = "-"
    line: int | None = None
    encoding: str = "utf-8"
    meta: dict = field(default_factory=dict)


@dataclass
class InputError:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.line, "error": self.message}


class DecodeError(ValueError):
    pass


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 first, then GB18030 or Big5, never a silent guess."""
    if b"\x00" in data[:8192]:
        raise DecodeError("binary file (NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            continue
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) == 2:
        return max(candidates, key=lambda c: _cjk_plausibility(c[0]))
    raise DecodeError("encoding not detected (not UTF-8, GB18030 or Big5)")


def _cjk_plausibility(text: str) -> float:
    """Share of characters that are common CJK, ASCII or CJK punctuation."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return good / len(text)


def parse_date(value: object, what: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise ValueError(f"{what} {value!r} is not a valid YYYY-MM-DD date") from exc
    raise ValueError(f"{what} must be a YYYY-MM-DD string, got {type(value).__name__}")


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return (front matter, body). Raises ValueError on a broken front matter."""
    if not text.startswith("---"):
        return {}, text
    first_newline = text.find("\n")
    if first_newline < 0 or text[:first_newline].strip() != "---":
        return {}, text
    end = text.find("\n---", first_newline)
    if end < 0:
        raise ValueError("front matter opened with --- but never closed")
    raw = text[first_newline + 1:end]
    after = text.find("\n", end + 4)
    body = "" if after < 0 else text[after + 1:]
    try:
        # BaseLoader keeps every scalar a string, so a bad date is our error
        # message (with the value), not a crash inside the YAML library.
        meta = yaml.load(raw, Loader=yaml.BaseLoader) if raw.strip() else {}
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a mapping of keys to values")
    return meta, body


def _article_from_meta(meta: dict, text: str, default_id: str, path: str, line: int | None, encoding: str) -> Article:
    raw_id = meta.get("id", default_id)
    if raw_id is None or isinstance(raw_id, (dict, list, bool)):
        raise ValueError(f"id must be a string or number, got {type(raw_id).__name__}")
    date = None
    date_source = "none"
    if meta.get("date") is not None:
        date = parse_date(meta["date"])
        date_source = "metadata"
    for key in ("title", "source"):
        if meta.get(key) is not None and not isinstance(meta[key], (str, int, float)):
            raise ValueError(f"{key} must be a string")
    return Article(
        id=str(raw_id), text=text, date=date, date_source=date_source,
        title=None if meta.get("title") is None else str(meta["title"]),
        source=None if meta.get("source") is None else str(meta["source"]),
        path=path, line=line, encoding=encoding, meta=dict(meta),
    )


def read_text_document(data: bytes, path: str, default_id: str) -> Article:
    text, encoding = decode_bytes(data)
    meta, body = split_front_matter(text)
    if not body.strip():
        raise ValueError("empty article (no text after the front matter)" if meta else "empty file")
    return _article_from_meta(meta, body, default_id, path, None, encoding)


def read_jsonl(data: bytes, path: str) -> Iterator[Article | InputError]:
    try:
        text, encoding = decode_bytes(data)
    except DecodeError as exc:
        yield InputError(path, str(exc))
        return
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", number)
            continue
        if not isinstance(obj, dict):
            yield InputError(path, "each line must be a JSON object", number)
            continue
        if not isinstance(obj.get("text"), str):
            yield InputError(path, "missing or non-string 'text'", number)
            continue
        if "id" in obj and not isinstance(obj["id"], (str, int)):
            yield InputError(path, f"'id' must be a string, got {type(obj['id']).__name__}", number)
            continue
        try:
            article = _article_from_meta(obj, obj["text"], f"{Path(path).stem}-{number}", path, number, encoding)
        except ValueError as exc:
            yield InputError(path, str(exc), number)
            continue
        if not article.text.strip():
            yield InputError(path, "empty 'text'", number)
            continue
        if article.id in seen:
            yield InputError(path, f"duplicate id {article.id!r}", number)
            continue
        seen.add(article.id)
        yield article


def expand_paths(inputs: list[str]) -> Iterator[str | InputError]:
    """Files in the order given; folders recursively, sorted, by suffix."""
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield str(path)
        else:
            yield InputError(item, "no such file or directory")


def _walk(root: Path) -> Iterator[str | InputError]:
    seen_dirs: set[tuple[int, int]] = set()
    stack = [root]
    found: list[str] = []
    errors: list[InputError] = []
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            errors.append(InputError(str(folder), f"cannot read folder: {exc.strerror}"))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            errors.append(InputError(str(folder), "symlink loop, folder skipped"))
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append(InputError(str(folder), f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    stack.append(Path(entry.path))
                elif Path(entry.name).suffix.lower() in INPUT_SUFFIXES:
                    found.append(entry.path)
            except OSError as exc:
                errors.append(InputError(entry.path, f"cannot read: {exc.strerror}"))
    yield from sorted(found)
    yield from errors


def read_inputs(inputs: list[str]) -> Iterator[Article | InputError]:
    """Every article of every input, in a stable order, errors in between."""
    for item in expand_paths(inputs):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            data = sys.stdin.buffer.read() if item == "-" else Path(item).read_bytes()
        except OSError as exc:
            yield InputError(item, f"cannot read: {exc.strerror or exc}")
            continue
        name = "stdin" if item == "-" else item
        is_jsonl = Path(item).suffix.lower() in JSONL_SUFFIXES or (item == "-" and data.lstrip()[:1] == b"{")
        if is_jsonl:
            yield from read_jsonl(data, name)
            continue
        try:
            yield read_text_document(data, name, "stdin" if item == "-" else Path(item).stem)
        except (ValueError, DecodeError) as exc:
            yield InputError(name, str(exc))
