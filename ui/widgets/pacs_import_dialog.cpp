#include "widgets/pacs_import_dialog.h"

#include "widgets/pacs_connection_form.h"
#include "workspace/task_runner.h"

#include "pacs/pacs_import.h"
#include "pacs/pacs_settings.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace fmc::ui {
namespace {

using namespace fmc::pacs;

constexpr int kUidRole = Qt::UserRole + 1;    // study or series instance UID
constexpr int kStudyRole = Qt::UserRole + 2;  // a series' study UID

struct SearchResult {
    pacs::StudyResult study;
    std::vector<pacs::SeriesResult> series;
};

}  // namespace
}  // namespace fmc::ui

Q_DECLARE_METATYPE(std::shared_ptr<std::vector<fmc::ui::SearchResult>>)
Q_DECLARE_METATYPE(std::shared_ptr<std::vector<fmc::pacs::SeriesRetrieval>>)

namespace fmc::ui {

using namespace fmc::pacs;

struct PacsImportDialog::Widgets {
    PacsConnectionForm* connection;
    QLineEdit *patientName, *patientId, *dateFrom, *dateTo, *modality, *accession;
    QPushButton *searchButton, *retrieveButton, *cancelButton;
    QTreeView* tree;
    QProgressBar* progress;
    QLabel* status;
    QPlainTextEdit* report;

    PacsSettings settings() const { return connection->settings(); }
};

PacsImportDialog::PacsImportDialog(const QString& workspaceFolder, QWidget* parent)
    : QDialog(parent), workspaceFolder_(workspaceFolder), w_(new Widgets), results_(new QStandardItemModel(this)),
      runner_(new TaskRunner(this)) {
    setWindowTitle(tr("Import from PACS"));
    auto* connection = new QGroupBox(tr("PACS connection (also in Settings)"));
    auto* connectionLayout = new QVBoxLayout(connection);
    w_->connection = new PacsConnectionForm;
    connectionLayout->addWidget(w_->connection);

    auto* query = new QGroupBox(tr("Search studies"));
    auto* queryForm = new QFormLayout(query);
    w_->patientName = new QLineEdit;
    w_->patientName->setPlaceholderText(tr("e.g. DOE^J* (* and ? are wildcards)"));
    w_->patientId = new QLineEdit;
    w_->dateFrom = new QLineEdit;
    w_->dateTo = new QLineEdit;
    for (auto* date : {w_->dateFrom, w_->dateTo}) {
        date->setPlaceholderText(tr("YYYYMMDD"));
        date->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,8}")), date));
    }
    auto* dates = new QHBoxLayout;
    dates->addWidget(w_->dateFrom);
    dates->addWidget(new QLabel(tr("to")));
    dates->addWidget(w_->dateTo);
    w_->modality = new QLineEdit;
    w_->modality->setPlaceholderText(tr("e.g. CT"));
    w_->accession = new QLineEdit;
    queryForm->addRow(tr("Patient name:"), w_->patientName);
    queryForm->addRow(tr("Patient ID:"), w_->patientId);
    queryForm->addRow(tr("Study date:"), dates);
    queryForm->addRow(tr("Modality:"), w_->modality);
    queryForm->addRow(tr("Accession number:"), w_->accession);
    w_->searchButton = new QPushButton(tr("Search"));
    w_->searchButton->setDefault(true);
    queryForm->addRow(QString(), w_->searchButton);

    results_->setHorizontalHeaderLabels({tr("Study / series"), tr("Date"), tr("Modality"), tr("Patient"), tr("Images")});
    w_->tree = new QTreeView;
    w_->tree->setModel(results_);
    w_->tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    w_->tree->setMinimumHeight(200);
    w_->progress = new QProgressBar;
    w_->progress->setVisible(false);
    w_->status = new QLabel;
    w_->status->setWordWrap(true);
    w_->report = new QPlainTextEdit;
    w_->report->setReadOnly(true);
    w_->report->setMaximumHeight(120);
    w_->report->setVisible(false);

    w_->retrieveButton = new QPushButton(tr("Import checked series"));
    w_->cancelButton = new QPushButton(tr("Cancel"));
    w_->cancelButton->setEnabled(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(w_->retrieveButton, QDialogButtonBox::ActionRole);
    buttons->addButton(w_->cancelButton, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Names for tests and accessibility tools.
    const std::pair<QWidget*, const char*> named[] = {
        {w_->patientName, "patientName"}, {w_->patientId, "patientId"}, {w_->dateFrom, "dateFrom"},
        {w_->dateTo, "dateTo"},           {w_->modality, "modality"}, {w_->accession, "accession"},
        {w_->searchButton, "search"},     {w_->retrieveButton, "retrieve"}, {w_->cancelButton, "cancel"},
        {w_->status, "status"}};
    for (const auto& [widget, name] : named) widget->setObjectName(QLatin1String(name));

    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(connection, 1);
    top->addWidget(query, 1);
    layout->addLayout(top);
    layout->addWidget(w_->tree, 1);
    layout->addWidget(w_->progress);
    layout->addWidget(w_->status);
    layout->addWidget(w_->report);
    layout->addWidget(buttons);

    connect(w_->searchButton, &QPushButton::clicked, this, &PacsImportDialog::search);
    connect(w_->retrieveButton, &QPushButton::clicked, this, &PacsImportDialog::retrieveChecked);
    connect(w_->cancelButton, &QPushButton::clicked, this, &PacsImportDialog::cancel);
    // A checked study checks its series; the series are what is retrieved.
    connect(results_, &QStandardItemModel::itemChanged, this, [this](QStandardItem* item) {
        if (item->parent() || item->column() != 0) return;
        for (int row = 0; row < item->rowCount(); ++row) item->child(row)->setCheckState(item->checkState());
    });
    connect(runner_, &TaskRunner::progressChanged, this, [this](int done, int total, const QString& message) {
        w_->progress->setRange(0, total);
        w_->progress->setValue(done);
        w_->status->setText(message);
    });
    connect(runner_, &TaskRunner::failed, this, [this](const QString& message) {
        w_->status->setText(message);
        report(message);
        emit retrievalFinished(false);
    });
    connect(runner_, &TaskRunner::cancelled, this, [this] {
        w_->status->setText(tr("Cancelled. Nothing was imported; the images retrieved so far are kept and are not "
                               "fetched again by the next import."));
        emit retrievalFinished(false);
    });
    connect(runner_, &TaskRunner::finished, this, [this] { setBusy(false); });
    resize(1000, 720);
}

PacsImportDialog::~PacsImportDialog() {
    runner_->cancel();
    runner_->waitForDone();
    delete w_;
}

QString PacsImportDialog::reportText() const { return w_->report->toPlainText(); }

void PacsImportDialog::report(const QString& text) {
    w_->report->setPlainText(text);
    w_->report->setVisible(!text.isEmpty());
}

void PacsImportDialog::setBusy(bool busy) {
    w_->progress->setVisible(busy);
    w_->cancelButton->setEnabled(busy);
    for (auto* button : {w_->searchButton, w_->retrieveButton}) button->setEnabled(!busy);
}

void PacsImportDialog::saveConnection() {
    if (const auto problem = w_->connection->save(); !problem.isEmpty()) report(problem);
}

void PacsImportDialog::testConnection() { w_->connection->testConnection(); }

void PacsImportDialog::search() {
    saveConnection();
    const auto settings = w_->settings();
    StudyQuery query;
    query.patientName = w_->patientName->text().trimmed();
    query.patientId = w_->patientId->text().trimmed();
    query.studyDateFrom = w_->dateFrom->text().trimmed();
    query.studyDateTo = w_->dateTo->text().trimmed();
    query.modality = w_->modality->text().trimmed();
    query.accessionNumber = w_->accession->text().trimmed();
    setBusy(true);
    report({});
    w_->status->setText(tr("Searching…"));
    disconnect(runner_, &TaskRunner::succeeded, this, nullptr);
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        const auto found = value.value<std::shared_ptr<std::vector<SearchResult>>>();
        results_->removeRows(0, results_->rowCount());
        for (const auto& [study, seriesList] : *found) {
            auto* item = new QStandardItem(study.studyDescription.isEmpty() ? study.studyInstanceUid : study.studyDescription);
            item->setCheckable(true);
            item->setEditable(false);
            item->setData(study.studyInstanceUid, kUidRole);
            item->setToolTip(study.studyInstanceUid);
            int images = 0;
            for (const auto& series : seriesList) {
                auto* child = new QStandardItem(series.seriesDescription.isEmpty()
                                                    ? tr("Series %1").arg(series.seriesNumber)
                                                    : series.seriesDescription);
                child->setCheckable(true);
                child->setEditable(false);
                child->setData(series.seriesInstanceUid, kUidRole);
                child->setData(study.studyInstanceUid, kStudyRole);
                child->setToolTip(series.seriesInstanceUid);
                images += series.instanceCount;
                item->appendRow({child, new QStandardItem(), new QStandardItem(series.modality), new QStandardItem(),
                                 new QStandardItem(QString::number(series.instanceCount))});
            }
            results_->appendRow({item, new QStandardItem(study.studyDate), new QStandardItem(study.modalities.join('/')),
                                 new QStandardItem(study.patientName + QStringLiteral(" (") + study.patientId + QLatin1Char(')')),
                                 new QStandardItem(QString::number(images))});
        }
        w_->tree->expandAll();
        w_->status->setText(tr("%n study(ies) found. Check the series to import.", nullptr, static_cast<int>(found->size())));
        emit searchFinished(static_cast<int>(found->size()));
    });
    runner_->start(tr("Search"), [settings, query](TaskContext& context) {
        const auto source = makePacsSource(settings);
        auto found = std::make_shared<std::vector<SearchResult>>();
        const auto studies = source->findStudies(query);
        for (size_t i = 0; i < studies.size(); ++i) {
            context.throwIfCancelled();
            found->push_back({studies[i], source->findSeries(studies[i].studyInstanceUid)});
            context.reportProgress(static_cast<int>(i + 1), static_cast<int>(studies.size()));
        }
        return QVariant::fromValue(found);
    });
}

void PacsImportDialog::retrieveChecked() {
    std::vector<SeriesSelection> selection;
    for (int row = 0; row < results_->rowCount(); ++row) {
        const auto* study = results_->item(row);
        for (int child = 0; child < study->rowCount(); ++child)
            if (study->child(child)->checkState() == Qt::Checked)
                selection.push_back({study->child(child)->data(kStudyRole).toString(), study->child(child)->data(kUidRole).toString()});
    }
    if (selection.empty()) {
        w_->status->setText(tr("Check at least one study or series first."));
        return;
    }
    const auto settings = w_->settings();
    const auto folder = workspaceFolder_.toStdString();
    setBusy(true);
    report({});
    disconnect(runner_, &TaskRunner::succeeded, this, nullptr);
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        const auto retrievals = value.value<std::shared_ptr<std::vector<SeriesRetrieval>>>();
        QStringList files, problems;
        bool complete = true;
        for (size_t i = 0; i < retrievals->size(); ++i) {
            const auto& r = (*retrievals)[i];
            for (const auto& file : r.files) files << QString::fromStdString(file);
            if (r.complete) continue;
            complete = false;
            problems << (r.cancelled ? tr("Series %1: cancelled after %2 image(s).").arg(i + 1).arg(r.files.size())
                                     : tr("Series %1: %2 image(s) retrieved, then: %3").arg(i + 1).arg(r.files.size())
                                           .arg(QString::fromStdString(r.error)));
        }
        if (!complete) problems << tr("The images retrieved are imported; import the same series again to fetch the rest.");
        report(problems.join('\n'));
        w_->status->setText(tr("%n image(s) retrieved; importing them.", nullptr, static_cast<int>(files.size())));
        if (!files.isEmpty()) emit filesRetrieved(files);
        emit retrievalFinished(complete);
    });
    runner_->start(tr("Retrieve from PACS"), [settings, selection, folder](TaskContext& context) {
        const auto source = makePacsSource(settings);
        auto retrievals = std::make_shared<std::vector<SeriesRetrieval>>();
        for (size_t i = 0; i < selection.size(); ++i) {
            if (context.isCancelled()) break;
            const auto message = PacsImportDialog::tr("Series %1 of %2").arg(i + 1).arg(selection.size());
            try {
                retrievals->push_back(source->retrieveSeries(
                    selection[i], retrievalFolder(folder, selection[i]),
                    [&](int done, int total) { context.reportProgress(done, total, message); }, context.cancelFlag()));
            } catch (const std::exception& error) {
                if (retrievals->empty()) throw;  // nothing retrieved: the request itself is at fault
                SeriesRetrieval failed;
                failed.series = selection[i];
                failed.error = error.what();
                retrievals->push_back(failed);
            }
            if (!retrievals->back().complete) break;
        }
        return QVariant::fromValue(retrievals);
    });
}

void PacsImportDialog::cancel() { runner_->cancel(); }

}  // namespace fmc::ui
