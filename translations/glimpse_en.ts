<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>glimpse::Task</name>
    <message>
        <location filename="../core/settings/task.cpp" line="53" />
        <source>Captions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/settings/task.cpp" line="55" />
        <source>Questions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/settings/task.cpp" line="57" />
        <source>Library search</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/settings/task.cpp" line="59" />
        <source>Translation</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::desktop</name>
    <message>
        <location filename="../core/desktop/paths.cpp" line="31" />
        <source>%1 was kept where it is: %2 exists already</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/desktop/paths.cpp" line="34" />
        <source>Could not move %1 to %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/desktop/paths.cpp" line="70" />
        <source>Another Glimpse program is moving the data folders; try again later</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::inference::InferenceWorker</name>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="36" />
        <source>There is not enough memory for this. Close other programs or choose a smaller model.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="76" />
        <source>Working in the background…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="76" />
        <source>Ready</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="99" />
        <source>No model is set for %1. Choose one in Tools → Models.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="108" />
        <source>The %1 precision cannot run here (%2). Choose “Exact” in Tools → Settings.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="113" />
        <source>Loading model %1…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="114" />
        <source>Loading model %1 (%2)…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="175" />
        <source>The inference engine could not be loaded: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="215" />
        <source>Ready (models unloaded to free memory)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="235" />
        <source>Loading translation model %1…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="263" />
        <source>“%1” looks %2, and no model that translates %2 to English is installed (Tools → Models); it was used as typed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="268" />
        <source>Translating…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="282" />
        <source>No model that translates English to %1 is installed: add one in Tools → Models, or turn off showing captions and answers in %1 in Tools → Settings.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="297" />
        <source>Captioning %1…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="316" />
        <source>The caption is not checked: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="379" />
        <source>The caption of %1 could not be kept in the library: %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="409" />
        <source>Looking at %1…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="415" />
        <source>Answering…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="442" />
        <source>No library is open.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../core/inference/inferenceworker.cpp" line="486" />
        <source>The library was indexed with another search model: index it again (Library → Index) to search with %1. Its %n photo(s) keep their old vectors until then.</source>
        <translation><numerusform>The library was indexed with another search model: index it again (Library → Index) to search with %1. Its %n photo keeps its old vector until then.</numerusform><numerusform>The library was indexed with another search model: index it again (Library → Index) to search with %1. Its %n photos keep their old vectors until then.</numerusform></translation>
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="518" />
        <source>Scanning folders…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="554" />
        <source>Searching…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="626" />
        <location filename="../core/inference/inferenceworker.cpp" line="658" />
        <source>%1 is not in the library</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="662" />
        <source>The caption of %1 could not be saved: %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="694" />
        <source>Looking for similar photos…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/inferenceworker.cpp" line="759" />
        <source>The library is being indexed already.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::inference::Job</name>
    <message>
        <location filename="../core/inference/jobs.cpp" line="49" />
        <source>Scanning folders…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="78" />
        <source>Indexing %1 of %2…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="89" />
        <source>The library search model changed: indexing goes on with the new model.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="110" />
        <source>Captioning %1 of %2…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="131" />
        <source>The caption model changed: the remaining photos are captioned with the new model.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="161" />
        <source>Asking photo %1 of %2…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="189" />
        <source>The question model changed: the remaining photos are asked with the new model.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="209" />
        <source>Writing caption %1 of %2…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/inference/jobs.cpp" line="224" />
        <source>%1: changed since it was indexed; index the library first</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::library</name>
    <message>
        <location filename="../core/library/duplicates.cpp" line="266" />
        <source>%1: the file is not there</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/library/duplicates.cpp" line="270" />
        <source>%1: not a regular file</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/library/duplicates.cpp" line="275" />
        <source>%1: could not be moved to the trash (%2)</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::translation</name>
    <message>
        <location filename="../core/translation/language.cpp" line="180" />
        <source>English</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="181" />
        <source>German</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="182" />
        <source>French</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="183" />
        <source>Spanish</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="184" />
        <source>Italian</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="185" />
        <source>Dutch</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="186" />
        <source>Portuguese</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="187" />
        <source>Russian</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="188" />
        <source>Greek</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="189" />
        <source>Chinese</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="190" />
        <source>Japanese</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="191" />
        <source>Korean</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="192" />
        <source>Arabic</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="193" />
        <source>Hebrew</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="194" />
        <source>Hindi</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../core/translation/language.cpp" line="195" />
        <source>Thai</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::AskResultsBar</name>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="34" />
        <source>Ask the results, e.g. "is there a red car?"</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="36" />
        <source>Question for the results</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="40" />
        <source>top </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="41" />
        <source>How many of the first results to ask</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="42" />
        <source>Ask</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="43" />
        <source>Stop</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="46" />
        <source>Filter by answer</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="50" />
        <source>Translated question</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="51" />
        <source>BLIP reads English only: the question was translated first</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="86" />
        <source>Asked in English: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="101" />
        <source>(could not be read)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="107" />
        <source>English original: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="112" />
        <location filename="../ui/askresultsbar.cpp" line="183" />
        <source>%1 of %2 answered</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="122" />
        <source>Asking failed: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="125" />
        <source>Stopped after %1 of %2 photos.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/askresultsbar.cpp" line="128" />
        <source>%n photo(s) answered.</source>
        <translation><numerusform>%n photo answered.</numerusform><numerusform>%n photos answered.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="138" />
        <location filename="../ui/askresultsbar.cpp" line="208" />
        <source>All answers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="162" />
        <source>Search first, then ask the results.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="162" />
        <source>Type a question.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/askresultsbar.cpp" line="184" />
        <source>Asking "%1" of %n photo(s)…</source>
        <translation><numerusform>Asking "%1" of %n photo…</numerusform><numerusform>Asking "%1" of %n photos…</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="214" />
        <source>Only yes (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="217" />
        <source>Only no (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/askresultsbar.cpp" line="221" />
        <source>"%1" (%2)</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::Desktop</name>
    <message>
        <location filename="../ui/desktop.cpp" line="23" />
        <source>Glimpse</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/desktop.cpp" line="25" />
        <source>No file manager could be opened for this folder.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/desktop.cpp" line="26" />
        <source>No application could be opened to show this file.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/desktop.cpp" line="30" />
        <source>Install a file manager or an image viewer (one that xdg-open knows), or open it yourself:
%1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::DuplicatesDialog</name>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="46" />
        <source>Similar photos</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="53" />
        <source>Similarity threshold</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="55" />
        <source>Photos whose search vectors have at least this cosine are grouped. Lower it to find photos that are merely alike (a burst of shots); copies with the same content are always grouped.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="57" />
        <source>Search again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="59" />
        <source>Similarity at least</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="68" />
        <source>Move rejects to Trash</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="69" />
        <source>Moves the photos marked Reject to the system trash, where they can be restored</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="93" />
        <source>Moved %n photo(s) to the trash.</source>
        <translation><numerusform>Moved %n photo to the trash.</numerusform><numerusform>Moved %n photos to the trash.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="115" />
        <source>Looking for similar photos…</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="127" />
        <source>%n photo(s) with the same content</source>
        <translation><numerusform>%n photo with the same content</numerusform><numerusform>%n photos with the same content</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="128" />
        <source>%n photo(s), similarity %1</source>
        <translation><numerusform>%n photo, similarity %1</numerusform><numerusform>%n photos, similarity %1</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="134" />
        <source>No similar photos at this threshold.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="140" />
        <source>No photos are this similar (%1 or more): lower the threshold and search again to find more.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="142" />
        <source>%n group(s) of similar photos. Mark the ones you do not want as Reject.</source>
        <translation><numerusform>%n group of similar photos. Mark the ones you do not want as Reject.</numerusform><numerusform>%n groups of similar photos. Mark the ones you do not want as Reject.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="166" />
        <source>%1 × %2 px</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="168" />
        <source>offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="171" />
        <source>Sharpness: …</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="172" />
        <source>Variance of the Laplacian, with every copy scaled to one size: higher is sharper</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="174" />
        <source>Keep</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="175" />
        <source>Reject</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="194" />
        <source>Sharpness: cannot be read</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/duplicatesdialog.cpp" line="198" />
        <source>Sharpness: %1</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/duplicatesdialog.cpp" line="229" />
        <source>Moving %n photo(s) to the trash…</source>
        <translation><numerusform>Moving %n photo to the trash…</numerusform><numerusform>Moving %n photos to the trash…</numerusform></translation>
    </message>
</context>
<context>
    <name>glimpse::ui::ImageListModel</name>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="84" />
        <source>This file is no longer on disk.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="85" />
        <source>Could not caption this photo: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="86" />
        <source>This file cannot be shown: it is damaged or not a supported photo.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="115" />
        <source>The photo changed since this caption was made.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagelistmodel.cpp" line="116" />
        <source>Captioning…</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::ImagesPage</name>
    <message>
        <location filename="../ui/imagespage.cpp" line="63" />
        <source>Images</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="68" />
        <location filename="../ui/imagespage.cpp" line="756" />
        <source>Drop photos or folders here,
or open them with Ctrl+O, or paste an image with Ctrl+V.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="72" />
        <source>Zoom</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="86" />
        <source>Fit to window (0)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="87" />
        <source>Actual size, 100% (1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="88" />
        <source>Zoom out (-, Ctrl+wheel)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="89" />
        <source>Zoom in (+, Ctrl+wheel)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="92" />
        <source>Full screen (F11, double click)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="100" />
        <source>Fit (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="106" />
        <source>BLIP ("a picture of", beam 3)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="106" />
        <source>Hugging Face default (greedy)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="107" />
        <source>More varied (sampling)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="107" />
        <source>Longer and more detailed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="108" />
        <source>Caption preset</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="109" />
        <source>Advanced options</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="113" />
        <source>optional start of the caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="114" />
        <source>Prompt</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="115" />
        <source>Keep prompt in caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="125" />
        <source>Sample (more varied)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="133" />
        <source>Prompt:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="135" />
        <source>Beams:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="136" />
        <source>Minimum length:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="137" />
        <source>Maximum length:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="138" />
        <source>Repetition penalty:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="140" />
        <source>Top-p:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="141" />
        <source>Temperature:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="149" />
        <source>The caption appears here.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="150" />
        <location filename="../ui/imagespage.cpp" line="222" />
        <source>Caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="158" />
        <source>Caption state</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="160" />
        <source>Caption again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="161" />
        <source>Caption the photo as it is now on disk</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="163" />
        <source>&amp;Caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="164" />
        <source>Caption the selected image (Ctrl+Return)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="165" />
        <source>Caption &amp;all</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="166" />
        <source>Caption every image (Ctrl+Shift+Return)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="167" />
        <source>Cancel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="168" />
        <source>Stop captioning (Esc)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="170" />
        <source>C&amp;opy</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="171" />
        <source>Copy the caption (Ctrl+Shift+C)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="182" />
        <source>Style:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="187" />
        <source>Caption check</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="194" />
        <source>Check captions and make degenerate ones again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="197" />
        <source>With a search model set: a caption that repeats itself, is empty or does not match the photo is made again with other settings, and the best match is kept</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="206" />
        <source>Questions and answers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="207" />
        <source>Ask anything about the selected photo: "how many people are there?"</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="209" />
        <source>Question</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="210" />
        <source>As&amp;k</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="211" />
        <source>Ask about the selected photo (Return)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="223" />
        <source>Ask</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="273" />
        <source>%n photo(s) changed on disk: %1</source>
        <translation><numerusform>%n photo changed on disk: %1</numerusform><numerusform>%n photos changed on disk: %1</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="276" />
        <source>%n photo(s) no longer on disk: %1</source>
        <translation><numerusform>%n photo no longer on disk: %1</numerusform><numerusform>%n photos no longer on disk: %1</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="286" />
        <source>&amp;Remove from list</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="298" />
        <source>&amp;Copy paths</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="298" />
        <source>&amp;Copy path</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="300" />
        <source>Show in &amp;folder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="339" />
        <source>Captioned %1 in %2 s</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="360" />
        <source>Could not caption %1: %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="368" />
        <source>Captioning stopped</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="371" />
        <source>Captioned %1 of %2</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="380" />
        <source>Stopped: %n image(s) captioned</source>
        <translation><numerusform>Stopped: %n image captioned</numerusform><numerusform>Stopped: %n images captioned</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="381" />
        <source>Captioned %n image(s)</source>
        <translation><numerusform>Captioned %n image</numerusform><numerusform>Captioned %n images</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="382" />
        <source>%n could not be captioned</source>
        <translation><numerusform>%n could not be captioned</numerusform><numerusform>%n could not be captioned</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="385" />
        <source>%n not started</source>
        <translation><numerusform>%n not started</numerusform><numerusform>%n not started</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="391" />
        <source>%n photo(s) could not be captioned: %1</source>
        <translation><numerusform>%n photo could not be captioned: %1</numerusform><numerusform>%n photos could not be captioned: %1</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="435" />
        <source>(no answer: %1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="438" />
        <location filename="../ui/imagespage.cpp" line="441" />
        <source>Could not answer: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="463" />
        <source>Ask a question about this photo…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="465" />
        <location filename="../ui/imagespage.cpp" line="514" />
        <source>This file is no longer on disk.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="466" />
        <source>Add a photo first: drop it on the window or open it with %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="492" />
        <source>Captioning…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="496" />
        <source>Could not caption this photo: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="503" />
        <source>Not captioned yet.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="515" />
        <source>This file is no longer on disk; the caption is of the photo as it was.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="517" />
        <source>The photo changed since this caption was made.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="529" />
        <location filename="../ui/imagespage.cpp" line="893" />
        <source>English original: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="535" />
        <source>Match %1% · similarity %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="536" />
        <source>the first caption was degenerate and was made again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="539" />
        <source>How well the search model thinks this caption describes the photo (image-text matching probability and contrastive similarity)</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="655" />
        <source>Removed %n image(s) from the list (the files are not touched)</source>
        <translation><numerusform>Removed %n image from the list (the files are not touched)</numerusform><numerusform>Removed %n images from the list (the files are not touched)</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="662" />
        <source>Copied %n path(s)</source>
        <translation><numerusform>Copied %n path</numerusform><numerusform>Copied %n paths</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="777" />
        <source>%1 is no longer on disk</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="790" />
        <source>Cannot show %1</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/imagespage.cpp" line="845" />
        <source>Captioning %n image(s)…</source>
        <translation><numerusform>Captioning %n image…</numerusform><numerusform>Captioning %n images…</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="857" />
        <source>Caption copied</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="890" />
        <source>Asked in English: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/imagespage.cpp" line="892" />
        <source>thinking…</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::LibraryPage</name>
    <message>
        <location filename="../ui/librarypage.cpp" line="77" />
        <source>Library folders</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="80" />
        <source>Add folder…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="81" />
        <source>Remove</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="82" />
        <source>Forget this folder (the photos on disk are not touched)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="84" />
        <location filename="../ui/librarypage.cpp" line="755" />
        <source>Index</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="85" />
        <source>Find new and changed photos and make them searchable</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="86" />
        <location filename="../ui/librarypage.cpp" line="103" />
        <source>Stop</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="89" />
        <source>Indexing progress</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="99" />
        <location filename="../ui/librarypage.cpp" line="722" />
        <source>Caption photos</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="101" />
        <source>Caption every photo of the library that has no caption from Glimpse yet, with the Images page's caption settings; each caption is kept as it is done</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="105" />
        <source>Stop captioning</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="107" />
        <source>Captioning progress</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="111" />
        <source>Write captions to files…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="113" />
        <source>Review the library's captions, then write them into the photos, XMP sidecars or text files</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="115" />
        <source>Similar photos…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="116" />
        <source>Review groups of near-duplicate photos and move the ones you reject to the trash</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="122" />
        <source>Folders</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="129" />
        <source>Captions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="138" />
        <source>Describe the photo you remember, e.g. "kids on a beach at sunset"</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="140" />
        <source>Search</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="146" />
        <source>Translated query</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="147" />
        <source>Search the original instead</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="151" />
        <source>Search for the words as you typed them, without translating them to English</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="159" />
        <source>From</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="161" />
        <source>to</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="168" />
        <source>Taken on or after</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="169" />
        <source>Taken on or before</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="173" />
        <source>any</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="174" />
        <source>Minimum relevance</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="175" />
        <source>Search results less relevant than this are left out</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="182" />
        <source>Minimum relevance:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="186" />
        <source>Results summary</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="201" />
        <source>Search results</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="207" />
        <source>Least confident captions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="209" />
        <source>Photos whose caption was checked against the photo, the weakest match first, to review them</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="219" />
        <source>Select a result to see its details.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="223" />
        <source>Photo details</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="228" />
        <source>Photo preview</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="233" />
        <location filename="../ui/librarypage.cpp" line="246" />
        <location filename="../ui/librarypage.cpp" line="317" />
        <location filename="../ui/librarypage.cpp" line="645" />
        <source>Caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="234" />
        <source>No caption yet. Type one, or use Caption photos.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="237" />
        <source>English original</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="238" />
        <source>Save caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="241" />
        <source>Keep this caption in the library (it is found by search and written by Write captions to files)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="243" />
        <location filename="../ui/librarypage.cpp" line="322" />
        <source>Open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="244" />
        <location filename="../ui/librarypage.cpp" line="323" />
        <source>Show in folder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="245" />
        <location filename="../ui/librarypage.cpp" line="320" />
        <source>More like this</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="247" />
        <source>Open this photo on the Images page and caption it</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="248" />
        <location filename="../ui/librarypage.cpp" line="318" />
        <source>Ask about this photo</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="249" />
        <source>Open this photo on the Images page with its chat</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="325" />
        <source>Copy path</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="376" />
        <location filename="../ui/librarypage.cpp" line="432" />
        <source>Paused at %1 of %2 photos; everything done is saved.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="407" />
        <source>%1 of %2 photos captioned</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="408" />
        <location filename="../ui/librarypage.cpp" line="579" />
        <source>%n could not be read</source>
        <translation><numerusform>%n could not be read</numerusform><numerusform>%n could not be read</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="410" />
        <source>%1 left</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="412" />
        <source>Paused at %1 of %2 photos; every caption done is kept.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="427" />
        <source>%1 of %2 photos</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="430" />
        <source>%1 photos/s · %2 left</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="443" />
        <source>Captioning failed: %1</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="446" />
        <source>Stopped: %n photo(s) captioned; every caption done is kept.</source>
        <translation><numerusform>Stopped: %n photo captioned; every caption done is kept.</numerusform><numerusform>Stopped: %n photos captioned; every caption done is kept.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="449" />
        <source>Every photo of the library has a caption.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="450" />
        <source>Done: %n photo(s) captioned</source>
        <translation><numerusform>Done: %n photo captioned</numerusform><numerusform>Done: %n photos captioned</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="451" />
        <source>%n could not be read.</source>
        <translation><numerusform>%n could not be read.</numerusform><numerusform>%n could not be read.</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="452" />
        <source>Done: %n photo(s) captioned.</source>
        <translation><numerusform>Done: %n photo captioned.</numerusform><numerusform>Done: %n photos captioned.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="466" />
        <location filename="../ui/librarypage.cpp" line="486" />
        <source>Indexing failed: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="469" />
        <source>Stopped: %1 photos indexed; everything done is saved.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="472" />
        <source>Done: %n photo(s) indexed</source>
        <translation><numerusform>Done: %n photo indexed</numerusform><numerusform>Done: %n photos indexed</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="473" />
        <source>%n could not be read (marked “Cannot be read” in the grid).</source>
        <translation><numerusform>%n could not be read (marked “Cannot be read” in the grid).</numerusform><numerusform>%n could not be read (marked “Cannot be read” in the grid).</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="475" />
        <source>Done: %n photo(s) indexed.</source>
        <translation><numerusform>Done: %n photo indexed.</numerusform><numerusform>Done: %n photos indexed.</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="474" />
        <source>Up to date: all %1 photos are searchable.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="502" />
        <source>Searched for: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="504" />
        <source>Translated from %1 to English; BLIP reads English only</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="517" />
        <source>The newest %1 of %2 photos; choose a folder or dates to see the others.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="520" />
        <source>%n photo(s), newest first</source>
        <translation><numerusform>%n photo, newest first</numerusform><numerusform>%n photos, newest first</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="521" />
        <source>In %1: %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="536" />
        <location filename="../ui/librarypage.cpp" line="782" />
        <source>Cannot open the library %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="541" />
        <source>Cannot change the folders of the library %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="577" />
        <source>%1 photos, %2 searchable</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="578" />
        <source>with %1</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="581" />
        <source>%n not indexed yet</source>
        <translation><numerusform>%n not indexed yet</numerusform><numerusform>%n not indexed yet</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="583" />
        <source>%n need indexing again for it</source>
        <translation><numerusform>%n needs indexing again for it</numerusform><numerusform>%n need indexing again for it</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="588" />
        <source>The search model changed to %1: %n photo(s) need indexing again before search finds them (their old vectors are kept until then).</source>
        <translation><numerusform>The search model changed to %1: %n photo needs indexing again before search finds it (its old vector is kept until then).</numerusform><numerusform>The search model changed to %1: %n photos need indexing again before search finds them (their old vectors are kept until then).</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="593" />
        <source>Index now</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="613" />
        <source>Choose another location…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="621" />
        <source>Where to keep the photo library</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="623" />
        <source>Glimpse library (*.glimpse)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="637" />
        <source>Caption (edited by you)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="640" />
        <source>Caption (by %1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="641" />
        <source>Caption (generated)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="643" />
        <source>Caption (from the photo's description)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="657" />
        <location filename="../ui/librarypage.cpp" line="658" />
        <source>English original: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="677" />
        <source>Cannot show %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="690" />
        <source>Caption of %1 saved.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="709" />
        <source>Finding photos without a caption…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="726" />
        <location filename="../ui/librarypage.cpp" line="758" />
        <source>Pause</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="729" />
        <location filename="../ui/librarypage.cpp" line="761" />
        <source>Pausing…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="732" />
        <location filename="../ui/librarypage.cpp" line="764" />
        <source>Resume</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="789" />
        <source>Add a photo folder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="893" />
        <source>All photos (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="929" />
        <source>%1 (%2)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="980" />
        <source>Add a folder first: Add folder… chooses where your photos are.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="986" />
        <source>Looking for new and changed photos…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1024" />
        <source>Searching for "%1"…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1037" />
        <source>Searching for "%1" as typed…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1045" />
        <source>least confident captions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1050" />
        <source>Captions that match their photo least, weakest first (score: match probability)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1067" />
        <source>Photos like %1…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1125" />
        <source>%1% match</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1125" />
        <source>%1% relevant</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1127" />
        <source>Cannot be read</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1131" />
        <source>Cannot be read: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1133" />
        <source>The file name or caption holds the words searched for</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/librarypage.cpp" line="1134" />
        <source>offline (folder not available)</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="1149" />
        <source>%n caption(s) that match their photo least, weakest first</source>
        <translation><numerusform>%n caption that match their photo least, weakest first</numerusform><numerusform>%n captions that match their photo least, weakest first</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="1150" />
        <source>%n result(s) for “%1”, most relevant first</source>
        <translation><numerusform>%n result for “%1”, most relevant first</numerusform><numerusform>%n results for “%1”, most relevant first</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/librarypage.cpp" line="1151" />
        <source>%n result(s)</source>
        <translation><numerusform>%n result</numerusform><numerusform>%n results</numerusform></translation>
    </message>
</context>
<context>
    <name>glimpse::ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="74" />
        <source>Glimpse</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="113" />
        <source>Ready</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="114" />
        <source>Worker state</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="118" />
        <source>Precision</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="175" />
        <source>&amp;File</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="177" />
        <source>&amp;Open images…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="180" />
        <source>Open &amp;folder…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="181" />
        <source>Ctrl+Shift+O</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="183" />
        <source>Add folder to &amp;library…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="188" />
        <source>&amp;Paste image</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="191" />
        <source>&amp;Quit</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="194" />
        <source>&amp;Caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="195" />
        <source>&amp;Caption selected image</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="197" />
        <source>Ctrl+Return</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="198" />
        <source>Caption &amp;all images</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="199" />
        <source>Ctrl+Shift+Return</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="200" />
        <source>C&amp;ancel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="202" />
        <source>Co&amp;py caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="204" />
        <source>Ctrl+Shift+C</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="206" />
        <source>As&amp;k about the image</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="210" />
        <source>Ctrl+Shift+A</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="223" />
        <source>Caption library &amp;photos</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="228" />
        <source>&amp;Write captions to files…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="233" />
        <source>&amp;View</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="236" />
        <source>&amp;Images</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="237" />
        <source>Ctrl+1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="239" />
        <source>&amp;Library</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="240" />
        <source>Ctrl+2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="248" />
        <source>&amp;Search library</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="254" />
        <source>&amp;Full screen</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="261" />
        <source>&amp;Tools</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="262" />
        <source>&amp;Settings…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="265" />
        <source>Ctrl+,</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="266" />
        <source>&amp;Models…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="268" />
        <source>Ctrl+M</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="270" />
        <source>&amp;Help</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="272" />
        <source>&amp;Keyboard shortcuts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="273" />
        <source>Ctrl+/</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="274" />
        <source>Show &amp;log</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="275" />
        <source>&amp;About Glimpse</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="276" />
        <source>About Glimpse</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="277" />
        <source>&lt;b&gt;Glimpse&lt;/b&gt;&lt;p&gt;Captions, answers and search for your photos with Salesforce BLIP, running on this computer. No server, no account.&lt;/p&gt;</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="281" />
        <source>Main</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="320" />
        <source>Precision: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="323" />
        <source>No models yet: download or import them in Tools → Models.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="344" />
        <source>Added %n image(s)</source>
        <translation><numerusform>Added %n image</numerusform><numerusform>Added %n images</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="351" />
        <source>Open images</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="351" />
        <source>Images (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="356" />
        <source>Open a folder of images</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="368" />
        <source>The clipboard holds no image</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="378" />
        <source>Could not keep the pasted image in %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="416" />
        <source>Log started</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="418" />
        <source>No program could open the log; it is %1</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="454" />
        <source>%n photo(s) of the last session are gone: %1</source>
        <translation><numerusform>%n photo of the last session is gone: %1</numerusform><numerusform>%n photos of the last session are gone: %1</numerusform></translation>
    </message>
</context>
<context>
    <name>glimpse::ui::MessageBar</name>
    <message>
        <location filename="../ui/messagebar.cpp" line="25" />
        <source>Message</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="37" />
        <source>Details…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="39" />
        <source>Dismiss</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="40" />
        <source>Hide this message (it stays in Help → Show log)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/messagebar.cpp" line="53" />
        <source>Details</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::ModelsDialog</name>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="62" />
        <location filename="../ui/modelsdialog.cpp" line="91" />
        <source>Models</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="64" />
        <source>Download models from the list or import a folder you already have. They stay on this computer, in %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="68" />
        <source>Get started</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="73" />
        <source>Download the recommended models</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Model</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Task</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Size</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="81" />
        <source>Status</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="92" />
        <source>&amp;Download</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="93" />
        <location filename="../ui/modelsdialog.cpp" line="383" />
        <source>&amp;Stop download</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="95" />
        <source>&amp;Use for its task</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="96" />
        <source>&amp;Remove</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="97" />
        <source>&amp;Import folder…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="100" />
        <source>Download progress</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="158" />
        <source>Cannot be used: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="160" />
        <source>Installed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="162" />
        <source>In use</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="164" />
        <source>In use for %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="167" />
        <source>Partly downloaded (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="178" />
        <source>~%1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="202" />
        <location filename="../ui/modelsdialog.cpp" line="208" />
        <location filename="../ui/modelsdialog.cpp" line="215" />
        <source>Select a model first</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="203" />
        <source>This model is installed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="204" />
        <source>A download is running</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="205" />
        <source>This model is not in the catalogue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="206" />
        <source>Download this model</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="209" />
        <source>Download or import it first</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="210" />
        <source>This folder cannot be used</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="211" />
        <source>Already in use</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="212" />
        <source>Use this model for %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="216" />
        <source>Not installed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="217" />
        <source>Glimpse removes only the models it keeps in %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="218" />
        <source>Delete this model from this computer</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="241" />
        <source>%1: %2 (%3)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="241" />
        <source>installed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="245" />
        <source>Glimpse needs one model per task. The recommended set works well on everyday photos:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="247" />
        <source>Each model is used as soon as it is ready.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="248" />
        <source>Use the recommended models</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="249" />
        <source>Download the recommended models (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="307" />
        <source>Downloading %1: %2 files, %3</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="313" />
        <source>%1 of %2 · %3/s · %4 s left</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="325" />
        <source>%1 is ready.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="329" />
        <source>Download of %1 stopped: %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="347" />
        <source>Remove model</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="347" />
        <source>Delete %1 from this computer?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="353" />
        <source>Removed %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="363" />
        <source>Import a BLIP model folder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="368" />
        <source>&amp;Stop import</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="371" />
        <source>Importing %1…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="375" />
        <source>%1 of %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="391" />
        <source>Imported %1 for %2: %3</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="394" />
        <source>Import of %1 stopped; nothing of it was kept.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/modelsdialog.cpp" line="397" />
        <location filename="../ui/modelsdialog.cpp" line="399" />
        <source>Cannot import: %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::PhotoView</name>
    <message>
        <location filename="../ui/photoview.cpp" line="21" />
        <source>Preview</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="32" />
        <source>Zoom in</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="33" />
        <source>Zoom out</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="34" />
        <source>Fit to window</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/photoview.cpp" line="35" />
        <source>Actual size, 100%</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::SettingsDialog</name>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="47" />
        <source>Not set.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="51" />
        <location filename="../ui/settingsdialog.cpp" line="66" />
        <source>Cannot be used: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="53" />
        <source>This checkpoint does not do this task: it has %1, this task needs %2.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="57" />
        <location filename="../ui/settingsdialog.cpp" line="70" />
        <source>Ready: %1 (%2).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="63" />
        <source>No OPUS-MT model for %1 to %2 is installed: get one in Tools → Models.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="68" />
        <source>This is no translation model: it has %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="69" />
        <source>Using %1 (%2).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="78" />
        <source>Every model computes in 32-bit floats: the same words and scores as the reference implementation.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="81" />
        <source>Products in 16-bit bfloat: captions and search up to 1.5 times as fast. Search embeddings agree with Exact to a cosine of 0.9999; a caption may take another word at some point and go on differently from there.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="87" />
        <source>Image encoding with 8-bit weights, text in 32-bit: indexing and captions start faster. Search embeddings agree with Exact to a cosine of 0.999; most captions are the same.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="94" />
        <source>Whether this computer can run it is still being checked.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="96" />
        <location filename="../ui/settingsdialog.cpp" line="108" />
        <source>Not available on this computer: %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="116" />
        <source>Settings</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="257" />
        <source>Models</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="121" />
        <source>e.g. Salesforce/blip-image-captioning-base</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="122" />
        <source>e.g. Salesforce/blip-vqa-base</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="122" />
        <source>e.g. Salesforce/blip-itm-base-coco</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="130" />
        <source>Browse…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="133" />
        <source>%1 check</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="136" />
        <source>Model folder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="153" />
        <source>Details…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="158" />
        <source>Choose a BLIP model folder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="166" />
        <source>Download or import models…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="258" />
        <source>Performance</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="178" />
        <source>All cores</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="34" />
        <source>ViT %1/%2 layers, %3 px; text %4/%5 layers; %6 MB %7</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="37" />
        <source>Marian %1/%2+%3 layers, %4 pieces; %5 MB</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="180" />
        <source>Threads</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="183" />
        <source> min</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="184" />
        <source>Never</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="186" />
        <source>Unload models after</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="188" />
        <source>Precision</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="189" />
        <source>Exact (float32)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="190" />
        <source>Fast (bfloat16)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="191" />
        <source>Fast image encoding (int8)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="199" />
        <source>Threads:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="200" />
        <source>Precision:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="202" />
        <source>Unload models after idle:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="247" />
        <source>Translate queries with:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="250" />
        <source>Translate captions and answers with:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="259" />
        <source>Language</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="209" />
        <source>My queries and questions are in</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="210" />
        <source>Detect for each query</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="215" />
        <source>Translate queries with</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="216" />
        <source>The installed OPUS-MT model for the language, e.g. Helsinki-NLP/opus-mt-de-en</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="223" />
        <source>Queries are never translated.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="229" />
        <source>Show captions and answers in %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="232" />
        <source>BLIP writes English; the English original stays a hover away</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="234" />
        <source>Translate captions and answers with</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="235" />
        <source>The installed OPUS-MT model, e.g. Helsinki-NLP/opus-mt-en-de</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="241" />
        <source>The interface is in English: captions and answers need no translation.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/settingsdialog.cpp" line="246" />
        <source>My queries and questions are in:</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::ShortcutsDialog</name>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="38" />
        <source>Other</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="56" />
        <source>, </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="84" />
        <source>Keyboard Shortcuts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="86" />
        <source>Filter by action or key…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="87" />
        <source>Filter shortcuts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="90" />
        <source>Keyboard shortcuts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="92" />
        <source>Action</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="92" />
        <source>Shortcut</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/shortcutsdialog.cpp" line="111" />
        <source>No shortcut matches.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>glimpse::ui::WriteCaptionsDialog</name>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="24" />
        <source>edited</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="25" />
        <source>from the photo</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="26" />
        <source>generated</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="33" />
        <source>Write captions to files</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="36" />
        <source>Review the captions before they are written. Nothing changes on disk until you press Write. Other metadata (camera data, GPS, keywords, colour profile) and the pictures stay as they are.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="40" />
        <source>In the photo (XMP, EXIF and IPTC description)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="42" />
        <source>XMP sidecar file</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="44" />
        <source>photo.jpg.xmp (digiKam, darktable)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="46" />
        <source>photo.xmp (Lightroom)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="49" />
        <source>Text file next to the photo (photo.txt, for training sets)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="50" />
        <source>Replace descriptions the files already have</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="51" />
        <source>Off: a file that already holds a description keeps it and is listed as kept.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Photo</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Description now</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Caption to write</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Will write</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="59" />
        <source>Result</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="60" />
        <source>Captions to write</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="72" />
        <source>Reading the library…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="77" />
        <source>Write</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="111" />
        <source>The library could not be read: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="130" />
        <source>Writing failed: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="132" />
        <source>Stopped after %1 photos.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="134" />
        <source>Done: %1 photos, %2 with errors (see Result).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="135" />
        <source>Done: %1 photos.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="157" />
        <source>(none)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="161" />
        <source>Caption (%1); double-click to edit before writing</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="203" />
        <source>%1: keeps its own description</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="205" />
        <source>%1 (description)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="209" />
        <source>nothing: empty caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="209" />
        <source>skipped</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="214" />
        <source>Write 1 caption</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="214" />
        <source>Write %1 captions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="218" />
        <source>No photo in the library has a caption yet. Caption photos first (Library → Caption photos).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="220" />
        <source>Choose where to write the captions.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="222" />
        <source>1 photo will be written.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="222" />
        <source>%1 photos will be written.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="234" />
        <source>waiting…</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../ui/writecaptionsdialog.cpp" line="245" />
        <source>Writing %n caption(s)…</source>
        <translation><numerusform>Writing %n caption…</numerusform><numerusform>Writing %n captions…</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="254" />
        <source>written: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="255" />
        <source>kept its own: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../ui/writecaptionsdialog.cpp" line="256" />
        <source>failed: %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="76" />
        <source>Captions, answers and search for your photos with BLIP.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="80" />
        <source>Model folder for captions.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="82" />
        <source>Model folder for questions.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="84" />
        <source>Model folder for library search.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="88" />
        <source>Caption the first image, save a screenshot of the window to FILE and quit.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="91" />
        <source>Images or folders to open.</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>
