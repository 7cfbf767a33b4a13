"""Case-number blocks: each laptop draws its case numbers (案号) from blocks the office reserved for it.

A block is the next free range of BLOCK_SIZE numbers of an agency and year, reserved under the counter lock of
that agency and year, so that two devices (or two server processes) never get overlapping blocks. The office
cannot see how many numbers a laptop has used: it makes sure a device has a block for the year, and reserves
another when the laptop says its blocks are used up (`?exhausted=1`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, func, select

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import lock_counter, office_number_block, set_counter, writing
from inspector.sync.protocol import NumberBlockInfo, NumberBlocks

BLOCK_SIZE = 100
DEFAULT_AGENCY = "阳"


def counter_name(agency_short_name: str, year: int) -> str:
    return f"numbers:{agency_short_name}:{year}"


def top_up(engine: Engine, device: Device, *, agency_short_name: str, year: int, exhausted: bool) -> NumberBlocks:
    nb = office_number_block.c
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
