"""Fill msgstr entries of a .po catalog from a JSON dict {msgid: msgstr}.

Used by developers after `motcua makemessages`; the .po files are the source of truth.
Usage: python tools/po_fill.py locale/vi/LC_MESSAGES/django.po translations.json
       python tools/po_fill.py --identity locale/en/LC_MESSAGES/django.po
The English catalog must be complete (msgstr = msgid): otherwise Django falls back to
the default language's (Vietnamese) translation for an English-speaking user.
"""

from __future__ import annotations

import json
import sys

from babel.messages.pofile import read_po, write_po


def main() -> None:
    identity = sys.argv[1] == "--identity"
    po_path = sys.argv[2] if identity else sys.argv[1]
    table: dict[str, str] = {}
    if not identity:
        with open(sys.argv[2], encoding="utf-8") as fh:
            table = json.load(fh)
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale="en" if identity else "vi")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if identity:
            message.string = message.id
            message.flags.discard("fuzzy")
        elif key in table:
            value = table[key]
            # Vietnamese has one plural form: msgstr[0] only.
            message.string = (value,) if isinstance(message.id, tuple | list) else value
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(key)
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)
    for key in missing:
        sys.stdout.write(f"untranslated: {key!r}\n")


if __name__ == "__main__":
    main()
