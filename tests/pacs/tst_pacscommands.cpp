// fedmedclip-cli pacs end to end against a real Orthanc: configure (the password into the
// credential file, not the workspace), echo, find, import of one study, store-sr back by
// C-STORE, and the exit codes and messages of a refused password and a wrong AE title.
#include "pacs_test_support.h"

#include <QProcessEnvironment>
#include <QtTest>

#ifndef FMC_FEDMEDCLIP_CLI_PATH
#error "core/pacs/component.cmake compiles fedmedclip-cli's path into this test"
#endif

using namespace fmc;
using namespace fmc::test;

class TestPacsCommands : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<OrthancTestServer> orthanc_;

    // Runs fedmedclip-cli pacs ARGS: (exit code, stdout + stderr).
    std::pair<int, QString> cli(const QStringList& arguments, const QByteArray& input = {},
                                const QMap<QString, QString>& environment = {}) {
        QProcess process;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CONFIG_HOME", dir_.filePath("config"));  // the credential file goes there
        env.insert("FMC_PACS_CREDENTIALS_FILE_ONLY", "1");
        for (auto it = environment.begin(); it != environment.end(); ++it) env.insert(it.key(), it.value());
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral(FMC_FEDMEDCLIP_CLI_PATH), QStringList{"pacs"} + arguments);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(120'000)) return {-1, "timed out"};
        return {process.exitCode(), QString::fromUtf8(process.readAll())};
    }

    QStringList dimse() const {
        return {"--host", "127.0.0.1", "--port", QString::number(orthanc_->dicomPort()), "--aet", "FMCCLI", "--aec",
                OrthancTestServer::aeTitle()};
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        if (!sharedDicomPresent()) QSKIP("../shared/data/dicom is absent: the PACS tests need its DICOM files");
        if (!OrthancTestServer::installed()) QSKIP("Orthanc is not installed (Debian packages orthanc, orthanc-dicomweb)");
        orthanc_ = std::make_unique<OrthancTestServer>(dir_.filePath("orthanc"));
        QString error;
        QVERIFY2(orthanc_->start(&error), qPrintable(error));
        const auto loaded = loadOrthanc(*orthanc_);
        QVERIFY2(loaded.isEmpty(), qPrintable(loaded));
    }

    void configureEchoFindImport() {
        const auto workspace = dir_.filePath("ws");
        auto [code, out] = cli({"configure", workspace, "--url", orthanc_->dicomWebUrl(), "--user", OrthancTestServer::user(),
                                "--secret-stdin"},
                               orthanc_->password().toUtf8() + "\n");
        QVERIFY2(code == 0, qPrintable(out));
        const auto credentials = dir_.filePath("config/fedmedclip/pacs-credentials.json");
        QVERIFY2(out.contains(credentials), qPrintable(out));
        QFile database(workspace + "/workspace.sqlite");
        QVERIFY(database.open(QIODevice::ReadOnly));
        QVERIFY(!database.readAll().contains(orthanc_->password().toUtf8()));

        std::tie(code, out) = cli({"echo", "--workspace", workspace});
        QVERIFY2(code == 0 && out.contains(": OK"), qPrintable(out));
        std::tie(code, out) = cli({"find", "--workspace", workspace, "--modality", "CT", "--series"});
        QVERIFY2(code == 0 && out.contains("1 studies") && out.contains("patient CompressedSamples^CT1 (1CT1)"), qPrintable(out));
        const auto study = QRegularExpression("study (\\S+)").match(out).captured(1);
        QVERIFY(!study.isEmpty());
        std::tie(code, out) = cli({"import", workspace, "--study", study});
        QVERIFY2(code == 0 && out.contains("1 of 1 instances retrieved") && out.contains("1 imported"), qPrintable(out));
        auto opened = SiteWorkspace::open(workspace.toStdString());
        QCOMPARE(opened.store().imageCount(), 1);
    }

    void importByCMove() {
        const auto workspace = dir_.filePath("ws-move");
        auto [code, out] = cli({"configure", workspace, "--protocol", "dimse", "--host", "127.0.0.1", "--port",
                                QString::number(orthanc_->dicomPort()), "--aet", OrthancTestServer::moveAeTitle(), "--aec",
                                OrthancTestServer::aeTitle(), "--retrieve", "move", "--move-port",
                                QString::number(orthanc_->moveDestinationPort())});
        QVERIFY2(code == 0, qPrintable(out));
        std::tie(code, out) = cli({"find", "--workspace", workspace, "--modality", "MR"});
        const auto study = QRegularExpression("study (\\S+)").match(out).captured(1);
        QVERIFY2(code == 0 && !study.isEmpty(), qPrintable(out));
        std::tie(code, out) = cli({"import", workspace, "--study", study});
        QVERIFY2(code == 0 && out.contains("1 of 1 instances retrieved") && out.contains("1 imported"), qPrintable(out));
        std::tie(code, out) = cli({"import", workspace, "--study", study, "--move-aet", "NOSUCHAE"});
        QVERIFY2(code == 1 && out.contains("'NOSUCHAE'"), qPrintable(out));
        std::tie(code, out) = cli({"import", workspace, "--study", study, "--retrieve", "cmove"});
        QVERIFY2(code == 1 && out.contains("get or move"), qPrintable(out));
    }

    void storeSrByCStore() {
        if (!dsrdumpInstalled()) QSKIP("dsrdump (Debian package dcmtk) is not installed");
        const auto workspace = dir_.filePath("ws-sr");
        {
            auto opened = SiteWorkspace::open(workspace.toStdString());
            StoredPrediction prediction;
            prediction.sourcePath = (sharedDataDir() + "/dicom/pydicom-test-files/MR_small.dcm").toStdString();
            prediction.contentHash = std::string(64, '0');
            prediction.modelDescription = "local-checkpoint version 4";
            prediction.predictedClass = "meningioma";
            prediction.probabilitiesJson = "{\"classes\":[\"glioma\",\"meningioma\"],\"ensemble\":[0.1,0.9]}";
            QCOMPARE(opened.store().addPrediction(prediction), 1);
        }
        const auto file = dir_.filePath("report.dcm");
        auto [code, out] = cli(QStringList{"store-sr", workspace, "--prediction", "1", "--out", file} + dimse());
        QVERIFY2(code == 0 && out.contains("stored to DIMSE"), qPrintable(out));
        const auto [dumpCode, dump] = dsrdump(file);
        QVERIFY2(dumpCode == 0 && dump.contains("\"meningioma\""), qPrintable(dump));
        const auto uid = QRegularExpression("SOP Instance UID (\\S+)\\)").match(out).captured(1);
        const auto [status, found] = orthanc_->rest(
            "POST", "/tools/find",
            QJsonDocument(QJsonObject{{"Level", "Instance"}, {"Query", QJsonObject{{"SOPInstanceUID", uid}}}}).toJson(),
            "application/json");
        QCOMPARE(status, 200);
        QCOMPARE(QJsonDocument::fromJson(found).array().size(), 1);
        std::tie(code, out) = cli({"store-sr", workspace, "--prediction", "9", "--no-store", "--out", file});
        QVERIFY2(code == 1 && out.contains("prediction 9: no such prediction"), qPrintable(out));
    }

    void refusalsFailWithAClearMessage() {
        auto [code, out] = cli({"echo", "--url", orthanc_->dicomWebUrl(), "--user", OrthancTestServer::user()}, {},
                               {{"FMC_PACS_SECRET", "wrong"}});
        QVERIFY2(code == 1 && out.contains("refused the credentials") && out.contains("HTTP 401"), qPrintable(out));
        auto args = dimse();
        args[args.indexOf("--aec") + 1] = "WRONGAE";
        std::tie(code, out) = cli(QStringList{"find"} + args);
        QVERIFY2(code == 1 && out.contains("rejected the association") && out.contains("'WRONGAE'"), qPrintable(out));
        std::tie(code, out) = cli({"import", dir_.filePath("ws-none")});
        QVERIFY2(code == 1 && out.contains("usage") == false && out.contains("nothing selected"), qPrintable(out));
    }
};

QTEST_MAIN(TestPacsCommands)
#include "tst_pacscommands.moc"
