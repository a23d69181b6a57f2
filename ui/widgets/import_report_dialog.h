#pragma once
// After every import: what was imported, what was skipped as a duplicate, and every file
// that could not be used with the reason, in words a site's staff can act on.
#include "workspace/workspace_types.h"

#include <QDialog>

namespace fmc::ui {

class ImportReportModel;

class ImportReportDialog : public QDialog {
    Q_OBJECT
public:
    ImportReportDialog(const ImportReport& report, QWidget* parent = nullptr);
    ImportReportModel* model() const { return model_; }

private:
    ImportReportModel* model_;
};

}  // namespace fmc::ui
