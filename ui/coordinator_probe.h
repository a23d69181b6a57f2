#pragma once
// The first contact with a coordinator: a TLS handshake that accepts any certificate, only
// to show its SHA-256 fingerprint to the site admin, who compares it with the one the
// federation's administrator handed out. Nothing is sent over this connection.
#include "federation_types.h"

#include <QUrl>

namespace fmc::ui {

// Throws fmc::Error in plain words (unknown host, refused, timed out, not TLS). Blocking:
// call from a worker thread.
CoordinatorIdentity probeCoordinator(const QUrl& url, int timeoutMs = 10'000);

// "AB:CD:..." from raw digest bytes.
QString formatFingerprint(const QByteArray& digest);

}  // namespace fmc::ui
