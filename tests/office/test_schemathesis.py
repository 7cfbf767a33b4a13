"""Schemathesis against the office's own OpenAPI, in-process (ASGI), as an enrolled laptop of county A.

Every operation gets generated requests, valid and invalid (schemathesis' positive and negative modes). Whatever
they hold, the office must answer without a 5xx, with a status and body its schema documents, and never with
anything of county B: county B's laptop pushed records, a conflict and a photo full of distinctive strings
first, and a check of our own looks for each of them in every response body.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import AuthContext, Case, CheckContext, CheckFunction, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from inspector.office import limits
from inspector.office.app import create_app, router
from inspector.office.db import office_record
from inspector.sync.protocol import API
from tests.office.conftest import COUNTY_A, COUNTY_B, Laptop, Office, TestClient, change, enterprise, evidence, new_id

EXAMPLES_PER_OPERATION = 40  # per operation and generation mode: ≈ 30 s for the whole API

# What county B holds: none of it may appear in any answer to county A.
SECRET_NAME = "沁水县绝密矿业有限公司QSX7"
SECRET_ADDRESS = "沁水县端氏镇机密路QSX7号"
SECRET_PHONE = "0356-7777QSX"
SECRET_BLOB = b"QSX7-BLOB-SECRET " * 64  # the bytes of county B's photo


@dataclass(frozen=True)
class CountyB:
    markers: tuple[str, ...]  # every string of B's records that a response to A must not hold
    blob_sha256: str
    enterprise_id: str


def _fill_county_b(office: Office) -> CountyB:
    """County B's laptops push an enterprise, an inspection, a photo and a field conflict (logged by the office)."""
    one = office.enroll(county=COUNTY_B, name="孙四")
    two = office.enroll(county=COUNTY_B, name="周五")
    ent, insp, ev = new_id("qsx-ent"), new_id("qsx-insp"), new_id("qsx-ev")
    sha = one.upload(SECRET_BLOB)
    base = {"name": SECRET_NAME, "county_code": COUNTY_B, "address": SECRET_ADDRESS, "contact_phone": SECRET_PHONE}
    assert one.push(
        [change("enterprise", ent, base, fields={"*": ["000001700000000.00000.laptop-b1", None]})]
    ).is_success
    assert one.push(
        [
            change("inspection", insp, {"enterprise_id": ent, "status": "进行中", "notes": SECRET_NAME}),
            evidence(ev, insp, sha),
        ]
    ).is_success
    # Two laptops change the same column from the same value: the office writes a syncconflict record of B.
    for laptop, device, address in ((one, "laptop-b1", "QSX7-甲地址"), (two, "laptop-b2", "QSX7-乙地址")):
        edited = change(
            "enterprise",
            ent,
            {**base, "address": address},
            version=2,
            fields={"address": [f"000001700000600.00000.{device}", SECRET_ADDRESS]},
        )
        assert laptop.push([edited]).is_success
    with office.engine.connect() as conn:
        logged = conn.execute(select(office_record.c.county_code).where(office_record.c.table_name == "syncconflict"))
        assert list(logged.scalars()) == [COUNTY_B]
    return CountyB(
        markers=(SECRET_NAME, SECRET_ADDRESS, SECRET_PHONE, "QSX7", ent, insp, ev, sha),
        blob_sha256=sha,
        enterprise_id=ent,
    )


@dataclass
class Fuzzed:
    office: Office
    laptop: Laptop  # county A's: every generated request is sent with its token
    county_b: CountyB
    examples: Counter[str]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """One office on SQLite for every operation (the PostgreSQL-only failures found here are pinned down by
    tests/test_hostile_input.py on both databases)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    with pytest.MonkeyPatch.context() as patch:
        # Schemathesis also sends requests without a token (negative cases) from the one test address; the
        # office's limiter would then lock that address out, as designed, and every later answer would be a 429.
        patch.setattr(limits, "MAX_FAILURES", 1_000_000)
        app = create_app(f"sqlite:///{folder / 'office.sqlite'}", folder / "blobs")
        with TestClient(app) as client:
            office = Office(app, client, app.state.office.engine, folder / "blobs")
            county_b = _fill_county_b(office)
            laptop = office.enroll(county=COUNTY_A, name="王一")
            ent = new_id("ent")
            assert laptop.push(
                [enterprise(ent), change("inspection", new_id("insp"), {"enterprise_id": ent})]
            ).is_success
            laptop.upload(b"county A photo")
            examples: Counter[str] = Counter()
            yield Fuzzed(office, laptop, county_b, examples)
    # Shown with `pytest -s`: how many generated requests each operation got.
    print(f"\nschemathesis: {sum(examples.values())} requests on {len(examples)} operation/mode pairs")
    for label, count in sorted(examples.items()):
        print(f"  {count:4d}  {label}")


def _operation_labels() -> list[str]:
    """The office's operations, read from its router alone (no database needed to collect the tests)."""
    bare = FastAPI()
    bare.include_router(router)
    return [result.ok().label for result in schemathesis.openapi.from_dict(bare.openapi()).get_all_operations()]


def _no_county_b(fuzzed: Fuzzed) -> CheckFunction:
    def no_data_of_county_b(_ctx: CheckContext, response: Response, case: Case) -> None:
        body = response.content.decode("utf-8", "replace")
        with contextlib.suppress(ValueError):  # JSON may spell Chinese as \\uXXXX escapes: look at it decoded too
            body += json.dumps(json.loads(body), ensure_ascii=False)
        leaked = [marker for marker in fuzzed.county_b.markers if marker in body]
        assert not leaked, f"{case.operation.label} answered county A with county B's {leaked}"

    return no_data_of_county_b


# Schemathesis' pytest loader (schemathesis.pytest.from_fixture) does not run under pytest 9's node ids, so the
# operations are parametrized here and each one is a plain Hypothesis test over schemathesis' case strategy.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("label", _operation_labels())
def test_the_office_api_under_generated_requests(fuzzed: Fuzzed, label: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed.office.app)
    token = fuzzed.laptop.token

    class CountyAToken:
        """County A's device token on every case, except where a negative case dropped the header on purpose."""

        def get(self, _case: Case, _ctx: AuthContext) -> str:
            return token

        def set(self, case: Case, data: str, _ctx: AuthContext) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth(refresh_interval=None)(CountyAToken)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
        _no_county_b(fuzzed),
    ]

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,  # the same examples on every run: a failure here is reproducible, not remembered
        derandomize=True,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case) -> None:
        fuzzed.examples[f"{label} ({mode.value})"] += 1
        case.call_and_validate(checks=checks)

    run()
    assert fuzzed.examples[f"{label} ({mode.value})"] > 0


def test_county_b_is_invisible_to_county_a_by_id_and_hash(fuzzed: Fuzzed) -> None:
    """What generated requests cannot guess: county B's own ids and blob hash, asked for directly."""
    a, b = fuzzed.laptop, fuzzed.county_b
    client = fuzzed.office.client
    r = client.get(f"{API}/blobs/{b.blob_sha256}", headers=a.headers)
    assert r.status_code == 404 and SECRET_BLOB not in r.content
    r = a.push([enterprise(b.enterprise_id, county=COUNTY_A, name="改名")])
    assert r.status_code == 403 and r.json()["code"] == "other_jurisdiction"
    pulled = str(a.pull_all())
    assert not [m for m in b.markers if m in pulled]
    assert hashlib.sha256(SECRET_BLOB).hexdigest() == b.blob_sha256
