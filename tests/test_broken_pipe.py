"""A reader that closes standard output early (``| head``) stops the run
quietly with exit code 141, as Unix tools do: no traceback."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_closed_standard_output_ends_the_run_quietly(tmp_path):
    lines = [json.dumps({"id": f"a{i}", "text": f"台积电第三季营收{9000 + i}亿元，季增{i % 9 + 1}%。"}, ensure_ascii=False)
             for i in range(2000)]
    articles = tmp_path / "a.jsonl"
    articles.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(articles), "-o", "-", "-q", "--date", "2025-10-16"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()  # one fact, then the reader goes away
    proc.stdout.close()
    stderr = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
