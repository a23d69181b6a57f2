#pragma once
// Asks for a labels CSV and how to read it: the column naming each file, the column holding
// its label, and a path pattern ("{}.png" when the file column holds ids), plus the folder
// to import (the CSV's own folder unless another is chosen).
#include "workspace/workspace_types.h"

#include <QDialog>

class QLineEdit;

namespace fmc::ui {

class ImportCsvDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportCsvDialog(QWidget* parent = nullptr);

    CsvLabels labels() const;
    QString folder() const;  // what to import
    void setCsvFile(const QString& path);

private:
    void chooseCsvFile();
    void chooseFolder();
    void updateOk();

    QLineEdit* csvFile_;
    QLineEdit* folder_;
    QLineEdit* pathColumn_;
    QLineEdit* labelColumn_;
    QLineEdit* pathFormat_;
};

}  // namespace fmc::ui
