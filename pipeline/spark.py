"""The extraction on Apache Spark: any path Spark reads in, facts out as
Parquet and JSON Lines.

    spark-submit pipeline/spark.py 's3a://news/2025/*/*.txt' s3a://facts/2025 --date 2025-11-14

Every input file is read as bytes and decoded exactly as the command line
does (UTF-8, GB18030, Big5, front matter; ``.jsonl``/``.ndjson`` files one
article per line), so a fact is the same fact whichever way it was made. Each
partition is one ``mapPartitions`` task: the Python worker builds its spaCy
pipeline once (``build_nlp`` is cached per process, and Spark reuses its
Python workers) and extracts every article of the partition with it.

Written under OUT: ``parquet/`` with the schema of ``schemas/fact.schema.json``
(derived here from the pydantic model, ``evidence`` a struct), ``jsonl/``
with the very lines the command line writes, and ``errors/`` (JSON Lines, one
line per input that failed). A JSON Lines file is read by one task: split a
large batch into several files to spread it. Ids are checked for duplicates
within a file, not across files.

The package must be importable where the executors run: install the project
(``pip install .[spark]``) in the Python that ``PYSPARK_PYTHON`` names on
every node. Needs the ``spark`` extra and Java 17 or later.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from pydantic import BaseModel

from pipeline.io import (
    JSONL_SUFFIXES,
    Article,
    InputError,
    parse_date,
    read_jsonl,
    read_text_document,
)
from schemas import Fact
from schemas.columns import column_type


def spark_schema(model: type[BaseModel] = Fact):
    """The Spark schema of a pydantic model, field for field, in order."""
    from pyspark.sql.types import StructField, StructType

    fields = []
    for name, info in model.model_fields.items():
        spark_type, nullable = _spark_type(info.annotation)
        fields.append(StructField(name, spark_type, nullable, {"description": info.description or ""}))
    return StructType(fields)


def _spark_type(annotation) -> tuple[object, bool]:
    """(Spark type, nullable) for one field annotation."""
    from pyspark.sql import types as T

    scalars = {str: T.StringType(), int: T.LongType(), float: T.DoubleType(), bool: T.BooleanType(),
               dt.date: T.DateType()}
    return column_type(annotation, scalars, spark_schema)


def articles_of(path: str, data: bytes) -> Iterator[Article | InputError]:
    """The articles (or input errors) of one file's bytes, as the command line reads them."""
    name = _local_name(path)
    if PurePosixPath(name).suffix.lower() in JSONL_SUFFIXES:
        yield from read_jsonl(data, name)
        return
    try:
        yield read_text_document(data, name, PurePosixPath(name).stem)
    except ValueError as exc:
        yield InputError(name, str(exc))


def _local_name(path: str) -> str:
    """file:/tmp/a.txt -> /tmp/a.txt; other schemes (s3a://, hdfs://) are kept."""
    return path[len("file:"):] if path.startswith("file:") else path


def extract_partition(files: Iterable[tuple[str, bytes]], date: dt.date | None) -> Iterator[tuple[str, str]]:
    """In an executor: ("fact", JSON) for every fact and ("error", JSON) for
    every failed input of the partition's files, one pipeline for them all."""
    from pipeline.batch import process
    from pipeline.segment import build_nlp

    build_nlp()
    for path, data in files:
        for item in articles_of(path, data):
            outcome = process(item, date)
            if outcome.error is not None:
                yield "error", json.dumps(outcome.error.to_json(), ensure_ascii=False)
            for fact in outcome.facts:
                yield "fact", fact.model_dump_json()


def fact_row(line: str) -> dict:
    """A fact's JSON line as a row of :func:`spark_schema` (dates as dates)."""
    return Fact.model_validate_json(line).model_dump(mode="python")


def run(spark, inputs: str, output: str, date: dt.date | None = None, partitions: int | None = None) -> dict[str, int]:
    """Extract every file ``inputs`` names (a path, folder or glob Spark reads)
    into ``output``/parquet, ``output``/jsonl and ``output``/errors."""
    from pyspark import StorageLevel

    files = spark.sparkContext.binaryFiles(inputs, minPartitions=partitions)
    results = files.mapPartitions(lambda part: extract_partition(part, date)).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        facts = results.filter(lambda r: r[0] == "fact").map(lambda r: r[1])
        errors = results.filter(lambda r: r[0] == "error").map(lambda r: r[1])
        facts.saveAsTextFile(f"{output}/jsonl")
        errors.saveAsTextFile(f"{output}/errors")
        frame = spark.createDataFrame(facts.map(fact_row), schema=spark_schema())
        frame.write.mode("overwrite").parquet(f"{output}/parquet")
        return {"facts": facts.count(), "errors": errors.count()}
    finally:
        results.unpersist()


def session(master: str | None = None):
    """A SparkSession; a local one runs its Python workers with this interpreter."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("finfacts")
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spark-submit pipeline/spark.py",
        description="Extract facts with Spark: text files (.txt, .md) and JSON Lines (.jsonl) from any path Spark "
                    "reads; Parquet, JSON Lines and errors written under OUTPUT.")
    parser.add_argument("input", help="a path, folder or glob (file:, hdfs:, s3a:, ...)")
    parser.add_argument("output", help="a folder to create: OUTPUT/parquet, OUTPUT/jsonl, OUTPUT/errors")
    parser.add_argument("--date", type=parse_date, metavar="YYYY-MM-DD", help="publication date for articles that name none")
    parser.add_argument("--partitions", type=int, default=None, help="at least this many partitions")
    parser.add_argument("--master", default=None, help="e.g. local[2] when not run by spark-submit")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    spark = session(args.master)
    try:
        counts = run(spark, args.input, args.output, args.date, args.partitions)
    finally:
        spark.stop()
    print(f"facts: {counts['facts']}   errors: {counts['errors']}   -> {args.output}", file=sys.stderr)
    return 1 if counts["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
