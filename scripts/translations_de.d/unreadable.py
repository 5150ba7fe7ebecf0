DE = {
    "Cannot be read": "Nicht lesbar",
    "Cannot be read: %1": "Nicht lesbar: %1",
    "Done: %n photo(s) indexed": ("Fertig: %n Foto indiziert", "Fertig: %n Fotos indiziert"),
    "Done: %n photo(s) indexed.": ("Fertig: %n Foto indiziert.", "Fertig: %n Fotos indiziert."),
    "%n could not be read (marked “Cannot be read” in the grid).": (
        "%n konnte nicht gelesen werden (im Raster als „Nicht lesbar“ markiert).",
        "%n konnten nicht gelesen werden (im Raster als „Nicht lesbar“ markiert)."),
}
