#pragma once
// The PACS connection, as Settings and File > Import from PACS… show it: the protocol; for
// DICOMweb the URL, authentication, user name, password or token and the hospital's CA file;
// for DIMSE the host, port, calling and called AE titles and the retrieval (C-GET, or C-MOVE
// to this app's own storage SCP with its AE title and port). The connection is kept in
// AppSettings, the password only in the credential store and only when "Remember" is
// checked. "Test connection" runs on a worker thread (C-ECHO, or an authenticated search).
#include "pacs/pacs_settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace fmc::ui {

class TaskRunner;

class PacsConnectionForm : public QWidget {
    Q_OBJECT
public:
    // Shows the saved connection and, when remembered, its password.
    explicit PacsConnectionForm(QWidget* parent = nullptr);
    ~PacsConnectionForm() override;

    // The connection as shown, the secret included.
    pacs::PacsSettings settings() const;
    // Keeps the connection, and the password when "Remember" is checked (else forgets it).
    // "" or what could not be saved (the password, with the credential store's reason).
    QString save();
    // Where passwords are kept, in words, and why when it is the file.
    QString credentialStoreText() const;
    QString testStatus() const;
    bool isTesting() const;

public slots:
    void testConnection();

signals:
    void testFinished(bool ok, const QString& message);

private:
    QComboBox* protocol_;
    QStackedWidget* pages_;
    QLineEdit *url_, *user_, *password_, *caFile_;
    QComboBox* auth_;
    QCheckBox* remember_;
    QLineEdit *host_, *callingAe_, *calledAe_, *moveAe_;
    QSpinBox *port_, *movePort_;
    QComboBox* retrieve_;
    QLabel *credentialNote_, *testStatus_;
    QPushButton* testButton_;
    TaskRunner* runner_;
};

}  // namespace fmc::ui
