# German texts of captions that check themselves and of asking across search results (issue 17).
DE = {
    "The caption is not checked: %1": "Die Beschreibung wird nicht geprüft: %1",
    "Asking photo %1 of %2…": "Frage Foto %1 von %2…",
    "The question model changed: the remaining photos are asked with the new model.":
        "Das Modell für Fragen hat sich geändert: Die übrigen Fotos werden mit dem neuen Modell gefragt.",
    "Ask the results, e.g. \"is there a red car?\"": "Die Ergebnisse fragen, z. B. „is there a red car?“",
    "Question for the results": "Frage an die Ergebnisse",
    "top ": "erste ",
    "How many of the first results to ask": "Wie viele der ersten Ergebnisse gefragt werden",
    "Filter by answer": "Nach Antwort filtern",
    "Asking failed: %1": "Fragen fehlgeschlagen: %1",
    "Stopped after %1 of %2 photos.": "Nach %1 von %2 Fotos beendet.",
    "%n photo(s) answered.": ("%n Foto beantwortet.", "%n Fotos beantwortet."),
    "All answers": "Alle Antworten",
    "Search first, then ask the results.": "Erst suchen, dann die Ergebnisse fragen.",
    "Type a question.": "Bitte eine Frage eingeben.",
    "%1 of %2 answered": "%1 von %2 beantwortet",
    "Asking \"%1\" of %n photo(s)…": ("Frage „%1“ an %n Foto…", "Frage „%1“ an %n Fotos…"),
    "Only yes (%1)": "Nur ja (%1)",
    "Only no (%1)": "Nur nein (%1)",
    "\"%1\" (%2)": "„%1“ (%2)",
    "(could not be read)": "(konnte nicht gelesen werden)",
    "Least confident captions": "Unsicherste Beschreibungen",
    "Photos whose caption was checked against the photo, the weakest match first, to review them":
        "Fotos, deren Beschreibung am Foto geprüft wurde, die schwächste Übereinstimmung zuerst, zum Durchsehen",
    "Captions that match their photo least, weakest first (score: match probability)":
        "Beschreibungen, die am wenigsten zu ihrem Foto passen, die schwächste zuerst (Wert: Übereinstimmung)",
    "Caption check": "Prüfung der Beschreibung",
    "Check captions and make degenerate ones again": "Beschreibungen prüfen und missratene neu erstellen",
    "With a search model set: a caption that repeats itself, is empty or does not match the photo is made "
    "again with other settings, and the best match is kept":
        "Mit einem Suchmodell: Eine Beschreibung, die sich wiederholt, leer ist oder nicht zum Foto passt, wird "
        "mit anderen Einstellungen neu erstellt, und die beste Übereinstimmung bleibt",
    "Match %1% · similarity %2": "Übereinstimmung %1 % · Ähnlichkeit %2",
    "the first caption was degenerate and was made again": "die erste Beschreibung war missraten und wurde neu erstellt",
    "How well the search model thinks this caption describes the photo (image-text matching "
    "probability and contrastive similarity)":
        "Wie gut diese Beschreibung das Foto nach dem Suchmodell beschreibt (Wahrscheinlichkeit der "
        "Bild-Text-Übereinstimmung und kontrastive Ähnlichkeit)",
}
