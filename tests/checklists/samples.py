"""Checklist texts shared by the checklist tests."""

from __future__ import annotations

# A small but complete checklist: two sections, a 重大 item with its clause, an unconfirmed one, a general one.
_DEMO = """\
[checklist]
code = "demo"
revision = {revision}
{include}
title = "演示检查表"
industry = "工贸"
sources = ["《演示标准》（演示〔2024〕1号）", "《另一标准》"]

[[sections]]
code = "demo-01"
title = "第一节 人员"

[[sections.items]]
code = "demo-01-01"
content = "{first_content}"
method = "检查方法一"
basis = "《演示标准》第一条"
basis_text = "第一条原文。"
grade = "重大事故隐患"

[[sections.items]]
code = "demo-01-02"
content = "检查内容二"
method = "检查方法二"
basis = "《演示标准》第二条"
grade = "重大事故隐患"
unconfirmed = true
note = "取自转载页"

[[sections]]
code = "demo-02"
title = "第二节 设备"

[[sections.items]]
code = "demo-02-01"
content = "检查内容三"
method = "检查方法三"
basis = "《演示标准》第三条"
grade = "一般隐患"
"""

INDUSTRY_CODES = {
    "chemicals",
    "city-gas",
    "coal",
    "construction",
    "explosives",
    "fire",
    "fireworks",
    "industry-trade",
    "metal-mines",
}


def demo_checklist(*, revision: int = 1, include: str = "", first_content: str = "检查内容一") -> str:
    return _DEMO.format(revision=revision, include=include, first_content=first_content)
