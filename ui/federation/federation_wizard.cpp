#include "federation/federation_wizard.h"

#include "federation/bundle_check.h"
#include "models/class_mapping_model.h"
#include "federation/coordinator_probe.h"
#include "federation/federation_service.h"
#include "federation/image_kind_check.h"
#include "shell/logging.h"
#include "workspace/task_runner.h"
#include "workspace/workspace_helpers.h"
#include "workspace/workspace_service.h"
#include "shell/user_message.h"

#include "site_agent/site_agent.h"

#include <QCheckBox>
#include <QDir>
#include <QMessageBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace fmc::ui {
namespace {

QLabel* makeText(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    return label;
}

QString shortHash(const QString& hash) { return hash.left(12) + QStringLiteral("…"); }

// Chooses a federation class (or none) for a local label.
class FederationClassDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex& index) const override {
        auto* combo = new QComboBox(parent);
        combo->addItem(ClassMappingModel::tr("(not used)"), QString());
        for (const auto& name : index.data(ClassMappingModel::ChoicesRole).toStringList()) combo->addItem(name, name);
        return combo;
    }
    void setEditorData(QWidget* editor, const QModelIndex& index) const override {
        auto* combo = static_cast<QComboBox*>(editor);
        combo->setCurrentIndex(qMax(0, combo->findData(index.data(Qt::EditRole).toString())));
    }
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override {
        model->setData(index, static_cast<QComboBox*>(editor)->currentData(), Qt::EditRole);
    }
};

}  // namespace

// The pages are QObjects of their own, so tr() gives each its own translation context.

// 1. Where the coordinator is, and the one-time code.
class CoordinatorPage : public CheckedWizardPage {
    Q_OBJECT
public:
    explicit CoordinatorPage(QWidget* parent = nullptr) : CheckedWizardPage(parent) {
        setTitle(tr("Connect to the federation"));
        setSubTitle(tr("Your federation administrator gave you the coordinator's address and a one-time enrollment code."));
        address_ = new QLineEdit(this);
        address_->setObjectName(QStringLiteral("coordinatorAddress"));
        address_->setPlaceholderText(QStringLiteral("https://federation.example.org:8443"));
        code_ = new QLineEdit(this);
        code_->setObjectName(QStringLiteral("enrollmentCode"));
        auto* form = new QFormLayout;
        form->addRow(tr("Coordinator address"), address_);
        form->addRow(tr("Enrollment code"), code_);
        auto* invitation = new QPushButton(tr("Open invitation file…"), this);
        invitation->setObjectName(QStringLiteral("openInvitation"));
        invitation->setToolTip(tr("The enrollment file your administrator may have sent instead: it holds the address, "
                                  "the code and the federation's CA certificate."));
        auto* layout = new QVBoxLayout(this);
        layout->addLayout(form);
        layout->addWidget(invitation, 0, Qt::AlignLeft);
        layout->addWidget(busyLabel_);
        layout->addWidget(problemLabel_);
        layout->addWidget(detailsButton_, 0, Qt::AlignLeft);
        layout->addStretch();
        for (auto* edit : {address_, code_}) connect(edit, &QLineEdit::textEdited, this, [this] { invalidate(); });
        connect(invitation, &QPushButton::clicked, this, [this] {
            const auto path = QFileDialog::getOpenFileName(this, tr("Invitation file"), QString(),
                                                           tr("Invitation files (*.json);;All files (*)"));
            if (!path.isEmpty()) federationWizard()->loadInvitationFile(path);
        });
    }

    void initializePage() override {
        // Known before anything is typed: a workspace takes part in one federation only.
        const auto member = federationWizard()->existingMembership();
        for (auto* widget : findChildren<QWidget*>())
            if (widget != problemLabel_ && widget != busyLabel_) widget->setEnabled(member.isEmpty());
        if (!member.isEmpty()) showProblem(member);
    }
    bool isComplete() const override { return federationWizard() && federationWizard()->existingMembership().isEmpty(); }

    QUrl url() const { return QUrl(address_->text().trimmed()); }
    QString code() const { return code_->text().trimmed(); }
    void prefill(const QString& address, const QString& code) {
        address_->setText(address);
        code_->setText(code);
        invalidate();
    }
    void reportProblem(const QString& text) { showProblem(text); }

protected:
    QString checkInput() const override {
        if (const auto member = federationWizard()->existingMembership(); !member.isEmpty()) return member;
        const auto text = address_->text().trimmed();
        if (text.isEmpty()) return tr("Type the coordinator's address, for example https://federation.example.org:8443.");
        const QUrl parsed(text, QUrl::StrictMode);
        if (text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive))
            return tr("The address starts with http://, which is not encrypted. The federation only works over "
                      "https:// — ask your administrator for the https address.");
        if (!text.contains(QLatin1String("://")))
            return tr("Type the address with https:// at the start, for example https://%1.").arg(text);
        if (!parsed.isValid() || parsed.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0 ||
            parsed.host().isEmpty())
            return tr("That does not look like a coordinator address. It should look like "
                      "https://federation.example.org:8443.");
        if (code().isEmpty()) return tr("Type the enrollment code your federation administrator gave you.");
        static const QRegularExpression codePattern(QStringLiteral("^[A-Za-z0-9_-]{6,128}$"));
        if (!codePattern.match(code()).hasMatch())
            return tr("The enrollment code looks incomplete or mistyped (it has at least 6 letters, digits or dashes). "
                      "Check it against the one you received.");
        return {};
    }

    bool startCheck() override {
        auto* wizard = federationWizard();
        auto* service = wizard->service();
        const auto target = url();
        const auto title = tr("Contacting the coordinator");
        return runner()->start(title, [service, target](TaskContext&) {
            return QVariant::fromValue(service->fetchIdentity(target));
        });
    }

    void onCheckSucceeded(const QVariant& value) override {
        federationWizard()->identity = value.value<CoordinatorIdentity>();
    }

private:
    QLineEdit* address_;
    QLineEdit* code_;
};

// 2. Trust the coordinator: its certificate's fingerprint, compared by a person, or the
// federation's CA certificate from a file, checked against the certificate the coordinator
// presents; then enrollment.
class CertificatePage : public CheckedWizardPage {
    Q_OBJECT
public:
    explicit CertificatePage(CoordinatorPage* coordinatorPage, QWidget* parent = nullptr)
        : CheckedWizardPage(parent), coordinatorPage_(coordinatorPage), chainRunner_(new TaskRunner(this)) {
        setTitle(tr("Check the coordinator's identity"));
        setSubTitle(tr("Make sure this site talks to your federation's coordinator and nobody else: compare its "
                       "certificate's fingerprint, or trust the federation's CA certificate your administrator gave "
                       "you."));
        pinMode_ = new QRadioButton(tr("Compare the certificate's fingerprint"), this);
        pinMode_->setObjectName(QStringLiteral("trustFingerprint"));
        caMode_ = new QRadioButton(tr("Trust the federation's CA certificate (a file from your administrator)"), this);
        caMode_->setObjectName(QStringLiteral("trustCa"));
        pinMode_->setChecked(true);

        pinPanel_ = new QWidget(this);
        fingerprint_ = new QLabel(pinPanel_);
        fingerprint_->setObjectName(QStringLiteral("fingerprint"));
        fingerprint_->setTextInteractionFlags(Qt::TextSelectableByMouse);
        fingerprint_->setWordWrap(true);
        QFont mono(QStringLiteral("monospace"));
        mono.setStyleHint(QFont::Monospace);
        mono.setPointSizeF(mono.pointSizeF() * 1.1);
        fingerprint_->setFont(mono);
        details_ = makeText({}, pinPanel_);
        confirm_ = new QCheckBox(tr("The fingerprint matches the one my federation administrator gave me"), pinPanel_);
        confirm_->setObjectName(QStringLiteral("confirmFingerprint"));
        auto* pinLayout = new QVBoxLayout(pinPanel_);
        pinLayout->setContentsMargins(0, 0, 0, 0);
        pinLayout->addWidget(makeText(tr("Compare this fingerprint with the one your federation administrator gave "
                                         "you, character by character. If it differs, stop: someone may be pretending "
                                         "to be the coordinator. SHA-256 fingerprint:"),
                                      pinPanel_));
        pinLayout->addWidget(fingerprint_);
        pinLayout->addWidget(details_);
        pinLayout->addWidget(confirm_);

        caPanel_ = new QWidget(this);
        auto* chooseCa = new QPushButton(tr("Choose the CA certificate file…"), caPanel_);
        chooseCa->setObjectName(QStringLiteral("chooseCaFile"));
        caDetails_ = makeText({}, caPanel_);
        caDetails_->setObjectName(QStringLiteral("caDetails"));
        caDetails_->setTextInteractionFlags(Qt::TextSelectableByMouse);
        caChain_ = makeText({}, caPanel_);
        caChain_->setObjectName(QStringLiteral("caChain"));
        auto* caLayout = new QVBoxLayout(caPanel_);
        caLayout->setContentsMargins(0, 0, 0, 0);
        caLayout->addWidget(makeText(tr("With the federation's CA certificate this site also trusts the coordinator's "
                                        "renewed certificates. It is a .pem file, or the invitation file that came "
                                        "with your enrollment code."),
                                     caPanel_));
        caLayout->addWidget(chooseCa, 0, Qt::AlignLeft);
        caLayout->addWidget(caDetails_);
        caLayout->addWidget(caChain_);

        auto* layout = new QVBoxLayout(this);
        layout->addWidget(pinMode_);
        layout->addWidget(caMode_);
        layout->addWidget(pinPanel_);
        layout->addWidget(caPanel_);
        layout->addWidget(busyLabel_);
        layout->addWidget(problemLabel_);
        layout->addWidget(detailsButton_, 0, Qt::AlignLeft);
        layout->addStretch();
        showMode();
        connect(confirm_, &QCheckBox::toggled, this, [this] { invalidate(); });
        connect(caMode_, &QRadioButton::toggled, this, [this] {
            invalidate();
            showMode();
            if (caMode_->isChecked()) checkChain();
        });
        connect(chooseCa, &QPushButton::clicked, this, [this] {
            const auto path =
                QFileDialog::getOpenFileName(this, tr("The federation's CA certificate"), QString(),
                                             tr("Certificates and invitations (*.pem *.crt *.json);;All files (*)"));
            if (!path.isEmpty()) loadCaFile(path);
        });
        connect(chainRunner_, &TaskRunner::started, this, [this] {
            caChain_->setText(tr("Checking the coordinator's certificate against this CA…"));
            emit completeChanged();
        });
        connect(chainRunner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
            const auto reason = value.toString();
            chains_ = reason.isEmpty();
            if (chains_) {
                caChain_->setText(tr("The coordinator's certificate is signed by this CA."));
                showProblem({});
            } else {
                caChain_->clear();
                showProblem(tr("This CA certificate does not vouch for the coordinator at %1: %2. Choose the file "
                               "your federation administrator gave you for this federation, or ask them.")
                                .arg(federationWizard()->identity.url, reason));
            }
        });
        connect(chainRunner_, &TaskRunner::failed, this, [this](const QString& message) {
            caChain_->clear();
            showProblem(message);
        });
        connect(chainRunner_, &TaskRunner::finished, this, &CertificatePage::completeChanged);
    }

    void initializePage() override {
        const auto& identity = federationWizard()->identity;
        if (identity.certificateSha256 != shownFingerprint_) {
            // Another certificate than the one confirmed before: confirm again.
            confirm_->setChecked(false);
            shownFingerprint_ = identity.certificateSha256;
        }
        fingerprint_->setText(identity.certificateSha256);
        details_->setText(tr("Issued to: %1\nIssued by: %2\nValid until: %3")
                              .arg(identity.subject, identity.issuer,
                                   QLocale().toString(identity.expires.date(), QLocale::LongFormat)));
        if (caMode_->isChecked()) checkChain();
    }

    bool isComplete() const override {
        if (isChecking() || chainRunner_->isRunning()) return false;
        // Only a CA that vouches for the coordinator lets the site go on.
        return !caMode_->isChecked() || (!ca_.isEmpty() && chains_);
    }

    // A PEM file with the CA certificate(s), or an invitation file that holds them. False,
    // with the reason on the page, when it has none.
    bool loadCaFile(const QString& path) {
        QString pem;
        QString problem = readCaFile(path, pem);
        const auto certificates = QSslCertificate::fromData(pem.toLatin1(), QSsl::Pem);
        if (problem.isEmpty() && certificates.isEmpty())
            problem = tr("%1 is not a PEM certificate file (one starts with \"-----BEGIN CERTIFICATE-----\"). Choose "
                         "the federation's CA certificate your administrator gave you.")
                          .arg(QFileInfo(path).fileName());
        if (problem.isEmpty() && certificates.first().expiryDate() < QDateTime::currentDateTime())
            problem = tr("This CA certificate expired on %1. Ask your federation administrator for the current one.")
                          .arg(QLocale().toString(certificates.first().expiryDate().date(), QLocale::LongFormat));
        setCa(problem.isEmpty() ? certificates : QList<QSslCertificate>{}, pem);
        if (!problem.isEmpty()) showProblem(problem);
        return problem.isEmpty();
    }

    // Uses the CA certificate(s) in `pem` (e.g. from the invitation file).
    void useCa(const QString& pem) { setCa(QSslCertificate::fromData(pem.toLatin1(), QSsl::Pem), pem); }

    // What enrollment keeps: the CA when chosen, otherwise the confirmed fingerprint.
    CoordinatorTrust trust() const {
        if (caMode_->isChecked()) return {QString(), caPem_};
        return {federationWizard()->identity.certificateSha256, QString()};
    }

protected:
    QString checkInput() const override {
        if (caMode_->isChecked()) {
            if (ca_.isEmpty())
                return tr("Choose the federation's CA certificate file, or compare the fingerprint instead.");
            if (chainRunner_->isRunning())
                return tr("Wait until the coordinator's certificate is checked against this CA.");
            if (!chains_)
                return problem().isEmpty() ? tr("This CA certificate does not vouch for the coordinator.") : problem();
            return {};
        }
        if (!confirm_->isChecked())
            return tr("Compare the fingerprint with the one from your administrator and tick the box. If it does "
                      "not match, do not continue and tell your administrator.");
        return {};
    }

    bool startCheck() override {
        auto* service = federationWizard()->service();
        const auto url = coordinatorPage_->url();
        const auto code = coordinatorPage_->code();
        const auto trust = this->trust();
        return runner()->start(tr("Enrolling this site"), [service, url, code, trust](TaskContext&) {
            try {
                return QVariant::fromValue(service->enroll(url, code, trust));
            } catch (const std::exception& error) {
                // A coordinator that does not answer is not one that refused: plain words for
                // each, the exchange itself in the log and behind Details.
                const auto raw = QString::fromUtf8(error.what());
                qCWarning(lcFederation).noquote() << "enrollment failed:" << raw;
                const auto plain = plainWords(raw);
                throw Error(packUserMessage(plain.text, plain.details).toStdString());
            }
        });
    }

    void onCheckSucceeded(const QVariant& value) override { federationWizard()->task = value.value<FederationTask>(); }

private:
    void showMode() {
        pinPanel_->setVisible(!caMode_->isChecked());
        caPanel_->setVisible(caMode_->isChecked());
        emit completeChanged();
    }

    void setCa(const QList<QSslCertificate>& certificates, const QString& pem) {
        const QSignalBlocker blocker(caMode_);
        caMode_->setChecked(true);
        showMode();
        invalidate();
        ca_ = certificates;
        caPem_ = certificates.isEmpty() ? QString() : pem;
        caDetails_->clear();
        if (!ca_.isEmpty()) {
            const auto& first = ca_.first();
            caDetails_->setText(tr("CA certificate: %1\nSHA-256 fingerprint: %2\nValid until: %3")
                                    .arg(first.subjectDisplayName(),
                                         formatFingerprint(first.digest(QCryptographicHash::Sha256)),
                                         QLocale().toString(first.expiryDate().date(), QLocale::LongFormat)));
        }
        checkChain();
    }

    // The coordinator's certificate against the chosen CA, on a worker; nothing to check
    // before the coordinator is known.
    void checkChain() {
        chains_ = false;
        caChain_->clear();
        emit completeChanged();
        if (ca_.isEmpty() || federationWizard()->identity.url.isEmpty() || chainRunner_->isRunning()) return;
        auto* service = federationWizard()->service();
        const QUrl url(federationWizard()->identity.url);
        const auto ca = ca_;
        chainRunner_->start(tr("Checking the coordinator's certificate"),
                            [service, url, ca](TaskContext&) { return QVariant(service->verifyAuthority(url, ca)); });
    }

    // The PEM text of a certificate file or of an invitation file's CA; a problem in words.
    QString readCaFile(const QString& path, QString& pem) const {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) return tr("%1 cannot be read.").arg(path);
        const auto bytes = file.readAll();
        if (!bytes.trimmed().startsWith('{')) {
            pem = QString::fromLatin1(bytes);
            return {};
        }
        try {
            pem = federation::readInvitation(path).caCertificatesPem;
        } catch (const std::exception& error) {
            return tr("The invitation file could not be read: %1").arg(QString::fromUtf8(error.what()));
        }
        if (pem.isEmpty())
            return tr("This invitation file holds no CA certificate, only a fingerprint: compare the fingerprint "
                      "instead.");
        return {};
    }

    CoordinatorPage* coordinatorPage_;
    TaskRunner* chainRunner_;
    QRadioButton* pinMode_;
    QRadioButton* caMode_;
    QWidget* pinPanel_;
    QWidget* caPanel_;
    QLabel* fingerprint_;
    QLabel* details_;
    QCheckBox* confirm_;
    QString shownFingerprint_;
    QLabel* caDetails_;
    QLabel* caChain_;
    QList<QSslCertificate> ca_;
    QString caPem_;
    bool chains_ = false;
};

// 3. Local labels -> the federation's classes.
class MappingPage : public CheckedWizardPage {
    Q_OBJECT
public:
    explicit MappingPage(QWidget* parent = nullptr) : CheckedWizardPage(parent), model_(new ClassMappingModel(this)) {
        setTitle(tr("Match your labels to the federation's classes"));
        setSubTitle(tr("The federation trains on its own list of classes. Tell it which of your labels means which "
                       "class. Labels you mark as not used stay out of federated training."));
        classes_ = makeText({}, this);
        auto* table = new QTableView(this);
        table->setObjectName(QStringLiteral("mappingTable"));
        table->setModel(model_);
        table->setItemDelegateForColumn(ClassMappingModel::FederationClassColumn, new FederationClassDelegate(table));
        table->setEditTriggers(QAbstractItemView::AllEditTriggers);
        table->verticalHeader()->hide();
        table->horizontalHeader()->setStretchLastSection(true);
        table->horizontalHeader()->setSectionResizeMode(ClassMappingModel::LocalLabelColumn, QHeaderView::ResizeToContents);
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(classes_);
        layout->addWidget(table, 1);
        layout->addWidget(problemLabel_);
        layout->addWidget(detailsButton_, 0, Qt::AlignLeft);
        connect(model_, &ClassMappingModel::mappingChanged, this, [this] {
            federationWizard()->labelMapping = model_->mapping();
            showProblem({});
        });
    }

    ClassMappingModel* model() const { return model_; }

    void initializePage() override {
        auto* wizard = federationWizard();
        classes_->setText(tr("Classes of \"%1\": %2").arg(wizard->task.name, wizard->task.classNames.join(QStringLiteral(", "))));
        QMap<QString, int> counts;
        for (const auto& image : wizard->workspace()->images())
            if (!image.label.isEmpty()) ++counts[image.label];
        const auto previous = wizard->labelMapping.isEmpty() ? wizard->workspace()->federationSetup().labelMapping
                                                             : wizard->labelMapping;
        model_->setLabels(counts, wizard->task.classNames, previous);
    }

protected:
    QString checkInput() const override {
        if (model_->rowCount() == 0)
            return tr("This workspace has no labelled images yet. Go back later, after importing and labelling "
                      "images, or import them on the next page.");
        if (model_->coveredClasses().size() < 2)
            return tr("Match your labels to at least two of the federation's classes, so that your site can help "
                      "train the shared model.");
        return {};
    }

private:
    ClassMappingModel* model_;
    QLabel* classes_;
};

// 4. Enough labelled images in the federation's classes?
class DataPage : public CheckedWizardPage {
    Q_OBJECT
public:
    explicit DataPage(QWidget* parent = nullptr) : CheckedWizardPage(parent) {
        setTitle(tr("Your site's data"));
        setSubTitle(tr("These are the images your site will train on. The images never leave this computer: only "
                       "the model's shared part does."));
        summary_ = makeText({}, this);
        summary_->setObjectName(QStringLiteral("dataSummary"));
        auto* importButton = new QPushButton(tr("Import images…"), this);
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(summary_);
        layout->addWidget(importButton, 0, Qt::AlignLeft);
        layout->addWidget(problemLabel_);
        layout->addWidget(detailsButton_, 0, Qt::AlignLeft);
        layout->addStretch();
        connect(importButton, &QPushButton::clicked, this, [this] { emit federationWizard()->importRequested(); });
    }

    void initializePage() override { refresh(); }

    void refresh() {
        auto* wizard = federationWizard();
        counts_.clear();
        QStringList modalities;
        for (const auto& image : wizard->workspace()->images()) {
            const auto mapped = wizard->labelMapping.value(image.label);
            if (!image.label.isEmpty() && !mapped.isEmpty()) {
                ++counts_[mapped];
                modalities << image.modality;
            }
        }
        QStringList lines;
        for (const auto& name : wizard->task.classNames)
            lines << tr("%1: %n image(s)", nullptr, counts_.value(name)).arg(name);
        // The kind of image the federation is for, and whether these images are of it.
        kindCheck_ = ImageKindChecker::check(wizard->task.name, wizard->task.imageDomain, modalities);
        if (restrictsAnything(wizard->task.imageDomain)) {
            QStringList kinds;
            for (const auto& modality : wizard->task.imageDomain.modalities)
                kinds << ImageKindChecker::modalityName(QString::fromStdString(modality));
            for (const auto& part : wizard->task.imageDomain.bodyParts) kinds << QString::fromStdString(part);
            for (const auto& kind : wizard->task.imageDomain.photometric)
                kinds << (kind == kColourPhotometric ? tr("colour") : tr("grey"));
            lines << QString() << tr("The federation is for: %1.").arg(kinds.join(QStringLiteral(", ")));
        }
        if (!kindCheck_.warning.isEmpty()) lines << QString() << kindCheck_.warning;
        summary_->setText(lines.join(QLatin1Char('\n')));
        showProblem({});
    }

protected:
    QString checkInput() const override {
        if (!kindCheck_.refusal.isEmpty()) return kindCheck_.refusal;
        int total = 0, classes = 0;
        for (int count : counts_) {
            total += count;
            if (count > 0) ++classes;
        }
        if (total < FederationWizard::kMinimumImages)
            return tr("Your site has %1 labelled images in the federation's classes; at least %2 are needed. "
                      "Import or label more images, then come back.")
                .arg(total)
                .arg(FederationWizard::kMinimumImages);
        if (classes < 2) return tr("Your images cover only one of the federation's classes; at least two are needed.");
        return {};
    }

private:
    QLabel* summary_;
    QMap<QString, int> counts_;
    ImageKindCheck kindCheck_;
};

// 5. The model bundle on this computer must be the federation's.
class BundlePage : public CheckedWizardPage {
    Q_OBJECT
public:
    explicit BundlePage(QWidget* parent = nullptr) : CheckedWizardPage(parent) {
        setTitle(tr("Check the model files"));
        setSubTitle(tr("Every site must use exactly the same model files, or the shared model would not fit. This "
                       "checks the files on this computer against the federation's."));
        expected_ = makeText({}, this);
        folder_ = new QLineEdit(this);
        folder_->setObjectName(QStringLiteral("bundleFolder"));
        auto* browse = new QPushButton(tr("Choose…"), this);
        auto* row = new QHBoxLayout;
        row->addWidget(folder_, 1);
        row->addWidget(browse);
        result_ = makeText({}, this);
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(expected_);
        layout->addWidget(makeText(tr("Model bundle folder on this computer:"), this));
        layout->addLayout(row);
        layout->addWidget(result_);
        layout->addWidget(busyLabel_);
        layout->addWidget(problemLabel_);
        layout->addWidget(detailsButton_, 0, Qt::AlignLeft);
        layout->addStretch();
        connect(folder_, &QLineEdit::textEdited, this, [this] { invalidate(); });
        connect(browse, &QPushButton::clicked, this, [this] {
            const auto dir = QFileDialog::getExistingDirectory(this, tr("Model bundle folder"), folder_->text());
            if (dir.isEmpty()) return;
            folder_->setText(dir);
            invalidate();
        });
    }

    void initializePage() override {
        auto* wizard = federationWizard();
        expected_->setText(tr("The federation uses the model bundle \"%1\" (fingerprint %2).")
                               .arg(wizard->task.bundleName, shortHash(wizard->task.bundleHash)));
        if (folder_->text().isEmpty()) folder_->setText(effectiveBundleDirectory(*wizard->workspace()));
    }

protected:
    void onCheckSucceeded(const QVariant& value) override {
        federationWizard()->bundleDirectory = folder_->text().trimmed();
        federationWizard()->bundleName = value.toString();
        result_->setText(tr("The model files match the federation's."));
    }

    QString checkInput() const override {
        if (folder_->text().trimmed().isEmpty())
            return tr("Choose the folder with the model bundle (it contains a file called manifest.json).");
        return {};
    }

    bool startCheck() override {
        result_->clear();
        const auto folder = folder_->text().trimmed();
        const auto expectedHash = federationWizard()->task.bundleHash;
        const auto expectedName = federationWizard()->task.bundleName;
        const auto mismatch = tr("These model files are not the ones the federation uses: this folder holds \"%1\" "
                                 "(fingerprint %2), the federation expects \"%3\" (fingerprint %4). Ask your "
                                 "administrator for the right model bundle.");
        const auto unreadable = tr("The model files could not be checked: %1");
        return runner()->start(tr("Checking the model files"), [=](TaskContext&) {
            BundleManifest manifest;
            try {
                manifest = verifyBundleFiles(folder);
            } catch (const std::exception& error) {
                throw Error(unreadable.arg(QString::fromUtf8(error.what())).toStdString());
            }
            const auto hash = QString::fromStdString(manifest.bundleHash);
            if (hash != expectedHash)
                throw Error(mismatch.arg(QString::fromStdString(manifest.name), shortHash(hash), expectedName,
                                         shortHash(expectedHash))
                                .toStdString());
            return QVariant(QString::fromStdString(manifest.name));
        });
    }

private:
    QLabel* expected_;
    QLineEdit* folder_;
    QLabel* result_;
};

// 6. Does the stored setup really work?
class ConnectionPage : public CheckedWizardPage {
    Q_OBJECT
public:
    explicit ConnectionPage(QWidget* parent = nullptr) : CheckedWizardPage(parent) {
        setTitle(tr("Test the connection"));
        setSubTitle(tr("A last check that the coordinator answers and recognises this site."));
        result_ = makeText({}, this);
        result_->setObjectName(QStringLiteral("connectionResult"));
        auto* retry = new QPushButton(tr("Test again"), this);
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(result_);
        layout->addWidget(retry, 0, Qt::AlignLeft);
        layout->addWidget(busyLabel_);
        layout->addWidget(problemLabel_);
        layout->addWidget(detailsButton_, 0, Qt::AlignLeft);
        layout->addStretch();
        connect(retry, &QPushButton::clicked, this, &ConnectionPage::runCheckInPlace);
    }

    void initializePage() override { runCheckInPlace(); }

protected:
    void onCheckSucceeded(const QVariant&) override {
        result_->setText(tr("Connected: the coordinator answers and knows this site."));
    }

    QString checkInput() const override { return {}; }

    bool startCheck() override {
        result_->clear();
        auto* service = federationWizard()->service();
        const auto setup = federationWizard()->setup();
        return runner()->start(tr("Testing the connection"), [service, setup](TaskContext&) {
            service->testConnection(setup);
            return QVariant(true);
        });
    }

private:
    QLabel* result_;
};

// 7. Summary; Finish stores it.
class DonePage : public QWizardPage {
    Q_OBJECT
public:
    explicit DonePage(QWidget* parent = nullptr) : QWizardPage(parent) {
        setTitle(tr("Ready"));
        summary_ = makeText({}, this);
        summary_->setObjectName(QStringLiteral("doneSummary"));
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(summary_);
        layout->addStretch();
        setFinalPage(true);
    }

    void initializePage() override {
        auto* wizard = static_cast<FederationWizard*>(this->wizard());
        summary_->setText(tr("This site joins \"%1\" at %2 with %3 classes. Press Finish to save the setup in this "
                             "workspace; federated training then starts from the Train page.")
                              .arg(wizard->task.name, wizard->identity.url)
                              .arg(wizard->task.classNames.size()));
    }

private:
    QLabel* summary_;
};

CheckedWizardPage::CheckedWizardPage(QWidget* parent) : QWizardPage(parent), runner_(new TaskRunner(this)) {
    problemLabel_ = new QLabel(this);
    problemLabel_->setObjectName(QStringLiteral("uncertaintyWarning"));
    problemLabel_->setWordWrap(true);
    problemLabel_->hide();
    busyLabel_ = new QLabel(this);
    busyLabel_->setObjectName(QStringLiteral("hint"));
    busyLabel_->hide();
    // Created here, placed by each page under its problem label (see problemLabel_'s parent layout).
    detailsButton_ = new QPushButton(tr("Details…"), this);
    detailsButton_->setObjectName(QStringLiteral("problemDetailsButton"));
    detailsButton_->hide();
    connect(detailsButton_, &QPushButton::clicked, this, [this] {
        QMessageBox box(QMessageBox::Information, tr("Details"), details_, QMessageBox::Ok, this);
        box.exec();
    });
    connect(runner_, &TaskRunner::started, this, [this](const QString& title) {
        busyLabel_->setText(title + QStringLiteral("…"));
        busyLabel_->show();
        showProblem({});
        emit completeChanged();
    });
    connect(runner_, &TaskRunner::finished, this, [this] {
        busyLabel_->hide();
        emit completeChanged();
    });
    connect(runner_, &TaskRunner::failed, this, &CheckedWizardPage::checkFailed);
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        onCheckSucceeded(value);
        checkPassed();
    });
}

QString CheckedWizardPage::problem() const { return problemLabel_->isHidden() ? QString() : problemLabel_->text(); }

void CheckedWizardPage::runCheckInPlace() {
    if (isChecking()) return;
    invalidate();
    advanceOnPass_ = false;
    startCheck();
}

bool CheckedWizardPage::isChecking() const { return runner_->isRunning(); }

void CheckedWizardPage::showProblem(const QString& text) {
    problemLabel_->setText(text);
    problemLabel_->setVisible(!text.isEmpty());
    if (text.isEmpty()) {
        details_.clear();
        detailsButton_->hide();
    }
}

void CheckedWizardPage::invalidate() {
    passed_ = false;
    showProblem({});
}

void CheckedWizardPage::checkPassed() {
    passed_ = true;
    showProblem({});
    if (advanceOnPass_ && wizard() && wizard()->currentPage() == this) wizard()->next();
    advanceOnPass_ = false;
}

void CheckedWizardPage::checkFailed(const QString& message) {
    passed_ = false;
    const auto plain = unpackUserMessage(message);
    if (!plain.details.isEmpty()) qCInfo(lcFederation).noquote() << "check failed:" << plain.details;
    showProblem(plain.text);
    details_ = plain.details;
    detailsButton_->setVisible(!details_.isEmpty());
}

bool CheckedWizardPage::validatePage() {
    if (isChecking()) return false;
    const auto inputProblem = checkInput();
    if (!inputProblem.isEmpty()) {
        showProblem(inputProblem);
        return false;
    }
    if (passed_) return true;
    advanceOnPass_ = true;
    if (!startCheck()) return true;
    return false;  // the check's success moves on
}

FederationWizard::FederationWizard(WorkspaceService* workspace, std::shared_ptr<FederationService> service,
                                   QWidget* parent)
    : QWizard(parent), workspace_(workspace), service_(std::move(service)) {
    setWindowTitle(tr("Join a federation"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setMinimumSize(680, 520);

    auto* coordinator = new CoordinatorPage(this);
    auto* certificate = new CertificatePage(coordinator, this);
    auto* mapping = new MappingPage(this);
    auto* data = new DataPage(this);
    auto* bundle = new BundlePage(this);
    auto* connection = new ConnectionPage(this);
    setPage(CoordinatorPageId, coordinator);
    setPage(CertificatePageId, certificate);
    setPage(MappingPageId, mapping);
    setPage(DataPageId, data);
    setPage(BundlePageId, bundle);
    setPage(ConnectionPageId, connection);
    setPage(DonePageId, new DonePage(this));
}

FederationSetup FederationWizard::setup() const {
    FederationSetup setup;
    setup.coordinatorUrl = identity.url;
    setup.federationId = task.federationId;
    setup.federationName = task.name;
    const auto trust = static_cast<CertificatePage*>(page(CertificatePageId))->trust();
    setup.certificateSha256 = trust.pinnedSha256;
    setup.caCertificatesPem = trust.caCertificatesPem;
    setup.classNames = task.classNames;
    setup.promptTemplate = task.promptTemplate;
    setup.labelMapping = labelMapping;
    setup.bundleName = task.bundleName;
    setup.bundleHash = task.bundleHash;
    setup.siteId = task.siteId;
    setup.credential = task.credential;
    return setup;
}

QString FederationWizard::existingMembership() const {
    if (!workspace_) return {};
    const auto setup = workspace_->federationSetup();
    QString federation = setup.isComplete() ? (setup.federationName.isEmpty() ? setup.federationId : setup.federationName) : QString();
    if (federation.isEmpty()) {
        try {
            if (const auto identity = federation::SiteAgent::loadIdentity(QDir(workspace_->rootPath()).filePath(QStringLiteral("federation"))))
                federation = QString::fromStdString(identity->federationId);
        } catch (const std::exception&) {
            // An unreadable identity file is the enrollment's to report.
        }
    }
    if (federation.isEmpty()) return {};
    return tr("This workspace already takes part in federation \u201c%1\u201d. Open another workspace to join a "
              "second one.")
        .arg(federation);
}

QString FederationWizard::currentProblem() const {
    if (auto* page = qobject_cast<CheckedWizardPage*>(currentPage())) return page->problem();
    return {};
}

bool FederationWizard::loadInvitationFile(const QString& path) {
    auto* coordinator = static_cast<CoordinatorPage*>(page(CoordinatorPageId));
    federation::EnrollmentInvitation invitation;
    try {
        invitation = federation::readInvitation(path);
    } catch (const std::exception& error) {
        coordinator->reportProblem(
            tr("The invitation file could not be read: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
    coordinator->prefill(invitation.coordinatorUrl, QString::fromStdString(invitation.code));
    // An invitation with a fingerprint only leaves the comparison to the person.
    if (!invitation.caCertificatesPem.isEmpty())
        static_cast<CertificatePage*>(page(CertificatePageId))->useCa(invitation.caCertificatesPem);
    qCInfo(lcFederation) << "invitation file read for" << invitation.coordinatorUrl;
    return true;
}

bool FederationWizard::loadCaCertificateFile(const QString& path) {
    return static_cast<CertificatePage*>(page(CertificatePageId))->loadCaFile(path);
}

void FederationWizard::refreshData() {
    if (auto* data = dynamic_cast<DataPage*>(page(DataPageId))) data->refresh();
}

void FederationWizard::accept() {
    auto finished = setup();
    finished.completedAt = QDateTime::currentDateTime();
    try {
        workspace_->saveFederationSetup(finished);
        if (!bundleDirectory.isEmpty() && bundleDirectory != workspace_->bundleDirectory())
            workspace_->setBundleDirectory(bundleDirectory);
    } catch (const std::exception& error) {
        if (auto* done = currentPage()) {
            auto* label = done->findChild<QLabel*>(QStringLiteral("doneSummary"));
            if (label) label->setText(tr("The setup could not be saved: %1").arg(error.what()));
        }
        return;
    }
    qCInfo(lcFederation) << "federation setup saved:" << finished.federationName;
    emit setupSaved(finished);
    QWizard::accept();
}

}  // namespace fmc::ui

#include "federation_wizard.moc"
