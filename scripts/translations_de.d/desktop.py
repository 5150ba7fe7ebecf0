# German texts of the desktop integration (XDG folders, migration).
DE = {
    "%1 was kept where it is: %2 exists already": "%1 bleibt, wo es ist: %2 gibt es schon",
    "Could not move %1 to %2": "%1 konnte nicht nach %2 verschoben werden",
    "Another Glimpse program is moving the data folders; try again later":
        "Ein anderes Glimpse-Programm verschiebt gerade die Datenordner; bitte später noch einmal versuchen",
}
