#pragma once
// Images: import files and folders (menu, buttons, drag-and-drop) with labels from sub-folder
// names, a labels CSV or a DICOM attribute, a cancellable progress dialog and an import
// report; browse them as a thumbnail grid, a table, or by patient (DICOM browser: patients ->
// studies -> series -> images, with a viewer beside it), filtered by label, modality, split
// and site; edit labels in place or for a selection ("Set label…" starts from the current
// label), remove images from the workspace (never from disk). Label changes and removals go
// through an undo stack (Edit menu, Ctrl+Z / Ctrl+Shift+Z); every view has a context menu.
#include "workspace/workspace_types.h"

#include <QPair>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QStackedWidget;
class QTableView;
class QToolButton;
class QTreeView;
class QUndoStack;
class QCheckBox;
QT_END_NAMESPACE

namespace fmc::ui {

class DicomBrowserFilter;
class DicomBrowserModel;
class ImageFilterModel;
class ImageTableModel;
class ImageView;
class TaskRunner;
class ThumbnailCache;
class WorkspaceService;

class ImagesPage : public QWidget {
    Q_OBJECT
public:
    enum class View { Grid, Table, Browser };

    explicit ImagesPage(QWidget* parent = nullptr);
    ~ImagesPage() override;

    void setWorkspace(WorkspaceService* workspace);

    // Starts an import in the background; false while another import runs.
    bool importPaths(const QStringList& paths);
    // The same with labels from a CSV (its columns and path pattern chosen in a dialog).
    bool importPathsWithCsv(const QStringList& paths, const CsvLabels& labels);
    // Where imported images get their labels. Csv needs the CSV's path and
    // DicomAttribute a keyword (e.g. BodyPartExamined) as `argument`.
    void setLabelSource(LabelSource source, const QString& argument = {});
    LabelSource labelSource() const { return labelSource_; }
    bool labelsFromFolders() const { return labelSource_ == LabelSource::FolderName; }
    void setLabelsFromFolders(bool enabled);
    // Tests and scripts turn the report dialog off and read importFinished() instead.
    void setShowReportDialog(bool show) { showReportDialog_ = show; }
    void showGrid(bool grid);
    void setView(View view);
    View view() const { return view_; }

    // Edits through the undo stack, as the menus do. Labels: every id gets `label`.
    void setLabels(const QList<qint64>& imageIds, const QString& label);
    void removeImages(const QList<qint64>& imageIds);
    // The images selected in the shown view (grid and table share one selection).
    QList<qint64> selectedImageIds() const;
    // "Set label…" suggests this for the selection: its label when all share one.
    QString suggestedLabel(const QList<qint64>& imageIds) const;

    ImageTableModel* imageModel() const { return model_; }
    ImageFilterModel* filterModel() const { return filter_; }
    DicomBrowserModel* browserModel() const { return browser_; }
    DicomBrowserFilter* browserFilter() const { return browserFilter_; }
    QTreeView* browserTree() const { return tree_; }
    ImageView* viewer() const { return viewer_; }
    QListView* grid() const { return grid_; }
    QUndoStack* undoStack() const { return undo_; }
    TaskRunner* importRunner() const { return importRunner_; }
    ThumbnailCache* thumbnails() const { return thumbnails_; }
    // The context menu of the shown view for its selection (tests inspect its actions).
    QMenu* contextMenu() const { return contextMenu_; }

public slots:
    void chooseFilesToImport();
    void chooseFolderToImport();
    // A labels CSV, its file and label columns and a path pattern, then the folder it labels.
    void chooseCsvToImport();
    void labelSelection();
    void removeSelection();
    // Shows the browser's selected series (or image) in the viewer.
    void showBrowserSelection();

signals:
    void classifyRequested(const QString& path, qint64 imageId);
    void importFinished(const fmc::ui::ImportReport& report);

protected:
    bool startImport(const ImportRequest& request);
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void showViewerWindow(double center, double width);
    void reload();
    void refreshFilters();
    void updateCount();
    void openIndex(const QModelIndex& proxyIndex);
    void openContextMenu(QWidget* view, const QPoint& position);
    QWidget* buildBrowser();
    bool chooseLabelSourceArgument();
    // Writes labels (one per id) without going through the undo stack (its commands call it).
    void applyLabels(const QList<qint64>& imageIds, const QStringList& labels);
    void applyRemoval(const QList<qint64>& imageIds, bool remove);
    friend class LabelChange;
    friend class ImageRemoval;

    WorkspaceService* workspace_ = nullptr;
    ThumbnailCache* thumbnails_;
    ImageTableModel* model_;
    ImageFilterModel* filter_;
    DicomBrowserModel* browser_;
    DicomBrowserFilter* browserFilter_;
    TaskRunner* importRunner_;
    QUndoStack* undo_;
    QMenu* contextMenu_;
    bool showReportDialog_ = true;
    // A label edited here changes rows in place: the list is not reloaded for it.
    bool writingLabel_ = false;
    bool browserDirty_ = true;  // rebuilt when shown (it reads every image's DICOM attributes)
    View view_ = View::Grid;
    LabelSource labelSource_ = LabelSource::FolderName;
    QString labelsCsv_;
    QString dicomKeyword_;

    QLabel* title_;
    QLabel* count_;
    QLabel* emptyHint_;
    QComboBox* labelFilter_;
    QComboBox* modalityFilter_;
    QComboBox* splitFilter_;
    QComboBox* siteFilter_;
    QLineEdit* nameFilter_;
    QLabel* labelSourceText_;
    QComboBox* labelSourceChoice_;
    QToolButton* gridButton_;
    QToolButton* tableButton_;
    QToolButton* browserButton_;
    QStackedWidget* views_;
    QListView* grid_;
    QTableView* table_;
    QWidget* browserPanel_;
    QLineEdit* browserSearch_;
    QComboBox* browserModality_;
    QTreeView* tree_;
    QLabel* browserHint_;
    ImageView* viewer_;
    QPair<double, double> fileWindow_;  // the viewer's window when the selection was opened (center, width)
    QComboBox* windowPreset_;
    QCheckBox* overlayBox_;
    QToolButton* tagsButton_;
};

}  // namespace fmc::ui
