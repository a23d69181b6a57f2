#include "pages/train_page.h"

#include "shell/app_settings.h"
#include "federation/federation_service.h"
#include "widgets/history_chart_binder.h"
#include "models/history_model.h"
#include "shell/logging.h"
#include "shell/runtime_setup.h"
#include "workspace/site_training.h"
#include "workspace/task_runner.h"
#include "workspace/workspace_helpers.h"
#include "workspace/workspace_service.h"
#include "workspace/run_journal.h"
#include "shell/user_message.h"

#include <QChart>
#include <QChartView>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace fmc::ui {
namespace {

QFrame* makeCard(QWidget* parent) {
    auto* card = new QFrame(parent);
    card->setObjectName(QStringLiteral("card"));
    return card;
}

TrainingConfig makeConfig(const WorkspaceService& workspace, int rounds) {
    TrainingConfig config;
    config.bundleDirectory = effectiveBundleDirectory(workspace);
    config.device = currentRuntime().device.isEmpty() ? QStringLiteral("cpu") : currentRuntime().device;
    config.threads = AppSettings::cpuThreads();
    config.rounds = rounds;
    config.limits = AppSettings::imageLimits();
    config.promptTemplate = effectivePromptTemplate(workspace);
    return config;
}

}  // namespace

TrainPage::TrainPage(QWidget* parent)
    : QWidget(parent),
      runner_(new TaskRunner(this)),
      statusRunner_(new TaskRunner(this)),
      live_(new HistoryModel(this)),
      pollTimer_(new QTimer(this)) {
    pollTimer_->setSingleShot(true);
    connect(pollTimer_, &QTimer::timeout, this, &TrainPage::refreshRoundStatus);
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("pageTitle"));
    layout->addWidget(title_);

    auto* cards = new QHBoxLayout;
    auto* localCard = makeCard(this);
    auto* localLayout = new QVBoxLayout(localCard);
    localText_ = new QLabel(localCard);
    localText_->setWordWrap(true);
    localRounds_ = new QSpinBox(localCard);
    localRounds_->setRange(1, 500);
    localRounds_->setValue(20);
    localButton_ = new QPushButton(localCard);
    localButton_->setObjectName(QStringLiteral("trainLocalButton"));
    auto* localRow = new QHBoxLayout;
    localRow->addWidget(localRounds_);
    localRow->addWidget(localButton_, 1);
    localLayout->addWidget(localText_);
    localLayout->addStretch();
    localLayout->addLayout(localRow);

    auto* federationCard = makeCard(this);
    auto* federationLayout = new QVBoxLayout(federationCard);
    federationText_ = new QLabel(federationCard);
    federationText_->setWordWrap(true);
    federatedRounds_ = new QSpinBox(federationCard);
    federatedRounds_->setRange(1, 500);
    federatedRounds_->setValue(20);
    federatedButton_ = new QPushButton(federationCard);
    federatedButton_->setObjectName(QStringLiteral("federatedButton"));
    joinButton_ = new QPushButton(federationCard);
    joinButton_->setObjectName(QStringLiteral("joinFederationButton"));
    statusButton_ = new QPushButton(federationCard);
    statusButton_->setObjectName(QStringLiteral("roundStatusButton"));
    auto* federatedRow = new QHBoxLayout;
    federatedRow->addWidget(federatedRounds_);
    federatedRow->addWidget(federatedButton_, 1);
    federationLayout->addWidget(federationText_);
    federationLayout->addStretch();
    federationLayout->addWidget(joinButton_);
    federationLayout->addWidget(statusButton_);
    federationLayout->addLayout(federatedRow);
    cards->addWidget(localCard, 1);
    cards->addWidget(federationCard, 1);
    layout->addLayout(cards);

    auto* statusCard = makeCard(this);
    auto* statusLayout = new QGridLayout(statusCard);
    roundState_ = new QLabel(statusCard);
    roundState_->setObjectName(QStringLiteral("roundState"));
    roundDetail_ = new QLabel(statusCard);
    roundDetail_->setObjectName(QStringLiteral("hint"));
    progress_ = new QProgressBar(statusCard);
    progress_->setObjectName(QStringLiteral("trainProgress"));
    status_ = new QLabel(statusCard);
    status_->setObjectName(QStringLiteral("trainStatus"));
    status_->setWordWrap(true);
    cancelButton_ = new QPushButton(statusCard);
    cancelButton_->setObjectName(QStringLiteral("cancelTrainingButton"));
    cancelButton_->setEnabled(false);
    detailsButton_ = new QPushButton(statusCard);
    detailsButton_->setObjectName(QStringLiteral("trainDetailsButton"));
    detailsButton_->hide();
    roundState_->setWordWrap(true);
    statusLayout->addWidget(roundState_, 0, 0, 1, 2);
    statusLayout->addWidget(roundDetail_, 1, 0, 1, 2);
    statusLayout->addWidget(progress_, 2, 0);
    statusLayout->addWidget(cancelButton_, 2, 1);
    statusLayout->addWidget(status_, 3, 0);
    statusLayout->addWidget(detailsButton_, 3, 1, Qt::AlignTop);
    layout->addWidget(statusCard);

    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    liveChart_ = new QChartView(chart, this);
    liveChart_->setObjectName(QStringLiteral("liveChart"));
    liveChart_->setRenderHint(QPainter::Antialiasing);
    liveChart_->setMinimumHeight(220);
    new HistoryChartBinder(live_, chart, HistoryChartBinder::Unit::Percent, [](const HistoryModel& m) {
        QList<HistoryChartBinder::Curve> curves;
        for (int column : {int(HistoryModel::AccuracyColumn), int(HistoryModel::BalancedAccuracyColumn)})
            curves.append({column, m.headerData(column, Qt::Horizontal).toString()});
        return curves;
    }, this);
    layout->addWidget(liveChart_, 1);

    connect(localButton_, &QPushButton::clicked, this, [this] { startLocalTraining(localRounds_->value()); });
    connect(federatedButton_, &QPushButton::clicked, this, [this] {
        if (workspace_ && workspace_->federationSetup().isComplete() && federation_) startFederatedTraining();
        else startDemoFederation(federatedRounds_->value());
    });
    connect(statusButton_, &QPushButton::clicked, this, &TrainPage::refreshRoundStatus);
    connect(statusRunner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        pollFailures_ = 0;
        unreachableSince_ = {};
        if (value.canConvert<RoundStatus>()) showRoundStatus(value.value<RoundStatus>());
    });
    connect(statusRunner_, &TaskRunner::failed, this, [this](const QString& message) {
        ++pollFailures_;
        if (!unreachableSince_.isValid()) unreachableSince_ = QDateTime::currentDateTime();
        qCInfo(lcFederation) << "round status request failed" << pollFailures_ << "time(s) in a row:" << message;
        const auto plain = unpackUserMessage(message);
        // In plain words on the page; what the coordinator or the network said behind Details.
        roundState_->setText(tr("Coordinator unreachable since %1. This page keeps asking, less often while it does "
                                "not answer.")
                                 .arg(QLocale().toString(unreachableSince_.time(), QLocale::ShortFormat)));
        setDetails(plain.details.isEmpty() ? plain.text : plain.details);
    });
    connect(statusRunner_, &TaskRunner::finished, this, &TrainPage::updatePolling);
    connect(joinButton_, &QPushButton::clicked, this, &TrainPage::joinFederationRequested);
    connect(cancelButton_, &QPushButton::clicked, this, &TrainPage::cancel);
    connect(detailsButton_, &QPushButton::clicked, this, [this] {
        QMessageBox box(QMessageBox::Information, tr("Details"), details_, QMessageBox::Ok, this);
        box.exec();
    });
    connect(runner_, &TaskRunner::progressChanged, this, [this](int done, int total, const QString& message) {
        progress_->setRange(0, qMax(0, total));
        if (total > 0) progress_->setValue(done);
        // While the panel shows a round under way, it is the one place that says which round
        // and what step; the worker's progress line would say it a second time.
        const bool roundUnderWay = rounds_.current().round > 0 && rounds_.current().state != RoundStatus::State::Finished;
        status_->setText(roundUnderWay ? QString() : message);
    });
    connect(runner_, &TaskRunner::partialResult, this, [this](const QVariant& value) {
        if (value.typeId() == QMetaType::QString) {
            followRun(value.toString());
        } else if (value.canConvert<HistoryRow>()) {
            const auto row = value.value<HistoryRow>();
            if (live_->run().id != row.runId) followRun(row.runId);
            // A resumed run already shows its rounds (and the workspace has this one).
            const int shownRounds = live_->rowCount();
            if (shownRounds == 0 || live_->value(shownRounds - 1, HistoryModel::RoundColumn) < row.round)
                live_->appendRow(row);
            roundDetail_->setText(tr("Results of round %1: loss %2, accuracy %3, balanced accuracy %4 on held-out images")
                                      .arg(row.round)
                                      .arg(QLocale().toString(row.loss, 'f', 3),
                                           QLocale().toString(100 * row.accuracy, 'f', 1) + QStringLiteral(" %"),
                                           QLocale().toString(100 * row.balancedAccuracy, 'f', 1) + QStringLiteral(" %")));
        } else if (value.canConvert<RoundStatus>()) {
            showRoundStatus(value.value<RoundStatus>());
        }
    });
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        const auto outcome = value.value<TrainingOutcome>();
        status_->setText(tr("Done: %n round(s). The model of round %1 (balanced accuracy %2) is saved.", nullptr,
                            outcome.roundsDone)
                             .arg(outcome.bestRound)
                             .arg(QLocale().toString(100 * outcome.bestBalancedAccuracy, 'f', 1) + QStringLiteral(" %")));
        const auto percent = [](double value) { return QLocale().toString(100 * value, 'f', 1) + QStringLiteral(" %"); };
        if (outcome.testImages > 0)
            status_->setText(status_->text() + QLatin1Char(' ') +
                             tr("On the %n test image(s), which played no part in choosing it: accuracy %1, balanced "
                                "accuracy %2.", nullptr, outcome.testImages)
                                 .arg(percent(outcome.testAccuracy), percent(outcome.testBalancedAccuracy)));
        if (outcome.chosenOnTestSplit)
            status_->setText(status_->text() + QLatin1Char(' ') +
                             tr("There are no validation images, so the round was chosen on the test images and "
                                "its figures are optimistic."));
        if (!outcome.unreadableImages.isEmpty())
            status_->setText(status_->text() + QLatin1Char(' ') +
                             tr("%n image(s) could not be read and were left out.", nullptr, outcome.unreadableImages.size()));
        progress_->setRange(0, 1);
        progress_->setValue(1);
    });
    // An interrupted run is marked where it stopped (the History page shows it).
    auto markInterrupted = [this](RunInterruption::Reason reason) {
        if (!workspace_ || live_->run().id.isEmpty()) return;
        try {
            workspace_->interruptRun(live_->run().id, reason);
        } catch (const std::exception& error) {
            qCWarning(lcTrain) << "interruption not recorded:" << error.what();
        }
    };
    connect(runner_, &TaskRunner::failed, this, [this, markInterrupted](const QString& message) {
        const auto plain = unpackUserMessage(message);
        qCWarning(lcTrain).noquote() << "training stopped:" << (plain.details.isEmpty() ? plain.text : plain.details);
        status_->setText(tr("Training stopped: %1").arg(plain.text));
        setDetails(plain.details);
        progress_->setRange(0, 1);
        progress_->setValue(0);
        markInterrupted(RunInterruption::Reason::Failed);
    });
    connect(runner_, &TaskRunner::cancelled, this, [this, markInterrupted] {
        status_->setText(tr("Cancelled. The rounds finished so far are in the history; the saved model is unchanged."));
        progress_->setRange(0, 1);
        progress_->setValue(0);
        markInterrupted(RunInterruption::Reason::Cancelled);
    });
    connect(runner_, &TaskRunner::finished, this, [this] {
        setBusy(false);
        emit trainingFinished();
    });
    retranslate();
    setWorkspace(nullptr);
}

TrainPage::~TrainPage() {
    pollTimer_->stop();
    runner_->cancel();
    runner_->waitForDone();
    statusRunner_->waitForDone();
}

void TrainPage::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void TrainPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    // Coming into view: ask now, then periodically.
    if (shouldPollRoundStatus()) refreshRoundStatus();
}

void TrainPage::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    updatePolling();
}

void TrainPage::retranslate() {
    title_->setText(tr("Train"));
    localText_->setText(tr("<b>Local training</b><br>Trains this site's model on its own labelled images only. "
                           "Nothing leaves this computer."));
    localRounds_->setSuffix(tr(" rounds"));
    federatedRounds_->setSuffix(tr(" rounds"));
    localButton_->setText(tr("Train locally"));
    joinButton_->setText(tr("Join a federation…"));
    statusButton_->setText(tr("Ask the coordinator for the round's status"));
    cancelButton_->setText(tr("Cancel"));
    detailsButton_->setText(tr("Details…"));
    liveChart_->chart()->setTitle(tr("This run, live"));
    updateFederationCard();
}

void TrainPage::setWorkspace(WorkspaceService* workspace) {
    if (workspace_) disconnect(workspace_, nullptr, this, nullptr);
    workspace_ = workspace;
    live_->clear();
    if (workspace_) connect(workspace_, &WorkspaceService::federationSetupChanged, this, &TrainPage::updateFederationCard);
    pollFailures_ = 0;
    unreachableSince_ = {};
    rounds_.reset();
    roundState_->setText(tr("No training running."));
    roundDetail_->clear();
    status_->clear();
    setDetails({});
    setBusy(false);
    updateFederationCard();
}

void TrainPage::setFederationService(std::shared_ptr<FederationService> service) {
    federation_ = std::move(service);
    updateFederationCard();
}

void TrainPage::updateFederationCard() {
    const bool demo = workspace_ && !demoPeerSites(*workspace_).csvPath.isEmpty();
    const auto setup = workspace_ ? workspace_->federationSetup() : FederationSetup{};
    if (setup.isComplete()) {
        federationText_->setText(tr("<b>Federated training</b><br>Member of \"%1\" at %2, %3 classes. Rounds are run "
                                    "by the coordinator.")
                                     .arg(setup.federationName.toHtmlEscaped(), setup.coordinatorUrl.toHtmlEscaped())
                                     .arg(setup.classNames.size()));
    } else if (demo) {
        federationText_->setText(tr("<b>Federated training (demo)</b><br>Trains together with two demo sites whose "
                                    "images are on this computer. Only the shared part of the model is exchanged."));
    } else {
        federationText_->setText(tr("<b>Federated training</b><br>Train together with other hospitals without "
                                    "sharing images. Join a federation first."));
    }
    const bool joined = setup.isComplete() && federation_ != nullptr;
    federatedButton_->setText(joined ? tr("Take part in the federation's rounds") : tr("Run demo federation"));
    federatedButton_->setVisible(joined || demo);
    // The coordinator sets the number of federated rounds; only the demo asks.
    federatedRounds_->setVisible(demo && !joined);
    joinButton_->setVisible(!demo && !setup.isComplete());
    statusButton_->setVisible(joined);
    joinButton_->setEnabled(workspace_ != nullptr && federation_ != nullptr);
    joinButton_->setToolTip(federation_ ? QString() : tr("This build of the app has no federation client."));
    setBusy(runner_->isRunning());
    updatePolling();
}

bool TrainPage::shouldPollRoundStatus() const {
    return isVisible() && workspace_ && federation_ && workspace_->federationSetup().isComplete();
}

void TrainPage::updatePolling() {
    if (!shouldPollRoundStatus()) {
        pollTimer_->stop();
        return;
    }
    if (!statusRunner_->isRunning() && !pollTimer_->isActive()) pollTimer_->start(nextRoundStatusPollMs());
}

void TrainPage::setRoundStatusPollInterval(int milliseconds) {
    pollIntervalMs_ = qMax(1, milliseconds);
    if (pollTimer_->isActive()) pollTimer_->start(nextRoundStatusPollMs());
}

bool TrainPage::isPollingRoundStatus() const { return pollTimer_->isActive() || statusRunner_->isRunning(); }

int TrainPage::nextRoundStatusPollMs() const {
    qint64 delay = pollIntervalMs_;
    for (int i = 0; i < pollFailures_ && delay < kRoundStatusMaxBackoffMs; ++i) delay *= 2;
    return static_cast<int>(qMin<qint64>(delay, qMax(kRoundStatusMaxBackoffMs, pollIntervalMs_)));
}

QString TrainPage::roundStateText() const { return roundState_->text(); }

void TrainPage::setBusy(bool busy) {
    const bool ready = workspace_ != nullptr && !busy;
    localButton_->setEnabled(ready);
    federatedButton_->setEnabled(ready);
    localRounds_->setEnabled(ready);
    federatedRounds_->setEnabled(ready);
    cancelButton_->setEnabled(busy);
}

bool TrainPage::startLocalTraining(int rounds) {
    if (!workspace_) return false;
    auto* workspace = workspace_;
    const auto config = makeConfig(*workspace_, rounds);
    live_->clear();
    rounds_.reset();
    setDetails({});
    roundState_->setText(tr("Local training"));
    roundDetail_->clear();
    const bool started = runner_->start(tr("Local training"), [workspace, config](TaskContext& context) {
        return QVariant::fromValue(workspace->trainLocally(config, context));
    });
    if (started) setBusy(true);
    return started;
}

bool TrainPage::startDemoFederation(int rounds) {
    if (!workspace_) return false;
    auto* workspace = workspace_;
    const auto config = makeConfig(*workspace_, rounds);
    const auto peers = demoPeerSites(*workspace_);
    live_->clear();
    rounds_.reset();
    setDetails({});
    roundState_->setText(tr("Demo federation"));
    roundDetail_->clear();
    const bool started = runner_->start(tr("Demo federation"), [workspace, config, peers](TaskContext& context) {
        return QVariant::fromValue(runLocalFederation(*workspace, config, peers, context));
    });
    if (started) setBusy(true);
    return started;
}

bool TrainPage::startFederatedTraining() {
    if (!workspace_ || !federation_) return false;
    auto* workspace = workspace_;
    auto federation = federation_;
    const auto config = makeConfig(*workspace_, 0);
    live_->clear();
    roundDetail_->clear();
    setDetails({});
    rounds_.startConnecting(workspace_->federationSetup().coordinatorUrl);
    showRoundState();
    const bool started = runner_->start(tr("Federated training"), [workspace, federation, config](TaskContext& context) {
        return QVariant::fromValue(federation->runFederatedTraining(*workspace, config, context));
    });
    if (started) setBusy(true);
    return started;
}

void TrainPage::refreshRoundStatus() {
    if (!workspace_ || !federation_ || statusRunner_->isRunning()) return;
    pollTimer_->stop();
    auto federation = federation_;
    const auto setup = workspace_->federationSetup();
    statusRunner_->start(tr("Asking the coordinator"),
                         [federation, setup](TaskContext&) { return QVariant::fromValue(federation->roundStatus(setup)); });
}

void TrainPage::cancel() {
    if (!runner_->isRunning()) return;
    status_->setText(tr("Cancelling after the current step…"));
    runner_->cancel();
}

QString TrainPage::statusText() const { return status_->text(); }

void TrainPage::showRoundStatus(const RoundStatus& status) {
    rounds_.apply(status);
    showRoundState();
}

void TrainPage::showRoundState() {
    const auto detail = rounds_.detailText();
    roundState_->setText(detail.isEmpty() ? rounds_.text() : rounds_.text() + QLatin1Char('\n') + detail);
}

void TrainPage::setDetails(const QString& details) {
    details_ = details;
    detailsButton_->setVisible(!details.isEmpty());
}

void TrainPage::followRun(const QString& runId) {
    if (!workspace_ || runId.isEmpty() || live_->run().id == runId) return;
    for (const auto& run : workspace_->runs())
        if (run.id == runId) live_->setRun(run, workspace_->history(runId));
}

}  // namespace fmc::ui
