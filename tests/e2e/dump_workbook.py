#!/usr/bin/env python3
"""Prints a workbook's sheets as lines a test can search: `sheet NAME`, then `merge A1:D1` for
every merged range (sorted) and `cell B5 100` for every cell that holds a value (numbers as
Python prints them). Usage: dump_workbook.py FILE.xlsx"""
import sys

import openpyxl


def main():
    workbook = openpyxl.load_workbook(sys.argv[1])
    for sheet in workbook:
        print(f"sheet {sheet.title}")
        for merged in sorted(str(r) for r in sheet.merged_cells.ranges):
            print(f"merge {merged}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    print(f"cell {cell.coordinate} {cell.value}")


if __name__ == "__main__":
    main()
