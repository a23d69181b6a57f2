#pragma once
// File > Import from PACS…: the PACS connection (PacsConnectionForm, the same as in
// Settings: DICOMweb or DIMSE, remembered in the app's settings, the password only in the
// credential store when asked), a study search, the
// studies and their series as a checkable tree, and the retrieval of the checked series
// with progress and Cancel. Retrieved files go to <workspace>/pacs/ and are handed to the
// Images page's import (filesRetrieved), so they get the same dedup, splits, labels and
// report as files; what could not be retrieved is listed in the dialog.
#include <QDialog>
#include <QStringList>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QStandardItemModel;
class QTreeView;

namespace fmc::ui {

class TaskRunner;

class PacsImportDialog : public QDialog {
    Q_OBJECT
public:
    // workspaceFolder: where the retrieved series are kept (its pacs/ sub-folder).
    explicit PacsImportDialog(const QString& workspaceFolder, QWidget* parent = nullptr);
    ~PacsImportDialog() override;

    QStandardItemModel* results() const { return results_; }
    QString reportText() const;

public slots:
    void testConnection();
    void search();
    void retrieveChecked();
    void cancel();

signals:
    // Complete retrieved files, to import like any other files.
    void filesRetrieved(const QStringList& files);
    void searchFinished(int studies);
    void retrievalFinished(bool complete);

private:
    struct Widgets;
    void saveConnection();
    void setBusy(bool busy);
    void report(const QString& text);

    QString workspaceFolder_;
    Widgets* w_;
    QStandardItemModel* results_;
    TaskRunner* runner_;
};

}  // namespace fmc::ui
