#pragma once
// The Images page's DICOM browser: the workspace's DICOM images as a tree, as clinical
// viewers list them: patients (name, ID, birth date) -> studies (date, description) ->
// series (modality, description, number of images) -> instances (file, frame, label), in
// InstanceNumber order, then by path (images without a number last). The
// attributes are the ones the site store kept at import (WorkspaceService::dicomAttributes);
// images without them (photos) are not in the tree. Search with DicomBrowserFilter.
#include <QSortFilterProxyModel>
#include <QStandardItemModel>

namespace fmc::ui {

class WorkspaceService;

class DicomBrowserModel : public QStandardItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, IdColumn, DateColumn, DescriptionColumn, ModalityColumn, ImagesColumn, ColumnCount };
    enum Level { PatientLevel, StudyLevel, SeriesLevel, InstanceLevel };
    enum Role {
        LevelRole = Qt::UserRole + 100,
        ImageIdRole,     // instances
        PathRole,        // instances
        ImageIdsRole,    // every level: the images under it (QList<qint64> as QVariantList)
        PathsRole,       // every level: their files, in series order (QStringList)
        KeyRole,         // the grouping key: PatientID (else "name:" + PatientName) / StudyInstanceUID / SeriesInstanceUID / image id
    };

    explicit DicomBrowserModel(QObject* parent = nullptr);

    // Rebuilds the tree from the workspace (null: empty).
    void reload(const WorkspaceService* workspace);
    int patientCount() const { return rowCount(); }
    int instanceCount() const { return instances_; }
    int imagesWithoutDicomData() const { return withoutDicom_; }

private:
    void retranslateHeaders();
    int instances_ = 0;
    int withoutDicom_ = 0;
};

// Keeps the rows whose text (any column) contains every word of the search, and their
// parents and children: searching a patient's name shows all their studies.
class DicomBrowserFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DicomBrowserFilter(QObject* parent = nullptr);
    void setSearchText(const QString& text);
    // "" for all, else a modality (e.g. "CT").
    void setModality(const QString& modality);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    // By name, a series' images keep the series order (InstanceNumber), not their file names.
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    bool matchesItself(int sourceRow, const QModelIndex& sourceParent) const;
    bool hasMatchingAncestor(const QModelIndex& sourceParent) const;
    QStringList words_;
    QString modality_;
};

}  // namespace fmc::ui
