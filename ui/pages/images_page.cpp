#include "pages/images_page.h"

#include "shell/app_settings.h"
#include "models/image_filter_model.h"
#include "models/image_table_model.h"
#include "widgets/import_csv_dialog.h"
#include "widgets/import_report_dialog.h"
#include "shell/logging.h"
#include "widgets/task_progress_dialog.h"
#include "workspace/task_runner.h"
#include "models/thumbnail_cache.h"
#include "workspace/workspace_service.h"
#include "models/dicom_browser_model.h"
#include "widgets/image_view.h"
#include "shell/user_message.h"

#include <QAction>
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
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScopeGuard>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace fmc::ui {
namespace {

constexpr int kThumbnailEdge = 96;
constexpr int kDraggedWindow = -2;  // the window list's item for a window made by dragging

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

struct WindowPreset {
    const char* name;
    double center, width;
};
// Common CT windows (HU), as PACS viewers offer them.
const WindowPreset kPresets[] = {
    {QT_TRANSLATE_NOOP("ImagesPage", "Lung"), -600, 1500},
    {QT_TRANSLATE_NOOP("ImagesPage", "Soft tissue"), 40, 400},
    {QT_TRANSLATE_NOOP("ImagesPage", "Bone"), 400, 1800},
    {QT_TRANSLATE_NOOP("ImagesPage", "Brain"), 40, 80},
};

}  // namespace

// A label change of one or more images; made after the change was written (first redo skips).
class LabelChange : public QUndoCommand {
public:
    LabelChange(ImagesPage* page, QList<qint64> ids, QStringList before, QString after)
        : page_(page), ids_(std::move(ids)), before_(std::move(before)), after_(std::move(after)) {
        setText(ImagesPage::tr("label \"%1\" on %n image(s)", nullptr, ids_.size()).arg(after_));
    }
    void redo() override {
        if (std::exchange(skipRedo_, false)) return;
        QStringList labels;
        for (int i = 0; i < ids_.size(); ++i) labels << after_;
        page_->applyLabels(ids_, labels);
    }
    void undo() override { page_->applyLabels(ids_, before_); }

private:
    ImagesPage* page_;
    QList<qint64> ids_;
    QStringList before_;
    QString after_;
    bool skipRedo_ = true;
};

class ImageRemoval : public QUndoCommand {
public:
    ImageRemoval(ImagesPage* page, QList<qint64> ids) : page_(page), ids_(std::move(ids)) {
        setText(ImagesPage::tr("removal of %n image(s)", nullptr, ids_.size()));
    }
    void redo() override { page_->applyRemoval(ids_, true); }
    void undo() override { page_->applyRemoval(ids_, false); }

private:
    ImagesPage* page_;
    QList<qint64> ids_;
};

ImagesPage::ImagesPage(QWidget* parent)
    : QWidget(parent),
      thumbnails_(new ThumbnailCache(kThumbnailEdge, this)),
      model_(new ImageTableModel(thumbnails_, this)),
      filter_(new ImageFilterModel(this)),
      browser_(new DicomBrowserModel(this)),
      browserFilter_(new DicomBrowserFilter(this)),
      importRunner_(new TaskRunner(this)),
      undo_(new QUndoStack(this)),
      contextMenu_(new QMenu(this)) {
    setAcceptDrops(true);
    filter_->setSourceModel(model_);
    browserFilter_->setSourceModel(browser_);
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
    auto* importCsv = new QPushButton(this);
    importCsv->setObjectName(QStringLiteral("importCsvButton"));
    labelSourceText_ = new QLabel(this);
    labelSourceChoice_ = new QComboBox(this);
    labelSourceChoice_->setObjectName(QStringLiteral("labelSourceChoice"));
    labelSourceChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    labelSourceText_->setBuddy(labelSourceChoice_);
    header->addWidget(title_);
    header->addWidget(count_);
    header->addStretch();
    header->addWidget(labelSourceText_);
    header->addWidget(labelSourceChoice_);
    header->addWidget(importFiles);
    header->addWidget(importFolder);
    header->addWidget(importCsv);
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
    auto* removeButton = new QPushButton(this);
    removeButton->setObjectName(QStringLiteral("removeSelectionButton"));
    gridButton_ = new QToolButton(this);
    tableButton_ = new QToolButton(this);
    browserButton_ = new QToolButton(this);
    browserButton_->setObjectName(QStringLiteral("browserButton"));
    for (auto* button : {gridButton_, tableButton_, browserButton_}) {
        button->setCheckable(true);
        button->setAutoExclusive(true);
    }
    for (auto* widget : {static_cast<QWidget*>(labelFilter_), static_cast<QWidget*>(modalityFilter_),
                         static_cast<QWidget*>(splitFilter_), static_cast<QWidget*>(siteFilter_)})
        filters->addWidget(widget);
    filters->addWidget(nameFilter_, 1);
    filters->addWidget(labelButton);
    filters->addWidget(removeButton);
    filters->addWidget(gridButton_);
    filters->addWidget(tableButton_);
    filters->addWidget(browserButton_);
    layout->addLayout(filters);

    views_ = new QStackedWidget(this);
    grid_ = new QListView(this);
    grid_->setObjectName(QStringLiteral("imageGrid"));
    grid_->setViewMode(QListView::IconMode);
    grid_->setModel(filter_);
    grid_->setModelColumn(ImageTableModel::CaptionColumn);
    grid_->setIconSize({kThumbnailEdge, kThumbnailEdge});
    grid_->setGridSize(ImageTableModel::captionCellSize(kThumbnailEdge) + QSize(4, 8));
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
    for (auto* view : {static_cast<QAbstractItemView*>(grid_), static_cast<QAbstractItemView*>(table_)}) {
        view->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(view, &QWidget::customContextMenuRequested, this,
                [this, view](const QPoint& position) { openContextMenu(view, position); });
    }
    browserPanel_ = buildBrowser();
    views_->addWidget(grid_);
    views_->addWidget(table_);
    views_->addWidget(browserPanel_);
    emptyHint_ = new QLabel(this);
    emptyHint_->setObjectName(QStringLiteral("hint"));
    emptyHint_->setAlignment(Qt::AlignCenter);
    emptyHint_->setWordWrap(true);
    views_->addWidget(emptyHint_);
    layout->addWidget(views_, 1);

    auto* removeShortcut = new QAction(this);
    removeShortcut->setShortcut(QKeySequence::Delete);
    removeShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(removeShortcut, &QAction::triggered, this, &ImagesPage::removeSelection);
    addAction(removeShortcut);

    connect(importFiles, &QPushButton::clicked, this, &ImagesPage::chooseFilesToImport);
    connect(importFolder, &QPushButton::clicked, this, &ImagesPage::chooseFolderToImport);
    connect(importCsv, &QPushButton::clicked, this, &ImagesPage::chooseCsvToImport);
    connect(labelButton, &QPushButton::clicked, this, &ImagesPage::labelSelection);
    connect(removeButton, &QPushButton::clicked, this, &ImagesPage::removeSelection);
    connect(gridButton_, &QToolButton::clicked, this, [this] { setView(View::Grid); });
    connect(tableButton_, &QToolButton::clicked, this, [this] { setView(View::Table); });
    connect(browserButton_, &QToolButton::clicked, this, [this] { setView(View::Browser); });
    connect(labelSourceChoice_, &QComboBox::activated, this, [this](int index) {
        const auto previous = labelSource_;
        labelSource_ = static_cast<LabelSource>(labelSourceChoice_->itemData(index).toInt());
        if (!chooseLabelSourceArgument()) setLabelSource(previous);
    });
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
        const auto plain = unpackUserMessage(message);
        showUserMessage(this, tr("Import failed"), {tr("The import stopped: %1").arg(plain.text), plain.details});
    });
    connect(importRunner_, &TaskRunner::cancelled, this, &ImagesPage::reload);

    setView(View::Grid);
    changeEvent(nullptr);
    setWorkspace(nullptr);
}

ImagesPage::~ImagesPage() { importRunner_->waitForDone(); }

QWidget* ImagesPage::buildBrowser() {
    auto* splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("dicomBrowser"));
    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* searchRow = new QHBoxLayout;
    browserSearch_ = new QLineEdit(left);
    browserSearch_->setObjectName(QStringLiteral("browserSearch"));
    browserSearch_->setClearButtonEnabled(true);
    browserModality_ = makeFilter(left, QStringLiteral("browserModality"));
    searchRow->addWidget(browserSearch_, 1);
    searchRow->addWidget(browserModality_);
    tree_ = new QTreeView(left);
    tree_->setObjectName(QStringLiteral("dicomTree"));
    tree_->setModel(browserFilter_);
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree_->setSelectionBehavior(QAbstractItemView::SelectRows);
    tree_->setUniformRowHeights(true);
    tree_->setSortingEnabled(true);
    tree_->sortByColumn(DicomBrowserModel::NameColumn, Qt::AscendingOrder);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    browserHint_ = new QLabel(left);
    browserHint_->setObjectName(QStringLiteral("hint"));
    browserHint_->setWordWrap(true);
    leftLayout->addLayout(searchRow);
    leftLayout->addWidget(tree_, 1);
    leftLayout->addWidget(browserHint_);

    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto* tools = new QHBoxLayout;
    windowPreset_ = new QComboBox(right);
    windowPreset_->setObjectName(QStringLiteral("windowPreset"));
    overlayBox_ = new QCheckBox(right);
    overlayBox_->setObjectName(QStringLiteral("overlayBox"));
    overlayBox_->setChecked(true);
    tagsButton_ = new QToolButton(right);
    tagsButton_->setObjectName(QStringLiteral("dicomTagsButton"));
    tools->addWidget(windowPreset_);
    tools->addWidget(overlayBox_);
    tools->addStretch();
    tools->addWidget(tagsButton_);
    viewer_ = new ImageView(right);
    viewer_->setObjectName(QStringLiteral("dicomViewer"));
    rightLayout->addLayout(tools);
    rightLayout->addWidget(viewer_, 1);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    connect(browserSearch_, &QLineEdit::textChanged, this, [this](const QString& text) {
        browserFilter_->setSearchText(text);
        if (!text.isEmpty()) tree_->expandAll();
    });
    connect(browserModality_, &QComboBox::currentIndexChanged, this,
            [this] { browserFilter_->setModality(browserModality_->currentData().toString()); });
    connect(tree_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ImagesPage::showBrowserSelection);
    connect(tree_, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const auto source = browserFilter_->mapToSource(index.siblingAtColumn(0));
        if (source.data(DicomBrowserModel::LevelRole).toInt() == DicomBrowserModel::InstanceLevel)
            emit classifyRequested(source.data(DicomBrowserModel::PathRole).toString(),
                                   source.data(DicomBrowserModel::ImageIdRole).toLongLong());
    });
    connect(tree_, &QWidget::customContextMenuRequested, this,
            [this](const QPoint& position) { openContextMenu(tree_, position); });
    connect(windowPreset_, &QComboBox::activated, this, [this](int index) {
        const int preset = windowPreset_->itemData(index).toInt();
        if (preset == kDraggedWindow) return;  // it is the window shown
        if (preset < 0) viewer_->resetWindow();
        else viewer_->setWindow(kPresets[preset].center, kPresets[preset].width);
    });
    connect(viewer_, &ImageView::windowChanged, this, &ImagesPage::showViewerWindow);
    connect(overlayBox_, &QCheckBox::toggled, viewer_, &ImageView::setOverlayVisible);
    connect(tagsButton_, &QToolButton::clicked, viewer_, &ImageView::showTagDialog);
    return splitter;
}

void ImagesPage::changeEvent(QEvent* event) {
    if (event && event->type() != QEvent::LanguageChange) {
        QWidget::changeEvent(event);
        return;
    }
    title_->setText(tr("Images"));
    findChild<QPushButton*>(QStringLiteral("importFilesButton"))->setText(tr("Import files…"));
    findChild<QPushButton*>(QStringLiteral("importFolderButton"))->setText(tr("Import folder…"));
    findChild<QPushButton*>(QStringLiteral("importCsvButton"))->setText(tr("Import with labels CSV…"));
    findChild<QPushButton*>(QStringLiteral("labelSelectionButton"))->setText(tr("Set label…"));
    auto* remove = findChild<QPushButton*>(QStringLiteral("removeSelectionButton"));
    remove->setText(tr("Remove…"));
    remove->setToolTip(tr("Takes the selected images out of this workspace. The files stay on disk; Edit › Undo "
                          "puts them back."));
    labelSourceText_->setText(tr("&Labels:"));
    {
        const QSignalBlocker blocker(labelSourceChoice_);
        labelSourceChoice_->clear();
        labelSourceChoice_->addItem(tr("from sub-folder names"), int(LabelSource::FolderName));
        labelSourceChoice_->addItem(tr("none (unlabelled)"), int(LabelSource::None));
        labelSourceChoice_->addItem(tr("from a CSV file…"), int(LabelSource::Csv));
        labelSourceChoice_->addItem(tr("from a DICOM attribute…"), int(LabelSource::DicomAttribute));
        labelSourceChoice_->setCurrentIndex(labelSourceChoice_->findData(int(labelSource_)));
    }
    labelSourceChoice_->setToolTip(tr("Sub-folder names: images in \"melanoma/\" are labelled melanoma. A CSV file "
                                      "has the columns path and label (split and site optional). A DICOM attribute, "
                                      "e.g. BodyPartExamined, labels each DICOM file with its value. Importing files "
                                      "again with labels updates their labels."));
    nameFilter_->setPlaceholderText(tr("Search file names"));
    gridButton_->setText(tr("Grid"));
    tableButton_->setText(tr("Table"));
    browserButton_->setText(tr("Patients"));
    browserButton_->setToolTip(tr("DICOM images by patient, study and series, with a viewer"));
    browserSearch_->setPlaceholderText(tr("Search patients, IDs, studies, series"));
    overlayBox_->setText(tr("Patient and study in the corners"));
    tagsButton_->setText(tr("DICOM tags…"));
    {
        const QSignalBlocker blocker(windowPreset_);
        windowPreset_->clear();
        windowPreset_->addItem(tr("Window: the file's own"), -1);
        for (int i = 0; i < int(std::size(kPresets)); ++i)
            windowPreset_->addItem(tr("Window: %1 (W %2, L %3)")
                                       .arg(tr(kPresets[i].name))
                                       .arg(kPresets[i].width)
                                       .arg(kPresets[i].center),
                                   i);
    }
    if (viewer_->hasDicom()) showViewerWindow(viewer_->windowCenter(), viewer_->windowWidth());
    viewer_->setPlaceholderText(tr("Select a series or an image to view it. Drag with the right mouse button to "
                                   "change the window, with the left to pan; Ctrl+wheel zooms, the wheel goes "
                                   "through the images."));
    emptyHint_->setText(workspace_ ? tr("No images yet. Import files or a folder, or drop them here.")
                                   : tr("Open or create a workspace to import images."));
    refreshFilters();
    if (event) QWidget::changeEvent(event);
}

void ImagesPage::setWorkspace(WorkspaceService* workspace) {
    if (workspace_) disconnect(workspace_, nullptr, this, nullptr);
    workspace_ = workspace;
    // The edits of another workspace cannot be undone here.
    undo_->clear();
    if (workspace_) {
        model_->setLabelWriter([this, workspace](qint64 id, const QString& label) {
            const int row = model_->rowOfImage(id);
            const auto before = row >= 0 ? model_->images().at(row).label : QString();
            {
                writingLabel_ = true;
                const auto reset = qScopeGuard([this] { writingLabel_ = false; });
                workspace->setLabel(id, label);
            }
            undo_->push(new LabelChange(this, {id}, {before}, label.trimmed()));
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
    viewer_->setImage({});
    reload();
    changeEvent(nullptr);
}

void ImagesPage::reload() {
    model_->setImages(workspace_ ? workspace_->images() : QList<ImageEntry>{});
    browserDirty_ = true;
    if (view_ == View::Browser) {
        browser_->reload(workspace_);
        browserDirty_ = false;
    }
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
    QList<QPair<QString, QString>> modalityItems, dicomModalities;
    for (const auto& modality : sorted(modalities)) {
        modalityItems.append({modality == kModalityPhoto ? tr("photo") : modality, modality});
        if (modality != kModalityPhoto) dicomModalities.append({modality, modality});
    }
    fillFilter(modalityFilter_, tr("All modalities"), modalityItems);
    fillFilter(browserModality_, tr("All modalities"), dicomModalities);
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
    QWidget* target = view_ == View::Grid ? static_cast<QWidget*>(grid_) : view_ == View::Table ? static_cast<QWidget*>(table_) : browserPanel_;
    views_->setCurrentWidget(empty ? static_cast<QWidget*>(emptyHint_) : target);
    // A grid laid out while it was hidden keeps the sizes of then: lay it out again now.
    if (!empty && view_ == View::Grid) grid_->doItemsLayout();
    emptyHint_->setText(workspace_ ? tr("No images yet. Import files or a folder, or drop them here.")
                                   : tr("Open or create a workspace to import images."));
    if (view_ == View::Browser) {
        const int without = browser_->imagesWithoutDicomData();
        browserHint_->setText(browser_->patientCount() == 0
                                  ? tr("No DICOM images with patient and study information in this workspace.")
                              : without > 0 ? tr("%n image(s) without DICOM patient information (photos) are in the grid and the table.",
                                                 nullptr, without)
                                            : QString());
        browserHint_->setVisible(!browserHint_->text().isEmpty());
    }
}

void ImagesPage::showGrid(bool grid) { setView(grid ? View::Grid : View::Table); }

void ImagesPage::setView(View view) {
    view_ = view;
    gridButton_->setChecked(view == View::Grid);
    tableButton_->setChecked(view == View::Table);
    browserButton_->setChecked(view == View::Browser);
    if (view == View::Browser && browserDirty_) {
        browser_->reload(workspace_);
        browserDirty_ = false;
        tree_->expandToDepth(1);
    }
    updateCount();
}

void ImagesPage::setLabelsFromFolders(bool enabled) { setLabelSource(enabled ? LabelSource::FolderName : LabelSource::None); }

void ImagesPage::setLabelSource(LabelSource source, const QString& argument) {
    labelSource_ = source;
    if (source == LabelSource::Csv) labelsCsv_ = argument;
    if (source == LabelSource::DicomAttribute) dicomKeyword_ = argument;
    const QSignalBlocker blocker(labelSourceChoice_);
    labelSourceChoice_->setCurrentIndex(labelSourceChoice_->findData(int(source)));
}

bool ImagesPage::chooseLabelSourceArgument() {
    if (labelSource_ == LabelSource::Csv) {
        const auto csv = QFileDialog::getOpenFileName(this, tr("Labels CSV file"), labelsCsv_,
                                                      tr("CSV files (*.csv);;All files (*)"));
        if (csv.isEmpty()) return false;
        setLabelSource(LabelSource::Csv, csv);
    } else if (labelSource_ == LabelSource::DicomAttribute) {
        bool ok = false;
        const auto keyword = QInputDialog::getText(
            this, tr("Labels from a DICOM attribute"),
            tr("DICOM attribute keyword whose value becomes the label (e.g. BodyPartExamined, ViewPosition):"),
            QLineEdit::Normal, dicomKeyword_.isEmpty() ? QStringLiteral("BodyPartExamined") : dicomKeyword_, &ok);
        if (!ok || keyword.trimmed().isEmpty()) return false;
        setLabelSource(LabelSource::DicomAttribute, keyword.trimmed());
    } else {
        setLabelSource(labelSource_);
    }
    return true;
}

bool ImagesPage::importPaths(const QStringList& paths) {
    ImportRequest request;
    request.paths = paths;
    request.labelSource = labelSource_;
    request.csv.csvPath = labelsCsv_;
    request.dicomKeyword = dicomKeyword_;
    return startImport(request);
}

bool ImagesPage::importPathsWithCsv(const QStringList& paths, const CsvLabels& labels) {
    ImportRequest request;
    request.paths = paths;
    request.labelSource = LabelSource::Csv;
    request.csv = labels;
    return startImport(request);
}

void ImagesPage::chooseCsvToImport() {
    ImportCsvDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) importPathsWithCsv({dialog.folder()}, dialog.labels());
}

bool ImagesPage::startImport(const ImportRequest& request) {
    if (!workspace_) {
        QMessageBox::information(this, tr("No workspace"), tr("Open or create a workspace first, then import images."));
        return false;
    }
    const auto& paths = request.paths;
    if (paths.isEmpty()) return false;
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
    // DICOM files often have no extension: the import recognises them by their content.
    const auto files = QFileDialog::getOpenFileNames(
        this, tr("Import images"), QString(),
        tr("Images and DICOM files (*);;Photos (%1);;DICOM files (*.dcm *.dicom)").arg(patterns.join(QLatin1Char(' '))));
    importPaths(files);
}

void ImagesPage::chooseFolderToImport() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Import a folder of images"));
    if (!folder.isEmpty()) importPaths({folder});
}

QList<qint64> ImagesPage::selectedImageIds() const {
    QList<qint64> ids;
    if (view_ == View::Browser) {
        for (const auto& index : tree_->selectionModel()->selectedRows(0))
            for (const auto& id : browserFilter_->mapToSource(index).data(DicomBrowserModel::ImageIdsRole).toList())
                if (!ids.contains(id.toLongLong())) ids.append(id.toLongLong());
        return ids;
    }
    // The grid selects one column, the table whole rows: collect the rows either way.
    for (const auto& index : grid_->selectionModel()->selectedIndexes()) {
        const auto id = filter_->mapToSource(index).data(ImageTableModel::ImageIdRole).toLongLong();
        if (!ids.contains(id)) ids.append(id);
    }
    return ids;
}

QString ImagesPage::suggestedLabel(const QList<qint64>& imageIds) const {
    QSet<QString> labels;
    for (const auto id : imageIds) {
        const int row = model_->rowOfImage(id);
        if (row >= 0) labels.insert(model_->images().at(row).label);
    }
    return labels.size() == 1 ? *labels.begin() : QString();
}

void ImagesPage::labelSelection() {
    const auto ids = selectedImageIds();
    if (ids.isEmpty()) {
        QMessageBox::information(this, tr("Set label"), tr("Select one or more images first."));
        return;
    }
    auto choices = workspace_ ? workspace_->localLabels() : QStringList();
    // Starts from the images' own label when they share one.
    const auto current = suggestedLabel(ids);
    if (!current.isEmpty() && !choices.contains(current)) choices.prepend(current);
    bool ok = false;
    const auto label = QInputDialog::getItem(this, tr("Set label"), tr("Label for the %n selected image(s):", nullptr, ids.size()),
                                             choices, qMax(0, choices.indexOf(current)), true, &ok);
    if (!ok) return;
    setLabels(ids, label);
}

void ImagesPage::setLabels(const QList<qint64>& imageIds, const QString& label) {
    if (!workspace_ || imageIds.isEmpty()) return;
    QStringList before;
    for (const auto id : imageIds) {
        const int row = model_->rowOfImage(id);
        before << (row >= 0 ? model_->images().at(row).label : QString());
    }
    QStringList after;
    for (int i = 0; i < imageIds.size(); ++i) after << label.trimmed();
    applyLabels(imageIds, after);
    undo_->push(new LabelChange(this, imageIds, before, label.trimmed()));
}

void ImagesPage::applyLabels(const QList<qint64>& imageIds, const QStringList& labels) {
    if (!workspace_) return;
    {
        writingLabel_ = true;
        const auto reset = qScopeGuard([this] { writingLabel_ = false; });
        try {
            for (int i = 0; i < imageIds.size(); ++i) workspace_->setLabel(imageIds[i], labels.value(i));
        } catch (const std::exception& error) {
            QMessageBox::warning(this, tr("Label not saved"), tr("The label could not be saved: %1").arg(error.what()));
        }
    }
    reload();
}

void ImagesPage::removeSelection() {
    const auto ids = selectedImageIds();
    if (ids.isEmpty()) {
        QMessageBox::information(this, tr("Remove from workspace"), tr("Select one or more images first."));
        return;
    }
    const auto answer = QMessageBox::question(
        this, tr("Remove from workspace"),
        tr("Remove %n image(s) from this workspace? The files stay on disk. Edit › Undo puts them back.", nullptr,
           ids.size()));
    if (answer == QMessageBox::Yes) removeImages(ids);
}

void ImagesPage::removeImages(const QList<qint64>& imageIds) {
    if (!workspace_ || imageIds.isEmpty()) return;
    undo_->push(new ImageRemoval(this, imageIds));
}

void ImagesPage::applyRemoval(const QList<qint64>& imageIds, bool remove) {
    if (!workspace_) return;
    try {
        if (remove) workspace_->removeImages(imageIds);
        else workspace_->restoreImages(imageIds);
    } catch (const std::exception& error) {
        showUserMessage(this, remove ? tr("Not removed") : tr("Not put back"), plainWords(QString::fromUtf8(error.what())));
    }
}

void ImagesPage::showBrowserSelection() {
    const auto current = tree_->currentIndex();
    if (!current.isValid()) return;
    auto source = browserFilter_->mapToSource(current.siblingAtColumn(0));
    QString path;
    if (source.data(DicomBrowserModel::LevelRole).toInt() == DicomBrowserModel::InstanceLevel) {
        path = source.data(DicomBrowserModel::PathRole).toString();
        source = source.parent();  // the image within its series
    }
    const auto paths = source.data(DicomBrowserModel::PathsRole).toStringList();
    if (paths.isEmpty()) return;
    // A whole patient or study: its first series.
    QStringList shown = paths;
    if (source.data(DicomBrowserModel::LevelRole).toInt() < DicomBrowserModel::SeriesLevel) {
        auto first = source;
        while (first.isValid() && first.data(DicomBrowserModel::LevelRole).toInt() < DicomBrowserModel::SeriesLevel)
            first = browser_->index(0, 0, first);
        shown = first.data(DicomBrowserModel::PathsRole).toStringList();
    }
    QString error;
    if (!viewer_->openDicomFiles(shown, &error)) {
        viewer_->setImage({});
        viewer_->setPlaceholderText(plainWords(error).text);
        return;
    }
    if (!path.isEmpty()) viewer_->setCurrentFrame(std::max(0, static_cast<int>(shown.indexOf(path))));
    fileWindow_ = {viewer_->windowCenter(), viewer_->windowWidth()};
    showViewerWindow(fileWindow_.first, fileWindow_.second);
    // The store keeps no descriptions: the file just read has them, for its series and study.
    if (source.data(DicomBrowserModel::LevelRole).toInt() == DicomBrowserModel::SeriesLevel) {
        QString series, study;
        for (const auto& [key, value] : viewer_->tags()) {
            if (key == QLatin1String("SeriesDescription")) series = value;
            if (key == QLatin1String("StudyDescription")) study = value;
        }
        auto fill = [this](const QModelIndex& row, const QString& text) {
            const auto cell = row.siblingAtColumn(DicomBrowserModel::DescriptionColumn);
            if (!text.isEmpty() && cell.data().toString().isEmpty()) browser_->setData(cell, text);
        };
        fill(source, series);
        fill(source.parent(), study);
    }
}

void ImagesPage::showViewerWindow(double center, double width) {
    // The list names the window the viewer shows: a preset, the file's own, or the one a
    // right-button drag made (one item that follows it), never a window no longer shown.
    const QSignalBlocker blocker(windowPreset_);
    int index = -1;
    for (int i = 0; i < int(std::size(kPresets)); ++i)
        if (kPresets[i].center == center && kPresets[i].width == width) index = windowPreset_->findData(i);
    if (index < 0 && center == fileWindow_.first && width == fileWindow_.second) index = windowPreset_->findData(-1);
    const int dragged = windowPreset_->findData(kDraggedWindow);
    if (index >= 0) {
        if (dragged >= 0) windowPreset_->removeItem(dragged);
        windowPreset_->setCurrentIndex(index);
        return;
    }
    const auto text = tr("Window: W %1, L %2 (dragged)")
                          .arg(QLocale().toString(width, 'f', 0), QLocale().toString(center, 'f', 0));
    if (dragged >= 0) windowPreset_->setItemText(dragged, text);
    else windowPreset_->addItem(text, kDraggedWindow);
    windowPreset_->setCurrentIndex(windowPreset_->findData(kDraggedWindow));
}

void ImagesPage::openIndex(const QModelIndex& proxyIndex) {
    const auto source = filter_->mapToSource(proxyIndex);
    emit classifyRequested(source.data(ImageTableModel::PathRole).toString(),
                           source.data(ImageTableModel::ImageIdRole).toLongLong());
}

void ImagesPage::openContextMenu(QWidget* view, const QPoint& position) {
    contextMenu_->clear();
    const auto ids = selectedImageIds();
    if (ids.isEmpty()) return;
    if (ids.size() == 1) {
        const int row = model_->rowOfImage(ids.first());
        if (row >= 0) {
            const auto image = model_->images().at(row);
            contextMenu_->addAction(tr("Classify"), this, [this, image] { emit classifyRequested(image.path, image.id); });
        }
    }
    contextMenu_->addAction(tr("Set label…"), this, &ImagesPage::labelSelection);
    contextMenu_->addAction(tr("Remove from workspace…"), this, &ImagesPage::removeSelection);
    if (view == tree_) {
        contextMenu_->addSeparator();
        contextMenu_->addAction(tr("Show in the viewer"), this, &ImagesPage::showBrowserSelection);
        contextMenu_->addAction(tr("DICOM tags…"), this, [this] {
            showBrowserSelection();
            if (viewer_->hasDicom()) viewer_->showTagDialog();
        });
    }
    contextMenu_->popup(view->mapToGlobal(position));
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
