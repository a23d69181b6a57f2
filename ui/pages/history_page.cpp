#include "pages/history_page.h"

#include "widgets/history_chart_binder.h"
#include "models/history_export.h"
#include "models/history_model.h"
#include "workspace/workspace_service.h"
#include "widgets/chart_legend.h"
#include "workspace/run_description.h"
#include "workspace/run_journal.h"

#include <QChart>
#include <cmath>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QToolTip>
#include <QVBoxLayout>

namespace fmc::ui {

HistoryPage::HistoryPage(QWidget* parent) : QWidget(parent), model_(new HistoryModel(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* header = new QHBoxLayout;
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("pageTitle"));
    runChoice_ = new QComboBox(this);
    runChoice_->setObjectName(QStringLiteral("runChoice"));
    runChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* pngButton = new QPushButton(this);
    pngButton->setObjectName(QStringLiteral("exportPngButton"));
    auto* csvButton = new QPushButton(this);
    csvButton->setObjectName(QStringLiteral("exportCsvButton"));
    header->addWidget(title_);
    header->addWidget(runChoice_, 1);
    header->addWidget(pngButton);
    header->addWidget(csvButton);
    layout->addLayout(header);
    interruptions_ = new QLabel(this);
    interruptions_->setObjectName(QStringLiteral("runInterruptions"));
    interruptions_->setWordWrap(true);
    interruptions_->hide();
    layout->addWidget(interruptions_);
    hover_ = new QLabel(this);
    hover_->setObjectName(QStringLiteral("hint"));
    layout->addWidget(hover_);
    empty_ = new QLabel(this);
    empty_->setObjectName(QStringLiteral("hint"));
    empty_->setAlignment(Qt::AlignCenter);
    empty_->setWordWrap(true);
    layout->addWidget(empty_);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    chartArea_ = new QWidget(splitter);
    chartArea_->setObjectName(QStringLiteral("historyCharts"));
    auto* grid = new QGridLayout(chartArea_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    using Curve = HistoryChartBinder::Curve;
    using Unit = HistoryChartBinder::Unit;
    struct Spec {
        const char* objectName;
        Unit unit;
        HistoryChartBinder::CurveProvider curves;
    };
    const QList<Spec> specs{
        {"lossChart", Unit::Plain, [](const HistoryModel& m) {
             return QList<Curve>{{HistoryModel::LossColumn, m.headerData(HistoryModel::LossColumn, Qt::Horizontal).toString()}};
         }},
        {"accuracyChart", Unit::Percent, [](const HistoryModel& m) {
             QList<Curve> curves;
             for (int column : {int(HistoryModel::AccuracyColumn), int(HistoryModel::BalancedAccuracyColumn),
                                int(HistoryModel::MacroF1Column)})
                 curves.append({column, m.headerData(column, Qt::Horizontal).toString()});
             // The federation's figure only where the run has one.
             for (int row = 0; row < m.rowCount(); ++row)
                 if (!std::isnan(m.value(row, HistoryModel::FederationAccuracyColumn))) {
                     curves.append({HistoryModel::FederationAccuracyColumn,
                                    m.headerData(HistoryModel::FederationAccuracyColumn, Qt::Horizontal).toString()});
                     break;
                 }
             return curves;
         }},
        {"bytesChart", Unit::Kilobytes, [](const HistoryModel& m) {
             return QList<Curve>{
                 {HistoryModel::BytesSentColumn, m.headerData(HistoryModel::BytesSentColumn, Qt::Horizontal).toString()},
                 {HistoryModel::BytesReceivedColumn, m.headerData(HistoryModel::BytesReceivedColumn, Qt::Horizontal).toString()}};
         }},
        {"recallChart", Unit::Percent, [](const HistoryModel& m) {
             QList<Curve> curves;
             for (int c = 0; c < m.classNames().size(); ++c) curves.append({m.recallColumn(c), m.classNames().at(c)});
             return curves;
         }},
    };
    for (int i = 0; i < specs.size(); ++i) {
        auto* view = addChart(QString::fromLatin1(specs[i].objectName));
        auto* binder = new HistoryChartBinder(model_, view->chart(), specs[i].unit, specs[i].curves, this);
        connect(binder, &HistoryChartBinder::hoverTextChanged, this, [this](const QString& text) {
            hover_->setText(text);
            if (text.isEmpty()) QToolTip::hideText();
            else QToolTip::showText(QCursor::pos(), text, this);
        });
        binders_.append(binder);
        // The chart's own legend cuts long names: a legend of widgets under it instead.
        view->chart()->legend()->hide();
        auto* cell = new QWidget(chartArea_);
        auto* cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(0);
        view->setParent(cell);
        cellLayout->addWidget(view, 1);
        auto* legend = new ChartLegend(binder, cell);
        legend->setObjectName(QString::fromLatin1(specs[i].objectName) + QStringLiteral("Legend"));
        cellLayout->addWidget(legend);
        legends_.append(legend);
        grid->addWidget(cell, i / 2, i % 2);
    }
    table_ = new QTableView(splitter);
    table_->setObjectName(QStringLiteral("historyTable"));
    table_->setModel(model_);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    splitter->addWidget(chartArea_);
    splitter->addWidget(table_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({600, 200});
    layout->addWidget(splitter, 1);

    connect(runChoice_, &QComboBox::currentIndexChanged, this, [this] { showRun(runChoice_->currentData().toString()); });
    connect(pngButton, &QPushButton::clicked, this, &HistoryPage::choosePngExport);
    connect(csvButton, &QPushButton::clicked, this, &HistoryPage::chooseCsvExport);
    // Chart titles follow the model's headers, which follow the language.
    connect(model_, &QAbstractItemModel::modelReset, this, &HistoryPage::retranslate);
    retranslate();
    setWorkspace(nullptr);
}

QChartView* HistoryPage::addChart(const QString& objectName) {
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins({4, 4, 4, 4});
    chart->setAnimationOptions(QChart::NoAnimation);
    auto* view = new QChartView(chart, chartArea_);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(300, 180);
    chartViews_.append(view);
    return view;
}

void HistoryPage::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        reloadRuns();  // run names are in the language too
    }
    QWidget::changeEvent(event);
}

void HistoryPage::retranslate() {
    title_->setText(tr("History"));
    findChild<QPushButton*>(QStringLiteral("exportPngButton"))->setText(tr("Export charts (PNG)…"));
    findChild<QPushButton*>(QStringLiteral("exportCsvButton"))->setText(tr("Export data (CSV)…"));
    const QStringList titles{tr("Training loss"), tr("Accuracy and F1 on held-out images"), tr("Data exchanged per round"),
                             tr("Recall per class")};
    for (int i = 0; i < chartViews_.size(); ++i) chartViews_[i]->chart()->setTitle(titles.value(i));
    empty_->setText(workspace_ ? tr("No training yet. Train on the Train page; every round appears here.")
                               : tr("Open a workspace to see its training history."));
}

void HistoryPage::setWorkspace(WorkspaceService* workspace) {
    if (workspace_) disconnect(workspace_, nullptr, this, nullptr);
    workspace_ = workspace;
    if (workspace_) {
        connect(workspace_, &WorkspaceService::historyChanged, this, [this] {
            const auto current = runChoice_->currentData().toString();
            const int runsBefore = runChoice_->count();
            reloadRuns();
            // A new run shows itself; a new round of the shown run is appended.
            if (runChoice_->count() != runsBefore) showRun();
            else if (!current.isEmpty()) {
                const auto rows = workspace_->history(current);
                for (int i = model_->rowCount(); i < rows.size(); ++i) model_->appendRow(rows.at(i));
                // An interruption or a resumption of the shown run.
                for (const auto& run : workspace_->runs())
                    if (run.id == current) showInterruptions(run);
            }
        });
    }
    reloadRuns();
    showRun();
}

void HistoryPage::reloadRuns() {
    const auto current = runChoice_->currentData().toString();
    const QSignalBlocker blocker(runChoice_);
    runChoice_->clear();
    if (workspace_) {
        const auto runs = workspace_->runs();
        for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
            auto name = runDisplayName(*it);
            if (!it->interruptions.isEmpty())
                name += QStringLiteral(" · ") + tr("interrupted %n time(s)", nullptr, it->interruptions.size());
            else if (it->status == kRunCancelled)
                name += QStringLiteral(" · ") + tr("cancelled");
            else if (it->status == kRunFailed)
                name += QStringLiteral(" · ") + tr("stopped by an error");
            runChoice_->addItem(name, it->id);
        }
    }
    const int index = runChoice_->findData(current);
    runChoice_->setCurrentIndex(index >= 0 ? index : 0);
    const bool hasRuns = runChoice_->count() > 0;
    empty_->setVisible(!hasRuns);
    chartArea_->parentWidget()->setVisible(hasRuns);
    runChoice_->setEnabled(hasRuns);
}

void HistoryPage::showRun(const QString& runId) {
    interruptions_->hide();
    if (!workspace_) {
        model_->clear();
        return;
    }
    const auto runs = workspace_->runs();
    if (runs.isEmpty()) {
        model_->clear();
        return;
    }
    auto run = runs.last();
    for (const auto& candidate : runs)
        if (candidate.id == runId) run = candidate;
    {
        const QSignalBlocker blocker(runChoice_);
        runChoice_->setCurrentIndex(qMax(0, runChoice_->findData(run.id)));
    }
    model_->setRun(run, workspace_->history(run.id));
    showInterruptions(run);
}

void HistoryPage::showInterruptions(const TrainingRun& run) {
    QStringList stops;
    for (const auto& stop : run.interruptions) stops << fmc::ui::interruptionText(stop);
    interruptions_->setText(stops.isEmpty() ? QString() : tr("This run was interrupted: %1.").arg(stops.join(QStringLiteral("; "))));
    interruptions_->setVisible(!stops.isEmpty());
}

QString HistoryPage::interruptionText() const { return interruptions_->isHidden() ? QString() : interruptions_->text(); }
QString HistoryPage::runChoiceText(int index) const { return runChoice_->itemText(index); }

void HistoryPage::exportCsv(const QString& path) { writeHistoryCsv(*model_, path); }
void HistoryPage::exportPng(const QString& path) { saveWidgetPng(chartArea_, path); }

void HistoryPage::chooseCsvExport() {
    const auto path = QFileDialog::getSaveFileName(this, tr("Export the rounds as CSV"), QStringLiteral("history.csv"),
                                                   tr("CSV files (*.csv)"));
    if (path.isEmpty()) return;
    try {
        exportCsv(path);
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Export failed"), tr("The file could not be written: %1").arg(error.what()));
    }
}

void HistoryPage::choosePngExport() {
    const auto path = QFileDialog::getSaveFileName(this, tr("Export the charts as PNG"), QStringLiteral("history.png"),
                                                   tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    try {
        exportPng(path);
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Export failed"), tr("The file could not be written: %1").arg(error.what()));
    }
}

}  // namespace fmc::ui
