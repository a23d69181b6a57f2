#pragma once
// Joining a federation, for site staff: coordinator address and enrollment code (typed, or
// from the invitation file the operator issued) -> confirm the coordinator's certificate
// fingerprint, or trust the federation's CA certificate once the coordinator's certificate
// is seen to chain to it -> map local labels onto the
// federation's classes -> check the site's data -> check the model bundle -> test the
// connection -> done. Each page checks its input and explains a problem in plain words;
// checks that need the network or the disk run on a worker thread. Going back keeps what
// was typed. Finishing stores the setup in the workspace.
#include "federation/federation_types.h"
#include "workspace/workspace_types.h"

#include <QWizard>
#include <QWizardPage>

#include <memory>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
QT_END_NAMESPACE

namespace fmc::ui {

class ClassMappingModel;
class FederationService;
class TaskRunner;
class WorkspaceService;

class FederationWizard : public QWizard {
    Q_OBJECT
public:
    enum PageId { CoordinatorPageId, CertificatePageId, MappingPageId, DataPageId, BundlePageId, ConnectionPageId, DonePageId };
    // A site needs at least this many labelled images in the federation's classes.
    static constexpr int kMinimumImages = 10;

    FederationWizard(WorkspaceService* workspace, std::shared_ptr<FederationService> service, QWidget* parent = nullptr);

    WorkspaceService* workspace() const { return workspace_; }
    FederationService* service() const { return service_.get(); }

    // What the pages found out so far.
    CoordinatorIdentity identity;
    FederationTask task;
    QMap<QString, QString> labelMapping;
    QString bundleDirectory;
    QString bundleName;

    // The setup the wizard would store now.
    FederationSetup setup() const;
    // Fills in the coordinator page (address and code) and the certificate page (the
    // federation's CA) from an invitation file (fedmedclip-coordinator issue-code --out).
    // False, with the reason on the coordinator page, when it cannot be read.
    bool loadInvitationFile(const QString& path);
    // Trusts the federation's CA from a PEM file (or an invitation file) on the certificate
    // page, which then checks the coordinator's certificate against it. False, with the
    // reason on that page, when the file holds no usable CA certificate.
    bool loadCaCertificateFile(const QString& path);
    // The message the current page shows for a problem ("" when none).
    QString currentProblem() const;

    void accept() override;

signals:
    // The data page's "Import images…": the main window imports, then calls refreshData().
    void importRequested();
    void setupSaved(const fmc::ui::FederationSetup& setup);

public slots:
    void refreshData();

private:
    WorkspaceService* workspace_;
    std::shared_ptr<FederationService> service_;
};

// Base of the wizard's pages: an inline problem message, and an optional check on a worker
// thread that has to pass before Next moves on (validatePage starts it, its success moves on).
class CheckedWizardPage : public QWizardPage {
    Q_OBJECT
public:
    explicit CheckedWizardPage(QWidget* parent = nullptr);

    bool validatePage() override;
    void cleanupPage() override {}  // going back keeps what was typed
    QString problem() const;
    TaskRunner* runner() const { return runner_; }
    bool isChecking() const;

protected:
    FederationWizard* federationWizard() const { return static_cast<FederationWizard*>(wizard()); }
    // Problems found without a worker ("" when the input is fine).
    virtual QString checkInput() const = 0;
    // Starts the worker check; false when the page has none.
    virtual bool startCheck() { return false; }
    // The worker check's result, before the page counts as passed.
    virtual void onCheckSucceeded(const QVariant&) {}
    // Runs the worker check now (e.g. when the page opens) without moving on afterwards.
    void runCheckInPlace();
    void showProblem(const QString& text);
    // Inputs changed: the worker check must run again.
    void invalidate();
    void checkPassed();
    void checkFailed(const QString& message);
    QLabel* problemLabel_;
    QLabel* busyLabel_;

private:
    TaskRunner* runner_;
    bool passed_ = false;
    bool advanceOnPass_ = false;
};

}  // namespace fmc::ui
