"""Crash safety: the write path SIGKILLed at seeded moments, again and again on the same folder, loses nothing.

The harness of benchmarks/crash.py (which runs ≥ 500 trials) on a small seeded set: a worker process edits records,
ingests photos and issues documents through the core services, printing an ACK after each commit; it is killed
while opening the store, or inside an edit, a photo ingest or a document issue (anywhere, inside the blob write,
inside the commit), and the folder is reopened and checked after every kill. Each folder takes 9 kills in a row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.crash import TARGETS, Totals, run_trials

pytestmark = pytest.mark.slow

TRIALS = 2 * len(TARGETS)  # every target twice: ~10 s
SEED = 8
PER_FOLDER = len(TARGETS)


@pytest.fixture(scope="module")
def totals(tmp_path_factory: pytest.TempPathFactory) -> Totals:
    work = Path(tmp_path_factory.mktemp("crash"))
    return Totals.of(run_trials(TRIALS, SEED, workers=1, per_folder=PER_FOLDER, work_dir=work))


def story(totals: Totals) -> str:
    return "\n".join(totals.failures) or f"kills: {dict(totals.kills)}"


def test_every_trial_kills_a_worker_that_was_writing(totals: Totals) -> None:
    assert totals.trials == TRIALS
    assert totals.worker_errors == 0, story(totals)
    # The kills land during each kind of operation, and the workers acknowledged work of each kind.
    assert {"start", "edit", "photo", "document"} <= set(totals.kills_by_group), story(totals)
    assert sum(n for landed, n in totals.kills.items() if landed.endswith(("/blob", "/commit"))) >= 3, story(totals)
    assert totals.acks["edit"] >= 10 and totals.acks["photo"] >= 2 and totals.acks["document"] >= 2, totals.acks


def test_every_acknowledged_edit_photo_and_document_survives(totals: Totals) -> None:
    assert totals.checks >= sum(totals.acks.values())  # every ACK checked at least once after a reopen
    assert totals.lost == 0, story(totals)


def test_no_half_written_blob_is_ever_visible(totals: Totals) -> None:
    assert totals.blobs_verified > 0
    assert totals.half_written == 0, story(totals)
    assert totals.stray_files == 0, story(totals)
    assert totals.missing_files == 0, story(totals)
    assert totals.derived_bad == 0, story(totals)


def test_the_database_opens_clean_after_every_kill(totals: Totals) -> None:
    assert totals.open_failures == 0, story(totals)


def test_an_encrypted_folder_loses_nothing_either(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same kills on an encrypted folder: SQLCipher's pages and the sealed blobs (temporary file, then rename)."""
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", "")  # run_trials sets it; the test's end takes it away again
    encrypted = Totals.of(
        run_trials(len(TARGETS), SEED + 1, workers=1, per_folder=PER_FOLDER, work_dir=tmp_path, encrypted=True)
    )
    assert encrypted.trials == len(TARGETS) and encrypted.worker_errors == 0, story(encrypted)
    assert encrypted.checks >= sum(encrypted.acks.values()) > 0
    assert encrypted.lost == 0 and encrypted.half_written == 0 and encrypted.derived_bad == 0, story(encrypted)
    assert encrypted.open_failures == 0 and encrypted.audit_problems == 0, story(encrypted)
    assert encrypted.ok, story(encrypted)


def test_the_audit_chain_and_case_numbers_hold_after_every_kill(totals: Totals) -> None:
    assert totals.audit_problems == 0, story(totals)
    assert totals.number_problems == 0, story(totals)
    assert totals.ok, story(totals)
