#include "models/history_export.h"

#include "common/types.h"
#include "models/history_model.h"

#include <QPixmap>
#include <QSaveFile>
#include <QWidget>

#include <cmath>

namespace fmc::ui {
namespace {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    auto quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace

QString historyCsv(const HistoryModel& model) {
    QStringList header;
    for (int column = 0; column < model.columnCount(); ++column)
        header << csvField(HistoryModel::csvHeader(column, model.classNames()));
    QString csv = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int row = 0; row < model.rowCount(); ++row) {
        QStringList fields;
        for (int column = 0; column < model.columnCount(); ++column) {
            const double value = model.value(row, column);
            fields << (std::isnan(value) ? QString() : QString::number(value, 'g', 10));
        }
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}

void writeHistoryCsv(const HistoryModel& model, const QString& path) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(historyCsv(model).toUtf8()) < 0 ||
        !file.commit())
        throw Error(path.toStdString() + ": cannot be written (" + file.errorString().toStdString() + ")");
}

void saveWidgetPng(QWidget* widget, const QString& path) {
    if (!widget->grab().save(path, "PNG")) throw Error(path.toStdString() + ": cannot be written as PNG");
}

}  // namespace fmc::ui
