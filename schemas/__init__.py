"""Public output models of the pipeline; ``fact.schema.json`` is generated from them."""

from .fact import METRICS, Evidence, Fact

__all__ = ["Evidence", "Fact", "METRICS"]
