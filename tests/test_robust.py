"""Bad input never costs the batch: each bad file or line gets one error line
naming it (and the line), the good inputs in the same run are written, the
exit code is 1. Interrupted runs leave the previous output; --resume keeps
what is there."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import io as pio
from pipeline.cli import main
from pipeline.io import read_inputs
from schemas import Fact

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "台積電第三季合併營收新台幣9899.2億元，季增6%、年增30.3%。"
GOOD = "---\nid: good\ndate: 2025-10-16\n---\n" + ARTICLE
MB = 2**20


def _bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "---\n" + "\n".join(lines) + "\n---\n" + ARTICLE


# name, bytes, the message after "name: " (":line: " for JSON Lines)
BAD_FILES = [
    ("binary.txt", b"\x00\x01\x02PK\x03\x04", "binary file (NUL bytes), not text"),
    ("empty.txt", b"", "empty file"),
    ("blank.md", b" \n\t\r\n\xe3\x80\x80\n", "empty file"),
    ("bom_only.txt", b"\xef\xbb\xbf", "empty file"),
    ("garbage.txt", bytes([0xFF, 0xFE, 0xFA, 0x81, 0x30, 0xFF]) * 3, "encoding not detected"),
    ("not_yaml.txt", b"---\nid: [unclosed\n---\n" + ARTICLE.encode(), "front matter is not valid YAML"),
    ("scalar_front.txt", ("---\njust a string\n---\n" + ARTICLE).encode(), "front matter must be a mapping"),
    ("list_id.txt", ("---\nid: [a, b]\n---\n" + ARTICLE).encode(), "id must be a string, got a list"),
    ("dict_title.txt", ("---\ntitle: {a: 1}\n---\n" + ARTICLE).encode(), "title must be a string, got a mapping"),
    ("bad_date.txt", ("---\ndate: 2025-13-45\n---\n" + ARTICLE).encode(), "date '2025-13-45' is not a valid YYYY-MM-DD date"),
    ("list_date.txt", ("---\ndate: [2025]\n---\n" + ARTICLE).encode(), "date must be a YYYY-MM-DD string, got list"),
    ("empty_id.txt", ("---\nid: ''\n---\n" + ARTICLE).encode(), "id is empty"),
    ("bomb.txt", _bomb().encode(), "front matter uses YAML aliases (*name), which are not allowed"),
    ("deep.txt", ("---\na: " + "[" * 30000 + "]" * 30000 + "\n---\n" + ARTICLE).encode(), "front matter is nested too deeply"),
    ("unclosed.txt", ("---\nid: x\n" + ARTICLE).encode(), "front matter opened with --- but never closed"),
    ("front_only.txt", b"---\nid: lonely\n---\n", "empty article (no text after the front matter)"),
    ("long_front.txt", ("---\ntitle: " + "x" * 70000 + "\n---\n" + ARTICLE).encode(), "front matter longer than 64 KB"),
]


@pytest.mark.parametrize("name,data,message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_named_and_the_batch_goes_on(tmp_path, capsys, name, data, message):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(tmp_path), "-o", str(out)]) == 1
    assert {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()} == {"good"}
    err = capsys.readouterr().err
    assert f"error: {tmp_path / name}: {message}" in err
    assert "Traceback" not in err


BAD_LINES = [
    ("{not json", "malformed JSON: Expecting property name enclosed in double quotes (column 2)"),
    ("[1, 2]", "each line must be a JSON object"),
    ('"just a string"', "each line must be a JSON object"),
    (json.dumps({"id": "no-text"}), "missing or non-string 'text'"),
    (json.dumps({"id": "num-text", "text": 12}), "missing or non-string 'text'"),
    (json.dumps({"id": ["x"], "text": ARTICLE}), "'id' must be a string, got a list"),
    (json.dumps({"id": True, "text": ARTICLE}), "'id' must be a string, got a boolean"),
    (json.dumps({"id": 1.5, "text": ARTICLE}), "'id' must be a string, got a number"),
    (json.dumps({"id": "blank", "text": "  \n "}), "empty 'text'"),
    (json.dumps({"id": "when", "text": ARTICLE, "date": "2025-02-30"}), "date '2025-02-30' is not a valid YYYY-MM-DD date"),
    ('{"id": "surrogate", "text": "\\ud800 营收5亿元"}', "text holds a lone surrogate (U+D800 at character 0), not valid Unicode"),
    ("[" * 100000 + "]" * 100000, "malformed JSON: nested too deeply"),
    (json.dumps({"id": "ok", "text": ARTICLE}, ensure_ascii=False), "duplicate id 'ok' (first in"),
]


def test_bad_jsonl_lines_are_named_with_their_line(tmp_path, capsys):
    src = tmp_path / "batch.jsonl"
    lines = [json.dumps({"id": "ok", "text": ARTICLE, "date": "2025-10-16"}, ensure_ascii=False)]
    lines += [line for line, _ in BAD_LINES]
    lines.insert(3, "")  # blank lines are skipped, and still counted
    lines.append(json.dumps({"id": 7, "text": ARTICLE}, ensure_ascii=False))  # a number id is fine
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, errors = tmp_path / "o.jsonl", tmp_path / "errors.jsonl"
    assert main(["extract", str(src), "-o", str(out), "--errors", str(errors)]) == 1
    assert {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()} == {"ok", "7"}
    err = capsys.readouterr().err
    numbers = [n for n in range(2, len(lines) + 1) if n != 4][:len(BAD_LINES)]
    for number, (_, message) in zip(numbers, BAD_LINES):
        assert f"error: {src}:{number}: {message}" in err, (number, message)
    written = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [(e["path"], e["line"]) for e in written] == [(str(src), n) for n in numbers]
    assert all(e["error"] for e in written)


def test_a_line_in_another_encoding_is_read_in_its_own(tmp_path):
    src = tmp_path / "mixed.jsonl"
    utf8 = json.dumps({"id": "u", "text": ARTICLE}, ensure_ascii=False).encode("utf-8")
    big5 = json.dumps({"id": "b", "text": ARTICLE}, ensure_ascii=False).encode("big5")
    src.write_bytes(utf8 + b"\n" + big5 + b"\n" + b'{"id": "x", "text": "\xff\xff\xff"}\n')
    items = list(read_inputs([str(src)]))
    assert [getattr(i, "id", None) for i in items[:2]] == ["u", "b"]
    assert items[1].text == ARTICLE and items[1].encoding == "big5"
    assert str(items[2]) == f"{src}:3: line is not text: encoding not detected (not UTF-8, GB18030 or Big5)"


def test_utf16_with_byte_order_mark_is_read(tmp_path):
    (tmp_path / "u16.txt").write_bytes(("---\nid: u16\n---\n" + ARTICLE).encode("utf-16"))
    (tmp_path / "u16.jsonl").write_bytes((json.dumps({"id": "j16", "text": ARTICLE}) + "\n").encode("utf-16"))
    items = list(read_inputs([str(tmp_path)]))
    assert [(i.id, i.encoding, i.text) for i in items] == [("j16", "utf-16", ARTICLE), ("u16", "utf-16", ARTICLE)]


def test_missing_paths_loops_pipes_and_unreadable_inputs(tmp_path, capsys, monkeypatch):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    # tests run as root, who reads anything: deny the way the OS would
    real_scandir, real_open = os.scandir, open

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def fake_open(path, *args, **kwargs):
        if Path(path).name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(pio.os, "scandir", scandir)
    monkeypatch.setattr(pio, "open", fake_open, raising=False)
    out = tmp_path / "o.jsonl"
    code = main(["extract", str(tmp_path), str(tmp_path / "nope.txt"), str(tmp_path / "self.txt"), "-o", str(out)])
    assert code == 1
    assert {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()} == {"good"}
    err = capsys.readouterr().err
    for line in [f"{tmp_path / 'nope.txt'}: no such file or directory",
                 f"{tmp_path / 'self.txt'}: symlink loop (too many levels of symbolic links)",
                 f"{tmp_path / 'self.txt'}: cannot read: symlink loop",
                 f"{tmp_path / 'dangling.txt'}: cannot read: no such file or directory",
                 f"{tmp_path / 'pipe.txt'}: not a regular file (a device, pipe or socket)",
                 f"{tmp_path / 'locked'}: cannot read folder: permission denied",
                 f"{tmp_path / 'secret.txt'}: cannot read: permission denied"]:
        assert f"error: {line}" in err, line


def test_an_article_id_met_twice_in_a_batch_is_an_error(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b" / "same.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(tmp_path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'b' / 'same.txt'}: duplicate id 'same' (first in {tmp_path / 'a' / 'same.txt'})" in err
    assert {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()} == {"same"}


def test_a_50_mb_file_is_refused_unread_and_the_batch_goes_on(tmp_path):
    """Measured in a child process: its peak memory stays where a run without
    the big file has it (the file is never read), and the good file is written."""
    small = tmp_path / "small"
    small.mkdir()
    (small / "good.txt").write_text(GOOD, encoding="utf-8")
    big = tmp_path / "big"
    big.mkdir()
    (big / "good.txt").write_text(GOOD, encoding="utf-8")
    paragraph = ("宁德时代第三季度营业收入1041.86亿元，同比增长12.9%。\n\n" * 40).encode("utf-8")
    with open(big / "huge.txt", "wb") as handle:
        for _ in range(50 * MB // len(paragraph) + 1):
            handle.write(paragraph)
    assert (big / "huge.txt").stat().st_size > 50 * MB
    (big / "huge.jsonl").write_bytes(b'{"id": "long", "text": "' + b"x" * (12 * MB) + b'"}\n'
                                     + json.dumps({"id": "after", "text": ARTICLE}).encode() + b"\n")
    peaks = {}
    for name, folder in (("small", small), ("big", big)):
        out = tmp_path / f"{name}.jsonl"
        proc = subprocess.run([sys.executable, "-c", _PEAK, str(folder), str(out)], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == (1 if name == "big" else 0), proc.stderr
        peaks[name] = int(proc.stdout.split()[-1])
        docs = {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()}
        assert docs == ({"good", "after"} if name == "big" else {"good"})
    assert f"{big / 'huge.txt'}: file too large: 50 MB, more than the 10 MB an article may have" in proc.stderr
    assert f"{big / 'huge.jsonl'}:1: line longer than 10 MB (see --max-article-mb)" in proc.stderr
    assert peaks["big"] < peaks["small"] + 20 * 1024  # KiB: neither the file nor the long line was held


_PEAK = """
import resource, sys
from pipeline.cli import main
code = main(["extract", sys.argv[1], "-o", sys.argv[2], "-q"])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def test_max_article_mb_raises_or_lowers_the_limit(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(GOOD + "\n" + " " * 150_000, encoding="utf-8")  # about 0.15 MB
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(tmp_path), "-o", str(out), "--max-article-mb", "0.1"]) == 1
    assert "file too large: 0.143 MB, more than the 0.1 MB an article may have" in capsys.readouterr().err
    assert main(["extract", str(tmp_path), "-o", str(out), "--max-article-mb", "0.2", "-q"]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 3
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(tmp_path), "--max-article-mb", "0"])
    assert exc.value.code == 2


# -- interrupted runs --------------------------------------------------------

def _slow_batch(folder: Path, copies: int = 400) -> None:
    """Enough articles for a run of several seconds."""
    folder.mkdir()
    body = (ROOT / "corpora" / "articles" / "tw_tsmc_2025q3.txt").read_text(encoding="utf-8").split("---\n", 2)[2]
    with open(folder / "batch.jsonl", "w", encoding="utf-8") as handle:
        for i in range(copies):
            handle.write(json.dumps({"id": f"a{i}", "text": body, "date": "2025-10-16"}, ensure_ascii=False) + "\n")


def _workers_of(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (the run and its forked workers)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "cmdline").read_bytes().decode("utf-8", "replace"):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


@pytest.mark.parametrize("sig,jobs", [(signal.SIGINT, 1), (signal.SIGTERM, 2), (signal.SIGKILL, 1)],
                         ids=["sigint", "sigterm-2-jobs", "sigkill"])
def test_an_interrupted_run_leaves_the_previous_output(tmp_path, sig, jobs):
    _slow_batch(tmp_path / "in")
    out = tmp_path / "out" / "facts.jsonl"
    out.parent.mkdir()
    out.write_text("previous\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(tmp_path / "in"), "-o", str(out),
                             "--jobs", str(jobs), "-q"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    # wait until facts are being written: the run is mid-way
    deadline = time.monotonic() + 120
    while not any(p.stat().st_size > 0 for p in out.parent.glob(".facts-*")) and proc.poll() is None:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert out.read_text(encoding="utf-8") == "previous\n"
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".facts-")]
    if sig == signal.SIGKILL:
        assert len(leftovers) <= 1  # nothing can clean up after SIGKILL; the output itself is untouched
    else:
        assert leftovers == []
        assert proc.returncode == (128 + sig if sig == signal.SIGTERM else 1) or proc.returncode < 0, err
    deadline = time.monotonic() + 30
    while _workers_of(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _workers_of(str(out)) == [], "worker processes outlived the run"


# -- resume ------------------------------------------------------------------

def test_resume_keeps_earlier_facts_and_skips_their_articles(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("---\nid: a\ndate: 2025-10-16\n---\n" + ARTICLE, encoding="utf-8")
    (src / "b.txt").write_text("---\nid: b\ndate: 2025-10-20\n---\n宁德时代第三季度营业收入1041.86亿元，同比增长12.9%。", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(src), "-o", str(out), "-q"]) == 0
    before = out.read_text(encoding="utf-8")
    # a changes on disk and c arrives: a is not done again, c is
    (src / "a.txt").write_text("---\nid: a\ndate: 2025-10-16\n---\n台积电营收1亿元。", encoding="utf-8")
    (src / "c.txt").write_text("---\nid: c\ndate: 2025-10-16\n---\n小米营收1131亿元，同比增长22.3%。", encoding="utf-8")
    assert main(["extract", str(src), "-o", str(out), "--resume"]) == 0
    after = out.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert {json.loads(line)["doc_id"] for line in after[len(before):].splitlines()} == {"c"}
    assert "resumed: 2 articles' facts kept" in capsys.readouterr().err
    assert all(Fact.model_validate_json(line) for line in after.splitlines())


def test_resume_refuses_what_it_cannot_continue(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(GOOD, encoding="utf-8")
    assert main(["extract", str(src), "-o", str(tmp_path / "o.csv"), "--resume"]) == 2
    assert "--resume needs a JSON Lines output file" in capsys.readouterr().err
    broken = tmp_path / "o.jsonl"
    broken.write_text('{"id": "half', encoding="utf-8")
    assert main(["extract", str(src), "-o", str(broken), "--resume"]) == 2
    assert f"cannot resume from {broken}: line 1 is not a fact" in capsys.readouterr().err
    assert broken.read_text(encoding="utf-8") == '{"id": "half'
    fresh = tmp_path / "new.jsonl"  # nothing to resume from: a normal run
    assert main(["extract", str(src), "-o", str(fresh), "--resume", "-q"]) == 0
    assert fresh.read_text(encoding="utf-8")


# -- text edge cases ---------------------------------------------------------

EDGE_TEXTS = {
    "mixed_scripts": "台積電(TSMC)第3季營收NT$9,899.2億，约合US$331亿；삼성전자 영업이익 12조원, トヨタ 5兆円。",
    "emoji_astral": "😀🚀台积电营收𠀋𠀋9899.2亿元📈，同比增长30.3%🇨🇳𝟓𝟓亿元。",
    "combining": "台积电营收9\u0301899.2亿元，同比增长3\u03030.3%，e\u0301\u0302\u0303。",
    "rtl": "\u202e台积电营收9899.2亿元\u202c，الإيرادات ٣٠٫٣٪ עלייה של 30.3%。",
    "controls": "台积电\x00营收\x07\x1b[31m9899.2亿元\x08，\x0c同比\x7f增长30.3%\r\n\x85。",
    "ten_thousand_digits": "台积电营收" + "9" * 10000 + "亿元，同比增长" + "1" * 5000 + "%。",
    "fullwidth_punctuation": "，。！？；：「」『』（）【】《》〈〉、…—～·￥％＋－＝＠＃",
    "bare_numbers": "5",
    "bare_numbers_2": "５ 三 1.5亿 % 一 〇 ○ 两 十 万 亿 兆 -3 +4 0.0 ٣ 𝟓",
    "bidi_digits": "营收\u20679899.2\u2069亿元",
    "zero_width": "台\u200b积\u200c电营收9\u200d899.2亿\ufeff元，同比增长\u206030.3%。",
    "lone_units": "亿元 万元 %％ 个百分点 基点 美元 港元 新台币",
    "one_long_sentence": "营收1亿元，" * 3000,
}


@pytest.mark.parametrize("name", list(EDGE_TEXTS))
def test_text_edge_cases_never_crash_nor_point_outside_the_text(name):
    from pipeline.extract import extract_article
    from pipeline.io import Article
    from pipeline.normalize import normalize
    from pipeline.numbers import CN_NUMERAL_CHARS

    text = EDGE_TEXTS[name]
    import datetime as dt

    facts = extract_article(Article(id=name, text=text, date=dt.date(2025, 11, 14), date_source="option")).facts
    for fact in facts:
        again = Fact.model_validate_json(fact.model_dump_json())
        assert 0 <= again.evidence.start < again.evidence.end <= len(text)
        mention = normalize(text[again.evidence.start:again.evidence.end]).text
        assert any(ch.isdigit() or ch in CN_NUMERAL_CHARS + "半" for ch in mention), (name, mention)


def test_the_error_file_is_written_even_when_every_input_fails(tmp_path):
    errors = tmp_path / "errors.jsonl"
    code = main(["extract", str(tmp_path / "nothing-here"), "-o", str(tmp_path / "o.jsonl"), "--errors", str(errors), "-q"])
    assert code == 1
    assert [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()] == [
        {"path": str(tmp_path / "nothing-here"), "line": None, "error": "no such file or directory"}]
    assert (tmp_path / "o.jsonl").read_text(encoding="utf-8") == ""


def test_a_stop_signal_is_recorded_and_raised_between_articles():
    """The handler never raises (an exception raised inside the worker pool's
    ``with lock:`` left the lock held and the run hung on its way out); the
    run raises the signal at the next check."""
    from pipeline.cli import _Stop

    stop = _Stop()
    stop.check()  # nothing received: nothing raised
    stop(signal.SIGTERM, None)
    with pytest.raises(SystemExit) as exc:
        stop.check()
    assert exc.value.code == 128 + signal.SIGTERM
    stop(signal.SIGINT, None)
    with pytest.raises(KeyboardInterrupt):
        stop.check()
