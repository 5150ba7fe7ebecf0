#pragma once
// Which language a short text (a search query, a question) is in, cheaply: the script of its
// letters, then stopwords and letters typical of a few European languages. Used to decide whether
// a query must be translated to English before BLIP reads it; no model and no dictionary.
#include <QSet>
#include <QString>
#include <QStringList>

namespace glimpse::translation {

// ISO 639-1 code of the text's language: "en", "de", "fr", "es", "it", "nl", "pt", or from the
// script alone "ru", "el", "zh", "ja", "ko", "ar", "he", "hi", "th". A Latin-script text without
// evidence for another language counts as English ("en"), so short English queries such as "dog"
// are never translated. An empty text is "en".
QString detectLanguage(const QString& text);

// The language a query is in under the setting "my queries are in": "auto" detects it, "en" or
// another code is taken as it is.
QString queryLanguage(const QString& text, const QString& setting);

// The small words every description has ("a dog on the beach", "ein Hund am Strand"), which a
// text search leaves out of its match, for the language `code`: English and German (the languages
// captions are written and shown in); empty for any other. Each list is for words of its own
// language only: German "die" is English "die", and stays in an English text's match.
const QSet<QString>& matchStopwords(const QString& code);

// Languages the interface ships in ("en" first) and the one it shows now: the first of the
// locale's UI languages that ships, else "en".
QStringList interfaceLanguages();
QString interfaceLanguage();

// The name of a language for people, in the current interface language (e.g. "German").
QString languageName(const QString& code);
// Codes offered for "my queries are in" (besides auto): those the detector knows.
QStringList queryLanguages();

}  // namespace glimpse::translation
