#include "site_agent/upload_residual.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace fmc::federation {
namespace {

const QString kPrefix = QStringLiteral("delta-residual-");

}  // namespace

UploadResidualStore::UploadResidualStore(QString stateDir) : stateDir_(std::move(stateDir)) {}

QString UploadResidualStore::fileOf(int round, bool valid) const {
    return QDir(stateDir_).filePath(kPrefix + QString::number(round) + (valid ? ".fmcp" : ".unsent.fmcp"));
}

ParameterSet UploadResidualStore::forRound(int round, const ParameterSet& layout, std::string* whyNone) const {
    auto none = [&](std::string why) {
        if (whyNone) *whyNone = std::move(why);
        return ParameterSet{};
    };
    if (round <= 1) return none("the first round has no previous upload");
    QFile file(fileOf(round - 1));
    if (!file.open(QIODevice::ReadOnly)) return none("no residual of round " + std::to_string(round - 1));
    const auto bytes = file.readAll();
    try {
        return decodeParameters(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), layout);
    } catch (const Error& error) {
        return none(file.fileName().toStdString() + ": " + error.what());
    }
}

void UploadResidualStore::save(int round, const ParameterSet& residual) {
    const auto payload = encodeParameters(residual, CodecKind::Fp32Raw);
    QDir().mkpath(stateDir_);
    QSaveFile file(fileOf(round, false));
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(reinterpret_cast<const char*>(payload.data()), static_cast<qint64>(payload.size())) !=
            static_cast<qint64>(payload.size()) ||
        !file.commit())
        throw Error(fileOf(round, false).toStdString() + ": cannot write (" + file.errorString().toStdString() + ")");
}

void UploadResidualStore::accepted(int round) {
    const QString unsent = fileOf(round, false), valid = fileOf(round);
    // A repeat (the upload resent after a crash) finds the residual confirmed already.
    if (QFile::exists(unsent)) {
        QFile::remove(valid);
        if (!QFile::rename(unsent, valid)) throw Error(unsent.toStdString() + ": cannot rename to " + valid.toStdString());
    }
    for (const auto& name : QDir(stateDir_).entryList({kPrefix + "*"}, QDir::Files))
        if (QDir(stateDir_).filePath(name) != valid) QFile::remove(QDir(stateDir_).filePath(name));
}

void UploadResidualStore::discard() {
    for (const auto& name : QDir(stateDir_).entryList({kPrefix + "*"}, QDir::Files))
        QFile::remove(QDir(stateDir_).filePath(name));
}

}  // namespace fmc::federation
