"""Fact writers: JSON Lines, one JSON array, CSV and Parquet.

Every writer goes through :class:`pipeline.cli.AtomicWriter` (a temporary
file renamed when the run ends), so an interrupted run never leaves a
half-written file in any format. The format is ``--format`` or, failing that,
the output file's extension; standard output (``-o -``) takes the text formats.

CSV has one flat column per field, ``evidence`` spread over
``evidence_text``, ``evidence_start`` and ``evidence_end``. The Parquet schema
is derived from the pydantic model :class:`schemas.Fact` (``evidence`` is a
struct) and rows are written one row group at a time, never all at once.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from pydantic import BaseModel

from schemas import Fact
from schemas.columns import column_type

from .scripts import render_fact

FORMATS = ("jsonl", "json", "csv", "parquet")
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet"}
ROW_GROUP_SIZE = 50_000


class UsageError(ValueError):
    """An output option the command line rejects (exit code 2)."""


def resolve_format(output: str, fmt: str | None = None) -> str:
    """``fmt`` when given, else the format the output's extension names, else jsonl."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        return fmt
    if output == "-":
        return "jsonl"
    return SUFFIXES.get(Path(output).suffix.lower(), "jsonl")


def output_format(output: str, fmt: str | None = None, bom: bool = False) -> str:
    """The format to write ``output`` in; :class:`UsageError` for a combination that cannot work."""
    fmt = resolve_format(output, fmt)
    check_output(output, fmt, bom)
    return fmt


def check_output(output: str, fmt: str, bom: bool) -> None:
    if fmt == "parquet" and output == "-":
        raise UsageError("Parquet cannot be written to standard output; name a file (-o facts.parquet)")
    if bom and fmt != "csv":
        raise UsageError(f"--bom applies to CSV only, not {fmt}")


class JsonLinesWriter:
    def __init__(self, handle: IO[str], **_options) -> None:
        self.handle = handle

    def write(self, fact: Fact) -> None:
        self.handle.write(fact.model_dump_json() + "\n")

    def close(self) -> None:
        pass


class JsonArrayWriter:
    """One JSON array, one fact per line inside it, streamed."""

    def __init__(self, handle: IO[str], **_options) -> None:
        self.handle = handle
        self.count = 0

    def write(self, fact: Fact) -> None:
        self.handle.write(("[\n" if self.count == 0 else ",\n") + fact.model_dump_json())
        self.count += 1

    def close(self) -> None:
        self.handle.write("[]\n" if self.count == 0 else "\n]\n")


def csv_columns(model: type[BaseModel] = Fact) -> list[str]:
    """The model's fields in order, a nested model's fields spread as ``<field>_<sub>``."""
    columns = []
    for name, info in model.model_fields.items():
        nested = _model_class(info.annotation)
        columns += [f"{name}_{sub}" for sub in nested.model_fields] if nested else [name]
    return columns


def flat_row(fact: Fact) -> dict[str, object]:
    """One CSV row: nested fields flattened, booleans as JSON writes them."""
    row: dict[str, object] = {}
    for name, value in fact.model_dump(mode="json").items():
        if isinstance(value, dict):
            row.update({f"{name}_{sub}": v for sub, v in value.items()})
        else:
            row[name] = value
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()}


class CsvWriter:
    """RFC 4180 CSV in UTF-8; ``bom`` prefixes U+FEFF so Excel reads it as UTF-8."""

    def __init__(self, handle: IO[str], bom: bool = False, **_options) -> None:
        if bom:
            handle.write("\ufeff")
        self.writer = csv.DictWriter(handle, fieldnames=csv_columns())
        self.writer.writeheader()

    def write(self, fact: Fact) -> None:
        self.writer.writerow(flat_row(fact))

    def close(self) -> None:
        pass


def arrow_schema(model: type[BaseModel] = Fact):
    """The Arrow schema of a pydantic model: one field per model field, with its description."""
    import pyarrow as pa

    return pa.schema([_arrow_field(name, info) for name, info in model.model_fields.items()])


def _arrow_field(name: str, info):
    import pyarrow as pa

    arrow_type, nullable = _arrow_type(info.annotation)
    metadata = {"description": info.description} if info.description else None
    return pa.field(name, arrow_type, nullable=nullable, metadata=metadata)


def _arrow_type(annotation) -> tuple[object, bool]:
    """(Arrow type, nullable) for a field annotation."""
    import pyarrow as pa

    scalars = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_(), dt.date: pa.date32()}
    return column_type(annotation, scalars, lambda model: pa.struct([_arrow_field(n, i) for n, i in model.model_fields.items()]))


def _model_class(annotation) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


class ParquetWriter:
    """Buffers at most ``row_group_size`` facts, then writes them as one row group."""

    def __init__(self, handle: IO[bytes], row_group_size: int = ROW_GROUP_SIZE, **_options) -> None:
        import pyarrow.parquet as pq

        self.schema = arrow_schema()
        self.writer = pq.ParquetWriter(handle, self.schema, compression="zstd")
        self.row_group_size = row_group_size
        self.rows: list[dict] = []

    def write(self, fact: Fact) -> None:
        self.rows.append(fact.model_dump(mode="python"))
        if len(self.rows) >= self.row_group_size:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


WRITERS = {"jsonl": JsonLinesWriter, "json": JsonArrayWriter, "csv": CsvWriter, "parquet": ParquetWriter}


class FactOutput:
    """What a run writes facts to: renders the script, then hands each fact to the writer."""

    def __init__(self, writer, script: str | None) -> None:
        self.writer = writer
        self.script = script

    def write(self, fact: Fact) -> None:
        self.writer.write(render_fact(fact, self.script))


@contextmanager
def open_facts(output: str, fmt: str | None = None, *, bom: bool = False, script: str | None = None,
               **options) -> Iterator[FactOutput]:
    """Write facts to ``output`` ('-': standard output) atomically, in ``fmt`` or the one its extension names.

    Raises :class:`UsageError` before anything is written for a combination
    that cannot work (Parquet to standard output, ``bom`` without CSV)."""
    from .cli import AtomicWriter

    fmt = output_format(output, fmt, bom)
    with AtomicWriter(output, binary=fmt == "parquet") as handle:
        writer = WRITERS[fmt](handle, bom=bom, **options)
        try:
            yield FactOutput(writer, script)
        finally:
            writer.close()
