# The engine module loaded in the background once the window shows (issue 13, item 2).
DE = {
    "The inference engine could not be loaded: %1": "Die Inferenz-Engine konnte nicht geladen werden: %1",
}
