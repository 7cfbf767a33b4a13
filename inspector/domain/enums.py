"""Domain vocabularies: industries, modes, grades, results and the statuses of each record kind.

Values are the Chinese terms themselves: they are what the documents print, what the office statistics
group by and what the checklists and question banks name, so one spelling serves all of them.
"""

from __future__ import annotations

from enum import StrEnum


class Industry(StrEnum):
    """行业领域 — the key industries of 阳政发〔2024〕1号 (§十一, §二十一) that the bureau inspects."""

    COAL = "煤矿"
    METAL_NONMETAL_MINE = "金属非金属矿山"
    HAZARDOUS_CHEMICALS = "危险化学品"
    INDUSTRY_TRADE = "工贸"
    CONSTRUCTION = "建筑施工"
    CITY_GAS = "城镇燃气"
    FIRE = "消防"
    TRANSPORT = "交通运输"
    EXPLOSIVES = "民用爆炸物品"
    FIREWORKS = "烟花爆竹"


class IndustryTradeSector(StrEnum):
    """工贸 行业类 of 应急管理部令第10号 (冶金、有色、建材、机械、轻工、纺织、烟草、商贸)."""

    METALLURGY = "冶金"
    NONFERROUS = "有色"
    BUILDING_MATERIALS = "建材"
    MACHINERY = "机械"
    LIGHT_INDUSTRY = "轻工"
    TEXTILE = "纺织"
    TOBACCO = "烟草"
    COMMERCE = "商贸"


class HazardGrade(StrEnum):
    """隐患等级."""

    GENERAL = "一般隐患"
    MAJOR = "重大事故隐患"


class ItemResultValue(StrEnum):
    """One checklist item's outcome; keys 1–4 in the checklist screen follow this order."""

    PASS = "合格"  # noqa: S105 (a result, not a password)
    FAIL = "不合格"
    NOT_APPLICABLE = "不适用"
    NOT_CHECKED = "未检"


class InspectionMode(StrEnum):
    """检查方式. 四不两直 is the default: no notice, no escort, straight to the site."""

    UNANNOUNCED = "四不两直暗查暗访"
    DOUBLE_RANDOM = "双随机抽查"
    ROUTINE = "日常检查"
    SPECIAL = "专项检查"
    COMPLAINT = "举报核查"
    REVIEW = "复查"


class InspectorRole(StrEnum):
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class TaskStatus(StrEnum):
    """检查任务."""

    PLANNED = "待检查"
    IN_PROGRESS = "检查中"
    DONE = "已完成"
    CANCELLED = "已取消"


class InspectionStatus(StrEnum):
    """现场检查: a draft becomes on-site at arrival, finished when every item is answered."""

    DRAFT = "草稿"
    ON_SITE = "现场检查中"
    FINISHED = "检查完成"
    DOCUMENTS_ISSUED = "文书已出具"
    CLOSED = "已结案"


class FindingStatus(StrEnum):
    """隐患 life cycle: open → rectifying → reviewed (复查) → closed (销号)."""

    OPEN = "待整改"
    RECTIFYING = "整改中"
    REVIEW_PASSED = "复查合格"
    REVIEW_FAILED = "复查不合格"
    CLOSED = "已销号"


class FindingMeasure(StrEnum):
    """How a finding is dealt with on site (安全生产法 第六十五条 (二)(三)(四))."""

    CORRECTED_ON_SITE = "当场改正"
    RECTIFY_BY_DEADLINE = "责令限期整改"
    WITHDRAW_WORKERS = "撤出作业人员"
    SUSPEND_PRODUCTION = "暂时停产停业"
    STOP_EQUIPMENT = "停止使用设施设备"
    SEAL_OR_SEIZE = "查封扣押"

    @property
    def is_on_site_measure(self) -> bool:
        """第六十五条(三) measures, which go into a 现场处理措施决定书."""
        return self in {
            FindingMeasure.WITHDRAW_WORKERS,
            FindingMeasure.SUSPEND_PRODUCTION,
            FindingMeasure.STOP_EQUIPMENT,
        }

    @property
    def needs_deadline(self) -> bool:
        return self is not FindingMeasure.CORRECTED_ON_SITE


class DocumentKind(StrEnum):
    """执法文书 kinds (DESIGN.md §5)."""

    INSPECTION_PLAN = "现场检查方案"
    INSPECTION_RECORD = "现场检查记录"
    RECTIFICATION_ORDER = "责令限期整改指令书"
    ON_SITE_MEASURES = "现场处理措施决定书"
    COERCIVE_MEASURES = "强制措施决定书"
    REVIEW_OPINION = "整改复查意见书"
    INQUIRY_NOTICE = "询问通知书"
    PENALTY_NOTICE = "行政处罚告知书"
    PENALTY_DECISION_UNIT = "行政处罚决定书（单位）"
    PENALTY_DECISION_PERSON = "行政处罚决定书（个人）"
    SERVICE_RECEIPT = "文书送达回执"

    @property
    def number_word(self) -> str:
        """The type word in 文书编号 （简称）应急<word>〔YYYY〕N号; empty for kinds that carry no number."""
        return _NUMBER_WORDS[self]

    @property
    def needs_review(self) -> bool:
        """A decision (决定书) is issued only after a supervisor approved it (research-notes §1.2, §5 step 7)."""
        return self in _REVIEWED_KINDS


_NUMBER_WORDS: dict[DocumentKind, str] = {
    DocumentKind.INSPECTION_PLAN: "检查",
    DocumentKind.INSPECTION_RECORD: "检记",
    DocumentKind.RECTIFICATION_ORDER: "责改",
    DocumentKind.ON_SITE_MEASURES: "现决",
    DocumentKind.COERCIVE_MEASURES: "强措",
    DocumentKind.REVIEW_OPINION: "复查",
    DocumentKind.INQUIRY_NOTICE: "询",
    DocumentKind.PENALTY_NOTICE: "罚告",
    DocumentKind.PENALTY_DECISION_UNIT: "罚",
    DocumentKind.PENALTY_DECISION_PERSON: "罚",
    DocumentKind.SERVICE_RECEIPT: "",
}


# The decisions among the kinds: 现场处理措施决定书 (第六十五条(三)), 强制措施决定书 (its 强制措施决定审批表 comes
# first in the catalogue of research-notes §1.2) and the 行政处罚决定书 (after 案件处理呈批 / 法制审核).
_REVIEWED_KINDS = frozenset(
    {
        DocumentKind.ON_SITE_MEASURES,
        DocumentKind.COERCIVE_MEASURES,
        DocumentKind.PENALTY_DECISION_UNIT,
        DocumentKind.PENALTY_DECISION_PERSON,
    }
)


class ReviewStatus(StrEnum):
    """A decision's supervisor review; kept in Document.review_status ("" = not submitted yet)."""

    PENDING = "待审核"
    RETURNED = "已退回"
    APPROVED = "已批准"


class DocumentStatus(StrEnum):
    DRAFT = "草稿"
    ISSUED = "已出具"
    SERVED = "已送达"
    VOID = "已作废"


class EvidenceSource(StrEnum):
    """How a photo reached the laptop: imported from a file (phone, camera card) or taken with its camera."""

    FILE = "文件导入"
    CAMERA = "现场拍摄"


class QuestionType(StrEnum):
    TRUE_FALSE = "判断"
    SINGLE_CHOICE = "单选"
    MULTIPLE_CHOICE = "多选"
    SHORT_ANSWER = "简答"


class QuizMode(StrEnum):
    """Kiosk: the worker answers on screen; oral: the inspector records; written: a paper score is entered."""

    KIOSK = "机考"
    ORAL = "口试"
    WRITTEN = "笔试"


class QuizStatus(StrEnum):
    IN_PROGRESS = "答题中"
    PASSED = "合格"
    FAILED = "不合格"
    ABANDONED = "已中止"


class PlanStatus(StrEnum):
    """年度监督检查计划: an approved plan is locked."""

    DRAFT = "草稿"
    APPROVED = "已批准"


class PlanBasis(StrEnum):
    """Why an enterprise is in the annual plan: 重点监管对象全覆盖, 一般监管对象双随机抽查 (research-notes §2.3)."""

    KEY = "重点"
    RANDOM = "双随机"
    OTHER = "其他"


class ComplaintChannel(StrEnum):
    """How a 举报 reached the bureau; 12350 is the 安全生产举报投诉 hotline."""

    PHONE = "电话"
    LETTER = "信函"
    ONLINE = "网络"
    VISIT = "来访"
    HOTLINE_12350 = "12350"


class ComplaintStatus(StrEnum):
    REGISTERED = "登记"
    CHECKING = "核查中"
    CLOSED = "已办结"


class OutboxOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"
