"""``--script``: write the output's text fields in the reader's script.

The pipeline's canonical names are Simplified. ``--script`` renders the
fields that the pipeline wrote itself (the subject's canonical name, the
segment, a counting-word unit such as 张) with OpenCC. What was copied from
the article stays as written: ``evidence`` and ``subject_text`` (the spec
defines both as the original script), and so do identifiers and codes.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

from schemas import Fact

# --script NAME -> OpenCC configuration
SCRIPTS = {
    "traditional": "s2t",
    "tw": "s2tw",
    "hk": "s2hk",
    "simplified": "t2s",
}
RENDERED_FIELDS = ("subject", "segment", "unit")


@lru_cache(maxsize=8)
def converter(script: str) -> opencc.OpenCC:
    if script not in SCRIPTS:
        raise ValueError(f"unknown script {script!r}; choose from {', '.join(SCRIPTS)}")
    return opencc.OpenCC(SCRIPTS[script])


def convert(text: str | None, script: str) -> str | None:
    """``text`` in ``script``; None stays None."""
    return None if text is None else converter(script).convert(text)


def render_fact(fact: Fact, script: str | None) -> Fact:
    """A copy of ``fact`` whose own text fields are in ``script`` (None: unchanged)."""
    if script is None:
        return fact
    update = {name: convert(getattr(fact, name), script) for name in RENDERED_FIELDS}
    return fact.model_copy(update=update)
