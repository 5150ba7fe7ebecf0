# German texts of query, question, caption and answer translation with OPUS-MT (issue 14).
DE = {
    "Translation": "Übersetzung",
    "English": "Englisch",
    "German": "Deutsch",
    "French": "Französisch",
    "Spanish": "Spanisch",
    "Italian": "Italienisch",
    "Dutch": "Niederländisch",
    "Portuguese": "Portugiesisch",
    "Russian": "Russisch",
    "Greek": "Griechisch",
    "Chinese": "Chinesisch",
    "Japanese": "Japanisch",
    "Korean": "Koreanisch",
    "Arabic": "Arabisch",
    "Hebrew": "Hebräisch",
    "Hindi": "Hindi",
    "Thai": "Thailändisch",
    "Loading translation model %1…": "Lade Übersetzungsmodell %1 …",
    "Translating…": "Übersetze …",
    "“%1” looks %2, and no model that translates %2 to English is installed (Tools → Models); it was used as typed.":
        "„%1“ scheint %2 zu sein, und kein Modell, das %2 ins Englische übersetzt, ist installiert (Extras → Modelle); "
        "es wurde so verwendet, wie es eingegeben wurde.",
    "No model that translates English to %1 is installed: add one in Tools → Models, or turn off showing captions "
    "and answers in %1 in Tools → Settings.":
        "Kein Modell, das Englisch nach %1 übersetzt, ist installiert: Fügen Sie eines unter Extras → Modelle hinzu, "
        "oder schalten Sie Beschreibungen und Antworten auf %1 unter Extras → Einstellungen ab.",
    "Translated query": "Übersetzte Suchanfrage",
    "Search the original instead": "Stattdessen das Original suchen",
    "Search for the words as you typed them, without translating them to English":
        "Nach den Wörtern so suchen, wie Sie sie eingegeben haben, ohne sie ins Englische zu übersetzen",
    "Searched for: %1": "Gesucht nach: %1",
    "Translated from %1 to English; BLIP reads English only": "Übersetzt (%1 → Englisch); BLIP liest nur Englisch",
    "Searching for \"%1\" as typed…": "Suche nach „%1“ wie eingegeben …",
    "English original: %1": "Englisches Original: %1",
    "Asked in English: %1": "Auf Englisch gefragt: %1",
    "No OPUS-MT model for %1 to %2 is installed: get one in Tools → Models.":
        "Kein OPUS-MT-Modell für %1 nach %2 ist installiert: Holen Sie eines unter Extras → Modelle.",
    "This is no translation model: it has %1.": "Das ist kein Übersetzungsmodell: Es enthält %1.",
    "Using %1 (%2).": "Verwendet %1 (%2).",
    "Language": "Sprache",
    "My queries and questions are in": "Meine Suchanfragen und Fragen sind auf",
    "Detect for each query": "Für jede Anfrage erkennen",
    "Translate queries with": "Suchanfragen übersetzen mit",
    "The installed OPUS-MT model for the language, e.g. Helsinki-NLP/opus-mt-de-en":
        "Das installierte OPUS-MT-Modell der Sprache, z. B. Helsinki-NLP/opus-mt-de-en",
    "Queries are never translated.": "Suchanfragen werden nie übersetzt.",
    "Show captions and answers in %1": "Beschreibungen und Antworten auf %1 zeigen",
    "BLIP writes English; the English original stays a hover away":
        "BLIP schreibt Englisch; das englische Original zeigt ein Tooltip",
    "Translate captions and answers with": "Beschreibungen und Antworten übersetzen mit",
    "The installed OPUS-MT model, e.g. Helsinki-NLP/opus-mt-en-de": "Das installierte OPUS-MT-Modell, z. B. Helsinki-NLP/opus-mt-en-de",
    "The interface is in English: captions and answers need no translation.":
        "Die Oberfläche ist auf Englisch: Beschreibungen und Antworten brauchen keine Übersetzung.",
    "My queries and questions are in:": "Meine Suchanfragen und Fragen sind auf:",
    "Translate them with:": "Übersetzen mit:",
    "BLIP reads and writes English: the OPUS-MT models translate your queries to English and captions and answers "
    "back. Sizes are approximate.":
        "BLIP liest und schreibt Englisch: Die OPUS-MT-Modelle übersetzen Ihre Suchanfragen ins Englische und "
        "Beschreibungen und Antworten zurück. Die Größen sind ungefähr.",
    "Import a BLIP or OPUS-MT model folder": "Einen BLIP- oder OPUS-MT-Modellordner importieren",
    "%1 lacks %2: not a BLIP or OPUS-MT checkpoint folder": "%1 fehlt %2: kein BLIP- oder OPUS-MT-Modellordner",
}
