#include "workspace/import_scanner.h"

#include "common/types.h"

#include "dicom/dicom_reader.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace fmc::ui {
namespace {

// The translation context of this file's messages.
class ImportScanner {
    Q_DECLARE_TR_FUNCTIONS(ImportScanner)
};

std::string str(const QString& text) { return text.toStdString(); }

void scanFolder(const QString& root, ImportScan& scan) {
    QStringList found;
    QDirIterator it(root, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) found << it.next();
    std::sort(found.begin(), found.end());
    const QDir rootDir(root);
    for (const auto& path : found) {
        const auto relative = rootDir.relativeFilePath(path);
        const auto parts = relative.split(QLatin1Char('/'));
        const bool hidden = std::any_of(parts.begin(), parts.end(),
                                        [](const QString& part) { return part.startsWith(QLatin1Char('.')); });
        if (hidden) continue;
        scan.files.append({QFileInfo(path).absoluteFilePath(), parts.size() > 1 ? parts.at(parts.size() - 2) : QString()});
    }
}

}  // namespace

ImportScan scanImportPaths(const QStringList& paths) {
    ImportScan scan;
    for (const auto& path : paths) {
        const QFileInfo info(path);
        if (!info.exists())
            scan.failures.append({path, ImportScanner::tr("the file or folder does not exist")});
        else if (info.isDir())
            scanFolder(info.absoluteFilePath(), scan);
        else
            scan.files.append({info.absoluteFilePath(), QString()});
    }
    return scan;
}

bool isDicomFile(const QString& path) {
    // Also DICOM without the preamble, as PACS exports sometimes are.
    return looksLikeDicomFile(str(path));
}

InspectedImage inspectImageFile(const QString& path, const ImageLimits& limits) {
    const QFileInfo info(path);
    if (!info.isFile()) throw Error(str(path) + ": " + str(ImportScanner::tr("not a regular file")));
    if (info.size() == 0) throw Error(str(path) + ": " + str(ImportScanner::tr("the file is empty")));
    if (static_cast<std::uint64_t>(info.size()) > limits.maxFileBytes)
        throw Error(str(path) + ": " +
                    str(ImportScanner::tr("the file is larger than the limit of %1 MB").arg(limits.maxFileBytes >> 20)));
    InspectedImage inspected;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(str(path) + ": " + str(ImportScanner::tr("cannot be opened")));
    const auto bytes = file.readAll();
    inspected.contentHash = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    if (isDicomFile(path)) {
        DicomReadOptions options;
        options.limits = limits;
        const auto dicom = readDicomFile(str(path), options);
        inspected.modality = dicom.meta.modality.empty() ? kModalityDicom : QString::fromStdString(dicom.meta.modality);
        inspected.width = dicom.frames.front().width;
        inspected.height = dicom.frames.front().height;
        return inspected;
    }
    const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
    const auto image = decodeImageBytes(data, str(path), limits);
    inspected.modality = kModalityPhoto;
    inspected.width = image.width;
    inspected.height = image.height;
    return inspected;
}

RgbImage loadAnyImage(const QString& path, const ImageLimits& limits) {
    if (isDicomFile(path)) {
        DicomReadOptions options;
        options.limits = limits;
        return std::move(readDicomFile(str(path), options).frames.front());
    }
    return loadImageFile(str(path), limits);
}

}  // namespace fmc::ui
