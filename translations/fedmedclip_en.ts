<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>CoordinatorFederationService</name>
    <message>
        <source>The model bundle on this computer (%1) is not the federation&apos;s (%2). Choose the federation&apos;s bundle in Settings.</source>
        <translation>The model bundle on this computer (%1) is not the federation&apos;s (%2). Choose the federation&apos;s bundle in Settings.</translation>
    </message>
    <message>
        <source>This workspace&apos;s classes are not the federation&apos;s. Run &quot;Join a federation&quot; again to map your labels.</source>
        <translation>This workspace&apos;s classes are not the federation&apos;s. Run &quot;Join a federation&quot; again to map your labels.</translation>
    </message>
    <message>
        <source>Only %1 labelled training images map to the federation&apos;s classes; import and label more images.</source>
        <translation>Only %1 labelled training images map to the federation&apos;s classes; import and label more images.</translation>
    </message>
    <message>
        <source>The coordinator answered for another federation than the one this site joined.</source>
        <translation>The coordinator answered for another federation than the one this site joined.</translation>
    </message>
    <message>
        <source>This workspace has not joined a federation yet (%1 has no credential).</source>
        <translation>This workspace has not joined a federation yet (%1 has no credential).</translation>
    </message>
    <message>
        <source>The federation has finished. This site&apos;s final model is saved and the Classify page uses it.</source>
        <translation>The federation has finished. This site&apos;s final model is saved and the Classify page uses it.</translation>
    </message>
    <message>
        <source>Round %1 closed before this site&apos;s update arrived; this site joins the next round.</source>
        <translation>Round %1 closed before this site&apos;s update arrived; this site joins the next round.</translation>
    </message>
    <message>
        <source>The coordinator refused this site&apos;s update of round %1. The log says why; the federation goes on without it.</source>
        <translation>The coordinator refused this site&apos;s update of round %1. The log says why; the federation goes on without it.</translation>
    </message>
    <message>
        <source>Training on this site&apos;s images</source>
        <translation>Training on this site&apos;s images</translation>
    </message>
    <message numerus="yes">
        <source>Federation &quot;%1&quot;: %n round(s) in all.</source>
        <translation>
            <numerusform>Federation &quot;%1&quot;: %n round in all.</numerusform>
            <numerusform>Federation &quot;%1&quot;: %n rounds in all.</numerusform>
        </translation>
    </message>
    <message>
        <source>Taking part in the federation&apos;s rounds.</source>
        <translation>Taking part in the federation&apos;s rounds.</translation>
    </message>
</context>
<context>
    <name>CoordinatorProbe</name>
    <message>
        <source>Could not reach the coordinator at %1: %2</source>
        <translation>Could not reach the coordinator at %1: %2</translation>
    </message>
    <message>
        <source>this computer has no TLS support installed</source>
        <translation>this computer has no TLS support installed</translation>
    </message>
    <message>
        <source>no computer with that name was found</source>
        <translation>no computer with that name was found</translation>
    </message>
    <message>
        <source>the computer refused the connection (is the coordinator running?)</source>
        <translation>the computer refused the connection (is the coordinator running?)</translation>
    </message>
    <message>
        <source>no answer within %1 seconds</source>
        <translation>no answer within %1 seconds</translation>
    </message>
    <message>
        <source>the server did not set up an encrypted connection (TLS)</source>
        <translation>the server did not set up an encrypted connection (TLS)</translation>
    </message>
    <message>
        <source>the server presented no certificate</source>
        <translation>the server presented no certificate</translation>
    </message>
    <message>
        <source>its certificate is not signed by this CA</source>
        <translation>its certificate is not signed by this CA</translation>
    </message>
    <message>
        <source>its certificate is not made out for %1</source>
        <translation>its certificate is not made out for %1</translation>
    </message>
    <message>
        <source>its certificate has expired</source>
        <translation>its certificate has expired</translation>
    </message>
    <message>
        <source>its certificate is not valid yet</source>
        <translation>its certificate is not valid yet</translation>
    </message>
</context>
<context>
    <name>DemoWorkspace</name>
    <message>
        <source>Creating the demo model and demo images</source>
        <translation>Creating the demo model and demo images</translation>
    </message>
    <message>
        <source>Importing the demo images</source>
        <translation>Importing the demo images</translation>
    </message>
</context>
<context>
    <name>ImageKindChecker</name>
    <message>
        <source>photo (not DICOM)</source>
        <translation type="unfinished">photo (not DICOM)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is a federation for %2 images, but this workspace&apos;s images are %3. Join a federation for these images, or import %2 images first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> or </source>
        <translation type="unfinished"> or </translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot; is a federation for %2 images; %n of this workspace&apos;s images are %3 and would be trained on as the federation&apos;s classes. Remove them or check their labels.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImagesPage</name>
    <message>
        <source>Lung</source>
        <translation>Lung</translation>
    </message>
    <message>
        <source>Soft tissue</source>
        <translation>Soft tissue</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Bone</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Brain</translation>
    </message>
</context>
<context>
    <name>ImportScanner</name>
    <message>
        <source>the file or folder does not exist</source>
        <translation>the file or folder does not exist</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>not a regular file</translation>
    </message>
    <message>
        <source>the file is empty</source>
        <translation>the file is empty</translation>
    </message>
    <message>
        <source>the file is larger than the limit of %1 MB</source>
        <translation>the file is larger than the limit of %1 MB</translation>
    </message>
    <message>
        <source>cannot be opened</source>
        <translation>cannot be opened</translation>
    </message>
    <message>
        <source>a dangling symbolic link (its target %1 does not exist)</source>
        <translation>a dangling symbolic link (its target %1 does not exist)</translation>
    </message>
    <message>
        <source>the folder cannot be read (permission denied)</source>
        <translation>the folder cannot be read (permission denied)</translation>
    </message>
    <message>
        <source>not a regular file (a FIFO, socket or device)</source>
        <translation>not a regular file (a FIFO, socket or device)</translation>
    </message>
</context>
<context>
    <name>RoundState</name>
    <message>
        <source>Connecting to the coordinator…</source>
        <translation>Connecting to the coordinator…</translation>
    </message>
    <message>
        <source>%1 of 1 site has sent its update</source>
        <translation>%1 of 1 site has sent its update</translation>
    </message>
    <message>
        <source>%1 of %2 sites have sent their update</source>
        <translation>%1 of %2 sites have sent their update</translation>
    </message>
    <message>
        <source>waiting for the round to open</source>
        <translation>waiting for the round to open</translation>
    </message>
    <message>
        <source>waiting for the federation&apos;s first round to open</source>
        <translation>waiting for the federation&apos;s first round to open</translation>
    </message>
    <message>
        <source>this site is training on its images</source>
        <translation>this site is training on its images</translation>
    </message>
    <message>
        <source>this site&apos;s update is sent; waiting for the other sites</source>
        <translation>this site&apos;s update is sent; waiting for the other sites</translation>
    </message>
    <message>
        <source>this site&apos;s update is sent; %1</source>
        <translation>this site&apos;s update is sent; %1</translation>
    </message>
    <message>
        <source>collecting the sites&apos; updates</source>
        <translation>collecting the sites&apos; updates</translation>
    </message>
    <message>
        <source>collecting updates: %1</source>
        <translation>collecting updates: %1</translation>
    </message>
    <message>
        <source>(the round needs at least %1 sites)</source>
        <translation>(the round needs at least %1 sites)</translation>
    </message>
    <message>
        <source>combining the sites&apos; updates</source>
        <translation>combining the sites&apos; updates</translation>
    </message>
    <message>
        <source>the new shared model is published</source>
        <translation>the new shared model is published</translation>
    </message>
    <message>
        <source>Finished: all %1 rounds are done</source>
        <translation>Finished: all %1 rounds are done</translation>
    </message>
    <message>
        <source>Finished: all rounds are done</source>
        <translation>Finished: all rounds are done</translation>
    </message>
    <message>
        <source>Round %1 of %2 — %3</source>
        <translation>Round %1 of %2 — %3</translation>
    </message>
    <message>
        <source>Round %1 — %2</source>
        <translation>Round %1 — %2</translation>
    </message>
    <message>
        <source>Coordinator: %1</source>
        <translation>Coordinator: %1</translation>
    </message>
    <message>
        <source>Deadline: %1</source>
        <translation>Deadline: %1</translation>
    </message>
</context>
<context>
    <name>RunDescription</name>
    <message>
        <source>local training, %1 training and %2 evaluation images</source>
        <translation>local training, %1 training and %2 evaluation images</translation>
    </message>
    <message>
        <source>demo federation on this computer, %1 sites</source>
        <translation>demo federation on this computer, %1 sites</translation>
    </message>
    <message>
        <source>federation &quot;%1&quot; at %2</source>
        <translation>federation &quot;%1&quot; at %2</translation>
    </message>
    <message>
        <source>%1 training images, evaluated on %2 %3 images</source>
        <translation>%1 training images, evaluated on %2 %3 images</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>Federated</source>
        <translation>Federated</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>Local</translation>
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
        <translation>cancelled after round %1</translation>
    </message>
    <message>
        <source>stopped by an error after round %1</source>
        <translation>stopped by an error after round %1</translation>
    </message>
    <message>
        <source>interrupted after round %1 (the app was closed)</source>
        <translation>interrupted after round %1 (the app was closed)</translation>
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
        <translation>CUDA was chosen in Settings, but no GPU is available; the CPU is used instead.</translation>
    </message>
    <message>
        <source>The model runs on a slow maths library; ask your IT department to install OpenBLAS.</source>
        <translation>The model runs on a slow maths library; ask your IT department to install OpenBLAS.</translation>
    </message>
</context>
<context>
    <name>SiteTraining</name>
    <message>
        <source>The workspace needs at least two classes to train a model.</source>
        <translation>The workspace needs at least two classes to train a model.</translation>
    </message>
    <message>
        <source>Only %1 labelled training images could be used; at least %2 are needed. Import and label more images first.</source>
        <translation>Only %1 labelled training images could be used; at least %2 are needed. Import and label more images first.</translation>
    </message>
    <message>
        <source>No model bundle is set. Choose the model bundle folder in Settings.</source>
        <translation>No model bundle is set. Choose the model bundle folder in Settings.</translation>
    </message>
    <message>
        <source>Loading the model bundle</source>
        <translation>Loading the model bundle</translation>
    </message>
    <message>
        <source>this computer (demo federation)</source>
        <translation>this computer (demo federation)</translation>
    </message>
    <message>
        <source>Reading images</source>
        <translation>Reading images</translation>
    </message>
    <message>
        <source>Saving the model</source>
        <translation>Saving the model</translation>
    </message>
    <message>
        <source>This workspace has no demo federation to train with.</source>
        <translation>This workspace has no demo federation to train with.</translation>
    </message>
    <message>
        <source>Reading the other sites&apos; images</source>
        <translation>Reading the other sites&apos; images</translation>
    </message>
    <message>
        <source>Federated round %1 of %2</source>
        <translation>Federated round %1 of %2</translation>
    </message>
</context>
<context>
    <name>UserMessages</name>
    <message>
        <source>The coordinator at %1 does not answer. It may be down, or this computer may not reach it. Try again later, or ask your federation administrator.</source>
        <translation>The coordinator at %1 does not answer. It may be down, or this computer may not reach it. Try again later, or ask your federation administrator.</translation>
    </message>
    <message>
        <source>This workspace already takes part in federation %1. Open another workspace to join a second one.</source>
        <translation>This workspace already takes part in federation %1. Open another workspace to join a second one.</translation>
    </message>
    <message>
        <source>The coordinator refused this enrollment code. It may be mistyped, already used or expired; ask your federation administrator for a new one.</source>
        <translation>The coordinator refused this enrollment code. It may be mistyped, already used or expired; ask your federation administrator for a new one.</translation>
    </message>
    <message>
        <source>The coordinator no longer recognises this site. Ask your federation administrator for a new enrollment code and join again.</source>
        <translation>The coordinator no longer recognises this site. Ask your federation administrator for a new enrollment code and join again.</translation>
    </message>
    <message>
        <source>The coordinator refused this request from this site.</source>
        <translation>The coordinator refused this request from this site.</translation>
    </message>
    <message>
        <source>The coordinator does not know this federation (it may have been removed).</source>
        <translation>The coordinator does not know this federation (it may have been removed).</translation>
    </message>
    <message>
        <source>The coordinator refused the request because it conflicts with the federation&apos;s current state.</source>
        <translation>The coordinator refused the request because it conflicts with the federation&apos;s current state.</translation>
    </message>
    <message>
        <source>The coordinator had a problem answering. Try again later.</source>
        <translation>The coordinator had a problem answering. Try again later.</translation>
    </message>
    <message>
        <source>The coordinator refused the request.</source>
        <translation>The coordinator refused the request.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::BundlePage</name>
    <message>
        <source>Check the model files</source>
        <translation>Check the model files</translation>
    </message>
    <message>
        <source>Every site must use exactly the same model files, or the shared model would not fit. This checks the files on this computer against the federation&apos;s.</source>
        <translation>Every site must use exactly the same model files, or the shared model would not fit. This checks the files on this computer against the federation&apos;s.</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Model bundle folder on this computer:</source>
        <translation>Model bundle folder on this computer:</translation>
    </message>
    <message>
        <source>Model bundle folder</source>
        <translation>Model bundle folder</translation>
    </message>
    <message>
        <source>The federation uses the model bundle &quot;%1&quot; (fingerprint %2).</source>
        <translation>The federation uses the model bundle &quot;%1&quot; (fingerprint %2).</translation>
    </message>
    <message>
        <source>The model files match the federation&apos;s.</source>
        <translation>The model files match the federation&apos;s.</translation>
    </message>
    <message>
        <source>Choose the folder with the model bundle (it contains a file called manifest.json).</source>
        <translation>Choose the folder with the model bundle (it contains a file called manifest.json).</translation>
    </message>
    <message>
        <source>These model files are not the ones the federation uses: this folder holds &quot;%1&quot; (fingerprint %2), the federation expects &quot;%3&quot; (fingerprint %4). Ask your administrator for the right model bundle.</source>
        <translation>These model files are not the ones the federation uses: this folder holds &quot;%1&quot; (fingerprint %2), the federation expects &quot;%3&quot; (fingerprint %4). Ask your administrator for the right model bundle.</translation>
    </message>
    <message>
        <source>The model files could not be checked: %1</source>
        <translation>The model files could not be checked: %1</translation>
    </message>
    <message>
        <source>Checking the model files</source>
        <translation>Checking the model files</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CertificatePage</name>
    <message>
        <source>Check the coordinator&apos;s identity</source>
        <translation>Check the coordinator&apos;s identity</translation>
    </message>
    <message>
        <source>The fingerprint matches the one my federation administrator gave me</source>
        <translation>The fingerprint matches the one my federation administrator gave me</translation>
    </message>
    <message>
        <source>Issued to: %1
Issued by: %2
Valid until: %3</source>
        <translation>Issued to: %1
Issued by: %2
Valid until: %3</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the one from your administrator and tick the box. If it does not match, do not continue and tell your administrator.</source>
        <translation>Compare the fingerprint with the one from your administrator and tick the box. If it does not match, do not continue and tell your administrator.</translation>
    </message>
    <message>
        <source>Enrolling this site</source>
        <translation>Enrolling this site</translation>
    </message>
    <message>
        <source>Make sure this site talks to your federation&apos;s coordinator and nobody else: compare its certificate&apos;s fingerprint, or trust the federation&apos;s CA certificate your administrator gave you.</source>
        <translation>Make sure this site talks to your federation&apos;s coordinator and nobody else: compare its certificate&apos;s fingerprint, or trust the federation&apos;s CA certificate your administrator gave you.</translation>
    </message>
    <message>
        <source>Compare the certificate&apos;s fingerprint</source>
        <translation>Compare the certificate&apos;s fingerprint</translation>
    </message>
    <message>
        <source>Trust the federation&apos;s CA certificate (a file from your administrator)</source>
        <translation>Trust the federation&apos;s CA certificate (a file from your administrator)</translation>
    </message>
    <message>
        <source>Compare this fingerprint with the one your federation administrator gave you, character by character. If it differs, stop: someone may be pretending to be the coordinator. SHA-256 fingerprint:</source>
        <translation>Compare this fingerprint with the one your federation administrator gave you, character by character. If it differs, stop: someone may be pretending to be the coordinator. SHA-256 fingerprint:</translation>
    </message>
    <message>
        <source>Choose the CA certificate file…</source>
        <translation>Choose the CA certificate file…</translation>
    </message>
    <message>
        <source>With the federation&apos;s CA certificate this site also trusts the coordinator&apos;s renewed certificates. It is a .pem file, or the invitation file that came with your enrollment code.</source>
        <translation>With the federation&apos;s CA certificate this site also trusts the coordinator&apos;s renewed certificates. It is a .pem file, or the invitation file that came with your enrollment code.</translation>
    </message>
    <message>
        <source>The federation&apos;s CA certificate</source>
        <translation>The federation&apos;s CA certificate</translation>
    </message>
    <message>
        <source>Certificates and invitations (*.pem *.crt *.json);;All files (*)</source>
        <translation>Certificates and invitations (*.pem *.crt *.json);;All files (*)</translation>
    </message>
    <message>
        <source>Checking the coordinator&apos;s certificate against this CA…</source>
        <translation>Checking the coordinator&apos;s certificate against this CA…</translation>
    </message>
    <message>
        <source>The coordinator&apos;s certificate is signed by this CA.</source>
        <translation>The coordinator&apos;s certificate is signed by this CA.</translation>
    </message>
    <message>
        <source>This CA certificate does not vouch for the coordinator at %1: %2. Choose the file your federation administrator gave you for this federation, or ask them.</source>
        <translation>This CA certificate does not vouch for the coordinator at %1: %2. Choose the file your federation administrator gave you for this federation, or ask them.</translation>
    </message>
    <message>
        <source>%1 is not a PEM certificate file (one starts with &quot;-----BEGIN CERTIFICATE-----&quot;). Choose the federation&apos;s CA certificate your administrator gave you.</source>
        <translation>%1 is not a PEM certificate file (one starts with &quot;-----BEGIN CERTIFICATE-----&quot;). Choose the federation&apos;s CA certificate your administrator gave you.</translation>
    </message>
    <message>
        <source>This CA certificate expired on %1. Ask your federation administrator for the current one.</source>
        <translation>This CA certificate expired on %1. Ask your federation administrator for the current one.</translation>
    </message>
    <message>
        <source>Choose the federation&apos;s CA certificate file, or compare the fingerprint instead.</source>
        <translation>Choose the federation&apos;s CA certificate file, or compare the fingerprint instead.</translation>
    </message>
    <message>
        <source>Wait until the coordinator&apos;s certificate is checked against this CA.</source>
        <translation>Wait until the coordinator&apos;s certificate is checked against this CA.</translation>
    </message>
    <message>
        <source>This CA certificate does not vouch for the coordinator.</source>
        <translation>This CA certificate does not vouch for the coordinator.</translation>
    </message>
    <message>
        <source>CA certificate: %1
SHA-256 fingerprint: %2
Valid until: %3</source>
        <translation>CA certificate: %1
SHA-256 fingerprint: %2
Valid until: %3</translation>
    </message>
    <message>
        <source>Checking the coordinator&apos;s certificate</source>
        <translation>Checking the coordinator&apos;s certificate</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>%1 cannot be read.</translation>
    </message>
    <message>
        <source>The invitation file could not be read: %1</source>
        <translation>The invitation file could not be read: %1</translation>
    </message>
    <message>
        <source>This invitation file holds no CA certificate, only a fingerprint: compare the fingerprint instead.</source>
        <translation>This invitation file holds no CA certificate, only a fingerprint: compare the fingerprint instead.</translation>
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
        <translation>(not used)</translation>
    </message>
    <message>
        <source>Your label</source>
        <translation>Your label</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Federation class</source>
        <translation>Federation class</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ClassifyPage</name>
    <message>
        <source>Center</source>
        <translation>Center</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>Width</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <source>Could not classify: %1</source>
        <translation>Could not classify: %1</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Classify</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>Open image…</translation>
    </message>
    <message>
        <source>DICOM display window</source>
        <translation>DICOM display window</translation>
    </message>
    <message>
        <source>Back to the file&apos;s window</source>
        <translation>Back to the file&apos;s window</translation>
    </message>
    <message>
        <source>Save prediction</source>
        <translation>Save prediction</translation>
    </message>
    <message>
        <source>Open an image, drop one here, or double-click one on the Images page.</source>
        <translation>Open an image, drop one here, or double-click one on the Images page.</translation>
    </message>
    <message>
        <source>Ensemble (FAM and MLP together)</source>
        <translation>Ensemble (FAM and MLP together)</translation>
    </message>
    <message>
        <source>FAM only (shared federation model)</source>
        <translation>FAM only (shared federation model)</translation>
    </message>
    <message>
        <source>MLP only (this site&apos;s private model)</source>
        <translation>MLP only (this site&apos;s private model)</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Loading the model…</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>Loading the model</translation>
    </message>
    <message>
        <source>Open a workspace first: its model does the classifying.</source>
        <translation>Open a workspace first: its model does the classifying.</translation>
    </message>
    <message>
        <source>No model bundle is set. Choose the model bundle folder in Settings.</source>
        <translation>No model bundle is set. Choose the model bundle folder in Settings.</translation>
    </message>
    <message>
        <source>Classifying…</source>
        <translation>Classifying…</translation>
    </message>
    <message>
        <source>Classifying</source>
        <translation>Classifying</translation>
    </message>
    <message>
        <source>%1 · labelled &quot;%2&quot; in this workspace</source>
        <translation>%1 · labelled &quot;%2&quot; in this workspace</translation>
    </message>
    <message>
        <source>Most likely: %1 (%2)</source>
        <translation>Most likely: %1 (%2)</translation>
    </message>
    <message>
        <source>The model is unsure about this image (uncertainty %1 %): several classes are close. Do not rely on this result.</source>
        <translation>The model is unsure about this image (uncertainty %1 %): several classes are close. Do not rely on this result.</translation>
    </message>
    <message>
        <source>Uncertainty: %1 % (low)</source>
        <translation>Uncertainty: %1 % (low)</translation>
    </message>
    <message>
        <source>Model: not trained yet (shared FAM only).</source>
        <translation>Model: not trained yet (shared FAM only).</translation>
    </message>
    <message>
        <source>Model version %1.</source>
        <translation>Model version %1.</translation>
    </message>
    <message>
        <source>The MLP view appears once this site has trained.</source>
        <translation>The MLP view appears once this site has trained.</translation>
    </message>
    <message>
        <source>Demo model with random weights: the result means nothing clinically.</source>
        <translation>Demo model with random weights: the result means nothing clinically.</translation>
    </message>
    <message>
        <source>Computed in %1 ms.</source>
        <translation>Computed in %1 ms.</translation>
    </message>
    <message>
        <source>Prediction not saved</source>
        <translation>Prediction not saved</translation>
    </message>
    <message>
        <source>The prediction could not be saved: %1</source>
        <translation>The prediction could not be saved: %1</translation>
    </message>
    <message>
        <source>Prediction saved to the workspace.</source>
        <translation>Prediction saved to the workspace.</translation>
    </message>
    <message>
        <source>Open an image</source>
        <translation>Open an image</translation>
    </message>
    <message>
        <source>Soft tissue</source>
        <translation>Soft tissue</translation>
    </message>
    <message>
        <source>Lung</source>
        <translation>Lung</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Bone</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Brain</translation>
    </message>
    <message>
        <source>Center %1 HU, width %2 HU</source>
        <translation>Center %1 HU, width %2 HU</translation>
    </message>
    <message>
        <source>Whole range</source>
        <translation>Whole range</translation>
    </message>
    <message>
        <source>A window from the lowest to the highest value in this image</source>
        <translation>A window from the lowest to the highest value in this image</translation>
    </message>
    <message>
        <source>Changes the display only. The model classifies the file&apos;s own rendering (with the file&apos;s window), as in training.</source>
        <translation>Changes the display only. The model classifies the file&apos;s own rendering (with the file&apos;s window), as in training.</translation>
    </message>
    <message>
        <source>Saved predictions</source>
        <translation>Saved predictions</translation>
    </message>
    <message>
        <source>Values in this image: %1 to %2 HU</source>
        <translation>Values in this image: %1 to %2 HU</translation>
    </message>
    <message>
        <source>Values in this image: %1 to %2</source>
        <translation>Values in this image: %1 to %2</translation>
    </message>
    <message>
        <source>Prediction saved to the workspace (model: %1).</source>
        <translation>Prediction saved to the workspace (model: %1).</translation>
    </message>
    <message>
        <source>Opening the image</source>
        <translation>Opening the image</translation>
    </message>
    <message>
        <source>Images and DICOM files (*);;Photos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;DICOM files (*.dcm *.dicom)</source>
        <translation>Images and DICOM files (*);;Photos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;DICOM files (*.dcm *.dicom)</translation>
    </message>
    <message>
        <source>Model card…</source>
        <translation>Model card…</translation>
    </message>
    <message>
        <source>What this model was trained on and how well it did on the site&apos;s held-out images</source>
        <translation>What this model was trained on and how well it did on the site&apos;s held-out images</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>colour</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>grey</translation>
    </message>
    <message>
        <source>photo (not DICOM)</source>
        <translation>photo (not DICOM)</translation>
    </message>
    <message>
        <source> or </source>
        <translation> or </translation>
    </message>
    <message>
        <source>its modality is %1, the model is for %2</source>
        <translation>its modality is %1, the model is for %2</translation>
    </message>
    <message>
        <source>its body part is %1, the model is for %2</source>
        <translation>its body part is %1, the model is for %2</translation>
    </message>
    <message>
        <source>it is a %1 image, the model is for %2 images</source>
        <translation>it is a %1 image, the model is for %2 images</translation>
    </message>
    <message>
        <source>its features are farther from every training image than %1 of the validation images were (distance %2, threshold %3)</source>
        <translation>its features are farther from every training image than %1 of the validation images were (distance %2, threshold %3)</translation>
    </message>
    <message>
        <source>This image does not look like the images the model was trained on (%1). The result below is shown for reference only: do not rely on it.</source>
        <translation>This image does not look like the images the model was trained on (%1). The result below is shown for reference only: do not rely on it.</translation>
    </message>
    <message>
        <source>This model is no better than chance on its %1 validation images (balanced accuracy %2; chance is %3 for %4 classes). Do not rely on it; tell your site staff.</source>
        <translation>This model is no better than chance on its %1 validation images (balanced accuracy %2; chance is %3 for %4 classes). Do not rely on it; tell your site staff.</translation>
    </message>
    <message>
        <source>%1 prediction set: one of: %2</source>
        <translation>%1 prediction set: one of: %2</translation>
    </message>
    <message>
        <source>This set is large (%1 of %2 classes): the model cannot narrow this image down, so the top class alone means little.</source>
        <translation>This set is large (%1 of %2 classes): the model cannot narrow this image down, so the top class alone means little.</translation>
    </message>
    <message>
        <source>The two parts of the model disagree: the FAM (shared) says %1, the MLP (this site&apos;s) says %2. Look at both views and be cautious.</source>
        <translation>The two parts of the model disagree: the FAM (shared) says %1, the MLP (this site&apos;s) says %2. Look at both views and be cautious.</translation>
    </message>
    <message>
        <source>Probabilities calibrated on %1 validation images.</source>
        <translation>Probabilities calibrated on %1 validation images.</translation>
    </message>
    <message>
        <source>Its %1 prediction sets covered the true class in %2 of %3 test images.</source>
        <translation>Its %1 prediction sets covered the true class in %2 of %3 test images.</translation>
    </message>
    <message>
        <source>Model version %1</source>
        <translation>Model version %1</translation>
    </message>
    <message>
        <source>Bundle %1 (%2), calibrated %3.</source>
        <translation>Bundle %1 (%2), calibrated %3.</translation>
    </message>
    <message>
        <source>DEMO bundle with random weights: these figures say nothing clinical.</source>
        <translation>DEMO bundle with random weights: these figures say nothing clinical.</translation>
    </message>
    <message>
        <source>Training images per class</source>
        <translation>Training images per class</translation>
    </message>
    <message>
        <source>%1 images: accuracy %2, balanced accuracy %3, macro F1 %4</source>
        <translation>%1 images: accuracy %2, balanced accuracy %3, macro F1 %4</translation>
    </message>
    <message>
        <source>Validation (ensemble)</source>
        <translation>Validation (ensemble)</translation>
    </message>
    <message>
        <source>Test (ensemble)</source>
        <translation>Test (ensemble)</translation>
    </message>
    <message>
        <source>No better than chance on its validation images.</source>
        <translation>No better than chance on its validation images.</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Calibration</translation>
    </message>
    <message>
        <source>Temperature %1; validation negative log-likelihood %2 before, %3 after.</source>
        <translation>Temperature %1; validation negative log-likelihood %2 before, %3 after.</translation>
    </message>
    <message>
        <source>On %1 test images: expected calibration error %2 before, %3 after; negative log-likelihood %4 before, %5 after.</source>
        <translation>On %1 test images: expected calibration error %2 before, %3 after; negative log-likelihood %4 before, %5 after.</translation>
    </message>
    <message>
        <source>%1 prediction sets covered the true class in %2 of %3 test images (mean set size %4).</source>
        <translation>%1 prediction sets covered the true class in %2 of %3 test images (mean set size %4).</translation>
    </message>
    <message>
        <source>Images it is for</source>
        <translation>Images it is for</translation>
    </message>
    <message>
        <source>Declared by the site: %1</source>
        <translation>Declared by the site: %1</translation>
    </message>
    <message>
        <source>Seen in its training images: %1</source>
        <translation>Seen in its training images: %1</translation>
    </message>
    <message>
        <source>modality %1; body part %2; %3</source>
        <translation>modality %1; body part %2; %3</translation>
    </message>
    <message>
        <source>any</source>
        <translation>any</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>Model card</translation>
    </message>
    <message>
        <source>DICOM report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export as DICOM SR…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The selected prediction as a DICOM structured report file (DICOM images only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send to PACS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Store the selected prediction as a DICOM structured report on the PACS of Settings › PACS, in the image&apos;s study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this site has not trained a model yet, so the percentages are raw scores of the shared model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this model had no validation images to calibrate on, so the percentages are the model&apos;s raw scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this model version was saved without a calibration, so the percentages are the model&apos;s raw scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not calibrated: %1, not probabilities. There is no prediction set and no check against the training images. Do not read them as chances; ask your site staff to import images with a validation share and train again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most likely: %1 (raw score %2, not calibrated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No prediction set in this view: it was not calibrated on validation images.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw scores, not calibrated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export as DICOM SR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DICOM files (*.dcm)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::ConnectionPage</name>
    <message>
        <source>Test the connection</source>
        <translation>Test the connection</translation>
    </message>
    <message>
        <source>A last check that the coordinator answers and recognises this site.</source>
        <translation>A last check that the coordinator answers and recognises this site.</translation>
    </message>
    <message>
        <source>Test again</source>
        <translation>Test again</translation>
    </message>
    <message>
        <source>Connected: the coordinator answers and knows this site.</source>
        <translation>Connected: the coordinator answers and knows this site.</translation>
    </message>
    <message>
        <source>Testing the connection</source>
        <translation>Testing the connection</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CoordinatorPage</name>
    <message>
        <source>Connect to the federation</source>
        <translation>Connect to the federation</translation>
    </message>
    <message>
        <source>Your federation administrator gave you the coordinator&apos;s address and a one-time enrollment code.</source>
        <translation>Your federation administrator gave you the coordinator&apos;s address and a one-time enrollment code.</translation>
    </message>
    <message>
        <source>Coordinator address</source>
        <translation>Coordinator address</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>Enrollment code</translation>
    </message>
    <message>
        <source>Type the coordinator&apos;s address, for example https://federation.example.org:8443.</source>
        <translation>Type the coordinator&apos;s address, for example https://federation.example.org:8443.</translation>
    </message>
    <message>
        <source>The address starts with http://, which is not encrypted. The federation only works over https:// — ask your administrator for the https address.</source>
        <translation>The address starts with http://, which is not encrypted. The federation only works over https:// — ask your administrator for the https address.</translation>
    </message>
    <message>
        <source>Type the address with https:// at the start, for example https://%1.</source>
        <translation>Type the address with https:// at the start, for example https://%1.</translation>
    </message>
    <message>
        <source>That does not look like a coordinator address. It should look like https://federation.example.org:8443.</source>
        <translation>That does not look like a coordinator address. It should look like https://federation.example.org:8443.</translation>
    </message>
    <message>
        <source>Type the enrollment code your federation administrator gave you.</source>
        <translation>Type the enrollment code your federation administrator gave you.</translation>
    </message>
    <message>
        <source>The enrollment code looks incomplete or mistyped (it has at least 6 letters, digits or dashes). Check it against the one you received.</source>
        <translation>The enrollment code looks incomplete or mistyped (it has at least 6 letters, digits or dashes). Check it against the one you received.</translation>
    </message>
    <message>
        <source>Contacting the coordinator</source>
        <translation>Contacting the coordinator</translation>
    </message>
    <message>
        <source>Open invitation file…</source>
        <translation>Open invitation file…</translation>
    </message>
    <message>
        <source>The enrollment file your administrator may have sent instead: it holds the address, the code and the federation&apos;s CA certificate.</source>
        <translation>The enrollment file your administrator may have sent instead: it holds the address, the code and the federation&apos;s CA certificate.</translation>
    </message>
    <message>
        <source>Invitation file</source>
        <translation>Invitation file</translation>
    </message>
    <message>
        <source>Invitation files (*.json);;All files (*)</source>
        <translation>Invitation files (*.json);;All files (*)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DataPage</name>
    <message>
        <source>Your site&apos;s data</source>
        <translation>Your site&apos;s data</translation>
    </message>
    <message>
        <source>These are the images your site will train on. The images never leave this computer: only the model&apos;s shared part does.</source>
        <translation>These are the images your site will train on. The images never leave this computer: only the model&apos;s shared part does.</translation>
    </message>
    <message>
        <source>Import images…</source>
        <translation>Import images…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n image(s)</source>
        <translation>
            <numerusform>%1: %n image</numerusform>
            <numerusform>%1: %n images</numerusform>
        </translation>
    </message>
    <message>
        <source>Your site has %1 labelled images in the federation&apos;s classes; at least %2 are needed. Import or label more images, then come back.</source>
        <translation>Your site has %1 labelled images in the federation&apos;s classes; at least %2 are needed. Import or label more images, then come back.</translation>
    </message>
    <message>
        <source>Your images cover only one of the federation&apos;s classes; at least two are needed.</source>
        <translation>Your images cover only one of the federation&apos;s classes; at least two are needed.</translation>
    </message>
    <message>
        <source>colour</source>
        <translation type="unfinished">colour</translation>
    </message>
    <message>
        <source>grey</source>
        <translation type="unfinished">grey</translation>
    </message>
    <message>
        <source>The federation is for: %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::DicomBrowserModel</name>
    <message>
        <source>Patient / study / series / image</source>
        <translation>Patient / study / series / image</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modality</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(no name)</translation>
    </message>
    <message>
        <source>Study %1</source>
        <translation>Study %1</translation>
    </message>
    <message>
        <source>Study of %1</source>
        <translation>Study of %1</translation>
    </message>
    <message>
        <source>unknown date</source>
        <translation>unknown date</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Series</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(unlabelled)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DonePage</name>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>This site joins &quot;%1&quot; at %2 with %3 classes. Press Finish to save the setup in this workspace; federated training then starts from the Train page.</source>
        <translation>This site joins &quot;%1&quot; at %2 with %3 classes. Press Finish to save the setup in this workspace; federated training then starts from the Train page.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::FederationWizard</name>
    <message>
        <source>Join a federation</source>
        <translation>Join a federation</translation>
    </message>
    <message>
        <source>The setup could not be saved: %1</source>
        <translation>The setup could not be saved: %1</translation>
    </message>
    <message>
        <source>The invitation file could not be read: %1</source>
        <translation>The invitation file could not be read: %1</translation>
    </message>
    <message>
        <source>This workspace already takes part in federation “%1”. Open another workspace to join a second one.</source>
        <translation>This workspace already takes part in federation “%1”. Open another workspace to join a second one.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryChartBinder</name>
    <message>
        <source>Round</source>
        <translation>Round</translation>
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
        <translation>Round %1 · %2: %3</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryModel</name>
    <message>
        <source>Round</source>
        <translation>Round</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Accuracy</translation>
    </message>
    <message>
        <source>Balanced accuracy</source>
        <translation>Balanced accuracy</translation>
    </message>
    <message>
        <source>Macro F1</source>
        <translation>Macro F1</translation>
    </message>
    <message>
        <source>Federation accuracy</source>
        <translation>Federation accuracy</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>Seconds</translation>
    </message>
    <message>
        <source>Recall: %1</source>
        <translation>Recall: %1</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryPage</name>
    <message>
        <source>History</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Export charts (PNG)…</source>
        <translation>Export charts (PNG)…</translation>
    </message>
    <message>
        <source>Export data (CSV)…</source>
        <translation>Export data (CSV)…</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Training loss</translation>
    </message>
    <message>
        <source>Data exchanged per round</source>
        <translation>Data exchanged per round</translation>
    </message>
    <message>
        <source>Recall per class</source>
        <translation>Recall per class</translation>
    </message>
    <message>
        <source>No training yet. Train on the Train page; every round appears here.</source>
        <translation>No training yet. Train on the Train page; every round appears here.</translation>
    </message>
    <message>
        <source>Open a workspace to see its training history.</source>
        <translation>Open a workspace to see its training history.</translation>
    </message>
    <message>
        <source>Export the rounds as CSV</source>
        <translation>Export the rounds as CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export failed</translation>
    </message>
    <message>
        <source>The file could not be written: %1</source>
        <translation>The file could not be written: %1</translation>
    </message>
    <message>
        <source>Export the charts as PNG</source>
        <translation>Export the charts as PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG images (*.png)</translation>
    </message>
    <message>
        <source>Accuracy and F1 on held-out images</source>
        <translation>Accuracy and F1 on held-out images</translation>
    </message>
    <message numerus="yes">
        <source>interrupted %n time(s)</source>
        <translation>
            <numerusform>interrupted %n time</numerusform>
            <numerusform>interrupted %n times</numerusform>
        </translation>
    </message>
    <message>
        <source>This run was interrupted: %1.</source>
        <translation>This run was interrupted: %1.</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished">cancelled</translation>
    </message>
    <message>
        <source>stopped by an error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImageTableModel</name>
    <message>
        <source>training</source>
        <translation>training</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>validation</translation>
    </message>
    <message>
        <source>test</source>
        <translation>test</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(unlabelled)</translation>
    </message>
    <message>
        <source>photo</source>
        <translation>photo</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modality</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Split</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
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
        <translation>Born %1</translation>
    </message>
    <message>
        <source>Frame %1 of %2</source>
        <translation>Frame %1 of %2</translation>
    </message>
    <message>
        <source>Image %1 of %2</source>
        <translation>Image %1 of %2</translation>
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
        <translation>DICOM tags</translation>
    </message>
    <message>
        <source>Filter tags</source>
        <translation>Filter tags</translation>
    </message>
    <message>
        <source>Attribute</source>
        <translation>Attribute</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Value</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImagesPage</name>
    <message>
        <source>Label not saved</source>
        <translation>Label not saved</translation>
    </message>
    <message>
        <source>The label could not be saved: %1</source>
        <translation>The label could not be saved: %1</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>Import failed</translation>
    </message>
    <message>
        <source>The import stopped: %1</source>
        <translation>The import stopped: %1</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Import files…</source>
        <translation>Import files…</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>Import folder…</translation>
    </message>
    <message>
        <source>Set label…</source>
        <translation>Set label…</translation>
    </message>
    <message>
        <source>Search file names</source>
        <translation>Search file names</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Grid</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>Table</translation>
    </message>
    <message>
        <source>No images yet. Import files or a folder, or drop them here.</source>
        <translation>No images yet. Import files or a folder, or drop them here.</translation>
    </message>
    <message>
        <source>Open or create a workspace to import images.</source>
        <translation>Open or create a workspace to import images.</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(unlabelled)</translation>
    </message>
    <message>
        <source>All labels</source>
        <translation>All labels</translation>
    </message>
    <message>
        <source>photo</source>
        <translation>photo</translation>
    </message>
    <message>
        <source>All modalities</source>
        <translation>All modalities</translation>
    </message>
    <message>
        <source>All splits</source>
        <translation>All splits</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>All sites</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 images</source>
        <translation>%1 of %2 images</translation>
    </message>
    <message>
        <source>No workspace</source>
        <translation>No workspace</translation>
    </message>
    <message>
        <source>Open or create a workspace first, then import images.</source>
        <translation>Open or create a workspace first, then import images.</translation>
    </message>
    <message>
        <source>Importing image %1 of %2</source>
        <translation>Importing image %1 of %2</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>Importing images</translation>
    </message>
    <message>
        <source>Import images</source>
        <translation>Import images</translation>
    </message>
    <message>
        <source>Import a folder of images</source>
        <translation>Import a folder of images</translation>
    </message>
    <message>
        <source>Set label</source>
        <translation>Set label</translation>
    </message>
    <message>
        <source>Select one or more images first.</source>
        <translation>Select one or more images first.</translation>
    </message>
    <message numerus="yes">
        <source>Label for the %n selected image(s):</source>
        <translation>
            <numerusform>Label for the selected image:</numerusform>
            <numerusform>Label for the %n selected images:</numerusform>
        </translation>
    </message>
    <message>
        <source>Import with labels CSV…</source>
        <translation>Import with labels CSV…</translation>
    </message>
    <message numerus="yes">
        <source>label &quot;%1&quot; on %n image(s)</source>
        <translation>
            <numerusform>label &quot;%1&quot; on %n image</numerusform>
            <numerusform>label &quot;%1&quot; on %n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>removal of %n image(s)</source>
        <translation>
            <numerusform>removal of %n image</numerusform>
            <numerusform>removal of %n images</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Remove…</translation>
    </message>
    <message>
        <source>Takes the selected images out of this workspace. The files stay on disk; Edit › Undo puts them back.</source>
        <translation>Takes the selected images out of this workspace. The files stay on disk; Edit › Undo puts them back.</translation>
    </message>
    <message>
        <source>&amp;Labels:</source>
        <translation>&amp;Labels:</translation>
    </message>
    <message>
        <source>from sub-folder names</source>
        <translation>from sub-folder names</translation>
    </message>
    <message>
        <source>none (unlabelled)</source>
        <translation>none (unlabelled)</translation>
    </message>
    <message>
        <source>from a CSV file…</source>
        <translation>from a CSV file…</translation>
    </message>
    <message>
        <source>from a DICOM attribute…</source>
        <translation>from a DICOM attribute…</translation>
    </message>
    <message>
        <source>Sub-folder names: images in &quot;melanoma/&quot; are labelled melanoma. A CSV file has the columns path and label (split and site optional). A DICOM attribute, e.g. BodyPartExamined, labels each DICOM file with its value. Importing files again with labels updates their labels.</source>
        <translation>Sub-folder names: images in &quot;melanoma/&quot; are labelled melanoma. A CSV file has the columns path and label (split and site optional). A DICOM attribute, e.g. BodyPartExamined, labels each DICOM file with its value. Importing files again with labels updates their labels.</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patients</translation>
    </message>
    <message>
        <source>DICOM images by patient, study and series, with a viewer</source>
        <translation>DICOM images by patient, study and series, with a viewer</translation>
    </message>
    <message>
        <source>Search patients, IDs, studies, series</source>
        <translation>Search patients, IDs, studies, series</translation>
    </message>
    <message>
        <source>Patient and study in the corners</source>
        <translation>Patient and study in the corners</translation>
    </message>
    <message>
        <source>DICOM tags…</source>
        <translation>DICOM tags…</translation>
    </message>
    <message>
        <source>Window: the file&apos;s own</source>
        <translation>Window: the file&apos;s own</translation>
    </message>
    <message>
        <source>Window: %1 (W %2, L %3)</source>
        <translation>Window: %1 (W %2, L %3)</translation>
    </message>
    <message>
        <source>Select a series or an image to view it. Drag with the right mouse button to change the window, with the left to pan; Ctrl+wheel zooms, the wheel goes through the images.</source>
        <translation>Select a series or an image to view it. Drag with the right mouse button to change the window, with the left to pan; Ctrl+wheel zooms, the wheel goes through the images.</translation>
    </message>
    <message>
        <source>No DICOM images with patient and study information in this workspace.</source>
        <translation>No DICOM images with patient and study information in this workspace.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) without DICOM patient information (photos) are in the grid and the table.</source>
        <translation>
            <numerusform>%n image without DICOM patient information (a photo) is in the grid and the table.</numerusform>
            <numerusform>%n images without DICOM patient information (photos) are in the grid and the table.</numerusform>
        </translation>
    </message>
    <message>
        <source>Labels CSV file</source>
        <translation>Labels CSV file</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV files (*.csv);;All files (*)</translation>
    </message>
    <message>
        <source>Labels from a DICOM attribute</source>
        <translation>Labels from a DICOM attribute</translation>
    </message>
    <message>
        <source>DICOM attribute keyword whose value becomes the label (e.g. BodyPartExamined, ViewPosition):</source>
        <translation>DICOM attribute keyword whose value becomes the label (e.g. BodyPartExamined, ViewPosition):</translation>
    </message>
    <message>
        <source>Images and DICOM files (*);;Photos (%1);;DICOM files (*.dcm *.dicom)</source>
        <translation>Images and DICOM files (*);;Photos (%1);;DICOM files (*.dcm *.dicom)</translation>
    </message>
    <message>
        <source>Remove from workspace</source>
        <translation>Remove from workspace</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n image(s) from this workspace? The files stay on disk. Edit › Undo puts them back.</source>
        <translation>
            <numerusform>Remove %n image from this workspace? The file stays on disk. Edit › Undo puts it back.</numerusform>
            <numerusform>Remove %n images from this workspace? The files stay on disk. Edit › Undo puts them back.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not removed</source>
        <translation>Not removed</translation>
    </message>
    <message>
        <source>Not put back</source>
        <translation>Not put back</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Classify</translation>
    </message>
    <message>
        <source>Remove from workspace…</source>
        <translation>Remove from workspace…</translation>
    </message>
    <message>
        <source>Show in the viewer</source>
        <translation>Show in the viewer</translation>
    </message>
    <message>
        <source>Window: W %1, L %2 (dragged)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportCsvDialog</name>
    <message>
        <source>Import with a labels CSV</source>
        <translation>Import with a labels CSV</translation>
    </message>
    <message>
        <source>The CSV&apos;s folder</source>
        <translation>The CSV&apos;s folder</translation>
    </message>
    <message>
        <source>{} stands for the value of the file column, e.g. {}.png for a column of image ids, {:03}.png to pad them with zeros to 3 digits. Relative paths start at the CSV&apos;s folder.</source>
        <translation>{} stands for the value of the file column, e.g. {}.png for a column of image ids, {:03}.png to pad them with zeros to 3 digits. Relative paths start at the CSV&apos;s folder.</translation>
    </message>
    <message>
        <source>Labels CSV:</source>
        <translation>Labels CSV:</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Folder to import:</source>
        <translation>Folder to import:</translation>
    </message>
    <message>
        <source>File column:</source>
        <translation>File column:</translation>
    </message>
    <message>
        <source>Label column:</source>
        <translation>Label column:</translation>
    </message>
    <message>
        <source>Path pattern:</source>
        <translation>Path pattern:</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Labels CSV</source>
        <translation>Labels CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV files (*.csv);;All files (*)</translation>
    </message>
    <message>
        <source>Folder to import</source>
        <translation>Folder to import</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportReportDialog</name>
    <message>
        <source>Import report</source>
        <translation>Import report</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportReportModel</name>
    <message numerus="yes">
        <source>%n image(s) imported</source>
        <translation>
            <numerusform>%n image imported</numerusform>
            <numerusform>%n images imported</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicate(s) skipped</source>
        <translation>
            <numerusform>%n duplicate skipped</numerusform>
            <numerusform>%n duplicates skipped</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be used</source>
        <translation>
            <numerusform>%n file could not be used</numerusform>
            <numerusform>%n files could not be used</numerusform>
        </translation>
    </message>
    <message>
        <source>The import was cancelled; the files before it stay imported.</source>
        <translation>The import was cancelled; the files before it stay imported.</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Why it could not be used</source>
        <translation>Why it could not be used</translation>
    </message>
</context>
<context>
    <name>fmc::ui::MainWindow</name>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Classify</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Train</translation>
    </message>
    <message>
        <source>History</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Research use only — not a medical device. Do not use it to diagnose or treat patients.</source>
        <translation>Research use only — not a medical device. Do not use it to diagnose or treat patients.</translation>
    </message>
    <message>
        <source>Demo not ready</source>
        <translation>Demo not ready</translation>
    </message>
    <message>
        <source>The demo workspace could not be prepared: %1</source>
        <translation>The demo workspace could not be prepared: %1</translation>
    </message>
    <message>
        <source>Welcome to FedMedCLIP</source>
        <translation>Welcome to FedMedCLIP</translation>
    </message>
    <message>
        <source>Train a medical image classifier together with other hospitals, without sharing images. Start with a workspace for your site&apos;s images, or try the demo first.</source>
        <translation>Train a medical image classifier together with other hospitals, without sharing images. Start with a workspace for your site&apos;s images, or try the demo first.</translation>
    </message>
    <message>
        <source>Open a workspace…</source>
        <translation>Open a workspace…</translation>
    </message>
    <message>
        <source>Create a workspace…</source>
        <translation>Create a workspace…</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Try the demo</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>&amp;New workspace…</translation>
    </message>
    <message>
        <source>&amp;Open workspace…</source>
        <translation>&amp;Open workspace…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Open &amp;recent</translation>
    </message>
    <message>
        <source>Open the &amp;demo workspace</source>
        <translation>Open the &amp;demo workspace</translation>
    </message>
    <message>
        <source>&amp;Close workspace</source>
        <translation>&amp;Close workspace</translation>
    </message>
    <message>
        <source>&amp;Import files…</source>
        <translation>&amp;Import files…</translation>
    </message>
    <message>
        <source>Import &amp;folder…</source>
        <translation>Import &amp;folder…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>F&amp;ederation</source>
        <translation>F&amp;ederation</translation>
    </message>
    <message>
        <source>&amp;Join a federation…</source>
        <translation>&amp;Join a federation…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Tools</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About FedMedCLIP</source>
        <translation>&amp;About FedMedCLIP</translation>
    </message>
    <message>
        <source>This build of the app has no federation client.</source>
        <translation>This build of the app has no federation client.</translation>
    </message>
    <message>
        <source>%1 — FedMedCLIP</source>
        <translation>%1 — FedMedCLIP</translation>
    </message>
    <message>
        <source>FedMedCLIP</source>
        <translation>FedMedCLIP</translation>
    </message>
    <message>
        <source>DEMO — demo model with random weights and synthetic demo images. Not for clinical use.</source>
        <translation>DEMO — demo model with random weights and synthetic demo images. Not for clinical use.</translation>
    </message>
    <message>
        <source>DEMO MODEL — random weights, not for clinical use. Choose a real model bundle in Settings.</source>
        <translation>DEMO MODEL — random weights, not for clinical use. Choose a real model bundle in Settings.</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>Please wait</translation>
    </message>
    <message>
        <source>Wait for the running task to finish or cancel it first.</source>
        <translation>Wait for the running task to finish or cancel it first.</translation>
    </message>
    <message>
        <source>Workspace not opened</source>
        <translation>Workspace not opened</translation>
    </message>
    <message>
        <source>The workspace could not be opened: %1</source>
        <translation>The workspace could not be opened: %1</translation>
    </message>
    <message>
        <source>Workspace not created</source>
        <translation>Workspace not created</translation>
    </message>
    <message>
        <source>The workspace could not be created: %1</source>
        <translation>The workspace could not be created: %1</translation>
    </message>
    <message>
        <source>Preparing the demo workspace</source>
        <translation>Preparing the demo workspace</translation>
    </message>
    <message>
        <source>Choose an empty folder for the new workspace</source>
        <translation>Choose an empty folder for the new workspace</translation>
    </message>
    <message>
        <source>Open a workspace folder</source>
        <translation>Open a workspace folder</translation>
    </message>
    <message>
        <source>Not a workspace</source>
        <translation>Not a workspace</translation>
    </message>
    <message>
        <source>This folder is not a FedMedCLIP workspace. Use File › New workspace to make one.</source>
        <translation>This folder is not a FedMedCLIP workspace. Use File › New workspace to make one.</translation>
    </message>
    <message>
        <source>About FedMedCLIP</source>
        <translation>About FedMedCLIP</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;FedMedCLIP Desktop&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Federated CLIP for medical image classification: frozen CLIP encoders, a shared feature adaptation module trained by the federation and a private model per site. Images never leave the site.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Research use only. Not a medical device.&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;FedMedCLIP Desktop&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Federated CLIP for medical image classification: frozen CLIP encoders, a shared feature adaptation module trained by the federation and a private model per site. Images never leave the site.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Research use only. Not a medical device.&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Quit while working?</source>
        <translation>Quit while working?</translation>
    </message>
    <message>
        <source>A task is still running. Cancel it and quit?</source>
        <translation>A task is still running. Cancel it and quit?</translation>
    </message>
    <message>
        <source>Import from &amp;PACS…</source>
        <translation>Import from &amp;PACS…</translation>
    </message>
    <message>
        <source>The %1 page works on a workspace. Open one or create one first (or try the demo).</source>
        <translation>The %1 page works on a workspace. Open one or create one first (or try the demo).</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Ctrl+%2)</translation>
    </message>
    <message>
        <source>Recent workspaces</source>
        <translation>Recent workspaces</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>Open %1</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(none yet)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>User guide</translation>
    </message>
    <message>
        <source>The user guide %1 is not installed on this computer.</source>
        <translation>The user guide %1 is not installed on this computer.</translation>
    </message>
    <message>
        <source>User guide — %1</source>
        <translation>User guide — %1</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Undo</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Redo</translation>
    </message>
    <message>
        <source>Set &amp;label…</source>
        <translation>Set &amp;label…</translation>
    </message>
    <message>
        <source>&amp;Remove from workspace…</source>
        <translation>&amp;Remove from workspace…</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Go</translation>
    </message>
    <message>
        <source>&amp;Images</source>
        <translation>&amp;Images</translation>
    </message>
    <message>
        <source>&amp;Classify</source>
        <translation>&amp;Classify</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Train</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;History</translation>
    </message>
    <message>
        <source>&amp;Start page</source>
        <translation>&amp;Start page</translation>
    </message>
    <message>
        <source>User guide for &amp;site staff</source>
        <translation>User guide for &amp;site staff</translation>
    </message>
    <message>
        <source>User guide for &amp;clinicians</source>
        <translation>User guide for &amp;clinicians</translation>
    </message>
</context>
<context>
    <name>fmc::ui::MappingPage</name>
    <message>
        <source>Match your labels to the federation&apos;s classes</source>
        <translation>Match your labels to the federation&apos;s classes</translation>
    </message>
    <message>
        <source>The federation trains on its own list of classes. Tell it which of your labels means which class. Labels you mark as not used stay out of federated training.</source>
        <translation>The federation trains on its own list of classes. Tell it which of your labels means which class. Labels you mark as not used stay out of federated training.</translation>
    </message>
    <message>
        <source>Classes of &quot;%1&quot;: %2</source>
        <translation>Classes of &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>This workspace has no labelled images yet. Go back later, after importing and labelling images, or import them on the next page.</source>
        <translation>This workspace has no labelled images yet. Go back later, after importing and labelling images, or import them on the next page.</translation>
    </message>
    <message>
        <source>Match your labels to at least two of the federation&apos;s classes, so that your site can help train the shared model.</source>
        <translation>Match your labels to at least two of the federation&apos;s classes, so that your site can help train the shared model.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PacsConnectionForm</name>
    <message>
        <source>DICOMweb (QIDO-RS / WADO-RS)</source>
        <translation type="unfinished">DICOMweb (QIDO-RS / WADO-RS)</translation>
    </message>
    <message>
        <source>DIMSE (C-FIND / C-GET or C-MOVE)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished">None</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation type="unfinished">User name and password</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation type="unfinished">Bearer token</translation>
    </message>
    <message>
        <source>Remember the password (never in the workspace)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM file of the hospital&apos;s CA (empty: the system&apos;s)</source>
        <translation type="unfinished">PEM file of the hospital&apos;s CA (empty: the system&apos;s)</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation type="unfinished">URL:</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation type="unfinished">Authentication:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation type="unfinished">User name:</translation>
    </message>
    <message>
        <source>Password or token:</source>
        <translation type="unfinished">Password or token:</translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation type="unfinished">CA certificate:</translation>
    </message>
    <message>
        <source>C-GET (no port to open)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C-MOVE (the PACS sends to this computer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(our calling AE title)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host:</source>
        <translation type="unfinished">Host:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation type="unfinished">Port:</translation>
    </message>
    <message>
        <source>Our AE title (calling):</source>
        <translation type="unfinished">Our AE title (calling):</translation>
    </message>
    <message>
        <source>PACS AE title (called):</source>
        <translation type="unfinished">PACS AE title (called):</translation>
    </message>
    <message>
        <source>Retrieve with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move destination AE title:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move destination port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For C-MOVE the PACS must know the move destination with this computer&apos;s address and port, and that port must be open to the PACS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished">Test connection</translation>
    </message>
    <message>
        <source>Remembered passwords are kept in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remembered passwords are kept in %1, readable by you alone, because the platform&apos;s secret store cannot be used: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The saved password cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 answers and accepts this site.</source>
        <translation type="unfinished">%1 answers and accepts this site.</translation>
    </message>
    <message>
        <source>The password was not saved: %1</source>
        <translation type="unfinished">The password was not saved: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished">Connecting…</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PacsImportDialog</name>
    <message>
        <source>Import from PACS</source>
        <translation>Import from PACS</translation>
    </message>
    <message>
        <source>Search studies</source>
        <translation>Search studies</translation>
    </message>
    <message>
        <source>e.g. DOE^J* (* and ? are wildcards)</source>
        <translation>e.g. DOE^J* (* and ? are wildcards)</translation>
    </message>
    <message>
        <source>YYYYMMDD</source>
        <translation>YYYYMMDD</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>e.g. CT</source>
        <translation>e.g. CT</translation>
    </message>
    <message>
        <source>Patient name:</source>
        <translation>Patient name:</translation>
    </message>
    <message>
        <source>Patient ID:</source>
        <translation>Patient ID:</translation>
    </message>
    <message>
        <source>Study date:</source>
        <translation>Study date:</translation>
    </message>
    <message>
        <source>Modality:</source>
        <translation>Modality:</translation>
    </message>
    <message>
        <source>Accession number:</source>
        <translation>Accession number:</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Study / series</source>
        <translation>Study / series</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modality</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Import checked series</source>
        <translation>Import checked series</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Cancelled. Nothing was imported; the images retrieved so far are kept and are not fetched again by the next import.</source>
        <translation>Cancelled. Nothing was imported; the images retrieved so far are kept and are not fetched again by the next import.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <source>Series %1</source>
        <translation>Series %1</translation>
    </message>
    <message numerus="yes">
        <source>%n study(ies) found. Check the series to import.</source>
        <translation>
            <numerusform>%n study found. Check the series to import.</numerusform>
            <numerusform>%n studies found. Check the series to import.</numerusform>
        </translation>
    </message>
    <message>
        <source>Check at least one study or series first.</source>
        <translation>Check at least one study or series first.</translation>
    </message>
    <message>
        <source>Series %1: cancelled after %2 image(s).</source>
        <translation>Series %1: cancelled after %2 image(s).</translation>
    </message>
    <message>
        <source>Series %1: %2 image(s) retrieved, then: %3</source>
        <translation>Series %1: %2 image(s) retrieved, then: %3</translation>
    </message>
    <message>
        <source>The images retrieved are imported; import the same series again to fetch the rest.</source>
        <translation>The images retrieved are imported; import the same series again to fetch the rest.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) retrieved; importing them.</source>
        <translation>
            <numerusform>%n image retrieved; importing it.</numerusform>
            <numerusform>%n images retrieved; importing them.</numerusform>
        </translation>
    </message>
    <message>
        <source>Retrieve from PACS</source>
        <translation>Retrieve from PACS</translation>
    </message>
    <message>
        <source>Series %1 of %2</source>
        <translation>Series %1 of %2</translation>
    </message>
    <message>
        <source>PACS connection (also in Settings)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::PredictionListModel</name>
    <message>
        <source>Model: %1</source>
        <translation>Model: %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Saved</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Prediction</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Raw scores, not calibrated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of distribution: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (raw score %2, not calibrated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not like the training images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>model no better than chance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 set: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no prediction set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FAM and MLP disagree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checks</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::PredictionReportExporter</name>
    <message>
        <source>Cancelled: the report was not sent to the PACS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export as DICOM SR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the structured report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the prediction as a DICOM structured report: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send to PACS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No password or token is remembered for %1 (in %2): enter it in Settings › PACS and tick Remember.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent the structured report to %1.</source>
        <translation type="unfinished"></translation>
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
        <translation>Class</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>Probability</translation>
    </message>
    <message>
        <source>Raw score (not calibrated)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>(the workspace&apos;s own bundle)</source>
        <translation>(the workspace&apos;s own bundle)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Model bundle folder</source>
        <translation>Model bundle folder</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA (NVIDIA GPU)</source>
        <translation>CUDA (NVIDIA GPU)</translation>
    </message>
    <message>
        <source>No CUDA GPU is available on this computer.</source>
        <translation>No CUDA GPU is available on this computer.</translation>
    </message>
    <message>
        <source>Compute on</source>
        <translation>Compute on</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU threads</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Largest file to import</source>
        <translation>Largest file to import</translation>
    </message>
    <message>
        <source> megapixels</source>
        <translation> megapixels</translation>
    </message>
    <message>
        <source>Largest image to import</source>
        <translation>Largest image to import</translation>
    </message>
    <message>
        <source>A new language applies the next time the app starts.</source>
        <translation>A new language applies the next time the app starts.</translation>
    </message>
    <message>
        <source>Workspaces use the bundle they were set up with.</source>
        <translation>Workspaces use the bundle they were set up with.</translation>
    </message>
    <message>
        <source>%1, version %2</source>
        <translation>%1, version %2</translation>
    </message>
    <message>
        <source>(demo model: random weights, not for clinical use)</source>
        <translation>(demo model: random weights, not for clinical use)</translation>
    </message>
    <message>
        <source>No readable model bundle in this folder.</source>
        <translation>No readable model bundle in this folder.</translation>
    </message>
    <message>
        <source>The model bundle folder does not exist.</source>
        <translation>The model bundle folder does not exist.</translation>
    </message>
    <message>
        <source>This folder is not a model bundle: it has no manifest.json. Choose the folder that contains it.</source>
        <translation>This folder is not a model bundle: it has no manifest.json. Choose the folder that contains it.</translation>
    </message>
    <message>
        <source>The model bundle&apos;s manifest cannot be used: %1</source>
        <translation>The model bundle&apos;s manifest cannot be used: %1</translation>
    </message>
    <message>
        <source>Automatic (free cores, one kept for this window)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PACS</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>fmc::ui::SiteStoreWorkspace</name>
    <message>
        <source>run %1</source>
        <translation>run %1</translation>
    </message>
    <message>
        <source>Reading images</source>
        <translation>Reading images</translation>
    </message>
    <message>
        <source>Training round %1 of %2</source>
        <translation>Training round %1 of %2</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TaskProgressDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Cancelling…</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TaskRunner</name>
    <message>
        <source>unknown error</source>
        <translation>unknown error</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TrainPage</name>
    <message numerus="yes">
        <source>%n image(s) could not be read and were left out.</source>
        <translation>
            <numerusform>%n image could not be read and was left out.</numerusform>
            <numerusform>%n images could not be read and were left out.</numerusform>
        </translation>
    </message>
    <message>
        <source>Training stopped: %1</source>
        <translation>Training stopped: %1</translation>
    </message>
    <message>
        <source>Cancelled. The rounds finished so far are in the history; the saved model is unchanged.</source>
        <translation>Cancelled. The rounds finished so far are in the history; the saved model is unchanged.</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Train</translation>
    </message>
    <message>
        <source>&lt;b&gt;Local training&lt;/b&gt;&lt;br&gt;Trains this site&apos;s model on its own labelled images only. Nothing leaves this computer.</source>
        <translation>&lt;b&gt;Local training&lt;/b&gt;&lt;br&gt;Trains this site&apos;s model on its own labelled images only. Nothing leaves this computer.</translation>
    </message>
    <message>
        <source> rounds</source>
        <translation> rounds</translation>
    </message>
    <message>
        <source>Train locally</source>
        <translation>Train locally</translation>
    </message>
    <message>
        <source>Join a federation…</source>
        <translation>Join a federation…</translation>
    </message>
    <message>
        <source>Ask the coordinator for the round&apos;s status</source>
        <translation>Ask the coordinator for the round&apos;s status</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>This run, live</source>
        <translation>This run, live</translation>
    </message>
    <message>
        <source>No training running.</source>
        <translation>No training running.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Member of &quot;%1&quot; at %2, %3 classes. Rounds are run by the coordinator.</source>
        <translation>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Member of &quot;%1&quot; at %2, %3 classes. Rounds are run by the coordinator.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training (demo)&lt;/b&gt;&lt;br&gt;Trains together with two demo sites whose images are on this computer. Only the shared part of the model is exchanged.</source>
        <translation>&lt;b&gt;Federated training (demo)&lt;/b&gt;&lt;br&gt;Trains together with two demo sites whose images are on this computer. Only the shared part of the model is exchanged.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Train together with other hospitals without sharing images. Join a federation first.</source>
        <translation>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Train together with other hospitals without sharing images. Join a federation first.</translation>
    </message>
    <message>
        <source>Take part in the federation&apos;s rounds</source>
        <translation>Take part in the federation&apos;s rounds</translation>
    </message>
    <message>
        <source>Run demo federation</source>
        <translation>Run demo federation</translation>
    </message>
    <message>
        <source>This build of the app has no federation client.</source>
        <translation>This build of the app has no federation client.</translation>
    </message>
    <message>
        <source>Local training</source>
        <translation>Local training</translation>
    </message>
    <message>
        <source>Demo federation</source>
        <translation>Demo federation</translation>
    </message>
    <message>
        <source>Federated training</source>
        <translation>Federated training</translation>
    </message>
    <message>
        <source>Asking the coordinator</source>
        <translation>Asking the coordinator</translation>
    </message>
    <message>
        <source>Cancelling after the current step…</source>
        <translation>Cancelling after the current step…</translation>
    </message>
    <message numerus="yes">
        <source>Done: %n round(s). The model of round %1 (balanced accuracy %2) is saved.</source>
        <translation>
            <numerusform>Done: %n round. The model of round %1 (balanced accuracy %2) is saved.</numerusform>
            <numerusform>Done: %n rounds. The model of round %1 (balanced accuracy %2) is saved.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>On the %n test image(s), which played no part in choosing it: accuracy %1, balanced accuracy %2.</source>
        <translation>
            <numerusform>On the %n test image, which played no part in choosing it: accuracy %1, balanced accuracy %2.</numerusform>
            <numerusform>On the %n test images, which played no part in choosing it: accuracy %1, balanced accuracy %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>There are no validation images, so the round was chosen on the test images and its figures are optimistic.</source>
        <translation>There are no validation images, so the round was chosen on the test images and its figures are optimistic.</translation>
    </message>
    <message>
        <source>Coordinator unreachable since %1. This page keeps asking, less often while it does not answer.</source>
        <translation>Coordinator unreachable since %1. This page keeps asking, less often while it does not answer.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Results of round %1: loss %2, accuracy %3, balanced accuracy %4 on held-out images</source>
        <translation>Results of round %1: loss %2, accuracy %3, balanced accuracy %4 on held-out images</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>Details…</translation>
    </message>
</context>
</TS>
