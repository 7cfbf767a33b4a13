"""Static demo content for 阳城县: fictional enterprises, inspectors and one finished coal-mine inspection."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.domain.identifiers import make_credit_code

__all__ = [
    "AGENCY",
    "ENTERPRISES",
    "FINISHED_INSPECTION_ENTERPRISE_KEY",
    "FINISHED_INSPECTION_FINDINGS",
    "INSPECTORS",
    "DemoAgency",
    "DemoEnterprise",
    "DemoFinding",
    "DemoInspector",
]

COUNTY_CODE = "140522"
_ADDRESS_PREFIX = "山西省晋城市阳城县"


@dataclass(frozen=True, slots=True)
class DemoAgency:
    """The enforcing bureau and the bodies its documents name for 复议 and 诉讼."""

    name: str
    short_name: str
    county_code: str
    review_government: str
    review_agency: str
    court: str
    address: str = ""
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "short_name": self.short_name,
            "county_code": self.county_code,
            "review_government": self.review_government,
            "review_agency": self.review_agency,
            "court": self.court,
            "address": self.address,
            "phone": self.phone,
        }


@dataclass(frozen=True, slots=True)
class DemoEnterprise:
    """A fictional 生产经营单位. Names, people, phones and codes are made up; townships are real.

    licence_no is the unit's main safety licence: the 安全生产许可证 for mines, hazardous-chemical
    producers and construction firms, the 危险化学品经营许可证 for traders and filling stations, "" otherwise.
    sector is the 工贸 行业类 (冶金, 建材, ...) and is "" outside 工贸.
    """

    key: str
    name: str
    industry: str
    credit_code: str
    address: str
    township: str
    legal_representative: str
    contact_phone: str
    risk_level: str
    latitude: float
    longitude: float
    employees: int
    is_key: bool
    activity: str
    licence_no: str = ""
    sector: str = ""


@dataclass(frozen=True, slots=True)
class DemoInspector:
    """A fictional 执法人员 of the bureau."""

    key: str
    name: str
    cert_no: str
    unit: str
    role: str
    title: str
    phone: str


@dataclass(frozen=True, slots=True)
class DemoFinding:
    """One 隐患 written up during the finished demo inspection.

    basis is the citation as it is printed on the documents; basis_text quotes the cited clause.
    """

    description: str
    grade: str
    basis: str
    basis_text: str
    measure: str
    deadline_days: int


AGENCY = DemoAgency(
    name="阳城县应急管理局",
    short_name="阳",
    county_code=COUNTY_CODE,
    review_government="阳城县人民政府",
    review_agency="晋城市应急管理局",
    court="阳城县人民法院",
    address="山西省晋城市阳城县凤城镇（演示地址）",
    phone="0356-0000000（演示）",
)


def _credit(org_body8: str) -> str:
    return make_credit_code(COUNTY_CODE, org_body8)


# Coordinates are approximate positions of each township seat, nudged per enterprise so map pins do not
# overlap; they are for the demo map, not for navigation.
ENTERPRISES: tuple[DemoEnterprise, ...] = (
    # --- 煤矿 -------------------------------------------------------------------------------------
    DemoEnterprise(
        key="coal-01",
        name="山西阳城晟泰煤业有限公司",
        industry="煤矿",
        credit_code=_credit("7012H46K"),
        address=_ADDRESS_PREFIX + "北留镇北留村东1.5公里",
        township="北留镇",
        legal_representative="郭建平",
        contact_phone="13935621847",
        risk_level="A",
        latitude=35.4712,
        longitude=112.5468,
        employees=812,
        is_key=True,
        activity="井工开采无烟煤，核定生产能力120万吨/年，高瓦斯矿井",
        licence_no="（晋）MK安许证字〔2022〕K0123",
    ),
    DemoEnterprise(
        key="coal-02",
        name="山西阳城鑫岳煤业有限公司",
        industry="煤矿",
        credit_code=_credit("70128T3A"),
        address=_ADDRESS_PREFIX + "润城镇润城村南沟",
        township="润城镇",
        legal_representative="张富贵",
        contact_phone="13803568172",
        risk_level="A",
        latitude=35.4583,
        longitude=112.5071,
        employees=645,
        is_key=True,
        activity="井工开采无烟煤，核定生产能力90万吨/年，高瓦斯矿井",
        licence_no="（晋）MK安许证字〔2021〕K0457",
    ),
    DemoEnterprise(
        key="coal-03",
        name="山西阳城瑞川煤业有限公司",
        industry="煤矿",
        credit_code=_credit("MA0GW7L2"),
        address=_ADDRESS_PREFIX + "町店镇町店村西北2公里",
        township="町店镇",
        legal_representative="王海龙",
        contact_phone="15935607264",
        risk_level="B",
        latitude=35.4236,
        longitude=112.3284,
        employees=498,
        is_key=True,
        activity="井工开采无烟煤，核定生产能力60万吨/年，低瓦斯矿井",
        licence_no="（晋）MK安许证字〔2023〕K0219",
    ),
    DemoEnterprise(
        key="coal-04",
        name="山西阳城恒峪煤业有限公司",
        industry="煤矿",
        credit_code=_credit("MA0H1C8R"),
        address=_ADDRESS_PREFIX + "芹池镇芹池村北3公里",
        township="芹池镇",
        legal_representative="李振华",
        contact_phone="18635619035",
        risk_level="B",
        latitude=35.5634,
        longitude=112.3347,
        employees=387,
        is_key=True,
        activity="井工开采无烟煤，核定生产能力45万吨/年，低瓦斯矿井",
        licence_no="（晋）MK安许证字〔2022〕K0388",
    ),
    # --- 金属非金属矿山 -------------------------------------------------------------------------------
    DemoEnterprise(
        key="mine-01",
        name="阳城县磐岭石料有限公司",
        industry="金属非金属矿山",
        credit_code=_credit("MA0J5N2P"),
        address=_ADDRESS_PREFIX + "次营镇次营村东山",
        township="次营镇",
        legal_representative="赵长青",
        contact_phone="13753603318",
        risk_level="B",
        latitude=35.3627,
        longitude=112.4238,
        employees=46,
        is_key=True,
        activity="露天开采建筑石料用灰岩，生产规模50万吨/年",
        licence_no="（晋）FM安许证字〔2021〕E0641",
    ),
    DemoEnterprise(
        key="mine-02",
        name="阳城县铭川矿业有限公司",
        industry="金属非金属矿山",
        credit_code=_credit("MA0K3D6W"),
        address=_ADDRESS_PREFIX + "横河镇横河村西沟",
        township="横河镇",
        legal_representative="常国栋",
        contact_phone="15203567741",
        risk_level="A",
        latitude=35.3219,
        longitude=112.2536,
        employees=132,
        is_key=True,
        activity="地下开采铁矿，生产规模15万吨/年",
        licence_no="（晋）FM安许证字〔2022〕E0897",
    ),
    # --- 危险化学品 -----------------------------------------------------------------------------------
    DemoEnterprise(
        key="chem-01",
        name="阳城县瑞霖化工有限公司",
        industry="危险化学品",
        credit_code=_credit("7013B52E"),
        address=_ADDRESS_PREFIX + "北留镇工业园区纬二路6号",
        township="北留镇",
        legal_representative="原志强",
        contact_phone="13835692610",
        risk_level="A",
        latitude=35.4788,
        longitude=112.5532,
        employees=214,
        is_key=True,
        activity="硫酸、液体二氧化硫生产，构成三级重大危险源",
        licence_no="（晋）WH安许证字〔2022〕0318",
    ),
    DemoEnterprise(
        key="chem-02",
        name="阳城县驰远石化有限公司西关加油站",
        industry="危险化学品",
        credit_code=_credit("MA0GT9F4"),
        address=_ADDRESS_PREFIX + "凤城镇西关村西环路北侧",
        township="凤城镇",
        legal_representative="杨红梅",
        contact_phone="13934078526",
        risk_level="B",
        latitude=35.4851,
        longitude=112.4032,
        employees=12,
        is_key=False,
        activity="汽油、柴油零售，储罐总容积120立方米（折算），二级加油站",
        licence_no="晋城应急经字〔2023〕000112",
    ),
    DemoEnterprise(
        key="chem-03",
        name="阳城县宏晟物资贸易有限公司",
        industry="危险化学品",
        credit_code=_credit("MA0HQ4C7"),
        address=_ADDRESS_PREFIX + "凤城镇东关村新阳东街218号",
        township="凤城镇",
        legal_representative="吉文斌",
        contact_phone="15835684209",
        risk_level="C",
        latitude=35.4893,
        longitude=112.4325,
        employees=8,
        is_key=False,
        activity="硫酸、盐酸、氢氧化钠溶液批发（票据经营，不带储存）",
        licence_no="晋城应急经字〔2022〕000087",
    ),
    DemoEnterprise(
        key="chem-04",
        name="阳城县泽润气体有限公司",
        industry="危险化学品",
        credit_code=_credit("MA0JL8T3"),
        address=_ADDRESS_PREFIX + "白桑乡白桑村西500米",
        township="白桑乡",
        legal_representative="茹建新",
        contact_phone="18334560127",
        risk_level="B",
        latitude=35.4418,
        longitude=112.4706,
        employees=23,
        is_key=True,
        activity="氧气、氮气、二氧化碳、溶解乙炔充装",
        licence_no="（晋）WH安许证字〔2023〕0452",
    ),
    # --- 工贸 -----------------------------------------------------------------------------------------
    DemoEnterprise(
        key="trade-01",
        name="阳城县宏岳冶炼有限公司",
        industry="工贸",
        credit_code=_credit("7014K2M8"),
        address=_ADDRESS_PREFIX + "东冶镇东冶村南1公里",
        township="东冶镇",
        legal_representative="田宝山",
        contact_phone="13513563472",
        risk_level="A",
        latitude=35.3981,
        longitude=112.5822,
        employees=286,
        is_key=True,
        activity="硅铁冶炼，12500千伏安矿热炉2台，铁水吊运",
        sector="冶金",
    ),
    DemoEnterprise(
        key="trade-02",
        name="阳城县磐泰水泥有限公司",
        industry="工贸",
        credit_code=_credit("7013W5D1"),
        address=_ADDRESS_PREFIX + "町店镇崦山村东",
        township="町店镇",
        legal_representative="卫东升",
        contact_phone="13703461958",
        risk_level="B",
        latitude=35.4152,
        longitude=112.3463,
        employees=173,
        is_key=True,
        activity="新型干法水泥熟料生产线一条（2500吨/日），煤粉制备系统",
        sector="建材",
    ),
    DemoEnterprise(
        key="trade-03",
        name="阳城县锦程机械制造有限公司",
        industry="工贸",
        credit_code=_credit("MA0GR3N6"),
        address=_ADDRESS_PREFIX + "北留镇工业园区经一路15号",
        township="北留镇",
        legal_representative="范永刚",
        contact_phone="15035616683",
        risk_level="C",
        latitude=35.4751,
        longitude=112.5387,
        employees=94,
        is_key=False,
        activity="矿用刮板输送机配件铸造与机加工，中频感应电炉2台",
        sector="机械",
    ),
    DemoEnterprise(
        key="trade-04",
        name="阳城县沁香食品有限公司",
        industry="工贸",
        credit_code=_credit("MA0HE7B5"),
        address=_ADDRESS_PREFIX + "演礼乡演礼村北",
        township="演礼乡",
        legal_representative="刘素琴",
        contact_phone="13994601235",
        risk_level="B",
        latitude=35.5187,
        longitude=112.4823,
        employees=67,
        is_key=True,
        activity="速冻肉制品加工，液氨制冷，储氨量约4.5吨",
        sector="轻工",
    ),
    DemoEnterprise(
        key="trade-05",
        name="阳城县禾木家具制造有限公司",
        industry="工贸",
        credit_code=_credit("MA0K8P1Y"),
        address=_ADDRESS_PREFIX + "西河乡西河村东200米",
        township="西河乡",
        legal_representative="韩志勇",
        contact_phone="17835602894",
        risk_level="C",
        latitude=35.5083,
        longitude=112.3829,
        employees=41,
        is_key=True,
        activity="实木家具制造，砂光、锯切工序产生木粉尘，布袋除尘系统",
        sector="轻工",
    ),
    # --- 建筑施工 -------------------------------------------------------------------------------------
    DemoEnterprise(
        key="build-01",
        name="阳城县恒筑建设工程有限公司",
        industry="建筑施工",
        credit_code=_credit("7011C8G4"),
        address=_ADDRESS_PREFIX + "凤城镇凤凰西街56号",
        township="凤城镇",
        legal_representative="乔建军",
        contact_phone="13663563014",
        risk_level="B",
        latitude=35.4832,
        longitude=112.4116,
        employees=156,
        is_key=True,
        activity="房屋建筑工程施工总承包二级，在建住宅小区项目（高层，塔吊3台）",
        licence_no="（晋）JZ安许证字〔2021〕001276",
    ),
    DemoEnterprise(
        key="build-02",
        name="阳城县鼎晟建筑安装有限公司",
        industry="建筑施工",
        credit_code=_credit("MA0GN2J9"),
        address=_ADDRESS_PREFIX + "凤城镇南关村阳高路北段",
        township="凤城镇",
        legal_representative="冯俊峰",
        contact_phone="15903469207",
        risk_level="C",
        latitude=35.4776,
        longitude=112.4208,
        employees=78,
        is_key=False,
        activity="建筑工程施工总承包三级，在建学校教学楼项目",
        licence_no="（晋）JZ安许证字〔2022〕003158",
    ),
    DemoEnterprise(
        key="build-03",
        name="阳城县瀚宇路桥工程有限公司",
        industry="建筑施工",
        credit_code=_credit("MA0J2H4L"),
        address=_ADDRESS_PREFIX + "河北镇河北村",
        township="河北镇",
        legal_representative="马晓军",
        contact_phone="18735691476",
        risk_level="B",
        latitude=35.5426,
        longitude=112.2867,
        employees=112,
        is_key=True,
        activity="公路工程施工总承包三级，在建乡村公路桥梁项目（深基坑、高支模）",
        licence_no="（晋）JZ安许证字〔2020〕000943",
    ),
    # --- 城镇燃气 -------------------------------------------------------------------------------------
    DemoEnterprise(
        key="gas-01",
        name="阳城县暖邦液化石油气有限公司",
        industry="城镇燃气",
        credit_code=_credit("MA0H6R8N"),
        address=_ADDRESS_PREFIX + "固隆乡固隆村东1公里",
        township="固隆乡",
        legal_representative="成玉亮",
        contact_phone="13593641028",
        risk_level="A",
        latitude=35.4817,
        longitude=112.2634,
        employees=19,
        is_key=True,
        activity="液化石油气储配站，50立方米储罐2具，钢瓶充装",
    ),
    DemoEnterprise(
        key="gas-02",
        name="阳城县润泽燃气有限公司",
        industry="城镇燃气",
        credit_code=_credit("7015D3Q8"),
        address=_ADDRESS_PREFIX + "凤城镇下孔村门站路1号",
        township="凤城镇",
        legal_representative="裴志军",
        contact_phone="13903565519",
        risk_level="A",
        latitude=35.4921,
        longitude=112.4387,
        employees=138,
        is_key=True,
        activity="城区管道天然气供应，门站1座、调压站6座，中压管网约120公里",
    ),
    # --- 消防（人员密集场所） --------------------------------------------------------------------------
    DemoEnterprise(
        key="fire-01",
        name="阳城县凤栖购物广场有限公司",
        industry="消防",
        credit_code=_credit("MA0JD5E2"),
        address=_ADDRESS_PREFIX + "凤城镇新阳东街88号",
        township="凤城镇",
        legal_representative="葛丽萍",
        contact_phone="15234617830",
        risk_level="B",
        latitude=35.4867,
        longitude=112.4268,
        employees=210,
        is_key=True,
        activity="综合商场，地上5层、地下1层，建筑面积约2.6万平方米",
    ),
    DemoEnterprise(
        key="fire-02",
        name="阳城县锦悦酒店管理有限公司",
        industry="消防",
        credit_code=_credit("MA0K4W7T"),
        address=_ADDRESS_PREFIX + "凤城镇凤凰东街126号",
        township="凤城镇",
        legal_representative="史慧敏",
        contact_phone="13834092761",
        risk_level="C",
        latitude=35.4879,
        longitude=112.4179,
        employees=85,
        is_key=False,
        activity="住宿餐饮，客房136间，地下车库及厨房使用管道天然气",
    ),
    # --- 交通运输 -------------------------------------------------------------------------------------
    DemoEnterprise(
        key="trans-01",
        name="阳城县畅岳物流运输有限公司",
        industry="交通运输",
        credit_code=_credit("MA0HB1K6"),
        address=_ADDRESS_PREFIX + "驾岭乡驾岭村东物流园",
        township="驾岭乡",
        legal_representative="秦卫国",
        contact_phone="18903564683",
        risk_level="B",
        latitude=35.5778,
        longitude=112.2619,
        employees=64,
        is_key=True,
        activity="道路普通货物运输，重型半挂牵引车42辆，主要承运煤炭",
    ),
    # --- 民用爆炸物品 ---------------------------------------------------------------------------------
    DemoEnterprise(
        key="blast-01",
        name="阳城县岳安民爆器材经营有限公司",
        industry="民用爆炸物品",
        credit_code=_credit("7016A9X5"),
        address=_ADDRESS_PREFIX + "董封乡董封村北山",
        township="董封乡",
        legal_representative="牛建斌",
        contact_phone="13663468850",
        risk_level="A",
        latitude=35.4196,
        longitude=112.2273,
        employees=27,
        is_key=True,
        activity="工业炸药、工业雷管销售及储存，地面库区炸药库1座、雷管库1座",
    ),
)


INSPECTORS: tuple[DemoInspector, ...] = (
    DemoInspector(
        key="insp-01",
        name="李志强",
        cert_no="14052200101",
        unit="阳城县应急管理局",
        role="supervisor",
        title="副局长",
        phone="13903568801",
    ),
    DemoInspector(
        key="insp-02",
        name="王建军",
        cert_no="14052200102",
        unit="阳城县应急管理局",
        role="inspector",
        title="执法大队大队长",
        phone="13835617602",
    ),
    DemoInspector(
        key="insp-03",
        name="张晓东",
        cert_no="14052200105",
        unit="阳城县应急管理局",
        role="inspector",
        title="执法队员",
        phone="15935641103",
    ),
    DemoInspector(
        key="insp-04",
        name="赵丽娟",
        cert_no="14052200108",
        unit="阳城县应急管理局",
        role="inspector",
        title="执法队员",
        phone="18635607724",
    ),
    DemoInspector(
        key="insp-05",
        name="郭鹏飞",
        cert_no="14052200113",
        unit="阳城县应急管理局",
        role="inspector",
        title="执法队员",
        phone="15203469635",
    ),
    DemoInspector(
        key="insp-06",
        name="陈静",
        cert_no="14052200117",
        unit="阳城县应急管理局",
        role="inspector",
        title="执法队员",
        phone="17803560486",
    ),
)


FINISHED_INSPECTION_ENTERPRISE_KEY = "coal-01"

_COAL_STANDARD = "《煤矿重大事故隐患判定标准》（应急管理部令第4号）"
_SAFETY_LAW = "《中华人民共和国安全生产法》"

# 重大 clause texts are from the appendix of shared/domain/standards/coal_2020.txt. That file has no
# numbers past 第四条; 第八条（八） and 第九条（三） were matched against a mirror of the 2020 text
# (kxylqx2008.com.cn ArticleID=218212, page 3), which prints them under those numbers. 安全生产法 clauses
# are from shared/domain/laws/安全生产法(2021-06-10).txt.
FINISHED_INSPECTION_FINDINGS: tuple[DemoFinding, ...] = (
    DemoFinding(
        description=(
            "15102回风顺槽掘进工作面风电闭锁装置不能正常使用：现场停止局部通风机运转后，"
            "掘进工作面及其回风流中的动力电源未能自动切断。"
        ),
        grade="重大事故隐患",
        basis=_COAL_STANDARD + "第八条第（八）项",
        basis_text=(
            "煤巷、半煤岩巷和有瓦斯涌出的岩巷掘进未按照国家规定装备甲烷电、风电闭锁装置或者有关装置不能正常使用的"
        ),
        measure="撤出作业人员",
        deadline_days=7,
    ),
    DemoFinding(
        description=(
            "15103运输顺槽掘进工作面位于探放水设计划定的探放水区域内，现场未见超前探放水钻孔，"
            "查阅探放水台账无该工作面本循环探放水记录，即组织掘进作业。"
        ),
        grade="重大事故隐患",
        basis=_COAL_STANDARD + "第九条第（三）项",
        basis_text="在需要探放水的区域进行采掘作业未按照国家规定进行探放水的",
        measure="暂时停产停业",
        deadline_days=15,
    ),
    DemoFinding(
        description="井下中央变电所当班高压配电操作人员1名未取得高压电工作业特种作业操作证即上岗作业。",
        grade="一般隐患",
        basis=_SAFETY_LAW + "第三十条第一款",
        basis_text=("生产经营单位的特种作业人员必须按照国家有关规定经专门的安全作业培训，取得相应资格，方可上岗作业。"),
        measure="当场改正",
        deadline_days=0,
    ),
    DemoFinding(
        description="抽查2024年新入职井下作业人员6名的安全生产教育和培训档案，均无考核结果记录。",
        grade="一般隐患",
        basis=_SAFETY_LAW + "第二十八条第四款",
        basis_text=(
            "生产经营单位应当建立安全生产教育和培训档案，如实记录安全生产教育和培训的时间、内容、"
            "参加人员以及考核结果等情况。"
        ),
        measure="责令限期整改",
        deadline_days=15,
    ),
    DemoFinding(
        description=(
            "事故隐患排查治理台账记录不全：本月矿级排查发现的12条隐患中有5条未记录整改责任人和完成时间，"
            "排查治理情况未在信息公示栏向从业人员通报。"
        ),
        grade="一般隐患",
        basis=_SAFETY_LAW + "第四十一条第二款",
        basis_text=(
            "生产经营单位应当建立健全并落实生产安全事故隐患排查治理制度，采取技术、管理措施，及时发现并消除"
            "事故隐患。事故隐患排查治理情况应当如实记录，并通过职工大会或者职工代表大会、信息公示栏等方式向"
            "从业人员通报。其中，重大事故隐患排查治理情况应当及时向负有安全生产监督管理职责的部门和职工大会"
            "或者职工代表大会报告。"
        ),
        measure="责令限期整改",
        deadline_days=10,
    ),
)
