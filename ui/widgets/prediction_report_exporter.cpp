#include "widgets/prediction_report_exporter.h"

#include "workspace/task_runner.h"
#include "workspace/workspace_service.h"

#include "pacs/credential_store.h"
#include "pacs/structured_report.h"

#include <QTemporaryDir>

namespace fmc::ui {

PredictionReportExporter::PredictionReportExporter(QObject* parent) : QObject(parent), runner_(new TaskRunner(this)) {
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& message) { emit finished(true, message.toString()); });
    connect(runner_, &TaskRunner::failed, this, [this](const QString& message) { emit finished(false, message); });
    connect(runner_, &TaskRunner::cancelled, this,
            [this] { emit finished(false, tr("Cancelled: the report was not sent to the PACS.")); });
}

bool PredictionReportExporter::exportToFile(WorkspaceService* workspace, qint64 predictionId, const QString& path) {
    return runner_->start(tr("Export as DICOM SR"), [workspace, predictionId, path](TaskContext& context) {
        context.reportProgress(0, 1, tr("Writing the structured report…"));
        const auto report = workspace->predictionReport(predictionId);
        pacs::saveStructuredReport(report, path);
        context.reportProgress(1, 1);
        return QVariant(tr("Saved the prediction as a DICOM structured report: %1").arg(path));
    });
}

bool PredictionReportExporter::sendToPacs(WorkspaceService* workspace, qint64 predictionId,
                                          const pacs::PacsSettings& connection) {
    return runner_->start(tr("Send to PACS"), [workspace, predictionId, connection](TaskContext& context) {
        context.reportProgress(0, 2, tr("Writing the structured report…"));
        const auto report = workspace->predictionReport(predictionId);
        auto withSecret = connection;
        auto& web = withSecret.dicomWeb;
        if (withSecret.protocol == pacs::PacsProtocol::DicomWeb && web.auth != pacs::AuthKind::None && web.secret.isEmpty()) {
            const auto store = pacs::CredentialStore::forUser();
            const auto secret = store.secret(pacs::credentialAccount(web));
            if (!secret)
                throw Error(tr("No password or token is remembered for %1 (in %2): enter it in Settings › PACS and tick "
                               "Remember.")
                                .arg(pacs::credentialAccount(web), store.backendDescription())
                                .toStdString());
            web.secret = *secret;
        }
        const auto source = pacs::makePacsSource(withSecret);
        QTemporaryDir scratch;
        if (!scratch.isValid()) throw Error("no temporary folder for the structured report");
        const auto path = scratch.filePath(QStringLiteral("report.dcm"));
        pacs::saveStructuredReport(report, path);
        context.throwIfCancelled();
        context.reportProgress(1, 2, tr("Sending to %1…").arg(source->description()));
        source->storeFile(path);
        context.reportProgress(2, 2);
        return QVariant(tr("Sent the structured report to %1.").arg(source->description()));
    });
}

}  // namespace fmc::ui
