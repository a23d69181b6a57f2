#include "workspace/run_description.h"

#include "models/image_table_model.h"
#include "workspace/workspace_types.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>

namespace fmc::ui {
namespace {

constexpr const char* kContext = "RunDescription";
const char* const kLocal = QT_TRANSLATE_NOOP("RunDescription", "local training, %1 training and %2 evaluation images");
const char* const kDemo = QT_TRANSLATE_NOOP("RunDescription", "demo federation on this computer, %1 sites");
const char* const kFederation = QT_TRANSLATE_NOOP("RunDescription", "federation \"%1\" at %2");
const char* const kStore = QT_TRANSLATE_NOOP("RunDescription", "%1 training images, evaluated on %2 %3 images");

QString translate(const char* source) { return QCoreApplication::translate(kContext, source); }

// The English form as a pattern: each %N becomes a capture.
QRegularExpression patternOf(const char* source) {
    QStringList pieces;
    for (const auto& piece : QString::fromUtf8(source).split(QRegularExpression(QStringLiteral(R"(%\d)"))))
        pieces << QRegularExpression::escape(piece);
    return QRegularExpression(QLatin1Char('^') + pieces.join(QStringLiteral("(.+?)")) + QLatin1Char('$'));
}

QString translatedStatus(const QString& status) {
    if (status == QLatin1String("cancelled")) return QCoreApplication::translate("RunDescription", "cancelled");
    if (status == QLatin1String("failed")) return QCoreApplication::translate("RunDescription", "failed");
    return status;
}

}  // namespace

QString localRunDescription(int trainImages, int evaluationImages) {
    return QString::fromUtf8(kLocal).arg(trainImages).arg(evaluationImages);
}
QString demoFederationRunDescription(int sites) { return QString::fromUtf8(kDemo).arg(sites); }
QString federationRunDescription(const QString& federationName, const QString& coordinator) {
    return QString::fromUtf8(kFederation).arg(federationName, coordinator);
}

QString translatedRunDescription(const QString& stored) {
    // A store run's status comes after the description: "… (cancelled)".
    static const QRegularExpression statusSuffix(QStringLiteral(R"(^(.*) \((cancelled|failed)\)$)"));
    if (const auto m = statusSuffix.match(stored); m.hasMatch())
        return QStringLiteral("%1 (%2)").arg(translatedRunDescription(m.captured(1)), translatedStatus(m.captured(2)));
    for (const char* source : {kLocal, kDemo, kFederation, kStore}) {
        const auto match = patternOf(source).match(stored);
        if (!match.hasMatch()) continue;
        auto text = translate(source);
        QStringList values;
        for (int i = 1; i <= match.lastCapturedIndex(); ++i) values << match.captured(i);
        if (source == kStore && values.size() == 3) values[2] = ImageTableModel::splitDisplayName(values[2]);
        for (const auto& value : values) text = text.arg(value);
        return text;
    }
    return stored;
}

QString runDisplayName(const TrainingRun& run) {
    const auto kind = run.kind == kRunFederated ? QCoreApplication::translate("RunDescription", "Federated")
                                                : QCoreApplication::translate("RunDescription", "Local");
    return QCoreApplication::translate("RunDescription", "%1 · %2 · %3")
        .arg(kind, QLocale().toString(run.startedAt, QLocale::ShortFormat), translatedRunDescription(run.description));
}

}  // namespace fmc::ui
