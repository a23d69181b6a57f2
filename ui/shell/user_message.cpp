#include "shell/user_message.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QMessageBox>
#include <QRegularExpression>

namespace fmc::ui {
namespace {

class UserMessages {
    Q_DECLARE_TR_FUNCTIONS(UserMessages)
};

constexpr QChar kSeparator(0xE000);  // private use: never in a real message

}  // namespace

QString packUserMessage(const QString& text, const QString& details) {
    return details.isEmpty() ? text : text + kSeparator + details;
}

UserMessage unpackUserMessage(const QString& message) {
    const int at = message.indexOf(kSeparator);
    if (at >= 0) return {message.left(at), message.mid(at + 1)};
    return plainWords(message);
}

QString withLocalTimes(const QString& text) {
    static const QRegularExpression iso(
        QStringLiteral(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)"));
    QString result;
    qsizetype last = 0;
    auto matches = iso.globalMatch(text);
    while (matches.hasNext()) {
        const auto match = matches.next();
        auto time = QDateTime::fromString(match.captured(), Qt::ISODateWithMs);
        if (!time.isValid()) time = QDateTime::fromString(match.captured(), Qt::ISODate);
        result += text.mid(last, match.capturedStart() - last);
        result += time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat) : match.captured();
        last = match.capturedEnd();
    }
    return result + text.mid(last);
}

UserMessage plainWords(const QString& raw) {
    const auto trimmed = raw.trimmed();
    static const QRegularExpression unreachable(QStringLiteral("cannot reach the coordinator at (\\S+)"));
    static const QRegularExpression answered(QStringLiteral("the coordinator answered (\\d{3})(?::\\s*(.*))?$"),
                                             QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression alreadyEnrolled(QStringLiteral("already enrolled as site \\S+ of federation ([^;\\s]+)"));
    static const QRegularExpression requestPrefix(QStringLiteral("^(?:GET|POST|PUT|DELETE) /\\S*:\\s*"));
    UserMessage message;
    message.details = trimmed;
    if (const auto m = unreachable.match(trimmed); m.hasMatch()) {
        message.text = UserMessages::tr("The coordinator at %1 does not answer. It may be down, or this computer may "
                                        "not reach it. Try again later, or ask your federation administrator.")
                           .arg(m.captured(1));
        return message;
    }
    if (const auto m = alreadyEnrolled.match(trimmed); m.hasMatch()) {
        message.text = UserMessages::tr("This workspace already takes part in federation %1. Open another workspace to "
                                        "join a second one.")
                           .arg(m.captured(1));
        return message;
    }
    if (const auto m = answered.match(trimmed); m.hasMatch()) {
        const int status = m.captured(1).toInt();
        const bool enrollment = trimmed.contains(QStringLiteral("/enroll")) || trimmed.contains(QStringLiteral("enrollment code"));
        if (enrollment && (status == 403 || status == 401 || status == 404 || status == 410))
            message.text = UserMessages::tr("The coordinator refused this enrollment code. It may be mistyped, already "
                                            "used or expired; ask your federation administrator for a new one.");
        else if (status == 401)
            message.text = UserMessages::tr("The coordinator no longer recognises this site. Ask your federation "
                                            "administrator for a new enrollment code and join again.");
        else if (status == 403)
            message.text = UserMessages::tr("The coordinator refused this request from this site.");
        else if (status == 404)
            message.text = UserMessages::tr("The coordinator does not know this federation (it may have been removed).");
        else if (status == 409)
            message.text = UserMessages::tr("The coordinator refused the request because it conflicts with the "
                                            "federation's current state.");
        else if (status >= 500)
            message.text = UserMessages::tr("The coordinator had a problem answering. Try again later.");
        else
            message.text = UserMessages::tr("The coordinator refused the request.");
        return message;
    }
    auto text = trimmed;
    text.remove(requestPrefix);
    text = withLocalTimes(text);
    message.text = text;
    if (message.text == trimmed) message.details.clear();  // nothing was left out
    return message;
}

void showUserMessage(QWidget* parent, const QString& title, const UserMessage& message) {
    QMessageBox box(QMessageBox::Warning, title, message.text, QMessageBox::Ok, parent);
    if (!message.details.isEmpty()) box.setDetailedText(message.details);
    box.exec();
}

}  // namespace fmc::ui
