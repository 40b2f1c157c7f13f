"""Characters per second of the company NER model alone, on the sentences
the pipeline gives it: those of a bench corpus (``make bench`` builds
``bench/work/corpus-*``) that ``company_context.model_sentences`` selects.

    .venv/bin/python bench/ner_speed.py [CORPUS] [--repeat 5] [--spacy]

Times ``ner.predict_many`` over all sentences at once and article by article
(as ``company_context.model_spans`` calls it), best of ``--repeat`` runs,
wall clock and CPU time (the steadier figure on a shared machine).
``--spacy`` also times spaCy's own ``nlp.pipe`` on the same sentences and
checks that both give the same entities. Ends with the CPU time of each
stage of ``pipeline.ner_numpy`` (all sentences at once).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import articles  # noqa: E402
from pipeline import company_context, ner, ner_numpy  # noqa: E402
from pipeline.companies import knowledge_base  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402

WORK = Path(__file__).resolve().parent / "work"


def model_sentences(folder: Path) -> list[list[str]]:
    """Per article, the sentences that go to the model."""
    out = []
    for article in articles(str(folder)):
        text = normalize(article.text).text
        known = [(start, end) for start, end, _ in knowledge_base().find_all(text)]
        out.append([m.group() for m in company_context.model_sentences(text, known)])
    return out


def best_time(run, repeat: int) -> tuple[float, float]:
    """The shortest wall and CPU time of ``repeat`` runs (CPU time is the
    steadier figure on a shared machine)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        run()
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    return wall, cpu


def stage_times(sentences: list[str], repeat: int) -> dict[str, float]:
    """CPU seconds per stage of the numpy prediction, best of ``repeat``,
    chunk by chunk as ``Recognizer.predict_many`` runs them."""
    recognizer = ner.recognizer()
    weights, lexicon, moves = recognizer.weights, recognizer.lexicon, recognizer.moves
    chunks = list(ner_numpy._chunks(sentences, ner_numpy.CHUNK_CHARS))
    best = dict.fromkeys(["tokens", "CNN (tok2vec)", "transitions", "char offsets"], float("inf"))

    def timed(name, results):
        began = time.process_time()
        results = list(results)
        best[name] = min(best[name], time.process_time() - began)
        return results

    with ner_numpy._blas().limit(limits=1, user_api="blas"):
        for _ in range(repeat):
            batches = timed("tokens", (ner_numpy.tokenize(chunk, lexicon) for chunk in chunks))
            vectors = timed("CNN (tok2vec)", (ner_numpy.token_vectors(weights, lexicon, b) for b in batches))
            found = timed("transitions", (ner_numpy.decode(weights, moves, lexicon, b, v)
                                          for b, v in zip(batches, vectors)))
            timed("char offsets", (recognizer._char_spans(c, b, f) for c, b, f in zip(chunks, batches, found)))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", help="a folder of articles (default: the smallest bench/work/corpus-*)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--spacy", action="store_true", help="also time spaCy's nlp.pipe and compare")
    args = parser.parse_args(argv)
    corpora = sorted(WORK.glob("corpus-*"), key=lambda p: int(p.name.split("-")[1]))
    folder = Path(args.corpus) if args.corpus else (corpora[0] if corpora else None)
    if folder is None or not folder.exists():
        print("no corpus: run `make bench` (or python -m bench.run) first, or name a folder")
        return 1
    per_article = model_sentences(folder)
    sentences = [s for group in per_article for s in group]
    chars = sum(map(len, sentences))
    print(f"{folder.name}: {len(sentences)} sentences, {chars} characters to the model")
    ner.predict_many(sentences[:20])  # load the model and warm up
    found = ner.predict_many(sentences)
    runs = {"all at once": lambda: ner.predict_many(sentences),
            "by article": lambda: [ner.predict_many(group) for group in per_article]}
    if args.spacy:
        runs["spaCy nlp.pipe"] = lambda: ner.spacy_predict_many(sentences)
    for name, run in runs.items():
        wall, cpu = best_time(run, args.repeat)
        print(f"  {name:<15} wall {wall:6.3f} s {chars / wall:9,.0f} chars/s   cpu {cpu:6.3f} s {chars / cpu:9,.0f} chars/s")
    if args.spacy:
        same = ner.spacy_predict_many(sentences) == found
        print(f"  same entities as spaCy: {same}")
    print("where the time goes (CPU, all at once):")
    for name, seconds in stage_times(sentences, args.repeat).items():
        print(f"  {name:<15} {seconds:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
