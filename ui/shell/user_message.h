#pragma once
// Messages for people: plain words first, the technical details (the protocol exchange, the
// raw error, UTC timestamps) apart, for the log and a "Details" button. Workers report
// failures as one string (TaskRunner::failed), so the two parts travel packed in it.
#include <QString>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace fmc::ui {

struct UserMessage {
    QString text;     // plain words, local times
    QString details;  // for the log and the Details button; "" when there is nothing more
};

// Packs both parts into one string (unpackUserMessage() takes them apart again).
QString packUserMessage(const QString& text, const QString& details);
// A packed message, or a raw one in plain words (plainWords()).
UserMessage unpackUserMessage(const QString& message);

// A raw error in plain words: the coordinator not answering, refusing a code, not knowing
// the site, a second federation; "GET /path: " style prefixes and HTTP codes left out;
// ISO 8601 UTC timestamps in local time. The raw text becomes the details.
UserMessage plainWords(const QString& raw);
// ISO 8601 timestamps (e.g. 2026-12-01T20:10:00.515Z) in the text, in local time.
QString withLocalTimes(const QString& text);

// A warning box with the plain text and a "Show Details…" button for the details.
void showUserMessage(QWidget* parent, const QString& title, const UserMessage& message);

}  // namespace fmc::ui
