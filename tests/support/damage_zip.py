#!/usr/bin/env python3
"""Damages a workbook (a zip) the ways a write can go wrong, for tests of gongkai's read-back.

    damage_zip.py IN OUT MODE [PART]

Modes that rewrite the zip with a consistent directory and CRC-32 (the damage happened before
the part was zipped, as when libxlsxwriter's temporary file was cut short):
  cut      PART keeps only its first half
  hole     PART loses 40 bytes from its middle
  droprow  PART (a sheet) loses its last <row> element, markup still balanced
Modes that change the zip's bytes (the damage happened to the file):
  flip     one byte in the middle of PART's compressed data is inverted
  truncate the file loses its last 100 bytes
  rename   PART's name in its local header differs from the central directory's
"""
import re
import sys
import zipfile


def rezip(src, dst, part, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == part else data)


def local_header(data, name):
    """Offset of the local header of the entry called name."""
    at = data.find(b"PK\x03\x04")
    while at >= 0:
        name_len = int.from_bytes(data[at + 26:at + 28], "little")
        if data[at + 30:at + 30 + name_len] == name.encode():
            return at
        at = data.find(b"PK\x03\x04", at + 4)
    sys.exit(f"no local header for {name}")


def main():
    src, dst, mode = sys.argv[1:4]
    part = sys.argv[4] if len(sys.argv) > 4 else None
    if mode == "cut":
        rezip(src, dst, part, lambda d: d[: len(d) // 2])
    elif mode == "hole":
        rezip(src, dst, part, lambda d: d[: len(d) // 2 - 20] + d[len(d) // 2 + 20:])
    elif mode == "droprow":
        def drop_last_row(d):
            rows = list(re.finditer(rb"<row [^>]*>.*?</row>", d, re.S))
            return d[: rows[-1].start()] + d[rows[-1].end():]
        rezip(src, dst, part, drop_last_row)
    else:
        data = bytearray(open(src, "rb").read())
        if mode == "truncate":
            data = data[:-100]
        elif mode == "flip":
            at = local_header(data, part)
            start = at + 30 + int.from_bytes(data[at + 26:at + 28], "little") + \
                int.from_bytes(data[at + 28:at + 30], "little")
            packed = int.from_bytes(data[at + 18:at + 22], "little")
            data[start + packed // 2] ^= 0xFF
        elif mode == "rename":
            at = local_header(data, part)
            data[at + 30] ^= 0x20  # the first letter of the name changes case
        else:
            sys.exit(f"unknown mode {mode}")
        open(dst, "wb").write(data)


main()
