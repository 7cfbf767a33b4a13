"""Registering and searching enterprises and inspectors."""

from __future__ import annotations

import pytest
from sqlmodel import select

from inspector.domain.enums import Industry
from inspector.domain.identifiers import make_credit_code
from inspector.errors import ValidationError
from inspector.registry.service import (
    industry_counts,
    register_enterprise,
    register_inspector,
    search_enterprises,
)
from inspector.store.db import Store
from inspector.store.models import Enterprise
from tests.conftest import Basics


def test_register_refuses_a_bad_credit_code_and_stores_nothing(store: Store) -> None:
    with pytest.raises(ValidationError) as err, store.session() as session:
        register_enterprise(
            session,
            name="某公司",
            credit_code="91140522MA0TEXT1X0",
            industry=Industry.COAL,
            county_code="140522",
        )
    assert "统一社会信用代码" in err.value.message_zh
    with store.session() as session:
        assert session.exec(select(Enterprise)).all() == []


def test_register_normalises_full_width_and_refuses_duplicates(store: Store, basics: Basics) -> None:
    code = make_credit_code("140522", "MA0TEXT1")
    full_width = code.translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
        )
    )
    with pytest.raises(ValidationError) as err, store.session() as session:
        register_enterprise(
            session, name="重复公司", credit_code=full_width, industry=Industry.COAL, county_code="140522"
        )
    assert "已登记" in err.value.message_zh


def test_register_refuses_empty_name_and_bad_phone(store: Store) -> None:
    with pytest.raises(ValidationError), store.session() as session:
        register_enterprise(
            session,
            name="  ",
            credit_code=make_credit_code("140522", "MA0TEXT3"),
            industry=Industry.FIRE,
            county_code="",
        )
    with pytest.raises(ValidationError) as err, store.session() as session:
        register_enterprise(
            session,
            name="某商场",
            credit_code=make_credit_code("140522", "MA0TEXT3"),
            industry=Industry.FIRE,
            county_code="",
            contact_phone="12345",
        )
    assert "联系电话" in err.value.message_zh


def test_register_inspector_checks_cert_no_and_duplicates(store: Store, basics: Basics) -> None:
    with pytest.raises(ValidationError), store.session() as session:
        register_inspector(session, name="孙四", cert_no="证号?", unit="", county_code="140522")
    with pytest.raises(ValidationError) as err, store.session() as session:
        register_inspector(session, name="孙四", cert_no="14052200901", unit="", county_code="140522")
    assert "已登记" in err.value.message_zh


def test_search_by_name_code_township_and_industry(store: Store, basics: Basics) -> None:
    with store.session() as session:
        assert [r.name for r in search_enterprises(session, text="煤业")] == ["阳城县测试煤业有限公司"]
        assert [r.name for r in search_enterprises(session, text="凤城")] == ["阳城县测试化工有限公司"]
        code = make_credit_code("140522", "MA0TEXT2")
        assert [r.name for r in search_enterprises(session, text=code.lower())] == ["阳城县测试化工有限公司"]
        assert [r.name for r in search_enterprises(session, industry=Industry.COAL)] == ["阳城县测试煤业有限公司"]
        assert search_enterprises(session, text="煤业", industry=Industry.HAZARDOUS_CHEMICALS) == []
        assert len(search_enterprises(session)) == 2
        assert industry_counts(session) == {"煤矿": 1, "危险化学品": 1}


def test_search_treats_like_wildcards_and_quotes_literally(store: Store, basics: Basics) -> None:
    with store.session() as session:
        # The plant's address holds a literal "100%路_1号"; the mine's does not.
        assert [r.name for r in search_enterprises(session, text="100%路_")] == ["阳城县测试化工有限公司"]
        assert [r.name for r in search_enterprises(session, text="%")] == ["阳城县测试化工有限公司"]
        assert [r.name for r in search_enterprises(session, text="_")] == ["阳城县测试化工有限公司"]
        assert search_enterprises(session, text="煤业%") == []  # % is a character, not "anything"
        assert search_enterprises(session, text="' OR 1=1 --") == []
