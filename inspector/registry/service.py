"""Look up, search and register enterprises and inspectors; inputs are validated before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from inspector.domain.enums import Industry, InspectorRole
from inspector.domain.identifiers import validate_credit_code, validate_enforcement_cert_no, validate_phone
from inspector.errors import ValidationError
from inspector.store.models import Enterprise, Inspector

# A registered name (企业名称) is a few dozen characters; far longer is a paste gone wrong, and would not fit the
# name's box on any 执法文书.
MAX_ENTERPRISE_NAME = 100


@dataclass(frozen=True)
class EnterpriseRow:
    """What the enterprise list shows."""

    id: str
    name: str
    credit_code: str
    industry: str
    township: str
    address: str
    legal_representative: str
    contact_phone: str
    risk_level: str
    is_key: bool


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_enterprises(
    session: Session,
    *,
    text: str = "",
    industry: Industry | None = None,
    limit: int | None = None,
) -> list[EnterpriseRow]:
    """Enterprises whose name, credit code, address, township or legal representative contain `text`."""
    stmt = select(Enterprise)
    text = text.strip()
    if text:
        pattern = f"%{_escape_like(text)}%"
        stmt = stmt.where(
            or_(
                col(Enterprise.name).like(pattern, escape="\\"),
                col(Enterprise.credit_code).like(pattern.upper(), escape="\\"),
                col(Enterprise.address).like(pattern, escape="\\"),
                col(Enterprise.township).like(pattern, escape="\\"),
                col(Enterprise.legal_representative).like(pattern, escape="\\"),
            )
        )
    if industry is not None:
        stmt = stmt.where(Enterprise.industry == industry)
    stmt = stmt.order_by(col(Enterprise.industry), col(Enterprise.name))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        EnterpriseRow(
            id=e.id,
            name=e.name,
            credit_code=e.credit_code,
            industry=str(e.industry),
            township=e.township,
            address=e.address,
            legal_representative=e.legal_representative,
            contact_phone=e.contact_phone,
            risk_level=e.risk_level,
            is_key=e.is_key,
        )
        for e in session.exec(stmt)
    ]


def register_enterprise(
    session: Session,
    *,
    name: str,
    credit_code: str,
    industry: Industry,
    county_code: str,
    address: str = "",
    township: str = "",
    legal_representative: str = "",
    contact_phone: str = "",
    risk_level: str = "",
    is_key: bool = False,
    sector: str = "",
) -> Enterprise:
    """Add an enterprise; its credit code is checked (GB 32100) and must not be registered already."""
    name = name.strip()
    if not name:
        raise ValidationError("Enterprise name is required.", "单位名称不能为空。")
    if len(name) > MAX_ENTERPRISE_NAME:
        raise ValidationError(
            f"Enterprise name is longer than {MAX_ENTERPRISE_NAME} characters ({len(name)}).",
            f"单位名称过长（{len(name)}个字，最多{MAX_ENTERPRISE_NAME}个字），请核对后重新输入。",
        )
    code = validate_credit_code(credit_code)
    existing = session.exec(select(Enterprise).where(Enterprise.credit_code == code)).first()
    if existing is not None:
        raise ValidationError(
            f"Credit code {code} is already registered to {existing.name}.",
            f"统一社会信用代码 {code} 已登记为“{existing.name}”。",
        )
    phone = validate_phone(contact_phone) if contact_phone.strip() else ""
    enterprise = Enterprise(
        name=name,
        credit_code=code,
        industry=industry,
        sector=sector,
        county_code=county_code,
        address=address.strip(),
        township=township.strip(),
        legal_representative=legal_representative.strip(),
        contact_phone=phone,
        risk_level=risk_level,
        is_key=is_key,
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def register_inspector(
    session: Session,
    *,
    name: str,
    cert_no: str,
    unit: str,
    county_code: str,
    role: InspectorRole = InspectorRole.INSPECTOR,
    phone: str = "",
) -> Inspector:
    name = name.strip()
    if not name:
        raise ValidationError("Inspector name is required.", "执法人员姓名不能为空。")
    cert = validate_enforcement_cert_no(cert_no)
    if session.exec(select(Inspector).where(Inspector.cert_no == cert)).first() is not None:
        raise ValidationError(f"Enforcement certificate {cert} is already registered.", f"执法证号 {cert} 已登记。")
    inspector = Inspector(
        name=name,
        cert_no=cert,
        unit=unit,
        county_code=county_code,
        role=role,
        phone=validate_phone(phone) if phone.strip() else "",
    )
    session.add(inspector)
    session.flush()
    return inspector


def active_inspectors(session: Session) -> list[Inspector]:
    stmt = select(Inspector).where(col(Inspector.active)).order_by(col(Inspector.cert_no))
    return list(session.exec(stmt))


def industry_counts(session: Session) -> dict[str, int]:
    stmt = select(Enterprise.industry, func.count()).group_by(col(Enterprise.industry))
    return {str(industry): int(n) for industry, n in session.exec(stmt)}
