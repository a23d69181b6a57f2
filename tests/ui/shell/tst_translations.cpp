// The French and German translations cover every string of the English file, with no
// unfinished or empty entry, and load into the app.
#include "shell/translations.h"

#include <QCoreApplication>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace fmc::ui;

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void everyStringIsTranslated_data();
    void everyStringIsTranslated();
    void compiledTranslationsLoad_data();
    void compiledTranslationsLoad();
    void languageFollowsSettingsThenTheSystem();
};

namespace {
struct Entry {
    QString context, source;
    QStringList translations;
    bool unfinished = false;
    bool numerus = false;
};

QList<Entry> readTs(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QList<Entry> entries;
    QString context;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        const auto name = xml.name();
        if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            Entry entry;
            entry.context = context;
            entry.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            while (xml.readNextStartElement()) {
                if (xml.name() == QLatin1String("source")) {
                    entry.source = xml.readElementText();
                } else if (xml.name() == QLatin1String("translation")) {
                    const auto type = xml.attributes().value(QLatin1String("type"));
                    entry.unfinished = type == QLatin1String("unfinished") || type == QLatin1String("vanished") ||
                                       type == QLatin1String("obsolete");
                    if (entry.numerus) {
                        while (xml.readNextStartElement()) entry.translations << xml.readElementText();
                    } else {
                        entry.translations << xml.readElementText();
                    }
                } else {
                    xml.skipCurrentElement();
                }
            }
            entries << entry;
        }
    }
    return entries;
}

QString tsPath(const QString& language) {
    return QStringLiteral(FMC_SOURCE_DIR "/translations/fedmedclip_%1.ts").arg(language);
}
}  // namespace

void TestTranslations::everyStringIsTranslated_data() {
    QTest::addColumn<QString>("language");
    QTest::newRow("French") << QStringLiteral("fr");
    QTest::newRow("German") << QStringLiteral("de");
}

void TestTranslations::everyStringIsTranslated() {
    QFETCH(QString, language);
    const auto english = readTs(tsPath(QStringLiteral("en")));
    QVERIFY2(english.size() > 100, "the English file lists the app's strings");
    QSet<QString> englishKeys;
    for (const auto& entry : english) englishKeys.insert(entry.context + QLatin1Char('|') + entry.source);
    const auto entries = readTs(tsPath(language));
    QSet<QString> keys;
    QStringList problems;
    for (const auto& entry : entries) {
        keys.insert(entry.context + QLatin1Char('|') + entry.source);
        const bool empty = entry.translations.isEmpty() ||
                           std::any_of(entry.translations.begin(), entry.translations.end(),
                                       [](const QString& text) { return text.trimmed().isEmpty(); });
        if (entry.unfinished || (empty && !entry.source.trimmed().isEmpty()))
            problems << entry.context + QStringLiteral(": ") + entry.source;
    }
    QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 untranslated, e.g. %2").arg(problems.size()).arg(problems.value(0))));
    QVERIFY2(keys == englishKeys, qPrintable(QStringLiteral("%1 strings differ from the English file")
                                                 .arg((keys - englishKeys).size() + (englishKeys - keys).size())));
}

void TestTranslations::compiledTranslationsLoad_data() {
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("classify");
    QTest::newRow("fr") << QStringLiteral("fr") << QStringLiteral("Classer");
    QTest::newRow("de") << QStringLiteral("de") << QStringLiteral("Klassifizieren");
}

void TestTranslations::compiledTranslationsLoad() {
    QFETCH(QString, language);
    QFETCH(QString, classify);
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/fedmedclip_") + language));
    QCOMPARE(translator.translate("fmc::ui::ClassifyPage", "Classify"), classify);
}

void TestTranslations::languageFollowsSettingsThenTheSystem() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QCOMPARE(chosenLanguage(QLocale(QLocale::German, QLocale::Switzerland)), QStringLiteral("de"));
    QCOMPARE(chosenLanguage(QLocale(QLocale::Japanese)), QStringLiteral("en"));
    QSettings().setValue(QStringLiteral("ui/language"), QStringLiteral("fr"));
    QCOMPARE(chosenLanguage(QLocale(QLocale::German)), QStringLiteral("fr"));
    QSettings().clear();
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
