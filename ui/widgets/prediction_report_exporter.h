#pragma once
// A saved prediction as a DICOM SR, saved to a file or sent to the site's PACS (STOW-RS or
// C-STORE, the connection of Settings › PACS), on a worker thread: the GUI thread never waits
// for the image to be read or the PACS to answer. Sending can be cancelled until the PACS
// has been asked; a store the PACS is already receiving is not cut off half-way.
#include "pacs/pacs_settings.h"

#include <QObject>
#include <QString>

namespace fmc::ui {

class TaskRunner;
class WorkspaceService;

class PredictionReportExporter : public QObject {
    Q_OBJECT
public:
    explicit PredictionReportExporter(QObject* parent = nullptr);

    // False when an export is still running (nothing started).
    bool exportToFile(WorkspaceService* workspace, qint64 predictionId, const QString& path);
    bool sendToPacs(WorkspaceService* workspace, qint64 predictionId, const pacs::PacsSettings& connection);

    TaskRunner* runner() const { return runner_; }

signals:
    // ok: saved or stored; message in words either way (the SR's UID is not shown: it is
    // the patient's study's).
    void finished(bool ok, const QString& message);

private:
    TaskRunner* runner_;
};

}  // namespace fmc::ui
