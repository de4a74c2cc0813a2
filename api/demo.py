"""A believable, deterministic year of park history, written through the Application (demo data).

`write_demo` plans a whole history first — the registry and the leading group at the end of
2025, then a year of matters, dispatches (with a few slots missed), guarantors' visits and
monthly sales (2025 entered as back data in January) in 2026 — with `random.Random(seed)` and
the park's own working calendar, as a heap of steps keyed by business time. It then runs the
steps in that order against a `Park` whose clock is a simulated clock set to each step's
business time, so every event's recorded time is its business time. Every step is an ordinary
command of the Park in the role that would issue it; the domain checks each one, and a refused
command is a bug of this generator.
"""

from __future__ import annotations

import heapq
import random
from calendar import monthrange
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from domain.base import Act, Actor, utc_now
from domain.cadence import Slot, slots_for
from domain.calendar import SHANGHAI, WorkingCalendar
from domain.calendar_book import CALENDAR_ID
from domain.enterprise import Enterprise
from domain.growth import ytd_growth
from domain.leading_group import DIRECTIVE_CATEGORY, DirectiveOrder
from domain.matter import OPEN_STATUSES, Matter
from domain.park import Park
from domain.policy import POLICY_ID, PolicyDocument
from domain.storage import Database
from domain.uscc import ALPHABET, check_character
from domain.visit import VisitProblem

SCALES = ("park",)

# The registry is set up in the last working days of 2025; assignments take effect on New Year.
SETUP_START = datetime(2025, 12, 29, 8, 40, tzinfo=SHANGHAI)
YEAR_START = datetime(2026, 1, 1, tzinfo=SHANGHAI)
EFFECTIVE = date(2026, 1, 1)
YEAR = 2026

# -- reference data -------------------------------------------------------------------------

REGIONS = (("亳州", "341600", 0.6), ("安徽", "341600", 0.2), ("芜湖", "340200", 0.2))

CHAINS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "新能源汽车": (
        ("动力电池", ("新能源科技", "电池科技", "储能科技")),
        ("电机电控", ("电驱动科技", "电机科技", "电控技术")),
        ("汽车零部件", ("汽车零部件", "汽车部件", "精工科技")),
        ("充换电设备", ("充电科技", "能源科技")),
        ("汽车内饰", ("汽车内饰", "新材料科技")),
        ("汽车线束", ("线束科技", "汽车电子")),
        ("专用车制造", ("汽车制造", "专用车制造")),
    ),
    "电子信息": (
        ("电子元器件", ("电子科技", "电子元件")),
        ("集成电路", ("半导体科技", "微电子")),
        ("光电显示", ("光电科技", "显示技术")),
        ("印制电路板", ("电路科技", "线路板")),
        ("智能终端", ("智能科技", "通讯设备")),
        ("传感器", ("传感技术", "智能传感")),
        ("软件和信息服务", ("信息技术", "数据科技")),
    ),
    "现代中药": (
        ("中药饮片", ("中药饮片", "药业")),
        ("中成药", ("制药", "药业")),
        ("中药提取", ("生物科技", "植物提取")),
        ("保健食品", ("健康产业", "生物科技")),
        ("医药流通", ("医药", "医药物流")),
        ("中药材种植加工", ("中药材", "农业科技")),
    ),
    "高端装备": (
        ("数控机床", ("数控机床", "精密机械")),
        ("智能装备", ("智能装备", "自动化设备")),
        ("工业机器人", ("机器人科技", "智能制造")),
        ("精密模具", ("模具", "精密制造")),
        ("环保装备", ("环保设备", "环境科技")),
        ("液压与传动", ("液压科技", "传动设备")),
    ),
}
CHAIN_SHARES = {"新能源汽车": 0.3, "电子信息": 0.25, "现代中药": 0.27, "高端装备": 0.18}

_BRAND_TEXT = (
    "华兴 恒瑞 中科 正和 鑫源 瑞达 博远 凯盛 宏图 天成 金诺 德润 泰和 康宁 济世 仁和 华佗 药都 "
    "涡河 谯韵 华宇 宏达 嘉禾 锦程 瑞丰 盛泰 鼎盛 汇通 中联 远航 科瑞 卓越 启明 领航 力拓 安泰 "
    "永盛 昌盛 兴旺 和顺 天瑞 金鼎 星辰 博瑞 华信 海创 新锐 众诚 利民 精诚 合力 腾飞 宏远 晨光 "
    "曙光 蓝天 绿源 青松 百草 本草 岐黄 神农 杏林 济仁 福瑞 康源 德信 协和 普华 恒通 联创 智达 "
    "云帆 聚能 峰华 凌云 华芯 芯源 微光 辰星 瀚海 巨力 万通 中鼎 元丰 信达 东晟 南岳 北辰 西岭 "
    "皖北 皖芜 徽商 新徽 赛诺 润泽 同心 九州 泓源 宇航 骏马 驰远 擎天 铭泰 睿智 优能 安能 "
    "华源 益康 寿仁 乾元 坤泰 弘毅 立信 久盛 恒信 尚德 致远 同创 一诺 三联 五星 六和 八方 千帆"
)
BRANDS = tuple(_BRAND_TEXT.split())

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍"
    "红建国文辉鹏飞斌宇浩凯健俊帆晨阳波宁峰亮海松林志"
)

# Undertaking units (承办单位): key -> name.
UNITS: dict[str, str] = {
    "jingfa": "园区经济发展局",
    "caizheng": "园区财政局",
    "qifa": "园区企业发展促进局",
    "laobao": "园区劳动保障局",
    "jianshe": "园区建设发展局",
    "keji": "园区科技创新局",
    "yingji": "园区应急管理局",
    "shehui": "园区社会事务局",
    "zhifa": "园区综合执法局",
    "zhengwu": "园区政务服务中心",
    "jinrong": "园区金融服务中心",
    "jiaotong": "园区交通运输服务中心",
    "ziran": "市自然资源和规划局亳芜分局",
    "shengtai": "市生态环境局亳芜分局",
    "shijian": "市市场监督管理局亳芜分局",
    "shuiwu": "国家税务总局亳州市亳芜现代产业园区税务局",
    "gongan": "市公安局亳芜分局",
    "gongdian": "国网亳州供电公司城南供电服务分中心",
    "shuiwu_water": "亳州市水务集团园区供水服务站",
    "ranqi": "园区燃气服务站",
}

# Guarantor departments (包保部门), about 40.
DEPARTMENTS = (
    "园区党建工作办公室",
    "园区企业服务中心",
    "园区经济发展局",
    "园区财政局",
    "园区企业发展促进局",
    "园区劳动保障局",
    "园区建设发展局",
    "园区科技创新局",
    "园区应急管理局",
    "园区社会事务局",
    "园区综合执法局",
    "园区统计局",
    "园区审计局",
    "园区招商一局（新能源汽车）",
    "园区招商二局（电子信息）",
    "园区招商三局（现代中药）",
    "园区招商四局（高端装备）",
    "园区投资促进中心",
    "园区政务服务中心",
    "园区金融服务中心",
    "市自然资源和规划局亳芜分局",
    "市生态环境局亳芜分局",
    "市市场监督管理局亳芜分局",
    "国家税务总局亳州市亳芜现代产业园区税务局",
    "市公安局亳芜分局",
    "亳芜园区消防救援大队",
    "亳芜建设投资集团有限公司",
    "亳芜产业投资有限公司",
    "亳芜人力资源产业园运营公司",
    "国网亳州供电公司城南供电服务分中心",
    "亳州市经济和信息化局",
    "亳州市发展和改革委员会",
    "亳州市商务局",
    "亳州市科学技术局",
    "亳州市人力资源和社会保障局",
    "亳州市交通运输局",
    "亳州市住房和城乡建设局",
    "亳州市数据资源管理局",
    "亳州市地方金融监督管理局",
    "谯城区人民政府办公室",
)
CHAIN_DEPARTMENT = {
    "新能源汽车": "园区招商一局（新能源汽车）",
    "电子信息": "园区招商二局（电子信息）",
    "现代中药": "园区招商三局（现代中药）",
    "高端装备": "园区招商四局（高端装备）",
}
BUREAUS = (
    "园区经济发展局",
    "园区财政局",
    "园区企业发展促进局",
    "园区劳动保障局",
    "园区建设发展局",
    "园区科技创新局",
    "园区应急管理局",
    "园区社会事务局",
    "园区综合执法局",
    "园区企业服务中心",
    "园区招商一局",
    "园区招商二局",
    "园区招商三局",
    "园区招商四局",
)
GOVERNMENT = "谯城区人民政府"
COMMITTEE = "亳芜现代产业园区党工委、管委会"

# Matters: category -> (weight, ((summary template, unit key, reply), ...)); {n} is filled in.
Template = tuple[str, str, str]
CATEGORIES: dict[str, tuple[int, tuple[Template, ...]]] = {
    "用地": (
        8,
        (
            (
                "二期扩产项目需新增工业用地约{n}亩，申请协调用地指标",
                "ziran",
                "已纳入园区年度供地计划并完成用地预审，地块近期挂牌出让",
            ),
            (
                "厂区不动产权证办理进度缓慢，请求协调加快办理",
                "ziran",
                "已协调不动产登记中心开通绿色通道，权证已办结并送达企业",
            ),
            (
                "厂区东侧地块规划条件需调整，申请出具规划意见",
                "ziran",
                "已完成规划条件论证并出具书面规划意见",
            ),
            (
                "新项目拟实行“拿地即开工”，申请提前开展前置辅导",
                "ziran",
                "已组织专班上门辅导，四证并联办理方案已交企业",
            ),
        ),
    ),
    "融资": (
        8,
        (
            (
                "企业流动资金紧张，申请对接“园区批次贷”约{n}00万元",
                "jinrong",
                "已对接合作银行完成授信审批，贷款已发放",
            ),
            (
                "申请“首贷通”信用贷款，需园区出具推荐意见",
                "jinrong",
                "推荐意见已出具，银行已受理并进入审批",
            ),
            (
                "知识产权质押融资评估费用较高，咨询贴息政策",
                "jinrong",
                "已向企业书面解读贴息政策并协助提交申请材料",
            ),
            (
                "应收账款质押融资与银行对接受阻，请求协调",
                "jinrong",
                "已组织银企对接会，融资方案已达成一致",
            ),
        ),
    ),
    "用工": (
        9,
        (
            (
                "新增生产线需招聘普工约{n}0人，请求协助招工",
                "laobao",
                "已通过人力资源产业园和乡村振兴工作站发布岗位，首批人员已到岗",
            ),
            (
                "急需数控技术人员{n}名，申请开展校企合作定向培养",
                "laobao",
                "已对接合作职业院校签订定向培养协议",
            ),
            (
                "稳岗补贴申请材料已提交一个月未见进展",
                "laobao",
                "经核查材料齐全，补贴已审核通过并拨付",
            ),
            (
                "外地技术骨干子女入学需协调就近入学",
                "shehui",
                "已协调教育部门安排就近学校入学",
            ),
            (
                "申请人才公寓{n}套用于引进人才入住",
                "shehui",
                "已完成资格审核并安排入住",
            ),
        ),
    ),
    "审批": (
        8,
        (
            (
                "新建厂房施工许可证办理，请求并联审批",
                "zhengwu",
                "已启动并联审批，施工许可证已核发",
            ),
            (
                "食品生产许可证到期延续办理",
                "shijian",
                "已完成现场核查，许可证延续手续办结",
            ),
            (
                "药品生产许可证新增生产范围，需协调上级药监部门",
                "shijian",
                "已协调省药监局完成现场检查，许可变更已获批准",
            ),
            (
                "厂房改扩建工程消防验收备案办理",
                "jianshe",
                "已安排现场检查，消防验收备案已通过",
            ),
            (
                "项目备案信息变更，申请网上“一件事一次办”",
                "zhengwu",
                "已通过安徽政务服务网一网通办完成变更",
            ),
        ),
    ),
    "水电气": (
        9,
        (
            (
                "厂区计划停电与生产排期冲突，申请调整停电时间",
                "gongdian",
                "已调整停电计划并采用不停电作业，未影响生产",
            ),
            (
                "新增变压器扩容{n}00千伏安，申请加快接电",
                "gongdian",
                "扩容工程已完工并送电",
            ),
            (
                "车间电压波动频繁造成设备停机",
                "gongdian",
                "已更换线路设备并加装稳压装置，电压恢复稳定",
            ),
            (
                "厂区供水压力不足影响生产用水",
                "shuiwu_water",
                "已完成管网加压改造，供水压力恢复正常",
            ),
            (
                "天然气管道接入工程进度慢，请求协调",
                "ranqi",
                "管道接入工程已完工并通气",
            ),
        ),
    ),
    "物流": (
        5,
        (
            (
                "厂区门前道路货车通行受限，申请调整限行时段",
                "jiaotong",
                "已会同交警部门调整货车通行时段",
            ),
            (
                "原材料运输车辆通行证办理",
                "gongan",
                "通行证已办理完毕",
            ),
            (
                "希望对接园区内循环物流配送，降低物流成本",
                "qifa",
                "已对接园区物流企业签订配送合作协议",
            ),
        ),
    ),
    "政策兑现": (
        9,
        (
            (
                "上年度参展补贴（免申即享）尚未到账",
                "caizheng",
                "经核查补贴已审核通过，资金已拨付到账",
            ),
            (
                "技术改造奖补资金申报进度咨询",
                "jingfa",
                "已完成专家评审，奖补资金进入公示",
            ),
            (
                "高新技术企业认定奖励兑现",
                "keji",
                "奖励资金已兑现到位",
            ),
            (
                "首次入规企业奖励申请",
                "jingfa",
                "已核实入规情况，奖励资金已拨付",
            ),
            (
                "“精品安徽”央视宣传补贴兑现",
                "caizheng",
                "已按政策全额补贴企业自付部分",
            ),
        ),
    ),
    "环保": (
        4,
        (
            (
                "排污许可证变更重新申领",
                "shengtai",
                "已完成技术审查，排污许可证已核发",
            ),
            (
                "新建项目环评批复办理进度咨询",
                "shengtai",
                "环评报告已通过评审并取得批复",
            ),
            (
                "危险废物转移联单审批较慢",
                "shengtai",
                "转移联单已审批通过",
            ),
        ),
    ),
    "税务": (
        4,
        (
            (
                "增值税留抵退税办理进度咨询",
                "shuiwu",
                "留抵退税已审核办结并退付",
            ),
            (
                "申请研发费用加计扣除政策上门辅导",
                "shuiwu",
                "已安排税务专员上门辅导并完成申报",
            ),
            (
                "出口退税办理时间较长",
                "shuiwu",
                "已开通快速通道，出口退税已到账",
            ),
        ),
    ),
    "产品销售": (
        6,
        (
            (
                "申请将主导产品纳入园区名优产品目录",
                "qifa",
                "产品已纳入园区名优产品目录并动态推送",
            ),
            (
                "申请参加亳州药博会，需协调展位{n}个",
                "qifa",
                "展位已落实，参展后可免申即享参展补贴",
            ),
            (
                "希望对接园区内上下游配套企业采购",
                "qifa",
                "已组织供需对接会，与{n}家企业达成采购意向",
            ),
            (
                "培育直播带货团队，申请对接直播电商孵化载体",
                "qifa",
                "已对接直播电商孵化基地并安排培训",
            ),
        ),
    ),
    "科技创新": (
        4,
        (
            (
                "省级企业技术中心申报辅导",
                "keji",
                "已完成申报辅导，材料已报送",
            ),
            (
                "希望对接高校开展产学研合作",
                "keji",
                "已对接合作高校签订产学研合作协议",
            ),
        ),
    ),
    "安全生产": (
        3,
        (
            (
                "安全生产标准化评审辅导",
                "yingji",
                "已安排专家上门辅导，评审已通过",
            ),
            (
                "各部门入企检查频次过多，请求统筹联合检查",
                "zhifa",
                "已纳入“不叫不到”联合入企检查计划统筹安排",
            ),
        ),
    ),
    "员工出行": (
        3,
        (
            (
                "员工通勤不便，申请开通定制通勤公交",
                "jiaotong",
                "已协调市公交公司开通定制通勤线路",
            ),
            (
                "厂区周边共享单车布点不足",
                "jiaotong",
                "已协调运营企业增设共享单车停放点",
            ),
        ),
    ),
    "治安": (
        2,
        (
            (
                "厂区周边夜间治安巡逻需加强",
                "gongan",
                "已将厂区周边纳入夜间重点巡逻路线",
            ),
        ),
    ),
    "法律服务": (
        2,
        (
            (
                "合同纠纷申请法律咨询服务",
                "shehui",
                "已安排法律顾问提供免费法律体检和咨询",
            ),
        ),
    ),
}
# Where a matter is sometimes first sent by mistake, before it is transferred to the right unit.
MISTAKEN_UNIT = {
    "用地": "jianshe",
    "融资": "caizheng",
    "用工": "shehui",
    "审批": "jianshe",
    "水电气": "jianshe",
    "物流": "jingfa",
    "政策兑现": "qifa",
    "环保": "zhifa",
    "税务": "caizheng",
    "产品销售": "jingfa",
    "科技创新": "jingfa",
    "安全生产": "jianshe",
    "员工出行": "jianshe",
    "治安": "zhifa",
    "法律服务": "qifa",
}
EXTENSION_REASONS = (
    "涉及多部门会商，情况复杂，申请延长办理时限",
    "需报市级主管部门审批，申请延期办结",
    "需现场勘察并编制实施方案，申请延期",
    "涉及资金审批流程，申请延期办理",
)
REJECTION_REASONS = (
    "不属于重大复杂情形，请按原时限办结",
    "延期理由不充分，请加快办理",
)
WITHDRAWAL_REASONS = ("企业已自行解决", "诉求重复提交", "企业情况变化，撤回诉求")
RECTIFY_REPLIES = (
    "针对企业评价重新整改，已安排专人跟踪落实，问题已解决",
    "已召开专题协调会重新研究，整改措施已落实到位",
)
COMMENTS: dict[int, tuple[str, ...]] = {
    5: ("办理及时，非常满意", "服务热情，效率很高", "问题解决得很彻底，感谢园区"),
    4: ("问题已解决，满意", "办理较快，满意"),
    3: ("基本解决，还需持续跟进", "结果可以接受"),
    2: ("答复敷衍，问题未实质解决", "办理拖延，不太满意"),
    1: ("推诿扯皮，问题没有解决", "非常不满意，多次催办无果"),
}


# -- the leading group, dispatches, visits and sales ------------------------------------------

# A deputy appointed mid-year, in the middle of a half-month slot (that slot is not required).
LATE_DEPUTY_FROM = date(2026, 6, 10)
# Slots deliberately left without any dispatch, by the first day of the slot; keyed by the
# member's place in `_Demo.plan_group` (0 is the group leader, 1–4 the deputies).
MISSED_SLOTS: dict[int, tuple[date, ...]] = {
    0: (date(2026, 7, 1),),
    1: (date(2026, 2, 1), date(2026, 9, 16)),
    4: (date(2026, 11, 1),),
}
# Directives issued at dispatches: (summary, unit key, the unit's reply).
DIRECTIVES: tuple[Template, ...] = (
    (
        "督促加快企业扩产项目用地报批，明确供地时间节点",
        "ziran",
        "已完成用地报批，供地时间节点已书面告知企业",
    ),
    (
        "协调加快企业新增产能接电，倒排工期确保按期送电",
        "gongdian",
        "接电工程已按期完工并送电",
    ),
    (
        "组织银企对接，帮助企业缓解流动资金压力",
        "jinrong",
        "已组织专场银企对接，授信额度已落实",
    ),
    (
        "组织专场招聘，解决企业一线用工缺口",
        "laobao",
        "已举办专场招聘会，企业用工缺口基本补齐",
    ),
    (
        "加快兑现企业技术改造奖补资金",
        "jingfa",
        "奖补资金已审核拨付到位",
    ),
    (
        "并联办理企业新建厂房施工许可，推动项目早日开工",
        "zhengwu",
        "施工许可已核发，项目已开工建设",
    ),
    (
        "协调加快企业新建项目环评审批",
        "shengtai",
        "环评批复已下达企业",
    ),
    (
        "组织上下游产销对接，帮助企业拓展市场",
        "qifa",
        "已组织产销对接会，企业已与采购方签订意向协议",
    ),
    (
        "落实增值税留抵退税政策，帮助企业及时办理退税",
        "shuiwu",
        "留抵退税已办结并退付到账",
    ),
    (
        "研究解决企业周边道路货车通行问题",
        "jiaotong",
        "已会同交警部门调整货车通行时段并增设指示标志",
    ),
    (
        "协调解决企业高层次人才住房和子女入学问题",
        "shehui",
        "人才公寓已安排入住，子女入学已落实",
    ),
    (
        "组织开展安全生产隐患排查帮扶",
        "yingji",
        "已组织专家上门排查，隐患已整改完毕",
    ),
)
VISIT_KINDS = (("visit", 60), ("four_deliveries", 25), ("tea_talk", 15))
VISIT_NOTES: dict[str, tuple[str, ...]] = {
    "visit": (
        "走访了解企业生产经营情况，企业订单饱满，生产运行平稳",
        "实地查看项目建设进度，听取企业发展诉求",
        "宣传惠企政策，了解企业用工、融资需求",
        "走访生产车间，了解企业产能利用和市场开拓情况",
        "与企业负责人座谈，了解当月经营指标完成情况",
    ),
    "four_deliveries": (
        "开展“四送一服”活动，送政策法规上门，解读最新惠企政策",
        "“四送一服”：送支持措施，辅导企业申报技改奖补",
        "“四送一服”：送生产要素，对接企业用工和融资需求",
        "“四送一服”：送新发展理念，交流数字化转型经验",
    ),
    "tea_talk": (
        "“畅聊下午茶”活动，与企业负责人面对面交流发展思路",
        "“畅聊下午茶”：听取企业对营商环境的意见建议",
        "“畅聊下午茶”：与企业家座谈，交流产业链上下游合作",
    ),
}
# How diligently a guarantor visits: visits per covered enterprise per month, and how many
# guarantors are like that (some never visit at all).
DILIGENCE = ((0.0, 12), (0.15, 28), (0.4, 38), (1.0, 22))
VISIT_SEASON = {1: 0.9, 2: 0.55, 7: 0.9, 8: 0.85, 10: 0.8}
# Monthly taxable sales against the year's mean month; the Spring Festival fell in late
# January in 2025 and in mid-February in 2026.
SEASON_2025 = "0.84 0.78 1.04 1.0 1.01 1.07 0.97 0.96 1.04 0.95 1.05 1.29"
SEASON_2026 = "0.97 0.66 1.05 1.01 1.02 1.08 0.97 0.95 1.05 0.94 1.05 1.25"
SALES_SEASON: dict[int, tuple[Decimal, ...]] = {
    2025: tuple(map(Decimal, SEASON_2025.split(" "))),
    2026: tuple(map(Decimal, SEASON_2026.split(" "))),
}
# Each enterprise's growth over last year: (lowest, highest, weight).
GROWTH_CLASSES = ((-0.2, -0.01, 20), (0.0, 0.045, 25), (0.045, 0.08, 25), (0.08, 0.3, 30))
MISSING_SALES_MONTH = "2025-04"  # never reported for one enterprise: not assessable from April
# (month corrected, days of the next month on which, reason)
SALES_CORRECTIONS = (
    ("2026-01", (24, 27), "税务数据更正"),
    ("2026-05", (22, 26), "企业更正申报，按税务系统数据更正"),
)


Steps = list[tuple[datetime, Callable[[], None]]]

# -- what write_demo returns -----------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What the demo wrote, with the ids of a few things worth looking at."""

    seed: int
    until: datetime
    enterprises: int
    guarantors: int
    units: int
    assignments: int
    matters: int
    events: int
    matter_statuses: dict[str, int] = field(default_factory=dict)
    rectifications: int = 0
    overdue_matter_id: UUID | None = None
    open_matter_id: UUID | None = None
    rectified_matter_id: UUID | None = None
    extended_matter_id: UUID | None = None
    transferred_matter_id: UUID | None = None
    withdrawn_matter_id: UUID | None = None
    gap_enterprise_id: UUID | None = None
    reassigned_enterprise_id: UUID | None = None
    delisted_enterprise_id: UUID | None = None
    # The leading group and its dispatches (SPEC §6).
    members: int = 0
    dispatches: int = 0
    directives: int = 0
    missed_slots: int = 0  # slots planned without a dispatch that had ended by `until`
    group_leader_id: UUID | None = None  # the person
    late_member_id: UUID | None = None  # the appointment of the deputy who joined mid-year
    missed_dispatch_person_id: UUID | None = None
    directive_dispatch_id: UUID | None = None
    # Service visits (SPEC §7).
    visits: int = 0
    visit_matters: int = 0
    problem_visit_id: UUID | None = None
    # Sales (SPEC §8): months reported (enterprise × month) and corrections.
    sales_months: int = 0
    sales_corrections: int = 0
    sales_through: str | None = None  # the latest month reported by (nearly) everyone
    over_target_enterprise_id: UUID | None = None
    under_target_enterprise_id: UUID | None = None
    declining_enterprise_id: UUID | None = None
    missing_sales_enterprise_id: UUID | None = None
    corrected_sales_enterprise_id: UUID | None = None


def write_demo(
    database: Database,
    *,
    seed: int = 7,
    scale: str = "park",
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a park history from late 2025 up to `until` (default and at most: now)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    real_now = utc_now()
    if until is not None and (until.tzinfo is None or until.utcoffset() is None):
        raise ValueError("until must carry a UTC offset")
    limit = min(until or real_now, real_now)
    if limit < YEAR_START:
        raise ValueError(f"until must be on or after {YEAR_START.isoformat()}")
    return _Demo(database, seed, limit, progress).run()


# -- the generator ---------------------------------------------------------------------------


class _SimClock:
    """The park's clock during the demo: moved forward to each step's business time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, to: datetime) -> None:
        if to < self.now:
            raise RuntimeError(f"demo clock would go back from {self.now} to {to}")
        self.now = to


@dataclass
class _Unit:
    key: str
    name: str
    id: UUID | None = None


@dataclass
class _Guarantor:
    kind: str
    name: str
    title: str | None
    unit: str | None
    id: UUID | None = None
    # The assignments planned for it, to plan visits only where it guarantees.
    covers: list[_Cover] = field(default_factory=list, compare=False, repr=False)


@dataclass
class _Enterprise:
    index: int
    uscc: str
    name: str
    industry: str
    chain: str
    above_scale: bool
    weight: float
    listed_at: datetime
    delisted_at: datetime | None = None
    relisted_at: datetime | None = None
    id: UUID | None = None
    roles: set[str] = field(default_factory=set)  # the roles planned for it
    covers: list[_Cover] = field(default_factory=list, compare=False, repr=False)

    def listed_on(self, at: datetime) -> bool:
        if at <= self.listed_at:
            return False
        if self.delisted_at is None or at < self.delisted_at:
            return True
        return self.relisted_at is not None and at > self.relisted_at


@dataclass
class _Matter:
    index: int
    enterprise: _Enterprise
    category: str
    summary: str
    channel: str
    reply: str
    id: UUID | None = None
    request_id: UUID | None = None
    transferred: bool = False
    extended: bool = False
    rectified: bool = False
    withdrawn: bool = False
    # As planned: when it came in, its handle deadline, and when it was resolved or withdrawn.
    received_at: datetime | None = None
    due_at: datetime | None = None
    settled_at: datetime | None = None

    def open_at(self, at: datetime) -> bool:
        """Whether it was in and not yet resolved or withdrawn at `at`, as planned."""
        return (
            self.received_at is not None
            and self.received_at < at
            and (self.settled_at is None or at < self.settled_at)
        )


@dataclass(eq=False)
class _Cover:
    """A planned assignment: in effect from `start` to `end` (inclusive) once recorded."""

    enterprise: _Enterprise
    guarantor: _Guarantor
    role: str
    start: date
    recorded_at: datetime
    end: date | None = None

    def covers(self, at: datetime) -> bool:
        day = at.astimezone(SHANGHAI).date()
        return self.recorded_at < at and self.start <= day and (self.end is None or day <= self.end)


@dataclass(eq=False)
class _Member:
    """A leading-group appointment as planned, with the slots it leaves without a dispatch."""

    person: _Guarantor
    role: str
    effective_from: date
    chain: str | None  # the chain a deputy looks after; None: the whole park
    missed: tuple[date, ...] = ()
    id: UUID | None = None


@dataclass(eq=False)
class _Dispatch:
    member: _Member
    kind: str
    enterprises: list[_Enterprise]
    matters: list[_Matter]
    directives: list[tuple[_Matter, _Unit]]
    id: UUID | None = None


@dataclass(eq=False)
class _Visit:
    guarantor: _Guarantor
    enterprise: _Enterprise
    kind: str
    notes: str
    problems: list[_Matter]
    id: UUID | None = None


@dataclass(eq=False)
class _Sales:
    """An enterprise's sales profile: a mean month last year, its growth and its source."""

    enterprise: _Enterprise
    base_fen: int  # a mean month of 2025
    growth: Decimal
    source: str


def factor_of(draw: float) -> Decimal:
    """A random draw as a Decimal factor (6 places), so that amounts are computed exactly."""
    return Decimal(f"{draw:.6f}")


def parent_body(department: str) -> str:
    """The body a guarantor department belongs to."""
    if department.startswith(("亳州市", "市", "国家税务总局亳州市")):
        return "亳州市人民政府"
    if department.startswith("谯城区"):
        return GOVERNMENT
    if department.startswith("国网"):
        return "国网亳州供电公司"
    return COMMITTEE


def _missed_slots(member: _Member) -> list[Slot]:
    """The slots planned without a dispatch, as `domain.cadence` cuts them."""
    return [
        slot
        for start in member.missed
        for slot in slots_for(member.role, start.strftime("%Y-%m"))
        if slot.start == start
    ]


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _uid(value: UUID | None) -> UUID:
    if value is None:
        raise RuntimeError("demo step ran before the step that creates its aggregate")
    return value


def _org_code(body: str) -> str:
    """The 9-character organisation code (GB 11714) of an 8-character body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class _Demo:
    def __init__(
        self,
        database: Database,
        seed: int,
        limit: datetime,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        self.seed = seed
        self.limit = limit
        self.progress = progress
        self.clock = _SimClock(SETUP_START)
        self.park = Park(database, clock=self.clock)
        self.heap: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = 0
        self.requests = 0
        self.units: dict[str, _Unit] = {}
        self.people: list[_Guarantor] = []
        self.leaders: list[_Guarantor] = []
        self.liaisons: list[_Guarantor] = []
        self.departments: dict[str, _Guarantor] = {}
        self.enterprises: list[_Enterprise] = []
        self.matters: list[_Matter] = []
        self.assignments = 0
        self.gap_enterprise: _Enterprise | None = None
        self.gaps: list[_Enterprise] = []
        self.reassigned: _Enterprise | None = None
        self.delisted: _Enterprise | None = None
        self.setup_end = SETUP_START
        self.members: list[_Member] = []
        self.dispatches: list[_Dispatch] = []
        self.visits: list[_Visit] = []
        self.sales: list[_Sales] = []
        # What the sales steps wrote: enterprise index -> month -> fen in force.
        self.written_sales: dict[int, dict[str, int]] = {}
        self.sales_corrections = 0
        self.missing_sales: _Enterprise | None = None
        self.corrected_sales: _Enterprise | None = None
        self.cal: WorkingCalendar | None = None
        self.half_day = 3.5  # hours; set from the policy's office hours after bootstrap
        policy = PolicyDocument()
        self.handle_days = policy.handle_working_days
        self.cap_days = policy.cap_working_days
        self.rectify_days = policy.rectification_working_days

    # -- running ---------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        self.check_empty()
        head = self.park.log_head()
        self.park.bootstrap()
        self.cal = self.park.rules_at(SETUP_START).calendar
        self.half_day = self.cal.hours.day_length().total_seconds() / 7200
        self.plan_registry()
        self.plan_registry_changes()
        self.plan_matters()
        self.plan_group()
        self.plan_visits()
        self.plan_dispatches()
        self.plan_sales()
        total = len(self.heap)
        every = max(1, total // 200)
        done = 0
        if self.progress is not None:
            self.progress(0, total)
        # One writer: commands are saved in batches, each batch in one transaction.
        with self.park.batched(size=500):
            while self.heap:
                at, _, step = heapq.heappop(self.heap)
                self.clock.advance(at)
                step()
                done += 1
                if self.progress is not None and (done % every == 0 or done == total):
                    self.progress(done, total)
        return self.summary(self.park.log_head() - head)

    def check_empty(self) -> None:
        """Refuse a database that already holds more than the bootstrap's calendar and policy."""
        head = self.park.log_head()
        if head == 0:
            return
        ours = {CALENDAR_ID, POLICY_ID}
        notes = self.park.recorder.select_notifications(start=1, limit=200)
        if head > 200 or any(n.originator_id not in ours for n in notes):
            raise ValueError(
                "the database already holds a history; write the demo into an empty one"
            )

    def push(self, steps: Steps) -> None:
        """Queue one thread of dependent steps, dropping those (and all after) beyond the limit."""
        previous: datetime | None = None
        for at, step in steps:
            if previous is not None and at < previous:
                raise RuntimeError(f"demo steps out of order: {at} after {previous}")
            previous = at
            if at > self.limit:
                return
            self.seq += 1
            heapq.heappush(self.heap, (at, self.seq, step))

    def act(self, role: str, scope: UUID | None = None) -> Act:
        self.requests += 1
        actor = Actor(
            "demo", role, f"demo-{self.requests}", scope=None if scope is None else str(scope)
        )
        return Act.now(actor, self.clock)

    # -- working time ----------------------------------------------------------------------

    @property
    def calendar(self) -> WorkingCalendar:
        if self.cal is None:
            raise RuntimeError("bootstrap first")
        return self.cal

    def after(self, start: datetime, hours: float) -> datetime:
        """`hours` of working time after `start` (at least five seconds), to the second."""
        seconds = max(5, round(hours * 3600))
        return self.calendar.add_working_time(start, timedelta(seconds=seconds)).at

    def hours_between(self, start: datetime, end: datetime) -> float:
        return self.calendar.working_time_between(start, end).total_seconds() / 3600

    def days_after(self, start: datetime, days: int) -> datetime:
        return self.calendar.working_days_after(start, days).at

    def moment_in(self, month: int) -> datetime:
        """An office-hours moment on a working day of the month."""
        rng = self.rng
        day = date(YEAR, month, rng.randint(1, 26))
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        start = datetime.combine(day, time(8, 30), tzinfo=SHANGHAI)
        return self.after(start - timedelta(minutes=1), rng.uniform(0.1, 6.5))

    # -- the registry ----------------------------------------------------------------------

    def unique_person_name(self, taken: set[str]) -> str:
        rng = self.rng
        while True:
            given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            name = rng.choice(SURNAMES) + given
            if name not in taken:
                taken.add(name)
                return name

    def make_guarantors(self) -> None:
        rng = self.rng
        taken: set[str] = set()

        def person(title: str, unit: str, leader: bool) -> None:
            g = _Guarantor("person", self.unique_person_name(taken), title, unit)
            self.people.append(g)
            (self.leaders if leader else self.liaisons).append(g)

        person("区长", GOVERNMENT, True)
        for _ in range(4):
            person("副区长", GOVERNMENT, True)
        person("党工委书记、管委会主任", COMMITTEE, True)
        person("党工委副书记", COMMITTEE, True)
        for _ in range(5):
            person("管委会副主任", COMMITTEE, True)
        for _ in range(3):
            person("党工委委员", COMMITTEE, True)
        for bureau in BUREAUS:
            person("局长" if bureau.endswith("局") else "主任", bureau, True)
        for bureau in BUREAUS:
            person("副局长" if bureau.endswith("局") else "副主任", bureau, False)
        titles = ("科长", "副科长", "一级科员", "企业联络员")
        while len(self.people) < 80:
            person(rng.choice(titles), rng.choice(BUREAUS), False)
        for name in DEPARTMENTS:
            self.departments[name] = _Guarantor("department", name, None, parent_body(name))

    def make_enterprises(self, count: int, listed_at: datetime) -> list[_Enterprise]:
        rng = self.rng
        names = {e.name for e in self.enterprises}
        codes = {e.uscc for e in self.enterprises}
        made: list[_Enterprise] = []
        chains = list(CHAIN_SHARES)
        for _ in range(count):
            chain = rng.choices(chains, weights=[CHAIN_SHARES[c] for c in chains])[0]
            industry, suffixes = rng.choice(CHAINS[chain])
            city, region, _share = rng.choices(REGIONS, weights=[r[2] for r in REGIONS])[0]
            above = rng.random() < 0.6
            while True:
                form = "股份有限公司" if above and rng.random() < 0.25 else "有限公司"
                name = f"{city}{rng.choice(BRANDS)}{rng.choice(suffixes)}{form}"
                if name not in names:
                    names.add(name)
                    break
            while True:
                if rng.random() < 0.6:
                    body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
                else:
                    body = "".join(rng.choice("0123456789") for _ in range(8))
                first17 = "91" + region + _org_code(body)
                code = first17 + check_character(first17)
                if code not in codes:
                    codes.add(code)
                    break
            weight = min(8.0, rng.paretovariate(1.6)) * (1.4 if above else 1.0)
            enterprise = _Enterprise(
                len(self.enterprises), code, name, industry, chain, above, weight, listed_at
            )
            self.enterprises.append(enterprise)
            made.append(enterprise)
        return made

    def plan_registry(self) -> None:
        """Units, guarantors and the key enterprise library, entered in the last days of 2025."""
        rng = self.rng
        for key, name in UNITS.items():
            self.units[key] = _Unit(key, name)
        self.make_guarantors()
        cursor = SETUP_START + timedelta(minutes=20)
        steps: Steps = []
        for unit in self.units.values():
            cursor = self.after(cursor, rng.uniform(0.02, 0.08))
            steps.append((cursor, partial(self.register_unit, unit)))
        for g in [*self.people, *self.departments.values()]:
            cursor = self.after(cursor, rng.uniform(0.005, 0.02))
            steps.append((cursor, partial(self.register_guarantor, g)))
        # The library: about 300 enterprises, listed from the afternoon of 29 December.
        cursor = max(cursor, datetime(2025, 12, 29, 14, 0, tzinfo=SHANGHAI))
        enterprises = self.make_enterprises(300, SETUP_START)
        for e in enterprises:
            cursor = self.after(cursor, rng.uniform(0.005, 0.03))
            e.listed_at = cursor
            steps.append((cursor, partial(self.list_enterprise, e)))
        # Gaps: a few enterprises without a lead leader or a department on New Year's day.
        sample = rng.sample(enterprises, 13)
        no_leader, no_department = sample[:7], sample[7:]
        self.gap_enterprise = no_leader[0]
        self.gaps = sample
        cursor = max(cursor, datetime(2025, 12, 30, 14, 0, tzinfo=SHANGHAI))
        for e in enterprises:
            for role, guarantor in self.guarantors_for(e):
                if (role == "lead_leader" and e in no_leader) or (
                    role == "department" and e in no_department
                ):
                    continue
                cursor = self.after(cursor, rng.uniform(0.002, 0.008))
                steps.append((cursor, partial(self.assign, e, guarantor, role, EFFECTIVE)))
                self.plan_cover(e, guarantor, role, EFFECTIVE, cursor)
        self.push(steps)
        if cursor >= YEAR_START:
            raise RuntimeError("the registry set-up ran into 2026")
        self.setup_end = cursor
        # Some gaps are closed in the first quarter; the others stay for the gap list.
        for e in no_leader[3:5]:
            at = self.moment_in(rng.randint(2, 4))
            leader = rng.choice(self.leaders)
            self.push([(at, partial(self.assign, e, leader, "lead_leader", self.day(at)))])
            self.plan_cover(e, leader, "lead_leader", self.day(at), at)
        for e in no_department[3:5]:
            at = self.moment_in(rng.randint(2, 4))
            department = self.department_for(e)
            self.push([(at, partial(self.assign, e, department, "department", self.day(at)))])
            self.plan_cover(e, department, "department", self.day(at), at)

    def guarantors_for(self, e: _Enterprise) -> list[tuple[str, _Guarantor]]:
        rng = self.rng
        chain_index = list(CHAINS).index(e.chain)
        # Each chain's enterprises lean on a few leaders (the chain's working group).
        pool = [g for i, g in enumerate(self.leaders) if i % 4 == chain_index]
        leader = rng.choice(pool) if rng.random() < 0.75 else rng.choice(self.leaders)
        chosen = [("lead_leader", leader), ("department", self.department_for(e))]
        if rng.random() < 0.7:
            chosen.append(("liaison", rng.choice(self.liaisons)))
        e.roles.update(role for role, _ in chosen)
        return chosen

    def department_for(self, e: _Enterprise) -> _Guarantor:
        rng = self.rng
        if rng.random() < 0.45:
            return self.departments[CHAIN_DEPARTMENT[e.chain]]
        return rng.choice(list(self.departments.values()))

    @staticmethod
    def day(at: datetime) -> date:
        return at.astimezone(SHANGHAI).date()

    @staticmethod
    def plan_cover(
        e: _Enterprise, g: _Guarantor, role: str, start: date, recorded_at: datetime
    ) -> None:
        cover = _Cover(e, g, role, start, recorded_at)
        e.covers.append(cover)
        g.covers.append(cover)

    @staticmethod
    def plan_release(e: _Enterprise, role: str, end: date) -> None:
        for cover in e.covers:
            if cover.role == role and cover.end is None:
                cover.end = end

    def plan_reassign(self, e: _Enterprise, role: str, g: _Guarantor, at: datetime) -> None:
        """What `reassign` will do: nothing for the same guarantor, else release and assign."""
        if any(c.guarantor is g for c in e.covers if c.role == role and c.end is None):
            return
        self.plan_release(e, role, self.day(at) - timedelta(days=1))
        self.plan_cover(e, g, role, self.day(at), at)

    def plan_registry_changes(self) -> None:
        """Mid-year: reassignments, released liaisons, delistings, a relisting and newcomers."""
        rng = self.rng
        settled = [e for e in self.enterprises if e not in self.gaps]
        candidates = rng.sample(settled, 24)
        leader_reasons = ("包保领导职务调整", "原包保领导调任，重新明确包保领导")
        for e in candidates[:8]:
            at = self.moment_in(rng.randint(3, 10))
            leader = rng.choice(self.leaders)
            reason = rng.choice(leader_reasons)
            self.push([(at, partial(self.reassign, e, "lead_leader", leader, reason))])
            self.plan_reassign(e, "lead_leader", leader, at)
        for e in candidates[8:11]:
            at = self.moment_in(rng.randint(4, 9))
            department = rng.choice(list(self.departments.values()))
            self.push(
                [(at, partial(self.reassign, e, "department", department, "包保部门职能调整"))]
            )
            self.plan_reassign(e, "department", department, at)
        with_liaison = [e for e in candidates[16:] if "liaison" in e.roles]
        for e in with_liaison[:3]:
            at = self.moment_in(rng.randint(3, 9))
            self.push([(at, partial(self.release, e, "liaison", "联络员岗位调整"))])
            self.plan_release(e, "liaison", self.day(at))
        # Two delistings (June, August); the second enterprise is relisted in October.
        delist_reasons = ("企业迁出园区，移出重点企业库", "企业停产整顿，经研究移出重点企业库")
        for e, month, reason in zip(candidates[14:16], (6, 8), delist_reasons, strict=True):
            at = self.moment_in(month)
            e.delisted_at = at
            released = self.after(at, 0.1)
            steps: Steps = [
                (at, partial(self.delist, e, reason)),
                (released, partial(self.release_all, e, "企业出库")),
            ]
            for role in ("lead_leader", "department", "liaison"):
                self.plan_release(e, role, self.day(released))
            if month == 8:
                back = self.moment_in(10)
                e.relisted_at = back
                steps.append((back, partial(self.relist, e)))
                t = back
                for role, guarantor in self.guarantors_for(e)[:2]:
                    t = self.after(t, 0.05)
                    steps.append((t, partial(self.assign, e, guarantor, role, self.day(back))))
                    self.plan_cover(e, guarantor, role, self.day(back), t)
            self.push(steps)
        # Newcomers: enterprises whose projects went into production during the year.
        for month in (5, 6, 7, 9):
            at = self.moment_in(month)
            (e,) = self.make_enterprises(1, at)
            steps = [(at, partial(self.list_enterprise, e))]
            t = at
            for role, guarantor in self.guarantors_for(e):
                t = self.after(t, 0.05)
                steps.append((t, partial(self.assign, e, guarantor, role, self.day(at))))
                self.plan_cover(e, guarantor, role, self.day(at), t)
            self.push(steps)

    # -- matters ---------------------------------------------------------------------------

    def plan_matters(self) -> None:
        rng = self.rng
        categories = list(CATEGORIES)
        weights = [CATEGORIES[c][0] for c in categories]
        season = {1: 0.95, 2: 0.7, 3: 1.15, 4: 1.1, 5: 1.0, 6: 1.05}
        day = YEAR_START.date()
        last = self.day(self.limit)
        while day <= last:
            working = self.calendar.is_working_day(day)
            mean = (8.6 if working else 0.8) * season.get(day.month, 1.0)
            count = max(0, round(rng.gauss(mean, mean**0.5)))
            times = sorted(self.receipt_time(day, working) for _ in range(count))
            for received in times:
                if received > self.limit:
                    continue
                listed = [e for e in self.enterprises if e.listed_on(received)]
                enterprise = rng.choices(listed, weights=[e.weight for e in listed])[0]
                category = rng.choices(categories, weights=weights)[0]
                summary, unit_key, reply = rng.choice(CATEGORIES[category][1])
                n = rng.randint(2, 9)
                matter = _Matter(
                    len(self.matters),
                    enterprise,
                    category,
                    summary.format(n=n),
                    self.channel(received),
                    reply.format(n=n),
                )
                self.matters.append(matter)
                self.plan_matter(matter, received, unit_key)
            day += timedelta(days=1)

    def receipt_time(self, day: date, working: bool) -> datetime:
        rng = self.rng
        midnight = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        if working and rng.random() < 0.85:
            # Mornings are busier than afternoons.
            if rng.random() < 0.58:
                minutes = rng.uniform(8.5 * 60, 12 * 60)
            else:
                minutes = rng.uniform(14 * 60, 17.5 * 60)
        elif working:
            minutes = rng.choice(
                (rng.uniform(7 * 60, 8.5 * 60), rng.uniform(12 * 60, 14 * 60))
                + (rng.uniform(17.5 * 60, 22 * 60),) * 2
            )
        else:
            minutes = rng.uniform(9 * 60, 21.5 * 60)
        return midnight + timedelta(seconds=round(minutes * 60))

    def channel(self, received: datetime) -> str:
        rng = self.rng
        local = received.astimezone(SHANGHAI)
        in_hours = self.calendar.is_working_day(local.date()) and (
            time(8, 30) <= local.time() < time(12) or time(14) <= local.time() < time(17, 30)
        )
        if in_hours:
            return rng.choices(("window", "phone", "online", "visit"), weights=(35, 25, 30, 10))[0]
        return rng.choices(("online", "phone"), weights=(75, 25))[0]

    def plan_matter(
        self, m: _Matter, received: datetime, unit_key: str, steps: Steps | None = None
    ) -> None:
        """A matter's life from intake; `steps` is its thread so far (default: the window's
        intake at `received`; a visit's matters come in with the visit, a step of its own)."""
        rng = self.rng
        m.received_at = received
        if steps is None:
            steps = [(received, partial(self.receive, m))]
        if rng.random() < 0.015:
            # Withdrawn before the window got round to assigning it.
            at = self.after(received, rng.uniform(0.1, 1.5))
            steps.append((at, partial(self.withdraw, m, rng.choice(WITHDRAWAL_REASONS))))
            m.settled_at = at
            self.push(steps)
            return
        assigned, late = self.assignment_time(received)
        holder = self.units[unit_key]
        first = holder
        if rng.random() < 0.09:
            first = self.units[MISTAKEN_UNIT[m.category]]
        steps.append((assigned, partial(self.assign_matter, m, first)))
        cap = self.days_after(assigned, self.cap_days)
        due = self.days_after(assigned, self.handle_days)
        t = assigned
        if first is not holder:
            t = self.after(t, rng.uniform(0.1, 0.6) * self.hours_between(t, due))
            reason = f"该事项属{holder.name}职责范围，转{holder.name}办理"
            steps.append((t, partial(self.transfer, m, holder, reason)))
            due = self.days_after(t, self.handle_days)
        self.plan_handling(m, holder, t, due, cap, late, steps)

    def plan_handling(
        self,
        m: _Matter,
        holder: _Unit,
        t: datetime,
        due: datetime,
        cap: datetime,
        late: bool,
        steps: Steps,
    ) -> None:
        """From the assignment to `holder` (at `t` or before) on: handled, resolved, rated."""
        rng = self.rng
        if rng.random() < 0.015:
            at = self.after(t, rng.uniform(0.5, 14))
            steps.append((at, partial(self.withdraw, m, rng.choice(WITHDRAWAL_REASONS))))
            m.settled_at = at
            self.push(steps)
            return
        if rng.random() < 0.08:
            t, due = self.plan_extension(m, holder, t, due, cap, steps)
        t = self.resolution_time(t, due, 0.13, 0.035)
        m.due_at, m.settled_at = due, t
        steps.append((t, partial(self.resolve, m, holder, m.reply)))
        self.plan_ratings(m, holder, t, late or t > due, steps)
        self.push(steps)

    def assignment_time(self, received: datetime) -> tuple[datetime, bool]:
        """When the window assigns it: mostly within half a working day, some late."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.88:
            return self.after(received, rng.uniform(0.05, 0.97) * self.half_day), False
        if draw < 0.97:
            return self.after(received, self.half_day + rng.uniform(0.2, 7)), True
        return self.after(received, self.half_day + rng.uniform(7, 28)), True

    def plan_extension(
        self, m: _Matter, holder: _Unit, t: datetime, due: datetime, cap: datetime, steps: Steps
    ) -> tuple[datetime, datetime]:
        """The unit asks before its deadline, within the cap; the leader decides."""
        rng = self.rng
        asked = self.after(t, rng.uniform(0.2, 0.85) * self.hours_between(t, due))
        wanted = min(self.days_after(asked, rng.randint(5, 20)), cap)
        if not asked <= due < wanted:
            return t, due
        reason = rng.choice(EXTENSION_REASONS)
        steps.append((asked, partial(self.request_extension, m, holder, wanted, reason)))
        decided = self.after(asked, rng.uniform(0.3, 6))
        if rng.random() < 0.75:
            steps.append((decided, partial(self.approve, m)))
            return decided, wanted
        steps.append((decided, partial(self.reject, m, rng.choice(REJECTION_REASONS))))
        return decided, due

    def plan_ratings(
        self, m: _Matter, holder: _Unit, resolved: datetime, late: bool, steps: Steps
    ) -> None:
        """Most resolutions are rated; 1-2 sends the matter back for rectification."""
        rng = self.rng
        t = resolved
        rounds = 0
        while rng.random() >= 0.12:
            rated = self.rating_time(t)
            level = self.rating_level(rounds, late)
            comment = rng.choice(COMMENTS[level]) if rng.random() < 0.7 else None
            steps.append((rated, partial(self.rate, m, level, comment)))
            if level >= 3:
                return
            rounds += 1
            rectify_due = self.days_after(rated, self.rectify_days)
            t = self.resolution_time(rated, rectify_due, 0.12, 0.03)
            late = t > rectify_due
            steps.append((t, partial(self.resolve, m, holder, rng.choice(RECTIFY_REPLIES))))

    def resolution_time(
        self, start: datetime, due: datetime, p_late: float, p_stalled: float
    ) -> datetime:
        rng = self.rng
        room = self.hours_between(start, due)
        draw = rng.random()
        if draw < p_stalled:
            return self.after(max(start, due), rng.uniform(36, 240))
        if draw < p_stalled + p_late or room < 0.25:
            return self.after(max(start, due), rng.uniform(0.3, 35))
        return self.after(start, rng.uniform(0.1, 0.95) * room)

    def rating_time(self, resolved: datetime) -> datetime:
        rng = self.rng
        draw = rng.random()
        if draw < 0.65:
            return self.after(resolved, rng.uniform(0.2, 10))
        if draw < 0.9:
            # In the evening, on the enterprise's own time.
            local = resolved.astimezone(SHANGHAI)
            evening = datetime.combine(local.date(), time(19), tzinfo=SHANGHAI)
            if evening <= resolved:
                evening += timedelta(days=1)
            return evening + timedelta(seconds=round(rng.uniform(0, 210) * 60))
        # After the rating invitation (3 working days).
        return self.after(resolved, rng.uniform(21, 50))

    def rating_level(self, rounds: int, late: bool) -> int:
        rng = self.rng
        levels = (5, 4, 3, 2, 1)
        if rounds >= 2:
            return rng.choice((3, 4, 5))
        if rounds == 1:
            return rng.choices(levels, weights=(35, 35, 18, 8, 4))[0]
        if late:
            return rng.choices(levels, weights=(35, 30, 15, 12, 8))[0]
        return rng.choices(levels, weights=(60, 27, 7, 4, 2))[0]

    # -- calendar helpers ------------------------------------------------------------------

    def months(self) -> list[tuple[int, int]]:
        """The months from January of the demo year to the month of the limit."""
        last = self.day(self.limit)
        out: list[tuple[int, int]] = []
        year, month = YEAR, 1
        while (year, month) <= (last.year, last.month):
            out.append((year, month))
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return out

    def working_days(self, first: date, last: date) -> list[date]:
        days = []
        day = first
        while day <= last:
            if self.calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def at_office(self, day: date, hours: float) -> datetime:
        """`hours` of office time into a working day (08:30 plus 0–7 working hours)."""
        start = datetime.combine(day, time(8, 29), tzinfo=SHANGHAI)
        return self.after(start, hours)

    # -- the leading group and its dispatches ----------------------------------------------

    def plan_group(self) -> None:
        """The 组长 and three 副组长 from New Year (appointed on the last set-up day); a fourth
        副组长 from 10 June, in the middle of a half-month slot."""
        rng = self.rng

        def titled(title: str) -> list[_Guarantor]:
            return [g for g in self.people if g.title == title]

        vice = titled("管委会副主任")
        chains = list(CHAINS)
        self.members = [
            _Member(titled("党工委书记、管委会主任")[0], "group_leader", EFFECTIVE, None),
            _Member(titled("党工委副书记")[0], "deputy_group_leader", EFFECTIVE, chains[0]),
            _Member(vice[0], "deputy_group_leader", EFFECTIVE, chains[1]),
            _Member(vice[1], "deputy_group_leader", EFFECTIVE, chains[2]),
            _Member(vice[2], "deputy_group_leader", LATE_DEPUTY_FROM, chains[3]),
        ]
        for number, member in enumerate(self.members):
            member.missed = MISSED_SLOTS.get(number, ())
        t = self.after(self.setup_end, rng.uniform(0.2, 0.5))
        steps: Steps = []
        for member in self.members:
            if member.effective_from == EFFECTIVE:
                t = self.after(t, rng.uniform(0.02, 0.06))
                steps.append((t, partial(self.appoint, member)))
        if t >= YEAR_START:
            raise RuntimeError("the leading group's appointment ran into 2026")
        self.push(steps)
        for member in self.members:
            if member.effective_from != EFFECTIVE:
                # Appointed by the committee on the working day before taking office.
                eve = member.effective_from - timedelta(days=1)
                while not self.calendar.is_working_day(eve):
                    eve -= timedelta(days=1)
                at = self.at_office(eve, rng.uniform(4.5, 6.5))
                self.push([(at, partial(self.appoint, member))])

    def plan_dispatches(self) -> None:
        """One scheduled dispatch per required slot (a month for the 组长, a half-month for a
        副组长) except the slots planned as missed, some ad hoc ones, in business-time order."""
        rng = self.rng
        planned: list[tuple[datetime, int, str]] = []
        for year, month in self.months():
            period = f"{year:04d}-{month:02d}"
            for number, member in enumerate(self.members):
                extra = 0.3 if member.role == "group_leader" else 0.08
                for slot in slots_for(member.role, period):
                    if slot.start in member.missed:
                        continue
                    days = self.working_days(max(slot.start, member.effective_from), slot.end)
                    if not days:
                        continue
                    # A slot only partly in the tenure is not required: a newcomer holds a
                    # first meeting in it all the same, ad hoc.
                    required = member.effective_from <= slot.start
                    kind = "scheduled" if required else "ad_hoc"
                    planned.append((self.meeting_time(rng.choice(days)), number, kind))
                    if required and rng.random() < extra:
                        planned.append((self.meeting_time(rng.choice(days)), number, "ad_hoc"))
        planned.sort()
        for at, number, kind in planned:
            self.plan_dispatch(self.members[number], kind, at)

    def meeting_time(self, day: date) -> datetime:
        rng = self.rng
        morning, afternoon = rng.uniform(0.5, 2.0), rng.uniform(4.0, 5.5)
        return self.at_office(day, morning if rng.random() < 0.55 else afternoon)

    def plan_dispatch(self, member: _Member, kind: str, at: datetime) -> None:
        """Open (preferably overdue) matters of the member's chain, a few key enterprises, and
        directives that become matters assigned to units at the meeting."""
        rng = self.rng

        def ours(e: _Enterprise) -> bool:
            return member.chain is None or e.chain == member.chain

        open_matters = [m for m in self.matters if m.open_at(at) and ours(m.enterprise)]
        overdue = [m for m in open_matters if m.due_at is not None and m.due_at < at]
        wanted = rng.choice((0, 1, 1, 2, 2, 3))
        matters = rng.sample(overdue, min(wanted, len(overdue)))
        others = [m for m in open_matters if all(m is not o for o in overdue)]
        matters += rng.sample(others, min(wanted - len(matters), len(others)))
        key = [e for e in self.enterprises if e.above_scale and ours(e) and e.listed_on(at)]
        lo, hi = (2, 4) if member.role == "group_leader" else (1, 3)
        enterprises: list[_Enterprise] = []
        chosen = rng.sample(key, min(rng.randint(lo, hi), len(key)))
        for e in [m.enterprise for m in matters] + chosen:
            if all(e is not seen for seen in enterprises):
                enterprises.append(e)
        directives: list[tuple[_Matter, _Unit]] = []
        listed = [e for e in enterprises if e.listed_on(at)]
        count = rng.choices((0, 1, 2, 3), weights=(35, 40, 18, 7))[0] if listed else 0
        for _ in range(count):
            e = rng.choice(listed)
            summary, unit_key, reply = rng.choice(DIRECTIVES)
            m = _Matter(len(self.matters), e, DIRECTIVE_CATEGORY, summary, "dispatch", reply)
            m.received_at = at
            self.matters.append(m)
            unit = self.units[unit_key]
            directives.append((m, unit))
            due = self.days_after(at, self.handle_days)
            cap = self.days_after(at, self.cap_days)
            self.plan_handling(m, unit, at, due, cap, False, [])
        if not (enterprises or matters or directives):
            return
        d = _Dispatch(member, kind, enterprises, matters, directives)
        self.dispatches.append(d)
        self.push([(at, partial(self.hold_dispatch, d))])

    # -- service visits --------------------------------------------------------------------

    def plan_visits(self) -> None:
        """Each guarantor visits the enterprises it covers, as often as its diligence says."""
        rng = self.rng
        rates = [rate for rate, _ in DILIGENCE]
        diligence = [weight for _, weight in DILIGENCE]
        for g in [*self.people, *self.departments.values()]:
            rate = rng.choices(rates, weights=diligence)[0]
            cap = 6 if g.kind == "person" else 12
            for year, month in self.months():
                days = self.working_days(date(year, month, 1), _month_end(year, month))
                middle = datetime.combine(date(year, month, 15), time(12), tzinfo=SHANGHAI)
                covered = sum(1 for c in g.covers if c.covers(middle))
                mean = min(rate * covered, cap) * VISIT_SEASON.get(month, 1.0)
                if mean <= 0 or not days:
                    continue
                seen: list[_Enterprise] = []
                for _ in range(max(0, round(rng.gauss(mean, mean**0.5)))):
                    kinds = [k for k, _ in VISIT_KINDS]
                    kind = rng.choices(kinds, weights=[w for _, w in VISIT_KINDS])[0]
                    at = self.visit_time(rng.choice(days), kind)
                    choices = [
                        c.enterprise
                        for c in g.covers
                        if c.covers(at) and c.enterprise.listed_on(at)
                    ]
                    if not choices:
                        continue
                    fresh = [e for e in choices if all(e is not s for s in seen)]
                    e = rng.choice(fresh or choices)
                    seen.append(e)
                    self.plan_visit(g, e, kind, at)

    def visit_time(self, day: date, kind: str) -> datetime:
        rng = self.rng
        if kind == "tea_talk":  # 畅聊下午茶: in the afternoon
            return self.at_office(day, rng.uniform(4.0, 5.5))
        morning, afternoon = rng.uniform(0.5, 2.75), rng.uniform(4.0, 6.25)
        return self.at_office(day, morning if rng.random() < 0.5 else afternoon)

    def plan_visit(self, g: _Guarantor, e: _Enterprise, kind: str, at: datetime) -> None:
        """A visit; some find problems, each a matter (channel visit) that goes the usual way."""
        rng = self.rng
        draw = rng.random()
        found = 2 if draw < 0.02 else 1 if draw < 0.12 else 0
        categories = list(CATEGORIES)
        weights = [CATEGORIES[c][0] for c in categories]
        problems: list[tuple[_Matter, str]] = []
        for _ in range(found):
            category = rng.choices(categories, weights=weights)[0]
            summary, unit_key, reply = rng.choice(CATEGORIES[category][1])
            n = rng.randint(2, 9)
            m = _Matter(
                len(self.matters), e, category, summary.format(n=n), "visit", reply.format(n=n)
            )
            self.matters.append(m)
            problems.append((m, unit_key))
        notes = rng.choice(VISIT_NOTES[kind])
        if problems:
            notes += f"；现场收集企业诉求{len(problems)}项，已登记交办"
        visit = _Visit(g, e, kind, notes, [m for m, _ in problems])
        self.visits.append(visit)
        self.push([(at, partial(self.record_visit, visit))])
        for m, unit_key in problems:
            self.plan_matter(m, at, unit_key, [])

    # -- sales -----------------------------------------------------------------------------

    def plan_sales(self) -> None:
        """2025's months entered as back data in early January; each month of the year in the
        10th–15th of the next; one enterprise lacks a month, two months are corrected."""
        rng = self.rng
        classes = [(lo, hi) for lo, hi, _ in GROWTH_CLASSES]
        weights = [w for _, _, w in GROWTH_CLASSES]
        for e in self.enterprises:
            if not (e.above_scale or rng.random() < 0.35):
                continue
            # Random factors are drawn as floats and fixed to 6 places; money is Decimal and fen.
            if e.above_scale:
                factor = factor_of(e.weight**1.3 * rng.lognormvariate(0, 0.35))
                base_fen = int(Decimal(180_000_000) * factor)
            else:
                factor = factor_of(rng.lognormvariate(0, 0.45))
                base_fen = min(155_000_000, int(Decimal(26_000_000) * factor))
            lo, hi = rng.choices(classes, weights=weights)[0]
            source = "tax" if e.above_scale or rng.random() < 0.6 else "self"
            self.sales.append(_Sales(e, base_fen, factor_of(rng.uniform(lo, hi)), source))
        settled = [
            p
            for p in self.sales
            if p.enterprise.above_scale
            and p.enterprise.listed_at < YEAR_START
            and p.enterprise.delisted_at is None
        ]
        missing, *corrected = rng.sample(settled, 1 + len(SALES_CORRECTIONS))
        self.missing_sales = missing.enterprise
        self.plan_back_sales(missing)
        reported = self.plan_monthly_sales()
        self.plan_sales_corrections(corrected, reported)

    def plan_back_sales(self, missing: _Sales) -> None:
        """The clerk enters last year's months from the tax bureau's figures, enterprise by
        enterprise, from Monday 5 January; one enterprise's April is not to be had."""
        rng = self.rng
        back = [p for p in self.sales if p.enterprise.listed_at < YEAR_START]
        rng.shuffle(back)
        t = self.at_office(date(YEAR, 1, 5), rng.uniform(0.2, 0.6))
        for p in back:
            steps: Steps = []
            for month in range(1, 13):
                label = f"{YEAR - 1}-{month:02d}"
                fen = self.sales_fen(p, YEAR - 1, month)
                if p is missing and label == MISSING_SALES_MONTH:
                    continue
                t = self.after(t, rng.uniform(15, 45) / 3600)
                steps.append((t, partial(self.report_sales, p, label, fen, None)))
            self.push(steps)

    def plan_monthly_sales(self) -> dict[tuple[int, str], tuple[datetime, int]]:
        """Each month of the year between the 10th and the 15th of the next, for enterprises
        listed then (a newcomer from its first month)."""
        rng = self.rng
        reported: dict[tuple[int, str], tuple[datetime, int]] = {}
        for year, month in self.months():
            label = f"{year:04d}-{month:02d}"
            following = _month_end(year, month) + timedelta(days=1)
            window = self.working_days(following.replace(day=10), following.replace(day=15))
            window = window or self.working_days(
                following.replace(day=10), following.replace(day=22)
            )
            for p in self.sales:
                fen = self.sales_fen(p, year, month)
                at = self.at_office(rng.choice(window), rng.uniform(0.2, 6.8))
                e = p.enterprise
                listed = e.listed_at.astimezone(SHANGHAI)
                if (year, month) < (listed.year, listed.month) or not e.listed_on(at):
                    continue
                reported[e.index, label] = (at, fen)
                self.push([(at, partial(self.report_sales, p, label, fen, None))])
        return reported

    def plan_sales_corrections(
        self, corrected: list[_Sales], reported: dict[tuple[int, str], tuple[datetime, int]]
    ) -> None:
        """A month re-reported a week or two later with the tax bureau's corrected figure."""
        rng = self.rng
        for p, (label, (lo, hi), reason) in zip(corrected, SALES_CORRECTIONS, strict=True):
            year, month = int(label[:4]), int(label[5:])
            following = _month_end(year, month) + timedelta(days=1)
            days = self.working_days(following.replace(day=lo), following.replace(day=hi))
            was = reported.get((p.enterprise.index, label))
            if was is None or not days:
                continue
            at = self.at_office(rng.choice(days), rng.uniform(0.2, 6.8))
            fen = round(was[1] * rng.uniform(0.955, 1.03))
            if at <= was[0]:
                continue
            self.corrected_sales = self.corrected_sales or p.enterprise
            self.push([(at, partial(self.report_sales, p, label, fen, reason))])

    def sales_fen(self, p: _Sales, year: int, month: int) -> int:
        """A month's taxable sales in fen: base, season, growth and noise."""
        season = SALES_SEASON.get(year, SALES_SEASON[YEAR])[month - 1]
        level = p.base_fen * (1 + p.growth) ** (year - (YEAR - 1))
        noise = factor_of(max(0.7, self.rng.gauss(1.0, 0.05)))
        return max(0, int((level * season * noise).to_integral_value()))

    # -- the steps: one Park command each ---------------------------------------------------

    def register_unit(self, unit: _Unit) -> None:
        unit.id = self.park.register_unit(self.act("admin"), unit.name).id

    def register_guarantor(self, g: _Guarantor) -> None:
        act = self.act("admin")
        g.id = self.park.register_guarantor(act, g.kind, g.name, g.title, g.unit).id

    def list_enterprise(self, e: _Enterprise) -> None:
        act = self.act("admin")
        enterprise = self.park.list_enterprise(
            act, e.uscc, e.name, e.industry, e.chain, e.above_scale
        )
        e.id = enterprise.id

    def assign(self, e: _Enterprise, g: _Guarantor, role: str, effective_from: date) -> None:
        self.park.assign_guarantor(self.act("admin"), _uid(e.id), _uid(g.id), role, effective_from)
        self.assignments += 1

    def reassign(self, e: _Enterprise, role: str, g: _Guarantor, reason: str) -> None:
        enterprise = self.park.load(Enterprise, _uid(e.id))
        if any(a.guarantor_id == g.id for a in enterprise.open_assignments(role)):
            return  # the same guarantor again: nothing to change
        today = self.day(self.clock())
        self.park.reassign(self.act("admin"), _uid(e.id), role, _uid(g.id), today, reason)
        self.assignments += 1
        if role == "lead_leader" and self.reassigned is None:
            self.reassigned = e

    def release(self, e: _Enterprise, role: str, reason: str) -> None:
        enterprise = self.park.load(Enterprise, _uid(e.id))
        today = self.day(self.clock())
        for held in enterprise.open_assignments(role):
            self.park.release_assignment(self.act("admin"), _uid(e.id), held.id, today, reason)

    def release_all(self, e: _Enterprise, reason: str) -> None:
        for role in ("lead_leader", "department", "liaison"):
            self.release(e, role, reason)

    def delist(self, e: _Enterprise, reason: str) -> None:
        self.park.delist_enterprise(self.act("admin"), _uid(e.id), reason)
        if self.delisted is None:
            self.delisted = e

    def relist(self, e: _Enterprise) -> None:
        self.park.relist_enterprise(
            self.act("admin"), _uid(e.id), "企业恢复生产，重新纳入重点企业库"
        )

    def receive(self, m: _Matter) -> None:
        act = self.act("clerk")
        matter = self.park.receive_matter(
            act, _uid(m.enterprise.id), m.summary, m.category, m.channel
        )
        m.id = matter.id

    def assign_matter(self, m: _Matter, unit: _Unit) -> None:
        self.park.assign_matter(self.act("clerk"), _uid(m.id), _uid(unit.id))

    def transfer(self, m: _Matter, unit: _Unit, reason: str) -> None:
        self.park.transfer_matter(self.act("clerk"), _uid(m.id), _uid(unit.id), reason)
        m.transferred = True

    def request_extension(self, m: _Matter, unit: _Unit, wanted: datetime, reason: str) -> None:
        act = self.act("unit", _uid(unit.id))
        _, request = self.park.request_extension(act, _uid(m.id), wanted, reason)
        m.request_id = request.id

    def approve(self, m: _Matter) -> None:
        self.park.approve_extension(self.act("leader"), _uid(m.id), _uid(m.request_id))
        m.extended = True

    def reject(self, m: _Matter, reason: str) -> None:
        self.park.reject_extension(self.act("leader"), _uid(m.id), _uid(m.request_id), reason)

    def resolve(self, m: _Matter, unit: _Unit, reply: str) -> None:
        self.park.resolve_matter(self.act("unit", _uid(unit.id)), _uid(m.id), reply)

    def rate(self, m: _Matter, level: int, comment: str | None) -> None:
        act = self.act("enterprise", _uid(m.enterprise.id))
        self.park.rate_matter(act, _uid(m.id), level, comment)
        if level <= 2:
            m.rectified = True

    def withdraw(self, m: _Matter, reason: str) -> None:
        act = self.act("enterprise", _uid(m.enterprise.id))
        self.park.withdraw_matter(act, _uid(m.id), reason)
        m.withdrawn = True

    def appoint(self, member: _Member) -> None:
        act = self.act("admin")
        person = _uid(member.person.id)
        member.id = self.park.appoint_member(act, person, member.role, member.effective_from).id

    def hold_dispatch(self, d: _Dispatch) -> None:
        act = self.act("leader")
        orders = [
            DirectiveOrder(_uid(m.enterprise.id), m.summary, _uid(unit.id))
            for m, unit in d.directives
        ]
        dispatch = self.park.hold_dispatch(
            act,
            _uid(d.member.person.id),
            d.kind,
            act.occurred_at,
            [_uid(e.id) for e in d.enterprises],
            [_uid(m.id) for m in d.matters],
            orders,
        )
        d.id = dispatch.id
        for (m, _), directive in zip(d.directives, dispatch.directives, strict=True):
            m.id = directive.matter_id

    def record_visit(self, v: _Visit) -> None:
        guarantor = _uid(v.guarantor.id)
        act = self.act("guarantor", guarantor)
        problems = [VisitProblem(m.summary, m.category) for m in v.problems]
        visit, matters = self.park.record_visit(
            act, guarantor, _uid(v.enterprise.id), v.kind, act.occurred_at, v.notes, problems
        )
        v.id = visit.id
        for m, matter in zip(v.problems, matters, strict=True):
            m.id = matter.id

    def report_sales(self, p: _Sales, month: str, fen: int, reason: str | None) -> None:
        written = self.written_sales.setdefault(p.enterprise.index, {})
        if reason is not None and written.get(month) == fen:
            fen += 100  # a correction changes the figure
        amount = Decimal(f"{fen // 100}.{fen % 100:02d}")
        act = self.act("clerk")
        self.park.report_sales(act, _uid(p.enterprise.id), month, amount, p.source, reason)
        if month in written:
            self.sales_corrections += 1
        written[month] = fen

    # -- the summary -----------------------------------------------------------------------

    def summary(self, events: int) -> DemoSummary:
        statuses: Counter[str] = Counter()
        overdue: UUID | None = None
        still_due: UUID | None = None
        written = [m for m in self.matters if m.id is not None]
        for m in written:
            matter = self.park.load(Matter, _uid(m.id))
            statuses[matter.status] += 1
            if matter.status in OPEN_STATUSES:
                if matter.current_step().due_at < self.limit:
                    overdue = overdue or matter.id
                else:
                    still_due = still_due or matter.id

        def first(flag: Callable[[_Matter], bool]) -> UUID | None:
            return next((m.id for m in written if flag(m)), None)

        listed = [e for e in self.enterprises if e.id is not None]
        return DemoSummary(
            seed=self.seed,
            until=self.limit,
            enterprises=len(listed),
            guarantors=sum(
                1 for g in [*self.people, *self.departments.values()] if g.id is not None
            ),
            units=sum(1 for u in self.units.values() if u.id is not None),
            assignments=self.assignments,
            matters=len(written),
            events=events,
            matter_statuses=dict(sorted(statuses.items())),
            rectifications=sum(1 for m in written if m.rectified),
            overdue_matter_id=overdue,
            open_matter_id=still_due,
            rectified_matter_id=first(lambda m: m.rectified),
            extended_matter_id=first(lambda m: m.extended),
            transferred_matter_id=first(lambda m: m.transferred),
            withdrawn_matter_id=first(lambda m: m.withdrawn),
            gap_enterprise_id=self.gap_enterprise.id if self.gap_enterprise else None,
            reassigned_enterprise_id=self.reassigned.id if self.reassigned else None,
            delisted_enterprise_id=self.delisted.id if self.delisted else None,
            **self.group_summary(),
            **self.sales_summary(),
        )

    def group_summary(self) -> dict[str, Any]:
        """Members, dispatches, missed slots and visits as written."""
        members = [m for m in self.members if m.id is not None]
        dispatches = [d for d in self.dispatches if d.id is not None]
        visits = [v for v in self.visits if v.id is not None]
        today = self.day(self.limit)
        missed = [
            member for member in members for slot in _missed_slots(member) if slot.end < today
        ]
        return {
            "members": len(members),
            "dispatches": len(dispatches),
            "directives": sum(len(d.directives) for d in dispatches),
            "missed_slots": len(missed),
            "group_leader_id": next(
                (m.person.id for m in members if m.role == "group_leader"), None
            ),
            "late_member_id": next((m.id for m in members if m.effective_from != EFFECTIVE), None),
            "missed_dispatch_person_id": missed[0].person.id if missed else None,
            "directive_dispatch_id": next((d.id for d in dispatches if d.directives), None),
            "visits": len(visits),
            "visit_matters": sum(len(v.problems) for v in visits),
            "problem_visit_id": next((v.id for v in visits if v.problems), None),
        }

    def sales_summary(self) -> dict[str, Any]:
        """Months reported and corrected, and enterprises worth looking at in the growth list."""
        written = self.written_sales
        out: dict[str, Any] = {
            "sales_months": sum(len(months) for months in written.values()),
            "sales_corrections": self.sales_corrections,
            "missing_sales_enterprise_id": self.missing_sales.id if self.missing_sales else None,
            "corrected_sales_enterprise_id": (
                self.corrected_sales.id if self.corrected_sales and self.sales_corrections else None
            ),
        }
        counts = Counter(m for months in written.values() for m in months)
        this_year = {m: c for m, c in counts.items() if m.startswith(f"{YEAR}-")}
        if not this_year:
            return out
        most = max(this_year.values())
        through = max(m for m, c in this_year.items() if c >= 0.9 * most)
        target = Decimal(PolicyDocument().sales_target)
        growth: list[tuple[Decimal, UUID | None]] = []
        for e in self.enterprises:
            if e.index in written:
                result = ytd_growth(written[e.index], YEAR, int(through[5:]), target)
                if result.growth is not None:
                    growth.append((result.growth, e.id))
        under = [g for g in growth if 0 <= g[0] < target]
        out["sales_through"] = through
        if growth:
            out["over_target_enterprise_id"] = max(growth, key=lambda g: g[0])[1]
            out["declining_enterprise_id"] = min(growth, key=lambda g: g[0])[1]
        if under:
            out["under_target_enterprise_id"] = max(under, key=lambda g: g[0])[1]
        return out
