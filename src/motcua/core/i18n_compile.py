"""Compile the gettext catalogs (.po → .mo) with Babel: no system gettext needed.

Run by ``make run`` / ``make test`` so a bare machine with only Python gets the
Vietnamese and English interface.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOTS = [
    Path(__file__).resolve().parents[3] / "locale",
    Path(__file__).resolve().parents[1] / "locale",
]


def compile_all(roots: list[Path]) -> int:
    count = 0
    for root in roots:
        for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=po_path.parts[-3])
            with mo_path.open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
            count += 1
    return count


def main() -> None:
    compiled = compile_all(ROOTS)
    sys.stdout.write(f"translations: {compiled} catalog(s) compiled\n")


if __name__ == "__main__":
    main()
