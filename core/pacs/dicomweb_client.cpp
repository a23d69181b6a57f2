#include "pacs/dicomweb_client.h"

#include "common/sha256.h"
#include "common/types.h"
#include "pacs/logging.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrlQuery>
#include <QUuid>

namespace fmc::pacs {
namespace {

std::string ss(const QString& text) { return text.toStdString(); }

// The first value of a DICOM JSON attribute (PS3.18 F.2) as text; person names give their
// alphabetic group.
QString jsonValue(const QJsonObject& item, const char* tag) {
    const auto values = item.value(QLatin1String(tag)).toObject().value(QStringLiteral("Value")).toArray();
    if (values.isEmpty()) return {};
    const auto first = values.first();
    if (first.isObject()) return first.toObject().value(QStringLiteral("Alphabetic")).toString();
    if (first.isDouble()) return QString::number(first.toDouble());
    return first.toString();
}

QStringList jsonValues(const QJsonObject& item, const char* tag) {
    QStringList out;
    for (const auto& value : item.value(QLatin1String(tag)).toObject().value(QStringLiteral("Value")).toArray())
        out << (value.isDouble() ? QString::number(value.toDouble()) : value.toString());
    return out;
}

// Characters that go into a query string unencoded (Qt percent-encodes every other one).
bool urlSafe(QChar c) {
    return c.unicode() < 128 && (c.isLetterOrNumber() || QStringLiteral("-._~*?!$'()+,;:@").contains(c));
}

// Some servers (Orthanc 1.10's DICOMweb plugin) do not percent-decode query values, and Qt
// always encodes '^', spaces and non-ASCII letters, which every person name has. So each run
// of such characters is sent as '*', and the answers are matched against the real pattern here.
QString serverSafePattern(const QString& pattern) {
    QString out;
    for (const QChar c : pattern) {
        if (urlSafe(c)) out += c;
        else if (!out.endsWith(QLatin1Char('*'))) out += QLatin1Char('*');
    }
    return out;
}

}  // namespace

// DICOM wildcard matching (PS3.4 C.2.2.2.4): '*' any run, '?' one character; person names
// case-insensitively, as most PACS do.
bool matchesDicomWildcard(const QString& value, const QString& pattern) {
    const auto v = value.toCaseFolded(), p = pattern.toCaseFolded();
    qsizetype i = 0, j = 0, star = -1, mark = 0;
    while (i < v.size()) {
        if (j < p.size() && (p[j] == QLatin1Char('?') || p[j] == v[i])) {
            ++i;
            ++j;
        } else if (j < p.size() && p[j] == QLatin1Char('*')) {
            star = j++;
            mark = i;
        } else if (star >= 0) {
            j = star + 1;
            i = ++mark;
        } else {
            return false;
        }
    }
    while (j < p.size() && p[j] == QLatin1Char('*')) ++j;
    return j == p.size();
}

namespace {

struct HttpAnswer {
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    QByteArray contentType;
    QByteArray body;
};

}  // namespace

QString instanceFileName(const QString& sopInstanceUid) {
    return QString::fromStdString(sha256Hex(ss(sopInstanceUid)).substr(0, 24)) + QStringLiteral(".dcm");
}

std::vector<QByteArray> multipartParts(const QByteArray& contentType, const QByteArray& body) {
    QByteArray boundary;
    for (auto parameter : contentType.split(';')) {
        parameter = parameter.trimmed();
        if (parameter.toLower().startsWith("boundary=")) {
            boundary = parameter.mid(9);
            if (boundary.startsWith('"') && boundary.endsWith('"') && boundary.size() >= 2)
                boundary = boundary.mid(1, boundary.size() - 2);
        }
    }
    if (boundary.isEmpty()) throw Error("multipart answer without a boundary (Content-Type: " + contentType.toStdString() + ")");
    const QByteArray delimiter = "--" + boundary;
    std::vector<QByteArray> parts;
    qsizetype position = body.indexOf(delimiter);
    if (position < 0) throw Error("multipart answer: the boundary never occurs in the body");
    while (true) {
        position += delimiter.size();
        if (body.mid(position, 2) == "--") return parts;  // the closing delimiter
        const auto headersEnd = body.indexOf("\r\n\r\n", position);
        if (headersEnd < 0) throw Error("multipart answer cut off in a part's headers");
        const auto next = body.indexOf("\r\n" + delimiter, headersEnd + 4);
        if (next < 0) throw Error("multipart answer cut off: part " + std::to_string(parts.size() + 1) + " has no end");
        parts.push_back(body.mid(headersEnd + 4, next - headersEnd - 4));
        position = next + 2;
    }
}

struct DicomWebClient::Impl {
    DicomWebSettings settings;
    QUrl base;
    QNetworkAccessManager network;
    QList<QSslCertificate> caCertificates;

    QString where() const { return QStringLiteral("DICOMweb ") + base.toString(QUrl::RemoveUserInfo); }

    QUrl url(const QString& path, const QUrlQuery& query = {}) const {
        QUrl result = base;
        QString basePath = result.path();
        if (basePath.endsWith(QLatin1Char('/'))) basePath.chop(1);
        result.setPath(basePath + path);
        if (!query.isEmpty()) result.setQuery(query);
        return result;
    }

    HttpAnswer send(const QByteArray& method, const QUrl& url, const QByteArray& accept, const QByteArray& body = {},
                    const QByteArray& contentType = {}) {
        QNetworkRequest request(url);
        request.setRawHeader("Accept", accept);
        if (!contentType.isEmpty()) request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        if (settings.auth == AuthKind::Basic)
            request.setRawHeader("Authorization",
                                 "Basic " + (settings.username + QLatin1Char(':') + settings.secret).toUtf8().toBase64());
        else if (settings.auth == AuthKind::Bearer)
            request.setRawHeader("Authorization", "Bearer " + settings.secret.toUtf8());
        request.setTransferTimeout(settings.timeoutMs);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        if (!caCertificates.isEmpty()) {
            auto tls = QSslConfiguration::defaultConfiguration();
            tls.setCaCertificates(caCertificates);
            request.setSslConfiguration(tls);
        }
        QNetworkReply* reply = network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished()) loop.exec();
        HttpAnswer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.error = reply->error();
        answer.errorString = reply->errorString();
        answer.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        answer.body = reply->readAll();
        reply->deleteLater();
        return answer;
    }

    // Throws for a transport failure or an HTTP status outside 2xx, naming the PACS, what was
    // asked and what to check.
    void check(const HttpAnswer& answer, const char* what) const {
        if (answer.status == 401 || answer.status == 403)
            throw Error(ss(where()) + ": the PACS refused the credentials for " + what + " (HTTP " +
                        std::to_string(answer.status) +
                        "); check the user name and password or token in the PACS settings");
        if (answer.status == 0 || (answer.error != QNetworkReply::NoError && answer.status < 400)) {
            std::string hint = "is the PACS running and is the address right?";
            if (answer.error == QNetworkReply::SslHandshakeFailedError)
                hint = "is the hospital's CA certificate set in the PACS settings?";
            if (answer.error == QNetworkReply::OperationCanceledError || answer.error == QNetworkReply::TimeoutError)
                hint = "the PACS did not answer within " + std::to_string(settings.timeoutMs / 1000) + " s";
            throw Error(ss(where()) + ": " + what + " failed: " + ss(answer.errorString) + "; " + hint);
        }
        if (answer.status < 200 || answer.status >= 300)
            throw Error(ss(where()) + ": " + what + " answered HTTP " + std::to_string(answer.status) + ": " +
                        ss(QString::fromUtf8(answer.body.left(300)).simplified()));
    }

    QJsonArray qido(const QUrl& url, const char* what) {
        const auto answer = send("GET", url, "application/dicom+json");
        check(answer, what);
        if (answer.status == 204 || answer.body.trimmed().isEmpty()) return {};
        QJsonParseError error{};
        const auto document = QJsonDocument::fromJson(answer.body, &error);
        if (!document.isArray())
            throw Error(ss(where()) + ": " + what + " did not answer a DICOM JSON array (" + ss(error.errorString()) + ")");
        return document.array();
    }
};

DicomWebClient::DicomWebClient(DicomWebSettings settings) : d(std::make_unique<Impl>()) {
    d->settings = std::move(settings);
    d->base = QUrl(d->settings.baseUrl);
    if (!d->base.isValid() || (d->base.scheme() != QLatin1String("http") && d->base.scheme() != QLatin1String("https")))
        throw Error("DICOMweb URL '" + ss(d->settings.baseUrl) + "' is not an http:// or https:// address");
    if (!d->settings.caCertificatesPath.isEmpty()) {
        d->caCertificates = QSslCertificate::fromPath(d->settings.caCertificatesPath, QSsl::Pem);
        if (d->caCertificates.isEmpty())
            throw Error(ss(d->settings.caCertificatesPath) + ": no PEM certificate found (the PACS CA certificate)");
    }
}

DicomWebClient::~DicomWebClient() = default;

QString DicomWebClient::description() const { return d->where(); }

void DicomWebClient::verify() {
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
    d->qido(d->url(QStringLiteral("/studies"), query), "a QIDO-RS search");
}

std::vector<StudyResult> DicomWebClient::findStudies(const StudyQuery& criteria) {
    QUrlQuery query;
    const auto add = [&](const char* key, const QString& value) {
        if (!value.trimmed().isEmpty()) query.addQueryItem(QLatin1String(key), value.trimmed());
    };
    const auto patientName = criteria.patientName.trimmed();
    add("PatientName", serverSafePattern(patientName));
    add("PatientID", criteria.patientId);
    if (!criteria.studyDateFrom.isEmpty() || !criteria.studyDateTo.isEmpty())
        query.addQueryItem(QStringLiteral("StudyDate"), criteria.studyDateFrom + QLatin1Char('-') + criteria.studyDateTo);
    add("ModalitiesInStudy", criteria.modality);
    add("AccessionNumber", criteria.accessionNumber);
    query.addQueryItem(QStringLiteral("limit"), QString::number(criteria.limit));
    for (const char* field : {"00081030", "00201206", "00201208", "00080061"})
        query.addQueryItem(QStringLiteral("includefield"), QLatin1String(field));
    std::vector<StudyResult> studies;
    for (const auto& value : d->qido(d->url(QStringLiteral("/studies"), query), "the QIDO-RS study search")) {
        const auto item = value.toObject();
        StudyResult study;
        study.studyInstanceUid = jsonValue(item, "0020000D");
        study.patientName = jsonValue(item, "00100010");
        if (!patientName.isEmpty() && !matchesDicomWildcard(study.patientName, patientName)) continue;
        study.patientId = jsonValue(item, "00100020");
        study.studyDate = jsonValue(item, "00080020");
        study.studyDescription = jsonValue(item, "00081030");
        study.accessionNumber = jsonValue(item, "00080050");
        study.modalities = jsonValues(item, "00080061");
        study.seriesCount = jsonValue(item, "00201206").toInt();
        study.instanceCount = jsonValue(item, "00201208").toInt();
        if (!study.studyInstanceUid.isEmpty()) studies.push_back(study);
    }
    return studies;
}

std::vector<SeriesResult> DicomWebClient::findSeries(const QString& studyInstanceUid) {
    QUrlQuery query;
    for (const char* field : {"0008103E", "00200011", "00201209"})
        query.addQueryItem(QStringLiteral("includefield"), QLatin1String(field));
    std::vector<SeriesResult> list;
    for (const auto& value :
         d->qido(d->url(QStringLiteral("/studies/%1/series").arg(studyInstanceUid), query), "the QIDO-RS series search")) {
        const auto item = value.toObject();
        SeriesResult series;
        series.studyInstanceUid = studyInstanceUid;
        series.seriesInstanceUid = jsonValue(item, "0020000E");
        series.modality = jsonValue(item, "00080060");
        series.seriesDescription = jsonValue(item, "0008103E");
        series.seriesNumber = jsonValue(item, "00200011").toInt();
        series.instanceCount = jsonValue(item, "00201209").toInt();
        if (!series.seriesInstanceUid.isEmpty()) list.push_back(series);
    }
    return list;
}

QStringList DicomWebClient::findInstances(const SeriesSelection& series) {
    QStringList uids;
    const auto path = QStringLiteral("/studies/%1/series/%2/instances").arg(series.studyInstanceUid, series.seriesInstanceUid);
    for (const auto& value : d->qido(d->url(path), "the QIDO-RS instance search")) {
        const auto uid = jsonValue(value.toObject(), "00080018");
        if (!uid.isEmpty()) uids << uid;
    }
    return uids;
}

SeriesRetrieval DicomWebClient::retrieveSeries(const SeriesSelection& series, const QString& folder,
                                               const std::function<void(int, int)>& progress,
                                               const std::atomic<bool>* cancel) {
    SeriesRetrieval result;
    result.series = series;
    const auto instances = findInstances(series);  // throws: nothing was retrieved yet
    result.expectedInstances = static_cast<int>(instances.size());
    if (!QDir().mkpath(folder)) throw Error(ss(folder) + ": cannot create the folder for retrieved instances");
    int done = 0;
    for (const auto& uid : instances) {
        if (cancel && cancel->load()) {
            result.cancelled = true;
            return result;
        }
        const auto path = QDir(folder).filePath(instanceFileName(uid));
        if (!QFileInfo::exists(path)) {
            try {
                const auto answer = d->send(
                    "GET",
                    d->url(QStringLiteral("/studies/%1/series/%2/instances/%3")
                               .arg(series.studyInstanceUid, series.seriesInstanceUid, uid)),
                    "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
                d->check(answer, "the WADO-RS retrieval");
                const auto parts = multipartParts(answer.contentType, answer.body);
                if (parts.size() != 1)
                    throw Error(ss(d->where()) + ": WADO-RS answered " + std::to_string(parts.size()) +
                                " parts for one instance");
                const auto& bytes = parts.front();
                if (bytes.size() < 132 || bytes.mid(128, 4) != "DICM")
                    throw Error(ss(d->where()) + ": WADO-RS answered something that is not a DICOM file for instance " +
                                std::to_string(done + 1));
                QSaveFile file(path);
                if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
                    throw Error(ss(path) + ": cannot write the retrieved instance (" + ss(file.errorString()) + ")");
            } catch (const Error& error) {
                result.error = std::string(error.what()) + " (instance " + std::to_string(done + 1) + " of " +
                               std::to_string(instances.size()) + " of the series)";
                qCWarning(lcPacs).noquote() << "retrieval stopped after" << done << "of" << instances.size() << "instances";
                return result;
            }
        }
        result.files.push_back(ss(path));
        ++done;
        if (progress) progress(done, static_cast<int>(instances.size()));
    }
    result.complete = true;
    return result;
}

void DicomWebClient::store(const QByteArray& part10) {
    const QByteArray boundary = "fmc-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    QByteArray body;
    body += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n";
    body += part10;
    body += "\r\n--" + boundary + "--\r\n";
    const auto answer = d->send("POST", d->url(QStringLiteral("/studies")), "application/dicom+json", body,
                                "multipart/related; type=\"application/dicom\"; boundary=" + boundary);
    d->check(answer, "the STOW-RS store");
    // PS3.18 10.5.3: a 200 may still list failed instances (FailedSOPSequence, 0008,1198).
    const auto document = QJsonDocument::fromJson(answer.body);
    const auto failed = document.object().value(QStringLiteral("00081198")).toObject().value(QStringLiteral("Value")).toArray();
    if (!failed.isEmpty())
        throw Error(ss(d->where()) + ": the PACS refused the instance (STOW-RS failure reason " +
                    ss(jsonValue(failed.first().toObject(), "00081197")) + ")");
}

void DicomWebClient::storeFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": cannot read the file to store");
    store(file.readAll());
}

}  // namespace fmc::pacs
