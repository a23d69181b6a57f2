#pragma once
// Paints a probability as a horizontal bar with its percentage; the top class in green, the
// others in a quiet blue.
#include <QStyledItemDelegate>

namespace fmc::ui {

class ProbabilityBarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace fmc::ui
