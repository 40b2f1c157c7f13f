"""Normalise script and width once, keeping a map back to the original text.

Every later rule sees one canonical form: Simplified script (OpenCC t2s) and
half-width ASCII. Offsets found in the normalised text are mapped back with
:class:`OffsetMap`, so evidence always slices the original article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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

    starts: Sequence[int]
    ends: Sequence[int]
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
    fast = _convert_fast(chunk)
    if fast is not None:
        return fast
    converted = _converter().convert(chunk)
    if len(converted) == len(chunk):
        return converted
    # A phrase mapping changed the length (rare): fall back to character by
    # character, which keeps offsets exact at the price of that phrase.
    per_char = "".join(_converter().convert(ch) for ch in chunk)
    return per_char if len(per_char) == len(chunk) else chunk


@dataclass(frozen=True)
class _T2S:
    """What OpenCC's t2s dictionaries (TSPhrases, then TSCharacters) can do
    to a chunk, precomputed so most chunks never enter its pure-Python
    matcher, which was a fifth of the run time."""

    triggers: frozenset[str]  # characters some mapping changes
    phrase_first: frozenset[str]  # first characters of phrase keys
    phrases: frozenset[str]
    longest_phrase: int
    one_to_one: dict[int, str]  # str.translate table of the single characters
    not_one_to_one: frozenset[str]  # characters mapped to alternatives ("干 乾")


@lru_cache(maxsize=1)
def _t2s() -> _T2S:
    conv = _converter()
    conv.convert("")  # loads the dictionaries
    (phrase_dict, char_dict), = conv._dict_chain_data  # opencc-python 0.1.7: one group
    triggers: set[str] = set()
    for key, value in (*phrase_dict[2].items(), *char_dict[2].items()):
        if key != value:
            same_length = len(key) == len(value)
            triggers.update(k for k, v in zip(key, value) if k != v) if same_length else triggers.update(key)
    # OpenCC passes its separators through untouched, whatever its dictionaries say
    chars = {k: v for k, v in char_dict[2].items() if k != v and not conv.split_chars_re.fullmatch(k)}
    return _T2S(
        triggers=frozenset(triggers),
        phrase_first=frozenset(k[0] for k in phrase_dict[2]),
        phrases=frozenset(phrase_dict[2]),
        longest_phrase=phrase_dict[0],
        one_to_one={ord(k): v for k, v in chars.items() if len(v) == 1},
        not_one_to_one=frozenset(k for k, v in chars.items() if len(v) != 1),
    )


def _convert_fast(chunk: str) -> str | None:
    """OpenCC's result where it is certain without OpenCC, else None.

    No character that any mapping changes: OpenCC returns the chunk as it is
    (every Simplified chunk). No phrase key anywhere in the chunk and only
    one-to-one characters: OpenCC maps character by character, which is
    ``str.translate``."""
    t = _t2s()
    if t.triggers.isdisjoint(chunk):
        return chunk
    if not t.not_one_to_one.isdisjoint(chunk) or _has_phrase(chunk, t):
        return None
    return chunk.translate(t.one_to_one)


def _has_phrase(chunk: str, t: _T2S) -> bool:
    for i, ch in enumerate(chunk):
        if ch in t.phrase_first:
            for j in range(i + 2, min(len(chunk), i + t.longest_phrase) + 1):
                if chunk[i:j] in t.phrases:
                    return True
    return False


_HALFWIDTH = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}


def normalize(original: str) -> NormalizedText:
    """Return the canonical text and its map back to ``original``."""
    half = original.translate(_HALFWIDTH)  # to_halfwidth on every character, in C
    if _t2s().triggers.isdisjoint(half):
        parts = [half]  # nothing to convert: the common case of Simplified text
    else:
        parts = [_convert_chunk(m.group()) if len(m.group()) > 1 or ord(m.group()) > 0x2E7F else m.group()
                 for m in _CHUNK.finditer(half)]
    text = "".join(parts)
    # Every step keeps the length (a conversion that would not is undone in
    # _convert_chunk), so character i of the text comes from character i of
    # the original: the map is the identity, held as ranges (no memory).
    assert len(text) == len(original)
    return NormalizedText(original, text, OffsetMap(range(len(text)), range(1, len(text) + 1), len(original)))
