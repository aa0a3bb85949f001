#!/usr/bin/env python3
"""Where a gongkai PDF's bytes go: sums the file's objects by role (font programs, content
streams, ToUnicode, CIDToGIDMap, dictionaries, xref), and splits each embedded TrueType font
program into its tables (each table deflated on its own, so the split is an estimate).
Reads the classic xref layout libharu writes (no object streams).
    tests/bench/pdf_sizes.py booklet.pdf [more.pdf ...]
"""
import re
import struct
import sys
import zlib

OBJ = re.compile(rb"(\d+) 0 obj\b(.*?)endobj\s*", re.S)
REF = rb"/%s (\d+) 0 R"


def objects(data):
    """{number: (bytes of the whole object, its text)} and the offset of the xref."""
    objs = {int(m.group(1)): m.group(0) for m in OBJ.finditer(data)}
    xref = data.rfind(b"\nxref")
    return objs, len(data) - xref - 1 if xref >= 0 else 0


def referenced(objs, key):
    found = set()
    for body in objs.values():
        found.update(int(n) for n in re.findall(REF % key, body))
    return found


def stream_data(body):
    start = body.index(b"stream", body.index(b">>")) + len(b"stream")
    start += 2 if body[start:start + 2] == b"\r\n" else 1
    end = body.rindex(b"endstream")
    raw = body[start:end].rstrip(b"\r\n")
    return zlib.decompress(raw) if b"/FlateDecode" in body[:start] else raw


def font_tables(font):
    """[(tag, raw length, deflated length)] of an sfnt font program."""
    count = struct.unpack(">H", font[4:6])[0]
    rows = []
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", font[12 + 16 * i:28 + 16 * i])
        table = font[offset:offset + length]
        rows.append((tag.decode("latin-1"), length, len(zlib.compress(table, 9)) if table else 0))
    return rows


def report(path):
    data = open(path, "rb").read()
    objs, xref = objects(data)
    roles = [("font programs (FontFile2)", referenced(objs, b"FontFile2")),
             ("content streams", referenced(objs, b"Contents")),
             ("ToUnicode", referenced(objs, b"ToUnicode")),
             ("CIDToGIDMap", referenced(objs, b"CIDToGIDMap"))]
    print(f"{path}: {len(data):,} bytes, {len(objs)} objects")
    claimed = set()
    for name, numbers in roles:
        numbers -= claimed
        claimed |= numbers
        print(f"  {name:28} {sum(len(objs[n]) for n in numbers):>9,}  ({len(numbers)} objects)")
    rest = sum(len(body) for n, body in objs.items() if n not in claimed)
    print(f"  {'dictionaries and the rest':28} {rest:>9,}  ({len(objs) - len(claimed)} objects)")
    print(f"  {'xref and trailer':28} {xref:>9,}")
    print(f"  {'header and slack':28} {len(data) - xref - sum(map(len, objs.values())):>9,}")
    for n in sorted(referenced(objs, b"FontFile2")):
        font = stream_data(objs[n])
        names = re.findall(rb"/FontName /([^\s/]+)", b"".join(
            body for body in objs.values() if b"/FontFile2 %d 0 R" % n in body))
        label = names[0].decode() if names else str(n)
        print(f"  font {label}: {len(objs[n]):,} bytes in the PDF, {len(font):,} raw")
        for tag, raw, packed in font_tables(font):
            print(f"    {tag:5} {raw:>9,} raw {packed:>8,} deflated")


if __name__ == "__main__":
    for pdf in sys.argv[1:]:
        report(pdf)
