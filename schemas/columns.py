"""Column types for table formats (Parquet, Spark) derived from the models.

One walk over a field annotation, shared by every writer: ``X | None`` is a
nullable X, a ``Literal`` takes the type of its values, a nested model
becomes a struct, and the rest is looked up in the format's scalar table.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Literal, Union, get_args, get_origin

from pydantic import BaseModel


def column_type(annotation, scalars: dict, struct: Callable[[type[BaseModel]], object]) -> tuple[object, bool]:
    """(format type, nullable) for one field annotation."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no column type for the union {annotation}")
        return column_type(inner[0], scalars, struct)[0], True
    if origin is Literal:
        (kind,) = {type(a) for a in get_args(annotation)}
        return scalars[kind], False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return struct(annotation), False
    return scalars[annotation], False
