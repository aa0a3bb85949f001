#!/usr/bin/python3
"""A peer exporter for benchmarks: the same booklet and workbook as `gongkai export`, written
the way a Python programmer would, with reportlab (PDF) and XlsxWriter (XLSX).

    peer_export.py PACKAGE -o OUTDIR [--fonts DIR] [--layouts DIR]

For every unit of PACKAGE (docs/package.md) it reads units.csv, tables/ID.csv and
tables/CODE/ID.csv, narrative/CODE/*.md, prior.csv and not_supplied.csv, takes titles,
headers, widths, computed rows and fixed rows from the unit's profile (layouts/PROFILE/*.yaml),
and writes OUTDIR/CODE_NAME_YEAR.pdf (cover, 目录, the four parts: the narrative with its
placeholders filled, every table with its 合计/department/unit rows; the two CJK faces embedded
as subsets) and OUTDIR/CODE_NAME_YEAR.xlsx (one sheet per table, merged headers, amounts as
numbers). It prints nothing. It runs no rule checks and does not read its outputs back, so it
does less than gongkai does.

Fonts: gongkai's prepared faces, BUILD/fonts/song.ttf and hei.ttf (default: build-bench/fonts).
Needs Debian's python3-reportlab, python3-xlsxwriter and python3-yaml, run with /usr/bin/python3:
    apt-get install -y python3-reportlab python3-xlsxwriter python3-yaml
"""

import argparse
import csv
import os
import re
import sys
from decimal import Decimal

try:
    import yaml
    import xlsxwriter
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (BaseDocTemplate, Frame, NextPageTemplate, PageBreak,
                                    PageTemplate, Paragraph, Spacer, Table, TableStyle)
    from reportlab.platypus.tableofcontents import TableOfContents
except ImportError as missing:
    sys.exit(f"peer_export.py: {missing}: apt-get install -y python3-reportlab "
             "python3-xlsxwriter python3-yaml, and run it with /usr/bin/python3")

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.."))

# ---- the package ----------------------------------------------------------------------------


def read_csv(path):
    """Rows of a CSV as dicts; a missing file has none. UTF-8, else GB18030 (docs/package.md)."""
    if not os.path.exists(path):
        return []
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [row for row in csv.DictReader(text.splitlines()) if any(row.values())]


def cents(text):
    """An amount '1,234.50' as a whole number of its last decimal; blank is 0."""
    text = (text or "").replace(",", "").strip()
    return int(Decimal(text) * 100) if text else 0


def load_unit(package, unit, profile):
    """The unit's rows per table (shared file and its own folder), prior figures, narrative."""
    code = unit["unit_code"]
    tables = {}
    for table_id in profile["tables"]:
        rows = [r for r in read_csv(f"{package}/tables/{table_id}.csv") if r["unit_code"] == code]
        rows += read_csv(f"{package}/tables/{code}/{table_id}.csv")
        tables[table_id] = rows
    not_supplied = {r["table"] for r in read_csv(f"{package}/not_supplied.csv")
                    if r["unit_code"] == code}
    prior = {r["key"]: cents(r["amount"]) for r in read_csv(f"{package}/prior.csv")
             if r["unit_code"] == code}
    narrative = {}
    for part in profile["booklet"]["parts"]:
        path = f"{package}/narrative/{code}/{part.get('narrative')}.md"
        if part.get("narrative") and os.path.exists(path):
            narrative[part["narrative"]] = open(path, encoding="utf-8").read()
    return {"unit": unit, "tables": tables, "not_supplied": not_supplied, "prior": prior,
            "narrative": narrative, "year": int(unit["year"])}


def read_yaml(path):
    """With libyaml (PyYAML's C loader), as gongkai reads its profiles."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_profile(layouts, name):
    folder = os.path.join(layouts, name)
    booklet = read_yaml(os.path.join(folder, "booklet.yaml"))
    ids = booklet["booklets"]["unit"]["tables"]
    tables = {}
    for table_id in map(str, ids):
        layout = read_yaml(os.path.join(folder, f"{table_id}.yaml"))
        tables[table_id] = dict(layout, id=table_id)  # YAML reads `id: 1` as a number
    return {"booklet": booklet, "tables": tables}


# ---- figures: fixed-row items and narrative queries -------------------------------------------


def is_fixed(layout):
    return "items" in layout


def query_rows(data, table_id, column, filters):
    """Sum of COLUMN over the unit's rows of TABLE matching FILTERS (level 1 unless named)."""
    filters = dict(filters)
    filters.setdefault("level", "1")
    total = 0
    for row in filled_rows(data, table_id):
        if all((row.get(k) or ("1" if k == "level" else "")) == v for k, v in filters.items()):
            total += cents(row.get(column))
    return total


def evaluate(data, profile, query):
    """'prior.total', '2.out.year.total', '1-2.total[class=208,level=1]' -> cents."""
    table_id, rest = query.split(".", 1)
    if table_id == "prior":
        return data["prior"].get(rest, 0)
    if is_fixed(profile["tables"][table_id]):
        return fixed_values(data, profile, table_id)[rest]
    match = re.fullmatch(r"([\w]+)(?:\[(.*)\])?", rest)
    filters = [f.split("=", 1) for f in match.group(2).split(",")] if match.group(2) else []
    return query_rows(data, table_id, match.group(1), filters)


def fixed_values(data, profile, table_id):
    """Items (derived from detail tables, else supplied) and derived sums of a fixed-row table."""
    cache = data.setdefault("fixed", {})
    if table_id in cache:
        return cache[table_id]
    layout = profile["tables"][table_id]
    supplied = {r["item"]: cents(r["amount"]) for r in data["tables"].get(table_id, [])}
    values = {}
    for item in layout["items"]:
        if isinstance(item, dict):
            values[item["id"]] = evaluate(data, profile, item["from"])
        else:
            values[item] = supplied.get(item, 0)
    for name, expression in (layout.get("derived") or {}).items():
        values[name] = sum(values[term.strip()] for term in expression.split("+"))
    cache[table_id] = values
    return values


def fixed_not_supplied(data, layout):
    sources = {i["from"].split(".", 1)[0] for i in layout["items"] if isinstance(i, dict)}
    return bool(sources & data["not_supplied"]) or layout["id"] in data["not_supplied"]


# ---- tables as grids of cells, shared by the PDF and the workbook -------------------------------


def leaves_of(columns):
    out = []
    for column in columns:
        out += leaves_of(column["columns"]) if "columns" in column else [column]
    return out


def depth_of(columns):
    return max(1 + depth_of(c["columns"]) if "columns" in c else 1 for c in columns)


def header_cells(columns, depth, row=0, first=0):
    """[(row, col, last_row, last_col, text)]: a group spans its leaves, a leaf spans down."""
    cells = []
    for column in columns:
        if "columns" in column:
            width = len(leaves_of(column["columns"]))
            cells.append((row, first, row, first + width - 1, column["header"]))
            cells += header_cells(column["columns"], depth, row + 1, first)
        else:
            width = 1
            cells.append((row, first, depth - 1, first, column["header"]))
        first += width
    return cells


def fill_template(template, values):
    return re.sub(r"\{([\w.]+)\}", lambda m: str(values.get(m.group(1), "")), template)


def filled_rows(data, table_id):
    """The unit's rows with fill_down columns filled from the row above."""
    cache = data.setdefault("filled", {})
    if table_id not in cache:
        keys = [c["key"] for c in leaves_of(data["layouts"][table_id]["columns"])
                if c.get("fill_down")] if table_id in data["layouts"] else []
        rows, above = [], {}
        for row in data["tables"].get(table_id, []):
            row = dict(row)
            for key in keys:
                row[key] = row.get(key) or above.get(key, "")
            rows.append(row)
            above = row
        cache[table_id] = rows
    return cache[table_id]


def unit_values(data):
    unit = data["unit"]
    return {"unit.name": unit["unit_name"], "unit.code": unit["unit_code"], "year": data["year"],
            "department.name": unit["department_name"], "department.code": unit["department_code"]}


def list_table_body(data, layout):
    """Rows of cells (text, or cents for amounts) with their kind, and the vertical merges."""
    leaves = leaves_of(layout["columns"])
    rows = filled_rows(data, layout["id"])
    body = []
    for summary in layout.get("summary", []):
        cells = [None] * len(leaves)
        for i, leaf in enumerate(leaves):
            if leaf["type"] == "amount" and leaf.get("sum", True):
                cells[i] = sum(cents(r.get(leaf["key"])) for r in rows
                               if r.get("level", "1") in ("", "1"))
            if leaf["key"] == summary.get("label_column"):
                cells[i] = fill_template(summary["label"], unit_values(data))
            if leaf["key"] == summary.get("code_column") and summary["kind"] == "unit":
                cells[i] = data["unit"]["unit_code"]
        body.append(("summary", cells))
    for row in rows:
        values = dict(unit_values(data), **row)
        cells = []
        for leaf in leaves:
            if "value" in leaf:
                cells.append(fill_template(leaf["value"], values))
            elif leaf["type"] == "amount":
                cells.append(cents(row.get(leaf["key"])))
            else:
                indent = "  " * (int(row.get("level") or 1) - 1) if leaf["type"] == "text" else ""
                cells.append(indent + (row.get(leaf["key"]) or ""))
        body.append(("data", cells))
    merges = []
    first_data = len(body) - len(rows)
    for col, leaf in enumerate(leaves):
        if leaf.get("merge_by"):
            group = lambda r: tuple(r.get(k) for k in leaf["merge_by"])
            start = 0
            for end in range(1, len(rows) + 1):
                if end == len(rows) or group(rows[end]) != group(rows[start]):
                    if end - start > 1:
                        merges.append((first_data + start, col, first_data + end - 1, col))
                    start = end
    return body, merges


def fixed_table_body(data, profile, layout):
    values = fixed_values(data, profile, layout["id"])
    body = []
    for row in layout["rows"]:
        kind, cells = ("summary", row["cells"]) if isinstance(row, dict) else ("data", row)
        body.append((kind, [None if c is None else values[c[1:]] if str(c).startswith("=") else c
                            for c in cells]))
    return body, []


def table_model(data, profile, table_id):
    """Everything both outputs print of one table."""
    layout = profile["tables"][table_id]
    booklet = profile["booklet"]
    fixed = is_fixed(layout)
    supplied = not (fixed_not_supplied(data, layout) if fixed else table_id in data["not_supplied"])
    if not supplied:
        body, merges, note = [], [], booklet["not_supplied_text"]
    else:
        body, merges = (fixed_table_body(data, profile, layout) if fixed
                        else list_table_body(data, layout))
        empty = not fixed and not data["tables"].get(table_id)
        note = layout.get("empty_text", booklet["empty_text"]) if empty else None
    leaves = leaves_of(layout["columns"])
    depth = depth_of(layout["columns"])
    return {"layout": layout, "leaves": leaves, "depth": depth,
            "headers": header_cells(layout["columns"], depth), "body": body, "merges": merges,
            "note": note, "title": fill_template(layout["title"], unit_values(data))}


def amount_text(value, blank_zero=True):
    if value is None or (value == 0 and blank_zero):
        return ""
    return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"


# ---- narrative: placeholders and a small Markdown reader ----------------------------------------

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*(.*?)\s*(?:\|\s*([0#.]+)\s*)?\}\}")
HAN = "\u3400-\u9fff"


def figure(value, places_format):
    """cents in a format such as '0.##' (at most two places: amounts have two)."""
    text = amount_text(value, blank_zero=False)
    places = places_format.split(".")[1] if "." in places_format else ""
    keep = places.count("0")
    whole, fraction = text.split(".")
    fraction = fraction[:len(places)]
    while len(fraction) > keep and fraction.endswith("0"):
        fraction = fraction[:-1]
    return whole + ("." + fraction if fraction else "")


def percent(part, whole):
    hundredths = (part * 10000 * 2 + whole) // (2 * whole) if whole else 0
    text = f"{hundredths // 100}.{hundredths % 100:02d}"
    return (text[:-3] if text.endswith(".00") else text) + "%"


def fill_placeholders(text, data, profile):
    booklet = profile["booklet"]
    unit_word = booklet["amount_unit"]
    default = booklet.get("narrative_amount_format", "0.00")

    def replace(match):
        name, argument, places = match.group(1), match.group(2), match.group(3)
        if name == "unit":
            return data["unit"]["unit_name"]
        if name in ("year", "prior_year"):
            return str(data["year"] - (name == "prior_year"))
        if name == "amount":
            return figure(evaluate(data, profile, argument), places or default)
        queries = re.split(r"\s+(?:of|from)\s+", argument)
        a, b = (evaluate(data, profile, query.strip()) for query in queries)
        if name == "share":
            return percent(a, b)
        if a == b:
            return "持平"
        if name == "change":
            if b == 0:
                return f"新增{figure(a, places or default)}{unit_word}"
            return f"{'增加' if a > b else '减少'}{figure(abs(a - b), places or default)}{unit_word}"
        if b == 0:
            return "新增"
        return ("增长" if a > b else "下降") + percent(abs(a - b), abs(b))

    text = PLACEHOLDER.sub(replace, text)
    text = re.sub(rf"(?<=[{HAN}])(?=\d)", " ", text)            # 收入294 -> 收入 294
    return re.sub(rf"(?<=[\d%])(?=[{HAN}])", " ", text)          # 294万元 -> 294 万元


def markdown_blocks(text):
    """[(kind, payload)]: heading (level, text), para text, item (marker, text), table rows."""
    blocks, paragraph = [], []

    def flush():
        if paragraph:
            blocks.append(("para", "".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        item = re.match(r"(\d+[.)]|[-*+])\s+(.*)", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            blocks.append(("heading", (len(heading.group(1)), heading.group(2))))
        elif stripped.startswith("|"):
            flush()
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(cells)
            else:
                blocks.append(("table", [cells]))
        elif item:
            flush()
            blocks.append(("item", (item.group(1), item.group(2))))
        elif blocks and blocks[-1][0] == "item" and not paragraph and line.startswith(" "):
            marker, body = blocks[-1][1]
            blocks[-1] = ("item", (marker, body + stripped))
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def inline_markup(text):
    """Markdown inline -> reportlab markup: **bold** in the Hei face, the rest plain."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\*\*(.+?)\*\*", r'<font name="hei">\1</font>', text)
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1（\2）", text)
    return re.sub(r"[*`]", "", text)


# ---- PDF ---------------------------------------------------------------------------------------

STYLES = {
    "cover": ParagraphStyle("cover", fontName="hei", fontSize=26, leading=40, alignment=TA_CENTER),
    "part": ParagraphStyle("part", fontName="hei", fontSize=16, leading=24, alignment=TA_CENTER,
                           spaceAfter=12),
    "h2": ParagraphStyle("h2", fontName="hei", fontSize=13, leading=20, spaceBefore=6),
    "h3": ParagraphStyle("h3", fontName="hei", fontSize=12, leading=18, spaceBefore=4),
    "body": ParagraphStyle("body", fontName="song", fontSize=11, leading=18, firstLineIndent=22,
                           wordWrap="CJK"),
    "item": ParagraphStyle("item", fontName="song", fontSize=11, leading=18, leftIndent=12,
                           wordWrap="CJK"),
    "number": ParagraphStyle("number", fontName="song", fontSize=10, leading=14),
    "title": ParagraphStyle("title", fontName="hei", fontSize=15, leading=22, alignment=TA_CENTER,
                            spaceAfter=4),
    "cell": ParagraphStyle("cell", fontName="song", fontSize=9, leading=11, wordWrap="CJK"),
    "head": ParagraphStyle("head", fontName="hei", fontSize=9, leading=11, alignment=TA_CENTER,
                           wordWrap="CJK"),
    "toc1": ParagraphStyle("toc1", fontName="song", fontSize=11, leading=20),
    "toc2": ParagraphStyle("toc2", fontName="song", fontSize=10, leading=18, leftIndent=24),
}

NUMERALS = "零一二三四五六七八九"


def chinese_number(n):
    """1..99 as 一 … 九十九, for 一、部门收支总表."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else NUMERALS[tens]) + ("十" if tens else "")
            + (NUMERALS[ones] if ones else ""))


class Booklet(BaseDocTemplate):
    """Two page templates (portrait, landscape), page numbers, and 目录 entries."""

    def __init__(self, path, **info):
        super().__init__(path, pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50,
                         bottomMargin=50, **info)
        wide = landscape(A4)
        self.addPageTemplates([
            PageTemplate("portrait", [Frame(50, 50, A4[0] - 100, A4[1] - 100, id="p")],
                         onPage=self.number_page, pagesize=A4),
            PageTemplate("landscape", [Frame(50, 50, wide[0] - 100, wide[1] - 100, id="l")],
                         onPage=self.number_page, pagesize=wide)])

    @staticmethod
    def number_page(canvas, doc):
        canvas.setFont("song", 9)
        canvas.drawCentredString(canvas._pagesize[0] / 2, 28, str(doc.page))

    def afterFlowable(self, flowable):
        entry = getattr(flowable, "toc_entry", None)
        if entry:
            self.notify("TOCEntry", (entry[0], entry[1], self.page))


def entry(paragraph, level, text):
    paragraph.toc_entry = (level, text)
    return paragraph


def page_merges(merges):
    """reportlab splits a table only between rows no span crosses: cut every merge where the
    finest merge (the project's, in 公开表6) starts, so a long table can break there."""
    starts = {row for row, _, _, _ in merges}
    out = []
    for row, col, last_row, last_col in merges:
        cuts = [r for r in sorted(starts) if row < r <= last_row] + [last_row + 1]
        for end in cuts:
            if end - 1 > row:
                out.append((row, col, end - 1, last_col))
            row = end
    return out


def pdf_table(model, frame_width):
    leaves, depth = model["leaves"], model["depth"]
    scale = frame_width / sum(leaf["width"] for leaf in leaves)
    grid = [[""] * len(leaves) for _ in range(depth)]
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("FONTNAME", (0, 0), (-1, -1), "song"), ("FONTSIZE", (0, 0), (-1, -1), 9),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for row, col, last_row, last_col, text in model["headers"]:
        grid[row][col] = Paragraph(inline_markup(text), STYLES["head"])
        if (row, col) != (last_row, last_col):
            style.append(("SPAN", (col, row), (last_col, last_row)))
    for index, (kind, cells) in enumerate(model["body"]):
        line = []
        for leaf, cell in zip(leaves, cells):
            if leaf["type"] == "amount":
                line.append(amount_text(cell))
            elif leaf["type"] == "text" and cell and len(cell) * 9 > leaf["width"] * scale - 6:
                line.append(Paragraph(inline_markup(cell), STYLES["cell"]))
            else:
                line.append(cell or "")
        grid.append(line)
        if kind == "summary":
            style.append(("FONTNAME", (0, depth + index), (-1, depth + index), "hei"))
    for col, leaf in enumerate(leaves):
        if leaf["type"] in ("amount", "count"):
            style.append(("ALIGN", (col, depth), (col, -1), "RIGHT"))
        elif leaf.get("align") == "center":
            style.append(("ALIGN", (col, depth), (col, -1), "CENTER"))
    for row, col, last_row, last_col in page_merges(model["merges"]):
        style.append(("SPAN", (col, depth + row), (last_col, depth + last_row)))
    if model["layout"].get("one_page"):  # 公开表1 and 2: income beside expenditure on one sheet
        style += [("FONTSIZE", (0, 0), (-1, -1), 8), ("LEADING", (0, 0), (-1, -1), 9),
                  ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                  ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]
    if model["note"]:
        grid.append([model["note"]] + [""] * (len(leaves) - 1))
        style += [("SPAN", (0, len(grid) - 1), (-1, len(grid) - 1)),
                  ("ALIGN", (0, len(grid) - 1), (-1, len(grid) - 1), "CENTER")]
    return Table(grid, colWidths=[leaf["width"] * scale for leaf in leaves], repeatRows=depth,
                 style=TableStyle(style))


def narrative_flowables(text, data, profile):
    out = []
    for kind, payload in markdown_blocks(fill_placeholders(text, data, profile)):
        if kind == "heading":
            style = STYLES["h2" if payload[0] <= 2 else "h3"]
            out.append(Paragraph(inline_markup(payload[1]), style))
        elif kind == "para":
            out.append(Paragraph(inline_markup(payload), STYLES["body"]))
        elif kind == "item":
            marker = payload[0] if payload[0][0].isdigit() else "•"
            out.append(Paragraph(f"{marker} {inline_markup(payload[1])}", STYLES["item"]))
        else:
            cells = [[Paragraph(inline_markup(c), STYLES["cell"]) for c in row] for row in payload]
            out.append(Table(cells, style=[("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        out.append(Spacer(0, 3))
    return out


def write_pdf(path, data, profile, models):
    unit = data["unit"]
    booklet = profile["booklet"]
    kind = booklet["booklets"][unit["booklet"]]["title"]
    values = dict(unit_values(data), booklet=kind)
    doc = Booklet(path, title=f"{unit['unit_name']}{data['year']}年{kind}",
                  author=unit["unit_name"], subject=kind, creator="peer_export.py")
    toc = TableOfContents(levelStyles=[STYLES["toc1"], STYLES["toc2"]], dotsMinLevel=0)
    story = [Spacer(0, 200), Paragraph(unit["unit_name"], STYLES["cover"]),
             Paragraph(f"{data['year']}年{kind}", STYLES["cover"]), PageBreak(),
             Paragraph(booklet["contents_title"], STYLES["part"]), toc]
    for part in booklet["parts"]:
        title = fill_template(part["title"], values)
        if part.get("narrative") and part["narrative"] not in data["narrative"]:
            continue
        story += [NextPageTemplate("portrait"), PageBreak(),
                  entry(Paragraph(title, STYLES["part"]), 0, title)]
        if part.get("narrative"):
            story += narrative_flowables(data["narrative"][part["narrative"]], data, profile)
            continue
        names = [f"{chinese_number(i + 1)}、{m['title']}（{m['layout']['number']}）"
                 for i, m in enumerate(models)]
        story += [Paragraph(name, STYLES["item"]) for name in names]
        for name, model in zip(names, models):
            orientation = model["layout"].get("orientation", "portrait")
            width = (landscape(A4) if orientation == "landscape" else A4)[0] - 100
            unit_line = Table([[f"单位：{unit['unit_name']}", f"金额单位：{booklet['amount_unit']}"]],
                              colWidths=[width * 0.7, width * 0.3],
                              style=[("FONTNAME", (0, 0), (-1, -1), "song"),
                                     ("ALIGN", (1, 0), (1, 0), "RIGHT")])
            story += [NextPageTemplate(orientation), PageBreak(),
                      Paragraph(model["layout"]["number"], STYLES["number"]),
                      entry(Paragraph(model["title"], STYLES["title"]), 1, name),
                      unit_line, pdf_table(model, width)]
    doc.multiBuild(story)


# ---- XLSX --------------------------------------------------------------------------------------


def write_xlsx(path, data, profile, models):
    book = xlsxwriter.Workbook(path)
    border = {"border": 1, "valign": "vcenter", "font_name": "SimSun", "font_size": 10}
    formats = {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center",
                                  "valign": "vcenter"}),
        "plain": book.add_format({"font_size": 10}),
        "right": book.add_format({"font_size": 10, "align": "right"}),
        "head": book.add_format(dict(border, bold=True, align="center", text_wrap=True)),
        "text": book.add_format(dict(border, text_wrap=True)),
        "amount": book.add_format(dict(border, num_format="0.00")),
        "text_sum": book.add_format(dict(border, text_wrap=True, bold=True)),
        "amount_sum": book.add_format(dict(border, num_format="0.00", bold=True)),
        "note": book.add_format(dict(border, align="center")),
    }
    unit_line = f"单位：{data['unit']['unit_name']}"
    for model in models:
        leaves, depth = model["leaves"], model["depth"]
        sheet = book.add_worksheet(model["layout"]["number"])
        last = len(leaves) - 1
        for col, leaf in enumerate(leaves):
            sheet.set_column(col, col, leaf["width"] * 1.6)
        sheet.merge_range(0, 0, 0, last, model["title"], formats["title"])
        sheet.set_row(0, 30)
        sheet.merge_range(1, 0, 1, max(last - 1, 0), unit_line, formats["plain"])
        sheet.write(1, last, f"金额单位：{profile['booklet']['amount_unit']}", formats["right"])
        for row, col, last_row, last_col, text in model["headers"]:
            if (row, col) == (last_row, last_col):
                sheet.write(2 + row, col, text, formats["head"])
            else:
                sheet.merge_range(2 + row, col, 2 + last_row, last_col, text, formats["head"])
        top = 2 + depth
        merged = {}
        for row, col, last_row, _ in model["merges"]:
            merged[(row, col)] = last_row
            merged.update({(r, col): None for r in range(row + 1, last_row + 1)})
        for index, (kind, cells) in enumerate(model["body"]):
            suffix = "_sum" if kind == "summary" else ""
            for col, (leaf, cell) in enumerate(zip(leaves, cells)):
                amount = leaf["type"] == "amount"
                fmt = formats[("amount" if amount else "text") + suffix]
                value = (cell / 100 if cell else "") if amount else (cell or "")
                if (index, col) in merged:
                    if merged[(index, col)] is not None:
                        last_row = top + merged[(index, col)]
                        sheet.merge_range(top + index, col, last_row, col, value, fmt)
                elif amount and cell:
                    sheet.write_number(top + index, col, value, fmt)
                else:
                    sheet.write(top + index, col, value, fmt)
        if model["note"]:
            sheet.merge_range(top + len(model["body"]), 0, top + len(model["body"]), last,
                              model["note"], formats["note"])
        sheet.freeze_panes(top, 0)
        sheet.repeat_rows(2, top - 1)
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_footer("&C第 &P 页 共 &N 页")
        if model["layout"].get("orientation") == "landscape":
            sheet.set_landscape()
    book.close()


# ---- main --------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--fonts", default=os.path.join(REPO, "build-bench", "fonts"))
    parser.add_argument("--layouts", default=os.path.join(REPO, "layouts"))
    args = parser.parse_args()
    for face in ("song", "hei"):
        path = os.path.join(args.fonts, f"{face}.ttf")
        if not os.path.exists(path):
            sys.exit(f"peer_export.py: {path} is missing: build gongkai first "
                     "(tests/bench/bench.sh does, into build-bench) or pass --fonts DIR")
        pdfmetrics.registerFont(TTFont(face, path))
    os.makedirs(args.output, exist_ok=True)
    profiles = {}
    for unit in read_csv(os.path.join(args.package, "units.csv")):
        if unit["profile"] not in profiles:
            profiles[unit["profile"]] = load_profile(args.layouts, unit["profile"])
        profile = profiles[unit["profile"]]
        ids = [str(i) for i in profile["booklet"]["booklets"][unit["booklet"]]["tables"]]
        data = load_unit(args.package, unit, dict(profile, tables=ids))
        data["layouts"] = profile["tables"]
        models = [table_model(data, profile, table_id) for table_id in ids]
        base = os.path.join(args.output, f"{unit['unit_code']}_{unit['unit_name']}_{unit['year']}")
        write_pdf(base + ".pdf", data, profile, models)
        write_xlsx(base + ".xlsx", data, profile, models)


if __name__ == "__main__":
    main()
