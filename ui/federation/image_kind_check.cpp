#include "federation/image_kind_check.h"

#include "workspace/workspace_types.h"

#include <QMap>

namespace fmc::ui {

QString ImageKindChecker::modalityName(const QString& modality) {
    return modality == kModalityPhoto ? tr("photo (not DICOM)") : modality;
}

ImageKindCheck ImageKindChecker::check(const QString& federationName, const ImageDomain& declared,
                                       const QStringList& modalities) {
    ImageKindCheck result;
    QMap<QString, int> perModality;
    for (const auto& modality : modalities)
        if (modality != kModalityDicom) ++perModality[modality];
    ImageDomain seen;
    for (auto it = perModality.begin(); it != perModality.end(); ++it) seen.modalities.push_back(it.key().toStdString());
    for (const auto& conflict : domainConflicts(declared, seen)) {
        QStringList expected, outside;
        int imagesOutside = 0;
        for (const auto& value : conflict.expected) expected << modalityName(QString::fromStdString(value));
        for (const auto& value : conflict.outside) {
            outside << modalityName(QString::fromStdString(value));
            imagesOutside += perModality.value(QString::fromStdString(value));
        }
        if (conflict.noneFit)
            result.refusal = tr("\"%1\" is a federation for %2 images, but this workspace's images are %3. Join a "
                                "federation for these images, or import %2 images first.")
                                 .arg(federationName, expected.join(tr(" or ")), outside.join(QStringLiteral(", ")));
        else
            result.warning = tr("\"%1\" is a federation for %2 images; %n of this workspace's images are %3 and would "
                                "be trained on as the federation's classes. Remove them or check their labels.",
                                nullptr, imagesOutside)
                                 .arg(federationName, expected.join(tr(" or ")), outside.join(QStringLiteral(", ")));
    }
    return result;
}

}  // namespace fmc::ui
