<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>glimpse::Task</name>
    <message>
        <location filename="../core/settings/task.cpp" line="53" />
        <source>Captions</source>
        <translation>Beschreibungen</translation>
    </message>
    <message>
        <location filename="../core/settings/task.cpp" line="55" />
        <source>Questions</source>
        <translation>Fragen</translation>
    </message>
    <message>
        <location filename="../core/settings/task.cpp" line="57" />
        <source>Library search</source>
        <translation>Bibliothekssuche</translation>
    </message>
    <message>
        <location filename="../core/settings/task.cpp" line="59" />
        <source>Translation</source>
        <translation>Übersetzung</translation>
    </message>
</context>
<context>
    <name>glimpse::desktop</name>
    <message>
        <location filename="../core/desktop/paths.cpp" line="31" />
        <source>%1 was kept where it is: %2 exists already</source>
        <translation>%1 bleibt, wo es ist: %2 gibt es schon</translation>
    </message>
    <message>
        <location filename="../core/desktop/paths.cpp" line="34" />
        <source>Could not move %1 to %2</source>
        <translation>%1 konnte nicht nach %2 verschoben werden</translation>
    </message>
    <message>
        <location filename="../core/desktop/paths.cpp" line="70" />
        <source>Another Glimpse program is moving the data folders; try again later</source>
        <translation>Ein anderes Glimpse-Programm verschiebt gerade die Datenordner; bitte später noch einmal versuchen</translation>
    </message>
</context>
<context>
    <name>glimpse::inference::InferenceWorker</name>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="76" />
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="76" />
        <source>Working in the background…</source>
        <translation>Arbeite im Hintergrund …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="99" />
        <source>No model is set for %1. Choose one in Tools → Models.</source>
        <translation>Für %1 ist kein Modell gewählt. Wählen Sie eines unter Extras → Modelle.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="108" />
        <source>The %1 precision cannot run here (%2). Choose “Exact” in Tools → Settings.</source>
        <translation>Die Genauigkeit %1 ist hier nicht möglich (%2). Wählen Sie „Exakt“ unter Extras → Einstellungen.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="175" />
        <source>The inference engine could not be loaded: %1</source>
        <translation>Die Inferenz-Engine konnte nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="215" />
        <source>Ready (models unloaded to free memory)</source>
        <translation>Bereit (Modelle entladen, um Speicher freizugeben)</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="235" />
        <source>Loading translation model %1…</source>
        <translation>Lade Übersetzungsmodell %1 …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="263" />
        <source>“%1” looks %2, and no model that translates %2 to English is installed (Tools → Models); it was used as typed.</source>
        <translation>„%1“ scheint %2 zu sein, und kein Modell, das %2 ins Englische übersetzt, ist installiert (Extras → Modelle); es wurde so verwendet, wie es eingegeben wurde.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="268" />
        <source>Translating…</source>
        <translation>Übersetze …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="282" />
        <source>No model that translates English to %1 is installed: add one in Tools → Models, or turn off showing captions and answers in %1 in Tools → Settings.</source>
        <translation>Kein Modell, das Englisch nach %1 übersetzt, ist installiert: Fügen Sie eines unter Extras → Modelle hinzu, oder schalten Sie Beschreibungen und Antworten auf %1 unter Extras → Einstellungen ab.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="316" />
        <source>The caption is not checked: %1</source>
        <translation>Die Beschreibung wird nicht geprüft: %1</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="379" />
        <source>The caption of %1 could not be kept in the library: %2</source>
        <translation>Die Beschreibung von %1 konnte nicht in der Bibliothek gespeichert werden: %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../core/inference/inferenceworker.cpp" line="486" />
        <source>The library was indexed with another search model: index it again (Library → Index) to search with %1. Its %n photo(s) keep their old vectors until then.</source>
        <translation><numerusform>Die Bibliothek wurde mit einem anderen Suchmodell indiziert: Indizieren Sie sie erneut (Bibliothek → Indizieren), um mit %1 zu suchen. Ihr %n Foto behält bis dahin seine alten Vektoren.</numerusform><numerusform>Die Bibliothek wurde mit einem anderen Suchmodell indiziert: Indizieren Sie sie erneut (Bibliothek → Indizieren), um mit %1 zu suchen. Ihre %n Fotos behalten bis dahin ihre alten Vektoren.</numerusform></translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="518" />
        <source>Scanning folders…</source>
        <translation>Durchsuche Ordner …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="662" />
        <source>The caption of %1 could not be saved: %2</source>
        <translation>Die Beschreibung von %1 konnte nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="694" />
        <source>Looking for similar photos…</source>
        <translation>Ähnliche Fotos werden gesucht …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="759" />
        <source>The library is being indexed already.</source>
        <translation>Die Bibliothek wird bereits indiziert.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="113" />
        <source>Loading model %1…</source>
        <translation>Lade Modell %1 …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="114" />
        <source>Loading model %1 (%2)…</source>
        <translation>Lade Modell %1 (%2) …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="442" />
        <source>No library is open.</source>
        <translation>Es ist keine Bibliothek geöffnet.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="297" />
        <source>Captioning %1…</source>
        <translation>Beschreibe %1 …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="36" />
        <source>There is not enough memory for this. Close other programs or choose a smaller model.</source>
        <translation>Dafür reicht der Arbeitsspeicher nicht. Schließen Sie andere Programme oder wählen Sie ein kleineres Modell.</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="409" />
        <source>Looking at %1…</source>
        <translation>Betrachte %1 …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="415" />
        <source>Answering…</source>
        <translation>Antworte …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="554" />
        <source>Searching…</source>
        <translation>Suche …</translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="626" />
        <location filename="../core/inference/inferenceworker.cpp" line="658" />
        <source>%1 is not in the library</source>
        <translation>%1 ist nicht in der Bibliothek</translation>
    </message>
</context>
<context>
    <name>glimpse::inference::Job</name>
    <message>
        <location filename="../core/inference/jobs.cpp" line="49" />
        <source>Scanning folders…</source>
        <translation>Durchsuche Ordner …</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="78" />
        <source>Indexing %1 of %2…</source>
        <translation>Indiziere %1 von %2 …</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="89" />
        <source>The library search model changed: indexing goes on with the new model.</source>
        <translation>Das Modell für die Bibliothekssuche wurde geändert: die Indizierung läuft mit dem neuen Modell weiter.</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="110" />
        <source>Captioning %1 of %2…</source>
        <translation>Beschreibe Bild %1 von %2 …</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="131" />
        <source>The caption model changed: the remaining photos are captioned with the new model.</source>
        <translation>Das Beschreibungsmodell wurde geändert: die übrigen Fotos werden mit dem neuen Modell beschrieben.</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="161" />
        <source>Asking photo %1 of %2…</source>
        <translation>Frage Foto %1 von %2…</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="189" />
        <source>The question model changed: the remaining photos are asked with the new model.</source>
        <translation>Das Modell für Fragen hat sich geändert: Die übrigen Fotos werden mit dem neuen Modell gefragt.</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="209" />
        <source>Writing caption %1 of %2…</source>
        <translation>Schreibe Beschreibung %1 von %2 …</translation>
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="224" />
        <source>%1: changed since it was indexed; index the library first</source>
        <translation>%1: seit der Indizierung verändert; bitte zuerst die Bibliothek indizieren</translation>
    </message>
</context>
<context>
    <name>glimpse::library</name>
    <message>
        <location filename="../core/library/duplicates.cpp" line="266" />
        <source>%1: the file is not there</source>
        <translation>%1: die Datei ist nicht da</translation>
    </message>
    <message>
        <location filename="../core/library/duplicates.cpp" line="270" />
        <source>%1: not a regular file</source>
        <translation>%1: keine gewöhnliche Datei</translation>
    </message>
    <message>
        <location filename="../core/library/duplicates.cpp" line="275" />
        <source>%1: could not be moved to the trash (%2)</source>
        <translation>%1: konnte nicht in den Papierkorb verschoben werden (%2)</translation>
    </message>
</context>
<context>
    <name>glimpse::translation</name>
    <message>
        <location filename="../core/translation/language.cpp" line="180" />
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="181" />
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="182" />
        <source>French</source>
        <translation>Französisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="183" />
        <source>Spanish</source>
        <translation>Spanisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="184" />
        <source>Italian</source>
        <translation>Italienisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="185" />
        <source>Dutch</source>
        <translation>Niederländisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="186" />
        <source>Portuguese</source>
        <translation>Portugiesisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="187" />
        <source>Russian</source>
        <translation>Russisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="188" />
        <source>Greek</source>
        <translation>Griechisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="189" />
        <source>Chinese</source>
        <translation>Chinesisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="190" />
        <source>Japanese</source>
        <translation>Japanisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="191" />
        <source>Korean</source>
        <translation>Koreanisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="192" />
        <source>Arabic</source>
        <translation>Arabisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="193" />
        <source>Hebrew</source>
        <translation>Hebräisch</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="194" />
        <source>Hindi</source>
        <translation>Hindi</translation>
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="195" />
        <source>Thai</source>
        <translation>Thailändisch</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::AskResultsBar</name>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="34" />
        <source>Ask the results, e.g. "is there a red car?"</source>
        <translation>Die Ergebnisse fragen, z. B. „is there a red car?“</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="36" />
        <source>Question for the results</source>
        <translation>Frage an die Ergebnisse</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="40" />
        <source>top </source>
        <translation>erste </translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="41" />
        <source>How many of the first results to ask</source>
        <translation>Wie viele der ersten Ergebnisse gefragt werden</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="42" />
        <source>Ask</source>
        <translation>Fragen</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="43" />
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="46" />
        <source>Filter by answer</source>
        <translation>Nach Antwort filtern</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="50" />
        <source>Translated question</source>
        <translation>Übersetzte Frage</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="51" />
        <source>BLIP reads English only: the question was translated first</source>
        <translation>BLIP liest nur Englisch: Die Frage wurde zuerst übersetzt</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="86" />
        <source>Asked in English: %1</source>
        <translation>Auf Englisch gefragt: %1</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="101" />
        <source>(could not be read)</source>
        <translation>(konnte nicht gelesen werden)</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="107" />
        <source>English original: %1</source>
        <translation>Englisches Original: %1</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="112" />
        <location filename="../ui/askresultsbar.cpp" line="183" />
        <source>%1 of %2 answered</source>
        <translation>%1 von %2 beantwortet</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="122" />
        <source>Asking failed: %1</source>
        <translation>Fragen fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="125" />
        <source>Stopped after %1 of %2 photos.</source>
        <translation>Nach %1 von %2 Fotos beendet.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/askresultsbar.cpp" line="128" />
        <source>%n photo(s) answered.</source>
        <translation><numerusform>%n Foto beantwortet.</numerusform><numerusform>%n Fotos beantwortet.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="138" />
        <location filename="../ui/askresultsbar.cpp" line="208" />
        <source>All answers</source>
        <translation>Alle Antworten</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="162" />
        <source>Search first, then ask the results.</source>
        <translation>Erst suchen, dann die Ergebnisse fragen.</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="162" />
        <source>Type a question.</source>
        <translation>Bitte eine Frage eingeben.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/askresultsbar.cpp" line="184" />
        <source>Asking "%1" of %n photo(s)…</source>
        <translation><numerusform>Frage „%1“ an %n Foto…</numerusform><numerusform>Frage „%1“ an %n Fotos…</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="214" />
        <source>Only yes (%1)</source>
        <translation>Nur ja (%1)</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="217" />
        <source>Only no (%1)</source>
        <translation>Nur nein (%1)</translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="221" />
        <source>"%1" (%2)</source>
        <translation>„%1“ (%2)</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::Desktop</name>
    <message>
        <location filename="../ui/desktop.cpp" line="23" />
        <source>Glimpse</source>
        <translation>Glimpse</translation>
    </message>
    <message>
        <location filename="../ui/desktop.cpp" line="25" />
        <source>No file manager could be opened for this folder.</source>
        <translation>Für diesen Ordner konnte kein Dateimanager geöffnet werden.</translation>
    </message>
    <message>
        <location filename="../ui/desktop.cpp" line="26" />
        <source>No application could be opened to show this file.</source>
        <translation>Es konnte kein Programm geöffnet werden, das diese Datei zeigt.</translation>
    </message>
    <message>
        <location filename="../ui/desktop.cpp" line="30" />
        <source>Install a file manager or an image viewer (one that xdg-open knows), or open it yourself:
%1</source>
        <translation>Installieren Sie einen Dateimanager oder Bildbetrachter (einen, den xdg-open kennt), oder öffnen Sie es selbst:
%1</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::DuplicatesDialog</name>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="46" />
        <source>Similar photos</source>
        <translation>Ähnliche Fotos</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="53" />
        <source>Similarity threshold</source>
        <translation>Schwelle der Ähnlichkeit</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="55" />
        <source>Photos whose search vectors have at least this cosine are grouped. Lower it to find photos that are merely alike (a burst of shots); copies with the same content are always grouped.</source>
        <translation>Fotos, deren Suchvektoren mindestens diesen Kosinus haben, werden gruppiert. Senken Sie den Wert, um auch nur ähnliche Fotos zu finden (eine Serienaufnahme); Kopien mit gleichem Inhalt werden immer gruppiert.</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="57" />
        <source>Search again</source>
        <translation>Erneut suchen</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="59" />
        <source>Similarity at least</source>
        <translation>Ähnlichkeit mindestens</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="68" />
        <source>Move rejects to Trash</source>
        <translation>Verworfene in den Papierkorb</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="69" />
        <source>Moves the photos marked Reject to the system trash, where they can be restored</source>
        <translation>Verschiebt die als „Verwerfen“ markierten Fotos in den Papierkorb des Systems, aus dem sie wiederhergestellt werden können</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="93" />
        <source>Moved %n photo(s) to the trash.</source>
        <translation><numerusform>%n Foto in den Papierkorb verschoben.</numerusform><numerusform>%n Fotos in den Papierkorb verschoben.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="115" />
        <source>Looking for similar photos…</source>
        <translation>Ähnliche Fotos werden gesucht …</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="127" />
        <source>%n photo(s) with the same content</source>
        <translation><numerusform>%n Foto mit gleichem Inhalt</numerusform><numerusform>%n Fotos mit gleichem Inhalt</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="128" />
        <source>%n photo(s), similarity %1</source>
        <translation><numerusform>%n Foto, Ähnlichkeit %1</numerusform><numerusform>%n Fotos, Ähnlichkeit %1</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="134" />
        <source>No similar photos at this threshold.</source>
        <translation>Keine ähnlichen Fotos bei dieser Schwelle.</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="140" />
        <source>No photos are this similar (%1 or more): lower the threshold and search again to find more.</source>
        <translation>Keine Fotos sind so ähnlich (%1 oder mehr): Senken Sie die Schwelle und suchen Sie erneut, um mehr zu finden.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="142" />
        <source>%n group(s) of similar photos. Mark the ones you do not want as Reject.</source>
        <translation><numerusform>%n Gruppe ähnlicher Fotos. Markieren Sie die, die Sie nicht wollen, mit „Verwerfen“.</numerusform><numerusform>%n Gruppen ähnlicher Fotos. Markieren Sie die, die Sie nicht wollen, mit „Verwerfen“.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="166" />
        <source>%1 × %2 px</source>
        <translation>%1 × %2 px</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="168" />
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="171" />
        <source>Sharpness: …</source>
        <translation>Schärfe: …</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="172" />
        <source>Variance of the Laplacian, with every copy scaled to one size: higher is sharper</source>
        <translation>Varianz des Laplace-Operators, jede Kopie auf eine Größe skaliert: höher ist schärfer</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="174" />
        <source>Keep</source>
        <translation>Behalten</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="175" />
        <source>Reject</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="194" />
        <source>Sharpness: cannot be read</source>
        <translation>Schärfe: nicht lesbar</translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="198" />
        <source>Sharpness: %1</source>
        <translation>Schärfe: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="229" />
        <source>Moving %n photo(s) to the trash…</source>
        <translation><numerusform>%n Foto wird in den Papierkorb verschoben …</numerusform><numerusform>%n Fotos werden in den Papierkorb verschoben …</numerusform></translation>
    </message>
</context>
<context>
    <name>glimpse::ui::ImageListModel</name>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="84" />
        <source>This file is no longer on disk.</source>
        <translation>Diese Datei ist nicht mehr auf dem Datenträger.</translation>
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="85" />
        <source>Could not caption this photo: %1</source>
        <translation>Dieses Foto konnte nicht beschrieben werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="86" />
        <source>This file cannot be shown: it is damaged or not a supported photo.</source>
        <translation>Diese Datei kann nicht angezeigt werden: Sie ist beschädigt oder kein unterstütztes Foto.</translation>
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="115" />
        <source>The photo changed since this caption was made.</source>
        <translation>Das Foto wurde geändert, seit diese Beschreibung entstand.</translation>
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="116" />
        <source>Captioning…</source>
        <translation>Beschreibe …</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::ImagesPage</name>
    <message>
        <location filename="../ui/imagespage.cpp" line="63" />
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="68" />
        <location filename="../ui/imagespage.cpp" line="756" />
        <source>Drop photos or folders here,
or open them with Ctrl+O, or paste an image with Ctrl+V.</source>
        <translation>Fotos oder Ordner hierher ziehen,
oder mit Strg+O öffnen, oder ein Bild mit Strg+V einfügen.</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="106" />
        <source>BLIP ("a picture of", beam 3)</source>
        <translation>BLIP („a picture of“, Strahlbreite 3)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="106" />
        <source>Hugging Face default (greedy)</source>
        <translation>Hugging-Face-Standard (gierig)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="107" />
        <source>More varied (sampling)</source>
        <translation>Abwechslungsreicher (Stichproben)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="107" />
        <source>Longer and more detailed</source>
        <translation>Länger und ausführlicher</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="108" />
        <source>Caption preset</source>
        <translation>Beschreibungsstil</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="109" />
        <source>Advanced options</source>
        <translation>Erweiterte Optionen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="113" />
        <source>optional start of the caption</source>
        <translation>optionaler Anfang der Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="114" />
        <source>Prompt</source>
        <translation>Anfangstext</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="115" />
        <source>Keep prompt in caption</source>
        <translation>Anfangstext in der Beschreibung behalten</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="125" />
        <source>Sample (more varied)</source>
        <translation>Stichproben (abwechslungsreicher)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="133" />
        <source>Prompt:</source>
        <translation>Anfangstext:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="135" />
        <source>Beams:</source>
        <translation>Strahlbreite:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="136" />
        <source>Minimum length:</source>
        <translation>Mindestlänge:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="137" />
        <source>Maximum length:</source>
        <translation>Höchstlänge:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="138" />
        <source>Repetition penalty:</source>
        <translation>Wiederholungsstrafe:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="140" />
        <source>Top-p:</source>
        <translation>Top-p:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="141" />
        <source>Temperature:</source>
        <translation>Temperatur:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="149" />
        <source>The caption appears here.</source>
        <translation>Hier erscheint die Beschreibung.</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="150" />
        <location filename="../ui/imagespage.cpp" line="222" />
        <source>Caption</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="158" />
        <source>Caption state</source>
        <translation>Stand der Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="160" />
        <source>Caption again</source>
        <translation>Neu beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="161" />
        <source>Caption the photo as it is now on disk</source>
        <translation>Das Foto so beschreiben, wie es jetzt auf dem Datenträger ist</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="163" />
        <source>&amp;Caption</source>
        <translation>&amp;Beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="164" />
        <source>Caption the selected image (Ctrl+Return)</source>
        <translation>Das gewählte Bild beschreiben (Strg+Eingabe)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="165" />
        <source>Caption &amp;all</source>
        <translation>&amp;Alle beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="166" />
        <source>Caption every image (Ctrl+Shift+Return)</source>
        <translation>Alle Bilder beschreiben (Strg+Umschalt+Eingabe)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="167" />
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="168" />
        <source>Stop captioning (Esc)</source>
        <translation>Beschreiben abbrechen (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="170" />
        <source>C&amp;opy</source>
        <translation>K&amp;opieren</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="171" />
        <source>Copy the caption (Ctrl+Shift+C)</source>
        <translation>Beschreibung kopieren (Strg+Umschalt+C)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="182" />
        <source>Style:</source>
        <translation>Stil:</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="187" />
        <source>Caption check</source>
        <translation>Prüfung der Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="194" />
        <source>Check captions and make degenerate ones again</source>
        <translation>Beschreibungen prüfen und missratene neu erstellen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="197" />
        <source>With a search model set: a caption that repeats itself, is empty or does not match the photo is made again with other settings, and the best match is kept</source>
        <translation>Mit einem Suchmodell: Eine Beschreibung, die sich wiederholt, leer ist oder nicht zum Foto passt, wird mit anderen Einstellungen neu erstellt, und die beste Übereinstimmung bleibt</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="206" />
        <source>Questions and answers</source>
        <translation>Fragen und Antworten</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="207" />
        <source>Ask anything about the selected photo: "how many people are there?"</source>
        <translation>Fragen Sie etwas zum gewählten Foto (auf Englisch): „how many people are there?“</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="211" />
        <source>Ask about the selected photo (Return)</source>
        <translation>Zum gewählten Foto fragen (Eingabetaste)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="273" />
        <source>%n photo(s) changed on disk: %1</source>
        <translation><numerusform>%n Foto wurde auf dem Datenträger geändert: %1</numerusform><numerusform>%n Fotos wurden auf dem Datenträger geändert: %1</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="276" />
        <source>%n photo(s) no longer on disk: %1</source>
        <translation><numerusform>%n Foto ist nicht mehr auf dem Datenträger: %1</numerusform><numerusform>%n Fotos sind nicht mehr auf dem Datenträger: %1</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="463" />
        <source>Ask a question about this photo…</source>
        <translation>Eine Frage zu diesem Foto stellen …</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="209" />
        <source>Question</source>
        <translation>Frage</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="210" />
        <source>As&amp;k</source>
        <translation>&amp;Fragen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="223" />
        <source>Ask</source>
        <translation>Fragen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="286" />
        <source>&amp;Remove from list</source>
        <translation>Aus der Liste &amp;entfernen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="298" />
        <source>&amp;Copy paths</source>
        <translation>Pfade &amp;kopieren</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="298" />
        <source>&amp;Copy path</source>
        <translation>Pfad &amp;kopieren</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="300" />
        <source>Show in &amp;folder</source>
        <translation>Im &amp;Ordner zeigen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="339" />
        <source>Captioned %1 in %2 s</source>
        <translation>%1 in %2 s beschrieben</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="360" />
        <source>Could not caption %1: %2</source>
        <translation>%1 konnte nicht beschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="371" />
        <source>Captioned %1 of %2</source>
        <translation>%1 von %2 beschrieben</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="381" />
        <source>Captioned %n image(s)</source>
        <translation><numerusform>%n Bild beschrieben</numerusform><numerusform>%n Bilder beschrieben</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="368" />
        <source>Captioning stopped</source>
        <translation>Beschreiben abgebrochen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="435" />
        <source>(no answer: %1)</source>
        <translation>(keine Antwort: %1)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="438" />
        <location filename="../ui/imagespage.cpp" line="441" />
        <source>Could not answer: %1</source>
        <translation>Antworten nicht möglich: %1</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="466" />
        <source>Add a photo first: drop it on the window or open it with %1</source>
        <translation>Zuerst ein Foto hinzufügen: ins Fenster ziehen oder mit %1 öffnen</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="790" />
        <source>Cannot show %1</source>
        <translation>%1 kann nicht angezeigt werden</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="492" />
        <source>Captioning…</source>
        <translation>Beschreibe …</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="72" />
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="86" />
        <source>Fit to window (0)</source>
        <translation>An Fenster anpassen (0)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="87" />
        <source>Actual size, 100% (1)</source>
        <translation>Originalgröße, 100 % (1)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="88" />
        <source>Zoom out (-, Ctrl+wheel)</source>
        <translation>Verkleinern (-, Strg+Mausrad)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="89" />
        <source>Zoom in (+, Ctrl+wheel)</source>
        <translation>Vergrößern (+, Strg+Mausrad)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="92" />
        <source>Full screen (F11, double click)</source>
        <translation>Vollbild (F11, Doppelklick)</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="100" />
        <source>Fit (%1)</source>
        <translation>Eingepasst (%1)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="380" />
        <source>Stopped: %n image(s) captioned</source>
        <translation><numerusform>Angehalten: %n Bild beschrieben</numerusform><numerusform>Angehalten: %n Bilder beschrieben</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="382" />
        <source>%n could not be captioned</source>
        <translation><numerusform>%n konnte nicht beschrieben werden</numerusform><numerusform>%n konnten nicht beschrieben werden</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="385" />
        <source>%n not started</source>
        <translation><numerusform>%n nicht begonnen</numerusform><numerusform>%n nicht begonnen</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="391" />
        <source>%n photo(s) could not be captioned: %1</source>
        <translation><numerusform>%n Foto konnte nicht beschrieben werden: %1</numerusform><numerusform>%n Fotos konnten nicht beschrieben werden: %1</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="465" />
        <location filename="../ui/imagespage.cpp" line="514" />
        <source>This file is no longer on disk.</source>
        <translation>Diese Datei ist nicht mehr auf dem Datenträger.</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="496" />
        <source>Could not caption this photo: %1</source>
        <translation>Dieses Foto konnte nicht beschrieben werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="503" />
        <source>Not captioned yet.</source>
        <translation>Noch nicht beschrieben.</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="515" />
        <source>This file is no longer on disk; the caption is of the photo as it was.</source>
        <translation>Diese Datei ist nicht mehr auf dem Datenträger; die Beschreibung gilt dem Foto, wie es war.</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="517" />
        <source>The photo changed since this caption was made.</source>
        <translation>Das Foto wurde geändert, seit diese Beschreibung entstand.</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="529" />
        <location filename="../ui/imagespage.cpp" line="893" />
        <source>English original: %1</source>
        <translation>Englisches Original: %1</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="535" />
        <source>Match %1% · similarity %2</source>
        <translation>Übereinstimmung %1 % · Ähnlichkeit %2</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="536" />
        <source>the first caption was degenerate and was made again</source>
        <translation>die erste Beschreibung war missraten und wurde neu erstellt</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="539" />
        <source>How well the search model thinks this caption describes the photo (image-text matching probability and contrastive similarity)</source>
        <translation>Wie gut diese Beschreibung das Foto nach dem Suchmodell beschreibt (Wahrscheinlichkeit der Bild-Text-Übereinstimmung und kontrastive Ähnlichkeit)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="655" />
        <source>Removed %n image(s) from the list (the files are not touched)</source>
        <translation><numerusform>%n Bild aus der Liste entfernt (die Datei bleibt unberührt)</numerusform><numerusform>%n Bilder aus der Liste entfernt (die Dateien bleiben unberührt)</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="662" />
        <source>Copied %n path(s)</source>
        <translation><numerusform>%n Pfad kopiert</numerusform><numerusform>%n Pfade kopiert</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="777" />
        <source>%1 is no longer on disk</source>
        <translation>%1 ist nicht mehr auf dem Datenträger</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="845" />
        <source>Captioning %n image(s)…</source>
        <translation><numerusform>Beschreibe %n Bild …</numerusform><numerusform>Beschreibe %n Bilder …</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="857" />
        <source>Caption copied</source>
        <translation>Beschreibung kopiert</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="890" />
        <source>Asked in English: %1</source>
        <translation>Auf Englisch gefragt: %1</translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="892" />
        <source>thinking…</source>
        <translation>denke nach …</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::LibraryPage</name>
    <message>
        <location filename="../ui/librarypage.cpp" line="77" />
        <source>Library folders</source>
        <translation>Ordner der Bibliothek</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="80" />
        <source>Add folder…</source>
        <translation>Ordner hinzufügen …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="81" />
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="82" />
        <source>Forget this folder (the photos on disk are not touched)</source>
        <translation>Diesen Ordner vergessen (die Fotos auf der Platte bleiben unberührt)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="84" />
        <location filename="../ui/librarypage.cpp" line="755" />
        <source>Index</source>
        <translation>Indizieren</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="85" />
        <source>Find new and changed photos and make them searchable</source>
        <translation>Neue und geänderte Fotos finden und durchsuchbar machen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="86" />
        <location filename="../ui/librarypage.cpp" line="103" />
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="89" />
        <source>Indexing progress</source>
        <translation>Fortschritt der Indizierung</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="99" />
        <location filename="../ui/librarypage.cpp" line="722" />
        <source>Caption photos</source>
        <translation>Fotos beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="101" />
        <source>Caption every photo of the library that has no caption from Glimpse yet, with the Images page's caption settings; each caption is kept as it is done</source>
        <translation>Jedes Foto der Bibliothek beschreiben, das noch keine Beschreibung von Glimpse hat, mit den Einstellungen der Seite Bilder; jede Beschreibung wird gespeichert, sobald sie fertig ist</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="105" />
        <source>Stop captioning</source>
        <translation>Beschreiben beenden</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="107" />
        <source>Captioning progress</source>
        <translation>Fortschritt der Beschreibungen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="111" />
        <source>Write captions to files…</source>
        <translation>Beschreibungen in Dateien schreiben …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="113" />
        <source>Review the library's captions, then write them into the photos, XMP sidecars or text files</source>
        <translation>Die Beschreibungen der Bibliothek prüfen und dann in die Fotos, XMP-Begleitdateien oder Textdateien schreiben</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="115" />
        <source>Similar photos…</source>
        <translation>Ähnliche Fotos …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="116" />
        <source>Review groups of near-duplicate photos and move the ones you reject to the trash</source>
        <translation>Gruppen fast gleicher Fotos prüfen und die verworfenen in den Papierkorb verschieben</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="122" />
        <source>Folders</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="129" />
        <source>Captions</source>
        <translation>Beschreibungen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="138" />
        <source>Describe the photo you remember, e.g. "kids on a beach at sunset"</source>
        <translation>Beschreiben Sie das gesuchte Foto (auf Englisch), z. B. „kids on a beach at sunset“</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="140" />
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="146" />
        <source>Translated query</source>
        <translation>Übersetzte Suchanfrage</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="147" />
        <source>Search the original instead</source>
        <translation>Stattdessen das Original suchen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="151" />
        <source>Search for the words as you typed them, without translating them to English</source>
        <translation>Nach den Wörtern so suchen, wie Sie sie eingegeben haben, ohne sie ins Englische zu übersetzen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="159" />
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="161" />
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="168" />
        <source>Taken on or after</source>
        <translation>Aufgenommen am oder nach dem</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="169" />
        <source>Taken on or before</source>
        <translation>Aufgenommen am oder vor dem</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="173" />
        <source>any</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="174" />
        <source>Minimum relevance</source>
        <translation>Mindestrelevanz</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="175" />
        <source>Search results less relevant than this are left out</source>
        <translation>Weniger relevante Suchergebnisse werden ausgelassen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="182" />
        <source>Minimum relevance:</source>
        <translation>Mindestrelevanz:</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="186" />
        <source>Results summary</source>
        <translation>Zusammenfassung der Ergebnisse</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="201" />
        <source>Search results</source>
        <translation>Suchergebnisse</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="207" />
        <source>Least confident captions</source>
        <translation>Unsicherste Beschreibungen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="209" />
        <source>Photos whose caption was checked against the photo, the weakest match first, to review them</source>
        <translation>Fotos, deren Beschreibung am Foto geprüft wurde, die schwächste Übereinstimmung zuerst, zum Durchsehen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="219" />
        <source>Select a result to see its details.</source>
        <translation>Wählen Sie ein Ergebnis, um Einzelheiten zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="223" />
        <source>Photo details</source>
        <translation>Fotodetails</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="228" />
        <source>Photo preview</source>
        <translation>Fotovorschau</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="233" />
        <location filename="../ui/librarypage.cpp" line="246" />
        <location filename="../ui/librarypage.cpp" line="317" />
        <location filename="../ui/librarypage.cpp" line="645" />
        <source>Caption</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="234" />
        <source>No caption yet. Type one, or use Caption photos.</source>
        <translation>Noch keine Beschreibung. Tippen Sie eine ein oder nutzen Sie „Fotos beschreiben“.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="237" />
        <source>English original</source>
        <translation>Englisches Original</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="238" />
        <source>Save caption</source>
        <translation>Beschreibung speichern</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="241" />
        <source>Keep this caption in the library (it is found by search and written by Write captions to files)</source>
        <translation>Diese Beschreibung in der Bibliothek speichern (die Suche findet sie, „Beschreibungen in Dateien schreiben“ schreibt sie)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="243" />
        <location filename="../ui/librarypage.cpp" line="322" />
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="244" />
        <location filename="../ui/librarypage.cpp" line="323" />
        <source>Show in folder</source>
        <translation>Im Ordner zeigen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="245" />
        <location filename="../ui/librarypage.cpp" line="320" />
        <source>More like this</source>
        <translation>Ähnliche Fotos</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="247" />
        <source>Open this photo on the Images page and caption it</source>
        <translation>Dieses Foto auf der Seite „Bilder“ öffnen und beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="248" />
        <location filename="../ui/librarypage.cpp" line="318" />
        <source>Ask about this photo</source>
        <translation>Zu diesem Foto fragen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="249" />
        <source>Open this photo on the Images page with its chat</source>
        <translation>Dieses Foto auf der Seite „Bilder“ mit seinem Chat öffnen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="325" />
        <source>Copy path</source>
        <translation>Pfad kopieren</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="474" />
        <source>Up to date: all %1 photos are searchable.</source>
        <translation>Aktuell: alle %1 Fotos sind durchsuchbar.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="502" />
        <source>Searched for: %1</source>
        <translation>Gesucht nach: %1</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="504" />
        <source>Translated from %1 to English; BLIP reads English only</source>
        <translation>Übersetzt (%1 → Englisch); BLIP liest nur Englisch</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="517" />
        <source>The newest %1 of %2 photos; choose a folder or dates to see the others.</source>
        <translation>Die neuesten %1 von %2 Fotos; wählen Sie einen Ordner oder Daten, um die übrigen zu sehen.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="520" />
        <source>%n photo(s), newest first</source>
        <translation><numerusform>%n Foto, neuestes zuerst</numerusform><numerusform>%n Fotos, neueste zuerst</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="521" />
        <source>In %1: %2</source>
        <translation>In %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="536" />
        <location filename="../ui/librarypage.cpp" line="782" />
        <source>Cannot open the library %1</source>
        <translation>Die Bibliothek %1 kann nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="541" />
        <source>Cannot change the folders of the library %1</source>
        <translation>Die Ordner der Bibliothek %1 können nicht geändert werden</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="577" />
        <source>%1 photos, %2 searchable</source>
        <translation>%1 Fotos, %2 durchsuchbar</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="581" />
        <source>%n not indexed yet</source>
        <translation><numerusform>%n noch nicht indiziert</numerusform><numerusform>%n noch nicht indiziert</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="657" />
        <location filename="../ui/librarypage.cpp" line="658" />
        <source>English original: %1</source>
        <translation>Englisches Original: %1</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="677" />
        <source>Cannot show %1</source>
        <translation>%1 kann nicht angezeigt werden</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="980" />
        <source>Add a folder first: Add folder… chooses where your photos are.</source>
        <translation>Zuerst einen Ordner hinzufügen: „Ordner hinzufügen …“ wählt, wo Ihre Fotos liegen.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1037" />
        <source>Searching for "%1" as typed…</source>
        <translation>Suche nach „%1“ wie eingegeben …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1125" />
        <source>%1% match</source>
        <translation>%1 % Übereinstimmung</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1125" />
        <source>%1% relevant</source>
        <translation>%1 % relevant</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1127" />
        <source>Cannot be read</source>
        <translation>Nicht lesbar</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1131" />
        <source>Cannot be read: %1</source>
        <translation>Nicht lesbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1133" />
        <source>The file name or caption holds the words searched for</source>
        <translation>Dateiname oder Bildbeschreibung enthalten die gesuchten Wörter</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="407" />
        <source>%1 of %2 photos captioned</source>
        <translation>%1 von %2 Fotos beschrieben</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="408" />
        <location filename="../ui/librarypage.cpp" line="579" />
        <source>%n could not be read</source>
        <translation><numerusform>%n konnte nicht gelesen werden</numerusform><numerusform>%n konnten nicht gelesen werden</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="410" />
        <source>%1 left</source>
        <translation>noch %1</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="412" />
        <source>Paused at %1 of %2 photos; every caption done is kept.</source>
        <translation>Angehalten bei %1 von %2 Fotos; jede fertige Beschreibung ist gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="443" />
        <source>Captioning failed: %1</source>
        <translation>Beschreiben fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="446" />
        <source>Stopped: %n photo(s) captioned; every caption done is kept.</source>
        <translation><numerusform>Beendet: %n Foto beschrieben; jede fertige Beschreibung ist gespeichert.</numerusform><numerusform>Beendet: %n Fotos beschrieben; jede fertige Beschreibung ist gespeichert.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="449" />
        <source>Every photo of the library has a caption.</source>
        <translation>Jedes Foto der Bibliothek hat eine Beschreibung.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="450" />
        <source>Done: %n photo(s) captioned</source>
        <translation><numerusform>Fertig: %n Foto beschrieben</numerusform><numerusform>Fertig: %n Fotos beschrieben</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="451" />
        <source>%n could not be read.</source>
        <translation><numerusform>%n konnte nicht gelesen werden.</numerusform><numerusform>%n konnten nicht gelesen werden.</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="452" />
        <source>Done: %n photo(s) captioned.</source>
        <translation><numerusform>Fertig: %n Foto beschrieben.</numerusform><numerusform>Fertig: %n Fotos beschrieben.</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="472" />
        <source>Done: %n photo(s) indexed</source>
        <translation><numerusform>Fertig: %n Foto indiziert</numerusform><numerusform>Fertig: %n Fotos indiziert</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="473" />
        <source>%n could not be read (marked “Cannot be read” in the grid).</source>
        <translation><numerusform>%n konnte nicht gelesen werden (im Raster als „Nicht lesbar“ markiert).</numerusform><numerusform>%n konnten nicht gelesen werden (im Raster als „Nicht lesbar“ markiert).</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="475" />
        <source>Done: %n photo(s) indexed.</source>
        <translation><numerusform>Fertig: %n Foto indiziert.</numerusform><numerusform>Fertig: %n Fotos indiziert.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="578" />
        <source>with %1</source>
        <translation>mit %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="583" />
        <source>%n need indexing again for it</source>
        <translation><numerusform>%n muss dafür neu indiziert werden</numerusform><numerusform>%n müssen dafür neu indiziert werden</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="588" />
        <source>The search model changed to %1: %n photo(s) need indexing again before search finds them (their old vectors are kept until then).</source>
        <translation><numerusform>Das Suchmodell ist jetzt %1: %n Foto muss neu indiziert werden, bevor die Suche es findet (seine alten Vektoren bleiben bis dahin erhalten).</numerusform><numerusform>Das Suchmodell ist jetzt %1: %n Fotos müssen neu indiziert werden, bevor die Suche sie findet (ihre alten Vektoren bleiben bis dahin erhalten).</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="593" />
        <source>Index now</source>
        <translation>Jetzt indizieren</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="613" />
        <source>Choose another location…</source>
        <translation>Anderen Ort wählen …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="621" />
        <source>Where to keep the photo library</source>
        <translation>Wo die Fotobibliothek liegen soll</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="623" />
        <source>Glimpse library (*.glimpse)</source>
        <translation>Glimpse-Bibliothek (*.glimpse)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="637" />
        <source>Caption (edited by you)</source>
        <translation>Beschreibung (von Ihnen bearbeitet)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="640" />
        <source>Caption (by %1)</source>
        <translation>Beschreibung (von %1)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="641" />
        <source>Caption (generated)</source>
        <translation>Beschreibung (erzeugt)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="643" />
        <source>Caption (from the photo's description)</source>
        <translation>Beschreibung (aus den Metadaten des Fotos)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="690" />
        <source>Caption of %1 saved.</source>
        <translation>Beschreibung von %1 gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="709" />
        <source>Finding photos without a caption…</source>
        <translation>Suche Fotos ohne Beschreibung …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="732" />
        <location filename="../ui/librarypage.cpp" line="764" />
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="466" />
        <location filename="../ui/librarypage.cpp" line="486" />
        <source>Indexing failed: %1</source>
        <translation>Indizierung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="789" />
        <source>Add a photo folder</source>
        <translation>Fotoordner hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="726" />
        <location filename="../ui/librarypage.cpp" line="758" />
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="427" />
        <source>%1 of %2 photos</source>
        <translation>%1 von %2 Fotos</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="430" />
        <source>%1 photos/s · %2 left</source>
        <translation>%1 Fotos/s · noch %2</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="376" />
        <location filename="../ui/librarypage.cpp" line="432" />
        <source>Paused at %1 of %2 photos; everything done is saved.</source>
        <translation>Angehalten bei %1 von %2 Fotos; alles Erledigte ist gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="469" />
        <source>Stopped: %1 photos indexed; everything done is saved.</source>
        <translation>Gestoppt: %1 Fotos indiziert; alles Erledigte ist gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="729" />
        <location filename="../ui/librarypage.cpp" line="761" />
        <source>Pausing…</source>
        <translation>Halte an …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="893" />
        <source>All photos (%1)</source>
        <translation>Alle Fotos (%1)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="929" />
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="986" />
        <source>Looking for new and changed photos…</source>
        <translation>Suche neue und geänderte Fotos …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1024" />
        <source>Searching for "%1"…</source>
        <translation>Suche nach „%1“ …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1045" />
        <source>least confident captions</source>
        <translation>unsicherste Bildbeschreibungen</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1050" />
        <source>Captions that match their photo least, weakest first (score: match probability)</source>
        <translation>Beschreibungen, die am wenigsten zu ihrem Foto passen, die schwächste zuerst (Wert: Übereinstimmung)</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1067" />
        <source>Photos like %1…</source>
        <translation>Fotos wie %1 …</translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1134" />
        <source>offline (folder not available)</source>
        <translation>offline (Ordner nicht verfügbar)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="1149" />
        <source>%n caption(s) that match their photo least, weakest first</source>
        <translation><numerusform>%n Bildbeschreibung, die am wenigsten zu ihrem Foto passt, schwächste zuerst</numerusform><numerusform>%n Bildbeschreibungen, die am wenigsten zu ihrem Foto passen, schwächste zuerst</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="1150" />
        <source>%n result(s) for “%1”, most relevant first</source>
        <translation><numerusform>%n Ergebnis für „%1“, relevanteste zuerst</numerusform><numerusform>%n Ergebnisse für „%1“, relevanteste zuerst</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="1151" />
        <source>%n result(s)</source>
        <translation><numerusform>%n Ergebnis</numerusform><numerusform>%n Ergebnisse</numerusform></translation>
    </message>
</context>
<context>
    <name>glimpse::ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="74" />
        <source>Glimpse</source>
        <translation>Glimpse</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="113" />
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="114" />
        <source>Worker state</source>
        <translation>Zustand der Verarbeitung</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="118" />
        <source>Precision</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="175" />
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="177" />
        <source>&amp;Open images…</source>
        <translation>Bilder &amp;öffnen …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="180" />
        <source>Open &amp;folder…</source>
        <translation>&amp;Ordner öffnen …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="181" />
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="183" />
        <source>Add folder to &amp;library…</source>
        <translation>Ordner zur Bib&amp;liothek hinzufügen …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="188" />
        <source>&amp;Paste image</source>
        <translation>Bild &amp;einfügen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="191" />
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="194" />
        <source>&amp;Caption</source>
        <translation>&amp;Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="195" />
        <source>&amp;Caption selected image</source>
        <translation>Gewähltes Bild &amp;beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="197" />
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="198" />
        <source>Caption &amp;all images</source>
        <translation>&amp;Alle Bilder beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="199" />
        <source>Ctrl+Shift+Return</source>
        <translation>Ctrl+Shift+Return</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="200" />
        <source>C&amp;ancel</source>
        <translation>Abbre&amp;chen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="202" />
        <source>Co&amp;py caption</source>
        <translation>Beschreibung &amp;kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="204" />
        <source>Ctrl+Shift+C</source>
        <translation>Ctrl+Shift+C</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="206" />
        <source>As&amp;k about the image</source>
        <translation>Zum Bild &amp;fragen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="210" />
        <source>Ctrl+Shift+A</source>
        <translation>Ctrl+Shift+A</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="223" />
        <source>Caption library &amp;photos</source>
        <translation>Bibliotheks&amp;fotos beschreiben</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="228" />
        <source>&amp;Write captions to files…</source>
        <translation>Beschreibungen in &amp;Dateien schreiben …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="233" />
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="236" />
        <source>&amp;Images</source>
        <translation>&amp;Bilder</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="237" />
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="239" />
        <source>&amp;Library</source>
        <translation>Bib&amp;liothek</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="240" />
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="248" />
        <source>&amp;Search library</source>
        <translation>Bibliothek &amp;durchsuchen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="254" />
        <source>&amp;Full screen</source>
        <translation>&amp;Vollbild</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="261" />
        <source>&amp;Tools</source>
        <translation>&amp;Extras</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="262" />
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="265" />
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="266" />
        <source>&amp;Models…</source>
        <translation>&amp;Modelle …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="268" />
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="270" />
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="272" />
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="273" />
        <source>Ctrl+/</source>
        <translation>Ctrl+/</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="274" />
        <source>Show &amp;log</source>
        <translation>&amp;Protokoll anzeigen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="275" />
        <source>&amp;About Glimpse</source>
        <translation>&amp;Über Glimpse</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="276" />
        <source>About Glimpse</source>
        <translation>Über Glimpse</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="277" />
        <source>&lt;b&gt;Glimpse&lt;/b&gt;&lt;p&gt;Captions, answers and search for your photos with Salesforce BLIP, running on this computer. No server, no account.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Glimpse&lt;/b&gt;&lt;p&gt;Beschreibungen, Antworten und Suche für Ihre Fotos mit Salesforce BLIP, auf diesem Rechner. Kein Server, kein Konto.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="281" />
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="320" />
        <source>Precision: %1</source>
        <translation>Genauigkeit: %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="323" />
        <source>No models yet: download or import them in Tools → Models.</source>
        <translation>Noch keine Modelle: Laden oder importieren Sie sie unter Extras → Modelle.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="344" />
        <source>Added %n image(s)</source>
        <translation><numerusform>%n Bild hinzugefügt</numerusform><numerusform>%n Bilder hinzugefügt</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="351" />
        <source>Open images</source>
        <translation>Bilder öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="351" />
        <source>Images (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif)</source>
        <translation>Bilder (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="356" />
        <source>Open a folder of images</source>
        <translation>Einen Bilderordner öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="368" />
        <source>The clipboard holds no image</source>
        <translation>Die Zwischenablage enthält kein Bild</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="378" />
        <source>Could not keep the pasted image in %1</source>
        <translation>Das eingefügte Bild konnte nicht in %1 abgelegt werden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="416" />
        <source>Log started</source>
        <translation>Protokoll begonnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="418" />
        <source>No program could open the log; it is %1</source>
        <translation>Kein Programm konnte das Protokoll öffnen; es liegt in %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="454" />
        <source>%n photo(s) of the last session are gone: %1</source>
        <translation><numerusform>%n Foto der letzten Sitzung ist nicht mehr da: %1</numerusform><numerusform>%n Fotos der letzten Sitzung sind nicht mehr da: %1</numerusform></translation>
    </message>
</context>
<context>
    <name>glimpse::ui::MessageBar</name>
    <message>
        <location filename="../ui/messagebar.cpp" line="25" />
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="37" />
        <source>Details…</source>
        <translation>Details …</translation>
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="39" />
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="40" />
        <source>Hide this message (it stays in Help → Show log)</source>
        <translation>Diese Meldung ausblenden (sie bleibt unter Hilfe → Protokoll anzeigen)</translation>
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="53" />
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::ModelsDialog</name>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="62" />
        <location filename="../ui/modelsdialog.cpp" line="91" />
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="68" />
        <source>Get started</source>
        <translation>Erste Schritte</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="73" />
        <source>Download the recommended models</source>
        <translation>Die empfohlenen Modelle herunterladen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="92" />
        <source>&amp;Download</source>
        <translation>&amp;Herunterladen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="93" />
        <location filename="../ui/modelsdialog.cpp" line="383" />
        <source>&amp;Stop download</source>
        <translation>Herunterladen &amp;stoppen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="95" />
        <source>&amp;Use for its task</source>
        <translation>Für seine Aufgabe &amp;verwenden</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="96" />
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="97" />
        <source>&amp;Import folder…</source>
        <translation>Ordner &amp;importieren …</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="100" />
        <source>Download progress</source>
        <translation>Fortschritt des Herunterladens</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="158" />
        <source>Cannot be used: %1</source>
        <translation>Nicht verwendbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="160" />
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="162" />
        <source>In use</source>
        <translation>In Verwendung</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="164" />
        <source>In use for %1</source>
        <translation>Verwendet für %1</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="167" />
        <source>Partly downloaded (%1)</source>
        <translation>Teilweise heruntergeladen (%1)</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="202" />
        <location filename="../ui/modelsdialog.cpp" line="208" />
        <location filename="../ui/modelsdialog.cpp" line="215" />
        <source>Select a model first</source>
        <translation>Wählen Sie zuerst ein Modell</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="203" />
        <source>This model is installed</source>
        <translation>Dieses Modell ist installiert</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="204" />
        <source>A download is running</source>
        <translation>Ein Download läuft</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="205" />
        <source>This model is not in the catalogue</source>
        <translation>Dieses Modell ist nicht im Katalog</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="206" />
        <source>Download this model</source>
        <translation>Dieses Modell herunterladen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="209" />
        <source>Download or import it first</source>
        <translation>Laden Sie es zuerst herunter oder importieren Sie es</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="210" />
        <source>This folder cannot be used</source>
        <translation>Dieser Ordner kann nicht verwendet werden</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="211" />
        <source>Already in use</source>
        <translation>Wird schon verwendet</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="212" />
        <source>Use this model for %1</source>
        <translation>Dieses Modell für %1 verwenden</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="216" />
        <source>Not installed</source>
        <translation>Nicht installiert</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="217" />
        <source>Glimpse removes only the models it keeps in %1</source>
        <translation>Glimpse entfernt nur die Modelle, die es in %1 aufbewahrt</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="218" />
        <source>Delete this model from this computer</source>
        <translation>Dieses Modell von diesem Computer löschen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="241" />
        <source>%1: %2 (%3)</source>
        <translation>%1: %2 (%3)</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="241" />
        <source>installed</source>
        <translation>installiert</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="245" />
        <source>Glimpse needs one model per task. The recommended set works well on everyday photos:</source>
        <translation>Glimpse braucht ein Modell pro Aufgabe. Die empfohlene Auswahl passt gut zu alltäglichen Fotos:</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="248" />
        <source>Use the recommended models</source>
        <translation>Die empfohlenen Modelle verwenden</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="249" />
        <source>Download the recommended models (%1)</source>
        <translation>Die empfohlenen Modelle herunterladen (%1)</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="329" />
        <source>Download of %1 stopped: %2</source>
        <translation>Download von %1 abgebrochen: %2</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="368" />
        <source>&amp;Stop import</source>
        <translation>Import &amp;anhalten</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="371" />
        <source>Importing %1…</source>
        <translation>%1 wird importiert…</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="375" />
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="391" />
        <source>Imported %1 for %2: %3</source>
        <translation>%1 für %2 importiert: %3</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="178" />
        <source>~%1</source>
        <translation>~%1</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="64" />
        <source>Download models from the list or import a folder you already have. They stay on this computer, in %1.</source>
        <translation>Laden Sie Modelle aus der Liste herunter oder importieren Sie einen vorhandenen Ordner. Sie bleiben auf diesem Rechner, in %1.</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="247" />
        <source>Each model is used as soon as it is ready.</source>
        <translation>Jedes Modell wird verwendet, sobald es bereit ist.</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="307" />
        <source>Downloading %1: %2 files, %3</source>
        <translation>Lade %1 herunter: %2 Dateien, %3</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="313" />
        <source>%1 of %2 · %3/s · %4 s left</source>
        <translation>%1 von %2 · %3/s · noch %4 s</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="325" />
        <source>%1 is ready.</source>
        <translation>%1 ist bereit.</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="347" />
        <source>Remove model</source>
        <translation>Modell entfernen</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="347" />
        <source>Delete %1 from this computer?</source>
        <translation>%1 von diesem Rechner löschen?</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="353" />
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="363" />
        <source>Import a BLIP model folder</source>
        <translation>BLIP-Modellordner importieren</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="394" />
        <source>Import of %1 stopped; nothing of it was kept.</source>
        <translation>Import von %1 angehalten; nichts davon wurde behalten.</translation>
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="397" />
        <location filename="../ui/modelsdialog.cpp" line="399" />
        <source>Cannot import: %1</source>
        <translation>Import nicht möglich: %1</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::PhotoView</name>
    <message>
        <location filename="../ui/photoview.cpp" line="21" />
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="32" />
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="33" />
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="34" />
        <source>Fit to window</source>
        <translation>An Fenster anpassen</translation>
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="35" />
        <source>Actual size, 100%</source>
        <translation>Originalgröße, 100 %</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::SettingsDialog</name>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="47" />
        <source>Not set.</source>
        <translation>Nicht gesetzt.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="51" />
        <location filename="../ui/settingsdialog.cpp" line="66" />
        <source>Cannot be used: %1</source>
        <translation>Nicht verwendbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="53" />
        <source>This checkpoint does not do this task: it has %1, this task needs %2.</source>
        <translation>Dieses Modell kann das nicht: Es enthält %1, diese Aufgabe braucht %2.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="57" />
        <location filename="../ui/settingsdialog.cpp" line="70" />
        <source>Ready: %1 (%2).</source>
        <translation>Bereit: %1 (%2).</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="63" />
        <source>No OPUS-MT model for %1 to %2 is installed: get one in Tools → Models.</source>
        <translation>Kein OPUS-MT-Modell für %1 nach %2 ist installiert: Holen Sie eines unter Extras → Modelle.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="68" />
        <source>This is no translation model: it has %1.</source>
        <translation>Das ist kein Übersetzungsmodell: Es enthält %1.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="69" />
        <source>Using %1 (%2).</source>
        <translation>Verwendet %1 (%2).</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="78" />
        <source>Every model computes in 32-bit floats: the same words and scores as the reference implementation.</source>
        <translation>Alle Modelle rechnen mit 32-Bit-Gleitkommazahlen: dieselben Wörter und Werte wie die Referenzimplementierung.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="81" />
        <source>Products in 16-bit bfloat: captions and search up to 1.5 times as fast. Search embeddings agree with Exact to a cosine of 0.9999; a caption may take another word at some point and go on differently from there.</source>
        <translation>Produkte in 16-Bit-bfloat: Beschreibungen und Suche bis zu 1,5-mal so schnell. Die Suchvektoren stimmen mit „Exakt“ bis auf einen Kosinus von 0,9999 überein; eine Beschreibung kann an einer Stelle ein anderes Wort wählen und von dort an anders weitergehen.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="87" />
        <source>Image encoding with 8-bit weights, text in 32-bit: indexing and captions start faster. Search embeddings agree with Exact to a cosine of 0.999; most captions are the same.</source>
        <translation>Bildkodierung mit 8-Bit-Gewichten, Text in 32 Bit: Indizierung und Beschreibungen beginnen schneller. Die Suchvektoren stimmen mit „Exakt“ bis auf einen Kosinus von 0,999 überein; die meisten Beschreibungen sind gleich.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="94" />
        <source>Whether this computer can run it is still being checked.</source>
        <translation>Ob dieser Rechner das kann, wird noch geprüft.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="96" />
        <location filename="../ui/settingsdialog.cpp" line="108" />
        <source>Not available on this computer: %1.</source>
        <translation>Auf diesem Rechner nicht verfügbar: %1.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="116" />
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="257" />
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="121" />
        <source>e.g. Salesforce/blip-image-captioning-base</source>
        <translation>z. B. Salesforce/blip-image-captioning-base</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="122" />
        <source>e.g. Salesforce/blip-vqa-base</source>
        <translation>z. B. Salesforce/blip-vqa-base</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="122" />
        <source>e.g. Salesforce/blip-itm-base-coco</source>
        <translation>z. B. Salesforce/blip-itm-base-coco</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="130" />
        <source>Browse…</source>
        <translation>Durchsuchen …</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="133" />
        <source>%1 check</source>
        <translation>Prüfung %1</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="136" />
        <source>Model folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="153" />
        <source>Details…</source>
        <translation>Details …</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="158" />
        <source>Choose a BLIP model folder</source>
        <translation>BLIP-Modellordner wählen</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="166" />
        <source>Download or import models…</source>
        <translation>Modelle herunterladen oder importieren …</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="258" />
        <source>Performance</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="178" />
        <source>All cores</source>
        <translation>Alle Kerne</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="34" />
        <source>ViT %1/%2 layers, %3 px; text %4/%5 layers; %6 MB %7</source>
        <translation>ViT %1/%2 Schichten, %3 px; Text %4/%5 Schichten; %6 MB %7</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="37" />
        <source>Marian %1/%2+%3 layers, %4 pieces; %5 MB</source>
        <translation>Marian %1/%2+%3 Schichten, %4 Wortteile; %5 MB</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="180" />
        <source>Threads</source>
        <translation>Threads</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="183" />
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="184" />
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="186" />
        <source>Unload models after</source>
        <translation>Modelle entladen nach</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="188" />
        <source>Precision</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="189" />
        <source>Exact (float32)</source>
        <translation>Exakt (float32)</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="190" />
        <source>Fast (bfloat16)</source>
        <translation>Schnell (bfloat16)</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="191" />
        <source>Fast image encoding (int8)</source>
        <translation>Schnelle Bildkodierung (int8)</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="199" />
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="200" />
        <source>Precision:</source>
        <translation>Genauigkeit:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="202" />
        <source>Unload models after idle:</source>
        <translation>Modelle nach Leerlauf entladen:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="247" />
        <source>Translate queries with:</source>
        <translation>Suchanfragen übersetzen mit:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="250" />
        <source>Translate captions and answers with:</source>
        <translation>Beschreibungen und Antworten übersetzen mit:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="259" />
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="209" />
        <source>My queries and questions are in</source>
        <translation>Meine Suchanfragen und Fragen sind auf</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="210" />
        <source>Detect for each query</source>
        <translation>Für jede Anfrage erkennen</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="215" />
        <source>Translate queries with</source>
        <translation>Suchanfragen übersetzen mit</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="216" />
        <source>The installed OPUS-MT model for the language, e.g. Helsinki-NLP/opus-mt-de-en</source>
        <translation>Das installierte OPUS-MT-Modell der Sprache, z. B. Helsinki-NLP/opus-mt-de-en</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="223" />
        <source>Queries are never translated.</source>
        <translation>Suchanfragen werden nie übersetzt.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="229" />
        <source>Show captions and answers in %1</source>
        <translation>Beschreibungen und Antworten auf %1 zeigen</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="232" />
        <source>BLIP writes English; the English original stays a hover away</source>
        <translation>BLIP schreibt Englisch; das englische Original zeigt ein Tooltip</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="234" />
        <source>Translate captions and answers with</source>
        <translation>Beschreibungen und Antworten übersetzen mit</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="235" />
        <source>The installed OPUS-MT model, e.g. Helsinki-NLP/opus-mt-en-de</source>
        <translation>Das installierte OPUS-MT-Modell, z. B. Helsinki-NLP/opus-mt-en-de</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="241" />
        <source>The interface is in English: captions and answers need no translation.</source>
        <translation>Die Oberfläche ist auf Englisch: Beschreibungen und Antworten brauchen keine Übersetzung.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="246" />
        <source>My queries and questions are in:</source>
        <translation>Meine Suchanfragen und Fragen sind auf:</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::ShortcutsDialog</name>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="38" />
        <source>Other</source>
        <translation>Weitere</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="56" />
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="84" />
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="86" />
        <source>Filter by action or key…</source>
        <translation>Nach Aktion oder Taste filtern …</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="87" />
        <source>Filter shortcuts</source>
        <translation>Tastenkürzel filtern</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="90" />
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="92" />
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="92" />
        <source>Shortcut</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="111" />
        <source>No shortcut matches.</source>
        <translation>Kein Tastenkürzel passt.</translation>
    </message>
</context>
<context>
    <name>glimpse::ui::WriteCaptionsDialog</name>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="24" />
        <source>edited</source>
        <translation>bearbeitet</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="25" />
        <source>from the photo</source>
        <translation>aus dem Foto</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="26" />
        <source>generated</source>
        <translation>erzeugt</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="33" />
        <source>Write captions to files</source>
        <translation>Beschreibungen in Dateien schreiben</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="36" />
        <source>Review the captions before they are written. Nothing changes on disk until you press Write. Other metadata (camera data, GPS, keywords, colour profile) and the pictures stay as they are.</source>
        <translation>Prüfen Sie die Beschreibungen, bevor sie geschrieben werden. Auf der Festplatte ändert sich nichts, bis Sie auf Schreiben drücken. Andere Metadaten (Kameradaten, GPS, Stichwörter, Farbprofil) und die Bilder bleiben, wie sie sind.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="40" />
        <source>In the photo (XMP, EXIF and IPTC description)</source>
        <translation>Im Foto (Beschreibung in XMP, EXIF und IPTC)</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="42" />
        <source>XMP sidecar file</source>
        <translation>XMP-Begleitdatei</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="44" />
        <source>photo.jpg.xmp (digiKam, darktable)</source>
        <translation>foto.jpg.xmp (digiKam, darktable)</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="46" />
        <source>photo.xmp (Lightroom)</source>
        <translation>foto.xmp (Lightroom)</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="49" />
        <source>Text file next to the photo (photo.txt, for training sets)</source>
        <translation>Textdatei neben dem Foto (foto.txt, für Trainingsdaten)</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="50" />
        <source>Replace descriptions the files already have</source>
        <translation>Vorhandene Beschreibungen in den Dateien ersetzen</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="51" />
        <source>Off: a file that already holds a description keeps it and is listed as kept.</source>
        <translation>Aus: Eine Datei, die schon eine Beschreibung hat, behält sie und wird als beibehalten aufgeführt.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Description now</source>
        <translation>Jetzige Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Caption to write</source>
        <translation>Zu schreibende Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Will write</source>
        <translation>Schreibt</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="60" />
        <source>Captions to write</source>
        <translation>Zu schreibende Beschreibungen</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="72" />
        <source>Reading the library…</source>
        <translation>Lese die Bibliothek …</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="77" />
        <source>Write</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="111" />
        <source>The library could not be read: %1</source>
        <translation>Die Bibliothek konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="130" />
        <source>Writing failed: %1</source>
        <translation>Schreiben fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="132" />
        <source>Stopped after %1 photos.</source>
        <translation>Nach %1 Fotos beendet.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="134" />
        <source>Done: %1 photos, %2 with errors (see Result).</source>
        <translation>Fertig: %1 Fotos, %2 mit Fehlern (siehe Ergebnis).</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="135" />
        <source>Done: %1 photos.</source>
        <translation>Fertig: %1 Fotos.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="157" />
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="161" />
        <source>Caption (%1); double-click to edit before writing</source>
        <translation>Beschreibung (%1); Doppelklick zum Bearbeiten vor dem Schreiben</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="203" />
        <source>%1: keeps its own description</source>
        <translation>%1: behält die eigene Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="205" />
        <source>%1 (description)</source>
        <translation>%1 (Beschreibung)</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="209" />
        <source>nothing: empty caption</source>
        <translation>nichts: leere Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="209" />
        <source>skipped</source>
        <translation>ausgelassen</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="214" />
        <source>Write 1 caption</source>
        <translation>1 Beschreibung schreiben</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="214" />
        <source>Write %1 captions</source>
        <translation>%1 Beschreibungen schreiben</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="218" />
        <source>No photo in the library has a caption yet. Caption photos first (Library → Caption photos).</source>
        <translation>Noch kein Foto der Bibliothek hat eine Beschreibung. Beschreiben Sie zuerst Fotos (Bibliothek → Fotos beschreiben).</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="220" />
        <source>Choose where to write the captions.</source>
        <translation>Wählen Sie, wohin die Beschreibungen geschrieben werden.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="222" />
        <source>1 photo will be written.</source>
        <translation>1 Foto wird geschrieben.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="222" />
        <source>%1 photos will be written.</source>
        <translation>%1 Fotos werden geschrieben.</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="234" />
        <source>waiting…</source>
        <translation>wartet …</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/writecaptionsdialog.cpp" line="245" />
        <source>Writing %n caption(s)…</source>
        <translation><numerusform>Schreibe %n Beschreibung …</numerusform><numerusform>Schreibe %n Beschreibungen …</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="254" />
        <source>written: %1</source>
        <translation>geschrieben: %1</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="255" />
        <source>kept its own: %1</source>
        <translation>eigene beibehalten: %1</translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="256" />
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="76" />
        <source>Captions, answers and search for your photos with BLIP.</source>
        <translation>Beschreibungen, Antworten und Suche für Ihre Fotos mit BLIP.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="80" />
        <source>Model folder for captions.</source>
        <translation>Modellordner für Beschreibungen.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="82" />
        <source>Model folder for questions.</source>
        <translation>Modellordner für Fragen.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="84" />
        <source>Model folder for library search.</source>
        <translation>Modellordner für die Bibliothekssuche.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="88" />
        <source>Caption the first image, save a screenshot of the window to FILE and quit.</source>
        <translation>Das erste Bild beschreiben, ein Bildschirmfoto des Fensters in DATEI speichern und beenden.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="91" />
        <source>Images or folders to open.</source>
        <translation>Zu öffnende Bilder oder Ordner.</translation>
    </message>
</context>
</TS>
