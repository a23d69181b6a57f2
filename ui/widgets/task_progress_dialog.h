#pragma once
// A window-modal progress dialog for one TaskRunner: it appears when a job has run for a
// moment, follows its progress, and its Cancel button cancels the job.
#include <QProgressDialog>

namespace fmc::ui {

class TaskRunner;

class TaskProgressDialog : public QProgressDialog {
    Q_OBJECT
public:
    TaskProgressDialog(TaskRunner* runner, QWidget* parent);

private:
    TaskRunner* runner_;
    QString title_;
};

}  // namespace fmc::ui
