#pragma once
// The first contact with a coordinator: a TLS handshake that accepts any certificate, only
// to show its SHA-256 fingerprint to the site admin, who compares it with the one the
// federation's administrator handed out; or one that trusts only the federation's CA, to
// check that the coordinator's certificate chains to it. Nothing is sent over these
// connections.
#include "federation/federation_types.h"

#include <QList>
#include <QSslCertificate>
#include <QUrl>

namespace fmc::ui {

// Throws fmc::Error in plain words (unknown host, refused, timed out, not TLS). Blocking:
// call from a worker thread.
CoordinatorIdentity probeCoordinator(const QUrl& url, int timeoutMs = 10'000);

// A TLS handshake that trusts only `authorities`: "" when the coordinator's certificate
// chains to one of them and is made out for the URL's host, otherwise the reasons in plain
// words (not signed by them, another host name, expired, ...). Throws fmc::Error like
// probeCoordinator when the coordinator cannot be reached. Blocking.
QString verifyCoordinatorChain(const QUrl& url, const QList<QSslCertificate>& authorities, int timeoutMs = 10'000);

// "AB:CD:..." from raw digest bytes.
QString formatFingerprint(const QByteArray& digest);

}  // namespace fmc::ui
