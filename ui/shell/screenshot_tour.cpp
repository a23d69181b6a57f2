#include "shell/screenshot_tour.h"

#include "pages/classify_page.h"
#include "federation/federation_wizard.h"
#include "pages/images_page.h"
#include "shell/main_window.h"
#include "widgets/settings_dialog.h"
#include "workspace/task_runner.h"
#include "pages/train_page.h"
#include "workspace/workspace_service.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QTimer>

namespace fmc::ui {

namespace {
constexpr int kSettleMs = 800;
}

ScreenshotTour::ScreenshotTour(MainWindow* window, const QString& directory, QObject* parent)
    : QObject(parent), window_(window), directory_(directory) {}

void ScreenshotTour::save(const QString& name) {
    QApplication::processEvents();
    const auto path = QDir(directory_).filePath(name);
    if (window_->grab().save(path)) files_ << path;
}

void ScreenshotTour::fail(const QString& message) { emit finished(files_, message); }

void ScreenshotTour::saveDialogs() {
    SettingsDialog settings(window_);
    settings.show();
    QApplication::processEvents();
    if (settings.grab().save(QDir(directory_).filePath(QStringLiteral("06-settings.png"))))
        files_ << QDir(directory_).filePath(QStringLiteral("06-settings.png"));
    settings.close();
    // The wizard needs the federation client; builds without one have no wizard to show.
    window_->joinFederation();
    if (auto* wizard = window_->findChild<FederationWizard*>()) {
        wizard->findChild<QLineEdit*>(QStringLiteral("coordinatorAddress"))->setText(QStringLiteral("https://federation.example.org:8443"));
        wizard->next();  // with no code typed, the page explains what is missing
        QApplication::processEvents();
        const auto path = QDir(directory_).filePath(QStringLiteral("07-wizard.png"));
        if (wizard->grab().save(path)) files_ << path;
        wizard->close();
    }
}

void ScreenshotTour::start() {
    QDir().mkpath(directory_);
    auto* workspace = window_->workspace();
    if (!workspace) return fail(QStringLiteral("no workspace is open"));
    window_->showPage(MainWindow::Page::Images);
    QTimer::singleShot(kSettleMs, this, [this, workspace] {
        save(QStringLiteral("01-images.png"));
        window_->imagesPage()->showGrid(false);
        QTimer::singleShot(kSettleMs, this, [this, workspace] {
            save(QStringLiteral("02-images-table.png"));
            window_->imagesPage()->showGrid(true);
            QString path;
            qint64 id = 0;
            for (const auto& image : workspace->images())
                if (image.split == kSplitTest) {
                    path = image.path;
                    id = image.id;
                    break;
                }
            if (path.isEmpty()) return fail(QStringLiteral("the workspace has no test image to classify"));
            auto* classify = window_->classifyPage();
            connect(classify, &ClassifyPage::classified, this, [this] {
                QTimer::singleShot(kSettleMs, this, [this] {
                    save(QStringLiteral("03-classify.png"));
                    window_->showPage(MainWindow::Page::Train);
                    auto* train = window_->trainPage();
                    train->startDemoFederation(30);
                    // Mid-run: progress, round status and the live chart.
                    QTimer::singleShot(2500, this, [this, train] {
                        save(QStringLiteral("04-train.png"));
                        connect(train, &TrainPage::trainingFinished, this, [this] {
                            window_->showPage(MainWindow::Page::History);
                            QTimer::singleShot(kSettleMs, this, [this] {
                                save(QStringLiteral("05-history.png"));
                                saveDialogs();
                                emit finished(files_, {});
                            });
                        }, Qt::SingleShotConnection);
                        if (!train->runner()->isRunning()) emit train->trainingFinished();
                    });
                });
            }, Qt::SingleShotConnection);
            connect(classify, &ClassifyPage::classificationFailed, this, &ScreenshotTour::fail, Qt::SingleShotConnection);
            window_->showPage(MainWindow::Page::Classify);
            classify->classifyFile(path, id);
        });
    });
}

}  // namespace fmc::ui
