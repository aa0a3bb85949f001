#!/usr/bin/python3
"""Checks that every character a libharu PDF draws has its whole outline embedded.

libharu 2.3.0 drops the components of composite glyphs from font subsets, so characters draw
blank or lose strokes while text extraction still works (shared/notes/libraries.md §2). For
each CIDFontType2 font this reads CIDToGIDMap and FontFile2 and reports every code point whose
glyph, or any component of it (recursively), is empty in the embedded font.

Usage: check_pdf_glyphs.py FILE.pdf   — exit 0 when complete, 1 with a report otherwise.
Reads libharu's own output only: a classic xref table, no object streams.
Needs Debian's python3-fonttools (run it with /usr/bin/python3).
"""

import io
import re
import sys
import zlib

from fontTools.ttLib import TTFont


def object_offsets(pdf):
    """Object number -> byte offset, from the last classic xref table."""
    start = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    lines = pdf[start:].split(b"\n")
    assert lines[0].strip() == b"xref", "not a classic xref table"
    offsets, number, i = {}, 0, 1
    while not lines[i].startswith(b"trailer"):
        fields = lines[i].split()
        if len(fields) == 2:
            number = int(fields[0])
        else:
            if fields[2] == b"n":
                offsets[number] = int(fields[0])
            number += 1
        i += 1
    return offsets


class Pdf:
    def __init__(self, data):
        self.data = data
        self.offsets = object_offsets(data)

    def dict_text(self, num):
        """The text of object num up to its stream keyword or endobj."""
        body = self.data[self.offsets[num]:]
        end = min(i for i in (body.find(b"stream"), body.find(b"endobj")) if i >= 0)
        return body[:end]

    def ref(self, text, key):
        m = re.search(rb"/" + key + rb"\s+(\d+)\s+0\s+R", text)
        return int(m.group(1)) if m else None

    def number(self, text, key):
        m = re.search(rb"/" + key + rb"\s+(\d+)(\s+0\s+R)?", text)
        value = int(m.group(1))
        return self.integer_object(value) if m.group(2) else value

    def integer_object(self, num):
        return int(re.search(rb"obj\s+(\d+)", self.dict_text(num)).group(1))

    def stream(self, num):
        body = self.data[self.offsets[num]:]
        head = self.dict_text(num)
        start = re.compile(rb"stream\r?\n").search(body, len(head)).end()
        raw = body[start:start + self.number(head, b"Length")]
        return zlib.decompress(raw) if b"/FlateDecode" in head else raw


def missing_parts(glyf, name, seen=None):
    """Names of empty glyphs among name and its components."""
    seen = seen if seen is not None else set()
    if name in seen:
        return []
    seen.add(name)
    glyph = glyf[name]
    if glyph.numberOfContours == 0:
        return [name]
    if glyph.isComposite():
        return [m for c in glyph.components for m in missing_parts(glyf, c.glyphName, seen)]
    return []


def check_font(pdf, cid_font):
    text = pdf.dict_text(cid_font)
    name = re.search(rb"/BaseFont\s*/(\S+)", text).group(1).decode()
    cid_map = pdf.stream(pdf.ref(text, b"CIDToGIDMap"))
    font_file = pdf.ref(pdf.dict_text(pdf.ref(text, b"FontDescriptor")), b"FontFile2")
    font = TTFont(io.BytesIO(pdf.stream(font_file)))
    glyf, order = font["glyf"], font.getGlyphOrder()
    problems = []
    for cid in range(len(cid_map) // 2):
        gid = cid_map[2 * cid] << 8 | cid_map[2 * cid + 1]
        if gid == 0 or chr(cid).isspace():
            continue
        missing = missing_parts(glyf, order[gid])
        if missing:
            problems.append(f"{chr(cid)} U+{cid:04X} gid {gid}: empty {', '.join(missing)}")
    return name, problems


def main():
    pdf = Pdf(open(sys.argv[1], "rb").read())
    cid_fonts = [n for n in pdf.offsets if b"/CIDFontType2" in pdf.dict_text(n)]
    failed = False
    for cid_font in cid_fonts:
        name, problems = check_font(pdf, cid_font)
        if problems:
            failed = True
            print(f"{name}: {len(problems)} characters with missing outlines")
            print("\n".join("  " + p for p in problems))
    if not cid_fonts:
        print("no CIDFontType2 font found")
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
