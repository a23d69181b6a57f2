#pragma once
// Train: local training on this site's labelled images, and federated rounds (with a
// coordinator once the site joined a federation, or the demo federation on this computer),
// with live progress and a live chart, a Cancel button, and the current round's status as
// the coordinator reports it (waiting for sites, deadline, aggregated).
#include "federation_types.h"
#include "workspace_types.h"

#include <QWidget>

#include <memory>

QT_BEGIN_NAMESPACE
class QChartView;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
QT_END_NAMESPACE

namespace fmc::ui {

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
    // Asks the coordinator for the current round's status.
    void refreshRoundStatus();
    TaskRunner* runner() const { return runner_; }
    HistoryModel* liveModel() const { return live_; }
    QString statusText() const;

public slots:
    void cancel();

signals:
    void joinFederationRequested();
    void trainingFinished();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateFederationCard();
    void showRoundStatus(const RoundStatus& status);
    void setBusy(bool busy);

    WorkspaceService* workspace_ = nullptr;
    std::shared_ptr<FederationService> federation_;
    TaskRunner* runner_;
    TaskRunner* statusRunner_;
    HistoryModel* live_;

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
