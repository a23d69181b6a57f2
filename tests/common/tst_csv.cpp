// fmc::CsvReader, the one CSV reader of the simulator and the importer: byte-order mark,
// quoted commas, doubled quotes, line breaks inside quotes, CR LF, blank lines, the line each
// record starts on, and an unterminated quote as an error.
#include "common/csv.h"
#include "common/types.h"

#include <QtTest>

#include <sstream>

using Records = std::vector<std::vector<std::string>>;
Q_DECLARE_METATYPE(Records)
Q_DECLARE_METATYPE(std::vector<int>)

class TestCsv : public QObject {
    Q_OBJECT

private slots:
    void records_data();
    void records();
    void unterminatedQuoteIsAnError();
};

void TestCsv::records_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Records>("expected");
    QTest::addColumn<std::vector<int>>("lines");
    QTest::newRow("plain") << QByteArray("path,label\na.png,nevus\n")
                           << Records{{"path", "label"}, {"a.png", "nevus"}} << std::vector<int>{1, 2};
    QTest::newRow("byte-order mark") << QByteArray("\xEF\xBB\xBFpath,label\na.png,nevus\n")
                                     << Records{{"path", "label"}, {"a.png", "nevus"}} << std::vector<int>{1, 2};
    // U+FEC0 (EF BB 80) starts like the mark but is content.
    QTest::newRow("not a byte-order mark") << QByteArray("\xEF\xBB\x80,x")
                                           << Records{{"\xEF\xBB\x80", "x"}} << std::vector<int>{1};
    QTest::newRow("short input") << QByteArray("a") << Records{{"a"}} << std::vector<int>{1};
    QTest::newRow("quoted comma and quotes") << QByteArray("\"a, b.jpg\",\"say \"\"hi\"\"\"\n")
                                             << Records{{"a, b.jpg", "say \"hi\""}} << std::vector<int>{1};
    QTest::newRow("multi-line value") << QByteArray("path,note\nx.png,\"first\nsecond\"\ny.png,z\n")
                                      << Records{{"path", "note"}, {"x.png", "first\nsecond"}, {"y.png", "z"}}
                                      << std::vector<int>{1, 2, 4};
    QTest::newRow("CR LF and no final newline") << QByteArray("a,b\r\nc,d")
                                                << Records{{"a", "b"}, {"c", "d"}} << std::vector<int>{1, 2};
    QTest::newRow("blank line and empty fields") << QByteArray("a,b\n\n,\n")
                                                 << Records{{"a", "b"}, {""}, {"", ""}} << std::vector<int>{1, 2, 3};
    QTest::newRow("quote inside a field is text") << QByteArray("5\"2,x\n") << Records{{"5\"2", "x"}}
                                                  << std::vector<int>{1};
    QTest::newRow("empty") << QByteArray() << Records{} << std::vector<int>{};
}

void TestCsv::records() {
    QFETCH(QByteArray, text);
    QFETCH(Records, expected);
    QFETCH(std::vector<int>, lines);
    std::istringstream in(text.toStdString());
    fmc::CsvReader reader(in);
    Records got;
    std::vector<int> gotLines;
    std::vector<std::string> fields;
    while (reader.next(fields)) {
        got.push_back(fields);
        gotLines.push_back(reader.recordLine());
    }
    QCOMPARE(got, expected);
    QCOMPARE(gotLines, lines);
}

void TestCsv::unterminatedQuoteIsAnError() {
    std::istringstream in("a,b\nc,\"open\nd\n");
    fmc::CsvReader reader(in);
    std::vector<std::string> fields;
    QVERIFY(reader.next(fields));
    try {
        reader.next(fields);
        QFAIL("expected an error");
    } catch (const fmc::Error& error) {
        QCOMPARE(QString::fromUtf8(error.what()), QStringLiteral("unterminated quoted field"));
        QCOMPARE(reader.recordLine(), 2);
    }
}

QTEST_APPLESS_MAIN(TestCsv)
#include "tst_csv.moc"
