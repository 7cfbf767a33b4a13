"""A year of enforcement in 阳城县 for the statistics screens and benchmarks (`inspector demo --year`).

About 300 enterprises in 12 townships, 8 inspectors and 4,000 inspections, 复查 included: findings
(一般 most, 重大 few, from the shipped checklists' items), rectification mostly before the deadline with some
late and some never, 挂牌督办 of 重大隐患, documents (记录, 责令限期整改指令书, 现场处理措施决定书, 复查意见书,
行政处罚告知书/决定书 with amounts), and 逢查必考 quizzes with their answers (about 85 % pass).

The year is made in memory from one seeded random generator, then written with bulk inserts: every row
is stamped and put in the outbox as the session would do, and the inspection search index is rebuilt
once at the end. Everything but those stamps (ids included) is the same for the same seed and dates.

Not made: PDFs of the issued documents (the 执法文书 screen says it cannot show them), checklist answers,
photos and inspection tasks.
"""

from __future__ import annotations

import random
import time as timer
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from inspector import clock
from inspector.demo.catalog import AGENCY, COUNTY_CODE, ENTERPRISES, INSPECTORS
from inspector.documents.money import capital, figures
from inspector.documents.numbers import number_text
from inspector.domain.enums import (
    DocumentKind,
    DocumentStatus,
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    Industry,
    IndustryTradeSector,
    InspectionMode,
    InspectionStatus,
    InspectorRole,
    QuestionType,
    QuizMode,
    QuizStatus,
)
from inspector.domain.identifiers import CREDIT_CODE_ALPHABET, id_number_check_char, make_credit_code
from inspector.errors import InspectorError, ValidationError
from inspector.quiz.service import MANAGERS, RECTIFY_DAYS
from inspector.shipped import install_shipped_content
from inspector.store import search_index
from inspector.store.bulk import insert_synced
from inspector.store.db import Store
from inspector.store.models import (
    ChecklistItem,
    ChecklistTemplate,
    Document,
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    NumberBlock,
    Question,
    QuestionBank,
    QuizAnswer,
    QuizSession,
    SyncedRecord,
)
from inspector.store.settings import AGENCY_KEY, DEMO_KEY, get_setting, set_setting

YEAR_KIND = "year"
SUPERVISING_BODY = "阳城县人民政府安全生产委员会办公室"


@dataclass(frozen=True)
class YearSize:
    """How much to make; tests use a small one."""

    enterprises: int = 300
    inspectors: int = 8
    inspections: int = 4000
    townships: int = 12


@dataclass(frozen=True)
class YearDemoSummary:
    data_dir: str
    created: bool
    first_day: date
    last_day: date
    seed: int
    counts: dict[str, Any]
    finished_inspection_id: str
    busiest_enterprise_id: str
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "data_dir": self.data_dir,
            "created": self.created,
            "kind": YEAR_KIND,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "seed": self.seed,
            "counts": self.counts,
            "finished_inspection_id": self.finished_inspection_id,
            "busiest_enterprise_id": self.busiest_enterprise_id,
            "seconds": round(self.seconds, 2),
        }


# ─── what the county looks like ──────────────────────────────────────────────────────────────────────

# Towns before 乡, the county seat first; the catalog gives each a position for the map.
TOWNSHIPS = (
    "凤城镇", "北留镇", "润城镇", "町店镇", "芹池镇", "次营镇", "横河镇", "河北镇", "东冶镇", "白桑乡", "演礼乡",
    "固隆乡", "董封乡", "西河乡", "驾岭乡",
)  # fmt: skip
_SEAT = "凤城镇"

# Share of the enterprises per industry (of 300), and how much more often one is inspected than average.
_INDUSTRY_SHARE: dict[Industry, tuple[int, float]] = {
    Industry.COAL: (24, 3.0),
    Industry.METAL_NONMETAL_MINE: (16, 1.8),
    Industry.HAZARDOUS_CHEMICALS: (30, 2.0),
    Industry.INDUSTRY_TRADE: (105, 0.8),
    Industry.CONSTRUCTION: (36, 1.2),
    Industry.CITY_GAS: (12, 1.6),
    Industry.FIRE: (45, 0.6),
    Industry.TRANSPORT: (18, 0.6),
    Industry.EXPLOSIVES: (4, 2.0),
    Industry.FIREWORKS: (10, 1.4),
}
# Chance that a finding is a 重大事故隐患, per industry (transport has no 判定标准 checklist here).
_MAJOR_RATE: dict[Industry, float] = {
    Industry.COAL: 0.045,
    Industry.METAL_NONMETAL_MINE: 0.04,
    Industry.HAZARDOUS_CHEMICALS: 0.04,
    Industry.INDUSTRY_TRADE: 0.02,
    Industry.CONSTRUCTION: 0.03,
    Industry.CITY_GAS: 0.03,
    Industry.FIRE: 0.015,
    Industry.TRANSPORT: 0.0,
    Industry.EXPLOSIVES: 0.03,
    Industry.FIREWORKS: 0.04,
}
_CHECKLIST_OF: dict[Industry, str] = {
    Industry.COAL: "coal",
    Industry.METAL_NONMETAL_MINE: "metal-mines",
    Industry.HAZARDOUS_CHEMICALS: "chemicals",
    Industry.INDUSTRY_TRADE: "industry-trade",
    Industry.CONSTRUCTION: "construction",
    Industry.CITY_GAS: "city-gas",
    Industry.FIRE: "fire",
    Industry.EXPLOSIVES: "explosives",
    Industry.FIREWORKS: "fireworks",
}
_BANK_OF: dict[Industry, str] = {**_CHECKLIST_OF, Industry.TRANSPORT: "general"}
_KEY_INDUSTRIES = {
    Industry.COAL,
    Industry.METAL_NONMETAL_MINE,
    Industry.HAZARDOUS_CHEMICALS,
    Industry.CITY_GAS,
    Industry.EXPLOSIVES,
}
_MINING = {Industry.COAL, Industry.METAL_NONMETAL_MINE, Industry.EXPLOSIVES}

_WORDS = (
    "晟泰", "鑫源", "宏达", "恒通", "瑞丰", "金鼎", "华阳", "鼎盛", "兴旺", "永安", "福昌", "泰和",
    "通达", "天宇", "嘉禾", "润丰", "安泰", "盛世", "德隆", "汇丰", "凯达", "聚鑫", "富源", "昌盛",
    "广源", "洪福", "益民", "裕丰", "康泰", "顺达", "利民", "新华", "中天", "东方", "晋阳", "沁河",
    "析城", "蟒山", "皇城", "海会", "龙泉", "凤鸣", "润泽", "恒信", "宝晋", "万通", "隆鑫", "金泰",
    "华晋", "三和", "正阳", "永鑫", "同心", "明源", "源丰", "晋丰", "兴隆", "太行", "王屋", "阳泰",
)  # fmt: skip
_SUFFIXES: dict[Industry, tuple[str, ...]] = {
    Industry.COAL: ("煤业有限公司", "煤矿"),
    Industry.METAL_NONMETAL_MINE: ("矿业有限公司", "石料有限公司", "石灰岩矿", "硫铁矿"),
    Industry.HAZARDOUS_CHEMICALS: ("化工有限公司", "加油站", "化学品经营部", "工业气体有限公司"),
    Industry.CONSTRUCTION: ("建筑工程有限公司", "建设工程有限公司", "市政工程有限公司"),
    Industry.CITY_GAS: ("燃气有限公司", "液化石油气站", "天然气有限公司"),
    Industry.FIRE: ("大酒店", "购物广场", "宾馆", "商贸城", "超市", "养老院", "KTV"),
    Industry.TRANSPORT: ("运输有限公司", "物流有限公司", "客运有限公司"),
    Industry.EXPLOSIVES: ("民爆器材专营有限公司", "爆破工程有限公司"),
    Industry.FIREWORKS: ("烟花爆竹批发有限公司", "烟花爆竹零售店"),
}
_TRADE_SUFFIXES: dict[IndustryTradeSector, tuple[str, ...]] = {
    IndustryTradeSector.METALLURGY: ("铸造有限公司", "冶炼有限公司"),
    IndustryTradeSector.NONFERROUS: ("铝业有限公司",),
    IndustryTradeSector.BUILDING_MATERIALS: ("陶瓷有限公司", "耐火材料有限公司", "水泥有限公司", "建材有限公司"),
    IndustryTradeSector.MACHINERY: ("机械制造有限公司", "机电设备有限公司"),
    IndustryTradeSector.LIGHT_INDUSTRY: ("食品有限公司", "酒业有限公司", "木业有限公司"),
    IndustryTradeSector.TEXTILE: ("纺织有限公司", "服装有限公司"),
    IndustryTradeSector.COMMERCE: ("商贸有限公司", "仓储物流有限公司"),
}
_KEY_POSTS: dict[Industry, tuple[str, ...]] = {
    Industry.COAL: ("瓦斯检查工", "采煤机司机", "井下电钳工", "爆破工", "安全检查工"),
    Industry.METAL_NONMETAL_MINE: ("提升机操作工", "尾矿库作业人员", "井下爆破工"),
    Industry.HAZARDOUS_CHEMICALS: ("主要操作岗位", "特殊作业监护人"),
    Industry.INDUSTRY_TRADE: ("有限空间作业人员", "粉尘涉爆岗位", "液氨制冷岗位"),
    Industry.CONSTRUCTION: ("架子工", "塔式起重机司机", "施工电工"),
    Industry.CITY_GAS: ("储配站操作工", "入户安检员"),
    Industry.FIRE: ("消防控制室值班人员",),
    Industry.TRANSPORT: ("驾驶员",),
    Industry.EXPLOSIVES: ("爆破作业人员", "仓库保管员"),
    Industry.FIREWORKS: ("仓库保管员", "零售经营者"),
}
_ON_SITE_POSTS: dict[Industry, tuple[str, ...]] = {
    Industry.COAL: ("安全副矿长", "矿长", "总工程师"),
    Industry.METAL_NONMETAL_MINE: ("矿长", "安全副矿长"),
    Industry.CONSTRUCTION: ("项目经理", "专职安全员"),
    Industry.FIRE: ("总经理", "消防安全管理人"),
}
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "建国", "志刚", "海燕", "红梅", "晓明", "文斌", "永强",
    "国庆", "春生", "红霞", "卫东", "建军", "玉兰", "小红", "鹏", "鑫", "宇", "浩", "凯", "斌", "宁", "亮",
    "晋生", "俊峰", "利军", "忠", "红", "晓燕",
)  # fmt: skip
_EXTRA_INSPECTORS = (
    ("孙立新", "14052200121"),
    ("刘海燕", "14052200124"),
    ("杨帆", "14052200127"),
    ("马文斌", "14052200130"),
)

# Inspections per month, relative: the Spring Festival is quiet, 安全生产月 (June) and the year's end are busy.
_MONTH_WEIGHT = (0.8, 0.5, 1.1, 1.1, 1.1, 1.3, 0.9, 0.9, 1.0, 0.9, 1.1, 1.1)
_MODES: tuple[tuple[InspectionMode, float], ...] = (
    (InspectionMode.UNANNOUNCED, 32),
    (InspectionMode.DOUBLE_RANDOM, 20),
    (InspectionMode.ROUTINE, 28),
    (InspectionMode.SPECIAL, 16),
    (InspectionMode.COMPLAINT, 4),
)
_PURPOSES: dict[InspectionMode, str] = {
    InspectionMode.UNANNOUNCED: "对你单位安全生产管理情况和重大事故隐患排查整治情况进行四不两直暗查暗访。",
    InspectionMode.DOUBLE_RANDOM: "按照双随机一公开抽查计划，对你单位安全生产情况进行监督检查。",
    InspectionMode.ROUTINE: "对你单位安全生产法律法规执行情况进行日常监督检查。",
    InspectionMode.SPECIAL: "开展{industry}安全专项整治检查。",
    InspectionMode.COMPLAINT: "对群众举报反映的安全生产问题进行核查。",
    InspectionMode.REVIEW: "对责令限期整改的事故隐患整改情况进行复查。",
}
_FINDING_COUNTS = (0, 1, 2, 3, 4, 5, 6, 7, 8)
_FINDING_WEIGHTS = (22, 18, 19, 15, 11, 7, 4, 2, 2)
_GENERAL_MEASURES = (
    (FindingMeasure.CORRECTED_ON_SITE, 28),
    (FindingMeasure.RECTIFY_BY_DEADLINE, 69),
    (FindingMeasure.STOP_EQUIPMENT, 2),
    (FindingMeasure.WITHDRAW_WORKERS, 1),
)
_MAJOR_MEASURES = (
    (FindingMeasure.RECTIFY_BY_DEADLINE, 55),
    (FindingMeasure.SUSPEND_PRODUCTION, 30),
    (FindingMeasure.WITHDRAW_WORKERS, 8),
    (FindingMeasure.STOP_EQUIPMENT, 5),
    (FindingMeasure.SEAL_OR_SEIZE, 2),
)
# Outcome of a batch of findings with one deadline: 复查 passed before the deadline, passed at a second 复查
# after failing the first, or not rectified (the first 复查 failed and nothing since).
_FATES = (("on_time", 86), ("late", 9), ("never", 5))
_SAFETY_LAW = "《中华人民共和国安全生产法》"


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


# ─── the generator ───────────────────────────────────────────────────────────────────────────────────


# Per bank code and question type: (question id, answer, number of options).
_QuestionPool = dict[str, dict[QuestionType, list[tuple[str, str, int]]]]


@dataclass
class _Case:
    """A regular inspection as generated, with what followed it."""

    inspection: dict[str, Any]
    enterprise: dict[str, Any]
    day: date
    ended: datetime
    people: list[str]
    findings: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    penalty: tuple[date, date | None, int, int | None] | None = None  # notice day, decision day, unit, person fen


class _Year:
    def __init__(self, session: Session, *, seed: int, size: YearSize, first: date, last: date) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.size = size
        self.first, self.last = first, last
        self.rows: dict[type[SyncedRecord], list[dict[str, Any]]] = defaultdict(list)
        self.cases: list[_Case] = []
        self.total_inspections = 0
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        self.day_weights = list(
            accumulate(_MONTH_WEIGHT[d.month - 1] * (1.0 if d.weekday() < 5 else 0.08) for d in self.days)
        )
        self.items = self._checklist_items()
        self.questions, self.pass_marks, self.bank_ids = self._questions()

    # ids: UUIDv7 made of the record's own time and the generator's bits, so a seed gives the same ids.
    def new_id(self, when: datetime) -> str:
        ms = int(when.timestamp() * 1000)
        rand = self.rng.getrandbits(74)
        value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
        return str(uuid.UUID(int=value))

    def at(self, day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=clock.CHINA_TZ)

    def name(self) -> str:
        return self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN)

    def phone(self) -> str:
        return self.rng.choice(("13", "15", "18")) + "".join(self.rng.choice("0123456789") for _ in range(9))

    def workday(self, day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def _checklist_items(self) -> dict[str, dict[HazardGrade, list[tuple[str, str]]]]:
        """The shipped checklists' items by template code and grade: what findings are written from."""
        pool: dict[str, dict[HazardGrade, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        rows = self.session.connection().execute(
            select(col(ChecklistTemplate.code), col(ChecklistItem.failure_grade), col(ChecklistItem.content),
                   col(ChecklistItem.basis))
            .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(ChecklistItem.template_id))
            .where(col(ChecklistTemplate.is_current))
            .order_by(col(ChecklistTemplate.code), col(ChecklistItem.position))
        )  # fmt: skip
        for code, grade, content, basis in rows:
            pool[code][HazardGrade(grade)].append((_as_finding(content), basis))
        return pool

    def _questions(self) -> tuple[_QuestionPool, dict[str, int], dict[str, str]]:
        by_bank: _QuestionPool = defaultdict(lambda: defaultdict(list))
        pass_marks: dict[str, int] = {}
        bank_ids: dict[str, str] = {}
        conn = self.session.connection()
        for bank_id, code, pass_mark in conn.execute(
            select(col(QuestionBank.id), col(QuestionBank.code), col(QuestionBank.pass_mark)).where(
                col(QuestionBank.is_current)
            )
        ):
            pass_marks[code], bank_ids[code] = int(pass_mark), bank_id
        codes = {v: k for k, v in bank_ids.items()}
        for question_id, bank_id, qtype, answer, options in conn.execute(
            select(
                col(Question.id),
                col(Question.bank_id),
                col(Question.qtype),
                col(Question.answer),
                col(Question.options),
            ).order_by(col(Question.bank_id), col(Question.code), col(Question.id))
        ):
            if bank_id in codes:
                by_bank[codes[bank_id]][QuestionType(qtype)].append((question_id, answer, len(options)))
        return by_bank, pass_marks, bank_ids

    # ── reference data ──

    def make_enterprises(self) -> None:
        towns = list(TOWNSHIPS[: max(1, min(self.size.townships, len(TOWNSHIPS)))])
        positions = {e.township: (e.latitude, e.longitude) for e in reversed(ENTERPRISES)}
        shares = {i: round(self.size.enterprises * share / 300) for i, (share, _) in _INDUSTRY_SHARE.items()}
        shares[Industry.INDUSTRY_TRADE] += self.size.enterprises - sum(shares.values())
        names: set[str] = set()
        codes: set[str] = set()
        stamp = self.at(self.first, 8, 0)
        for industry, count in shares.items():
            for n in range(max(0, count)):
                if industry in _MINING:
                    town = self.rng.choice([t for t in towns if t != _SEAT] or towns)
                elif industry is Industry.FIRE and self.rng.random() < 0.5:
                    town = towns[0]
                else:
                    town = self.rng.choices(towns, weights=[3 if t == _SEAT else 1 for t in towns])[0]
                sector = ""
                suffixes = _SUFFIXES.get(industry, ("有限公司",))
                if industry is Industry.INDUSTRY_TRADE:
                    trade = self.rng.choice(list(_TRADE_SUFFIXES))
                    sector, suffixes = trade.value, _TRADE_SUFFIXES[trade]
                prefix = "山西阳城" if industry is Industry.COAL else "阳城县"
                name, tries = "", 0
                while not name or name in names:
                    word, suffix = self.rng.choice(_WORDS), self.rng.choice(suffixes)
                    name = prefix + word + suffix
                    if name in names:  # a namesake elsewhere in the county: named after its township
                        name = f"{prefix}{town[:2]}{word}{suffix}"
                    if name in names and tries > 20:  # a very large county: number them
                        name = f"{prefix}{town[:2]}{word}第{len(names)}{suffix}"
                    tries += 1
                names.add(name)
                code = ""
                while not code or code in codes:
                    body = "MA0" + "".join(self.rng.choice(CREDIT_CODE_ALPHABET) for _ in range(5))
                    code = make_credit_code(COUNTY_CODE, body)
                codes.add(code)
                lat, lon = positions.get(town, (35.4862, 112.4185))
                key = industry in _KEY_INDUSTRIES or self.rng.random() < 0.1
                risk = self.rng.choices("ABCD", weights=(5, 4, 1, 0) if key else (0, 2, 5, 3))[0]
                big = industry in _MINING
                self.rows[Enterprise].append(
                    {
                        "id": self.new_id(stamp),
                        "name": name,
                        "credit_code": code,
                        "industry": industry,
                        "sector": sector,
                        "address": f"山西省晋城市阳城县{town}{self.rng.choice(_WORDS)}村{n % 9 + 1}号",
                        "township": town,
                        "county_code": COUNTY_CODE,
                        "legal_representative": self.name(),
                        "contact_phone": self.phone(),
                        "risk_level": risk,
                        "is_key": key,
                        "employees": self.rng.randint(200, 1500) if big else self.rng.randint(8, 300),
                        "licence_no": f"（晋）安许证字〔{self.first.year - 2}〕{len(codes):04d}号" if key else "",
                        "latitude": round(lat + self.rng.uniform(-0.02, 0.02), 4),
                        "longitude": round(lon + self.rng.uniform(-0.02, 0.02), 4),
                        "notes": "",
                    }
                )

    def make_inspectors(self) -> None:
        people = [(i.name, i.cert_no, InspectorRole(i.role), i.phone) for i in INSPECTORS]
        people += [(name, cert, InspectorRole.INSPECTOR, self.phone()) for name, cert in _EXTRA_INSPECTORS]
        stamp = self.at(self.first, 8, 0)
        for name, cert, role, phone in people[: max(2, self.size.inspectors)]:
            self.rows[Inspector].append(
                {
                    "id": self.new_id(stamp),
                    "name": name,
                    "cert_no": cert,
                    "unit": AGENCY.name,
                    "role": role,
                    "phone": phone,
                    "county_code": COUNTY_CODE,
                    "active": True,
                }
            )

    # ── inspections ──

    def make_year(self) -> None:
        enterprises = self.rows[Enterprise]
        weights = [
            _INDUSTRY_SHARE[e["industry"]][1]
            * (1.8 if e["is_key"] else 1.0)
            * {"A": 1.6, "B": 1.2, "C": 1.0}.get(e["risk_level"], 0.7)
            for e in enterprises
        ]
        cumulative = list(accumulate(weights))
        while self.total_inspections < self.size.inspections:
            enterprise = self.rng.choices(enterprises, cum_weights=cumulative)[0]
            day = self.rng.choices(self.days, cum_weights=self.day_weights)[0]
            self.make_case(enterprise, day)

    def team(self, size: int, lead: str | None = None) -> list[str]:
        staff = [i["id"] for i in self.rows[Inspector] if i["role"] is InspectorRole.INSPECTOR]
        everyone = [i["id"] for i in self.rows[Inspector]]
        pool = everyone if self.rng.random() < 0.08 or len(staff) < size else staff
        size = min(size, len(everyone))
        chosen = [lead] if lead else []
        while len(chosen) < size:
            candidate = self.rng.choice(pool)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def add_inspection(
        self,
        enterprise: dict[str, Any],
        *,
        mode: InspectionMode,
        started: datetime,
        ended: datetime,
        people: list[str],
        review_of: str | None = None,
    ) -> dict[str, Any]:
        industry = enterprise["industry"]
        posts = _ON_SITE_POSTS.get(industry, ("安全管理人员", "总经理", "安全部长"))
        unannounced = mode is InspectionMode.UNANNOUNCED
        row = {
            "id": self.new_id(started),
            "task_id": None,
            "enterprise_id": enterprise["id"],
            "mode": mode,
            "status": InspectionStatus.DOCUMENTS_ISSUED,
            "review_of_inspection_id": review_of,
            "case_year": None,
            "case_number": None,
            "started_at": started,
            "ended_at": ended,
            "place": enterprise["address"],
            "purpose": _PURPOSES[mode].format(industry=industry.value),
            "latitude": enterprise["latitude"],
            "longitude": enterprise["longitude"],
            "gps_source": "企业登记",
            "on_site_person_name": self.name(),
            "on_site_person_post": self.rng.choice(posts),
            "on_site_person_phone": self.phone(),
            "no_advance_notice": unannounced,
            "no_escort": unannounced,
            "straight_to_site": unannounced,
        }
        self.rows[Inspection].append(row)
        for position, inspector_id in enumerate(people):
            self.rows[InspectionInspector].append(
                {
                    "id": self.new_id(started),
                    "inspection_id": row["id"],
                    "inspector_id": inspector_id,
                    "position": position,
                }
            )
        self.total_inspections += 1
        return row

    def make_case(self, enterprise: dict[str, Any], day: date) -> None:
        rng = self.rng
        started = self.at(day, rng.randint(8, 14), rng.choice((0, 10, 20, 30, 40, 50)))
        ended = started + timedelta(minutes=rng.randint(90, 270))
        mode = _pick(rng, _MODES)
        people = self.team(3 if rng.random() < 0.15 else 2)
        inspection = self.add_inspection(enterprise, mode=mode, started=started, ended=ended, people=people)
        case = _Case(inspection=inspection, enterprise=enterprise, day=day, ended=ended, people=people)
        self.cases.append(case)
        industry: Industry = enterprise["industry"]

        quiz_failures = self.make_quizzes(case, people)
        general_days = RECTIFY_DAYS if quiz_failures else rng.choice((7, 10, 15, 15, 20, 30))
        major_days = rng.choice((30, 45, 60, 90))
        pool = self.items.get(_CHECKLIST_OF.get(industry, "industry-trade"), {})
        count = rng.choices(_FINDING_COUNTS, weights=_FINDING_WEIGHTS)[0]
        used: set[str] = set()
        for n in range(count):
            major = rng.random() < _MAJOR_RATE[industry] * (1.5 if enterprise["risk_level"] == "A" else 1.0)
            grade = HazardGrade.MAJOR if major and pool.get(HazardGrade.MAJOR) else HazardGrade.GENERAL
            texts = [t for t in pool.get(grade, []) if t[0] not in used] or [("安全生产管理存在其他问题。", "")]
            description, basis = rng.choice(texts)
            used.add(description)
            measure = _pick(rng, _MAJOR_MEASURES if grade is HazardGrade.MAJOR else _GENERAL_MEASURES)
            self.add_finding(
                case,
                position=n,
                description=description,
                grade=grade,
                basis=basis,
                measure=measure,
                deadline_days=major_days if grade is HazardGrade.MAJOR else general_days,
            )
        for person_post, person_name, score, pass_mark, quiz in quiz_failures:
            managers = person_post in MANAGERS
            what = "安全生产知识和管理能力" if managers else "安全生产知识和岗位安全操作技能"
            finding = self.add_finding(
                case,
                position=len(case.findings),
                description=(
                    f"{person_post}{person_name}{what}考核不合格（得分{score:g}分，合格分{pass_mark}分），"
                    "未具备必要的安全生产知识。"
                ),
                grade=HazardGrade.GENERAL,
                basis=f"{_SAFETY_LAW}第{'二十七' if managers else '二十八'}条第一款",
                measure=FindingMeasure.RECTIFY_BY_DEADLINE,
                deadline_days=RECTIFY_DAYS,
                source="quiz",
            )
            quiz["finding_id"] = finding["id"]
        self.follow_up(case)
        self.decide_penalty(case)
        if case.penalty is None and all(f["status"] is FindingStatus.CLOSED for f in case.findings):
            case.inspection["status"] = InspectionStatus.CLOSED  # 结案: nothing left to rectify or decide

    def add_finding(
        self,
        case: _Case,
        *,
        position: int,
        description: str,
        grade: HazardGrade,
        basis: str,
        measure: FindingMeasure,
        deadline_days: int,
        source: str = "manual",  # written from a checklist item, but not linked to one
    ) -> dict[str, Any]:
        on_site = measure is FindingMeasure.CORRECTED_ON_SITE
        major = grade is HazardGrade.MAJOR
        supervised = case.day + timedelta(days=self.rng.randint(0, 3)) if major else None
        row = {
            "id": self.new_id(case.inspection["started_at"]),
            "inspection_id": case.inspection["id"],
            "enterprise_id": case.enterprise["id"],
            "item_id": None,
            "position": position,
            "description": description,
            "grade": grade,
            "basis": basis,
            "measure": measure,
            "deadline": None if on_site else case.day + timedelta(days=deadline_days),
            "status": FindingStatus.CLOSED if on_site else FindingStatus.OPEN,
            "source": source,
            "supervised_by": SUPERVISING_BODY if supervised and supervised <= self.last else "",
            "supervised_since": supervised if supervised and supervised <= self.last else None,
            "review_inspection_id": None,
            "review_note": "",
            "closed_at": case.ended if on_site else None,
        }
        self.rows[Finding].append(row)
        case.findings.append(row)
        return row

    def make_quizzes(self, case: _Case, people: list[str]) -> list[tuple[str, str, float, int, dict[str, Any]]]:
        """逢查必考 of 0–3 people; returns the failures, which become findings."""
        rng = self.rng
        industry: Industry = case.enterprise["industry"]
        bank = _BANK_OF[industry]
        failures = []
        for n in range(rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]):
            manager = rng.random() < 0.5
            post = rng.choice(MANAGERS) if manager else rng.choice(_KEY_POSTS[industry])
            pass_mark = self.pass_marks.get(bank, 80)
            passed = rng.random() < (0.82 if manager else 0.87)
            if passed:
                right = rng.choices((8, 9, 10), weights=(45, 35, 20))[0]
            else:
                right = rng.choices((4, 5, 6, 7), weights=(5, 15, 30, 50))[0]
            score = float(right * 10)
            passed = score >= pass_mark
            started = case.inspection["started_at"] + timedelta(minutes=40 + 20 * n)
            birth = date(rng.randint(1965, 2001), rng.randint(1, 12), rng.randint(1, 28))
            body = f"{COUNTY_CODE}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
            quiz = {
                "id": self.new_id(started),
                "inspection_id": case.inspection["id"],
                "enterprise_id": case.enterprise["id"],
                "bank_id": self.bank_ids.get(bank),
                "person_name": self.name(),
                "person_post": post,
                "person_id_number": body + id_number_check_char(body),
                "person_staff_no": "",
                "mode": QuizMode.KIOSK if rng.random() < 0.7 else QuizMode.ORAL,
                "seed": f"{rng.getrandbits(64):016x}",
                "draw_params": {"industry": industry.value, "post": post, "banks": [bank, "general"], "demo": True},
                "time_limit_seconds": 900,
                "started_at": started,
                "ended_at": started + timedelta(minutes=rng.randint(6, 14)),
                "score": score,
                "pass_mark": pass_mark,
                "status": QuizStatus.PASSED if passed else QuizStatus.FAILED,
                "examiner_id": people[0],
                "finding_id": None,
            }
            self.rows[QuizSession].append(quiz)
            self.make_answers(quiz, bank, right)
            if not passed:
                failures.append((post, quiz["person_name"], score, pass_mark, quiz))
        return failures

    def make_answers(self, quiz: dict[str, Any], bank: str, right: int) -> None:
        """A 10-question paper (4 判断, 4 单选, 2 多选) with `right` answers correct, options in bank order."""
        rng = self.rng
        paper: list[tuple[str, str, int]] = []
        for qtype, wanted in ((QuestionType.TRUE_FALSE, 4), (QuestionType.SINGLE_CHOICE, 4),
                              (QuestionType.MULTIPLE_CHOICE, 2)):  # fmt: skip
            pool = self.questions.get(bank, {}).get(qtype, []) + self.questions.get("general", {}).get(qtype, [])
            paper += rng.sample(pool, min(wanted, len(pool)))
        wrong = set(rng.sample(range(len(paper)), max(0, len(paper) - right)))
        for position, (question_id, answer, options) in enumerate(paper):
            correct = position not in wrong
            self.rows[QuizAnswer].append(
                {
                    "id": self.new_id(quiz["started_at"]),
                    "session_id": quiz["id"],
                    "question_id": question_id,
                    "position": position,
                    "option_order": list(range(options)),
                    "given": answer if correct else _wrong_answer(answer, options),
                    "correct": correct,
                    "points": 100 / len(paper) if correct else 0.0,
                }
            )

    def follow_up(self, case: _Case) -> None:
        """复查 of each batch of findings sharing a deadline; the outcome decides the findings' state."""
        rng = self.rng
        batches: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for f in case.findings:
            if f["deadline"] is not None:
                batches[f["deadline"]].append(f)
        reviews: dict[date, dict[str, Any]] = {}
        for deadline, batch in sorted(batches.items()):
            fate = _pick(rng, _FATES)
            if fate == "on_time":
                plan = [(max(deadline - timedelta(days=rng.randint(0, 4)), case.day + timedelta(days=2)), True)]
            else:
                first = deadline + timedelta(days=rng.randint(2, 6))
                plan = [(first, False)]
                if fate == "late":
                    plan.append((deadline + timedelta(days=rng.randint(15, 30)), True))
            for planned, passed in plan:
                day = self.workday(planned)
                if day > self.last or self.total_inspections >= self.size.inspections:
                    break
                review = reviews.get(day)
                if review is None:
                    review = self.add_review(case, day)
                    reviews[day] = review
                for f in batch:
                    f["review_inspection_id"] = review["id"]
                    if passed:
                        f["status"], f["closed_at"] = FindingStatus.CLOSED, review["ended_at"]
                        f["review_note"] = "经现场复查，隐患已整改到位，予以销号。"
                    else:
                        f["status"] = FindingStatus.REVIEW_FAILED
                        f["review_note"] = "经现场复查，隐患未整改到位。"
            for f in batch:
                if f["status"] is FindingStatus.OPEN and rng.random() < 0.5:
                    f["status"] = FindingStatus.RECTIFYING
        case.reviews = sorted(reviews.values(), key=lambda r: r["started_at"])

    def add_review(self, case: _Case, day: date) -> dict[str, Any]:
        started = self.at(day, self.rng.randint(9, 15), self.rng.choice((0, 15, 30, 45)))
        return self.add_inspection(
            case.enterprise,
            mode=InspectionMode.REVIEW,
            started=started,
            ended=started + timedelta(minutes=self.rng.randint(40, 100)),
            people=self.team(2, lead=case.people[0]),  # the officer in charge goes back to check
            review_of=case.inspection["id"],
        )

    def decide_penalty(self, case: _Case) -> None:
        """行政处罚: most cases with a 重大事故隐患, a few with many general ones (安全生产法 第一百零二条)."""
        rng = self.rng
        majors = sum(f["grade"] is HazardGrade.MAJOR for f in case.findings)
        odds = 0.4 if majors else (0.04 if len(case.findings) >= 5 else 0.003)
        if rng.random() >= odds:
            return
        notice = self.workday(case.day + timedelta(days=rng.randint(5, 12)))
        if notice > self.last:
            return
        decision: date | None = self.workday(notice + timedelta(days=rng.randint(5, 10)))
        if decision is not None and decision > self.last:
            decision = None
        unit = rng.choice((20000, 30000, 40000, 50000) if majors else (5000, 8000, 10000, 15000, 20000)) * 100
        person = rng.choice((5000, 8000, 10000, 20000)) * 100 if majors and rng.random() < 0.3 else None
        case.penalty = (notice, decision, unit, person)

    # ── documents and numbers ──

    def issue(
        self,
        case: _Case,
        kind: DocumentKind,
        when: datetime,
        inspection_id: str,
        extra: dict[str, Any] | None = None,
        *,
        suffix: str = "",
    ) -> None:
        """An issued (mostly also served on the spot) document of the case, numbered with its case number."""
        year, n = case.inspection["case_year"], case.inspection["case_number"]
        text = number_text(AGENCY.short_name, kind, year, n)
        served = self.rng.random() < 0.92
        self.rows[Document].append(
            {
                "id": self.new_id(when),
                "inspection_id": inspection_id,
                "enterprise_id": case.enterprise["id"],
                "kind": kind,
                "number_text": text.replace("号", f"{suffix}号") if suffix else text,
                "case_year": year,
                "case_number": n,
                "status": DocumentStatus.SERVED if served else DocumentStatus.ISSUED,
                "fields": {"input": {}, "demo": True, **(extra or {})},
                "template_version": "",
                "issued_at": when,
                "served_at": when if served else None,
            }
        )

    def make_documents(self) -> None:
        """Documents of every case, numbered with one case number per inspection, in order of the inspections."""
        next_number: Counter[int] = Counter()
        for case in sorted(self.cases, key=lambda c: c.inspection["started_at"]):
            year = case.day.year
            next_number[year] += 1
            for inspection in (case.inspection, *case.reviews):
                inspection["case_year"], inspection["case_number"] = year, next_number[year]
            self.case_documents(case)
        stamp = self.at(self.first, 8, 0)
        for year, last in sorted(next_number.items()):
            # The office's block for this laptop: what the year used, and some left to issue new documents.
            self.rows[NumberBlock].append(
                {
                    "id": self.new_id(stamp),
                    "agency_short_name": AGENCY.short_name,
                    "year": year,
                    "first_number": 1,
                    "last_number": last + 500,
                    "next_number": last + 1,
                    "device_id": self.session.info.get("device_id", ""),
                }
            )

    def case_documents(self, case: _Case) -> None:
        inspection_id = case.inspection["id"]
        self.issue(case, DocumentKind.INSPECTION_RECORD, case.ended, inspection_id)
        measures = {f["measure"] for f in case.findings}
        if any(f["deadline"] is not None for f in case.findings):
            self.issue(case, DocumentKind.RECTIFICATION_ORDER, case.ended, inspection_id)
        if any(m.is_on_site_measure for m in measures):
            self.issue(case, DocumentKind.ON_SITE_MEASURES, case.ended, inspection_id)
        if FindingMeasure.SEAL_OR_SEIZE in measures:
            seized = {"input": {"measure": "查封", "items": "涉案设备|—|1台|生产现场", "period_days": "30"}}
            self.issue(case, DocumentKind.COERCIVE_MEASURES, case.ended, inspection_id, seized)
        for review in case.reviews:
            self.issue(case, DocumentKind.REVIEW_OPINION, review["ended_at"], review["id"])
        if case.penalty is None:
            return
        notice, decision, unit, person = case.penalty
        facts = _penalty_inputs(case)
        hearing = {"hearing": "是" if unit >= 3_000_000 else "否"}  # 较大数额罚款: 听证 (行政处罚法 第六十三条)
        self.issue(
            case, DocumentKind.PENALTY_NOTICE, self.at(notice, 10, 0), inspection_id, _money(facts | hearing, unit)
        )
        if decision is None:
            return
        self.issue(
            case, DocumentKind.PENALTY_DECISION_UNIT, self.at(decision, 10, 0), inspection_id, _money(facts, unit)
        )
        if person is not None:
            who = {"person_name": case.inspection["on_site_person_name"], "person_post": "主要负责人"}
            self.issue(
                case,
                DocumentKind.PENALTY_DECISION_PERSON,
                self.at(decision, 10, 30),
                inspection_id,
                _money(facts | who, person),
                suffix="-1",  # 一案双罚: the person's decision is N-1
            )


def _as_finding(content: str) -> str:
    """A checklist item's 检查内容 ("是否…") as what was found ("未…")."""
    text = content.strip().rstrip("。？?")
    if "是否" in text:
        return text.replace("是否", "未") + "。"
    return f"不符合要求：{text}。"


def _wrong_answer(answer: str, options: int) -> str:
    if answer in ("对", "错"):
        return "错" if answer == "对" else "对"
    letters = "ABCDEFGH"[: max(options, 2)]
    if len(answer) > 1:
        return answer[:-1]  # a 多选 with one right option left out
    return next(ch for ch in letters if ch != answer)


def _penalty_inputs(case: _Case) -> dict[str, Any]:
    major = next((f for f in case.findings if f["grade"] is HazardGrade.MAJOR), None)
    described = (major or case.findings[0])["description"] if case.findings else "未采取措施消除事故隐患"
    return {
        "facts": f"经查，你单位{described}",
        "evidence": "现场检查记录\n现场照片\n询问笔录",
        "violated": f"{_SAFETY_LAW}第四十一条第二款",
        "basis": f"{_SAFETY_LAW}第一百零二条",
        "statement": "当事人在规定期限内未提出陈述、申辩",
    }


def _money(inputs: dict[str, Any], fen: int) -> dict[str, Any]:
    amount = Decimal(fen) / 100
    return {
        "input": {**inputs, "amount": f"{amount:.2f}"},
        "amount_figures": figures(amount),
        "amount_capital": capital(amount),
    }


# ─── writing it ──────────────────────────────────────────────────────────────────────────────────────

_ORDER: tuple[type[SyncedRecord], ...] = (
    Enterprise,
    Inspector,
    Inspection,
    InspectionInspector,
    Finding,
    QuizSession,
    QuizAnswer,
    Document,
    NumberBlock,
)


def year_span(year: int | None, today: date) -> tuple[date, date]:
    """The days a year demo covers: a calendar year (up to yesterday), or the 365 days up to yesterday."""
    yesterday = today - timedelta(days=1)
    if year is None:
        return yesterday - timedelta(days=364), yesterday
    if year > today.year or year < 2000 or (year == today.year and today.timetuple().tm_yday == 1):
        raise ValidationError(
            f"--year {year}: choose a year from 2000 up to this year ({today.year}), with at least one day gone.",
            f"年份 {year} 不正确。",
            code="bad_year",
        )
    return date(year, 1, 1), min(date(year, 12, 31), yesterday)


def seed_year_demo(
    store: Store,
    *,
    year: int | None = None,
    seed: int = 2024,
    size: YearSize | None = None,
    today: date | None = None,
) -> YearDemoSummary:
    """Fill an empty folder with a year of data; a folder already holding the year demo is only reported."""
    size = size or YearSize()
    first, last = year_span(year, today or clock.local_today())
    started = timer.perf_counter()
    with store.session() as session:
        marker = get_setting(session, DEMO_KEY)
        if marker is not None:
            if not (isinstance(marker, dict) and marker.get("kind") == YEAR_KIND):
                raise InspectorError(
                    f"{store.data_dir} already holds the small demo; the year demo needs an empty folder.",
                    "该数据文件夹已有演示数据，全年演示数据只能写入空文件夹。",
                    code="demo_not_empty",
                )
            return _summary(store, marker, created=False)
        if session.connection().execute(select(col(Enterprise.id)).limit(1)).first() is not None:
            raise InspectorError(
                f"{store.data_dir} already holds real data; the demo is only seeded into an empty folder.",
                "该数据文件夹已有实际数据，演示数据只能写入空文件夹。",
                code="demo_not_empty",
            )
        set_setting(session, AGENCY_KEY, AGENCY.as_dict())
        install_shipped_content(session)
        made = _Year(session, seed=seed, size=size, first=first, last=last)
        made.make_enterprises()
        made.make_inspectors()
        made.make_year()
        made.make_documents()
        for model in _ORDER:
            rows = made.rows.get(model, [])
            if rows:
                insert_synced(session, model, rows, rebuilds_index=True)  # the index is rebuilt once, below
        search_index.rebuild(session.connection())
        marker = _marker(made, seed)
        set_setting(session, DEMO_KEY, marker)
    return replace(_summary(store, marker, created=True), seconds=timer.perf_counter() - started)


def _marker(made: _Year, seed: int) -> dict[str, Any]:
    inspections = made.rows[Inspection]
    findings = made.rows[Finding]
    quizzes = made.rows[QuizSession]
    documents = made.rows[Document]
    penalties = [d for d in documents if d["kind"] in (DocumentKind.PENALTY_DECISION_UNIT,
                                                       DocumentKind.PENALTY_DECISION_PERSON)]  # fmt: skip
    per_enterprise = Counter(i["enterprise_id"] for i in inspections)
    latest = max((c for c in made.cases), key=lambda c: c.inspection["started_at"])
    fines = sum(Decimal(str(d["fields"]["input"]["amount"])) for d in penalties)
    passed = sum(q["status"] is QuizStatus.PASSED for q in quizzes)
    return {
        "kind": YEAR_KIND,
        "first_day": made.first.isoformat(),
        "last_day": made.last.isoformat(),
        "seed": seed,
        "finished_inspection_id": latest.inspection["id"],
        "busiest_enterprise_id": per_enterprise.most_common(1)[0][0],
        "seeded_at": clock.now().isoformat(),
        "counts": {
            "enterprises": len(made.rows[Enterprise]),
            "townships": len({e["township"] for e in made.rows[Enterprise]}),
            "inspectors": len(made.rows[Inspector]),
            "inspections": len(inspections),
            "review_inspections": sum(i["mode"] is InspectionMode.REVIEW for i in inspections),
            "findings": len(findings),
            "major_findings": sum(f["grade"] is HazardGrade.MAJOR for f in findings),
            "rectified_findings": sum(f["status"] is FindingStatus.CLOSED for f in findings),
            "overdue_findings": sum(
                f["status"] is not FindingStatus.CLOSED and f["deadline"] is not None and f["deadline"] < made.last
                for f in findings
            ),
            "documents": len(documents),
            "penalty_decisions": len(penalties),
            "fines_yuan": float(fines),
            "quizzes": len(quizzes),
            "quiz_pass_rate": round(passed / len(quizzes), 4) if quizzes else None,
            "quiz_answers": len(made.rows[QuizAnswer]),
        },
    }


def _summary(store: Store, marker: dict[str, Any], *, created: bool) -> YearDemoSummary:
    return YearDemoSummary(
        data_dir=str(store.data_dir),
        created=created,
        first_day=date.fromisoformat(marker["first_day"]),
        last_day=date.fromisoformat(marker["last_day"]),
        seed=int(marker["seed"]),
        counts=dict(marker["counts"]),
        finished_inspection_id=str(marker["finished_inspection_id"]),
        busiest_enterprise_id=str(marker["busiest_enterprise_id"]),
    )
