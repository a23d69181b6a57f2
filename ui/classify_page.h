#pragma once
// Classify: open, drop or pick an image; see every class's probability as a bar (most likely
// first, the top class highlighted) for the ensemble, the FAM alone and the MLP alone; an
// uncertainty warning when the model is unsure; save the prediction to the workspace. DICOM
// images get a display window control. The model loads and runs on a worker thread.
#include "classifier_engine.h"
#include "display_window.h"

#include <QElapsedTimer>
#include <QImage>
#include <QWidget>

#include <memory>

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QTableView;
QT_END_NAMESPACE

namespace fmc::ui {

class ImageView;
class ProbabilityModel;
class TaskRunner;
class WorkspaceService;

// One finished classification, as the worker hands it to the page.
struct ClassifyOutcome {
    QString path;
    qint64 imageId = 0;
    QImage image;             // as the model saw it (the file's own rendering)
    DisplayWindow fileWindow; // DICOM grey images: the window the rendering used
    bool dicom = false;
    ClassificationResult result;
};

class ClassifyPage : public QWidget {
    Q_OBJECT
public:
    explicit ClassifyPage(QWidget* parent = nullptr);
    ~ClassifyPage() override;

    void setWorkspace(WorkspaceService* workspace);

    // Starts classifying `path` (imageId: the workspace image it is, 0 if none). A request
    // while one runs replaces any earlier waiting one.
    void classifyFile(const QString& path, qint64 imageId = 0);
    // Loads the model in the background so that the first image is quick.
    void preloadModel();

    ProbabilityModel* probabilityModel() const { return probabilities_; }
    TaskRunner* runner() const { return runner_; }
    const ClassifyOutcome& lastOutcome() const { return outcome_; }
    // From the request to the bars on screen, for the last image.
    double lastLatencyMs() const { return lastLatencyMs_; }
    bool savePrediction();

public slots:
    void chooseImage();

signals:
    void classified(const fmc::ui::ClassificationResult& result);
    void classificationFailed(const QString& message);
    void predictionSaved();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void startNext();
    void display(const ClassifyOutcome& outcome);
    void updateSummary();
    void updateWindow();
    void retranslate();

    WorkspaceService* workspace_ = nullptr;
    std::shared_ptr<ClassifierEngine> engine_;
    ProbabilityModel* probabilities_;
    TaskRunner* runner_;
    ClassifyOutcome outcome_;
    QString pendingPath_;
    qint64 pendingImageId_ = 0;
    bool hasPending_ = false;
    QElapsedTimer requestTimer_;
    double lastLatencyMs_ = 0;

    QLabel* title_;
    ImageView* imageView_;
    QLabel* fileLabel_;
    QPushButton* openButton_;
    QGroupBox* windowBox_;
    QDoubleSpinBox* windowCenter_;
    QDoubleSpinBox* windowWidth_;
    QPushButton* windowReset_;
    QLabel* windowHint_;
    QLabel* topClass_;
    QLabel* uncertainty_;
    QComboBox* viewChoice_;
    QTableView* bars_;
    QLabel* modelInfo_;
    QLabel* status_;
    QPushButton* saveButton_;
};

}  // namespace fmc::ui

Q_DECLARE_METATYPE(fmc::ui::ClassifyOutcome)
