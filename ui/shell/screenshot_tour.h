#pragma once
// Walks the main window through its pages on a ready workspace and saves a PNG of each:
// an image classified on the Classify page, the live demo federation on Train, the finished
// history, then the Settings dialog and the federation wizard. Used by
// `fedmedclip-desktop --screenshots DIR` (docs/screenshots/).
#include <QObject>
#include <QStringList>

namespace fmc::ui {

class MainWindow;

class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(MainWindow* window, const QString& directory, QObject* parent = nullptr);
    void start();

signals:
    void finished(const QStringList& files, const QString& error);

private:
    void save(const QString& name);
    // The Settings dialog and the wizard's first page, explaining a missing code.
    void saveDialogs();
    void fail(const QString& message);

    MainWindow* window_;
    QString directory_;
    QStringList files_;
};

}  // namespace fmc::ui
