#include "workspace/task_runner.h"

#include "shell/logging.h"

#include <QDateTime>
#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

namespace fmc::ui {

constexpr qint64 kProgressIntervalMs = 50;

TaskContext::TaskContext(TaskRunner* runner, std::shared_ptr<std::atomic<bool>> cancel)
    : runner_(runner), cancel_(std::move(cancel)) {}

void TaskContext::reportProgress(int done, int total, const QString& message) {
    const auto now = QDateTime::currentMSecsSinceEpoch();
    if (done != total && lastProgressMs_ >= 0 && now - lastProgressMs_ < kProgressIntervalMs) return;
    lastProgressMs_ = now;
    QMetaObject::invokeMethod(
        runner_, [runner = runner_, done, total, message] { emit runner->progressChanged(done, total, message); },
        Qt::QueuedConnection);
}

void TaskContext::reportPartial(const QVariant& value) {
    QMetaObject::invokeMethod(
        runner_, [runner = runner_, value] { emit runner->partialResult(value); }, Qt::QueuedConnection);
}

void TaskContext::throwIfCancelled() const {
    if (isCancelled()) throw TaskCancelled();
}

TaskRunner::TaskRunner(QObject* parent) : QObject(parent) {
    // One worker per runner: its jobs run in order and never compete with each other.
    pool_.setMaxThreadCount(1);
}

TaskRunner::~TaskRunner() {
    if (cancel_) cancel_->store(true);
    pool_.waitForDone();
}

bool TaskRunner::start(const QString& title, Job job) {
    if (running_) return false;
    running_ = true;
    title_ = title;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    emit started(title);
    qCDebug(lcTasks) << "task started:" << title;
    auto cancelFlag = cancel_;
    // The outcome arrives through finish(); the future is not needed.
    (void)QtConcurrent::run(&pool_, [this, cancelFlag, job = std::move(job)] {
        TaskContext context(this, cancelFlag);
        QVariant result;
        QString error;
        bool wasCancelled = false;
        try {
            result = job(context);
            wasCancelled = cancelFlag->load();
        } catch (const TaskCancelled&) {
            wasCancelled = true;
        } catch (const std::exception& exception) {
            // A job interrupted by cancellation may fail on its way out; that is still a cancel.
            wasCancelled = cancelFlag->load();
            error = QString::fromStdString(exception.what());
        } catch (...) {
            error = tr("unknown error");
        }
        QMetaObject::invokeMethod(
            this, [this, result, error, wasCancelled] { finish(result, error, wasCancelled); }, Qt::QueuedConnection);
    });
    return true;
}

void TaskRunner::waitForDone() { pool_.waitForDone(); }

void TaskRunner::cancel() {
    if (running_ && cancel_) cancel_->store(true);
}

void TaskRunner::finish(const QVariant& result, const QString& error, bool wasCancelled) {
    running_ = false;
    if (wasCancelled) {
        qCDebug(lcTasks) << "task cancelled:" << title_;
        emit cancelled();
    } else if (!error.isEmpty()) {
        qCWarning(lcTasks) << "task failed:" << title_ << error;
        emit failed(error);
    } else {
        qCDebug(lcTasks) << "task done:" << title_;
        emit succeeded(result);
    }
    emit finished();
}

}  // namespace fmc::ui
