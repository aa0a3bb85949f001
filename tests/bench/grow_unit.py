#!/usr/bin/python3
"""Enlarges one unit of a synthetic package (make_package.py --units 1) for check_scale.sh.

    grow_unit.py BASE OUTDIR SCENARIO ROWS

BASE is a one-unit package from make_package.py; OUTDIR becomes a copy of it with one table
(or the narrative) grown to ROWS rows, so that `gongkai check` has ROWS rows (or figures) of one
kind to go through. Each scenario grows what one rule runner reads, and most make findings in
proportion to ROWS, so that the time per row and per finding shows:

  percent     3-2: ROWS projects of distinct amounts under one category; the overview gains
              10 percentages that name no figure (NARRATIVE-FIGURE: 10 errors)
  amounts     3-2 as in `percent`; the overview gains ROWS/10 amounts, half of them wrong
  shares      3-2 as in `percent`; the overview gains one sentence listing the ROWS projects'
              amounts, each with its share of their sum to four decimals, every other one
              wrong by 0.0001% (NARRATIVE-FIGURE: ROWS/2 errors)
  lookup      8: ROWS procurements of projects that 3-2 does not have (PROCUREMENT-PROJECT:
              one error per row)
  identity    8: ROWS procurements of a known project, each naming the unit wrongly in its own
              way (UNIT-ID: one error per row)
  by-code     1-2 and 3: ROWS function codes each, every 公开表3 amount above 1-2's (BY-CODE:
              one error per code)
  hierarchy   3-1: ROWS rows nesting 9 levels deep, every parent off by 0.05 (SUM-LEVELS: one
              error per parent)
  placeholders  the overview gains ROWS placeholders on one line of text
  names       1-2: ROWS function codes with names; the overview names each of them after its
              code and before （项）, every other one with a character changed
              (NARRATIVE-NAMES: one error per row)

Standard library only; the same arguments give the same bytes.
"""

import csv
import os
import shutil
import sys


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def amount(cents):
    return "%d.%02d" % (cents // 100, cents % 100)


def unit_code(out):
    return read_rows(os.path.join(out, "units.csv"))[1][0]


def projects(out, rows):
    """3-2: one category over `rows` projects of distinct amounts (1.01, 1.02, …)."""
    code = unit_code(out)
    table = [read_rows(os.path.join(out, "tables", "3-2.csv"))[0]]
    cents = [101 + i for i in range(rows)]
    table.append([code, "1", "", "", "", "", "示例项目类", amount(sum(cents))])
    for i, c in enumerate(cents):
        table.append([code, "2", "224", "01", "06", code, "示例项目%06d" % i, amount(c)])
    write_rows(os.path.join(out, "tables", "3-2.csv"), table)


def append_overview(out, text):
    path = os.path.join(out, "narrative", unit_code(out), "overview.md")
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n\n" + text + "\n")


def percent(out, rows):
    projects(out, rows)
    # ten decimals: no two figures of the tables give these shares
    wrong = ["%d.%010d%%" % (97 + i, 1234567891 + 7 * i) for i in range(10)]
    append_overview(out, "示例占比：" + "、".join(wrong) + "。")


def amounts(out, rows):
    projects(out, rows)
    figures = []
    for i in range(max(rows // 10, 1)):
        cents = 101 + (i * 7) % rows
        figures.append(amount(cents if i % 2 == 0 else cents * 1000 + 3) + "万元")
    append_overview(out, "示例金额：" + "、".join(figures) + "。")


def shares(out, rows):
    projects(out, rows)
    cents = [101 + i for i in range(rows)]
    total = sum(cents)
    parts = []
    for i, c in enumerate(cents):
        share = (c * 2000000 + total) // (2 * total) + i % 2  # in 0.0001%, rounded half up
        parts.append("示例项目%06d %s 万元，占 %d.%04d%%" % (i, amount(c), share // 10000,
                                                        share % 10000))
    append_overview(out, "示例：" + "、".join(parts) + "。")


def procurements(out, rows, project, unit_name):
    code = unit_code(out)
    path = os.path.join(out, "tables", "8.csv")
    header = read_rows(path)[0]
    table = [header + (["unit_name"] if unit_name else [])]
    for i in range(rows):
        row = [code, "51110000T%012d" % i, project(i), "A02010105-便携式计算机", "1", "0.01",
               "否", "否", "否", "否", ""]
        table.append(row + ([unit_name(i)] if unit_name else []))
    write_rows(path, table)


def lookup(out, rows):
    procurements(out, rows, lambda i: "示例未列项目%07d" % i, None)


def identity(out, rows):
    known = read_rows(os.path.join(out, "tables", "3-2.csv"))[2][6]
    procurements(out, rows, lambda i: known, lambda i: "示例错误单位名%07d" % i)


def by_code(out, rows):
    code = unit_code(out)
    for table_id, more in (("1-2", 0), ("3", 1)):
        path = os.path.join(out, "tables", table_id + ".csv")
        table = [read_rows(path)[0]]
        for i in range(rows):
            cls, item, sub = "%03d" % (200 + i // 10000), "%02d" % (i // 100 % 100), "%02d" % (i % 100)
            total = amount(101 + i + more)
            table.append([code, cls, item, sub, "示例科目%06d" % i, total, total, ""])
        write_rows(path, table)


def hierarchy(out, rows):
    code = unit_code(out)
    path = os.path.join(out, "tables", "3-1.csv")
    table = [read_rows(path)[0]]
    for i in range(rows):
        level = i % 9 + 1
        # each parent is its single child's amount plus 0.05: off by more than rounding
        cents = 100 + 5 * (9 - level)
        table.append([code, str(level), "", "", "30%07d" % i, "示例经济科目%06d" % i,
                      amount(cents), amount(cents), ""])
    write_rows(path, table)


def placeholders(out, rows):
    append_overview(out, "示例：" + "、".join("{{amount 1-1.total}}万元" for _ in range(rows)) + "。")


def names(out, rows):
    code = unit_code(out)
    path = os.path.join(out, "tables", "1-2.csv")
    table = [read_rows(path)[0]]
    mentions = []
    for i in range(rows):
        cls, item, sub = "%03d" % (200 + i // 10000), "%02d" % (i // 100 % 100), "%02d" % (i % 100)
        name = "示例科目%06d" % i
        table.append([code, cls, item, sub, name, "1.00", "1.00", ""])
        typed = name if i % 2 == 0 else name.replace("科", "料")
        mentions.append("%s%s%s %s，%s（项）" % (cls, item, sub, typed, typed))
    write_rows(path, table)
    append_overview(out, "示例科目：" + "；".join(mentions) + "。")


SCENARIOS = {"percent": percent, "amounts": amounts, "shares": shares, "lookup": lookup,
             "identity": identity, "by-code": by_code, "hierarchy": hierarchy,
             "placeholders": placeholders, "names": names}


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in SCENARIOS:
        sys.exit("usage: grow_unit.py BASE OUTDIR {%s} ROWS" % "|".join(SCENARIOS))
    base, out, scenario, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(base, out)
    SCENARIOS[scenario](out, rows)


if __name__ == "__main__":
    main()
