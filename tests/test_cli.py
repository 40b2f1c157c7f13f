"""The command line as a user runs it: inputs, outputs, summary, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.io import decode_bytes, read_inputs

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "台積電第三季合併營收新台幣9899.2億元，季增6%、年增30.3%。"


def _facts(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_extract_folder_writes_validated_facts_and_summary(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("---\nid: tsmc\ndate: 2025-10-16\n---\n" + ARTICLE, encoding="utf-8")
    out = tmp_path / "facts.jsonl"
    assert main(["extract", str(tmp_path / "in"), "-o", str(out)]) == 0
    facts = _facts(out)
    assert [(f["metric"], f["kind"], f["value"], f["unit"]) for f in facts] == [
        ("revenue", "level", 989920000000.0, "TWD"), ("revenue", "qoq", 6.0, "%"), ("revenue", "yoy", 30.3, "%")]
    assert {f["doc_id"] for f in facts} == {"tsmc"}
    assert facts[0]["period_start"] == "2025-07-01" and facts[0]["period_end"] == "2025-09-30"
    err = capsys.readouterr().err
    assert "articles read: 1" in err and "facts written: 3" in err and "utf-8 1" in err


def test_big5_and_gb18030_files_are_detected(tmp_path, capsys):
    (tmp_path / "big5.txt").write_bytes(ARTICLE.encode("big5"))
    (tmp_path / "gb.txt").write_bytes("宁德时代第三季度营业收入1041.86亿元，同比增长12.9%。".encode("gb18030"))
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(tmp_path), "-o", str(out), "--date", "2025-10-20"]) == 0
    facts = _facts(out)
    assert {f["doc_id"] for f in facts} == {"big5", "gb"}
    for f in facts:
        text = (tmp_path / f"{f['doc_id']}.txt").read_bytes().decode("big5" if f["doc_id"] == "big5" else "gb18030")
        assert text[f["evidence"]["start"]:f["evidence"]["end"]] in ("9899.2億元", "6%", "30.3%", "1041.86亿元", "12.9%")
    err = capsys.readouterr().err
    assert "big5 1" in err and "gb18030 1" in err


def test_jsonl_input_with_bad_lines_reports_file_and_line_and_keeps_good_ones(tmp_path, capsys):
    src = tmp_path / "batch.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "ok", "text": ARTICLE, "date": "2025-10-16"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "ok", "text": ARTICLE}, ensure_ascii=False),
    ]), encoding="utf-8")
    out, errors = tmp_path / "o.jsonl", tmp_path / "errors.jsonl"
    assert main(["extract", str(src), "-o", str(out), "--errors", str(errors)]) == 1
    assert {f["doc_id"] for f in _facts(out)} == {"ok"}
    err = capsys.readouterr().err
    assert f"{src}:2: malformed JSON" in err
    assert f"{src}:3: missing or non-string 'text'" in err
    assert f"{src}:4: duplicate id 'ok'" in err
    assert [e["line"] for e in _facts(errors)] == [2, 3, 4]


def test_missing_path_and_broken_front_matter_fail_but_batch_continues(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("---\ndate: 2025-13-45\n---\n" + ARTICLE, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code = main(["extract", str(good), str(bad), str(tmp_path / "nope.txt"), "-o", str(out)])
    assert code == 1
    assert {f["doc_id"] for f in _facts(out)} == {"good"}
    err = capsys.readouterr().err
    assert "nope.txt: no such file or directory" in err
    assert "bad.txt: date '2025-13-45' is not a valid YYYY-MM-DD date" in err


def test_binary_and_empty_files_are_reported(tmp_path, capsys):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "o.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "bin.txt: binary file" in err and "empty.txt: empty file" in err


def test_undetectable_encoding_is_an_error():
    with pytest.raises(ValueError, match="encoding not detected"):
        decode_bytes(bytes([0xFF, 0xFE, 0xFA, 0x81, 0x30, 0xFF]) * 3)


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["extract", "x", "--date", "2025-02-30"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_stdin_and_stdout_through_python_m(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "-", "-o", "-", "--date", "2025-10-16", "-q"],
                          input=ARTICLE.encode("utf-8"), capture_output=True, cwd=ROOT, check=True)
    facts = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(facts) == 3 and facts[0]["doc_id"] == "stdin"


def test_help_and_version():
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "--date" in proc.stdout and "standard input" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "0.1.0" in proc.stdout


def test_previous_output_survives_a_failed_run(tmp_path, monkeypatch):
    out = tmp_path / "o.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")

    def boom(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.cli.read_inputs", boom)
    with pytest.raises(KeyboardInterrupt):
        main(["extract", str(src), "-o", str(out)])
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".facts-")]


def test_symlink_loop_is_reported_not_followed_forever(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    items = list(read_inputs([str(tmp_path / "d")]))
    assert sum(1 for i in items if hasattr(i, "text")) == 1
    assert any("symlink loop" in str(i) for i in items if not hasattr(i, "text"))
