# German texts of photos changed on disk, the library's counts, each page's toolbar and
# Help → Keyboard shortcuts.
DE = {
    "This file is no longer on disk.": "Diese Datei ist nicht mehr auf dem Datenträger.",
    "The photo changed since this caption was made.": "Das Foto wurde geändert, seit diese Beschreibung entstand.",
    "This file is no longer on disk; the caption is of the photo as it was.":
        "Diese Datei ist nicht mehr auf dem Datenträger; die Beschreibung gilt dem Foto, wie es war.",
    "Caption again": "Neu beschreiben",
    "Caption the photo as it is now on disk": "Das Foto so beschreiben, wie es jetzt auf dem Datenträger ist",
    "%n photo(s) changed on disk: %1": (
        "%n Foto wurde auf dem Datenträger geändert: %1",
        "%n Fotos wurden auf dem Datenträger geändert: %1",
    ),
    "%n photo(s) no longer on disk: %1": (
        "%n Foto ist nicht mehr auf dem Datenträger: %1",
        "%n Fotos sind nicht mehr auf dem Datenträger: %1",
    ),
    "%1 is no longer on disk": "%1 ist nicht mehr auf dem Datenträger",
    "%n not indexed yet": ("%n noch nicht indiziert", "%n noch nicht indiziert"),
    "Add folder to &library…": "Ordner zur Bib&liothek hinzufügen …",
    "&Keyboard shortcuts": "&Tastenkürzel",
    "Ctrl+/": "Ctrl+/",
    "Keyboard Shortcuts": "Tastenkürzel",
    "Keyboard shortcuts": "Tastenkürzel",
    "Filter by action or key…": "Nach Aktion oder Taste filtern …",
    "Filter shortcuts": "Tastenkürzel filtern",
    "Action": "Aktion",
    "Shortcut": "Tastenkürzel",
    "No shortcut matches.": "Kein Tastenkürzel passt.",
    "Other": "Weitere",
    ", ": ", ",
}
