// Tests for fmc::Sha256 against the FIPS 180-4 / NIST example vectors, plus streaming,
// padding boundaries (checked against QCryptographicHash) and file hashing.
#include "common/sha256.h"
#include "common/types.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

class TestSha256 : public QObject {
    Q_OBJECT

private slots:
    void fipsVectors_data();
    void fipsVectors();
    void millionA();
    void streamingMatchesOneShot();
    void paddingBoundaries();
    void fileHash();
    void missingFileNamesPath();
    void finishedHasherThrows();
};

void TestSha256::fipsVectors_data() {
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448-bit") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                             << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("896-bit") << QByteArray(
                                    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                                    "klmnopqrlmnopqrsmnopqrstnopqrstu")
                             << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
}

void TestSha256::fipsVectors() {
    QFETCH(QByteArray, message);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(fmc::sha256Hex(message.constData(), static_cast<size_t>(message.size()))),
             expected);
    QCOMPARE(QString::fromStdString(fmc::sha256Hex(message.toStdString())), expected);
}

void TestSha256::millionA() {
    // FIPS long message: one million 'a', fed in 1000 uneven chunks.
    const std::string chunk(1000, 'a');
    fmc::Sha256 h;
    for (int i = 0; i < 1000; ++i) h.update(chunk.data(), chunk.size());
    QCOMPARE(QString::fromStdString(h.hexDigest()),
             QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

void TestSha256::streamingMatchesOneShot() {
    std::mt19937 rng(7);
    std::vector<unsigned char> data(100003);
    for (auto& b : data) b = static_cast<unsigned char>(rng());
    const std::string oneShot = fmc::sha256Hex(data.data(), data.size());

    for (size_t step : {size_t(1), size_t(3), size_t(63), size_t(64), size_t(65), size_t(4097)}) {
        fmc::Sha256 h;
        for (size_t pos = 0; pos < data.size(); pos += step) h.update(data.data() + pos, std::min(step, data.size() - pos));
        QCOMPARE(h.hexDigest(), oneShot);
    }
    const QByteArray qt = QCryptographicHash::hash(
        QByteArray(reinterpret_cast<const char*>(data.data()), static_cast<int>(data.size())), QCryptographicHash::Sha256);
    QCOMPARE(QString::fromStdString(oneShot), QString::fromLatin1(qt.toHex()));

    fmc::Sha256 reused;
    reused.update("abc", 3);
    (void)reused.digest();
    reused.reset();
    reused.update("abc", 3);
    QCOMPARE(QString::fromStdString(reused.hexDigest()),
             QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

void TestSha256::paddingBoundaries() {
    // Lengths around the 55/56/64-byte padding edges.
    for (int len = 0; len <= 200; ++len) {
        QByteArray msg(len, '\0');
        for (int i = 0; i < len; ++i) msg[i] = static_cast<char>((i * 31 + len) & 0xff);
        const QByteArray qt = QCryptographicHash::hash(msg, QCryptographicHash::Sha256).toHex();
        QCOMPARE(QString::fromStdString(fmc::sha256Hex(msg.constData(), static_cast<size_t>(len))),
                 QString::fromLatin1(qt));
    }
}

void TestSha256::fileHash() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("blob.bin");
    QByteArray content;
    for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) content.append(static_cast<char>((i * 7) & 0xff));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(content), content.size());
    }
    const QByteArray qt = QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex();
    QCOMPARE(QString::fromStdString(fmc::sha256FileHex(path.toStdString())), QString::fromLatin1(qt));

    const QString empty = dir.filePath("empty.bin");
    {
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QCOMPARE(QString::fromStdString(fmc::sha256FileHex(empty.toStdString())),
             QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void TestSha256::missingFileNamesPath() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("does-not-exist.bin").toStdString();
    try {
        fmc::sha256FileHex(path);
        QFAIL("expected fmc::Error");
    } catch (const fmc::Error& e) {
        QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
    }
}

void TestSha256::finishedHasherThrows() {
    fmc::Sha256 h;
    h.update("x", 1);
    (void)h.digest();
    QVERIFY_THROWS_EXCEPTION(fmc::Error, h.update("y", 1));
}

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
