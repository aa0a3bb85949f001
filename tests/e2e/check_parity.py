#!/usr/bin/python3
"""Reads every number of every exported booklet and workbook back and compares them with the
package's own figures, table by table.

Usage: check_parity.py PACKAGE OUTDIR PROFILE_DIR

PACKAGE is a budget package (docs/package.md) that `gongkai export` (with or without
--department) wrote into OUTDIR; PROFILE_DIR is its layout profile. The script computes, on its
own, what each public table must print: the CSV amounts and counts of the booklet's units, the
合计, department and unit rows (sums of the level-1 rows), the fixed-row tables' items (`from:`
queries) and derived values, with the profile's zero policy and vertical merges. Then:

  workbook  every numeric cell of the table's sheet, row by row and left to right, and every
            figure with the profile's decimals inside a text cell, equals that list in order;
            a numeric cell's number format has the column's decimals;
  booklet   every figure with the profile's decimals on the table's pages (pdftotext -layout;
            a table's pages start with "公开表N" or "公开表N 续表") equals the list's figures with
            those decimals, as a multiset (a merged cell prints at the middle of its rows,
            and again on each further page its rows run over);

so an overflowed, rounded, wrapped, dropped or extra number fails however it arises. It also
checks OUTDIR against manifest.json: a failed unit has no file, an exported one both of its
files, and nothing else is there; with PACKAGE/injected.csv (make_package.py --inject), each
unit it lists failed. Prints one line per problem, then "U unit and D department documents, T
tables compared, M problems"; exits 1 on any problem. Runs with Debian's /usr/bin/python3,
python3-yaml and python3-openpyxl.
"""

import collections
import csv
import json
import os
import re
import subprocess
import sys

import openpyxl
import yaml

problems = []


def problem(text):
    problems.append(text)
    print(text)


# ---- the package ----------------------------------------------------------------------------

def read_text(path):
    """A package text file: UTF-8 (with or without BOM), else GB18030, as gongkai reads it."""
    data = open(path, "rb").read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # raises for bytes that are neither: an injected fault


def read_csv(path):
    if not os.path.exists(path):
        return []
    rows = list(csv.reader(read_text(path).splitlines()))
    rows = [r for r in rows if r]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def to_count(text, decimals):
    """A CSV number as an integer count of its last decimal ("1,234.5" at 2 -> 123450)."""
    text = text.strip().replace(",", "")
    if text == "":
        return None
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(f"not a number: {text!r}")
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 10 ** decimals + int((frac + "0" * decimals)[:decimals] or 0)
    return -value if negative else value


def show(value, decimals):
    """A count of the last decimal as printed: 12345 at 2 -> "123.45"."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if decimals == 0:
        return f"{sign}{value}"
    return f"{sign}{value // 10 ** decimals}.{value % 10 ** decimals:0{decimals}d}"


def leaves(columns):
    for c in columns:
        if "columns" in c:
            yield from leaves(c["columns"])
        else:
            yield c


class Layout:
    def __init__(self, data, amount_decimals):
        self.id = str(data["id"])
        self.number = data["number"]
        self.columns = list(leaves(data.get("columns", [])))
        numeric = ("amount", "count", "percent")
        for c in self.columns:
            c.setdefault("type", "text")
            c["numeric"] = c["type"] in numeric
            if c["type"] == "amount":
                c["decimals"] = amount_decimals
            c.setdefault("decimals", 0)
            c.setdefault("sum", c["type"] == "amount")
        self.types = {c["key"]: c for c in self.columns}
        for i in data.get("inputs") or []:
            i.setdefault("type", "text")
            i["numeric"] = i["type"] in numeric
            i["decimals"] = amount_decimals if i["type"] == "amount" else i.get("decimals", 0)
            self.types[i["key"]] = i
        self.summary = {s["kind"]: s for s in data.get("summary") or []}
        self.stub = "items" in data
        if self.stub:
            self.items = []
            for item in data["items"]:
                self.items.append((item, None) if isinstance(item, str)
                                  else (item["id"], item.get("from")))
            self.derived = list((data.get("derived") or {}).items())
            self.rows = data["rows"]


class Package:
    def __init__(self, path, profile_dir):
        self.path = path
        booklet = yaml.safe_load(open(os.path.join(profile_dir, "booklet.yaml"), encoding="utf-8"))
        self.decimals = booklet["amount_decimals"]
        self.zero_blank = booklet.get("zero") == "blank"
        self.layouts = {}
        for name in os.listdir(profile_dir):
            if name.endswith(".yaml") and name not in ("booklet.yaml", "rules.yaml"):
                data = yaml.safe_load(open(os.path.join(profile_dir, name), encoding="utf-8"))
                layout = Layout(data, self.decimals)
                self.layouts[layout.id] = layout
        self.booklets = {kind: [self.layouts[str(t)] for t in b["tables"]]
                         for kind, b in booklet["booklets"].items()}
        self.units = read_csv(os.path.join(path, "units.csv"))
        self.unreadable = set()  # units whose own files do not parse (injected faults)
        self.rows = {t: self.read_table(t) for t in self.layouts}

    def unit_rows(self, table_id, unit):
        """A unit's own file; with bad bytes or a bad number the unit is unreadable."""
        try:
            rows = read_csv(os.path.join(self.path, "tables", unit, f"{table_id}.csv"))
            return [self.parse_row(table_id, raw) for raw in rows]
        except (UnicodeDecodeError, ValueError):
            self.unreadable.add(unit)
            return []

    def parse_row(self, table_id, raw):
        layout = self.layouts[table_id]
        row = {"unit": raw["unit_code"], "level": int(raw.get("level") or 1),
               "computed": bool(raw.get("kind", "").strip()), "values": {}}
        for key, spec in layout.types.items():
            text = raw.get(key, "")
            row["values"][key] = to_count(text, spec["decimals"]) if spec["numeric"] else text
        return row

    def read_table(self, table_id):
        """The table's rows as gongkai orders them: the shared file, then each unit's own."""
        layout = self.layouts[table_id]
        shared = read_csv(os.path.join(self.path, "tables", f"{table_id}.csv"))
        rows = [self.parse_row(table_id, raw) for raw in shared]
        for unit in self.units:
            rows += self.unit_rows(table_id, unit["unit_code"])
        # fill_down: a blank cell takes the value above it (same unit, data rows)
        for c in layout.columns:
            if c.get("fill_down"):
                for above, row in zip(rows, rows[1:]):
                    if (row["values"][c["key"]] in ("", None) and row["unit"] == above["unit"]
                            and not row["computed"] and not above["computed"]):
                        row["values"][c["key"]] = above["values"][c["key"]]
        # a supplied computed row (`kind`) is checked, never printed
        return [row for row in rows if not row["computed"]]


# ---- what a table must print -----------------------------------------------------------------

REPEATED = "merged cells"  # key of a row's cells: the columns whose merged cell spans rows
FIGURE = re.compile(r"-?\d{1,3}(?:,\d{3})+\.\d+|-?\d+\.\d+")


def text_figures(text, decimals):
    """Figures with exactly `decimals` decimals inside a text (thousands commas dropped)."""
    found = []
    for m in FIGURE.finditer(text or ""):
        token = m.group(0).replace(",", "")
        if len(token.partition(".")[2]) == decimals:
            found.append(token)
    return found


def expand(template, unit, values):
    def field(m):
        name = m.group(1)
        fixed = {"unit.code": unit["unit_code"], "unit.name": unit["unit_name"],
                 "department.code": unit["department_code"],
                 "department.name": unit["department_name"], "year": unit["year"],
                 "unit_code": unit["unit_code"]}
        if name in fixed:
            return fixed[name]
        value = values.get(name, "")
        return "" if value is None else str(value)
    return re.sub(r"\{([^}]*)\}", field, template)


class Expected:
    """The printed cells of one table for a scope of units, row by row."""

    def __init__(self, pkg, layout, scope):
        self.pkg, self.layout, self.scope = pkg, layout, scope
        self.codes = [u["unit_code"] for u in scope]
        self.rows = []  # each: list of (column, value) with value an int (numeric) or text

    def number(self, value):
        return None if value in (None, 0) and self.pkg.zero_blank else value

    def level1_sum(self, key, codes):
        return sum(r["values"][key] or 0 for r in self.pkg.rows[self.layout.id]
                   if r["unit"] in codes and r["level"] == 1)

    def summary_row(self, kind, codes, unit):
        s = self.layout.summary.get(kind)
        if s is None:
            return
        cells = {}
        for c in self.layout.columns:
            if c["sum"] and "value" not in c:
                cells[c["key"]] = self.number(self.level1_sum(c["key"], codes))
        label = expand(s["label"], unit, {}) if unit else s["label"]
        cells[s["label_column"]] = label
        if s.get("code_column") and unit:
            cells[s["code_column"]] = (unit["department_code"] if kind == "department"
                                       else unit["unit_code"])
        self.rows.append(cells)

    def data_row(self, row, unit):
        cells = {}
        for c in self.layout.columns:
            if "value" in c:
                cells[c["key"]] = expand(c["value"], unit, row["values"])
            elif c["key"] == "unit_code":
                cells[c["key"]] = unit["unit_code"]
            elif c["numeric"]:
                cells[c["key"]] = self.number(row["values"][c["key"]])
            else:
                cells[c["key"]] = row["values"][c["key"]]
        return cells

    def merge(self, data_rows):
        """Clears the cells a vertical merge covers (consecutive rows with equal keys)."""
        for c in self.layout.columns:
            keys = c.get("merge_by")
            if not keys:
                continue
            start = 0
            while start < len(data_rows):
                row, cells = data_rows[start]
                end = start + 1
                while end < len(data_rows) and all(
                        data_rows[end][0]["unit"] == row["unit"] and
                        (k == "unit_code" or data_rows[end][0]["values"][k] == row["values"][k])
                        for k in keys):
                    data_rows[end][1][c["key"]] = None
                    end += 1
                if end - start > 1:  # the booklet prints it again on each page it spans
                    cells.setdefault(REPEATED, set()).add(c["key"])
                start = end

    def build_list(self):
        rows = [r for r in self.pkg.rows[self.layout.id] if r["unit"] in self.codes]
        self.summary_row("total", self.codes, None)
        if not rows:
            return
        departments = []
        for u in self.scope:
            if u["department_code"] not in departments:
                departments.append(u["department_code"])
        data_rows = []
        for d in departments:
            members = [u for u in self.scope if u["department_code"] == d]
            self.summary_row("department", [u["unit_code"] for u in members], members[0])
            for u in members:
                self.summary_row("unit", [u["unit_code"]], u)
                for r in rows:
                    if r["unit"] == u["unit_code"]:
                        cells = self.data_row(r, u)
                        data_rows.append((r, cells))
                        self.rows.append(cells)
        self.merge(data_rows)

    def query(self, text):
        """TABLE.COLUMN[filters] terms joined by + and -, over the scope."""
        total, sign = 0, 1
        for word in text.split():
            if word in "+-":
                sign = 1 if word == "+" else -1
                continue
            m = re.fullmatch(r"([^.\[]+)\.([^\[]+)(?:\[(.*)\])?", word)
            table, key, filters = m.group(1), m.group(2), m.group(3)
            if self.pkg.layouts[table].stub:
                total += sign * self.stub_values(self.pkg.layouts[table])[key]
                continue
            conditions = [f.split("=", 1) for f in filters.split(",")] if filters else []
            for r in self.pkg.rows[table]:
                if r["unit"] not in self.codes:
                    continue
                if not conditions and r["level"] != 1:
                    continue
                if all((str(r["level"]) if k == "level" else
                        r["unit"] if k == "unit_code" else r["values"][k]) == v
                       for k, v in conditions):
                    total += sign * (r["values"][key] or 0)
        return total

    def stub_values(self, layout):
        values = {}
        for item, source in layout.items:
            values[item] = self.query(source) if source else 0  # none supplied (no 1.csv)
        for name, expr in layout.derived:
            values[name] = self.evaluate(expr, values)
        return values

    @staticmethod
    def evaluate(expr, values):
        total, sign = 0, 1
        for word in expr.split():
            if word in "+-":
                sign = 1 if word == "+" else -1
            else:
                total += sign * values[word]
        return total

    def build_stub(self):
        values = self.stub_values(self.layout)
        for stub in self.layout.rows:
            cells = {}
            # a row is a list of cells, or {kind: total, cells: [...]}
            for c, cell in zip(self.layout.columns,
                               stub["cells"] if isinstance(stub, dict) else stub):
                if cell is None:
                    continue
                cell = str(cell)
                cells[c["key"]] = (self.number(self.evaluate(cell[1:], values))
                                   if cell.startswith("=") else cell)
            self.rows.append(cells)

    def figures(self):
        """Every figure in print order (a numeric cell as printed, and the figures inside text
        cells), and those of merged cells, which a booklet repeats on each page they span."""
        out, repeated = [], set()
        for cells in self.rows:
            for c in self.layout.columns:
                value = cells.get(c["key"])
                if value is None or value == "":
                    continue
                if c["numeric"] and isinstance(value, int):
                    found = [show(value, c["decimals"])]
                else:
                    found = text_figures(str(value), self.pkg.decimals)
                out += found
                if c["key"] in cells.get(REPEATED, ()):
                    repeated.update(found)
        return out, repeated


def expected_tables(pkg, scope, kind):
    """Table number -> (figures in print order, figures a booklet may repeat)."""
    tables = {}
    for layout in pkg.booklets[kind]:
        e = Expected(pkg, layout, scope)
        e.build_stub() if layout.stub else e.build_list()
        tables[layout.number] = e.figures()
    return tables


# ---- what the outputs print ---------------------------------------------------------------------

def workbook_tables(path, decimals):
    """Sheet name -> every figure row by row: numeric cells with their format's decimals, and
    the figures inside text cells."""
    tables = {}
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        figures = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if cell.data_type == "n" and not isinstance(cell.value, bool):
                    fmt = cell.number_format
                    places = len(fmt.partition(".")[2]) if "." in fmt else 0
                    # the cell holds value / 10^places as a double: back to a whole count
                    count = round(cell.value * 10 ** places)
                    if abs(count - cell.value * 10 ** places) > 1e-6 * max(1, abs(count)):
                        problem(f"{path}: {ws.title}!{cell.coordinate}: {cell.value!r} is not a "
                                f"whole number of its format '{fmt}'")
                    figures.append(show(count, places))
                else:
                    figures += text_figures(str(cell.value), decimals)
        tables[ws.title] = figures
    return tables


HEADING = re.compile(r"^\s*(公开表\S+)(\s+续表)?\s*$")


def booklet_tables(path, decimals):
    """Table number -> (every figure with the profile's decimals on the table's pages, the
    number of those pages)."""
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    tables = collections.defaultdict(lambda: ([], [0]))
    for page in text.split("\f"):
        lines = [line for line in page.splitlines() if line.strip()]
        m = HEADING.match(lines[0]) if lines else None
        if m:
            figures, pages = tables[m.group(1)]
            figures += text_figures("\n".join(lines[1:]), decimals)
            pages[0] += 1
    return tables


def booklet_problems(found, figures, repeated, pages, decimals):
    """What is wrong with a booklet's figures of a table against the figures it should print:
    every one, and no other, except a merged cell's repeated on the pages its rows run over."""
    want = collections.Counter(f for f in figures if len(f.partition(".")[2]) == decimals)
    have = collections.Counter(found)
    missing = want - have
    extra = have - want
    excused = all(f in repeated and n <= pages - 1 for f, n in extra.items())
    if not missing and (not extra or excused):
        return None
    return (f"missing {sorted(missing.elements())[:6]}, extra {sorted(extra.elements())[:6]}")


def compare(name, pkg, expected, pdf, xlsx):
    """One document: each table of the booklet, in the workbook (in order) and the PDF."""
    book = workbook_tables(xlsx, pkg.decimals)
    pages = booklet_tables(pdf, pkg.decimals)
    for number, (figures, repeated) in expected.items():
        in_book = book.get(number)
        if in_book is None:
            problem(f"{name}: {number}: no sheet in {os.path.basename(xlsx)}")
        elif in_book != figures:
            first = next((i for i, (a, b) in enumerate(zip(in_book, figures)) if a != b),
                         min(len(in_book), len(figures)))
            problem(f"{name}: {number}: workbook differs from the package at figure {first + 1}: "
                    f"found {in_book[first:first + 4]}, expected {figures[first:first + 4]} "
                    f"({len(in_book)} figures, expected {len(figures)})")
        found, page_count = pages.get(number, ([], [0]))
        wrong = booklet_problems(found, figures, repeated, page_count[0], pkg.decimals)
        if wrong:
            problem(f"{name}: {number}: booklet differs from the package: {wrong}")
        wrong = booklet_problems(found, in_book or [], repeated, page_count[0], pkg.decimals)
        if in_book is not None and wrong:
            problem(f"{name}: {number}: booklet differs from the workbook: {wrong}")
    extra = sorted(set(pages) - set(expected))
    if extra:
        problem(f"{name}: tables in the booklet that its profile does not list: {extra}")


def main(argv):
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    pkg = Package(argv[1], argv[3])
    out = argv[2]
    manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    on_disk = set(f for f in os.listdir(out) if not f.startswith("manifest"))
    accounted = set()
    compared = collections.Counter()
    injected = {r["unit_code"]: r["fault"]
                for r in read_csv(os.path.join(pkg.path, "injected.csv"))}
    for record in manifest["units"]:
        if record["kind"] == "unit" and record["code"] in injected and record["status"] == "ok":
            problem(f"{record['code']}: exported despite its injected fault "
                    f"{injected[record['code']]}")
        code = record["code"]
        mine = sorted(f for f in on_disk if f.startswith(code + "_"))
        if record["status"] != "ok":
            if mine:
                problem(f"{code}: failed ({record.get('error', '')}) but left {mine}")
            continue
        files = [o["file"] for o in record["outputs"]]
        accounted.update(files)
        pdf = [os.path.join(out, f) for f in files if f.endswith(".pdf")]
        xlsx = [os.path.join(out, f) for f in files if f.endswith(".xlsx")]
        if len(pdf) != 1 or len(xlsx) != 1 or not all(f in on_disk for f in files):
            problem(f"{code}: exported, expected a booklet and a workbook, found {mine}")
            continue
        if record["kind"] == "department":
            scope = [u for u in pkg.units if u["department_code"] == code]
            kind = "department"
        else:
            scope = [u for u in pkg.units if u["unit_code"] == code]
            kind = scope[0]["booklet"]
        bad = sorted(pkg.unreadable & {u["unit_code"] for u in scope})
        if bad:
            problem(f"{code}: exported although the data of {bad} does not parse")
            continue
        expected = expected_tables(pkg, scope, kind)
        compare(code, pkg, expected, pdf[0], xlsx[0])
        compared[record["kind"]] += 1
        compared["tables"] += len(expected)
    stray = sorted(on_disk - accounted)
    if stray:
        problem(f"files no exported unit accounts for: {stray}")
    print(f"{compared['unit']} unit and {compared['department']} department documents, "
          f"{compared['tables']} tables compared, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
