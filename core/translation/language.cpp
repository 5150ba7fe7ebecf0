#include "language.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <array>

namespace glimpse::translation {
namespace {

// Frequent short words that are rare in the other languages of this table; a query holding one
// is most likely in that language. English "a", "in", "on" are shared by others and so are left
// out where they would mislead ("in" is German and Dutch too).
struct Stopwords {
  const char* code;
  QSet<QString> words;
};

const std::array<Stopwords, 7>& stopwords() {
  static const std::array<Stopwords, 7> kTable = {{
      {"en", {"the",   "of",    "and",  "with", "on",  "at",   "is",    "are",     "a",
              "an",    "my",    "from", "by",   "how", "what", "many",  "who",     "where",
              "which", "there", "this", "that", "for", "near", "under", "playing", "sitting"}},
      {"de", {"der",    "die",   "das",   "den",   "dem", "des",    "ein",   "eine", "einen", "einem", "einer",
              "und",    "mit",   "am",    "im",    "auf", "bei",    "beim",  "vom",  "zum",   "zur",   "ist",
              "sind",   "wie",   "viele", "wer",   "wo",  "welche", "nicht", "auch", "unter", "über",  "vor",
              "hinter", "neben", "mein",  "meine", "ich", "sie",    "bild",  "foto", "fotos", "bilder"}},
      {"fr", {"le",  "la",   "les",     "un",  "une",  "des", "du",  "et", "avec", "sur",  "dans", "au",  "aux",
              "est", "sont", "combien", "qui", "quoi", "où",  "mon", "ma", "mes",  "pour", "sous", "chez"}},
      {"es", {"el", "los", "las",     "una",     "unos", "unas",  "y",     "con", "en",  "del",  "al",
              "es", "son", "cuántos", "cuántas", "qué",  "quién", "dónde", "mi",  "mis", "para", "bajo"}},
      {"it", {"il",  "lo", "gli",  "una",    "uno",    "e",   "con", "sul",  "sulla", "nel", "nella", "della",
              "del", "è",  "sono", "quanti", "quante", "che", "chi", "dove", "mio",   "mia", "per",   "sotto"}},
      {"nl",
       {"de", "het", "een", "en", "met", "op", "bij", "van", "is", "zijn", "hoeveel", "wat", "wie", "waar", "mijn",
        "voor", "onder", "naast"}},
      {"pt", {"o",  "os", "as",  "um",      "uma",     "e",    "com",  "na",  "no",    "nas",  "nos", "da",
              "do", "é",  "são", "quantos", "quantas", "quem", "onde", "meu", "minha", "para", "sob"}},
  }};
  return kTable;
}

// Letters that only some of these languages write.
struct Letters {
  const char* code;
  const char16_t* letters;
};
constexpr Letters kLetters[] = {
    {"de", u"äöüß"}, {"fr", u"çèêëîïôûœ"}, {"es", u"ñ¿¡"}, {"pt", u"ãõ"}, {"it", u"ìò"},
};

// German word endings that English words almost never have ("-chen" is left out: kitchen).
const QStringList& germanEndings() {
  static const QStringList kEndings = {QStringLiteral("ung"), QStringLiteral("keit"), QStringLiteral("heit"),
                                       QStringLiteral("lich"), QStringLiteral("schaft")};
  return kEndings;
}

// The language of a script other than Latin, or "" for Latin (and for no letters at all).
QString scriptLanguage(const QString& text) {
  int latin = 0;
  QHash<QString, int> others;
  bool kana = false;
  for (const QChar c : text) {
    if (!c.isLetter()) continue;
    switch (c.script()) {
      case QChar::Script_Latin:
        ++latin;
        break;
      case QChar::Script_Cyrillic:
        ++others[QStringLiteral("ru")];
        break;
      case QChar::Script_Greek:
        ++others[QStringLiteral("el")];
        break;
      case QChar::Script_Han:
        ++others[QStringLiteral("zh")];
        break;
      case QChar::Script_Hiragana:
      case QChar::Script_Katakana:
        kana = true;
        ++others[QStringLiteral("ja")];
        break;
      case QChar::Script_Hangul:
        ++others[QStringLiteral("ko")];
        break;
      case QChar::Script_Arabic:
        ++others[QStringLiteral("ar")];
        break;
      case QChar::Script_Hebrew:
        ++others[QStringLiteral("he")];
        break;
      case QChar::Script_Devanagari:
        ++others[QStringLiteral("hi")];
        break;
      case QChar::Script_Thai:
        ++others[QStringLiteral("th")];
        break;
      default:
        break;
    }
  }
  QString best;
  int bestCount = 0;
  for (auto it = others.constBegin(); it != others.constEnd(); ++it)
    if (it.value() > bestCount) {
      best = it.key();
      bestCount = it.value();
    }
  if (bestCount <= latin) return {};
  // Japanese writes Han characters too: any kana makes it Japanese.
  return kana ? QStringLiteral("ja") : best;
}

}  // namespace

QString detectLanguage(const QString& text) {
  if (const QString script = scriptLanguage(text); !script.isEmpty()) return script;
  const QString lower = text.toLower();
  static const QRegularExpression kWord(QStringLiteral("[^\\p{L}]+"));
  const QStringList words = lower.split(kWord, Qt::SkipEmptyParts);
  QHash<QString, double> score;
  for (const QString& w : words) {
    for (const Stopwords& s : stopwords())
      if (s.words.contains(w)) score[QLatin1String(s.code)] += 1.0;
    for (const QString& ending : germanEndings())
      if (w.size() > ending.size() + 2 && w.endsWith(ending)) score[QStringLiteral("de")] += 0.5;
  }
  for (const Letters& l : kLetters)
    for (const char16_t* c = l.letters; *c; ++c)
      if (lower.contains(QChar(*c))) score[QLatin1String(l.code)] += 1.5;
  // English keeps ties, and otherwise the table's order decides: a query is translated only on
  // evidence, and the same text always gets the same answer.
  QString best = QStringLiteral("en");
  double bestScore = score.value(best);
  for (const Stopwords& s : stopwords())
    if (score.value(QLatin1String(s.code)) > bestScore) {
      best = QLatin1String(s.code);
      bestScore = score.value(best);
    }
  return best;
}

const QSet<QString>& matchStopwords(const QString& code) {
  static const QSet<QString> kEnglish = {"a",    "an",  "the", "of", "on",  "in",   "at",   "to",   "and", "or",
                                         "with", "for", "by",  "is", "are", "from", "into", "some", "its"};
  static const QSet<QString> kGerman = {"der",   "die",   "das",   "den", "dem",  "des", "ein", "eine",
                                        "einer", "einem", "einen", "und", "oder", "mit", "am",  "im",
                                        "auf",   "bei",   "von",   "vom", "zum",  "zur", "ist", "sind"};
  static const QSet<QString> kNone;
  if (code == QLatin1String("en")) return kEnglish;
  if (code == QLatin1String("de")) return kGerman;
  return kNone;
}

QString queryLanguage(const QString& text, const QString& setting) {
  if (setting.isEmpty() || setting == QLatin1String("auto")) return detectLanguage(text);
  return setting;
}

QStringList interfaceLanguages() {
  return {QStringLiteral("en"), QStringLiteral("de")};
}

QString interfaceLanguage() {
  const QStringList shipped = interfaceLanguages();
  for (const QString& name : QLocale().uiLanguages()) {
    const QString code = name.section(QLatin1Char('-'), 0, 0).section(QLatin1Char('_'), 0, 0).toLower();
    if (shipped.contains(code)) return code;
  }
  return QStringLiteral("en");
}

QString languageName(const QString& code) {
  static const struct {
    const char* code;
    const char* name;
  } kNames[] = {
      {"en", QT_TRANSLATE_NOOP("glimpse::translation", "English")},
      {"de", QT_TRANSLATE_NOOP("glimpse::translation", "German")},
      {"fr", QT_TRANSLATE_NOOP("glimpse::translation", "French")},
      {"es", QT_TRANSLATE_NOOP("glimpse::translation", "Spanish")},
      {"it", QT_TRANSLATE_NOOP("glimpse::translation", "Italian")},
      {"nl", QT_TRANSLATE_NOOP("glimpse::translation", "Dutch")},
      {"pt", QT_TRANSLATE_NOOP("glimpse::translation", "Portuguese")},
      {"ru", QT_TRANSLATE_NOOP("glimpse::translation", "Russian")},
      {"el", QT_TRANSLATE_NOOP("glimpse::translation", "Greek")},
      {"zh", QT_TRANSLATE_NOOP("glimpse::translation", "Chinese")},
      {"ja", QT_TRANSLATE_NOOP("glimpse::translation", "Japanese")},
      {"ko", QT_TRANSLATE_NOOP("glimpse::translation", "Korean")},
      {"ar", QT_TRANSLATE_NOOP("glimpse::translation", "Arabic")},
      {"he", QT_TRANSLATE_NOOP("glimpse::translation", "Hebrew")},
      {"hi", QT_TRANSLATE_NOOP("glimpse::translation", "Hindi")},
      {"th", QT_TRANSLATE_NOOP("glimpse::translation", "Thai")},
  };
  for (const auto& n : kNames)
    if (code == QLatin1String(n.code)) return QCoreApplication::translate("glimpse::translation", n.name);
  return code;
}

QStringList queryLanguages() {
  return {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr"), QStringLiteral("es"),
          QStringLiteral("it"), QStringLiteral("nl"), QStringLiteral("pt"), QStringLiteral("ru"),
          QStringLiteral("el"), QStringLiteral("zh"), QStringLiteral("ja"), QStringLiteral("ko"),
          QStringLiteral("ar"), QStringLiteral("he"), QStringLiteral("hi"), QStringLiteral("th")};
}

}  // namespace glimpse::translation
