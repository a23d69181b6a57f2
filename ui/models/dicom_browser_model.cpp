#include "models/dicom_browser_model.h"

#include "workspace/workspace_service.h"

#include <QDate>
#include <QFileInfo>
#include <QLocale>

#include <map>

namespace fmc::ui {
namespace {

QString dicomDate(const QString& value) {
    if (value.count(QLatin1Char('0')) == value.size()) return {};  // "00000000": no date
    const auto date = QDate::fromString(value.left(8), QStringLiteral("yyyyMMdd"));
    return date.isValid() ? QLocale().toString(date, QLocale::ShortFormat) : value;
}

QString personName(const QString& value) {
    auto parts = value.split(QLatin1Char('^'));
    while (!parts.isEmpty() && parts.last().trimmed().isEmpty()) parts.removeLast();
    if (parts.size() < 2) return parts.value(0);
    return parts.at(0) + QStringLiteral(", ") + parts.mid(1).join(QLatin1Char(' ')).trimmed();
}

struct Instance {
    ImageEntry image;
    int frame = 0;
};

struct Series {
    QString uid, modality, description;
    QList<Instance> instances;
};

struct Study {
    QString uid, date, description, id;
    std::map<QString, Series> series;
};

struct Patient {
    QString id, name, birthDate;
    std::map<QString, Study> studies;
};

// A series in its own order: by InstanceNumber, then by path (the frames of a file by id).
// Images without a number (none in the file, or imported before the store kept it) come
// after the numbered ones.
bool seriesOrder(const Instance& a, const Instance& b) {
    const auto& x = a.image.instanceNumber;
    const auto& y = b.image.instanceNumber;
    if (x.has_value() != y.has_value()) return x.has_value();
    if (x && *x != *y) return *x < *y;
    if (a.image.path != b.image.path) return a.image.path < b.image.path;
    return a.image.id < b.image.id;
}

QList<QStandardItem*> makeRow(DicomBrowserModel::Level level, const QStringList& texts) {
    QList<QStandardItem*> row;
    for (int column = 0; column < DicomBrowserModel::ColumnCount; ++column) {
        auto* item = new QStandardItem(texts.value(column));
        item->setEditable(false);
        item->setData(level, DicomBrowserModel::LevelRole);
        row.append(item);
    }
    return row;
}

void setImages(QStandardItem* item, const QVariantList& ids, const QStringList& paths) {
    item->setData(ids, DicomBrowserModel::ImageIdsRole);
    item->setData(paths, DicomBrowserModel::PathsRole);
}

}  // namespace

DicomBrowserModel::DicomBrowserModel(QObject* parent) : QStandardItemModel(parent) {
    setColumnCount(ColumnCount);
    retranslateHeaders();
}

void DicomBrowserModel::retranslateHeaders() {
    setHorizontalHeaderLabels({tr("Patient / study / series / image"), tr("ID"), tr("Date"), tr("Description"),
                               tr("Modality"), tr("Images")});
}

void DicomBrowserModel::reload(const WorkspaceService* workspace) {
    clear();
    setColumnCount(ColumnCount);
    retranslateHeaders();
    instances_ = 0;
    withoutDicom_ = 0;
    if (!workspace) return;
    std::map<QString, Patient> patients;
    for (const auto& image : workspace->images()) {
        const auto attributes = workspace->dicomAttributes(image.id);
        const auto study = attributes.value(QStringLiteral("StudyInstanceUID"));
        const auto series = attributes.value(QStringLiteral("SeriesInstanceUID"));
        if (attributes.isEmpty() || (study.isEmpty() && series.isEmpty())) {
            ++withoutDicom_;
            continue;
        }
        // Patients by ID (else name); a file without either is its own "unknown patient".
        auto patientKey = attributes.value(QStringLiteral("PatientID"));
        if (patientKey.isEmpty()) patientKey = QStringLiteral("name:") + attributes.value(QStringLiteral("PatientName"));
        auto& patient = patients[patientKey];
        patient.id = attributes.value(QStringLiteral("PatientID"));
        if (patient.name.isEmpty()) patient.name = attributes.value(QStringLiteral("PatientName"));
        if (patient.birthDate.isEmpty()) patient.birthDate = attributes.value(QStringLiteral("PatientBirthDate"));
        auto& studyNode = patient.studies[study];
        studyNode.uid = study;
        if (studyNode.date.isEmpty()) studyNode.date = attributes.value(QStringLiteral("StudyDate"));
        if (studyNode.description.isEmpty()) studyNode.description = attributes.value(QStringLiteral("StudyDescription"));
        if (studyNode.id.isEmpty()) studyNode.id = attributes.value(QStringLiteral("StudyID"));
        auto& seriesNode = studyNode.series[series];
        seriesNode.uid = series;
        if (seriesNode.modality.isEmpty()) seriesNode.modality = image.modality;
        if (seriesNode.description.isEmpty()) seriesNode.description = attributes.value(QStringLiteral("SeriesDescription"));
        seriesNode.instances.append({image, 0});
        ++instances_;
    }
    for (auto& [key, patient] : patients) {
        QVariantList patientIds;
        QStringList patientPaths;
        auto patientRow = makeRow(PatientLevel, {patient.name.isEmpty() ? tr("(no name)") : personName(patient.name),
                                                 patient.id, dicomDate(patient.birthDate), QString(), QString()});
        patientRow.first()->setData(key, KeyRole);
        QStringList patientModalities;
        for (auto& [studyKey, study] : patient.studies) {
            QVariantList studyIds;
            QStringList studyPaths, studyModalities;
            const auto description = !study.description.isEmpty() ? study.description
                                     : !study.id.isEmpty()         ? tr("Study %1").arg(study.id)
                                                                   : QString();
            auto studyRow = makeRow(StudyLevel, {tr("Study of %1").arg(dicomDate(study.date).isEmpty() ? tr("unknown date")
                                                                                                      : dicomDate(study.date)),
                                                 study.id, dicomDate(study.date), description, QString()});
            studyRow.first()->setData(study.uid, KeyRole);
            for (auto& [seriesKey, series] : study.series) {
                std::sort(series.instances.begin(), series.instances.end(), seriesOrder);
                QVariantList ids;
                QStringList paths;
                for (const auto& instance : series.instances) {
                    ids << instance.image.id;
                    if (!paths.contains(instance.image.path)) paths << instance.image.path;
                }
                auto seriesRow = makeRow(SeriesLevel, {tr("Series"), QString(), QString(), series.description,
                                                       series.modality, QLocale().toString(series.instances.size())});
                seriesRow.first()->setData(series.uid, KeyRole);
                setImages(seriesRow.first(), ids, paths);
                for (const auto& instance : series.instances) {
                    auto instanceRow =
                        makeRow(InstanceLevel, {QFileInfo(instance.image.path).fileName(), QString(), QString(),
                                                instance.image.label.isEmpty() ? tr("(unlabelled)") : instance.image.label,
                                                instance.image.modality, QString()});
                    instanceRow.first()->setData(instance.image.id, ImageIdRole);
                    instanceRow.first()->setData(instance.image.path, PathRole);
                    instanceRow.first()->setData(instance.image.id, KeyRole);
                    instanceRow.first()->setToolTip(instance.image.path);
                    setImages(instanceRow.first(), {instance.image.id}, {instance.image.path});
                    seriesRow.first()->appendRow(instanceRow);
                }
                studyIds << ids;
                studyPaths << paths;
                if (!studyModalities.contains(series.modality)) studyModalities << series.modality;
                studyRow.first()->appendRow(seriesRow);
            }
            studyRow[ModalityColumn]->setText(studyModalities.join(QStringLiteral(", ")));
            studyRow[ImagesColumn]->setText(QLocale().toString(studyIds.size()));
            setImages(studyRow.first(), studyIds, studyPaths);
            patientIds << studyIds;
            patientPaths << studyPaths;
            for (const auto& modality : studyModalities)
                if (!patientModalities.contains(modality)) patientModalities << modality;
            patientRow.first()->appendRow(studyRow);
        }
        patientRow[ModalityColumn]->setText(patientModalities.join(QStringLiteral(", ")));
        patientRow[ImagesColumn]->setText(QLocale().toString(patientIds.size()));
        setImages(patientRow.first(), patientIds, patientPaths);
        appendRow(patientRow);
    }
}

DicomBrowserFilter::DicomBrowserFilter(QObject* parent) : QSortFilterProxyModel(parent) {
    setRecursiveFilteringEnabled(true);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void DicomBrowserFilter::setSearchText(const QString& text) {
    words_ = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

void DicomBrowserFilter::setModality(const QString& modality) {
    modality_ = modality;
    invalidateFilter();
}

bool DicomBrowserFilter::matchesItself(int sourceRow, const QModelIndex& sourceParent) const {
    if (words_.isEmpty()) return true;
    QString text;
    for (int column = 0; column < DicomBrowserModel::ColumnCount; ++column)
        text += sourceModel()->index(sourceRow, column, sourceParent).data().toString() + QLatin1Char(' ');
    return std::all_of(words_.begin(), words_.end(),
                       [&text](const QString& word) { return text.contains(word, Qt::CaseInsensitive); });
}

bool DicomBrowserFilter::hasMatchingAncestor(const QModelIndex& sourceParent) const {
    for (auto parent = sourceParent; parent.isValid(); parent = parent.parent())
        if (matchesItself(parent.row(), parent.parent())) return true;
    return false;
}

bool DicomBrowserFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const auto level = sourceModel()->index(sourceRow, 0, sourceParent).data(DicomBrowserModel::LevelRole).toInt();
    if (!modality_.isEmpty()) {
        // Patients and studies stay through the series below that pass (recursive filtering).
        if (level < DicomBrowserModel::SeriesLevel) return false;
        if (sourceModel()->index(sourceRow, DicomBrowserModel::ModalityColumn, sourceParent).data().toString() != modality_)
            return false;
    }
    if (words_.isEmpty()) return true;
    return matchesItself(sourceRow, sourceParent) || hasMatchingAncestor(sourceParent);
}

bool DicomBrowserFilter::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const bool instances = left.data(DicomBrowserModel::LevelRole).toInt() == DicomBrowserModel::InstanceLevel &&
                           right.data(DicomBrowserModel::LevelRole).toInt() == DicomBrowserModel::InstanceLevel;
    if (instances && left.column() == DicomBrowserModel::NameColumn) return left.row() < right.row();
    return QSortFilterProxyModel::lessThan(left, right);
}

}  // namespace fmc::ui
