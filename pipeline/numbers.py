"""Pure parsing of one number as written in Chinese news.

Works on normalised text (Simplified, half-width). Arithmetic is done in
Decimal so that 百分之一点五七 is 1.57 and not 1.5699999999999998.

We parse numerals ourselves rather than with cn2an: cn2an does not map ○
(U+25CB), reads 三四六 and 五〇五七 wrongly, has no notion of 13万2 or of
五六百 as a range, and raises on text it cannot read. See README.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {
    "〇": 0, "○": 0, "零": 0, "0": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "两": 2, "贰": 2, "俩": 2,
    "三": 3, "叁": 3, "参": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8, "兆": 10**12}
UNITS = {**SMALL_UNITS, **BIG_UNITS}
DECIMAL_POINTS = ("点",)

CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)
_ARABIC = re.compile(r"\d[\d,]*(?:\.\d+)?")
_PLAIN_ARABIC = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


class NumberError(ValueError):
    """Raised when a string is not a number this module can read."""


def _arabic(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise NumberError(text) from exc


def _atoms(text: str) -> list[Decimal | str]:
    """Split an integer numeral into numbers and unit characters.

    Consecutive digits are read digit by digit (三四六 -> 346, 五〇五七 -> 5057);
    零 is only a separator (一万零十二) and produces no atom.
    """
    atoms: list[Decimal | str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit() and ch.isascii():
            m = _ARABIC.match(text, i)
            atoms.append(_arabic(m.group()))
            i = m.end()
            continue
        if ch == "零":
            atoms.append("零")
        elif ch in DIGITS:
            if atoms and isinstance(atoms[-1], Decimal) and i > 0 and text[i - 1] in DIGITS:
                atoms[-1] = atoms[-1] * 10 + DIGITS[ch]
            else:
                atoms.append(Decimal(DIGITS[ch]))
        elif ch in UNITS:
            atoms.append(ch)
        else:
            raise NumberError(f"unexpected character {ch!r} in {text!r}")
        i += 1
    return atoms


def parse_integer_part(text: str) -> Decimal:
    """Read a numeral without a decimal point: 一百九十万零三千九百七十一, 13万2, 100000万."""
    atoms = _atoms(text)
    if not atoms:
        raise NumberError(f"empty numeral {text!r}")
    total = Decimal(0)
    section = Decimal(0)
    number: Decimal | None = None
    biggest = 0
    previous: Decimal | str | None = None
    for atom in atoms:
        if isinstance(atom, Decimal):
            number = atom
        elif atom == "零":
            number = None
        elif atom in SMALL_UNITS:
            section += (number if number is not None else Decimal(1)) * SMALL_UNITS[atom]
            number = None
        else:
            unit = BIG_UNITS[atom]
            section += number if number is not None else (Decimal(0) if section or total else Decimal(1))
            number = None
            if unit > biggest:
                total = (total + section) * unit
                biggest = unit
            else:
                total += section * unit
            section = Decimal(0)
        previous = atom
    if number is not None:
        # 一万五 = 15000, 13万2 = 132000, 三千五 = 3500: a bare trailing digit
        # right after a unit counts in the next unit down (1万2,350 = 12350: more digits count as written).
        before_last = atoms[-2] if len(atoms) >= 2 else None
        if previous is number and number < 10 and isinstance(before_last, str) and before_last in UNITS and before_last != "零":
            number = number * UNITS[before_last] / 10
        section += number
    return total + section


# No amount in the news comes near this; beyond it a float (the fact's value)
# would be infinite, which JSON cannot carry.
LARGEST = Decimal("1e300")


def parse_number(text: str) -> Decimal:
    """Read one numeral, Arabic, Chinese or mixed, with optional decimal and scale.

    Raises :class:`NumberError` for what is not a number, and for a number of
    1e300 or more (a run of 400 digits is not an amount).

    >>> parse_number("一点〇五兆")
    Decimal('1050000000000')
    >>> parse_number("五〇五七点四亿")
    Decimal('505740000000')
    >>> parse_number("六十二点三")
    Decimal('62.3')
    """
    text = text.strip()
    try:
        # most numbers in news are plain Arabic (9899.2, 5,258): read at once
        value = _arabic(text) if _PLAIN_ARABIC.fullmatch(text) else _read_number(text)
    except ArithmeticError as exc:  # decimal.Overflow: 亿亿亿… past Decimal's exponent
        raise NumberError(f"{text[:20]!r}… is too large") from exc
    if abs(value) >= LARGEST:
        raise NumberError(f"{text[:20]!r}… is too large to be an amount")
    return value


def _read_number(text: str) -> Decimal:
    if not text:
        raise NumberError("empty number")
    if "点" not in text:
        # Arabic decimals are atoms of their own: 1兆6,215.3亿 = 1e12 + 6215.3e8
        return parse_integer_part(text)
    head, point, tail = _split_decimal(text)
    if not point:
        return parse_integer_part(head)
    value = parse_integer_part(head) if head else Decimal(0)
    j = 0
    fraction = ""
    while j < len(tail) and (tail[j] in DIGITS or (tail[j].isdigit() and tail[j].isascii())):
        ch = tail[j]
        fraction += str(DIGITS[ch]) if ch in DIGITS else ch
        j += 1
    if not fraction:
        raise NumberError(f"no digits after the decimal point in {text!r}")
    value += Decimal("0." + fraction)
    for ch in tail[j:]:
        if ch not in UNITS:
            raise NumberError(f"unexpected {ch!r} after the decimal part of {text!r}")
        value *= UNITS[ch]
    return value


def _split_decimal(text: str) -> tuple[str, str, str]:
    for point in DECIMAL_POINTS:
        idx = text.find(point)
        if idx >= 0:
            return text[:idx], point, text[idx + 1:]
    return text, "", ""


def parse_digit_pair_range(text: str) -> tuple[Decimal, Decimal] | None:
    """五六百 -> (500, 600); 三四十亿 -> (3e9, 4e9). None when not such a range.

    Two adjacent Chinese digits n, n+1 followed by a unit are an approximate
    range, not the digit-by-digit number (三四六亿 has three digits and is 346亿).
    """
    if len(text) < 3 or text[0] not in DIGITS or text[1] not in DIGITS:
        return None
    if text[0] in "〇○零" or text[1] in "〇○零":
        return None
    low, high = DIGITS[text[0]], DIGITS[text[1]]
    if high != low + 1 or text[2] not in UNITS:
        return None
    rest = text[2:]
    try:
        return parse_number(str(low) + rest), parse_number(str(high) + rest)
    except NumberError:
        return None


def decimal_to_float(value: Decimal) -> float:
    """Round-trip through the shortest decimal string, so 1.57 stays 1.57."""
    return float(format(value.normalize(), "f"))
