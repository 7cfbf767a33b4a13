"""Import checklist definitions as versioned templates, and read templates back for the screens and the CLI."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector.checklists.files import load_builtin_definitions
from inspector.checklists.schema import ChecklistDef
from inspector.errors import ValidationError
from inspector.store.ids import stable_id
from inspector.store.models import ChecklistItem, ChecklistTemplate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    template_id: str
    code: str
    revision: int
    created: bool  # False when this exact revision was imported before
    item_count: int


@dataclass(frozen=True)
class TemplateRow:
    id: str
    code: str
    revision: int
    title: str
    industry: str
    source: str
    is_current: bool
    item_count: int


def import_definition(session: Session, definition: ChecklistDef) -> ImportResult:
    """Store a checklist as a new template revision; the same revision again is a no-op.

    Inspections keep pointing at the revision they started with, so an older revision is never changed or
    deleted: a changed file must carry a higher revision number.
    """
    existing = session.exec(
        select(ChecklistTemplate).where(
            ChecklistTemplate.code == definition.code, ChecklistTemplate.revision == definition.revision
        )
    ).first()
    if existing is not None:
        if existing.content_sha256 != definition.sha256:
            raise ValidationError(
                f"Checklist {definition.code} revision {definition.revision} was imported before with different "
                "content; give the changed file a higher revision.",
                f"检查表“{definition.title}”第{definition.revision}版已导入且内容不同，修改后的文件须提高版本号。",
            )
        count = session.exec(
            select(func.count()).select_from(ChecklistItem).where(ChecklistItem.template_id == existing.id)
        ).one()
        return ImportResult(existing.id, existing.code, existing.revision, False, int(count))
    newest = session.exec(
        select(func.max(ChecklistTemplate.revision)).where(ChecklistTemplate.code == definition.code)
    ).one()
    if newest is not None and newest > definition.revision:
        raise ValidationError(
            f"Checklist {definition.code} already has revision {newest}; revision {definition.revision} is older.",
            f"检查表“{definition.title}”已有第{newest}版，不能导入较旧的第{definition.revision}版。",
        )
    for older in session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == definition.code)):
        older.is_current = False
        session.add(older)
    template = ChecklistTemplate(
        id=stable_id("checklisttemplate", definition.code, definition.revision),
        code=definition.code,
        revision=definition.revision,
        title=definition.title,
        industry=definition.industry,
        source="；".join(definition.sources),
        content_sha256=definition.sha256,
        is_current=True,
    )
    session.add(template)
    session.flush()
    position = 0
    for section in definition.sections:
        for item in section.items:
            session.add(
                ChecklistItem(
                    id=stable_id("checklistitem", definition.code, definition.revision, item.code),
                    template_id=template.id,
                    section_code=section.code,
                    section=section.title,
                    position=position,
                    code=item.code,
                    content=item.content,
                    method=item.method,
                    basis=item.basis,
                    basis_text=item.basis_text,
                    failure_grade=item.grade,
                    unconfirmed=item.unconfirmed,
                    note=item.note,
                )
            )
            position += 1
    session.flush()
    return ImportResult(template.id, template.code, template.revision, True, position)


def install_builtin_checklists(session: Session) -> list[ImportResult]:
    """Bring the shipped checklists into the database (new revisions only).

    A shipped file changed without a new revision (for instance general.toml, which every industry
    checklist includes) is logged and skipped, so the app and the demo still open; the test against
    resources/checklists/released.json catches such a change before it ships.
    """
    results = []
    for definition in load_builtin_definitions().values():
        if definition.industry == "通用":
            continue  # the general section is part of every industry checklist, never used alone
        try:
            with session.begin_nested():
                results.append(import_definition(session, definition))
        except ValidationError as exc:
            log.error("shipped checklist %s not installed: %s", definition.code, exc)
    return results


def list_templates(session: Session, *, current_only: bool = True) -> list[TemplateRow]:
    stmt = (
        select(ChecklistTemplate, func.count(col(ChecklistItem.id)))
        .join(ChecklistItem, col(ChecklistItem.template_id) == col(ChecklistTemplate.id), isouter=True)
        .group_by(col(ChecklistTemplate.id))
        .order_by(col(ChecklistTemplate.industry), col(ChecklistTemplate.code), col(ChecklistTemplate.revision))
    )
    if current_only:
        stmt = stmt.where(col(ChecklistTemplate.is_current))
    return [
        TemplateRow(t.id, t.code, t.revision, t.title, t.industry, t.source, t.is_current, int(n))
        for t, n in session.exec(stmt)
    ]


def find_template(session: Session, key: str) -> ChecklistTemplate:
    """A template by id, or the current revision of a code ("coal"), or "code@revision"."""
    template = session.get(ChecklistTemplate, key)
    if template is not None:
        return template
    code, _, revision = key.partition("@")
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.code == code)
    if revision:
        if not (revision.isascii() and revision.isdecimal()):
            raise ValidationError(f"Bad revision in {key!r}.", f"版本号不正确：{key}")
        stmt = stmt.where(ChecklistTemplate.revision == int(revision))
    else:
        stmt = stmt.where(col(ChecklistTemplate.is_current))
    found = session.exec(stmt).first()
    if found is None:
        raise ValidationError(f"No checklist {key!r}.", f"找不到检查表：{key}")
    return found


def template_items(session: Session, template_id: str) -> list[ChecklistItem]:
    stmt = select(ChecklistItem).where(ChecklistItem.template_id == template_id).order_by(col(ChecklistItem.position))
    return list(session.exec(stmt))


def current_template_for_industry(session: Session, industry: str) -> ChecklistTemplate | None:
    stmt = (
        select(ChecklistTemplate)
        .where(ChecklistTemplate.industry == industry, col(ChecklistTemplate.is_current))
        .order_by(col(ChecklistTemplate.code))
    )
    return session.exec(stmt).first()
