#!/usr/bin/env python
"""Fill English translations of the Spanish msgids: `scripts/translate.py FILE.json`.

The JSON maps Spanish msgid -> English msgstr. Entries already translated are kept
unless --force. Prints the msgids still untranslated. Run `make messages` after.
"""

import argparse
import json
import sys

import polib

PO = "locale/en/LC_MESSAGES/django.po"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mapping", nargs="?")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    po = polib.pofile(PO, wrapwidth=0)
    mapping = {}
    if args.mapping:
        with open(args.mapping, encoding="utf-8") as handle:
            mapping = json.load(handle)
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid in mapping and (args.force or not entry.msgstr or "fuzzy" in entry.flags):
            entry.msgstr = mapping[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(PO)
    missing = [e.msgid for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)]
    for msgid in missing:
        sys.stdout.write(json.dumps(msgid, ensure_ascii=False) + "\n")
    sys.stderr.write(f"{len(missing)} untranslated\n")


if __name__ == "__main__":
    main()
