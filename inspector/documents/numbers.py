"""文书编号: `（简称）应急<type word>〔YYYY〕N号`, one case number N per inspection, drawn from a block.

The office reserves a block of case numbers per agency and year for each laptop (sync brings it), so
laptops never collide offline and the agency's numbers stay gap-free: a number drawn and never used goes
into the void register (VoidNumber) that the office sees. N is drawn when the inspection's first document
is issued, not when the inspection starts, so an inspection abandoned before any document leaves no gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from inspector.domain.enums import DocumentKind
from inspector.errors import TransitionError, ValidationError
from inspector.store.models import Inspection, NumberBlock, VoidNumber


def number_text(short_name: str, kind: DocumentKind, year: int, number: int) -> str:
    word = kind.number_word
    if not word:
        return ""
    return f"（{short_name}）应急{word}〔{year}〕{number}号"


@dataclass(frozen=True)
class BlockRow:
    id: str
    agency_short_name: str
    year: int
    first_number: int
    last_number: int
    next_number: int

    @property
    def remaining(self) -> int:
        return max(0, self.last_number - self.next_number + 1)


def add_block(session: Session, *, short_name: str, year: int, first: int, last: int, device_id: str) -> NumberBlock:
    """Record a block the office reserved for this laptop; overlapping an existing block is refused."""
    if not short_name.strip():
        raise ValidationError("The agency short name is empty.", "机关简称不能为空。")
    if first < 1 or last < first:
        raise ValidationError(f"Bad block {first}–{last}.", f"编号段 {first}—{last} 不正确。")
    overlapping = session.exec(
        select(NumberBlock).where(
            NumberBlock.agency_short_name == short_name,
            NumberBlock.year == year,
            NumberBlock.first_number <= last,
            NumberBlock.last_number >= first,
        )
    ).first()
    if overlapping is not None:
        raise ValidationError(
            f"Block {first}–{last} overlaps {overlapping.first_number}–{overlapping.last_number}.",
            f"编号段 {first}—{last} 与已有编号段 {overlapping.first_number}—{overlapping.last_number} 重叠。",
        )
    block = NumberBlock(
        agency_short_name=short_name, year=year, first_number=first, last_number=last, next_number=first,
        device_id=device_id,
    )  # fmt: skip
    session.add(block)
    session.flush()
    return block


def blocks(session: Session, *, year: int | None = None) -> list[BlockRow]:
    query = select(NumberBlock).order_by(col(NumberBlock.year), col(NumberBlock.first_number))
    if year is not None:
        query = query.where(NumberBlock.year == year)
    return [
        BlockRow(b.id, b.agency_short_name, b.year, b.first_number, b.last_number, b.next_number)
        for b in session.exec(query)
    ]


def case_number_for(session: Session, inspection: Inspection, *, short_name: str, year: int) -> tuple[int, int]:
    """The inspection's (year, N): drawn from this laptop's block the first time, the same ever after."""
    if inspection.case_year is not None and inspection.case_number is not None:
        return inspection.case_year, inspection.case_number
    if inspection.review_of_inspection_id is not None:
        # A 复查 belongs to the case it reviews: 责改〔2024〕37号 → 复查〔2024〕37号.
        reviewed = session.get(Inspection, inspection.review_of_inspection_id)
        if reviewed is not None and reviewed.case_year is not None and reviewed.case_number is not None:
            inspection.case_year, inspection.case_number = reviewed.case_year, reviewed.case_number
            session.add(inspection)
            session.flush()
            return reviewed.case_year, reviewed.case_number
    block = session.exec(
        select(NumberBlock)
        .where(
            NumberBlock.agency_short_name == short_name,
            NumberBlock.year == year,
            NumberBlock.next_number <= NumberBlock.last_number,
            NumberBlock.device_id == session.info.get("device_id", ""),
        )
        .order_by(col(NumberBlock.first_number))
    ).first()
    if block is None:
        raise TransitionError(
            f"No case numbers left for {short_name} {year} on this laptop.",
            f"本机没有{year}年可用的文书编号段。请连接办公室同步领取编号段后再签发（草稿可先保存）。",
            code="no_numbers",
        )
    number = block.next_number
    block.next_number += 1
    inspection.case_year, inspection.case_number = year, number
    session.add(block)
    session.add(inspection)
    session.flush()
    return year, number


def void_number(session: Session, *, short_name: str, year: int, number: int, reason: str) -> VoidNumber:
    """Put a drawn number that will never carry a document into the void register."""
    if not reason.strip():
        raise ValidationError("A void entry needs a reason.", "作废编号须说明原因。")
    existing = session.exec(
        select(VoidNumber).where(
            VoidNumber.agency_short_name == short_name, VoidNumber.year == year, VoidNumber.number == number
        )
    ).first()
    if existing is not None:
        return existing
    entry = VoidNumber(agency_short_name=short_name, year=year, number=number, reason=reason.strip())
    session.add(entry)
    session.flush()
    return entry
