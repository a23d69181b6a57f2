<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>CoordinatorFederationService</name>
    <message>
        <source>The model bundle on this computer (%1) is not the federation&apos;s (%2). Choose the federation&apos;s bundle in Settings.</source>
        <translation>Das Modellpaket auf diesem Computer (%1) ist nicht das der Föderation (%2). Wählen Sie das Paket der Föderation in den Einstellungen.</translation>
    </message>
    <message>
        <source>This workspace&apos;s classes are not the federation&apos;s. Run &quot;Join a federation&quot; again to map your labels.</source>
        <translation>Die Klassen dieses Arbeitsbereichs sind nicht die der Föderation. Führen Sie „Föderation beitreten“ erneut aus, um Ihre Labels zuzuordnen.</translation>
    </message>
    <message>
        <source>Only %1 labelled training images map to the federation&apos;s classes; import and label more images.</source>
        <translation>Nur %1 gelabelte Trainingsbilder passen zu den Klassen der Föderation; importieren und labeln Sie weitere Bilder.</translation>
    </message>
    <message>
        <source>The coordinator answered for another federation than the one this site joined.</source>
        <translation>Der Koordinator hat für eine andere Föderation geantwortet als die, der dieser Standort beigetreten ist.</translation>
    </message>
    <message>
        <source>This workspace has not joined a federation yet (%1 has no credential).</source>
        <translation>Dieser Arbeitsbereich ist noch keiner Föderation beigetreten (%1 enthält keine Zugangsdaten).</translation>
    </message>
    <message>
        <source>The federation has finished. This site&apos;s final model is saved and the Classify page uses it.</source>
        <translation>Die Föderation ist beendet. Das endgültige Modell dieses Standorts ist gespeichert und wird auf der Seite Klassifizieren verwendet.</translation>
    </message>
    <message>
        <source>Round %1 closed before this site&apos;s update arrived; this site joins the next round.</source>
        <translation>Runde %1 wurde geschlossen, bevor die Aktualisierung dieses Standorts ankam; dieser Standort nimmt an der nächsten Runde teil.</translation>
    </message>
    <message>
        <source>The coordinator refused this site&apos;s update of round %1. The log says why; the federation goes on without it.</source>
        <translation>Der Koordinator hat die Aktualisierung dieses Standorts für Runde %1 abgelehnt. Das Protokoll nennt den Grund; die Föderation läuft ohne sie weiter.</translation>
    </message>
    <message>
        <source>Training on this site&apos;s images</source>
        <translation>Training auf den Bildern dieses Standorts</translation>
    </message>
    <message numerus="yes">
        <source>Federation &quot;%1&quot;: %n round(s) in all.</source>
        <translation>
            <numerusform>Föderation „%1“: insgesamt %n Runde.</numerusform>
            <numerusform>Föderation „%1“: insgesamt %n Runden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Taking part in the federation&apos;s rounds.</source>
        <translation>Teilnahme an den Runden der Föderation.</translation>
    </message>
</context>
<context>
    <name>CoordinatorProbe</name>
    <message>
        <source>Could not reach the coordinator at %1: %2</source>
        <translation>Der Koordinator unter %1 ist nicht erreichbar: %2</translation>
    </message>
    <message>
        <source>this computer has no TLS support installed</source>
        <translation>auf diesem Computer ist keine TLS-Unterstützung installiert</translation>
    </message>
    <message>
        <source>no computer with that name was found</source>
        <translation>kein Computer mit diesem Namen gefunden</translation>
    </message>
    <message>
        <source>the computer refused the connection (is the coordinator running?)</source>
        <translation>der Computer hat die Verbindung abgelehnt (läuft der Koordinator?)</translation>
    </message>
    <message>
        <source>no answer within %1 seconds</source>
        <translation>keine Antwort innerhalb von %1 Sekunden</translation>
    </message>
    <message>
        <source>the server did not set up an encrypted connection (TLS)</source>
        <translation>der Server hat keine verschlüsselte Verbindung (TLS) aufgebaut</translation>
    </message>
    <message>
        <source>the server presented no certificate</source>
        <translation>der Server hat kein Zertifikat vorgelegt</translation>
    </message>
    <message>
        <source>its certificate is not signed by this CA</source>
        <translation>sein Zertifikat ist nicht von dieser Zertifizierungsstelle signiert</translation>
    </message>
    <message>
        <source>its certificate is not made out for %1</source>
        <translation>sein Zertifikat ist nicht für %1 ausgestellt</translation>
    </message>
    <message>
        <source>its certificate has expired</source>
        <translation>sein Zertifikat ist abgelaufen</translation>
    </message>
    <message>
        <source>its certificate is not valid yet</source>
        <translation>sein Zertifikat ist noch nicht gültig</translation>
    </message>
</context>
<context>
    <name>DemoWorkspace</name>
    <message>
        <source>Creating the demo model and demo images</source>
        <translation>Demo-Modell und Demo-Bilder werden erstellt</translation>
    </message>
    <message>
        <source>Importing the demo images</source>
        <translation>Demo-Bilder werden importiert</translation>
    </message>
</context>
<context>
    <name>ImageKindChecker</name>
    <message>
        <source>photo (not DICOM)</source>
        <translation>Foto (kein DICOM)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is a federation for %2 images, but this workspace&apos;s images are %3. Join a federation for these images, or import %2 images first.</source>
        <translation>„%1“ ist eine Föderation für Bilder vom Typ %2, aber die Bilder dieses Arbeitsbereichs sind vom Typ %3. Treten Sie einer Föderation für diese Bilder bei oder importieren Sie zuerst Bilder vom Typ %2.</translation>
    </message>
    <message>
        <source> or </source>
        <translation> oder </translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot; is a federation for %2 images; %n of this workspace&apos;s images are %3 and would be trained on as the federation&apos;s classes. Remove them or check their labels.</source>
        <translation>
            <numerusform>„%1“ ist eine Föderation für Bilder vom Typ %2; %n Bild dieses Arbeitsbereichs ist vom Typ %3 und würde beim Training den Klassen der Föderation zugeordnet. Entfernen Sie es oder prüfen Sie sein Label.</numerusform>
            <numerusform>„%1“ ist eine Föderation für Bilder vom Typ %2; %n Bilder dieses Arbeitsbereichs sind vom Typ %3 und würden beim Training den Klassen der Föderation zugeordnet. Entfernen Sie sie oder prüfen Sie ihre Labels.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImagesPage</name>
    <message>
        <source>Lung</source>
        <translation>Lunge</translation>
    </message>
    <message>
        <source>Soft tissue</source>
        <translation>Weichteile</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Knochen</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Gehirn</translation>
    </message>
</context>
<context>
    <name>ImportScanner</name>
    <message>
        <source>the file or folder does not exist</source>
        <translation>die Datei oder der Ordner existiert nicht</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>keine normale Datei</translation>
    </message>
    <message>
        <source>the file is empty</source>
        <translation>die Datei ist leer</translation>
    </message>
    <message>
        <source>the file is larger than the limit of %1 MB</source>
        <translation>die Datei ist größer als die Grenze von %1 MB</translation>
    </message>
    <message>
        <source>cannot be opened</source>
        <translation>kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>a dangling symbolic link (its target %1 does not exist)</source>
        <translation>ein verwaister symbolischer Link (sein Ziel %1 existiert nicht)</translation>
    </message>
    <message>
        <source>the folder cannot be read (permission denied)</source>
        <translation>der Ordner kann nicht gelesen werden (Zugriff verweigert)</translation>
    </message>
    <message>
        <source>not a regular file (a FIFO, socket or device)</source>
        <translation>keine reguläre Datei (FIFO, Socket oder Gerät)</translation>
    </message>
</context>
<context>
    <name>RoundState</name>
    <message>
        <source>Connecting to the coordinator…</source>
        <translation>Verbindung zum Koordinator…</translation>
    </message>
    <message>
        <source>%1 of 1 site has sent its update</source>
        <translation>%1 von 1 Standort hat sein Update gesendet</translation>
    </message>
    <message>
        <source>%1 of %2 sites have sent their update</source>
        <translation>%1 von %2 Standorten haben ihr Update gesendet</translation>
    </message>
    <message>
        <source>waiting for the round to open</source>
        <translation>warten, bis die Runde beginnt</translation>
    </message>
    <message>
        <source>waiting for the federation&apos;s first round to open</source>
        <translation>warten, bis die erste Runde der Föderation beginnt</translation>
    </message>
    <message>
        <source>this site is training on its images</source>
        <translation>dieser Standort trainiert auf seinen Bildern</translation>
    </message>
    <message>
        <source>this site&apos;s update is sent; waiting for the other sites</source>
        <translation>das Update dieses Standorts ist gesendet; warten auf die anderen Standorte</translation>
    </message>
    <message>
        <source>this site&apos;s update is sent; %1</source>
        <translation>das Update dieses Standorts ist gesendet; %1</translation>
    </message>
    <message>
        <source>collecting the sites&apos; updates</source>
        <translation>die Updates der Standorte werden gesammelt</translation>
    </message>
    <message>
        <source>collecting updates: %1</source>
        <translation>Updates werden gesammelt: %1</translation>
    </message>
    <message>
        <source>(the round needs at least %1 sites)</source>
        <translation>(die Runde braucht mindestens %1 Standorte)</translation>
    </message>
    <message>
        <source>combining the sites&apos; updates</source>
        <translation>die Updates der Standorte werden zusammengeführt</translation>
    </message>
    <message>
        <source>the new shared model is published</source>
        <translation>das neue gemeinsame Modell ist veröffentlicht</translation>
    </message>
    <message>
        <source>Finished: all %1 rounds are done</source>
        <translation>Fertig: alle %1 Runden sind abgeschlossen</translation>
    </message>
    <message>
        <source>Finished: all rounds are done</source>
        <translation>Fertig: alle Runden sind abgeschlossen</translation>
    </message>
    <message>
        <source>Round %1 of %2 — %3</source>
        <translation>Runde %1 von %2 — %3</translation>
    </message>
    <message>
        <source>Round %1 — %2</source>
        <translation>Runde %1 — %2</translation>
    </message>
    <message>
        <source>Coordinator: %1</source>
        <translation>Koordinator: %1</translation>
    </message>
    <message>
        <source>Deadline: %1</source>
        <translation>Frist: %1</translation>
    </message>
</context>
<context>
    <name>RunDescription</name>
    <message>
        <source>local training, %1 training and %2 evaluation images</source>
        <translation>lokales Training, %1 Trainings- und %2 Auswertungsbilder</translation>
    </message>
    <message>
        <source>demo federation on this computer, %1 sites</source>
        <translation>Demo-Föderation auf diesem Computer, %1 Standorte</translation>
    </message>
    <message>
        <source>federation &quot;%1&quot; at %2</source>
        <translation>Föderation „%1“ bei %2</translation>
    </message>
    <message>
        <source>%1 training images, evaluated on %2 %3 images</source>
        <translation>%1 Trainingsbilder, ausgewertet auf %2 Bildern (%3)</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>Federated</source>
        <translation>Föderiert</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>Lokal</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
</context>
<context>
    <name>RunJournal</name>
    <message>
        <source>cancelled after round %1</source>
        <translation>abgebrochen nach Runde %1</translation>
    </message>
    <message>
        <source>stopped by an error after round %1</source>
        <translation>durch einen Fehler gestoppt nach Runde %1</translation>
    </message>
    <message>
        <source>interrupted after round %1 (the app was closed)</source>
        <translation>unterbrochen nach Runde %1 (die App wurde geschlossen)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>RuntimeSetup</name>
    <message>
        <source>CUDA was chosen in Settings, but no GPU is available; the CPU is used instead.</source>
        <translation>In den Einstellungen ist CUDA gewählt, aber es ist keine GPU verfügbar; stattdessen wird die CPU verwendet.</translation>
    </message>
    <message>
        <source>The model runs on a slow maths library; ask your IT department to install OpenBLAS.</source>
        <translation>Das Modell rechnet mit einer langsamen Mathematikbibliothek; bitten Sie Ihre IT-Abteilung, OpenBLAS zu installieren.</translation>
    </message>
</context>
<context>
    <name>SiteTraining</name>
    <message>
        <source>The workspace needs at least two classes to train a model.</source>
        <translation>Der Arbeitsbereich braucht mindestens zwei Klassen, um ein Modell zu trainieren.</translation>
    </message>
    <message>
        <source>Only %1 labelled training images could be used; at least %2 are needed. Import and label more images first.</source>
        <translation>Nur %1 gelabelte Trainingsbilder waren verwendbar; mindestens %2 werden gebraucht. Importieren und labeln Sie zuerst weitere Bilder.</translation>
    </message>
    <message>
        <source>No model bundle is set. Choose the model bundle folder in Settings.</source>
        <translation>Es ist kein Modellpaket festgelegt. Wählen Sie den Ordner des Modellpakets in den Einstellungen.</translation>
    </message>
    <message>
        <source>Loading the model bundle</source>
        <translation>Modellpaket wird geladen</translation>
    </message>
    <message>
        <source>this computer (demo federation)</source>
        <translation>dieser Computer (Demo-Föderation)</translation>
    </message>
    <message>
        <source>Reading images</source>
        <translation>Bilder werden gelesen</translation>
    </message>
    <message>
        <source>Saving the model</source>
        <translation>Modell wird gespeichert</translation>
    </message>
    <message>
        <source>This workspace has no demo federation to train with.</source>
        <translation>Dieser Arbeitsbereich hat keine Demo-Föderation zum Trainieren.</translation>
    </message>
    <message>
        <source>Reading the other sites&apos; images</source>
        <translation>Bilder der anderen Standorte werden gelesen</translation>
    </message>
    <message>
        <source>Federated round %1 of %2</source>
        <translation>Föderierte Runde %1 von %2</translation>
    </message>
</context>
<context>
    <name>UserMessages</name>
    <message>
        <source>The coordinator at %1 does not answer. It may be down, or this computer may not reach it. Try again later, or ask your federation administrator.</source>
        <translation>Der Koordinator unter %1 antwortet nicht. Er ist vielleicht ausgefallen, oder dieser Computer erreicht ihn nicht. Versuchen Sie es später erneut oder fragen Sie die Administration Ihrer Föderation.</translation>
    </message>
    <message>
        <source>This workspace already takes part in federation %1. Open another workspace to join a second one.</source>
        <translation>Dieser Arbeitsbereich nimmt bereits an der Föderation %1 teil. Öffnen Sie einen anderen Arbeitsbereich, um einer zweiten beizutreten.</translation>
    </message>
    <message>
        <source>The coordinator refused this enrollment code. It may be mistyped, already used or expired; ask your federation administrator for a new one.</source>
        <translation>Der Koordinator hat diesen Registrierungscode abgelehnt. Er ist vielleicht vertippt, schon benutzt oder abgelaufen; bitten Sie die Administration Ihrer Föderation um einen neuen.</translation>
    </message>
    <message>
        <source>The coordinator no longer recognises this site. Ask your federation administrator for a new enrollment code and join again.</source>
        <translation>Der Koordinator erkennt diesen Standort nicht mehr. Bitten Sie die Administration Ihrer Föderation um einen neuen Registrierungscode und treten Sie erneut bei.</translation>
    </message>
    <message>
        <source>The coordinator refused this request from this site.</source>
        <translation>Der Koordinator hat diese Anfrage dieses Standorts abgelehnt.</translation>
    </message>
    <message>
        <source>The coordinator does not know this federation (it may have been removed).</source>
        <translation>Der Koordinator kennt diese Föderation nicht (sie wurde vielleicht entfernt).</translation>
    </message>
    <message>
        <source>The coordinator refused the request because it conflicts with the federation&apos;s current state.</source>
        <translation>Der Koordinator hat die Anfrage abgelehnt, weil sie dem aktuellen Zustand der Föderation widerspricht.</translation>
    </message>
    <message>
        <source>The coordinator had a problem answering. Try again later.</source>
        <translation>Der Koordinator hatte ein Problem beim Antworten. Versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <source>The coordinator refused the request.</source>
        <translation>Der Koordinator hat die Anfrage abgelehnt.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::BundlePage</name>
    <message>
        <source>Check the model files</source>
        <translation>Modelldateien prüfen</translation>
    </message>
    <message>
        <source>Every site must use exactly the same model files, or the shared model would not fit. This checks the files on this computer against the federation&apos;s.</source>
        <translation>Jeder Standort muss genau dieselben Modelldateien verwenden, sonst passt das gemeinsame Modell nicht. Hier werden die Dateien auf diesem Computer mit denen der Föderation verglichen.</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Model bundle folder on this computer:</source>
        <translation>Ordner des Modellpakets auf diesem Computer:</translation>
    </message>
    <message>
        <source>Model bundle folder</source>
        <translation>Ordner des Modellpakets</translation>
    </message>
    <message>
        <source>The federation uses the model bundle &quot;%1&quot; (fingerprint %2).</source>
        <translation>Die Föderation verwendet das Modellpaket „%1“ (Fingerabdruck %2).</translation>
    </message>
    <message>
        <source>The model files match the federation&apos;s.</source>
        <translation>Die Modelldateien stimmen mit denen der Föderation überein.</translation>
    </message>
    <message>
        <source>Choose the folder with the model bundle (it contains a file called manifest.json).</source>
        <translation>Wählen Sie den Ordner mit dem Modellpaket (er enthält eine Datei namens manifest.json).</translation>
    </message>
    <message>
        <source>These model files are not the ones the federation uses: this folder holds &quot;%1&quot; (fingerprint %2), the federation expects &quot;%3&quot; (fingerprint %4). Ask your administrator for the right model bundle.</source>
        <translation>Diese Modelldateien sind nicht die der Föderation: Dieser Ordner enthält „%1“ (Fingerabdruck %2), die Föderation erwartet „%3“ (Fingerabdruck %4). Fragen Sie Ihre Administration nach dem richtigen Modellpaket.</translation>
    </message>
    <message>
        <source>The model files could not be checked: %1</source>
        <translation>Die Modelldateien konnten nicht geprüft werden: %1</translation>
    </message>
    <message>
        <source>Checking the model files</source>
        <translation>Modelldateien werden geprüft</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CertificatePage</name>
    <message>
        <source>Check the coordinator&apos;s identity</source>
        <translation>Identität des Koordinators prüfen</translation>
    </message>
    <message>
        <source>The fingerprint matches the one my federation administrator gave me</source>
        <translation>Der Fingerabdruck stimmt mit dem überein, den mir die Administration meiner Föderation gegeben hat</translation>
    </message>
    <message>
        <source>Issued to: %1
Issued by: %2
Valid until: %3</source>
        <translation>Ausgestellt für: %1
Ausgestellt von: %2
Gültig bis: %3</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the one from your administrator and tick the box. If it does not match, do not continue and tell your administrator.</source>
        <translation>Vergleichen Sie den Fingerabdruck mit dem Ihrer Administration und setzen Sie das Häkchen. Stimmt er nicht überein, fahren Sie nicht fort und informieren Sie Ihre Administration.</translation>
    </message>
    <message>
        <source>Enrolling this site</source>
        <translation>Dieser Standort wird registriert</translation>
    </message>
    <message>
        <source>Make sure this site talks to your federation&apos;s coordinator and nobody else: compare its certificate&apos;s fingerprint, or trust the federation&apos;s CA certificate your administrator gave you.</source>
        <translation>Stellen Sie sicher, dass dieser Standort mit dem Koordinator Ihrer Föderation spricht und mit niemandem sonst: Vergleichen Sie den Fingerabdruck seines Zertifikats, oder vertrauen Sie dem CA-Zertifikat der Föderation, das Ihnen Ihr Administrator gegeben hat.</translation>
    </message>
    <message>
        <source>Compare the certificate&apos;s fingerprint</source>
        <translation>Fingerabdruck des Zertifikats vergleichen</translation>
    </message>
    <message>
        <source>Trust the federation&apos;s CA certificate (a file from your administrator)</source>
        <translation>Dem CA-Zertifikat der Föderation vertrauen (eine Datei von Ihrem Administrator)</translation>
    </message>
    <message>
        <source>Compare this fingerprint with the one your federation administrator gave you, character by character. If it differs, stop: someone may be pretending to be the coordinator. SHA-256 fingerprint:</source>
        <translation>Vergleichen Sie diesen Fingerabdruck Zeichen für Zeichen mit dem, den Ihnen der Administrator Ihrer Föderation gegeben hat. Weicht er ab, brechen Sie ab: Jemand gibt sich womöglich als Koordinator aus. SHA-256-Fingerabdruck:</translation>
    </message>
    <message>
        <source>Choose the CA certificate file…</source>
        <translation>CA-Zertifikatsdatei wählen…</translation>
    </message>
    <message>
        <source>With the federation&apos;s CA certificate this site also trusts the coordinator&apos;s renewed certificates. It is a .pem file, or the invitation file that came with your enrollment code.</source>
        <translation>Mit dem CA-Zertifikat der Föderation vertraut dieser Standort auch den erneuerten Zertifikaten des Koordinators. Es ist eine .pem-Datei oder die Einladungsdatei, die Sie mit Ihrem Registrierungscode erhalten haben.</translation>
    </message>
    <message>
        <source>The federation&apos;s CA certificate</source>
        <translation>Das CA-Zertifikat der Föderation</translation>
    </message>
    <message>
        <source>Certificates and invitations (*.pem *.crt *.json);;All files (*)</source>
        <translation>Zertifikate und Einladungen (*.pem *.crt *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Checking the coordinator&apos;s certificate against this CA…</source>
        <translation>Das Zertifikat des Koordinators wird gegen diese CA geprüft…</translation>
    </message>
    <message>
        <source>The coordinator&apos;s certificate is signed by this CA.</source>
        <translation>Das Zertifikat des Koordinators ist von dieser CA signiert.</translation>
    </message>
    <message>
        <source>This CA certificate does not vouch for the coordinator at %1: %2. Choose the file your federation administrator gave you for this federation, or ask them.</source>
        <translation>Dieses CA-Zertifikat bürgt nicht für den Koordinator unter %1: %2. Wählen Sie die Datei, die Ihnen der Administrator Ihrer Föderation für diese Föderation gegeben hat, oder fragen Sie ihn.</translation>
    </message>
    <message>
        <source>%1 is not a PEM certificate file (one starts with &quot;-----BEGIN CERTIFICATE-----&quot;). Choose the federation&apos;s CA certificate your administrator gave you.</source>
        <translation>%1 ist keine PEM-Zertifikatsdatei (eine solche beginnt mit „-----BEGIN CERTIFICATE-----“). Wählen Sie das CA-Zertifikat der Föderation, das Ihnen Ihr Administrator gegeben hat.</translation>
    </message>
    <message>
        <source>This CA certificate expired on %1. Ask your federation administrator for the current one.</source>
        <translation>Dieses CA-Zertifikat ist am %1 abgelaufen. Bitten Sie den Administrator Ihrer Föderation um das aktuelle.</translation>
    </message>
    <message>
        <source>Choose the federation&apos;s CA certificate file, or compare the fingerprint instead.</source>
        <translation>Wählen Sie die CA-Zertifikatsdatei der Föderation, oder vergleichen Sie stattdessen den Fingerabdruck.</translation>
    </message>
    <message>
        <source>Wait until the coordinator&apos;s certificate is checked against this CA.</source>
        <translation>Warten Sie, bis das Zertifikat des Koordinators gegen diese CA geprüft ist.</translation>
    </message>
    <message>
        <source>This CA certificate does not vouch for the coordinator.</source>
        <translation>Dieses CA-Zertifikat bürgt nicht für den Koordinator.</translation>
    </message>
    <message>
        <source>CA certificate: %1
SHA-256 fingerprint: %2
Valid until: %3</source>
        <translation>CA-Zertifikat: %1
SHA-256-Fingerabdruck: %2
Gültig bis: %3</translation>
    </message>
    <message>
        <source>Checking the coordinator&apos;s certificate</source>
        <translation>Zertifikat des Koordinators wird geprüft</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The invitation file could not be read: %1</source>
        <translation>Die Einladungsdatei konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>This invitation file holds no CA certificate, only a fingerprint: compare the fingerprint instead.</source>
        <translation>Diese Einladungsdatei enthält kein CA-Zertifikat, nur einen Fingerabdruck: Vergleichen Sie stattdessen den Fingerabdruck.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CheckedWizardPage</name>
    <message>
        <source>Details…</source>
        <translation>Details…</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ClassMappingModel</name>
    <message>
        <source>(not used)</source>
        <translation>(nicht verwendet)</translation>
    </message>
    <message>
        <source>Your label</source>
        <translation>Ihr Label</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Federation class</source>
        <translation>Klasse der Föderation</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ClassifyPage</name>
    <message>
        <source>Center</source>
        <translation>Zentrum</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>Breite</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Could not classify: %1</source>
        <translation>Klassifizierung nicht möglich: %1</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Klassifizieren</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>Bild öffnen…</translation>
    </message>
    <message>
        <source>DICOM display window</source>
        <translation>DICOM-Anzeigefenster</translation>
    </message>
    <message>
        <source>Back to the file&apos;s window</source>
        <translation>Zurück zum Fenster der Datei</translation>
    </message>
    <message>
        <source>Save prediction</source>
        <translation>Vorhersage speichern</translation>
    </message>
    <message>
        <source>Open an image, drop one here, or double-click one on the Images page.</source>
        <translation>Öffnen Sie ein Bild, ziehen Sie eines hierher oder doppelklicken Sie auf eines auf der Seite Bilder.</translation>
    </message>
    <message>
        <source>Ensemble (FAM and MLP together)</source>
        <translation>Ensemble (FAM und MLP zusammen)</translation>
    </message>
    <message>
        <source>FAM only (shared federation model)</source>
        <translation>Nur FAM (gemeinsames Modell der Föderation)</translation>
    </message>
    <message>
        <source>MLP only (this site&apos;s private model)</source>
        <translation>Nur MLP (privates Modell dieses Standorts)</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Modell wird geladen…</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>Modell wird geladen</translation>
    </message>
    <message>
        <source>Open a workspace first: its model does the classifying.</source>
        <translation>Öffnen Sie zuerst einen Arbeitsbereich: Dessen Modell klassifiziert.</translation>
    </message>
    <message>
        <source>No model bundle is set. Choose the model bundle folder in Settings.</source>
        <translation>Es ist kein Modellpaket festgelegt. Wählen Sie den Ordner des Modellpakets in den Einstellungen.</translation>
    </message>
    <message>
        <source>Classifying…</source>
        <translation>Wird klassifiziert…</translation>
    </message>
    <message>
        <source>Classifying</source>
        <translation>Klassifizierung</translation>
    </message>
    <message>
        <source>%1 · labelled &quot;%2&quot; in this workspace</source>
        <translation>%1 · in diesem Arbeitsbereich als „%2“ gelabelt</translation>
    </message>
    <message>
        <source>Most likely: %1 (%2)</source>
        <translation>Am wahrscheinlichsten: %1 (%2)</translation>
    </message>
    <message>
        <source>The model is unsure about this image (uncertainty %1 %): several classes are close. Do not rely on this result.</source>
        <translation>Das Modell ist sich bei diesem Bild unsicher (Unsicherheit %1 %): Mehrere Klassen liegen nah beieinander. Verlassen Sie sich nicht auf dieses Ergebnis.</translation>
    </message>
    <message>
        <source>Uncertainty: %1 % (low)</source>
        <translation>Unsicherheit: %1 % (gering)</translation>
    </message>
    <message>
        <source>Model: not trained yet (shared FAM only).</source>
        <translation>Modell: noch nicht trainiert (nur gemeinsames FAM).</translation>
    </message>
    <message>
        <source>Model version %1.</source>
        <translation>Modellversion %1.</translation>
    </message>
    <message>
        <source>The MLP view appears once this site has trained.</source>
        <translation>Die MLP-Ansicht erscheint, sobald dieser Standort trainiert hat.</translation>
    </message>
    <message>
        <source>Demo model with random weights: the result means nothing clinically.</source>
        <translation>Demo-Modell mit Zufallsgewichten: Das Ergebnis hat keinerlei klinische Bedeutung.</translation>
    </message>
    <message>
        <source>Computed in %1 ms.</source>
        <translation>Berechnet in %1 ms.</translation>
    </message>
    <message>
        <source>Prediction not saved</source>
        <translation>Vorhersage nicht gespeichert</translation>
    </message>
    <message>
        <source>The prediction could not be saved: %1</source>
        <translation>Die Vorhersage konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Prediction saved to the workspace.</source>
        <translation>Vorhersage im Arbeitsbereich gespeichert.</translation>
    </message>
    <message>
        <source>Open an image</source>
        <translation>Ein Bild öffnen</translation>
    </message>
    <message>
        <source>Soft tissue</source>
        <translation>Weichteile</translation>
    </message>
    <message>
        <source>Lung</source>
        <translation>Lunge</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Knochen</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Gehirn</translation>
    </message>
    <message>
        <source>Center %1 HU, width %2 HU</source>
        <translation>Zentrum %1 HE, Breite %2 HE</translation>
    </message>
    <message>
        <source>Whole range</source>
        <translation>Gesamter Bereich</translation>
    </message>
    <message>
        <source>A window from the lowest to the highest value in this image</source>
        <translation>Ein Fenster vom niedrigsten bis zum höchsten Wert dieses Bildes</translation>
    </message>
    <message>
        <source>Changes the display only. The model classifies the file&apos;s own rendering (with the file&apos;s window), as in training.</source>
        <translation>Ändert nur die Anzeige. Das Modell klassifiziert die eigene Darstellung der Datei (mit dem Fenster der Datei), wie im Training.</translation>
    </message>
    <message>
        <source>Saved predictions</source>
        <translation>Gespeicherte Vorhersagen</translation>
    </message>
    <message>
        <source>Values in this image: %1 to %2 HU</source>
        <translation>Werte in diesem Bild: %1 bis %2 HE</translation>
    </message>
    <message>
        <source>Values in this image: %1 to %2</source>
        <translation>Werte in diesem Bild: %1 bis %2</translation>
    </message>
    <message>
        <source>Prediction saved to the workspace (model: %1).</source>
        <translation>Vorhersage im Arbeitsbereich gespeichert (Modell: %1).</translation>
    </message>
    <message>
        <source>Opening the image</source>
        <translation>Bild wird geöffnet</translation>
    </message>
    <message>
        <source>Images and DICOM files (*);;Photos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;DICOM files (*.dcm *.dicom)</source>
        <translation>Bilder und DICOM-Dateien (*);;Fotos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;DICOM-Dateien (*.dcm *.dicom)</translation>
    </message>
    <message>
        <source>Model card…</source>
        <translation>Modellkarte…</translation>
    </message>
    <message>
        <source>What this model was trained on and how well it did on the site&apos;s held-out images</source>
        <translation>Worauf dieses Modell trainiert wurde und wie gut es auf den zurückgehaltenen Bildern des Standorts abschnitt</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>Graustufen</translation>
    </message>
    <message>
        <source>photo (not DICOM)</source>
        <translation>Foto (kein DICOM)</translation>
    </message>
    <message>
        <source> or </source>
        <translation> oder </translation>
    </message>
    <message>
        <source>its modality is %1, the model is for %2</source>
        <translation>seine Modalität ist %1, das Modell ist für %2</translation>
    </message>
    <message>
        <source>its body part is %1, the model is for %2</source>
        <translation>seine Körperregion ist %1, das Modell ist für %2</translation>
    </message>
    <message>
        <source>it is a %1 image, the model is for %2 images</source>
        <translation>es ist ein Bild in %1, das Modell ist für Bilder in %2</translation>
    </message>
    <message>
        <source>its features are farther from every training image than %1 of the validation images were (distance %2, threshold %3)</source>
        <translation>seine Merkmale sind weiter von allen Trainingsbildern entfernt als die von %1 der Validierungsbilder (Abstand %2, Schwelle %3)</translation>
    </message>
    <message>
        <source>This image does not look like the images the model was trained on (%1). The result below is shown for reference only: do not rely on it.</source>
        <translation>Dieses Bild sieht nicht aus wie die Bilder, auf denen das Modell trainiert wurde (%1). Das Ergebnis unten dient nur zur Orientierung: Verlassen Sie sich nicht darauf.</translation>
    </message>
    <message>
        <source>This model is no better than chance on its %1 validation images (balanced accuracy %2; chance is %3 for %4 classes). Do not rely on it; tell your site staff.</source>
        <translation>Dieses Modell ist auf seinen %1 Validierungsbildern nicht besser als der Zufall (balancierte Genauigkeit %2; Zufall ergibt %3 bei %4 Klassen). Verlassen Sie sich nicht darauf; informieren Sie das Team Ihres Standorts.</translation>
    </message>
    <message>
        <source>%1 prediction set: one of: %2</source>
        <translation>Vorhersagemenge zu %1: eine von: %2</translation>
    </message>
    <message>
        <source>This set is large (%1 of %2 classes): the model cannot narrow this image down, so the top class alone means little.</source>
        <translation>Diese Menge ist groß (%1 von %2 Klassen): Das Modell kann dieses Bild nicht eingrenzen, die wahrscheinlichste Klasse allein sagt also wenig.</translation>
    </message>
    <message>
        <source>The two parts of the model disagree: the FAM (shared) says %1, the MLP (this site&apos;s) says %2. Look at both views and be cautious.</source>
        <translation>Die beiden Teile des Modells sind sich nicht einig: Das FAM (gemeinsam) sagt %1, das MLP (dieses Standorts) sagt %2. Sehen Sie sich beide Ansichten an und seien Sie vorsichtig.</translation>
    </message>
    <message>
        <source>Probabilities calibrated on %1 validation images.</source>
        <translation>Wahrscheinlichkeiten auf %1 Validierungsbildern kalibriert.</translation>
    </message>
    <message>
        <source>Its %1 prediction sets covered the true class in %2 of %3 test images.</source>
        <translation>Seine Vorhersagemengen zu %1 enthielten die wahre Klasse bei %2 der %3 Testbilder.</translation>
    </message>
    <message>
        <source>Model version %1</source>
        <translation>Modellversion %1</translation>
    </message>
    <message>
        <source>Bundle %1 (%2), calibrated %3.</source>
        <translation>Paket %1 (%2), kalibriert am %3.</translation>
    </message>
    <message>
        <source>DEMO bundle with random weights: these figures say nothing clinical.</source>
        <translation>DEMO-Paket mit Zufallsgewichten: Diese Zahlen sagen klinisch nichts aus.</translation>
    </message>
    <message>
        <source>Training images per class</source>
        <translation>Trainingsbilder pro Klasse</translation>
    </message>
    <message>
        <source>%1 images: accuracy %2, balanced accuracy %3, macro F1 %4</source>
        <translation>%1 Bilder: Genauigkeit %2, balancierte Genauigkeit %3, Makro-F1 %4</translation>
    </message>
    <message>
        <source>Validation (ensemble)</source>
        <translation>Validierung (Ensemble)</translation>
    </message>
    <message>
        <source>Test (ensemble)</source>
        <translation>Test (Ensemble)</translation>
    </message>
    <message>
        <source>No better than chance on its validation images.</source>
        <translation>Auf seinen Validierungsbildern nicht besser als der Zufall.</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Kalibrierung</translation>
    </message>
    <message>
        <source>Temperature %1; validation negative log-likelihood %2 before, %3 after.</source>
        <translation>Temperatur %1; negative Log-Likelihood auf der Validierung %2 vorher, %3 nachher.</translation>
    </message>
    <message>
        <source>On %1 test images: expected calibration error %2 before, %3 after; negative log-likelihood %4 before, %5 after.</source>
        <translation>Auf %1 Testbildern: erwarteter Kalibrierungsfehler %2 vorher, %3 nachher; negative Log-Likelihood %4 vorher, %5 nachher.</translation>
    </message>
    <message>
        <source>%1 prediction sets covered the true class in %2 of %3 test images (mean set size %4).</source>
        <translation>Vorhersagemengen zu %1 enthielten die wahre Klasse bei %2 der %3 Testbilder (mittlere Größe %4).</translation>
    </message>
    <message>
        <source>Images it is for</source>
        <translation>Bilder, für die es gedacht ist</translation>
    </message>
    <message>
        <source>Declared by the site: %1</source>
        <translation>Vom Standort angegeben: %1</translation>
    </message>
    <message>
        <source>Seen in its training images: %1</source>
        <translation>In seinen Trainingsbildern gesehen: %1</translation>
    </message>
    <message>
        <source>modality %1; body part %2; %3</source>
        <translation>Modalität %1; Körperregion %2; %3</translation>
    </message>
    <message>
        <source>any</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>Modellkarte</translation>
    </message>
    <message>
        <source>DICOM report</source>
        <translation>DICOM-Bericht</translation>
    </message>
    <message>
        <source>Export as DICOM SR…</source>
        <translation>Als DICOM SR exportieren…</translation>
    </message>
    <message>
        <source>The selected prediction as a DICOM structured report file (DICOM images only)</source>
        <translation>Die ausgewählte Vorhersage als Datei mit einem strukturierten DICOM-Bericht (nur DICOM-Bilder)</translation>
    </message>
    <message>
        <source>Send to PACS</source>
        <translation>An das PACS senden</translation>
    </message>
    <message>
        <source>Store the selected prediction as a DICOM structured report on the PACS of Settings › PACS, in the image&apos;s study</source>
        <translation>Die ausgewählte Vorhersage als strukturierten DICOM-Bericht im PACS aus Einstellungen › PACS speichern, in der Studie des Bildes</translation>
    </message>
    <message>
        <source>this site has not trained a model yet, so the percentages are raw scores of the shared model</source>
        <translation>dieser Standort hat noch kein Modell trainiert, die Prozentwerte sind daher Rohwerte des gemeinsamen Modells</translation>
    </message>
    <message>
        <source>this model had no validation images to calibrate on, so the percentages are the model&apos;s raw scores</source>
        <translation>dieses Modell hatte keine Validierungsbilder zum Kalibrieren, die Prozentwerte sind daher die Rohwerte des Modells</translation>
    </message>
    <message>
        <source>this model version was saved without a calibration, so the percentages are the model&apos;s raw scores</source>
        <translation>diese Modellversion wurde ohne Kalibrierung gespeichert, die Prozentwerte sind daher die Rohwerte des Modells</translation>
    </message>
    <message>
        <source>Not calibrated: %1, not probabilities. There is no prediction set and no check against the training images. Do not read them as chances; ask your site staff to import images with a validation share and train again.</source>
        <translation>Nicht kalibriert: %1, keine Wahrscheinlichkeiten. Es gibt keine Vorhersagemenge und keinen Abgleich mit den Trainingsbildern. Lesen Sie sie nicht als Trefferwahrscheinlichkeiten; bitten Sie das Team Ihres Standorts, Bilder mit einem Validierungsanteil zu importieren und erneut zu trainieren.</translation>
    </message>
    <message>
        <source>Most likely: %1 (raw score %2, not calibrated)</source>
        <translation>Am wahrscheinlichsten: %1 (Rohwert %2, nicht kalibriert)</translation>
    </message>
    <message>
        <source>No prediction set in this view: it was not calibrated on validation images.</source>
        <translation>Keine Vorhersagemenge in dieser Ansicht: Sie wurde nicht auf Validierungsbildern kalibriert.</translation>
    </message>
    <message>
        <source>Raw scores, not calibrated.</source>
        <translation>Rohwerte, nicht kalibriert.</translation>
    </message>
    <message>
        <source>Export as DICOM SR</source>
        <translation>Als DICOM SR exportieren</translation>
    </message>
    <message>
        <source>DICOM files (*.dcm)</source>
        <translation>DICOM-Dateien (*.dcm)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ConnectionPage</name>
    <message>
        <source>Test the connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>A last check that the coordinator answers and recognises this site.</source>
        <translation>Eine letzte Prüfung, ob der Koordinator antwortet und diesen Standort erkennt.</translation>
    </message>
    <message>
        <source>Test again</source>
        <translation>Erneut testen</translation>
    </message>
    <message>
        <source>Connected: the coordinator answers and knows this site.</source>
        <translation>Verbunden: Der Koordinator antwortet und kennt diesen Standort.</translation>
    </message>
    <message>
        <source>Testing the connection</source>
        <translation>Verbindung wird getestet</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CoordinatorPage</name>
    <message>
        <source>Connect to the federation</source>
        <translation>Mit der Föderation verbinden</translation>
    </message>
    <message>
        <source>Your federation administrator gave you the coordinator&apos;s address and a one-time enrollment code.</source>
        <translation>Die Administration Ihrer Föderation hat Ihnen die Adresse des Koordinators und einen einmaligen Registrierungscode gegeben.</translation>
    </message>
    <message>
        <source>Coordinator address</source>
        <translation>Adresse des Koordinators</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>Registrierungscode</translation>
    </message>
    <message>
        <source>Type the coordinator&apos;s address, for example https://federation.example.org:8443.</source>
        <translation>Geben Sie die Adresse des Koordinators ein, zum Beispiel https://federation.example.org:8443.</translation>
    </message>
    <message>
        <source>The address starts with http://, which is not encrypted. The federation only works over https:// — ask your administrator for the https address.</source>
        <translation>Die Adresse beginnt mit http://, das ist unverschlüsselt. Die Föderation funktioniert nur über https:// – fragen Sie Ihre Administration nach der https-Adresse.</translation>
    </message>
    <message>
        <source>Type the address with https:// at the start, for example https://%1.</source>
        <translation>Geben Sie die Adresse mit https:// am Anfang ein, zum Beispiel https://%1.</translation>
    </message>
    <message>
        <source>That does not look like a coordinator address. It should look like https://federation.example.org:8443.</source>
        <translation>Das sieht nicht wie eine Koordinator-Adresse aus. Sie sollte so aussehen: https://federation.example.org:8443.</translation>
    </message>
    <message>
        <source>Type the enrollment code your federation administrator gave you.</source>
        <translation>Geben Sie den Registrierungscode ein, den Sie von der Administration Ihrer Föderation erhalten haben.</translation>
    </message>
    <message>
        <source>The enrollment code looks incomplete or mistyped (it has at least 6 letters, digits or dashes). Check it against the one you received.</source>
        <translation>Der Registrierungscode scheint unvollständig oder vertippt (er hat mindestens 6 Buchstaben, Ziffern oder Bindestriche). Vergleichen Sie ihn mit dem erhaltenen Code.</translation>
    </message>
    <message>
        <source>Contacting the coordinator</source>
        <translation>Koordinator wird kontaktiert</translation>
    </message>
    <message>
        <source>Open invitation file…</source>
        <translation>Einladungsdatei öffnen…</translation>
    </message>
    <message>
        <source>The enrollment file your administrator may have sent instead: it holds the address, the code and the federation&apos;s CA certificate.</source>
        <translation>Die Registrierungsdatei, die Ihnen Ihr Administrator stattdessen geschickt haben kann: Sie enthält die Adresse, den Code und das CA-Zertifikat der Föderation.</translation>
    </message>
    <message>
        <source>Invitation file</source>
        <translation>Einladungsdatei</translation>
    </message>
    <message>
        <source>Invitation files (*.json);;All files (*)</source>
        <translation>Einladungsdateien (*.json);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DataPage</name>
    <message>
        <source>Your site&apos;s data</source>
        <translation>Die Daten Ihres Standorts</translation>
    </message>
    <message>
        <source>These are the images your site will train on. The images never leave this computer: only the model&apos;s shared part does.</source>
        <translation>Mit diesen Bildern trainiert Ihr Standort. Die Bilder verlassen diesen Computer nie: Nur der gemeinsame Teil des Modells wird übertragen.</translation>
    </message>
    <message>
        <source>Import images…</source>
        <translation>Bilder importieren…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n image(s)</source>
        <translation>
            <numerusform>%1: %n Bild</numerusform>
            <numerusform>%1: %n Bilder</numerusform>
        </translation>
    </message>
    <message>
        <source>Your site has %1 labelled images in the federation&apos;s classes; at least %2 are needed. Import or label more images, then come back.</source>
        <translation>Ihr Standort hat %1 gelabelte Bilder in den Klassen der Föderation; mindestens %2 werden gebraucht. Importieren oder labeln Sie weitere Bilder und kommen Sie dann zurück.</translation>
    </message>
    <message>
        <source>Your images cover only one of the federation&apos;s classes; at least two are needed.</source>
        <translation>Ihre Bilder decken nur eine der Klassen der Föderation ab; mindestens zwei werden gebraucht.</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>Graustufen</translation>
    </message>
    <message>
        <source>The federation is for: %1.</source>
        <translation>Die Föderation ist gedacht für: %1.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DicomBrowserModel</name>
    <message>
        <source>Patient / study / series / image</source>
        <translation>Patient / Studie / Serie / Bild</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(ohne Namen)</translation>
    </message>
    <message>
        <source>Study %1</source>
        <translation>Studie %1</translation>
    </message>
    <message>
        <source>Study of %1</source>
        <translation>Studie vom %1</translation>
    </message>
    <message>
        <source>unknown date</source>
        <translation>unbekanntes Datum</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Serie</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(ohne Label)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DonePage</name>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>This site joins &quot;%1&quot; at %2 with %3 classes. Press Finish to save the setup in this workspace; federated training then starts from the Train page.</source>
        <translation>Dieser Standort tritt „%1“ unter %2 mit %3 Klassen bei. Klicken Sie auf Fertigstellen, um die Einrichtung in diesem Arbeitsbereich zu speichern; das föderierte Training starten Sie dann auf der Seite Trainieren.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::FederationWizard</name>
    <message>
        <source>Join a federation</source>
        <translation>Einer Föderation beitreten</translation>
    </message>
    <message>
        <source>The setup could not be saved: %1</source>
        <translation>Die Einrichtung konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>The invitation file could not be read: %1</source>
        <translation>Die Einladungsdatei konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>This workspace already takes part in federation “%1”. Open another workspace to join a second one.</source>
        <translation>Dieser Arbeitsbereich nimmt bereits an der Föderation „%1“ teil. Öffnen Sie einen anderen Arbeitsbereich, um einer zweiten beizutreten.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryChartBinder</name>
    <message>
        <source>Round</source>
        <translation>Runde</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>KiB</source>
        <translation>KiB</translation>
    </message>
    <message>
        <source>Round %1 · %2: %3</source>
        <translation>Runde %1 · %2: %3</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryModel</name>
    <message>
        <source>Round</source>
        <translation>Runde</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>Balanced accuracy</source>
        <translation>Balancierte Genauigkeit</translation>
    </message>
    <message>
        <source>Macro F1</source>
        <translation>Makro-F1</translation>
    </message>
    <message>
        <source>Federation accuracy</source>
        <translation>Genauigkeit der Föderation</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <source>Recall: %1</source>
        <translation>Sensitivität: %1</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryPage</name>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Export charts (PNG)…</source>
        <translation>Diagramme exportieren (PNG)…</translation>
    </message>
    <message>
        <source>Export data (CSV)…</source>
        <translation>Daten exportieren (CSV)…</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Trainingsverlust</translation>
    </message>
    <message>
        <source>Data exchanged per round</source>
        <translation>Ausgetauschte Daten pro Runde</translation>
    </message>
    <message>
        <source>Recall per class</source>
        <translation>Sensitivität pro Klasse</translation>
    </message>
    <message>
        <source>No training yet. Train on the Train page; every round appears here.</source>
        <translation>Noch kein Training. Trainieren Sie auf der Seite Trainieren; jede Runde erscheint hier.</translation>
    </message>
    <message>
        <source>Open a workspace to see its training history.</source>
        <translation>Öffnen Sie einen Arbeitsbereich, um seinen Trainingsverlauf zu sehen.</translation>
    </message>
    <message>
        <source>Export the rounds as CSV</source>
        <translation>Runden als CSV exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>The file could not be written: %1</source>
        <translation>Die Datei konnte nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>Export the charts as PNG</source>
        <translation>Diagramme als PNG exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Accuracy and F1 on held-out images</source>
        <translation>Genauigkeit und F1 auf zurückgehaltenen Bildern</translation>
    </message>
    <message numerus="yes">
        <source>interrupted %n time(s)</source>
        <translation>
            <numerusform>%n-mal unterbrochen</numerusform>
            <numerusform>%n-mal unterbrochen</numerusform>
        </translation>
    </message>
    <message>
        <source>This run was interrupted: %1.</source>
        <translation>Dieser Lauf wurde unterbrochen: %1.</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>stopped by an error</source>
        <translation>durch einen Fehler gestoppt</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImageTableModel</name>
    <message>
        <source>training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <source>test</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(ohne Label)</translation>
    </message>
    <message>
        <source>photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Aufteilung</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImageView</name>
    <message>
        <source>ID %1</source>
        <translation>ID %1</translation>
    </message>
    <message>
        <source>Born %1</source>
        <translation>Geboren %1</translation>
    </message>
    <message>
        <source>Frame %1 of %2</source>
        <translation>Frame %1 von %2</translation>
    </message>
    <message>
        <source>Image %1 of %2</source>
        <translation>Bild %1 von %2</translation>
    </message>
    <message>
        <source>W %1  L %2</source>
        <translation>W %1  L %2</translation>
    </message>
    <message>
        <source>Zoom %1 %</source>
        <translation>Zoom %1 %</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>DICOM tags</source>
        <translation>DICOM-Attribute</translation>
    </message>
    <message>
        <source>Filter tags</source>
        <translation>Attribute filtern</translation>
    </message>
    <message>
        <source>Attribute</source>
        <translation>Attribut</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImagesPage</name>
    <message>
        <source>Label not saved</source>
        <translation>Label nicht gespeichert</translation>
    </message>
    <message>
        <source>The label could not be saved: %1</source>
        <translation>Das Label konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>Import fehlgeschlagen</translation>
    </message>
    <message>
        <source>The import stopped: %1</source>
        <translation>Der Import wurde abgebrochen: %1</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Import files…</source>
        <translation>Dateien importieren…</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>Ordner importieren…</translation>
    </message>
    <message>
        <source>Set label…</source>
        <translation>Label festlegen…</translation>
    </message>
    <message>
        <source>Search file names</source>
        <translation>Dateinamen suchen</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Raster</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>Tabelle</translation>
    </message>
    <message>
        <source>No images yet. Import files or a folder, or drop them here.</source>
        <translation>Noch keine Bilder. Importieren Sie Dateien oder einen Ordner oder ziehen Sie sie hierher.</translation>
    </message>
    <message>
        <source>Open or create a workspace to import images.</source>
        <translation>Öffnen oder erstellen Sie einen Arbeitsbereich, um Bilder zu importieren.</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(ohne Label)</translation>
    </message>
    <message>
        <source>All labels</source>
        <translation>Alle Labels</translation>
    </message>
    <message>
        <source>photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>All modalities</source>
        <translation>Alle Modalitäten</translation>
    </message>
    <message>
        <source>All splits</source>
        <translation>Alle Aufteilungen</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>Alle Standorte</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n Bild</numerusform>
            <numerusform>%n Bilder</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 images</source>
        <translation>%1 von %2 Bildern</translation>
    </message>
    <message>
        <source>No workspace</source>
        <translation>Kein Arbeitsbereich</translation>
    </message>
    <message>
        <source>Open or create a workspace first, then import images.</source>
        <translation>Öffnen oder erstellen Sie zuerst einen Arbeitsbereich und importieren Sie dann Bilder.</translation>
    </message>
    <message>
        <source>Importing image %1 of %2</source>
        <translation>Bild %1 von %2 wird importiert</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>Bilder werden importiert</translation>
    </message>
    <message>
        <source>Import images</source>
        <translation>Bilder importieren</translation>
    </message>
    <message>
        <source>Import a folder of images</source>
        <translation>Einen Bilderordner importieren</translation>
    </message>
    <message>
        <source>Set label</source>
        <translation>Label festlegen</translation>
    </message>
    <message>
        <source>Select one or more images first.</source>
        <translation>Wählen Sie zuerst ein oder mehrere Bilder aus.</translation>
    </message>
    <message numerus="yes">
        <source>Label for the %n selected image(s):</source>
        <translation>
            <numerusform>Label für das ausgewählte Bild:</numerusform>
            <numerusform>Label für die %n ausgewählten Bilder:</numerusform>
        </translation>
    </message>
    <message>
        <source>Import with labels CSV…</source>
        <translation>Mit Label-CSV importieren…</translation>
    </message>
    <message numerus="yes">
        <source>label &quot;%1&quot; on %n image(s)</source>
        <translation>
            <numerusform>Label „%1“ auf %n Bild</numerusform>
            <numerusform>Label „%1“ auf %n Bildern</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>removal of %n image(s)</source>
        <translation>
            <numerusform>Entfernen von %n Bild</numerusform>
            <numerusform>Entfernen von %n Bildern</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen…</translation>
    </message>
    <message>
        <source>Takes the selected images out of this workspace. The files stay on disk; Edit › Undo puts them back.</source>
        <translation>Nimmt die ausgewählten Bilder aus diesem Arbeitsbereich. Die Dateien bleiben auf der Festplatte; Bearbeiten › Rückgängig holt sie zurück.</translation>
    </message>
    <message>
        <source>&amp;Labels:</source>
        <translation>&amp;Labels:</translation>
    </message>
    <message>
        <source>from sub-folder names</source>
        <translation>aus Unterordnernamen</translation>
    </message>
    <message>
        <source>none (unlabelled)</source>
        <translation>keine (ohne Label)</translation>
    </message>
    <message>
        <source>from a CSV file…</source>
        <translation>aus einer CSV-Datei…</translation>
    </message>
    <message>
        <source>from a DICOM attribute…</source>
        <translation>aus einem DICOM-Attribut…</translation>
    </message>
    <message>
        <source>Sub-folder names: images in &quot;melanoma/&quot; are labelled melanoma. A CSV file has the columns path and label (split and site optional). A DICOM attribute, e.g. BodyPartExamined, labels each DICOM file with its value. Importing files again with labels updates their labels.</source>
        <translation>Unterordnernamen: Bilder in „melanoma/“ erhalten das Label melanoma. Eine CSV-Datei hat die Spalten path und label (split und site optional). Ein DICOM-Attribut, z. B. BodyPartExamined, gibt jeder DICOM-Datei seinen Wert als Label. Erneutes Importieren mit Labels aktualisiert die Labels.</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patienten</translation>
    </message>
    <message>
        <source>DICOM images by patient, study and series, with a viewer</source>
        <translation>DICOM-Bilder nach Patient, Studie und Serie, mit Betrachter</translation>
    </message>
    <message>
        <source>Search patients, IDs, studies, series</source>
        <translation>Patienten, IDs, Studien, Serien suchen</translation>
    </message>
    <message>
        <source>Patient and study in the corners</source>
        <translation>Patient und Studie in den Ecken</translation>
    </message>
    <message>
        <source>DICOM tags…</source>
        <translation>DICOM-Attribute…</translation>
    </message>
    <message>
        <source>Window: the file&apos;s own</source>
        <translation>Fenster: das der Datei</translation>
    </message>
    <message>
        <source>Window: %1 (W %2, L %3)</source>
        <translation>Fenster: %1 (W %2, L %3)</translation>
    </message>
    <message>
        <source>Select a series or an image to view it. Drag with the right mouse button to change the window, with the left to pan; Ctrl+wheel zooms, the wheel goes through the images.</source>
        <translation>Wählen Sie eine Serie oder ein Bild, um es anzuzeigen. Ziehen mit der rechten Maustaste ändert das Fenster, mit der linken verschiebt es; Strg+Mausrad zoomt, das Mausrad blättert durch die Bilder.</translation>
    </message>
    <message>
        <source>No DICOM images with patient and study information in this workspace.</source>
        <translation>Keine DICOM-Bilder mit Patienten- und Studienangaben in diesem Arbeitsbereich.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) without DICOM patient information (photos) are in the grid and the table.</source>
        <translation>
            <numerusform>%n Bild ohne DICOM-Patientenangaben (Foto) ist im Raster und in der Tabelle.</numerusform>
            <numerusform>%n Bilder ohne DICOM-Patientenangaben (Fotos) sind im Raster und in der Tabelle.</numerusform>
        </translation>
    </message>
    <message>
        <source>Labels CSV file</source>
        <translation>CSV-Datei mit Labels</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-Dateien (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Labels from a DICOM attribute</source>
        <translation>Labels aus einem DICOM-Attribut</translation>
    </message>
    <message>
        <source>DICOM attribute keyword whose value becomes the label (e.g. BodyPartExamined, ViewPosition):</source>
        <translation>Schlüsselwort des DICOM-Attributs, dessen Wert das Label wird (z. B. BodyPartExamined, ViewPosition):</translation>
    </message>
    <message>
        <source>Images and DICOM files (*);;Photos (%1);;DICOM files (*.dcm *.dicom)</source>
        <translation>Bilder und DICOM-Dateien (*);;Fotos (%1);;DICOM-Dateien (*.dcm *.dicom)</translation>
    </message>
    <message>
        <source>Remove from workspace</source>
        <translation>Aus dem Arbeitsbereich entfernen</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n image(s) from this workspace? The files stay on disk. Edit › Undo puts them back.</source>
        <translation>
            <numerusform>%n Bild aus diesem Arbeitsbereich entfernen? Die Datei bleibt auf der Festplatte. Bearbeiten › Rückgängig holt es zurück.</numerusform>
            <numerusform>%n Bilder aus diesem Arbeitsbereich entfernen? Die Dateien bleiben auf der Festplatte. Bearbeiten › Rückgängig holt sie zurück.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not removed</source>
        <translation>Nicht entfernt</translation>
    </message>
    <message>
        <source>Not put back</source>
        <translation>Nicht zurückgeholt</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Klassifizieren</translation>
    </message>
    <message>
        <source>Remove from workspace…</source>
        <translation>Aus dem Arbeitsbereich entfernen…</translation>
    </message>
    <message>
        <source>Show in the viewer</source>
        <translation>Im Betrachter zeigen</translation>
    </message>
    <message>
        <source>Window: W %1, L %2 (dragged)</source>
        <translation>Fenster: W %1, L %2 (mit der Maus eingestellt)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportCsvDialog</name>
    <message>
        <source>Import with a labels CSV</source>
        <translation>Mit einer Label-CSV importieren</translation>
    </message>
    <message>
        <source>The CSV&apos;s folder</source>
        <translation>Der Ordner der CSV</translation>
    </message>
    <message>
        <source>{} stands for the value of the file column, e.g. {}.png for a column of image ids, {:03}.png to pad them with zeros to 3 digits. Relative paths start at the CSV&apos;s folder.</source>
        <translation>{} steht für den Wert der Dateispalte, z. B. {}.png für eine Spalte mit Bild-IDs, {:03}.png, um sie mit Nullen auf 3 Stellen aufzufüllen. Relative Pfade beginnen im Ordner der CSV.</translation>
    </message>
    <message>
        <source>Labels CSV:</source>
        <translation>Label-CSV:</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Folder to import:</source>
        <translation>Zu importierender Ordner:</translation>
    </message>
    <message>
        <source>File column:</source>
        <translation>Dateispalte:</translation>
    </message>
    <message>
        <source>Label column:</source>
        <translation>Label-Spalte:</translation>
    </message>
    <message>
        <source>Path pattern:</source>
        <translation>Pfadmuster:</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <source>Labels CSV</source>
        <translation>Label-CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-Dateien (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Folder to import</source>
        <translation>Zu importierender Ordner</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportReportDialog</name>
    <message>
        <source>Import report</source>
        <translation>Importbericht</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportReportModel</name>
    <message numerus="yes">
        <source>%n image(s) imported</source>
        <translation>
            <numerusform>%n Bild importiert</numerusform>
            <numerusform>%n Bilder importiert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicate(s) skipped</source>
        <translation>
            <numerusform>%n Duplikat übersprungen</numerusform>
            <numerusform>%n Duplikate übersprungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be used</source>
        <translation>
            <numerusform>%n Datei konnte nicht verwendet werden</numerusform>
            <numerusform>%n Dateien konnten nicht verwendet werden</numerusform>
        </translation>
    </message>
    <message>
        <source>The import was cancelled; the files before it stay imported.</source>
        <translation>Der Import wurde abgebrochen; die Dateien davor bleiben importiert.</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Why it could not be used</source>
        <translation>Warum sie nicht verwendet werden konnte</translation>
    </message>
</context>
<context>
    <name>fmc::ui::MainWindow</name>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Klassifizieren</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Trainieren</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Research use only — not a medical device. Do not use it to diagnose or treat patients.</source>
        <translation>Nur für die Forschung – kein Medizinprodukt. Nicht zur Diagnose oder Behandlung von Patienten verwenden.</translation>
    </message>
    <message>
        <source>Demo not ready</source>
        <translation>Demo nicht bereit</translation>
    </message>
    <message>
        <source>The demo workspace could not be prepared: %1</source>
        <translation>Der Demo-Arbeitsbereich konnte nicht vorbereitet werden: %1</translation>
    </message>
    <message>
        <source>Welcome to FedMedCLIP</source>
        <translation>Willkommen bei FedMedCLIP</translation>
    </message>
    <message>
        <source>Train a medical image classifier together with other hospitals, without sharing images. Start with a workspace for your site&apos;s images, or try the demo first.</source>
        <translation>Trainieren Sie gemeinsam mit anderen Kliniken einen Klassifikator für medizinische Bilder, ohne Bilder zu teilen. Beginnen Sie mit einem Arbeitsbereich für die Bilder Ihres Standorts oder probieren Sie zuerst die Demo aus.</translation>
    </message>
    <message>
        <source>Open a workspace…</source>
        <translation>Arbeitsbereich öffnen…</translation>
    </message>
    <message>
        <source>Create a workspace…</source>
        <translation>Arbeitsbereich erstellen…</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Demo ausprobieren</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>&amp;Neuer Arbeitsbereich…</translation>
    </message>
    <message>
        <source>&amp;Open workspace…</source>
        <translation>Arbeitsbereich ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt verwendet</translation>
    </message>
    <message>
        <source>Open the &amp;demo workspace</source>
        <translation>&amp;Demo-Arbeitsbereich öffnen</translation>
    </message>
    <message>
        <source>&amp;Close workspace</source>
        <translation>Arbeitsbereich &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Import files…</source>
        <translation>Dateien &amp;importieren…</translation>
    </message>
    <message>
        <source>Import &amp;folder…</source>
        <translation>&amp;Ordner importieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>F&amp;ederation</source>
        <translation>&amp;Föderation</translation>
    </message>
    <message>
        <source>&amp;Join a federation…</source>
        <translation>Föderation &amp;beitreten…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>E&amp;xtras</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About FedMedCLIP</source>
        <translation>&amp;Über FedMedCLIP</translation>
    </message>
    <message>
        <source>This build of the app has no federation client.</source>
        <translation>Diese Version der App hat keinen Föderations-Client.</translation>
    </message>
    <message>
        <source>%1 — FedMedCLIP</source>
        <translation>%1 – FedMedCLIP</translation>
    </message>
    <message>
        <source>FedMedCLIP</source>
        <translation>FedMedCLIP</translation>
    </message>
    <message>
        <source>DEMO — demo model with random weights and synthetic demo images. Not for clinical use.</source>
        <translation>DEMO – Demo-Modell mit Zufallsgewichten und synthetischen Demo-Bildern. Nicht für den klinischen Einsatz.</translation>
    </message>
    <message>
        <source>DEMO MODEL — random weights, not for clinical use. Choose a real model bundle in Settings.</source>
        <translation>DEMO-MODELL – Zufallsgewichte, nicht für den klinischen Einsatz. Wählen Sie ein echtes Modellpaket in den Einstellungen.</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>Bitte warten</translation>
    </message>
    <message>
        <source>Wait for the running task to finish or cancel it first.</source>
        <translation>Warten Sie, bis die laufende Aufgabe fertig ist, oder brechen Sie sie zuerst ab.</translation>
    </message>
    <message>
        <source>Workspace not opened</source>
        <translation>Arbeitsbereich nicht geöffnet</translation>
    </message>
    <message>
        <source>The workspace could not be opened: %1</source>
        <translation>Der Arbeitsbereich konnte nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>Workspace not created</source>
        <translation>Arbeitsbereich nicht erstellt</translation>
    </message>
    <message>
        <source>The workspace could not be created: %1</source>
        <translation>Der Arbeitsbereich konnte nicht erstellt werden: %1</translation>
    </message>
    <message>
        <source>Preparing the demo workspace</source>
        <translation>Demo-Arbeitsbereich wird vorbereitet</translation>
    </message>
    <message>
        <source>Choose an empty folder for the new workspace</source>
        <translation>Wählen Sie einen leeren Ordner für den neuen Arbeitsbereich</translation>
    </message>
    <message>
        <source>Open a workspace folder</source>
        <translation>Einen Arbeitsbereichsordner öffnen</translation>
    </message>
    <message>
        <source>Not a workspace</source>
        <translation>Kein Arbeitsbereich</translation>
    </message>
    <message>
        <source>This folder is not a FedMedCLIP workspace. Use File › New workspace to make one.</source>
        <translation>Dieser Ordner ist kein FedMedCLIP-Arbeitsbereich. Erstellen Sie einen mit Datei › Neuer Arbeitsbereich.</translation>
    </message>
    <message>
        <source>About FedMedCLIP</source>
        <translation>Über FedMedCLIP</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;FedMedCLIP Desktop&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Federated CLIP for medical image classification: frozen CLIP encoders, a shared feature adaptation module trained by the federation and a private model per site. Images never leave the site.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Research use only. Not a medical device.&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;FedMedCLIP Desktop&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Föderiertes CLIP zur Klassifikation medizinischer Bilder: eingefrorene CLIP-Encoder, ein gemeinsames, von der Föderation trainiertes Modul zur Merkmalsanpassung und ein privates Modell pro Standort. Die Bilder verlassen den Standort nie.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Nur für die Forschung. Kein Medizinprodukt.&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Quit while working?</source>
        <translation>Während einer Aufgabe beenden?</translation>
    </message>
    <message>
        <source>A task is still running. Cancel it and quit?</source>
        <translation>Eine Aufgabe läuft noch. Abbrechen und beenden?</translation>
    </message>
    <message>
        <source>Import from &amp;PACS…</source>
        <translation>Aus dem &amp;PACS importieren…</translation>
    </message>
    <message>
        <source>The %1 page works on a workspace. Open one or create one first (or try the demo).</source>
        <translation>Die Seite %1 arbeitet mit einem Arbeitsbereich. Öffnen oder erstellen Sie zuerst einen (oder probieren Sie die Demo).</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Strg+%2)</translation>
    </message>
    <message>
        <source>Recent workspaces</source>
        <translation>Zuletzt verwendete Arbeitsbereiche</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>%1 öffnen</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(noch keine)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>Benutzerhandbuch</translation>
    </message>
    <message>
        <source>The user guide %1 is not installed on this computer.</source>
        <translation>Das Benutzerhandbuch %1 ist auf diesem Computer nicht installiert.</translation>
    </message>
    <message>
        <source>User guide — %1</source>
        <translation>Benutzerhandbuch — %1</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Set &amp;label…</source>
        <translation>&amp;Label setzen…</translation>
    </message>
    <message>
        <source>&amp;Remove from workspace…</source>
        <translation>Aus dem Arbeitsbereich &amp;entfernen…</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <source>&amp;Images</source>
        <translation>&amp;Bilder</translation>
    </message>
    <message>
        <source>&amp;Classify</source>
        <translation>&amp;Klassifizieren</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Trainieren</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Verlauf</translation>
    </message>
    <message>
        <source>&amp;Start page</source>
        <translation>&amp;Startseite</translation>
    </message>
    <message>
        <source>User guide for &amp;site staff</source>
        <translation>Handbuch für das &amp;Standortpersonal</translation>
    </message>
    <message>
        <source>User guide for &amp;clinicians</source>
        <translation>Handbuch für &amp;Klinikerinnen und Kliniker</translation>
    </message>
</context>
<context>
    <name>fmc::ui::MappingPage</name>
    <message>
        <source>Match your labels to the federation&apos;s classes</source>
        <translation>Ihre Labels den Klassen der Föderation zuordnen</translation>
    </message>
    <message>
        <source>The federation trains on its own list of classes. Tell it which of your labels means which class. Labels you mark as not used stay out of federated training.</source>
        <translation>Die Föderation trainiert mit ihrer eigenen Klassenliste. Geben Sie an, welches Ihrer Labels welcher Klasse entspricht. Als nicht verwendet markierte Labels bleiben beim föderierten Training außen vor.</translation>
    </message>
    <message>
        <source>Classes of &quot;%1&quot;: %2</source>
        <translation>Klassen von „%1“: %2</translation>
    </message>
    <message>
        <source>This workspace has no labelled images yet. Go back later, after importing and labelling images, or import them on the next page.</source>
        <translation>Dieser Arbeitsbereich hat noch keine gelabelten Bilder. Kommen Sie später zurück, nachdem Sie Bilder importiert und gelabelt haben, oder importieren Sie sie auf der nächsten Seite.</translation>
    </message>
    <message>
        <source>Match your labels to at least two of the federation&apos;s classes, so that your site can help train the shared model.</source>
        <translation>Ordnen Sie Ihre Labels mindestens zwei Klassen der Föderation zu, damit Ihr Standort zum Training des gemeinsamen Modells beitragen kann.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PacsConnectionForm</name>
    <message>
        <source>DICOMweb (QIDO-RS / WADO-RS)</source>
        <translation>DICOMweb (QIDO-RS / WADO-RS)</translation>
    </message>
    <message>
        <source>DIMSE (C-FIND / C-GET or C-MOVE)</source>
        <translation>DIMSE (C-FIND / C-GET oder C-MOVE)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation>Benutzername und Passwort</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>Bearer-Token</translation>
    </message>
    <message>
        <source>Remember the password (never in the workspace)</source>
        <translation>Passwort merken (nie im Arbeitsbereich)</translation>
    </message>
    <message>
        <source>PEM file of the hospital&apos;s CA (empty: the system&apos;s)</source>
        <translation>PEM-Datei der Zertifizierungsstelle des Krankenhauses (leer: die des Systems)</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>Authentifizierung:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Password or token:</source>
        <translation>Passwort oder Token:</translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation>CA-Zertifikat:</translation>
    </message>
    <message>
        <source>C-GET (no port to open)</source>
        <translation>C-GET (kein Port muss geöffnet werden)</translation>
    </message>
    <message>
        <source>C-MOVE (the PACS sends to this computer)</source>
        <translation>C-MOVE (das PACS sendet an diesen Computer)</translation>
    </message>
    <message>
        <source>(our calling AE title)</source>
        <translation>(unser rufender AE-Titel)</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Our AE title (calling):</source>
        <translation>Unser AE-Titel (rufend):</translation>
    </message>
    <message>
        <source>PACS AE title (called):</source>
        <translation>AE-Titel des PACS (gerufen):</translation>
    </message>
    <message>
        <source>Retrieve with:</source>
        <translation>Abrufen mit:</translation>
    </message>
    <message>
        <source>Move destination AE title:</source>
        <translation>AE-Titel des C-MOVE-Ziels:</translation>
    </message>
    <message>
        <source>Move destination port:</source>
        <translation>Port des C-MOVE-Ziels:</translation>
    </message>
    <message>
        <source>For C-MOVE the PACS must know the move destination with this computer&apos;s address and port, and that port must be open to the PACS.</source>
        <translation>Für C-MOVE muss das PACS das C-MOVE-Ziel mit der Adresse und dem Port dieses Computers kennen, und dieser Port muss für das PACS erreichbar sein.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Remembered passwords are kept in %1.</source>
        <translation>Gemerkte Passwörter werden in %1 aufbewahrt.</translation>
    </message>
    <message>
        <source>Remembered passwords are kept in %1, readable by you alone, because the platform&apos;s secret store cannot be used: %2</source>
        <translation>Gemerkte Passwörter werden in %1 aufbewahrt, nur für Sie lesbar, weil der Schlüsselbund des Systems nicht verwendet werden kann: %2</translation>
    </message>
    <message>
        <source>The saved password cannot be read: %1</source>
        <translation>Das gespeicherte Passwort kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 answers and accepts this site.</source>
        <translation>%1 antwortet und akzeptiert diesen Standort.</translation>
    </message>
    <message>
        <source>The password was not saved: %1</source>
        <translation>Das Passwort wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PacsImportDialog</name>
    <message>
        <source>Import from PACS</source>
        <translation>Aus dem PACS importieren</translation>
    </message>
    <message>
        <source>Search studies</source>
        <translation>Studien suchen</translation>
    </message>
    <message>
        <source>e.g. DOE^J* (* and ? are wildcards)</source>
        <translation>z. B. MUSTER^M* (* und ? sind Platzhalter)</translation>
    </message>
    <message>
        <source>YYYYMMDD</source>
        <translation>JJJJMMTT</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>e.g. CT</source>
        <translation>z. B. CT</translation>
    </message>
    <message>
        <source>Patient name:</source>
        <translation>Patientenname:</translation>
    </message>
    <message>
        <source>Patient ID:</source>
        <translation>Patienten-ID:</translation>
    </message>
    <message>
        <source>Study date:</source>
        <translation>Studiendatum:</translation>
    </message>
    <message>
        <source>Modality:</source>
        <translation>Modalität:</translation>
    </message>
    <message>
        <source>Accession number:</source>
        <translation>Accession Number:</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Study / series</source>
        <translation>Studie / Serie</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Import checked series</source>
        <translation>Markierte Serien importieren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancelled. Nothing was imported; the images retrieved so far are kept and are not fetched again by the next import.</source>
        <translation>Abgebrochen. Nichts wurde importiert; die bereits abgerufenen Bilder bleiben erhalten und werden beim nächsten Import nicht erneut abgerufen.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche…</translation>
    </message>
    <message>
        <source>Series %1</source>
        <translation>Serie %1</translation>
    </message>
    <message numerus="yes">
        <source>%n study(ies) found. Check the series to import.</source>
        <translation>
            <numerusform>%n Studie gefunden. Markieren Sie die zu importierenden Serien.</numerusform>
            <numerusform>%n Studien gefunden. Markieren Sie die zu importierenden Serien.</numerusform>
        </translation>
    </message>
    <message>
        <source>Check at least one study or series first.</source>
        <translation>Markieren Sie zuerst mindestens eine Studie oder Serie.</translation>
    </message>
    <message>
        <source>Series %1: cancelled after %2 image(s).</source>
        <translation>Serie %1: nach %2 Bild(ern) abgebrochen.</translation>
    </message>
    <message>
        <source>Series %1: %2 image(s) retrieved, then: %3</source>
        <translation>Serie %1: %2 Bild(er) abgerufen, dann: %3</translation>
    </message>
    <message>
        <source>The images retrieved are imported; import the same series again to fetch the rest.</source>
        <translation>Die abgerufenen Bilder werden importiert; importieren Sie dieselben Serien erneut, um den Rest abzurufen.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) retrieved; importing them.</source>
        <translation>
            <numerusform>%n Bild abgerufen; es wird importiert.</numerusform>
            <numerusform>%n Bilder abgerufen; sie werden importiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Retrieve from PACS</source>
        <translation>Abruf aus dem PACS</translation>
    </message>
    <message>
        <source>Series %1 of %2</source>
        <translation>Serie %1 von %2</translation>
    </message>
    <message>
        <source>PACS connection (also in Settings)</source>
        <translation>PACS-Verbindung (auch in den Einstellungen)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PredictionListModel</name>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Gespeichert</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Vorhersage</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Raw scores, not calibrated.</source>
        <translation>Rohwerte, nicht kalibriert.</translation>
    </message>
    <message>
        <source>Out of distribution: %1</source>
        <translation>Außerhalb der Verteilung: %1</translation>
    </message>
    <message>
        <source>%1 (raw score %2, not calibrated)</source>
        <translation>%1 (Rohwert %2, nicht kalibriert)</translation>
    </message>
    <message>
        <source>not like the training images</source>
        <translation>anders als die Trainingsbilder</translation>
    </message>
    <message>
        <source>model no better than chance</source>
        <translation>Modell nicht besser als der Zufall</translation>
    </message>
    <message>
        <source>%1 set: %2</source>
        <translation>Menge zu %1: %2</translation>
    </message>
    <message>
        <source>no prediction set</source>
        <translation>keine Vorhersagemenge</translation>
    </message>
    <message>
        <source>FAM and MLP disagree</source>
        <translation>FAM und MLP uneinig</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Prüfungen</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PredictionReportExporter</name>
    <message>
        <source>Cancelled: the report was not sent to the PACS.</source>
        <translation>Abgebrochen: Der Bericht wurde nicht an das PACS gesendet.</translation>
    </message>
    <message>
        <source>Export as DICOM SR</source>
        <translation>Export als DICOM SR</translation>
    </message>
    <message>
        <source>Writing the structured report…</source>
        <translation>Strukturierter Bericht wird erstellt…</translation>
    </message>
    <message>
        <source>Saved the prediction as a DICOM structured report: %1</source>
        <translation>Vorhersage als strukturierter DICOM-Bericht gespeichert: %1</translation>
    </message>
    <message>
        <source>Send to PACS</source>
        <translation>Senden an das PACS</translation>
    </message>
    <message>
        <source>No password or token is remembered for %1 (in %2): enter it in Settings › PACS and tick Remember.</source>
        <translation>Für %1 ist kein Passwort oder Token gemerkt (in %2): Geben Sie es unter Einstellungen › PACS ein und setzen Sie das Häkchen bei „Passwort merken“.</translation>
    </message>
    <message>
        <source>Sending to %1…</source>
        <translation>Wird an %1 gesendet…</translation>
    </message>
    <message>
        <source>Sent the structured report to %1.</source>
        <translation>Strukturierter Bericht an %1 gesendet.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ProbabilityModel</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>Wahrscheinlichkeit</translation>
    </message>
    <message>
        <source>Raw score (not calibrated)</source>
        <translation>Rohwert (nicht kalibriert)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>(the workspace&apos;s own bundle)</source>
        <translation>(das Paket des Arbeitsbereichs)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Model bundle folder</source>
        <translation>Ordner des Modellpakets</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>Prozessor (CPU)</translation>
    </message>
    <message>
        <source>CUDA (NVIDIA GPU)</source>
        <translation>CUDA (NVIDIA-GPU)</translation>
    </message>
    <message>
        <source>No CUDA GPU is available on this computer.</source>
        <translation>Auf diesem Computer ist keine CUDA-GPU verfügbar.</translation>
    </message>
    <message>
        <source>Compute on</source>
        <translation>Berechnen auf</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-Threads</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Largest file to import</source>
        <translation>Größte importierbare Datei</translation>
    </message>
    <message>
        <source> megapixels</source>
        <translation> Megapixel</translation>
    </message>
    <message>
        <source>Largest image to import</source>
        <translation>Größtes importierbares Bild</translation>
    </message>
    <message>
        <source>A new language applies the next time the app starts.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start der App.</translation>
    </message>
    <message>
        <source>Workspaces use the bundle they were set up with.</source>
        <translation>Arbeitsbereiche verwenden das Paket, mit dem sie eingerichtet wurden.</translation>
    </message>
    <message>
        <source>%1, version %2</source>
        <translation>%1, Version %2</translation>
    </message>
    <message>
        <source>(demo model: random weights, not for clinical use)</source>
        <translation>(Demo-Modell: Zufallsgewichte, nicht für den klinischen Einsatz)</translation>
    </message>
    <message>
        <source>No readable model bundle in this folder.</source>
        <translation>Kein lesbares Modellpaket in diesem Ordner.</translation>
    </message>
    <message>
        <source>The model bundle folder does not exist.</source>
        <translation>Der Ordner des Modellpakets existiert nicht.</translation>
    </message>
    <message>
        <source>This folder is not a model bundle: it has no manifest.json. Choose the folder that contains it.</source>
        <translation>Dieser Ordner ist kein Modellpaket: Er enthält keine manifest.json. Wählen Sie den Ordner, der sie enthält.</translation>
    </message>
    <message>
        <source>The model bundle&apos;s manifest cannot be used: %1</source>
        <translation>Das Manifest des Modellpakets ist nicht verwendbar: %1</translation>
    </message>
    <message>
        <source>Automatic (free cores, one kept for this window)</source>
        <translation>Automatisch (freie Kerne, einer bleibt für dieses Fenster)</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>PACS</source>
        <translation>PACS</translation>
    </message>
</context>
<context>
    <name>fmc::ui::SiteStoreWorkspace</name>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>Reading images</source>
        <translation>Bilder werden gelesen</translation>
    </message>
    <message>
        <source>Training round %1 of %2</source>
        <translation>Trainingsrunde %1 von %2</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TaskProgressDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TaskRunner</name>
    <message>
        <source>unknown error</source>
        <translation>unbekannter Fehler</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TrainPage</name>
    <message numerus="yes">
        <source>%n image(s) could not be read and were left out.</source>
        <translation>
            <numerusform>%n Bild konnte nicht gelesen werden und wurde ausgelassen.</numerusform>
            <numerusform>%n Bilder konnten nicht gelesen werden und wurden ausgelassen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Training stopped: %1</source>
        <translation>Training abgebrochen: %1</translation>
    </message>
    <message>
        <source>Cancelled. The rounds finished so far are in the history; the saved model is unchanged.</source>
        <translation>Abgebrochen. Die bisher abgeschlossenen Runden stehen im Verlauf; das gespeicherte Modell ist unverändert.</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Trainieren</translation>
    </message>
    <message>
        <source>&lt;b&gt;Local training&lt;/b&gt;&lt;br&gt;Trains this site&apos;s model on its own labelled images only. Nothing leaves this computer.</source>
        <translation>&lt;b&gt;Lokales Training&lt;/b&gt;&lt;br&gt;Trainiert das Modell dieses Standorts nur mit seinen eigenen gelabelten Bildern. Nichts verlässt diesen Computer.</translation>
    </message>
    <message>
        <source> rounds</source>
        <translation> Runden</translation>
    </message>
    <message>
        <source>Train locally</source>
        <translation>Lokal trainieren</translation>
    </message>
    <message>
        <source>Join a federation…</source>
        <translation>Einer Föderation beitreten…</translation>
    </message>
    <message>
        <source>Ask the coordinator for the round&apos;s status</source>
        <translation>Koordinator nach dem Stand der Runde fragen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>This run, live</source>
        <translation>Dieser Lauf, live</translation>
    </message>
    <message>
        <source>No training running.</source>
        <translation>Kein Training läuft.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Member of &quot;%1&quot; at %2, %3 classes. Rounds are run by the coordinator.</source>
        <translation>&lt;b&gt;Föderiertes Training&lt;/b&gt;&lt;br&gt;Mitglied von „%1“ unter %2, %3 Klassen. Die Runden steuert der Koordinator.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training (demo)&lt;/b&gt;&lt;br&gt;Trains together with two demo sites whose images are on this computer. Only the shared part of the model is exchanged.</source>
        <translation>&lt;b&gt;Föderiertes Training (Demo)&lt;/b&gt;&lt;br&gt;Trainiert zusammen mit zwei Demo-Standorten, deren Bilder auf diesem Computer liegen. Nur der gemeinsame Teil des Modells wird ausgetauscht.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Train together with other hospitals without sharing images. Join a federation first.</source>
        <translation>&lt;b&gt;Föderiertes Training&lt;/b&gt;&lt;br&gt;Trainieren Sie mit anderen Kliniken, ohne Bilder zu teilen. Treten Sie zuerst einer Föderation bei.</translation>
    </message>
    <message>
        <source>Take part in the federation&apos;s rounds</source>
        <translation>An den Runden der Föderation teilnehmen</translation>
    </message>
    <message>
        <source>Run demo federation</source>
        <translation>Demo-Föderation starten</translation>
    </message>
    <message>
        <source>This build of the app has no federation client.</source>
        <translation>Diese Version der App hat keinen Föderations-Client.</translation>
    </message>
    <message>
        <source>Local training</source>
        <translation>Lokales Training</translation>
    </message>
    <message>
        <source>Demo federation</source>
        <translation>Demo-Föderation</translation>
    </message>
    <message>
        <source>Federated training</source>
        <translation>Föderiertes Training</translation>
    </message>
    <message>
        <source>Asking the coordinator</source>
        <translation>Koordinator wird abgefragt</translation>
    </message>
    <message>
        <source>Cancelling after the current step…</source>
        <translation>Abbruch nach dem aktuellen Schritt…</translation>
    </message>
    <message numerus="yes">
        <source>Done: %n round(s). The model of round %1 (balanced accuracy %2) is saved.</source>
        <translation>
            <numerusform>Fertig: %n Runde. Das Modell von Runde %1 (balancierte Genauigkeit %2) ist gespeichert.</numerusform>
            <numerusform>Fertig: %n Runden. Das Modell von Runde %1 (balancierte Genauigkeit %2) ist gespeichert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>On the %n test image(s), which played no part in choosing it: accuracy %1, balanced accuracy %2.</source>
        <translation>
            <numerusform>Auf %n Testbild, das bei der Auswahl keine Rolle spielte: Genauigkeit %1, balancierte Genauigkeit %2.</numerusform>
            <numerusform>Auf den %n Testbildern, die bei der Auswahl keine Rolle spielten: Genauigkeit %1, balancierte Genauigkeit %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>There are no validation images, so the round was chosen on the test images and its figures are optimistic.</source>
        <translation>Es gibt keine Validierungsbilder; die Runde wurde daher anhand der Testbilder gewählt, und ihre Werte sind zu optimistisch.</translation>
    </message>
    <message>
        <source>Coordinator unreachable since %1. This page keeps asking, less often while it does not answer.</source>
        <translation>Koordinator nicht erreichbar seit %1. Diese Seite fragt weiter, seltener, solange er nicht antwortet.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Results of round %1: loss %2, accuracy %3, balanced accuracy %4 on held-out images</source>
        <translation>Ergebnisse von Runde %1: Verlust %2, Genauigkeit %3, balancierte Genauigkeit %4 auf zurückgehaltenen Bildern</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>Details…</translation>
    </message>
</context>
</TS>
