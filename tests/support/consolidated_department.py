#!/usr/bin/env python3
"""A profile that consolidates department booklets (`booklets.department.rows: consolidated`,
docs/layouts.md) and, optionally, an invented department of two units to print with it.

    consolidated_department.py PROFILE [PACKAGE]

PROFILE is a copy of layouts/sichuan-2025: its department booklet is made consolidated, and 3-2
(projects under their 科目), 6 and 7 (indicators of projects and tasks) say what makes one of
their rows. PACKAGE, if given, is a copy of samples/example-unit-2025 (示例部门（虚构）, unit
900001 示例单位（虚构）): a second invented unit 900002 (虚构测试单位900002, add_unit.py) is added
with the same rows, except that its projects are its own (乙-named, with their own codes) and
that in 公开表3-1 its 30213 维修（护）费 is a 30214 租赁费 instead, a 款 the first unit lacks.
"""
import csv
import io
import os
import subprocess
import sys


def edit(profile, name, old, new):
    path = os.path.join(profile, name)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert old in text, (name, old)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def consolidate(profile):
    edit(profile, "booklet.yaml", "    title: 部门预算\n", "    title: 部门预算\n    rows: consolidated\n")
    edit(profile, "3-2.yaml", "summary:", "consolidate_by: [class, item, sub, code, name]\nsummary:")
    edit(profile, "6.yaml", "columns:",
         "consolidate_by: [project, indicator1, indicator2, indicator3]\ncolumns:")
    edit(profile, "7.yaml", "columns:",
         "consolidate_by: [task, indicator1, indicator2, indicator3]\ncolumns:")


PROJECTS = {"示例业务系统运行维护": "示例乙业务系统运行维护", "示例档案数字化整理": "示例乙档案数字化整理",
            "公务用车更新购置": "示例乙公务用车更新购置", "示例公众咨询服务": "示例乙公众咨询服务"}


def rewrite(package, name, change):
    """Unit 900002's rows of a table changed."""
    path = os.path.join(package, "tables", name)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows = [rows[0]] + [change(r) if r[0] == "900002" else r for r in rows[1:]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def own_projects(row):
    """Its own project names and codes, and its own code where 3-2 states it."""
    row = [PROJECTS.get(cell, cell).replace("90000125T", "90000225T") for cell in row]
    return [row[0]] + ["900002" if cell == "900001" else cell for cell in row[1:]]


def lease_not_repair(row):
    if row[4] == "30213":
        return row[:3] + ["14", "30214", "租赁费"] + row[6:]
    return row


def department(package):
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "add_unit.py"), package, "900001",
                    "900002"], check=True)
    for table in ("3-2.csv", "6.csv", "8.csv"):
        rewrite(package, table, own_projects)
    rewrite(package, "3-1.csv", lease_not_repair)


consolidate(sys.argv[1])
if len(sys.argv) > 2:
    department(sys.argv[2])
