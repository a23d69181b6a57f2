#include "shell/main_window.h"

#include "shell/app_settings.h"
#include "pages/classify_page.h"
#include "federation/federation_service.h"
#include "federation/federation_wizard.h"
#include "pages/history_page.h"
#include "pages/images_page.h"
#include "shell/logging.h"
#include "shell/runtime_setup.h"
#include "widgets/settings_dialog.h"
#include "widgets/task_progress_dialog.h"
#include "workspace/task_runner.h"
#include "pages/train_page.h"
#include "workspace/workspace_factory.h"
#include "workspace/workspace_helpers.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QVBoxLayout>

// Resources of a static library must be registered by name, outside any namespace.
static void initUiResources() { Q_INIT_RESOURCE(fedmedclip_ui); }

namespace fmc::ui {

MainWindow::MainWindow(FederationServiceFactory federationFactory, QWidget* parent)
    : QMainWindow(parent), federationFactory_(std::move(federationFactory)), demoRunner_(new TaskRunner(this)) {
    initUiResources();
    QFile style(QStringLiteral(":/ui/style.qss"));
    if (style.open(QIODevice::ReadOnly)) setStyleSheet(QString::fromUtf8(style.readAll()));
    setWindowIcon(QIcon(QStringLiteral(":/ui/icons/app.png")));
    resize(1280, 820);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    demoBanner_ = new QLabel(central);
    demoBanner_->setObjectName(QStringLiteral("demoBanner"));
    demoBanner_->setWordWrap(true);
    demoBanner_->hide();
    layout->addWidget(demoBanner_);

    auto* body = new QHBoxLayout;
    body->setSpacing(0);
    navigation_ = new QListWidget(central);
    navigation_->setObjectName(QStringLiteral("navigation"));
    navigation_->setIconSize({32, 32});
    navigation_->setFixedWidth(150);
    navigation_->setViewMode(QListView::ListMode);
    struct NavItem {
        QString icon;
        QString text;
    };
    for (const auto& item : {NavItem{QStringLiteral(":/ui/icons/images.png"), tr("Images")},
                             NavItem{QStringLiteral(":/ui/icons/classify.png"), tr("Classify")},
                             NavItem{QStringLiteral(":/ui/icons/train.png"), tr("Train")},
                             NavItem{QStringLiteral(":/ui/icons/history.png"), tr("History")}})
        new QListWidgetItem(QIcon(item.icon), item.text, navigation_);
    stack_ = new QStackedWidget(central);
    images_ = new ImagesPage(stack_);
    classify_ = new ClassifyPage(stack_);
    train_ = new TrainPage(stack_);
    history_ = new HistoryPage(stack_);
    welcome_ = buildWelcome();
    for (auto* page : {static_cast<QWidget*>(images_), static_cast<QWidget*>(classify_), static_cast<QWidget*>(train_),
                       static_cast<QWidget*>(history_), welcome_})
        stack_->addWidget(page);
    body->addWidget(navigation_);
    body->addWidget(stack_, 1);
    layout->addLayout(body, 1);
    setCentralWidget(central);

    researchNotice_ = new QLabel(tr("Research use only — not a medical device. Do not use it to diagnose or treat patients."),
                                 this);
    researchNotice_->setObjectName(QStringLiteral("researchNotice"));
    statusBar()->addPermanentWidget(researchNotice_, 1);
    if (!currentRuntime().warning.isEmpty()) statusBar()->showMessage(currentRuntime().warning);

    new TaskProgressDialog(demoRunner_, this);
    buildMenus();

    connect(navigation_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (workspace_) stack_->setCurrentIndex(row);
    });
    connect(images_, &ImagesPage::classifyRequested, this, [this](const QString& path, qint64 imageId) {
        showPage(Page::Classify);
        classify_->classifyFile(path, imageId);
    });
    connect(train_, &TrainPage::joinFederationRequested, this, &MainWindow::joinFederation);
    connect(demoRunner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        const auto directory = value.toString();
        if (openWorkspace(directory)) {
            showPage(Page::History);
            emit demoReady(directory);
        }
    });
    connect(demoRunner_, &TaskRunner::failed, this, [this](const QString& message) {
        QMessageBox::warning(this, tr("Demo not ready"), tr("The demo workspace could not be prepared: %1").arg(message));
        emit demoFailed(message);
    });
    setWorkspace(nullptr);
}

MainWindow::~MainWindow() {
    demoRunner_->cancel();
    demoRunner_->waitForDone();
    // Pages stop their jobs before the workspace they use goes away.
    for (auto* page : {static_cast<QWidget*>(images_), static_cast<QWidget*>(classify_), static_cast<QWidget*>(train_),
                       static_cast<QWidget*>(history_)})
        delete page;
}

QWidget* MainWindow::buildWelcome() {
    auto* page = new QWidget(stack_);
    auto* layout = new QVBoxLayout(page);
    layout->addStretch();
    auto* title = new QLabel(tr("Welcome to FedMedCLIP"), page);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setAlignment(Qt::AlignCenter);
    auto* text = new QLabel(tr("Train a medical image classifier together with other hospitals, without sharing "
                               "images. Start with a workspace for your site's images, or try the demo first."),
                            page);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    text->setMaximumWidth(560);
    layout->addWidget(title);
    layout->addWidget(text, 0, Qt::AlignHCenter);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    auto* open = new QPushButton(tr("Open a workspace…"), page);
    auto* create = new QPushButton(tr("Create a workspace…"), page);
    auto* demo = new QPushButton(tr("Try the demo"), page);
    demo->setObjectName(QStringLiteral("tryDemoButton"));
    for (auto* button : {open, create, demo}) buttons->addWidget(button);
    buttons->addStretch();
    layout->addLayout(buttons);
    layout->addStretch();
    connect(open, &QPushButton::clicked, this, &MainWindow::openWorkspaceDialog);
    connect(create, &QPushButton::clicked, this, &MainWindow::newWorkspaceDialog);
    connect(demo, &QPushButton::clicked, this, [this] {
        openDemoWorkspace(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/demo"));
    });
    return page;
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New workspace…"), QKeySequence::New, this, &MainWindow::newWorkspaceDialog);
    file->addAction(tr("&Open workspace…"), QKeySequence::Open, this, &MainWindow::openWorkspaceDialog);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addAction(tr("Open the &demo workspace"), this, [this] {
        openDemoWorkspace(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/demo"));
    });
    workspaceActions_ << file->addAction(tr("&Close workspace"), this, &MainWindow::closeWorkspace);
    file->addSeparator();
    workspaceActions_ << file->addAction(tr("&Import files…"), this, [this] {
        showPage(Page::Images);
        images_->chooseFilesToImport();
    });
    workspaceActions_ << file->addAction(tr("Import &folder…"), this, [this] {
        showPage(Page::Images);
        images_->chooseFolderToImport();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* federation = menuBar()->addMenu(tr("F&ederation"));
    joinAction_ = federation->addAction(tr("&Join a federation…"), this, &MainWindow::joinFederation);
    auto* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::showSettings);
    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About FedMedCLIP"), this, &MainWindow::showAbout);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
    recentMenu_->clear();
    const auto recent = AppSettings::recentWorkspaces();
    for (const auto& path : recent)
        recentMenu_->addAction(QDir::toNativeSeparators(path), this, [this, path] { openWorkspace(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

bool MainWindow::tasksRunning() const {
    return images_->importRunner()->isRunning() || train_->runner()->isRunning() || demoRunner_->isRunning();
}

void MainWindow::setWorkspace(std::unique_ptr<WorkspaceService> workspace) {
    // Pages let go of the old workspace before it is destroyed.
    images_->setWorkspace(nullptr);
    classify_->setWorkspace(nullptr);
    train_->setWorkspace(nullptr);
    history_->setWorkspace(nullptr);
    workspace_ = std::move(workspace);
    auto* current = workspace_.get();
    federation_ = current && federationFactory_ ? federationFactory_(current->rootPath()) : nullptr;
    train_->setFederationService(federation_);
    images_->setWorkspace(current);
    classify_->setWorkspace(current);
    train_->setWorkspace(current);
    history_->setWorkspace(current);
    navigation_->setEnabled(current != nullptr);
    for (auto* action : workspaceActions_) action->setEnabled(current != nullptr);
    joinAction_->setEnabled(current != nullptr && federation_ != nullptr);
    if (!federation_) joinAction_->setToolTip(tr("This build of the app has no federation client."));
    if (current) {
        connect(current, &WorkspaceService::federationSetupChanged, this, &MainWindow::updateBanner);
        showPage(Page::Images);
    } else {
        stack_->setCurrentWidget(welcome_);
        navigation_->clearSelection();
    }
    updateBanner();
    updateTitle();
}

void MainWindow::updateTitle() {
    setWindowTitle(workspace_ ? tr("%1 — FedMedCLIP").arg(workspace_->displayName()) : tr("FedMedCLIP"));
}

void MainWindow::updateBanner() {
    const bool demoBundle = workspace_ && isDemoBundle(effectiveBundleDirectory(*workspace_));
    const bool demoWorkspace = workspace_ && workspace_->isDemo();
    if (demoWorkspace)
        demoBanner_->setText(tr("DEMO — demo model with random weights and synthetic demo images. Not for clinical use."));
    else
        demoBanner_->setText(tr("DEMO MODEL — random weights, not for clinical use. Choose a real model bundle in Settings."));
    demoBanner_->setVisible(demoBundle || demoWorkspace);
}

bool MainWindow::isDemoBannerShown() const { return !demoBanner_->isHidden(); }
QString MainWindow::demoBannerText() const { return demoBanner_->text(); }
QString MainWindow::researchNoticeText() const { return researchNotice_->text(); }

void MainWindow::showPage(Page page) {
    if (!workspace_) return;
    const int index = static_cast<int>(page);
    navigation_->setCurrentRow(index);
    stack_->setCurrentIndex(index);
}

bool MainWindow::openWorkspace(const QString& directory) {
    if (tasksRunning()) {
        QMessageBox::information(this, tr("Please wait"), tr("Wait for the running task to finish or cancel it first."));
        return false;
    }
    try {
        setWorkspace(openWorkspaceAt(directory));
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Workspace not opened"),
                             tr("The workspace could not be opened: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
    AppSettings::addRecentWorkspace(directory);
    updateRecentMenu();
    qCInfo(lcApp) << "workspace open:" << directory;
    emit workspaceOpened(directory);
    return true;
}

bool MainWindow::createWorkspace(const QString& directory) {
    if (tasksRunning()) return false;
    try {
        setWorkspace(createWorkspaceAt(directory));
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Workspace not created"),
                             tr("The workspace could not be created: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
    AppSettings::addRecentWorkspace(directory);
    updateRecentMenu();
    emit workspaceOpened(directory);
    return true;
}

bool MainWindow::closeWorkspace() {
    if (tasksRunning()) {
        QMessageBox::information(this, tr("Please wait"), tr("Wait for the running task to finish or cancel it first."));
        return false;
    }
    setWorkspace(nullptr);
    return true;
}

void MainWindow::openDemoWorkspace(const QString& workDir, const DemoWorkspaceOptions& options) {
    if (tasksRunning()) return;
    QString vocabulary;
    try {
        vocabulary = vocabularyPath();
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Demo not ready"), QString::fromUtf8(error.what()));
        emit demoFailed(QString::fromUtf8(error.what()));
        return;
    }
    if (workspace_) setWorkspace(nullptr);
    demoRunner_->start(tr("Preparing the demo workspace"), [workDir, vocabulary, options](TaskContext& context) {
        return QVariant(prepareDemoWorkspace(workDir, vocabulary, options, context));
    });
}

void MainWindow::newWorkspaceDialog() {
    const auto directory = QFileDialog::getExistingDirectory(this, tr("Choose an empty folder for the new workspace"));
    if (!directory.isEmpty()) createWorkspace(directory);
}

void MainWindow::openWorkspaceDialog() {
    const auto directory = QFileDialog::getExistingDirectory(this, tr("Open a workspace folder"));
    if (directory.isEmpty()) return;
    if (!isWorkspaceFolder(directory)) {
        QMessageBox::information(this, tr("Not a workspace"),
                                 tr("This folder is not a FedMedCLIP workspace. Use File › New workspace to make one."));
        return;
    }
    openWorkspace(directory);
}

void MainWindow::showSettings() {
    SettingsDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted) return;
    if (!currentRuntime().warning.isEmpty()) statusBar()->showMessage(currentRuntime().warning);
    updateBanner();
    if (workspace_) classify_->preloadModel();
}

void MainWindow::joinFederation() {
    if (!workspace_ || !federation_) return;
    auto* wizard = new FederationWizard(workspace_.get(), federation_, this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &FederationWizard::importRequested, this, [this] { images_->chooseFolderToImport(); });
    connect(images_, &ImagesPage::importFinished, wizard, &FederationWizard::refreshData);
    wizard->open();
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About FedMedCLIP"),
                       tr("<p><b>FedMedCLIP Desktop</b> %1</p><p>Federated CLIP for medical image classification: "
                          "frozen CLIP encoders, a shared feature adaptation module trained by the federation and a "
                          "private model per site. Images never leave the site.</p><p><b>Research use only. Not a "
                          "medical device.</b></p>")
                           .arg(QStringLiteral(FMC_VERSION)));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (tasksRunning()) {
        const auto answer = QMessageBox::question(this, tr("Quit while working?"),
                                                  tr("A task is still running. Cancel it and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        images_->importRunner()->cancel();
        train_->cancel();
        demoRunner_->cancel();
    }
    event->accept();
}

}  // namespace fmc::ui
