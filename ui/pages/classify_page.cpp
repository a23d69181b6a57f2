#include "pages/classify_page.h"

#include "shell/app_settings.h"
#include "widgets/image_view.h"
#include "workspace/import_scanner.h"
#include "shell/logging.h"
#include "models/prediction_list_model.h"
#include "widgets/probability_bar_delegate.h"
#include "models/probability_model.h"
#include "workspace/task_runner.h"
#include "workspace/workspace_helpers.h"
#include "workspace/workspace_service.h"

#include <QComboBox>
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
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

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
        if (!dicom.modality.empty())
            outcome.modalityFrame = std::make_shared<const ModalityFrame>(std::move(dicom.modality.front()));
        outcome.image = toQImage(rgb);
        return outcome;
    }
    rgb = loadAnyImage(path, limits);
    outcome.image = toQImage(rgb);
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
    topClass_ = new QLabel(right);
    topClass_->setObjectName(QStringLiteral("topClass"));
    topClass_->setWordWrap(true);
    uncertainty_ = new QLabel(right);
    uncertainty_->setWordWrap(true);
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
    auto* viewRow = new QHBoxLayout;
    viewRow->addWidget(new QLabel(tr("Show"), right));
    viewRow->addWidget(viewChoice_, 1);
    rightLayout->addWidget(topClass_);
    rightLayout->addWidget(uncertainty_);
    rightLayout->addLayout(viewRow);
    rightLayout->addWidget(bars_, 1);
    rightLayout->addWidget(modelInfo_);
    rightLayout->addWidget(status_);
    rightLayout->addWidget(saveButton_, 0, Qt::AlignRight);
    rightLayout->addWidget(savedTitle_);
    rightLayout->addWidget(savedTable_);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(openButton_, &QPushButton::clicked, this, &ClassifyPage::chooseImage);
    connect(saveButton_, &QPushButton::clicked, this, &ClassifyPage::savePrediction);
    connect(viewChoice_, &QComboBox::currentIndexChanged, this, [this] {
        probabilities_->setView(static_cast<ProbabilityModel::View>(viewChoice_->currentData().toInt()));
        updateSummary();
    });
    for (auto* spin : {windowCenter_, windowWidth_})
        connect(spin, &QDoubleSpinBox::valueChanged, windowRender_, qOverload<>(&QTimer::start));
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
    savedTitle_->setText(tr("Saved predictions"));
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
    workspace_ = workspace;
    outcome_ = {};
    probabilities_->clear();
    imageView_->setImage({});
    fileLabel_->clear();
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
        if (!config.modelVersion.isEmpty()) config.siteState = workspace->siteModel();
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
            if (!config.modelVersion.isEmpty()) config.siteState = workspace->siteModel();
            engine->load(config);
        }
        context.reportProgress(0, 0, classifyingText);
        RgbImage rgb;
        auto outcome = loadForClassification(path, limits, rgb);
        outcome.imageId = imageId;
        outcome.result = engine->classify(rgb);
        return QVariant::fromValue(outcome);
    });
}

void ClassifyPage::display(const ClassifyOutcome& outcome) {
    outcome_ = outcome;
    probabilities_->setResult(outcome.result);
    // Keep the chosen view when the new result has it.
    probabilities_->setView(static_cast<ProbabilityModel::View>(viewChoice_->currentData().toInt()));
    auto caption = QFileInfo(outcome.path).fileName();
    if (workspace_ && outcome.imageId > 0)
        for (const auto& image : workspace_->images())
            if (image.id == outcome.imageId && !image.label.isEmpty())
                caption = tr("%1 · labelled \"%2\" in this workspace").arg(caption, image.label);
    fileLabel_->setText(caption);
    showWindowControls();
    resetDisplayWindow();
    // Only a prediction can be saved: an image shown without a model has none.
    saveButton_->setEnabled(workspace_ != nullptr && !outcome.result.ensemble.isEmpty());
    updateSummary();
    lastLatencyMs_ = requestTimer_.isValid() ? static_cast<double>(requestTimer_.nsecsElapsed()) / 1e6 : 0;
    qCInfo(lcClassify) << "classified in" << outcome.result.milliseconds << "ms (model)," << lastLatencyMs_
                       << "ms (request to screen)";
    if (!outcome.result.ensemble.isEmpty()) emit classified(outcome.result);
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
    {
        const QSignalBlocker centerBlocker(windowCenter_), widthBlocker(windowWidth_);
        windowCenter_->setValue(center);
        windowWidth_->setValue(width);
    }
    renderDisplayWindow();
}

void ClassifyPage::resetDisplayWindow() {
    windowRender_->stop();
    if (const auto* frame = outcome_.modalityFrame.get()) {
        const QSignalBlocker centerBlocker(windowCenter_), widthBlocker(windowWidth_);
        windowCenter_->setValue(frame->windowCenter);
        windowWidth_->setValue(frame->windowWidth);
    }
    // The file's own rendering: exactly what the model classifies (overlay planes included).
    imageView_->setImage(outcome_.image);
}

void ClassifyPage::showWholeValueRange() {
    if (const auto* frame = outcome_.modalityFrame.get())
        setDisplayWindow((frame->minimum + frame->maximum + 1) / 2, frame->maximum - frame->minimum + 1);
}

void ClassifyPage::renderDisplayWindow() {
    const auto* frame = outcome_.modalityFrame.get();
    if (!frame) return;
    QElapsedTimer timer;
    timer.start();
    imageView_->setImage(toQImage(renderWindow(*frame, windowCenter_->value(), windowWidth_->value())));
    lastWindowRenderMs_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    qCDebug(lcClassify) << "display window re-rendered in" << lastWindowRenderMs_ << "ms";
}

QImage ClassifyPage::displayedImage() const { return imageView_->image(); }

void ClassifyPage::updateSummary() {
    const auto& result = outcome_.result;
    viewChoice_->setEnabled(!result.ensemble.isEmpty());
    if (auto* model = qobject_cast<QStandardItemModel*>(viewChoice_->model()); model && viewChoice_->count() == 3)
        model->item(2)->setEnabled(!result.mlpOnly.isEmpty());
    if (result.ensemble.isEmpty()) {
        topClass_->clear();
        uncertainty_->clear();
        uncertainty_->setObjectName(QString());
        modelInfo_->clear();
        return;
    }
    const auto values = probabilities_->probabilities();
    const int top = probabilities_->rowCount() > 0
                        ? probabilities_->index(0, 0).data(ProbabilityModel::ClassIndexRole).toInt()
                        : result.topClass;
    topClass_->setText(tr("Most likely: %1 (%2)").arg(result.classNames.value(top),
                                                       ProbabilityModel::formatPercent(values.value(top))));
    const auto uncertaintyPercent = QLocale().toString(100.0 * result.normalizedEntropy, 'f', 0);
    if (result.uncertain) {
        uncertainty_->setObjectName(QStringLiteral("uncertaintyWarning"));
        uncertainty_->setText(tr("The model is unsure about this image (uncertainty %1 %): several classes are "
                                 "close. Do not rely on this result.")
                                  .arg(uncertaintyPercent));
    } else {
        uncertainty_->setObjectName(QStringLiteral("hint"));
        uncertainty_->setText(tr("Uncertainty: %1 % (low)").arg(uncertaintyPercent));
    }
    uncertainty_->style()->unpolish(uncertainty_);
    uncertainty_->style()->polish(uncertainty_);
    QStringList info;
    info << (result.modelVersion.isEmpty() ? tr("Model: not trained yet (shared FAM only).")
                                           : tr("Model version %1.").arg(result.modelVersion));
    if (result.mlpOnly.isEmpty()) info << tr("The MLP view appears once this site has trained.");
    if (result.demoModel) info << tr("Demo model with random weights: the result means nothing clinically.");
    info << tr("Computed in %1 ms.").arg(QLocale().toString(result.milliseconds, 'f', 0));
    modelInfo_->setText(info.join(QLatin1Char(' ')));
}

bool ClassifyPage::savePrediction() {
    if (!workspace_ || outcome_.result.ensemble.isEmpty()) return false;
    PredictionRecord record;
    record.imageId = outcome_.imageId;
    record.imagePath = outcome_.path;
    record.modelVersion = outcome_.result.modelVersion;
    record.bundleHash = outcome_.result.bundleHash;
    record.classNames = outcome_.result.classNames;
    record.probabilities = outcome_.result.ensemble;
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
