#pragma once
// Training the site's model on the workspace's labelled images: frozen-encoder features
// (cached per bundle), then FedMedCLIP rounds, each evaluated on the site's validation
// images and recorded in the workspace's history as it finishes. Local training runs the
// rounds alone; the local federation runs them together with other sites' data on this
// computer (the demo federation), exchanging FAMs through the real codec and
// the method's (mask-aware) FedAvg.
// Everything here runs in a TaskRunner job and honours its cancel flag.
#include "common/model_calibration.h"
#include "common/types.h"
#include "engine/model_bundle.h"
#include "imaging/image_loader.h"
#include "features/bundle_inputs.h"
#include "workspace/workspace_types.h"

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace fmc {
class FedMedClipSite;
class FeatureCache;
}

namespace fmc::ui {

class TaskContext;
class WorkspaceService;

// Seed of the site model's initialisation, so a retrained model is reproducible.
constexpr std::uint64_t kModelSeed = 1;

QString promptFor(const QString& promptTemplate, const QString& className);
FloatMatrix classTextFeatures(const ModelBundle& bundle, const QStringList& classNames, const QString& promptTemplate);

struct LabelledFeatures {
    FloatMatrix features;
    std::vector<int> labels;
    int size() const { return static_cast<int>(labels.size()); }
};

struct SiteFeatures {
    LabelledFeatures train;
    LabelledFeatures validation;
    LabelledFeatures test;
    QStringList errors;  // "path: reason" for images that could not be read
    int fromCache = 0;
    int encoded = 0;
};

// Labelled images whose label maps to a class, by split.
// `cache` may be null (every image is encoded).
SiteFeatures extractSiteFeatures(const WorkspaceService& workspace, const ModelBundle& bundle, FeatureCache* cache,
                                 const ImageLimits& limits, TaskContext* context);

// The calibration and model card of a kept model on the site's own splits, as
// SiteWorkspace::trainLocal fits one (temperature, prediction sets and novelty on validation,
// figures on test); without validation images nothing is fitted and the notes say so.
// `domain`: the kind of image it is for (empty: the workspace fills in the kind seen in its
// training images when it saves the model).
ModelCalibration calibrateKeptModel(const FedMedClipSite& model, const SiteFeatures& own, const QStringList& classNames,
                                    const BundleManifest& manifest, const ImageDomain& domain);

// What rounds are evaluated on: the validation split, or the test split when a workspace
// has no validation split (the site store's importer makes train and test only).
const LabelledFeatures& evaluationSet(const SiteFeatures& features);

// Loss is left to the caller; the metrics are the ensemble's on `validation`. Per-class
// recall is NaN for a class without validation images.
HistoryRow evaluateRound(const FedMedClipSite& model, const LabelledFeatures& validation, int numClasses);

// Another site of an on-computer federation: its images come from a CSV (path,label,site).
struct PeerSiteSource {
    QString csvPath;
    QStringList siteNames;
};

// The demo's other sites for a demo workspace (see demo_workspace.h); empty otherwise.
PeerSiteSource demoPeerSites(const WorkspaceService& workspace);

// Federated rounds with the peer sites on this computer: every round each site trains,
// uploads its FAM through the codec, the FAMs are averaged (weighted by training images;
// mask-aware unless config.method says otherwise) and broadcast back, and each site takes
// the average as the method says (FedMedClipSite::receiveGlobalFam). Reports a
// RoundStatus and a HistoryRow as partial results.
TrainingOutcome runLocalFederation(WorkspaceService& workspace, const TrainingConfig& config,
                                   const PeerSiteSource& peers, TaskContext& context);

}  // namespace fmc::ui

