"""Segmentation and the spaCy pipeline that carries the recognizers.

Words come from jieba (spaCy's ``zh`` default is characters), through our
own registered tokenizer (``finfacts.selective_jieba.v1``): it gives the words
of spaCy's jieba tokenizer wherever a recognizer reads token boundaries and
leaves the rest of the text uncut, since jieba is the slowest stage (see
:class:`SelectiveJiebaTokenizer`). jieba's user dictionary is global state:
we load our own words into it once (company names, metric words) so that
英伟达, 摩尔线程, 税后纯益 stay one token.

Each recognizer is a registered component writing one ``Doc._`` attribute;
later stages read those attributes, never module globals.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import logging
import operator
import re
from collections.abc import Iterator
from functools import lru_cache

import jieba
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.errors import Errors
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens.doc import pickle_doc
from spacy.tokens.underscore import Underscore
from spacy.vocab import Vocab

from . import companies, lexicon, metrics, periods, products, values

jieba.setLogLevel(logging.WARNING)

EXTENSIONS = {
    "published": None,  # dt.date the relative words resolve against
    "market": "cn",  # home market for a bare 元 until a subject decides it
    "values": None,
    "periods": None,
    "entities": None,
    "metrics": None,
    "cues": None,
    "products": None,  # ProductMention: products named in place of their maker
    "unseen": None,  # dict of unseen companies known so far in the article
}
for _name, _default in EXTENSIONS.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def _token_spans(doc: Doc, skip_space: bool = False) -> list[tuple[int, int]]:
    """(start, end) of every token, read in one array: making a Token object
    per token in Python cost more than the recognizers that use them."""
    rows = doc.to_array([IDX, LENGTH, IS_SPACE]).tolist()
    return [(start, start + length) for start, length, space in rows if not (skip_space and space)]


def token_starts(doc: Doc) -> frozenset[int] | TokenStarts:
    """Where the tokens of jieba start, for the value recognizer: the Doc's
    own tokens when every run was cut, else asked of jieba on demand."""
    if doc.user_data.get(SELECTIVE_KEY):
        return TokenStarts(doc.text)
    return frozenset(start for start, _ in _token_spans(doc))


def _in_text_order(mentions: list) -> list:
    """Mentions by start (stable): later stages find a span's mentions by
    binary search. The recognizers already yield them so; this keeps it true."""
    mentions.sort(key=_START)
    return mentions


_START = operator.attrgetter("start")


@Language.component("finfacts_values", assigns=["doc._.values"])
def values_component(doc: Doc) -> Doc:
    doc._.values = _in_text_order(values.find_values(doc.text, doc._.market, token_starts(doc)))
    return doc


@Language.component("finfacts_periods", assigns=["doc._.periods"])
def periods_component(doc: Doc) -> Doc:
    doc._.periods = _in_text_order(periods.find_periods(doc.text, doc._.published))
    return doc


@Language.component("finfacts_companies", assigns=["doc._.entities"])
def companies_component(doc: Doc) -> Doc:
    tokens = _token_spans(doc, skip_space=True)
    doc._.entities = _in_text_order(companies.find_entities(doc.text, tokens, doc._.unseen))
    return doc


@Language.component("finfacts_metrics", assigns=["doc._.metrics", "doc._.cues"])
def metrics_component(doc: Doc) -> Doc:
    doc._.metrics = _in_text_order(metrics.find_metrics(doc.text, doc._.values))
    doc._.cues = _in_text_order(metrics.find_cues(doc.text))
    return doc


@Language.component("finfacts_products", assigns=["doc._.products"])
def products_component(doc: Doc) -> Doc:
    doc._.products = _in_text_order(products.find_products(doc.text, doc._.entities))
    return doc


SELECTIVE_KEY = "finfacts.selective"  # Doc.user_data: only some runs were cut by jieba
RECOGNIZERS = ("finfacts_values", "finfacts_periods", "finfacts_companies", "finfacts_metrics", "finfacts_products")


class TextDoc(Doc):
    """A Doc that builds its text once. spaCy's ``Doc.text`` joins every
    token on each access, and the assembler reads it once per value: on a
    long article that was most of the run time. A Doc's text never changes
    (the retokenizer keeps it), so the cache cannot go stale. The same holds
    for the ``doc._`` view of the recognizers' attributes."""

    @property
    def text(self) -> str:
        cached = self.__dict__.get("_finfacts_text")
        if cached is None:
            cached = self.__dict__["_finfacts_text"] = Doc.text.__get__(self)
        return cached

    @property
    def _(self):
        # spaCy makes a new Underscore view on every ``doc._`` (tens of
        # thousands per batch); the view holds no state, so one will do.
        view = self.__dict__.get("_finfacts_underscore")
        if view is None:
            view = self.__dict__["_finfacts_underscore"] = _DocAttributes(Underscore.doc_extensions, self)
        return view


class _DocAttributes(Underscore):
    """``doc._`` reading a value already set straight from ``user_data``,
    where spaCy's view first checks the extension's getter and method on
    every read (the assembler reads these a hundred thousand times a
    batch). Our extensions have neither; anything else takes spaCy's path."""

    def __getattr__(self, name: str):
        try:
            return self._doc.user_data[("._.", name, None, None)]
        except KeyError:
            return Underscore.__getattr__(self, name)


# A subclass is not covered by spaCy's pickling of Doc (nlp.pipe with
# n_process pickles docs); it pickles as, and comes back as, a plain Doc.
copyreg.pickle(TextDoc, pickle_doc)

# jieba cuts each run of these characters on its own (jieba.re_han_default):
# what lies between two runs never influences the cut inside a run.
JIEBA_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")
JIEBA_BLOCK_CHAR = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]")
JIEBA_SKIP = re.compile(r"(\r\n|\s)")
# Where a recognizer reads token boundaries: companies walk the tokens left of
# an organisation suffix (摩尔线程 科技), values ask whether a Chinese numeral
# starts a token (李四人 is not 四人; see TokenStarts). Nothing else does.
ORG_SUFFIX = re.compile("|".join(map(re.escape, companies.ORG_SUFFIXES)))
SUFFIX_REACH = 2  # companies._name_start takes at most two tokens left of the suffix


def _passable(gap: str) -> bool:
    """Can the suffix walk cross this text between two runs (white space,
    or a name character such as · that jieba leaves outside its runs)?"""
    return all(ch.isspace() or companies.NAME_CHAR.match(ch) for ch in gap)


class TokenStarts:
    """``pos in starts``: does a token of spaCy's jieba tokenizer start at
    ``pos``? Answered by cutting only the run that holds ``pos``, on demand,
    so the value recognizer can ask about a Chinese numeral without the whole
    text going through jieba (it asks only about candidates that passed every
    other test: a few per article)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._runs: dict[int, frozenset[int]] = {}

    def __contains__(self, pos: int) -> bool:
        text = self.text
        if not 0 <= pos < len(text):
            return False
        if not JIEBA_BLOCK_CHAR.match(text, pos):
            return not text[pos].isspace()  # outside the runs each character is a token
        start = pos
        while start > 0 and JIEBA_BLOCK_CHAR.match(text, start - 1):
            start -= 1
        if start == pos:
            return True
        if start not in self._runs:
            run = JIEBA_BLOCK.match(text, start).group()
            self._runs[start] = frozenset(_starts(jieba.dt.cut(run, cut_all=False), start))
        return pos in self._runs[start]


def _starts(words: Iterator[str], offset: int) -> Iterator[int]:
    for word in words:
        yield offset
        offset += len(word)


class SelectiveJiebaTokenizer:
    """jieba where a recognizer reads tokens, one token per run elsewhere.

    With ``selective=False`` every run goes through jieba, which gives exactly
    the words of spaCy's ``zh`` tokenizer with ``segmenter = "jieba"``. With
    ``selective=True`` only runs with an organisation suffix (and the runs
    its walk can reach) are cut; every other run stays one token, and the
    value recognizer asks :class:`TokenStarts` about its few numerals. The
    recognizers read the same boundaries wherever they read any, and jieba,
    the slowest stage, runs on a small part of the text. Token offsets
    always index the text exactly (spaCy checks that the words cover it).
    """

    # spaCy interns every new word (each number, each run) for good: on an
    # endless stream the vocabulary is a leak. Docs get their own vocabulary,
    # started afresh once it holds this many strings; nothing reads word ids.
    MAX_STRINGS = 10_000

    def __init__(self, vocab: Vocab, selective: bool = True) -> None:
        self.vocab = vocab
        self.selective = selective
        self._doc_vocab = self._fresh_vocab()

    def _fresh_vocab(self) -> Vocab:
        # Only IS_SPACE is read (see _token_spans). spaCy's zh getters (like_num,
        # shape, like_url, ...) ran on every new word: 7x the cost of the Doc.
        return Vocab(lex_attr_getters={IS_SPACE: str.isspace})

    def __call__(self, text: str) -> Doc:
        if len(self._doc_vocab.strings) > self.MAX_STRINGS:
            self._doc_vocab = self._fresh_vocab()
        words, spaces = words_and_spaces(self.words(text), text)
        doc = TextDoc(self._doc_vocab, words=words, spaces=spaces)
        doc.__dict__["_finfacts_text"] = text  # the words and spaces spell it exactly (spaCy checked)
        doc.user_data[SELECTIVE_KEY] = self.selective
        return doc

    def words(self, text: str) -> list[str]:
        blocks = list(JIEBA_BLOCK.finditer(text))
        cut = self._blocks_to_cut(text, blocks)
        words: list[str] = []
        pos = 0
        for i, block in enumerate(blocks):
            _add_between(words, text[pos:block.start()])
            if cut[i]:
                words.extend(jieba.dt.cut(block.group(), cut_all=False))
            else:
                words.append(block.group())
            pos = block.end()
        _add_between(words, text[pos:])
        return words

    def _blocks_to_cut(self, text: str, blocks: list[re.Match]) -> list[bool]:
        if not self.selective:
            return [True] * len(blocks)
        cut = [ORG_SUFFIX.search(b.group()) is not None for b in blocks]
        for i in [i for i, suffixed in enumerate(cut) if suffixed]:
            # the suffix walk may cross into the runs before it
            j = i
            while j > 0 and i - j < SUFFIX_REACH and _passable(text[blocks[j - 1].end():blocks[j].start()]):
                j -= 1
                cut[j] = True
        return cut


def _add_between(words: list[str], gap: str) -> None:
    """Text between runs, split as jieba splits it: white space as it is
    (\\r\\n together), every other character on its own."""
    if JIEBA_SKIP.search(gap) is None:
        words.extend(gap)  # punctuation only (most gaps): a word per character
        return
    for piece in JIEBA_SKIP.split(gap):
        if JIEBA_SKIP.fullmatch(piece):
            words.append(piece)
        else:
            words.extend(piece)


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """``spacy.util.get_words_and_spaces(words, text)``, the same words and
    spaces, without its copy of the rest of the text for every word (which
    made it quadratic in the length of an article)."""
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError(Errors.E194.format(text=text, words=words))
    text_words: list[str] = []
    text_spaces: list[bool] = []
    text_pos = 0
    for word in words:
        if word.isspace():
            continue
        try:
            word_start = text.index(word, text_pos)
        except ValueError:
            raise ValueError(Errors.E194.format(text=text, words=words)) from None
        if word_start > text_pos:
            text_words.append(text[text_pos:word_start])
            text_spaces.append(False)
        text_words.append(word)
        text_pos = word_start + len(word)
        if text_pos < len(text) and text[text_pos] == " ":
            text_spaces.append(True)
            text_pos += 1
        else:
            text_spaces.append(False)
    if text_pos < len(text):
        text_words.append(text[text_pos:])
        text_spaces.append(False)
    return text_words, text_spaces


@spacy.registry.tokenizers("finfacts.selective_jieba.v1")
def create_selective_jieba(selective: bool = True):
    def make(nlp: Language) -> SelectiveJiebaTokenizer:
        return SelectiveJiebaTokenizer(nlp.vocab, selective)

    return make


def user_words() -> list[str]:
    """Words the segmenter must keep whole: company names, metric and unit words."""
    u = lexicon.units()
    words = set(companies.company_words()) | set(metrics.metric_words())
    # suffixes (产险, 产业信托): the suffix rule reads whole tokens (兆丰产险, not 兆|丰产|险)
    words |= {s for s in companies.ORG_SUFFIXES if len(s) >= 2}
    words |= {w for w in u.currency_words if len(w) > 1}
    return sorted(w for w in words if len(w) > 1 and not w.isascii())


@lru_cache(maxsize=2)
def build_nlp(selective: bool = True) -> Language:
    """The pipeline. ``selective=False`` runs jieba over every block, as
    spaCy's own ``zh`` tokenizer does: the reference the tests compare with."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "finfacts.selective_jieba.v1",
                                                          "selective": selective}}})
    for word in user_words():
        jieba.add_word(word, freq=20000)
    for name in RECOGNIZERS:
        nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, text: str, published: dt.date | None, market: str, unseen: dict) -> Doc:
    doc = nlp.make_doc(text)
    doc._.published = published
    doc._.market = market
    doc._.unseen = unseen
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc
