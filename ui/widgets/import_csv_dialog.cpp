#include "widgets/import_csv_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace fmc::ui {
namespace {

QWidget* withBrowseButton(QLineEdit* edit, const QString& text, QWidget* parent, QPushButton** button) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit);
    *button = new QPushButton(text, row);
    layout->addWidget(*button);
    return row;
}

}  // namespace

ImportCsvDialog::ImportCsvDialog(QWidget* parent)
    : QDialog(parent),
      csvFile_(new QLineEdit(this)),
      folder_(new QLineEdit(this)),
      pathColumn_(new QLineEdit(QStringLiteral("path"), this)),
      labelColumn_(new QLineEdit(QStringLiteral("label"), this)),
      pathFormat_(new QLineEdit(QStringLiteral("{}"), this)) {
    setWindowTitle(tr("Import with a labels CSV"));
    csvFile_->setObjectName(QStringLiteral("csvFile"));
    folder_->setObjectName(QStringLiteral("csvImportFolder"));
    pathColumn_->setObjectName(QStringLiteral("csvPathColumn"));
    labelColumn_->setObjectName(QStringLiteral("csvLabelColumn"));
    pathFormat_->setObjectName(QStringLiteral("csvPathFormat"));
    folder_->setPlaceholderText(tr("The CSV's folder"));
    pathFormat_->setToolTip(tr("{} stands for the value of the file column, e.g. {}.png for a column of image ids, "
                               "{:03}.png to pad them with zeros to 3 digits. Relative paths start at the CSV's folder."));
    QPushButton* browseCsv = nullptr;
    QPushButton* browseFolder = nullptr;
    auto* form = new QFormLayout(this);
    form->addRow(tr("Labels CSV:"), withBrowseButton(csvFile_, tr("Choose…"), this, &browseCsv));
    form->addRow(tr("Folder to import:"), withBrowseButton(folder_, tr("Choose…"), this, &browseFolder));
    form->addRow(tr("File column:"), pathColumn_);
    form->addRow(tr("Label column:"), labelColumn_);
    form->addRow(tr("Path pattern:"), pathFormat_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
    form->addRow(buttons);
    connect(browseCsv, &QPushButton::clicked, this, &ImportCsvDialog::chooseCsvFile);
    connect(browseFolder, &QPushButton::clicked, this, &ImportCsvDialog::chooseFolder);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (auto* edit : {csvFile_, pathColumn_, labelColumn_, pathFormat_})
        connect(edit, &QLineEdit::textChanged, this, &ImportCsvDialog::updateOk);
    updateOk();
}

CsvLabels ImportCsvDialog::labels() const {
    CsvLabels labels;
    labels.csvPath = csvFile_->text().trimmed();
    labels.pathColumn = pathColumn_->text().trimmed();
    labels.labelColumn = labelColumn_->text().trimmed();
    labels.pathFormat = pathFormat_->text().trimmed();
    return labels;
}

QString ImportCsvDialog::folder() const {
    const auto chosen = folder_->text().trimmed();
    return chosen.isEmpty() ? QFileInfo(csvFile_->text().trimmed()).absolutePath() : chosen;
}

void ImportCsvDialog::setCsvFile(const QString& path) { csvFile_->setText(path); }

void ImportCsvDialog::chooseCsvFile() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Labels CSV"), QString(), tr("CSV files (*.csv);;All files (*)"));
    if (!file.isEmpty()) csvFile_->setText(file);
}

void ImportCsvDialog::chooseFolder() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Folder to import"));
    if (!folder.isEmpty()) folder_->setText(folder);
}

void ImportCsvDialog::updateOk() {
    auto* ok = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    const auto l = labels();
    ok->setEnabled(!l.csvPath.isEmpty() && !l.pathColumn.isEmpty() && !l.labelColumn.isEmpty() &&
                   l.pathFormat.contains(QLatin1Char('{')));
}

}  // namespace fmc::ui
