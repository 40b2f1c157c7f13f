"""The trained NER model's prediction, vectorised over a whole batch.

spaCy runs the transition-based NER one step per character, per Doc, with
small matrix products in between: most of the pipeline's time. This module
reads the same weights (trained by spaCy, :mod:`pipeline.ner`) and predicts
the same entities in a few large array operations:

1. tokens: one per character, as the ``zh`` ``char`` segmenter makes them
   (a whitespace run is one token; one space after a character is only that
   character's trailing space);
2. the first layer (hash embeddings of ORTH and SHAPE, then a Maxout that
   mixes them) depends on the token alone: computed once per distinct
   character and kept;
3. the CNN (four window layers) over a few thousand characters at once,
   laid out as thinc lays them out: each sentence between runs of zero rows
   as wide as the receptive field, so no sentence sees another;
4. the transition system, which for NER is almost state-free: every move
   consumes one token, so step *i* always reads token *i*; the state only
   adds the open entity's first token and token *i-1*. The moves outside an
   entity are chosen for every token at once; each entity a B- opens is then
   followed to its end, all entities advancing together.

The products are numpy's (OpenBLAS, held to one thread), so scores can differ
from spaCy's (BLIS) in the last bits; the entities do not:
``tests/test_ner.py`` compares them with ``nlp.pipe`` on every corpus
sentence and on random text (and they agree on the 15,000 sentences of the
2,000-article bench corpus). A text's entities do not depend on the other
texts of the batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from spacy.language import Language
from thinc.api import NumpyOps
from threadpoolctl import ThreadpoolController

OPS = NumpyOps()  # MurmurHash as thinc hashes the embedding keys
WHITESPACE = re.compile(r"\s+")
MAX_CODEPOINT = 0x110000
# characters predicted together: arrays that stay in the CPU caches (measured on the bench
# sentences: 2,000-4,000 best, 8,000-32,000 a fifth slower, all 143,000 at once 60% slower)
CHUNK_CHARS = 4000
# tokens of an entity scored together: most entities are shorter (measured: 4 a little
# faster than 2, 8 or 16)
LOOK_AHEAD = 4


@dataclass(frozen=True)
class Maxout:
    """A Maxout layer with its layer norm, for ``W @ X`` with one token per
    column (every step then runs over contiguous memory). The weights are
    stored piece by piece (thinc keeps each output's pieces together), so
    the max is taken over blocks of rows; the bias is a last column, to be
    met by a row of ones under the input (one pass less)."""

    W: np.ndarray  # (nP * nO, nI + 1): piece 0 of every output, then piece 1, ...; the bias last
    width: int  # nO
    G: np.ndarray  # (nO, 1) layer norm scale
    g_b: np.ndarray  # (nO, 1) layer norm shift


@dataclass(frozen=True)
class Weights:
    """The parameters of the trained model. The parser's layers are laid out
    for ``x @ W_T`` with one token per row, their maxout pieces side by
    side."""

    tables: tuple[tuple[np.ndarray, int], ...]  # (hash embedding table, seed) per attribute: ORTH, SHAPE
    mixer: Maxout
    encoder: tuple[Maxout, ...]
    receptive_field: int
    project_W: np.ndarray  # tok2vec output -> the parser's hidden width
    project_b: np.ndarray  # (hidden, 1)
    lower_W_T: np.ndarray  # (3, nI, nP * hidden): features B0, E0, B0-1, each piece by piece
    lower_b: np.ndarray  # (nP * hidden,)
    lower_pad: np.ndarray  # (3, nP * hidden): the feature of a missing token
    upper_W_T: np.ndarray  # (hidden, classes)
    upper_b: np.ndarray
    seen: np.ndarray  # (classes,) bool


def _layers(model, name: str) -> list:
    return [node for node in model.walk() if node.name == name]


def _maxout(maxout, norm) -> Maxout:
    n_o, n_p, n_i = maxout.get_param("W").shape
    W = maxout.get_param("W").transpose(1, 0, 2).reshape(n_p * n_o, n_i)
    b = maxout.get_param("b").T.reshape(n_p * n_o, 1)
    return Maxout(np.ascontiguousarray(np.hstack([W, b])), n_o,
                  norm.get_param("G")[:, None], norm.get_param("b")[:, None])


def weights_of(nlp: Language) -> Weights:
    """The NER weights of a loaded pipeline (the layers of
    ``spacy.TransitionBasedParser.v2`` over ``spacy.Tok2Vec.v2`` with
    ``MultiHashEmbed`` and ``MaxoutWindowEncoder``)."""
    model = nlp.get_pipe("ner").model
    tok2vec, lower, upper = model.get_ref("tok2vec"), model.get_ref("lower"), model.get_ref("upper")
    embeds = _layers(tok2vec, "hashembed")
    maxouts, norms = _layers(tok2vec, "maxout"), _layers(tok2vec, "layernorm")
    project = _layers(tok2vec, "linear")[-1]
    with_pad = [node for node in tok2vec.walk() if node.name.startswith("with_array") and node.attrs.get("pad")]
    n_f, n_o, n_p, n_i = lower.get_param("W").shape
    assert n_f == 3 and len(embeds) == 2 and len(with_pad) == 1, "not the architecture of pipeline/ner.py"
    lower_W = lower.get_param("W").transpose(0, 3, 2, 1).reshape(n_f, n_i, n_p * n_o)
    unseen = model.attrs.get("unseen_classes") or set()
    n_classes = upper.get_dim("nO")
    return Weights(
        tables=tuple((e.get_param("E"), e.attrs["seed"]) for e in embeds),
        mixer=_maxout(maxouts[0], norms[0]),
        encoder=tuple(_maxout(m, n) for m, n in zip(maxouts[1:], norms[1:])),
        receptive_field=with_pad[0].attrs["pad"],
        project_W=project.get_param("W"), project_b=project.get_param("b")[:, None],
        lower_W_T=np.ascontiguousarray(lower_W),
        lower_b=lower.get_param("b").T.reshape(n_p * n_o),
        lower_pad=lower.get_param("pad")[0].transpose(0, 2, 1).reshape(n_f, n_p * n_o),
        upper_W_T=np.ascontiguousarray(upper.get_param("W").T), upper_b=upper.get_param("b"),
        seen=np.array([c not in unseen for c in range(n_classes)]),
    )


@dataclass(frozen=True)
class Moves:
    """The transition classes by kind: the class number of B-, I-, L-, U-
    for each entity label (in the same order), and of O; which classes are
    valid outside an entity, and the label of each class (-1: none)."""

    labels: tuple[str, ...]
    begin: np.ndarray
    inside: np.ndarray
    last: np.ndarray
    unit: np.ndarray
    out: int
    outside: np.ndarray  # B-, U- and O in class order (U- without a label is never valid here)
    outside_begin: np.ndarray  # which of those are B-
    outside_unit: np.ndarray  # which are U-
    label_of: np.ndarray


def moves_of(nlp: Language) -> Moves:
    """The NER's transition classes (``B-ORG`` ... ``O``) as :class:`Moves`."""
    moves = nlp.get_pipe("ner").moves
    names = [moves.get_class_name(i) for i in range(moves.n_moves)]
    labels = tuple(name[2:] for name in names if name.startswith("B-"))
    number = {name: i for i, name in enumerate(names)}
    begin, inside, last, unit = (np.array([number[f"{m}-{label}"] for label in labels]) for m in "BILU")
    label_of = np.full(len(names), -1)
    for kind in (begin, inside, last, unit):
        label_of[kind] = np.arange(len(labels))
    outside = np.sort(np.concatenate([begin, unit, [number["O"]]]))
    return Moves(labels, begin, inside, last, unit, number["O"],
                 outside, np.isin(outside, begin), np.isin(outside, unit), label_of)


class Lexicon:
    """A row per distinct token text: the first layer's output for it (hash
    embeddings of its ORTH and SHAPE through the mixing Maxout: it depends
    on the token alone) and whether it is whitespace. Single characters are
    found by code point, whitespace runs of several characters by text."""

    def __init__(self, nlp: Language, weights: Weights):
        self.vocab = nlp.vocab
        self.weights = weights
        # rows are kept in arrays with room to spare: new characters keep
        # coming for a long while, and copying every row for each few new
        # ones cost a tenth of the model's time
        self._vectors = np.zeros((1024, weights.mixer.width), dtype="float32")
        self._is_space = np.zeros(1024, dtype=bool)
        self.size = 0
        self.by_codepoint = np.full(MAX_CODEPOINT, -1, dtype=np.int32)
        self.by_text: dict[str, int] = {}

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors[:self.size]

    @property
    def is_space(self) -> np.ndarray:
        return self._is_space[:self.size]

    def _add(self, texts: list[str]) -> np.ndarray:
        """Rows for new token texts."""
        first, self.size = self.size, self.size + len(texts)
        if self.size > len(self._is_space):
            room = max(self.size, 2 * len(self._is_space))
            self._vectors = np.concatenate([self._vectors, np.zeros((room - len(self._vectors), self._vectors.shape[1]),
                                                                     dtype="float32")])
            self._is_space = np.concatenate([self._is_space, np.zeros(room - len(self._is_space), dtype=bool)])
        self._vectors[first:self.size] = _mixed(self.weights.mixer, self._embeddings(texts))
        self._is_space[first:self.size] = [text.isspace() for text in texts]
        return np.arange(first, self.size, dtype=np.int32)

    def _embeddings(self, texts: list[str]) -> np.ndarray:
        """MultiHashEmbed: the vocabulary gives each text's ORTH and SHAPE
        ids, thinc's MurmurHash four rows of each table, summed."""
        lexemes = [self.vocab[text] for text in texts]
        ids = (np.array([lex.orth for lex in lexemes], dtype=np.uint64),
               np.array([lex.shape for lex in lexemes], dtype=np.uint64))
        parts = []
        for (table, seed), attr in zip(self.weights.tables, ids):
            keys = OPS.hash(attr, seed) % table.shape[0]
            # summed in thinc's order (gather_add): one key after another
            vectors = np.zeros((len(texts), table.shape[1]), dtype="float32")
            for k in range(keys.shape[1]):
                vectors += table[keys[:, k]]
            parts.append(vectors)
        return np.hstack(parts)

    def rows_of_codepoints(self, codepoints: np.ndarray) -> np.ndarray:
        rows = self.by_codepoint[codepoints]
        if (rows < 0).any():
            missing = np.unique(codepoints[rows < 0])
            self.by_codepoint[missing] = self._add([chr(c) for c in missing])
            rows = self.by_codepoint[codepoints]
        return rows

    def row_of_run(self, text: str) -> int:
        """The row of a token of several characters (a whitespace run)."""
        if text not in self.by_text:
            self.by_text[text] = int(self._add([text])[0])
        return self.by_text[text]


def _mixed(layer: Maxout, embeddings: np.ndarray) -> np.ndarray:
    """The mixing Maxout and its layer norm, row by row: element-wise
    products and sums, never BLAS, so that a row's value does not depend on
    which rows were computed with it (the lexicon keeps them)."""
    y = (embeddings[:, None, :] * layer.W[None, :, :-1]).sum(axis=2) + layer.W[:, -1]
    h = y[:, :layer.width]
    for at in range(layer.width, y.shape[1], layer.width):
        h = np.maximum(h, y[:, at:at + layer.width])
    h = (h - h.mean(axis=1, keepdims=True)) * (h.var(axis=1, keepdims=True) + 1e-08) ** (-1.0 / 2.0)
    return (h * layer.G[:, 0] + layer.g_b[:, 0]).astype("float32")


def char_tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of the tokens spaCy's ``zh`` ``char`` segmenter makes
    (``spacy.util.get_words_and_spaces`` over ``list(text)``): one per
    character but whitespace; a whitespace run is one token, less the single
    space that directly follows a character (that character's trailing
    space)."""
    tokens = []
    at = 0
    for m in WHITESPACE.finditer(text):
        tokens += [(i, i + 1) for i in range(at, m.start())]
        start = m.start() + 1 if m.start() > 0 and text[m.start()] == " " else m.start()
        if start < m.end():
            tokens.append((start, m.end()))
        at = m.end()
    return tokens + [(i, i + 1) for i in range(at, len(text))]


@dataclass
class Batch:
    """The tokens of a batch of texts, end to end."""

    rows: np.ndarray  # lexicon row of each token
    doc_start: np.ndarray  # first token of each text
    doc_length: np.ndarray  # tokens per text
    char_spans: dict[int, list[tuple[int, int]]]  # texts with whitespace: their tokens' offsets


def tokenize(texts: list[str], lexicon: Lexicon) -> Batch:
    """The texts' tokens as lexicon rows; only texts with whitespace need
    more than their code points."""
    codepoints = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    char_rows = lexicon.rows_of_codepoints(codepoints)
    pieces, lengths, char_spans = [], [], {}
    at = 0
    for i, text in enumerate(texts):
        if WHITESPACE.search(text):
            spans = char_tokens(text)
            char_spans[i] = spans
            rows = lexicon.rows_of_codepoints(np.array([ord(text[a]) for a, _ in spans], dtype=np.uint32))
            for i_token, (a, b) in enumerate(spans):
                if b - a > 1:
                    rows[i_token] = lexicon.row_of_run(text[a:b])
            pieces.append(rows)
        else:
            pieces.append(char_rows[at:at + len(text)])
        lengths.append(len(pieces[-1]))
        at += len(text)
    doc_length = np.array(lengths, dtype=np.int64)
    doc_start = np.concatenate([[0], np.cumsum(doc_length)[:-1]]).astype(np.int64)
    rows = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    return Batch(rows, doc_start, doc_length, char_spans)


def _maxout_norm(layer: Maxout, x: np.ndarray) -> np.ndarray:
    """thinc's Maxout(normalize=True) over columns (``x`` ends with a row of
    ones): affine, max of the pieces, layer norm (variance plus 1e-8, as
    thinc has it)."""
    y = layer.W @ x
    h = y[:layer.width]
    for at in range(layer.width, len(y), layer.width):
        h = np.maximum(h, y[at:at + layer.width], out=h if at > layer.width else None)
    # means as sums over the rows (np.mean's own overhead shows on short texts)
    h -= np.add.reduce(h, axis=0) / layer.width
    scale = np.add.reduce(np.square(h), axis=0) / layer.width
    scale += 1e-08
    np.sqrt(scale, out=scale)
    h /= scale
    h *= layer.G
    h += layer.g_b
    return h


def _window(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Each column over its neighbours (thinc's seq2col, window 1), zeros
    past either end; ``out`` is reused from layer to layer and its last row
    is ones (for the bias)."""
    w = len(x)
    out[:w, 0] = 0
    out[:w, 1:] = x[:, :-1]
    out[w:2 * w] = x
    out[2 * w:3 * w, :-1] = x[:, 1:]
    out[2 * w:3 * w, -1] = 0
    return out


def token_vectors(weights: Weights, lexicon: Lexicon, batch: Batch) -> np.ndarray:
    """The tok2vec output, one row per token (projected to the parser's
    hidden width)."""
    # thinc's with_array(pad=receptive field): each text after `pad` zero rows, and `pad` more at the end
    pad = weights.receptive_field
    n_docs = len(batch.doc_length)
    where = np.arange(len(batch.rows)) + pad * (1 + np.repeat(np.arange(n_docs), batch.doc_length))
    x = np.zeros((lexicon.vectors.shape[1], len(batch.rows) + pad * (n_docs + 1)), dtype="float32")
    x[:, where] = lexicon.vectors[batch.rows].T
    cols = np.empty((3 * len(x) + 1, x.shape[1]), dtype="float32")
    cols[-1] = 1
    for layer in weights.encoder:
        x += _maxout_norm(layer, _window(x, cols))
    y = weights.project_W @ x[:, where]
    y += weights.project_b
    return np.ascontiguousarray(y.T)


def _scores(weights: Weights, pre: np.ndarray, classes: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Scores of ``classes`` from the summed lower-layer features (bias
    added), as spaCy's predict_states computes them: maxout, the upper
    layer, the unseen classes at the lowest score."""
    width = weights.upper_W_T.shape[0]
    hidden = pre[:, :width]
    for at in range(width, pre.shape[1], width):
        hidden = np.maximum(hidden, pre[:, at:at + width])
    scores = hidden @ weights.upper_W_T[:, classes]
    scores += weights.upper_b[classes]
    unseen = ~weights.seen[classes]
    if unseen.any():
        scores[:, unseen] = scores.min()
    return scores


@dataclass
class Entities:
    """Token spans found in a batch: first and last token, label number."""

    start: np.ndarray
    last: np.ndarray
    label: np.ndarray


def decode(weights: Weights, moves: Moves, lexicon: Lexicon, batch: Batch, vectors: np.ndarray) -> Entities:
    """Greedy BILUO decoding, as spaCy's NER does it, batch-wide. Outside
    an entity the state's features are the token and two paddings (no
    entity start, no previous token inside it), so every token's move from
    there is found at once; each B- is then followed to its entity's end."""
    n = len(vectors)
    is_last = np.zeros(n, dtype=bool)
    is_last[(batch.doc_start + batch.doc_length - 1)[batch.doc_length > 0]] = True
    is_space = lexicon.is_space[batch.rows]

    # the moves valid outside an entity, in class order: B- (not on a text's last token nor on
    # whitespace), U- (not on whitespace), O
    token_features = vectors @ weights.lower_W_T[0]
    pre = token_features + (weights.lower_pad[1] + weights.lower_pad[2] + weights.lower_b)
    outside = _scores(weights, pre, moves.outside)
    no_begin, no_unit = np.flatnonzero(is_last | is_space), np.flatnonzero(is_space)
    outside[no_begin[:, None], np.flatnonzero(moves.outside_begin)] = -np.inf
    outside[no_unit[:, None], np.flatnonzero(moves.outside_unit)] = -np.inf
    choice = outside.argmax(axis=1)  # the first best, as spaCy's arg_max_if_valid
    begins = np.flatnonzero(moves.outside_begin[choice])
    units = np.flatnonzero(moves.outside_unit[choice])
    label = moves.label_of[moves.outside[choice]]
    ends = _entity_ends(weights, moves, vectors, token_features, begins, label[begins], is_last)
    return _resolve(begins, ends, units, label)


def _entity_ends(weights: Weights, moves: Moves, vectors: np.ndarray, token_features: np.ndarray,
                 begins: np.ndarray, labels: np.ndarray, is_last: np.ndarray) -> np.ndarray:
    """The last token of the entity each B- opens. Inside an entity the only
    valid moves are I- (not on a text's last token) and L- of its label; the
    state's features are the token, the entity's first token and the token
    before. All open entities are followed together, ``LOOK_AHEAD`` tokens at
    a time (the first L- or last token in a block ends the entity; what
    lies past it is never used)."""
    _, first, previous = weights.lower_W_T
    at_first = vectors[begins] @ first
    at_first += weights.lower_b
    ends = np.full(len(begins), -1)
    active = np.arange(len(begins))
    offset = 1
    while len(active):
        position = np.minimum(begins[active, None] + np.arange(offset, offset + LOOK_AHEAD), len(vectors) - 1)
        pre = token_features[position] + at_first[active, None]
        pre += (vectors[position - 1] @ previous)
        scores = _scores(weights, pre.reshape(-1, pre.shape[-1])).reshape(len(active), LOOK_AHEAD, -1)
        label = labels[active, None]
        inside = np.take_along_axis(scores, moves.inside[label][..., None], axis=2)[..., 0]
        last = np.take_along_axis(scores, moves.last[label][..., None], axis=2)[..., 0]
        # I- wins a tie: spaCy takes the first best valid class, and every I- comes before every L-
        stop = is_last[position] | (inside < last)
        ended = stop.any(axis=1)
        ends[active[ended]] = position[ended, stop[ended].argmax(axis=1)]
        active, offset = active[~ended], offset + LOOK_AHEAD
    return ends


def _resolve(begins: np.ndarray, ends: np.ndarray, units: np.ndarray, label: np.ndarray) -> Entities:
    """The entities the greedy pass keeps: a B- or U- decision inside an
    entity already open was never taken."""
    order = np.argsort(np.concatenate([begins, units]), kind="stable")
    first = np.concatenate([begins, units])[order]
    last = np.concatenate([ends, units])[order]
    kept = []
    free_from = -1
    for i, (a, b) in enumerate(zip(first.tolist(), last.tolist())):
        if a > free_from:
            kept.append(i)
            free_from = b
    kept_idx = np.array(kept, dtype=np.int64)
    starts = first[kept_idx] if len(kept) else np.zeros(0, dtype=np.int64)
    return Entities(starts, last[kept_idx] if len(kept) else starts, label[starts])


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """numpy's BLAS, to run on one thread while we predict: with several,
    OpenBLAS's threads wait on each other and on the other worker processes
    (measured three times slower on two busy cores)."""
    return ThreadpoolController()


def _chunks(texts: list[str], size: int):
    """Consecutive texts of about ``size`` characters together."""
    begin, total = 0, 0
    for i, text in enumerate(texts):
        total += len(text)
        if total >= size:
            yield texts[begin:i + 1]
            begin, total = i + 1, 0
    if begin < len(texts):
        yield texts[begin:]


class Recognizer:
    """The committed model's NER as arrays: ``predict_many`` gives what
    ``[doc.ents for doc in nlp.pipe(texts)]`` gives, as (start, end, label)."""

    def __init__(self, nlp: Language):
        self.weights = weights_of(nlp)
        self.moves = moves_of(nlp)
        self.lexicon = Lexicon(nlp, self.weights)

    def predict_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        out: list[list[tuple[int, int, str]]] = []
        with _blas().limit(limits=1, user_api="blas"):
            for chunk in _chunks(texts, CHUNK_CHARS):
                out += self._predict_chunk(chunk)
        return out

    def _predict_chunk(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        batch = tokenize(texts, self.lexicon)
        vectors = token_vectors(self.weights, self.lexicon, batch)
        found = decode(self.weights, self.moves, self.lexicon, batch, vectors)
        return self._char_spans(texts, batch, found)

    def _char_spans(self, texts: list[str], batch: Batch, found: Entities) -> list[list[tuple[int, int, str]]]:
        """Token spans as character offsets, text by text."""
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        doc = np.searchsorted(batch.doc_start, found.start, side="right") - 1
        first = found.start - batch.doc_start[doc]
        last = found.last - batch.doc_start[doc]
        for d, a, b, label in zip(doc.tolist(), first.tolist(), last.tolist(), found.label.tolist()):
            spans = batch.char_spans.get(d)
            start, end = (spans[a][0], spans[b][1]) if spans else (a, b + 1)
            out[d].append((start, end, self.moves.labels[label]))
        return out
