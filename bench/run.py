"""``make bench``: throughput and memory, in one run.

Builds (once; the same bytes every time) a corpus of 2,000 articles from the
project's own texts (bench/corpus.py) and ten times as many for the memory
test, under bench/work/ (not committed). Then, each in a process of its own
(bench/measure.py), with every model loaded before the clock starts:

  a  our pipeline, one process (`python -m pipeline extract`)
  b  jieba.cut alone over the same texts
  c  JioNLP extract_money + extract_time over the same texts
  d  our pipeline with --jobs 2

and prints characters per second, the ratios a/b, a/c, d/a against their
targets, the peak memory of a run over 1x and 10x the corpus, and where the
time goes (a stage table, and a pyinstrument profile in bench/work/).
Benchmarks print; they never fail anything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.corpus import SEED, build

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
TARGETS = {"a/b": 0.5, "a/c": 5.0, "d/a": 1.7}
RSS_TARGET = 1.2  # peak memory at 10x within this factor of 1x


def corpus(articles: int, seed: int = SEED) -> Path:
    """The corpus of ``articles`` articles, built unless already there."""
    folder = WORK / f"corpus-{articles}-{seed}"
    stamp = folder / ".complete"
    if not stamp.exists():
        print(f"building {articles} articles in {folder.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        chars = build(folder, articles, seed)
        stamp.write_text(str(chars), encoding="utf-8")
    return folder


def measure(*args: object) -> dict:
    """Run one bench/measure.py measurement in a child process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "bench.measure", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"measurement {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_mb(result: dict) -> float:
    return max(result["rss_kib"], result["children_rss_kib"]) / 1024


def rate(result: dict) -> float:
    return result["chars"] / result["wall"]


def report(name: str, result: dict) -> None:
    cpu = f"  (CPU {result['chars'] / result['cpu']:>9,.0f} chars/s)" if result.get("cpu") else ""
    print(f"  {name:<44} {rate(result):>9,.0f} chars/s{cpu}   {result['chars']:,} chars in {result['wall']:.1f} s",
          flush=True)


def verdict(value: float, target: float) -> str:
    return "meets" if value >= target else "misses"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles in the corpus (default %(default)s)")
    parser.add_argument("--scale", type=int, default=10, help="the memory test's larger corpus, in corpora (default %(default)s)")
    parser.add_argument("--profile-articles", type=int, default=300)
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    one = corpus(args.articles)
    big = corpus(args.articles * args.scale)
    print(f"corpus: {args.articles} articles, {one.relative_to(ROOT)}; memory test: {args.articles * args.scale} articles",
          flush=True)
    print("throughput (wall clock, models loaded before the clock starts):", flush=True)
    a = measure("pipeline", one, WORK / "facts-1job.jsonl", 1)
    report("a  pipeline, 1 process", a)
    b = measure("jieba", one)
    report("b  jieba.cut alone", b)
    c = measure("jionlp", one)
    report("c  JioNLP extract_money + extract_time", c)
    d = measure("pipeline", one, WORK / "facts-2jobs.jsonl", 2)
    report("d  pipeline, --jobs 2", d)
    same = (WORK / "facts-1job.jsonl").read_bytes() == (WORK / "facts-2jobs.jsonl").read_bytes()
    print(f"  facts: {a['facts']:,} (1 process) and {d['facts']:,} (2 jobs): {'identical' if same else 'DIFFERENT'} output")
    ratios = {"a/b": rate(a) / rate(b), "a/c": rate(a) / rate(c), "d/a": rate(d) / rate(a)}
    print("ratios:")
    for name, value in ratios.items():
        print(f"  {name} = {value:6.2f}   target >= {TARGETS[name]}: {verdict(value, TARGETS[name])}")
    print(f"  on {os.cpu_count()} cores; load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          "(other work on the machine lowers every figure)")
    # the memory runs use --jobs 2 (run d is the 1x one): the 10x run takes half the time,
    # and the figure is the peak of the largest process, parent or worker
    print(f"peak memory (RSS of the largest process, --jobs 2), 1x and {args.scale}x the corpus:", flush=True)
    big_run = measure("pipeline", big, WORK / f"facts-{args.scale}x.jsonl", 2)
    rss1, rssn = peak_mb(d), peak_mb(big_run)
    print(f"  1x: {rss1:,.0f} MB   {args.scale}x: {rssn:,.0f} MB   ratio {rssn / rss1:.2f}   "
          f"target <= {RSS_TARGET}: {'meets' if rssn / rss1 <= RSS_TARGET else 'misses'}")
    report(f"   ({args.scale}x run, --jobs 2)", big_run)
    print("where the time goes (CPU seconds per stage, first "
          f"{args.profile_articles} articles):", flush=True)
    st = measure("stages", one, args.profile_articles)
    total = sum(st["stages"].values())
    for name, seconds in sorted(st["stages"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:<34} {seconds:7.2f} s  {seconds / total:6.1%}")
    out = WORK / "profile.txt"
    measure("profile", one, args.profile_articles, out)
    print(f"  pyinstrument profile: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
