#!/usr/bin/python3
"""Writes a synthetic budget package (docs/package.md) for benchmarks and batch tests.

    make_package.py OUTDIR --units N [--seed S] [--departments D] [--inject K] [--large L]
                    [--gbk-share F]

The package has N units of the sichuan-2025 profile in D departments, modelled on the sample
package samples/leshan-hrss-info-2025: function-class rows (类/款/项) in 公开表1-2 and 3, the
economic-class hierarchy (301 > 30101 > 3010101) in 3-1 and 2-1, project categories over
projects in 3-2, performance indicators (6, 7), procurement (8), 三公 (3-3), usually empty 4,
4-1 and 5, the three narrative parts with placeholders, and prior.csv.

Every figure is generated as an integer number of 0.01 万元: leaves first, parents and totals
as exact sums, so every rule of layouts/sichuan-2025/rules.yaml holds without a rounding
difference (`gongkai check` reports no error and no warning for a valid unit).

--inject K makes K of the N units bad, spread evenly, one fault each, cycling through
FAULTS. An injected unit's rows live in per-unit files tables/CODE/ID.csv (every table of
the unit, none of its rows in the shared tables/ID.csv), so that its bad data fails it
alone. OUTDIR/injected.csv lists unit_code,fault,expected_message_fragment.

--large L scales every amount of L units that are not injected (at most one per department) by
a power of ten, so that the unit's 合计 has 13 integer digits (万元) and its department's stays
below the largest amount gongkai prints (10^13 万元, docs/package.md): figures as wide as a
booklet and a workbook must print exactly. Sums scale with their items, so the rules still
hold. OUTDIR/large.csv lists unit_code,factor.

A share F (default 0.1) of the CSV files is written in GBK instead of UTF-8, chosen per file
from a hash of the seed and the file's path. The same arguments give the same bytes.
Standard library only.
"""

import argparse
import csv
import hashlib
import io
import math
import os
import random
import sys
import time

YEAR = 2025
PROFILE = "sichuan-2025"

# fault kind -> the fragment the exporter's error for that unit contains
FAULTS = [
    ("bad-row", "expected an amount"),       # tables/CODE/3-1.csv: an amount '12.3x'
    ("bad-encoding", "invalid"),             # tables/CODE/3-1.csv: bytes FF FF in a name
    ("missing-glyph", "cannot be printed"),  # tables/CODE/3-1.csv: 한 in a name (PDF only)
    ("check-error", "TOTAL-1-1-1-2"),        # tables/CODE/1-1.csv: 1-1 合计 != 1-2 合计
    ("kill-worker", "worker"),               # GONGKAI_TEST_CRASH=CODE (exporter test hook)
    ("write-failure", "write"),              # GONGKAI_TEST_WRITE_FAIL=CODE (test hook)
]

TABLES = ["1-1", "1-2", "2-1", "3", "3-1", "3-2", "3-3", "4", "4-1", "5", "6", "7", "8"]

HEADERS = {
    "1-1": ["unit_code", "total", "carry", "general", "fund", "capital", "business",
            "operating", "other", "superior", "affiliated", "special_account"],
    "1-2": ["unit_code", "class", "item", "sub", "name", "total", "basic", "project"],
    "2-1": ["unit_code", "level", "class", "item", "econ_code", "name", "total",
            "current_total", "general", "fund", "central_advance", "carry"],
    "3": ["unit_code", "class", "item", "sub", "name", "total", "current", "carry"],
    "3-1": ["unit_code", "level", "class", "item", "econ_code", "name", "total", "personnel",
            "public"],
    "3-2": ["unit_code", "level", "class", "item", "sub", "code", "name", "amount"],
    "3-3": ["unit_code", "total", "abroad", "vehicle_total", "vehicle_purchase",
            "vehicle_operation", "reception"],
    "4": ["unit_code", "class", "item", "sub", "name", "total", "basic", "project"],
    "4-1": ["unit_code", "total", "abroad", "vehicle_total", "vehicle_purchase",
            "vehicle_operation", "reception"],
    "5": ["unit_code", "class", "item", "sub", "name", "total", "basic", "project"],
    "6": ["unit_code", "project", "budget", "goal", "indicator1", "indicator2", "indicator3",
          "nature", "target", "measure_unit", "weight", "direction"],
    "7": ["unit_code", "task", "content", "total", "fiscal", "other", "goal", "indicator1",
          "indicator2", "indicator3", "target"],
    "8": ["unit_code", "project_code", "project", "catalog", "quantity", "amount", "sme",
          "small_micro", "prison", "disabled", "note"],
}

# ---- 功能分类科目 (function classification): 类 3 digits, 款 +2, 项 +2 -------------------------

FUNC_CLASS = {
    "201": "一般公共服务支出", "204": "公共安全支出", "205": "教育支出", "206": "科学技术支出",
    "207": "文化旅游体育与传媒支出", "208": "社会保障和就业支出", "210": "卫生健康支出",
    "211": "节能环保支出", "212": "城乡社区支出", "213": "农林水支出", "214": "交通运输支出",
    "220": "自然资源海洋气象等支出", "221": "住房保障支出", "223": "国有资本经营预算支出",
    "224": "灾害防治及应急管理支出", "229": "其他支出",
}

FUNC_ITEM = {
    "20103": "政府办公厅（室）及相关机构事务", "20105": "统计信息事务", "20106": "财政事务",
    "20108": "审计事务", "20402": "公安", "20406": "司法", "20501": "教育管理事务",
    "20502": "普通教育", "20503": "职业教育", "20508": "进修及培训",
    "20601": "科学技术管理事务", "20604": "技术研究与开发", "20607": "科学技术普及",
    "20701": "文化和旅游", "20702": "文物", "20801": "人力资源和社会保障管理事务",
    "20802": "民政管理事务", "20805": "行政事业单位养老支出", "20807": "就业补助",
    "20820": "临时救助", "20899": "其他社会保障和就业支出", "21001": "卫生健康管理事务",
    "21002": "公立医院", "21004": "公共卫生", "21011": "行政事业单位医疗",
    "21101": "环境保护管理事务", "21103": "污染防治", "21201": "城乡社区管理事务",
    "21203": "城乡社区公共设施", "21205": "城乡社区环境卫生",
    "21208": "国有土地使用权出让收入安排的支出", "21301": "农业农村", "21302": "林业和草原",
    "21303": "水利", "21305": "巩固脱贫攻坚成果衔接乡村振兴", "21401": "公路水路运输",
    "22001": "自然资源事务", "22102": "住房改革支出",
    "22301": "解决历史遗留问题及改革成本支出", "22302": "国有企业资本金注入",
    "22401": "应急管理事务", "22960": "彩票公益金安排的支出",
}

FUNC_SUB = {
    "2010301": "行政运行", "2010302": "一般行政管理事务", "2010350": "事业运行",
    "2010399": "其他政府办公厅（室）及相关机构事务支出",
    "2010501": "行政运行", "2010505": "专项统计业务", "2010507": "专项普查活动",
    "2010550": "事业运行",
    "2010601": "行政运行", "2010602": "一般行政管理事务", "2010650": "事业运行",
    "2010699": "其他财政事务支出",
    "2010801": "行政运行", "2010804": "审计业务", "2010850": "事业运行",
    "2040201": "行政运行", "2040220": "执法办案", "2040250": "事业运行",
    "2040299": "其他公安支出",
    "2040601": "行政运行", "2040604": "基层司法业务", "2040605": "普法宣传",
    "2040607": "法律援助", "2040610": "社区矫正", "2040650": "事业运行",
    "2050101": "行政运行", "2050102": "一般行政管理事务", "2050199": "其他教育管理事务支出",
    "2050201": "学前教育", "2050202": "小学教育", "2050203": "初中教育", "2050204": "高中教育",
    "2050299": "其他普通教育支出", "2050302": "中等职业教育", "2050305": "高等职业教育",
    "2050801": "教师进修", "2050803": "培训支出",
    "2060101": "行政运行", "2060199": "其他科学技术管理事务支出",
    "2060499": "其他技术研究与开发支出", "2060702": "科普活动",
    "2070101": "行政运行", "2070104": "图书馆", "2070107": "艺术表演团体",
    "2070108": "文化活动", "2070109": "群众文化", "2070112": "文化和旅游市场管理",
    "2070113": "旅游宣传", "2070204": "文物保护", "2070205": "博物馆",
    "2080101": "行政运行", "2080104": "综合业务管理", "2080108": "信息化建设",
    "2080109": "社会保险经办机构", "2080111": "公共就业服务和职业技能鉴定机构",
    "2080150": "事业运行",
    "2080201": "行政运行", "2080208": "基层政权建设和社区治理",
    "2080299": "其他民政管理事务支出",
    "2080501": "行政单位离退休", "2080502": "事业单位离退休",
    "2080505": "机关事业单位基本养老保险缴费支出", "2080506": "机关事业单位职业年金缴费支出",
    "2080799": "其他就业补助支出", "2082002": "流浪乞讨人员救助支出",
    "2089999": "其他社会保障和就业支出",
    "2100101": "行政运行", "2100199": "其他卫生健康管理事务支出", "2100201": "综合医院",
    "2100202": "中医（民族）医院", "2100401": "疾病预防控制机构", "2100403": "妇幼保健机构",
    "2100408": "基本公共卫生服务", "2100409": "重大公共卫生服务",
    "2101101": "行政单位医疗", "2101102": "事业单位医疗", "2101103": "公务员医疗补助",
    "2110101": "行政运行", "2110104": "生态环境保护宣传",
    "2110199": "其他环境保护管理事务支出", "2110301": "大气", "2110302": "水体",
    "2120101": "行政运行", "2120104": "城管执法", "2120199": "其他城乡社区管理事务支出",
    "2120399": "其他城乡社区公共设施支出", "2120501": "城乡社区环境卫生",
    "2120801": "征地和拆迁补偿支出", "2120803": "城市建设支出",
    "2130101": "行政运行", "2130104": "事业运行", "2130108": "病虫害控制",
    "2130109": "农产品质量安全", "2130110": "执法监管", "2130199": "其他农业农村支出",
    "2130201": "行政运行", "2130204": "事业机构", "2130205": "森林资源培育",
    "2130234": "林业草原防灾减灾",
    "2130301": "行政运行", "2130305": "水利工程建设", "2130306": "水利工程运行与维护",
    "2130399": "其他水利支出",
    "2130599": "其他巩固脱贫攻坚成果衔接乡村振兴支出",
    "2140101": "行政运行", "2140104": "公路建设", "2140106": "公路养护",
    "2140199": "其他公路水路运输支出",
    "2200101": "行政运行", "2200104": "自然资源规划及管理", "2200106": "自然资源利用与保护",
    "2200150": "事业运行",
    "2210201": "住房公积金", "2210202": "提租补贴",
    "2230199": "其他解决历史遗留问题及改革成本支出", "2230299": "其他国有企业资本金注入",
    "2240101": "行政运行", "2240106": "安全监管", "2240150": "事业运行",
    "2296002": "用于社会福利的彩票公益金支出", "2296003": "用于体育事业的彩票公益金支出",
}

SUB_MEANING = {
    "行政运行": "反映行政单位（包括实行公务员管理的事业单位）的基本支出",
    "事业运行": "反映事业单位的基本支出，不包括行政单位（包括实行公务员管理的事业单位）相关支出",
    "一般行政管理事务": "反映行政单位（包括实行公务员管理的事业单位）未单独设置项级科目的其他项目支出",
    "机关事业单位基本养老保险缴费支出": "指机关事业单位实施养老保险制度由单位缴纳的基本养老保险费支出",
    "机关事业单位职业年金缴费支出": "指机关事业单位实施养老保险制度由单位缴纳的职业年金支出",
    "行政单位医疗": "指行政单位用于缴纳单位基本医疗保险的支出",
    "事业单位医疗": "指事业单位用于缴纳单位基本医疗保险的支出",
    "公务员医疗补助": "指按规定安排的公务员医疗补助经费",
    "住房公积金": "指由单位及其在职职工按规定缴存的住房公积金支出",
    "行政单位离退休": "反映行政单位（包括实行公务员管理的事业单位）离退休人员的支出",
    "事业单位离退休": "反映事业单位离退休人员的支出",
}

# ---- 经济分类科目 (economic classification) ------------------------------------------------

ECON = {
    "301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助",
    "310": "资本性支出",
    "30101": "基本工资", "30102": "津贴补贴", "3010201": "地方津贴补贴",
    "3010202": "改革性补贴", "30103": "奖金", "30107": "绩效工资",
    "3010701": "事业基础性绩效工资", "3010702": "事业奖励性绩效工资",
    "30108": "机关事业单位基本养老保险缴费", "30109": "职业年金缴费",
    "30110": "职工基本医疗保险缴费", "30111": "公务员医疗补助缴费",
    "30112": "其他社会保障缴费", "3011201": "工伤保险", "3011202": "失业保险",
    "3011203": "生育保险", "30113": "住房公积金", "30114": "医疗费",
    "30199": "其他工资福利支出", "3019913": "事业平时绩效工资",
    "3019999": "其他工资福利支出",
    "30201": "办公费", "3020101": "日常办公用品", "3020102": "书报杂志", "30202": "印刷费",
    "3020201": "办公印刷费", "30203": "咨询费", "30205": "水费", "3020501": "办公卫生用水",
    "3020502": "饮用水", "30206": "电费", "3020601": "办公用电费", "30207": "邮电费",
    "3020701": "邮寄费", "3020702": "电话费", "3020705": "网络通讯费", "30209": "物业管理费",
    "30211": "差旅费", "3021101": "差旅城市间交通费", "3021102": "差旅住宿费",
    "3021103": "差旅伙食补助费", "3021104": "差旅杂费", "30212": "因公出国（境）费用",
    "30213": "维修(护)费", "3021312": "零星维修(护)费", "30214": "租赁费", "30215": "会议费",
    "30216": "培训费", "30217": "公务接待费", "3021701": "公务接待费", "30218": "专用材料费",
    "30226": "劳务费", "3022699": "其他劳务费", "30227": "委托业务费", "30228": "工会经费",
    "3022801": "工会经费(比例)", "3022802": "工会经费(补充)", "30229": "福利费",
    "30231": "公务用车运行维护费", "30239": "其他交通费用", "3023901": "公务交通补贴",
    "3023902": "事业单位出租车费用", "3023903": "租车费用", "30240": "税金及附加费用",
    "30299": "其他商品和服务支出", "3029902": "午餐补助费", "3029905": "残疾人就业保障金",
    "3029998": "公用经费预留",
    "30302": "退休费", "30305": "生活补助", "30307": "医疗费补助", "30309": "奖励金",
    "31002": "办公设备购置", "31003": "专用设备购置", "31007": "信息网络及软件购置更新",
    "31013": "公务用车购置", "31099": "其他资本性支出",
}

ECON_CHILDREN = {
    "30102": ["3010201", "3010202"], "30107": ["3010701", "3010702"],
    "30112": ["3011201", "3011202", "3011203"], "30199": ["3019913", "3019999"],
    "30201": ["3020101", "3020102"], "30202": ["3020201"], "30205": ["3020501", "3020502"],
    "30206": ["3020601"], "30207": ["3020701", "3020702", "3020705"],
    "30211": ["3021101", "3021102", "3021103", "3021104"], "30213": ["3021312"],
    "30217": ["3021701"], "30226": ["3022699"], "30228": ["3022801", "3022802"],
    "30239": ["3023901", "3023902", "3023903"], "30299": ["3029902", "3029905", "3029998"],
}

# per staff member and year, in 0.01 万元 (100 元)
ECON_RATE = {
    "30101": (250, 450), "30102": (20, 400), "30103": (20, 250), "30107": (150, 450),
    "30108": (120, 220), "30109": (50, 110), "30110": (40, 100), "30111": (10, 30),
    "30112": (3, 12), "30113": (70, 160), "30114": (3, 15), "30199": (10, 250),
    "30201": (3, 25), "30202": (1, 6), "30203": (1, 10), "30205": (1, 5), "30206": (3, 12),
    "30207": (1, 8), "30209": (3, 20), "30211": (4, 20), "30212": (5, 30), "30213": (1, 8),
    "30214": (2, 15), "30215": (1, 4), "30216": (1, 6), "30217": (1, 4), "30218": (2, 30),
    "30226": (1, 15), "30227": (2, 20), "30228": (6, 20), "30229": (4, 16),
    "30231": (4, 25), "30239": (8, 60), "30240": (1, 3), "30299": (4, 40),
    "30302": (10, 120), "30305": (2, 20), "30307": (1, 10), "30309": (1, 8),
}

PERSONNEL_REQUIRED = {
    "admin": ["30101", "30102", "30103", "30108", "30110", "30113"],
    "inst": ["30101", "30107", "30108", "30110", "30113"],
}
PERSONNEL_OPTIONAL = {
    "admin": [("30109", 0.8), ("30111", 0.6), ("30112", 0.6), ("30114", 0.2), ("30199", 0.4)],
    "inst": [("30102", 0.5), ("30109", 0.8), ("30112", 0.6), ("30114", 0.2), ("30199", 0.5)],
}
PUBLIC_OPTIONAL = [
    ("30202", 0.5), ("30203", 0.1), ("30205", 0.6), ("30206", 0.7), ("30207", 0.7),
    ("30209", 0.3), ("30211", 0.8), ("30213", 0.5), ("30214", 0.1), ("30215", 0.3),
    ("30216", 0.4), ("30217", 0.6), ("30218", 0.1), ("30226", 0.3), ("30227", 0.1),
    ("30228", 0.8), ("30229", 0.7), ("30239", 0.5), ("30240", 0.1), ("30299", 0.6),
]
FAMILY_OPTIONAL = [("30302", 0.6), ("30305", 0.5), ("30307", 0.3), ("30309", 0.4)]

# where project money goes in 公开表2-1: (5-digit class, its child for a new or expanded row)
PROJECT_TARGETS = [
    ("30227", None), ("30226", "3022699"), ("30207", "3020705"), ("30213", "3021312"),
    ("30201", "3020101"), ("30216", None), ("30215", None), ("30218", None), ("30203", None),
    ("31002", None), ("31003", None), ("31007", None), ("31099", None),
]

# ---- departments, units, projects ----------------------------------------------------------

# Invented places only: a generated unit must never carry a real unit's name (its figures
# are made up). Lengths and counts are those of real cities and counties, for layout tests.
CITIES = [
    ("示例一市", ["东区", "西区", "南区", "北区", "新区", "河县"]),
    ("示例二市", ["东区", "西区", "南区", "北区", "新区", "河县"]),
    ("示例三市", ["东区", "西区", "南区", "北区", "新区", "河县"]),
    ("示例四市", ["东区", "西区", "南区", "北区"]),
    ("示例五市", ["东区", "西区", "南区", "北区", "新区"]),
    ("示例六市", ["东区", "西区", "南区", "北区", "新区", "河县"]),
    ("示例七市", ["东区", "西区", "南区", "北区", "新区", "河县"]),
    ("示例八市", ["东区", "西区", "南区", "北区", "新区"]),
    ("示例九市", ["东区", "西区", "南区", "北区", "新区"]),
    ("示例十市", ["东区", "西区", "南区", "北区", "新区", "河县"]),
    ("示例十一市", ["东区", "西区", "南区", "北区", "新区"]),
    ("示例十二市", ["东区", "西区", "南区", "北区", "新区"]),
    ("示例十三市", ["东区", "西区", "南区", "北区", "新区", "河县", "山县"]),
    ("示例十四市", ["东区", "西区", "南区", "北区", "新区", "河县", "山县"]),
    ("示例十五市", ["东区", "西区", "南区", "北区", "新区"]),
    ("示例十六市", ["东区", "西区", "南区"]),
]

# A unit template: (name after the locality, kind, function code of its basic spending).
# kind: admin (行政 or 参公), inst (事业), school, hospital (事业 with 事业收入).
DOMAINS = [
    {
        "dept": "人力资源和社会保障局", "admin": "2080101", "inst": "2080150",
        "units": [("社会保险事业管理局", "inst", "2080109"),
                  ("就业服务管理局", "inst", "2080111"),
                  ("人力资源和社会保障信息中心", "inst", "2080104"),
                  ("劳动人事争议仲裁院", "inst", "2080150"),
                  ("人才服务中心", "inst", "2080150"),
                  ("劳动保障监察支队", "admin", "2080101"),
                  ("技师学院", "school", "2050305")],
        "projects": ["2080104", "2080108", "2080109", "2080111", "2080799"],
        "topics": ["金保工程业务专网主线和备线租赁", "社会保障卡发行和应用", "就业创业补贴",
                   "劳动保障监察执法", "职业技能提升行动", "人事考试组织", "根治欠薪工作",
                   "高层次人才引进", "基层公共就业服务平台运行维护", "农民工服务保障",
                   "惠农惠民一卡通项目服务人员", "信息化建设工作相关支出"],
        "duties": ["贯彻执行国家和省关于人力资源和社会保障工作的法律法规和方针政策",
                   "负责全市社会保障卡管理和应用推广", "统筹推进就业创业和职业技能培训工作",
                   "负责人力资源市场管理和人才公共服务", "负责劳动保障监察和劳动人事争议调解仲裁",
                   "负责机关事业单位人员管理和工资福利有关工作",
                   "承担人力资源和社会保障信息网络建设和维护"],
    },
    {
        "dept": "教育局", "admin": "2050101", "inst": "2050199",
        "units": [("第一中学", "school", "2050204"), ("第二中学", "school", "2050204"),
                  ("实验中学", "school", "2050203"), ("实验小学", "school", "2050202"),
                  ("机关幼儿园", "school", "2050201"), ("职业技术学校", "school", "2050302"),
                  ("教师进修学校", "inst", "2050801"), ("教育考试中心", "inst", "2050199"),
                  ("教育技术装备中心", "inst", "2050199"), ("外国语学校", "school", "2050203")],
        "projects": ["2050102", "2050202", "2050203", "2050204", "2050299", "2050803"],
        "topics": ["义务教育阶段学生营养改善计划", "教师培训", "校园安全设施改造",
                   "智慧校园建设", "学生资助", "教学仪器设备购置", "中考和高考考务",
                   "学校食堂标准化建设", "课后服务", "教育信息化运行维护", "校舍维修改造",
                   "心理健康教育"],
        "duties": ["贯彻执行国家和省关于教育工作的方针政策和法律法规", "统筹管理全市基础教育和职业教育",
                   "负责学校教育教学质量监测和评估", "负责教师队伍建设和培训工作",
                   "负责学生资助和学校安全管理", "组织实施各类教育考试工作"],
    },
    {
        "dept": "卫生健康委员会", "admin": "2100101", "inst": "2100199",
        "units": [("人民医院", "hospital", "2100201"), ("中医医院", "hospital", "2100202"),
                  ("疾病预防控制中心", "inst", "2100401"), ("妇幼保健院", "hospital", "2100403"),
                  ("卫生健康综合执法支队", "admin", "2100101"),
                  ("急救指挥中心", "inst", "2100199"), ("第二人民医院", "hospital", "2100201")],
        "projects": ["2100199", "2100401", "2100408", "2100409"],
        "topics": ["基本公共卫生服务", "重大传染病防控", "免费孕前优生健康检查", "家庭医生签约服务",
                   "医疗设备购置", "卫生应急物资储备", "全民健康信息平台运行维护",
                   "职业病防治", "健康教育和健康促进", "精神卫生防治"],
        "duties": ["贯彻执行国家和省卫生健康工作方针政策", "负责全市疾病预防控制和卫生应急工作",
                   "统筹规划卫生健康资源配置", "负责医疗机构和医疗服务行业管理",
                   "组织实施基本公共卫生服务项目", "负责妇幼健康和老龄健康工作"],
    },
    {
        "dept": "农业农村局", "admin": "2130101", "inst": "2130104",
        "units": [("农业技术推广中心", "inst", "2130104"),
                  ("动物疫病预防控制中心", "inst", "2130108"),
                  ("农产品质量安全检测中心", "inst", "2130109"),
                  ("农业综合行政执法支队", "admin", "2130110"),
                  ("农业机械化服务中心", "inst", "2130104")],
        "projects": ["2130108", "2130109", "2130199", "2130599"],
        "topics": ["高标准农田建设", "农作物病虫害防治", "动物疫病强制免疫", "农产品质量安全监测",
                   "耕地质量提升", "农业产业化发展", "乡村振兴示范村建设", "农民培训",
                   "农村人居环境整治", "种业发展"],
        "duties": ["贯彻执行国家和省关于农业农村工作的方针政策", "统筹推进乡村振兴和农业现代化建设",
                   "负责种植业、畜牧业和渔业的行业管理", "负责农产品质量安全监督管理",
                   "组织农业技术推广和农民培训", "负责动植物疫病防控工作"],
    },
    {
        "dept": "公安局", "admin": "2040201", "inst": "2040250",
        "units": [("公安局交通警察支队", "admin", "2040201"), ("公安局看守所", "admin", "2040201"),
                  ("公安局特警支队", "admin", "2040201"),
                  ("公安局出入境管理支队", "admin", "2040201")],
        "projects": ["2040220", "2040299"],
        "topics": ["执法办案", "道路交通安全管理", "天网工程运行维护", "警用装备购置",
                   "反诈宣传", "看守所监管运行", "禁毒工作", "公安信息化建设"],
        "duties": ["贯彻执行国家和省关于公安工作的方针政策", "负责维护社会治安秩序和公共安全",
                   "负责道路交通安全管理", "组织开展刑事案件侦查工作", "负责户政和出入境管理工作"],
    },
    {
        "dept": "文化广播电视和旅游局", "admin": "2070101", "inst": "2070109",
        "units": [("图书馆", "inst", "2070104"), ("文化馆", "inst", "2070109"),
                  ("博物馆", "inst", "2070205"), ("文化市场综合行政执法支队", "admin", "2070112"),
                  ("川剧艺术研究院", "inst", "2070107")],
        "projects": ["2070108", "2070113", "2070204", "2070109"],
        "topics": ["公共文化服务体系建设", "文物保护", "旅游宣传推广", "群众文化活动",
                   "非物质文化遗产保护", "图书购置", "免费开放", "文化惠民演出"],
        "duties": ["贯彻执行国家和省关于文化和旅游工作的方针政策", "负责公共文化服务体系建设",
                   "负责文物保护和非物质文化遗产保护工作", "负责旅游资源开发和旅游宣传推广",
                   "负责文化和旅游市场管理"],
    },
    {
        "dept": "自然资源和规划局", "admin": "2200101", "inst": "2200150",
        "units": [("不动产登记中心", "inst", "2200150"), ("测绘地理信息中心", "inst", "2200150"),
                  ("土地储备中心", "inst", "2200150"), ("自然资源执法支队", "admin", "2200101")],
        "projects": ["2200104", "2200106"],
        "topics": ["国土空间规划编制", "耕地保护", "地质灾害防治", "不动产登记信息平台",
                   "自然资源调查监测", "土地整理", "矿产资源管理"],
        "fund": ["2120801", "2120803"],
        "duties": ["贯彻执行国家和省关于自然资源和规划工作的方针政策", "负责国土空间规划和用途管制",
                   "负责耕地保护和土地资源管理", "负责不动产统一登记工作", "负责地质灾害防治工作"],
    },
    {
        "dept": "财政局", "admin": "2010601", "inst": "2010650",
        "units": [("财政投资评审中心", "inst", "2010650"), ("国库集中支付中心", "admin", "2010601"),
                  ("会计服务中心", "inst", "2010650")],
        "projects": ["2010602", "2010699"],
        "topics": ["预算管理一体化系统运行维护", "财政投资评审", "政府采购监管", "会计人员培训",
                   "财政监督检查", "国有资产管理"],
        "capital": ["2230199", "2230299"],
        "duties": ["贯彻执行国家和省财税方针政策", "负责编制年度预决算草案并组织执行",
                   "负责政府非税收入和政府采购管理", "负责行政事业单位国有资产管理",
                   "负责会计管理和财政监督工作"],
    },
    {
        "dept": "统计局", "admin": "2010501", "inst": "2010550",
        "units": [("统计普查中心", "inst", "2010550"), ("社会经济调查队", "admin", "2010501")],
        "projects": ["2010505", "2010507"],
        "topics": ["经济普查", "农业普查", "统计调查", "统计执法检查", "统计数据采集"],
        "duties": ["贯彻执行国家和省关于统计工作的方针政策", "组织实施各项统计调查和普查",
                   "负责国民经济核算工作", "负责统计数据的管理和发布"],
    },
    {
        "dept": "住房和城乡建设局", "admin": "2120101", "inst": "2120199",
        "units": [("城市管理综合行政执法支队", "admin", "2120104"),
                  ("建设工程质量安全监督站", "inst", "2120199"),
                  ("环境卫生管理处", "inst", "2120501"), ("住房保障服务中心", "inst", "2120199")],
        "projects": ["2120104", "2120399", "2120501"],
        "topics": ["城市道路维护", "老旧小区改造", "城市照明", "生活垃圾处理", "城市园林绿化",
                   "建筑工地扬尘治理", "城镇燃气安全检查"],
        "fund": ["2120803"],
        "duties": ["贯彻执行国家和省关于住房和城乡建设的方针政策", "负责城市基础设施建设和管理",
                   "负责建筑市场和工程质量安全监督", "负责住房保障和房地产市场管理"],
    },
    {
        "dept": "交通运输局", "admin": "2140101", "inst": "2140199",
        "units": [("公路养护中心", "inst", "2140106"), ("道路运输服务中心", "inst", "2140199"),
                  ("交通运输综合行政执法支队", "admin", "2140101")],
        "projects": ["2140104", "2140106"],
        "topics": ["农村公路养护", "公路安全生命防护工程", "客运站运行补助", "交通运输执法",
                   "桥梁检测", "公路建设"],
        "duties": ["贯彻执行国家和省关于交通运输的方针政策", "负责公路、水路交通行业管理",
                   "负责农村公路建设和养护管理", "负责道路运输市场监管"],
    },
    {
        "dept": "生态环境局", "admin": "2110101", "inst": "2110199",
        "units": [("环境监测站", "inst", "2110199"),
                  ("生态环境保护综合行政执法支队", "admin", "2110101")],
        "projects": ["2110104", "2110301", "2110302"],
        "topics": ["大气污染防治", "水污染防治", "环境监测", "生态环境保护宣传", "土壤污染防治",
                   "环境执法"],
        "duties": ["贯彻执行国家和省关于生态环境保护的方针政策", "负责生态环境监测和信息发布",
                   "负责大气、水、土壤污染防治的监督管理", "负责生态环境执法工作"],
    },
    {
        "dept": "民政局", "admin": "2080201", "inst": "2080299",
        "units": [("社会福利院", "inst", "2080299"), ("社会事务服务中心", "inst", "2080299"),
                  ("救助管理站", "inst", "2082002")],
        "projects": ["2080208", "2082002"],
        "topics": ["社区治理", "流浪乞讨人员救助", "养老服务体系建设", "婚姻登记", "社会组织管理",
                   "儿童福利"],
        "fund": ["2296002"],
        "duties": ["贯彻执行国家和省关于民政工作的方针政策", "负责社会救助和社会福利工作",
                   "负责基层政权建设和社区治理", "负责养老服务和社会事务管理工作"],
    },
    {
        "dept": "水利局", "admin": "2130301", "inst": "2130399",
        "units": [("水利工程管理处", "inst", "2130306"), ("河湖保护中心", "inst", "2130399"),
                  ("水资源服务中心", "inst", "2130399")],
        "projects": ["2130305", "2130306"],
        "topics": ["水利工程维修养护", "河湖长制工作", "山洪灾害防治", "农村饮水安全",
                   "水土保持"],
        "duties": ["贯彻执行国家和省关于水利工作的方针政策", "负责水资源管理和保护",
                   "负责水利工程建设和运行管理", "负责河湖管理和水旱灾害防御"],
    },
    {
        "dept": "林业局", "admin": "2130201", "inst": "2130204",
        "units": [("林业和草原保护中心", "inst", "2130204"), ("森林病虫防治站", "inst", "2130204")],
        "projects": ["2130205", "2130234"],
        "topics": ["森林防火", "森林资源培育", "林业有害生物防治", "野生动物保护", "古树名木保护"],
        "duties": ["贯彻执行国家和省关于林业和草原工作的方针政策", "负责森林资源保护和培育",
                   "负责森林防火和林业有害生物防治", "负责野生动植物保护管理"],
    },
    {
        "dept": "应急管理局", "admin": "2240101", "inst": "2240150",
        "units": [("应急管理综合行政执法支队", "admin", "2240101"),
                  ("应急救援指挥中心", "inst", "2240150")],
        "projects": ["2240106"],
        "topics": ["安全生产监管", "应急物资储备", "应急救援演练", "安全生产宣传", "防灾减灾"],
        "duties": ["贯彻执行国家和省关于应急管理和安全生产的方针政策",
                   "负责安全生产综合监督管理", "组织编制应急预案并开展演练",
                   "负责应急物资储备和救灾工作"],
    },
    {
        "dept": "司法局", "admin": "2040601", "inst": "2040650",
        "units": [("公证处", "inst", "2040650"), ("法律援助中心", "inst", "2040607")],
        "projects": ["2040604", "2040605", "2040607", "2040610"],
        "topics": ["法律援助", "社区矫正", "普法宣传", "人民调解", "公共法律服务平台运行"],
        "duties": ["贯彻执行国家和省关于司法行政工作的方针政策", "负责普法宣传和依法治市工作",
                   "负责社区矫正和法律援助工作", "负责人民调解和公共法律服务体系建设"],
    },
    {
        "dept": "审计局", "admin": "2010801", "inst": "2010850",
        "units": [("经济责任审计中心", "inst", "2010850")],
        "projects": ["2010804"],
        "topics": ["审计业务", "审计信息化建设", "政府投资项目审计"],
        "duties": ["贯彻执行国家和省关于审计工作的方针政策", "负责对财政收支进行审计监督",
                   "负责领导干部经济责任审计", "负责政府投资项目审计"],
    },
    {
        "dept": "科学技术局", "admin": "2060101", "inst": "2060199",
        "units": [("科技情报研究所", "inst", "2060199"), ("生产力促进中心", "inst", "2060499")],
        "projects": ["2060499", "2060702"],
        "topics": ["科技创新平台建设", "科普活动", "科技成果转化", "高新技术企业培育"],
        "duties": ["贯彻执行国家和省关于科技创新的方针政策", "负责科技创新体系建设",
                   "负责科学技术普及工作", "组织实施科技成果转化工作"],
    },
    {
        "dept": "人民政府办公室", "admin": "2010301", "inst": "2010350",
        "units": [("机关事务服务中心", "inst", "2010350"), ("大数据中心", "inst", "2010350"),
                  ("政务服务中心", "inst", "2010350")],
        "projects": ["2010302", "2010399"],
        "topics": ["政务信息化建设", "机关办公用房维修", "电子政务外网运行维护", "政务服务",
                   "公务用车保障"],
        "duties": ["负责市政府日常工作的综合协调", "负责政务公开和政务信息化建设",
                   "负责机关事务管理和后勤保障", "负责政务服务体系建设"],
    },
]

GENERIC_UNITS = [("信息中心", "inst"), ("机关服务中心", "inst"), ("综合保障中心", "inst"),
                 ("宣传教育中心", "inst"), ("培训中心", "inst"), ("事务服务中心", "inst"),
                 ("档案管理中心", "inst"), ("发展研究中心", "inst"), ("综合执法大队", "admin"),
                 ("评审中心", "inst"), ("技术服务中心", "inst"), ("监测中心", "inst")]

LONG_MIDDLES = ["机关后勤服务和综合保障", "信息化建设和数据资源管理", "政务服务和公共资源交易",
                "基层服务平台建设和公共服务运行管理", "档案资料管理和信息咨询服务",
                "业务培训和专业技术人员继续教育", "项目评审和绩效评价服务"]

CATEGORIES = ["信息化建设", "业务工作经费", "专项业务费", "运行维护", "基础设施建设",
              "人才队伍建设", "民生保障", "设备购置", "宣传培训", "其他项目支出"]

PROJECT_SUFFIXES = ["项目", "经费", "工作经费", "专项资金", "补助资金", "运行维护费", "服务费", ""]

BENEFITS = ["提升公共服务水平", "保障单位职能正常履行", "提高服务对象满意度", "确保各项工作任务按时完成",
            "促进相关事业健康发展", "规范资金使用管理", "提高财政资金使用效益", "增强群众获得感",
            "保障系统安全稳定运行", "推动工作提质增效"]
VERBS = ["做好", "完成", "推进", "保障", "开展", "落实"]

# (一级, 二级, 三级, 性质, 指标值, 度量单位, 方向); {n} a count, {p} a rate
INDICATORS = [
    ("产出指标", "数量指标", "服务对象覆盖人数", "≥", "{n}", "人", "正向指标"),
    ("产出指标", "数量指标", "开展培训次数", "≥", "{s}", "次", "正向指标"),
    ("产出指标", "数量指标", "设备购置数量", "=", "{s}", "台", "正向指标"),
    ("产出指标", "数量指标", "项目实施个数", "=", "{s}", "个", ""),
    ("产出指标", "质量指标", "项目验收合格率", "≥", "{p}", "%", "正向指标"),
    ("产出指标", "质量指标", "系统正常运行率", "≥", "99", "%", "正向指标"),
    ("产出指标", "质量指标", "问题整改完成率", "=", "100", "%", ""),
    ("产出指标", "时效指标", "资金拨付及时率", "=", "100", "%", "正向指标"),
    ("产出指标", "时效指标", "故障处理响应时间", "≤", "{h}", "小时", "反向指标"),
    ("产出指标", "时效指标", "任务完成时限", "≤", "12", "月", "反向指标"),
    ("成本指标", "经济成本指标", "项目成本控制", "≤", "{c}", "万元", "反向指标"),
    ("效益指标", "社会效益指标", "群众知晓率", "≥", "{p}", "%", "正向指标"),
    ("效益指标", "社会效益指标", "促进相关事业健康发展", "定性", "优良中低差", "", "正向指标"),
    ("效益指标", "经济效益指标", "带动相关产业发展", "定性", "有所提升", "", ""),
    ("效益指标", "生态效益指标", "环境质量改善情况", "定性", "逐步改善", "", "正向指标"),
    ("效益指标", "可持续影响指标", "长效管理机制建立情况", "定性", "健全", "", "正向指标"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", "{q}", "%", "正向指标"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", "{q}", "%", "正向指标"),
]

CATALOG = [
    ("A02010104", "台式计算机", True), ("A02010105", "便携式计算机", True),
    ("A02021001", "A3黑白打印机", True), ("A02020400", "多功能一体机", True),
    ("A02061504", "空调机", True), ("A05010201", "办公桌", True), ("A05010301", "办公椅", True),
    ("A02010301", "服务器", True), ("C16000000", "信息技术服务", False),
    ("C17990000", "其他电信和信息传输服务", False), ("C21040000", "物业管理服务", False),
    ("C23120000", "印刷服务", False), ("C22010000", "会议服务", False),
    ("C99000000", "其他服务", False),
]

REASONS_UP = ["人员增加及工资标准调整", "新增项目支出", "业务工作量增加", "人员经费标准提高"]
REASONS_DOWN = ["压减一般性支出", "部分项目到期结束", "人员减少", "厉行节约，严控经费支出"]

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n):
    """1..99 in Chinese numerals."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def check_vocabulary():
    """Every Chinese character the generator can write must be a common GB2312 character
    (level-1 hanzi or a symbol): the PDF fonts have them, and GBK can encode them."""
    texts = []

    def walk(x):
        if isinstance(x, str):
            texts.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(k)
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
    walk([FUNC_CLASS, FUNC_ITEM, FUNC_SUB, SUB_MEANING, ECON, CITIES, DOMAINS, LONG_MIDDLES,
          GENERIC_UNITS,
          CATEGORIES, PROJECT_SUFFIXES, BENEFITS, VERBS, INDICATORS, CATALOG, REASONS_UP,
          REASONS_DOWN, CN_DIGITS, OVERVIEW_TEXTS, GLOSSARY_FIXED, EXTRA_TEXTS])
    bad = set()
    for text in texts:
        for ch in text:
            if ch < "\x80":
                continue
            try:
                b = ch.encode("gb2312")
            except UnicodeEncodeError:
                bad.add(ch)
                continue
            if not (0xA1 <= b[0] <= 0xA9 or 0xB0 <= b[0] <= 0xD7):
                bad.add(ch)
    if bad:
        sys.exit("make_package.py: characters outside common GB2312: " + "".join(sorted(bad)))


# ---- formatting ------------------------------------------------------------------------------

class Amount(int):
    """An amount in 0.01 万元 (formatted at write time, per file)."""


def amt(v, zeros):
    """A cell for amount v: blank for 0 unless the unit writes zeros as 0.00."""
    if v == 0 and not zeros:
        return ""
    return Amount(v)


def fmt_amount(v, thousands):
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, cents = divmod(v, 100)
    return f"{sign}{whole:,}.{cents:02d}" if thousands else f"{sign}{whole}.{cents:02d}"


def file_choice(seed, relpath):
    """Deterministic per-file variety: a few independent uniform numbers in [0, 1)."""
    h = hashlib.sha256(f"{seed}\0{relpath}".encode()).digest()
    return [int.from_bytes(h[i:i + 4], "big") / 2**32 for i in range(0, 32, 4)]


# ---- the model of one unit ------------------------------------------------------------------

class Unit:
    __slots__ = ("index", "code", "name", "dept_code", "dept_name", "domain", "locality",
                 "kind", "main_code", "booklet", "is_dept_self", "rows", "prior", "narrative",
                 "fault", "info")


def split_amount(rng, total, parts):
    """total (>= parts) split into `parts` positive integers."""
    if parts <= 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def round_style(rng, v):
    """Budget figures are often whole 万元 or tenths."""
    r = rng.random()
    if r < 0.45 and v >= 100:
        return v - v % 100
    if r < 0.75 and v >= 10:
        return v - v % 10
    return max(v, 1)


def log_uniform(rng, lo, hi):
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def choose_basic(rng, kind, staff, target_rows):
    """The 3-1 leaves: {econ leaf code (5 or 7 digits): amount}, at most target_rows rows."""
    group = "admin" if kind == "admin" else "inst"
    candidates = list(PERSONNEL_REQUIRED[group]) + ["30201"]
    optional = [c for c, p in PERSONNEL_OPTIONAL[group] if rng.random() < p]
    optional += [c for c, p in PUBLIC_OPTIONAL if rng.random() < p]
    if rng.random() < (0.35 if kind != "admin" else 0.2):
        optional += [c for c, p in FAMILY_OPTIONAL if rng.random() < p]
    if kind == "admin" and rng.random() < 0.04:
        optional.append("30212")
    if rng.random() < (0.3 if kind == "admin" else 0.15):
        optional.append("30231")
    rng.shuffle(optional)
    candidates += optional
    leaves = {}
    l1 = set()
    rows = 0
    for i, code in enumerate(candidates):
        children = ECON_CHILDREN.get(code, [])
        expand = []
        if children and rng.random() < 0.55:
            expand = [c for c in children if rng.random() < 0.7] or [children[0]]
        cost = 1 + (code[:3] not in l1) + len(expand)
        must = code in ("30101", "30201")
        if rows + cost > target_rows and expand:
            cost -= len(expand)
            expand = []
        if rows + cost > target_rows and not must:
            continue
        rows += cost
        l1.add(code[:3])
        lo, hi = ECON_RATE[code]
        if code == "30102" and kind != "admin":
            hi = max(lo + 1, hi // 4)
        if expand:
            for child in expand:
                leaves[child] = rng.randint(max(1, lo * staff // len(expand)),
                                            max(2, hi * staff // len(expand)))
        else:
            leaves[code] = rng.randint(max(1, lo * staff), max(2, hi * staff))
    return leaves


def econ_rows(leaves, width):
    """Rows of an economic-class hierarchy from {leaf code: vector of `width` ints}:
    [(level, class, item, econ_code, name, vector)], parents as exact sums."""
    l2 = {}
    for code, vec in leaves.items():
        l2.setdefault(code[:5], []).append((code, vec))
    out = []
    for c1 in sorted({c[:3] for c in l2}):
        idx = len(out)
        out.append(None)
        total1 = [0] * width
        for c2 in sorted(c for c in l2 if c[:3] == c1):
            members = sorted(l2[c2])
            vec2 = [sum(v[i] for _, v in members) for i in range(width)]
            total1 = [a + b for a, b in zip(total1, vec2)]
            out.append((2, c1, c2[3:5], c2, ECON[c2], vec2))
            for code, vec in members:
                if len(code) == 7:
                    out.append((3, c1, c2[3:5], code, ECON[code], vec))
        out[idx] = (1, "", "", c1, ECON[c1], total1)
    return out


def func_parts(code):
    return code[:3], code[3:5], code[5:7]


def project_name(rng, topics, locality, used):
    for attempt in range(20):
        topic = rng.choice(topics)
        if rng.random() < 0.12:
            other = rng.choice(topics)
            if other != topic:
                topic = topic + "及" + other
        r = rng.random()
        prefix = (f"{YEAR}年" if r < 0.2 else locality if r < 0.4
                  else ("全市" if locality.endswith("市") else "全区") if r < 0.5 else "")
        name = prefix + topic + rng.choice(PROJECT_SUFFIXES)
        if attempt >= 10:
            name += f"（{cn_number(attempt - 8)}期）"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("no unique project name")


def indicator_rows(rng, amount):
    n = rng.randint(2, 8)
    picks = rng.sample(INDICATORS, n)
    total_weight = rng.choice([90, 100, 100])
    units = (total_weight - 5 * n) // 5
    weights = [5] * n
    for _ in range(units):
        weights[rng.randrange(n)] += 5
    out = []
    for (i1, i2, i3, nature, target, measure, direction), w in zip(picks, weights):
        target = (target.replace("{n}", str(rng.randint(50, 20000)))
                  .replace("{s}", str(rng.randint(1, 60)))
                  .replace("{p}", str(rng.choice([90, 95, 98, 100])))
                  .replace("{q}", str(rng.choice([85, 90, 95])))
                  .replace("{h}", str(rng.choice([2, 4, 24, 48])))
                  .replace("{c}", fmt_amount(amount, False)))
        out.append([i1, i2, i3, nature, target, measure, str(w), direction])
    return out


def goal_text(rng, topic):
    text = f"{rng.choice(VERBS)}{topic}工作，{rng.choice(BENEFITS)}"
    if rng.random() < 0.4:
        text += "，" + rng.choice(BENEFITS)
    if rng.random() < 0.05:
        text += ", " + rng.choice(BENEFITS)  # an ASCII comma: the CSV field is quoted
    return text + "。"


def build_unit(u, rng):
    """Fills u.rows {table: [row]}, u.prior, u.info for the narrative."""
    dom = DOMAINS[u.domain]
    zeros = rng.random() < 0.1
    A = lambda v: amt(v, zeros)  # noqa: E731
    kind = u.kind
    if kind == "hospital":
        staff = log_uniform(rng, 60, 600)
    elif kind == "school":
        staff = log_uniform(rng, 20, 250)
    else:
        staff = log_uniform(rng, 2, 120)
    complexity = rng.random()
    target_rows = 4 + int(27 * complexity ** 0.8)
    leaves = choose_basic(rng, kind, staff, target_rows)
    code = u.code
    rows = {t: [] for t in TABLES}

    # --- function code of each basic leaf
    med = "2101101" if kind == "admin" else "2101102"
    main = u.main_code
    special = {"30108": "2080505", "30109": "2080506", "30110": med, "30114": med,
               "30111": "2101103", "30113": "2210201", "30112": "2089999",
               "30302": "2080501" if kind == "admin" else "2080502"}
    gb = {}  # general budget, basic, per function code
    for leaf, v in leaves.items():
        f = special.get(leaf[:5], main)
        gb[f] = gb.get(f, 0) + v

    # --- projects (公开表3-2): general budget money
    if rng.random() < 0.15:
        nproj = 0
    else:
        nproj = max(1, int(1 + 17 * complexity * rng.random()))
    used_names = set()
    projects = []
    locality = u.locality
    targets = rng.sample(PROJECT_TARGETS, rng.randint(1, 4))
    proj_codes = dom["projects"]
    for i in range(nproj):
        name = project_name(rng, dom["topics"], locality, used_names)
        amount = round_style(rng, log_uniform(rng, 50, 150000))
        carry = 0
        if rng.random() < 0.1:
            carry = round_style(rng, rng.randint(1, amount))
            carry = min(carry, amount)
        current = amount - carry
        central = 0
        if current > 1 and rng.random() < 0.05:
            central = rng.randint(1, current)
        projects.append({"name": name, "code": rng.choice(proj_codes), "amount": amount,
                         "carry": carry, "central": central, "target": rng.choice(targets)})
    if projects and rng.random() < 0.03:
        p = projects[rng.randrange(len(projects))]
        p["target"] = ("31013", None)
        p["vehicle"] = True
    cat_count = min(len(projects), rng.randint(1, 4))
    cats = rng.sample(CATEGORIES, cat_count) if projects else []
    for i, p in enumerate(projects):
        p["cat"] = cats[i % cat_count] if i < cat_count else rng.choice(cats)

    gp, gc = {}, {}
    for p in projects:
        gp[p["code"]] = gp.get(p["code"], 0) + p["amount"]
        gc[p["code"]] = gc.get(p["code"], 0) + p["carry"]

    # --- 政府性基金 (4) and 国有资本经营 (5): usually none
    fund_projects = []
    if rng.random() < (0.3 if "fund" in dom else 0.04):
        for _ in range(rng.randint(1, 3)):
            fcode = rng.choice(dom.get("fund", ["2296002", "2296003"]))
            fund_projects.append((fcode, round_style(rng, log_uniform(rng, 100, 200000)),
                                  rng.choice(targets)))
    fp = {}
    for fcode, a, _ in fund_projects:
        fp[fcode] = fp.get(fcode, 0) + a
    cp = {}
    if rng.random() < (0.25 if "capital" in dom else 0.01):
        ccode = rng.choice(dom.get("capital", ["2230299"]))
        cp[ccode] = round_style(rng, log_uniform(rng, 100, 100000))

    # --- money outside the fiscal budget (事业收入 etc.), spent per 1-2 only
    business = operating = other = nf_carry = 0
    if kind in ("hospital", "school") and rng.random() < 0.75:
        business = round_style(rng, log_uniform(rng, 100 * staff, 2000 * staff))
    if kind != "admin" and rng.random() < 0.08:
        operating = round_style(rng, log_uniform(rng, 100, 50000))
    if rng.random() < (0.12 if kind != "admin" else 0.04):
        other = round_style(rng, log_uniform(rng, 10, 20000))
    if kind != "admin" and rng.random() < 0.05:
        nf_carry = round_style(rng, log_uniform(rng, 10, 20000))
    nonfiscal = business + operating + other + nf_carry
    nb, np_ = {}, {}
    if nonfiscal:
        basic_part = nonfiscal * rng.randint(0, 10) // 10
        if basic_part:
            nb[main] = basic_part
        if nonfiscal - basic_part:
            pc = rng.choice(proj_codes + [main])
            np_[pc] = nonfiscal - basic_part

    # --- 公开表1-2 and 3 (function classes, flat rows as in the sample)
    all_codes = sorted(set(gb) | set(gp) | set(fp) | set(cp) | set(nb) | set(np_))
    total_12 = 0
    for f in all_codes:
        basic = gb.get(f, 0) + nb.get(f, 0)
        proj = gp.get(f, 0) + fp.get(f, 0) + cp.get(f, 0) + np_.get(f, 0)
        total_12 += basic + proj
        c1, c2, c3 = func_parts(f)
        rows["1-2"].append([code, c1, c2, c3, FUNC_SUB[f], A(basic + proj), A(basic), A(proj)])
    general_current = general_carry = 0
    for f in sorted(set(gb) | set(gp)):
        total = gb.get(f, 0) + gp.get(f, 0)
        carry = gc.get(f, 0)
        general_current += total - carry
        general_carry += carry
        c1, c2, c3 = func_parts(f)
        rows["3"].append([code, c1, c2, c3, FUNC_SUB[f], A(total), A(total - carry), A(carry)])
    for table, money in (("4", fp), ("5", cp)):
        for f in sorted(money):
            c1, c2, c3 = func_parts(f)
            rows[table].append([code, c1, c2, c3, FUNC_SUB[f], A(money[f]), A(0), A(money[f])])

    # --- 公开表1-1
    fund_total = sum(fp.values())
    capital_total = sum(cp.values())
    carry_total = general_carry + nf_carry
    total_11 = (carry_total + general_current + fund_total + capital_total + business
                + operating + other)
    assert total_11 == total_12, (code, total_11, total_12)
    rows["1-1"].append([code, A(total_11), A(carry_total), A(general_current), A(fund_total),
                        A(capital_total), A(business), A(operating), A(other), "", "", ""])

    # --- 公开表3-1
    for level, c1, c2, econ, name, (v,) in econ_rows({k: (v,) for k, v in leaves.items()}, 1):
        personnel = econ[:3] in ("301", "303")
        rows["3-1"].append([code, str(level), c1, c2, econ, name, A(v),
                            A(v if personnel else 0), A(0 if personnel else v)])

    # --- 公开表2-1: the basic leaves plus the projects by economic class
    # vector: general, fund, central_advance, carry
    leaves21 = {k: [v, 0, 0, 0] for k, v in leaves.items()}

    def put(target, vec):
        c5, child = target
        if c5 in leaves21 or child is None:
            key = c5
        else:
            key = child
        if key == c5 and any(k[:5] == c5 and len(k) == 7 for k in leaves21):
            key = child or sorted(k for k in leaves21 if k[:5] == c5)[0]
        if key not in leaves21:
            leaves21[key] = [0, 0, 0, 0]
        leaves21[key] = [a + b for a, b in zip(leaves21[key], vec)]

    vehicle_purchase = 0
    for p in projects:
        current = p["amount"] - p["carry"]
        put(p["target"], [current - p["central"], 0, p["central"], p["carry"]])
        if p.get("vehicle"):
            vehicle_purchase += current
    for fcode, a, target in fund_projects:
        put(target, [0, a, 0, 0])
    for level, c1, c2, econ, name, (g, fu, ce, ca) in econ_rows(leaves21, 4):
        cur = g + fu + ce
        rows["2-1"].append([code, str(level), c1, c2, econ, name, A(cur + ca), A(cur), A(g),
                            A(fu), A(ce), A(ca)])

    # --- 公开表3-2
    for cat in cats:
        members = [p for p in projects if p["cat"] == cat]
        rows["3-2"].append([code, "1", "", "", "", "", cat, A(sum(p["amount"] for p in members))])
        for p in members:
            c1, c2, c3 = func_parts(p["code"])
            rows["3-2"].append([code, "2", c1, c2, c3, code, p["name"], A(p["amount"])])

    # --- 公开表3-3 (三公): parts of 3-1's rows
    def l2_amount(c5):
        return sum(v for k, v in leaves.items() if k[:5] == c5)
    abroad = l2_amount("30212")
    vehicle_operation = l2_amount("30231")
    reception = l2_amount("30217")
    if reception and rng.random() < 0.25:
        reception = rng.randint(1, reception)
    vehicle_total = vehicle_purchase + vehicle_operation
    three = abroad + vehicle_total + reception
    if three or rng.random() < 0.5:
        rows["3-3"].append([code, A(three), A(abroad), A(vehicle_total), A(vehicle_purchase),
                            A(vehicle_operation), A(reception)])
    if fund_projects and rng.random() < 0.3:
        r41 = rng.randint(1, 300)
        rows["4-1"].append([code, A(r41), A(0), A(0), A(0), A(0), A(r41)])

    # --- 公开表6: indicators of (some of) the projects, at most 40 rows
    perf = []
    fill_all = rng.random() < 0.5
    for p in projects:
        if rng.random() < 0.15:
            continue
        ind = indicator_rows(rng, p["amount"])
        if len(rows["6"]) + len(ind) > 40:
            break
        perf.append(p)
        goal = goal_text(rng, p["name"])
        for i, r in enumerate(ind):
            first = i == 0
            rows["6"].append([code, p["name"] if first or fill_all else "",
                              A(p["amount"]) if first else "", goal if first else ""] + r)

    # --- 公开表7: the unit's tasks
    basic_fiscal = sum(leaves.values())
    basic_other = sum(nb.values())
    tasks = [("保障单位正常运转",
              "保障在职人员工资福利、社会保障缴费和住房公积金等人员经费，保障办公、水电、差旅等日常公用经费",
              basic_fiscal, basic_other)]
    for p in projects[:rng.randint(0, 6)]:
        tasks.append((p["name"], goal_text(rng, p["name"]).rstrip("。"), p["amount"], 0))
    overall = "；".join(rng.sample(dom["duties"], min(3, len(dom["duties"])))) + "。"
    for t, (task, content, fiscal, oth) in enumerate(tasks):
        inds = []
        if t == 0:
            inds = [("产出指标", "质量指标", "人员经费、公用经费保障率", "=100%"),
                    ("产出指标", "时效指标", "工资福利按时发放率", "=100%")]
            if three:
                inds.append(("成本指标", "经济成本指标", "“三公”经费预算控制数",
                             "≤" + fmt_amount(three, False) + "万元"))
            inds.append(("效益指标", "社会效益指标", "保障单位正常运转", "正常运转"))
        else:
            for r in indicator_rows(rng, fiscal)[:rng.randint(1, 3)]:
                inds.append((r[0], r[1], r[2], (r[3] if r[3] != "定性" else "") + r[4] + r[5]))
        if len(rows["7"]) + len(inds) > 40:
            break
        for i, (i1, i2, i3, target) in enumerate(inds):
            first = i == 0
            rows["7"].append([code, task if first else "", content if first else "",
                              A(fiscal + oth) if first else "", A(fiscal) if first else "",
                              A(oth) if first and oth else "",
                              overall if t == 0 and first else "", i1, i2, i3, target])

    # --- 公开表8: procurement within projects
    for p in projects:
        if rng.random() > 0.3:
            continue
        k = min(rng.randint(1, 3), p["amount"])
        budget = max(k, p["amount"] * rng.randint(20, 100) // 100)
        if len(rows["8"]) + k > 40:
            break
        pcode = f"5111{rng.randint(0, 9999):04d}T{rng.randint(0, 10**12 - 1):012d}"
        for part in split_amount(rng, budget, k):
            cat_code, cat_name, goods = rng.choice(CATALOG)
            qty = str(rng.randint(1, 50)) if goods else "1"
            yes_no = ["是" if rng.random() < 0.15 else "否" for _ in range(4)]
            note = rng.choice(["", "", "", "集中采购", "分散采购", "按规定程序采购"])
            rows["8"].append([code, pcode, p["name"], f"{cat_code}-{cat_name}", qty, A(part)]
                             + yes_no + [note])

    # --- prior year
    def prior_of(v):
        r = rng.random()
        if v == 0 or r < 0.1:
            return v
        if r < 0.13:
            return 0
        return max(0, int(v * rng.uniform(0.8, 1.2)))
    fiscal_total = general_current + general_carry + fund_total + capital_total
    u.prior = [("total", prior_of(total_11)), ("fiscal_total", prior_of(fiscal_total)),
               ("general", prior_of(general_current)), ("three", prior_of(three)),
               ("abroad", prior_of(abroad)), ("vehicle", prior_of(vehicle_total)),
               ("reception", prior_of(reception))]
    u.rows = rows
    u.info = {
        "codes12": all_codes, "codes3": sorted(set(gb) | set(gp)), "fund": bool(fp),
        "capital": bool(cp), "general": general_current, "carry": carry_total,
        "business": business, "operating": operating, "other": other,
        "basic_leaves": leaves, "projects": projects, "perf": perf, "three": three,
        "abroad": abroad, "vehicle_op": vehicle_operation, "vehicle_purchase": vehicle_purchase,
        "reception": reception, "procurement": bool(rows["8"]), "total": total_11,
        "project_total": sum(gp.values()) + sum(fp.values()) + sum(cp.values()) + sum(np_.values()),
        "fiscal_total": fiscal_total, "prior": dict(u.prior), "current3":
        {f: gb.get(f, 0) + gp.get(f, 0) - gc.get(f, 0) for f in set(gb) | set(gp)},
    }


# ---- narrative -------------------------------------------------------------------------------

OVERVIEW_TEXTS = ["全额拨款事业单位", "差额拨款事业单位", "参照公务员法管理的事业单位", "行政单位",
                  "下属二级单位", "本级", "主要包括", "序号", "预算单位名称", "职能简介", "年重点工作",
                  "基本职能及主要工作", "单位预算单位构成", "公益一类", "公益二类", "正科级", "副县级"]
EXTRA_TEXTS = ["（本级）", "第", "期", "所属", "全区", "全市", "及", "工作", "机关运行经费",
               "政府采购", "预算绩效", "一人"]

GLOSSARY_FIXED = [
    ("财政拨款收支情况", "指一般公共预算、政府性基金预算、国有资本经营预算拨款收支情况。"),
    ("一般公共预算拨款收入", "指市级财政当年拨付的资金。"),
    ("事业收入", "指事业单位开展专业业务活动及辅助活动所取得的收入。"),
    ("事业单位经营收入", "指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。"),
    ("其他收入", "指除上述“一般公共预算拨款收入”、“事业收入”、“事业单位经营收入”等以外的收入。"),
    ("上年结转", "指以前年度尚未完成，结转到本年仍按原规定用途继续使用的资金。"),
    ("基本支出", "指为保证机构正常运转，完成日常工作任务而发生的人员支出和公用支出。"),
    ("项目支出", "指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。"),
    ("三公经费", "纳入预算管理的“三公”经费，是指部门安排的因公出国（境）费、公务用车购置及运行费和公务接待费。"),
]


def func_label(f):
    c1, c2, _ = func_parts(f)
    return f"{FUNC_CLASS[c1]}（类）{FUNC_ITEM[c1 + c2]}（款）{FUNC_SUB[f]}（项）"


def sub_meaning(f):
    name = FUNC_SUB[f]
    if name in SUB_MEANING:
        return SUB_MEANING[name]
    stem = name[:-2] if name.endswith("支出") else name
    return f"反映用于{stem}方面的支出"


def overview_md(u, rng):
    dom = DOMAINS[u.domain]
    duties = rng.sample(dom["duties"], rng.randint(2, len(dom["duties"])))
    lines = ["## 一、基本职能及主要工作", "", f"### （一）{u.name}职能简介", ""]
    for i, d in enumerate(duties, 1):
        lines.append(f"{i}. {d}；" if i < len(duties) else f"{i}. 完成上级交办的其他工作。")
    lines += ["", f"### （二）{u.name} {YEAR} 年重点工作", ""]
    for i, topic in enumerate(rng.sample(dom["topics"], min(3, len(dom["topics"]))), 1):
        lines.append(f"{i}. **{topic}**。{goal_text(rng, topic)}")
    lines += ["", "## 二、单位预算单位构成", ""]
    if u.is_dept_self:
        lines.append(f"{u.name}为{u.dept_name}本级，{'行政单位' if u.kind == 'admin' else '全额拨款事业单位'}。主要包括：")
    else:
        kind_text = {"admin": "参照公务员法管理的事业单位", "inst": "全额拨款事业单位",
                     "school": "全额拨款事业单位", "hospital": "差额拨款事业单位"}[u.kind]
        lines.append(f"{u.name}是{u.dept_name}下属二级单位，{kind_text}，"
                     f"{rng.choice(['公益一类', '公益二类'])}。主要包括：")
    lines += ["", "| 序号 | 预算单位名称 |", "|----|----|", f"| 1 | {u.name} |", ""]
    return "\n".join(lines)


def explanation_md(u, rng):
    info = u.info
    p = []
    add = p.append
    classes12 = sorted({f[:3] for f in info["codes12"]})
    classes3 = sorted({f[:3] for f in info["codes3"]})
    income = [("一般公共预算拨款收入", "general"), ("政府性基金预算拨款收入", "fund"),
              ("国有资本经营预算拨款收入", "capital"), ("事业收入", "business"),
              ("事业单位经营收入", "operating"), ("其他收入", "other"), ("上年结转", "carry")]
    present = [(label, key) for label, key in income if info[key]]
    up = info["total"] >= info["prior"]["total"]
    reason = rng.choice(REASONS_UP if up else REASONS_DOWN)

    add("## 一、收支预算情况说明\n")
    add("按照综合预算的原则，{{unit}}所有收入和支出均纳入部门预算管理。收入包括"
        + "、".join(f"{label} {{{{amount 1-1.{key}}}}} 万元" for label, key in present)
        + "；支出包括："
        + "、".join(f"{FUNC_CLASS[c]} {{{{amount 1-2.total[class={c},level=1]}}}} 万元"
                   for c in classes12) + "。\n")
    add("{{unit}} {{year}} 年收支预算总数 {{amount 1-1.total}} 万元，比 {{prior_year}} 年收支预算总数 "
        "{{amount prior.total}} 万元{{change 1-1.total from prior.total}}，主要原因是" + reason + "。\n")
    add("### （一）收入预算情况\n")
    add("{{unit}} {{year}} 年收入预算 {{amount 1-1.total}} 万元，其中："
        + "；".join(f"{label} {{{{amount 1-1.{key}}}}} 万元，占 {{{{share 1-1.{key} of 1-1.total}}}}"
                   for label, key in present) + "。\n")
    add("### （二）支出预算情况\n")
    text = ("{{unit}} {{year}} 年支出预算 {{amount 1-2.total}} 万元，其中：基本支出 {{amount 1-2.basic}} 万元，"
            "占 {{share 1-2.basic of 1-2.total}}")
    if info["project_total"]:
        text += "；项目支出 {{amount 1-2.project}} 万元，占 {{share 1-2.project of 1-2.total}}"
    add(text + "。\n")

    add("## 二、财政拨款收支预算情况说明\n")
    add("{{unit}} {{year}} 年财政拨款收支预算总数 {{amount 2.out.year.total}} 万元，比 {{prior_year}} 年财政拨款收支预算总数 "
        "{{amount prior.fiscal_total}} 万元{{change 2.out.year.total from prior.fiscal_total}}，主要原因是" + reason + "。\n")
    inc = ["本年一般公共预算拨款收入 {{amount 2.in.general}} 万元"]
    if info["fund"]:
        inc.append("政府性基金预算拨款收入 {{amount 2.in.fund}} 万元")
    if info["capital"]:
        inc.append("国有资本经营预算拨款收入 {{amount 2.in.capital}} 万元")
    if info["carry"] and any(pr["carry"] for pr in info["projects"]):
        inc.append("上年结转 {{amount 2.carry.total}} 万元")
    add("收入包括：" + "、".join(inc) + "。\n")
    fiscal_classes = sorted(set(classes3) | {r[1] for r in u.rows["4"]}
                            | {r[1] for r in u.rows["5"]})
    add("支出包括：" + "、".join(f"{FUNC_CLASS[c]} {{{{amount 2.out.{c}.total}}}} 万元"
                               for c in fiscal_classes) + "。\n")

    add("## 三、一般公共预算当年拨款情况说明\n")
    add("### （一）一般公共预算当年拨款规模变化情况\n")
    add("{{unit}} {{year}} 年一般公共预算当年拨款 {{amount 3.current}} 万元，比 {{prior_year}} 年"
        "{{change 3.current from prior.general}}，{{rate 3.current from prior.general}}。\n")
    add("### （二）一般公共预算当年拨款结构情况\n")
    add("、".join(f"{FUNC_CLASS[c]} {{{{amount 3.current[class={c},level=1]}}}} 万元，占 "
                 f"{{{{share 3.current[class={c},level=1] of 3.current}}}}" for c in classes3) + "。\n")
    add("### （三）一般公共预算当年拨款具体使用情况\n")
    n = 0
    for f in info["codes3"]:
        if info["current3"][f] == 0:
            continue
        n += 1
        c1, c2, c3 = func_parts(f)
        names = [pr["name"] for pr in info["projects"] if pr["code"] == f][:3]
        meaning = sub_meaning(f)
        meaning = meaning[2:] if meaning.startswith("反映") else meaning[1:]
        use = ("主要用于" + "、".join(names)) if names else "主要用于：" + meaning
        add(f"{n}. {func_label(f)}：{{{{year}}}} 年预算数为 "
            f"{{{{amount 3.current[class={c1},item={c2},sub={c3}]}}}} 万元，{use}。")
    add("")

    add("## 四、一般公共预算基本支出情况说明\n")
    leaves = info["basic_leaves"]
    pers = [ECON[c] for c in sorted({k[:5] for k in leaves}) if c[:3] in ("301", "303")]
    pub = [ECON[c] for c in sorted({k[:5] for k in leaves}) if c[:3] == "302"]
    add("{{unit}} {{year}} 年一般公共预算基本支出 {{amount 3-1.total}} 万元，其中：\n")
    add("人员经费 {{amount 3-1.personnel}} 万元，主要包括：" + "、".join(pers) + "。\n")
    if pub:
        add("公用经费 {{amount 3-1.public}} 万元，主要包括：" + "、".join(pub) + "。\n")

    add("## 五、“三公”经费财政拨款预算安排情况说明\n")
    add("{{unit}} {{year}} 年“三公”经费财政拨款预算数 {{amount 3-3.total}} 万元，比 {{prior_year}} 年"
        "{{change 3-3.total from prior.three}}。其中：因公出国（境）费 {{amount 3-3.abroad}} 万元，"
        "公务用车购置及运行维护费 {{amount 3-3.vehicle_total}} 万元，公务接待费 {{amount 3-3.reception}} 万元。\n")
    add("### （一）因公出国（境）费与 {{prior_year}} 年预算{{change 3-3.abroad from prior.abroad}}\n")
    add("### （二）公务接待费与 {{prior_year}} 年预算{{change 3-3.reception from prior.reception}}\n")
    add("### （三）公务用车购置及运行维护费与 {{prior_year}} 年预算{{change 3-3.vehicle_total from prior.vehicle}}\n")
    cars = rng.randint(1, 6) if info["vehicle_op"] else 0
    add(f"单位现有公务用车 {cars} 辆。{{{{year}}}} 年安排公务用车购置费 {{{{amount 3-3.vehicle_purchase}}}} 万元，"
        f"公务用车运行维护费 {{{{amount 3-3.vehicle_operation}}}} 万元。\n")

    add("## 六、政府性基金预算支出情况说明\n")
    if info["fund"]:
        add("{{unit}} {{year}} 年政府性基金预算支出 {{amount 4.total}} 万元，主要用于"
            + "、".join(r[4] for r in u.rows["4"]) + "。\n")
    else:
        add("{{unit}} {{year}} 年没有使用政府性基金预算拨款安排的支出。\n")
    add("## 七、国有资本经营预算情况说明\n")
    if info["capital"]:
        add("{{unit}} {{year}} 年国有资本经营预算支出 {{amount 5.total}} 万元。\n")
    else:
        add("{{unit}} {{year}} 年没有使用国有资本经营预算拨款安排的支出。\n")

    add("## 八、其他重要事项的情况说明\n")
    add("### （一）机关运行经费情况\n")
    if u.kind == "admin" and pub:
        add("{{year}} 年{{unit}}机关运行经费 {{amount 3-1.public}} 万元，主要用于办公、差旅、水电等日常公用支出。\n")
    else:
        add("本单位为事业单位，未使用机关运行经费相关科目，机关运行经费安排为零。\n")
    add("### （二）政府采购情况\n")
    if info["procurement"]:
        add("{{year}} 年，{{unit}}安排政府采购预算 {{amount 8.amount}} 万元。\n")
    else:
        add("{{year}} 年，{{unit}}未安排政府采购预算。\n")
    add("### （三）国有资产占有使用情况\n")
    add(f"截至 {{{{prior_year}}}} 年底，单位现有公务用车 {cars} 辆。\n")
    add("### （四）预算绩效情况\n")
    if info["perf"]:
        add(f"{{{{year}}}}年{{{{unit}}}}开展绩效目标管理的项目{len(info['perf'])}个，涉及预算{{{{amount 6.budget}}}}万元。\n")
    else:
        add("{{year}}年{{unit}}未安排开展绩效目标管理的项目。\n")
    return "\n".join(p)


def glossary_md(u):
    entries = list(GLOSSARY_FIXED[:6])
    for f in u.info["codes12"]:
        entries.append((func_label(f), sub_meaning(f) + "。"))
    entries += GLOSSARY_FIXED[6:]
    return "\n\n".join(f"（{cn_number(i)}）{t}：{d}" for i, (t, d) in enumerate(entries, 1)) + "\n"


# ---- departments and units --------------------------------------------------------------------

def make_units(seed, n_units, n_depts):
    rng = random.Random(f"{seed}/package")
    city_order = list(range(len(CITIES)))
    rng.shuffle(city_order)
    localities = []
    for ci in city_order:
        city, counties = CITIES[ci]
        localities.append(city)
        localities += [city + c for c in counties]
    limit = min(900, len(localities) * len(DOMAINS))  # 3-digit department codes
    if n_depts > limit:
        sys.exit(f"make_package.py: at most {limit} departments")
    # the first departments are the main city's, in a shuffled order of domains
    order = list(range(len(DOMAINS)))
    rng.shuffle(order)
    chosen = []
    for k in range(n_depts):
        loc = localities[k // len(DOMAINS)]
        chosen.append((loc, order[k % len(DOMAINS)]))
    codes = sorted(rng.sample(range(100, 1000), n_depts))
    counts = [1] * n_depts
    for _ in range(n_units - n_depts):
        counts[rng.randrange(n_depts)] += 1
    if max(counts) > 999:
        sys.exit("make_package.py: more than 999 units in a department: give more --departments")
    units = []
    for (loc, dom_i), dcode, count in zip(chosen, codes, counts):
        dom = DOMAINS[dom_i]
        dept_name = loc + dom["dept"]
        names = set()
        templates = list(dom["units"])
        rng.shuffle(templates)
        for k in range(count):
            u = Unit()
            u.index = len(units)
            u.code = f"{dcode:03d}{k + 1:03d}"
            u.dept_code = f"{dcode:03d}"
            u.dept_name = dept_name
            u.domain = dom_i
            u.locality = loc
            u.is_dept_self = k == 0
            if k == 0:
                u.name = dept_name + ("（本级）" if rng.random() < 0.3 else "")
                u.kind = "admin"
                u.main_code = dom["admin"]
            else:
                if k - 1 < len(templates):
                    suffix, kind, main = templates[k - 1]
                    name = loc + suffix
                else:  # the domain's own units are used up: generic ones of the department
                    suffix, kind = GENERIC_UNITS[(k - 1 - len(templates)) % len(GENERIC_UNITS)]
                    main = dom["admin"] if kind == "admin" else dom["inst"]
                    name = dept_name + suffix
                if rng.random() < 0.1:  # a long name that wraps in titles and cells
                    # the unit with its second name in brackets (挂牌), 40 to 70 characters
                    m1, m2 = rng.sample(LONG_MIDDLES, 2)
                    name = f"{name}（{dept_name}{m1}中心）"
                    if len(name) < 40:
                        name = f"{name[:-3]}、{m2}中心）"
                base, m = name, 2
                while name in names:
                    name = f"{base}第{cn_number(m)}分部" if m < 100 else f"{base}{m}"
                    m += 1
                u.name = name
                u.kind = kind
                u.main_code = main
            names.add(u.name)
            u.booklet = "department" if (k == 0 and rng.random() < 0.3) else "unit"
            u.fault = None
            units.append(u)
    return units


# ---- writing ------------------------------------------------------------------------------------

class Writer:
    def __init__(self, outdir, seed, gbk_share):
        self.outdir = outdir
        self.seed = seed
        self.gbk_share = gbk_share
        self.files = 0
        self.bytes = 0
        self.encodings = {"utf-8": 0, "gbk": 0}

    def write_bytes(self, relpath, data):
        path = os.path.join(self.outdir, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)

    def csv_bytes(self, relpath, header, rows, force_utf8=False, force_gbk=False):
        gbk_r, crlf_r, bom_r, thousands_r = file_choice(self.seed, relpath)[:4]
        thousands = thousands_r < 0.1
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n" if crlf_r < 0.25 else "\n")
        w.writerow(header)
        for row in rows:
            w.writerow([fmt_amount(c, thousands) if type(c) is Amount else c for c in row])
        text = out.getvalue()
        data = None
        if force_gbk or (not force_utf8 and gbk_r < self.gbk_share):
            try:
                data = text.encode("gbk")
                try:  # a GBK file that happens to be valid UTF-8 would read differently
                    if data.decode("utf-8") != text:
                        data = None
                except UnicodeDecodeError:
                    pass
            except UnicodeEncodeError:
                data = None
        if data is None or data == text.encode("utf-8"):  # ASCII only: UTF-8 either way
            data = (b"\xef\xbb\xbf" if bom_r < 0.05 else b"") + text.encode("utf-8")
            self.encodings["utf-8"] += 1
        else:
            self.encodings["gbk"] += 1
        return data

    def write_csv(self, relpath, header, rows, **kw):
        self.write_bytes(relpath, self.csv_bytes(relpath, header, rows, **kw))


def inject(u, rng):
    """Makes u's per-unit rows bad as its fault says; returns {table: options} for writing."""
    fault = u.fault
    opts = {}
    if fault == "bad-row":
        leaf_rows = [r for r in u.rows["3-1"] if r[1] != "1"]
        r = leaf_rows[rng.randrange(len(leaf_rows))]
        col = 7 if r[7] != "" else 8
        r[col] = "12.3x"
    elif fault == "bad-encoding":
        r = u.rows["3-1"][rng.randrange(len(u.rows["3-1"]))]
        r[5] = r[5][:1] + "\x00FFFF\x00" + r[5][1:]  # replaced by bytes FF FF after encoding
        opts["3-1"] = {"force_gbk": True, "raw_ff": True}
    elif fault == "missing-glyph":
        r = u.rows["3-1"][rng.randrange(len(u.rows["3-1"]))]
        r[5] = r[5] + "한"
        opts["3-1"] = {"force_utf8": True}
    elif fault == "check-error":
        # 1-1 gains an income 1-2 does not spend: only TOTAL-1-1-1-2 fails (上级补助收入 is
        # in 1-1's 合计, so ROW-1-1 holds, and not in 公开表1's 收入总计, so BALANCE-1 holds)
        row = u.rows["1-1"][0]
        extra = rng.randint(1, 5000)
        row[1] = Amount(int(row[1]) + extra)    # total
        row[9] = Amount(extra)                  # superior
    return opts


def scale_unit(u):
    """Multiplies every amount of u (tables and prior-year figures) by the power of ten that
    gives its 公开表1-1 合计 13 integer digits in 万元 (10^14 to 10^15 cents). Returns it."""
    total = max((int(r[1]) for r in u.rows["1-1"] if type(r[1]) is Amount), default=1)
    factor = 10 ** max(0, 15 - len(str(abs(total) or 1)))
    for t in TABLES:
        for row in u.rows[t]:
            for i, cell in enumerate(row):
                if type(cell) is Amount:
                    row[i] = Amount(cell * factor)
    u.prior = [(key, v * factor) for key, v in u.prior]
    return factor


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--units", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--departments", type=int, default=None)
    ap.add_argument("--inject", type=int, default=0)
    ap.add_argument("--large", type=int, default=0)
    ap.add_argument("--gbk-share", type=float, default=0.1)
    args = ap.parse_args()
    started = time.perf_counter()
    n = args.units
    if n < 1:
        ap.error("--units must be at least 1")
    d = args.departments if args.departments is not None else max(1, min(900, round(n / 5)))
    if not 1 <= d <= n:
        ap.error("--departments must be between 1 and --units")
    if not 0 <= args.inject <= n:
        ap.error("--inject must be between 0 and --units")
    if not 0.0 <= args.gbk_share <= 1.0:
        ap.error("--gbk-share must be between 0 and 1")
    check_vocabulary()
    if os.path.exists(args.outdir) and os.listdir(args.outdir):
        ap.error(f"{args.outdir} exists and is not empty")

    units = make_units(args.seed, n, d)
    k = args.inject
    injected = {}
    for j in range(k):
        idx = (2 * j + 1) * n // (2 * k)
        injected[idx] = FAULTS[j % len(FAULTS)]
    large, departments = set(), set()
    for u in units:  # the first clean unit of each department, until there are enough
        if len(large) < args.large and u.index not in injected and u.dept_code not in departments:
            large.add(u.index)
            departments.add(u.dept_code)
    if len(large) < args.large:
        ap.error("--large: not enough departments without an injected unit")
    large_rows = []
    writer = Writer(args.outdir, args.seed, args.gbk_share)

    shared = {t: [] for t in TABLES}
    prior_rows = []
    unit_rows = []
    injected_rows = []
    for u in units:
        rng = random.Random(f"{args.seed}/unit/{u.code}")
        build_unit(u, rng)
        if u.index in large:
            large_rows.append([u.code, scale_unit(u)])
        nrng = random.Random(f"{args.seed}/narrative/{u.code}")
        base = f"narrative/{u.code}"
        writer.write_bytes(f"{base}/overview.md", overview_md(u, nrng).encode("utf-8"))
        writer.write_bytes(f"{base}/explanation.md", explanation_md(u, nrng).encode("utf-8"))
        writer.write_bytes(f"{base}/glossary.md", glossary_md(u).encode("utf-8"))
        unit_rows.append([u.code, u.name, u.dept_code, u.dept_name, str(YEAR), PROFILE,
                          u.booklet])
        for key, v in u.prior:
            prior_rows.append([u.code, key, Amount(v)])
        if u.index in injected:
            u.fault, fragment = injected[u.index]
            opts = inject(u, random.Random(f"{args.seed}/inject/{u.code}"))
            injected_rows.append([u.code, u.fault, fragment])
            for t in TABLES:
                rel = f"tables/{u.code}/{t}.csv"
                o = dict(opts.get(t, {}))
                raw_ff = o.pop("raw_ff", False)
                data = writer.csv_bytes(rel, HEADERS[t], u.rows[t], **o)
                if raw_ff:
                    data = data.replace(b"\x00FFFF\x00", b"\xff\xff")
                writer.write_bytes(rel, data)
        else:
            for t in TABLES:
                shared[t].extend(u.rows[t])
        u.rows = None  # keep memory flat for large packages
        u.info = None

    writer.write_csv("units.csv", ["unit_code", "unit_name", "department_code",
                                   "department_name", "year", "profile", "booklet"], unit_rows)
    writer.write_csv("prior.csv", ["unit_code", "key", "amount"], prior_rows)
    for t in TABLES:
        writer.write_csv(f"tables/{t}.csv", HEADERS[t], shared[t])
    inj = io.StringIO()
    csv.writer(inj, lineterminator="\n").writerows(
        [["unit_code", "fault", "expected_message_fragment"]] + injected_rows)
    writer.write_bytes("injected.csv", inj.getvalue().encode("utf-8"))
    if args.large:
        big = io.StringIO()
        csv.writer(big, lineterminator="\n").writerows([["unit_code", "factor"]] + large_rows)
        writer.write_bytes("large.csv", big.getvalue().encode("utf-8"))

    elapsed = time.perf_counter() - started
    per_table = " ".join(f"{t}={len(shared[t])}" for t in TABLES)
    print(f"make_package: {n} units in {d} departments, {k} injected; shared rows {per_table}; "
          f"{writer.files} files ({writer.encodings['gbk']} CSV in GBK), {writer.bytes} bytes; "
          f"{elapsed:.2f} s")


if __name__ == "__main__":
    main()
