#pragma once
// A run's description is stored in English (the store and the CLI are English) and shown in
// the app's language: the stored text is matched against the known English forms and
// translated with its values; an unknown text is shown as stored.
#include <QString>

namespace fmc::ui {

struct TrainingRun;

QString localRunDescription(int trainImages, int evaluationImages);
QString demoFederationRunDescription(int sites);
QString federationRunDescription(const QString& federationName, const QString& coordinator);

// The stored description in the app's language.
QString translatedRunDescription(const QString& stored);
// "Federated · 1 Dec 2026 21:10 · demo federation on this computer, 3 sites", translated.
QString runDisplayName(const TrainingRun& run);

}  // namespace fmc::ui
