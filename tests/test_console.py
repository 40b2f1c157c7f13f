"""What a person at a terminal meets: help on every command, exit codes, the
progress bar (only on a terminal), the summary with the time taken."""

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import __version__
from pipeline.cli import build_parser, main
from pipeline.progress import count_articles, format_seconds, progress

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("extract", "report", "eval", "debug")
ARTICLE = "台積電第三季合併營收新台幣9899.2億元，季增6%、年增30.3%。"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_is_listed_and_documented():
    assert set(_subcommands()) == set(COMMANDS)
    for name, command in _subcommands().items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_shows_examples_and_exit_codes(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"python -m pipeline {command}" in out
    assert "exit codes:" in out and "2  usage error" in out
    for action in _subcommands()[command]._actions:
        for option in action.option_strings:
            assert option in out


def test_top_level_help_version_and_usage_errors():
    run = [sys.executable, "-m", "pipeline"]
    proc = subprocess.run(run + ["--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and all(c in proc.stdout for c in COMMANDS) and "exit codes:" in proc.stdout
    proc = subprocess.run(run + ["--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.strip() == f"python -m pipeline {__version__}"
    for argv in ([], ["extract"], ["report"], ["debug"], ["eval", "--bogus"], ["extract", "x", "--jobz"]):
        proc = subprocess.run(run + argv, capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 2, argv
        assert "usage:" in proc.stderr


def test_progress_bar_only_on_a_terminal(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\n', encoding="utf-8")
    inputs = [str(tmp_path)]
    terminal = Terminal()
    assert list(progress(iter("abc"), inputs, quiet=False, stream=terminal)) == ["a", "b", "c"]
    assert "0/3" in terminal.getvalue() and "articles/s" in terminal.getvalue()  # the total, counted ahead
    for stream, quiet in ((Terminal(), True), (io.StringIO(), False)):
        assert list(progress(iter("abc"), inputs, quiet=quiet, stream=stream)) == ["a", "b", "c"]
        assert stream.getvalue() == ""


def test_counting_articles_for_the_bar(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\n{"text": "z"}\n', encoding="utf-8")
    assert count_articles([str(tmp_path)]) == 5
    assert count_articles([str(tmp_path / "a.txt"), str(tmp_path / "nope.txt")]) == 2
    assert count_articles([str(tmp_path), "-"]) is None


def test_summary_has_the_time_and_no_bar_when_piped(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    assert main(["extract", str(src), "-o", str(tmp_path / "o.jsonl"), "--date", "2025-10-16"]) == 0
    err = capsys.readouterr().err
    assert "articles read: 1   facts written: 3   errors: 0   time: " in err
    assert "\r" not in err and "it/s" not in err
    assert main(["extract", str(src), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("seconds, text", [(3.21, "3.2 s"), (65, "1 min 05 s"), (3725, "1 h 02 min")])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text
