#pragma once
// Train: local training on this site's labelled images, and federated rounds (with a
// coordinator once the site joined a federation, or the demo federation on this computer),
// with live progress and a live chart, a Cancel button, and the current round's status as
// the coordinator reports it (waiting for sites, deadline, aggregated). While the page is
// shown and the site has joined a federation, the status is asked for periodically on a
// worker thread, never twice at once, less often while the coordinator does not answer.
#include "federation/federation_types.h"
#include "workspace/workspace_types.h"

#include <QDateTime>
#include <QWidget>

#include <memory>

QT_BEGIN_NAMESPACE
class QChartView;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;
QT_END_NAMESPACE

namespace fmc::ui {

// How often the shown Train page asks the coordinator for the round's status.
constexpr int kRoundStatusPollMs = 15'000;
// While the coordinator does not answer, each failed poll doubles the wait, up to this.
constexpr int kRoundStatusMaxBackoffMs = 5 * 60'000;

class FederationService;
class HistoryModel;
class TaskRunner;
class WorkspaceService;

class TrainPage : public QWidget {
    Q_OBJECT
public:
    explicit TrainPage(QWidget* parent = nullptr);
    ~TrainPage() override;

    void setWorkspace(WorkspaceService* workspace);
    void setFederationService(std::shared_ptr<FederationService> service);

    bool startLocalTraining(int rounds);
    bool startDemoFederation(int rounds);
    // Takes part in the joined federation's rounds (the coordinator sets their number).
    bool startFederatedTraining();
    // Asks the coordinator for the current round's status (unless a request is running).
    void refreshRoundStatus();
    // The periodic status requests: kRoundStatusPollMs by default.
    void setRoundStatusPollInterval(int milliseconds);
    bool isPollingRoundStatus() const;
    // The wait before the next request: the interval, doubled per failure in a row (capped).
    int nextRoundStatusPollMs() const;
    // When the coordinator first failed to answer in the current run of failures; invalid
    // while it answers.
    QDateTime coordinatorUnreachableSince() const { return unreachableSince_; }
    QString roundStateText() const;
    TaskRunner* runner() const { return runner_; }
    TaskRunner* statusRunner() const { return statusRunner_; }
    HistoryModel* liveModel() const { return live_; }
    QString statusText() const;

public slots:
    void cancel();

signals:
    void joinFederationRequested();
    void trainingFinished();

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void retranslate();
    void updateFederationCard();
    void showRoundStatus(const RoundStatus& status);
    void setBusy(bool busy);
    bool shouldPollRoundStatus() const;
    // Starts or stops the periodic requests as the page's state says; a finished request
    // schedules the next one.
    void updatePolling();

    WorkspaceService* workspace_ = nullptr;
    std::shared_ptr<FederationService> federation_;
    TaskRunner* runner_;
    TaskRunner* statusRunner_;
    HistoryModel* live_;
    QTimer* pollTimer_;
    int pollIntervalMs_ = kRoundStatusPollMs;
    int pollFailures_ = 0;  // in a row
    QDateTime unreachableSince_;

    QLabel* title_;
    QLabel* localText_;
    QSpinBox* localRounds_;
    QPushButton* localButton_;
    QLabel* federationText_;
    QSpinBox* federatedRounds_;
    QPushButton* federatedButton_;
    QPushButton* joinButton_;
    QPushButton* statusButton_;
    QLabel* roundState_;
    QLabel* roundDetail_;
    QProgressBar* progress_;
    QLabel* status_;
    QPushButton* cancelButton_;
    QChartView* liveChart_;
};

}  // namespace fmc::ui
