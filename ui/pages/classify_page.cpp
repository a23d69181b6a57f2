#include "pages/classify_page.h"

#include "shell/app_settings.h"
#include "widgets/image_view.h"
#include "workspace/import_scanner.h"
#include "shell/logging.h"
#include "models/prediction_list_model.h"
#include "widgets/prediction_report_exporter.h"
#include "widgets/task_progress_dialog.h"
#include "widgets/probability_bar_delegate.h"
#include "models/probability_model.h"
#include "workspace/task_runner.h"
#include "workspace/workspace_helpers.h"
#include "workspace/workspace_service.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

#include "dicom/dicom_reader.h"

namespace fmc::ui {
namespace {

QImage toQImage(const RgbImage& rgb) {
    return QImage(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3, QImage::Format_RGB888).copy();
}

// CT windows in Hounsfield units, as radiology viewers offer them.
struct WindowPreset {
    const char* objectName;
    const char* name;
    double center;
    double width;
};
constexpr WindowPreset kCtWindowPresets[] = {
    {"presetSoftTissue", QT_TRANSLATE_NOOP("fmc::ui::ClassifyPage", "Soft tissue"), 40, 400},
    {"presetLung", QT_TRANSLATE_NOOP("fmc::ui::ClassifyPage", "Lung"), -600, 1500},
    {"presetBone", QT_TRANSLATE_NOOP("fmc::ui::ClassifyPage", "Bone"), 400, 1800},
    {"presetBrain", QT_TRANSLATE_NOOP("fmc::ui::ClassifyPage", "Brain"), 40, 80},
};

bool isCt(const ClassifyOutcome& outcome) { return outcome.dicomModality == QLatin1String("CT"); }

// The image as the model sees it, plus the DICOM frame's modality values for the display.
ClassifyOutcome loadForClassification(const QString& path, const ImageLimits& limits, RgbImage& rgb) {
    ClassifyOutcome outcome;
    outcome.path = path;
    if (isDicomFile(path)) {
        DicomReadOptions options;
        options.limits = limits;
        options.keepModalityValues = true;
        auto dicom = readDicomFile(path.toStdString(), options);
        rgb = std::move(dicom.frames.front());
        outcome.dicom = true;
        outcome.dicomModality = QString::fromStdString(dicom.meta.modality);
        outcome.attributes.modality = dicom.meta.modality;
        outcome.attributes.bodyPart = QString::fromStdString(dicom.meta.tagValue("BodyPartExamined")).toUpper().toStdString();
        outcome.attributes.photometric = photometricKindOfDicom(dicom.meta.photometricInterpretation);
        if (!dicom.modality.empty())
            outcome.modalityFrame = std::make_shared<const ModalityFrame>(std::move(dicom.modality.front()));
        outcome.image = toQImage(rgb);
        return outcome;
    }
    rgb = loadAnyImage(path, limits);
    outcome.image = toQImage(rgb);
    outcome.attributes.modality = kPhotoModality;
    outcome.attributes.photometric =
        photometricKindOfPixels(rgb.pixels.data(), static_cast<std::int64_t>(rgb.width) * rgb.height);
    return outcome;
}

}  // namespace

ClassifyPage::ClassifyPage(QWidget* parent)
    : QWidget(parent),
      engine_(std::make_shared<ClassifierEngine>()),
      probabilities_(new ProbabilityModel(this)),
      runner_(new TaskRunner(this)),
      saved_(new PredictionListModel(this)),
      windowRender_(new QTimer(this)) {
    setAcceptDrops(true);
    windowRender_->setSingleShot(true);
    windowRender_->setInterval(0);
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("pageTitle"));
    layout->addWidget(title_);

    auto* splitter = new QSplitter(this);
    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    imageView_ = new ImageView(left);
    imageView_->setObjectName(QStringLiteral("classifyImage"));
    fileLabel_ = new QLabel(left);
    fileLabel_->setObjectName(QStringLiteral("hint"));
    fileLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long file name must not widen the page past a small window: it wraps between words, and
    // one with nowhere to break (a UID) is cut at the label's edge, whole in its tooltip.
    fileLabel_->setWordWrap(true);
    fileLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    openButton_ = new QPushButton(left);
    auto* openRow = new QHBoxLayout;
    openRow->addWidget(fileLabel_, 1);
    openRow->addWidget(openButton_);
    windowBox_ = new QGroupBox(left);
    windowBox_->setObjectName(QStringLiteral("windowBox"));
    auto* windowLayout = new QFormLayout(windowBox_);
    windowCenter_ = new QDoubleSpinBox(windowBox_);
    windowWidth_ = new QDoubleSpinBox(windowBox_);
    for (auto* spin : {windowCenter_, windowWidth_}) {
        spin->setDecimals(0);
        spin->setKeyboardTracking(false);
    }
    windowCenter_->setObjectName(QStringLiteral("windowCenter"));
    windowWidth_->setObjectName(QStringLiteral("windowWidth"));
    windowRange_ = new QLabel(windowBox_);
    windowRange_->setObjectName(QStringLiteral("windowRange"));
    presetRow_ = new QWidget(windowBox_);
    auto* presetLayout = new QHBoxLayout(presetRow_);
    presetLayout->setContentsMargins(0, 0, 0, 0);
    for (const auto& preset : kCtWindowPresets) {
        auto* button = new QPushButton(presetRow_);
        button->setObjectName(QLatin1String(preset.objectName));
        connect(button, &QPushButton::clicked, this,
                [this, &preset] { setDisplayWindow(preset.center, preset.width); });
        presetLayout->addWidget(button);
        presetButtons_.append(button);
    }
    presetLayout->addStretch();
    windowReset_ = new QPushButton(windowBox_);
    windowReset_->setObjectName(QStringLiteral("windowReset"));
    windowWhole_ = new QPushButton(windowBox_);
    windowWhole_->setObjectName(QStringLiteral("windowWholeRange"));
    auto* windowButtons = new QHBoxLayout;
    windowButtons->addWidget(windowReset_);
    windowButtons->addWidget(windowWhole_);
    windowButtons->addStretch();
    windowHint_ = new QLabel(windowBox_);
    windowHint_->setObjectName(QStringLiteral("hint"));
    windowHint_->setWordWrap(true);
    windowLayout->addRow(tr("Center"), windowCenter_);
    windowLayout->addRow(tr("Width"), windowWidth_);
    windowLayout->addRow(windowRange_);
    windowLayout->addRow(presetRow_);
    windowLayout->addRow(windowButtons);
    windowLayout->addRow(windowHint_);
    windowBox_->hide();
    leftLayout->addWidget(imageView_, 1);
    leftLayout->addLayout(openRow);
    leftLayout->addWidget(windowBox_);

    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    oodWarning_ = new QLabel(right);
    oodWarning_->setObjectName(QStringLiteral("outOfDistributionWarning"));
    oodWarning_->setWordWrap(true);
    oodWarning_->hide();
    chanceWarning_ = new QLabel(right);
    chanceWarning_->setObjectName(QStringLiteral("chanceWarning"));
    chanceWarning_->setWordWrap(true);
    chanceWarning_->hide();
    topClass_ = new QLabel(right);
    topClass_->setObjectName(QStringLiteral("topClass"));
    topClass_->setWordWrap(true);
    uncertainty_ = new QLabel(right);
    uncertainty_->setWordWrap(true);
    predictionSet_ = new QLabel(right);
    predictionSet_->setObjectName(QStringLiteral("predictionSet"));
    predictionSet_->setWordWrap(true);
    disagreement_ = new QLabel(right);
    disagreement_->setObjectName(QStringLiteral("branchDisagreement"));
    disagreement_->setWordWrap(true);
    disagreement_->hide();
    modelCardButton_ = new QPushButton(right);
    modelCardButton_->setObjectName(QStringLiteral("modelCardButton"));
    modelCardButton_->setEnabled(false);
    viewChoice_ = new QComboBox(right);
    viewChoice_->setObjectName(QStringLiteral("viewChoice"));
    bars_ = new QTableView(right);
    bars_->setObjectName(QStringLiteral("probabilityBars"));
    bars_->setModel(probabilities_);
    bars_->setItemDelegate(new ProbabilityBarDelegate(bars_));
    bars_->verticalHeader()->hide();
    bars_->setShowGrid(false);
    bars_->setSelectionMode(QAbstractItemView::NoSelection);
    bars_->setFocusPolicy(Qt::NoFocus);
    bars_->verticalHeader()->setDefaultSectionSize(32);
    bars_->horizontalHeader()->setSectionResizeMode(ProbabilityModel::ClassColumn, QHeaderView::ResizeToContents);
    bars_->horizontalHeader()->setStretchLastSection(true);
    fitBarsToClasses();  // warnings above never squeeze the bars below three rows
    modelInfo_ = new QLabel(right);
    modelInfo_->setObjectName(QStringLiteral("hint"));
    modelInfo_->setWordWrap(true);
    status_ = new QLabel(right);
    status_->setObjectName(QStringLiteral("hint"));
    saveButton_ = new QPushButton(right);
    saveButton_->setObjectName(QStringLiteral("savePredictionButton"));
    saveButton_->setEnabled(false);
    savedTitle_ = new QLabel(right);
    savedTable_ = new QTableView(right);
    savedTable_->setObjectName(QStringLiteral("savedPredictions"));
    savedTable_->setModel(saved_);
    savedTable_->verticalHeader()->hide();
    savedTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    savedTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    savedTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    savedTable_->horizontalHeader()->setStretchLastSection(true);
    savedTable_->setMaximumHeight(160);
    savedTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    exportReportButton_ = new QPushButton(right);
    exportReportButton_->setObjectName(QStringLiteral("exportReportButton"));
    sendReportButton_ = new QPushButton(right);
    sendReportButton_->setObjectName(QStringLiteral("sendReportButton"));
    reportExporter_ = new PredictionReportExporter(this);
    new TaskProgressDialog(reportExporter_->runner(), this);
    auto* viewRow = new QHBoxLayout;
    viewRow->addWidget(new QLabel(tr("Show"), right));
    viewRow->addWidget(viewChoice_, 1);
    // A flagged image's result sits under its warning.
    rightLayout->addWidget(oodWarning_);
    rightLayout->addWidget(chanceWarning_);
    rightLayout->addWidget(topClass_);
    rightLayout->addWidget(uncertainty_);
    rightLayout->addWidget(predictionSet_);
    rightLayout->addWidget(disagreement_);
    rightLayout->addLayout(viewRow);
    rightLayout->addWidget(bars_, 1);
    rightLayout->addWidget(modelInfo_);
    rightLayout->addWidget(modelCardButton_, 0, Qt::AlignRight);
    rightLayout->addWidget(status_);
    rightLayout->addWidget(saveButton_, 0, Qt::AlignRight);
    rightLayout->addWidget(savedTitle_);
    rightLayout->addWidget(savedTable_);
    auto* reportRow = new QHBoxLayout;
    reportRow->addStretch(1);
    reportRow->addWidget(exportReportButton_);
    reportRow->addWidget(sendReportButton_);
    rightLayout->addLayout(reportRow);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(openButton_, &QPushButton::clicked, this, &ClassifyPage::chooseImage);
    connect(saveButton_, &QPushButton::clicked, this, &ClassifyPage::savePrediction);
    connect(exportReportButton_, &QPushButton::clicked, this, qOverload<>(&ClassifyPage::exportSelectedReport));
    connect(sendReportButton_, &QPushButton::clicked, this, &ClassifyPage::sendSelectedReport);
    connect(savedTable_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ClassifyPage::updateReportButtons);
    connect(saved_, &QAbstractItemModel::modelReset, this, &ClassifyPage::updateReportButtons);
    connect(reportExporter_->runner(), &TaskRunner::started, this, &ClassifyPage::updateReportButtons);
    connect(reportExporter_, &PredictionReportExporter::finished, this, [this](bool ok, const QString& message) {
        status_->setText(message);
        updateReportButtons();
        if (!ok && isVisible()) QMessageBox::warning(this, tr("DICOM report"), message);
        emit reportFinished(ok, message);
    });
    updateReportButtons();
    connect(modelCardButton_, &QPushButton::clicked, this, &ClassifyPage::showModelCard);
    connect(viewChoice_, &QComboBox::currentIndexChanged, this, [this] {
        probabilities_->setView(static_cast<ProbabilityModel::View>(viewChoice_->currentData().toInt()));
        updateSummary();
    });
    // One window, the view's: the boxes show it (also while the right button drags it in the
    // view), and what is typed in them goes to the view.
    for (auto* spin : {windowCenter_, windowWidth_})
        connect(spin, &QDoubleSpinBox::valueChanged, windowRender_, qOverload<>(&QTimer::start));
    connect(imageView_, &ImageView::windowChanged, this, &ClassifyPage::showWindowValues);
    connect(windowRender_, &QTimer::timeout, this, &ClassifyPage::renderDisplayWindow);
    connect(windowReset_, &QPushButton::clicked, this, &ClassifyPage::resetDisplayWindow);
    connect(windowWhole_, &QPushButton::clicked, this, &ClassifyPage::showWholeValueRange);
    connect(runner_, &TaskRunner::progressChanged, this,
            [this](int, int, const QString& message) { status_->setText(message); });
    connect(runner_, &TaskRunner::succeeded, this, [this](const QVariant& value) {
        status_->clear();
        if (value.canConvert<ClassifyOutcome>()) {
            const auto outcome = value.value<ClassifyOutcome>();
            display(outcome);
            if (outcome.result.ensemble.isEmpty())
                status_->setText(tr("No model bundle is set. Choose the model bundle folder in Settings."));
        }
        startNext();
    });
    connect(runner_, &TaskRunner::failed, this, [this](const QString& message) {
        status_->setText(tr("Could not classify: %1").arg(message));
        emit classificationFailed(message);
        startNext();
    });
    connect(runner_, &TaskRunner::cancelled, this, &ClassifyPage::startNext);
    retranslate();
}

ClassifyPage::~ClassifyPage() { runner_->waitForDone(); }

void ClassifyPage::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void ClassifyPage::retranslate() {
    title_->setText(tr("Classify"));
    openButton_->setText(tr("Open image…"));
    windowBox_->setTitle(tr("DICOM display window"));
    for (int i = 0; i < presetButtons_.size(); ++i) {
        const auto& preset = kCtWindowPresets[i];
        presetButtons_[i]->setText(tr(preset.name));
        presetButtons_[i]->setToolTip(tr("Center %1 HU, width %2 HU").arg(preset.center).arg(preset.width));
    }
    windowReset_->setText(tr("Back to the file's window"));
    windowWhole_->setText(tr("Whole range"));
    windowWhole_->setToolTip(tr("A window from the lowest to the highest value in this image"));
    windowHint_->setText(tr("Changes the display only. The model classifies the file's own rendering (with the "
                            "file's window), as in training."));
    showWindowControls();
    saveButton_->setText(tr("Save prediction"));
    modelCardButton_->setText(tr("Model card…"));
    modelCardButton_->setToolTip(tr("What this model was trained on and how well it did on the site's held-out images"));
    savedTitle_->setText(tr("Saved predictions"));
    exportReportButton_->setText(tr("Export as DICOM SR…"));
    exportReportButton_->setToolTip(tr("The selected prediction as a DICOM structured report file (DICOM images only)"));
    sendReportButton_->setText(tr("Send to PACS"));
    sendReportButton_->setToolTip(tr("Store the selected prediction as a DICOM structured report on the PACS of "
                                     "Settings › PACS, in the image's study"));
    imageView_->setPlaceholderText(tr("Open an image, drop one here, or double-click one on the Images page."));
    const QSignalBlocker blocker(viewChoice_);
    const int current = viewChoice_->currentIndex();
    viewChoice_->clear();
    viewChoice_->addItem(tr("Ensemble (FAM and MLP together)"), static_cast<int>(ProbabilityModel::View::Ensemble));
    viewChoice_->addItem(tr("FAM only (shared federation model)"), static_cast<int>(ProbabilityModel::View::FamOnly));
    viewChoice_->addItem(tr("MLP only (this site's private model)"), static_cast<int>(ProbabilityModel::View::MlpOnly));
    viewChoice_->setCurrentIndex(qMax(0, current));
    updateSummary();
}

void ClassifyPage::setWorkspace(WorkspaceService* workspace) {
    if (workspace_) disconnect(workspace_, nullptr, this, nullptr);
    // An export reads the workspace it was started on: it ends before the workspace goes.
    reportExporter_->runner()->cancel();
    reportExporter_->runner()->waitForDone();
    workspace_ = workspace;
    outcome_ = {};
    probabilities_->clear();
    imageView_->setImage({});
    fileLabel_->clear();
    fileLabel_->setToolTip({});
    windowBox_->hide();
    updateSummary();
    saved_->setPredictions(workspace_ ? workspace_->predictions() : QList<PredictionRecord>{});
    if (workspace_) {
        connect(workspace_, &WorkspaceService::siteModelChanged, this, &ClassifyPage::preloadModel);
        connect(workspace_, &WorkspaceService::predictionsChanged, this,
                [this] { saved_->setPredictions(workspace_->predictions()); });
        preloadModel();
    }
}

void ClassifyPage::preloadModel() {
    if (!workspace_ || runner_->isRunning()) return;
    auto config = classifierConfigFor(*workspace_);
    if (config.bundleDirectory.isEmpty() || engine_->loadedKey() == config.key()) return;
    auto engine = engine_;
    auto* workspace = workspace_;
    const auto loadingText = tr("Loading the model…");
    runner_->start(tr("Loading the model"), [engine, workspace, config, loadingText](TaskContext& context) mutable {
        context.reportProgress(0, 0, loadingText);
        if (!config.modelVersion.isEmpty()) {
            config.siteState = workspace->siteModel();
            config.calibration = workspace->siteModelCalibration();
        }
        engine->load(config);
        return QVariant();
    });
}

void ClassifyPage::classifyFile(const QString& path, qint64 imageId) {
    requestTimer_.start();
    pendingPath_ = path;
    pendingImageId_ = imageId;
    hasPending_ = true;
    fileLabel_->setText(QFileInfo(path).fileName());
    fileLabel_->setToolTip(fileLabel_->text());
    if (!runner_->isRunning()) startNext();
}

void ClassifyPage::startNext() {
    if (!hasPending_) return;
    if (!workspace_) {
        status_->setText(tr("Open a workspace first: its model does the classifying."));
        hasPending_ = false;
        return;
    }
    hasPending_ = false;
    auto config = classifierConfigFor(*workspace_);
    if (config.bundleDirectory.isEmpty()) {
        // Nothing can classify, but the image is still shown (and nothing can be saved).
        const auto path = pendingPath_;
        const auto limits = AppSettings::imageLimits();
        const auto noBundle = tr("No model bundle is set. Choose the model bundle folder in Settings.");
        status_->setText(noBundle);
        runner_->start(tr("Opening the image"), [path, limits](TaskContext&) {
            RgbImage rgb;
            return QVariant::fromValue(loadForClassification(path, limits, rgb));
        });
        return;
    }
    auto engine = engine_;
    auto* workspace = workspace_;
    const auto path = pendingPath_;
    auto imageId = pendingImageId_;
    if (imageId == 0)
        for (const auto& image : workspace_->images())
            if (image.path == path) imageId = image.id;
    const auto limits = AppSettings::imageLimits();
    const auto loadingText = tr("Loading the model…");
    const auto classifyingText = tr("Classifying…");
    runner_->start(tr("Classifying"), [=](TaskContext& context) mutable {
        if (engine->loadedKey() != config.key()) {
            context.reportProgress(0, 0, loadingText);
            if (!config.modelVersion.isEmpty()) {
            config.siteState = workspace->siteModel();
            config.calibration = workspace->siteModelCalibration();
        }
            engine->load(config);
        }
        context.reportProgress(0, 0, classifyingText);
        RgbImage rgb;
        auto outcome = loadForClassification(path, limits, rgb);
        outcome.imageId = imageId;
        outcome.result = engine->classify(rgb, outcome.attributes);
        return QVariant::fromValue(outcome);
    });
}

void ClassifyPage::display(const ClassifyOutcome& outcome) {
    outcome_ = outcome;
    probabilities_->setResult(outcome.result);
    fitBarsToClasses();
    // Keep the chosen view when the new result has it.
    probabilities_->setView(static_cast<ProbabilityModel::View>(viewChoice_->currentData().toInt()));
    auto caption = QFileInfo(outcome.path).fileName();
    if (workspace_ && outcome.imageId > 0)
        for (const auto& image : workspace_->images())
            if (image.id == outcome.imageId && !image.label.isEmpty())
                caption = tr("%1 · labelled \"%2\" in this workspace").arg(caption, image.label);
    fileLabel_->setText(caption);
    fileLabel_->setToolTip(caption);
    showWindowControls();
    windowRender_->stop();
    if (outcome.modalityFrame) imageView_->setWindowedImage(outcome.image, outcome.modalityFrame);
    else imageView_->setImage(outcome.image);
    // Only a prediction can be saved: an image shown without a model has none.
    saveButton_->setEnabled(workspace_ != nullptr && !outcome.result.ensemble.isEmpty());
    updateSummary();
    lastLatencyMs_ = requestTimer_.isValid() ? static_cast<double>(requestTimer_.nsecsElapsed()) / 1e6 : 0;
    qCInfo(lcClassify) << "classified in" << outcome.result.milliseconds << "ms (model)," << lastLatencyMs_
                       << "ms (request to screen)";
    if (!outcome.result.ensemble.isEmpty()) emit classified(outcome.result);
}

void ClassifyPage::fitBarsToClasses() {
    // Every class's bar in view, up to twelve: on a small window the page scrolls instead of
    // the bars hiding classes behind their own scroll bar.
    const int rows = std::clamp(probabilities_->rowCount(), 3, 12);
    bars_->setMinimumHeight(rows * bars_->verticalHeader()->defaultSectionSize() +
                            bars_->horizontalHeader()->sizeHint().height() +
                            bars_->horizontalScrollBar()->sizeHint().height() + 2 * bars_->frameWidth());
}

void ClassifyPage::showWindowControls() {
    const auto* frame = outcome_.modalityFrame.get();
    windowBox_->setVisible(frame != nullptr);
    if (!frame) return;
    // Room for windows well beyond the image's values on both sides.
    const double span = std::max(1.0, frame->maximum - frame->minimum + 1);
    const QSignalBlocker centerBlocker(windowCenter_), widthBlocker(windowWidth_);
    windowCenter_->setRange(std::min(-100000.0, frame->minimum - span), std::max(100000.0, frame->maximum + span));
    windowWidth_->setRange(1, std::max(100000.0, 4 * span));
    const double step = std::max(1.0, std::round(span / 200));
    windowCenter_->setSingleStep(step);
    windowWidth_->setSingleStep(step);
    const auto low = QLocale().toString(frame->minimum, 'f', 0), high = QLocale().toString(frame->maximum, 'f', 0);
    windowRange_->setText(isCt(outcome_) ? tr("Values in this image: %1 to %2 HU").arg(low, high)
                                         : tr("Values in this image: %1 to %2").arg(low, high));
    presetRow_->setVisible(isCt(outcome_));
}

void ClassifyPage::setDisplayWindow(double center, double width) {
    if (!outcome_.modalityFrame) return;
    windowRender_->stop();
    // Whole values, as the boxes show them.
    applyWindowToView(std::round(center), std::round(width));
}

void ClassifyPage::resetDisplayWindow() {
    windowRender_->stop();
    // The file's own rendering: exactly what the model classifies (overlay planes included).
    if (outcome_.modalityFrame) imageView_->resetWindow();
    else imageView_->setImage(outcome_.image);
}

void ClassifyPage::showWindowValues(double center, double width) {
    if (!outcome_.modalityFrame) return;
    {
        const QSignalBlocker centerBlocker(windowCenter_), widthBlocker(windowWidth_);
        windowCenter_->setValue(center);
        windowWidth_->setValue(width);
    }
    // Dragged beyond what the boxes offer: the view takes their limit, so both say the same.
    const auto outside = [](const QDoubleSpinBox* box, double value) { return value < box->minimum() || value > box->maximum(); };
    if (outside(windowCenter_, center) || outside(windowWidth_, width))
        imageView_->setWindow(windowCenter_->value(), windowWidth_->value());
}

void ClassifyPage::applyWindowToView(double center, double width) {
    QElapsedTimer timer;
    timer.start();
    imageView_->setWindow(center, width);
    lastWindowRenderMs_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    qCDebug(lcClassify) << "display window re-rendered in" << lastWindowRenderMs_ << "ms";
}

void ClassifyPage::showWholeValueRange() {
    if (const auto* frame = outcome_.modalityFrame.get())
        setDisplayWindow((frame->minimum + frame->maximum + 1) / 2, frame->maximum - frame->minimum + 1);
}

void ClassifyPage::renderDisplayWindow() {
    if (outcome_.modalityFrame) applyWindowToView(windowCenter_->value(), windowWidth_->value());
}

QImage ClassifyPage::displayedImage() const { return imageView_->image(); }

namespace {

void restyle(QLabel* label, const QString& objectName) {
    if (label->objectName() == objectName) return;
    label->setObjectName(objectName);
    label->style()->unpolish(label);
    label->style()->polish(label);
}

QString percentText(double share, int decimals = 0) {
    return QLocale().toString(100.0 * share, 'f', decimals) + QStringLiteral("\u00a0%");
}

}  // namespace

QString ClassifyPage::photometricName(const std::string& kind) {
    if (kind == kColourPhotometric) return tr("colour");
    if (kind == kGreyPhotometric) return tr("grey");
    return QString::fromStdString(kind);
}

QString ClassifyPage::modalityName(const std::string& modality) {
    return modality == kPhotoModality ? tr("photo (not DICOM)") : QString::fromStdString(modality);
}

QString ClassifyPage::mismatchText(const DomainMismatch& mismatch) {
    QStringList expected;
    for (const auto& value : mismatch.expected)
        expected << (mismatch.attribute == "photometric" ? photometricName(value)
                     : mismatch.attribute == "modality"  ? modalityName(value)
                                                         : QString::fromStdString(value));
    const auto list = expected.join(tr(" or "));
    if (mismatch.attribute == "modality")
        return tr("its modality is %1, the model is for %2").arg(modalityName(mismatch.value), list);
    if (mismatch.attribute == "body part")
        return tr("its body part is %1, the model is for %2").arg(QString::fromStdString(mismatch.value), list);
    return tr("it is a %1 image, the model is for %2 images").arg(photometricName(mismatch.value), list);
}

bool ClassifyPage::resultNeedsCaution() const {
    const auto& result = outcome_.result;
    if (result.ensemble.isEmpty()) return false;
    const auto values = probabilities_->probabilities();
    const auto set = probabilities_->predictionSet();
    // Raw scores are no probabilities: never green, whatever they say.
    return !result.calibrated || normalizedEntropy(values) >= kUncertainNormalizedEntropy ||
           result.outOfDistribution || result.noBetterThanChance ||
           isLargePredictionSet(set.size(), result.classNames.size());
}

QString ClassifyPage::notCalibratedText(const ClassificationResult& result) {
    QString why;
    if (result.modelVersion.isEmpty())
        why = tr("this site has not trained a model yet, so the percentages are raw scores of the shared model");
    else if (result.calibration && !result.calibration->ensemble.fitted)
        why = tr("this model had no validation images to calibrate on, so the percentages are the model's raw scores");
    else
        why = tr("this model version was saved without a calibration, so the percentages are the model's raw scores");
    return tr("Not calibrated: %1, not probabilities. There is no prediction set and no check against the training "
              "images. Do not read them as chances; ask your site staff to import images with a validation share and "
              "train again.")
        .arg(why);
}

void ClassifyPage::updateSummary() {
    const auto& result = outcome_.result;
    viewChoice_->setEnabled(!result.ensemble.isEmpty());
    if (auto* model = qobject_cast<QStandardItemModel*>(viewChoice_->model()); model && viewChoice_->count() == 3)
        model->item(2)->setEnabled(!result.mlpOnly.isEmpty());
    modelCardButton_->setEnabled(result.calibration != nullptr);
    if (result.ensemble.isEmpty()) {
        for (auto* label : {topClass_, uncertainty_, predictionSet_, disagreement_, oodWarning_, chanceWarning_, modelInfo_})
            label->clear();
        oodWarning_->hide();
        chanceWarning_->hide();
        disagreement_->hide();
        restyle(uncertainty_, QString());
        return;
    }
    // Everything below follows the view chosen under Show.
    const auto values = probabilities_->probabilities();
    const auto set = probabilities_->predictionSet();
    const int top = probabilities_->rowCount() > 0
                        ? probabilities_->index(0, 0).data(ProbabilityModel::ClassIndexRole).toInt()
                        : result.topClass;
    const double entropy = normalizedEntropy(values);
    const bool unsure = entropy >= kUncertainNormalizedEntropy;
    const bool largeSet = isLargePredictionSet(set.size(), result.classNames.size());
    const bool caution = resultNeedsCaution();

    if (result.outOfDistribution) {
        QStringList reasons;
        for (const auto& mismatch : result.mismatches) reasons << mismatchText(mismatch);
        if (result.novelFeature)
            reasons << tr("its features are farther from every training image than %1 of the validation images were "
                          "(distance %2, threshold %3)")
                           .arg(percentText(result.noveltyPercentile / 100.0),
                                QLocale().toString(result.noveltyScore, 'f', 3),
                                QLocale().toString(result.noveltyThreshold, 'f', 3));
        oodWarning_->setText(tr("This image does not look like the images the model was trained on (%1). The "
                                "result below is shown for reference only: do not rely on it.")
                                 .arg(reasons.join(QStringLiteral("; "))));
        oodWarning_->show();
    } else {
        oodWarning_->hide();
    }
    if (result.noBetterThanChance && result.calibration && result.calibration->validation) {
        const auto& validation = *result.calibration->validation;
        chanceWarning_->setText(tr("This model is no better than chance on its %1 validation images (balanced "
                                   "accuracy %2; chance is %3 for %4 classes). Do not rely on it; tell your site staff.")
                                    .arg(validation.images)
                                    .arg(percentText(validation.balancedAccuracy, 1),
                                         percentText(1.0 / result.classNames.size(), 1))
                                    .arg(result.classNames.size()));
        chanceWarning_->show();
    } else {
        chanceWarning_->hide();
    }

    topClass_->setText(result.calibrated
                           ? tr("Most likely: %1 (%2)").arg(result.classNames.value(top),
                                                            ProbabilityModel::formatPercent(values.value(top)))
                           : tr("Most likely: %1 (raw score %2, not calibrated)")
                                 .arg(result.classNames.value(top), ProbabilityModel::formatPercent(values.value(top))));
    restyle(topClass_, caution ? QStringLiteral("topClassCaution") : QStringLiteral("topClass"));
    probabilities_->setCaution(caution);

    const auto uncertaintyPercent = QLocale().toString(100.0 * entropy, 'f', 0);
    if (unsure) {
        restyle(uncertainty_, QStringLiteral("uncertaintyWarning"));
        uncertainty_->setText(tr("The model is unsure about this image (uncertainty %1 %): several classes are "
                                 "close. Do not rely on this result.")
                                  .arg(uncertaintyPercent));
    } else {
        restyle(uncertainty_, QStringLiteral("hint"));
        uncertainty_->setText(tr("Uncertainty: %1 % (low)").arg(uncertaintyPercent));
    }

    if (!set.isEmpty()) {
        QStringList names;
        for (int c : set) names << result.classNames.value(c);
        auto text = tr("%1 prediction set: one of: %2").arg(percentText(result.coverage), names.join(QStringLiteral(", ")));
        if (largeSet)
            text += QStringLiteral(". ") + tr("This set is large (%1 of %2 classes): the model cannot narrow this image "
                                          "down, so the top class alone means little.")
                                           .arg(set.size())
                                           .arg(result.classNames.size());
        predictionSet_->setText(text);
        restyle(predictionSet_, largeSet ? QStringLiteral("uncertaintyWarning") : QStringLiteral("predictionSet"));
    } else if (!result.calibrated) {
        predictionSet_->setText(notCalibratedText(result));
        restyle(predictionSet_, QStringLiteral("notCalibratedWarning"));
    } else {
        predictionSet_->setText(tr("No prediction set in this view: it was not calibrated on validation images."));
        restyle(predictionSet_, QStringLiteral("hint"));
    }

    if (result.branchDisagreement) {
        const auto argmax = [](const QVector<double>& v) {
            return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
        };
        disagreement_->setText(tr("The two parts of the model disagree: the FAM (shared) says %1, the MLP (this "
                                  "site's) says %2. Look at both views and be cautious.")
                                   .arg(result.classNames.value(argmax(result.famOnly)),
                                        result.classNames.value(argmax(result.mlpOnly))));
        disagreement_->show();
    } else {
        disagreement_->hide();
    }

    QStringList info;
    info << (result.modelVersion.isEmpty() ? tr("Model: not trained yet (shared FAM only).")
                                           : tr("Model version %1.").arg(result.modelVersion));
    if (result.mlpOnly.isEmpty()) info << tr("The MLP view appears once this site has trained.");
    if (result.calibration && result.calibration->ensemble.fitted) {
        const auto& ensemble = result.calibration->ensemble;
        info << tr("Probabilities calibrated on %1 validation images.").arg(ensemble.conformal.calibrationImages);
        if (ensemble.testImages > 0)
            info << tr("Its %1 prediction sets covered the true class in %2 of %3 test images.")
                        .arg(percentText(ensemble.conformal.coverage), percentText(ensemble.testCoverage.coverage))
                        .arg(ensemble.testImages);
    } else {
        info << tr("Raw scores, not calibrated.");
    }
    if (result.demoModel) info << tr("Demo model with random weights: the result means nothing clinically.");
    info << tr("Computed in %1 ms.").arg(QLocale().toString(result.milliseconds, 'f', 0));
    modelInfo_->setText(info.join(QLatin1Char(' ')));
}

QString ClassifyPage::modelCardText() const {
    const auto& result = outcome_.result;
    const auto* card = result.calibration.get();
    if (!card) return {};
    const auto escape = [](const QString& text) { return text.toHtmlEscaped(); };
    QString html;
    html += QStringLiteral("<h3>%1</h3>").arg(escape(tr("Model version %1").arg(result.modelVersion)));
    html += QStringLiteral("<p>%1</p>")
                .arg(escape(tr("Bundle %1 (%2), calibrated %3.")
                                .arg(QString::fromStdString(card->bundleName),
                                     QString::fromStdString(card->bundleHash).left(12),
                                     QString::fromStdString(card->createdAt))));
    if (card->demoBundle)
        html += QStringLiteral("<p><b>%1</b></p>")
                    .arg(escape(tr("DEMO bundle with random weights: these figures say nothing clinical.")));
    html += QStringLiteral("<p><b>%1</b><br>").arg(escape(tr("Training images per class")));
    for (int c = 0; c < static_cast<int>(card->trainImagesPerClass.size()); ++c)
        html += escape(QStringLiteral("%1: %2").arg(QString::fromStdString(card->classes.at(size_t(c))))
                           .arg(card->trainImagesPerClass[size_t(c)])) +
                QStringLiteral("<br>");
    html += QStringLiteral("</p>");
    const auto figures = [&](const QString& title, const std::optional<SplitFigures>& split) {
        if (!split) return;
        html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                    .arg(escape(title),
                         escape(tr("%1 images: accuracy %2, balanced accuracy %3, macro F1 %4")
                                    .arg(split->images)
                                    .arg(percentText(split->accuracy, 1), percentText(split->balancedAccuracy, 1),
                                         percentText(split->macroF1, 1))));
    };
    figures(tr("Validation (ensemble)"), card->validation);
    figures(tr("Test (ensemble)"), card->test);
    if (card->noBetterThanChance)
        html += QStringLiteral("<p><b>%1</b></p>").arg(escape(tr("No better than chance on its validation images.")));
    const auto& ensemble = card->ensemble;
    if (ensemble.fitted) {
        html += QStringLiteral("<p><b>%1</b><br>%2")
                    .arg(escape(tr("Calibration")),
                         escape(tr("Temperature %1; validation negative log-likelihood %2 before, %3 after.")
                                    .arg(QLocale().toString(ensemble.temperature.temperature, 'f', 2),
                                         QLocale().toString(ensemble.temperature.nllBefore, 'f', 3),
                                         QLocale().toString(ensemble.temperature.nllAfter, 'f', 3))));
        if (ensemble.testImages > 0)
            html += QStringLiteral("<br>") +
                    escape(tr("On %1 test images: expected calibration error %2 before, %3 after; negative "
                              "log-likelihood %4 before, %5 after.")
                               .arg(ensemble.testImages)
                               .arg(QLocale().toString(ensemble.testEceBefore, 'f', 3),
                                    QLocale().toString(ensemble.testEceAfter, 'f', 3),
                                    QLocale().toString(ensemble.testNllBefore, 'f', 3),
                                    QLocale().toString(ensemble.testNllAfter, 'f', 3))) +
                    QStringLiteral("<br>") +
                    escape(tr("%1 prediction sets covered the true class in %2 of %3 test images (mean set size %4).")
                               .arg(percentText(ensemble.conformal.coverage), percentText(ensemble.testCoverage.coverage))
                               .arg(ensemble.testImages)
                               .arg(QLocale().toString(ensemble.testCoverage.meanSetSize, 'f', 2)));
        html += QStringLiteral("</p>");
    }
    QStringList domain;
    for (const auto& m : card->domain.modalities) domain << modalityName(m);
    QStringList photometric;
    for (const auto& p : card->domain.photometric) photometric << photometricName(p);
    QStringList bodyParts;
    for (const auto& b : card->domain.bodyParts) bodyParts << QString::fromStdString(b);
    html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                .arg(escape(tr("Images it is for")),
                     escape((card->domain.declared ? tr("Declared by the site: %1") : tr("Seen in its training images: %1"))
                                .arg(tr("modality %1; body part %2; %3")
                                         .arg(domain.isEmpty() ? tr("any") : domain.join(tr(" or ")),
                                              bodyParts.isEmpty() ? tr("any") : bodyParts.join(tr(" or ")),
                                              photometric.isEmpty() ? tr("any") : photometric.join(tr(" or "))))));
    return html;
}

void ClassifyPage::showModelCard() {
    const auto text = modelCardText();
    if (text.isEmpty()) return;
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("modelCardDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Model card"));
    auto* layout = new QVBoxLayout(dialog);
    auto* label = new QLabel(text, dialog);
    label->setObjectName(QStringLiteral("modelCardText"));
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(label);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->open();
}

bool ClassifyPage::savePrediction() {
    if (!workspace_ || outcome_.result.ensemble.isEmpty()) return false;
    PredictionRecord record;
    record.imageId = outcome_.imageId;
    record.imagePath = outcome_.path;
    record.modelVersion = outcome_.result.modelVersion;
    record.bundleHash = outcome_.result.bundleHash;
    record.classNames = outcome_.result.classNames;
    const auto& result = outcome_.result;
    record.probabilities = result.ensemble;
    record.famOnly = result.famOnly;
    record.mlpOnly = result.mlpOnly;
    // What the page shows with the ensemble's result, stored as the CLI's predict stores it.
    record.calibrated = result.calibrated;
    for (int c : result.ensembleSet) record.predictionSet << result.classNames.value(c);
    record.coverage = result.ensembleSet.isEmpty() ? 0 : result.coverage;
    record.outOfDistribution = result.outOfDistribution;
    for (const auto& reason : outOfDistributionReasons(result.mismatches, result.novelFeature, result.noveltyScore,
                                                       result.noveltyThreshold, result.noveltyPercentile))
        record.outOfDistributionReasons << QString::fromStdString(reason);
    for (const auto& mismatch : result.mismatches) record.domainMismatches << QString::fromStdString(describeMismatch(mismatch));
    record.novelFeature = result.novelFeature;
    record.branchDisagreement = result.branchDisagreement;
    record.noBetterThanChance = result.noBetterThanChance;
    record.madeAt = QDateTime::currentDateTime();
    try {
        workspace_->savePrediction(record);
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Prediction not saved"), tr("The prediction could not be saved: %1").arg(error.what()));
        return false;
    }
    const auto saved = workspace_->predictions();
    status_->setText(saved.isEmpty()
                         ? tr("Prediction saved to the workspace.")
                         : tr("Prediction saved to the workspace (model: %1).").arg(saved.last().modelDescription));
    emit predictionSaved();
    return true;
}

const PredictionRecord* ClassifyPage::selectedPrediction() const {
    const auto rows = savedTable_->selectionModel()->selectedRows();
    if (rows.isEmpty() || !workspace_) return nullptr;
    return &saved_->prediction(rows.first().row());
}

void ClassifyPage::updateReportButtons() {
    const bool can = selectedPrediction() && !reportExporter_->runner()->isRunning();
    exportReportButton_->setEnabled(can);
    sendReportButton_->setEnabled(can);
}

bool ClassifyPage::exportSelectedReport() {
    const auto* prediction = selectedPrediction();
    if (!prediction) return false;
    const auto suggested = QFileInfo(prediction->imagePath).completeBaseName() + QStringLiteral("-fedmedclip-sr.dcm");
    const auto path = QFileDialog::getSaveFileName(this, tr("Export as DICOM SR"), suggested, tr("DICOM files (*.dcm)"));
    return !path.isEmpty() && exportSelectedReport(path);
}

bool ClassifyPage::exportSelectedReport(const QString& path) {
    const auto* prediction = selectedPrediction();
    return prediction && reportExporter_->exportToFile(workspace_, prediction->id, path);
}

bool ClassifyPage::sendSelectedReport() {
    const auto* prediction = selectedPrediction();
    return prediction && reportExporter_->sendToPacs(workspace_, prediction->id, AppSettings::pacsConnection());
}

void ClassifyPage::chooseImage() {
    const auto path = QFileDialog::getOpenFileName(this, tr("Open an image"), QString(),
                                                   tr("Images and DICOM files (*);;Photos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;DICOM files (*.dcm *.dicom)"));
    if (!path.isEmpty()) classifyFile(path);
}

void ClassifyPage::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void ClassifyPage::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile()) return;
    classifyFile(urls.first().toLocalFile());
    event->acceptProposedAction();
}

}  // namespace fmc::ui
