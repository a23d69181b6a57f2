#pragma once
// Settings: model bundle folder, device (CPU, or CUDA when there is a GPU), CPU threads,
// language, and the data limits every import enforces (General); the PACS connection with
// "Test connection" (PACS). Stored per user (AppSettings; a PACS password in the credential
// store).
#include <QDialog>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
QT_END_NAMESPACE

namespace fmc::ui {

class PacsConnectionForm;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    // Plain-words problem with the current input, "" when it can be saved.
    QString problem() const;
    void accept() override;

    bool languageChanged() const { return languageChanged_; }

private:
    void showBundleInfo();

    QLineEdit* bundleFolder_;
    QLabel* bundleInfo_;
    QComboBox* device_;
    QSpinBox* threads_;
    QComboBox* language_;
    QSpinBox* maxFileMegabytes_;
    QSpinBox* maxMegapixels_;
    PacsConnectionForm* pacs_;
    QLabel* problem_;
    bool languageChanged_ = false;
};

}  // namespace fmc::ui
