"""Output formats: JSON Lines, JSON, CSV, Parquet; atomic writes; stdout; and
the README's pandas / DuckDB / JSON Schema examples, run as written."""

import csv
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.io import read_inputs
from pipeline.writers import ParquetWriter, arrow_schema, csv_columns, flat_row, resolve_format
from schemas import Fact

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "---\nid: tsmc\ndate: 2025-10-16\n---\n台積電第三季合併營收新台幣９８９９.２億元，季增6%、年增30.3%。\n"
FORMATS = {"jsonl": "o.jsonl", "json": "o.json", "csv": "o.csv", "parquet": "o.parquet"}


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "tsmc.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def read_any(path: Path) -> list[dict]:
    """Facts back from any format, as JSON Lines gives them."""
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".csv":
        return [_unflatten(row) for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))]
    return [json.loads(Fact.model_validate(row).model_dump_json()) for row in pq.read_table(path).to_pylist()]


def _unflatten(row: dict) -> dict:
    """A CSV row back into a Fact's JSON (the CSV's types: empty is null, true/false)."""
    evidence = {k: row.pop(f"evidence_{k}") for k in ("text", "start", "end")}
    data = {k: (None if v == "" else v) for k, v in row.items()}
    data["estimate"] = {"true": True, "false": False}[data["estimate"]]
    return json.loads(Fact.model_validate({**data, "evidence": evidence}).model_dump_json())


@pytest.mark.parametrize("output, fmt, expected", [
    ("a.jsonl", None, "jsonl"), ("a.NDJSON", None, "jsonl"), ("a.json", None, "json"),
    ("dir/a.csv", None, "csv"), ("a.parquet", None, "parquet"), ("a.txt", None, "jsonl"),
    ("-", None, "jsonl"), ("a.csv", "json", "json"), ("-", "csv", "csv"),
])
def test_format_from_option_else_extension(output, fmt, expected):
    assert resolve_format(output, fmt) == expected


def test_every_format_holds_the_same_facts(tmp_path, article):
    results = {}
    for fmt, name in FORMATS.items():
        assert main(["extract", str(article), "-o", str(tmp_path / name), "-q"]) == 0
        results[fmt] = read_any(tmp_path / name)
    assert len(results["jsonl"]) == 3
    for fmt in ("json", "csv", "parquet"):
        assert results[fmt] == results["jsonl"], fmt
    text = article.read_text(encoding="utf-8").split("---\n", 2)[2]
    first = results["parquet"][0]["evidence"]
    assert text[first["start"]:first["end"]] == "９８９９.２億元"


def test_csv_is_flat_utf8_and_bom_is_optional(tmp_path, article):
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert main(["extract", str(article), "-o", str(plain), "-q"]) == 0
    assert main(["extract", str(article), "-o", str(excel), "--bom", "-q"]) == 0
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    rows = list(csv.reader(io.StringIO(plain.read_text(encoding="utf-8"))))
    header = rows[0]
    assert header == csv_columns()
    assert "evidence" not in header and header[-4:-1] == ["evidence_text", "evidence_start", "evidence_end"]
    first = dict(zip(header, rows[1]))
    assert first["subject"] == "台积电" and first["evidence_text"].startswith("台積電第三季")
    assert first["value_high"] == "" and first["estimate"] == "false"


def test_flat_row_follows_the_model():
    fact = Fact(id="x", doc_id="d", subject=None, subject_text=None, subject_type=None, metric="revenue",
                kind="level", value=1.5, unit="CNY", evidence={"text": "营收1.5元", "start": 2, "end": 6},
                confidence=0.5, estimate=True)
    row = flat_row(fact)
    assert list(row) == csv_columns()
    assert row["evidence_start"] == 2 and row["estimate"] == "true" and row["subject"] is None


def test_parquet_schema_is_derived_from_the_model():
    schema = arrow_schema()
    assert schema.names == list(Fact.model_fields)
    assert schema.field("value").type == pa.float64() and not schema.field("value").nullable
    assert schema.field("value_high").nullable and schema.field("subject").nullable
    assert schema.field("period_start").type == pa.date32()
    assert schema.field("estimate").type == pa.bool_()
    assert schema.field("metric").type == pa.string()
    evidence = schema.field("evidence").type
    assert pa.types.is_struct(evidence) and [f.name for f in evidence] == ["text", "start", "end"]
    assert evidence.field("start").type == pa.int64()
    assert schema.field("unit").metadata[b"description"].startswith(b"ISO 4217")


def _fact(n: int) -> Fact:
    return Fact(id=f"f{n}", doc_id="d", subject="台积电", subject_text="台積電", subject_type="company",
                metric="revenue", kind="level", value=float(n), unit="TWD", period_start="2025-07-01",
                period_end="2025-09-30", evidence={"text": "t", "start": 0, "end": 1}, confidence=0.9)


def test_parquet_streams_row_groups(tmp_path):
    path = tmp_path / "s.parquet"
    with open(path, "wb") as handle:
        writer = ParquetWriter(handle, row_group_size=2)
        for n in range(5):
            writer.write(_fact(n))
            assert len(writer.rows) < 2  # never more than one row group held
        writer.close()
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 3 and meta.num_rows == 5
    assert [r["value"] for r in pq.read_table(path).to_pylist()] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_empty_run_writes_valid_empty_files(tmp_path):
    empty = tmp_path / "nothing.txt"
    empty.write_text("今天天气很好。", encoding="utf-8")
    for fmt, name in FORMATS.items():
        assert main(["extract", str(empty), "-o", str(tmp_path / name), "-q"]) == 0, fmt
    assert json.loads((tmp_path / "o.json").read_text(encoding="utf-8")) == []
    assert (tmp_path / "o.csv").read_text(encoding="utf-8").strip() == ",".join(csv_columns())
    assert pq.read_table(tmp_path / "o.parquet").num_rows == 0


@pytest.mark.parametrize("name", FORMATS.values())
def test_every_format_is_atomic(tmp_path, article, monkeypatch, name):
    out = tmp_path / name
    out.write_bytes(b"previous")
    def one_then_interrupt(inputs, *_options):
        yield from read_inputs(inputs)
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.cli.read_inputs", one_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        main(["extract", str(article), "-o", str(out), "-q"])
    assert out.read_bytes() == b"previous"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".facts-")]


def test_output_file_is_readable_by_others(tmp_path, article):
    out = tmp_path / "o.parquet"
    assert main(["extract", str(article), "-o", str(out), "-q"]) == 0
    assert out.stat().st_mode & 0o044  # not mkstemp's private 0600


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_text_formats_go_to_stdout(fmt):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "-", "-o", "-", "--format", fmt, "-q"],
                          input=ARTICLE.encode("utf-8"), capture_output=True, cwd=ROOT, check=True)
    out = proc.stdout.decode("utf-8")
    if fmt == "json":
        assert [f["kind"] for f in json.loads(out)] == ["level", "qoq", "yoy"]
    else:
        assert [r["kind"] for r in csv.DictReader(io.StringIO(out))] == ["level", "qoq", "yoy"]


@pytest.mark.parametrize("argv, message", [
    (["-o", "-", "--format", "parquet"], "Parquet cannot be written to standard output"),
    (["-o", "x.jsonl", "--bom"], "--bom applies to CSV only"),
    (["--format", "xlsx"], "invalid choice"),
])
def test_impossible_output_options_are_usage_errors(tmp_path, argv, message):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "-", *argv], input="", cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and message in proc.stderr
    assert not list(tmp_path.iterdir())


# The README's examples, run exactly as written ------------------------------------------------

TESTED_BLOCK = re.compile(r"<!-- tested -->\n```(\w+)\n(.*?)```", re.S)


def readme_blocks() -> list[tuple[str, str]]:
    return TESTED_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def run_shell_block(body: str) -> None:
    """Each line is a ``python -m pipeline`` command: run through the same entry point, in process."""
    for line in filter(str.strip, body.splitlines()):
        argv = shlex.split(line)
        assert argv[:3] == ["python", "-m", "pipeline"], f"README line is not a pipeline command: {line}"
        assert main(argv[3:] + ["-q"]) == 0, line


def test_readme_examples_run(tmp_path, monkeypatch, capsys):
    blocks = readme_blocks()
    assert [lang for lang, _ in blocks] == ["sh", "python", "python", "python"]
    (tmp_path / "corpora").symlink_to(ROOT / "corpora")
    (tmp_path / "schemas").symlink_to(ROOT / "schemas")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for lang, body in blocks:
        if lang == "sh":
            run_shell_block(body)
        else:
            exec(compile(body, "README.md", "exec"), namespace)
    facts, table, sheet = namespace["facts"], namespace["table"], namespace["sheet"]
    assert len(facts) == len(table) == len(sheet) > 100
    assert list(sheet.columns) == csv_columns()
    assert set(table["evidence"][0]) == {"text", "start", "end"}
    assert len(namespace["revenue"]) > 0 and (namespace["revenue"].unit != "").all()
    assert len(namespace["top"]) == 5 and all(n > 0 for _, n in namespace["top"])
    assert len(namespace["margins"]) > 0 and namespace["margins"]["sentence"].str.len().min() > 0
    assert namespace["problems"] == []
    assert "every fact is valid" in capsys.readouterr().out
    broken = json.loads((tmp_path / "out" / "facts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    broken.update(kind="weekly", period_end="2025-13-01")
    assert len(list(namespace["validator"].iter_errors(broken))) == 2
