"""pipeline/spark.py in local[2]: exactly the facts of the single-process
run, as JSON Lines and as Parquet with the fact schema. Skipped where
pyspark (the ``spark`` extra) or Java is missing."""

import json
import shutil
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
if shutil.which("java") is None:
    pytest.skip("no Java on this machine", allow_module_level=True)

from pipeline.batch import extract_stream  # noqa: E402
from pipeline.io import read_inputs  # noqa: E402
from pipeline.spark import run, session, spark_schema  # noqa: E402
from schemas import Fact  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "台積電第三季合併營收新台幣9899.2億元，季增6%、年增30.3%。"


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark_in")
    for path in sorted((ROOT / "corpora" / "articles").glob("*.txt")):
        shutil.copy(path, folder / path.name)
    (folder / "big5.txt").write_bytes(ARTICLE.encode("big5"))
    (folder / "records.jsonl").write_text("\n".join([
        json.dumps({"id": "j1", "text": ARTICLE, "date": "2025-10-16"}, ensure_ascii=False),
        "{broken",
        json.dumps({"text": "宁德时代第三季度营业收入1041.86亿元，同比增长12.9%。"}, ensure_ascii=False),
    ]), encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01")
    return folder


def test_spark_yields_exactly_the_facts_of_one_process(spark, inputs, tmp_path):
    out = tmp_path / "out"
    counts = run(spark, str(inputs), str(out), partitions=3)
    expected = [o for o in extract_stream(read_inputs([str(inputs)]))]
    lines = sorted(f.model_dump_json() for o in expected for f in o.facts)
    got = sorted(line for part in sorted((out / "jsonl").glob("part-*")) for line in part.read_text(encoding="utf-8").splitlines())
    assert got == lines and len(lines) > 300
    assert counts == {"facts": len(lines), "errors": 2}
    errors = [json.loads(line) for part in (out / "errors").glob("part-*") for line in part.read_text(encoding="utf-8").splitlines()]
    assert sorted((Path(e["path"]).name, e["line"]) for e in errors) == [("binary.txt", None), ("records.jsonl", 2)]

    frame = spark.read.parquet(str(out / "parquet"))
    # Spark reads every Parquet column back as nullable: compare names and types
    assert frame.schema.simpleString() == spark_schema().simpleString()
    rows = sorted(Fact.model_validate(r.asDict(recursive=True)).model_dump_json() for r in frame.collect())
    assert rows == lines


def test_the_spark_schema_follows_the_fact_model():
    schema = spark_schema()
    assert schema.fieldNames() == list(Fact.model_fields)
    fields = {f.name: f for f in schema.fields}
    assert fields["evidence"].dataType.fieldNames() == ["text", "start", "end"]
    assert not fields["value"].nullable and fields["value_high"].nullable
    assert fields["period_start"].dataType.typeName() == "date"
    assert fields["confidence"].dataType.typeName() == "double"
