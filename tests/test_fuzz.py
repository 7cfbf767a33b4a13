"""Hostile input, generated: importers and the office's push parser answer every input with a clear error of
their own (or accept it) — never a crash, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.checklists.schema import parse_checklist_text
from inspector.errors import InspectorError
from inspector.office.admin import add_user, enroll_device
from inspector.office.app import create_app
from inspector.quiz.banks import parse_bank_text

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

toml_keys = st.sampled_from(["id", "name", "industry", "items", "sections", "code", "content", "questions", "type"])
toml_values = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.booleans(),
    st.lists(st.text(max_size=10), max_size=3),
)


@st.composite
def toml_like(draw: Any) -> str:
    """Text that is often TOML-shaped, with the importers' own keys, and often broken."""
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            lines.append(f"[{draw(st.sampled_from(['meta', 'section', '[items]', '[questions]', 'x']))}]")
        elif kind == 1:
            value = draw(toml_values)
            rendered = repr(value).replace("'", '"') if not isinstance(value, bool) else str(value).lower()
            lines.append(f"{draw(toml_keys)} = {rendered}")
        else:
            lines.append(draw(st.text(max_size=30)))
    return "\n".join(lines)


@FUZZ
@given(text=st.one_of(toml_like(), st.text(max_size=300)))
def test_checklist_and_bank_importers_refuse_with_their_own_errors(text: str) -> None:
    for parse in (parse_checklist_text, parse_bank_text):
        try:
            parse(text)
        except InspectorError as exc:
            assert exc.message_zh  # a Chinese message for the screen
        except Exception as exc:
            pytest.fail(f"{parse.__name__} raised {type(exc).__name__}: {exc!r} for {text!r}")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


TABLES = st.one_of(st.sampled_from(["enterprise", "finding", "evidence", "syncconflict"]), st.text(max_size=8))
DATA_KEYS = st.sampled_from(["id", "name", "county_code", "enterprise_id", "sha256"])
FIELDS = st.dictionaries(st.text(max_size=8), st.lists(json_scalars, max_size=3), max_size=3)


@st.composite
def push_bodies(draw: Any) -> Any:
    change = st.fixed_dictionaries(
        {
            "table": TABLES,
            "id": st.text(min_size=0, max_size=40),
            "op": st.sampled_from(["upsert", "delete", "drop"]),
            "version": st.one_of(st.integers(-3, 10), st.text(max_size=3)),
        },
        optional={
            "data": st.one_of(st.none(), st.dictionaries(DATA_KEYS, json_values, max_size=5)),
            "fields": st.one_of(st.none(), FIELDS),
            "updated_at": st.one_of(st.none(), st.text(max_size=25)),
        },
    )
    return draw(
        st.one_of(
            st.fixed_dictionaries({"batch_id": st.text(max_size=20), "changes": st.lists(change, max_size=4)}),
            json_values,
        )
    )


@pytest.fixture(scope="module")
def office_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder: Path = tmp_path_factory.mktemp("fuzz-office")
    app = create_app(f"sqlite:///{folder / 'office.sqlite'}", folder / "blobs")
    with TestClient(app) as client:
        engine = app.state.office.engine
        user = add_user(engine, name="模糊测试", role="inspector", county_code="140522")
        token = client.post("/api/v1/enroll", json={"code": enroll_device(engine, user), "device_name": "fuzz"}).json()[
            "token"
        ]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@FUZZ
@given(body=push_bodies())
def test_the_office_answers_any_push_body_without_a_server_error(office_client: TestClient, body: Any) -> None:
    r = office_client.post("/api/v1/push", json=body)
    assert r.status_code in (200, 403, 409, 422), (r.status_code, r.text, body)
    assert r.json().get("code") != "internal"
