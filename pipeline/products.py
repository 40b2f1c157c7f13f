"""Product and brand recognizer: names that news writes in place of their
maker (昇腾芯片出货量, iPhone营收, SU7交付量).

Names, makers and the head words that may follow a name (昇腾芯片) come from
``data/products.yaml``; the maker is the knowledge base's company entity.
A name inside a known company's or a place's name is no product mention.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .companies import Entity, EntityMention, company_entities, normalized_form
from .gazetteer import Gazetteer


@dataclass(frozen=True)
class ProductMention:
    start: int
    end: int  # after the head word, when one follows (昇腾芯片)
    text: str  # as in the normalised text
    name: str  # canonical name (products.yaml)
    owner: Entity  # the maker
    segment: str  # what the product's figures are restricted to: the canonical name and the head word (昇腾芯片)


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer[tuple[str, Entity]]:
    owners = company_entities()  # every owner is a company id (checked when products.yaml loads)
    gaz: Gazetteer[tuple[str, Entity]] = Gazetteer()
    for product in lexicon.products().products:
        for form in (product.name, *product.aliases):
            gaz.add(normalized_form(form), (product.name, owners[product.owner]))
    return gaz


@lru_cache(maxsize=1)
def _head_words() -> tuple[str, ...]:
    return tuple(sorted({normalized_form(w) for w in lexicon.products().head_words}, key=len, reverse=True))


def find_products(text: str, entities: list[EntityMention] = ()) -> list[ProductMention]:
    """Product mentions in ``text`` (normalised), in order; none inside a
    known company's or a place's name among ``entities`` (抖音 in a known
    抖音集团). A name only the suffix rules read as a company (淘天集团) is
    the product: the knowledge of products is the surer one."""
    out = []
    for start, end, (name, owner) in _gazetteer().find_all(text):
        if any(e.entity.known and e.start < end and start < e.end for e in entities):
            continue
        head = next((h for h in _head_words() if text.startswith(h, end)), "")
        out.append(ProductMention(start, end + len(head), text[start:end + len(head)], name, owner, name + head))
    return out
