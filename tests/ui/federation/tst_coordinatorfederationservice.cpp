// The federation wizard and federated training against a real coordinator (core/federation's
// CoordinatorServer over TLS on 127.0.0.1, in this process): the certificate fingerprint the
// wizard shows is the server's, a wrong code is refused in the coordinator's words, a right one
// enrolls with the certificate pinned, and the site then takes part in real rounds, its private
// model checkpointed and resumed after a restart as `fedmedclip-cli site run` does. A second
// coordinator has a certificate from a federation CA (made with openssl here): the wizard takes
// the CA from the operator's invitation file, shows it, checks that the coordinator's
// certificate chains to it (refusing a file that is no certificate and another CA), enrolls
// with the CA, and the site still connects after the coordinator's certificate is renewed.
#include "ui_test_support.h"
#include "models/class_mapping_model.h"
#include "common/codec.h"
#include "federation/coordinator_federation_service.h"
#include "federation/coordinator_probe.h"
#include "coordinator/coordinator_server.h"
#include "site_agent/site_agent.h"
#include "federation/federation_wizard.h"
#include "workspace/task_runner.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTableView>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestCoordinatorFederationService : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void wizardEnrollsWithARealCoordinator();
    void federatedRoundsRunWithTheCoordinator();
    void wizardTrustsTheFederationsCa();

private:
    std::string createFederation(int rounds);
    std::string createFederation(fmc::federation::CoordinatorServer& server, int rounds);
    std::unique_ptr<fmc::federation::CoordinatorServer> startServer(const QString& certificate, const QString& key,
                                                                   const QString& database, quint16 port);
    // Federated training as the Train page runs it (a TaskRunner job), with its progress
    // messages and round statuses. Without `failure` it must succeed.
    void runFederation(CoordinatorFederationService& service, const QString& bundle, TrainingOutcome& outcome,
                       QStringList& progress, QList<RoundStatus>& statuses, QString* failure = nullptr);
    void type(QWizard& wizard, const char* objectName, const QString& text);
    QTemporaryDir dir_;
    QString bundle_, bundleHash_, certificate_, key_;
    std::unique_ptr<fmc::federation::CoordinatorServer> server_;
    QString url_;
    std::unique_ptr<SiteStoreWorkspace> workspace_;
};

void TestCoordinatorFederationService::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
        QSKIP("openssl is needed to make the coordinator's certificate");
    certificate_ = dir_.filePath(QStringLiteral("server.pem"));
    key_ = dir_.filePath(QStringLiteral("server.key"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                   QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                   QStringLiteral("-addext"), QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"),
                   QStringLiteral("-keyout"), key_, QStringLiteral("-out"), certificate_});
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);

    fmc::federation::CoordinatorConfig config;
    config.path = dir_.filePath(QStringLiteral("coordinator.json"));
    config.port = 0;
    config.certificatePath = certificate_;
    config.keyPath = key_;
    config.database.path = dir_.filePath(QStringLiteral("coordinator.sqlite"));
    config.tickIntervalMs = 100;
    server_ = std::make_unique<fmc::federation::CoordinatorServer>(config);
    url_ = QStringLiteral("https://127.0.0.1:%1").arg(server_->listen());

    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
    bundleHash_ = QString::fromStdString(fmc::readManifestFile((bundle_ + QStringLiteral("/manifest.json")).toStdString()).bundleHash);
    writeClassFolders(dir_.filePath(QStringLiteral("data")), {QStringLiteral("melanoma"), QStringLiteral("nevus")}, 12);
    workspace_ = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("ws")));
    workspace_->setBundleDirectory(bundle_);
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("data"))};
    QCOMPARE(workspace_->importImages(request, {}, {}, nullptr).imported, 24);
}

std::string TestCoordinatorFederationService::createFederation(int rounds) {
    return createFederation(*server_, rounds);
}

std::string TestCoordinatorFederationService::createFederation(fmc::federation::CoordinatorServer& server, int rounds) {
    fmc::federation::FederationSettings settings;
    settings.name = "Skin study";
    settings.classNames = {"Melanoma", "Nevus"};
    settings.bundleName = "fedmedclip-demo-tiny";
    settings.bundleHash = bundleHash_.toStdString();
    settings.embeddingDim = 128;
    settings.rounds = rounds;
    settings.minSites = 1;
    settings.roundDeadlineSeconds = 5;
    settings.imageDomain.modalities = {"photo"};  // the workspace's PNG images fit it
    return server.service().createFederation(settings);
}

std::unique_ptr<fmc::federation::CoordinatorServer> TestCoordinatorFederationService::startServer(
    const QString& certificate, const QString& key, const QString& database, quint16 port) {
    fmc::federation::CoordinatorConfig config;
    config.path = dir_.filePath(QStringLiteral("coordinator-ca.json"));
    config.port = port;
    config.certificatePath = certificate;
    config.keyPath = key;
    config.database.path = database;
    config.tickIntervalMs = 100;
    return std::make_unique<fmc::federation::CoordinatorServer>(config);
}

namespace {

// The federation component's log lines (fmc.ui.federation), as the app writes them.
QStringList& federationLog() {
    static QStringList lines;
    return lines;
}

QtMessageHandler previousMessageHandler = nullptr;

void captureFederationLog(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (context.category && QLatin1String(context.category) == QLatin1String("fmc.ui.federation"))
        federationLog() << message;
    if (previousMessageHandler) previousMessageHandler(type, context, message);
}

// From the label mapping page on, with the defaults: data, bundle check, connection test, done.
void finishFromTheMappingPage(FederationWizard& wizard) {
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::DataPageId));
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::BundlePageId));
    wizard.next();
    QTRY_COMPARE_WITH_TIMEOUT(wizard.currentId(), int(FederationWizard::ConnectionPageId), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(wizard.currentPage()
                                 ->findChild<QLabel*>(QStringLiteral("connectionResult"))
                                 ->text()
                                 .contains(QStringLiteral("Connected")),
                             20000);
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::DonePageId));
    wizard.accept();
}

void openssl(const QStringList& arguments) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("openssl"), arguments);
    QVERIFY(process.waitForFinished(60000));
    QVERIFY2(process.exitCode() == 0, process.readAll().constData());
}

// A CA (ECDSA P-256, basicConstraints CA:TRUE) as federation operators make one.
void makeCa(const QString& certificate, const QString& key, const QString& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
             "-out", certificate, "-days", "7", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
}

// A server certificate for localhost / 127.0.0.1 signed by the CA.
void signServerCertificate(const QString& dir, const QString& name, const QString& caCertificate,
                           const QString& caKey) {
    const auto base = dir + QLatin1Char('/') + name;
    QFile extensions(base + QStringLiteral(".ext"));
    QVERIFY(extensions.open(QIODevice::WriteOnly));
    extensions.write(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    extensions.close();
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
             "-out", base + ".csr", "-subj", "/CN=localhost"});
    openssl({"x509", "-req", "-in", base + ".csr", "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial", "-out",
             base + ".pem", "-days", "7", "-extfile", base + ".ext"});
}

QString readText(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll()) : QString();
}

}  // namespace

void TestCoordinatorFederationService::type(QWizard& wizard, const char* objectName, const QString& text) {
    auto* edit = wizard.currentPage()->findChild<QLineEdit*>(QLatin1String(objectName));
    QVERIFY2(edit, objectName);
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

void TestCoordinatorFederationService::wizardEnrollsWithARealCoordinator() {
    const auto federationId = createFederation(2);
    const auto code = server_->service().issueEnrollmentCode(federationId, "Site A", 600).code;
    auto service = std::make_shared<CoordinatorFederationService>(workspace_->rootPath());
    FederationWizard wizard(workspace_.get(), service);
    wizard.show();

    type(wizard, "coordinatorAddress", url_);
    type(wizard, "enrollmentCode", QStringLiteral("WrongCode-123456"));
    wizard.next();
    QTRY_COMPARE_WITH_TIMEOUT(wizard.currentId(), int(FederationWizard::CertificatePageId), 20000);
    const auto expected = formatFingerprint(QSslCertificate::fromPath(certificate_).value(0).digest(QCryptographicHash::Sha256));
    QCOMPARE(wizard.currentPage()->findChild<QLabel*>(QStringLiteral("fingerprint"))->text(), expected);
    wizard.currentPage()->findChild<QCheckBox*>(QStringLiteral("confirmFingerprint"))->setChecked(true);
    wizard.next();
    // The coordinator's own refusal reaches the page.
    QTRY_VERIFY_WITH_TIMEOUT(!wizard.currentProblem().isEmpty(), 20000);
    QCOMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    qInfo("wrong code: %s", qPrintable(wizard.currentProblem()));

    wizard.back();
    type(wizard, "enrollmentCode", QString::fromStdString(code));
    wizard.next();
    QTRY_COMPARE_WITH_TIMEOUT(wizard.currentId(), int(FederationWizard::CertificatePageId), 20000);
    wizard.next();
    QTRY_COMPARE_WITH_TIMEOUT(wizard.currentId(), int(FederationWizard::MappingPageId), 20000);
    QCOMPARE(wizard.task.classNames, (QStringList{QStringLiteral("Melanoma"), QStringLiteral("Nevus")}));
    QCOMPARE(wizard.task.bundleHash, bundleHash_);
    QCOMPARE(wizard.task.imageDomain.modalities, std::vector<std::string>{"photo"});
    auto* mapping = qobject_cast<ClassMappingModel*>(
        wizard.currentPage()->findChild<QTableView*>(QStringLiteral("mappingTable"))->model());
    // Folder names match the classes up to case.
    QCOMPARE(mapping->coveredClasses().size(), 2);
    finishFromTheMappingPage(wizard);
    if (QTest::currentTestFailed()) return;
    const auto setup = workspace_->federationSetup();
    QVERIFY(setup.isComplete());
    QCOMPARE(setup.federationId, QString::fromStdString(federationId));
    QCOMPARE(setup.certificateSha256, expected);
    QVERIFY(QFileInfo::exists(service->stateDirectory() + QStringLiteral("/site.json")));
    // The token is in the state folder, not in the workspace's setup.
    QVERIFY(setup.credential.isEmpty());
}

void TestCoordinatorFederationService::runFederation(CoordinatorFederationService& service, const QString& bundle,
                                                     TrainingOutcome& outcome, QStringList& progress,
                                                     QList<RoundStatus>& statuses, QString* failure) {
    TaskRunner runner;
    QSignalSpy done(&runner, &TaskRunner::succeeded);
    QSignalSpy failed(&runner, &TaskRunner::failed);
    connect(&runner, &TaskRunner::progressChanged, [&](int, int, const QString& message) { progress << message; });
    connect(&runner, &TaskRunner::partialResult, [&](const QVariant& value) {
        if (value.canConvert<RoundStatus>()) statuses << value.value<RoundStatus>();
    });
    TrainingConfig config;
    config.bundleDirectory = bundle;
    runner.start(QStringLiteral("federated"), [&](TaskContext& context) {
        return QVariant::fromValue(service.runFederatedTraining(*workspace_, config, context));
    });
    QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 120000);
    if (failure) {
        *failure = failed.isEmpty() ? QString() : failed.first().first().toString();
        return;
    }
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    outcome = done.first().first().value<TrainingOutcome>();
}

namespace {

fmc::ParameterSet readParameters(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const auto bytes = file.readAll();
    return fmc::decodeParameters(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

bool sameParameters(const fmc::ParameterSet& a, const fmc::ParameterSet& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].shape != b[i].shape || a[i].values != b[i].values) return false;
    return true;
}

}  // namespace

void TestCoordinatorFederationService::federatedRoundsRunWithTheCoordinator() {
    if (!workspace_->federationSetup().isComplete()) QSKIP("needs the enrollment of the previous test");
    if (!previousMessageHandler) previousMessageHandler = qInstallMessageHandler(captureFederationLog);
    auto service = std::make_shared<CoordinatorFederationService>(workspace_->rootPath());
    const auto checkpoint = service->stateDirectory() + QStringLiteral("/local-model.fmcp");
    QVERIFY(!QFileInfo::exists(checkpoint));
    TrainingOutcome outcome;
    QStringList progress;
    QList<RoundStatus> statuses;
    runFederation(*service, bundle_, outcome, progress, statuses);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(outcome.roundsDone, 2);
    const auto federationRun = outcome.runId;
    const auto runCount = workspace_->runs().size();
    const auto rows = workspace_->history(outcome.runId);
    QCOMPARE(rows.size(), 2);

    // Which classes the rounds were evaluated on: the validation split, or the test split
    // when the import made none.
    const auto classOfLabel = workspace_->classIndexOfLabels();
    QMap<QString, QSet<int>> classesBySplit;
    for (const auto& image : workspace_->images())
        if (classOfLabel.contains(image.label)) classesBySplit[image.split] << classOfLabel.value(image.label);
    const auto evaluated = classesBySplit.value(kSplitValidation).isEmpty() ? classesBySplit.value(kSplitTest)
                                                                            : classesBySplit.value(kSplitValidation);
    QVERIFY(!evaluated.isEmpty());
    for (const auto& row : rows) {
        QVERIFY(row.bytesSent > 0);
        // Round 1 starts from the FAM every site computes from the task's seed: nothing to download.
        QCOMPARE(row.bytesReceived > 0, row.round > 1);
        QVERIFY(row.loss > 0);
        // Per-class recall from the round's own evaluation, NaN for a class without evaluation images.
        QCOMPARE(row.perClassRecall.size(), 2);
        double recallSum = 0;
        for (int c = 0; c < 2; ++c) {
            const double recall = row.perClassRecall[c];
            QCOMPARE(std::isfinite(recall), evaluated.contains(c));
            if (std::isfinite(recall)) {
                QVERIFY(recall >= 0 && recall <= 1);
                recallSum += recall;
            }
        }
        QVERIFY(std::abs(recallSum / evaluated.size() - row.balancedAccuracy) < 1e-9);
    }
    QVERIFY(!statuses.isEmpty());
    // The private model was checkpointed where `fedmedclip-cli site run` keeps it; the final
    // model (the federation's FAM and this site's MLP) is both the checkpoint and the site model.
    const auto trained = readParameters(checkpoint);
    QVERIFY(!trained.empty());
    QVERIFY(sameParameters(workspace_->siteModel(), trained));
    // Kept with a calibration for the kind of image the federation declares.
    const auto calibration = SiteStoreWorkspace::open(workspace_->rootPath())->siteModelCalibration();
    QVERIFY(calibration);
    QCOMPARE(calibration->domain.modalities, std::vector<std::string>{"photo"});
    QCOMPARE(calibration->ensemble.fitted, !classesBySplit.value(kSplitValidation).isEmpty());
    // Blocking client calls run on a worker while this thread serves the coordinator.
    const auto setup = workspace_->federationSetup();
    auto status = QtConcurrent::run([service, setup] { return service->roundStatus(setup); });
    QTRY_VERIFY_WITH_TIMEOUT(status.isFinished(), 20000);
    QCOMPARE(status.result().state, RoundStatus::State::Finished);

    // The app restarted: a new service resumes the private model from the checkpoint, so the
    // final model it keeps again is the one trained, not a fresh MLP with the federation's FAM.
    const auto resumedNote = QStringLiteral("resumed the local model from ") + checkpoint;
    CoordinatorFederationService restarted(workspace_->rootPath());
    progress.clear();
    federationLog().clear();
    runFederation(restarted, bundle_, outcome, progress, statuses);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(outcome.roundsDone, 0);
    // One federation is one History run: the restart adds none, and a finished federation
    // started again was not interrupted.
    QCOMPARE(workspace_->runs().size(), runCount);
    if (!outcome.runId.isEmpty()) QCOMPARE(outcome.runId, federationRun);
    for (const auto& run : workspace_->runs())
        if (run.id == federationRun) {
            QVERIFY(run.interruptions.isEmpty());
            QCOMPARE(run.status, kRunFinished);
        }
    QVERIFY2(federationLog().contains(resumedNote), qPrintable(federationLog().join(QLatin1Char('\n'))));
    QVERIFY2(progress.contains(QStringLiteral("The federation has finished. This site's final model is saved and the "
                                              "Classify page uses it.")),
             qPrintable(progress.join(QLatin1Char('\n'))));
    QVERIFY(sameParameters(workspace_->siteModel(), trained));

    // Without the checkpoint the private MLP starts afresh, and the kept model differs.
    QVERIFY(QFile::remove(checkpoint));
    CoordinatorFederationService withoutCheckpoint(workspace_->rootPath());
    progress.clear();
    federationLog().clear();
    runFederation(withoutCheckpoint, bundle_, outcome, progress, statuses);
    if (QTest::currentTestFailed()) return;
    QVERIFY(!federationLog().isEmpty());
    QVERIFY(!federationLog().contains(resumedNote));
    QVERIFY(!sameParameters(workspace_->siteModel(), trained));
    QVERIFY(QFileInfo::exists(checkpoint));

    // Another bundle is refused in the app's words, before any image is read.
    const auto otherBundle = makeTinyBundle(dir_.filePath(QStringLiteral("other-bundle")), 7);
    QString failure;
    runFederation(withoutCheckpoint, otherBundle, outcome, progress, statuses, &failure);
    QVERIFY2(failure.contains(QStringLiteral("is not the federation's")) &&
                 failure.contains(QStringLiteral("Choose the federation's bundle in Settings")),
             qPrintable(failure));
}

void TestCoordinatorFederationService::wizardTrustsTheFederationsCa() {
    const auto pki = dir_.filePath(QStringLiteral("pki"));
    QDir().mkpath(pki);
    const auto ca = pki + QStringLiteral("/federation-ca.pem"), caKey = pki + QStringLiteral("/federation-ca.key");
    const auto otherCa = pki + QStringLiteral("/other-ca.pem"), otherKey = pki + QStringLiteral("/other-ca.key");
    makeCa(ca, caKey, QStringLiteral("FedMedCLIP federation CA"));
    makeCa(otherCa, otherKey, QStringLiteral("Some other CA"));
    signServerCertificate(pki, QStringLiteral("server-2026"), ca, caKey);
    signServerCertificate(pki, QStringLiteral("server-renewed"), ca, caKey);
    if (QTest::currentTestFailed()) return;
    const auto database = dir_.filePath(QStringLiteral("coordinator-ca.sqlite"));
    auto server =
        startServer(pki + QStringLiteral("/server-2026.pem"), pki + QStringLiteral("/server-2026.key"), database, 0);
    const quint16 port = server->listen();
    const auto url = QStringLiteral("https://127.0.0.1:%1").arg(port);
    const auto federationId = createFederation(*server, 2);
    // What `fedmedclip-coordinator issue-code --out` writes for the site.
    fmc::federation::EnrollmentInvitation invitation;
    invitation.coordinatorUrl = url;
    invitation.code = server->service().issueEnrollmentCode(federationId, "Site CA", 600).code;
    invitation.caCertificatesPem = readText(ca);
    const auto invitationFile = dir_.filePath(QStringLiteral("site-ca-invitation.json"));
    fmc::federation::writeInvitation(invitationFile, invitation);

    auto workspace = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("ws-ca")));
    workspace->setBundleDirectory(bundle_);
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("data"))};
    QCOMPARE(workspace->importImages(request, {}, {}, nullptr).imported, 24);
    auto service = std::make_shared<CoordinatorFederationService>(workspace->rootPath());
    FederationWizard wizard(workspace.get(), service);
    wizard.show();

    // The invitation fills in the address and the code, and brings the CA.
    QVERIFY(wizard.loadInvitationFile(invitationFile));
    QCOMPARE(wizard.currentPage()->findChild<QLineEdit*>(QStringLiteral("coordinatorAddress"))->text(), url);
    QCOMPARE(wizard.currentPage()->findChild<QLineEdit*>(QStringLiteral("enrollmentCode"))->text(),
             QString::fromStdString(invitation.code));
    wizard.next();
    QTRY_COMPARE_WITH_TIMEOUT(wizard.currentId(), int(FederationWizard::CertificatePageId), 20000);
    auto* page = wizard.currentPage();
    QVERIFY(page->findChild<QRadioButton*>(QStringLiteral("trustCa"))->isChecked());
    auto* chain = page->findChild<QLabel*>(QStringLiteral("caChain"));
    auto* next = wizard.button(QWizard::NextButton);
    QTRY_VERIFY_WITH_TIMEOUT(chain->text().contains(QStringLiteral("signed by this CA")), 20000);
    const auto caCertificate = QSslCertificate::fromPath(ca).value(0);
    const auto details = page->findChild<QLabel*>(QStringLiteral("caDetails"))->text();
    QVERIFY2(details.contains(QStringLiteral("FedMedCLIP federation CA")) &&
                 details.contains(formatFingerprint(caCertificate.digest(QCryptographicHash::Sha256))) &&
                 details.contains(QLocale().toString(caCertificate.expiryDate().date(), QLocale::LongFormat)),
             qPrintable(details));
    QTRY_VERIFY(next->isEnabled());

    // A file that is no certificate, and a CA that did not sign the coordinator's certificate.
    const auto notPem = dir_.filePath(QStringLiteral("readme.txt"));
    writeBytes(notPem, "Federation CA: see the attachment.\n");
    QVERIFY(!wizard.loadCaCertificateFile(notPem));
    QVERIFY2(wizard.currentProblem().contains(QStringLiteral("not a PEM certificate")),
             qPrintable(wizard.currentProblem()));
    QVERIFY(!next->isEnabled());
    QVERIFY(wizard.loadCaCertificateFile(otherCa));
    QTRY_VERIFY_WITH_TIMEOUT(wizard.currentProblem().contains(QStringLiteral("not signed by this CA")), 20000);
    qInfo("another CA: %s", qPrintable(wizard.currentProblem()));
    QVERIFY(!next->isEnabled());
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));

    // The right CA (here from its PEM file) enrolls.
    QVERIFY(wizard.loadCaCertificateFile(ca));
    QTRY_VERIFY_WITH_TIMEOUT(chain->text().contains(QStringLiteral("signed by this CA")), 20000);
    QTRY_VERIFY(next->isEnabled());
    wizard.next();
    QTRY_VERIFY_WITH_TIMEOUT(
        wizard.currentId() == int(FederationWizard::MappingPageId) || !wizard.currentProblem().isEmpty(), 20000);
    QVERIFY2(wizard.currentProblem().isEmpty(), qPrintable(wizard.currentProblem()));
    QCOMPARE(wizard.currentId(), int(FederationWizard::MappingPageId));
    finishFromTheMappingPage(wizard);
    if (QTest::currentTestFailed()) return;

    // The site keeps the CA, not a pin.
    const auto setup = workspace->federationSetup();
    QVERIFY(setup.isComplete());
    QVERIFY(setup.certificateSha256.isEmpty());
    QCOMPARE(QSslCertificate::fromData(setup.caCertificatesPem.toLatin1()).value(0), caCertificate);
    const auto identity = fmc::federation::SiteAgent::loadIdentity(service->stateDirectory());
    QVERIFY(identity);
    QVERIFY(identity->pinnedSha256.isEmpty());
    QCOMPARE(QSslCertificate::fromData(identity->caCertificatesPem.toLatin1()).value(0), caCertificate);

    // The coordinator renews its certificate (same CA, new key): a pin would no longer match,
    // the CA still vouches for it.
    server.reset();
    server = startServer(pki + QStringLiteral("/server-renewed.pem"), pki + QStringLiteral("/server-renewed.key"),
                         database, port);
    QCOMPARE(server->listen(), port);
    QVERIFY(QSslCertificate::fromPath(pki + QStringLiteral("/server-renewed.pem"))
                .value(0)
                .digest(QCryptographicHash::Sha256) !=
            QSslCertificate::fromPath(pki + QStringLiteral("/server-2026.pem"))
                .value(0)
                .digest(QCryptographicHash::Sha256));
    auto connected = QtConcurrent::run([service, setup] {
        try {
            service->testConnection(setup);
            return QString();
        } catch (const std::exception& error) {
            return QString::fromUtf8(error.what());
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(connected.isFinished(), 30000);
    QVERIFY2(connected.result().isEmpty(), qPrintable(connected.result()));
}

QTEST_MAIN(TestCoordinatorFederationService)
#include "tst_coordinatorfederationservice.moc"
