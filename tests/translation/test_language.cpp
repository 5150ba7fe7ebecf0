// The cheap language check that decides whether a search query or question is translated to
// English first: scripts, stopwords and letters; English keeps every doubtful case.
#include <gtest/gtest.h>

#include <QLocale>

#include "translation/language.h"

using glimpse::translation::detectLanguage;
using glimpse::translation::interfaceLanguage;
using glimpse::translation::queryLanguage;

TEST(Language, EnglishQueriesStayEnglish) {
  for (const char* q : {"kids on a beach at sunset", "dog", "sunset", "red car", "how many dogs are there?",
                        "the checker", "photo_120x90", "", "   ", "2024", "a man was riding a horse", "kitchen"})
    EXPECT_EQ(detectLanguage(QString::fromUtf8(q)), QStringLiteral("en")) << q;
}

TEST(Language, GermanByWordsLettersAndEndings) {
  for (const char* q : {"Kinder am Strand bei Sonnenuntergang", "Wie viele Hunde sind auf dem Bild?", "Hund im Schnee",
                        "Brücke", "Straße", "Geburtstagsfeier mit Kuchen und Kerzen", "Wanderung", "die Katze"})
    EXPECT_EQ(detectLanguage(QString::fromUtf8(q)), QStringLiteral("de")) << q;
}

TEST(Language, OtherLanguagesAndScripts) {
  EXPECT_EQ(detectLanguage(QStringLiteral("un chien sur la plage")), QStringLiteral("fr"));
  EXPECT_EQ(detectLanguage(QStringLiteral("niños en la playa")), QStringLiteral("es"));
  EXPECT_EQ(detectLanguage(QString::fromUtf8("собака на пляже")), QStringLiteral("ru"));
  EXPECT_EQ(detectLanguage(QString::fromUtf8("海辺の犬")), QStringLiteral("ja"));
  EXPECT_EQ(detectLanguage(QString::fromUtf8("海滩上的狗")), QStringLiteral("zh"));
  EXPECT_EQ(detectLanguage(QString::fromUtf8("해변의 개")), QStringLiteral("ko"));
  EXPECT_EQ(detectLanguage(QString::fromUtf8("σκύλος στην παραλία")), QStringLiteral("el"));
  // A Latin file name inside a mostly Cyrillic query does not make it English.
  EXPECT_EQ(detectLanguage(QString::fromUtf8("собака IMG_2024")), QStringLiteral("ru"));
}

TEST(Language, TheSettingDecidesWhenItIsNotAuto) {
  const QString german = QStringLiteral("Kinder am Strand");
  EXPECT_EQ(queryLanguage(german, QStringLiteral("auto")), QStringLiteral("de"));
  EXPECT_EQ(queryLanguage(german, QString()), QStringLiteral("de"));
  EXPECT_EQ(queryLanguage(german, QStringLiteral("en")), QStringLiteral("en"));
  EXPECT_EQ(queryLanguage(QStringLiteral("sunset"), QStringLiteral("de")), QStringLiteral("de"));
}

TEST(Language, InterfaceLanguageIsAShippedOne) {
  const QLocale before;
  QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
  EXPECT_EQ(interfaceLanguage(), QStringLiteral("de"));
  QLocale::setDefault(QLocale(QLocale::French, QLocale::France));
  EXPECT_EQ(interfaceLanguage(), QStringLiteral("en"));  // no French interface ships
  QLocale::setDefault(before);
}
