"""Read articles: files, folders, JSON Lines and standard input.

Bytes are decoded as UTF-8, GB18030 or Big5 (detected, and reported), or
UTF-16/32 with a byte order mark; a YAML front matter gives id, date, title
and source. Every problem becomes an :class:`InputError` naming the file (and
line), so one bad input never stops the batch. Files are read one at a time
and JSON Lines a line at a time, so memory does not grow with the batch.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
INPUT_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES
# An article longer than this is refused unread (--max-article-mb): no news
# article comes near it, and a text is held in memory whole while processed.
MAX_ARTICLE_BYTES = 10 * 2**20
SNIFF_BYTES = 64 * 1024  # what encoding detection looks at before streaming a file


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


# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 first, then GB18030 or Big5, never a silent guess."""
    encoding = detect_encoding(data, final=True)
    return _decode(data, encoding, final=True), encoding


def detect_encoding(data: bytes, final: bool = True) -> str:
    """The encoding of ``data`` (all of a file, or its first bytes when
    ``final`` is False, so a character cut at the end is no error):
    UTF-16/32 by their byte order mark, else UTF-8, else GB18030 or Big5,
    whichever reads as more plausible Chinese. Raises DecodeError."""
    if b"\x00" in data[:8192]:
        # UTF-16/32 text: a byte order mark, and the NUL half of every ASCII
        # character (a mark alone, before bytes of any kind, proves nothing)
        for bom, encoding in BOMS:
            if data.startswith(bom):
                return encoding
        raise DecodeError("binary file (NUL bytes), not text")
    candidates = []
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            text = _decode(data, encoding, final)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return encoding
        candidates.append((text, encoding))
    if not candidates:
        raise DecodeError("encoding not detected (not UTF-8, GB18030 or Big5)")
    return max(candidates, key=lambda c: _cjk_plausibility(c[0]))[1]


def _decode(data: bytes, encoding: str, final: bool) -> str:
    if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    return codecs.getincrementaldecoder(encoding)().decode(data, final)


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


# libyaml's loader where PyYAML was built with it: the pure-Python one took
# a tenth of a batch's time on front matters of three keys
BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
MAX_FRONT_MATTER = 64 * 1024  # a front matter holds a few keys; more is not one
MAX_FRONT_MATTER_DEPTH = 20


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
    return _load_front_matter(raw), body


def _load_front_matter(raw: str) -> dict:
    if len(raw) > MAX_FRONT_MATTER:
        raise ValueError(f"front matter longer than {MAX_FRONT_MATTER // 1024} KB")
    if not raw.strip():
        return {}
    if _bracket_depth(raw) > MAX_FRONT_MATTER_DEPTH:
        # PyYAML recurses per level, and its scanner slows down with each
        raise ValueError("front matter is nested too deeply")
    try:
        # Aliases are refused before anything is built: nine nested aliases of
        # nine items are 387 million items to whoever walks them (a YAML bomb).
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(raw, Loader=BASE_LOADER)):
            raise ValueError("front matter uses YAML aliases (*name), which are not allowed")
        # BaseLoader keeps every scalar a string, so a bad date is our error
        # message (with the value), not a crash inside the YAML library.
        meta = yaml.load(raw, Loader=BASE_LOADER)
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML: {str(exc).splitlines()[0]}") from exc
    except RecursionError as exc:
        raise ValueError("front matter is nested too deeply") from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a mapping of keys to values")
    return meta


def _bracket_depth(raw: str) -> int:
    """How deep [ and { nest (quotes ignored: an upper bound is all we need)."""
    depth = deepest = 0
    for ch in raw:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}" and depth:
            depth -= 1
    return deepest


def _article_from_meta(meta: dict, text: str, default_id: str, path: str, line: int | None, encoding: str) -> Article:
    raw_id = meta.get("id", default_id)
    if raw_id is None or isinstance(raw_id, (dict, list, bool, float)):
        raise ValueError(f"id must be a string, got {_type_name(raw_id)}")
    if not str(raw_id).strip():
        raise ValueError("id is empty")
    date = None
    date_source = "none"
    if meta.get("date") is not None:
        date = parse_date(meta["date"])
        date_source = "metadata"
    for key in ("title", "source"):
        if meta.get(key) is not None and not isinstance(meta[key], (str, int, float)):
            raise ValueError(f"{key} must be a string, got {_type_name(meta[key])}")
    for key, value in (("id", str(raw_id)), ("text", text), ("title", meta.get("title")), ("source", meta.get("source"))):
        _check_unicode(key, value)
    return Article(
        id=str(raw_id), text=text, date=date, date_source=date_source,
        title=None if meta.get("title") is None else str(meta["title"]),
        source=None if meta.get("source") is None else str(meta["source"]),
        path=path, line=line, encoding=encoding, meta=dict(meta),
    )


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", bool: "a boolean", float: "a number", type(None): "nothing"}.get(
        type(value), type(value).__name__)


def _check_unicode(key: str, value: object) -> None:
    """JSON's \\ud800 escapes give lone surrogates, which no UTF-8 output can hold."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{key} holds a lone surrogate (U+{ord(value[exc.start]):04X} at character {exc.start}), "
                             "not valid Unicode") from exc


def read_text_document(data: bytes, path: str, default_id: str) -> Article:
    text, encoding = decode_bytes(data)
    meta, body = split_front_matter(text)
    if not body.strip():
        raise ValueError("empty article (no text after the front matter)" if meta else "empty file")
    return _article_from_meta(meta, body, default_id, path, None, encoding)


def read_jsonl(data: bytes, path: str) -> Iterator[Article | InputError]:
    """The records of a JSON Lines file held in memory (see read_jsonl_stream)."""
    yield from read_jsonl_stream(io.BytesIO(data), path)


def read_jsonl_stream(handle: IO[bytes], path: str, max_bytes: int = MAX_ARTICLE_BYTES) -> Iterator[Article | InputError]:
    """One article per line, read a line at a time: a file of any size never
    sits in memory whole, nor does a line longer than ``max_bytes``. Ids are
    not checked for duplicates here: :func:`read_inputs` does, batch-wide."""
    sample = _sniff(handle)
    try:
        encoding = detect_encoding(sample, final=False)
    except DecodeError as exc:
        if b"\x00" in sample[:8192]:
            yield InputError(path, str(exc))  # binary: one error for the file, not one per line
            return
        encoding = "utf-8"  # mixed or broken: each line is detected on its own
    for number, raw, line_encoding in _lines(handle, encoding, max_bytes):
        if isinstance(raw, InputError):
            yield InputError(path, raw.message, number)
        else:
            yield from _jsonl_record(raw, path, number, line_encoding)


def _sniff(handle: IO[bytes]) -> bytes:
    """The first bytes of ``handle``, left unread."""
    if handle.seekable():
        position = handle.tell()
        sample = handle.read(SNIFF_BYTES)
        handle.seek(position)
        return sample
    return handle.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(handle, "peek") else b""


def _lines(handle: IO[bytes], encoding: str, max_bytes: int) -> Iterator[tuple[int, str | InputError, str]]:
    """(number, text, encoding) of every line, or an InputError for a line
    too long or undecodable. A line that the file's encoding (detected from
    its first 64 KB) cannot read gets a detection of its own."""
    if encoding in ("utf-16", "utf-32"):
        yield from _wide_lines(handle, encoding)
        return
    number = 0
    while raw := handle.readline(max_bytes + 1):
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a block at a time
                raw = handle.readline(SNIFF_BYTES)
            yield number, InputError("", f"line longer than {_megabytes(max_bytes)} (see --max-article-mb)"), encoding
            continue
        try:
            yield number, _decode(raw, encoding, final=True), encoding
        except UnicodeDecodeError:
            try:
                text, own = decode_bytes(raw)
                yield number, text, own
            except DecodeError as exc:
                yield number, InputError("", f"line is not text: {exc}"), encoding


def _wide_lines(handle: IO[bytes], encoding: str) -> Iterator[tuple[int, str | InputError, str]]:
    """UTF-16/32 lines: not ASCII-compatible, so Python's decoder splits them."""
    number = 0
    text_handle = io.TextIOWrapper(handle, encoding=encoding, newline=None)
    try:
        for line in text_handle:
            number += 1
            yield number, line, encoding
    except UnicodeDecodeError as exc:
        yield number + 1, InputError("", f"not valid {encoding} ({exc.reason}); the rest of the file is skipped"), encoding
    finally:
        text_handle.detach()


def _jsonl_record(raw: str, path: str, number: int, encoding: str) -> Iterator[Article | InputError]:
    if not raw.strip():
        return
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", number)
        return
    except RecursionError:
        yield InputError(path, "malformed JSON: nested too deeply", number)
        return
    if not isinstance(obj, dict):
        yield InputError(path, "each line must be a JSON object", number)
        return
    if not isinstance(obj.get("text"), str):
        yield InputError(path, "missing or non-string 'text'", number)
        return
    if "id" in obj and (not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool)):
        yield InputError(path, f"'id' must be a string, got {_type_name(obj['id'])}", number)
        return
    try:
        article = _article_from_meta(obj, obj["text"], f"{Path(path).stem}-{number}", path, number, encoding)
    except ValueError as exc:
        yield InputError(path, str(exc), number)
        return
    if not article.text.strip():
        yield InputError(path, "empty 'text'", number)
        return
    yield article


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.3g} MB"


def _os_message(exc: OSError) -> str:
    """A short reason for an OSError, the way a user reads it."""
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def expand_paths(inputs: list[str]) -> Iterator[str | InputError]:
    """Files in the order given; folders recursively, sorted, by suffix."""
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        try:
            st = os.stat(item)
        except OSError as exc:
            yield InputError(item, _os_message(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(Path(item))
        else:
            yield str(item)


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
            errors.append(InputError(str(folder), f"cannot read folder: {_os_message(exc)}"))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            errors.append(InputError(str(folder), "symlink loop, folder skipped"))
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append(InputError(str(folder), f"cannot read folder: {_os_message(exc)}"))
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    stack.append(Path(entry.path))
                elif Path(entry.name).suffix.lower() in INPUT_SUFFIXES:
                    found.append(entry.path)
            except OSError as exc:
                errors.append(InputError(entry.path, f"cannot read: {_os_message(exc)}"))
    yield from sorted(found)
    yield from errors


def read_inputs(inputs: list[str], max_bytes: int = MAX_ARTICLE_BYTES) -> Iterator[Article | InputError]:
    """Every article of every input, in a stable order, errors in between.

    Read one file (or one JSON Lines record) at a time, never all at once. An
    article id met twice in the batch is an error the second time: facts are
    told apart by their article id."""
    first_seen: dict[str, str] = {}
    for item in expand_paths(inputs):
        if isinstance(item, InputError):
            yield item
            continue
        for record in _read_one(item, max_bytes):
            if isinstance(record, Article):
                where = f"{record.path}:{record.line}" if record.line else record.path
                if record.id in first_seen:
                    yield InputError(record.path, f"duplicate id {record.id!r} (first in {first_seen[record.id]})", record.line)
                    continue
                first_seen[record.id] = where
            yield record


def _read_one(item: str, max_bytes: int) -> Iterator[Article | InputError]:
    """The articles of one path ('-': standard input)."""
    name = "stdin" if item == "-" else item
    if item == "-":
        handle = sys.stdin.buffer
        if handle.peek(SNIFF_BYTES).lstrip()[:1] == b"{":
            yield from read_jsonl_stream(handle, name, max_bytes)
        else:
            yield _text_article(handle.read(max_bytes + 1), name, "stdin", max_bytes)
        return
    try:
        st = os.stat(item)
        if not stat.S_ISREG(st.st_mode):
            # reading a FIFO or a device could block or never end
            yield InputError(name, "not a regular file (a device, pipe or socket)")
            return
        is_jsonl = Path(item).suffix.lower() in JSONL_SUFFIXES
        if not is_jsonl and st.st_size > max_bytes:
            yield InputError(name, f"file too large: {_megabytes(st.st_size)}, more than the {_megabytes(max_bytes)} "
                                   "an article may have (see --max-article-mb)")
            return
        with open(item, "rb") as handle:
            if is_jsonl:
                yield from read_jsonl_stream(handle, name, max_bytes)
            else:
                yield _text_article(handle.read(max_bytes + 1), name, Path(item).stem, max_bytes)
    except OSError as exc:
        yield InputError(name, f"cannot read: {_os_message(exc)}")


def _text_article(data: bytes, name: str, default_id: str, max_bytes: int) -> Article | InputError:
    if len(data) > max_bytes:  # standard input, or a file that grew while we read it
        return InputError(name, f"more than the {_megabytes(max_bytes)} an article may have (see --max-article-mb)")
    try:
        return read_text_document(data, name, default_id)
    except ValueError as exc:  # DecodeError is a ValueError
        return InputError(name, str(exc))
