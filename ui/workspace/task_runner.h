#pragma once
// Runs one long job (import, feature extraction, training, a federation round) on a worker
// thread and reports back on the GUI thread: progress, partial results (e.g. a finished
// round for a live chart), success, a plain-words error, or cancellation. The GUI thread
// never waits for the job, so the window keeps repainting and answering clicks.
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QVariant>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>

namespace fmc::ui {

class TaskRunner;

// Thrown by TaskContext::throwIfCancelled(); the runner reports it as cancelled(), not failed().
class TaskCancelled : public std::exception {
public:
    const char* what() const noexcept override { return "cancelled"; }
};

// What a job sees of its runner. Every member may be called from the worker thread.
class TaskContext {
public:
    // Progress is forwarded at most every 50 ms (and always when done == total).
    void reportProgress(int done, int total, const QString& message = {});
    void reportPartial(const QVariant& value);
    bool isCancelled() const { return cancel_->load(); }
    const std::atomic<bool>* cancelFlag() const { return cancel_.get(); }
    void throwIfCancelled() const;

private:
    friend class TaskRunner;
    TaskContext(TaskRunner* runner, std::shared_ptr<std::atomic<bool>> cancel);
    TaskRunner* runner_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    qint64 lastProgressMs_ = -1;
};

class TaskRunner : public QObject {
    Q_OBJECT
public:
    using Job = std::function<QVariant(TaskContext&)>;

    explicit TaskRunner(QObject* parent = nullptr);
    // Cancels a running job and waits for it: a job never outlives the objects it uses.
    ~TaskRunner() override;

    // False (and nothing started) while another job of this runner is running.
    bool start(const QString& title, Job job);
    bool isRunning() const { return running_; }
    QString title() const { return title_; }

    // Blocks until the running job has returned (for shutdown and tests).
    void waitForDone();

public slots:
    void cancel();

signals:
    void started(const QString& title);
    void progressChanged(int done, int total, const QString& message);
    void partialResult(const QVariant& value);
    void succeeded(const QVariant& result);
    void failed(const QString& message);
    void cancelled();
    // After succeeded(), failed() or cancelled().
    void finished();

private:
    friend class TaskContext;
    void finish(const QVariant& result, const QString& error, bool wasCancelled);

    QThreadPool pool_;
    QString title_;
    bool running_ = false;
    std::shared_ptr<std::atomic<bool>> cancel_;
};

}  // namespace fmc::ui
