#!/usr/bin/env python3
"""Adds an invented unit to a copy of the sample package: a copy of every row, table and
narrative part of unit FROM under the code NEW (and a name that says it is invented), so that
a test has a department of two units. Optional: --year and --department-name of the new unit.

    add_unit.py PACKAGE FROM NEW [--year 2024] [--department-name NAME]
"""
import argparse
import csv
import io
import os
import shutil

parser = argparse.ArgumentParser()
parser.add_argument("package")
parser.add_argument("source")
parser.add_argument("code")
parser.add_argument("--year")
parser.add_argument("--department-name")
args = parser.parse_args()


def rewrite(path, change):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows = change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def copy_rows(rows):
    """Every row of the source unit once more under the new code, after the source's rows."""
    if not rows or rows[0][0] != "unit_code":
        return rows
    copies = [[args.code] + r[1:] for r in rows[1:] if r and r[0] == args.source]
    return rows + copies


def add_unit(rows):
    header = rows[0]
    source = next(r for r in rows[1:] if r[0] == args.source)
    unit = dict(zip(header, source))
    unit["unit_code"] = args.code
    unit["unit_name"] = "虚构测试单位" + args.code
    if args.year:
        unit["year"] = args.year
    if args.department_name:
        unit["department_name"] = args.department_name
    return rows + [[unit[k] for k in header]]


pkg = args.package
rewrite(os.path.join(pkg, "units.csv"), add_unit)
for name in sorted(os.listdir(os.path.join(pkg, "tables"))):
    path = os.path.join(pkg, "tables", name)
    if name.endswith(".csv") and os.path.isfile(path):
        rewrite(path, copy_rows)
if os.path.exists(os.path.join(pkg, "prior.csv")):
    rewrite(os.path.join(pkg, "prior.csv"), copy_rows)
source_text = os.path.join(pkg, "narrative", args.source)
if os.path.isdir(source_text):
    shutil.copytree(source_text, os.path.join(pkg, "narrative", args.code))
