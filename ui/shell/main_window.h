#pragma once
// The desktop app's window: one workspace open at a time (recent ones in the File menu),
// the pages Images, Classify, Train and History, a banner while a demo model is in use and
// a permanent "research use only" notice. Long jobs run on workers; the window never waits.
#include "workspace/demo_workspace.h"

#include <QMainWindow>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;
class QScrollArea;
QT_END_NAMESPACE

namespace fmc::ui {

class ClassifyPage;
class FederationService;
class HistoryPage;
class ImagesPage;
class TaskRunner;
class TrainPage;
class WorkspaceService;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class Page { Images, Classify, Train, History, Start };

    // Makes the federation client of a workspace (null: this build has none).
    using FederationServiceFactory = std::function<std::shared_ptr<FederationService>(const QString& workspaceRoot)>;

    explicit MainWindow(FederationServiceFactory federationFactory = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Show a message box on failure and return false.
    bool openWorkspace(const QString& directory);
    bool createWorkspace(const QString& directory);
    bool closeWorkspace();
    // Opens the most recent workspace that still exists (at start-up); false when none.
    bool reopenLastWorkspace();
    // Prepares (or reuses) the demo workspace under workDir on a worker, then opens it.
    void openDemoWorkspace(const QString& workDir, const DemoWorkspaceOptions& options = {});

    WorkspaceService* workspace() const { return workspace_.get(); }
    void showPage(Page page);
    ImagesPage* imagesPage() const { return images_; }
    ClassifyPage* classifyPage() const { return classify_; }
    TrainPage* trainPage() const { return train_; }
    HistoryPage* historyPage() const { return history_; }
    TaskRunner* demoRunner() const { return demoRunner_; }
    bool isDemoBannerShown() const;
    QString demoBannerText() const;
    QString researchNoticeText() const;
    // The start page's hint after a page was chosen with no workspace open ("" when none).
    QString workspaceHintText() const;
    QStringList recentWorkspaceList() const;  // as the start page lists them
    QWidget* currentPage() const;
    // The window's size for a screen: the preferred 1280 x 820, never more than the screen
    // leaves free (HiDPI scales, small screens).
    static QSize fittingSize(const QSize& available);
    // Where the demo workspace lives unless --demo-dir says otherwise.
    static QString defaultDemoDirectory();
    // The user documentation shipped with the app ("" when not found): the installed copy
    // (share/doc/fedmedclip-desktop), else the source tree's docs/.
    static QString userDocumentPath(const QString& fileName);

public slots:
    void newWorkspaceDialog();
    void openWorkspaceDialog();
    void showSettings();
    void joinFederation();
    void showAbout();
    void showUserGuide(const QString& fileName);

signals:
    void workspaceOpened(const QString& directory);
    void demoReady(const QString& directory);
    void demoFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void setWorkspace(std::unique_ptr<WorkspaceService> workspace);
    void updateBanner();
    void updateRecentMenu();
    void updateTitle();
    bool tasksRunning() const;
    void buildMenus();
    QWidget* buildWelcome();
    void updateRecentList();
    void retranslateNavigation();

    FederationServiceFactory federationFactory_;
    std::shared_ptr<FederationService> federation_;
    std::unique_ptr<WorkspaceService> workspace_;
    QLabel* demoBanner_;
    QLabel* researchNotice_;
    QListWidget* navigation_;
    QStackedWidget* stack_;
    QWidget* welcome_;
    QLabel* workspaceHint_ = nullptr;
    QListWidget* recentList_ = nullptr;
    QList<QWidget*> pageContainers_;
    ImagesPage* images_;
    ClassifyPage* classify_;
    TrainPage* train_;
    HistoryPage* history_;
    TaskRunner* demoRunner_;
    QMenu* recentMenu_ = nullptr;
    QAction* joinAction_ = nullptr;
    QList<QAction*> workspaceActions_;
};

}  // namespace fmc::ui
