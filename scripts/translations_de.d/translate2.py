# German texts of translated questions in "Ask the results" and of translated captions in the
# Library's details panel.
DE = {
    "English original": "Englisches Original",
    "Translated question": "Übersetzte Frage",
    "BLIP reads English only: the question was translated first": (
        "BLIP liest nur Englisch: Die Frage wurde zuerst übersetzt"
    ),
}
