#include "shell/translations.h"

#include "shell/app_settings.h"
#include "shell/logging.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace fmc::ui {

QString chosenLanguage(const QLocale& system) {
    const auto chosen = AppSettings::language();
    if (!chosen.isEmpty()) return chosen;
    const auto name = system.name().left(2);
    return AppSettings::availableLanguages().contains(name) ? name : QStringLiteral("en");
}

bool installTranslations(const QString& language) {
    QLocale::setDefault(QLocale(language));
    auto* qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(QStringLiteral("qtbase_") + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto* app = new QTranslator(QCoreApplication::instance());
    if (!app->load(QStringLiteral(":/i18n/fedmedclip_") + language)) {
        delete app;
        if (language != QLatin1String("en")) qCWarning(lcApp) << "no translation for" << language;
        return language == QLatin1String("en");
    }
    QCoreApplication::installTranslator(app);
    return true;
}

}  // namespace fmc::ui
