#!/usr/bin/env python3
"""Page breaks of the narrative a typesetter accepts, read back from the booklet with
pdftotext -layout: no page ends with a heading of the narrative, no paragraph leaves its first
line alone at the foot of a page (orphan) or its last line alone at the top of the next
(widow), and a part title that wraps breaks between its words (before 2025年…), not inside
one. Paragraphs print their first line indented; headings are the Markdown's '#' lines.

Lines and figures: no paragraph ends with a line of one character besides closing
punctuation (人。); every figure of the narrative is set apart from Han text by a space
(收入 294.28 万元, 2025 年); its amounts in 万元 are printed one way — all with the same
decimals (53.00, 127.80) or none with a trailing zero (53, 127.8).

    check_flow.py BOOKLET.pdf NARRATIVE_DIR
"""
import glob
import re
import subprocess
import sys

pdf, narrative = sys.argv[1], sys.argv[2]
headings = set()
for path in glob.glob(narrative + "/*.md"):
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            headings.add(re.sub(r"\s+", "", line.lstrip("#")))

pages = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                       check=True).stdout.split("\f")


def body(page):
    """The page's text lines without blank lines and the folio."""
    lines = [l.rstrip() for l in page.split("\n") if l.strip()]
    if lines and re.fullmatch(r"\s*\d+", lines[-1]):
        lines = lines[:-1]
    return lines


def kind(line):
    """heading; first (a paragraph's first line, indented 2 cells); more (a paragraph's other
    lines, flush left); other (a centred title or a row of a narrative table)."""
    text = re.sub(r"\s+", "", line)
    if text in headings:
        return "heading"
    if line.startswith("    ") or re.search(r"\S {3,}\S", line):
        return "other"
    return "first" if line.startswith("  ") else "more"


narrative_pages = [i for i, p in enumerate(pages) if p.strip() and "公开表" not in p and i >= 2]
problems = []
for i in narrative_pages:
    lines = body(pages[i])
    if not lines:
        continue
    if kind(lines[-1]) == "heading":
        problems.append(f"page {i + 1} ends with the heading {lines[-1].strip()}")
    following = body(pages[i + 1]) if i + 1 < len(pages) else []
    if following and kind(lines[-1]) == "first" and kind(following[0]) == "more":
        problems.append(f"page {i + 1} ends with a paragraph's first line alone: {lines[-1].strip()}")
    if i - 1 in narrative_pages and kind(lines[0]) == "more" and (
            len(lines) == 1 or kind(lines[1]) != "more"):
        problems.append(f"page {i + 1} starts with a paragraph's last line alone: {lines[0].strip()}")
for i, page in enumerate(pages):
    lines = body(page)
    for k, line in enumerate(lines[:-1]):
        if re.match(r"\s*第[一二三四五六七八九十]+部分", line) and "...." not in line \
                and kind(lines[k + 1]) == "other" \
                and not lines[k + 1].strip()[0].isdigit():
            problems.append(f"page {i + 1}: the part title breaks inside a word: "
                            f"{line.strip()} | {lines[k + 1].strip()}")
CLOSING = "，。、；：？！）》」』”’…%％,.;:!?)"


def paragraph_lines(pages_lines):
    """(page, line, is_last) of every line of kind first/more, is_last when it ends a paragraph
    (the next line, on this page or the next narrative page, does not continue it)."""
    flat = [(i, l) for i, lines in pages_lines for l in lines]
    for k, (i, line) in enumerate(flat):
        if kind(line) not in ("first", "more"):
            continue
        nxt = flat[k + 1][1] if k + 1 < len(flat) else None
        yield i, line, nxt is None or kind(nxt) != "more"


narrative_lines = [(i, body(pages[i])) for i in narrative_pages]
amounts = []
for i, line, is_last in paragraph_lines(narrative_lines):
    text = line.strip()
    if is_last and kind(line) == "more" and len(text.rstrip(CLOSING).replace(" ", "")) < 2:
        problems.append(f"page {i + 1}: a paragraph ends with a lone line: {text}")
    touching = re.search(r"[\u3400-\u9fff]\d|\d%?[\u3400-\u9fff]", text)
    if touching:
        problems.append(f"page {i + 1}: a figure touches the text ({touching.group(0)}): {text}")
joined = "".join(l.strip() for _, lines in narrative_lines for l in lines if kind(l) != "other")
amounts = re.findall(r"(?<![\d.])(\d+(?:\.(\d+))?) ?万 ?元", joined)
decimals = {len(d) for _, d in amounts}
if len(decimals) > 1 and any(d.endswith("0") for _, d in amounts):
    problems.append("the narrative prints amounts two ways: " +
                    ", ".join(sorted({a for a, _ in amounts}, key=float)))
if len(amounts) < 20:
    problems.append(f"only {len(amounts)} amounts in 万元 found in the narrative")
checked = len(narrative_pages)
if checked < 5:
    problems.append(f"only {checked} narrative pages found")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
