"""The trained NER model's prediction, vectorised over a whole batch.

spaCy runs the transition-based NER one step per character, per Doc, with
small matrix products in between: most of the pipeline's time. This module
reads the same weights (trained by spaCy, :mod:`pipeline.ner`) and predicts
the same entities in a few large array operations:

1. tokens: one per character, as the ``zh`` ``char`` segmenter makes them
   (a whitespace run is one token; one space after a character is only that
   character's trailing space);
2. embeddings: each distinct token's hash-embedding rows, summed once and
   cached (they depend on the token's text only);
3. the CNN over all sentences at once, laid out as thinc lays them out (each
   sentence between runs of zero rows as wide as the receptive field, so no
   sentence sees another);
4. the transition system, which for NER is almost state-free: every action
   consumes one token, so step *i* always reads token *i*; the state only
   adds the open entity's first token and token *i-1*. The decisions outside
   an entity are taken for every token at once; each entity they begin is
   then followed to its end, all entities advancing together.

Matrix products go through thinc's own ``gemm`` (BLIS, single-threaded), the
one spaCy uses, so the scores are spaCy's and so are the decisions
(``tests/test_ner.py`` compares them on every corpus sentence).
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
# texts predicted together: arrays that stay in the CPU caches (measured: 4k-16k equal, 143k slower)
CHUNK_CHARS = 8000


@dataclass(frozen=True)
class Maxout:
    """A Maxout layer with its layer norm. The weights are stored piece by
    piece (thinc keeps each output's pieces together) so that the max is
    taken over contiguous column blocks, not over a short last axis (numpy
    is slow at that)."""

    W_T: np.ndarray  # (nI, nP * nO): x @ W_T gives piece 0 of every output, then piece 1, ...
    b: np.ndarray  # (nP * nO,)
    width: int  # nO
    G: np.ndarray  # layer norm scale
    g_b: np.ndarray  # layer norm shift


@dataclass(frozen=True)
class Weights:
    """The parameters of the trained model, laid out for ``x @ W_T``; the
    parser's maxout pieces also piece by piece."""

    tables: tuple[tuple[np.ndarray, int], ...]  # (hash embedding table, seed) per attribute: ORTH, SHAPE
    mixer: Maxout
    encoder: tuple[Maxout, ...]
    receptive_field: int
    project_W_T: np.ndarray  # tok2vec output -> the parser's hidden width
    project_b: np.ndarray
    lower_W_T: np.ndarray  # (nI, 3 * nP * hidden): features B0, E0, B0-1, each piece by piece
    lower_b: np.ndarray  # (nP, hidden)
    lower_pad: np.ndarray  # (3, nP, hidden): the feature of a missing token
    upper_W_T: np.ndarray  # (hidden, classes)
    upper_b: np.ndarray
    seen: np.ndarray  # (classes,) bool


def _layers(model, name: str) -> list:
    return [node for node in model.walk() if node.name == name]


def _maxout(maxout, norm) -> Maxout:
    n_o, n_p, n_i = maxout.get_param("W").shape
    W = maxout.get_param("W").transpose(1, 0, 2).reshape(n_p * n_o, n_i)
    return Maxout(np.ascontiguousarray(W.T), maxout.get_param("b").T.reshape(n_p * n_o), n_o,
                  norm.get_param("G"), norm.get_param("b"))


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
    lower_W = lower.get_param("W").transpose(0, 2, 1, 3).reshape(n_f * n_p * n_o, n_i)
    unseen = model.attrs.get("unseen_classes") or set()
    n_classes = upper.get_dim("nO")
    return Weights(
        tables=tuple((e.get_param("E"), e.attrs["seed"]) for e in embeds),
        mixer=_maxout(maxouts[0], norms[0]),
        encoder=tuple(_maxout(m, n) for m, n in zip(maxouts[1:], norms[1:])),
        receptive_field=with_pad[0].attrs["pad"],
        project_W_T=np.ascontiguousarray(project.get_param("W").T), project_b=project.get_param("b"),
        lower_W_T=np.ascontiguousarray(lower_W.T),
        lower_b=np.ascontiguousarray(lower.get_param("b").T),
        lower_pad=np.ascontiguousarray(lower.get_param("pad")[0].transpose(0, 2, 1)),
        upper_W_T=np.ascontiguousarray(upper.get_param("W").T), upper_b=upper.get_param("b"),
        seen=np.array([c not in unseen for c in range(n_classes)]),
    )


@dataclass(frozen=True)
class Moves:
    """The transition classes by kind: the class number of B-, I-, L-, U-
    for each entity label (in the same order), and of O."""

    labels: tuple[str, ...]
    begin: np.ndarray
    inside: np.ndarray
    last: np.ndarray
    unit: np.ndarray
    out: int


def moves_of(nlp: Language) -> Moves:
    names = [nlp.get_pipe("ner").moves.get_class_name(i) for i in range(nlp.get_pipe("ner").moves.n_moves)]
    labels = tuple(name[2:] for name in names if name.startswith("B-"))
    number = {name: i for i, name in enumerate(names)}
    return Moves(labels, *(np.array([number[f"{m}-{label}"] for label in labels]) for m in "BILU"), number["O"])


class Lexicon:
    """A row per distinct token text: its hash embeddings (ORTH and SHAPE,
    concatenated) and whether it is whitespace. Single characters are found
    by code point; whitespace runs of several characters by text."""

    def __init__(self, nlp: Language, weights: Weights):
        self.vocab = nlp.vocab
        self.weights = weights
        width = sum(table.shape[1] for table, _ in weights.tables)
        self.embeddings = np.zeros((0, width), dtype="float32")
        self.is_space = np.zeros(0, dtype=bool)
        self.by_codepoint = np.full(MAX_CODEPOINT, -1, dtype=np.int32)
        self.by_text: dict[str, int] = {}

    def _add(self, texts: list[str]) -> np.ndarray:
        """Rows for new token texts (the vocabulary gives their ORTH and
        SHAPE ids, thinc's MurmurHash their embedding rows)."""
        lexemes = [self.vocab[text] for text in texts]
        ids = (np.array([lex.orth for lex in lexemes], dtype=np.uint64),
               np.array([lex.shape for lex in lexemes], dtype=np.uint64))
        parts = []
        for (table, seed), attr in zip(self.weights.tables, ids):
            keys = OPS.hash(attr, seed) % table.shape[0]
            # the rows summed in thinc's order (gather_add): one key after another
            vectors = np.zeros((len(texts), table.shape[1]), dtype="float32")
            for k in range(keys.shape[1]):
                vectors += table[keys[:, k]]
            parts.append(vectors)
        first = len(self.is_space)
        self.embeddings = np.concatenate([self.embeddings, np.hstack(parts)])
        self.is_space = np.concatenate([self.is_space, [text.isspace() for text in texts]])
        return np.arange(first, first + len(texts), dtype=np.int32)

    def rows_of_codepoints(self, codepoints: np.ndarray) -> np.ndarray:
        rows = self.by_codepoint[codepoints]
        missing = np.unique(codepoints[rows < 0])
        if len(missing):
            self.by_codepoint[missing] = self._add([chr(c) for c in missing])
            rows = self.by_codepoint[codepoints]
        return rows

    def row_of_text(self, text: str) -> int:
        if len(text) == 1:
            return int(self.rows_of_codepoints(np.array([ord(text)]))[0])
        if text not in self.by_text:
            self.by_text[text] = int(self._add([text])[0])
        return self.by_text[text]


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
    codepoints = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    char_rows = lexicon.rows_of_codepoints(codepoints)
    pieces, lengths, char_spans = [], [], {}
    at = 0
    for i, text in enumerate(texts):
        if WHITESPACE.search(text):
            spans = char_tokens(text)
            char_spans[i] = spans
            pieces.append(np.array([lexicon.row_of_text(text[a:b]) for a, b in spans], dtype=np.int32))
        else:
            pieces.append(char_rows[at:at + len(text)])
        lengths.append(len(pieces[-1]))
        at += len(text)
    doc_length = np.array(lengths, dtype=np.int64)
    doc_start = np.concatenate([[0], np.cumsum(doc_length)[:-1]]).astype(np.int64)
    rows = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    return Batch(rows, doc_start, doc_length, char_spans)


def _max_of_pieces(y: np.ndarray, width: int) -> np.ndarray:
    """Maxout: the largest of the pieces, which sit side by side in blocks
    of ``width`` columns."""
    best = y[..., :width]
    for at in range(width, y.shape[-1], width):
        best = np.maximum(best, y[..., at:at + width])
    return best


def _maxout_norm(layer: Maxout, x: np.ndarray) -> np.ndarray:
    """thinc's Maxout(normalize=True): affine, max of the pieces, layer norm
    (variance plus 1e-8, as thinc has it). Means as a product with a column
    of 1/width: numpy's row reductions over 32 columns are far slower."""
    y = x @ layer.W_T
    y += layer.b
    h = _max_of_pieces(y, layer.width)
    average = np.full((layer.width, 1), 1.0 / layer.width, dtype=h.dtype)
    h -= h @ average
    scale = (h * h) @ average
    scale += 1e-08
    np.sqrt(scale, out=scale)
    h /= scale
    h *= layer.G
    h += layer.g_b
    return h


def _window(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Each row beside its neighbours (thinc's seq2col, window 1), zeros
    past either end; ``out`` is reused from layer to layer."""
    w = x.shape[1]
    out[0, :w] = 0
    out[1:, :w] = x[:-1]
    out[:, w:2 * w] = x
    out[:-1, 2 * w:] = x[1:]
    out[-1, 2 * w:] = 0
    return out


def token_vectors(weights: Weights, lexicon: Lexicon, batch: Batch) -> np.ndarray:
    """The tok2vec output, one row per token (projected to the parser's
    hidden width)."""
    mixed = _maxout_norm(weights.mixer, lexicon.embeddings[batch.rows])
    # thinc's with_array(pad=receptive field): each text after `pad` zero rows, and `pad` more at the end
    pad = weights.receptive_field
    n_docs = len(batch.doc_length)
    where = np.arange(len(batch.rows)) + pad * (1 + np.repeat(np.arange(n_docs), batch.doc_length))
    x = np.zeros((len(batch.rows) + pad * (n_docs + 1), mixed.shape[1]), dtype="float32")
    x[where] = mixed
    cols = np.empty((len(x), 3 * x.shape[1]), dtype="float32")
    for layer in weights.encoder:
        x += _maxout_norm(layer, _window(x, cols))
    y = x[where] @ weights.project_W_T
    y += weights.project_b
    return y


def _scores(weights: Weights, pre: np.ndarray) -> np.ndarray:
    """Class scores from the summed lower-layer features (bias not yet
    added), as spaCy's predict_states computes them: the unseen classes get
    the lowest score."""
    pre = pre + weights.lower_b
    hidden = np.maximum(pre[:, 0], pre[:, 1]) if pre.shape[1] == 2 else pre.max(axis=1)
    scores = hidden @ weights.upper_W_T
    scores += weights.upper_b
    if not weights.seen.all():
        scores[:, ~weights.seen] = scores.min()
    return scores


@dataclass
class Entities:
    """Token spans found in a batch: first and last token, label number."""

    start: np.ndarray
    last: np.ndarray
    label: np.ndarray


def decode(weights: Weights, moves: Moves, lexicon: Lexicon, batch: Batch, vectors: np.ndarray) -> Entities:
    """Greedy BILUO decoding, as spaCy's NER does it, batch-wide."""
    n = len(vectors)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Entities(empty, empty, empty)
    n_pieces, n_hidden = weights.lower_b.shape
    features = (vectors @ weights.lower_W_T).reshape(n, 3, n_pieces, n_hidden)
    doc_last = np.repeat(batch.doc_start + batch.doc_length - 1, batch.doc_length)
    is_last = np.arange(n) == doc_last
    is_space = lexicon.is_space[batch.rows]

    # outside an entity: features B0 only (E0 and B0-1 are the padding)
    outside = _scores(weights, features[:, 0] + weights.lower_pad[1] + weights.lower_pad[2])
    valid = np.zeros(outside.shape, dtype=bool)
    valid[:, moves.begin] = (~is_last & ~is_space)[:, None]
    valid[:, moves.unit] = ~is_space[:, None]
    valid[:, moves.out] = True
    action = np.where(valid, outside, -np.inf).argmax(axis=1)
    begins = np.flatnonzero(np.isin(action, moves.begin))
    units = np.flatnonzero(np.isin(action, moves.unit))
    label_of = np.full(outside.shape[1], -1)
    label_of[moves.begin] = label_of[moves.unit] = np.arange(len(moves.labels))

    ends = _entity_ends(weights, moves, features, begins, label_of[action[begins]], is_last)
    return _resolve(begins, ends, units, label_of[action])


def _entity_ends(weights: Weights, moves: Moves, features: np.ndarray, begins: np.ndarray,
                 labels: np.ndarray, is_last: np.ndarray) -> np.ndarray:
    """The last token of the entity each B- opens: inside an entity the only
    valid moves are I- (not on a text's last token) and L- of its label; all
    open entities advance one token per round."""
    ends = np.full(len(begins), -1)
    active = np.arange(len(begins))
    position = begins + 1
    while len(active):
        start = begins[active]
        # features: B0, E0 (the entity's first token), B0-1
        scores = _scores(weights, features[position, 0] + features[start, 1] + features[position - 1, 2])
        rows = np.arange(len(active))
        label = labels[active]
        # I- wins a tie: spaCy takes the first best valid class, and every I- comes before every L-
        go_on = ~is_last[position] & (scores[rows, moves.inside[label]] >= scores[rows, moves.last[label]])
        ends[active[~go_on]] = position[~go_on]
        active, position = active[go_on], position[go_on] + 1
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

    def _char_spans(self, texts, batch: Batch, found: Entities) -> list[list[tuple[int, int, str]]]:
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        doc = np.searchsorted(batch.doc_start, found.start, side="right") - 1
        first = found.start - batch.doc_start[doc]
        last = found.last - batch.doc_start[doc]
        for d, a, b, label in zip(doc.tolist(), first.tolist(), last.tolist(), found.label.tolist()):
            spans = batch.char_spans.get(d)
            start, end = (spans[a][0], spans[b][1]) if spans else (a, b + 1)
            out[d].append((start, end, self.moves.labels[label]))
        return out
