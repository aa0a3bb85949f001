#!/usr/bin/python3
"""Writes a package of N invented copies of one unit, all in ONE department (docs/package.md),
for the benchmarks of a large department (the export and `gongkai check` of issue 13).

    make_copies.py OUTDIR --units N [--sample samples/leshan-hrss-info-2025]

Copy K (1..N) is unit 9K (e.g. 900001) 示例复制单位0001 of department 900 示例复制主管部门:
the sample unit's rows under that code in the shared tables/ID.csv, its narrative in
narrative/CODE/ with the sample's unit and department names replaced by the invented ones,
and its rows of prior.csv and not_supplied.csv. Every field equal to the sample's unit code
(公开表3-2's 单位代码) takes the copy's code. The figures stay the sample's, so every copy
checks and exports as the sample does. Standard library only; the same arguments give the
same bytes.
"""

import argparse
import csv
import io
import os
import sys

DEPARTMENT_CODE = "900"
DEPARTMENT_NAME = "示例复制主管部门"


def copy_code(k):
    return f"{900000 + k}"


def copy_name(k, width):
    return f"示例复制单位{k:0{width}d}"


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path, header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def copied_rows(header, rows, sample_code, copies):
    """The sample unit's rows once per copy, its code replaced in every field that holds it."""
    own = [row for row in rows if row[header.index("unit_code")] == sample_code]
    return [[code if field == sample_code else field for field in row]
            for code, _ in copies for row in own]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--sample", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "../../samples/leshan-hrss-info-2025"))
    args = parser.parse_args()
    if not 1 <= args.units <= 99999:
        sys.exit("make_copies.py: --units must be 1..99999 (the codes are 900001..999999)")

    header, units = read_rows(os.path.join(args.sample, "units.csv"))
    if len(units) != 1:
        sys.exit(f"make_copies.py: {args.sample} must hold exactly one unit")
    sample = dict(zip(header, units[0]))
    width = max(4, len(str(args.units)))  # 示例复制单位0001
    copies = [(copy_code(k), copy_name(k, width)) for k in range(1, args.units + 1)]

    unit_rows = []
    for code, name in copies:
        row = dict(sample, unit_code=code, unit_name=name, department_code=DEPARTMENT_CODE,
                   department_name=DEPARTMENT_NAME)
        unit_rows.append([row[column] for column in header])
    write_rows(os.path.join(args.outdir, "units.csv"), header, unit_rows)

    tables = sorted(os.listdir(os.path.join(args.sample, "tables")))
    shared = [os.path.join("tables", f) for f in tables if f.endswith(".csv")]
    for name in shared + ["prior.csv", "not_supplied.csv"]:
        path = os.path.join(args.sample, name)
        if os.path.exists(path):
            file_header, rows = read_rows(path)
            write_rows(os.path.join(args.outdir, name), file_header,
                       copied_rows(file_header, rows, sample["unit_code"], copies))

    narrative = os.path.join(args.sample, "narrative", sample["unit_code"])
    parts = {f: open(os.path.join(narrative, f), encoding="utf-8").read()
             for f in sorted(os.listdir(narrative))}
    for code, name in copies:
        folder = os.path.join(args.outdir, "narrative", code)
        os.makedirs(folder, exist_ok=True)
        for part, text in parts.items():
            text = text.replace(sample["unit_name"], name)
            text = text.replace(sample["department_name"], DEPARTMENT_NAME)
            with open(os.path.join(folder, part), "w", encoding="utf-8") as f:
                f.write(text)


if __name__ == "__main__":
    main()
