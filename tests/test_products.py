"""data/products.yaml and the product recognizer: names written in place of
their maker. How a product decides a fact's subject and segment is in
corpora/links (rows 45 on)."""

import shutil

import pytest

from pipeline import lexicon
from pipeline.companies import Entity, EntityMention
from pipeline.normalize import normalize
from pipeline.products import find_products


def test_every_product_has_a_known_maker_and_a_name_of_its_own():
    data = lexicon.products()
    company_ids = {c.id for c in lexicon.companies().companies}
    assert data.products and all(p.owner in company_ids for p in data.products)
    product_of: dict[str, str] = {}
    for p in data.products:
        for form in (p.name, *p.aliases):
            key = normalize(form).text
            assert product_of.setdefault(key, p.name) == p.name, f"{form} names {product_of[key]} and {p.name}"
            assert len(key) >= 2, f"{form}: a single character is a word of any text, not a product"


def test_an_unknown_maker_names_the_file(tmp_path, monkeypatch):
    shutil.copy(lexicon.DATA_DIR / "companies.yaml", tmp_path / "companies.yaml")
    (tmp_path / "products.yaml").write_text("head_words: []\nproducts:\n  - {name: 某芯片, owner: no_such_company}\n",
                                            encoding="utf-8")
    monkeypatch.setattr(lexicon, "DATA_DIR", tmp_path)
    lexicon.companies.cache_clear()
    lexicon.products.cache_clear()
    try:
        with pytest.raises(lexicon.DataFileError, match=r"products\.yaml.*no_such_company"):
            lexicon.products()
    finally:
        lexicon.companies.cache_clear()
        lexicon.products.cache_clear()


def _found(text: str, entities=()):
    return [(text[p.start:p.end], p.segment, p.owner.name) for p in find_products(text, list(entities))]


def test_a_head_word_after_the_name_is_part_of_the_segment():
    text = normalize("昇騰芯片今年出貨量").text
    assert _found(text) == [(text[:4], "昇腾芯片", "华为")]


def test_a_latin_name_is_not_found_inside_a_longer_one():
    assert _found("H200与H20的出货量") == [("H200", "H200", "英伟达"), ("H20", "H20", "英伟达")]
    assert _found("H20X的出货量") == []


def test_a_name_inside_a_known_company_or_place_name_is_no_product():
    text = "抖音集团营收增长"
    company = EntityMention(0, 4, "抖音集团", Entity("x", "抖音集团", "company"), "kb")
    assert _found(text) == [("抖音", "抖音", "字节跳动")]
    assert _found(text, [company]) == []


def test_a_business_unit_the_suffix_rules_took_for_a_company_is_the_product():
    text = "淘天集团客户管理收入786亿元"
    unseen = EntityMention(0, 4, "淘天集团", Entity(None, "淘天集团", "company", known=False), "suffix")
    assert _found(text, [unseen]) == [("淘天集团", "淘天集团", "阿里巴巴")]
