#include "workspace_service.h"

#include <QSet>

namespace fmc::ui {

QString zeroShotModelDescription(const QString& bundleHash) {
    return bundleHash.isEmpty() ? QStringLiteral("zero-shot shared FAM")
                                : QStringLiteral("zero-shot shared FAM, bundle %1").arg(bundleHash.left(12));
}

QStringList WorkspaceService::localLabels() const {
    QSet<QString> labels;
    for (const auto& image : images())
        if (!image.label.isEmpty()) labels.insert(image.label);
    QStringList sorted(labels.begin(), labels.end());
    sorted.sort();
    return sorted;
}

QHash<QString, int> WorkspaceService::classIndexOfLabels() const {
    const auto classes = classNames();
    const auto mapping = federationSetup().labelMapping;
    QHash<QString, int> indices;
    for (const auto& label : localLabels()) {
        const int index = classes.indexOf(mapping.contains(label) ? mapping.value(label) : label);
        if (index >= 0) indices.insert(label, index);
    }
    return indices;
}

}  // namespace fmc::ui
