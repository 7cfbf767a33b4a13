"""The start-up fast path trusts HEAD_REVISION: it must name the newest migration script."""

from inspector.store.migrate import HEAD_REVISION, head_revision


def test_head_revision_constant_matches_the_scripts() -> None:
    assert head_revision() == HEAD_REVISION
