"""The rows under 公开表3-3's header cell that spans rows 2–3 (因公出国（境）费用, made long by the
case) are together as tall as its wrapped text: the cell's lines (10 pt characters, one em each, in
its column's width less 3 pt of padding each side) at 14.25 pt a line."""
import glob
import math
import sys

import openpyxl

ws = openpyxl.load_workbook(glob.glob("out/*.xlsx")[0])["公开表3-3"]
cell = next(c for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("因公出国"))
span = next(r for r in ws.merged_cells.ranges if cell.coordinate in r)
assert span.max_row > span.min_row, span  # it spans rows
points = ws.column_dimensions[cell.column_letter].width * 7 + 5  # pixels
points = points * 72 / 96
lines = math.ceil(len(cell.value) * 10 / (points - 6))
needed = lines * 14.25
heights = [ws.row_dimensions[r].height for r in range(span.min_row, span.max_row + 1)]
print(span, cell.value, lines, needed, heights)
sys.exit(0 if sum(heights) >= needed else 1)
