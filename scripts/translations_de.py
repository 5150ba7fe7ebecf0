#!/usr/bin/env python3
"""Fills translations/glimpse_de.ts from the German table below (run after lupdate).

Usage: scripts/translations_de.py translations/glimpse_de.ts
Exits non-zero and lists the sources that have no German text, so a new string cannot slip
through untranslated.
"""
import pathlib
import runpy
import sys
import xml.etree.ElementTree as ET

DE = {
    "There is not enough memory for this. Close other programs or choose a smaller model.":
        "Dafür reicht der Arbeitsspeicher nicht. Schließen Sie andere Programme oder wählen Sie ein kleineres Modell.",
    "The caption of %1 could not be kept in the library: %2": "Die Beschreibung von %1 konnte nicht in der Bibliothek gespeichert werden: %2",
    "%1 of %2 photos": "%1 von %2 Fotos",
    "%1 photos/s · %2 left": "%1 Fotos/s · noch %2",
    "%n could not be captioned": ("%n konnte nicht beschrieben werden", "%n konnten nicht beschrieben werden"),
    "Captioned %1 of %2": "%1 von %2 beschrieben",
    "Could not caption %1: %2": "%1 konnte nicht beschrieben werden: %2",
    "Could not caption this photo: %1": "Dieses Foto konnte nicht beschrieben werden: %1",
    "Done: %1 photos indexed.": "Fertig: %1 Fotos indiziert.",
    "Paused at %1 of %2 photos; everything done is saved.": "Angehalten bei %1 von %2 Fotos; alles Erledigte ist gespeichert.",
    "Pausing…": "Halte an …",
    "Stopped: %1 photos indexed; everything done is saved.": "Gestoppt: %1 Fotos indiziert; alles Erledigte ist gespeichert.",
    "No model is set for %1. Choose one in Tools → Models.": "Für %1 ist kein Modell gewählt. Wählen Sie eines unter Extras → Modelle.",
    "The %1 precision cannot run here (%2). Choose “Exact” in Tools → Settings.":
        "Die Genauigkeit %1 ist hier nicht möglich (%2). Wählen Sie „Exakt“ unter Extras → Einstellungen.",
    "The library is being indexed already.": "Die Bibliothek wird bereits indiziert.",
    "Working in the background…": "Arbeite im Hintergrund …",
    "The library search model changed: indexing goes on with the new model.":
        "Das Modell für die Bibliothekssuche wurde geändert: die Indizierung läuft mit dem neuen Modell weiter.",
    "The caption model changed: the remaining photos are captioned with the new model.":
        "Das Beschreibungsmodell wurde geändert: die übrigen Fotos werden mit dem neuen Modell beschrieben.",
    "captioning": "Bildbeschreibungen",
    "questions": "Fragen",
    "search": "Suche",
    "Ready": "Bereit",
    "Ready (models unloaded to free memory)": "Bereit (Modelle entladen, um Speicher freizugeben)",
    "No model is set for %1. Choose one in Settings → Models.": "Für %1 ist kein Modell gewählt. Wählen Sie eines unter Einstellungen → Modelle.",
    "Loading model %1…": "Lade Modell %1 …",
    "No library is open.": "Es ist keine Bibliothek geöffnet.",
    "Captioning %1…": "Beschreibe %1 …",
    "Captioning %1 of %2…": "Beschreibe Bild %1 von %2 …",
    "Looking at %1…": "Betrachte %1 …",
    "Answering…": "Antworte …",
    "The library is being indexed; pause indexing first.": "Die Bibliothek wird gerade indiziert; halten Sie die Indizierung zuerst an.",
    "Scanning folders…": "Durchsuche Ordner …",
    "Indexing %1 of %2…": "Indiziere %1 von %2 …",
    "Searching…": "Suche …",
    "%1 is not in the library": "%1 ist nicht in der Bibliothek",
    "Images": "Bilder",
    "Drop photos or folders here,\nor open them with Ctrl+O, or paste an image with Ctrl+V.":
        "Fotos oder Ordner hierher ziehen,\noder mit Strg+O öffnen, oder ein Bild mit Strg+V einfügen.",
    "Preview": "Vorschau",
    'BLIP ("a picture of", beam 3)': "BLIP („a picture of“, Strahlbreite 3)",
    "Hugging Face default (greedy)": "Hugging-Face-Standard (gierig)",
    "More varied (sampling)": "Abwechslungsreicher (Stichproben)",
    "Longer and more detailed": "Länger und ausführlicher",
    "Caption preset": "Beschreibungsstil",
    "Advanced options": "Erweiterte Optionen",
    "optional start of the caption": "optionaler Anfang der Beschreibung",
    "Prompt": "Anfangstext",
    "Keep prompt in caption": "Anfangstext in der Beschreibung behalten",
    "Sample (more varied)": "Stichproben (abwechslungsreicher)",
    "Prompt:": "Anfangstext:",
    "Beams:": "Strahlbreite:",
    "Minimum length:": "Mindestlänge:",
    "Maximum length:": "Höchstlänge:",
    "Repetition penalty:": "Wiederholungsstrafe:",
    "Top-p:": "Top-p:",
    "Temperature:": "Temperatur:",
    "The caption appears here.": "Hier erscheint die Beschreibung.",
    "Caption": "Beschreibung",
    ("glimpse::ui::ImagesPage", "&Caption"): "&Beschreiben",
    "Caption the selected image (Ctrl+Return)": "Das gewählte Bild beschreiben (Strg+Eingabe)",
    "Caption &all": "&Alle beschreiben",
    "Caption every image (Ctrl+Shift+Return)": "Alle Bilder beschreiben (Strg+Umschalt+Eingabe)",
    "Cancel": "Abbrechen",
    "Stop captioning (Esc)": "Beschreiben abbrechen (Esc)",
    "C&opy": "K&opieren",
    "Copy the caption (Ctrl+Shift+C)": "Beschreibung kopieren (Strg+Umschalt+C)",
    "Style:": "Stil:",
    "Questions and answers": "Fragen und Antworten",
    'Ask anything about the selected photo: "how many people are there?"':
        "Fragen Sie etwas zum gewählten Foto (auf Englisch): „how many people are there?“",
    "Ask a question about this photo…": "Eine Frage zu diesem Foto stellen …",
    "Question": "Frage",
    "As&k": "&Fragen",
    "Ask": "Fragen",
    "Captioned %1 in %2 s": "%1 in %2 s beschrieben",
    "Stopped after %n image(s)": ("Nach %n Bild abgebrochen", "Nach %n Bildern abgebrochen"),
    "Captioned %n image(s)": ("%n Bild beschrieben", "%n Bilder beschrieben"),
    "Captioning stopped": "Beschreiben abgebrochen",
    "Could not caption: %1": "Beschreiben nicht möglich: %1",
    "(no answer: %1)": "(keine Antwort: %1)",
    "Could not answer: %1": "Antworten nicht möglich: %1",
    "Cannot show %1": "%1 kann nicht angezeigt werden",
    "Captioning…": "Beschreibe …",
    "Captioning %n image(s)…": ("Beschreibe %n Bild …", "Beschreibe %n Bilder …"),
    "Caption copied": "Beschreibung kopiert",
    "thinking…": "denke nach …",
    "Library folders": "Ordner der Bibliothek",
    "Add folder…": "Ordner hinzufügen …",
    "Remove": "Entfernen",
    "Forget this folder (the photos on disk are not touched)": "Diesen Ordner vergessen (die Fotos auf der Platte bleiben unberührt)",
    "Index": "Indizieren",
    "Find new and changed photos and make them searchable": "Neue und geänderte Fotos finden und durchsuchbar machen",
    "Stop": "Stopp",
    "Indexing progress": "Fortschritt der Indizierung",
    "Folders": "Ordner",
    'Describe the photo you remember, e.g. "kids on a beach at sunset"':
        "Beschreiben Sie das gesuchte Foto (auf Englisch), z. B. „kids on a beach at sunset“",
    "Search": "Suche",
    "Search results": "Suchergebnisse",
    "Select a result to see its details.": "Wählen Sie ein Ergebnis, um Einzelheiten zu sehen.",
    "Photo details": "Fotodetails",
    "Open": "Öffnen",
    "Show in folder": "Im Ordner zeigen",
    "More like this": "Ähnliche Fotos",
    "%1 photos, %2 searchable": "%1 Fotos, %2 durchsuchbar",
    "%1 of %2 photos · %3 photos/s · %4 left": "%1 von %2 Fotos · %3 Fotos/s · noch %4",
    "Resume": "Fortsetzen",
    "Paused: %1 photos indexed so far; everything done is saved.": "Angehalten: bisher %1 Fotos indiziert; alles Erledigte ist gespeichert.",
    "Done: %1 photos indexed, %2 could not be read.": "Fertig: %1 Fotos indiziert, %2 konnten nicht gelesen werden.",
    "Indexing failed: %1": "Indizierung fehlgeschlagen: %1",
    "Add a photo folder": "Fotoordner hinzufügen",
    "Pause": "Anhalten",
    "Looking for new and changed photos…": "Suche neue und geänderte Fotos …",
    'Searching for "%1"…': "Suche nach „%1“ …",
    "Photos like %1…": "Fotos wie %1 …",
    "score": "Wert",
    "offline (folder not available)": "offline (Ordner nicht verfügbar)",
    "%n result(s)": ("%n Ergebnis", "%n Ergebnisse"),
    "Glimpse": "Glimpse",
    "Worker state": "Zustand der Verarbeitung",
    "&File": "&Datei",
    "&Open images…": "Bilder &öffnen …",
    "Open &folder…": "&Ordner öffnen …",
    "Ctrl+Shift+O": "Ctrl+Shift+O",
    "&Paste image": "Bild &einfügen",
    "&Quit": "&Beenden",
    ("glimpse::ui::MainWindow", "&Caption"): "&Beschreibung",
    "&Caption selected image": "Gewähltes Bild &beschreiben",
    "Ctrl+Return": "Ctrl+Return",
    "Caption &all images": "&Alle Bilder beschreiben",
    "Ctrl+Shift+Return": "Ctrl+Shift+Return",
    "C&ancel": "Abbre&chen",
    "Co&py caption": "Beschreibung &kopieren",
    "Ctrl+Shift+C": "Ctrl+Shift+C",
    "&View": "&Ansicht",
    "&Images": "&Bilder",
    "Ctrl+1": "Ctrl+1",
    "&Library": "Bib&liothek",
    "Ctrl+2": "Ctrl+2",
    "&Search library": "Bibliothek &durchsuchen",
    "&Tools": "&Extras",
    "&Settings…": "&Einstellungen …",
    "Ctrl+,": "Ctrl+,",
    "&Help": "&Hilfe",
    "&About Glimpse": "&Über Glimpse",
    "About Glimpse": "Über Glimpse",
    "<b>Glimpse</b><p>Captions, answers and search for your photos with Salesforce BLIP, running on this computer. No server, no account.</p>":
        "<b>Glimpse</b><p>Beschreibungen, Antworten und Suche für Ihre Fotos mit Salesforce BLIP, auf diesem Rechner. Kein Server, kein Konto.</p>",
    "Main": "Haupt",
    "No models yet: download or import them in Tools → Models.": "Noch keine Modelle: Laden oder importieren Sie sie unter Extras → Modelle.",
    "Added %n image(s)": ("%n Bild hinzugefügt", "%n Bilder hinzugefügt"),
    "Open images": "Bilder öffnen",
    "Images (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif)": "Bilder (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif)",
    "Open a folder of images": "Einen Bilderordner öffnen",
    "The clipboard holds no image": "Die Zwischenablage enthält kein Bild",
    "Could not keep the pasted image in %1": "Das eingefügte Bild konnte nicht in %1 abgelegt werden",
    "Not set.": "Nicht gesetzt.",
    "Cannot be used: %1": "Nicht verwendbar: %1",
    "This checkpoint does not do this task: it has %1, this task needs %2.": "Dieses Modell kann das nicht: Es enthält %1, diese Aufgabe braucht %2.",
    "Ready: %1 (%2).": "Bereit: %1 (%2).",
    "Settings": "Einstellungen",
    "Models": "Modelle",
    "Captions:": "Beschreibungen:",
    "Questions:": "Fragen:",
    "Library search:": "Bibliothekssuche:",
    "e.g. Salesforce/blip-image-captioning-base": "z. B. Salesforce/blip-image-captioning-base",
    "e.g. Salesforce/blip-vqa-base": "z. B. Salesforce/blip-vqa-base",
    "e.g. Salesforce/blip-itm-base-coco": "z. B. Salesforce/blip-itm-base-coco",
    "Browse…": "Durchsuchen …",
    "Choose a BLIP model folder": "BLIP-Modellordner wählen",
    "Download models…": "Modelle herunterladen …",
    "Downloading checkpoints comes with the model manager. Until then, point each task at a folder downloaded from the Hugging Face Hub.":
        "Das Herunterladen kommt mit der Modellverwaltung. Bis dahin wählen Sie für jede Aufgabe einen vom Hugging Face Hub geladenen Ordner.",
    "Performance": "Leistung",
    "All cores": "Alle Kerne",
    "Threads": "Threads",
    " min": " min",
    "Never": "Nie",
    "Unload models after": "Modelle entladen nach",
    "Threads:": "Threads:",
    "Unload models after idle:": "Modelle nach Leerlauf entladen:",
    "Captions, answers and search for your photos with BLIP.": "Beschreibungen, Antworten und Suche für Ihre Fotos mit BLIP.",
    "Model folder for captions.": "Modellordner für Beschreibungen.",
    "Model folder for questions.": "Modellordner für Fragen.",
    "Model folder for library search.": "Modellordner für die Bibliothekssuche.",
    "Caption the first image, save a screenshot of the window to FILE and quit.":
        "Das erste Bild beschreiben, ein Bildschirmfoto des Fensters in DATEI speichern und beenden.",
    "Images or folders to open.": "Zu öffnende Bilder oder Ordner.",
    "&Models…": "&Modelle …",
    "Ctrl+M": "Ctrl+M",
    "Captions": "Beschreibungen",
    "Questions": "Fragen",
    "Library search": "Bibliothekssuche",
    "Glimpse needs a BLIP model for each task. Download one (it stays on this computer), or import a folder you already have. Models are kept in %1.":
        "Glimpse braucht für jede Aufgabe ein BLIP-Modell. Laden Sie eines herunter (es bleibt auf diesem Rechner) oder importieren Sie einen vorhandenen Ordner. Modelle liegen in %1.",
    "Model": "Modell",
    "Task": "Aufgabe",
    "Size": "Größe",
    "Status": "Status",
    "&Download": "&Herunterladen",
    "&Stop download": "Herunterladen &stoppen",
    "&Use for its task": "Für seine Aufgabe &verwenden",
    "&Remove": "&Entfernen",
    "&Import folder…": "Ordner &importieren …",
    "Download progress": "Fortschritt des Herunterladens",
    "Installed": "Installiert",
    "In use": "In Verwendung",
    "Partly downloaded": "Teilweise heruntergeladen",
    "~%1": "~%1",
    "Connecting to %1…": "Verbinde mit %1 …",
    "Downloading %1: %2 files, %3": "Lade %1 herunter: %2 Dateien, %3",
    "%1 of %2 · %3/s · %4 s left": "%1 von %2 · %3/s · noch %4 s",
    "%1 is ready.": "%1 ist bereit.",
    "Download stopped: %1": "Herunterladen gestoppt: %1",
    "Remove model": "Modell entfernen",
    "Delete %1 from this computer?": "%1 von diesem Rechner löschen?",
    "Removed %1.": "%1 entfernt.",
    "Import a BLIP model folder": "BLIP-Modellordner importieren",
    "Imported %1: %2": "%1 importiert: %2",
    "Cannot import: %1": "Import nicht möglich: %1",
    "Download or import models…": "Modelle herunterladen oder importieren …",
    "The %1 precision cannot run here (%2). Choose “Exact” in Settings → Performance.":
        "Die Genauigkeit %1 ist hier nicht möglich (%2). Wählen Sie „Exakt“ unter Einstellungen → Leistung.",
    "Loading model %1 (%2)…": "Lade Modell %1 (%2) …",
    "Every model computes in 32-bit floats: the same words and scores as the reference implementation.":
        "Alle Modelle rechnen mit 32-Bit-Gleitkommazahlen: dieselben Wörter und Werte wie die Referenzimplementierung.",
    "Products in 16-bit bfloat: captions and search up to 1.5 times as fast. Search embeddings agree with Exact "
    "to a cosine of 0.9999; a caption may take another word at some point and go on differently from there.":
        "Produkte in 16-Bit-bfloat: Beschreibungen und Suche bis zu 1,5-mal so schnell. Die Suchvektoren stimmen mit "
        "„Exakt“ bis auf einen Kosinus von 0,9999 überein; eine Beschreibung kann an einer Stelle ein anderes Wort "
        "wählen und von dort an anders weitergehen.",
    "Image encoding with 8-bit weights, text in 32-bit: indexing and captions start faster. Search "
    "embeddings agree with Exact to a cosine of 0.999; most captions are the same.":
        "Bildkodierung mit 8-Bit-Gewichten, Text in 32 Bit: Indizierung und Beschreibungen beginnen schneller. Die "
        "Suchvektoren stimmen mit „Exakt“ bis auf einen Kosinus von 0,999 überein; die meisten Beschreibungen sind gleich.",
    "Not available on this computer: %1.": "Auf diesem Rechner nicht verfügbar: %1.",
    "Precision": "Genauigkeit",
    "Precision:": "Genauigkeit:",
    "Precision: %1": "Genauigkeit: %1",
    "Exact (float32)": "Exakt (float32)",
    "Fast (bfloat16)": "Schnell (bfloat16)",
    "Fast image encoding (int8)": "Schnelle Bildkodierung (int8)",
    "The caption of %1 could not be saved: %2": "Die Beschreibung von %1 konnte nicht gespeichert werden: %2",
    "Writing caption %1 of %2…": "Schreibe Beschreibung %1 von %2 …",
    "%1: changed since it was indexed; index the library first": "%1: seit der Indizierung verändert; bitte zuerst die Bibliothek indizieren",
    "Caption photos": "Fotos beschreiben",
    "Caption every photo of the library that has no caption from Glimpse yet, with the Images page's caption settings; each caption is kept as it is done": "Jedes Foto der Bibliothek beschreiben, das noch keine Beschreibung von Glimpse hat, mit den Einstellungen der Seite Bilder; jede Beschreibung wird gespeichert, sobald sie fertig ist",
    "Stop captioning": "Beschreiben beenden",
    "Captioning progress": "Fortschritt der Beschreibungen",
    "Write captions to files…": "Beschreibungen in Dateien schreiben …",
    "Review the library's captions, then write them into the photos, XMP sidecars or text files": "Die Beschreibungen der Bibliothek prüfen und dann in die Fotos, XMP-Begleitdateien oder Textdateien schreiben",
    "No caption yet. Type one, or use Caption photos.": "Noch keine Beschreibung. Tippen Sie eine ein oder nutzen Sie „Fotos beschreiben“.",
    "Save caption": "Beschreibung speichern",
    "Keep this caption in the library (it is found by search and written by Write captions to files)": "Diese Beschreibung in der Bibliothek speichern (die Suche findet sie, „Beschreibungen in Dateien schreiben“ schreibt sie)",
    "%1 of %2 photos captioned": "%1 von %2 Fotos beschrieben",
    "%n could not be read": ("%n konnte nicht gelesen werden", "%n konnten nicht gelesen werden"),
    "%1 left": "noch %1",
    "Paused at %1 of %2 photos; every caption done is kept.": "Angehalten bei %1 von %2 Fotos; jede fertige Beschreibung ist gespeichert.",
    "Captioning failed: %1": "Beschreiben fehlgeschlagen: %1",
    "Stopped: %n photo(s) captioned; every caption done is kept.": ("Beendet: %n Foto beschrieben; jede fertige Beschreibung ist gespeichert.", "Beendet: %n Fotos beschrieben; jede fertige Beschreibung ist gespeichert."),
    "Every photo of the library has a caption.": "Jedes Foto der Bibliothek hat eine Beschreibung.",
    "Done: %n photo(s) captioned": ("Fertig: %n Foto beschrieben", "Fertig: %n Fotos beschrieben"),
    "%n could not be read.": ("%n konnte nicht gelesen werden.", "%n konnten nicht gelesen werden."),
    "Done: %n photo(s) captioned.": ("Fertig: %n Foto beschrieben.", "Fertig: %n Fotos beschrieben."),
    "Caption (edited by you)": "Beschreibung (von Ihnen bearbeitet)",
    "Caption (by %1)": "Beschreibung (von %1)",
    "Caption (generated)": "Beschreibung (erzeugt)",
    "Caption (from the photo's description)": "Beschreibung (aus den Metadaten des Fotos)",
    "Caption of %1 saved.": "Beschreibung von %1 gespeichert.",
    "Finding photos without a caption…": "Suche Fotos ohne Beschreibung …",
    "Caption library &photos": "Bibliotheks&fotos beschreiben",
    "&Write captions to files…": "Beschreibungen in &Dateien schreiben …",
    "edited": "bearbeitet",
    "from the photo": "aus dem Foto",
    "generated": "erzeugt",
    "Write captions to files": "Beschreibungen in Dateien schreiben",
    "Review the captions before they are written. Nothing changes on disk until you press Write. Other metadata (camera data, GPS, keywords, colour profile) and the pictures stay as they are.": "Prüfen Sie die Beschreibungen, bevor sie geschrieben werden. Auf der Festplatte ändert sich nichts, bis Sie auf Schreiben drücken. Andere Metadaten (Kameradaten, GPS, Stichwörter, Farbprofil) und die Bilder bleiben, wie sie sind.",
    "In the photo (XMP, EXIF and IPTC description)": "Im Foto (Beschreibung in XMP, EXIF und IPTC)",
    "XMP sidecar file": "XMP-Begleitdatei",
    "photo.jpg.xmp (digiKam, darktable)": "foto.jpg.xmp (digiKam, darktable)",
    "photo.xmp (Lightroom)": "foto.xmp (Lightroom)",
    "Text file next to the photo (photo.txt, for training sets)": "Textdatei neben dem Foto (foto.txt, für Trainingsdaten)",
    "Replace descriptions the files already have": "Vorhandene Beschreibungen in den Dateien ersetzen",
    "Off: a file that already holds a description keeps it and is listed as kept.": "Aus: Eine Datei, die schon eine Beschreibung hat, behält sie und wird als beibehalten aufgeführt.",
    "Photo": "Foto",
    "Description now": "Jetzige Beschreibung",
    "Caption to write": "Zu schreibende Beschreibung",
    "Will write": "Schreibt",
    "Result": "Ergebnis",
    "Captions to write": "Zu schreibende Beschreibungen",
    "Reading the library…": "Lese die Bibliothek …",
    "Write": "Schreiben",
    "The library could not be read: %1": "Die Bibliothek konnte nicht gelesen werden: %1",
    "Writing failed: %1": "Schreiben fehlgeschlagen: %1",
    "Stopped after %1 photos.": "Nach %1 Fotos beendet.",
    "Done: %1 photos, %2 with errors (see Result).": "Fertig: %1 Fotos, %2 mit Fehlern (siehe Ergebnis).",
    "Done: %1 photos.": "Fertig: %1 Fotos.",
    "(none)": "(keine)",
    "Caption (%1); double-click to edit before writing": "Beschreibung (%1); Doppelklick zum Bearbeiten vor dem Schreiben",
    "%1: keeps its own description": "%1: behält die eigene Beschreibung",
    "%1 (description)": "%1 (Beschreibung)",
    "nothing: empty caption": "nichts: leere Beschreibung",
    "skipped": "ausgelassen",
    "Write 1 caption": "1 Beschreibung schreiben",
    "Write %1 captions": "%1 Beschreibungen schreiben",
    "No photo in the library has a caption yet. Caption photos first (Library → Caption photos).": "Noch kein Foto der Bibliothek hat eine Beschreibung. Beschreiben Sie zuerst Fotos (Bibliothek → Fotos beschreiben).",
    "Choose where to write the captions.": "Wählen Sie, wohin die Beschreibungen geschrieben werden.",
    "1 photo will be written.": "1 Foto wird geschrieben.",
    "%1 photos will be written.": "%1 Fotos werden geschrieben.",
    "waiting…": "wartet …",
    "Writing %n caption(s)…": ("Schreibe %n Beschreibung …", "Schreibe %n Beschreibungen …"),
    "written: %1": "geschrieben: %1",
    "kept its own: %1": "eigene beibehalten: %1",
    "failed: %1": "fehlgeschlagen: %1",
}

# More tables beside this script, one file per feature (scripts/translations_de.d/*.py, each defining
# DE = {...}), so that work on separate features does not edit one dictionary.
for _extra in sorted((pathlib.Path(__file__).parent / "translations_de.d").glob("*.py")):
    DE.update(runpy.run_path(str(_extra))["DE"])


def main(path):
    tree = ET.parse(path)
    missing = []
    for context in tree.iter("context"):
      ctx = context.find("name").text
      for msg in context.iter("message"):
        src = msg.find("source").text or ""
        tr = msg.find("translation")
        value = DE.get((ctx, src), DE.get(src))
        if value is None:
            missing.append(src)
            continue
        for child in list(tr):
            tr.remove(child)
        tr.text = None
        tr.attrib.pop("type", None)
        if msg.get("numerus") == "yes":
            forms = value if isinstance(value, tuple) else (value, value)
            for f in forms:
                ET.SubElement(tr, "numerusform").text = f
        else:
            tr.text = value[0] if isinstance(value, tuple) else value
    body = ET.tostring(tree.getroot(), encoding="unicode")
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n")
    if missing:
        print("no German text for:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
