#!/usr/bin/python3
"""Check an exported XLSX workbook against the tables transcribed from the reference booklet.

Usage: check_workbook.py WORKBOOK.xlsx reference_tables.json

Runs with Debian's /usr/bin/python3 and python3-openpyxl. Prints one line per problem, then
"N passed, M failed" (counting sheets); exits 0 when every sheet passes, 1 otherwise, 2 on a
usage error or a malformed reference file.

reference_tables.json holds "unit_name", "amount_unit_text" and "sheets", an ordered object
from sheet name to its expectations:

  title             text of A1, which must be merged across the table's columns (A1:<last>1)
  not_supplied      the wording of a table the package does not supply (the reference booklet
                    does not publish it): the title, then below the header_rows a single row,
                    this wording merged across the columns, and no number anywhere
  columns           number of columns of the table
  header_rows       number of header rows, from row 3; the body starts below them
  header_merges     merged ranges of the header rows (all of them: any other merge that starts
                    in a header row is an error)
  non_amount_columns  columns holding numbers that are not amounts (indicator values, weights,
                    quantities): a numeric cell there is compared as text ("99"), not as an amount
  rows              the body rows in print order, each:
    label           a whole cell value of the row; null: the row has no text cell at all
    numbers         every amount of the row, left to right, as printed ("294.28")
    number_columns  the column of each amount
    texts           {column: text} every text cell of the row (codes, names, stubs); a label
                    that is not among them may sit in any column
    text_prefixes   {column: text} cells that must start with the given text

Every amount must be a numeric cell (data type 'n') with number format 0.00 and a whole number
of cents; a text cell that looks like an amount is an error anywhere in a checked sheet. Each
expected row must match a sheet row after the previous match; a non-empty body row that no
expected row accounts for is an error.
"""

import json
import re
import sys

try:
    import openpyxl
    from openpyxl.utils import get_column_letter, column_index_from_string
    from openpyxl.utils.cell import range_boundaries
except ImportError as e:  # pragma: no cover
    sys.stderr.write("check_workbook.py: needs python3-openpyxl: %s\n" % e)
    sys.exit(2)

AMOUNT_FORMAT = "0.00"
AMOUNT_STRING = re.compile(r"^-?\d+\.\d{2}$")
# A text cell that looks like a decimal amount (or a number with thousands separators).
LOOKS_LIKE_AMOUNT = re.compile(
    r"^\s*[-+]?(\d[\d,]*)?\.\d+\s*$|^\s*[-+]?\d{1,3}(,\d{3})+(\.\d+)?\s*$")


class BadReference(Exception):
    pass


def cents_of(text):
    """Integer cents of an amount string as printed ("294.28" -> 29428)."""
    if not isinstance(text, str) or not AMOUNT_STRING.match(text):
        raise BadReference("bad amount string %r" % (text,))
    neg = text.startswith("-")
    whole, frac = text.lstrip("-").split(".")
    c = int(whole) * 100 + int(frac)
    return -c if neg else c


def show_value(v):
    """An amount cell's value as text: 2 decimals when it is a whole number of cents."""
    c = v * 100
    if abs(c - round(c)) < 1e-6:
        c = int(round(c))
        return "%s%d.%02d" % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)
    return repr(v)


def number_as_text(v):
    """A non-amount number (indicator value, weight, quantity) as it would be printed."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def check_reference(ref):
    """Validate the shape of reference_tables.json; raises BadReference."""
    for key in ("unit_name", "amount_unit_text", "sheets"):
        if key not in ref:
            raise BadReference("missing top-level key %r" % key)
    if not isinstance(ref["sheets"], dict) or not ref["sheets"]:
        raise BadReference("'sheets' must be a non-empty object")
    for name, sh in ref["sheets"].items():
        if not isinstance(sh.get("title"), str) or not sh["title"]:
            raise BadReference("%s: missing title" % name)
        needed = ("columns", "header_rows", "header_merges", "rows")
        if "not_supplied" in sh:
            needed = ("columns", "header_rows")
        for key in needed:
            if key not in sh:
                raise BadReference("%s: missing %r" % (name, key))
        if "not_supplied" in sh:
            continue
        for m in sh["header_merges"]:
            range_boundaries(m)
        for i, row in enumerate(sh["rows"]):
            where = "%s: row %d" % (name, i + 1)
            if "label" not in row or "numbers" not in row:
                raise BadReference("%s: needs label and numbers" % where)
            nums = row["numbers"]
            cols = row.get("number_columns")
            for n in nums:
                cents_of(n)
            if cols is not None and len(cols) != len(nums):
                raise BadReference("%s: number_columns and numbers differ in length" % where)
            for c in list(cols or []) + list(row.get("texts", {})) + list(row.get("text_prefixes", {})):
                if column_index_from_string(c) > sh["columns"]:
                    raise BadReference("%s: column %s beyond the table's %d columns"
                                       % (where, c, sh["columns"]))


class SheetRow:
    """The cells of one sheet row, sorted into texts, amounts and oddities."""

    def __init__(self, ws, r, non_amount):
        self.r = r
        self.texts = {}      # column letter -> text
        self.amounts = []    # (column letter, value, number_format, coordinate)
        self.odd = []        # problems with single cells (formulas, dates, errors)
        for cell in ws[r]:
            v = cell.value
            if v is None:
                continue
            col = get_column_letter(cell.column)
            t = cell.data_type
            if t == "s" or (t == "inlineStr"):
                if str(v) == "":
                    continue
                self.texts[col] = str(v)
            elif t == "n" and isinstance(v, (int, float)) and not isinstance(v, bool):
                if col in non_amount:
                    self.texts[col] = number_as_text(v)
                else:
                    self.amounts.append((col, v, cell.number_format, cell.coordinate))
            elif t == "f":
                self.odd.append("cell %s holds a formula %r, expected a value" % (cell.coordinate, v))
            else:
                self.odd.append("cell %s has data type %r (value %r)" % (cell.coordinate, t, v))
        self.amounts.sort(key=lambda a: column_index_from_string(a[0]))

    def empty(self):
        return not self.texts and not self.amounts and not self.odd

    def describe(self):
        cells = [(c, t) for c, t in self.texts.items()] + [(a[0], show_value(a[1])) for a in self.amounts]
        cells.sort(key=lambda x: column_index_from_string(x[0]))
        return "[" + ", ".join("%s=%r" % c for c in cells) + "]"


def label_of(exp):
    return "(blank label)" if exp["label"] is None else exp["label"]


def label_matches(exp, row):
    if exp["label"] is None:
        return not row.texts
    return exp["label"] in row.texts.values()


def texts_match(exp, row):
    for col, text in exp.get("texts", {}).items():
        if row.texts.get(col) != text:
            return False
    for col, prefix in exp.get("text_prefixes", {}).items():
        if not row.texts.get(col, "").startswith(prefix):
            return False
    return True


def row_problems(exp, row):
    """Every difference between an expected row and a sheet row (empty: they match)."""
    probs = []
    texts = exp.get("texts", {})
    prefixes = exp.get("text_prefixes", {})
    label = exp["label"]
    if label is None:
        if row.texts:
            probs.append("expected no text cells, found %s" % sorted(row.texts.items()))
    elif label not in row.texts.values():
        probs.append("label not found in the row")
    for col, text in texts.items():
        found = row.texts.get(col)
        if found != text:
            probs.append("column %s: expected text %r, found %s"
                         % (col, text, "blank" if found is None else repr(found)))
    for col, prefix in prefixes.items():
        found = row.texts.get(col)
        if found is None or not found.startswith(prefix):
            probs.append("column %s: expected text starting %r, found %s"
                         % (col, prefix, "blank" if found is None else repr(found)))
    label_free = label is not None and label not in texts.values()
    for col, text in sorted(row.texts.items(), key=lambda x: column_index_from_string(x[0])):
        if col in texts or col in prefixes:
            continue
        if label_free and text == label:
            label_free = False  # the label, in a column the reference does not pin
            continue
        if label is None:
            continue  # already reported above
        probs.append("column %s: unexpected text %r" % (col, text))
    want = [cents_of(n) for n in exp["numbers"]]
    got_values = [a[1] for a in row.amounts]
    got_shown = [show_value(v) for v in got_values]
    got = []
    whole = True
    for v in got_values:
        c = v * 100
        if abs(c - round(c)) > 1e-6:
            whole = False
        got.append(int(round(c)))
    if got != want or not whole:
        probs.append("expected numbers %s, found %s" % (exp["numbers"], got_shown))
    elif exp.get("number_columns") is not None:
        got_cols = [a[0] for a in row.amounts]
        if got_cols != list(exp["number_columns"]):
            probs.append("numbers %s expected in columns %s, found in columns %s"
                         % (exp["numbers"], exp["number_columns"], got_cols))
    for col, v, fmt, coord in row.amounts:
        if fmt != AMOUNT_FORMAT:
            probs.append("cell %s (%s) has number format %r, expected %r"
                         % (coord, show_value(v), fmt, AMOUNT_FORMAT))
    probs.extend(row.odd)
    return probs


def merged_ranges(ws):
    return {str(m) for m in ws.merged_cells.ranges}


def check_title(ws, sh, ncols, problems):
    a1 = ws["A1"].value
    if a1 != sh["title"]:
        problems.append("A1: expected title %r, found %r" % (sh["title"], a1))
    want = "A1:%s1" % get_column_letter(ncols)
    merges = merged_ranges(ws)
    if want not in merges:
        row1 = sorted(m for m in merges if range_boundaries(m)[1] == 1)
        problems.append("title not merged across the table: expected %s, row-1 merges %s" % (want, row1))


def check_not_supplied(ws, sh, problems):
    """A table not supplied: its title, header, and only the wording, merged across."""
    ncols = sh["columns"]
    check_title(ws, sh, ncols, problems)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if cell.data_type == "n" and cell.value is not None:
                problems.append("cell %s: number %r in a table not supplied"
                                % (cell.coordinate, cell.value))
    body_start = 3 + sh["header_rows"]
    filled = [r for r in (SheetRow(ws, r, set()) for r in range(body_start, ws.max_row + 1))
              if not r.empty()]
    if len(filled) != 1 or filled[0].texts != {"A": sh["not_supplied"]}:
        problems.append("body: expected the single row %r, found %s"
                        % (sh["not_supplied"], [r.describe() for r in filled]))
        return
    r = filled[0].r
    want = "A%d:%s%d" % (r, get_column_letter(ncols), r)
    if want not in merged_ranges(ws):
        problems.append("the wording is not merged across the table: expected %s" % want)


def check_sheet(ws, sh, ref):
    problems = []
    if "not_supplied" in sh:
        check_not_supplied(ws, sh, problems)
        return problems

    ncols = sh["columns"]
    hrows = sh["header_rows"]
    body_start = 3 + hrows
    non_amount = set(sh.get("non_amount_columns", []))
    check_title(ws, sh, ncols, problems)

    # Row 2: 单位：<unit> in A2, the amount unit in the last column.
    unit_line = "单位：" + ref["unit_name"]
    if ws["A2"].value != unit_line:
        problems.append("A2: expected %r, found %r" % (unit_line, ws["A2"].value))
    amount_unit = ref["amount_unit_text"]
    at = [c for c in ws[2] if c.value == amount_unit]
    if not at:
        problems.append("row 2: %r not found (row 2 holds %r)"
                        % (amount_unit, [c.value for c in ws[2] if c.value is not None]))
    else:
        last = ncols
        ok = False
        for c in at:
            if c.column == last:
                ok = True
            for m in ws.merged_cells.ranges:
                if m.min_row <= 2 <= m.max_row and m.min_col == c.column and m.min_col <= last <= m.max_col:
                    ok = True
        if not ok:
            problems.append("row 2: %r is in column %s, expected in the last column %s"
                            % (amount_unit, get_column_letter(at[0].column), get_column_letter(last)))

    # Header merges: every expected one present, and no other merge starting in a header row.
    merges = merged_ranges(ws)
    for m in sh["header_merges"]:
        if m not in merges:
            problems.append("header merge %s missing" % m)
    expected = set(sh["header_merges"])
    for m in sorted(merges):
        min_col, min_row, max_col, max_row = range_boundaries(m)
        if 3 <= min_row < body_start and m not in expected:
            problems.append("unexpected header merge %s" % m)
        if min_row < body_start <= max_row:
            problems.append("merge %s runs from the header into the body" % m)

    # No amount stored as text anywhere; no numbers in the title, unit line or header.
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            v = cell.value
            if isinstance(v, str) and LOOKS_LIKE_AMOUNT.match(v):
                problems.append("cell %s: number stored as text %r" % (cell.coordinate, v))
            elif (cell.row < body_start and cell.data_type == "n" and v is not None
                  and not isinstance(v, bool)):
                problems.append("cell %s: number %r in the title/header rows" % (cell.coordinate, v))

    # Body rows, in order.
    rows = [SheetRow(ws, r, non_amount) for r in range(body_start, ws.max_row + 1)]
    accounted = set()
    cursor = 0  # index into rows of the first row still free to match
    for exp in sh["rows"]:
        name = label_of(exp)
        found = None
        for i in range(cursor, len(rows)):
            if label_matches(exp, rows[i]) and not row_problems(exp, rows[i]):
                found = i
                break
        if found is not None:
            accounted.add(found)
            cursor = found + 1
            continue
        cand = None
        for test in (lambda r: label_matches(exp, r) and texts_match(exp, r) and (exp["label"] is not None or r.amounts),
                     lambda r: label_matches(exp, r) and (exp["label"] is not None or r.amounts)):
            for i in range(cursor, len(rows)):
                if test(rows[i]):
                    cand = i
                    break
            if cand is not None:
                break
        if cand is None:
            after = rows[cursor - 1].r if cursor > 0 else body_start - 1
            problems.append("row %r: not found after sheet row %d (expected numbers %s)"
                            % (name, after, exp["numbers"]))
            continue
        for p in row_problems(exp, rows[cand]):
            problems.append("row %r (sheet row %d): %s" % (name, rows[cand].r, p))
        accounted.add(cand)
        cursor = cand + 1
    for i, row in enumerate(rows):
        if i not in accounted and not row.empty():
            problems.append("sheet row %d: unexpected row %s" % (row.r, row.describe()))
            problems.extend("sheet row %d: %s" % (row.r, p) for p in row.odd)
    return problems


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check_workbook.py WORKBOOK.xlsx reference_tables.json\n")
        return 2
    try:
        with open(argv[2], encoding="utf-8") as f:
            ref = json.load(f)
        check_reference(ref)
    except (OSError, ValueError, BadReference) as e:
        sys.stderr.write("check_workbook.py: %s: %s\n" % (argv[2], e))
        return 2
    names = list(ref["sheets"])
    try:
        wb = openpyxl.load_workbook(argv[1])
    except Exception as e:  # any reason the workbook cannot be read is a failure
        print("%s: cannot open workbook: %s" % (argv[1], e))
        print("0 passed, %d failed" % len(names))
        return 1

    passed = failed = 0
    present = [n for n in wb.sheetnames if n in ref["sheets"]]
    order = [n for n in names if n in wb.sheetnames]
    for n in wb.sheetnames:
        if n not in ref["sheets"]:
            print("%s: unexpected sheet" % n)
            failed += 1
    for name in names:
        sh = ref["sheets"][name]
        if name not in wb.sheetnames:
            problems = ["sheet missing"]
        else:
            problems = []
            if present.index(name) != order.index(name):
                problems.append("sheet out of order: at position %d of the workbook, expected after %s"
                                % (wb.sheetnames.index(name) + 1,
                                   repr(names[names.index(name) - 1]) if names.index(name) else "nothing"))
            problems += check_sheet(wb[name], sh, ref)
        for p in problems:
            print("%s: %s" % (name, p))
        if problems:
            failed += 1
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
