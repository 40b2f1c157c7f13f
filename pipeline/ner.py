"""The statistical half of company recognition: a small spaCy NER model.

Trained on ``corpora/companies/train.jsonl`` only (never on ``heldout``), on
normalised text (OpenCC t2s, half-width), so offsets are those of the
sentence. Labels: ORG (a company), PER, GPE, ORG_GOV (a government body or
regulator), MKT (a market taken as a subject).

Tokens are single characters (spaCy ``zh``'s ``char`` segmenter): an entity
always aligns with tokens, and the model does not depend on jieba's global
user dictionary. A small component before ``ner`` writes each character's
neighbours into token attributes, so the hash embeddings see character
bigrams as well as characters.

``python -m pipeline.ner train`` (``make train``) rebuilds
``pipeline/models/ner`` from the corpus; with the fixed seed the result is the
same on every run. :func:`predict` loads the committed model (cached); nothing
is ever downloaded.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from .normalize import normalize

MODEL_DIR = Path(__file__).parent / "models" / "ner"
CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "companies" / "train.jsonl"
LABELS = ("ORG", "PER", "GPE", "ORG_GOV", "MKT")


@dataclass(frozen=True)
class Settings:
    """Everything that decides the trained weights."""

    seed: int = 0
    epochs: int = 20
    batch_size: int = 8
    dropout: float = 0.2
    learn_rate: float = 0.001
    width: int = 64
    depth: int = 4
    window_size: int = 1
    hidden_width: int = 64
    attrs: tuple[str, ...] = ("ORTH", "NORM", "LEMMA", "TAG", "SHAPE")
    rows: tuple[int, ...] = (3000, 3000, 3000, 3000, 200)
    words: bool = True  # jieba word features (see CharContext)
    # copies of each training sentence with its company names swapped for
    # other names from the training set (context, not names, makes a company)
    swaps: int = 2
    extra: dict = field(default_factory=dict)


class CharContext:
    """Token attributes for the hash embeddings of a character: ``lemma`` is
    the character with the one before it, ``tag`` with the one after it, and
    (with ``words``) ``norm`` is the word jieba puts it in, with its position
    in that word (B, M, E, S). The words come from a private jieba tokenizer
    with jieba's own dictionary, not the pipeline's global one, so the user
    dictionary (our company names) never changes what the model sees."""

    def __init__(self, words: bool) -> None:
        self.words = words

    def __call__(self, doc: Doc) -> Doc:
        chars = [t.text for t in doc]
        words = _word_features(doc.text) if self.words else None
        for i, token in enumerate(doc):
            before = chars[i - 1] if i > 0 else "^"
            after = chars[i + 1] if i + 1 < len(chars) else "$"
            token.lemma_ = before + chars[i]
            token.tag_ = chars[i] + after
            if words is not None:
                token.norm_ = words[token.idx]
        return doc


@Language.factory("finfacts_char_context", default_config={"words": True},
                  assigns=["token.lemma", "token.tag", "token.norm"])
def make_char_context(nlp: Language, name: str, words: bool) -> CharContext:
    return CharContext(words)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    return jieba.Tokenizer()


def _word_features(text: str) -> list[str]:
    """For each character of ``text``: its jieba word and position (B M E S)."""
    out = []
    for word in _jieba().cut(text, HMM=True):
        n = len(word)
        if n == 1:
            out.append(f"{word}|S")
        else:
            out.extend(f"{word}|{'B' if i == 0 else 'E' if i == n - 1 else 'M'}" for i in range(n))
    return out


def _ner_config(s: Settings) -> dict:
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": s.hidden_width,
            "maxout_pieces": 2,
            "use_upper": True,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": s.width,
                    "attrs": list(s.attrs),
                    "rows": list(s.rows),
                    "include_static_vectors": False,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": s.width,
                    "depth": s.depth,
                    "window_size": s.window_size,
                    "maxout_pieces": 3,
                },
            },
        }
    }


def blank(settings: Settings) -> Language:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    nlp.add_pipe("finfacts_char_context", config={"words": settings.words})
    ner = nlp.add_pipe("ner", config=_ner_config(settings))
    for label in LABELS:
        ner.add_label(label)
    return nlp


def load_rows(path: Path = CORPUS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def normalised_rows(rows: list[dict]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(normalised text, entities) pairs; normalisation keeps the length."""
    out = []
    for row in rows:
        text = normalize(row["text"]).text
        assert len(text) == len(row["text"]), row["id"]
        out.append((text, [(e["start"], e["end"], e["label"]) for e in row["entities"]]))
    return out


def swapped(data: list[tuple[str, list]], copies: int, rng: random.Random) -> list[tuple[str, list]]:
    """Each sentence with companies again, ``copies`` times, with every
    company name replaced by another company name of the training set."""
    names = sorted({text[a:b] for text, ents in data for a, b, label in ents if label == "ORG"})
    out = []
    for text, ents in data:
        if not any(label == "ORG" for _, _, label in ents):
            continue
        for _ in range(copies):
            pieces, new_ents, pos, shift = [], [], 0, 0
            for a, b, label in sorted(ents):
                name = rng.choice(names) if label == "ORG" else text[a:b]
                pieces.append(text[pos:a])
                start = a + shift
                pieces.append(name)
                new_ents.append((start, start + len(name), label))
                shift += len(name) - (b - a)
                pos = b
            pieces.append(text[pos:])
            out.append(("".join(pieces), new_ents))
    return out


def _example(nlp: Language, text: str, ents: list[tuple[int, int, str]]) -> Example:
    doc = nlp.make_doc(text)
    spans = [doc.char_span(a, b, label=label, alignment_mode="expand") for a, b, label in ents]
    return Example.from_dict(doc, {"entities": [(s.start_char, s.end_char, s.label_) for s in spans if s is not None]})


def fit(rows: list[dict], settings: Settings = Settings(), log=None) -> Language:
    """A trained pipeline from annotated rows (the corpus format)."""
    spacy.util.fix_random_seed(settings.seed)
    rng = random.Random(settings.seed)
    nlp = blank(settings)
    data = normalised_rows(rows)
    train_data = data + swapped(data, settings.swaps, rng)
    examples = [_example(nlp, text, ents) for text, ents in train_data]
    features = nlp.get_pipe("finfacts_char_context")
    for ex in examples:  # the features component runs before ner, as at prediction
        features(ex.predicted)
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = settings.learn_rate
    for epoch in range(settings.epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for i in range(0, len(examples), settings.batch_size):
            batch = examples[i : i + settings.batch_size]
            nlp.update(batch, drop=settings.dropout, sgd=optimizer, losses=losses)
        if log:
            log(f"epoch {epoch + 1:2d}  loss {losses.get('ner', 0.0):8.2f}")
    return nlp


def train(out_dir: Path | str = MODEL_DIR, settings: Settings = Settings(), corpus: Path = CORPUS, log=print) -> Path:
    """Train on ``corpus`` and save to ``out_dir``."""
    began = time.perf_counter()
    nlp = fit(load_rows(corpus), settings, log)
    out = Path(out_dir)
    nlp.meta["name"] = "finfacts_ner"
    nlp.meta["version"] = "0.1.0"
    nlp.meta["description"] = "Company, person, place, government-body and market mentions in normalised Chinese financial news"
    nlp.meta["sources"] = [{"name": str(corpus.name), "settings": asdict(settings)}]
    nlp.to_disk(out)
    if log:
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        log(f"saved {out} ({size / 1e6:.2f} MB) in {time.perf_counter() - began:.1f} s")
    return out


@lru_cache(maxsize=1)
def load(path: Path | str = MODEL_DIR) -> Language:
    """The committed model, loaded once. Raises if it is missing."""
    return spacy.load(Path(path))


def predict(text: str, nlp: Language | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) of every entity in normalised ``text``."""
    doc = (nlp or load())(text)
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.ner", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train on corpora/companies/train.jsonl and save the model")
    t.add_argument("--out", default=str(MODEL_DIR), help=f"output folder (default {MODEL_DIR})")
    t.add_argument("--epochs", type=int, default=Settings.epochs)
    t.add_argument("--seed", type=int, default=Settings.seed)
    p = sub.add_parser("predict", help="print the entities of a text")
    p.add_argument("text")
    args = parser.parse_args(argv)
    if args.command == "train":
        train(args.out, Settings(seed=args.seed, epochs=args.epochs))
    else:
        text = normalize(args.text).text
        for a, b, label in predict(text):
            print(f"[{a}:{b}] {text[a:b]} {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
