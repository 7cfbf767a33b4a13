"""Rendering a 现场检查记录 with 30 findings and a 20-photo appendix, against LibreOffice converting the same .docx.

    python benchmarks/documents.py [--findings 30] [--photos 20] [--runs 5] [--lo-runs 3] [--profile] [--json]

The case is built through the app's own services in a temporary data folder: the demo seeded, an
unannounced inspection of a demo coal mine by two demo inspectors walking the coal checklist (six items
不合格, two 未检 with a reason, the rest 合格), findings up to `--findings` (some 重大事故隐患 with
撤出作业人员, 暂时停产停业 …), `--photos` 12-megapixel phone JPEGs (4000×3000, EXIF time/GPS/camera,
every fourth one turned) imported with `ingest_photos`, captioned and linked to findings (each 重大 finding
to at least one), the inspection finished.

"Ours" runs in a fresh process on a fresh copy of that folder, so nothing is cached:
  cold  the first create_draft + render_pdf of a 现场检查记录 (fonts loaded, the 1000-pixel print copies of the
        photos drawn and cached under derived/print/); "cold, process" is the same measured from the start of the
        Python process (interpreter, imports, open_store), as a double-click would;
  warm  create_draft + render_pdf again (fonts loaded, print copies cached), median of --runs;
  pure  `render_document(load_form(kind), content)` alone, content = `document_content(...)` made once.

"LibreOffice" is what offices do today: a .docx of the same document converted with
`soffice --headless --convert-to pdf`. The .docx has the same title block, fields table, paragraphs, checklist
exceptions table, the findings (the first 12 in the body, the rest on a 附页, as ours), signature and seal
blocks, and the photo appendix with the same print-copy JPEGs ours embedded (two to a page), each with its
caption and SHA-256. It lacks ours' QR code, 草稿 watermark and page footer (less work for LibreOffice). It is
made once, untimed: an HTML file with the JPEGs as data: URIs, converted by soffice to "MS Word 2007 XML"
(checked to hold word/media/*). LibreOffice gets the app's shipped fonts (宋体 GB2312, 文泉驿微米黑) through a
private fontconfig file whose cache is built beforehand, as on an office PC with the fonts installed.
  cold  the first conversion with a new profile (-env:UserInstallation=file:///…/lo-profile-cold), as the first
        start after an install; the binaries are already in the page cache (the set-up ran soffice);
  warm  the same profile again, median of --lo-runs.
Without soffice on PATH the script installs Debian's libreoffice-writer-nogui with apt-get when it runs as
root (--no-install to forbid); when that is impossible the comparison is skipped and said why.

Goals from the issue: ours ≤ 1 s, and ≥ 10× faster than converting the .docx through LibreOffice.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import html
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session, col, select

from inspector import clock
from inspector.checklists.service import current_template_for_industry, template_items
from inspector.demo.catalog import ENTERPRISES
from inspector.demo.seed import seed_demo
from inspector.documents.forms import Block, Form, load_form
from inspector.documents.render import fill, render_document
from inspector.documents.service import create_draft, document_content, render_pdf
from inspector.domain.enums import (
    DocumentKind,
    FindingMeasure,
    HazardGrade,
    Industry,
    InspectionMode,
    InspectorRole,
    ItemResultValue,
)
from inspector.evidence.samples import write_sample_photo
from inspector.evidence.service import ingest_photos, link_evidence, set_caption
from inspector.inspections.findings import update_finding
from inspector.inspections.service import (
    OnSitePerson,
    add_finding,
    finish_inspection,
    major_findings_without_photo,
    start_inspection,
)
from inspector.inspections.walk import record_result
from inspector.registry.service import active_inspectors, search_enterprises
from inspector.resources import DOCUMENT_FONT_FILE, resource_path
from inspector.store.db import Store, open_store
from inspector.store.models import Finding

GOAL_SECONDS = 1.0
GOAL_SPEEDUP = 10.0
KIND = DocumentKind.INSPECTION_RECORD
LO_PACKAGE = "libreoffice-writer-nogui"
MINE_KEY = "coal-02"  # not the demo's finished inspection (coal-01): a case of its own
CAMERAS = [("HUAWEI", "ELS-AN00"), ("Xiaomi", "M2102K1C"), ("OPPO", "PEEM00"), ("Apple", "iPhone 13")]
SONG_FAMILY = "AR PL SungtiL GB"  # the family name of the shipped gbsn00lp.ttf
TITLE_FAMILY = "WenQuanYi Micro Hei"

# (description, grade, basis, measure, deadline days): what two inspectors write down in a mine in a morning.
FINDINGS: list[tuple[str, HazardGrade, str, FindingMeasure, int]] = [
    ("15采区回风巷瓦斯传感器悬挂位置距顶板超过300毫米，且报警值设定为1.5%", HazardGrade.GENERAL,
     "《煤矿安全规程》第四百九十八条", FindingMeasure.RECTIFY_BY_DEADLINE, 3),
    ("1502综采工作面上隅角瓦斯浓度达1.3%，未停止作业、未撤出人员", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第六条第（一）项", FindingMeasure.WITHDRAW_WORKERS, 1),
    ("中央变电所高压开关柜“五防”闭锁装置失效，操作无人监护", HazardGrade.GENERAL,
     "《煤矿安全规程》第四百四十五条", FindingMeasure.STOP_EQUIPMENT, 5),
    ("井下爆破作业未执行“一炮三检”和“三人连锁爆破”制度，记录后补", HazardGrade.GENERAL,
     "《煤矿安全规程》第三百五十四条", FindingMeasure.RECTIFY_BY_DEADLINE, 7),
    ("主要通风机房未按规定每月倒机试运转，备用风机不能在10分钟内启动", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第七条第（三）项", FindingMeasure.SUSPEND_PRODUCTION, 10),
    ("1503掘进工作面局部通风机未实现“三专两闭锁”", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第七条第（五）项", FindingMeasure.WITHDRAW_WORKERS, 3),
    ("副井提升机深度指示器失效保护试验记录不全，最近一次为三个月前", HazardGrade.GENERAL,
     "《煤矿安全规程》第四百二十三条", FindingMeasure.RECTIFY_BY_DEADLINE, 7),
    ("带式输送机机头处未设置防滑、堆煤、跑偏保护中的堆煤保护", HazardGrade.GENERAL,
     "《煤矿安全规程》第三百七十四条", FindingMeasure.STOP_EQUIPMENT, 5),
    ("井下消防材料库灭火器6具压力不足，消防沙箱无沙", HazardGrade.GENERAL,
     "《煤矿安全规程》第二百五十五条", FindingMeasure.CORRECTED_ON_SITE, 0),
    ("采区避难硐室压风自救装置阀门锈死，无法打开", HazardGrade.GENERAL,
     "《煤矿安全规程》第六百九十一条", FindingMeasure.RECTIFY_BY_DEADLINE, 10),
    ("超层越界开采：在批准开采范围外的3号煤层布置采掘工作面", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第十条第（一）项", FindingMeasure.SUSPEND_PRODUCTION, 30),
    ("瓦斯抽采泵站抽采管路负压低于设计值，抽采达标评判报告未编制", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第六条第（三）项", FindingMeasure.WITHDRAW_WORKERS, 15),
    ("特种作业人员（井下电钳工）2人特种作业操作证过期仍上岗", HazardGrade.GENERAL,
     "《中华人民共和国安全生产法》第三十条", FindingMeasure.RECTIFY_BY_DEADLINE, 15),
    ("调度室未按规定填写带班下井记录，矿领导带班与交接班记录不一致", HazardGrade.GENERAL,
     "《煤矿领导带班下井及安全监督检查规定》第八条", FindingMeasure.RECTIFY_BY_DEADLINE, 7),
    ("防突钻孔施工记录与实际孔深不符，效果检验数据存在补填", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第八条第（四）项", FindingMeasure.WITHDRAW_WORKERS, 10),
    ("井下移动变电站接地极电阻超过2欧姆，接地线锈蚀", HazardGrade.GENERAL,
     "《煤矿安全规程》第四百七十五条", FindingMeasure.RECTIFY_BY_DEADLINE, 5),
    ("人员位置监测系统有3张识别卡不在线，入井人员未全部携带", HazardGrade.GENERAL,
     "《煤矿安全规程》第五百零五条", FindingMeasure.CORRECTED_ON_SITE, 0),
    ("安全监控系统主机与备用机不能自动切换，断电控制试验记录缺失", HazardGrade.GENERAL,
     "《煤矿安全规程》第四百八十七条", FindingMeasure.RECTIFY_BY_DEADLINE, 7),
    ("排水泵房三台水泵中一台检修未恢复，工作和备用水泵能力不足", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第十一条第（五）项", FindingMeasure.STOP_EQUIPMENT, 7),
    ("井口房及主要进风井口20米内有烟火，未设置警示标志", HazardGrade.GENERAL,
     "《煤矿安全规程》第二百五十三条", FindingMeasure.CORRECTED_ON_SITE, 0),
    ("采空区密闭墙前无栅栏、警标和说明牌板，密闭内气体未定期检查", HazardGrade.GENERAL,
     "《煤矿安全规程》第一百四十五条", FindingMeasure.RECTIFY_BY_DEADLINE, 7),
    ("安全生产责任制未覆盖新设立的机电运输科，岗位责任清单缺失", HazardGrade.GENERAL,
     "《中华人民共和国安全生产法》第二十二条", FindingMeasure.RECTIFY_BY_DEADLINE, 30),
    ("年度安全生产教育和培训计划未落实，新入矿工人岗前培训不足72学时", HazardGrade.GENERAL,
     "《煤矿安全培训规定》第二十四条", FindingMeasure.RECTIFY_BY_DEADLINE, 30),
    ("井下架空乘人装置越位保护失效，乘人间距小于规定", HazardGrade.GENERAL,
     "《煤矿安全规程》第三百八十三条", FindingMeasure.STOP_EQUIPMENT, 5),
    ("主斜井绞车钢丝绳断丝超限未及时更换，检查记录未签字", HazardGrade.GENERAL,
     "《煤矿安全规程》第四百零八条", FindingMeasure.RECTIFY_BY_DEADLINE, 5),
    ("地面炸药库值班人员脱岗，库房温湿度记录中断两天", HazardGrade.GENERAL,
     "《民用爆炸物品安全管理条例》第四十一条", FindingMeasure.RECTIFY_BY_DEADLINE, 3),
    ("生产安全事故应急救援预案未按规定每三年评估，演练记录不全", HazardGrade.GENERAL,
     "《生产安全事故应急条例》第八条", FindingMeasure.RECTIFY_BY_DEADLINE, 30),
    ("重大事故隐患排查治理台账未按月向负有安全监管职责的部门报告", HazardGrade.GENERAL,
     "《中华人民共和国安全生产法》第四十一条", FindingMeasure.RECTIFY_BY_DEADLINE, 15),
    ("1502工作面顶板离层仪读数异常未分析处理，支架初撑力不足", HazardGrade.GENERAL,
     "《煤矿安全规程》第一百零四条", FindingMeasure.RECTIFY_BY_DEADLINE, 5),
    ("井下水仓清挖不及时，有效容积不足设计容量的50%", HazardGrade.MAJOR,
     "《煤矿重大事故隐患判定标准》第十一条第（四）项", FindingMeasure.SUSPEND_PRODUCTION, 15),
]  # fmt: skip
FAILED_ITEMS = 6  # checklist items answered 不合格: each makes a finding of its own (the rest come from FINDINGS)
UNCHECKED_ITEMS = 2  # answered 未检, with a reason


def say_to(quiet: bool) -> Any:
    return (lambda *_: None) if quiet else lambda text: print(text, file=sys.stderr, flush=True)


# ─── the case ────────────────────────────────────────────────────────────────────────────────────────


def _make_photo(folder: Path, i: int, day: str) -> str:
    path = write_sample_photo(
        folder / f"IMG_{day.replace('-', '')}_{i:04d}.jpg",
        size=(4000, 3000),
        taken_at=datetime.fromisoformat(day) + timedelta(hours=9, minutes=35 + 7 * i, seconds=11 * i),
        gps=(35.4583 + i * 0.00007, 112.5071 + i * 0.00005),
        camera=CAMERAS[i % len(CAMERAS)],
        orientation=6 if i % 4 == 3 else 1,
        label=f"现场照片 {i + 1}",
        seed=i + 1,
    )
    return path.name


def make_photos(folder: Path, n: int, day: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        names = list(pool.map(_make_photo, [folder] * n, range(n), [day] * n))
    return [folder / name for name in names]


def findings_of(session: Session, inspection_id: str) -> list[Finding]:
    return list(
        session.exec(select(Finding).where(Finding.inspection_id == inspection_id).order_by(col(Finding.position)))
    )


def build_case(store: Store, photos: list[Path], n_findings: int) -> str:
    """An inspection of the demo coal mine with n findings and the photos, finished; returns its id."""
    day = clock.local_today() - timedelta(days=1)
    arrived = datetime.combine(day, datetime.min.time(), tzinfo=clock.CHINA_TZ) + timedelta(hours=9, minutes=20)
    mine_name = next(e.name for e in ENTERPRISES if e.key == MINE_KEY)
    with store.session() as session:
        mine = search_enterprises(session, text=mine_name)[0]
        people = [i.id for i in active_inspectors(session) if i.role is InspectorRole.INSPECTOR][:2]
        template = current_template_for_industry(session, Industry.COAL.value)
        assert template is not None, "the demo has no coal checklist"
        inspection = start_inspection(
            session,
            enterprise_id=mine.id,
            inspector_ids=people,
            mode=InspectionMode.UNANNOUNCED,
            started_at=arrived,
            place=f"{mine.name}井下15采区、中央变电所、主要通风机房及调度室",
            purpose="对你单位安全生产管理情况和重大事故隐患排查整治情况进行四不两直暗查暗访。",
            on_site_person=OnSitePerson(name="李振国", post="安全副矿长", phone="13935618820"),
            checklist_template_id=template.id,
        )
        inspection_id = inspection.id
        items = template_items(session, template.id)
        failed = min(FAILED_ITEMS, n_findings, len(items))
        for n, item in enumerate(items):
            if n < failed:
                record_result(session, inspection_id=inspection_id, item_id=item.id, result=ItemResultValue.FAIL)
            elif n >= len(items) - UNCHECKED_ITEMS:
                record_result(
                    session,
                    inspection_id=inspection_id,
                    item_id=item.id,
                    result=ItemResultValue.NOT_CHECKED,
                    unchecked_reason="该区域停产检修，井下未供电，未能进入检查",
                )
            else:
                record_result(session, inspection_id=inspection_id, item_id=item.id, result=ItemResultValue.PASS)
        made = findings_of(session, inspection_id)
        for n in range(n_findings - len(made)):
            text, grade, basis, measure, days = FINDINGS[n % len(FINDINGS)]
            add_finding(
                session,
                inspection_id=inspection_id,
                description=text if n < len(FINDINGS) else f"{text}（复查{n // len(FINDINGS)}）",
                grade=grade,
                basis=basis,
                measure=measure,
                deadline=day + timedelta(days=days) if measure.needs_deadline else None,
            )
        if made:  # the first checklist finding rewritten as observed, as inspectors do
            update_finding(session, finding_id=made[0].id, description=f"{items[0].content}（现场核实：未整改到位）")
    report = ingest_photos(store, inspection_id, photos)
    if len(report.added) != len(photos):
        raise SystemExit(f"ingest added {len(report.added)} of {len(photos)} photos: {report.rejected}")
    with store.session() as session:
        findings = findings_of(session, inspection_id)
        majors = [f for f in findings if f.grade is HazardGrade.MAJOR]
        others = [f for f in findings if f not in majors]
        targets = (majors + others) or findings
        for n, evidence_id in enumerate(report.added):
            finding = targets[n % len(targets)] if targets else None
            caption = f"隐患{finding.position + 1}：{finding.description[:36]}" if finding else f"现场照片{n + 1}"
            set_caption(session, evidence_id=evidence_id, caption=caption)
            if finding is not None:
                link_evidence(session, evidence_id=evidence_id, finding_id=finding.id)
        left = major_findings_without_photo(session, inspection_id)
        if left:
            raise SystemExit(f"{len(left)} major findings have no photo: use at least as many photos as majors")
        finish_inspection(session, inspection_id=inspection_id, ended_at=arrived + timedelta(hours=3, minutes=40))
    return inspection_id


# ─── ours, in a fresh process ────────────────────────────────────────────────────────────────────────


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def draft_and_render(store: Store, inspection_id: str) -> bytes:
    with store.session() as session:
        draft = create_draft(session, kind=KIND, inspection_id=inspection_id)
        return render_pdf(session, store, draft.id)


def child(data_dir: Path, inspection_id: str, runs: int, out: Path, spawned_at: float) -> None:
    """Cold, warm and pure timings in this (fresh) process; writes what LibreOffice needs into `out`."""
    store = open_store(data_dir)
    try:
        print_dir = data_dir / "derived" / "print"
        before = len(list(print_dir.rglob("*.jpg"))) if print_dir.exists() else 0
        started = time.perf_counter()
        pdf = draft_and_render(store, inspection_id)
        cold = time.perf_counter() - started
        process = time.time() - spawned_at
        made = len(list(print_dir.rglob("*.jpg"))) - before
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            again = draft_and_render(store, inspection_id)
            warm.append(time.perf_counter() - started)
        with store.session() as session:
            draft = create_draft(session, kind=KIND, inspection_id=inspection_id)
            started = time.perf_counter()
            content = document_content(session, store, draft.id)
            content_s = time.perf_counter() - started
        form = load_form(KIND)
        pure = []
        for _ in range(runs):
            started = time.perf_counter()
            render_document(form, content)
            pure.append(time.perf_counter() - started)
    finally:
        store.close()
    out.mkdir(parents=True, exist_ok=True)
    (out / "ours.pdf").write_bytes(pdf)
    photos = []
    for n, photo in enumerate(content.photos, start=1):
        name = f"print-{n:02d}.jpg"
        (out / name).write_bytes(photo.path.read_bytes())
        photos.append({"file": name, "caption": photo.caption, "sha256": photo.sha256, "taken_at": photo.taken_at})
    (out / "content.json").write_text(
        json.dumps(
            {
                "number_text": content.number_text,
                "agency_name": content.agency_name,
                "fields": content.fields,
                "photos": photos,
            },
            ensure_ascii=False,
            default=str,
        ),
        encoding="utf-8",
    )
    print(
        json.dumps(
            {
                "cold_s": cold,
                "cold_process_s": process,
                "print_copies_made": made,
                "warm_s": warm,
                "content_s": content_s,
                "pure_s": pure,
                "pages": pdf_pages(pdf),
                "pdf_bytes": len(pdf),
                "same_pages_warm": pdf_pages(again) == pdf_pages(pdf),
                "findings": len(content.fields.get("findings", [])),
                "photos": len(content.photos),
            }
        )
    )


def profile_child(data_dir: Path, inspection_id: str, top: int) -> None:
    """cProfile of a cold and then a warm render in this fresh process (printed, not timed)."""
    store = open_store(data_dir)
    try:
        for label in ("cold", "warm"):
            profiler = cProfile.Profile()
            profiler.enable()
            draft_and_render(store, inspection_id)
            profiler.disable()
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("tottime").print_stats(top)
            stats.sort_stats("cumulative").print_stats(top)
            print(f"──── cProfile, {label} render ({top} by own time, then by cumulative time) ────")
            print("\n".join(line for line in text.getvalue().splitlines() if line.strip()))
    finally:
        store.close()


def run_child(extra: list[str]) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, __file__, *extra]
    return subprocess.run(argv, check=True, capture_output=True, text=True)


# ─── the equivalent .docx ────────────────────────────────────────────────────────────────────────────

MM_PX = 96 / 25.4  # LibreOffice's HTML import reads pixels at 96 per inch
TEXT_WIDTH_MM = 160.0  # A4 less 25 mm margins, as ours
PHOTO_BOX_MM = (160.0, 92.0)


def _h(text: str) -> str:
    return html.escape(str(text)).replace("\n", "<br>")


def _truthy(values: dict[str, Any], condition: str) -> bool:
    if not condition:
        return True
    value = values.get(condition.lstrip("!"))
    return not value if condition.startswith("!") else bool(value)


def _entries(values: dict[str, Any], source: str) -> list[dict[str, Any]]:
    return [dict(values, **e, n=n) for n, e in enumerate(values.get(source) or [], start=1)]


def _html_block(block: Block, values: dict[str, Any], agency: str, copies: str, continuation: list[str]) -> str:
    out: list[str] = []
    if block.type in ("addressee", "paragraph", "note"):
        style = "text-indent:2em" if block.type == "paragraph" and block.indent else ""
        size = "font-size:9pt;" if block.type == "note" else ""
        out.append(f'<p style="{size}{style}">{_h(fill(block.text, values))}</p>')
    elif block.type == "fields":
        widest = max(len(row) for row in block.rows)
        out.append(f'<table width="{round(TEXT_WIDTH_MM * MM_PX)}" cellpadding="3" cellspacing="0">')
        for row in block.rows:
            cells = []
            for n, (label, template) in enumerate(row):
                span = (widest - len(row)) * 2 + 1 if n == len(row) - 1 else 1
                cells.append(f'<td style="font-size:10.5pt">{_h(label)}：</td>')
                cells.append(
                    f'<td colspan="{span}" style="font-size:10.5pt;border-bottom:1px solid gray">'
                    f"{_h(fill(template, values))}</td>"
                )
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
    elif block.type == "table":
        entries = _entries(values, block.source)
        if block.text:
            out.append(f"<p>{_h(fill(block.text, values))}</p>")
        if not entries:
            out.append(f'<p style="text-indent:2em">{_h(block.empty or "（无）")}</p>')
        else:
            total = sum(c.width for c in block.columns)
            out.append(f'<table width="{round(TEXT_WIDTH_MM * MM_PX)}" border="1" cellpadding="3" cellspacing="0">')
            heads = "".join(
                f'<th width="{round(TEXT_WIDTH_MM * MM_PX * c.width / total)}" bgcolor="#f0f0f0" '
                f'style="font-size:10.5pt">{_h(c.title)}</th>'
                for c in block.columns
            )
            out.append(f"<tr>{heads}</tr>")
            for e in entries:
                cells = "".join(
                    f'<td style="font-size:10.5pt">{_h(fill("{" + c.key + ":opt}", e))}</td>' for c in block.columns
                )
                out.append(f"<tr>{cells}</tr>")
            out.append("</table>")
    elif block.type == "items":
        if block.text:
            out.append(f'<p style="text-indent:2em">{_h(fill(block.text, values))}</p>')
        entries = _entries(values, block.source)
        if not entries:
            out.append(f'<p style="text-indent:2em">{_h(block.empty or "（无）")}</p>')
        limit = block.first_page_limit or len(entries)
        for e in entries[:limit]:
            out.append(f'<p style="text-indent:2em">{e["n"]}. {_h(fill(block.item, e))}</p>')
        rest = entries[limit:]
        if rest:
            out.append(f'<p style="text-indent:2em">（此栏不够，另附页：续第{limit + 1}—{len(entries)}项）</p>')
            continuation.append(f"<p>（续）{_h(fill(block.text, values)) if block.text else ''}</p>")
            continuation.extend(f'<p style="text-indent:2em">{e["n"]}. {_h(fill(block.item, e))}</p>' for e in rest)
    elif block.type == "signatures":
        out.append('<table cellpadding="4" cellspacing="0">')
        for role in block.roles:
            for n in range(role.count):
                cert = "证号：＿＿＿＿＿＿" if role.with_cert else ""
                label = _h(role.label) if n == 0 else ""
                out.append(
                    f'<tr><td width="234" style="font-size:10.5pt">{label}</td>'
                    f'<td width="181" style="font-size:10.5pt">＿＿＿＿＿＿＿＿</td>'
                    f'<td style="font-size:10.5pt">{cert}</td></tr>'
                )
        out.append("</table>")
    elif block.type == "seal":
        date = fill(block.date, values) if block.date else "＿＿＿＿＿＿"
        out.append(f'<p align="right">{_h(agency)}（印章）</p><p align="right">{_h(date)}</p>')
        if copies:
            out.append(f'<p style="font-size:9pt">{_h(copies)}</p>')
    elif block.type == "spacer":
        out.append("<p>&nbsp;</p>")
    return "\n".join(out)


def document_html(form: Form, data: dict[str, Any], folder: Path) -> str:
    """The same document as ours, as HTML with the print copies inline (data: URIs, so the .docx embeds them)."""
    values: dict[str, Any] = data["fields"]
    number = data["number_text"] or ("（草稿，签发时编号）" if form.numbered else "")
    page_break = '<p style="page-break-before:always"></p>'
    body = [
        '<p align="center" style="font-size:14pt">安全生产行政执法文书</p>',
        f'<p align="center" style="font-family:\'{TITLE_FAMILY}\';font-size:22pt">{_h(form.title)}</p>',
        f'<p align="center">{_h(number)}</p>',
    ]
    continuation: list[str] = []
    for block in form.blocks:
        if _truthy(values, block.when):
            body.append(_html_block(block, values, data["agency_name"], form.copies, continuation))
    if form.copies and not any(b.type == "seal" for b in form.blocks):
        body.append(f'<p style="font-size:9pt">{_h(form.copies)}</p>')
    if continuation:
        body += [page_break, f"<p style=\"font-family:'{TITLE_FAMILY}';font-size:15pt\">{_h(form.title)}附页</p>"]
        body += continuation
    if form.photo_appendix and data["photos"]:
        body += [page_break, f"<p style=\"font-family:'{TITLE_FAMILY}';font-size:15pt\">证据照片附页</p>"]
        for n, photo in enumerate(data["photos"], start=1):
            jpeg = (folder / photo["file"]).read_bytes()
            with Image.open(io.BytesIO(jpeg)) as image:
                w, h = image.size
            scale = min(PHOTO_BOX_MM[0] / w, PHOTO_BOX_MM[1] / h)
            if n > 1 and n % 2 == 1:  # two to a page, as ours
                body.append(page_break)
            src = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
            body.append(
                f'<p><img src="{src}" width="{round(w * scale * MM_PX)}" height="{round(h * scale * MM_PX)}"></p>'
            )
            caption = f"照片{n}：{photo['caption'] or '（无说明）'}　拍摄：{photo['taken_at']}"
            body.append(f'<p style="font-size:10.5pt">{_h(caption)}</p>')
            body.append(f'<p style="font-size:9pt">原始文件 SHA-256：{photo["sha256"]}</p>')
    style = (
        "@page { size: 21cm 29.7cm; margin: 2.2cm 2.5cm 2cm 2.5cm } "
        f"body, p, td, th {{ font-family: '{SONG_FAMILY}'; font-size: 12pt }}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_h(form.title)}</title><style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


# ─── LibreOffice ─────────────────────────────────────────────────────────────────────────────────────


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def install_libreoffice(say: Any) -> tuple[str | None, str]:
    """(soffice path, how it got there or why not)."""
    found = find_soffice()
    if found:
        return found, "already installed"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, "soffice is not on PATH, and installing it needs root"
    apt = shutil.which("apt-get")
    if apt is None:
        return None, "soffice is not on PATH, and there is no apt-get to install it with"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "--no-install-recommends", LO_PACKAGE]
    say(f"soffice not found: apt-get install {LO_PACKAGE} …")
    done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        say("apt-get install failed; apt-get update, then again …")
        subprocess.run([apt, "update"], capture_output=True, text=True, env=env, check=False)
        done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    found = find_soffice()
    if found:
        return found, f"installed now: Debian package {LO_PACKAGE}"
    tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-2:])
    return None, f"apt-get install {LO_PACKAGE} failed: {tail}"


def fontconfig_file(folder: Path) -> dict[str, str]:
    """A fontconfig set-up that adds the app's shipped fonts to the system's, its cache built now (untimed)."""
    fonts = resource_path(*DOCUMENT_FONT_FILE).parent
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{html.escape(str(fonts))}</dir>\n  <cachedir>{html.escape(str(folder / 'cache'))}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    fc_cache = shutil.which("fc-cache")
    if fc_cache:
        subprocess.run([fc_cache], env=env, capture_output=True, check=False)
    return env


def soffice(binary: str, profile: Path, args: list[str], env: dict[str, str]) -> float:
    argv = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"soffice failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return took


def bench_libreoffice(binary: str, ours_out: Path, folder: Path, runs: int, say: Any) -> dict[str, Any]:
    env = fontconfig_file(folder / "fontconfig")
    data = json.loads((ours_out / "content.json").read_text(encoding="utf-8"))
    page = folder / "record.html"
    page.write_text(document_html(load_form(KIND), data, ours_out), encoding="utf-8")
    say("LibreOffice: the equivalent .docx (HTML → docx, untimed) …")
    setup = soffice(
        binary,
        folder / "lo-profile-setup",
        ["--infilter=HTML (StarWriter)", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder), str(page)],
        env,
    )
    docx = folder / "record.docx"
    if not docx.is_file():
        raise RuntimeError("soffice wrote no .docx")
    with zipfile.ZipFile(docx) as archive:
        media = [i for i in archive.infolist() if i.filename.startswith("word/media/")]
    if len(media) != len(data["photos"]):
        raise RuntimeError(f"the .docx embeds {len(media)} images, not {len(data['photos'])}")
    convert = ["--convert-to", "pdf", "--outdir", str(folder / "lo-pdf"), str(docx)]
    say("LibreOffice: cold conversion (new profile) …")
    cold = soffice(binary, folder / "lo-profile-cold", convert, env)
    pdf = (folder / "lo-pdf" / "record.pdf").read_bytes()
    warm = []
    for n in range(runs):
        say(f"LibreOffice: warm conversion {n + 1}/{runs} …")
        warm.append(soffice(binary, folder / "lo-profile-cold", convert, env))
    return {
        "docx_bytes": docx.stat().st_size,
        "docx_images": len(media),
        "docx_setup_s": setup,
        "cold_s": cold,
        "warm_s": warm,
        "pages": pdf_pages(pdf),
        "pdf_bytes": len(pdf),
    }


def libreoffice_version(binary: str) -> str:
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False, timeout=120)
    return done.stdout.strip()


# ─── report ──────────────────────────────────────────────────────────────────────────────────────────


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def report(f: dict[str, Any]) -> None:
    ours, lo = f["ours"], f.get("libreoffice")
    print(
        f"{KIND.value}: {ours['findings']} findings, {ours['photos']} photos of 12 MP "
        f"(made in {f['photos_s']:.0f} s, case built in {f['case_s']:.0f} s); "
        f"median of {f['runs']} (ours) and {f['lo_runs']} (LibreOffice warm) runs"
    )
    print(f"  {'':<56} {'ms':>8} {'pages':>6} {'MB':>6}")
    pages, mb = ours["pages"], ours["pdf_bytes"] / 1e6
    rows = [
        (f"ours cold: create_draft + render_pdf ({ours['print_copies_made']} copies made)", ours["cold_s"], pages, mb),
        ("ours cold, from Python start (imports, open_store)", ours["cold_process_s"], None, None),
        ("ours warm: create_draft + render_pdf (cached copies)", f["ours_warm_s"], pages, mb),
        ("ours: document_content alone (once)", ours["content_s"], None, None),
        ("ours: render_document alone", f["ours_pure_s"], pages, mb),
    ]  # fmt: skip
    if lo:
        rows += [
            ("LibreOffice cold: docx → pdf, new profile", lo["cold_s"], lo["pages"], lo["pdf_bytes"] / 1e6),
            ("LibreOffice warm: docx → pdf, same profile", f["lo_warm_s"], lo["pages"], lo["pdf_bytes"] / 1e6),
        ]
    for label, seconds, p, m in rows:
        tail = f" {p:6d} {m:6.2f}" if p is not None else ""
        print(f"  {label:<56} {seconds * 1000:8.0f}{tail}")
    if lo:
        print(
            f"  (.docx {lo['docx_bytes'] / 1e6:.2f} MB with {lo['docx_images']} embedded JPEGs; "
            f"{f['libreoffice_version']}; {f['libreoffice_how']})"
        )
    else:
        print(f"  LibreOffice comparison skipped: {f['libreoffice_skipped']}")
    print(f"goal ours warm ≤ {GOAL_SECONDS:g} s: {verdict(f['goal_warm'])} ({f['ours_warm_s']:.2f} s)")
    print(f"goal ours cold ≤ {GOAL_SECONDS:g} s: {verdict(f['goal_cold'])} ({ours['cold_s']:.2f} s)")
    if lo:
        print(
            f"goal ≥ {GOAL_SPEEDUP:g}× faster than LibreOffice, warm/warm: {verdict(f['goal_speedup_warm'])} "
            f"({f['speedup_warm']:.1f}×); cold/cold: {verdict(f['goal_speedup_cold'])} ({f['speedup_cold']:.1f}×)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=30)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5, help="warm and pure runs of ours (median)")
    parser.add_argument("--lo-runs", type=int, default=3, help="warm LibreOffice conversions (median)")
    parser.add_argument("--no-libreoffice", action="store_true", help="time ours only")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install LibreOffice")
    parser.add_argument("--profile", action="store_true", help="also print cProfile of a cold and a warm render")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (PDFs, .docx) to look at")
    parser.add_argument("--child", choices=["time", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inspection", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spawned-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "time":
        child(args.data_dir, args.inspection, args.runs, args.out, args.spawned_at)
        return
    if args.child == "profile":
        profile_child(args.data_dir, args.inspection, 25)
        return
    if args.findings < 1 or args.photos < 1 or args.runs < 1 or args.lo_runs < 1:
        parser.error("--findings, --photos, --runs and --lo-runs must be at least 1")
    say = say_to(args.json)
    folder = Path(tempfile.mkdtemp(prefix="inspector-bench-documents-"))
    try:
        say(f"making {args.photos} photos of 12 MP in {folder} …")
        started = time.perf_counter()
        photos = make_photos(folder / "phone", args.photos, (clock.local_today() - timedelta(days=1)).isoformat())
        photos_s = time.perf_counter() - started
        say(f"seeding the demo and building the case ({args.findings} findings, ingest of the photos) …")
        started = time.perf_counter()
        template = folder / "case"
        store = open_store(template)
        try:
            seed_demo(store)
            inspection_id = build_case(store, photos, args.findings)
        finally:
            store.close()
        case_s = time.perf_counter() - started

        say("ours: cold, warm and pure renders in a fresh process on a fresh copy of the data folder …")
        data = Path(shutil.copytree(template, folder / "ours-data"))
        out = folder / "ours-out"
        done = run_child(
            ["--child", "time", "--data-dir", str(data), "--inspection", inspection_id, "--runs", str(args.runs),
             "--out", str(out), "--spawned-at", repr(time.time())]
        )  # fmt: skip
        ours = json.loads(done.stdout.strip().splitlines()[-1])
        figures: dict[str, Any] = {
            "kind": KIND.value,
            "photos_s": photos_s,
            "case_s": case_s,
            "runs": args.runs,
            "lo_runs": args.lo_runs,
            "ours": ours,
            "ours_warm_s": statistics.median(ours["warm_s"]),
            "ours_pure_s": statistics.median(ours["pure_s"]),
        }
        figures["goal_warm"] = figures["ours_warm_s"] <= GOAL_SECONDS
        figures["goal_cold"] = ours["cold_s"] <= GOAL_SECONDS

        binary, how = (None, "--no-libreoffice given") if args.no_libreoffice else (find_soffice(), "already installed")
        if binary is None and not args.no_libreoffice:
            binary, how = (None, "soffice not on PATH (--no-install)") if args.no_install else install_libreoffice(say)
        if binary is None:
            figures["libreoffice_skipped"] = how
        else:
            try:
                lo = bench_libreoffice(binary, out, folder / "lo", args.lo_runs, say)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                figures["libreoffice_skipped"] = f"{exc}"
            else:
                lo_warm = statistics.median(lo["warm_s"])
                figures.update(
                    libreoffice=lo,
                    libreoffice_how=how,
                    libreoffice_version=libreoffice_version(binary),
                    lo_warm_s=lo_warm,
                    speedup_warm=lo_warm / figures["ours_warm_s"],
                    speedup_cold=lo["cold_s"] / ours["cold_s"],
                )
                figures["goal_speedup_warm"] = figures["speedup_warm"] >= GOAL_SPEEDUP
                figures["goal_speedup_cold"] = figures["speedup_cold"] >= GOAL_SPEEDUP

        if args.profile:
            say("cProfile of a cold and a warm render (another fresh copy) …")
            data = Path(shutil.copytree(template, folder / "profile-data"))
            profiled = run_child(["--child", "profile", "--data-dir", str(data), "--inspection", inspection_id])
            figures["profile"] = profiled.stdout
        if args.json:
            print(json.dumps(figures, indent=2, ensure_ascii=False))
        else:
            report(figures)
            if args.profile:
                print(figures["profile"])
    finally:
        if args.keep:
            say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
