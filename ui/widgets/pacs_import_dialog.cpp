#include "widgets/pacs_import_dialog.h"

#include "workspace/task_runner.h"

#include "pacs/credential_store.h"
#include "pacs/pacs_import.h"
#include "pacs/pacs_settings.h"

#include <QCheckBox>
#include <QComboBox>
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
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
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
    QComboBox* protocol;
    QStackedWidget* protocolPages;
    QLineEdit *url, *user, *password, *caFile;
    QComboBox* auth;
    QCheckBox* rememberPassword;
    QLineEdit *host, *callingAe, *calledAe;
    QSpinBox* port;
    QLineEdit *patientName, *patientId, *dateFrom, *dateTo, *modality, *accession;
    QPushButton *testButton, *searchButton, *retrieveButton, *cancelButton;
    QTreeView* tree;
    QProgressBar* progress;
    QLabel* status;
    QPlainTextEdit* report;

    // The connection as the form shows it, the secret included.
    PacsSettings settings() const {
        PacsSettings s;
        s.protocol = protocol->currentIndex() == 1 ? PacsProtocol::Dimse : PacsProtocol::DicomWeb;
        s.dicomWeb.baseUrl = url->text().trimmed();
        s.dicomWeb.auth = static_cast<AuthKind>(auth->currentIndex());
        s.dicomWeb.username = user->text().trimmed();
        s.dicomWeb.secret = password->text();
        s.dicomWeb.caCertificatesPath = caFile->text().trimmed();
        s.dimse.host = host->text().trimmed();
        s.dimse.port = port->value();
        s.dimse.callingAeTitle = callingAe->text().trimmed();
        s.dimse.calledAeTitle = calledAe->text().trimmed();
        return s;
    }
};

PacsImportDialog::PacsImportDialog(const QString& workspaceFolder, QWidget* parent)
    : QDialog(parent), workspaceFolder_(workspaceFolder), w_(new Widgets), results_(new QStandardItemModel(this)),
      runner_(new TaskRunner(this)) {
    setWindowTitle(tr("Import from PACS"));
    QSettings saved;
    saved.beginGroup(QStringLiteral("pacs"));

    auto* connection = new QGroupBox(tr("PACS connection"));
    auto* connectionLayout = new QVBoxLayout(connection);
    w_->protocol = new QComboBox;
    w_->protocol->addItems({tr("DICOMweb (QIDO-RS / WADO-RS)"), tr("DIMSE (C-FIND / C-GET)")});
    connectionLayout->addWidget(w_->protocol);
    w_->protocolPages = new QStackedWidget;
    auto* web = new QWidget;
    auto* webForm = new QFormLayout(web);
    w_->url = new QLineEdit(saved.value(QStringLiteral("url")).toString());
    w_->url->setPlaceholderText(QStringLiteral("https://pacs.example.org/dicom-web"));
    w_->auth = new QComboBox;
    w_->auth->addItems({tr("None"), tr("User name and password"), tr("Bearer token")});
    w_->auth->setCurrentIndex(saved.value(QStringLiteral("auth"), 0).toInt());
    w_->user = new QLineEdit(saved.value(QStringLiteral("user")).toString());
    w_->password = new QLineEdit;
    w_->password->setEchoMode(QLineEdit::Password);
    w_->rememberPassword = new QCheckBox(tr("Remember (in the system's secret store or a private file, never in the workspace)"));
    w_->caFile = new QLineEdit(saved.value(QStringLiteral("ca")).toString());
    w_->caFile->setPlaceholderText(tr("PEM file of the hospital's CA (empty: the system's)"));
    webForm->addRow(tr("URL:"), w_->url);
    webForm->addRow(tr("Authentication:"), w_->auth);
    webForm->addRow(tr("User name:"), w_->user);
    webForm->addRow(tr("Password or token:"), w_->password);
    webForm->addRow(QString(), w_->rememberPassword);
    webForm->addRow(tr("CA certificate:"), w_->caFile);
    auto* dimse = new QWidget;
    auto* dimseForm = new QFormLayout(dimse);
    w_->host = new QLineEdit(saved.value(QStringLiteral("host"), QStringLiteral("127.0.0.1")).toString());
    w_->port = new QSpinBox;
    w_->port->setRange(1, 65535);
    w_->port->setValue(saved.value(QStringLiteral("port"), 104).toInt());
    w_->callingAe = new QLineEdit(saved.value(QStringLiteral("calling_ae"), QStringLiteral("FEDMEDCLIP")).toString());
    w_->calledAe = new QLineEdit(saved.value(QStringLiteral("called_ae")).toString());
    for (auto* ae : {w_->callingAe, w_->calledAe}) ae->setMaxLength(16);
    dimseForm->addRow(tr("Host:"), w_->host);
    dimseForm->addRow(tr("Port:"), w_->port);
    dimseForm->addRow(tr("Our AE title (calling):"), w_->callingAe);
    dimseForm->addRow(tr("PACS AE title (called):"), w_->calledAe);
    w_->protocolPages->addWidget(web);
    w_->protocolPages->addWidget(dimse);
    connectionLayout->addWidget(w_->protocolPages);
    w_->testButton = new QPushButton(tr("Test connection"));
    connectionLayout->addWidget(w_->testButton, 0, Qt::AlignLeft);
    connect(w_->protocol, &QComboBox::currentIndexChanged, w_->protocolPages, &QStackedWidget::setCurrentIndex);
    w_->protocol->setCurrentIndex(saved.value(QStringLiteral("protocol"), 0).toInt());
    if (const auto account = credentialAccount(w_->settings().dicomWeb); w_->auth->currentIndex() != 0) {
        try {
            if (const auto secret = CredentialStore::forUser().secret(account)) {
                w_->password->setText(*secret);
                w_->rememberPassword->setChecked(true);
            }
        } catch (const std::exception&) {
            // An unreadable store: the user types the password; saving reports the problem.
        }
    }

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
        {w_->protocol, "protocol"},       {w_->url, "url"},           {w_->auth, "auth"},
        {w_->user, "user"},               {w_->password, "password"}, {w_->host, "host"},
        {w_->port, "port"},               {w_->callingAe, "callingAe"}, {w_->calledAe, "calledAe"},
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

    connect(w_->testButton, &QPushButton::clicked, this, &PacsImportDialog::testConnection);
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
    for (auto* button : {w_->testButton, w_->searchButton, w_->retrieveButton}) button->setEnabled(!busy);
}

void PacsImportDialog::saveConnection() {
    QSettings saved;
    saved.beginGroup(QStringLiteral("pacs"));
    saved.setValue(QStringLiteral("protocol"), w_->protocol->currentIndex());
    saved.setValue(QStringLiteral("url"), w_->url->text().trimmed());
    saved.setValue(QStringLiteral("auth"), w_->auth->currentIndex());
    saved.setValue(QStringLiteral("user"), w_->user->text().trimmed());
    saved.setValue(QStringLiteral("ca"), w_->caFile->text().trimmed());
    saved.setValue(QStringLiteral("host"), w_->host->text().trimmed());
    saved.setValue(QStringLiteral("port"), w_->port->value());
    saved.setValue(QStringLiteral("calling_ae"), w_->callingAe->text().trimmed());
    saved.setValue(QStringLiteral("called_ae"), w_->calledAe->text().trimmed());
    const auto settings = w_->settings();
    if (settings.protocol != PacsProtocol::DicomWeb || settings.dicomWeb.auth == AuthKind::None) return;
    try {
        auto store = CredentialStore::forUser();
        if (w_->rememberPassword->isChecked()) store.setSecret(credentialAccount(settings.dicomWeb), settings.dicomWeb.secret);
        else store.removeSecret(credentialAccount(settings.dicomWeb));
    } catch (const std::exception& error) {
        report(tr("The password was not saved: %1").arg(QString::fromUtf8(error.what())));
    }
}

void PacsImportDialog::testConnection() {
    saveConnection();
    const auto settings = w_->settings();
    setBusy(true);
    w_->status->setText(tr("Connecting…"));
    disconnect(runner_, &TaskRunner::succeeded, this, nullptr);
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& description) {
        w_->status->setText(tr("%1 answers and accepts this site.").arg(description.toString()));
    });
    runner_->start(tr("Test connection"), [settings](TaskContext&) {
        const auto source = makePacsSource(settings);
        source->verify();
        return QVariant(source->description());
    });
}

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
