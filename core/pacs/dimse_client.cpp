#include "pacs/dimse_client.h"

#include "common/types.h"
#include "pacs/logging.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cstdio>
#include <memory>
#include <set>

namespace fmc::pacs {
namespace {

std::string ss(const QString& text) { return text.toStdString(); }

QString text(DcmItem* item, const DcmTagKey& key) {
    OFString value;
    if (!item || item->findAndGetOFString(key, value).bad()) return {};
    return QString::fromUtf8(value.c_str()).trimmed();
}

QStringList allValues(DcmItem* item, const DcmTagKey& key) {
    OFString value;
    if (!item || item->findAndGetOFStringArray(key, value).bad()) return {};
    return QString::fromUtf8(value.c_str()).split(QLatin1Char('\\'), Qt::SkipEmptyParts);
}

const OFList<OFString>& uncompressedSyntaxes() {
    static const OFList<OFString> list = [] {
        OFList<OFString> l;
        l.push_back(UID_LittleEndianExplicitTransferSyntax);
        l.push_back(UID_LittleEndianImplicitTransferSyntax);
        l.push_back(UID_BigEndianExplicitTransferSyntax);
        return l;
    }();
    return list;
}

// Image storage classes that often arrive compressed: for these each compressed transfer
// syntax gets a presentation context of its own, so the PACS can send the instance as it
// stored it (no transcoding, the pixels the site imports are the PACS's own).
const char* const kCompressibleClasses[] = {
    UID_CTImageStorage, UID_MRImageStorage, UID_SecondaryCaptureImageStorage, UID_UltrasoundImageStorage,
    UID_UltrasoundMultiframeImageStorage, UID_NuclearMedicineImageStorage, UID_ComputedRadiographyImageStorage,
    UID_DigitalXRayImageStorageForPresentation, UID_XRayAngiographicImageStorage,
    UID_DigitalMammographyXRayImageStorageForPresentation};

const char* const kCompressedSyntaxes[] = {
    UID_JPEGProcess1TransferSyntax,         UID_JPEGProcess2_4TransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGProcess14TransferSyntax,        UID_JPEGLSLosslessTransferSyntax, UID_JPEGLSLossyTransferSyntax,
    UID_RLELosslessTransferSyntax,          UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax};

void configure(DcmSCU& scu, const DimseSettings& settings) {
    scu.setAETitle(ss(settings.callingAeTitle).c_str());
    scu.setPeerHostName(ss(settings.host).c_str());
    scu.setPeerPort(static_cast<Uint16>(settings.port));
    scu.setPeerAETitle(ss(settings.calledAeTitle).c_str());
    scu.setACSETimeout(static_cast<Uint32>(settings.timeoutSeconds));
    scu.setDIMSETimeout(static_cast<Uint32>(settings.timeoutSeconds));
    scu.setConnectionTimeout(settings.timeoutSeconds);
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
}

std::string negotiationError(const OFCondition& condition, const QString& where, const DimseSettings& settings,
                             const char* purpose) {
    if (condition == DUL_ASSOCIATIONREJECTED)
        return ss(where) + ": the PACS rejected the association for " + purpose + "; check the called AE title '" +
               ss(settings.calledAeTitle) + "' and that the PACS knows the calling AE title '" +
               ss(settings.callingAeTitle) + "'";
    if (condition == NET_EC_NoAcceptablePresentationContexts)
        return ss(where) + ": the PACS accepted none of the services asked for " + purpose;
    return ss(where) + ": cannot connect for " + purpose + " (" + condition.text() +
           "); is the PACS running and are host and port right?";
}

class Association {
public:
    Association(const DimseSettings& settings, QString where) : settings_(settings), where_(std::move(where)) {
        configure(scu_, settings);
    }
    ~Association() {
        if (scu_.isConnected()) scu_.releaseAssociation();
    }

    DcmSCU& scu() { return scu_; }

    void open(const char* purpose) {
        auto condition = scu_.initNetwork();
        if (condition.bad()) throw Error(ss(where_) + ": cannot set up the network: " + condition.text());
        condition = scu_.negotiateAssociation();
        if (condition.bad()) throw Error(negotiationError(condition, where_, settings_, purpose));
    }

    [[noreturn]] void fail(const char* what, const OFCondition& condition) {
        throw Error(ss(where_) + ": " + what + " failed: " + condition.text());
    }

private:
    const DimseSettings& settings_;
    QString where_;
    DcmSCU scu_;
};

// Receives the C-STORE sub-operations of a C-GET into a folder: each instance to a
// temporary name, renamed once written.
class GetScu : public DcmSCU {
public:
    QString folder;
    std::function<void(int, int)> progress;
    const std::atomic<bool>* cancel = nullptr;
    int expected = 0;
    std::vector<std::string> files;
    std::string writeError;
    bool cancelled = false;

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset* incoming, OFBool& continueSession,
                                   Uint16& status) override {
        std::unique_ptr<DcmDataset> dataset(incoming);
        continueSession = OFTrue;
        if (cancel && cancel->load()) {
            cancelled = true;
            continueSession = OFFalse;
            status = STATUS_STORE_Refused_OutOfResources;
            return EC_Normal;
        }
        const auto uid = text(dataset.get(), DCM_SOPInstanceUID);
        if (uid.isEmpty()) {
            status = STATUS_STORE_Error_CannotUnderstand;
            return EC_Normal;
        }
        const auto path = QDir(folder).filePath(instanceFileName(uid));
        const auto partial = path + QStringLiteral(".part");
        const E_TransferSyntax syntax = dataset->getOriginalXfer();
        DcmFileFormat file(dataset.get(), OFFalse);
        dataset.release();  // owned by `file` now
        // rename(2) replaces an earlier copy atomically: the folder never holds half a file.
        const auto condition = file.saveFile(ss(partial).c_str(), syntax);
        if (condition.bad() || std::rename(ss(partial).c_str(), ss(path).c_str()) != 0) {
            QFile::remove(partial);
            writeError = ss(path) + ": cannot write the retrieved instance (" +
                         (condition.bad() ? std::string(condition.text()) : std::string("rename failed")) + ")";
            status = STATUS_STORE_Refused_OutOfResources;
            continueSession = OFFalse;
            return EC_Normal;
        }
        files.push_back(ss(path));
        status = STATUS_Success;
        if (progress) progress(static_cast<int>(files.size()), expected);
        return EC_Normal;
    }
};

std::vector<std::unique_ptr<QRResponse>> find(const DimseSettings& settings, const QString& where, DcmDataset& keys) {
    Association association(settings, where);
    association.scu().addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressedSyntaxes());
    association.open("a C-FIND search");
    const auto context = association.scu().findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
    OFList<QRResponse*> responses;
    const auto condition = association.scu().sendFINDRequest(context, &keys, &responses);
    std::vector<std::unique_ptr<QRResponse>> owned;
    for (auto* response : responses) owned.emplace_back(response);
    if (condition.bad()) association.fail("the C-FIND search", condition);
    for (const auto& response : owned)
        if (response->m_status != STATUS_Pending && response->m_status != STATUS_FIND_Pending_WarningUnsupportedOptionalKeys &&
            response->m_status != STATUS_Success)
            throw Error(ss(where) + ": the C-FIND search ended with DIMSE status 0x" +
                        ss(QString::number(response->m_status, 16)));
    return owned;
}

}  // namespace

DimseClient::DimseClient(DimseSettings settings) : settings_(std::move(settings)) {
    // DCMTK logs every association step at INFO on stderr; problems reach the user as errors.
    static const bool quiet = [] {
        OFLog::configure(OFLogger::WARN_LOG_LEVEL);
        return true;
    }();
    (void)quiet;
    const auto checkAe = [](const QString& title, const char* which) {
        if (title.trimmed().isEmpty()) throw Error(std::string("DIMSE: the ") + which + " AE title is empty");
        if (title.size() > 16) throw Error(std::string("DIMSE: the ") + which + " AE title '" + ss(title) +
                                           "' is longer than 16 characters");
    };
    checkAe(settings_.callingAeTitle, "calling");
    checkAe(settings_.calledAeTitle, "called");
    if (settings_.host.trimmed().isEmpty()) throw Error("DIMSE: the PACS host is empty");
    if (settings_.port < 1 || settings_.port > 65535)
        throw Error("DIMSE: port " + std::to_string(settings_.port) + " is not between 1 and 65535");
}

QString DimseClient::description() const {
    return QStringLiteral("DIMSE %1@%2:%3").arg(settings_.calledAeTitle, settings_.host).arg(settings_.port);
}

void DimseClient::verify() {
    Association association(settings_, description());
    association.scu().addPresentationContext(UID_VerificationSOPClass, uncompressedSyntaxes());
    association.open("C-ECHO");
    const auto condition = association.scu().sendECHORequest(0);
    if (condition.bad()) association.fail("C-ECHO", condition);
}

std::vector<StudyResult> DimseClient::findStudies(const StudyQuery& query) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
    keys.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
    keys.putAndInsertString(DCM_StudyInstanceUID, "");
    keys.putAndInsertString(DCM_PatientName, ss(query.patientName.trimmed()).c_str());
    keys.putAndInsertString(DCM_PatientID, ss(query.patientId.trimmed()).c_str());
    QString range;
    if (!query.studyDateFrom.isEmpty() || !query.studyDateTo.isEmpty())
        range = query.studyDateFrom + QLatin1Char('-') + query.studyDateTo;
    keys.putAndInsertString(DCM_StudyDate, ss(range).c_str());
    keys.putAndInsertString(DCM_ModalitiesInStudy, ss(query.modality.trimmed()).c_str());
    keys.putAndInsertString(DCM_AccessionNumber, ss(query.accessionNumber.trimmed()).c_str());
    keys.putAndInsertString(DCM_StudyDescription, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedSeries, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedInstances, "");
    std::vector<StudyResult> studies;
    for (const auto& response : find(settings_, description(), keys)) {
        DcmDataset* item = response->m_dataset;
        if (!item || response->m_status == STATUS_Success) continue;
        item->convertToUTF8();
        StudyResult study;
        study.studyInstanceUid = text(item, DCM_StudyInstanceUID);
        study.patientName = text(item, DCM_PatientName);
        study.patientId = text(item, DCM_PatientID);
        study.studyDate = text(item, DCM_StudyDate);
        study.studyDescription = text(item, DCM_StudyDescription);
        study.accessionNumber = text(item, DCM_AccessionNumber);
        study.modalities = allValues(item, DCM_ModalitiesInStudy);
        study.seriesCount = text(item, DCM_NumberOfStudyRelatedSeries).toInt();
        study.instanceCount = text(item, DCM_NumberOfStudyRelatedInstances).toInt();
        if (!study.studyInstanceUid.isEmpty() && static_cast<int>(studies.size()) < query.limit) studies.push_back(study);
    }
    return studies;
}

std::vector<SeriesResult> DimseClient::findSeries(const QString& studyInstanceUid) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertString(DCM_StudyInstanceUID, ss(studyInstanceUid).c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, "");
    keys.putAndInsertString(DCM_Modality, "");
    keys.putAndInsertString(DCM_SeriesDescription, "");
    keys.putAndInsertString(DCM_SeriesNumber, "");
    keys.putAndInsertString(DCM_NumberOfSeriesRelatedInstances, "");
    std::vector<SeriesResult> list;
    for (const auto& response : find(settings_, description(), keys)) {
        DcmDataset* item = response->m_dataset;
        if (!item || response->m_status == STATUS_Success) continue;
        item->convertToUTF8();
        SeriesResult series;
        series.studyInstanceUid = studyInstanceUid;
        series.seriesInstanceUid = text(item, DCM_SeriesInstanceUID);
        series.modality = text(item, DCM_Modality);
        series.seriesDescription = text(item, DCM_SeriesDescription);
        series.seriesNumber = text(item, DCM_SeriesNumber).toInt();
        series.instanceCount = text(item, DCM_NumberOfSeriesRelatedInstances).toInt();
        if (!series.seriesInstanceUid.isEmpty()) list.push_back(series);
    }
    return list;
}

SeriesRetrieval DimseClient::retrieveSeries(const SeriesSelection& series, const QString& folder,
                                            const std::function<void(int, int)>& progress,
                                            const std::atomic<bool>* cancel) {
    SeriesRetrieval result;
    result.series = series;
    for (const auto& found : findSeries(series.studyInstanceUid))
        if (found.seriesInstanceUid == series.seriesInstanceUid) result.expectedInstances = found.instanceCount;
    if (!QDir().mkpath(folder)) throw Error(ss(folder) + ": cannot create the folder for retrieved instances");

    GetScu scu;
    configure(scu, settings_);
    scu.folder = folder;
    scu.progress = progress;
    scu.cancel = cancel;
    scu.expected = result.expectedInstances;
    scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, uncompressedSyntaxes());
    // At most 128 presentation contexts: the compressible image classes once per compressed
    // syntax, then every other storage class uncompressed.
    int contexts = 1;
    std::set<std::string> compressible;
    for (const char* sopClass : kCompressibleClasses) {
        compressible.insert(sopClass);
        scu.addPresentationContext(sopClass, uncompressedSyntaxes(), ASC_SC_ROLE_SCP);
        ++contexts;
        for (const char* syntax : kCompressedSyntaxes) {
            OFList<OFString> one;
            one.push_back(syntax);
            scu.addPresentationContext(sopClass, one, ASC_SC_ROLE_SCP);
            ++contexts;
        }
    }
    for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && contexts < 128; ++i) {
        if (compressible.count(dcmLongSCUStorageSOPClassUIDs[i])) continue;
        scu.addPresentationContext(dcmLongSCUStorageSOPClassUIDs[i], uncompressedSyntaxes(), ASC_SC_ROLE_SCP);
        ++contexts;
    }
    auto condition = scu.initNetwork();
    if (condition.bad()) throw Error(ss(description()) + ": cannot set up the network: " + condition.text());
    condition = scu.negotiateAssociation();
    if (condition.bad()) throw Error(negotiationError(condition, description(), settings_, "a C-GET retrieval"));

    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertString(DCM_StudyInstanceUID, ss(series.studyInstanceUid).c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, ss(series.seriesInstanceUid).c_str());
    OFList<RetrieveResponse*> responses;
    const auto context = scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
    condition = scu.sendCGETRequest(context, &keys, &responses);
    Uint16 finalStatus = 0;
    Uint16 failed = 0;
    for (auto* response : responses) {
        finalStatus = response->m_status;
        failed = response->m_numberOfFailedSubops;
        delete response;
    }
    result.files = scu.files;
    result.cancelled = scu.cancelled;
    const auto received = std::to_string(scu.files.size());
    const auto of = result.expectedInstances > 0 ? " of " + std::to_string(result.expectedInstances) : std::string();
    if (scu.cancelled || condition.bad()) {
        scu.abortAssociation();
    } else {
        scu.releaseAssociation();
    }
    if (!scu.writeError.empty()) {
        result.error = scu.writeError;
    } else if (result.cancelled) {
        return result;
    } else if (condition.bad()) {
        result.error = ss(description()) + ": the C-GET retrieval stopped after " + received + of +
                       " instances: " + condition.text();
    } else if (finalStatus != STATUS_Success) {
        result.error = ss(description()) + ": the C-GET retrieval ended with DIMSE status 0x" +
                       ss(QString::number(finalStatus, 16)) + " after " + received + of + " instances (" +
                       std::to_string(failed) + " failed)";
    } else {
        result.complete = true;
    }
    if (!result.error.empty()) qCWarning(lcPacs).noquote() << "C-GET stopped after" << scu.files.size() << "instances";
    return result;
}

void DimseClient::storeFile(const QString& path) {
    DcmFileFormat file;
    const auto loaded = file.loadFile(ss(path).c_str());
    if (loaded.bad()) throw Error(ss(path) + ": not a readable DICOM file (" + loaded.text() + ")");
    OFString sopClass, sopInstance;
    file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass);
    file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sopInstance);
    if (sopClass.empty() || sopInstance.empty()) throw Error(ss(path) + ": no SOP Class or SOP Instance UID to store");
    const DcmXfer syntax(file.getDataset()->getOriginalXfer());

    Association association(settings_, description());
    OFList<OFString> syntaxes;
    syntaxes.push_back(syntax.getXferID());
    association.scu().addPresentationContext(sopClass, syntaxes);
    if (syntax.getXfer() != EXS_LittleEndianExplicit)
        association.scu().addPresentationContext(sopClass, uncompressedSyntaxes());
    association.open("a C-STORE");
    auto context = association.scu().findPresentationContextID(sopClass, syntax.getXferID());
    if (context == 0) context = association.scu().findPresentationContextID(sopClass, "");
    if (context == 0) throw Error(ss(description()) + ": the PACS does not accept this object's SOP class for storage");
    Uint16 status = 0;
    const auto condition = association.scu().sendSTORERequest(context, OFFilename(), file.getDataset(), status);
    if (condition.bad()) association.fail("the C-STORE", condition);
    if (status != STATUS_Success && (status & 0xf000) != 0xb000)
        throw Error(ss(description()) + ": the PACS refused the C-STORE with DIMSE status 0x" +
                    ss(QString::number(status, 16)));
}

}  // namespace fmc::pacs
