#pragma once
// Classify: open, drop or pick an image; see every class's probability as a bar (most likely
// first, the top class highlighted) for the ensemble, the FAM alone and the MLP alone; an
// uncertainty warning when the model is unsure; save the prediction to the workspace and see
// the predictions saved so far, and export one as a DICOM SR to a file or the PACS. DICOM grey
// images get a display window that re-renders the file's modality values (presets for CT); the
// view holds it, its spin boxes and the right-button drag in the view change it alike. The model
// loads and runs on a worker thread.
#include "workspace/classifier_engine.h"
#include "workspace/workspace_types.h"

#include <QElapsedTimer>
#include <QImage>
#include <QWidget>

#include <memory>

namespace fmc {
struct ModalityFrame;
}

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QTableView;
class QTimer;
QT_END_NAMESPACE

namespace fmc::ui {

class ImageView;
class PredictionListModel;
class PredictionReportExporter;
class ProbabilityModel;
class TaskRunner;
class WorkspaceService;

// One finished classification, as the worker hands it to the page.
struct ClassifyOutcome {
    QString path;
    qint64 imageId = 0;
    QImage image;  // as the model saw it (the file's own rendering)
    bool dicom = false;
    QString dicomModality;  // e.g. "CT"
    // DICOM grey images: the frame's modality values and the window of `image`; null otherwise.
    std::shared_ptr<const ModalityFrame> modalityFrame;
    ImageAttributes attributes;  // modality, body part, photometric kind, for the domain check
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
    // Re-rendering the display for the last window change, on the GUI thread.
    double lastWindowRenderMs() const { return lastWindowRenderMs_; }
    // The image on screen (the display window applied).
    QImage displayedImage() const;
    PredictionListModel* savedPredictions() const { return saved_; }
    bool savePrediction();
    // The saved prediction selected in the list as a DICOM SR: to a file, or to the PACS of
    // Settings › PACS; on a worker thread with progress and Cancel (reportFinished at the
    // end). False when none is selected or an export is running. exportSelectedReport()
    // asks for the file name; the overload takes it.
    bool exportSelectedReport();
    bool exportSelectedReport(const QString& path);
    bool sendSelectedReport();
    PredictionReportExporter* reportExporter() const { return reportExporter_; }

    // The result must not be relied on in the chosen view (unsure, out of distribution, a
    // large prediction set, a model no better than chance): the headline is then not green.
    bool resultNeedsCaution() const;
    // Shows a finished classification as if the worker had just handed it over.
    void showOutcome(const ClassifyOutcome& outcome) { display(outcome); }
    // The model card of the model that made the last result (HTML), and a dialog showing it.
    QString modelCardText() const;
    void showModelCard();

    // The display window (DICOM grey images): the file's own, a chosen one, the whole range
    // of the image's values, or a CT preset. The model's input never changes.
    void setDisplayWindow(double center, double width);
    void resetDisplayWindow();
    void showWholeValueRange();

public slots:
    void chooseImage();

signals:
    void classified(const fmc::ui::ClassificationResult& result);
    void classificationFailed(const QString& message);
    void predictionSaved();
    void reportFinished(bool ok, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void startNext();
    void display(const ClassifyOutcome& outcome);
    void updateSummary();
    void showWindowControls();
    void fitBarsToClasses();
    void renderDisplayWindow();
    void showWindowValues(double center, double width);
    void applyWindowToView(double center, double width);
    void retranslate();
    static QString photometricName(const std::string& kind);
    static QString modalityName(const std::string& modality);
    static QString mismatchText(const DomainMismatch& mismatch);
    // Why the result's percentages are raw scores, and what to do about it.
    static QString notCalibratedText(const ClassificationResult& result);

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
    double lastWindowRenderMs_ = 0;
    PredictionListModel* saved_;
    QTimer* windowRender_;  // coalesces spin box steps into one re-render per event loop pass

    QLabel* title_;
    ImageView* imageView_;
    QLabel* fileLabel_;
    QPushButton* openButton_;
    QGroupBox* windowBox_;
    QDoubleSpinBox* windowCenter_;
    QDoubleSpinBox* windowWidth_;
    QLabel* windowRange_;
    QWidget* presetRow_;
    QList<QPushButton*> presetButtons_;
    QPushButton* windowReset_;
    QPushButton* windowWhole_;
    QLabel* windowHint_;
    QLabel* oodWarning_;
    QLabel* chanceWarning_;
    QLabel* topClass_;
    QLabel* uncertainty_;
    QLabel* predictionSet_;
    QLabel* disagreement_;
    QPushButton* modelCardButton_;
    QComboBox* viewChoice_;
    QTableView* bars_;
    QLabel* modelInfo_;
    QLabel* status_;
    QPushButton* saveButton_;
    QLabel* savedTitle_;
    QTableView* savedTable_;
    QPushButton* exportReportButton_;
    QPushButton* sendReportButton_;
    PredictionReportExporter* reportExporter_;

    const PredictionRecord* selectedPrediction() const;
    void updateReportButtons();
};

}  // namespace fmc::ui

Q_DECLARE_METATYPE(fmc::ui::ClassifyOutcome)
