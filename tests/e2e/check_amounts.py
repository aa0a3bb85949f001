#!/usr/bin/python3
"""Checks that a booklet and a workbook print no amount the reference booklet lacks.

Usage: check_amounts.py BOOKLET.pdf WORKBOOK.xlsx reference_amounts.txt

A sample named after a real unit carries only what that unit published: an amount in its
booklet (pdftotext) or workbook (openpyxl) that the published booklet does not print was made
up. reference_amounts.txt lists every amount of the published booklet (made once by
extract_reference_amounts.py). Amounts are compared as values (127.8 = 127.80).

In text, an amount is a number with a decimal point not followed by %, or a whole number
followed by 万元; in the workbook, every numeric cell with two decimals (number format 0.00).
Prints one line per amount not in the reference, then "N amounts, M not in the reference";
exits 0 when M is 0, 1 otherwise, 2 on a usage error.
"""

import re
import subprocess
import sys

# a decimal number, or a whole one before 万元; not a part of a longer number or a percentage
AMOUNT = re.compile(r"(?<![\d.])(-?\d+(?:,\d{3})*(?:\.\d+|(?=\s*万\s*元)))(?![\d.]|\s*[%％])")


def cents(number):
    whole, _, frac = number.replace(",", "").partition(".")
    frac = (frac + "00")[:2] if len(frac.rstrip("0")) <= 2 else None
    if frac is None:  # more than two significant decimals: keep it distinct from any amount
        return number
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(frac))


def amounts_in(text):
    """The amounts of a text, as cents."""
    return {cents(m.group(1)) for m in AMOUNT.finditer(text)}


def workbook_amounts(path):
    import openpyxl
    found = {}
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) \
                        and cell.number_format == "0.00":
                    found.setdefault(round(cell.value * 100), "%s!%s" % (ws.title, cell.coordinate))
                elif isinstance(cell.value, str):
                    for c in amounts_in(cell.value):
                        found.setdefault(c, "%s!%s" % (ws.title, cell.coordinate))
    return found


def booklet_amounts(path):
    text = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                          capture_output=True, text=True).stdout
    found = {}
    for number, page in ((m.group(1), text.count("\f", 0, m.start()) + 1)
                         for m in AMOUNT.finditer(text)):
        found.setdefault(cents(number), "page %d" % page)
    return found


def show(c):
    return c if isinstance(c, str) else "%s%d.%02d" % ("-" if c < 0 else "", *divmod(abs(c), 100))


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[3], encoding="utf-8") as f:
        reference = {cents(line.strip()) for line in f
                     if line.strip() and not line.startswith("#")}
    checked, missing = 0, 0
    for what, found in (("booklet", booklet_amounts(sys.argv[1])),
                        ("workbook", workbook_amounts(sys.argv[2]))):
        for c, where in sorted(found.items(), key=lambda kv: str(kv[0])):
            checked += 1
            if c not in reference:
                missing += 1
                print("%s: %s (%s) is not in the reference booklet" % (what, show(c), where))
    print("%d amounts, %d not in the reference" % (checked, missing))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
