// plainWords / packUserMessage: protocol details and raw UTC timestamps never reach the
// person; they stay available as the details.
#include "shell/user_message.h"

#include <QDateTime>
#include <QLocale>
#include <QTest>

using namespace fmc::ui;

class TestUserMessage : public QObject {
    Q_OBJECT
private slots:
    void rawErrorsInPlainWords_data();
    void rawErrorsInPlainWords();
    void timestampsInLocalTime();
    void packedMessagesComeApartAgain();
};

void TestUserMessage::rawErrorsInPlainWords_data() {
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("plain");
    QTest::newRow("refused code") << "POST /enroll: the coordinator answered 403: code: unknown enrollment code"
                                  << "The coordinator refused this enrollment code. It may be mistyped, already used or "
                                     "expired; ask your federation administrator for a new one.";
    QTest::newRow("down") << "cannot reach the coordinator at https://c.test:8443 (GET /federations/f/rounds/current) "
                             "after 2 attempts: Connection refused"
                          << "The coordinator at https://c.test:8443 does not answer. It may be down, or this computer may "
                             "not reach it. Try again later, or ask your federation administrator.";
    QTest::newRow("credential") << "GET /federations/f/task: the coordinator answered 401: unknown token"
                                << "The coordinator no longer recognises this site. Ask your federation administrator for "
                                   "a new enrollment code and join again.";
    QTest::newRow("second federation")
        << "/ws/federation/identity.json: this workspace is already enrolled as site site_7 of federation fed_9; use "
           "another workspace to join another federation"
        << "This workspace already takes part in federation fed_9. Open another workspace to join a second one.";
    QTest::newRow("prefix only") << "GET /x: the answer was not JSON" << "the answer was not JSON";
}

void TestUserMessage::rawErrorsInPlainWords() {
    QFETCH(QString, raw);
    QFETCH(QString, plain);
    const auto message = plainWords(raw);
    QCOMPARE(message.text, plain);
    QCOMPARE(message.details, raw);
}

void TestUserMessage::timestampsInLocalTime() {
    const auto raw = QStringLiteral("round 3 closes at 2026-12-01T20:10:00.515Z");
    const auto local = QDateTime(QDate(2026, 12, 1), QTime(20, 10, 0, 515), Qt::UTC).toLocalTime();
    const auto message = plainWords(raw);
    QCOMPARE(message.text, QStringLiteral("round 3 closes at %1").arg(QLocale().toString(local, QLocale::ShortFormat)));
    QCOMPARE(message.details, raw);
    // A message in plain words already has nothing more to show.
    QCOMPARE(plainWords(QStringLiteral("The file is empty.")).details, QString());
}

void TestUserMessage::packedMessagesComeApartAgain() {
    const auto packed = packUserMessage(QStringLiteral("It failed."), QStringLiteral("POST /x: 500"));
    const auto message = unpackUserMessage(packed);
    QCOMPARE(message.text, QStringLiteral("It failed."));
    QCOMPARE(message.details, QStringLiteral("POST /x: 500"));
    QCOMPARE(packUserMessage(QStringLiteral("Only words."), {}), QStringLiteral("Only words."));
}

QTEST_MAIN(TestUserMessage)
#include "tst_usermessage.moc"
