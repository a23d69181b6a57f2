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

#include <QAction>
#include <QDir>
#include <QFile>
#include <QListView>
#include <QMenu>
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

QTEST_MAIN(TestImagesPage)
#include "tst_imagespage.moc"
