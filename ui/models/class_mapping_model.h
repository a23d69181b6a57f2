#pragma once
// The wizard's label mapping: each of the site's local labels (with its image count) and
// the federation class it stands for, or none. Labels named like a federation class are
// mapped to it from the start (case-insensitive).
#include <QAbstractTableModel>
#include <QMap>
#include <QStringList>

namespace fmc::ui {

class ClassMappingModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LocalLabelColumn, ImagesColumn, FederationClassColumn, ColumnCount };
    // On FederationClassColumn: the choices an editor offers (the federation's classes).
    enum Role { ChoicesRole = Qt::UserRole + 1 };

    explicit ClassMappingModel(QObject* parent = nullptr);

    // counts: local label -> images with it.
    void setLabels(const QMap<QString, int>& counts, const QStringList& federationClasses,
                 const QMap<QString, QString>& previousMapping = {});

    QMap<QString, QString> mapping() const;  // every local label; "" = not used
    QStringList federationClasses() const { return classes_; }
    // Federation classes that at least one local label maps to.
    QStringList coveredClasses() const;
    // Images per federation class under the current mapping.
    QMap<QString, int> imagesPerClass() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

signals:
    void mappingChanged();

private:
    struct Row {
        QString label;
        int images = 0;
        QString federationClass;
    };
    QList<Row> rows_;
    QStringList classes_;
};

}  // namespace fmc::ui
