# German texts of the first-walk fixes: actions greyed out with nothing to act on, indexing
# without folders. (The names of languages, core/translation, are in translate.py.)
DE = {
    "Add a photo first: drop it on the window or open it with %1": "Zuerst ein Foto hinzufügen: ins Fenster ziehen oder mit %1 öffnen",
    "Ask about the selected photo (Return)": "Zum gewählten Foto fragen (Eingabetaste)",
    "Add a folder first: Add folder… chooses where your photos are.": "Zuerst einen Ordner hinzufügen: „Ordner hinzufügen …“ wählt, wo Ihre Fotos liegen.",
}
