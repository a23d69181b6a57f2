#include "federation/bundle_check.h"

#include "common/sha256.h"

#include <QDir>
#include <QFileInfo>

namespace fmc::ui {

BundleManifest verifyBundleFiles(const QString& directory) {
    const QDir dir(directory);
    const auto manifestPath = dir.filePath(QLatin1String(kBundleManifestFileName));
    if (!QFileInfo::exists(manifestPath))
        throw Error(manifestPath.toStdString() + ": not found; this folder is not a model bundle");
    const auto manifest = readManifestFile(manifestPath.toStdString());
    for (const auto* file : {&manifest.imageEncoder, &manifest.textEncoder, &manifest.vocabulary}) {
        const auto path = dir.filePath(QString::fromStdString(file->path));
        if (!QFileInfo(path).isFile()) throw Error(path.toStdString() + ": missing from the model bundle");
        if (sha256FileHex(path.toStdString()) != file->sha256)
            throw Error(path.toStdString() + ": damaged or changed (its SHA-256 does not match the manifest)");
    }
    if (computeBundleHash(manifest) != manifest.bundleHash)
        throw Error(manifestPath.toStdString() + ": bundle_hash does not match the files' hashes");
    return manifest;
}

}  // namespace fmc::ui
