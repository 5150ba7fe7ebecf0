#!/usr/bin/env python3
"""Fills the plural forms of translations/glimpse_en.ts (run after lupdate).

The sources are written "%n photo(s)"; Qt picks the singular or plural form of a message with %n
from a translation, so English needs one too. Only messages with %n get English text: the forms
come from the source ("(s)" dropped or made "s"), with the table below where the verb or pronoun
changes too. Every other message stays empty, which leaves the source text on screen.

Usage: scripts/translations_en.py translations/glimpse_en.ts
"""
import sys
import xml.etree.ElementTree as ET

# Singular forms where more than "(s)" changes.
SINGULAR = {
    "The library was indexed with another search model: index it again (Library → Index) to search with %1. "
    "Its %n photo(s) keep their old vectors until then.":
        "The library was indexed with another search model: index it again (Library → Index) to search with %1. "
        "Its %n photo keeps its old vector until then.",
    "%n need indexing again for it": "%n needs indexing again for it",
    "The search model changed to %1: %n photo(s) need indexing again before search finds them "
    "(their old vectors are kept until then).":
        "The search model changed to %1: %n photo needs indexing again before search finds it "
        "(its old vector is kept until then).",
    "%n photo(s) of the last session are gone: %1": "%n photo of the last session is gone: %1",
    "%n photo(s) no longer on disk: %1": "%n photo no longer on disk: %1",
}


def forms(source):
    return SINGULAR.get(source, source.replace("(s)", "")), source.replace("(s)", "s")


def main(path):
    tree = ET.parse(path)
    for msg in tree.iter("message"):
        if msg.get("numerus") != "yes":
            continue
        tr = msg.find("translation")
        for child in list(tr):
            tr.remove(child)
        tr.text = None
        tr.attrib.pop("type", None)
        for f in forms(msg.find("source").text or ""):
            ET.SubElement(tr, "numerusform").text = f
    body = ET.tostring(tree.getroot(), encoding="unicode")
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
