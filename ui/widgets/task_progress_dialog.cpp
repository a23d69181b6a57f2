#include "widgets/task_progress_dialog.h"

#include "workspace/task_runner.h"

namespace fmc::ui {

constexpr int kShowAfterMs = 400;

TaskProgressDialog::TaskProgressDialog(TaskRunner* runner, QWidget* parent)
    : QProgressDialog(parent), runner_(runner) {
    setWindowModality(Qt::WindowModal);
    setMinimumDuration(kShowAfterMs);
    setAutoReset(false);
    setAutoClose(false);
    setMinimumWidth(420);
    setCancelButtonText(tr("Cancel"));
    reset();
    connect(runner_, &TaskRunner::started, this, [this](const QString& title) {
        title_ = title;
        setWindowTitle(title);
        setLabelText(title);
        setRange(0, 0);
        // setValue starts QProgressDialog's own "show after minimumDuration" timer.
        setValue(0);
    });
    connect(runner_, &TaskRunner::progressChanged, this, [this](int done, int total, const QString& message) {
        if (!message.isEmpty()) setLabelText(message);
        setRange(0, qMax(0, total));
        if (total > 0) setValue(qBound(0, done, total));
    });
    connect(this, &QProgressDialog::canceled, this, [this] {
        if (!runner_->isRunning()) return;
        setLabelText(tr("Cancelling…"));
        runner_->cancel();
    });
    connect(runner_, &TaskRunner::finished, this, [this] {
        reset();
        hide();
    });
}

}  // namespace fmc::ui
