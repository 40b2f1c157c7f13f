"""`python -m pipeline debug`: each stage's spans and the rule behind each link."""

from pipeline.cli import main


def test_debug_prints_stages_and_rules(capsys):
    assert main(["debug", "台積電第三季合併營收9899.2億元，季增6%、年增30.3%。", "--date", "2025-10-16"]) == 0
    out = capsys.readouterr().out
    assert "normalised: 台积电第三季合并营收9899.2亿元" in out
    assert "'9899.2亿元'" in out and "unit_type=money" in out
    assert "periods:" in out and "'第三季'" in out and "2025-07-01" in out
    assert "entities:" in out and "source=kb" in out
    facts = out.split("facts:")[1]
    assert "台积电 revenue/level 989920000000.0 TWD" in facts
    assert "台积电 revenue/qoq 6.0 %" in facts and "kind: qoq (季增)" in facts
    assert "subject: 台积电" in facts and "period: 第三季" in facts
