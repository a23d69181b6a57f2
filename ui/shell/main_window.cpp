#include "shell/main_window.h"

#include "common/app_identity.h"

#include "shell/app_settings.h"
#include "pages/classify_page.h"
#include "federation/federation_service.h"
#include "federation/federation_wizard.h"
#include "pages/history_page.h"
#include "pages/images_page.h"
#include "shell/logging.h"
#include "shell/runtime_setup.h"
#include "widgets/pacs_import_dialog.h"
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
#include <QUrl>
#include <QFileInfo>
#include <QCoreApplication>
#include <QUndoStack>
#include <QTextBrowser>
#include <QScrollArea>
#include <QScreen>
#include <QGuiApplication>
#include <QDialogButtonBox>
#include <QDialog>
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
    if (const auto* screen = QGuiApplication::primaryScreen()) resize(fittingSize(screen->availableGeometry().size()));
    else resize(1280, 820);

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
    for (const auto* icon : {":/ui/icons/images.png", ":/ui/icons/classify.png", ":/ui/icons/train.png",
                             ":/ui/icons/history.png"})
        new QListWidgetItem(QIcon(QString::fromLatin1(icon)), QString(), navigation_);
    retranslateNavigation();
    stack_ = new QStackedWidget(central);
    images_ = new ImagesPage(stack_);
    classify_ = new ClassifyPage(stack_);
    train_ = new TrainPage(stack_);
    history_ = new HistoryPage(stack_);
    welcome_ = buildWelcome();
    // Each page scrolls when the window is smaller than it needs (small screens, large
    // scale factors): the window itself always fits the screen.
    for (auto* page : {static_cast<QWidget*>(images_), static_cast<QWidget*>(classify_), static_cast<QWidget*>(train_),
                       static_cast<QWidget*>(history_), welcome_}) {
        auto* scroll = new QScrollArea(stack_);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setWidget(page);
        pageContainers_.append(scroll);
        stack_->addWidget(scroll);
    }
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
        if (workspace_) {
            if (row >= 0) stack_->setCurrentIndex(row);
            return;
        }
        if (row < 0) return;
        // No workspace yet: say what the page needs instead of doing nothing.
        const auto name = navigation_->item(row)->text();
        workspaceHint_->setText(tr("The %1 page works on a workspace. Open one or create one first (or try the demo).")
                                    .arg(name));
        workspaceHint_->show();
        stack_->setCurrentWidget(pageContainers_.last());
        const QSignalBlocker blocker(navigation_);
        navigation_->clearSelection();
        navigation_->setCurrentRow(-1);
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

QString MainWindow::defaultDemoDirectory() {
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QLatin1Char('/') +
           QString::fromLatin1(kDemoFolder);
}

QSize MainWindow::fittingSize(const QSize& available) {
    // Room for the window frame and a panel: 95 % of the width, 90 % of the height.
    return {std::min(1280, static_cast<int>(available.width() * 0.95)),
            std::min(820, static_cast<int>(available.height() * 0.90))};
}

void MainWindow::retranslateNavigation() {
    const QStringList names{tr("Images"), tr("Classify"), tr("Train"), tr("History")};
    for (int row = 0; row < navigation_->count(); ++row) {
        navigation_->item(row)->setText(names.value(row));
        navigation_->item(row)->setToolTip(tr("%1 (Ctrl+%2)").arg(names.value(row)).arg(row + 1));
    }
}

QWidget* MainWindow::buildWelcome() {
    auto* page = new QWidget(stack_);
    page->setObjectName(QStringLiteral("startPage"));
    auto* outer = new QHBoxLayout(page);
    // A centred column; its labels wrap at the column's width (a label placed with an
    // alignment flag would get its one-line height and be cut).
    auto* column = new QWidget(page);
    column->setMaximumWidth(640);
    outer->addStretch(1);
    outer->addWidget(column, 4);
    outer->addStretch(1);
    auto* layout = new QVBoxLayout(column);
    layout->addStretch();
    auto* title = new QLabel(tr("Welcome to FedMedCLIP"), column);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setAlignment(Qt::AlignCenter);
    title->setWordWrap(true);
    auto* text = new QLabel(tr("Train a medical image classifier together with other hospitals, without sharing "
                               "images. Start with a workspace for your site's images, or try the demo first."),
                            column);
    text->setObjectName(QStringLiteral("welcomeText"));
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    workspaceHint_ = new QLabel(column);
    workspaceHint_->setObjectName(QStringLiteral("workspaceHint"));
    workspaceHint_->setWordWrap(true);
    workspaceHint_->hide();
    layout->addWidget(title);
    layout->addWidget(text);
    layout->addWidget(workspaceHint_);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    auto* open = new QPushButton(tr("Open a workspace…"), column);
    auto* create = new QPushButton(tr("Create a workspace…"), column);
    auto* demo = new QPushButton(tr("Try the demo"), column);
    demo->setObjectName(QStringLiteral("tryDemoButton"));
    for (auto* button : {open, create, demo}) buttons->addWidget(button);
    buttons->addStretch();
    layout->addLayout(buttons);
    auto* recentTitle = new QLabel(tr("Recent workspaces"), column);
    recentTitle->setObjectName(QStringLiteral("recentTitle"));
    recentList_ = new QListWidget(column);
    recentList_->setObjectName(QStringLiteral("recentList"));
    recentList_->setMaximumHeight(160);
    layout->addSpacing(12);
    layout->addWidget(recentTitle);
    layout->addWidget(recentList_);
    layout->addStretch();
    connect(open, &QPushButton::clicked, this, &MainWindow::openWorkspaceDialog);
    connect(create, &QPushButton::clicked, this, &MainWindow::newWorkspaceDialog);
    connect(demo, &QPushButton::clicked, this, [this] {
        openDemoWorkspace(defaultDemoDirectory());
    });
    connect(recentList_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { openWorkspace(item->data(Qt::UserRole).toString()); });
    connect(recentList_, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { openWorkspace(item->data(Qt::UserRole).toString()); });
    return page;
}

void MainWindow::updateRecentList() {
    if (!recentList_) return;
    recentList_->clear();
    for (const auto& path : AppSettings::recentWorkspaces()) {
        auto* item = new QListWidgetItem(QDir::toNativeSeparators(path), recentList_);
        item->setData(Qt::UserRole, path);
        item->setToolTip(tr("Open %1").arg(QDir::toNativeSeparators(path)));
    }
    if (recentList_->count() == 0) {
        auto* none = new QListWidgetItem(tr("(none yet)"), recentList_);
        none->setFlags(Qt::NoItemFlags);
    }
}

QStringList MainWindow::recentWorkspaceList() const {
    QStringList paths;
    for (int row = 0; row < recentList_->count(); ++row)
        if (!recentList_->item(row)->data(Qt::UserRole).toString().isEmpty())
            paths << recentList_->item(row)->data(Qt::UserRole).toString();
    return paths;
}

QString MainWindow::workspaceHintText() const { return workspaceHint_->isHidden() ? QString() : workspaceHint_->text(); }

QWidget* MainWindow::currentPage() const {
    auto* scroll = qobject_cast<QScrollArea*>(stack_->currentWidget());
    return scroll ? scroll->widget() : stack_->currentWidget();
}

bool MainWindow::reopenLastWorkspace() {
    for (const auto& path : AppSettings::recentWorkspaces())
        if (isWorkspaceFolder(path)) return openWorkspace(path);
    return false;
}

QString MainWindow::userDocumentPath(const QString& fileName) {
    QStringList folders{QCoreApplication::applicationDirPath() + QStringLiteral("/../share/doc/fedmedclip-desktop"),
                        QStringLiteral("/usr/share/doc/fedmedclip-desktop")};
    for (const auto& folder : folders) {
        const QFileInfo file(QDir(folder).filePath(fileName));
        if (file.isFile()) return file.canonicalFilePath();
    }
    return {};
}

void MainWindow::showUserGuide(const QString& fileName) {
    const auto path = userDocumentPath(fileName);
    if (path.isEmpty()) {
        QMessageBox::information(this, tr("User guide"),
                                 tr("The user guide %1 is not installed on this computer.").arg(fileName));
        return;
    }
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("userGuide"));
    dialog->setWindowTitle(tr("User guide — %1").arg(QFileInfo(path).fileName()));
    auto* layout = new QVBoxLayout(dialog);
    auto* browser = new QTextBrowser(dialog);
    browser->setObjectName(QStringLiteral("userGuideText"));
    browser->setOpenExternalLinks(true);
    browser->setSource(QUrl::fromLocalFile(path), QTextDocument::MarkdownResource);
    layout->addWidget(browser);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(close, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(close);
    dialog->resize(fittingSize(size()).boundedTo({900, 700}));
    dialog->show();
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New workspace…"), QKeySequence::New, this, &MainWindow::newWorkspaceDialog);
    file->addAction(tr("&Open workspace…"), QKeySequence::Open, this, &MainWindow::openWorkspaceDialog);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addAction(tr("Open the &demo workspace"), this, [this] {
        openDemoWorkspace(defaultDemoDirectory());
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
    workspaceActions_ << file->addAction(tr("Import from &PACS…"), this, [this] {
        showPage(Page::Images);
        auto* dialog = new PacsImportDialog(workspace_->rootPath(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &PacsImportDialog::filesRetrieved, images_, &ImagesPage::importPaths);
        dialog->show();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    auto* undo = images_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    auto* redo = images_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    workspaceActions_ << edit->addAction(tr("Set &label…"), this, [this] {
        showPage(Page::Images);
        images_->labelSelection();
    });
    workspaceActions_ << edit->addAction(tr("&Remove from workspace…"), this, [this] {
        showPage(Page::Images);
        images_->removeSelection();
    });

    auto* go = menuBar()->addMenu(tr("&Go"));
    const QList<QPair<QString, Page>> pages{{tr("&Images"), Page::Images},
                                           {tr("&Classify"), Page::Classify},
                                           {tr("&Train"), Page::Train},
                                           {tr("&History"), Page::History},
                                           {tr("&Start page"), Page::Start}};
    for (int i = 0; i < pages.size(); ++i) {
        auto* action = go->addAction(pages[i].first);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        action->setShortcutContext(Qt::ApplicationShortcut);
        const auto page = pages[i].second;
        connect(action, &QAction::triggered, this, [this, page, i] {
            if (page == Page::Start || !workspace_) {
                if (page != Page::Start) navigation_->setCurrentRow(i);  // explains what the page needs
                else {
                    navigation_->clearSelection();
                    stack_->setCurrentWidget(pageContainers_.last());
                }
                return;
            }
            showPage(page);
        });
    }

    auto* federation = menuBar()->addMenu(tr("F&ederation"));
    joinAction_ = federation->addAction(tr("&Join a federation…"), this, &MainWindow::joinFederation);
    auto* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::showSettings);
    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* guide = help->addAction(tr("User guide for &site staff"), this, [this] { showUserGuide(QStringLiteral("site-staff.md")); });
    guide->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("User guide for &clinicians"), this, [this] { showUserGuide(QStringLiteral("clinicians.md")); });
    help->addSeparator();
    help->addAction(tr("&About FedMedCLIP"), this, &MainWindow::showAbout);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
    recentMenu_->clear();
    const auto recent = AppSettings::recentWorkspaces();
    for (const auto& path : recent)
        recentMenu_->addAction(QDir::toNativeSeparators(path), this, [this, path] { openWorkspace(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
    updateRecentList();
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
    workspaceHint_->hide();
    for (auto* action : workspaceActions_) action->setEnabled(current != nullptr);
    joinAction_->setEnabled(current != nullptr && federation_ != nullptr);
    if (!federation_) joinAction_->setToolTip(tr("This build of the app has no federation client."));
    if (current) {
        connect(current, &WorkspaceService::federationSetupChanged, this, &MainWindow::updateBanner);
        showPage(Page::Images);
    } else {
        stack_->setCurrentWidget(pageContainers_.last());
        const QSignalBlocker blocker(navigation_);
        navigation_->clearSelection();
        navigation_->setCurrentRow(-1);
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
    if (page == Page::Start) {
        navigation_->clearSelection();
    } else {
        const QSignalBlocker blocker(navigation_);
        navigation_->setCurrentRow(index);
    }
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
