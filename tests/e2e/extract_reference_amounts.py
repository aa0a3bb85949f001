#!/usr/bin/python3
"""Lists every amount printed in the reference booklet, one per line, for reference_amounts.txt.

Usage: extract_reference_amounts.py REFERENCE.txt > tests/e2e/reference_amounts.txt

Run once, by hand, on the text of the published 2025 单位预算 of 乐山市人力资源和社会保障信息中心
(../../../shared/reference/000_e5a2d3b2704d31ea.txt, outside the repository); its output is
committed as tests/e2e/reference_amounts.txt, which check_amounts.py reads in CI.

An amount is what check_amounts.py takes for one (amounts_in): a number with a decimal point that
is not a percentage, or a whole number followed by 万元. Each is written with two decimals
(the booklet's 127.8 and 53 万元 are 127.80 and 53.00), sorted, once.
"""

import sys

from check_amounts import amounts_in


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    print("# Every amount printed in the reference booklet (extract_reference_amounts.py).")
    for cents in sorted(amounts_in(text)):
        print("%d.%02d" % divmod(cents, 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
