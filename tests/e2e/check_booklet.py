#!/usr/bin/python3
"""Reads an exported booklet PDF back as a reader would, with poppler and qpdf.

Usage: check_booklet.py BOOKLET.pdf reference_tables.json LAYOUTS_DIR

Checks: qpdf --check is clean; every font is embedded and subset; poppler prints no warning;
every table title, the unit name and every amount of the reference booklet are in the text
(pdftotext -layout); each table's first page has its layout's orientation; the outline lists
every table; and every word the text layer holds has ink on the rendered page (libharu can
leave glyphs blank while pdftotext still extracts them); every rule is drawn once, at its full
length (no two pieces of one line on a page touch or overlap); bold is the Hei face, never a
stroked outline (no text rendering mode is set, and every total row is in the face of the table
numbers). Viewer features (qpdf --json): the
document language is zh-CN, the page labels are the printed folios (the cover has none), and
every 目录 entry is exactly one borderless link to the page it names. Prints the number of rule
segments, one line per problem and "N passed, M failed"; exits 1 on any failure.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SCALE = 2  # render at 144 dpi so that thin glyphs (=, -, .) still cover whole pixels
failures = []
passes = 0


def check(ok, message):
    global passes
    if ok:
        passes += 1
    else:
        failures.append(message)


def run(*args):
    return subprocess.run(args, capture_output=True, text=True)


def layout_tables(layouts):
    """table title -> orientation, from the profile's YAML (simple line matching)."""
    tables = {}
    for name in sorted(os.listdir(layouts)):
        if not name.endswith(".yaml") or name == "booklet.yaml":
            continue
        text = open(os.path.join(layouts, name), encoding="utf-8").read()
        if not re.search(r"^number: ", text, re.M):
            continue  # not a table (rules.yaml)
        title = re.search(r"^title: (.+)$", text, re.M).group(1).strip()
        orient = re.search(r"^orientation: (\w+)$", text, re.M)
        number = re.search(r"^number: (.+)$", text, re.M).group(1).strip()
        tables[number] = (title, orient.group(1) if orient else "portrait")
    return tables


def read_pgm(path):
    data = open(path, "rb").read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5", "expected a binary PGM"
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4][-width * height:]
    return width, height, pixels


def check_ink(pdf, workdir):
    """Every word of the text layer has dark pixels inside its box on the rendered page."""
    bbox = run("pdftotext", "-bbox", pdf, "-")
    root = ET.fromstring(re.sub(r'xmlns="[^"]+"', "", bbox.stdout, count=1))
    pages = root.findall(".//page")
    blank = []
    for number, page in enumerate(pages, start=1):
        prefix = os.path.join(workdir, "ink")
        run("pdftoppm", "-gray", "-r", str(72 * SCALE), "-f", str(number), "-l", str(number), pdf,
            prefix)
        pgm = [f for f in os.listdir(workdir) if f.startswith("ink") and f.endswith(".pgm")]
        width, height, pixels = read_pgm(os.path.join(workdir, pgm[0]))
        os.remove(os.path.join(workdir, pgm[0]))
        for word in page.findall("word"):
            x0, y0 = int(float(word.get("xMin")) * SCALE), int(float(word.get("yMin")) * SCALE)
            x1 = int(float(word.get("xMax")) * SCALE + 0.999)
            y1 = int(float(word.get("yMax")) * SCALE + 0.999)
            dark = 0
            for y in range(max(y0, 0), min(y1, height)):
                row = pixels[y * width:(y + 1) * width]
                dark += sum(1 for v in row[max(x0, 0):min(x1, width)] if v < 140)
            # each character needs ink: a word of n characters needs at least n dark pixels
            if dark < len(word.text or ""):
                blank.append("page %d: '%s' has %d dark pixels" % (number, word.text, dark))
    check(not blank, "words without ink: %s" % "; ".join(blank[:10]))
    return len(pages)


def page_words(pdf):
    """Per page: (height, [(text, xMin, yMin, xMax, yMax)]) from pdftotext -bbox (top-left origin)."""
    bbox = run("pdftotext", "-bbox", pdf, "-")
    root = ET.fromstring(re.sub(r'xmlns="[^"]+"', "", bbox.stdout, count=1))
    return [(float(page.get("height")),
             [(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
               float(w.get("yMax"))) for w in page.findall("word")])
            for page in root.findall(".//page")]


def folio(height, words):
    """The printed page number: a number alone in the bottom 60 pt, or '' when there is none."""
    feet = [w[0] for w in words if w[2] > height - 60 and w[0].isdigit()]
    return feet[-1] if len(feet) == 1 else ""


def label_of(ranges, index):
    """The page label of page index (0-based) under /PageLabels ranges [(start, dict)]."""
    start, label = max((r for r in ranges if r[0] <= index), key=lambda r: r[0],
                       default=(0, None))
    if label is None:
        return None
    number = ""
    if "/S" in label:
        if label["/S"] != "/D":
            return "unsupported style " + label["/S"]
        number = str(label.get("/St", 1) + index - start)
    return label.get("/P", "u:")[2:] + number


def check_viewer_features(pdf, words):
    """/Lang, page labels against the printed folios, and one link per 目录 entry."""
    doc = json.loads(run("qpdf", "--json", "--json-key=qpdf", pdf).stdout)
    objects = doc["qpdf"][1]
    obj = lambda ref: objects.get("obj:" + ref, {}).get("value", {})
    root = obj(objects["trailer"]["value"]["/Root"])
    check(root.get("/Lang") == "u:zh-CN", "catalog /Lang is %r, expected zh-CN" % root.get("/Lang"))

    page_refs = []

    def walk(ref):  # the page tree, in page order
        node = obj(ref)
        for kid in node.get("/Kids", []) if node.get("/Type") == "/Pages" else []:
            walk(kid)
        if node.get("/Type") != "/Pages":
            page_refs.append(ref)
    walk(root["/Pages"])
    check(len(page_refs) == len(words), "qpdf finds %d pages, pdftotext %d"
          % (len(page_refs), len(words)))

    labels = root.get("/PageLabels")
    nums = obj(labels)["/Nums"] if isinstance(labels, str) else (labels or {}).get("/Nums", [])
    ranges = [(nums[i], obj(nums[i + 1]) if isinstance(nums[i + 1], str) else nums[i + 1])
              for i in range(0, len(nums) - 1, 2)]
    check(ranges, "no /PageLabels in the catalog")
    folios = [folio(height, w) for height, w in words]
    check(folios and folios[0] == "", "the cover has a printed page number")
    for index, printed in enumerate(folios):
        label = label_of(ranges, index) if ranges else None
        check(label == printed, "page %d: label %r, printed folio %r" % (index + 1, label, printed))

    contents = next((i for i, (h, w) in enumerate(words) if "目录" in [x[0] for x in w]), None)
    if contents is None:
        return  # reported by the 目录 check
    height, cwords = words[contents]
    # an entry is a line of the 目录 page that ends with its page number after the dot leader
    # (words of one line share a baseline, but their boxes' feet differ by face: bold is Hei)
    lines = {}
    for text, x0, y0, x1, y1 in sorted(cwords, key=lambda w: w[4]):
        y = next((y for y in lines if abs(y - y1) < 2), y1)
        lines.setdefault(y, []).append((x0, text, (x0, y0, x1, y1)))
    entries = [sorted(line)[-1] for y, line in sorted(lines.items())
               if len(line) > 1 and sorted(line)[-1][1].isdigit() and "." in sorted(line)[-2][1]]
    annots = [obj(a) if isinstance(a, str) else a
              for a in obj(page_refs[contents]).get("/Annots", [])]
    links = [a for a in annots if a.get("/Subtype") == "/Link"]
    check(len(links) == len(entries), "目录 has %d entries but %d links" % (len(entries), len(links)))
    for x0, printed, (wx0, wy0, wx1, wy1) in entries:
        # the number's centre inside the rectangle (turned to pdftotext's top-left coordinates)
        cx, cy = (wx0 + wx1) / 2, (wy0 + wy1) / 2
        holding = [a for a in links
                   if a["/Rect"][0] <= cx <= a["/Rect"][2]
                   and height - a["/Rect"][3] <= cy <= height - a["/Rect"][1]]
        check(len(holding) == 1, "目录 entry for page %s lies in %d links" % (printed, len(holding)))
        if len(holding) != 1:
            continue
        link = holding[0]
        dest = link.get("/Dest") or link.get("/A", {}).get("/D")
        dest = obj(dest) if isinstance(dest, str) else dest
        target = page_refs.index(dest[0]) if dest and dest[0] in page_refs else -1
        check(target >= 0 and folios[target] == printed,
              "目录 link for page %s leads to page index %d (folio %r)"
              % (printed, target, folios[target] if target >= 0 else None))
        border = link.get("/Border")
        style = link.get("/BS", {})
        check(border == [0, 0, 0] or style.get("/W") == 0, "目录 link for page %s has a visible "
              "border (%r, %r)" % (printed, border, style))

def page_contents(pdf, workdir):
    """Each page's content stream, uncompressed (qpdf's QDF form labels them by page)."""
    qdf = os.path.join(workdir, "rules.qdf.pdf")
    run("qpdf", "--qdf", "--object-streams=disable", pdf, qdf)
    data = open(qdf, "rb").read().decode("latin-1")
    os.remove(qdf)
    return re.findall(r"%% Contents for page \d+\n(?:%[^\n]*\n)*\d+ 0 obj\n<<[^>]*>>\nstream\n"
                      r"(.*?)endstream", data, re.S)


def check_rules(pdf, workdir):
    """No line is drawn in pieces: the segments of a page (m then l) that lie on one
    horizontal or vertical line neither touch nor overlap. Returns the number of segments."""
    total = 0
    pieces = []
    for number, stream in enumerate(page_contents(pdf, workdir), start=1):
        points = re.findall(r"^(-?[\d.]+) (-?[\d.]+) m\n(-?[\d.]+) (-?[\d.]+) l$", stream, re.M)
        total += len(points)
        lines = {}
        for x1, y1, x2, y2 in ((float(v) for v in p) for p in points):
            if y1 == y2:
                lines.setdefault(("y", y1), []).append((min(x1, x2), max(x1, x2)))
            elif x1 == x2:
                lines.setdefault(("x", x1), []).append((min(y1, y2), max(y1, y2)))
        for (axis, at), spans in sorted(lines.items()):
            spans.sort()
            for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
                if b0 <= a1 + 0.01:
                    pieces.append("page %d: %s=%g drawn in pieces %g-%g and %g-%g"
                                  % (number, axis, at, a0, a1, b0, b1))
    check(total > 0, "no rules found in the content streams")
    check(not pieces, "rules drawn in pieces (%d): %s" % (len(pieces), "; ".join(pieces[:5])))
    print("rules: %d segments" % total)
    return total


def page_fonts(pdf):
    """Per page, in page order: resource name (/F1) -> BaseFont."""
    doc = json.loads(run("qpdf", "--json", "--json-key=qpdf", pdf).stdout)["qpdf"][1]
    obj = lambda ref: doc.get("obj:" + ref, {}).get("value", {}) if isinstance(ref, str) else ref
    pages = json.loads(run("qpdf", "--json", "--json-key=pages", pdf).stdout)["pages"]
    result = []
    for page in pages:
        fonts = obj(obj(obj(page["object"]).get("/Resources", {})).get("/Font", {}))
        result.append({name: obj(ref).get("/BaseFont", "") for name, ref in fonts.items()})
    return result


def check_bold_faces(pdf, workdir):
    """Bold is a face: no text is stroked, and each total row (…合计, …总计) is set in the
    face of the table numbers (公开表…), the Hei."""
    strokes, wrong, totals = 0, [], 0
    for number, (stream, fonts) in enumerate(zip(page_contents(pdf, workdir), page_fonts(pdf)),
                                             start=1):
        strokes += len(re.findall(r" Tr$", stream, re.M))
        face, number_face, drawn = None, None, []
        for m in re.finditer(r"(/F\d+) [\d.]+ Tf|<([0-9a-f]+)> Tj", stream):
            if m.group(1):
                face = fonts.get(m.group(1))
                continue
            text = "".join(chr(int(m.group(2)[i:i + 4], 16)) for i in range(0, len(m.group(2)), 4))
            if text.startswith("公开表"):
                number_face = face
            drawn.append((text, face))
        for text, face in drawn:
            if number_face and text.endswith(("合计", "总计")):
                totals += 1
                if face != number_face:
                    wrong.append("page %d: %s in %s" % (number, text, face))
    check(strokes == 0, "text rendering mode set %d times (stroked bold?)" % strokes)
    check(totals > 0, "no total rows found on the table pages")
    check(not wrong, "total rows not in the Hei face: " + "; ".join(wrong[:5]))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    pdf, reference, layouts = sys.argv[1:]
    ref = json.load(open(reference, encoding="utf-8"))
    workdir = os.path.dirname(os.path.abspath(pdf))

    qpdf = run("qpdf", "--check", pdf)
    check(qpdf.returncode == 0, "qpdf --check: exit %d: %s" % (qpdf.returncode, qpdf.stdout[-300:]))

    fonts = run("pdffonts", pdf).stdout.splitlines()[2:]
    check(len(fonts) >= 2, "pdffonts: expected two fonts, found %d" % len(fonts))
    for line in fonts:
        emb, sub = line.split()[-5], line.split()[-4]
        check(emb == "yes" and sub == "yes", "font not embedded and subset: " + line)

    text_run = run("pdftotext", "-layout", pdf, "-")
    check(text_run.stderr.strip() == "", "poppler warnings: " + text_run.stderr.strip()[:300])
    text = text_run.stdout
    flat = re.sub(r"\s+", "", text)
    check(ref["unit_name"] in flat, "unit name missing from the text")

    tables = layout_tables(layouts)
    pages = text.split("\f")
    info = run("pdfinfo", "-f", "1", "-l", str(len(pages)), pdf).stdout
    sizes = {int(m.group(1)): (float(m.group(2)), float(m.group(3)))
             for m in re.finditer(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)}
    year = re.search(r"Title:\s*\S*?(\d{4})年", run("pdfinfo", pdf).stdout)
    year = year.group(1) if year else ""
    for number, (title, orientation) in tables.items():
        title = title.replace("{year}", year)
        # a table's pages start with its number alone on the first line (or "… 续表")
        where = [i for i, p in enumerate(pages, start=1)
                 if re.match(r"\s*%s(\s+\S+)?\s*\n" % re.escape(number), p)
                 and title.replace(" ", "") in re.sub(r"\s+", "", p)]
        check(where, "%s: title '%s' not found on any page" % (number, title))
        if where:
            w, h = sizes.get(where[0], (0, 0))
            actual = "landscape" if w > h else "portrait"
            check(actual == orientation, "%s: page %d is %s, layout says %s"
                  % (number, where[0], actual, orientation))
    for sheet, spec in ref["sheets"].items():
        if "not_supplied" in spec:  # printed with its wording, never as an empty table
            start = [p for p in pages if re.match(r"\s*%s\s*\n" % re.escape(sheet), p)]
            check(len(start) == 1 and spec["not_supplied"] in start[0]
                  and "此表无数据" not in start[0],
                  "%s: expected one page with '%s' and no 此表无数据" % (sheet, spec["not_supplied"]))
        for row in spec.get("rows", []):
            for amount in row.get("numbers", []):
                check(amount in text, "%s: amount %s not in the text" % (sheet, amount))

    # 目录: every entry's page number leads to the page where that table starts
    contents = next((i for i, p in enumerate(pages) if "目录" in p), None)
    check(contents is not None, "no 目录 page")
    if contents is not None:
        offset = contents  # the contents page is printed as page 1; pages before it are unnumbered
        entries = re.findall(r"（(公开表[\d-]+)）[ .]*?(\d+)\s*$", pages[contents], re.M)
        check(len(entries) == len(tables), "目录 lists %d tables, the profile has %d"
              % (len(entries), len(tables)))
        for number, printed in entries:
            page = int(printed) + offset
            ok = 0 < page <= len(pages) and number in pages[page - 1]
            footer = ok and re.search(r"^\s*%s\s*$" % printed, pages[page - 1], re.M)
            check(ok and footer, "目录 says %s is on page %s, but it is not there" % (number, printed))

    outline = run("qpdf", "--json", "--json-key=outlines", pdf)
    titles = re.findall(r'"title":\s*"([^"]*)"', outline.stdout)
    for number in tables:
        check(any(number in t for t in titles), "outline has no entry for " + number)

    check_viewer_features(pdf, page_words(pdf))
    check_rules(pdf, workdir)
    check_bold_faces(pdf, workdir)
    page_count = check_ink(pdf, workdir)
    check(page_count == len(sizes), "pdfinfo and pdftotext disagree on the page count")

    for f in failures:
        print(f)
    print("%d passed, %d failed" % (passes, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
