"""The checklists shipped in resources/checklists/, validated together so that includes resolve."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from inspector.checklists.schema import ChecklistDef, ChecklistFileError, parse_checklist_file
from inspector.resources import resource_path
from inspector.tomlfiles import Problem


def builtin_checklist_paths() -> list[Path]:
    return sorted(resource_path("checklists").glob("*.toml"))


def load_definitions(paths: Iterable[Path], *, extra: Iterable[Path] = ()) -> dict[str, ChecklistDef]:
    """Parse `paths` (and `extra`, for includes only); return `paths`' checklists with includes resolved.

    Every problem of every file is collected before raising, so one run reports them all.
    """
    wanted = list(paths)
    problems: list[Problem] = []
    parsed: dict[str, ChecklistDef] = {}
    wanted_codes: list[str] = []
    for path in [*wanted, *extra]:
        try:
            definition = parse_checklist_file(path)
        except ChecklistFileError as exc:
            problems.extend(exc.problems)
            continue
        if path in wanted:
            if definition.code in wanted_codes:
                problems.append(Problem(path.name, None, "[checklist]", f"code {definition.code!r} used by two files"))
            wanted_codes.append(definition.code)
        parsed.setdefault(definition.code, definition)
    resolved: dict[str, ChecklistDef] = {}
    for code in wanted_codes:
        try:
            resolved[code] = parsed[code].with_included(parsed)
        except ChecklistFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ChecklistFileError(problems)
    return resolved


def load_builtin_definitions() -> dict[str, ChecklistDef]:
    return load_definitions(builtin_checklist_paths())
