from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize import _converter, normalize, to_halfwidth

MIXED = st.text(
    alphabet=st.sampled_from(list("臺積電營收億萬兆點○〇一二三年增稅後純益英偉達輝達發佈資產負債們這來為個業於與導體")
                             + list("０１２３４５６７８９．，％（）ＡＭＤ　") + list("0123456789.,%() abcXYZ\n")
                             + ["😀", "\u0301", "\u200f", "\x07", "𠀋"]),
    max_size=200,
)


@given(MIXED)
@settings(max_examples=300, deadline=None)
def test_offset_map_points_back_to_the_original(original):
    norm = normalize(original)
    assert len(norm.offsets.starts) == len(norm.text)
    for i, ch in enumerate(norm.text):
        a, b = norm.original_span(i, i + 1)
        assert 0 <= a < b <= len(original)
        source = original[a:b]
        # each normalised character comes from its source by width folding and t2s
        assert ch == _converter().convert(to_halfwidth(source))


@given(MIXED, st.data())
@settings(max_examples=200, deadline=None)
def test_spans_map_monotonically(original, data):
    norm = normalize(original)
    if not norm.text:
        return
    i = data.draw(st.integers(0, len(norm.text) - 1))
    j = data.draw(st.integers(i + 1, len(norm.text)))
    a, b = norm.original_span(i, j)
    assert 0 <= a < b <= len(original)


def test_traditional_and_fullwidth_are_folded_and_offsets_kept():
    original = "臺積電第３季營收９８９９．２億元"
    norm = normalize(original)
    assert norm.text == "台积电第3季营收9899.2亿元"
    start = norm.text.index("9899.2亿元")
    assert norm.original_slice(start, start + len("9899.2亿元")) == "９８９９．２億元"
