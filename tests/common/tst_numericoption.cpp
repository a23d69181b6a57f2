// Numeric command-line option values: the whole text must be the number, in range; a bad
// value is an error naming the option and the text (no silent 0 for "--seed abc").
#include "common/numeric_option.h"
#include "common/types.h"

#include <QtTest>

class TestNumericOption : public QObject {
    Q_OBJECT

private slots:
    void integers_data();
    void integers();
    void unsignedValues_data();
    void unsignedValues();
    void numbers_data();
    void numbers();
};

namespace {
// The error's text, or "" when it parsed.
template <typename Parse>
QString errorOf(Parse parse) {
    try {
        parse();
    } catch (const fmc::Error& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}
}  // namespace

void TestNumericOption::integers_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("error");
    const QString range = QStringLiteral("' is not a whole number from -2147483648 to 2147483647");
    QTest::newRow("positive") << "42" << qint64(42) << "";
    QTest::newRow("negative") << "-7" << qint64(-7) << "";
    QTest::newRow("largest int") << "2147483647" << qint64(2147483647) << "";
    QTest::newRow("letters") << "abc" << qint64(0) << "--rounds: 'abc" + range;
    QTest::newRow("trailing text") << "12x" << qint64(0) << "--rounds: '12x" + range;
    QTest::newRow("decimal") << "1.5" << qint64(0) << "--rounds: '1.5" + range;
    QTest::newRow("empty") << "" << qint64(0) << "--rounds: '" + range;
    QTest::newRow("leading space") << " 3" << qint64(0) << "--rounds: ' 3" + range;
    QTest::newRow("above int") << "2147483648" << qint64(0) << "--rounds: '2147483648" + range;
}

void TestNumericOption::integers() {
    QFETCH(QString, text);
    QFETCH(qint64, value);
    QFETCH(QString, error);
    std::int64_t parsed = 0;
    QCOMPARE(errorOf([&] { parsed = fmc::parseIntegerOption("rounds", text.toStdString()); }), error);
    QCOMPARE(parsed, value);
}

void TestNumericOption::unsignedValues_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<quint64>("value");
    QTest::addColumn<bool>("ok");
    QTest::newRow("seed") << "2026" << quint64(2026) << true;
    QTest::newRow("largest") << "18446744073709551615" << quint64(18446744073709551615ull) << true;
    QTest::newRow("too large") << "18446744073709551616" << quint64(0) << false;
    QTest::newRow("minus one") << "-1" << quint64(0) << false;
    QTest::newRow("letters") << "abc" << quint64(0) << false;
}

void TestNumericOption::unsignedValues() {
    QFETCH(QString, text);
    QFETCH(quint64, value);
    QFETCH(bool, ok);
    std::uint64_t parsed = 0;
    const auto error = errorOf([&] { parsed = fmc::parseUnsignedOption("seed", text.toStdString()); });
    QCOMPARE(error.isEmpty(), ok);
    if (!ok) QVERIFY2(error.startsWith("--seed: '" + text + "' is not a whole number"), qPrintable(error));
    QCOMPARE(parsed, value);
}

void TestNumericOption::numbers_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("decimal") << "0.5" << 0.5 << "";
    QTest::newRow("exponent") << "1e-3" << 0.001 << "";
    QTest::newRow("letter") << "x" << 0.0 << "--alpha: 'x' is not a finite number";
    QTest::newRow("trailing text") << "0.5a" << 0.0 << "--alpha: '0.5a' is not a finite number";
    QTest::newRow("infinite") << "inf" << 0.0 << "--alpha: 'inf' is not a finite number";
    QTest::newRow("not a number") << "nan" << 0.0 << "--alpha: 'nan' is not a finite number";
    QTest::newRow("empty") << "" << 0.0 << "--alpha: '' is not a finite number";
}

void TestNumericOption::numbers() {
    QFETCH(QString, text);
    QFETCH(double, value);
    QFETCH(QString, error);
    double parsed = 0;
    QCOMPARE(errorOf([&] { parsed = fmc::parseNumberOption("alpha", text.toStdString()); }), error);
    QCOMPARE(parsed, value);
}

QTEST_APPLESS_MAIN(TestNumericOption)
#include "tst_numericoption.moc"
