#include "widgets/import_report_dialog.h"

#include "models/import_report_model.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace fmc::ui {

ImportReportDialog::ImportReportDialog(const ImportReport& report, QWidget* parent)
    : QDialog(parent), model_(new ImportReportModel(this)) {
    setWindowTitle(tr("Import report"));
    model_->setReport(report);
    auto* layout = new QVBoxLayout(this);
    auto* summary = new QLabel(model_->summary(), this);
    summary->setObjectName(QStringLiteral("importSummary"));
    summary->setWordWrap(true);
    layout->addWidget(summary);
    if (!report.failures.isEmpty()) {
        auto* table = new QTableView(this);
        table->setObjectName(QStringLiteral("importFailures"));
        table->setModel(model_);
        table->horizontalHeader()->setStretchLastSection(true);
        table->horizontalHeader()->setSectionResizeMode(ImportReportModel::FileColumn, QHeaderView::ResizeToContents);
        table->verticalHeader()->hide();
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        table->setWordWrap(true);
        layout->addWidget(table);
        resize(760, 420);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    layout->addWidget(buttons);
}

}  // namespace fmc::ui
