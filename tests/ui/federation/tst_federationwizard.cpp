// FederationWizard against a scripted coordinator: every page refuses bad input with a
// plain-words message and stays; good input moves on (network and disk checks on a worker);
// going back keeps what was entered; Finish stores the setup in the workspace.
#include "models/class_mapping_model.h"
#include "federation/federation_service.h"
#include "federation/federation_wizard.h"
#include "federation/image_kind_check.h"
#include "ui_test_support.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace fmc::ui;
using namespace fmc::ui::test;

namespace {

// A coordinator that answers as the test tells it to.
class ScriptedCoordinator : public FederationService {
public:
    QString bundleHash;
    std::atomic<bool> refuseConnection{false};
    fmc::ImageDomain imageDomain;  // what the federation declares
    std::atomic<int> identityCalls{0}, enrollCalls{0}, connectionTests{0}, authorityChecks{0};

    CoordinatorIdentity fetchIdentity(const QUrl& url) override {
        ++identityCalls;
        if (url.host() == QLatin1String("unreachable.test"))
            throw fmc::Error("Could not reach the coordinator at " + url.toString().toStdString() +
                             ": no computer with that name was found");
        return {url.toString(), QStringLiteral("AB:CD:EF:01"), QStringLiteral("coordinator.test"),
                QStringLiteral("Test Federation CA"), QDateTime::currentDateTime().addYears(1)};
    }
    QString verifyAuthority(const QUrl&, const QList<QSslCertificate>&) override {
        ++authorityChecks;
        return QStringLiteral("its certificate is not signed by this CA");
    }
    FederationTask enroll(const QUrl&, const QString& code, const CoordinatorTrust& trust) override {
        ++enrollCalls;
        if (code == QLatin1String("USED-CODE-1")) throw fmc::Error("The enrollment code was already used.");
        // What the site client says when the coordinator is down, and when it refuses a code.
        if (code == QLatin1String("DOWN-CODE-1"))
            throw fmc::Error("cannot reach the coordinator at https://coordinator.test:8443 (POST /enroll) after 2 "
                             "attempts: Connection refused");
        if (code == QLatin1String("UNKNOWN-CODE-1"))
            throw fmc::Error("POST /enroll: the coordinator answered 403: code: unknown enrollment code");
        if (trust.pinnedSha256 != QLatin1String("AB:CD:EF:01") || !trust.caCertificatesPem.isEmpty())
            throw fmc::Error("unexpected certificate");
        FederationTask task;
        task.federationId = QStringLiteral("fed-1");
        task.name = QStringLiteral("Skin study");
        task.classNames = {QStringLiteral("Melanoma"), QStringLiteral("Nevus"), QStringLiteral("Keratosis")};
        task.promptTemplate = QStringLiteral("a dermoscopy photo of {}");
        task.bundleName = QStringLiteral("fedmedclip-demo-tiny");
        task.bundleHash = bundleHash;
        task.siteId = QStringLiteral("site-7");
        task.credential = QStringLiteral("token-7");
        task.imageDomain = imageDomain;
        return task;
    }
    void testConnection(const FederationSetup& setup) override {
        ++connectionTests;
        if (refuseConnection) throw fmc::Error("The coordinator did not accept this site's credential.");
        if (setup.credential != QLatin1String("token-7")) throw fmc::Error("wrong credential");
    }
    RoundStatus roundStatus(const FederationSetup&) override { return {}; }
    TrainingOutcome runFederatedTraining(WorkspaceService&, const TrainingConfig&, TaskContext&) override {
        throw fmc::Error("the scripted coordinator runs no rounds");
    }
};

}  // namespace

class TestFederationWizard : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void coordinatorPageChecksItsInput_data();
    void coordinatorPageChecksItsInput();
    void walkThroughEveryPageAndFinish();
    void tooFewImagesAreRefused();
    void aFederationForAnotherKindOfImageIsRefused();
    void imagesOfAnotherKindAreNamed_data();
    void imagesOfAnotherKindAreNamed();
    void aCaFileThatIsNoCertificateKeepsNextDisabled();
    void aSecondFederationIsRefusedBeforeAnyInput();
    void aCoordinatorDownIsNotARefusal_data();
    void aCoordinatorDownIsNotARefusal();

private:
    std::unique_ptr<SiteStoreWorkspace> makeWorkspace(const QString& name, int melanoma, int moles);
    void type(QWizard& wizard, const char* objectName, const QString& text);
    // Coordinator and code, the fingerprint confirmed, "mole" mapped to Nevus: on the data page.
    void walkToDataPage(FederationWizard& wizard);
    QString problem(FederationWizard& wizard) { return wizard.currentProblem(); }

    QTemporaryDir dir_;
    QString bundle_, otherBundle_;
    QString bundleHash_;
};

void TestFederationWizard::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
    otherBundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("other-bundle")), 99);
    bundleHash_ = QString::fromStdString(fmc::readManifestFile((bundle_ + QStringLiteral("/manifest.json")).toStdString()).bundleHash);
}

std::unique_ptr<SiteStoreWorkspace> TestFederationWizard::makeWorkspace(const QString& name, int melanoma, int moles) {
    const auto data = dir_.filePath(name + QStringLiteral("-data"));
    auto write = [&](const QString& label, int count, int firstVariant) {
        for (int i = 0; i < count; ++i)
            writeImage(QStringLiteral("%1/%2/%3.png").arg(data, label).arg(i), patternImage(firstVariant + i));
    };
    write(QStringLiteral("melanoma"), melanoma, 0);
    write(QStringLiteral("mole"), moles, 1000);
    write(QStringLiteral("other"), 2, 2000);
    auto workspace = SiteStoreWorkspace::create(dir_.filePath(name));
    workspace->setBundleDirectory(bundle_);
    ImportRequest request;
    request.paths = {data};
    workspace->importImages(request, {}, {}, nullptr);
    return workspace;
}

void TestFederationWizard::type(QWizard& wizard, const char* objectName, const QString& text) {
    auto* edit = wizard.currentPage()->findChild<QLineEdit*>(QLatin1String(objectName));
    QVERIFY2(edit, objectName);
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

void TestFederationWizard::walkToDataPage(FederationWizard& wizard) {
    type(wizard, "coordinatorAddress", QStringLiteral("https://coordinator.test"));
    type(wizard, "enrollmentCode", QStringLiteral("GOOD-CODE-2"));
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    wizard.currentPage()->findChild<QCheckBox*>(QStringLiteral("confirmFingerprint"))->setChecked(true);
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::MappingPageId));
    auto* mapping = qobject_cast<ClassMappingModel*>(
        wizard.currentPage()->findChild<QTableView*>(QStringLiteral("mappingTable"))->model());
    for (int row = 0; row < mapping->rowCount(); ++row)
        if (mapping->index(row, 0).data().toString() == QLatin1String("mole"))
            mapping->setData(mapping->index(row, ClassMappingModel::FederationClassColumn), QStringLiteral("Nevus"));
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::DataPageId));
}

void TestFederationWizard::coordinatorPageChecksItsInput_data() {
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("problem");  // a phrase of the message; empty: accepted
    QTest::newRow("empty address") << "" << "ABC-123" << "Type the coordinator's address";
    QTest::newRow("plain http") << "http://coordinator.test" << "ABC-123" << "not encrypted";
    QTest::newRow("no scheme") << "coordinator.test:8443" << "ABC-123" << "https:// at the start";
    QTest::newRow("not a url") << "https://" << "ABC-123" << "does not look like a coordinator address";
    QTest::newRow("ftp") << "ftp://coordinator.test" << "ABC-123" << "does not look like a coordinator address";
    QTest::newRow("empty code") << "https://coordinator.test:8443" << "" << "enrollment code your federation";
    QTest::newRow("short code") << "https://coordinator.test:8443" << "AB1" << "looks incomplete";
    QTest::newRow("code with spaces") << "https://coordinator.test:8443" << "AB 12 34" << "looks incomplete";
    QTest::newRow("unreachable") << "https://unreachable.test" << "ABC-123" << "no computer with that name";
    QTest::newRow("valid") << "https://coordinator.test:8443" << "ABC-123" << "";
}

void TestFederationWizard::coordinatorPageChecksItsInput() {
    QFETCH(QString, address);
    QFETCH(QString, code);
    QFETCH(QString, problem);
    auto workspace = makeWorkspace(QStringLiteral("ws-%1").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-')), 6, 6);
    auto service = std::make_shared<ScriptedCoordinator>();
    FederationWizard wizard(workspace.get(), service);
    wizard.show();
    type(wizard, "coordinatorAddress", address);
    type(wizard, "enrollmentCode", code);
    wizard.next();
    if (problem.isEmpty()) {
        QTRY_COMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
        QCOMPARE(wizard.identity.certificateSha256, QStringLiteral("AB:CD:EF:01"));
    } else {
        QTRY_VERIFY2(this->problem(wizard).contains(problem), qPrintable(this->problem(wizard)));
        QCOMPARE(wizard.currentId(), int(FederationWizard::CoordinatorPageId));
    }
}

void TestFederationWizard::walkThroughEveryPageAndFinish() {
    auto workspace = makeWorkspace(QStringLiteral("walk"), 8, 8);
    auto service = std::make_shared<ScriptedCoordinator>();
    service->bundleHash = bundleHash_;
    FederationWizard wizard(workspace.get(), service);
    wizard.show();

    // 1 -> 2
    type(wizard, "coordinatorAddress", QStringLiteral("https://coordinator.test:8443"));
    type(wizard, "enrollmentCode", QStringLiteral("USED-CODE-1"));
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    QCOMPARE(wizard.currentPage()->findChild<QLabel*>(QStringLiteral("fingerprint"))->text(), QStringLiteral("AB:CD:EF:01"));

    // The fingerprint must be confirmed.
    wizard.next();
    QVERIFY(problem(wizard).contains(QStringLiteral("tick the box")));
    QCOMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    auto* confirm = wizard.currentPage()->findChild<QCheckBox*>(QStringLiteral("confirmFingerprint"));
    confirm->setChecked(true);
    // A used code is refused by the coordinator, in its words.
    wizard.next();
    QTRY_VERIFY(problem(wizard).contains(QStringLiteral("already used")));
    QCOMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));

    // Back keeps the inputs; a corrected code enrolls.
    wizard.back();
    QCOMPARE(wizard.currentId(), int(FederationWizard::CoordinatorPageId));
    QCOMPARE(wizard.currentPage()->findChild<QLineEdit*>(QStringLiteral("coordinatorAddress"))->text(),
             QStringLiteral("https://coordinator.test:8443"));
    type(wizard, "enrollmentCode", QStringLiteral("GOOD-CODE-1"));
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    QVERIFY(confirm->isChecked());  // same certificate: still confirmed
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::MappingPageId));
    QCOMPARE(service->enrollCalls.load(), 2);
    QCOMPARE(wizard.task.name, QStringLiteral("Skin study"));

    // 3: only "melanoma" matches a class by name; one class is not enough.
    auto* mapping = qobject_cast<ClassMappingModel*>(
        wizard.currentPage()->findChild<QTableView*>(QStringLiteral("mappingTable"))->model());
    QVERIFY(mapping);
    QCOMPARE(mapping->coveredClasses(), QStringList{QStringLiteral("Melanoma")});
    wizard.next();
    QVERIFY(problem(wizard).contains(QStringLiteral("at least two")));
    QCOMPARE(wizard.currentId(), int(FederationWizard::MappingPageId));
    int moleRow = -1;
    for (int row = 0; row < mapping->rowCount(); ++row)
        if (mapping->index(row, 0).data().toString() == QLatin1String("mole")) moleRow = row;
    QVERIFY2(moleRow >= 0, qPrintable(mapping->mapping().keys().join(",")));
    QVERIFY(mapping->setData(mapping->index(moleRow, ClassMappingModel::FederationClassColumn), QStringLiteral("Nevus")));
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::DataPageId));

    // 4: 16 images in two classes.
    QVERIFY(wizard.currentPage()->findChild<QLabel*>(QStringLiteral("dataSummary"))->text().contains(QStringLiteral("Nevus")));
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::BundlePageId));

    // 5: another bundle is refused, naming both; then the right one.
    auto* folder = wizard.currentPage()->findChild<QLineEdit*>(QStringLiteral("bundleFolder"));
    QCOMPARE(folder->text(), bundle_);
    type(wizard, "bundleFolder", dir_.filePath(QStringLiteral("walk")));
    wizard.next();
    QTRY_VERIFY(problem(wizard).contains(QStringLiteral("manifest.json")));
    type(wizard, "bundleFolder", otherBundle_);
    wizard.next();
    QTRY_VERIFY(problem(wizard).contains(QStringLiteral("not the ones the federation uses")));
    QCOMPARE(wizard.currentId(), int(FederationWizard::BundlePageId));
    // Going back keeps the mapping.
    wizard.back();
    wizard.back();
    QCOMPARE(wizard.currentId(), int(FederationWizard::MappingPageId));
    QCOMPARE(mapping->mapping().value(QStringLiteral("mole")), QStringLiteral("Nevus"));
    wizard.next();
    wizard.next();
    type(wizard, "bundleFolder", bundle_);
    service->refuseConnection = true;
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::ConnectionPageId));

    // 6: the test runs by itself; a refusal blocks Next until a retry succeeds.
    QTRY_VERIFY(problem(wizard).contains(QStringLiteral("did not accept")));
    wizard.next();
    QTRY_VERIFY(service->connectionTests.load() >= 2);
    QTRY_VERIFY(problem(wizard).contains(QStringLiteral("did not accept")));
    QCOMPARE(wizard.currentId(), int(FederationWizard::ConnectionPageId));
    service->refuseConnection = false;
    for (auto* button : wizard.currentPage()->findChildren<QPushButton*>())
        if (button->text() == wizard.currentPage()->tr("Test again")) button->click();
    QTRY_VERIFY(wizard.currentPage()->findChild<QLabel*>(QStringLiteral("connectionResult"))->text().contains(QStringLiteral("Connected")));
    QCOMPARE(wizard.currentId(), int(FederationWizard::ConnectionPageId));  // a retry does not move on by itself
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::DonePageId));

    // 7: Finish stores the setup.
    wizard.accept();
    const auto setup = workspace->federationSetup();
    QVERIFY(setup.isComplete());
    QCOMPARE(setup.coordinatorUrl, QStringLiteral("https://coordinator.test:8443"));
    QCOMPARE(setup.certificateSha256, QStringLiteral("AB:CD:EF:01"));
    QCOMPARE(setup.bundleHash, bundleHash_);
    // The site's token stays in its state folder (owner-readable only), never in the site store.
    QVERIFY(setup.credential.isEmpty());
    QCOMPARE(setup.labelMapping.value(QStringLiteral("mole")), QStringLiteral("Nevus"));
    QCOMPARE(workspace->classNames(), setup.classNames);
    QCOMPARE(SiteStoreWorkspace::open(workspace->rootPath())->federationSetup().federationName, QStringLiteral("Skin study"));
}

void TestFederationWizard::tooFewImagesAreRefused() {
    auto workspace = makeWorkspace(QStringLiteral("small"), 3, 3);
    auto service = std::make_shared<ScriptedCoordinator>();
    service->bundleHash = bundleHash_;
    FederationWizard wizard(workspace.get(), service);
    wizard.show();
    walkToDataPage(wizard);
    if (QTest::currentTestFailed()) return;
    wizard.next();
    QVERIFY2(problem(wizard).contains(QStringLiteral("6 labelled images")), qPrintable(problem(wizard)));
    QCOMPARE(wizard.currentId(), int(FederationWizard::DataPageId));
}

// The federation's task declares CT images; the workspace holds photos: the data page names
// the federation and both kinds, and Next stays on it.
void TestFederationWizard::aFederationForAnotherKindOfImageIsRefused() {
    auto workspace = makeWorkspace(QStringLiteral("photos"), 12, 12);
    auto service = std::make_shared<ScriptedCoordinator>();
    service->bundleHash = bundleHash_;
    service->imageDomain.modalities = {"CT"};
    FederationWizard wizard(workspace.get(), service);
    wizard.show();
    walkToDataPage(wizard);
    if (QTest::currentTestFailed()) return;
    QVERIFY(wizard.currentPage()->findChild<QLabel*>(QStringLiteral("dataSummary"))->text().contains(
        QStringLiteral("The federation is for: CT.")));
    wizard.next();
    QVERIFY2(problem(wizard).contains(QStringLiteral("\"Skin study\" is a federation for CT images, but this "
                                                     "workspace's images are photo (not DICOM)")),
             qPrintable(problem(wizard)));
    QCOMPARE(wizard.currentId(), int(FederationWizard::DataPageId));
}

void TestFederationWizard::imagesOfAnotherKindAreNamed_data() {
    QTest::addColumn<QStringList>("declared");
    QTest::addColumn<QStringList>("images");
    QTest::addColumn<QString>("refusal");
    QTest::addColumn<QString>("warning");
    QTest::newRow("any kind") << QStringList{} << QStringList{"CT", "photo"} << QString() << QString();
    QTest::newRow("all fit") << QStringList{"CT", "MR"} << QStringList{"CT", "MR", "DICOM"} << QString() << QString();
    QTest::newRow("none fit") << QStringList{"photo"} << QStringList{"CT", "MR", "CT"}
                              << "\"Derm\" is a federation for photo (not DICOM) images, but this workspace's images "
                                 "are CT, MR."
                              << QString();
    QTest::newRow("some") << QStringList{"photo"} << QStringList{"photo", "CT", "photo", "CT"} << QString()
                          << "\"Derm\" is a federation for photo (not DICOM) images; 2 of this workspace's images are CT";
    // A DICOM file that states no modality says nothing.
    QTest::newRow("unstated") << QStringList{"CT"} << QStringList{"DICOM"} << QString() << QString();
}

void TestFederationWizard::imagesOfAnotherKindAreNamed() {
    QFETCH(QStringList, declared);
    QFETCH(QStringList, images);
    QFETCH(QString, refusal);
    QFETCH(QString, warning);
    fmc::ImageDomain domain;
    for (const auto& modality : declared) domain.modalities.push_back(modality.toStdString());
    const auto check = ImageKindChecker::check(QStringLiteral("Derm"), domain, images);
    QCOMPARE(check.refusal.isEmpty(), refusal.isEmpty());
    QVERIFY2(check.refusal.startsWith(refusal), qPrintable(check.refusal));
    QCOMPARE(check.warning.isEmpty(), warning.isEmpty());
    QVERIFY2(check.warning.startsWith(warning), qPrintable(check.warning));
}

// The CA choice: a file that is not a PEM certificate is explained in plain words, and Next
// stays disabled (tst_coordinatorfederationservice checks real CAs against a real coordinator).
void TestFederationWizard::aCaFileThatIsNoCertificateKeepsNextDisabled() {
    auto workspace = makeWorkspace(QStringLiteral("ca-file"), 6, 6);
    auto service = std::make_shared<ScriptedCoordinator>();
    FederationWizard wizard(workspace.get(), service);
    wizard.show();
    type(wizard, "coordinatorAddress", QStringLiteral("https://coordinator.test"));
    type(wizard, "enrollmentCode", QStringLiteral("GOOD-CODE-3"));
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    auto* next = wizard.button(QWizard::NextButton);
    QVERIFY(next->isEnabled());  // the fingerprint comparison explains itself on Next
    const auto notPem = dir_.filePath(QStringLiteral("notes.pem"));
    writeBytes(notPem, "this is the federation's CA, honestly\n");
    QVERIFY(!wizard.loadCaCertificateFile(notPem));
    QVERIFY2(problem(wizard).contains(QStringLiteral("notes.pem is not a PEM certificate file")),
             qPrintable(problem(wizard)));
    QVERIFY(wizard.currentPage()->findChild<QRadioButton*>(QStringLiteral("trustCa"))->isChecked());
    QVERIFY(!next->isEnabled());
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    QCOMPARE(service->enrollCalls.load(), 0);
    QCOMPARE(service->authorityChecks.load(), 0);
    QVERIFY(!wizard.loadCaCertificateFile(dir_.filePath(QStringLiteral("missing.pem"))));
    QVERIFY2(problem(wizard).contains(QStringLiteral("cannot be read")), qPrintable(problem(wizard)));
    // Back to the fingerprint: Next works as before.
    wizard.currentPage()->findChild<QRadioButton*>(QStringLiteral("trustFingerprint"))->setChecked(true);
    QVERIFY(next->isEnabled());
    wizard.currentPage()->findChild<QCheckBox*>(QStringLiteral("confirmFingerprint"))->setChecked(true);
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::MappingPageId));
    QVERIFY(wizard.setup().caCertificatesPem.isEmpty());
    QCOMPARE(wizard.setup().certificateSha256, QStringLiteral("AB:CD:EF:01"));
}

void TestFederationWizard::aSecondFederationIsRefusedBeforeAnyInput() {
    auto workspace = makeWorkspace(QStringLiteral("member"), 6, 6);
    FederationSetup setup;
    setup.coordinatorUrl = QStringLiteral("https://coordinator.test:8443");
    setup.federationId = QStringLiteral("fed_0123456789abcdef");
    setup.federationName = QStringLiteral("Dermoscopy 2026");
    setup.classNames = {QStringLiteral("Melanoma"), QStringLiteral("Nevus")};
    setup.labelMapping = {{QStringLiteral("melanoma"), QStringLiteral("Melanoma")}, {QStringLiteral("mole"), QStringLiteral("Nevus")}};
    setup.bundleHash = bundleHash_;
    setup.completedAt = QDateTime::currentDateTime();
    workspace->saveFederationSetup(setup);
    auto service = std::make_shared<ScriptedCoordinator>();
    FederationWizard wizard(workspace.get(), service);
    wizard.show();
    QCOMPARE(problem(wizard), QStringLiteral("This workspace already takes part in federation \u201cDermoscopy 2026\u201d. "
                                             "Open another workspace to join a second one."));
    QVERIFY(!wizard.currentPage()->findChild<QLineEdit*>(QStringLiteral("coordinatorAddress"))->isEnabled());
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FederationWizard::CoordinatorPageId));
    QCOMPARE(service->identityCalls.load(), 0);
    QVERIFY(!problem(wizard).contains(QStringLiteral("fed_0123456789abcdef")));
}

void TestFederationWizard::aCoordinatorDownIsNotARefusal_data() {
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("said");
    QTest::addColumn<QString>("detail");
    QTest::newRow("down") << "DOWN-CODE-1" << "does not answer" << "Connection refused";
    QTest::newRow("refused") << "UNKNOWN-CODE-1" << "refused this enrollment code" << "403";
}

void TestFederationWizard::aCoordinatorDownIsNotARefusal() {
    QFETCH(QString, code);
    QFETCH(QString, said);
    QFETCH(QString, detail);
    auto workspace = makeWorkspace(QStringLiteral("enroll-%1").arg(QTest::currentDataTag()), 6, 6);
    auto service = std::make_shared<ScriptedCoordinator>();
    FederationWizard wizard(workspace.get(), service);
    wizard.show();
    type(wizard, "coordinatorAddress", QStringLiteral("https://coordinator.test:8443"));
    type(wizard, "enrollmentCode", code);
    wizard.next();
    QTRY_COMPARE(wizard.currentId(), int(FederationWizard::CertificatePageId));
    wizard.currentPage()->findChild<QCheckBox*>(QStringLiteral("confirmFingerprint"))->setChecked(true);
    wizard.next();
    QTRY_VERIFY(!problem(wizard).isEmpty());
    const auto message = problem(wizard);
    QVERIFY2(message.contains(said), qPrintable(message));
    // Plain words: no protocol, no status code, no "did not accept" for a coordinator that is down.
    for (const auto* technical : {"POST", "/enroll", "403", "did not accept", "answered"})
        QVERIFY2(!message.contains(QLatin1String(technical)), qPrintable(message));
    auto* page = qobject_cast<CheckedWizardPage*>(wizard.currentPage());
    QVERIFY2(page->problemDetails().contains(detail), qPrintable(page->problemDetails()));
    QVERIFY(page->findChild<QPushButton*>(QStringLiteral("problemDetailsButton"))->isVisible());
}

QTEST_MAIN(TestFederationWizard)
#include "tst_federationwizard.moc"
