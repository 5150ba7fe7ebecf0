# German texts of the follow-ups: the Settings dialog learns the precisions from the worker.
DE = {
    "Whether this computer can run it is still being checked.":
        "Ob dieser Rechner das kann, wird noch geprüft.",
}
