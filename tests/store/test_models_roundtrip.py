"""Every table in the metadata survives a write and a read in a fresh session, column by column.

Values are built generically from the SQLAlchemy columns, so a new table or column is covered without
editing this file; a column type the builder does not know makes the test fail instead of being skipped.
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest
from pydantic_core import PydanticUndefined
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table, text
from sqlalchemy.exc import StatementError
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.main import default_registry

from inspector.clock import CHINA_TZ
from inspector.domain.enums import Industry
from inspector.store.db import Store
from inspector.store.ids import uuid7
from inspector.store.models import Enterprise, SyncState
from inspector.store.types import StrEnumType, UTCDateTime

TABLES: dict[str, Table] = {table.name: table for table in SQLModel.metadata.sorted_tables}
TABLE_NAMES = sorted(TABLES)
SORTED_TABLE_NAMES = [table.name for table in SQLModel.metadata.sorted_tables]
MODELS: dict[str, type[SQLModel]] = {
    typing.cast(Table, mapper.local_table).name: mapper.class_ for mapper in default_registry.mappers
}

# Long enough to show nothing is cut, varied enough that two columns never hold the same text.
HANZI = "安全生产执法检查隐患整改复查销号企业单位负责人现场记录文书送达签名见证专家煤矿危化工贸建筑燃气消防交通"
LONG_TEXT_CHARS = 120


def _attr_name(model: type[SQLModel], column: Column[Any]) -> str:
    mapper = model.__mapper__  # type: ignore[attr-defined]
    return mapper.get_property_by_column(column).key  # type: ignore[no-any-return]


def _field_default(model: type[SQLModel], name: str) -> Any:
    field = model.model_fields.get(name)
    if field is None or field.default is PydanticUndefined:
        return None
    return field.default


def _hanzi(length: int, seed: int) -> str:
    return "".join(HANZI[(seed + i) % len(HANZI)] for i in range(length))


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _json_value(model: type[SQLModel], name: str, seed: int) -> Any:
    annotation = _strip_optional(model.model_fields[name].annotation)
    if typing.get_origin(annotation) is list:
        (item_type,) = typing.get_args(annotation)
        if item_type is int:
            return [seed % 7 + 3, 1, 0, 2]
        if typing.get_origin(item_type) is dict or item_type is dict:
            return [
                {"类型": "箭头", "说明": _hanzi(12, seed), "坐标": [seed, 2.5], "可见": True},
                {"类型": "文字", "说明": _hanzi(8, seed + 3), "坐标": None},
            ]
        return [_hanzi(6, seed), _hanzi(9, seed + 1), "01a2232f-1136-7c93-9a23-c8d5f3d32b5e"]
    # dict[str, Any], Any: a nested object with Chinese keys and values of every JSON kind
    return {
        "标题": _hanzi(10, seed),
        "条目": [_hanzi(4, seed + 2), seed, 1.5, True, None],
        "嵌套": {"依据": "《中华人民共和国安全生产法》第六十五条", "份数": 2},
    }


ParentRows = dict[str, dict[str, Any]]  # table name → {column name: value} of the row children point at


def sample_value(model: type[SQLModel], column: Column[Any], *, seed: int, parents: ParentRows) -> Any:
    """A value for `column` that differs from the column's default (and between seeds)."""
    name = _attr_name(model, column)
    if column.foreign_keys:
        (fk,) = column.foreign_keys
        target = fk.column.table.name
        if target not in parents and fk.column.table is column.table:
            # The first row of a self-referencing table has nothing to point at yet.
            assert column.nullable, f"{column} references its own table and cannot be null"
            return None
        return parents[target][fk.column.name]
    col_type = column.type
    if isinstance(col_type, StrEnumType):
        members = [m for m in col_type.enum_cls if m != _field_default(model, name)]
        return members[(seed + len(members) - 1) % len(members)]
    if isinstance(col_type, UTCDateTime):
        base = datetime(2024, 3, 15, 9, 30, 12, 345678, tzinfo=CHINA_TZ)
        return base + timedelta(days=seed, minutes=seed * 7, microseconds=seed)
    base_type = col_type.impl_instance if isinstance(col_type, TypeDecorator) else col_type
    if isinstance(base_type, JSON):
        return _json_value(model, name, seed)
    if isinstance(base_type, Boolean):
        default = _field_default(model, name)
        return not default if isinstance(default, bool) else True
    if isinstance(base_type, Integer):
        return 1000 + seed
    if isinstance(base_type, Float):
        return 31.234567891 + seed
    if isinstance(base_type, DateTime):
        raise TypeError(f"{column} is a plain DateTime; synced rows must use UTCDateTime")
    if isinstance(base_type, Date):
        return date(2024, 2, 29) + timedelta(days=seed)
    if isinstance(base_type, String):
        if column.primary_key and name == "id":
            return uuid7()
        length = base_type.length or LONG_TEXT_CHARS
        return _hanzi(length, seed)
    raise TypeError(f"no sample value for {column} of type {col_type!r}; extend sample_value()")


def build_row(table_name: str, *, variant: int, parents: ParentRows) -> tuple[SQLModel, dict[str, Any]]:
    """A model instance with every column set, and the values by attribute name."""
    model = MODELS[table_name]
    values: dict[str, Any] = {}
    for index, column in enumerate(TABLES[table_name].columns):
        seed = variant * 100 + index
        values[_attr_name(model, column)] = sample_value(model, column, seed=seed, parents=parents)
    return model(**values), values


def _self_referencing(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]


def _insert_parents(store: Store, table_name: str) -> ParentRows:
    """One row in every table that sorts before `table_name` (and in it, for self references)."""
    parents: ParentRows = {}
    with store.session(applying_remote=True) as session:
        for name in SORTED_TABLE_NAMES:
            table = TABLES[name]
            if name == table_name and not _self_referencing(table):
                break
            row, values = build_row(name, variant=0, parents=parents)
            session.add(row)
            session.flush()
            parents[name] = {c.name: values[_attr_name(MODELS[name], c)] for c in table.columns}
            if name == table_name:
                break
    return parents


@pytest.mark.parametrize("table_name", TABLE_NAMES)
def test_table_roundtrip(store: Store, table_name: str) -> None:
    parents = _insert_parents(store, table_name)
    model = MODELS[table_name]
    table = TABLES[table_name]
    row, expected = build_row(table_name, variant=1, parents=parents)
    pk = tuple(expected[_attr_name(model, c)] for c in table.primary_key.columns)

    # applying_remote: the sync hooks would overwrite version/timestamps; here we test the storage itself.
    with store.session(applying_remote=True) as session:
        session.add(row)

    with store.session() as session:
        loaded = session.get(model, pk[0] if len(pk) == 1 else pk)
        assert loaded is not None
        assert loaded is not row
        for column in table.columns:
            name = _attr_name(model, column)
            want = expected[name]
            got = getattr(loaded, name)
            assert got == want, f"{table_name}.{name}: wrote {want!r}, read {got!r}"
            assert type(got) is type(want), f"{table_name}.{name}: read back as {type(got).__name__}"
            if isinstance(want, datetime):
                assert isinstance(got, datetime)
                assert got.tzinfo is not None, f"{table_name}.{name} came back naive"
                assert got.utcoffset() == timedelta(0)
            if isinstance(column.type, StrEnumType):
                assert isinstance(got, column.type.enum_cls)


def test_one_roundtrip_case_per_table() -> None:
    (mark,) = [m for m in test_table_roundtrip.pytestmark if m.name == "parametrize"]  # type: ignore[attr-defined]
    argname, values = mark.args
    assert argname == "table_name"
    assert len(values) == len(set(values)), "a table is tested twice"
    assert set(values) == set(SQLModel.metadata.tables)
    # Every table is a mapped model, so the builder can make its rows.
    assert set(MODELS) == set(SQLModel.metadata.tables)


def test_sample_values_differ_from_defaults() -> None:
    """The builder really writes non-default values, or the round trip would prove little."""
    for table_name in TABLE_NAMES:
        model = MODELS[table_name]
        parents = {name: {c.name: "父" for c in TABLES[name].columns} for name in TABLE_NAMES}
        _, values = build_row(table_name, variant=1, parents=parents)
        for name, value in values.items():
            field = model.model_fields.get(name)
            if field is None:
                continue
            default = field.get_default(call_default_factory=True)
            assert value != default, f"{table_name}.{name} sample equals its default {default!r}"
            if value is not None and isinstance(default, str):
                assert value, f"{table_name}.{name} sample is empty"


def test_enum_columns_are_stored_as_chinese_value_and_read_as_members(store: Store) -> None:
    enterprise = Enterprise(name="阳城县某煤矿有限公司", credit_code="91140522MA0K1234X5", industry=Industry.COAL)
    with store.session() as session:
        session.add(enterprise)
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT industry FROM enterprise WHERE id = :id"), {"id": enterprise.id}).scalar()
    assert raw == "煤矿"
    assert type(raw) is str
    with store.session() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        assert loaded.industry is Industry.COAL
        assert isinstance(loaded.industry, StrEnum)


def test_unknown_enum_value_in_database_is_an_error_not_a_string(store: Store) -> None:
    enterprise = Enterprise(name="某企业", credit_code="91140522MA0K1234X6", industry=Industry.FIRE)
    with store.session() as session:
        session.add(enterprise)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE enterprise SET industry = '不存在的行业' WHERE id = :id"), {"id": enterprise.id})
    with store.session() as session, pytest.raises(ValueError, match="不存在的行业"):
        session.get(Enterprise, enterprise.id)


def test_naive_datetime_is_refused_at_flush(store: Store) -> None:
    with pytest.raises(StatementError) as excinfo, store.session() as session:
        session.add(SyncState(office_url="https://县应急局.example/", last_push_at=datetime(2024, 5, 1, 8, 0)))
        session.flush()
    # SQLAlchemy wraps errors raised while binding parameters; the cause is the type's ValueError.
    assert isinstance(excinfo.value.orig, ValueError)
    assert "naive datetime" in str(excinfo.value.orig)
    with store.session() as session:
        assert session.get(SyncState, "https://县应急局.example/") is None


def test_aware_datetime_in_any_zone_is_stored_as_utc(store: Store) -> None:
    local = datetime(2024, 1, 1, 7, 30, tzinfo=CHINA_TZ)  # 2023-12-31 23:30 UTC
    with store.session() as session:
        session.add(SyncState(office_url="https://office.example/", last_pull_at=local))
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT last_pull_at FROM syncstate")).scalar()
    assert str(raw).startswith("2023-12-31 23:30:00")
    with store.session() as session:
        loaded = session.get(SyncState, "https://office.example/")
        assert loaded is not None
        assert loaded.last_pull_at == local
        assert loaded.last_pull_at is not None
        assert loaded.last_pull_at.tzinfo is UTC
