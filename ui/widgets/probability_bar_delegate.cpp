#include "widgets/probability_bar_delegate.h"

#include "models/probability_model.h"

#include <QPainter>

namespace fmc::ui {

void ProbabilityBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    if (index.column() != ProbabilityModel::ProbabilityColumn) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const double probability = qBound(0.0, index.data(ProbabilityModel::ProbabilityRole).toDouble(), 1.0);
    const bool top = index.data(ProbabilityModel::TopClassRole).toBool();
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    // The percentage gets its own space right of the bar, so it never sits on the bar.
    const int textWidth = option.fontMetrics.horizontalAdvance(QStringLiteral("100.0 %")) + 12;
    const QRect area = option.rect.adjusted(4, 6, -4 - textWidth, -6);
    const QRect textArea(area.right() + 1, option.rect.top(), textWidth, option.rect.height());
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0xec, 0xef, 0xf1));
    painter->drawRoundedRect(area, 3, 3);
    QRect bar = area;
    bar.setWidth(qMax(probability > 0 ? 2 : 0, static_cast<int>(area.width() * probability)));
    // Green only for a top class that may be read; a result not to rely on gets grey.
    const bool caution = index.data(ProbabilityModel::CautionRole).toBool();
    painter->setBrush(!top ? QColor(0x7f, 0xa7, 0xc2) : caution ? QColor(0x8a, 0x8f, 0x94) : QColor(0x2f, 0x8f, 0x5b));
    painter->drawRoundedRect(bar, 3, 3);
    QFont font = option.font;
    font.setBold(top);
    painter->setFont(font);
    painter->setPen(QColor(0x1f, 0x2d, 0x36));
    painter->drawText(textArea.adjusted(0, 0, -4, 0), Qt::AlignRight | Qt::AlignVCenter,
                      index.data(Qt::DisplayRole).toString());
    painter->restore();
}

QSize ProbabilityBarDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    auto size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(qMax(size.height(), 30));
    if (index.column() == ProbabilityModel::ProbabilityColumn) size.setWidth(qMax(size.width(), 240));
    return size;
}

}  // namespace fmc::ui
