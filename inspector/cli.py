"""The `inspector` command: the desktop app by default, plus subcommands for scripts, tests and reviews."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector import __version__
from inspector.config import resolve_data_dir
from inspector.errors import InspectorError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from inspector.store.db import Store

log = logging.getLogger("inspector")

Handler = Callable[[argparse.Namespace], int]

ROLLING_YEAR = "last-365-days"  # `demo --year` without a year
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="安全生产现场执法助手 (Inspector). Without a command, starts the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (default: $INSPECTOR_DATA_DIR, else the platform's user data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output to stderr")
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="run the main paths end to end in a temporary folder (checks an installed bundle); exit 1 on failure",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", help="start the desktop app (the default)")
    p.add_argument("--page", help="navigation page to open first, e.g. 企业")
    p.set_defaults(handler=_cmd_gui)

    p = sub.add_parser("demo", help="seed a realistic demo of 阳城县 into the data folder (idempotent)")
    p.add_argument("--json", action="store_true", help="print what the demo holds as JSON")
    p.add_argument(
        "--year",
        nargs="?",
        const=ROLLING_YEAR,
        metavar="YYYY",
        help="a year of data instead (300 enterprises, 4,000 inspections): calendar year YYYY, "
        "or without YYYY the 365 days up to yesterday",
    )
    p.add_argument("--seed", type=int, help="--year: random seed (default 2024); the same seed gives the same data")
    p.add_argument("--inspections", type=int, metavar="N", help="--year: how many inspections (default 4000)")
    p.add_argument("--enterprises", type=int, metavar="N", help="--year: how many enterprises (default 300)")
    p.add_argument(
        "--encrypted",
        action="store_true",
        help="encrypt the folder first (passphrase from $INSPECTOR_PASSPHRASE); prints the recovery key",
    )
    p.set_defaults(handler=_cmd_demo)

    p = sub.add_parser(
        "encrypt",
        help="encrypt the data folder (a new one, or a clear-text one of an earlier version) under a passphrase",
    )
    p.set_defaults(handler=_cmd_encrypt)
    p = sub.add_parser("passwd", help="change the passphrase of an encrypted data folder")
    p.set_defaults(handler=_cmd_passwd)
    p = sub.add_parser("recover", help="forgotten passphrase: set a new one with the recovery key printed at set-up")
    p.set_defaults(handler=_cmd_recover)

    report = sub.add_parser("report", help="执法统计: the monthly enforcement report")
    rsub = report.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    p = rsub.add_parser("monthly", help="a month's and the year-to-date's figures by township, industry and inspector")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2025-03")
    p.add_argument("--out", metavar="FILE.xlsx", type=Path, help="write the report as a spreadsheet")
    p.add_argument("--county", metavar="CODE", help="only this county's enterprises (6-digit code)")
    p.add_argument("--json", action="store_true", help="print every figure as JSON")
    p.set_defaults(handler=_cmd_report_monthly)

    p = sub.add_parser("info", help="data folder, schema version and row counts")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=_cmd_info)

    checklist = sub.add_parser("checklist", help="official checklists: validate, list, show, import")
    csub = checklist.add_subparsers(dest="checklist_command", metavar="ACTION", required=True)
    p = csub.add_parser("validate", help="check checklist files; every problem with file, line and item")
    p.add_argument("files", nargs="+", metavar="FILE", type=Path)
    p.set_defaults(handler=_cmd_checklist_validate)
    p = csub.add_parser("list", help="checklists in the data folder (the shipped ones are installed first)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="older revisions too")
    p.set_defaults(handler=_cmd_checklist_list)
    p = csub.add_parser("show", help="one checklist's sections and items")
    p.add_argument("key", metavar="ID", help="template id, code (current revision) or code@revision")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_checklist_show)
    p = csub.add_parser("import", help="import a checklist file as a new revision of its template")
    p.add_argument("file", metavar="FILE", type=Path)
    p.set_defaults(handler=_cmd_checklist_import)

    bank = sub.add_parser("bank", help="question banks (逢查必考): validate, import, template, list")
    bsub = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    p = bsub.add_parser("validate", help="check question bank files (TOML); every problem with file, line and code")
    p.add_argument("files", nargs="+", metavar="FILE", type=Path)
    p.set_defaults(handler=_cmd_bank_validate)
    p = bsub.add_parser("import", help="import a bank file (.toml) or questions from a spreadsheet (.xlsx, .csv)")
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--bank", metavar="CODE", help="spreadsheets: the bank to add to (made if new)")
    p.add_argument("--title", help="spreadsheets: title of a new bank (default: the file name)")
    p.add_argument("--industry", default="通用", help="spreadsheets: industry of a new bank (default 通用)")
    p.add_argument(
        "--valid-only", action="store_true", help="spreadsheets: import the valid rows even if some rows have errors"
    )
    p.set_defaults(handler=_cmd_bank_import)
    p = bsub.add_parser("template", help="write a blank spreadsheet template with the column layout")
    p.add_argument("file", metavar="FILE.xlsx", type=Path)
    p.set_defaults(handler=_cmd_bank_template)
    p = bsub.add_parser("list", help="question banks in the data folder (the shipped ones are installed first)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_bank_list)

    evidence = sub.add_parser("evidence", help="photo evidence (证据照片): add, list, verify")
    esub = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    p = esub.add_parser("add", help="add photo files or folders (a phone's DCIM too) to an inspection")
    p.add_argument("inspection_id", metavar="INSPECTION_ID")
    p.add_argument("files", metavar="FILE", nargs="+", type=Path)
    p.add_argument("--by", metavar="INSPECTOR_ID", help="the inspector adding the photos")
    p.set_defaults(handler=_cmd_evidence_add)
    p = esub.add_parser("list", help="an inspection's photos: hash, time, GPS, links")
    p.add_argument("inspection_id", metavar="INSPECTION_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_evidence_list)
    p = esub.add_parser("verify", help="hash every stored original again; exit 1 if any changed or is missing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_evidence_verify)

    doc = sub.add_parser("doc", help="enforcement documents (执法文书): render, list, verify, number blocks")
    dsub = doc.add_subparsers(dest="doc_command", metavar="ACTION", required=True)
    p = dsub.add_parser("render", help="render a document of an inspection to PDF (a draft unless --issue)")
    p.add_argument("kind", metavar="KIND", help="record, order, measures, review, … or the Chinese name")
    p.add_argument("--inspection", required=True, metavar="ID")
    p.add_argument("--out", required=True, metavar="FILE.pdf", type=Path)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a typed field (repeatable)")
    p.add_argument("--issue", action="store_true", help="number, freeze and store it (cannot be undone)")
    p.set_defaults(handler=_cmd_doc_render)
    p = dsub.add_parser("list", help="documents, newest first")
    p.add_argument("--inspection", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_doc_list)
    p = dsub.add_parser("verify", help="check a PDF against the stored record (its QR hash and its bytes)")
    p.add_argument("file", metavar="FILE.pdf", type=Path)
    p.set_defaults(handler=_cmd_doc_verify)
    p = dsub.add_parser("numbers", help="this laptop's blocks of case numbers; --add records one from the office")
    p.add_argument("--add", nargs=2, type=int, metavar=("FIRST", "LAST"))
    p.add_argument("--year", type=int, help="year of the block to add (default: this year)")
    p.set_defaults(handler=_cmd_doc_numbers)

    office = sub.add_parser("office", help="the office sync server: serve, users, device enrollment")
    osub = office.add_subparsers(dest="office_command", metavar="ACTION", required=True)
    db_help = "office database URL (default: sqlite:///<data dir>/office/office.sqlite; or postgresql+psycopg://…)"
    p = osub.add_parser("serve", help="run the office server (OpenAPI docs at /docs)")
    p.add_argument("--db", metavar="URL", help=db_help)
    p.add_argument("--blob-dir", metavar="DIR", type=Path, help="blob folder (default: <data dir>/office/blobs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--agency", default="阳", help="agency short name of the case numbers handed out (default 阳)")
    p.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="requests each process serves at once; the others wait their turn (default 4)",
    )
    p.add_argument("--cert", metavar="FILE.pem", type=Path, help="TLS certificate (with --key): serve https")
    p.add_argument("--key", metavar="FILE.pem", type=Path, help="TLS private key of --cert")
    p.set_defaults(handler=_cmd_office_serve)
    p = osub.add_parser("add-user", help="add an inspector or supervisor; prints the user id")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=["inspector", "supervisor"])
    p.add_argument("--county", required=True, metavar="CODE", help="6-digit county code, e.g. 140522")
    p.add_argument("--db", metavar="URL", help=db_help)
    p.set_defaults(handler=_cmd_office_add_user)
    p = osub.add_parser("enroll-device", help="print a one-time code that enrolls one laptop of the user")
    p.add_argument("user_id", metavar="USER_ID")
    p.add_argument("--db", metavar="URL", help=db_help)
    p.add_argument("--valid-hours", type=float, default=24, help="hours the code stays valid (default 24)")
    p.set_defaults(handler=_cmd_office_enroll_device)
    p = osub.add_parser("revoke-device", help="refuse the device's token from now on")
    p.add_argument("device_id", metavar="DEVICE_ID")
    p.add_argument("--db", metavar="URL", help=db_help)
    p.set_defaults(handler=_cmd_office_revoke_device)
    p = osub.add_parser("devices", help="enrolled devices")
    p.add_argument("--db", metavar="URL", help=db_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_office_devices)
    p = osub.add_parser("close-year", help="after a year ends: void its reserved case numbers no document used")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--agency", default="阳", help="the agency's short name in case numbers (default 阳)")
    p.add_argument("--db", metavar="URL", help=db_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_office_close_year)
    p = osub.add_parser(
        "verify-audit", help="recheck every device's audit chain held here and list breaks; exit 1 if any"
    )
    p.add_argument("--db", metavar="URL", help=db_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_office_verify_audit)

    p = sub.add_parser("verify", help="check the audit chain, every record against it, and every stored file's hash")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_verify)

    p = sub.add_parser("sync", help="sync with the office: push this laptop's work, pull what the office sends")
    p.add_argument("--office", metavar="URL", help="the office server (with --code, the first time)")
    p.add_argument("--code", help="the one-time code the office printed for this laptop")
    p.add_argument("--name", default="", help="this laptop's name at the office (default: the host name)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_sync)

    _add_desk_commands(sub)

    p = sub.add_parser("screenshot", help="render the main window offscreen to a PNG and exit")
    p.add_argument("file", metavar="FILE.png")
    p.add_argument("--page", default="工作台", help="navigation page to show (default 工作台)")
    p.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    p.add_argument("--inspection", metavar="ID", help="open this inspection's working screen (现场检查)")
    p.set_defaults(handler=_cmd_screenshot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = _cmd_selftest if args.selftest else getattr(args, "handler", _cmd_gui)
    try:
        return handler(args)
    except InspectorError as exc:
        print(f"inspector: error: {exc.message_en}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("inspector: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as other command-line tools do.
        sys.stderr.close()
        return 0


def _data_dir(args: argparse.Namespace) -> Path:
    return resolve_data_dir(args.data_dir)


@contextmanager
def _opened_store(args: argparse.Namespace) -> Iterator[Store]:
    """The data folder's store for one command, closed however the command ends."""
    from inspector.store.db import open_store

    data_dir = _data_dir(args)
    store = open_store(data_dir, passphrase=_passphrase_for(data_dir))
    try:
        yield store
    finally:
        store.close()


def _passphrase_for(data_dir: Path) -> str | None:
    """An encrypted folder's passphrase: $INSPECTOR_PASSPHRASE, else asked at the terminal (None: not needed or
    not askable, and `open_store` says what is missing)."""
    import os

    from inspector.store import crypto

    if not crypto.is_encrypted(data_dir) or os.environ.get(crypto.PASSPHRASE_ENV):
        return None
    return _ask("passphrase: ") if sys.stdin.isatty() else None


def _ask(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def _new_passphrase(env_name: str) -> str:
    """A new passphrase: from the environment for scripts, else typed twice."""
    import os

    from inspector.store import crypto

    given = os.environ.get(env_name)
    if given:
        return given
    if not sys.stdin.isatty():
        raise InspectorError(f"Set ${env_name} or run this at a terminal to type the passphrase.", "请输入口令。")
    first = _ask(f"new passphrase (at least {crypto.MIN_PASSPHRASE_LENGTH} characters): ")
    crypto.check_passphrase_strength(first)
    if _ask("again: ") != first:
        raise InspectorError("The two passphrases differ.", "两次输入的口令不一致。")
    return first


def _print_recovery_key(recovery_key: str) -> None:
    print("RECOVERY KEY — print it or write it down and keep it apart from this laptop.")
    print("It is shown only now; with it a forgotten passphrase can be replaced (`inspector recover`).")
    print(f"    {recovery_key}")


def _cmd_encrypt(args: argparse.Namespace) -> int:
    from inspector.store import crypto
    from inspector.store.encryption import encrypt_folder

    data_dir = _data_dir(args)
    if crypto.is_encrypted(data_dir):
        raise InspectorError(f"{data_dir} is encrypted already.", "该数据文件夹已加密。")
    passphrase = _new_passphrase(crypto.PASSPHRASE_ENV)

    def progress(done: int, total: int, _name: str) -> None:
        if total and (done == total or done % 200 == 0):
            print(f"\rencrypting files: {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    created = encrypt_folder(data_dir, passphrase, progress=progress)
    print(f"{data_dir} is encrypted.")
    _print_recovery_key(created.recovery_key)
    return 0


def _cmd_passwd(args: argparse.Namespace) -> int:
    import os

    from inspector.store import crypto

    data_dir = _data_dir(args)
    if not crypto.is_encrypted(data_dir):
        raise InspectorError(f"{data_dir} is not encrypted; see `inspector encrypt`.", "该数据文件夹未加密。")
    old = os.environ.get(crypto.PASSPHRASE_ENV) or _ask("current passphrase: ")
    crypto.change_passphrase(data_dir, old, _new_passphrase("INSPECTOR_NEW_PASSPHRASE"))
    print("passphrase changed")
    return 0


def _cmd_recover(args: argparse.Namespace) -> int:
    import os

    from inspector.store import crypto

    data_dir = _data_dir(args)
    if not crypto.is_encrypted(data_dir):
        raise InspectorError(f"{data_dir} is not encrypted.", "该数据文件夹未加密。")
    recovery_key = os.environ.get("INSPECTOR_RECOVERY_KEY") or _ask("recovery key: ")
    crypto.recover(data_dir, recovery_key, _new_passphrase("INSPECTOR_NEW_PASSPHRASE"))
    print("new passphrase set")
    return 0


def _cmd_selftest(_args: argparse.Namespace) -> int:
    from inspector.selftest import run_selftest

    return run_selftest()


def _cmd_gui(args: argparse.Namespace) -> int:
    from inspector.ui.app import run_app

    return run_app(_data_dir(args), page=getattr(args, "page", None))


def _cmd_screenshot(args: argparse.Namespace) -> int:
    from inspector.ui.app import render_screenshot

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"inspector: error: --size must look like 1280x800, not {args.size!r}", file=sys.stderr)
        return 2
    render_screenshot(
        _data_dir(args), Path(args.file), page=args.page, size=(width, height), inspection_id=args.inspection
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from inspector.demo.seed import seed_demo

    if args.encrypted:
        _encrypt_for_demo(_data_dir(args))
    if args.year is not None:
        return _demo_year(args)
    if args.seed is not None or args.inspections is not None or args.enterprises is not None:
        print("inspector: error: --seed, --inspections and --enterprises go with --year", file=sys.stderr)
        return 2
    with _opened_store(args) as store:
        summary = seed_demo(store)
    if args.json:
        _print_json(summary.as_json())
    else:
        state = "seeded" if summary.created else "already present"
        print(
            f"demo {state} in {store.data_dir}: {len(summary.enterprise_names)} enterprises, "
            f"{summary.inspector_count} inspectors, {summary.open_task_count} open tasks, "
            f"finished inspection {summary.finished_inspection_id}"
        )
    return 0


def _encrypt_for_demo(data_dir: Path) -> None:
    import os

    from inspector.store import crypto
    from inspector.store.encryption import encrypt_folder

    if crypto.is_encrypted(data_dir):
        return
    passphrase = os.environ.get(crypto.PASSPHRASE_ENV)
    if not passphrase:
        raise InspectorError(
            f"demo --encrypted takes its passphrase from ${crypto.PASSPHRASE_ENV}.", "请设置口令环境变量。"
        )
    created = encrypt_folder(data_dir, passphrase)
    print(f"{data_dir} is encrypted; recovery key: {created.recovery_key}", file=sys.stderr)


def _demo_year(args: argparse.Namespace) -> int:
    from inspector.demo.year import YearSize, seed_year_demo

    year: int | None = None
    if args.year != ROLLING_YEAR:
        if not re.fullmatch(r"\d{4}", args.year):
            print(f"inspector: error: --year wants a year like 2025, not {args.year!r}", file=sys.stderr)
            return 2
        year = int(args.year)
    size = YearSize()
    for name in ("inspections", "enterprises"):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                print(f"inspector: error: --{name} must be at least 1", file=sys.stderr)
                return 2
            size = replace(size, **{name: value})
    with _opened_store(args) as store:
        summary = seed_year_demo(store, year=year, seed=2024 if args.seed is None else args.seed, size=size)
    if args.json:
        _print_json(summary.as_json())
        return 0
    c = summary.counts
    state = f"seeded in {summary.seconds:.1f} s" if summary.created else "already present"
    print(
        f"year demo {state} in {summary.data_dir}: {summary.first_day} to {summary.last_day}, "
        f"{c['enterprises']} enterprises in {c['townships']} townships, {c['inspectors']} inspectors, "
        f"{c['inspections']} inspections ({c['review_inspections']} reviews), {c['findings']} findings "
        f"({c['major_findings']} major), {c['documents']} documents ({c['penalty_decisions']} penalty decisions, "
        f"{c['fines_yuan']:,.2f} yuan), {c['quizzes']} quizzes"
    )
    return 0


def _parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text.strip())
    if match is None:
        raise InspectorError(f"--month wants YYYY-MM (e.g. 2025-03), not {text!r}", "月份格式应为 YYYY-MM。")
    return int(match.group(1)), int(match.group(2))


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _cmd_report_monthly(args: argparse.Namespace) -> int:
    from inspector.reports.monthly import monthly_report
    from inspector.reports.xlsx import write_xlsx

    month = _parse_month(args.month)
    out: Path | None = args.out
    if out is not None and out.suffix.lower() != ".xlsx":
        raise InspectorError(f"--out must name an .xlsx file, not {str(out)!r}", "导出文件应为 .xlsx 格式。")
    with _opened_store(args) as store, store.session() as session:
        report = monthly_report(session, month, county=args.county)
    written = write_xlsx(report, out) if out is not None else None
    if args.json:
        _print_json({**report.to_json(), "written": str(out) if out is not None else None})
        return 0
    print(f"{report.title}, as of {report.as_of}")
    for name, figures in (("month", report.totals.month), ("year to date", report.totals.year_to_date)):
        print(
            f"  {name}: {figures.inspections} inspections ({figures.review_inspections} reviews) of "
            f"{figures.enterprises} enterprises; {figures.hazards} hazards ({figures.hazards_major} major), "
            f"{figures.rectified} rectified ({_rate(figures.rectification_rate)}), {figures.overdue} overdue; "
            f"{figures.orders} orders, {figures.on_site_measures} on-site measures, "
            f"{figures.suspended_enterprises} suspended; {figures.penalties} penalties "
            f"({figures.fines_yuan:,.2f} yuan); {figures.quizzes} quizzes ({_rate(figures.pass_rate)} passed)"
        )
    if out is not None:
        print(f"written to {out} ({written:,} bytes)")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from inspector.store.stats import store_info

    with _opened_store(args) as store:
        info = store_info(store)
    if args.json:
        _print_json(info)
    else:
        print(f"data folder:    {info['data_dir']}")
        print(f"schema version: {info['schema_version']}")
        print(f"device id:      {info['device_id']}")
        print(f"encrypted:      {'yes' if info['encrypted'] else 'no (clear text)'}")
        for table, count in info["row_counts"].items():
            print(f"  {table:<22}{count:>8}")
    return 0


def _cmd_checklist_validate(args: argparse.Namespace) -> int:
    from inspector.checklists.files import builtin_checklist_paths, load_definitions
    from inspector.checklists.schema import ChecklistFileError

    files = [Path(f) for f in args.files]
    given = {f.resolve() for f in files}
    # Built-in checklists are read too, so that a file's `include = ["general"]` resolves.
    builtins = [p for p in builtin_checklist_paths() if p.resolve() not in given]
    try:
        definitions = load_definitions(files, extra=builtins)
    except ChecklistFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    for definition in definitions.values():
        major = sum(1 for s in definition.sections for i in s.items if i.grade == "重大事故隐患")
        unconfirmed = sum(1 for s in definition.sections for i in s.items if i.unconfirmed)
        print(
            f"{definition.code} r{definition.revision}: {len(definition.sections)} sections, "
            f"{definition.item_count} items ({major} 重大, {unconfirmed} unconfirmed) — ok"
        )
    return 0


def _open_with_checklists(args: argparse.Namespace) -> Store:
    from inspector.checklists.service import install_builtin_checklists
    from inspector.store.db import open_store

    data_dir = _data_dir(args)
    store = open_store(data_dir, passphrase=_passphrase_for(data_dir))
    try:
        with store.session() as session:
            install_builtin_checklists(session)
    except BaseException:
        store.close()
        raise
    return store


def _cmd_checklist_list(args: argparse.Namespace) -> int:
    from inspector.checklists.service import list_templates

    store = _open_with_checklists(args)
    try:
        with store.session() as session:
            rows = list_templates(session, current_only=not args.all)
    finally:
        store.close()
    if args.json:
        _print_json([asdict(r) for r in rows])
    else:
        for r in rows:
            current = "" if r.is_current else " (superseded)"
            print(
                f"{r.code:<16} r{r.revision:<3} {r.industry:<8} {r.item_count:>4} items  {r.title}{current}  [{r.id}]"
            )
    return 0


def _cmd_checklist_show(args: argparse.Namespace) -> int:
    from inspector.checklists.service import find_template, template_items

    store = _open_with_checklists(args)
    try:
        with store.session() as session:
            template = find_template(session, args.key)
            items = template_items(session, template.id)
    finally:
        store.close()
    if args.json:
        _print_json(
            {
                "id": template.id,
                "code": template.code,
                "revision": template.revision,
                "title": template.title,
                "industry": template.industry,
                "source": template.source,
                "items": [
                    {
                        "code": i.code,
                        "section": i.section,
                        "content": i.content,
                        "method": i.method,
                        "basis": i.basis,
                        "basis_text": i.basis_text,
                        "grade": str(i.failure_grade),
                        "unconfirmed": i.unconfirmed,
                    }
                    for i in items
                ],
            }
        )
        return 0
    print(f"{template.title} ({template.code} r{template.revision}, {template.industry})")
    print(f"依据: {template.source}")
    section = None
    for item in items:
        if item.section != section:
            section = item.section
            print(f"\n{section}")
        flag = " [未经核对]" if item.unconfirmed else ""
        print(f"  {item.code}  [{item.failure_grade}]{flag} {item.content}")
        print(f"      依据: {item.basis}")
    return 0


def _cmd_checklist_import(args: argparse.Namespace) -> int:
    from inspector.checklists.files import builtin_checklist_paths, load_definitions
    from inspector.checklists.service import import_definition

    path = Path(args.file)
    builtins = [p for p in builtin_checklist_paths() if p.resolve() != path.resolve()]
    definitions = load_definitions([path], extra=builtins)
    store = _open_with_checklists(args)
    try:
        with store.session() as session:
            results = [import_definition(session, d) for d in definitions.values()]
    finally:
        store.close()
    for r in results:
        state = "imported" if r.created else "already present"
        print(f"{r.code} r{r.revision}: {state}, {r.item_count} items [{r.template_id}]")
    return 0


def _cmd_bank_validate(args: argparse.Namespace) -> int:
    from inspector.quiz.banks import BankFileError, parse_bank_file

    failed = 0
    for path in args.files:
        try:
            bank = parse_bank_file(Path(path))
        except BankFileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            failed += len(exc.problems)
            continue
        kinds: dict[str, int] = {}
        posts: set[str] = set()
        for q in bank.questions:
            kinds[q.qtype.value] = kinds.get(q.qtype.value, 0) + 1
            posts.update(q.posts)
        mix = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        print(
            f"{bank.code} r{bank.revision} ({bank.industry}): {len(bank.questions)} questions ({mix}), "
            f"{len(bank.unconfirmed_codes)} unconfirmed, posts: {'、'.join(sorted(posts))} — ok"
        )
    if failed:
        print(f"{failed} problem(s) found", file=sys.stderr)
        return 1
    return 0


def _cmd_bank_import(args: argparse.Namespace) -> int:
    from inspector.quiz.bank_service import add_questions, create_bank, import_bank_def, install_builtin_banks
    from inspector.quiz.banks import BankFileError, parse_bank_file
    from inspector.quiz.spreadsheet import read_question_rows
    from inspector.store.models import QuestionBank

    path = Path(args.file)
    if path.suffix.lower() == ".toml":
        try:
            bank = parse_bank_file(path)
        except BankFileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 1
        with _opened_store(args) as store, store.session() as session:
            result = import_bank_def(session, bank)
        print(f"{result.code}: {'imported' if result.created else 'already present'}, {result.added} questions")
        return 0
    if not args.bank:
        print("inspector: error: --bank CODE is required to import a spreadsheet", file=sys.stderr)
        return 2
    sheet = read_question_rows(path, industry=args.industry)
    for row_problem in sheet.problems:
        column = f" [{row_problem.column}]" if row_problem.column else ""
        print(f"{path.name}: row {row_problem.row}{column}: {row_problem.reason}", file=sys.stderr)
    if sheet.problems and not args.valid_only:
        print(
            f"{len(sheet.problems)} row problem(s); nothing imported "
            f"(fix the rows, or use --valid-only to import the {len(sheet.questions)} valid rows)",
            file=sys.stderr,
        )
        return 1
    with _opened_store(args) as store, store.session() as session:
        install_builtin_banks(session)
        from sqlmodel import select

        bank_row = session.exec(select(QuestionBank).where(QuestionBank.code == args.bank)).first()
        if bank_row is None:
            bank_row = create_bank(session, code=args.bank, title=args.title or path.stem, industry=args.industry)
        result = add_questions(session, bank_id=bank_row.id, questions=[q for _row, q in sheet.questions])
    print(
        f"{result.code}: {result.added} questions added, {result.skipped_duplicates} already in the bank, "
        f"{len(sheet.problems)} rows with problems left out"
    )
    return 0


def _cmd_bank_template(args: argparse.Namespace) -> int:
    from inspector.quiz.spreadsheet import write_template

    write_template(Path(args.file))
    print(f"template written to {args.file}")
    return 0


def _cmd_bank_list(args: argparse.Namespace) -> int:
    from inspector.quiz.bank_service import install_builtin_banks
    from inspector.quiz.queries import list_banks

    with _opened_store(args) as store, store.session() as session:
        install_builtin_banks(session)
        rows = list_banks(session)
    if args.json:
        _print_json([asdict(r) for r in rows])
    else:
        for r in rows:
            print(f"{r.industry:<8} {r.question_count:>5} questions  pass {r.pass_mark}  {r.title}  [{r.id}]")
    return 0


def _cmd_evidence_add(args: argparse.Namespace) -> int:
    from inspector.evidence.service import ingest_photos

    def progress(done: int, total: int, name: str) -> None:
        if name and sys.stderr.isatty():
            print(f"\r[{done + 1}/{total}] {name[:60]:<60}", end="", file=sys.stderr, flush=True)

    with _opened_store(args) as store:
        report = ingest_photos(store, args.inspection_id, args.files, added_by_id=args.by, progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        with store.session() as session:
            from inspector.store.models import Evidence

            added = [session.get(Evidence, i) for i in report.added]
    for evidence in added:
        if evidence is not None:
            print(f"added      {evidence.original_name}  sha256 {evidence.sha256}")
    for name in report.duplicates:
        print(f"duplicate  {name}  (already in this inspection)")
    for rejected in report.rejected:
        print(f"rejected   {rejected.reason_en}", file=sys.stderr)
    print(
        f"{len(report.added)} added, {len(report.duplicates)} already present, {len(report.rejected)} rejected",
        file=sys.stderr,
    )
    return 1 if report.rejected else 0


def _cmd_evidence_list(args: argparse.Namespace) -> int:
    from inspector.evidence.service import list_evidence
    from inspector.inspections.service import get_inspection

    with _opened_store(args) as store, store.session() as session:
        get_inspection(session, args.inspection_id)
        rows = list_evidence(session, args.inspection_id)
    if args.json:
        _print_json([r.to_json() for r in rows])
        return 0
    for r in rows:
        gps = f"{r.latitude:.5f},{r.longitude:.5f}" if r.latitude is not None and r.longitude is not None else "no GPS"
        links = ", ".join([*r.item_codes, *(f"finding {f[-8:]}" for f in r.finding_ids)]) or "no links"
        when = r.captured_at_exif or "no EXIF time"
        print(f"{r.position:>3}  {r.sha256[:16]}  {when:<25}  {gps:<21}  {r.original_name}  [{links}]")
    print(f"{len(rows)} photo(s)", file=sys.stderr)
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from inspector.store.audit import verify_audit

    with _opened_store(args) as store, store.session() as session:
        report = verify_audit(session)
        blobs = _referenced_blob_checks(session, store)
    broken = [b for b in blobs if b["status"] != "ok"]
    if args.json:
        _print_json(
            {
                "events": report.events,
                "records": report.records,
                "blobs": len(blobs),
                "problems": [p.to_json() for p in report.problems],
                "blob_problems": broken,
            }
        )
    else:
        for problem in report.problems:
            print(f"{problem.kind.upper():<9} {problem.table_name} {problem.record_id}: {problem.detail}")
        for blob in broken:
            print(f"{blob['status'].upper():<9} {blob['table']} {blob['record_id']}: file {blob['sha256']}")
        print(
            f"{report.events} audit event(s), {report.records} record(s), {len(blobs)} file(s) checked: "
            f"{len(report.problems)} record problem(s), {len(broken)} file problem(s)"
        )
    return 1 if report.problems or broken else 0


def _referenced_blob_checks(session: Any, store: Store) -> list[dict[str, str]]:
    """Every photo, signature and issued document's PDF hashed again against the hash its record holds."""
    from sqlmodel import select

    from inspector.store.models import Document, Evidence, Signature

    checks: list[dict[str, str]] = []
    verdicts: dict[str, str] = {}
    columns = ((Evidence, "sha256"), (Signature, "image_sha256"), (Document, "pdf_sha256"))
    for model, column in columns:
        for row in session.exec(select(model)):
            sha = getattr(row, column) or ""
            if not sha:
                continue
            if sha not in verdicts:
                verdicts[sha] = store.blobs.verify(sha).status
            table = str(model.__tablename__)
            checks.append({"table": table, "record_id": row.id, "sha256": sha, "status": verdicts[sha]})
    return checks


def _cmd_evidence_verify(args: argparse.Namespace) -> int:
    from inspector.evidence.service import verify_evidence

    with _opened_store(args) as store:
        checks = verify_evidence(store)
        leftovers = store.blobs.leftovers()
    bad = [c for c in checks if c.status != "ok"]
    if args.json:
        _print_json(
            {
                "checked": len(checks),
                "problems": [asdict(c) for c in bad],
                "unfinished_writes": [str(p) for p in leftovers],
            }
        )
    else:
        for c in bad:
            print(
                f"{c.status.upper():<8} {c.sha256}  {c.name}  (evidence {c.evidence_id}, inspection {c.inspection_id})"
            )
        if leftovers:
            print(f"{len(leftovers)} unfinished write(s) from an interrupted import (not evidence; safe to delete)")
        print(f"{len(checks)} photo(s) checked: {len(checks) - len(bad)} ok, {len(bad)} changed or missing")
    return 1 if bad else 0


def _parse_sets(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InspectorError(f"--set wants KEY=VALUE, not {pair!r}", "参数格式不正确。")
        values[key.strip()] = value.replace("\\n", "\n")
    return values


def _cmd_doc_render(args: argparse.Namespace) -> int:
    from inspector.documents import service as docs
    from inspector.files import write_atomically

    kind = docs.kind_named(args.kind)
    inputs = _parse_sets(args.set)
    with _opened_store(args) as store:
        if args.issue:
            with store.session() as session:
                draft = docs.create_draft(session, kind=kind, inspection_id=args.inspection, inputs=inputs)
                issued = docs.issue_document(session, store, document_id=draft.id)
                number, pdf = issued.number_text, store.blobs.read(issued.pdf_sha256)
        else:
            with store.session() as session:
                number, pdf = (
                    "draft",
                    docs.preview_pdf(session, store, kind=kind, inspection_id=args.inspection, inputs=inputs),
                )
    write_atomically(args.out, pdf)
    print(f"{kind.value} {number}: {len(pdf):,} bytes written to {args.out}")
    return 0


def _cmd_doc_list(args: argparse.Namespace) -> int:
    from inspector.documents.queries import list_documents

    with _opened_store(args) as store, store.session() as session:
        rows = list_documents(session, inspection_id=args.inspection, limit=100_000)
    if args.json:
        _print_json([r.to_json() for r in rows])
        return 0
    for r in rows:
        issued = r.issued_at.date().isoformat() if r.issued_at else "—"
        extra = f"  ({r.void_reason})" if r.void_reason else ""
        print(f"{r.status:<4} {issued:<10} {r.number_text or '（未编号）':<24} {r.kind}  {r.enterprise_name}{extra}")
    print(f"{len(rows)} document(s)", file=sys.stderr)
    return 0


def _cmd_doc_verify(args: argparse.Namespace) -> int:
    from inspector.documents.service import verify_pdf

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise InspectorError(f"Cannot read {args.file}: {exc.strerror or exc}", "无法读取文件。") from exc
    with _opened_store(args) as store, store.session() as session:
        result = verify_pdf(session, store, data)
    if result.ok:
        print(f"OK: {result.number_text} ({result.status}) matches the issued document")
        return 0
    print(f"NOT VERIFIED: {result.number_text or args.file.name}", file=sys.stderr)
    for reason in result.reasons:
        print(f"  - {reason}", file=sys.stderr)
    return 1


def _cmd_doc_numbers(args: argparse.Namespace) -> int:
    from inspector import clock
    from inspector.documents.fill import agency_of
    from inspector.documents.numbers import add_block, blocks

    with _opened_store(args) as store, store.session() as session:
        if args.add:
            agency = agency_of(session)
            add_block(
                session,
                short_name=agency.short_name,
                year=args.year or clock.local_today().year,
                first=args.add[0],
                last=args.add[1],
                device_id=store.device_id,
            )
        rows = blocks(session)
    for b in rows:
        print(
            f"{b.agency_short_name} {b.year}: {b.first_number}–{b.last_number}, "
            f"next {b.next_number}, {b.remaining} left"
        )
    if not rows:
        print("no number blocks on this laptop (the office hands them out at sync)", file=sys.stderr)
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    import platform

    from inspector.sync.client import enroll, fingerprint, http_client, office_certificate, sync_once

    if bool(args.office) != bool(args.code):
        print("inspector: error: --office and --code go together (the first sync of a laptop)", file=sys.stderr)
        return 2
    with _opened_store(args) as store:
        if args.office:
            cert = office_certificate(args.office)  # https: pinned from now on (compare it with the office's)
            if cert:
                print(f"office certificate SHA-256 {fingerprint(cert)}", file=sys.stderr)
            with http_client(args.office, cert_pem=cert) as http:
                name = args.name or platform.node()
                link = enroll(store, http, url=args.office, code=args.code, device_name=name, cert_pem=cert)
            print(f"enrolled as {link.user_name} ({link.role}, county {link.county_code}), device {link.device_id}")

        def progress(stage: str, done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r{stage}: {done}/{total}   ", end="", file=sys.stderr, flush=True)

        report = sync_once(store, progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    if args.json:
        _print_json(asdict(report))
    else:
        print(
            f"pushed {report.pushed} records and {report.blobs_uploaded} files ({report.bytes_uploaded:,} bytes); "
            f"pulled {report.pulled} records and {report.blobs_downloaded} files; "
            f"{report.number_blocks} new number block(s); sent {report.audit_events} audit event(s)"
        )
    return 0


def _office_dir(args: argparse.Namespace) -> Path:
    return _data_dir(args) / "office"


def _office_db_url(args: argparse.Namespace) -> str:
    from inspector.office.db import default_db_url

    return str(args.db) if args.db else default_db_url(_office_dir(args))


def _open_office(args: argparse.Namespace) -> Engine:
    from inspector.office.db import open_office_db

    return open_office_db(_office_db_url(args))


def _cmd_office_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from inspector.office import app as office_app

    if bool(args.cert) != bool(args.key):
        print("inspector: error: --cert and --key go together", file=sys.stderr)
        return 2
    tls: dict[str, str] = {}
    scheme = "http"
    if args.cert:
        from inspector.sync.client import fingerprint

        for path in (args.cert, args.key):
            if not Path(path).is_file():
                print(f"inspector: error: no such file: {path}", file=sys.stderr)
                return 2
        try:
            print(f"TLS certificate SHA-256 {fingerprint(Path(args.cert).read_text())}", file=sys.stderr)
        except ValueError:
            print(f"inspector: error: {args.cert} is not a PEM certificate", file=sys.stderr)
            return 2
        tls = {"ssl_certfile": str(args.cert), "ssl_keyfile": str(args.key)}
        scheme = "https"
    threads = office_app.DEFAULT_THREADS if args.threads is None else args.threads
    if not 1 <= threads <= 256:
        print(f"inspector: error: --threads {threads}: give 1 to 256", file=sys.stderr)
        return 2
    db_url = _office_db_url(args)
    blob_dir = Path(args.blob_dir) if args.blob_dir else _office_dir(args) / "blobs"
    _open_office(args).dispose()  # migrate once, before any worker starts
    print(f"office server on {scheme}://{args.host}:{args.port} (docs at /docs), blobs in {blob_dir}", file=sys.stderr)
    if args.workers > 1:
        os.environ[office_app.DB_ENV] = db_url
        os.environ[office_app.BLOB_DIR_ENV] = str(blob_dir)
        os.environ[office_app.AGENCY_ENV] = args.agency
        os.environ[office_app.THREADS_ENV] = str(threads)
        uvicorn.run(
            "inspector.office.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            **tls,  # type: ignore[arg-type]
        )
    else:
        uvicorn.run(
            office_app.create_app(db_url, blob_dir, agency_short_name=args.agency, threads=threads),
            host=args.host,
            port=args.port,
            **tls,  # type: ignore[arg-type]
        )
    return 0


def _cmd_office_add_user(args: argparse.Namespace) -> int:
    from inspector.office.admin import add_user

    engine = _open_office(args)
    try:
        user_id = add_user(engine, name=args.name, role=args.role, county_code=args.county)
    finally:
        engine.dispose()
    print(user_id)
    return 0


def _cmd_office_enroll_device(args: argparse.Namespace) -> int:
    from inspector.office.admin import enroll_device

    engine = _open_office(args)
    try:
        code = enroll_device(engine, args.user_id, valid_hours=args.valid_hours)
    finally:
        engine.dispose()
    print(code)
    print(f"one-time code, valid for {args.valid_hours:g} hours", file=sys.stderr)
    return 0


def _cmd_office_revoke_device(args: argparse.Namespace) -> int:
    from inspector.office.admin import revoke_device

    engine = _open_office(args)
    try:
        revoke_device(engine, args.device_id)
    finally:
        engine.dispose()
    print(f"device {args.device_id} revoked")
    return 0


def _cmd_office_close_year(args: argparse.Namespace) -> int:
    from inspector.office.numbers import close_year

    engine = _open_office(args)
    try:
        closed = close_year(engine, year=args.year, agency_short_name=args.agency)
    finally:
        engine.dispose()
    if args.json:
        _print_json(closed.to_json())
        return 0
    print(
        f"{closed.year} ({closed.agency_short_name}): {closed.reserved} numbers reserved, {closed.used} used by "
        f"documents, {closed.voided_on_laptops} voided on laptops; {closed.returned} newly entered in the void register"
    )
    return 0


def _cmd_office_devices(args: argparse.Namespace) -> int:
    from inspector.office.admin import list_devices

    engine = _open_office(args)
    try:
        devices = list_devices(engine)
    finally:
        engine.dispose()
    if args.json:
        _print_json([d.to_json() for d in devices])
        return 0
    for d in devices:
        seen = d.last_seen_at.isoformat(timespec="seconds") if d.last_seen_at else "never"
        state = "REVOKED" if d.revoked else "active"
        print(f"{d.id}  {state:<7} {d.county_code} {d.role:<10} {d.user_name}  {d.name}  (last seen {seen})")
    print(f"{len(devices)} device(s)", file=sys.stderr)
    return 0


def _cmd_office_verify_audit(args: argparse.Namespace) -> int:
    from inspector.office.audit import verify_chains

    engine = _open_office(args)
    try:
        checks = verify_chains(engine)
    finally:
        engine.dispose()
    breaks = sum(len(c.problems) for c in checks)
    if args.json:
        _print_json({"devices": [c.to_json() for c in checks], "breaks": breaks})
        return 1 if breaks else 0
    for c in checks:
        who = f"{c.user_name} / {c.device_name} (device {c.device_id})"
        for p in c.problems:
            where = f"position {p.position} (laptop event {p.seq})"
            hashes = f"; expected {p.expected}, got {p.got}" if p.expected or p.got else ""
            seen = ""
            if p.refused and p.first_at is not None and p.last_at is not None:
                seen = f" [{p.attempts} attempt(s), {p.first_at:%Y-%m-%d %H:%M} – {p.last_at:%Y-%m-%d %H:%M} UTC]"
            print(f"BREAK {p.kind:<9} {who} at {where}: {p.detail}{hashes}{seen}")
        if not c.problems:
            print(f"OK    {who}: {c.events} event(s)")
    events = sum(c.events for c in checks)
    print(f"{len(checks)} device(s), {events} audit event(s) checked: {breaks} break(s)", file=sys.stderr)
    return 1 if breaks else 0


# ─── supervisor desk: annual plan, complaints, review of decisions, dispatch ─────────────────────────


def _add_desk_commands(sub: Any) -> None:
    plan = sub.add_parser("plan", help="年度监督检查计划: draft, approve, progress")
    psub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    p = psub.add_parser("draft", help="draft a year's plan: key / high-risk enterprises in full, 双随机 for others")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--ratio", type=float, default=0.3, help="share of the other enterprises drawn (default 0.3)")
    p.add_argument("--seed", help="seed of the 双随机 draw (default: a fresh random one, kept with the draw)")
    p.add_argument("--county", metavar="CODE", help="6-digit county code (default: the agency's)")
    p.add_argument("--title", default="", help="the plan's title (default: YYYY年度安全生产监督检查计划)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_plan_draft)
    p = psub.add_parser("approve", help="record the plan's approval; an approved plan is locked")
    p.add_argument("plan_id", metavar="PLAN_ID")
    p.add_argument("--by", required=True, metavar="INSPECTOR_ID", help="the supervisor recording the approval")
    p.add_argument("--ref", default="", help="the approving document, e.g. its 文号")
    p.set_defaults(handler=_cmd_plan_approve)
    p = psub.add_parser("progress", help="planned against finished inspections, by month")
    p.add_argument("plan_id", metavar="PLAN_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_plan_progress)
    p = psub.add_parser("list", help="annual plans in the data folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_plan_list)

    complaint = sub.add_parser("complaint", help="举报: register, check by a task, close with the result")
    qsub = complaint.add_subparsers(dest="complaint_command", metavar="ACTION", required=True)
    p = qsub.add_parser("add", help="register a complaint; prints its id")
    p.add_argument("--channel", required=True, help="电话, 信函, 网络, 来访 or 12350")
    p.add_argument("--content", required=True, help="what is reported")
    p.add_argument("--deadline", required=True, metavar="YYYY-MM-DD", help="the day it must be dealt with by")
    p.add_argument("--enterprise", metavar="ID", help="the enterprise reported")
    p.add_argument("--place", default="", help="where, when the enterprise is not known")
    p.add_argument("--reporter", default="", help="the reporter's name (not with --anonymous)")
    p.add_argument("--phone", default="", help="the reporter's phone (not with --anonymous)")
    p.add_argument("--anonymous", action="store_true", help="the reporter stays anonymous: no identity is stored")
    p.add_argument("--received", metavar="ISO_TIME", help="when it was received (default: now)")
    p.set_defaults(handler=_cmd_complaint_add)
    p = qsub.add_parser("list", help="complaints: open ones by deadline, then the closed")
    p.add_argument("--status", choices=["登记", "核查中", "已办结"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_complaint_list)
    p = qsub.add_parser("task", help="a 举报核查 task for two or more inspectors, due at the deadline")
    p.add_argument("complaint_id", metavar="ID")
    p.add_argument("--inspector", action="append", required=True, metavar="ID", help="repeat: at least two")
    p.add_argument("--enterprise", metavar="ID", help="the enterprise to check, if the complaint names a place only")
    p.set_defaults(handler=_cmd_complaint_task)
    p = qsub.add_parser("close", help="close a complaint with its result (its check must be finished)")
    p.add_argument("complaint_id", metavar="ID")
    p.add_argument("--result", required=True, help="办理结果")
    p.set_defaults(handler=_cmd_complaint_close)

    review = sub.add_parser("review", help="supervisor review of decisions (决定书) before they are issued")
    vsub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    p = vsub.add_parser("list", help="decisions waiting for review, the longest waiting first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_review_list)
    p = vsub.add_parser("submit", help="hand a draft decision to the supervisor")
    p.add_argument("document_id", metavar="DOC_ID")
    p.add_argument("--by", required=True, metavar="INSPECTOR_ID")
    p.set_defaults(handler=_cmd_review_submit)
    p = vsub.add_parser("approve", help="approve a decision (supervisors only); it may be issued after")
    p.add_argument("document_id", metavar="DOC_ID")
    p.add_argument("--by", required=True, metavar="INSPECTOR_ID")
    p.add_argument("--comment", default="")
    p.set_defaults(handler=_cmd_review_approve)
    p = vsub.add_parser("return", help="send a decision back with a comment (supervisors only)")
    p.add_argument("document_id", metavar="DOC_ID")
    p.add_argument("--by", required=True, metavar="INSPECTOR_ID")
    p.add_argument("--comment", required=True)
    p.set_defaults(handler=_cmd_review_return)

    task = sub.add_parser("task", help="inspection tasks: dispatch one to inspectors (it reaches them at sync)")
    tsub = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    p = tsub.add_parser("dispatch", help="one task for one enterprise and two or more inspectors; prints its id")
    p.add_argument("enterprise_id", metavar="ENTERPRISE_ID")
    p.add_argument("--inspector", action="append", required=True, metavar="ID", help="repeat; the first is in charge")
    p.add_argument("--due", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--title", required=True)
    p.add_argument("--source", default="临时", help="年度计划, 双随机, 举报 or 临时 (default 临时)")
    p.add_argument("--plan-entry", metavar="ID", help="the annual plan's entry this task carries out")
    p.set_defaults(handler=_cmd_task_dispatch)


def _parse_day(text: str, option: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InspectorError(f"{option} wants YYYY-MM-DD, not {text!r}", "日期格式应为 YYYY-MM-DD。") from None


def _cmd_plan_draft(args: argparse.Namespace) -> int:
    from inspector.desk.plans import draft_plan
    from inspector.store.settings import agency_county_code

    with _opened_store(args) as store, store.session() as session:
        county = args.county or agency_county_code(session)
        result = draft_plan(
            session, year=args.year, county=county, sample_ratio=args.ratio, seed=args.seed, title=args.title
        )
    if args.json:
        _print_json(result.to_json())
        return 0
    print(result.plan_id)
    print(
        f"{result.year} plan for {result.county_code}: {result.full_coverage} enterprises in full (key / high risk), "
        f"{result.sampled} of {result.candidates} drawn by 双随机 (seed {result.seed or '—'}); "
        f"yearly cap {result.cap}, {len(result.at_cap)} enterprise(s) already at it left out",
        file=sys.stderr,
    )
    return 0


def _cmd_plan_approve(args: argparse.Namespace) -> int:
    from inspector.desk.plans import approve_plan

    with _opened_store(args) as store, store.session() as session:
        plan = approve_plan(session, args.plan_id, args.by, approval_ref=args.ref)
    print(f"plan {plan.id} ({plan.title}) approved; it is locked now")
    return 0


def _cmd_plan_progress(args: argparse.Namespace) -> int:
    from inspector.desk.plans import plan_progress

    with _opened_store(args) as store, store.session() as session:
        progress = plan_progress(session, args.plan_id)
    if args.json:
        _print_json(progress.to_json())
        return 0
    print(f"{progress.title} ({progress.status}): {progress.done} of {progress.planned} planned inspections done")
    for m in progress.months:
        print(f"  {progress.year}-{m.month:02d}  planned {m.planned:>4}  done {m.done:>4}")
    return 0


def _cmd_plan_list(args: argparse.Namespace) -> int:
    from inspector.desk.plans import list_plans

    with _opened_store(args) as store, store.session() as session:
        plans = list_plans(session)
    rows = [
        {"id": p.id, "year": p.year, "county_code": p.county_code, "title": p.title, "status": p.status.value}
        for p in plans
    ]
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        print(f"{r['year']} {r['county_code']} {r['status']:<4} {r['title']}  [{r['id']}]")
    print(f"{len(rows)} plan(s)", file=sys.stderr)
    return 0


def _cmd_complaint_add(args: argparse.Namespace) -> int:
    from datetime import datetime

    from inspector.desk.complaints import register_complaint

    received = None
    if args.received:
        try:
            received = datetime.fromisoformat(args.received)
        except ValueError:
            raise InspectorError(
                f"--received wants an ISO time like 2025-03-01T09:30+08:00, not {args.received!r}",
                "受理时间格式不正确。",
            ) from None
        if received.tzinfo is None:
            from inspector.clock import CHINA_TZ

            received = received.replace(tzinfo=CHINA_TZ)  # a time typed without a zone is Beijing time
    with _opened_store(args) as store, store.session() as session:
        complaint = register_complaint(
            session,
            channel=args.channel,
            content=args.content,
            deadline=_parse_day(args.deadline, "--deadline"),
            received_at=received,
            anonymous=True if args.anonymous else None,
            reporter_name=args.reporter,
            reporter_phone=args.phone,
            enterprise_id=args.enterprise,
            place=args.place,
        )
    print(complaint.id)
    return 0


def _cmd_complaint_list(args: argparse.Namespace) -> int:
    from inspector.desk.complaints import list_complaints
    from inspector.domain.enums import ComplaintStatus

    status = ComplaintStatus(args.status) if args.status else None
    with _opened_store(args) as store, store.session() as session:
        rows = list_complaints(session, status=status)
    if args.json:
        _print_json([r.to_json() for r in rows])
        return 0
    for r in rows:
        late = " OVERDUE" if r.overdue else ""
        print(f"{r.status:<4} due {r.deadline}{late}  {r.channel:<5} {r.reporter}  {r.about}: {r.content}  [{r.id}]")
    print(f"{len(rows)} complaint(s)", file=sys.stderr)
    return 0


def _cmd_complaint_task(args: argparse.Namespace) -> int:
    from inspector.desk.complaints import complaint_to_task

    with _opened_store(args) as store, store.session() as session:
        task = complaint_to_task(session, args.complaint_id, args.inspector, enterprise_id=args.enterprise)
    print(task.id)
    print(f"task “{task.title}” due {task.due_date}; it reaches the inspectors at their next sync", file=sys.stderr)
    return 0


def _cmd_complaint_close(args: argparse.Namespace) -> int:
    from inspector.desk.complaints import close_complaint

    with _opened_store(args) as store, store.session() as session:
        complaint = close_complaint(session, args.complaint_id, args.result)
    print(f"complaint {complaint.id} closed: {complaint.result}")
    return 0


def _cmd_review_list(args: argparse.Namespace) -> int:
    from inspector.documents.review import documents_awaiting_review

    with _opened_store(args) as store, store.session() as session:
        rows = documents_awaiting_review(session)
    if args.json:
        _print_json([r.to_json() for r in rows])
        return 0
    for r in rows:
        submitted = r.submitted_at.isoformat(timespec="minutes") if r.submitted_at else "—"
        earlier = f"  (returned before: {r.comment})" if r.comment else ""
        print(f"{submitted}  {r.kind}  {r.enterprise_name}{earlier}  [{r.document_id}]")
    print(f"{len(rows)} decision(s) waiting for review", file=sys.stderr)
    return 0


def _cmd_review_submit(args: argparse.Namespace) -> int:
    from inspector.documents.review import submit_for_review

    with _opened_store(args) as store, store.session() as session:
        document = submit_for_review(session, args.document_id, args.by)
    print(f"{document.kind.value} {document.id} submitted for review")
    return 0


def _cmd_review_approve(args: argparse.Namespace) -> int:
    from inspector.documents.review import approve

    with _opened_store(args) as store, store.session() as session:
        document = approve(session, args.document_id, args.by, comment=args.comment)
    print(f"{document.kind.value} {document.id} approved; it may be issued now")
    return 0


def _cmd_review_return(args: argparse.Namespace) -> int:
    from inspector.documents.review import return_with_comment

    with _opened_store(args) as store, store.session() as session:
        document = return_with_comment(session, args.document_id, args.by, args.comment)
    print(f"{document.kind.value} {document.id} returned: {document.review_comment}")
    return 0


def _cmd_task_dispatch(args: argparse.Namespace) -> int:
    from inspector.desk.dispatch import dispatch_task

    with _opened_store(args) as store, store.session() as session:
        task = dispatch_task(
            session,
            enterprise_id=args.enterprise_id,
            inspector_ids=args.inspector,
            due_date=_parse_day(args.due, "--due"),
            title=args.title,
            source=args.source,
            plan_entry_id=args.plan_entry,
        )
    print(task.id)
    print(f"task “{task.title}” due {task.due_date}; it reaches the inspectors at their next sync", file=sys.stderr)
    return 0


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))
