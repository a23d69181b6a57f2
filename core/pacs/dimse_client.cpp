#include "pacs/dimse_client.h"

#include "common/types.h"
#include "pacs/logging.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scp.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

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
    if (condition == DUL_READTIMEOUT || condition == DIMSE_NODATAAVAILABLE)
        return ss(where) + ": no answer within " + std::to_string(settings.timeoutSeconds) + " seconds to " + purpose +
               "; is this the PACS's DICOM port?";
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

// Writes the instances a retrieval receives (C-STORE sub-operations of a C-GET, or the
// C-STOREs a PACS sends to the move destination) into a folder: each to a temporary name,
// renamed once written, so the folder never holds half a file. Thread-safe: during a C-MOVE
// the storage SCP's thread writes while the SCU's thread waits for the move's responses.
class InstanceSink {
public:
    InstanceSink(QString folder, std::function<void(int, int)> progress, const std::atomic<bool>* cancel, int expected)
        : folder_(std::move(folder)), progress_(std::move(progress)), cancel_(cancel), expected_(expected) {}

    // Takes the dataset; the DIMSE status to answer the C-STORE with, and whether to go on.
    Uint16 store(DcmDataset* incoming, bool& continueSession) {
        std::unique_ptr<DcmDataset> dataset(incoming);
        continueSession = true;
        std::lock_guard<std::mutex> lock(mutex_);
        if (cancel_ && cancel_->load()) {
            cancelled_ = true;
            continueSession = false;
            return STATUS_STORE_Refused_OutOfResources;
        }
        const auto uid = text(dataset.get(), DCM_SOPInstanceUID);
        if (uid.isEmpty()) return STATUS_STORE_Error_CannotUnderstand;
        const auto path = QDir(folder_).filePath(instanceFileName(uid));
        const auto partial = path + QStringLiteral(".part");
        const E_TransferSyntax syntax = dataset->getOriginalXfer();
        DcmFileFormat file(dataset.get(), OFFalse);
        dataset.release();  // owned by `file` now
        // rename(2) replaces an earlier copy atomically: the folder never holds half a file.
        const auto condition = file.saveFile(ss(partial).c_str(), syntax);
        if (condition.bad() || std::rename(ss(partial).c_str(), ss(path).c_str()) != 0) {
            QFile::remove(partial);
            writeError_ = ss(path) + ": cannot write the retrieved instance (" +
                          (condition.bad() ? std::string(condition.text()) : std::string("rename failed")) + ")";
            continueSession = false;
            return STATUS_STORE_Refused_OutOfResources;
        }
        files_.push_back(ss(path));
        if (progress_) progress_(static_cast<int>(files_.size()), expected_);
        return STATUS_Success;
    }

    std::vector<std::string> files() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return files_;
    }
    std::string writeError() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return writeError_;
    }
    bool cancelled() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return cancelled_;
    }

private:
    QString folder_;
    std::function<void(int, int)> progress_;
    const std::atomic<bool>* cancel_;
    int expected_;
    mutable std::mutex mutex_;
    std::vector<std::string> files_;
    std::string writeError_;
    bool cancelled_ = false;
};

// Receives the C-STORE sub-operations of a C-GET on its own association.
class GetScu : public DcmSCU {
public:
    explicit GetScu(InstanceSink& sink) : sink_(sink) {}

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset* incoming, OFBool& continueSession,
                                   Uint16& status) override {
        bool goOn = true;
        status = sink_.store(incoming, goOn);
        continueSession = goOn ? OFTrue : OFFalse;
        return EC_Normal;
    }

private:
    InstanceSink& sink_;
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

QString moveDestinationAeTitle(const DimseSettings& settings) {
    return settings.moveDestinationAeTitle.trimmed().isEmpty() ? settings.callingAeTitle : settings.moveDestinationAeTitle;
}

// A failed condition in words, the timeout named when it is one.
std::string conditionText(const OFCondition& condition, const DimseSettings& settings) {
    if (condition == DIMSE_NODATAAVAILABLE || condition == DUL_READTIMEOUT)
        return "no answer from the PACS within " + std::to_string(settings.timeoutSeconds) + " seconds";
    return condition.text();
}

std::string moveStatusMeaning(Uint16 status) {
    switch (status) {
    case STATUS_MOVE_Refused_OutOfResourcesNumberOfMatches:
    case STATUS_MOVE_Refused_OutOfResourcesSubOperations: return " (the PACS is out of resources)";
    case STATUS_MOVE_Refused_NotAuthorized: return " (this site may not retrieve from the PACS)";
    case STATUS_MOVE_Error_DataSetDoesNotMatchSOPClass: return " (the PACS did not understand the request)";
    case STATUS_MOVE_Cancel: return " (cancelled)";
    default: break;
    }
    if ((status & 0xf000) == 0xc000) return " (the PACS could not process the request)";
    if ((status & 0xf000) == 0xb000) return " (some instances could not be sent)";
    return {};
}

// What a C-GET or C-MOVE ended with: the last response's status and counts.
struct RetrieveOutcome {
    OFCondition condition = EC_Normal;
    Uint16 finalStatus = 0;
    Uint16 completed = 0, failed = 0;
    bool cancelled = false;
};

RetrieveOutcome outcomeOf(const OFCondition& condition, OFList<RetrieveResponse*>& responses) {
    RetrieveOutcome outcome;
    outcome.condition = condition;
    for (auto* response : responses) {
        outcome.finalStatus = response->m_status;
        outcome.completed = response->m_numberOfCompletedSubops;
        outcome.failed = response->m_numberOfFailedSubops;
        delete response;
    }
    responses.clear();
    return outcome;
}

RetrieveOutcome getSeries(const DimseSettings& settings, const QString& where, DcmDataset& keys, InstanceSink& sink) {
    GetScu scu(sink);
    configure(scu, settings);
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
    if (condition.bad()) throw Error(ss(where) + ": cannot set up the network: " + condition.text());
    condition = scu.negotiateAssociation();
    if (condition.bad()) throw Error(negotiationError(condition, where, settings, "a C-GET retrieval"));
    OFList<RetrieveResponse*> responses;
    const auto context = scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
    auto outcome = outcomeOf(scu.sendCGETRequest(context, &keys, &responses), responses);
    if (sink.cancelled() || outcome.condition.bad()) scu.abortAssociation();
    else scu.releaseAssociation();
    return outcome;
}

// The move destination: a storage SCP on the configured AE title and port, listening for
// the duration of one C-MOVE. The PACS opens its own association(s) to it and sends the
// instances as C-STOREs.
class MoveDestination : public DcmSCP {
public:
    MoveDestination(const DimseSettings& settings, InstanceSink& sink)
        : aeTitle_(ss(moveDestinationAeTitle(settings))), sink_(sink) {
        setAETitle(aeTitle_.c_str());
        setPort(static_cast<Uint16>(settings.moveDestinationPort));
        setRespondWithCalledAETitle(OFFalse);
        setHostLookupEnabled(OFFalse);
        // Non-blocking, so that stop() is noticed within a second between associations.
        setConnectionBlockingMode(DUL_NOBLOCK);
        setConnectionTimeout(1);
        setACSETimeout(static_cast<Uint32>(settings.timeoutSeconds));
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setDIMSETimeout(static_cast<Uint32>(settings.timeoutSeconds));
        setEnableVerification();
        // Compressed syntaxes first: the PACS sends an instance as it stored it where it can,
        // so the pixels imported are the PACS's own.
        OFList<OFString> syntaxes;
        for (const char* syntax : kCompressedSyntaxes) syntaxes.push_back(syntax);
        for (const auto& syntax : uncompressedSyntaxes()) syntaxes.push_back(syntax);
        // DCMTK's limit is 128 entries, verification included: the image classes that often
        // arrive compressed first, then the other storage classes in DCMTK's order.
        std::set<std::string> added;
        for (const char* sopClass : kCompressibleClasses) {
            addPresentationContext(sopClass, syntaxes);
            added.insert(sopClass);
        }
        for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs && added.size() < 127; ++i)
            if (added.insert(dcmAllStorageSOPClassUIDs[i]).second) addPresentationContext(dcmAllStorageSOPClassUIDs[i], syntaxes);
    }

    void stop() { stop_ = true; }

protected:
    OFBool checkCalledAETitleAccepted(const OFString& calledAE) override { return calledAE == aeTitle_.c_str(); }
    OFBool stopAfterConnectionTimeout() override { return stop_.load(); }
    OFBool stopAfterCurrentAssociation() override { return stop_.load(); }

    OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& context) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(message, context);
        T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
        DcmDataset* dataset = nullptr;
        const auto received = receiveSTORERequest(request, context.presentationContextID, dataset);
        if (received.bad()) {
            delete dataset;
            return received;
        }
        bool goOn = true;
        const Uint16 status = sink_.store(dataset, goOn);
        return sendSTOREResponse(context.presentationContextID, request, status);
    }

private:
    std::string aeTitle_;
    InstanceSink& sink_;
    std::atomic<bool> stop_{false};
};

// Stops the C-MOVE's response loop when the user cancels.
class MoveScu : public DcmSCU {
public:
    explicit MoveScu(const std::atomic<bool>* cancel) : cancel_(cancel) {}
    bool cancelled = false;

    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID context, RetrieveResponse* response,
                                   OFBool& waitForNextResponse) override {
        const auto condition = DcmSCU::handleMOVEResponse(context, response, waitForNextResponse);
        if (cancel_ && cancel_->load()) {
            cancelled = true;
            waitForNextResponse = OFFalse;
        }
        return condition;
    }

private:
    const std::atomic<bool>* cancel_;
};

RetrieveOutcome moveSeries(const DimseSettings& settings, const QString& where, DcmDataset& keys, InstanceSink& sink,
                           const std::atomic<bool>* cancel) {
    const auto destination = moveDestinationAeTitle(settings);
    MoveDestination scp(settings, sink);
    // The port is opened before the C-MOVE is sent, so the PACS finds it listening.
    const auto opened = scp.openListenPort();
    if (opened.bad())
        throw Error(ss(where) + ": cannot listen on port " + std::to_string(settings.moveDestinationPort) +
                    " as the C-MOVE destination '" + ss(destination) + "' (" + opened.text() +
                    "); is another program using that port?");
    std::thread listener([&scp] { scp.acceptAssociations(); });
    struct StopListener {
        MoveDestination& scp;
        std::thread& thread;
        ~StopListener() {
            scp.stop();
            thread.join();
        }
    } stopListener{scp, listener};

    MoveScu scu(cancel);
    configure(scu, settings);
    scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, uncompressedSyntaxes());
    auto condition = scu.initNetwork();
    if (condition.bad()) throw Error(ss(where) + ": cannot set up the network: " + condition.text());
    condition = scu.negotiateAssociation();
    if (condition.bad()) throw Error(negotiationError(condition, where, settings, "a C-MOVE retrieval"));
    OFList<RetrieveResponse*> responses;
    const auto context = scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
    auto outcome = outcomeOf(scu.sendMOVERequest(context, ss(destination).c_str(), &keys, &responses), responses);
    outcome.cancelled = scu.cancelled;
    if (outcome.cancelled || outcome.condition.bad()) scu.abortAssociation();
    else scu.releaseAssociation();
    return outcome;
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
    if (settings_.retrieve == DimseRetrieve::Move) {
        if (settings_.moveDestinationAeTitle.size() > 16)
            throw Error("DIMSE: the move destination AE title '" + ss(settings_.moveDestinationAeTitle) +
                        "' is longer than 16 characters");
        if (settings_.moveDestinationPort < 1 || settings_.moveDestinationPort > 65535)
            throw Error("DIMSE: the move destination port " + std::to_string(settings_.moveDestinationPort) +
                        " is not between 1 and 65535");
    }
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
    InstanceSink sink(folder, progress, cancel, result.expectedInstances);
    const bool move = settings_.retrieve == DimseRetrieve::Move;
    const char* operation = move ? "C-MOVE" : "C-GET";

    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertString(DCM_StudyInstanceUID, ss(series.studyInstanceUid).c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, ss(series.seriesInstanceUid).c_str());
    RetrieveOutcome outcome = move ? moveSeries(settings_, description(), keys, sink, cancel)
                                   : getSeries(settings_, description(), keys, sink);
    // A move that brings nothing is almost always a setting to fix, like a wrong AE title: the
    // PACS does not know the destination, does not let this AE retrieve, or cannot reach our
    // port. PACSs rarely say which (Orthanc answers 0xC000 for all three), so all are named.
    if (move && sink.files().empty() && !outcome.cancelled && !sink.cancelled() &&
        (outcome.condition.bad() || outcome.finalStatus != STATUS_Success)) {
        const auto destination = ss(moveDestinationAeTitle(settings_));
        const auto port = std::to_string(settings_.moveDestinationPort);
        const auto checks = "check that the PACS knows the move destination '" + destination +
                            "' with this computer's address and port " + port + ", that it lets the calling AE title '" +
                            ss(settings_.callingAeTitle) + "' retrieve, and that no firewall blocks port " + port +
                            "; or retrieve with C-GET";
        if (outcome.condition.bad())
            throw Error(ss(description()) + ": the C-MOVE to '" + destination + "' failed before any instance arrived (" +
                        conditionText(outcome.condition, settings_) + "); " + checks);
        if (outcome.finalStatus == STATUS_MOVE_Refused_MoveDestinationUnknown)
            throw Error(ss(description()) + ": the PACS does not know the move destination '" + destination +
                        "'; add it to the PACS's modalities with this computer's address and port " + port +
                        ", or retrieve with C-GET");
        throw Error(ss(description()) + ": the PACS refused the C-MOVE to '" + destination +
                    "' or could not carry it out (DIMSE status 0x" + ss(QString::number(outcome.finalStatus, 16)) +
                    moveStatusMeaning(outcome.finalStatus) + ") and sent nothing; " + checks);
    }
    result.files = sink.files();
    result.cancelled = sink.cancelled() || outcome.cancelled;
    const auto received = std::to_string(result.files.size());
    const auto of = result.expectedInstances > 0 ? " of " + std::to_string(result.expectedInstances) : std::string();
    if (!sink.writeError().empty()) {
        result.error = sink.writeError();
    } else if (result.cancelled) {
        return result;
    } else if (outcome.condition.bad()) {
        result.error = ss(description()) + ": the " + operation + " retrieval stopped after " + received + of +
                       " instances: " + conditionText(outcome.condition, settings_);
    } else if (outcome.finalStatus != STATUS_Success) {
        result.error = ss(description()) + ": the " + operation + " retrieval ended with DIMSE status 0x" +
                       ss(QString::number(outcome.finalStatus, 16)) + (move ? moveStatusMeaning(outcome.finalStatus) : "") +
                       " after " + received + of + " instances (" + std::to_string(outcome.failed) + " failed)";
    } else if (move && result.expectedInstances > 0 && static_cast<int>(result.files.size()) < result.expectedInstances) {
        // The PACS said it sent everything, but not all of it reached the move destination.
        result.error = ss(description()) + ": the C-MOVE reported success but only " + received + of +
                       " instances arrived at '" + ss(moveDestinationAeTitle(settings_)) + "'";
    } else {
        result.complete = true;
    }
    if (!result.error.empty())
        qCWarning(lcPacs).noquote() << operation << "stopped after" << result.files.size() << "instances";
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
