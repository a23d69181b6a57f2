// Tests for fmc::ClipTokenizer against reference vectors made with OpenAI's
// clip/simple_tokenizer.py and clip.tokenize(truncate=True) (../shared/data/clip-tokenizer).
#include "common/types.h"
#include "text/clip_tokenizer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <zlib.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using fmc::ClipTokenizer;

namespace {

const QString kDataDir = QStringLiteral(FMC_SHARED_DATA_DIR "/clip-tokenizer");

QString vocabPath() { return kDataDir + QStringLiteral("/bpe_simple_vocab_16e6.txt.gz"); }
QString vectorsPath() { return kDataDir + QStringLiteral("/clip_tokenizer_vectors.json"); }
bool dataPresent() { return QFile::exists(vocabPath()) && QFile::exists(vectorsPath()); }

QString skipMessage() {
    return QStringLiteral("shared CLIP tokenizer data not found in %1 (needs bpe_simple_vocab_16e6.txt.gz and "
                          "clip_tokenizer_vectors.json)")
        .arg(kDataDir);
}

template <typename T>
std::vector<T> toVector(const nlohmann::json& array) {
    std::vector<T> out;
    for (const auto& v : array) out.push_back(v.get<T>());
    return out;
}

template <typename T>
QString describe(const std::vector<T>& v) {
    QStringList parts;
    for (const auto x : v) parts << QString::number(x);
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

bool writeFile(const QString& path, const std::string& bytes) {
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

bool writeGzip(const QString& path, const std::string& bytes) {
    gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
    if (!f) return false;
    const int written = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    return gzclose(f) == Z_OK && written == static_cast<int>(bytes.size());
}

// Expects fn() to throw fmc::Error whose message contains `needle`.
template <typename Fn>
void expectError(Fn fn, const std::string& needle) {
    try {
        fn();
    } catch (const fmc::Error& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(needle) != std::string::npos,
                 qPrintable(QStringLiteral("message '%1' does not name '%2'")
                                .arg(QString::fromStdString(what), QString::fromStdString(needle))));
        return;
    }
    QFAIL(qPrintable(QStringLiteral("no fmc::Error thrown (expected one naming '%1')")
                         .arg(QString::fromStdString(needle))));
}

}  // namespace

Q_DECLARE_METATYPE(std::vector<std::int32_t>)
Q_DECLARE_METATYPE(std::vector<std::int64_t>)

class TestClipTokenizer : public QObject {
    Q_OBJECT

private:
    std::optional<ClipTokenizer> tokenizer_;

    // The tokenizer loaded once from the shared vocabulary; nullptr when the data is absent.
    const ClipTokenizer* tokenizer() {
        if (!tokenizer_ && dataPresent()) tokenizer_ = ClipTokenizer::fromVocabularyFile(vocabPath().toStdString());
        return tokenizer_ ? &*tokenizer_ : nullptr;
    }

private slots:
    void vocabularyShape() {
        if (!dataPresent()) QSKIP(qPrintable(skipMessage()));
        const auto* tok = tokenizer();
        QCOMPARE(tok->vocabularySize(), std::size_t(49408));
        QCOMPARE(tok->startToken(), 49406);
        QCOMPARE(tok->endToken(), 49407);

        std::ifstream in(vectorsPath().toStdString());
        const auto json = nlohmann::json::parse(in);
        QCOMPARE(tok->startToken(), json.at("sot").get<int>());
        QCOMPARE(tok->endToken(), json.at("eot").get<int>());
    }

    void referenceVectors_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<std::vector<std::int32_t>>("bpeIds");
        QTest::addColumn<std::vector<std::int64_t>>("context77");
        if (!dataPresent()) {
            QTest::newRow("no-data") << QByteArray() << std::vector<std::int32_t>() << std::vector<std::int64_t>();
            return;
        }
        std::ifstream in(vectorsPath().toStdString());
        const auto json = nlohmann::json::parse(in);
        int index = 0;
        for (const auto& v : json.at("vectors")) {
            const auto text = v.at("text").get<std::string>();
            const QByteArray name = QByteArray::number(index++) + ": " + QByteArray::fromStdString(text).left(40);
            QTest::newRow(name.constData()) << QByteArray::fromStdString(text)
                                            << toVector<std::int32_t>(v.at("bpe_ids"))
                                            << toVector<std::int64_t>(v.at("context_77"));
        }
        QCOMPARE(index, 26);
    }

    void referenceVectors() {
        if (!dataPresent()) QSKIP(qPrintable(skipMessage()));
        QFETCH(QByteArray, text);
        QFETCH(std::vector<std::int32_t>, bpeIds);
        QFETCH(std::vector<std::int64_t>, context77);
        const auto* tok = tokenizer();
        const auto ids = tok->encode(text.toStdString());
        QVERIFY2(ids == bpeIds, qPrintable(QStringLiteral("encode: got %1, expected %2")
                                               .arg(describe(ids), describe(bpeIds))));
        const auto ctx = tok->tokenize(text.toStdString());
        QCOMPARE(ctx.size(), std::size_t(77));
        QVERIFY2(ctx == context77, qPrintable(QStringLiteral("tokenize: got %1, expected %2")
                                                  .arg(describe(ctx), describe(context77))));
    }

    // Expected ids from the Python reference (simple_tokenizer.py with NFC for ftfy).
    void pipelineDetails_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<std::vector<std::int32_t>>("bpeIds");
        if (!dataPresent()) {
            QTest::newRow("no-data") << QByteArray() << std::vector<std::int32_t>();
            return;
        }
        // NFD input is composed like the NFC input.
        QTest::newRow("nfd") << QByteArray("cafe\xcc\x81") << std::vector<std::int32_t>{15304};
        QTest::newRow("nfc") << QByteArray("caf\xc3\xa9") << std::vector<std::int32_t>{15304};
        // Named, numeric and double-escaped entities.
        QTest::newRow("eacute") << QByteArray("caf&eacute;") << std::vector<std::int32_t>{15304};
        QTest::newRow("decimal") << QByteArray("caf&#233;") << std::vector<std::int32_t>{15304};
        QTest::newRow("hex") << QByteArray("caf&#xE9;") << std::vector<std::int32_t>{15304};
        QTest::newRow("double") << QByteArray("&amp;lt;b&amp;gt;") << std::vector<std::int32_t>{283, 321, 285};
        QTest::newRow("legacy-prefix") << QByteArray("&ampx &nbsp;5 mg") << std::vector<std::int32_t>{261, 343, 276, 8014};
        // Special tokens in the text.
        QTest::newRow("special") << QByteArray("<|startoftext|>hi<|endoftext|>")
                                 << std::vector<std::int32_t>{49406, 1883, 49407};
        // str.lower(): Greek final sigma and U+0130.
        QTest::newRow("sigma") << QByteArray("\xce\x9f\xce\xa3\xce\xa4\xce\x95\xce\x9f\xce\xa3")
                               << std::vector<std::int32_t>{138, 123, 139, 225, 139, 226, 138, 113, 138, 123, 139, 480};
        QTest::newRow("dotted-I") << QByteArray("\xc4\xb0stanbul") << std::vector<std::int32_t>{328, 16384, 11231};
        // Contractions (ASCII apostrophe only; U+017F matches 's' under IGNORECASE).
        QTest::newRow("contractions") << QByteArray("it\xe2\x80\x99s it's it'\xc5\xbf")
                                      << std::vector<std::int32_t>{585, 728, 503, 338, 585, 568, 585, 6, 129, 379};
        // A symbol run swallows the '<' of a special token.
        QTest::newRow("symbol-run") << QByteArray("x!<|endoftext|>")
                                    << std::vector<std::int32_t>{343, 0, 27, 347, 40786, 4160, 91, 285};
        // Python's replacements for invalid numeric references.
        QTest::newRow("bad-charrefs") << QByteArray("&#0;&#128;&#x110000;&#1;&#65")
                                      << std::vector<std::int32_t>{47356, 34919, 39802, 320};
        // Hangul jamo compose to syllables.
        QTest::newRow("hangul") << QByteArray("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8 \xea\xb0\x80\xe1\x86\xa8")
                                << std::vector<std::int32_t>{21122, 479, 21122, 479};
        // Unicode white space and digits.
        QTest::newRow("nbsp") << QByteArray("5\xc2\xa0mg\xe2\x80\x83x") << std::vector<std::int32_t>{276, 8014, 343};
    }

    void pipelineDetails() {
        if (!dataPresent()) QSKIP(qPrintable(skipMessage()));
        QFETCH(QByteArray, text);
        QFETCH(std::vector<std::int32_t>, bpeIds);
        const auto ids = tokenizer()->encode(text.toStdString());
        QVERIFY2(ids == bpeIds, qPrintable(QStringLiteral("encode: got %1, expected %2")
                                               .arg(describe(ids), describe(bpeIds))));
    }

    void invalidUtf8BecomesReplacementCharacter() {
        if (!dataPresent()) QSKIP(qPrintable(skipMessage()));
        const auto* tok = tokenizer();
        const std::string fffd = "\xef\xbf\xbd";
        struct Case {
            std::string bad, same;
        };
        const std::vector<Case> cases = {
            {"\xff", fffd},
            {"ab\xc3", "ab" + fffd},                           // truncated sequence
            {"\xc0\xaf x", fffd + fffd + " x"},                // overlong
            {"\xed\xa0\x80z", fffd + fffd + fffd + "z"},       // surrogate
            {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},  // > U+10FFFF
            {"\xe2\x82 euro", fffd + " euro"},                 // maximal subpart of U+20AC
            {"\x80\x80\x80", fffd + fffd + fffd},
        };
        for (const auto& c : cases) {
            std::vector<std::int32_t> ids;
            try {
                ids = tok->encode(c.bad);
            } catch (const std::exception& e) {
                QFAIL(e.what());
            }
            QVERIFY(!ids.empty());
            QCOMPARE(ids, tok->encode(c.same));
            QCOMPARE(tok->tokenize(c.bad), tok->tokenize(c.same));
        }
    }

    void contextLengthTruncation() {
        if (!dataPresent()) QSKIP(qPrintable(skipMessage()));
        const auto* tok = tokenizer();
        const std::string text = "a photo of a melanocytic nevus with irregular borders";
        const auto ids = tok->encode(text);
        QVERIFY(ids.size() > 6);

        // Exactly fitting: no truncation, no padding.
        const int fit = static_cast<int>(ids.size()) + 2;
        auto full = tok->tokenize(text, fit);
        QCOMPARE(full.size(), std::size_t(fit));
        QCOMPARE(full.front(), std::int64_t(49406));
        QCOMPARE(full.back(), std::int64_t(49407));
        for (std::size_t i = 0; i < ids.size(); ++i) QCOMPARE(full[i + 1], std::int64_t(ids[i]));

        // One short: the last id gives way to eot.
        auto cut = tok->tokenize(text, fit - 1);
        QCOMPARE(cut.size(), std::size_t(fit - 1));
        QCOMPARE(cut.back(), std::int64_t(49407));
        for (std::size_t i = 0; i + 2 < cut.size(); ++i) QCOMPARE(cut[i + 1], std::int64_t(ids[i]));

        auto five = tok->tokenize(text, 5);
        QCOMPARE(five, (std::vector<std::int64_t>{49406, ids[0], ids[1], ids[2], 49407}));
        QCOMPARE(tok->tokenize(text, 2), (std::vector<std::int64_t>{49406, 49407}));
        QCOMPARE(tok->tokenize(text, 1), (std::vector<std::int64_t>{49407}));

        // Longer context: zero padding.
        auto padded = tok->tokenize(text, 100);
        QCOMPARE(padded.size(), std::size_t(100));
        QCOMPARE(padded[ids.size() + 1], std::int64_t(49407));
        for (std::size_t i = ids.size() + 2; i < padded.size(); ++i) QCOMPARE(padded[i], std::int64_t(0));

        // A long text against the default 77.
        std::string longText;
        for (int i = 0; i < 200; ++i) longText += "skin ";
        const auto longIds = tok->encode(longText);
        QCOMPARE(longIds.size(), std::size_t(200));
        const auto ctx = tok->tokenize(longText);
        QCOMPARE(ctx.size(), std::size_t(77));
        QCOMPARE(ctx.front(), std::int64_t(49406));
        QCOMPARE(ctx.back(), std::int64_t(49407));
        for (std::size_t i = 1; i < 76; ++i) QCOMPARE(ctx[i], std::int64_t(longIds[i - 1]));

        expectError([&] { tok->tokenize(text, 0); }, "contextLength");
    }

    void missingVocabularyFileThrows() {
        const std::string path = "/nonexistent-fmc-dir/bpe_simple_vocab_16e6.txt.gz";
        expectError([&] { ClipTokenizer::fromVocabularyFile(path); }, path);
    }

    void corruptVocabularyFileThrows() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // A gzip header followed by garbage.
        const QString garbage = dir.filePath(QStringLiteral("garbage.txt.gz"));
        QVERIFY(writeFile(garbage, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                                       std::string(200, '\x7f')));
        expectError([&] { ClipTokenizer::fromVocabularyFile(garbage.toStdString()); }, garbage.toStdString());

        // Valid gzip, but far too few merges.
        const QString shortFile = dir.filePath(QStringLiteral("short.txt.gz"));
        QVERIFY(writeGzip(shortFile, "#version: 0.2\ni n\nt h\n"));
        expectError([&] { ClipTokenizer::fromVocabularyFile(shortFile.toStdString()); }, shortFile.toStdString());

        // Valid gzip with a malformed merge line.
        const QString badLine = dir.filePath(QStringLiteral("badline.txt.gz"));
        QVERIFY(writeGzip(badLine, "#version: 0.2\ni n\nthree parts here\n"));
        expectError([&] { ClipTokenizer::fromVocabularyFile(badLine.toStdString()); }, badLine.toStdString());

        // The real vocabulary cut in half (truncated gzip stream).
        if (dataPresent()) {
            QFile real(vocabPath());
            QVERIFY(real.open(QIODevice::ReadOnly));
            const QByteArray bytes = real.readAll();
            const QString truncated = dir.filePath(QStringLiteral("truncated.txt.gz"));
            QVERIFY(writeFile(truncated, bytes.left(bytes.size() / 2).toStdString()));
            expectError([&] { ClipTokenizer::fromVocabularyFile(truncated.toStdString()); },
                        truncated.toStdString());
        }

        // A directory is not a vocabulary file.
        expectError([&] { ClipTokenizer::fromVocabularyFile(dir.path().toStdString()); }, dir.path().toStdString());
    }
};

QTEST_GUILESS_MAIN(TestClipTokenizer)
#include "tst_cliptokenizer.moc"
