#include "pages/images_page.h"

#include "shell/app_settings.h"
#include "models/image_filter_model.h"
#include "models/image_table_model.h"
#include "widgets/import_report_dialog.h"
#include "shell/logging.h"
#include "widgets/task_progress_dialog.h"
#include "workspace/task_runner.h"
#include "models/thumbnail_cache.h"
#include "workspace/workspace_service.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScopeGuard>
#include <QSet>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace fmc::ui {
namespace {

constexpr int kThumbnailEdge = 96;

QComboBox* makeFilter(QWidget* parent, const QString& objectName) {
    auto* combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    combo->setMinimumContentsLength(8);
    return combo;
}

// Keeps the current choice when the items are rebuilt.
void fillFilter(QComboBox* combo, const QString& allText, const QList<QPair<QString, QString>>& items) {
    const auto current = combo->currentData().toString();
    const QSignalBlocker blocker(combo);
    combo->clear();
    combo->addItem(allText, QString());
    for (const auto& [text, value] : items) combo->addItem(text, value);
    const int index = combo->findData(current);
    combo->setCurrentIndex(index >= 0 ? index : 0);
}

}  // namespace

ImagesPage::ImagesPage(QWidget* parent)
    : QWidget(parent),
      thumbnails_(new ThumbnailCache(kThumbnailEdge, this)),
      model_(new ImageTableModel(thumbnails_, this)),
      filter_(new ImageFilterModel(this)),
      importRunner_(new TaskRunner(this)) {
    setAcceptDrops(true);
    filter_->setSourceModel(model_);
    new TaskProgressDialog(importRunner_, this);

    auto* layout = new QVBoxLayout(this);
    auto* header = new QHBoxLayout;
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("pageTitle"));
    count_ = new QLabel(this);
    count_->setObjectName(QStringLiteral("hint"));
    auto* importFiles = new QPushButton(this);
    importFiles->setObjectName(QStringLiteral("importFilesButton"));
    auto* importFolder = new QPushButton(this);
    importFolder->setObjectName(QStringLiteral("importFolderButton"));
    folderLabels_ = new QCheckBox(this);
    folderLabels_->setChecked(true);
    header->addWidget(title_);
    header->addWidget(count_);
    header->addStretch();
    header->addWidget(folderLabels_);
    header->addWidget(importFiles);
    header->addWidget(importFolder);
    layout->addLayout(header);

    auto* filters = new QHBoxLayout;
    labelFilter_ = makeFilter(this, QStringLiteral("labelFilter"));
    modalityFilter_ = makeFilter(this, QStringLiteral("modalityFilter"));
    splitFilter_ = makeFilter(this, QStringLiteral("splitFilter"));
    siteFilter_ = makeFilter(this, QStringLiteral("siteFilter"));
    nameFilter_ = new QLineEdit(this);
    nameFilter_->setClearButtonEnabled(true);
    auto* labelButton = new QPushButton(this);
    labelButton->setObjectName(QStringLiteral("labelSelectionButton"));
    gridButton_ = new QToolButton(this);
    tableButton_ = new QToolButton(this);
    gridButton_->setCheckable(true);
    tableButton_->setCheckable(true);
    gridButton_->setAutoExclusive(true);
    tableButton_->setAutoExclusive(true);
    for (auto* widget : {static_cast<QWidget*>(labelFilter_), static_cast<QWidget*>(modalityFilter_),
                         static_cast<QWidget*>(splitFilter_), static_cast<QWidget*>(siteFilter_)})
        filters->addWidget(widget);
    filters->addWidget(nameFilter_, 1);
    filters->addWidget(labelButton);
    filters->addWidget(gridButton_);
    filters->addWidget(tableButton_);
    layout->addLayout(filters);

    views_ = new QStackedWidget(this);
    grid_ = new QListView(this);
    grid_->setObjectName(QStringLiteral("imageGrid"));
    grid_->setViewMode(QListView::IconMode);
    grid_->setModel(filter_);
    grid_->setModelColumn(ImageTableModel::CaptionColumn);
    grid_->setIconSize({kThumbnailEdge, kThumbnailEdge});
    grid_->setGridSize({kThumbnailEdge + 48, kThumbnailEdge + 52});
    grid_->setUniformItemSizes(true);
    grid_->setResizeMode(QListView::Adjust);
    grid_->setMovement(QListView::Static);
    grid_->setLayoutMode(QListView::Batched);
    grid_->setBatchSize(200);
    grid_->setWordWrap(true);
    grid_->setTextElideMode(Qt::ElideMiddle);
    grid_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    grid_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("imageTable"));
    table_->setModel(filter_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(ImageTableModel::FileColumn, Qt::AscendingOrder);
    table_->setIconSize({32, 32});
    table_->verticalHeader()->setDefaultSectionSize(36);
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::SelectedClicked);
    table_->hideColumn(ImageTableModel::CaptionColumn);
    table_->horizontalHeader()->setSectionResizeMode(ImageTableModel::FileColumn, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(ImageTableModel::SizeColumn, QHeaderView::ResizeToContents);
    // The table is a second view of the same rows: same selection, so "Set label" acts on both.
    table_->setSelectionModel(grid_->selectionModel());
    views_->addWidget(grid_);
    views_->addWidget(table_);
    emptyHint_ = new QLabel(this);
    emptyHint_->setObjectName(QStringLiteral("hint"));
    emptyHint_->setAlignment(Qt::AlignCenter);
    emptyHint_->setWordWrap(true);
    views_->addWidget(emptyHint_);
    layout->addWidget(views_, 1);

    connect(importFiles, &QPushButton::clicked, this, &ImagesPage::chooseFilesToImport);
    connect(importFolder, &QPushButton::clicked, this, &ImagesPage::chooseFolderToImport);
    connect(labelButton, &QPushButton::clicked, this, &ImagesPage::labelSelection);
    connect(gridButton_, &QToolButton::clicked, this, [this] { showGrid(true); });
    connect(tableButton_, &QToolButton::clicked, this, [this] { showGrid(false); });
    connect(labelFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setLabelFilter(labelFilter_->currentData().toString()); });
    connect(modalityFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setModalityFilter(modalityFilter_->currentData().toString()); });
    connect(splitFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setSplitFilter(splitFilter_->currentData().toString()); });
    connect(siteFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setSiteFilter(siteFilter_->currentData().toString()); });
    connect(nameFilter_, &QLineEdit::textChanged, filter_, &ImageFilterModel::setNameFilter);
    connect(filter_, &QAbstractItemModel::rowsInserted, this, &ImagesPage::updateCount);
    connect(filter_, &QAbstractItemModel::rowsRemoved, this, &ImagesPage::updateCount);
    connect(filter_, &QAbstractItemModel::modelReset, this, &ImagesPage::updateCount);
    connect(filter_, &QAbstractItemModel::layoutChanged, this, &ImagesPage::updateCount);
    connect(grid_, &QListView::activated, this, &ImagesPage::openIndex);
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.column() != ImageTableModel::LabelColumn) openIndex(index);
    });
    connect(model_, &ImageTableModel::labelWriteFailed, this, [this](const QString& message) {
        QMessageBox::warning(this, tr("Label not saved"), tr("The label could not be saved: %1").arg(message));
    });
    connect(importRunner_, &TaskRunner::succeeded, this, [this](const QVariant& result) {
        const auto report = result.value<ImportReport>();
        reload();
        emit importFinished(report);
        if (showReportDialog_) {
            auto* dialog = new ImportReportDialog(report, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->open();
        }
    });
    connect(importRunner_, &TaskRunner::failed, this, [this](const QString& message) {
        reload();
        QMessageBox::warning(this, tr("Import failed"), tr("The import stopped: %1").arg(message));
    });
    connect(importRunner_, &TaskRunner::cancelled, this, &ImagesPage::reload);

    gridButton_->setChecked(true);
    showGrid(true);
    changeEvent(nullptr);
    setWorkspace(nullptr);
}

ImagesPage::~ImagesPage() { importRunner_->waitForDone(); }

void ImagesPage::changeEvent(QEvent* event) {
    if (event && event->type() != QEvent::LanguageChange) {
        QWidget::changeEvent(event);
        return;
    }
    title_->setText(tr("Images"));
    findChild<QPushButton*>(QStringLiteral("importFilesButton"))->setText(tr("Import files…"));
    findChild<QPushButton*>(QStringLiteral("importFolderButton"))->setText(tr("Import folder…"));
    findChild<QPushButton*>(QStringLiteral("labelSelectionButton"))->setText(tr("Set label…"));
    folderLabels_->setText(tr("Labels from sub-folder names"));
    folderLabels_->setToolTip(tr("Each image gets the name of the folder it is in as its label, "
                                 "e.g. images in \"melanoma/\" are labelled melanoma."));
    nameFilter_->setPlaceholderText(tr("Search file names"));
    gridButton_->setText(tr("Grid"));
    tableButton_->setText(tr("Table"));
    emptyHint_->setText(workspace_ ? tr("No images yet. Import files or a folder, or drop them here.")
                                   : tr("Open or create a workspace to import images."));
    refreshFilters();
    if (event) QWidget::changeEvent(event);
}

void ImagesPage::setWorkspace(WorkspaceService* workspace) {
    if (workspace_) disconnect(workspace_, nullptr, this, nullptr);
    workspace_ = workspace;
    if (workspace_) {
        model_->setLabelWriter([this, workspace](qint64 id, const QString& label) {
            writingLabel_ = true;
            const auto reset = qScopeGuard([this] { writingLabel_ = false; });
            workspace->setLabel(id, label);
        });
        connect(workspace_, &WorkspaceService::imagesChanged, this, [this] {
            if (writingLabel_) {
                refreshFilters();
                return;
            }
            // During an import the list is reloaded once, when it ends.
            if (!importRunner_->isRunning()) reload();
        });
    } else {
        model_->setLabelWriter({});
    }
    setEnabled(true);
    reload();
    changeEvent(nullptr);
}

void ImagesPage::reload() {
    model_->setImages(workspace_ ? workspace_->images() : QList<ImageEntry>{});
    refreshFilters();
    updateCount();
}

void ImagesPage::refreshFilters() {
    QSet<QString> labels, modalities, sites;
    for (const auto& image : model_->images()) {
        if (!image.label.isEmpty()) labels.insert(image.label);
        modalities.insert(image.modality);
        if (!image.site.isEmpty()) sites.insert(image.site);
    }
    auto sorted = [](const QSet<QString>& set) {
        QStringList list(set.begin(), set.end());
        list.sort(Qt::CaseInsensitive);
        return list;
    };
    QList<QPair<QString, QString>> labelItems{{tr("(unlabelled)"), ImageFilterModel::kUnlabelled}};
    for (const auto& label : sorted(labels)) labelItems.append({label, label});
    fillFilter(labelFilter_, tr("All labels"), labelItems);
    QList<QPair<QString, QString>> modalityItems;
    for (const auto& modality : sorted(modalities))
        modalityItems.append({modality == kModalityPhoto ? tr("photo") : modality, modality});
    fillFilter(modalityFilter_, tr("All modalities"), modalityItems);
    fillFilter(splitFilter_, tr("All splits"),
               {{ImageTableModel::splitDisplayName(kSplitTrain), kSplitTrain},
                {ImageTableModel::splitDisplayName(kSplitValidation), kSplitValidation},
                {ImageTableModel::splitDisplayName(kSplitTest), kSplitTest}});
    QList<QPair<QString, QString>> siteItems;
    for (const auto& site : sorted(sites)) siteItems.append({site, site});
    fillFilter(siteFilter_, tr("All sites"), siteItems);
}

void ImagesPage::updateCount() {
    const int total = model_->rowCount(), shown = filter_->rowCount();
    count_->setText(shown == total ? tr("%n image(s)", nullptr, total) : tr("%1 of %2 images").arg(shown).arg(total));
    const bool empty = total == 0;
    if (empty) views_->setCurrentWidget(emptyHint_);
    else views_->setCurrentWidget(gridButton_->isChecked() ? static_cast<QWidget*>(grid_) : table_);
    emptyHint_->setText(workspace_ ? tr("No images yet. Import files or a folder, or drop them here.")
                                   : tr("Open or create a workspace to import images."));
}

void ImagesPage::showGrid(bool grid) {
    gridButton_->setChecked(grid);
    tableButton_->setChecked(!grid);
    updateCount();
}

bool ImagesPage::labelsFromFolders() const { return folderLabels_->isChecked(); }
void ImagesPage::setLabelsFromFolders(bool enabled) { folderLabels_->setChecked(enabled); }

bool ImagesPage::importPaths(const QStringList& paths) {
    if (!workspace_) {
        QMessageBox::information(this, tr("No workspace"), tr("Open or create a workspace first, then import images."));
        return false;
    }
    if (paths.isEmpty()) return false;
    ImportRequest request;
    request.paths = paths;
    request.labelSource = labelsFromFolders() ? LabelSource::FolderName : LabelSource::None;
    const auto limits = AppSettings::imageLimits();
    auto* workspace = workspace_;
    const auto progressText = tr("Importing image %1 of %2");
    qCInfo(lcImport) << "importing" << paths.size() << "path(s)";
    return importRunner_->start(tr("Importing images"), [workspace, request, limits, progressText](TaskContext& context) {
        const auto report = workspace->importImages(
            request, limits,
            [&context, progressText](int done, int total, const QString&) {
                context.reportProgress(done, total, progressText.arg(qMin(done + 1, total)).arg(total));
            },
            context.cancelFlag());
        return QVariant::fromValue(report);
    });
}

void ImagesPage::chooseFilesToImport() {
    QStringList patterns;
    for (const auto& extension : supportedImageExtensions())
        patterns << QStringLiteral("*") + QString::fromStdString(extension);
    patterns << QStringLiteral("*.dcm");
    const auto files = QFileDialog::getOpenFileNames(this, tr("Import images"), QString(),
                                                     tr("Images (%1);;All files (*)").arg(patterns.join(QLatin1Char(' '))));
    importPaths(files);
}

void ImagesPage::chooseFolderToImport() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Import a folder of images"));
    if (!folder.isEmpty()) importPaths({folder});
}

void ImagesPage::labelSelection() {
    // The grid selects one column, the table whole rows: collect the rows either way.
    QList<int> rows;
    for (const auto& index : grid_->selectionModel()->selectedIndexes())
        if (!rows.contains(index.row())) rows.append(index.row());
    if (rows.isEmpty()) {
        QMessageBox::information(this, tr("Set label"), tr("Select one or more images first."));
        return;
    }
    QStringList choices = workspace_ ? workspace_->localLabels() : QStringList();
    bool ok = false;
    const auto label = QInputDialog::getItem(this, tr("Set label"), tr("Label for the %n selected image(s):", nullptr, rows.size()),
                                             choices, 0, true, &ok);
    if (!ok) return;
    // Source rows first: relabelling may move rows out of a label filter.
    QList<QPersistentModelIndex> targets;
    for (int row : rows) targets.append(filter_->mapToSource(filter_->index(row, ImageTableModel::LabelColumn)));
    for (const auto& index : targets) model_->setData(index, label, Qt::EditRole);
    refreshFilters();
}

void ImagesPage::openIndex(const QModelIndex& proxyIndex) {
    const auto source = filter_->mapToSource(proxyIndex);
    emit classifyRequested(source.data(ImageTableModel::PathRole).toString(),
                           source.data(ImageTableModel::ImageIdRole).toLongLong());
}

void ImagesPage::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() && workspace_) event->acceptProposedAction();
}

void ImagesPage::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const auto& url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    if (importPaths(paths)) event->acceptProposedAction();
}

}  // namespace fmc::ui
