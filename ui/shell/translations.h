#pragma once
// Loads the app's translation (and Qt's own, for standard dialogs) for the language chosen
// in Settings, or the system's when none is chosen.
#include <QLocale>
#include <QString>

namespace fmc::ui {

// "en", "fr" or "de": the Settings choice, else the system locale when it is one of them,
// else English.
QString chosenLanguage(const QLocale& system = QLocale::system());

// Installs the translators on the application; returns false when the app's own .qm file
// for the language is missing (English needs none).
bool installTranslations(const QString& language);

}  // namespace fmc::ui
