#include "widgets/settings_dialog.h"

#include "shell/app_settings.h"
#include "engine/model_bundle.h"
#include "shell/runtime_setup.h"
#include "widgets/pacs_connection_form.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

namespace fmc::ui {

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Settings"));
    auto* layout = new QVBoxLayout(this);
    auto* tabs = new QTabWidget(this);
    auto* general = new QWidget;
    auto* form = new QFormLayout(general);

    bundleFolder_ = new QLineEdit(AppSettings::bundleDirectory(), this);
    bundleFolder_->setObjectName(QStringLiteral("bundleFolder"));
    bundleFolder_->setPlaceholderText(tr("(the workspace's own bundle)"));
    auto* browse = new QPushButton(tr("Choose…"), this);
    auto* bundleRow = new QHBoxLayout;
    bundleRow->addWidget(bundleFolder_, 1);
    bundleRow->addWidget(browse);
    bundleInfo_ = new QLabel(this);
    bundleInfo_->setObjectName(QStringLiteral("hint"));
    bundleInfo_->setWordWrap(true);
    form->addRow(tr("Model bundle folder"), bundleRow);
    form->addRow(QString(), bundleInfo_);

    device_ = new QComboBox(this);
    device_->setObjectName(QStringLiteral("device"));
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    device_->addItem(tr("CUDA (NVIDIA GPU)"), QStringLiteral("cuda"));
    if (!currentRuntime().cudaAvailable) {
        // Shown but not selectable, so people know where the option would be.
        static_cast<QStandardItemModel*>(device_->model())->item(1)->setEnabled(false);
        device_->setItemData(1, tr("No CUDA GPU is available on this computer."), Qt::ToolTipRole);
    }
    device_->setCurrentIndex(qMax(0, device_->findData(AppSettings::device())));
    form->addRow(tr("Compute on"), device_);

    threads_ = new QSpinBox(this);
    threads_->setObjectName(QStringLiteral("threads"));
    threads_->setRange(0, qMax(1, QThread::idealThreadCount()));
    threads_->setSpecialValueText(tr("Automatic (free cores, one kept for this window)"));
    threads_->setValue(AppSettings::cpuThreads());
    form->addRow(tr("CPU threads"), threads_);

    language_ = new QComboBox(this);
    language_->setObjectName(QStringLiteral("language"));
    language_->addItem(tr("System language"), QString());
    // Each language in its own name, so anyone can find theirs.
    language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
    language_->addItem(QStringLiteral("Français"), QStringLiteral("fr"));
    language_->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    language_->setCurrentIndex(qMax(0, language_->findData(AppSettings::language())));
    form->addRow(tr("Language"), language_);

    maxFileMegabytes_ = new QSpinBox(this);
    maxFileMegabytes_->setObjectName(QStringLiteral("maxFileMegabytes"));
    maxFileMegabytes_->setRange(1, 4096);
    maxFileMegabytes_->setSuffix(tr(" MB"));
    maxFileMegabytes_->setValue(AppSettings::maxFileMegabytes());
    form->addRow(tr("Largest file to import"), maxFileMegabytes_);
    maxMegapixels_ = new QSpinBox(this);
    maxMegapixels_->setObjectName(QStringLiteral("maxMegapixels"));
    maxMegapixels_->setRange(1, 2000);
    maxMegapixels_->setSuffix(tr(" megapixels"));
    maxMegapixels_->setValue(AppSettings::maxMegapixels());
    form->addRow(tr("Largest image to import"), maxMegapixels_);
    tabs->addTab(general, tr("General"));
    pacs_ = new PacsConnectionForm;
    auto* pacsPage = new QWidget;
    auto* pacsLayout = new QVBoxLayout(pacsPage);
    pacsLayout->addWidget(pacs_);
    pacsLayout->addStretch(1);
    tabs->addTab(pacsPage, tr("PACS"));
    layout->addWidget(tabs);

    problem_ = new QLabel(this);
    problem_->setObjectName(QStringLiteral("uncertaintyWarning"));
    problem_->setWordWrap(true);
    problem_->hide();
    layout->addWidget(problem_);
    auto* note = new QLabel(tr("A new language applies the next time the app starts."), this);
    note->setObjectName(QStringLiteral("hint"));
    layout->addWidget(note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, [this] {
        const auto dir = QFileDialog::getExistingDirectory(this, tr("Model bundle folder"), bundleFolder_->text());
        if (!dir.isEmpty()) bundleFolder_->setText(dir);
    });
    connect(bundleFolder_, &QLineEdit::textChanged, this, &SettingsDialog::showBundleInfo);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    showBundleInfo();
    setMinimumWidth(560);
}

void SettingsDialog::showBundleInfo() {
    const auto dir = bundleFolder_->text().trimmed();
    if (dir.isEmpty()) {
        bundleInfo_->setText(tr("Workspaces use the bundle they were set up with."));
        return;
    }
    try {
        const auto manifest =
            readManifestFile(QDir(dir).filePath(QLatin1String(kBundleManifestFileName)).toStdString());
        auto text = tr("%1, version %2").arg(QString::fromStdString(manifest.name), QString::fromStdString(manifest.version));
        if (manifest.demo) text += QLatin1Char(' ') + tr("(demo model: random weights, not for clinical use)");
        bundleInfo_->setText(text);
    } catch (const std::exception&) {
        bundleInfo_->setText(tr("No readable model bundle in this folder."));
    }
}

QString SettingsDialog::problem() const {
    const auto dir = bundleFolder_->text().trimmed();
    if (!dir.isEmpty()) {
        const auto manifest = QDir(dir).filePath(QLatin1String(kBundleManifestFileName));
        if (!QFileInfo(dir).isDir()) return tr("The model bundle folder does not exist.");
        if (!QFileInfo::exists(manifest))
            return tr("This folder is not a model bundle: it has no manifest.json. Choose the folder that contains it.");
        try {
            readManifestFile(manifest.toStdString());
        } catch (const std::exception& error) {
            return tr("The model bundle's manifest cannot be used: %1").arg(QString::fromUtf8(error.what()));
        }
    }
    return {};
}

void SettingsDialog::accept() {
    const auto message = problem();
    problem_->setText(message);
    problem_->setVisible(!message.isEmpty());
    if (!message.isEmpty()) return;
    AppSettings::setBundleDirectory(bundleFolder_->text().trimmed());
    AppSettings::setDevice(device_->currentData().toString());
    AppSettings::setCpuThreads(threads_->value());
    languageChanged_ = AppSettings::language() != language_->currentData().toString();
    AppSettings::setLanguage(language_->currentData().toString());
    AppSettings::setMaxFileMegabytes(maxFileMegabytes_->value());
    AppSettings::setMaxMegapixels(maxMegapixels_->value());
    applyRuntimeSettings();
    if (const auto pacsProblem = pacs_->save(); !pacsProblem.isEmpty()) {
        // The rest is saved; the dialog stays open so the password problem is seen.
        problem_->setText(pacsProblem);
        problem_->show();
        return;
    }
    QDialog::accept();
}

}  // namespace fmc::ui
