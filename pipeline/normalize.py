"""Normalise script and width once, keeping a map back to the original text.

Every later rule sees one canonical form: Simplified script (OpenCC t2s) and
half-width ASCII. Offsets found in the normalised text are mapped back with
:class:`OffsetMap`, so evidence always slices the original article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Phrases never cross punctuation or white space, so converting chunk by chunk
# gives OpenCC's phrase-level result while keeping every chunk's offsets.
_CHUNK = re.compile(r"[^\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65,.;:!?()\[\]{}\"'|/]+|.", re.S)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(ch: str) -> str:
    """Full-width ASCII (！ to ～) and the ideographic space to half-width."""
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return ch


@dataclass(frozen=True)
class OffsetMap:
    """For each normalised index, the original index it came from.

    ``starts[i]`` is the original start of normalised character i and
    ``ends[i]`` the original end; a span [a, b) of the normalised text maps to
    [starts[a], ends[b - 1]).
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else self.original_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str
    offsets: OffsetMap

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.span(start, end)

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]


def _convert_chunk(chunk: str) -> str:
    converted = _converter().convert(chunk)
    if len(converted) == len(chunk):
        return converted
    # A phrase mapping changed the length (rare): fall back to character by
    # character, which keeps offsets exact at the price of that phrase.
    per_char = "".join(_converter().convert(ch) for ch in chunk)
    return per_char if len(per_char) == len(chunk) else chunk


def normalize(original: str) -> NormalizedText:
    """Return the canonical text and its map back to ``original``."""
    half = "".join(to_halfwidth(ch) for ch in original)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _CHUNK.finditer(half):
        chunk = m.group()
        converted = _convert_chunk(chunk) if len(chunk) > 1 or ord(chunk) > 0x2E7F else chunk
        parts.append(converted)
        base = m.start()
        starts.extend(range(base, base + len(converted)))
        ends.extend(range(base + 1, base + len(converted) + 1))
    return NormalizedText(original, "".join(parts), OffsetMap(tuple(starts), tuple(ends), len(original)))
