"""A shipped checklist that changed must carry a new revision: laptops already hold the old one.

resources/checklists/released.json records (revision, content hash) of every shipped checklist, the
included general section counted in. Changing a file without raising its revision — or changing
general.toml without raising the revision of every industry checklist — fails here. After raising the
revisions, add the new entries with:
    .venv/bin/python -c "from tests.checklists.test_released import write_manifest; write_manifest()"
"""

from __future__ import annotations

import json

from inspector.checklists.files import load_builtin_definitions
from inspector.resources import resource_path

MANIFEST = resource_path("checklists", "released.json")


def write_manifest() -> None:
    released = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for code, definition in load_builtin_definitions().items():
        released[code] = {"revision": definition.revision, "sha256": definition.sha256}
    MANIFEST.write_text(json.dumps(dict(sorted(released.items())), indent=2, ensure_ascii=False) + "\n", "utf-8")


def test_changed_checklists_carry_a_new_revision() -> None:
    released = json.loads(MANIFEST.read_text(encoding="utf-8"))
    stale = []
    for code, definition in load_builtin_definitions().items():
        entry = released.get(code)
        if entry is None:
            stale.append(f"{code}: not in released.json yet (run write_manifest)")
        elif entry["revision"] == definition.revision and entry["sha256"] != definition.sha256:
            stale.append(f"{code} r{definition.revision}: content changed; raise its revision")
        elif entry["revision"] > definition.revision:
            stale.append(f"{code}: revision went down from {entry['revision']} to {definition.revision}")
    assert stale == []
