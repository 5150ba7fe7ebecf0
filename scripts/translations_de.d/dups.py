# German texts of the near-duplicate review ("Similar photos").
DE = {
    "Looking for similar photos…": "Ähnliche Fotos werden gesucht …",
    "Similar photos": "Ähnliche Fotos",
    "Similarity threshold": "Schwelle der Ähnlichkeit",
    "Photos whose search vectors have at least this cosine are grouped. Lower it to find photos that are merely alike (a burst of shots); copies with the same content are always grouped.":
        "Fotos, deren Suchvektoren mindestens diesen Kosinus haben, werden gruppiert. Senken Sie den Wert, um auch nur ähnliche Fotos zu finden (eine Serienaufnahme); Kopien mit gleichem Inhalt werden immer gruppiert.",
    "Search again": "Erneut suchen",
    "Similarity at least": "Ähnlichkeit mindestens",
    "Move rejects to Trash": "Verworfene in den Papierkorb",
    "Moves the photos marked Reject to the system trash, where they can be restored":
        "Verschiebt die als „Verwerfen“ markierten Fotos in den Papierkorb des Systems, aus dem sie wiederhergestellt werden können",
    "Moved %n photo(s) to the trash.": ("%n Foto in den Papierkorb verschoben.", "%n Fotos in den Papierkorb verschoben."),
    "%n photo(s) with the same content": ("%n Foto mit gleichem Inhalt", "%n Fotos mit gleichem Inhalt"),
    "%n photo(s), similarity %1": ("%n Foto, Ähnlichkeit %1", "%n Fotos, Ähnlichkeit %1"),
    "No similar photos at this threshold.": "Keine ähnlichen Fotos bei dieser Schwelle.",
    "%n group(s) of similar photos. Mark the ones you do not want as Reject.": (
        "%n Gruppe ähnlicher Fotos. Markieren Sie die, die Sie nicht wollen, mit „Verwerfen“.",
        "%n Gruppen ähnlicher Fotos. Markieren Sie die, die Sie nicht wollen, mit „Verwerfen“.",
    ),
    "%1 × %2 px": "%1 × %2 px",
    "offline": "offline",
    "Sharpness: …": "Schärfe: …",
    "Variance of the Laplacian, with every copy scaled to one size: higher is sharper":
        "Varianz des Laplace-Operators, jede Kopie auf eine Größe skaliert: höher ist schärfer",
    "Keep": "Behalten",
    "Reject": "Verwerfen",
    "Sharpness: cannot be read": "Schärfe: nicht lesbar",
    "Sharpness: %1": "Schärfe: %1",
    "Moving %n photo(s) to the trash…": ("%n Foto wird in den Papierkorb verschoben …", "%n Fotos werden in den Papierkorb verschoben …"),
    "Similar photos…": "Ähnliche Fotos …",
    "Review groups of near-duplicate photos and move the ones you reject to the trash":
        "Gruppen fast gleicher Fotos prüfen und die verworfenen in den Papierkorb verschieben",
    "%1: the file is not there": "%1: die Datei ist nicht da",
    "%1: not a regular file": "%1: keine gewöhnliche Datei",
    "%1: could not be moved to the trash (%2)": "%1: konnte nicht in den Papierkorb verschoben werden (%2)",
}
