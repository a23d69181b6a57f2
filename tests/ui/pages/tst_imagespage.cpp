// ImagesPage: the grid lays thumbnails out at their size right after an import and in a
// workspace opened in grid mode; labels and removals go through the undo stack ("Set
// label…" starts from the images' label); removal never touches the files; the context
// menu offers what the selection allows.
#include "models/image_table_model.h"
#include "pages/images_page.h"
#include "workspace/task_runner.h"
#include "models/thumbnail_cache.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"
#include "workspace/workspace_service.h"
#include "models/dicom_browser_model.h"
#include "widgets/image_view.h"

#include "site/site_store.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QInputDialog>
#include <QLocale>
#include <QTimer>
#include <QTreeView>
#include <QDir>
#include <QFile>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestImagesPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void gridCellsHaveTheirSizeRightAfterAnImport();
    void gridCellsHaveTheirSizeWhenAWorkspaceOpensInGridMode();
    void undoRestoresALabel();
    void removalKeepsTheFilesAndIsUndone();
    void setLabelStartsFromTheCurrentLabel();
    void contextMenuOffersTheEdits();
    void labelsFromACsvFile();
    void labelsFromADicomAttribute();
    void aSeriesIsInInstanceNumberOrder();

private:
    static void checkCellSizes(ImagesPage& page);
    QTemporaryDir dir_;
    QString data_;
};

void TestImagesPage::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    data_ = dir_.filePath(QStringLiteral("data"));
    writeClassFolders(data_, {QStringLiteral("benign"), QStringLiteral("malignant")}, 4);
}

void TestImagesPage::checkCellSizes(ImagesPage& page) {
    auto* grid = page.grid();
    QVERIFY(grid->isVisible());
    QVERIFY(grid->model()->rowCount() > 0);
    const int edge = page.thumbnails()->edge();
    for (int row = 0; row < grid->model()->rowCount(); ++row) {
        const auto rect = grid->visualRect(grid->model()->index(row, ImageTableModel::CaptionColumn));
        // The thumbnail and two caption lines, not a thin strip.
        QVERIFY2(rect.width() >= edge && rect.height() >= edge + 2 * grid->fontMetrics().height(),
                 qPrintable(QStringLiteral("row %1: %2 x %3").arg(row).arg(rect.width()).arg(rect.height())));
    }
}

void TestImagesPage::gridCellsHaveTheirSizeRightAfterAnImport() {
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("import-ws")));
    ImagesPage page;
    page.setShowReportDialog(false);
    page.resize(900, 600);
    page.setWorkspace(workspace.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QSignalSpy finished(&page, &ImagesPage::importFinished);
    QVERIFY(page.importPaths({data_}));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QApplication::processEvents();
    // At once, before any thumbnail is made, and once they are.
    checkCellSizes(page);
    page.thumbnails()->waitForDone();
    QApplication::processEvents();
    checkCellSizes(page);
    page.setWorkspace(nullptr);
}

void TestImagesPage::gridCellsHaveTheirSizeWhenAWorkspaceOpensInGridMode() {
    const auto root = dir_.filePath(QStringLiteral("open-ws"));
    {
        auto workspace = createWorkspaceAt(root);
        ImportRequest request;
        request.paths = {data_};
        workspace->importImages(request, {}, {}, nullptr);
    }
    ImagesPage page;
    page.resize(900, 600);
    page.show();  // empty first, in grid mode
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto workspace = openWorkspaceAt(root);
    page.setWorkspace(workspace.get());
    QApplication::processEvents();
    checkCellSizes(page);
    page.setWorkspace(nullptr);
}

void TestImagesPage::undoRestoresALabel() {
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("undo-ws")));
    ImportRequest request;
    request.paths = {data_};
    workspace->importImages(request, {}, {}, nullptr);
    ImagesPage page;
    page.setWorkspace(workspace.get());
    const auto images = workspace->images();
    const qint64 first = images.at(0).id, second = images.at(1).id;
    const auto before0 = images.at(0).label, before1 = images.at(1).label;
    auto labelOf = [&](qint64 id) {
        for (const auto& image : workspace->images())
            if (image.id == id) return image.label;
        return QStringLiteral("(missing)");
    };
    page.setLabels({first, second}, QStringLiteral("nevus"));
    QCOMPARE(labelOf(first), QStringLiteral("nevus"));
    QCOMPARE(labelOf(second), QStringLiteral("nevus"));
    QCOMPARE(page.undoStack()->count(), 1);
    page.undoStack()->undo();
    QCOMPARE(labelOf(first), before0);
    QCOMPARE(labelOf(second), before1);
    page.undoStack()->redo();
    QCOMPARE(labelOf(first), QStringLiteral("nevus"));
    // An edit in the table is undoable too.
    const int row = page.imageModel()->rowOfImage(first);
    QVERIFY(page.imageModel()->setData(page.imageModel()->index(row, ImageTableModel::LabelColumn), QStringLiteral("melanoma")));
    QCOMPARE(labelOf(first), QStringLiteral("melanoma"));
    QCOMPARE(page.undoStack()->count(), 2);
    page.undoStack()->undo();
    QCOMPARE(labelOf(first), QStringLiteral("nevus"));
    QCOMPARE(page.imageModel()->images().at(page.imageModel()->rowOfImage(first)).label, QStringLiteral("nevus"));
    page.setWorkspace(nullptr);
}

void TestImagesPage::removalKeepsTheFilesAndIsUndone() {
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("remove-ws")));
    ImportRequest request;
    request.paths = {data_};
    workspace->importImages(request, {}, {}, nullptr);
    ImagesPage page;
    page.setWorkspace(workspace.get());
    const auto images = workspace->images();
    QCOMPARE(images.size(), 8);
    const auto removed = images.at(3);
    page.removeImages({removed.id});
    QCOMPARE(workspace->images().size(), 7);
    QCOMPARE(page.imageModel()->rowCount(), 7);
    QVERIFY2(QFileInfo::exists(removed.path), "the file stays on disk");
    page.undoStack()->undo();
    const auto back = workspace->images();
    QCOMPARE(back.size(), 8);
    const auto it = std::find_if(back.begin(), back.end(), [&](const ImageEntry& e) { return e.id == removed.id; });
    QVERIFY(it != back.end());
    QCOMPARE(it->label, removed.label);
    QCOMPARE(it->split, removed.split);
    QCOMPARE(it->contentHash, removed.contentHash);
    QCOMPARE(page.imageModel()->rowCount(), 8);
    page.undoStack()->redo();
    QCOMPARE(workspace->images().size(), 7);
    page.setWorkspace(nullptr);
}

void TestImagesPage::setLabelStartsFromTheCurrentLabel() {
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("suggest-ws")));
    ImportRequest request;
    request.paths = {data_};
    workspace->importImages(request, {}, {}, nullptr);
    ImagesPage page;
    page.setWorkspace(workspace.get());
    QList<qint64> benign, mixed;
    for (const auto& image : workspace->images()) {
        if (image.label == QLatin1String("benign")) benign << image.id;
        if (mixed.size() < 1 || (image.label != QLatin1String("benign") && mixed.size() < 2)) mixed << image.id;
    }
    QCOMPARE(page.suggestedLabel(benign), QStringLiteral("benign"));
    QCOMPARE(page.suggestedLabel(mixed), QString());  // labels differ: nothing to start from
    page.setWorkspace(nullptr);
}

void TestImagesPage::contextMenuOffersTheEdits() {
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("menu-ws")));
    ImportRequest request;
    request.paths = {data_};
    workspace->importImages(request, {}, {}, nullptr);
    ImagesPage page;
    page.resize(900, 600);
    page.setWorkspace(workspace.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto* grid = page.grid();
    grid->selectionModel()->select(grid->model()->index(0, ImageTableModel::CaptionColumn), QItemSelectionModel::Select);
    emit grid->customContextMenuRequested(grid->visualRect(grid->model()->index(0, ImageTableModel::CaptionColumn)).center());
    QStringList texts;
    for (auto* action : page.contextMenu()->actions())
        if (!action->isSeparator()) texts << action->text();
    QCOMPARE(texts, (QStringList{QStringLiteral("Classify"), QStringLiteral("Set label…"), QStringLiteral("Remove from workspace…")}));
    page.contextMenu()->hide();
    page.setWorkspace(nullptr);
}

// The CSV choice of the Labels box, as `fedmedclip-cli import --labels-from csv:` does: every
// listed file gets its row's label, the others come in unlabelled; importing again relabels.
void TestImagesPage::labelsFromACsvFile() {
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("csv-ws")));
    const auto csv = dir_.filePath(QStringLiteral("labels.csv"));
    {
        QFile file(csv);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("path,label\n");
        file.write("data/benign/0.png,nevus\n");
        file.write("data/malignant/1.png,melanoma\n");
    }
    ImagesPage page;
    page.setShowReportDialog(false);
    page.setWorkspace(workspace.get());
    page.setLabelSource(LabelSource::Csv, csv);
    QCOMPARE(page.labelSource(), LabelSource::Csv);
    QSignalSpy finished(&page, &ImagesPage::importFinished);
    QVERIFY(page.importPaths({data_}));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QMap<QString, QString> labels;
    for (const auto& image : workspace->images()) labels.insert(QDir(dir_.path()).relativeFilePath(image.path), image.label);
    QCOMPARE(labels.size(), 8);
    QCOMPARE(labels.value(QStringLiteral("data/benign/0.png")), QStringLiteral("nevus"));
    QCOMPARE(labels.value(QStringLiteral("data/malignant/1.png")), QStringLiteral("melanoma"));
    QCOMPARE(labels.value(QStringLiteral("data/benign/1.png")), QString());
    page.setWorkspace(nullptr);
}

namespace {

// As the store keeps paths: absolute, without "..".
QString sharedDicom(const QString& relative) {
    return QDir::cleanPath(QFileInfo(QStringLiteral(FMC_SHARED_DATA_DIR "/dicom/") + relative).absoluteFilePath());
}

fmc::SiteStore openStore(const WorkspaceService& workspace) {
    return fmc::SiteStore::open(QDir(workspace.rootPath()).filePath(QStringLiteral("workspace.sqlite")).toStdString());
}

}  // namespace

// The "from a DICOM attribute…" choice of the Labels box, as a user picks it (the keyword
// typed into its dialog), then an import of real DICOM files: each file's value of the
// attribute is its label in the store, a file without the attribute comes in unlabelled.
void TestImagesPage::labelsFromADicomAttribute() {
    const QMap<QString, QString> expected{
        {sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGLS/RG1_JLSN.dcm")), QStringLiteral("CHEST")},
        {sharedDicom(QStringLiteral("pylibjpeg-ds/LittleEndianExplicit/emri_small.dcm")), QStringLiteral("HEAD")},
        {sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGLosslessSV1/RG2_JPLL.dcm")), QStringLiteral("HIP")},
        {sharedDicom(QStringLiteral("pydicom-test-files/MR_small.dcm")), QString()},  // has no BodyPartExamined
    };
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        if (!QFileInfo::exists(it.key())) QSKIP("../shared/data/dicom is not present");
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("dicom-attribute-ws")));
    ImagesPage page;
    page.setShowReportDialog(false);
    page.setWorkspace(workspace.get());
    page.show();
    auto* choice = page.findChild<QComboBox*>(QStringLiteral("labelSourceChoice"));
    const int index = choice->findData(int(LabelSource::DicomAttribute));
    QVERIFY(index >= 0);
    // The dialog asking for the keyword, answered as a user would.
    bool answered = false;
    QTimer::singleShot(0, &page, [&answered] {
        auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
        if (!dialog) return;
        QCOMPARE(dialog->textValue(), QStringLiteral("BodyPartExamined"));  // the suggestion
        dialog->setTextValue(QStringLiteral(" BodyPartExamined "));
        answered = true;
        dialog->accept();
    });
    choice->setCurrentIndex(index);
    emit choice->activated(index);
    QVERIFY(answered);
    QCOMPARE(page.labelSource(), LabelSource::DicomAttribute);
    QCOMPARE(choice->currentIndex(), index);

    // An import that goes wrong says so in a message box: close it, and fail with what it said.
    QStringList dialogs;
    QTimer closer;
    closer.setInterval(100);
    connect(&closer, &QTimer::timeout, [&dialogs] {
        if (auto* dialog = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            dialogs << dialog->windowTitle() + QStringLiteral(": ") + dialog->text();
            dialog->close();
        }
    });
    closer.start();
    QSignalSpy finished(&page, &ImagesPage::importFinished);
    QVERIFY(page.importPaths(expected.keys()));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || !dialogs.isEmpty(), 60000);
    QVERIFY2(dialogs.isEmpty(), qPrintable(dialogs.join(QLatin1Char(' '))));
    auto store = openStore(*workspace);
    QMap<QString, QString> labels;
    for (const auto& image : store.images())
        labels.insert(QString::fromStdString(image.sourcePath), QString::fromStdString(image.label.value_or("")));
    QCOMPARE(labels, expected);
    QVERIFY(!store.imageBySource(sharedDicom(QStringLiteral("pydicom-test-files/MR_small.dcm")).toStdString(), 0)->label);
    page.setWorkspace(nullptr);
}

// The images of a series by InstanceNumber, not by file path, in the browser and when the
// viewer scrolls through the series: real DICOM files of one series (the same hip image in
// several encodings; exact duplicates of pixels are left out by the import) whose folder
// order differs from their instance order. An image without a number (imported before the
// store kept it) comes last.
void TestImagesPage::aSeriesIsInInstanceNumberOrder() {
    // InstanceNumber of each file, as dcmdump reads it.
    const QMap<QString, int> instanceNumbers{
        {sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGExtended/RG2_JPLY.dcm")), 5},
        {sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGLS/RG2_JLSN.dcm")), 7},
        {sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGLosslessSV1/RG2_JPLL.dcm")), 4},
    };
    for (auto it = instanceNumbers.cbegin(); it != instanceNumbers.cend(); ++it)
        if (!QFileInfo::exists(it.key())) QSKIP("../shared/data/dicom is not present");
    auto workspace = createWorkspaceAt(dir_.filePath(QStringLiteral("series-order-ws")));
    ImportRequest request;
    request.paths = instanceNumbers.keys();  // sorted by path: 5, 7, 4
    request.labelSource = LabelSource::None;
    QCOMPARE(workspace->importImages(request, {}, {}, nullptr).imported, 3);
    {
        auto store = openStore(*workspace);
        for (const auto& image : store.images())
            QCOMPARE(image.instanceNumber.value_or(-1), instanceNumbers.value(QString::fromStdString(image.sourcePath)));
    }
    const QStringList byInstance{sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGLosslessSV1/RG2_JPLL.dcm")),
                                 sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGExtended/RG2_JPLY.dcm")),
                                 sharedDicom(QStringLiteral("pylibjpeg-ds/JPEGLS/RG2_JLSN.dcm"))};
    QVERIFY(byInstance != instanceNumbers.keys());

    ImagesPage page;
    page.resize(1000, 700);
    page.setWorkspace(workspace.get());
    page.setView(ImagesPage::View::Browser);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto* tree = page.browserTree();
    QTRY_COMPARE(tree->model()->rowCount(), 1);
    const auto patient = tree->model()->index(0, 0);
    const auto study = tree->model()->index(0, 0, patient);
    const auto series = tree->model()->index(0, 0, study);
    QCOMPARE(series.data(DicomBrowserModel::LevelRole).toInt(), int(DicomBrowserModel::SeriesLevel));
    QCOMPARE(series.data(DicomBrowserModel::PathsRole).toStringList(), byInstance);
    QStringList listed;
    for (int row = 0; row < tree->model()->rowCount(series); ++row)
        listed << tree->model()->index(row, 0, series).data(DicomBrowserModel::PathRole).toString();
    QCOMPARE(listed, byInstance);

    // The viewer goes through the series in that order.
    tree->setCurrentIndex(series);
    page.showBrowserSelection();
    auto* viewer = page.viewer();
    QCOMPARE(viewer->frameCount(), 3);
    const auto shownFile = [viewer] {
        for (const auto& [key, value] : viewer->tags())
            if (key == QLatin1String("File")) return value;
        return QString();
    };
    for (int image = 0; image < 3; ++image) {
        viewer->setCurrentFrame(image);
        QCOMPARE(shownFile(), byInstance.at(image));
    }

    // The window list says what the viewer shows: the file's own, then the dragged window,
    // then a preset chosen from it.
    auto* windows = page.findChild<QComboBox*>(QStringLiteral("windowPreset"));
    QCOMPARE(windows->currentData().toInt(), -1);
    const QPoint middle = viewer->rect().center();
    QTest::mousePress(viewer, Qt::RightButton, {}, middle);
    QTest::mouseMove(viewer, middle + QPoint(30, 10));
    QTest::mouseRelease(viewer, Qt::RightButton, {}, middle + QPoint(30, 10));
    QVERIFY2(windows->currentText().contains(QStringLiteral("dragged")) &&
                 windows->currentText().contains(QLocale().toString(viewer->windowWidth(), 'f', 0)),
             qPrintable(windows->currentText()));
    const int lung = windows->findText(QStringLiteral("Lung"), Qt::MatchContains);
    windows->setCurrentIndex(lung);
    emit windows->activated(lung);
    QCOMPARE(viewer->windowCenter(), -600.0);
    QVERIFY(windows->currentText().contains(QStringLiteral("Lung")));
    QCOMPARE(windows->findText(QStringLiteral("dragged"), Qt::MatchContains), -1);

    // A workspace imported before instance numbers were kept: that image comes last.
    openStore(*workspace).database().execute("UPDATE images SET instance_number = NULL WHERE source_path LIKE '%RG2_JPLL.dcm'");
    DicomBrowserModel model;
    model.reload(workspace.get());
    const auto reloaded = model.index(0, 0, model.index(0, 0, model.index(0, 0)));
    QCOMPARE(reloaded.data(DicomBrowserModel::PathsRole).toStringList(),
             (QStringList{byInstance.at(1), byInstance.at(2), byInstance.at(0)}));
    page.setWorkspace(nullptr);
}

QTEST_MAIN(TestImagesPage)
#include "tst_imagespage.moc"
