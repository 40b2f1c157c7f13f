"""Companies outside the knowledge base, from their context and from the
statistical model (:mod:`pipeline.ner`): one signal among others.

:func:`pipeline.companies.find_entities` asks for these after the knowledge
base, the organisation suffixes and the ticker brackets have had their say,
and takes only what none of them covers (nor a market or group phrase).
Signals, in order:

- X-KY: a Taiwan listing of a company registered abroad;
- apposition: a descriptor ending in a head word, then the name
  (液冷厂商英维克宣布, 晶圆代工龙头X, 探针卡厂X);
- sentence subject: a sentence that starts with a name and goes on with a
  word only companies do (古茗公布中期业绩, X股价创新高);
- the model's ORG spans, where the context is a company's too (X宣布,
  收购X, X与Y两家, X(6223)): in articles the model alone also reads names
  into sentence starts (单看, 作为新) and products;
- conjuncts: a name joined by 与 / 和 / 及 / 、 to a company found above
  (明泰与中磊公布..., 台塑与南亚).

The model also vetoes: a rule's candidate is dropped where it reads a person,
a place, a government body or a market and no company (马斯克, 美国商务部);
a knowledge-base match inside a person's name is not the company (小鹏 in
何小鹏); a suffix name is widened to the model's reading (招商永隆银行).
Every word list is data: ``data/company_cues.yaml``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import jieba.posseg  # loads its word-tag dictionary (0.5 s) now, with the other models, not mid-batch
from pydantic import Field, model_validator

from . import lexicon
from .gazetteer import Gazetteer, occurrences

SOURCES = ("apposition", "peer", "subject", "model", "conjunct", "parallel")  # EntityMention.source of what this module finds
NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&\-]")
CLAUSE_START = re.compile(r"(?:^|(?<=[,.;:!?，。；：！？、\s\"“”「」《》()（）]))")
SENTENCE_START = re.compile(r"(?:^|(?<=[。！？!?；;\n]))\s*")
TICKER_AFTER = re.compile(r"[(（](?:\d{4,6}|[A-Z]{1,5})(?:\.[A-Z]{1,2})?[)）]")
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?\n]?")
NAME_ONLY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&\-]+(?: [A-Za-z][A-Za-z0-9&\-]*)*")
KY_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}-KY")  # a Taiwan listing of a company registered abroad
PERIOD_START = re.compile(r"(?:第?[一二三四1-4]季|[一二三四五六七八九十\d]+月|前[一二三四五六七八九十\d]+|[上下]半年|\d{2,4}年)")
CONJUNCTIONS = "与和及、"
VETO_LABELS = ("PER", "GPE", "ORG_GOV", "MKT")
MAX_NAME = 6  # Chinese characters in a name found by context (longer ones carry a suffix)


class CompanyCues(lexicon.Strict):
    descriptor_heads: list[str]
    peer_words: list[str]
    anaphora: list[str]
    descriptor_blockers: list[str]
    brand_heads: list[str]
    own_brand_words: list[str]
    after_name: list[str]
    company_predicates: list[str]
    generic_names: list[str]
    generic_parts: list[str]
    not_company_endings: list[str]
    field_endings: list[str]
    unit_after: list[str]
    building_after: list[str] = []
    industry_suffixes: list[str]
    time_words: list[str]
    speech_verbs: list[str] = []
    surnames: str
    verbs_before: list[str]
    verbs_after: list[str]
    object_verbs: list[str] = []
    name_never_starts: str
    name_never_inside: str
    subsidiary_suffixes: list[str]
    org_suffixes: list[str] = Field(min_length=1)
    weak_suffixes: list[str] = []
    weak_suffix_phrases: list[str] = []
    city_named_suffixes: list[str] = []

    @model_validator(mode="after")
    def _suffix_lists_are_suffixes(self) -> CompanyCues:
        missing = set(self.industry_suffixes + self.weak_suffixes + self.city_named_suffixes) - set(self.org_suffixes)
        if missing:
            raise ValueError(f"not in org_suffixes: {sorted(missing)}")
        return self


@lru_cache(maxsize=1)
def cues() -> CompanyCues:
    """``data/company_cues.yaml``, validated like the other data files."""
    return lexicon._load("company_cues.yaml", CompanyCues)  # type: ignore[return-value]


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    source: str  # suffix (X-KY) or one of SOURCES


@lru_cache(maxsize=1)
def _boundaries() -> Gazetteer[str]:
    """Words that end a name: cues, metric words, kind words."""
    gaz: Gazetteer[str] = Gazetteer()
    for word in cues().after_name + cues().company_predicates:
        gaz.add(word, "cue")
    for entry in lexicon.metrics().metrics.values():
        for word in entry.words:
            gaz.add(word, "metric")
    for words in lexicon.cues().kind_words.values():
        for word in words:
            if len(word) > 1:
                gaz.add(word, "kind")
    return gaz


@lru_cache(maxsize=1)
def _predicates() -> Gazetteer[str]:
    """What a sentence-subject name must be followed by."""
    gaz: Gazetteer[str] = Gazetteer()
    for word in cues().company_predicates:
        gaz.add(word, "predicate")
    return gaz


@lru_cache(maxsize=1)
def _heads() -> list[str]:
    return sorted(cues().descriptor_heads, key=len, reverse=True)


@lru_cache(maxsize=1)
def _trimmed_words() -> list[str]:
    """What a rule's name loses from its front: descriptor heads and peer words."""
    return _heads() + sorted(cues().peer_words, key=len, reverse=True)


@lru_cache(maxsize=1)
def _peer_pattern() -> re.Pattern:
    return re.compile(rf"(?:(?:{lexicon.alternation(cues().peer_words)})(?:方面)?[，,]?|同为[\u4e00-\u9fffA-Za-z]{{1,10}}?的)")


# The word lists as tuples and patterns, made once: the checks below run per
# candidate position, and str.endswith/startswith take a tuple in one C call.
@lru_cache(maxsize=1)
def _head_tuple() -> tuple[str, ...]:
    return tuple(_heads())


@lru_cache(maxsize=1)
def _head_patterns() -> list[tuple[str, re.Pattern]]:
    return [(head, re.compile(re.escape(head))) for head in _heads()]


@lru_cache(maxsize=1)
def _head_rests() -> dict[str, tuple[str, ...]]:
    """厂商 -> {厂: (商,)}: a head's first character and what follows it, to
    tell a name ending in that character from one ending inside the head."""
    rests: dict[str, list[str]] = {}
    for head in _heads():
        if len(head) > 1:
            rests.setdefault(head[0], []).append(head[1:])
    return {first: tuple(rest) for first, rest in rests.items()}


@lru_cache(maxsize=1)
def _word_tuples() -> dict[str, tuple[str, ...]]:
    c = cues()
    return {
        "blockers": tuple(c.descriptor_blockers),
        "own_brand_words": tuple(c.own_brand_words),
        "anaphora": tuple(c.anaphora),
        "after_name_long": tuple(w for w in c.after_name if len(w) > 1),
        "verbs_before": tuple(c.verbs_before),
        "verbs_after": tuple(c.verbs_after),
        "not_company_endings": tuple(c.not_company_endings),
        "building_after": tuple(c.building_after),
        "time_words": tuple(c.time_words),
        "speech_verbs": tuple(c.speech_verbs),
        "unit_after": tuple(c.unit_after),
        "company_predicates": tuple(c.company_predicates),
        "descriptor_heads": tuple(c.descriptor_heads),
    }


def word_tuple(name: str) -> tuple[str, ...]:
    """One cue list of company_cues.yaml as a tuple, made once (for
    str.startswith / endswith in the checks of other modules)."""
    return _word_tuples()[name]


@lru_cache(maxsize=1)
def _generic_part_pattern() -> re.Pattern:
    """Any of the generic parts, anywhere in a name (one scan, not one per part)."""
    return re.compile("|".join(map(re.escape, cues().generic_parts)) or "(?!)")


@lru_cache(maxsize=1)
def _never_inside() -> frozenset[str]:
    return frozenset(cues().name_never_inside)


def _is_boundary(text: str, i: int) -> bool:
    return _boundaries().longest_at(text, i) is not None or PERIOD_START.match(text, i) is not None


def _long_boundary(text: str, i: int) -> bool:
    hit = _boundaries().longest_at(text, i)
    return hit is not None and hit[0] - i >= 2


def cut_at_boundary(text: str, a: int, b: int) -> int:
    """The end of a name that ran into a cue word (芯联集成均|表示 -> 芯联集成,
    松翰第三季 -> 松翰): the first boundary at least two characters in."""
    for i in range(a + 2, b):
        if _is_boundary(text, i):
            return i
    return b


def reshape(text: str, start: int, end: int, model: list[tuple[int, int, str]]) -> tuple[int, int]:
    """A rule's name made whole: without its descriptor (厂杰发科技 ->
    杰发科技), with the suffixes after its suffix (大新银行集团), or as the
    model reads it when the model's company ends there and starts a little
    earlier (招商永隆银行 where the rule took 永隆银行)."""
    trimmed = trim_descriptor(text, start, end)
    end = extend_suffixes(text, end)
    if trimmed > start:
        return trimmed, end  # 同业|丘钛科技: what was trimmed stays off, whatever the model reads
    if any(text.startswith(head, start - len(head)) for head in _trimmed_words()):
        return start, end  # 厂商|新时达: the model's 商新时达 would take part of the descriptor back
    for a, b, label in model:
        if label == "ORG" and b == end and start - 3 <= a < start and plausible(text[a:b]) \
                and not closes_word_before(text, a):
            start = a  # (not 其|中城市商业银行: the model's first character closes the word before)
    return start, end


FOLLOWING_SUFFIXES = ("股份有限公司", "有限公司", "集团", "控股", "-KY")


def extend_suffixes(text: str, end: int) -> int:
    """大新银行|集团, 北极星药业|-KY: suffixes that follow a name's own suffix."""
    grown = True
    while grown:
        grown = False
        for suffix in FOLLOWING_SUFFIXES:
            if text.startswith(suffix, end):
                end += len(suffix)
                grown = True
                break
    return end


def name_after(text: str, start: int, taken: Callable[[int], bool]) -> int | None:
    """End of a name starting at ``start``: the first boundary word, period,
    bracket or punctuation after at least two characters. None when no
    boundary comes soon enough (the extent would be a guess)."""
    i = start
    n = len(text)
    cjk = 0  # Chinese characters in text[start:i]
    while i < n:
        ch = text[i]
        if i - start >= 2 and (_is_boundary(text, i) or taken(i)):
            break
        if i - start == 1 and _long_boundary(text, i):
            return None  # 数|创新高: a cue word right after one character
        if ch == " " and i + 1 < n and text[i - 1].isascii() and text[i + 1].isascii() and text[i + 1].isalpha():
            i += 1  # Core Scientific
            continue
        if not NAME_CHAR.match(ch) or taken(i):
            break
        i += 1
        if "\u4e00" <= ch <= "\u9fff":
            cjk += 1
            if cjk > MAX_NAME:
                return None
    if i - start < 2:
        return None
    if i < n and NAME_CHAR.match(text[i]) and not _is_boundary(text, i) and not taken(i):
        return None
    return i


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(cues().generic_names)


def generic_name(name: str) -> bool:
    """A word for a kind of company (券商, 城市商业银行), no company's name."""
    return name in _generic()


def plausible(name: str) -> bool:
    """A name by context: not a generic word, a common word or a cue word."""
    from .companies import GENERIC_NAME_PARTS, STOP_TOKENS, lexicon_word, without_generic_parts

    if len(name) < 2 or generic_name(name) or name in GENERIC_NAME_PARTS or name in STOP_TOKENS:
        return False
    if not NAME_ONLY.fullmatch(name):
        return False  # punctuation, quotes, line breaks
    if name[0] in cues().name_never_starts or _generic_part_pattern().search(name):
        return False
    if name.startswith(_stand_ins()):
        return False  # 集团亦计划: a stand-in for the company, then a clause
    if not without_generic_parts(name):
        return False  # 消费性|电子: generic words only, a kind of product
    if not _never_inside().isdisjoint(name[1:]):
        return False  # 选择用集群: a function word inside
    if name.endswith(_word_tuples()["not_company_endings"]) or name.endswith(_head_tuple()):
        return False  # 经济部, 国科会: bodies; 海外药企: a descriptor
    if lexicon_word(name) or name.isdigit() or PERIOD_START.match(name):
        return False
    cue = _boundaries().longest_at(name, 0)
    if cue is not None and (cue[0] == len(name) or cue[0] >= 2):
        return False  # a cue word, or a name starting with one (正在排队IPO)
    if len(name) > 2 and _long_boundary(name, 1):
        return False  # 中|实现: one character, then a cue word
    if name.isascii():
        return len(name) >= 3 and name[0].isalpha()  # not 2025E
    return not common_word(name) and not _phrase(name) and not _adverb_inside(name) and not _ends_in_judgement(name)


def _ends_in_judgement(name: str) -> bool:
    """经销商|打款意愿偏弱: two one-character adjectives or adverbs at the
    end (偏弱, 较强, 更高) judge what comes before; no name ends so."""
    words = _tagged_words(name)
    return len(name) >= 4 and len(words) >= 3 and all(len(w) == 1 and tag in ("a", "d", "ad") for w, tag in words[-2:])


@lru_cache(maxsize=1)
def _stand_ins() -> tuple[str, ...]:
    """The stand-ins of two characters or more for a company (集团, 该公司)."""
    return tuple(w for w in lexicon.cues().coreference_words if len(w) >= 2)


def _adverb_inside(name: str) -> bool:
    """品牌|商大举备货: a common adverb of two characters or more with a word
    after it makes a clause, not a name (长春高新 ends in its 高新)."""
    return _common_word_tagged(_tagged_words(name)[:-1], "d", ADVERB_ABOVE)


def _verb_inside(name: str) -> bool:
    """公司|新承接民品|订单金额: a common verb inside makes a clause after the
    stand-in, not a name (names hold nouns: 长城汽车, 立讯精密)."""
    return _common_word_tagged(_tagged_words(name), "v", VERB_ABOVE)


@lru_cache(maxsize=4096)
def _tagged_words(name: str) -> tuple[tuple[str, str], ...]:
    """jieba's words of ``name`` with their part-of-speech tags (no HMM: only
    dictionary words), cut once for every check that asks."""
    return tuple((p.word, p.flag) for p in jieba.posseg.dt.cut(name, HMM=False))


def _common_word_tagged(words: tuple[tuple[str, str], ...], flag: str, above: int) -> bool:
    """A word of two characters or more tagged ``flag`` and more frequent than ``above``."""
    return any(tag == flag and len(word) >= 2 and common_word(word, above) for word, tag in words)


VERB_ABOVE = 100  # jieba frequency above which a verb is common (承接, 实现, 完成)
ADVERB_ABOVE = 99  # jieba frequency above which an adverb is common (长实 is tagged an adverb too, but rare)


def _phrase(name: str) -> bool:
    """Common words only, as jieba cuts it (库存/管理水平, 增长/最快, 依赖)."""
    import jieba

    jieba.initialize()
    pieces = list(jieba.dt.cut(name, HMM=False))
    if len(pieces) == 1 and len(name) >= 4 and jieba.dt.FREQ.get(name, 0) > 0:
        # an idiom or set phrase, however rare (蓬勃发展), unless jieba tags it an organisation (燕京啤酒)
        return _dictionary_tag(name) not in NAME_TAGS
    return all(len(p) >= 2 and jieba.dt.FREQ.get(p, 0) >= 20 for p in pieces)


NAME_TAGS = ("nt", "nrt")  # jieba's tags of organisation names (nt) and transliterated names (nrt)


def _dictionary_tag(word: str) -> str | None:
    return jieba.posseg.dt.word_tag_tab.get(word)


def common_word(word: str, above: int = 2000) -> bool:
    """A frequent word of jieba's own dictionary (分析师, 供应链)."""
    import jieba

    jieba.initialize()
    return jieba.dt.FREQ.get(word, 0) > above


WORD_BEFORE_NAME = 1000  # jieba frequency above which 人力, 其中 hold the first character of a name after them


def closes_word_before(text: str, at: int) -> bool:
    """Does the character at ``at`` close a common word with the one before
    it (其|中, 人|力)? Then no name starts there."""
    return at > 0 and common_word(text[at - 1:at + 1], WORD_BEFORE_NAME)


TIME_BEFORE = re.compile(r"(?:[年季月]度?|月份|半年|[末底初]|同期|期内)$")  # 第三季度, 上半年, 9月末, 今年 ... right before a word


def appositions(text: str, taken: Callable[[int], bool]) -> list[Candidate]:
    """液冷厂商|英维克|宣布: the name after a descriptor head, up to a boundary."""
    out = []
    blockers = _word_tuples()["blockers"]
    clauses = clause_starts(text)
    for head, pattern in _head_patterns():
        if head not in text:
            continue  # most heads are in no article: one C scan instead of a loop
        for m in pattern.finditer(text):
            a, b = m.start(), m.end()
            if a == 0 or taken(a) or taken(a - 1) or not NAME_CHAR.match(text[a - 1]):
                continue
            if text.endswith(blockers, 0, a) or _anaphoric(text, a, clauses):
                continue
            if head in _stand_ins() and TIME_BEFORE.search(text, max(0, a - 4), a):
                continue  # 第三季度公司|ABC组件平均售价, 上半年公司|座公里收入: the stand-in after a time, then its own figure
            if head in cues().brand_heads and text.endswith(_word_tuples()["own_brand_words"], 0, a):
                continue  # 旗舰品牌|太二酸菜鱼: the company's own brand, no company
            if b < len(text) and _extends_word(text, a, b):
                continue  # 股 in 股价: the head is part of another word
            end = name_after(text, b, taken)
            if end is None or not plausible(text[b:end]) or _verb_inside(text[b:end]):
                continue
            if common_word(text[b:b + 2], 50):
                continue  # 新厂开始试产, 厂商首批搭载: a head followed by a common word
            if not (cut_at(text, a) and cut_at(text, b)):
                continue  # 招股书, 沪深股通: jieba reads the head inside another word (asked last: it cuts a run)
            if not cut_at(text, end):
                continue  # 公司|粗钢总|产量: the name would end inside a word (总产量)
            out.append(Candidate(b, end, "apposition"))
    return out


def peers(text: str, taken: Callable[[int], bool]) -> list[Candidate]:
    """同业|永利澳门|第三季..., 同为超市连锁企业的|家家悦: the name after a
    peer word that opens a clause (not one inside a phrase: 行业同行)."""
    out = []
    for m in _peer_pattern().finditer(text):
        a, b = m.start(), m.end()
        if a > 0 and NAME_CHAR.match(text[a - 1]) or b >= len(text) or taken(b):
            continue
        end = name_after(text, b, taken)
        if end is not None and (plausible(text[b:end]) or _place_and_word(text[b:end])):
            out.append(Candidate(b, end, "peer"))
    return out


def _place_and_word(name: str) -> bool:
    """重庆|啤酒 after a peer word: a place and a common word, as many names
    are made (jieba reads them as a phrase, which elsewhere is no name)."""
    from .companies import GENERIC_NAME_PARTS, region_gazetteer

    place = region_gazetteer().longest_at(name, 0)
    rest = name[place[0]:] if place is not None and place[1].type == "region" else ""
    return len(rest) >= 2 and rest not in GENERIC_NAME_PARTS and not generic_name(rest) and NAME_ONLY.fullmatch(name) is not None


JIEBA_RUN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")  # what jieba cuts as one piece


def cut_at(text: str, pos: int) -> bool:
    """Does jieba put a word boundary at ``pos``? Only the run of text around
    ``pos`` is cut (the pipeline leaves most runs uncut, for speed)."""
    if pos <= 0 or pos >= len(text):
        return True
    for m in JIEBA_RUN.finditer(text, max(0, pos - 40)):
        if m.start() >= pos:
            return True  # pos is outside any run
        if m.end() > pos:
            return pos in _run_cuts(m.group(), m.start())
    return True


@lru_cache(maxsize=4096)
def _run_cuts(run: str, offset: int) -> frozenset[int]:
    import jieba

    cuts, pos = set(), offset
    for word in jieba.dt.cut(run, HMM=True):
        cuts.add(pos)
        pos += len(word)
    return frozenset(cuts)


def _starts_name(text: str, a: int, taken: Callable[[int], bool]) -> bool:
    """Can a name start at ``a``: after punctuation, a company, a conjunction,
    a descriptor head or a cue word, or where jieba starts a word (not 哲家
    in 魏哲家)."""
    if a == 0 or not NAME_CHAR.match(text[a - 1]) or taken(a - 1) or text[a - 1] in CONJUNCTIONS:
        return True
    if text.endswith(_head_tuple(), 0, a) or text.endswith(_word_tuples()["after_name_long"], 0, a):
        return True
    return cut_at(text, a)


CLAUSE_END = re.compile(r"[,.;:!?，。；：！？\n]")


def clause_starts(text: str) -> list[int]:
    """Where each clause of ``text`` starts (after its punctuation), in order."""
    return [0] + [m.end() for m in CLAUSE_END.finditer(text)]


def _anaphoric(text: str, a: int, starts: list[int]) -> bool:
    """Does the clause of the head at ``a`` start with 这家, 该...?
    ``starts``: clause_starts(text)."""
    start = starts[bisect.bisect_right(starts, a) - 1]
    return text[start:a].lstrip().startswith(_word_tuples()["anaphora"])


def _extends_word(text: str, a: int, b: int) -> bool:
    """Is the head the start of a longer word (股 in 股价, 厂 in 厂房)?"""
    import jieba

    jieba.initialize()
    return any(jieba.dt.FREQ.get(text[a:b + k], 0) > 0 for k in (1, 2) if b + k <= len(text))


# As far as name_after can walk: name characters, and spaces (between Latin words).
NAME_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&\- ]*")


@lru_cache(maxsize=1)
def _predicate_pattern() -> re.Pattern:
    """Every position where a company predicate starts (overlaps too)."""
    words = sorted(cues().company_predicates, key=len, reverse=True)
    return re.compile("(?=(?:" + "|".join(map(re.escape, words)) + "))" if words else "(?!)")


def _predicate_within(starts: list[int], lo: int, hi: int) -> bool:
    """Does a predicate start at a position in [lo, hi]?"""
    k = bisect.bisect_left(starts, lo)
    return k < len(starts) and starts[k] <= hi


def subjects(text: str, taken: Callable[[int], bool]) -> list[Candidate]:
    """古茗|公布中期业绩: a name that starts a sentence, before a company predicate."""
    out = []
    predicates = [m.start() for m in _predicate_pattern().finditer(text)]
    for m in SENTENCE_START.finditer(text):
        a = m.end()
        if a >= len(text) or taken(a) or not NAME_CHAR.match(text[a]):
            continue
        if not _predicate_within(predicates, a + 2, NAME_RUN.match(text, a).end()):
            continue  # no predicate where the name could end: no need to walk it
        end = name_after(text, a, taken)
        if end is None or _predicates().longest_at(text, end) is None:
            continue
        a = trim_descriptor(text, a, end, at_start=False)  # 新药公司合一公布 -> 合一
        if not plausible(text[a:end]):
            continue
        if cut_at(text, end):  # not 每股招|股价: 股价 there is inside 招股价 (asked last: jieba cuts a run)
            out.append(Candidate(a, end, "subject"))
    return out


SENTENCE_END = re.compile(r"[。！？!?\n]")
PERIOD_PREFIXES = "第前上下本今去明较比同首"  # 较第|二季: the period starts a character earlier


def parallels(text: str, companies: list[tuple[int, int]], taken: Callable[[int], bool]) -> list[Candidate]:
    """雅化集团前三季度…；盛新锂能前三季度…: a clause that opens as an earlier
    clause of its sentence did with a company (the name, then a period),
    opens with a company too."""
    starts = clause_starts(text)
    start_set = set(starts)
    opened = [a for a, b in companies if a in start_set and PERIOD_START.match(text, b)]
    out = []
    for s in starts:
        if taken(s) or not any(a < s and not SENTENCE_END.search(text, a, s) for a in opened):
            continue
        for k in range(2, MAX_NAME + 1):
            if s + k >= len(text) or not NAME_CHAR.match(text[s + k - 1]):
                break
            if PERIOD_START.match(text, s + k):
                if text[s + k - 1] not in PERIOD_PREFIXES and plausible(text[s:s + k]) \
                        and not any(taken(i) for i in range(s, s + k)):
                    out.append(Candidate(s, s + k, "parallel"))
                break
    return out


def conjuncts(text: str, companies: list[tuple[int, int]], taken: Callable[[int], bool]) -> list[Candidate]:
    """Names joined to a company: after it (X与Y) and before it (Y与X)."""
    out = []
    for a, b in companies:
        if b < len(text) - 2 and text[b] in CONJUNCTIONS:
            end = name_after(text, b + 1, taken)
            if end is not None and _strong_end(text, end) and plausible(text[b + 1:end]):
                out.append(Candidate(b + 1, end, "conjunct"))
        if a >= 3 and text[a - 1] in CONJUNCTIONS:
            start = _name_before(text, a - 1, taken)
            if start is not None and plausible(text[start:a - 1]):
                out.append(Candidate(start, a - 1, "conjunct"))
    return out


def _strong_end(text: str, end: int) -> bool:
    """Where a listed name surely ends: punctuation, another conjunction, a
    ticker bracket, a time, or a company verb (X与Y公布, X与Y两家)."""
    if end >= len(text) or text[end] in ",.;:!?，。；：！？" + CONJUNCTIONS or TICKER_AFTER.match(text, end):
        return True
    return PERIOD_START.match(text, end) is not None or text.startswith(_word_tuples()["verbs_after"], end)


def _name_before(text: str, end: int, taken: Callable[[int], bool]) -> int | None:
    """Start of a name ending at ``end`` that begins a clause or follows a
    descriptor head (塑化双雄台塑与...)."""
    for length in range(2, MAX_NAME + 1):
        start = end - length
        if start < 0 or not NAME_CHAR.match(text[start]) or taken(start):
            return None
        if start == 0 or CLAUSE_START.match(text, start) and not NAME_CHAR.match(text[start - 1]):
            return start
        if text.endswith(_head_tuple(), 0, start):
            return start
    return None


def model_span_ok(text: str, a: int, b: int, taken: Callable[[int], bool], anchors: list[tuple[int, int]]) -> bool:
    """The model's ORG span as a name: plausible, not a place, not a
    descriptor (液冷厂), and ending where a name can end (not 散热大|厂,
    not iPhon|e)."""
    from .companies import region_gazetteer

    # cheapest checks first: most spans fail before jieba is asked (plausible, _starts_name)
    name = text[a:b]
    if name.endswith(_head_tuple()) or text.startswith(_head_tuple(), a):
        return False
    if _latin(text, a - 1) and _latin(text, a) or _latin(text, b - 1) and _latin(text, b):
        return False
    if b < len(text) and NAME_CHAR.match(text[b]) and not (_is_boundary(text, b) or taken(b)):
        return False
    rests = _head_rests().get(name[-1])  # 散热大|厂: the name ends in a head's first character
    if rests is not None and text.startswith(rests, b):
        return False
    if not _company_context(text, a, b, anchors) or region_gazetteer().get(name) is not None:
        return False
    if _cuts_a_word(text, a, b):
        return False  # 南钢股份|归母|净利润: the start of a metric word, not a name
    return plausible(name) and _starts_name(text, a, taken)  # _starts_name may cut a run with jieba


def _company_context(text: str, a: int, b: int, anchors: list[tuple[int, int]]) -> bool:
    """Something around a span that only a company does or is: an
    organisation suffix of its own, a descriptor head or a company verb
    before it (收购X), a ticker bracket or a company verb after it (X宣布),
    or a conjunction joining it to a company found by other means. In
    articles the model alone reads names into many sentence starts (单看,
    作为新) and products (Mac): that is not enough."""
    from .companies import _SUFFIX_TUPLE

    if text.endswith(_SUFFIX_TUPLE, a, b) or TICKER_AFTER.match(text, b):
        return True
    words = _word_tuples()
    if text.endswith(_head_tuple(), 0, a) or text.endswith(words["verbs_before"], 0, a):
        return True
    if text.startswith(words["verbs_after"], b):
        return True
    joined_before = a > 0 and text[a - 1] in CONJUNCTIONS and any(y == a - 1 for _, y in anchors)
    joined_after = b < len(text) and text[b] in CONJUNCTIONS and any(x == b + 1 for x, _ in anchors)
    return joined_before or joined_after


def _cuts_a_word(text: str, a: int, b: int) -> bool:
    """Does a cue or metric word start inside the span and run past its end
    (归母 in 归母净利润)? Then the span cuts a word in two."""
    for i in range(a, b):
        hit = _boundaries().longest_at(text, i)
        if hit is not None and hit[0] > b:
            return True
    return False


def _latin(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalpha()


def inside_person(start: int, end: int, model: list[tuple[int, int, str]]) -> bool:
    """A knowledge-base match inside a person's name (小鹏 in 何小鹏)."""
    return any(label == "PER" and a <= start and end <= b and (a, b) != (start, end) for a, b, label in model)


INDUSTRY_AFTER = re.compile(r"同业|间|业(?![务绩])")


def suffix_name_ok(text: str, start: int, end: int, model: list[tuple[int, int, str]], ticker: bool = False) -> bool:
    """A name found by its suffix: not where the model reads a person, place
    or body, and not an industry after a common word or a time (人形机器人,
    德国汽车, 明年半导体) unless the model reads a company there."""
    from .companies import region_gazetteer

    if vetoed(start, end, model, places=False) and not (ticker and _veto_starts_before(start, end, model)):
        return False  # (民营医疗集团医思健康(02138) read as one body: the ticker's name is a company)
    name = text[start:end]
    if INDUSTRY_AFTER.match(text, end):
        return False  # 香港银行|同业拆息, 银行|业: the trade, or between its members, no company
    if text.startswith(_word_tuples()["building_after"], end):
        return False  # 中环长江集团|中心写字楼: a building named after a company, no company
    if any(_business_after(text, at + len(name)) for at in occurrences(text, name)):
        return False  # 智能建筑科技|业务, 速运物流、供应链及国际业务: anywhere a business, a business everywhere
    suffix = next((s for s in cues().industry_suffixes if name.endswith(s)), None)
    if suffix is None or ticker:
        return True  # 冰川网络(300533): a ticker of its own makes it a company, whatever its head
    head = name[: -len(suffix)]
    if text.startswith(_head_tuple(), end) or text.startswith(("行业", "产业", "板块", "概念"), end):
        return False  # 汽车制造商, 半导体企业, 汽车行业: an industry before a descriptor
    if region_gazetteer().get(head) is not None or text[start - 1:start] == "全":
        return False  # 内地汽车, 德国汽车, 全台|行动通信: a place's industry
    if time_led(head) or head[:1] in cues().name_never_starts:
        return False
    common = common_word(head, 200) or common_word(head[:2], 2000)
    # (not a span the model opens with a time: 9月扫地机器人 is a month, then a product)
    return not common or any(label == "ORG" and a < end and start < b and not PERIOD_START.match(text, a) for a, b, label in model)


@lru_cache(maxsize=1)
def _business_pattern() -> re.Pattern:
    """A business word right after a name, or after a list the name opens
    (、供应链及国际|业务)."""
    return re.compile(rf"(?:[、及和与][\u4e00-\u9fffA-Za-z]{{1,8}}?){{0,4}}(?P<unit>{lexicon.alternation(cues().unit_after)})")


def _business_after(text: str, end: int) -> bool:
    """Is the name ending at ``end`` a business (…|业务), not a metric that
    starts with a business word (韵达股份|业务量)?"""
    m = _business_pattern().match(text, end)
    if m is None:
        return False
    from .metrics import find_metrics

    unit_at = m.start("unit")
    return not any(w.start == 0 and w.end > m.end() - unit_at for w in find_metrics(text[unit_at:unit_at + 8]))


def reports_speech(head: str) -> bool:
    """大行预期|集团: a head that ends in a speech verb ends a clause before a
    subject; it names nothing."""
    return head.endswith(_word_tuples()["speech_verbs"])


def time_led(head: str) -> bool:
    """第三季, 今年, 期内: a name's head that starts with a period or a time
    word is the time of a sentence, not a name (期内集团营业额: the group)."""
    return PERIOD_START.match(head) is not None or head.startswith(_word_tuples()["time_words"])


@lru_cache(maxsize=4096)
def _tags(phrase: str) -> tuple[str, ...]:
    """jieba's part-of-speech tags of ``phrase``, word by word (one tagging
    serves both questions asked of a name's head)."""
    return tuple(w.flag for w in jieba.posseg.cut(phrase))


def ends_in_verb(phrase: str) -> bool:
    """取得, 走向: jieba tags the last word of ``phrase`` as a verb."""
    tags = _tags(phrase)
    return bool(tags) and tags[-1] == "v"


def adverb_then_verb(phrase: str) -> bool:
    """亦关注, 也看好, 均宣布: an adverb and a verb, as jieba tags them, are
    what a sentence does, not the head of a name (亦关注集团旗下...)."""
    tags = _tags(phrase)
    return len(tags) >= 2 and tags[0] == "d" and tags[-1] == "v"


def person_name(name: str) -> bool:
    """张志强, 陈俊圣: a common surname and two characters that jieba tags as
    a person's name. (Two-character names are left alone: 古茗, 保瑞 are
    tagged so too.)"""
    if len(name) != 3 or name[0] not in cues().surnames:
        return False
    words = list(jieba.posseg.cut(name))
    return len(words) == 1 and words[0].flag == "nr"


def vetoed(start: int, end: int, model: list[tuple[int, int, str]], places: bool = True) -> bool:
    """The model reads a person, place, body or market here, and no company.
    A place that only starts the name does not count (重庆|银行); with
    ``places=False`` no place does (a name with an organisation suffix is a
    company or a body, never a place: 台北富邦银行)."""
    overlapping = [(a, b, label) for a, b, label in model if a < end and start < b]
    if any(label == "ORG" for _, _, label in overlapping):
        return False
    return any(label in VETO_LABELS and not (label == "GPE" and (not places or a == start and b < end))
               for a, b, label in overlapping)


def _veto_starts_before(start: int, end: int, model: list[tuple[int, int, str]]) -> bool:
    """Every span the model vetoes a name with reaches back before it: the
    name is the end of a longer phrase, not the person or body itself."""
    return all(a < start for a, b, label in model if a < end and start < b and label in VETO_LABELS)


def _needs_model(sentence: re.Match, known: list[tuple[int, int]]) -> bool:
    """The model runs only on sentences that name no company the knowledge
    base knows by a name of three characters or more; there the knowledge
    base and the rules decide (measured: the same facts on every eval set)."""
    lengths = [end - start for start, end in known if sentence.start() <= start and end <= sentence.end()]
    # a two-character name may sit inside a person's (小鹏 in 何小鹏): the model decides there
    return not lengths or min(lengths) <= 2


def model_sentences(text: str, known: list[tuple[int, int]]) -> list[re.Match]:
    """The sentences of ``text`` the model reads (see :func:`_needs_model`).
    ``known``: where the knowledge base found companies in ``text``."""
    return [m for m in SENTENCE.finditer(text) if m.group().strip() and _needs_model(m, known)]


def model_spans(text: str, known: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The model's entities in ``text``, sentence by sentence (it was
    trained on sentences). ``known``: where the knowledge base found
    companies in ``text``."""
    from . import ner

    chunks = model_sentences(text, known)
    found = ner.predict_many([m.group() for m in chunks])
    return [(m.start() + a, m.start() + b, label) for m, spans in zip(chunks, found) for a, b, label in spans]


def trim_descriptor(text: str, start: int, end: int, at_start: bool = True) -> int:
    """A new start for a rule's name that swallowed its descriptor
    (车用晶片厂杰发科技 -> 杰发科技): just after the last head word that
    leaves at least two characters. At the start, a head of three or more
    characters may also end one character inside the name (健身器材商舒华体育:
    jieba's word 商舒华 gave the suffix rule the 商); a shorter one may not
    (厂商|商汤科技)."""
    from .companies import region_gazetteer

    best = start
    for head in _trimmed_words():
        if at_start and 3 <= len(head) <= start + 1 and end - start >= 3 and text.startswith(head, start + 1 - len(head)):
            best = max(best, start + 1)
        i = text.find(head, start, end)
        while i >= 0:
            if end - (i + len(head)) >= 2 and i + len(head) > best and (at_start or i > start) \
                    and region_gazetteer().get(text[i + len(head):end]) is None \
                    and not closes_word_before(text, i + len(head)):  # (大药房连锁股|份有限公司: no head there)
                best = i + len(head)  # (统一企业|中国(00220): a country alone is no name)
            i = text.find(head, i + 1, end)
    return best


def candidates(text: str, taken: Callable[[int], bool], model: list[tuple[int, int, str]],
               companies: list[tuple[int, int]]) -> list[Candidate]:
    """Unseen companies by context and by the model, none overlapping
    ``taken`` or each other, in the order of the signals."""
    accepted: list[Candidate] = []
    mine = [False] * (len(text) + 1)

    def busy(i: int) -> bool:
        return taken(i) or mine[i]

    def accept(c: Candidate, veto: bool = True) -> None:
        if any(busy(i) for i in range(c.start, c.end)) or (veto and vetoed(c.start, c.end, model)):
            return
        if person_name(text[c.start:c.end]):
            return
        accepted.append(c)
        for i in range(c.start, c.end):
            mine[i] = True

    for m in KY_NAME.finditer(text):
        accept(Candidate(m.start(), m.end(), "suffix"))
    for c in appositions(text, busy):
        accept(c)
    for c in peers(text, busy):
        accept(c)
    for c in subjects(text, busy):
        accept(c)
    anchors = list(companies) + [(c.start, c.end) for c in accepted]  # companies not from the model
    for _ in range(2):  # twice: a name joined to one the first pass took (X与Y两家)
        for a, b, label in model:
            if label != "ORG":
                continue
            b = cut_at_boundary(text, a, b)
            if model_span_ok(text, a, b, busy, anchors):
                accept(Candidate(a, extend_suffixes(text, b), "model"), veto=False)
        anchors += [(c.start, c.end) for c in accepted if c.source == "model"]
    for c in parallels(text, anchors + [(c.start, c.end) for c in accepted], busy):
        accept(c)
    while True:  # lists: A、B与C
        new = conjuncts(text, anchors + [(c.start, c.end) for c in accepted if c.source == "conjunct"], busy)
        before = len(accepted)
        for c in new:
            accept(c)
        if len(accepted) == before:
            break
    return sorted(accepted, key=lambda c: c.start)

