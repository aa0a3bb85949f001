#!/usr/bin/python3
"""Reads cells of an exported workbook back: each must be a number with the given format.

Usage: check_cells.py WORKBOOK.xlsx NUMBER_FORMAT SPEC...

Each SPEC is TITLE|LABEL|VALUE: the sheet whose first row holds the text TITLE, the first row
of it holding a number and a text cell equal to LABEL (empty: any text), and in that row a cell holding the number VALUE (compared exactly, as a decimal),
stored as a number (data type 'n', not text) with number format NUMBER_FORMAT.
Prints one line per SPEC not met, then "N passed, M failed"; exits 0 when M is 0, 1
otherwise, 2 on a usage error. Runs with Debian's /usr/bin/python3 and python3-openpyxl.
"""

import sys
from decimal import Decimal

try:
    import openpyxl
except ImportError as e:  # pragma: no cover
    sys.stderr.write("check_cells.py: needs python3-openpyxl: %s\n" % e)
    sys.exit(2)


def sheet_titled(book, title):
    for sheet in book.worksheets:
        if any(cell.value == title for cell in next(sheet.iter_rows(max_row=1), ())):
            return sheet
    return None


def row_labelled(sheet, label):
    """The first row holding a number and (unless label is empty) the text label: a header
    row holds no number, so a label that is also a header text (合计) finds the body row."""
    for row in sheet.iter_rows(min_row=2):
        if not any(cell.data_type == "n" and cell.value is not None for cell in row):
            continue
        if not label or any(cell.data_type == "s" and cell.value == label for cell in row):
            return row
    return None


def problem(book, number_format, spec):
    """What is wrong with one SPEC, or None."""
    parts = spec.split("|")
    if len(parts) != 3:
        return "bad spec (expected TITLE|LABEL|VALUE)"
    title, label, value = parts
    sheet = sheet_titled(book, title)
    if sheet is None:
        return "no sheet titled %s" % title
    row = row_labelled(sheet, label)
    if row is None:
        return "%s: no row %s" % (sheet.title, label or "with a number")
    want = Decimal(value)
    for cell in row:
        if cell.value is None or cell.data_type != "n":
            continue
        if Decimal(str(cell.value)).quantize(Decimal("0.01")) == want:
            if cell.number_format != number_format:
                return "%s!%s: format %s, expected %s" % (sheet.title, cell.coordinate,
                                                         cell.number_format, number_format)
            return None
    texts = [str(c.value) for c in row if c.value is not None]
    return "%s: row %s holds no number %s (found %s)" % (sheet.title, label, value, texts)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    book = openpyxl.load_workbook(argv[1])
    failed = 0
    for spec in argv[3:]:
        found = problem(book, argv[2], spec)
        if found:
            failed += 1
            print("%s: %s" % (spec, found))
    print("%d passed, %d failed" % (len(argv) - 3 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
