# German texts of the dialogs that say each thing once and fit a small screen: the Models dialog's
# introduction beside the first-run panel, the two translation rows of the Settings dialog,
# and a model folder's summary in its check line.
DE = {
    "Download models from the list or import a folder you already have. They stay on this computer, in %1.":
        "Laden Sie Modelle aus der Liste herunter oder importieren Sie einen vorhandenen Ordner. Sie bleiben auf "
        "diesem Rechner, in %1.",
    "Each model is used as soon as it is ready.": "Jedes Modell wird verwendet, sobald es bereit ist.",
    "Translate queries with:": "Suchanfragen übersetzen mit:",
    "Translate captions and answers with:": "Beschreibungen und Antworten übersetzen mit:",
    "ViT %1/%2 layers, %3 px; text %4/%5 layers; %6 MB %7": "ViT %1/%2 Schichten, %3 px; Text %4/%5 Schichten; %6 MB %7",
    "Marian %1/%2+%3 layers, %4 pieces; %5 MB": "Marian %1/%2+%3 Schichten, %4 Wortteile; %5 MB",
}
