#pragma once
// Exports of the History page: the rounds as CSV (raw values, one header row, '.' decimals
// whatever the locale, empty cells where there is no value) and a widget (a chart) as PNG.
#include <QString>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace fmc::ui {

class HistoryModel;

// Throws fmc::Error naming the path when it cannot be written.
void writeHistoryCsv(const HistoryModel& model, const QString& path);
QString historyCsv(const HistoryModel& model);
void saveWidgetPng(QWidget* widget, const QString& path);

}  // namespace fmc::ui
