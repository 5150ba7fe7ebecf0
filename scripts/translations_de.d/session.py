# German texts of the remembered session, model import and indexing state (issue 15 items 9-13).
DE = {
    "Up to date: all %1 photos are searchable.": "Aktuell: alle %1 Fotos sind durchsuchbar.",
    "%n photo(s) of the last session are gone: %1": (
        "%n Foto der letzten Sitzung ist nicht mehr da: %1",
        "%n Fotos der letzten Sitzung sind nicht mehr da: %1",
    ),
}
