# German texts of the remembered session, model import and indexing state (issue 15 items 9-13).
DE = {
    "Up to date: all %1 photos are searchable.": "Aktuell: alle %1 Fotos sind durchsuchbar.",
    "&Stop import": "Import &anhalten",
    "Importing %1…": "%1 wird importiert…",
    "%1 of %2": "%1 von %2",
    "Import of %1 stopped; nothing of it was kept.": "Import von %1 angehalten; nichts davon wurde behalten.",
    "%n photo(s) of the last session are gone: %1": (
        "%n Foto der letzten Sitzung ist nicht mehr da: %1",
        "%n Fotos der letzten Sitzung sind nicht mehr da: %1",
    ),
}
