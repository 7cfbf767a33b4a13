"""安全生产监管执法统计月报: a month's and the year-to-date's enforcement figures, by township, industry and inspector.

Every figure is computed by a handful of grouped SQL queries (one per kind of record: inspections,
findings, documents, quizzes; the penalty amounts apart, so that only the decisions' large frozen fields
are read), run once grouped by (township, industry) and once by inspector. The
(township, industry) cells are rolled up into the township rows, the industry rows and the county
totals, so those rows always add up to the totals.

Definitions ("the period" is the month, or 1 January to the end of the month for the year-to-date;
dates are China Standard Time; the *as-of date* is the last day of the month or today, whichever is
earlier — the report shows the state of each finding on that date):

- **inspections** (检查次数): inspections that went on site (any status but 草稿) and started in the period,
  复查 included; **review_inspections** (其中复查) are those of mode 复查.
- **enterprises** (检查企业, 家): distinct enterprises among those inspections.
- **hazards_general / hazards_major** (发现隐患): findings of those inspections, by grade (一般隐患 /
  重大事故隐患); a finding belongs to the period of the inspection that recorded it.
- **rectified** (已整改): of those findings, the ones whose status is 复查合格 or 已销号 and whose rectification
  date is on or before the as-of date. The rectification date is the day of 销号 (`closed_at`; for 当场改正
  the day it was recorded), else the day of the 复查 that passed it.
- **overdue** (逾期未整改): of those findings, the ones with a deadline before the as-of date that are not
  rectified by the as-of date.
- **rectification_rate** (整改率) = rectified / (hazards_general + hazards_major), both over the findings
  of the period's inspections; None (printed "—") when no hazard was found.
- **major_supervised** (重大隐患挂牌督办): of the period's 重大事故隐患, those put under 挂牌督办 on or before the
  as-of date; **major_closed** (重大隐患销号): those 已销号 on or before the as-of date.
- **orders / on_site_measures / coercive_measures**: 责令限期整改指令书, 现场处理措施决定书 and 强制措施决定书
  issued in the period (status 已出具 or 已送达; drafts and voided documents do not count).
- **suspended_enterprises** (责令停产停业, 家): distinct enterprises with a finding of the period whose
  measure is 暂时停产停业 (安全生产法 第六十五条(三)).
- **penalties** (行政处罚, 次): 行政处罚决定书 (单位 and 个人) issued in the period, not voided;
  **penalties_on_persons** the 个人 ones (一案双罚); **fines_cents** the sum of their amounts, in fen
  (分), as frozen in the issued decision (`fields["amount_figures"]`, "20000.00元"; else the typed input).
- **quizzes / quizzes_passed** (逢查必考, 人次): quizzes started in the period and finished as 合格 or 不合格
  (中止 and unfinished ones do not count); **pass_rate** = quizzes_passed / quizzes, None when none.

By inspector, every record counts once for each inspector of its inspection, so those rows do not add up
to the county totals (two inspectors on an inspection each have it in their row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, Select, and_, case, cast, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from inspector import clock
from inspector.domain.enums import (
    DocumentKind,
    DocumentStatus,
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    Industry,
    InspectionMode,
    InspectionStatus,
    QuizStatus,
)
from inspector.errors import ValidationError
from inspector.store.models import (
    Document,
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    QuizSession,
)
from inspector.store.settings import AGENCY_KEY, get_setting

NO_TOWNSHIP = "（未填写乡镇）"
_RECTIFIED_STATES = (FindingStatus.REVIEW_PASSED, FindingStatus.CLOSED)
_ISSUED_STATES = (DocumentStatus.ISSUED, DocumentStatus.SERVED)
_PENALTY_KINDS = (DocumentKind.PENALTY_DECISION_UNIT, DocumentKind.PENALTY_DECISION_PERSON)
_COUNTED_KINDS = (
    DocumentKind.RECTIFICATION_ORDER,
    DocumentKind.ON_SITE_MEASURES,
    DocumentKind.COERCIVE_MEASURES,
    *_PENALTY_KINDS,
)


@dataclass(frozen=True)
class Figures:
    """One period's figures for one row (a township, an industry, an inspector, or the county)."""

    inspections: int = 0
    review_inspections: int = 0
    enterprises: int = 0
    hazards_general: int = 0
    hazards_major: int = 0
    rectified: int = 0
    overdue: int = 0
    major_supervised: int = 0
    major_closed: int = 0
    orders: int = 0
    on_site_measures: int = 0
    coercive_measures: int = 0
    suspended_enterprises: int = 0
    penalties: int = 0
    penalties_on_persons: int = 0
    fines_cents: int = 0
    quizzes: int = 0
    quizzes_passed: int = 0

    @property
    def hazards(self) -> int:
        return self.hazards_general + self.hazards_major

    @property
    def rectification_rate(self) -> float | None:
        return self.rectified / self.hazards if self.hazards else None

    @property
    def pass_rate(self) -> float | None:
        return self.quizzes_passed / self.quizzes if self.quizzes else None

    @property
    def fines_yuan(self) -> Decimal:
        return Decimal(self.fines_cents) / 100

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = asdict(self)
        del out["fines_cents"]
        out["hazards"] = self.hazards
        out["rectification_rate"] = _rounded(self.rectification_rate)
        out["fines_yuan"] = float(self.fines_yuan)
        out["pass_rate"] = _rounded(self.pass_rate)
        return out


FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Figures))


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


@dataclass(frozen=True)
class ReportRow:
    """A row of the report: `key` is the township, the industry's value or the inspector's id ("" for totals)."""

    key: str
    label: str
    month: Figures
    year_to_date: Figures
    detail: str = ""  # the inspector's 执法证号

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "detail": self.detail,
            "month": self.month.to_json(),
            "year_to_date": self.year_to_date.to_json(),
        }


@dataclass(frozen=True)
class MonthlyReport:
    """The month's report; see the module docstring for what each figure counts."""

    year: int
    month: int
    county_code: str | None
    agency_name: str
    period_start: date
    period_end: date
    year_start: date
    as_of: date
    totals: ReportRow
    by_township: tuple[ReportRow, ...]
    by_industry: tuple[ReportRow, ...]
    by_inspector: tuple[ReportRow, ...]

    @property
    def title(self) -> str:
        return f"{self.agency_name}安全生产监管执法统计月报（{self.year}年{self.month}月）"

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "month": f"{self.year:04d}-{self.month:02d}",
            "county_code": self.county_code,
            "agency_name": self.agency_name,
            "period": [self.period_start.isoformat(), self.period_end.isoformat()],
            "year_to_date": [self.year_start.isoformat(), self.period_end.isoformat()],
            "as_of": self.as_of.isoformat(),
            "totals": self.totals.to_json(),
            "by_township": [r.to_json() for r in self.by_township],
            "by_industry": [r.to_json() for r in self.by_industry],
            "by_inspector": [r.to_json() for r in self.by_inspector],
        }


# ─── the period ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Period:
    start: date  # first day of the month
    end: date  # last day of the month
    year_start: date
    as_of: date

    @property
    def month_from(self) -> datetime:
        return _local_midnight(self.start)

    @property
    def year_from(self) -> datetime:
        return _local_midnight(self.year_start)

    @property
    def until(self) -> datetime:
        """Exclusive end of both periods: midnight after the month's last day."""
        return _local_midnight(self.end + timedelta(days=1))

    @property
    def as_of_end(self) -> datetime:
        """Exclusive end of the as-of date: what happened before this moment had happened on that date."""
        return _local_midnight(self.as_of + timedelta(days=1))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.CHINA_TZ)


def month_period(month: date | tuple[int, int]) -> tuple[int, int]:
    """(year, month) of a date or a (year, month) pair, checked."""
    year, number = (month.year, month.month) if isinstance(month, date) else month
    if not (1 <= number <= 12) or not (2000 <= year <= 2999):
        raise ValidationError(
            f"{year:04d}-{number:02d} is not a month (want YYYY-MM, e.g. 2025-03).",
            f"月份“{year}年{number}月”不正确。",
            code="bad_month",
        )
    return year, number


def _period(year: int, month: int, today: date) -> _Period:
    start = date(year, month, 1)
    end = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
    if start > today:
        raise ValidationError(
            f"{year:04d}-{month:02d} has not begun yet (today is {today.isoformat()}).",
            f"{year}年{month}月尚未开始，不能统计。",
            code="bad_month",
        )
    return _Period(start=start, end=end, year_start=date(year, 1, 1), as_of=min(end, today))


# ─── the queries ─────────────────────────────────────────────────────────────────────────────────────

# The two ways of grouping: by (township, industry) cells, rolled up afterwards, and by inspector.
AREA = "area"
INSPECTOR = "inspector"


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _distinct(condition: ColumnElement[bool] | None, column: Any) -> ColumnElement[int]:
    value = column if condition is None else case((condition, column), else_=None)
    return func.count(func.distinct(value))


def _both(name: str, in_month: ColumnElement[bool], condition: ColumnElement[bool] | None = None) -> list[Any]:
    """The month's and the year's count of rows meeting `condition` (rows are already within the year)."""
    year = func.count() if condition is None else _sum(condition)
    month = _sum(in_month if condition is None else and_(in_month, condition))
    return [month.label(f"m_{name}"), year.label(f"y_{name}")]


def _both_distinct(
    name: str, in_month: ColumnElement[bool], condition: ColumnElement[bool] | None, column: Any
) -> list[Any]:
    month_condition = in_month if condition is None else and_(in_month, condition)
    return [
        _distinct(month_condition, column).label(f"m_{name}"),
        _distinct(condition, column).label(f"y_{name}"),
    ]


def _grouped(stmt: Select[Any], grouping: str, inspection_id: Any, county: str | None) -> Select[Any]:
    """Add the grouping columns (and the join to the inspectors) and the county filter to a fact query."""
    if county is not None:
        stmt = stmt.where(col(Enterprise.county_code) == county)
    if grouping == AREA:
        keys: list[Any] = [col(Enterprise.township), col(Enterprise.industry)]
    else:
        stmt = stmt.join(InspectionInspector, col(InspectionInspector.inspection_id) == inspection_id)
        keys = [col(InspectionInspector.inspector_id)]
    return stmt.add_columns(*keys).group_by(*keys)


def _inspection_query(p: _Period, grouping: str, county: str | None) -> Select[Any]:
    started = col(Inspection.started_at)
    in_month = started >= p.month_from
    stmt = (
        select(
            *_both("inspections", in_month),
            *_both("review_inspections", in_month, col(Inspection.mode) == InspectionMode.REVIEW),
            *_both_distinct("enterprises", in_month, None, col(Inspection.enterprise_id)),
        )
        .select_from(Inspection)
        .join(Enterprise, col(Enterprise.id) == col(Inspection.enterprise_id))
        .where(started >= p.year_from, started < p.until, col(Inspection.status) != InspectionStatus.DRAFT)
    )
    return _grouped(stmt, grouping, col(Inspection.id), county)


def _finding_query(p: _Period, grouping: str, county: str | None) -> Select[Any]:
    review = aliased(Inspection, name="review")
    started = col(Inspection.started_at)
    in_month = started >= p.month_from
    major = col(Finding.grade) == HazardGrade.MAJOR
    # 销号 time, else the passing 复查's; updated_at only for a 复查合格 row that came without either (sync).
    rectified_at = func.coalesce(col(Finding.closed_at), col(review.started_at), col(Finding.updated_at))
    rectified = and_(col(Finding.status).in_(_RECTIFIED_STATES), rectified_at < p.as_of_end)
    overdue = and_(col(Finding.deadline).is_not(None), col(Finding.deadline) < p.as_of, not_(rectified))
    supervised = and_(major, col(Finding.supervised_since).is_not(None), col(Finding.supervised_since) <= p.as_of)
    closed = and_(major, col(Finding.status) == FindingStatus.CLOSED, col(Finding.closed_at) < p.as_of_end)
    suspended = col(Finding.measure) == FindingMeasure.SUSPEND_PRODUCTION
    stmt = (
        select(
            *_both("hazards_general", in_month, col(Finding.grade) == HazardGrade.GENERAL),
            *_both("hazards_major", in_month, major),
            *_both("rectified", in_month, rectified),
            *_both("overdue", in_month, overdue),
            *_both("major_supervised", in_month, supervised),
            *_both("major_closed", in_month, closed),
            *_both_distinct("suspended_enterprises", in_month, suspended, col(Inspection.enterprise_id)),
        )
        .select_from(Finding)
        .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
        .join(Enterprise, col(Enterprise.id) == col(Inspection.enterprise_id))
        .outerjoin(review, col(review.id) == col(Finding.review_inspection_id))
        .where(started >= p.year_from, started < p.until, col(Inspection.status) != InspectionStatus.DRAFT)
    )
    return _grouped(stmt, grouping, col(Inspection.id), county)


def fine_cents() -> ColumnElement[int]:
    """A penalty decision's amount in fen, from the frozen "20000.00元" (or, failing that, the typed input)."""
    written = func.coalesce(
        col(Document.fields)["amount_figures"].as_string(),
        col(Document.fields)[("input", "amount")].as_string(),
        "0",
    )
    cleaned = func.replace(func.replace(func.replace(written, "元", ""), ",", ""), "，", "")
    return cast(func.round(cast(cleaned, Float) * 100), Integer)


def _document_query(p: _Period, grouping: str, county: str | None) -> Select[Any]:
    issued = col(Document.issued_at)
    in_month = issued >= p.month_from
    kind = col(Document.kind)
    stmt = (
        select(
            *_both("orders", in_month, kind == DocumentKind.RECTIFICATION_ORDER),
            *_both("on_site_measures", in_month, kind == DocumentKind.ON_SITE_MEASURES),
            *_both("coercive_measures", in_month, kind == DocumentKind.COERCIVE_MEASURES),
            *_both("penalties", in_month, kind.in_(_PENALTY_KINDS)),
            *_both("penalties_on_persons", in_month, kind == DocumentKind.PENALTY_DECISION_PERSON),
        )
        .select_from(Document)
        .join(Enterprise, col(Enterprise.id) == col(Document.enterprise_id))
        .where(
            issued >= p.year_from, issued < p.until, col(Document.status).in_(_ISSUED_STATES), kind.in_(_COUNTED_KINDS)
        )
    )
    return _grouped(stmt, grouping, col(Document.inspection_id), county)


def _fine_query(p: _Period, grouping: str, county: str | None) -> Select[Any]:
    """The amounts, apart: only the penalty decisions' rows are read for their (large) frozen fields."""
    issued = col(Document.issued_at)
    fen = fine_cents()
    stmt = (
        select(
            func.coalesce(func.sum(case((issued >= p.month_from, fen), else_=0)), 0).label("m_fines_cents"),
            func.coalesce(func.sum(fen), 0).label("y_fines_cents"),
        )
        .select_from(Document)
        .join(Enterprise, col(Enterprise.id) == col(Document.enterprise_id))
        .where(
            issued >= p.year_from,
            issued < p.until,
            col(Document.status).in_(_ISSUED_STATES),
            col(Document.kind).in_(_PENALTY_KINDS),
        )
    )
    return _grouped(stmt, grouping, col(Document.inspection_id), county)


def _quiz_query(p: _Period, grouping: str, county: str | None) -> Select[Any]:
    started = col(QuizSession.started_at)
    in_month = started >= p.month_from
    stmt = (
        select(
            *_both("quizzes", in_month),
            *_both("quizzes_passed", in_month, col(QuizSession.status) == QuizStatus.PASSED),
        )
        .select_from(QuizSession)
        .join(Enterprise, col(Enterprise.id) == col(QuizSession.enterprise_id))
        .where(
            started >= p.year_from,
            started < p.until,
            col(QuizSession.status).in_((QuizStatus.PASSED, QuizStatus.FAILED)),
        )
    )
    return _grouped(stmt, grouping, col(QuizSession.inspection_id), county)


_QUERIES = (_inspection_query, _finding_query, _document_query, _fine_query, _quiz_query)

_Counts = dict[str, int]  # "m_<figure>" / "y_<figure>" → value


def _collect(session: Session, p: _Period, grouping: str, county: str | None) -> dict[tuple[str, ...], _Counts]:
    """Run every fact query with one grouping; the counts of each group, keyed by its grouping values."""
    cells: dict[tuple[str, ...], _Counts] = defaultdict(dict)
    width = 2 if grouping == AREA else 1
    conn = session.connection()
    for query in _QUERIES:
        for row in conn.execute(query(p, grouping, county)):
            values = tuple(row)
            key = tuple("" if v is None else str(v) for v in values[-width:])
            mapping = row._mapping
            for name in mapping.keys():  # noqa: SIM118 (RowMapping keys are the labels)
                if name.startswith(("m_", "y_")):
                    cells[key][name] = int(mapping[name] or 0)
    return cells


def _figures(counts: Mapping[str, int], prefix: str) -> Figures:
    return Figures(**{name: counts.get(f"{prefix}_{name}", 0) for name in FIGURE_NAMES})


def _row(key: str, label: str, counts: Iterable[Mapping[str, int]], detail: str = "") -> ReportRow:
    month, year = Figures(), Figures()
    for c in counts:
        month += _figures(c, "m")
        year += _figures(c, "y")
    return ReportRow(key=key, label=label, month=month, year_to_date=year, detail=detail)


def _pinyin_order(name: str) -> tuple[bool, bytes]:
    """GB 2312 puts its common characters in pinyin order, as Chinese lists are sorted; no name comes last."""
    return (not name, name.encode("gb18030", errors="replace"))


# ─── the report ──────────────────────────────────────────────────────────────────────────────────────


def monthly_report(
    session: Session,
    month: date | tuple[int, int],
    county: str | None = None,
    *,
    today: date | None = None,
) -> MonthlyReport:
    """The monthly report of `month` (a date in it, or (year, month)); `county` limits it to a county code."""
    year, number = month_period(month)
    p = _period(year, number, today or clock.local_today())
    cells = _collect(session, p, AREA, county)
    people = _collect(session, p, INSPECTOR, county)

    enterprise_filter = [] if county is None else [col(Enterprise.county_code) == county]
    conn = session.connection()
    # Every township and industry with an enterprise gets a row, so a quiet one shows its zeros.
    known = conn.execute(
        select(col(Enterprise.township), col(Enterprise.industry)).where(*enterprise_filter).distinct()
    ).all()
    townships = sorted({str(t or "") for t, _ in known} | {k[0] for k in cells}, key=_pinyin_order)
    industries = {str(i) for _, i in known} | {k[1] for k in cells}
    order = {industry.value: n for n, industry in enumerate(Industry)}
    by_township = tuple(_row(t, t or NO_TOWNSHIP, (c for k, c in cells.items() if k[0] == t)) for t in townships)
    by_industry = tuple(
        _row(i, i, (c for k, c in cells.items() if k[1] == i))
        for i in sorted(industries, key=lambda i: (order.get(i, len(order)), i))
    )
    totals = _row("", "合计", cells.values())

    inspector_filter = (
        [col(Inspector.active)] if county is None else [col(Inspector.active), col(Inspector.county_code) == county]
    )
    officers = {
        row.id: row
        for row in session.scalars(
            select(Inspector).where(or_(and_(*inspector_filter), col(Inspector.id).in_([k[0] for k in people])))
        )
    }
    by_inspector = tuple(
        _row(o.id, o.name, [people[(o.id,)]] if (o.id,) in people else [], detail=o.cert_no)
        for o in sorted(officers.values(), key=lambda o: (o.cert_no, o.name))
    )
    setting = get_setting(session, AGENCY_KEY)
    agency = setting if isinstance(setting, dict) else {}
    return MonthlyReport(
        year=year,
        month=number,
        county_code=county,
        agency_name=str(agency.get("name", "")) or "县应急管理局",
        period_start=p.start,
        period_end=p.end,
        year_start=p.year_start,
        as_of=p.as_of,
        totals=totals,
        by_township=by_township,
        by_industry=by_industry,
        by_inspector=by_inspector,
    )
