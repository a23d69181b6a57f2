// MainWindow: one workspace at a time, recent workspaces, the demo banner exactly while a
// demo model is in use, and the research-use notice always.
#include "shell/app_settings.h"
#include "models/image_table_model.h"
#include "pages/images_page.h"
#include "shell/main_window.h"
#include "pages/classify_page.h"
#include "pages/history_page.h"
#include "shell/translations.h"
#include "pages/train_page.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"
#include "workspace/workspace_service.h"

#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QTextBrowser>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void researchNoticeIsAlwaysShown();
    void demoBannerFollowsTheBundle();
    void openingAWorkspaceReplacesTheOpenOneAndIsRemembered();
    void lastWorkspaceIsReopenedAndRecentOnesListed();
    void pagesGiveAHintBeforeAWorkspaceIsOpen();
    void windowFitsTheScreen_data();
    void windowFitsTheScreen();
    void welcomeTextIsNotCut_data();
    void welcomeTextIsNotCut();
    void classifyPageScrollsAt1024x700();
    void ctrlNumberShowsThePages();
    void focusIsMarked();
    void helpOpensTheShippedUserGuide();

private:
    QTemporaryDir dir_;
    QString bundle_;
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
}

void TestMainWindow::researchNoticeIsAlwaysShown() {
    MainWindow window;
    window.show();
    QVERIFY(window.researchNoticeText().contains(QStringLiteral("Research use only")));
    QVERIFY(window.researchNoticeText().contains(QStringLiteral("not a medical device")));
    auto* notice = window.statusBar()->findChild<QLabel*>(QStringLiteral("researchNotice"));
    QVERIFY(notice && notice->isVisible());
    QVERIFY(!window.isDemoBannerShown());
}

void TestMainWindow::demoBannerFollowsTheBundle() {
    const auto root = dir_.filePath(QStringLiteral("banner-ws"));
    createWorkspaceAt(root);
    MainWindow window;
    window.show();
    QVERIFY(window.openWorkspace(root));
    QVERIFY(!window.isDemoBannerShown());
    // The tiny bundle's manifest says demo: random weights.
    window.workspace()->setBundleDirectory(bundle_);
    QVERIFY(window.closeWorkspace());
    QVERIFY(window.openWorkspace(root));
    QVERIFY(window.isDemoBannerShown());
    QVERIFY(window.demoBannerText().contains(QStringLiteral("not for clinical use")));
    QVERIFY(window.closeWorkspace());
    QVERIFY(!window.isDemoBannerShown());
    QCOMPARE(window.workspace(), nullptr);
}

void TestMainWindow::openingAWorkspaceReplacesTheOpenOneAndIsRemembered() {
    const auto first = dir_.filePath(QStringLiteral("first"));
    const auto second = dir_.filePath(QStringLiteral("second"));
    writeClassFolders(dir_.filePath(QStringLiteral("first-data")), {QStringLiteral("x")}, 3);
    {
        auto workspace = createWorkspaceAt(first);
        ImportRequest request;
        request.paths = {dir_.filePath(QStringLiteral("first-data"))};
        workspace->importImages(request, {}, {}, nullptr);
    }
    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::workspaceOpened);
    QVERIFY(window.createWorkspace(second));
    QVERIFY(window.openWorkspace(first));
    QCOMPARE(opened.count(), 2);
    QCOMPARE(window.workspace()->rootPath(), QDir(first).absolutePath());
    QCOMPARE(window.imagesPage()->imageModel()->rowCount(), 3);
    const auto recent = AppSettings::recentWorkspaces();
    QCOMPARE(recent.value(0), QDir(first).absolutePath());
    QCOMPARE(recent.value(1), QDir(second).absolutePath());
    QVERIFY(window.windowTitle().contains(QStringLiteral("first")));
}

void TestMainWindow::lastWorkspaceIsReopenedAndRecentOnesListed() {
    const auto path = dir_.filePath(QStringLiteral("last"));
    createWorkspaceAt(path);
    AppSettings::addRecentWorkspace(dir_.filePath(QStringLiteral("gone")));  // no longer there: skipped
    AppSettings::addRecentWorkspace(path);
    MainWindow window;
    QVERIFY(window.recentWorkspaceList().contains(QDir(path).absolutePath()));
    QVERIFY(!window.workspace());
    QVERIFY(window.reopenLastWorkspace());
    QCOMPARE(window.workspace()->rootPath(), QDir(path).absolutePath());
    // Clicking a recent workspace on the start page opens it.
    window.closeWorkspace();
    auto* list = window.findChild<QListWidget*>(QStringLiteral("recentList"));
    QVERIFY(list && list->count() >= 1);
    emit list->itemActivated(list->item(0));
    QVERIFY(window.workspace());
}

void TestMainWindow::pagesGiveAHintBeforeAWorkspaceIsOpen() {
    MainWindow window;
    window.show();
    QVERIFY(!window.workspace());
    auto* navigation = window.findChild<QListWidget*>(QStringLiteral("navigation"));
    QVERIFY(navigation->isEnabled());
    navigation->setCurrentRow(2);  // Train
    QVERIFY2(window.workspaceHintText().contains(QStringLiteral("The Train page works on a workspace")),
             qPrintable(window.workspaceHintText()));
    QCOMPARE(window.currentPage()->objectName(), QStringLiteral("startPage"));
    QVERIFY(window.findChild<QLabel*>(QStringLiteral("workspaceHint"))->isVisible());
}

void TestMainWindow::windowFitsTheScreen_data() {
    QTest::addColumn<QSize>("available");
    QTest::newRow("1920x1080 at scale 2") << QSize(960, 510);
    QTest::newRow("1366x768") << QSize(1366, 728);
    QTest::newRow("large") << QSize(2560, 1400);
}

void TestMainWindow::windowFitsTheScreen() {
    QFETCH(QSize, available);
    const auto size = MainWindow::fittingSize(available);
    QVERIFY(size.width() <= available.width() && size.height() <= available.height());
    QVERIFY(size.width() <= 1280 && size.height() <= 820);
    // The window can really be that small: its pages scroll instead of pushing it larger.
    MainWindow window;
    window.createWorkspace(dir_.filePath(QStringLiteral("fit-%1").arg(available.width())));
    for (auto page : {MainWindow::Page::Images, MainWindow::Page::Classify, MainWindow::Page::Train, MainWindow::Page::History})
        window.showPage(page);
    QVERIFY2(window.minimumSizeHint().width() <= size.width() && window.minimumSizeHint().height() <= size.height(),
             qPrintable(QStringLiteral("%1x%2").arg(window.minimumSizeHint().width()).arg(window.minimumSizeHint().height())));
    // And the window made on this (offscreen) screen fits it.
    MainWindow fresh;
    fresh.show();
    QVERIFY(QTest::qWaitForWindowExposed(&fresh));
    const auto screen = fresh.screen()->availableGeometry();
    QVERIFY2(fresh.frameGeometry().width() <= screen.width() && fresh.frameGeometry().height() <= screen.height(),
             qPrintable(QStringLiteral("%1x%2 on %3x%4").arg(fresh.frameGeometry().width()).arg(fresh.frameGeometry().height())
                            .arg(screen.width()).arg(screen.height())));
}

void TestMainWindow::welcomeTextIsNotCut_data() {
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("width");
    for (const auto* language : {"en", "fr", "de"})
        for (int width : {1024, 700}) QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(language).arg(width))) << QString::fromLatin1(language) << width;
}

void TestMainWindow::welcomeTextIsNotCut() {
    QFETCH(QString, language);
    QFETCH(int, width);
    QVERIFY(installTranslations(language));
    MainWindow window;
    window.resize(width, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* text = window.findChild<QLabel*>(QStringLiteral("welcomeText"));
    QVERIFY(text && text->isVisible());
    QVERIFY2(text->height() >= text->heightForWidth(text->width()),
             qPrintable(QStringLiteral("%1 px tall, needs %2").arg(text->height()).arg(text->heightForWidth(text->width()))));
    QVERIFY(text->heightForWidth(text->width()) >= 2 * text->fontMetrics().lineSpacing() - 2);
    installTranslations(QStringLiteral("en"));
}

void TestMainWindow::classifyPageScrollsAt1024x700() {
    MainWindow window;
    window.createWorkspace(dir_.filePath(QStringLiteral("small-window")));
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.showPage(MainWindow::Page::Classify);
    QCOMPARE(window.size(), QSize(1024, 700));
    auto* page = window.classifyPage();
    // A result of seven classes, as a site with the dermoscopy classes sees it.
    ClassifyOutcome outcome;
    outcome.path = QStringLiteral("/images/lesion.jpg");
    outcome.image = QImage(64, 64, QImage::Format_RGB888);
    outcome.image.fill(Qt::gray);
    for (const auto* name : {"actinic keratosis", "basal cell carcinoma", "dermatofibroma", "melanoma", "nevus",
                             "pigmented benign keratosis", "vascular lesion"}) {
        outcome.result.classNames << QString::fromLatin1(name);
        outcome.result.ensemble << 1.0 / 7;
        outcome.result.famOnly << 1.0 / 7;
    }
    outcome.result.topClass = 0;
    page->showOutcome(outcome);
    // The page keeps the room it needs (every class bar, the Show box) and scrolls.
    QTRY_VERIFY2(page->height() >= page->minimumSizeHint().height(),
                 qPrintable(QStringLiteral("%1 < %2").arg(page->height()).arg(page->minimumSizeHint().height())));
    auto* scroll = qobject_cast<QScrollArea*>(page->parentWidget()->parentWidget());
    QVERIFY(scroll);
    auto* bars = page->findChild<QTableView*>(QStringLiteral("probabilityBars"));
    QCOMPARE(bars->model()->rowCount(), 7);
    for (int row = 0; row < 7; ++row) {
        const auto cell = bars->visualRect(bars->model()->index(row, 0));
        QVERIFY2(bars->viewport()->rect().contains(cell),
                 qPrintable(QStringLiteral("bar %1 at %2..%3 of a %4 px high list")
                                .arg(row).arg(cell.top()).arg(cell.bottom()).arg(bars->viewport()->height())));
    }
    auto* show = page->findChild<QComboBox*>(QStringLiteral("viewChoice"));
    QVERIFY(show->height() >= show->minimumSizeHint().height());
}

void TestMainWindow::ctrlNumberShowsThePages() {
    MainWindow window;
    window.createWorkspace(dir_.filePath(QStringLiteral("keys")));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    QTRY_COMPARE(window.currentPage(), static_cast<QWidget*>(window.trainPage()));
    QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
    QTRY_COMPARE(window.currentPage(), static_cast<QWidget*>(window.historyPage()));
    QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
    QTRY_COMPARE(window.currentPage(), static_cast<QWidget*>(window.classifyPage()));
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    QTRY_COMPARE(window.currentPage(), static_cast<QWidget*>(window.imagesPage()));
    QTest::keyClick(&window, Qt::Key_5, Qt::ControlModifier);
    QTRY_COMPARE(window.currentPage()->objectName(), QStringLiteral("startPage"));
}

void TestMainWindow::focusIsMarked() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* button = window.findChild<QPushButton*>(QStringLiteral("tryDemoButton"));
    window.activateWindow();
    button->clearFocus();
    QApplication::processEvents();
    const auto unfocused = button->grab().toImage();
    button->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(button->hasFocus());
    const auto focused = button->grab().toImage();
    QVERIFY2(unfocused != focused, "the focused button looks different");
}

void TestMainWindow::helpOpensTheShippedUserGuide() {
    const auto path = MainWindow::userDocumentPath(QStringLiteral("site-staff.md"));
    QVERIFY2(!path.isEmpty(), "docs/site-staff.md is found");
    MainWindow window;
    window.showUserGuide(QStringLiteral("clinicians.md"));
    auto* guide = window.findChild<QDialog*>(QStringLiteral("userGuide"));
    QVERIFY(guide && guide->isVisible());
    auto* text = guide->findChild<QTextBrowser*>(QStringLiteral("userGuideText"));
    QFile file(MainWindow::userDocumentPath(QStringLiteral("clinicians.md")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto firstHeading = QString::fromUtf8(file.readLine()).remove(QLatin1Char('#')).trimmed();
    QVERIFY2(text->toPlainText().contains(firstHeading), qPrintable(firstHeading));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
