// The importer's walk over the paths it is given: nothing is dropped without a word.
// Unreadable folders (also one given directly) and files, symbolic links to folders (followed
// once, loops reported), dangling links and FIFOs each come back with their reason, and
// `status` counts the files not imported once each. Permissions mean nothing to root, so run
// as root the whole executable drops to `nobody` before the first test.
#include "imaging/image_loader.h"
#include "site/importer.h"
#include "site/site_store.h"
#include "site/site_workspace.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <cstdlib>
#include <map>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace fmc;

namespace {

std::string canonical(const QString& path) { return QDir::cleanPath(QFileInfo(path).absoluteFilePath()).toStdString(); }

void writeImage(const QString& path, std::uint8_t grey) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    RgbImage image;
    image.width = image.height = 8;
    image.pixels.assign(8 * 8 * 3, grey);
    saveImageFile(path.toStdString(), image);
}

std::map<std::string, const ImportFileResult*> byPath(const ImportReport& report) {
    std::map<std::string, const ImportFileResult*> files;
    for (const auto& file : report.files) files[file.path] = &file;
    return files;
}

// Root cannot be refused a read: become `nobody` (with a home of its own for QStandardPaths).
// Returns "" on success, else why not.
std::string dropRootPrivileges() {
    if (::geteuid() != 0) return {};
    const passwd* nobody = ::getpwnam("nobody");
    if (!nobody) return "no user 'nobody'";
    char home[] = "/tmp/fmc-nobody-home-XXXXXX";
    if (!::mkdtemp(home)) return "cannot create a home folder";
    if (::chown(home, nobody->pw_uid, nobody->pw_gid) != 0) return "cannot hand the home folder to nobody";
    ::setenv("HOME", home, 1);
    ::unsetenv("XDG_RUNTIME_DIR");
    if (::setgroups(0, nullptr) != 0 || ::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0)
        return "setgid/setuid to nobody failed";
    return {};
}

}  // namespace

class TestImportPaths : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    int workspaces_ = 0;
    std::string newWorkspaceFolder() { return dir_.filePath("ws" + QString::number(++workspaces_)).toStdString(); }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        QVERIFY2(::geteuid() != 0, "still root: permission checks would not be refused");
    }

    // A folder and a file this account may not read, next to readable ones.
    void unreadableFoldersAndFilesSayPermissionDenied() {
        QTemporaryDir root;
        writeImage(root.filePath("a.png"), 10);
        writeImage(root.filePath("locked/inside.png"), 20);
        writeImage(root.filePath("secret.png"), 30);
        QVERIFY(::chmod(QFile::encodeName(root.filePath("locked")).constData(), 0) == 0);
        QVERIFY(::chmod(QFile::encodeName(root.filePath("secret.png")).constData(), 0) == 0);

        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        const auto report = workspace.importPaths({root.path().toStdString()}, {});
        ::chmod(QFile::encodeName(root.filePath("locked")).constData(), 0700);  // so the folder can be removed
        QCOMPARE(report.files.size(), std::size_t(3));
        const auto files = byPath(report);
        const auto* locked = files.at(canonical(root.filePath("locked")));
        QCOMPARE(locked->outcome, ImportOutcome::Error);
        QCOMPARE(locked->errorClass, std::string("unreadable-folder"));
        QVERIFY2(locked->detail.find("permission denied") != std::string::npos, locked->detail.c_str());
        const auto* secret = files.at(canonical(root.filePath("secret.png")));
        QCOMPARE(secret->outcome, ImportOutcome::Error);
        QCOMPARE(secret->errorClass, std::string("permission-denied"));
        QVERIFY2(secret->detail.find("permission denied") != std::string::npos, secret->detail.c_str());
        QCOMPARE(files.at(canonical(root.filePath("a.png")))->outcome, ImportOutcome::Imported);
        // Both are in the workspace's own record of the run.
        QCOMPARE(workspace.store().importIssues(report.importRunId).size(), std::size_t(2));
    }

    void aFolderGivenDirectlyThatCannotBeListedIsReported() {
        QTemporaryDir root;
        writeImage(root.filePath("locked/inside.png"), 20);
        const QString locked = root.filePath("locked");
        QVERIFY(::chmod(QFile::encodeName(locked).constData(), 0) == 0);
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        const auto report = workspace.importPaths({locked.toStdString()}, {});
        ::chmod(QFile::encodeName(locked).constData(), 0700);
        QCOMPARE(report.files.size(), std::size_t(1));
        QCOMPARE(report.files[0].path, canonical(locked));
        QCOMPARE(report.files[0].errorClass, std::string("unreadable-folder"));
        QVERIFY2(report.files[0].detail.find("permission denied") != std::string::npos, report.files[0].detail.c_str());
    }

    // root/classA/x.png; root/classB -> ../outside (followed, labelled by the link's name);
    // root/classA/back -> .. and root/zagain -> classA (the same folders again, walked after
    // the real ones: reported, not
    // walked twice); root/broken -> nowhere; root/self -> self (a loop).
    void symbolicLinksAreFollowedOnceAndBrokenOnesReported() {
        QTemporaryDir base;
        const QString root = base.filePath("root");
        writeImage(root + "/classA/x.png", 40);
        writeImage(base.filePath("outside/y.png"), 50);
        QVERIFY(QFile::link(base.filePath("outside"), root + "/classB"));
        QVERIFY(QFile::link(root, root + "/classA/back"));
        QVERIFY(QFile::link(root + "/classA", root + "/zagain"));
        QVERIFY(::symlink("nowhere/z.png", QFile::encodeName(root + "/broken").constData()) == 0);
        QVERIFY(::symlink("self", QFile::encodeName(root + "/self").constData()) == 0);

        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        const auto report = workspace.importPaths({root.toStdString()}, options);
        const auto files = byPath(report);
        QCOMPARE(report.files.size(), std::size_t(6));
        const auto* x = files.at(canonical(root + "/classA/x.png"));
        QCOMPARE(x->outcome, ImportOutcome::Imported);
        QCOMPARE(x->label.value_or(""), std::string("classA"));
        const auto* y = files.at(canonical(root + "/classB/y.png"));
        QCOMPARE(y->outcome, ImportOutcome::Imported);
        QCOMPARE(y->label.value_or(""), std::string("classB"));
        for (const char* again : {"/zagain", "/classA/back"}) {
            const auto* visited = files.at(canonical(root + again));
            QCOMPARE(visited->outcome, ImportOutcome::Skipped);
            QCOMPARE(visited->errorClass, std::string("folder-visited"));
        }
        const auto* broken = files.at(canonical(root + "/broken"));
        QCOMPARE(broken->outcome, ImportOutcome::Error);
        QCOMPARE(broken->errorClass, std::string("dangling-symlink"));
        QVERIFY2(broken->detail.find("nowhere/z.png") != std::string::npos, broken->detail.c_str());
        const auto* self = files.at(canonical(root + "/self"));
        QCOMPARE(self->outcome, ImportOutcome::Error);
        QCOMPARE(self->errorClass, std::string("symlink-loop"));
        QCOMPARE(workspace.store().imageCount(), 2);
    }

    void fifosAreSkippedWithTheirReason() {
        QTemporaryDir root;
        writeImage(root.filePath("a.png"), 60);
        const QString fifo = root.filePath("pipe");
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        for (const auto& given : {root.path(), fifo}) {
            const auto report = workspace.importPaths({given.toStdString()}, {});
            const auto* pipe = byPath(report).at(canonical(fifo));
            QCOMPARE(pipe->outcome, ImportOutcome::Skipped);
            QCOMPARE(pipe->errorClass, std::string("special-file"));
            QVERIFY2(pipe->detail.find("is a FIFO") != std::string::npos, pipe->detail.c_str());
        }
    }

    // Two runs over the same folder with two bad files and one good: status says 2 files not
    // imported, not 4; once a bad file is replaced by a good one and imported, 1.
    void statusCountsEachFileNotImportedOnce() {
        QTemporaryDir root;
        writeImage(root.filePath("good.png"), 70);
        QFile(root.filePath("broken.png")).open(QIODevice::WriteOnly);  // empty
        QFile notes(root.filePath("notes.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not an image");
        notes.close();
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        workspace.importPaths({root.path().toStdString()}, {});
        workspace.importPaths({root.path().toStdString()}, {});
        auto summary = workspace.store().summary();
        QCOMPARE(summary.importIssues, 4);
        QCOMPARE(summary.filesNotImported, 2);
        writeImage(root.filePath("broken.png"), 80);
        workspace.importPaths({root.path().toStdString()}, {});
        QCOMPARE(workspace.store().summary().filesNotImported, 1);
    }
};

int main(int argc, char* argv[]) {
    const std::string dropped = dropRootPrivileges();
    if (!dropped.empty()) {
        std::fprintf(stderr, "tst_importpaths: cannot run as nobody: %s\n", dropped.c_str());
        return 1;
    }
    QCoreApplication app(argc, argv);
    TestImportPaths test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_importpaths.moc"
