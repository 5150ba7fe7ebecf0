# German texts of the first-walk fixes: actions greyed out with nothing to act on, indexing
# without folders, the Library's photo preview, Similar photos without groups. (The names of
# languages, core/translation, are in translate.py.)
DE = {
    "Photo preview": "Fotovorschau",
    "Add a photo first: drop it on the window or open it with %1": "Zuerst ein Foto hinzufügen: ins Fenster ziehen oder mit %1 öffnen",
    "Ask about the selected photo (Return)": "Zum gewählten Foto fragen (Eingabetaste)",
    "Add a folder first: Add folder… chooses where your photos are.": "Zuerst einen Ordner hinzufügen: „Ordner hinzufügen …“ wählt, wo Ihre Fotos liegen.",
    "No photos are this similar (%1 or more): lower the threshold and search again to find more.":
        "Keine Fotos sind so ähnlich (%1 oder mehr): Senken Sie die Schwelle und suchen Sie erneut, um mehr zu finden.",
}
