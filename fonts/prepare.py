#!/usr/bin/python3
"""Prepares gongkai's two embedded fonts (song.ttf, hei.ttf) from Debian font packages.

Run at build time by CMake with Debian's /usr/bin/python3 and python3-fonttools; nothing is
downloaded. Why the fonts are prepared at all (see fonts/README.md for the measurements):
libharu 2.3.0 copies the loca, hmtx, post and cmap tables of the font whole into every PDF and
scans the cmap linearly for each of the 65,536 BMP code points, so a font cut down to the
characters a budget booklet can use makes every document smaller and faster. libharu also
embeds TrueType outlines only, so a CFF (OpenType) source is converted to quadratic glyf.

Usage: prepare.py OUTDIR [--face song|hei]...   (default: both faces)
       prepare.py --check OUTDIR                 (only verify the sources' SHA-256)

The output is deterministic: the same source gives byte-identical files (no timestamps are
recalculated, no randomness), which fonts/fonts.sha256 pins.
"""

import argparse
import hashlib
import os
import sys
import tempfile

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.scaleUpem import scale_upem

# The faces: Debian package, source file, index in a .ttc, and the source's SHA-256. Sources
# are trusted inputs (libharu crashes on malformed fonts, reliability.md F4): a different file
# must stop the build, not silently change every layout.
FACES = {
    "song": {
        "package": "fonts-noto-cjk",
        "path": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "index": 2,  # Noto Serif CJK SC
        "sha256": "a04178ec485dffdff7cc0c0c20e1fce9202d7e2160d805e8e44a4c8841c58481",
        "family": "Noto Serif CJK SC",
        "order_by_unicode": True,  # no composite glyphs, so renumbering is free
        "upem": 500,  # from 1000
    },
    "hei": {
        "package": "fonts-wqy-microhei",
        "path": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "index": 0,  # WenQuanYi Micro Hei (1 is the Mono variant)
        "sha256": "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3",
        "family": "WenQuanYi Micro Hei",
        # Original glyph order kept: 19,275 composite glyphs, and their component ids past
        # 32,767 are what pdf_harufix.c repairs (and what test_pdf_font proves it repairs).
        "upem": 500,  # from 2048
    },
}

# What a budget booklet may draw. Contiguous ranges keep the cmap's segment count low, which
# is what libharu's HPDF_GetFont time grows with.
RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 punctuation and letters (× ÷ ° ±)
    (0x0391, 0x03C9),  # Greek (GB2312 has it; α β in notes)
    (0x2000, 0x206F),  # general punctuation (— … ‰ ‘ ’ “ ”)
    (0x2100, 0x214F),  # letterlike symbols (℃ №)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ Ⅲ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≤ ≥ ≠)
    (0x2460, 0x24FF),  # enclosed alphanumerics (①–⑳ ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ▲ ● ○)
    (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》「」【】)
    (0x3200, 0x32FF),  # enclosed CJK letters (㈠ ㈡)
    (0x4E00, 0x9FFF),  # CJK unified ideographs: whatever the font has
    (0xFF00, 0xFFEF),  # full-width forms (，：；（）％)
]

# Tables libharu never embeds or reads; dropping them keeps the prepared file small.
DROP_TABLES = ["BASE", "BDF ", "DSIG", "EBDT", "EBLC", "FFTM", "GDEF", "GPOS", "GSUB",
               "JSTF", "LTSH", "MATH", "PCLT", "VDMX", "VORG", "gasp", "hdmx", "kern",
               "mort", "morx", "vhea", "vmtx"]

# Cubic-to-quadratic tolerance in the source's units (1/1000 em for Noto; 2 units of the
# 500-unit em it is scaled to): a curve moves by at most 0.048 pt at 12 pt, a quarter of a
# 400 dpi pixel, invisible in 9-12 pt text at 400 dpi; 4 instead of 1 saves 9.9 KB of Song
# outlines in the sample booklet (fonts/README.md).
CU2QU_MAX_ERR = 4.0


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_source(face):
    """Fails with a clear message when the Debian file is missing or not the pinned one."""
    spec = FACES[face]
    if not os.path.exists(spec["path"]):
        sys.exit(f"prepare.py: {spec['path']} is missing: apt-get install {spec['package']}")
    actual = sha256_of(spec["path"])
    if actual != spec["sha256"]:
        sys.exit(f"prepare.py: {spec['path']} has SHA-256 {actual}, expected {spec['sha256']}"
                 f" ({spec['package']} changed?). Check the new file, then update FACES, "
                 f"fonts/README.md and fonts/fonts.sha256.")


def subset_font(font):
    """Keeps the RANGES characters, no hinting, no glyph names, no layout tables."""
    options = subset.Options()
    options.glyph_names = False       # post format 3: libharu 2.3.0 copies post whole
    options.hinting = False           # PDF viewers rasterise unhinted; saves ~20% of glyf
    options.notdef_outline = True     # a visible box for a missing glyph
    options.name_IDs = ["*"]          # keep copyright and licence strings
    options.name_languages = ["*"]
    options.layout_features = []
    options.drop_tables += DROP_TABLES
    options.recalc_timestamp = False  # deterministic output
    unicodes = [u for lo, hi in RANGES for u in range(lo, hi + 1)]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)


def cff_to_glyf(font):
    """Replaces CFF outlines by quadratic TrueType ones (libharu embeds glyf fonts only)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, CU2QU_MAX_ERR, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    del font["CFF "]
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    for name in glyph_order:
        glyphs[name].recalcBounds(glyf)
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0  # recomputed by loca on save
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def order_by_unicode(font):
    """Renumbers glyphs in code point order, so that the cmap becomes a few long runs with a
    constant delta: HPDF_GetFont looks up all 65,536 BMP code points with a linear search of
    the cmap segments. Only for fonts without composite glyphs (see FACES)."""
    cmap = font.getBestCmap()
    first_code = {}
    for code in sorted(cmap):
        first_code.setdefault(cmap[code], code)
    old_order = font.getGlyphOrder()
    rank = {name: i for i, name in enumerate(old_order)}
    new_order = [old_order[0]] + sorted(
        old_order[1:], key=lambda n: (first_code.get(n, 0x110000), rank[n]))
    font.setGlyphOrder(new_order)
    if "glyf" in font:
        font["glyf"].glyphOrder = new_order


def tabular_digits(font):
    """Gives the digits 0-9 one advance, the widest of them, each outline centred in it, so
    that amounts right-aligned in a column line up digit for digit and at the decimal point.
    Noto Serif CJK's digits are proportional (1 is 471 units, 9 is 562) and it has no tnum
    feature; WenQuanYi Micro Hei's are tabular already, which this leaves unchanged."""
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    glyf = font["glyf"]
    names = [cmap[c] for c in range(ord("0"), ord("9") + 1)]
    width = max(hmtx[name][0] for name in names)
    for name in names:
        advance, lsb = hmtx[name]
        shift = (width - advance) // 2
        glyph = glyf[name]
        if shift == 0:
            hmtx[name] = (width, lsb)
            continue
        if glyph.isComposite():
            sys.exit(f"prepare.py: digit glyph {name} is composite; centre its components")
        if glyph.numberOfContours > 0:
            glyph.coordinates.translate((shift, 0))
            glyph.recalcBounds(glyf)
        hmtx[name] = (width, lsb + shift)


def prepare(face, outdir):
    spec = FACES[face]
    check_source(face)
    font = TTFont(spec["path"], fontNumber=spec["index"], recalcTimestamp=False)
    subset_font(font)
    if spec.get("order_by_unicode"):
        order_by_unicode(font)
    if "CFF " in font:
        cff_to_glyf(font)
    tabular_digits(font)
    # Outlines on a grid of 1/500 em: coordinates round by at most 1/1000 em (0.012 pt at
    # 12 pt, a tenth of a 600 dpi printer dot), and the smaller deltas fit glyf's one-byte
    # form far more often: the sample booklet's Song outlines deflate 12% smaller.
    scale_upem(font, spec["upem"])
    font["post"].formatType = 3.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    # libharu reads only the (3,1) format 4 subtable; a second copy is dead weight in the PDF.
    font["cmap"].tables = [t for t in font["cmap"].tables
                           if (t.platformID, t.platEncID, t.format) == (3, 1, 4)]
    out = os.path.join(outdir, face + ".ttf")
    # write then rename, so that an interrupted build never leaves a half font behind
    fd, tmp = tempfile.mkstemp(prefix=face + ".", suffix=".tmp", dir=outdir)
    os.close(fd)
    try:
        font.save(tmp, reorderTables=True)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the font is build output
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--face", action="append", choices=sorted(FACES))
    parser.add_argument("--check", action="store_true", help="only verify the sources")
    args = parser.parse_args()
    faces = args.face or sorted(FACES)
    if args.check:
        for face in faces:
            check_source(face)
        return
    os.makedirs(args.outdir, exist_ok=True)
    for face in faces:
        prepare(face, args.outdir)


if __name__ == "__main__":
    main()
