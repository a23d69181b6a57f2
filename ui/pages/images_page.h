#pragma once
// Images: import files and folders (menu, buttons, drag-and-drop) with a cancellable
// progress dialog and an import report; browse them as a thumbnail grid or a table,
// filtered by label, modality, split and site; edit labels in place or for a selection.
#include "workspace/workspace_types.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTableView;
class QToolButton;
QT_END_NAMESPACE

namespace fmc::ui {

class ImageFilterModel;
class ImageTableModel;
class TaskRunner;
class ThumbnailCache;
class WorkspaceService;

class ImagesPage : public QWidget {
    Q_OBJECT
public:
    explicit ImagesPage(QWidget* parent = nullptr);
    ~ImagesPage() override;

    void setWorkspace(WorkspaceService* workspace);

    // Starts an import in the background; false while another import runs.
    bool importPaths(const QStringList& paths);
    bool labelsFromFolders() const;
    void setLabelsFromFolders(bool enabled);
    // Tests and scripts turn the report dialog off and read importFinished() instead.
    void setShowReportDialog(bool show) { showReportDialog_ = show; }
    void showGrid(bool grid);

    ImageTableModel* imageModel() const { return model_; }
    ImageFilterModel* filterModel() const { return filter_; }
    TaskRunner* importRunner() const { return importRunner_; }
    ThumbnailCache* thumbnails() const { return thumbnails_; }

public slots:
    void chooseFilesToImport();
    void chooseFolderToImport();

signals:
    void classifyRequested(const QString& path, qint64 imageId);
    void importFinished(const fmc::ui::ImportReport& report);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void reload();
    void refreshFilters();
    void labelSelection();
    void updateCount();
    void openIndex(const QModelIndex& proxyIndex);

    WorkspaceService* workspace_ = nullptr;
    ThumbnailCache* thumbnails_;
    ImageTableModel* model_;
    ImageFilterModel* filter_;
    TaskRunner* importRunner_;
    bool showReportDialog_ = true;
    // A label edited here changes one row: the list is not reloaded for it.
    bool writingLabel_ = false;

    QLabel* title_;
    QLabel* count_;
    QLabel* emptyHint_;
    QComboBox* labelFilter_;
    QComboBox* modalityFilter_;
    QComboBox* splitFilter_;
    QComboBox* siteFilter_;
    QLineEdit* nameFilter_;
    QCheckBox* folderLabels_;
    QToolButton* gridButton_;
    QToolButton* tableButton_;
    QStackedWidget* views_;
    QListView* grid_;
    QTableView* table_;
};

}  // namespace fmc::ui
