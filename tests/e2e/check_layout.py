#!/usr/bin/python3
"""Reads back how a unit's tables are laid out, as a reader of the print sees them.

Usage: check_layout.py BOOKLET.pdf WORKBOOK.xlsx [LIBREOFFICE_PDF]

  terms   Every body cell of the workbook whose text is a short term (up to 6 characters:
          效益指标, 社会效益指标, 正向指标) is printed whole on one line of the booklet's pages of
          that table (pdftotext -raw), and so is every number.
  scale   Every sheet of the workbook prints at 75 % or more on A4 in its orientation.
          LIBREOFFICE_PDF is the workbook printed by LibreOffice (soffice --convert-to pdf);
          on each sheet's first page the table's printed width (from 单位：… at its left edge to
          金额单位：… at its right) is compared with the sum of the sheet's column widths.

Prints one line per problem, then "terms: N checked", "scale: min P%" and "N failed".
"""

import re
import subprocess
import sys

import openpyxl

SHORT_TERM = 6
MIN_SCALE = 0.75
# Excel's column width unit: characters of the default font's digit (7 px), plus 5 px of
# padding, at 96 px per inch; stored widths already include the padding
POINTS_PER_WIDTH_UNIT = 7 * 72 / 96

failures = []


def fail(text):
    failures.append(text)
    print(text)


def pdftotext(path, *args):
    return subprocess.run(["pdftotext", *args, path, "-"], check=True, capture_output=True,
                          text=True).stdout


def table_pages(booklet):
    """Maps each table number (公开表3-1) to the raw text of its pages."""
    pages = pdftotext(booklet, "-raw").split("\f")
    tables = {}
    for page in pages:
        # the folio may come first in the text's order
        for line in page.strip().split("\n")[:2]:
            m = re.match(r"(公开表[0-9-]+)( 续表)?$", line)
            if m:
                tables.setdefault(m.group(1), []).append(page)
                break
    return tables


def header_rows(ws):
    """Rows 1-2 are the title and the 单位 line; the header ends at the first body row, the first
    row whose merged or plain cells are not all bold."""
    row = 3
    while row <= ws.max_row and any(c.font and c.font.b for c in ws[row] if c.value is not None):
        row += 1
    return row


def check_terms(booklet, wb):
    pages = table_pages(booklet)
    checked = 0
    for ws in wb.worksheets:
        text = "\n".join(pages.get(ws.title, []))
        if not text:
            fail(f"{ws.title}: no page of the booklet shows this table")
            continue
        lines = set(text.split("\n"))
        for row in ws.iter_rows(min_row=header_rows(ws)):
            for cell in row:
                value = cell.value
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    term = cell.number_format.count("0") and f"{value:.{decimals(cell)}f}"
                elif isinstance(value, str) and 0 < len(value.strip()) <= SHORT_TERM:
                    term = value.strip()
                else:
                    continue
                if not term:
                    continue
                checked += 1
                if not any(term in line for line in lines):
                    fail(f"{ws.title}!{cell.coordinate}: '{term}' is broken across lines")
    print(f"terms: {checked} checked")


def decimals(cell):
    m = re.search(r"0\.(0+)", cell.number_format)
    return len(m.group(1)) if m else 0


def sheet_width_points(ws):
    total = 0.0
    for col in range(1, ws.max_column + 1):
        letter = openpyxl.utils.get_column_letter(col)
        width = ws.column_dimensions[letter].width if letter in ws.column_dimensions else 8.43
        total += width * POINTS_PER_WIDTH_UNIT
    return total


def first_page_widths(printed):
    """The printed width of the table on each sheet's first page: from the left edge of 单位：…
    to the right edge of 金额单位：…, on the same line."""
    widths = []
    out = pdftotext(printed, "-bbox")
    for page in out.split("<page ")[1:]:
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                           page)
        amount = [w for w in words if w[4].startswith("金额单位")]
        if not amount:
            continue
        y = float(amount[0][1])
        same_line = [w for w in words if abs(float(w[1]) - y) < 1.0]
        left = min(float(w[0]) for w in same_line)
        right = max(float(w[2]) for w in same_line)
        widths.append(right - left)
    return widths


def check_scale(wb, printed):
    widths = first_page_widths(printed)
    if len(widths) != len(wb.worksheets):
        fail(f"LibreOffice printed {len(widths)} tables, the workbook has {len(wb.worksheets)}")
        return
    lowest = 1.0
    for ws, width in zip(wb.worksheets, widths):
        # the two texts sit inside the outer cells: allow their padding (a few points)
        scale = min(1.0, (width + 8) / sheet_width_points(ws))
        print(f"{ws.title}: table {width + 8:.0f} pt printed of {sheet_width_points(ws):.0f} pt")
        lowest = min(lowest, scale)
        if scale < MIN_SCALE:
            fail(f"{ws.title}: prints at {scale:.0%}, below {MIN_SCALE:.0%}")
    print(f"scale: min {lowest:.0%}")


def main(argv):
    booklet, workbook = argv[1], argv[2]
    wb = openpyxl.load_workbook(workbook)
    check_terms(booklet, wb)
    if len(argv) > 3:
        check_scale(wb, argv[3])
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
