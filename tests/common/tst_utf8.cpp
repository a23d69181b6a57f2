// fmc::isValidUtf8 / decodeUtf8 on the Unicode cases (Table 3-7's boundaries, overlong forms,
// surrogates, code points above U+10FFFF, F5..FF leads) with the code points Python's
// bytes.decode("utf-8", errors="replace") gives; validity also against utfcpp (Debian's
// libutfcpp-dev), an independent implementation, on the cases and on random byte strings.
#include "common/utf8.h"

#include <utf8cpp/utf8.h>

#include <QtTest>

#include <random>

Q_DECLARE_METATYPE(std::u32string)

class TestUtf8 : public QObject {
    Q_OBJECT

private slots:
    void unicodeCases_data();
    void unicodeCases();
    void randomBytesAgreeWithUtfcpp();
    void encodeRoundTrips();
};

void TestUtf8::unicodeCases_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<std::u32string>("decoded");
    const char32_t r = 0xFFFD;
    QTest::newRow("ascii") << QByteArray("abc") << std::u32string{U'a', U'b', U'c'};
    QTest::newRow("U+0080") << QByteArray("\xC2\x80") << std::u32string{0x80};
    QTest::newRow("U+07FF") << QByteArray("\xDF\xBF") << std::u32string{0x7FF};
    QTest::newRow("U+0800") << QByteArray("\xE0\xA0\x80") << std::u32string{0x800};
    QTest::newRow("U+D7FF") << QByteArray("\xED\x9F\xBF") << std::u32string{0xD7FF};
    QTest::newRow("U+E000") << QByteArray("\xEE\x80\x80") << std::u32string{0xE000};
    QTest::newRow("U+FFFF") << QByteArray("\xEF\xBF\xBF") << std::u32string{0xFFFF};
    QTest::newRow("U+10000") << QByteArray("\xF0\x90\x80\x80") << std::u32string{0x10000};
    QTest::newRow("U+10FFFF") << QByteArray("\xF4\x8F\xBF\xBF") << std::u32string{0x10FFFF};
    QTest::newRow("overlong NUL") << QByteArray("\xC0\x80") << std::u32string{r, r};
    QTest::newRow("overlong 3-byte NUL") << QByteArray("\xE0\x80\x80") << std::u32string{r, r, r};
    QTest::newRow("overlong 4-byte NUL") << QByteArray("\xF0\x80\x80\x80") << std::u32string{r, r, r, r};
    QTest::newRow("overlong slash") << QByteArray("\xC1\xAF") << std::u32string{r, r};
    QTest::newRow("high surrogate") << QByteArray("\xED\xA0\x80") << std::u32string{r, r, r};
    QTest::newRow("low surrogate") << QByteArray("\xED\xBF\xBF") << std::u32string{r, r, r};
    QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << std::u32string{r, r, r, r};
    QTest::newRow("F5 lead") << QByteArray("\xF5\x80\x80\x80") << std::u32string{r, r, r, r};
    QTest::newRow("F7 lead") << QByteArray("\xF7\xBF\xBF\xBF") << std::u32string{r, r, r, r};
    QTest::newRow("FE") << QByteArray("\xFE") << std::u32string{r};
    QTest::newRow("FF") << QByteArray("\xFF") << std::u32string{r};
    QTest::newRow("lone continuation") << QByteArray("\x80") << std::u32string{r};
    QTest::newRow("truncated 3-byte") << QByteArray("\xE2\x82") << std::u32string{r};
    QTest::newRow("truncated at end") << QByteArray("a\xF0\x9F\x98") << std::u32string{U'a', r};
    // Unicode's "maximal subpart" example (Table 3-8's practice): one U+FFFD per subpart.
    QTest::newRow("maximal subparts") << QByteArray("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64")
                                      << std::u32string{U'a', r, r, r, U'b', r, U'c', r, r, U'd'};
}

void TestUtf8::unicodeCases() {
    QFETCH(QByteArray, bytes);
    QFETCH(std::u32string, decoded);
    const std::string text = bytes.toStdString();
    bool valid = false;
    QVERIFY(fmc::decodeUtf8(text, &valid) == decoded);
    const bool expectedValid = decoded.find(char32_t(0xFFFD)) == std::u32string::npos;
    QCOMPARE(valid, expectedValid);
    QCOMPARE(fmc::isValidUtf8(text), expectedValid);
    QCOMPARE(fmc::isValidUtf8(text), utf8::is_valid(text.begin(), text.end()));
}

void TestUtf8::randomBytesAgreeWithUtfcpp() {
    // Short strings biased to the lead and continuation bytes where the rules differ.
    std::mt19937 rng(13);
    const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                         0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xF7, 0xFF};
    std::uniform_int_distribution<int> pick(0, static_cast<int>(sizeof interesting) - 1), length(1, 6);
    int valid = 0;
    for (int n = 0; n < 200000; ++n) {
        std::string text(static_cast<size_t>(length(rng)), '\0');
        for (auto& c : text) c = static_cast<char>(interesting[pick(rng)]);
        const bool ours = fmc::isValidUtf8(text);
        if (ours != utf8::is_valid(text.begin(), text.end()))
            QFAIL(qPrintable(QStringLiteral("disagree on %1").arg(QString::fromLatin1(QByteArray::fromStdString(text).toHex(' ')))));
        valid += ours;
    }
    QVERIFY(valid > 1000);  // both kinds were tried
}

void TestUtf8::encodeRoundTrips() {
    const std::u32string points{0x24, 0xA2, 0x20AC, 0xD55C, 0x10348, 0x10FFFF};
    const std::string encoded = fmc::encodeUtf8(points);
    QCOMPARE(QByteArray::fromStdString(encoded), QByteArray("\x24\xC2\xA2\xE2\x82\xAC\xED\x95\x9C\xF0\x90\x8D\x88\xF4\x8F\xBF\xBF"));
    QVERIFY(fmc::decodeUtf8(encoded) == points);
}

QTEST_APPLESS_MAIN(TestUtf8)
#include "tst_utf8.moc"
