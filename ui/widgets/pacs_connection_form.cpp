#include "widgets/pacs_connection_form.h"

#include "shell/app_settings.h"
#include "workspace/task_runner.h"

#include "pacs/credential_store.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace fmc::ui {

using namespace fmc::pacs;

PacsConnectionForm::PacsConnectionForm(QWidget* parent) : QWidget(parent), runner_(new TaskRunner(this)) {
    const auto saved = AppSettings::pacsConnection();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    protocol_ = new QComboBox;
    protocol_->addItems({tr("DICOMweb (QIDO-RS / WADO-RS)"), tr("DIMSE (C-FIND / C-GET or C-MOVE)")});
    layout->addWidget(protocol_);
    pages_ = new QStackedWidget;

    auto* web = new QWidget;
    auto* webForm = new QFormLayout(web);
    url_ = new QLineEdit(saved.dicomWeb.baseUrl);
    url_->setPlaceholderText(QStringLiteral("https://pacs.example.org/dicom-web"));
    auth_ = new QComboBox;
    auth_->addItems({tr("None"), tr("User name and password"), tr("Bearer token")});
    auth_->setCurrentIndex(static_cast<int>(saved.dicomWeb.auth));
    user_ = new QLineEdit(saved.dicomWeb.username);
    password_ = new QLineEdit;
    password_->setEchoMode(QLineEdit::Password);
    remember_ = new QCheckBox(tr("Remember the password (never in the workspace)"));
    caFile_ = new QLineEdit(saved.dicomWeb.caCertificatesPath);
    caFile_->setPlaceholderText(tr("PEM file of the hospital's CA (empty: the system's)"));
    credentialNote_ = new QLabel;
    credentialNote_->setWordWrap(true);
    webForm->addRow(tr("URL:"), url_);
    webForm->addRow(tr("Authentication:"), auth_);
    webForm->addRow(tr("User name:"), user_);
    webForm->addRow(tr("Password or token:"), password_);
    webForm->addRow(QString(), remember_);
    webForm->addRow(QString(), credentialNote_);
    webForm->addRow(tr("CA certificate:"), caFile_);

    auto* dimse = new QWidget;
    auto* dimseForm = new QFormLayout(dimse);
    host_ = new QLineEdit(saved.dimse.host);
    port_ = new QSpinBox;
    port_->setRange(1, 65535);
    port_->setValue(saved.dimse.port);
    callingAe_ = new QLineEdit(saved.dimse.callingAeTitle);
    calledAe_ = new QLineEdit(saved.dimse.calledAeTitle);
    retrieve_ = new QComboBox;
    retrieve_->addItems({tr("C-GET (no port to open)"), tr("C-MOVE (the PACS sends to this computer)")});
    retrieve_->setCurrentIndex(saved.dimse.retrieve == DimseRetrieve::Move ? 1 : 0);
    moveAe_ = new QLineEdit(saved.dimse.moveDestinationAeTitle);
    moveAe_->setPlaceholderText(tr("(our calling AE title)"));
    movePort_ = new QSpinBox;
    movePort_->setRange(1, 65535);
    movePort_->setValue(saved.dimse.moveDestinationPort);
    for (auto* ae : {callingAe_, calledAe_, moveAe_}) ae->setMaxLength(16);
    dimseForm->addRow(tr("Host:"), host_);
    dimseForm->addRow(tr("Port:"), port_);
    dimseForm->addRow(tr("Our AE title (calling):"), callingAe_);
    dimseForm->addRow(tr("PACS AE title (called):"), calledAe_);
    dimseForm->addRow(tr("Retrieve with:"), retrieve_);
    dimseForm->addRow(tr("Move destination AE title:"), moveAe_);
    dimseForm->addRow(tr("Move destination port:"), movePort_);
    auto* moveHint = new QLabel(tr("For C-MOVE the PACS must know the move destination with this computer's address "
                                   "and port, and that port must be open to the PACS."));
    moveHint->setWordWrap(true);
    dimseForm->addRow(QString(), moveHint);
    const auto showMove = [this, moveHint] {
        const bool move = retrieve_->currentIndex() == 1;
        for (QWidget* w : {static_cast<QWidget*>(moveAe_), static_cast<QWidget*>(movePort_), static_cast<QWidget*>(moveHint)})
            w->setEnabled(move);
    };
    connect(retrieve_, &QComboBox::currentIndexChanged, this, showMove);
    showMove();

    pages_->addWidget(web);
    pages_->addWidget(dimse);
    layout->addWidget(pages_);
    testButton_ = new QPushButton(tr("Test connection"));
    testStatus_ = new QLabel;
    testStatus_->setWordWrap(true);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(testButton_);
    testRow->addWidget(testStatus_, 1);
    layout->addLayout(testRow);
    connect(protocol_, &QComboBox::currentIndexChanged, pages_, &QStackedWidget::setCurrentIndex);
    protocol_->setCurrentIndex(saved.protocol == PacsProtocol::Dimse ? 1 : 0);

    // Names for tests and accessibility tools.
    const std::pair<QWidget*, const char*> named[] = {
        {protocol_, "protocol"}, {url_, "url"}, {auth_, "auth"}, {user_, "user"}, {password_, "password"},
        {remember_, "rememberPassword"}, {caFile_, "caFile"}, {credentialNote_, "credentialStore"},
        {host_, "host"}, {port_, "port"}, {callingAe_, "callingAe"}, {calledAe_, "calledAe"},
        {retrieve_, "retrieve"}, {moveAe_, "moveAe"}, {movePort_, "movePort"},
        {testButton_, "testConnection"}, {testStatus_, "testStatus"}};
    for (const auto& [widget, name] : named) widget->setObjectName(QLatin1String(name));

    try {
        const auto store = CredentialStore::forUser();
        credentialNote_->setText(
            store.fallbackReason().isEmpty()
                ? tr("Remembered passwords are kept in %1.").arg(store.backendDescription())
                : tr("Remembered passwords are kept in %1, readable by you alone, because the platform's secret "
                     "store cannot be used: %2")
                      .arg(store.backendDescription(), store.fallbackReason()));
        if (saved.dicomWeb.auth != AuthKind::None)
            if (const auto secret = store.secret(credentialAccount(saved.dicomWeb))) {
                password_->setText(*secret);
                remember_->setChecked(true);
            }
    } catch (const std::exception& error) {
        // An unreadable store: the user types the password; saving says what is wrong.
        credentialNote_->setText(tr("The saved password cannot be read: %1").arg(QString::fromUtf8(error.what())));
    }

    connect(testButton_, &QPushButton::clicked, this, &PacsConnectionForm::testConnection);
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& description) {
        const auto message = tr("%1 answers and accepts this site.").arg(description.toString());
        testStatus_->setText(message);
        emit testFinished(true, message);
    });
    connect(runner_, &TaskRunner::failed, this, [this](const QString& message) {
        testStatus_->setText(message);
        emit testFinished(false, message);
    });
    connect(runner_, &TaskRunner::finished, this, [this] { testButton_->setEnabled(true); });
}

PacsConnectionForm::~PacsConnectionForm() = default;  // the runner waits for a test still running

QString PacsConnectionForm::credentialStoreText() const { return credentialNote_->text(); }

PacsSettings PacsConnectionForm::settings() const {
    PacsSettings s;
    s.protocol = protocol_->currentIndex() == 1 ? PacsProtocol::Dimse : PacsProtocol::DicomWeb;
    s.dicomWeb.baseUrl = url_->text().trimmed();
    s.dicomWeb.auth = static_cast<AuthKind>(auth_->currentIndex());
    s.dicomWeb.username = user_->text().trimmed();
    s.dicomWeb.secret = password_->text();
    s.dicomWeb.caCertificatesPath = caFile_->text().trimmed();
    s.dimse.host = host_->text().trimmed();
    s.dimse.port = port_->value();
    s.dimse.callingAeTitle = callingAe_->text().trimmed();
    s.dimse.calledAeTitle = calledAe_->text().trimmed();
    s.dimse.retrieve = retrieve_->currentIndex() == 1 ? DimseRetrieve::Move : DimseRetrieve::Get;
    s.dimse.moveDestinationAeTitle = moveAe_->text().trimmed();
    s.dimse.moveDestinationPort = movePort_->value();
    return s;
}

QString PacsConnectionForm::save() {
    const auto s = settings();
    AppSettings::setPacsConnection(s);
    if (s.dicomWeb.auth == AuthKind::None || s.dicomWeb.baseUrl.isEmpty()) return {};
    try {
        auto store = CredentialStore::forUser();
        if (remember_->isChecked()) store.setSecret(credentialAccount(s.dicomWeb), s.dicomWeb.secret);
        else store.removeSecret(credentialAccount(s.dicomWeb));
    } catch (const std::exception& error) {
        return tr("The password was not saved: %1").arg(QString::fromUtf8(error.what()));
    }
    return {};
}

QString PacsConnectionForm::testStatus() const { return testStatus_->text(); }
bool PacsConnectionForm::isTesting() const { return runner_->isRunning(); }

void PacsConnectionForm::testConnection() {
    const auto s = settings();
    testButton_->setEnabled(false);
    testStatus_->setText(tr("Connecting…"));
    runner_->start(tr("Test connection"), [s](TaskContext&) {
        const auto source = makePacsSource(s);
        source->verify();
        return QVariant(source->description());
    });
}

}  // namespace fmc::ui
