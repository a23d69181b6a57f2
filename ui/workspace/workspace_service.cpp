#include "workspace/workspace_service.h"

#include <QJsonArray>
#include <QSet>

namespace fmc::ui {

QString zeroShotModelDescription(const QString& bundleHash) {
    return bundleHash.isEmpty() ? QStringLiteral("zero-shot shared FAM")
                                : QStringLiteral("zero-shot shared FAM, bundle %1").arg(bundleHash.left(12));
}

QJsonObject federationSetupToJson(const FederationSetup& setup) {
    QJsonObject mapping;
    for (auto it = setup.labelMapping.begin(); it != setup.labelMapping.end(); ++it) mapping.insert(it.key(), it.value());
    return {{"coordinatorUrl", setup.coordinatorUrl},
            {"federationId", setup.federationId},
            {"federationName", setup.federationName},
            {"certificateSha256", setup.certificateSha256},
            {"caCertificatesPem", setup.caCertificatesPem},
            {"classNames", QJsonArray::fromStringList(setup.classNames)},
            {"promptTemplate", setup.promptTemplate},
            {"labelMapping", mapping},
            {"bundleName", setup.bundleName},
            {"bundleHash", setup.bundleHash},
            {"siteId", setup.siteId},
            {"credential", setup.credential},
            {"completedAt", setup.completedAt.toString(Qt::ISODateWithMs)}};
}

FederationSetup federationSetupFromJson(const QJsonObject& json) {
    FederationSetup setup;
    setup.coordinatorUrl = json.value("coordinatorUrl").toString();
    setup.federationId = json.value("federationId").toString();
    setup.federationName = json.value("federationName").toString();
    setup.certificateSha256 = json.value("certificateSha256").toString();
    setup.caCertificatesPem = json.value("caCertificatesPem").toString();
    for (const auto& name : json.value("classNames").toArray()) setup.classNames << name.toString();
    setup.promptTemplate = json.value("promptTemplate").toString();
    const auto mapping = json.value("labelMapping").toObject();
    for (auto it = mapping.begin(); it != mapping.end(); ++it) setup.labelMapping.insert(it.key(), it.value().toString());
    setup.bundleName = json.value("bundleName").toString();
    setup.bundleHash = json.value("bundleHash").toString();
    setup.siteId = json.value("siteId").toString();
    setup.credential = json.value("credential").toString();
    setup.completedAt = QDateTime::fromString(json.value("completedAt").toString(), Qt::ISODateWithMs);
    return setup;
}

QStringList distinctLabels(const QList<ImageEntry>& images) {
    QSet<QString> labels;
    for (const auto& image : images)
        if (!image.label.isEmpty()) labels.insert(image.label);
    QStringList sorted(labels.begin(), labels.end());
    sorted.sort();
    return sorted;
}

QStringList WorkspaceService::localLabels() const { return distinctLabels(images()); }

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
