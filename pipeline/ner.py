"""The statistical half of company recognition: a small spaCy NER model.

Trained on ``corpora/companies/train.jsonl`` only (never on ``heldout``), on
normalised text (OpenCC t2s, half-width), so offsets are those of the
sentence. Labels: ORG (a company), PER, GPE, ORG_GOV (a government body or
regulator), MKT (a market taken as a subject).

Tokens are single characters (spaCy ``zh``'s ``char`` segmenter): an entity
always aligns with tokens, and the model does not depend on jieba's global
user dictionary. The embeddings see each character and its shape; a CNN of
four window layers sees four characters either side. Measured by 4-fold
cross-validation on the training set (recall of the names a fold never saw):
character bigrams as extra features (0.64) and jieba's words (0.50) did worse
than characters alone (0.69), two layers instead of four too (0.48); width 32
does as well as 64 (0.68) at half the prediction time.

``python -m pipeline.ner train`` (``make train``) rebuilds
``pipeline/models/ner`` from the corpus; with the fixed seed the result is the
same on every run. :func:`predict` loads the committed model (cached); nothing
is ever downloaded. Prediction does not go through spaCy's ``nlp.pipe`` but
through :mod:`pipeline.ner_numpy`, the same weights and the same entities in
a few large numpy operations (about ten times faster; ``bench/ner_speed.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example

from .ner_numpy import Recognizer
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
    width: int = 32
    depth: int = 4
    window_size: int = 1
    hidden_width: int = 32
    attrs: tuple[str, ...] = ("ORTH", "SHAPE")
    rows: tuple[int, ...] = (3000, 200)


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
    examples = [_example(nlp, text, ents) for text, ents in data]
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
    out.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "finfacts_ner"
    nlp.meta["version"] = "0.1.0"
    nlp.meta["description"] = "Company, person, place, government-body and market mentions in normalised Chinese financial news"
    nlp.meta["sources"] = [corpus_source(corpus) | {"settings": asdict(settings)}]
    nlp.to_disk(out)
    if log:
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        log(f"saved {out} ({size / 1e6:.2f} MB) in {time.perf_counter() - began:.1f} s")
    return out


def corpus_source(corpus: Path = CORPUS) -> dict:
    """What the model was trained on, for its meta.json (a test compares it
    with the corpus, so a changed corpus without ``make train`` fails)."""
    data = corpus.read_bytes()
    return {"name": f"corpora/companies/{corpus.name}", "sha256": hashlib.sha256(data).hexdigest(),
            "rows": sum(1 for line in data.splitlines() if line.strip())}


@lru_cache(maxsize=1)
def load(path: Path | str = MODEL_DIR) -> Language:
    """The committed model, loaded once. Raises if it is missing."""
    return spacy.load(Path(path))


def predict(text: str, nlp: Language | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) of every entity in normalised ``text``."""
    return predict_many([text], nlp)[0]


def predict_many(texts: list[str], nlp: Language | None = None) -> list[list[tuple[int, int, str]]]:
    """:func:`predict` for many texts at once (batched: faster). The model's
    own weights in numpy (:mod:`pipeline.ner_numpy`), some ten times faster
    than spaCy's ``nlp.pipe`` and the same entities."""
    return (recognizer() if nlp is None else Recognizer(nlp)).predict_many(texts)


@lru_cache(maxsize=1)
def recognizer(path: Path | str = MODEL_DIR) -> Recognizer:
    """The committed model's weights ready for :func:`predict_many`."""
    return Recognizer(load(path))


def spacy_predict_many(texts: list[str], nlp: Language | None = None) -> list[list[tuple[int, int, str]]]:
    """:func:`predict_many` by spaCy itself (``nlp.pipe``): the reference the
    numpy prediction is tested against."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in (nlp or load()).pipe(texts)]


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
