"""Case-number blocks: each laptop draws its case numbers (案号) from blocks the office reserved for it.

A block is the next free range of BLOCK_SIZE numbers of an agency and year, reserved under the counter lock of
that agency and year, so that two devices (or two server processes) never get overlapping blocks. The office
cannot see how many numbers a laptop has used: it makes sure a device has a block for the year, and reserves
another when the laptop says its blocks are used up (`?exhausted=1`). After the year, `close_year` voids every
reserved number no synced document carries, so that the register accounts for each number of the year.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import (
    OfficeError,
    lock_counter,
    office_number_block,
    office_record,
    office_void_number,
    reading,
    set_counter,
    writing,
)
from inspector.sync.protocol import NumberBlockInfo, NumberBlocks

BLOCK_SIZE = 100
DEFAULT_AGENCY = "阳"


def counter_name(agency_short_name: str, year: int) -> str:
    return f"numbers:{agency_short_name}:{year}"


def top_up(engine: Engine, device: Device, *, agency_short_name: str, year: int, exhausted: bool) -> NumberBlocks:
    nb = office_number_block.c
    if not exhausted:
        # Most syncs find the laptop's block in place: no write, and no turn at the agency's counter lock.
        with reading(engine) as conn:
            mine = _blocks(conn, device.id, agency_short_name, year)
        if mine:
            return NumberBlocks(blocks=mine)
    with writing(engine) as conn:
        last_given = lock_counter(conn, counter_name(agency_short_name, year))
        mine = _blocks(conn, device.id, agency_short_name, year)
        if not mine or exhausted:
            # Never below a block already handed out, even one recorded before the counter existed.
            highest = conn.execute(
                select(func.max(nb.last_number)).where(nb.agency_short_name == agency_short_name, nb.year == year)
            ).scalar_one_or_none()
            first = max(last_given, int(highest or 0)) + 1
            last = first + BLOCK_SIZE - 1
            conn.execute(
                office_number_block.insert().values(
                    device_id=device.id,
                    agency_short_name=agency_short_name,
                    year=year,
                    first_number=first,
                    last_number=last,
                    created_at=clock.now(),
                )
            )
            set_counter(conn, counter_name(agency_short_name, year), last)
            mine = _blocks(conn, device.id, agency_short_name, year)
    return NumberBlocks(blocks=mine)


def _blocks(conn: Connection, device_id: str, agency_short_name: str, year: int) -> list[NumberBlockInfo]:
    nb = office_number_block.c
    rows = conn.execute(
        select(nb.agency_short_name, nb.year, nb.first_number, nb.last_number)
        .where(nb.device_id == device_id, nb.agency_short_name == agency_short_name, nb.year == year)
        .order_by(nb.first_number)
    )
    return [
        NumberBlockInfo(
            agency_short_name=r.agency_short_name, year=r.year, first_number=r.first_number, last_number=r.last_number
        )
        for r in rows
    ]


# ─── year end ────────────────────────────────────────────────────────────────────────────────────────

YEAR_END_REASON = "年度结束未使用，收回作废"


@dataclass(frozen=True)
class ClosedYear:
    """What `close_year` found: reserved numbers, those documents used, those the laptops voided, the rest."""

    year: int
    agency_short_name: str
    reserved: int
    used: int
    voided_on_laptops: int
    returned: int  # newly written to the void register by this run (0 when run again)

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def close_year(engine: Engine, *, year: int, agency_short_name: str = DEFAULT_AGENCY) -> ClosedYear:
    """Return a finished year's unused case numbers to the office's void register (作废登记), once each.

    A number is used when a synced document carries it; a number a laptop voided goes in with the laptop's
    reason. Everything else that was reserved for a laptop is voided as unused. Running it again adds nothing."""
    if year >= clock.local_today().year:
        raise OfficeError(
            f"The year {year} is not over yet; unused case numbers are returned after it ends.",
            f"{year}年尚未结束，年末才能收回未使用的文号。",
            code="year_not_over",
        )
    nb, rc, vn = office_number_block.c, office_record.c, office_void_number.c
    with writing(engine) as conn:
        lock_counter(conn, counter_name(agency_short_name, year))  # no block of the year is handed out meanwhile
        blocks = conn.execute(
            select(nb.device_id, nb.first_number, nb.last_number).where(
                nb.agency_short_name == agency_short_name, nb.year == year
            )
        ).all()
        owner = {n: b.device_id for b in blocks for n in range(b.first_number, b.last_number + 1)}
        used: set[int] = set()
        voided: dict[int, str] = {}
        for table, data in conn.execute(
            select(rc.table_name, rc.data).where(rc.table_name.in_(["document", "voidnumber"]), rc.deleted.is_(False))
        ):
            if not isinstance(data, dict):
                continue
            if table == "document" and data.get("case_year") == year and isinstance(data.get("case_number"), int):
                used.add(data["case_number"])
            elif (
                table == "voidnumber"
                and data.get("year") == year
                and data.get("agency_short_name") == agency_short_name
                and isinstance(data.get("number"), int)
            ):
                voided[data["number"]] = str(data.get("reason") or "作废")
        already = {
            int(n)
            for n in conn.execute(select(vn.number).where(vn.agency_short_name == agency_short_name, vn.year == year))
            .scalars()
            .all()
        }
        now = clock.now()
        rows = [
            {
                "agency_short_name": agency_short_name,
                "year": year,
                "number": number,
                "device_id": device_id,
                "reason": voided.get(number, YEAR_END_REASON),
                "recorded_at": now,
            }
            for number, device_id in sorted(owner.items())
            if number not in used and number not in already
        ]
        if rows:
            conn.execute(office_void_number.insert(), rows)
    return ClosedYear(
        year=year,
        agency_short_name=agency_short_name,
        reserved=len(owner),
        used=len(used & owner.keys()),
        voided_on_laptops=len(voided.keys() & owner.keys()),
        returned=len(rows),
    )


def void_register(engine: Engine, *, year: int, agency_short_name: str = DEFAULT_AGENCY) -> list[tuple[int, str]]:
    """(number, reason) of the year's voided case numbers, in order."""
    vn = office_void_number.c
    with reading(engine) as conn:
        rows = conn.execute(
            select(vn.number, vn.reason)
            .where(vn.agency_short_name == agency_short_name, vn.year == year)
            .order_by(vn.number)
        ).all()
    return [(int(r.number), str(r.reason)) for r in rows]
