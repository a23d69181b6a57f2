<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>CoordinatorFederationService</name>
    <message>
        <source>The model bundle on this computer (%1) is not the federation&apos;s (%2). Choose the federation&apos;s bundle in Settings.</source>
        <translation>Le paquet de modèle de cet ordinateur (%1) n’est pas celui de la fédération (%2). Choisissez le paquet de la fédération dans les Paramètres.</translation>
    </message>
    <message>
        <source>This workspace&apos;s classes are not the federation&apos;s. Run &quot;Join a federation&quot; again to map your labels.</source>
        <translation>Les classes de cet espace de travail ne sont pas celles de la fédération. Relancez « Rejoindre une fédération » pour associer vos étiquettes.</translation>
    </message>
    <message>
        <source>Only %1 labelled training images map to the federation&apos;s classes; import and label more images.</source>
        <translation>Seules %1 images d’entraînement étiquetées correspondent aux classes de la fédération ; importez et étiquetez davantage d’images.</translation>
    </message>
    <message>
        <source>The coordinator answered for another federation than the one this site joined.</source>
        <translation>Le coordinateur a répondu pour une autre fédération que celle que ce site a rejointe.</translation>
    </message>
    <message>
        <source>This workspace has not joined a federation yet (%1 has no credential).</source>
        <translation>Cet espace de travail n’a encore rejoint aucune fédération (%1 ne contient pas d’identifiant).</translation>
    </message>
    <message>
        <source>The federation has finished. This site&apos;s final model is saved and the Classify page uses it.</source>
        <translation>La fédération est terminée. Le modèle final de ce site est enregistré et la page Classer l&apos;utilise.</translation>
    </message>
    <message>
        <source>Round %1 closed before this site&apos;s update arrived; this site joins the next round.</source>
        <translation>Le tour %1 s&apos;est terminé avant l&apos;arrivée de la mise à jour de ce site ; ce site participe au tour suivant.</translation>
    </message>
    <message>
        <source>The coordinator refused this site&apos;s update of round %1. The log says why; the federation goes on without it.</source>
        <translation>Le coordinateur a refusé la mise à jour de ce site pour le tour %1. Le journal indique pourquoi ; la fédération continue sans elle.</translation>
    </message>
    <message>
        <source>Training on this site&apos;s images</source>
        <translation>Entraînement sur les images de ce site</translation>
    </message>
    <message numerus="yes">
        <source>Federation &quot;%1&quot;: %n round(s) in all.</source>
        <translation>
            <numerusform>Fédération « %1 » : %n tour en tout.</numerusform>
            <numerusform>Fédération « %1 » : %n tours en tout.</numerusform>
        </translation>
    </message>
    <message>
        <source>Taking part in the federation&apos;s rounds.</source>
        <translation>Participation aux tours de la fédération.</translation>
    </message>
</context>
<context>
    <name>CoordinatorProbe</name>
    <message>
        <source>Could not reach the coordinator at %1: %2</source>
        <translation>Impossible de joindre le coordinateur à l’adresse %1 : %2</translation>
    </message>
    <message>
        <source>this computer has no TLS support installed</source>
        <translation>aucune prise en charge de TLS n’est installée sur cet ordinateur</translation>
    </message>
    <message>
        <source>no computer with that name was found</source>
        <translation>aucun ordinateur portant ce nom n’a été trouvé</translation>
    </message>
    <message>
        <source>the computer refused the connection (is the coordinator running?)</source>
        <translation>l’ordinateur a refusé la connexion (le coordinateur est-il démarré ?)</translation>
    </message>
    <message>
        <source>no answer within %1 seconds</source>
        <translation>aucune réponse en %1 secondes</translation>
    </message>
    <message>
        <source>the server did not set up an encrypted connection (TLS)</source>
        <translation>le serveur n’a pas établi de connexion chiffrée (TLS)</translation>
    </message>
    <message>
        <source>the server presented no certificate</source>
        <translation>le serveur n’a présenté aucun certificat</translation>
    </message>
    <message>
        <source>its certificate is not signed by this CA</source>
        <translation>son certificat n’est pas signé par cette autorité de certification</translation>
    </message>
    <message>
        <source>its certificate is not made out for %1</source>
        <translation>son certificat n’est pas établi pour %1</translation>
    </message>
    <message>
        <source>its certificate has expired</source>
        <translation>son certificat a expiré</translation>
    </message>
    <message>
        <source>its certificate is not valid yet</source>
        <translation>son certificat n’est pas encore valide</translation>
    </message>
</context>
<context>
    <name>DemoWorkspace</name>
    <message>
        <source>Creating the demo model and demo images</source>
        <translation>Création du modèle et des images de démonstration</translation>
    </message>
    <message>
        <source>Importing the demo images</source>
        <translation>Importation des images de démonstration</translation>
    </message>
</context>
<context>
    <name>ImageKindChecker</name>
    <message>
        <source>photo (not DICOM)</source>
        <translation>photo (pas DICOM)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is a federation for %2 images, but this workspace&apos;s images are %3. Join a federation for these images, or import %2 images first.</source>
        <translation>« %1 » est une fédération pour les images de type %2, mais les images de cet espace de travail sont de type %3. Rejoignez une fédération prévue pour ces images, ou importez d’abord des images de type %2.</translation>
    </message>
    <message>
        <source> or </source>
        <translation> ou </translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot; is a federation for %2 images; %n of this workspace&apos;s images are %3 and would be trained on as the federation&apos;s classes. Remove them or check their labels.</source>
        <translation>
            <numerusform>« %1 » est une fédération pour les images de type %2 ; %n image de cet espace de travail est de type %3 et serait utilisée pour l’entraînement comme relevant des classes de la fédération. Retirez-la ou vérifiez son étiquette.</numerusform>
            <numerusform>« %1 » est une fédération pour les images de type %2 ; %n images de cet espace de travail sont de type %3 et seraient utilisées pour l’entraînement comme relevant des classes de la fédération. Retirez-les ou vérifiez leurs étiquettes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImagesPage</name>
    <message>
        <source>Lung</source>
        <translation>Poumon</translation>
    </message>
    <message>
        <source>Soft tissue</source>
        <translation>Tissus mous</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Os</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Cerveau</translation>
    </message>
</context>
<context>
    <name>ImportScanner</name>
    <message>
        <source>the file or folder does not exist</source>
        <translation>le fichier ou le dossier n’existe pas</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>ce n’est pas un fichier ordinaire</translation>
    </message>
    <message>
        <source>the file is empty</source>
        <translation>le fichier est vide</translation>
    </message>
    <message>
        <source>the file is larger than the limit of %1 MB</source>
        <translation>le fichier dépasse la limite de %1 Mo</translation>
    </message>
    <message>
        <source>cannot be opened</source>
        <translation>impossible d’ouvrir le fichier</translation>
    </message>
    <message>
        <source>a dangling symbolic link (its target %1 does not exist)</source>
        <translation>un lien symbolique brisé (sa cible %1 n’existe pas)</translation>
    </message>
    <message>
        <source>the folder cannot be read (permission denied)</source>
        <translation>le dossier ne peut pas être lu (permission refusée)</translation>
    </message>
    <message>
        <source>not a regular file (a FIFO, socket or device)</source>
        <translation>pas un fichier ordinaire (FIFO, socket ou périphérique)</translation>
    </message>
</context>
<context>
    <name>RoundState</name>
    <message>
        <source>Connecting to the coordinator…</source>
        <translation>Connexion au coordinateur…</translation>
    </message>
    <message>
        <source>%1 of 1 site has sent its update</source>
        <translation>%1 site sur 1 a envoyé sa mise à jour</translation>
    </message>
    <message>
        <source>%1 of %2 sites have sent their update</source>
        <translation>%1 sites sur %2 ont envoyé leur mise à jour</translation>
    </message>
    <message>
        <source>waiting for the round to open</source>
        <translation>en attente de l’ouverture du tour</translation>
    </message>
    <message>
        <source>waiting for the federation&apos;s first round to open</source>
        <translation>en attente de l’ouverture du premier tour de la fédération</translation>
    </message>
    <message>
        <source>this site is training on its images</source>
        <translation>ce site s’entraîne sur ses images</translation>
    </message>
    <message>
        <source>this site&apos;s update is sent; waiting for the other sites</source>
        <translation>la mise à jour de ce site est envoyée ; en attente des autres sites</translation>
    </message>
    <message>
        <source>this site&apos;s update is sent; %1</source>
        <translation>la mise à jour de ce site est envoyée ; %1</translation>
    </message>
    <message>
        <source>collecting the sites&apos; updates</source>
        <translation>collecte des mises à jour des sites</translation>
    </message>
    <message>
        <source>collecting updates: %1</source>
        <translation>collecte des mises à jour : %1</translation>
    </message>
    <message>
        <source>(the round needs at least %1 sites)</source>
        <translation>(le tour a besoin d’au moins %1 sites)</translation>
    </message>
    <message>
        <source>combining the sites&apos; updates</source>
        <translation>combinaison des mises à jour des sites</translation>
    </message>
    <message>
        <source>the new shared model is published</source>
        <translation>le nouveau modèle partagé est publié</translation>
    </message>
    <message>
        <source>Finished: all %1 rounds are done</source>
        <translation>Terminé : les %1 tours sont faits</translation>
    </message>
    <message>
        <source>Finished: all rounds are done</source>
        <translation>Terminé : tous les tours sont faits</translation>
    </message>
    <message>
        <source>Round %1 of %2 — %3</source>
        <translation>Tour %1 sur %2 — %3</translation>
    </message>
    <message>
        <source>Round %1 — %2</source>
        <translation>Tour %1 — %2</translation>
    </message>
    <message>
        <source>Coordinator: %1</source>
        <translation>Coordinateur : %1</translation>
    </message>
    <message>
        <source>Deadline: %1</source>
        <translation>Échéance : %1</translation>
    </message>
</context>
<context>
    <name>RunDescription</name>
    <message>
        <source>local training, %1 training and %2 evaluation images</source>
        <translation>entraînement local, %1 images d’entraînement et %2 d’évaluation</translation>
    </message>
    <message>
        <source>demo federation on this computer, %1 sites</source>
        <translation>fédération de démonstration sur cet ordinateur, %1 sites</translation>
    </message>
    <message>
        <source>federation &quot;%1&quot; at %2</source>
        <translation>fédération « %1 » sur %2</translation>
    </message>
    <message>
        <source>%1 training images, evaluated on %2 %3 images</source>
        <translation>%1 images d’entraînement, évalué sur %2 images (%3)</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échoué</translation>
    </message>
    <message>
        <source>Federated</source>
        <translation>Fédéré</translation>
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
        <translation>annulé après le tour %1</translation>
    </message>
    <message>
        <source>stopped by an error after round %1</source>
        <translation>arrêté par une erreur après le tour %1</translation>
    </message>
    <message>
        <source>interrupted after round %1 (the app was closed)</source>
        <translation>interrompu après le tour %1 (l’application a été fermée)</translation>
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
        <translation>CUDA est choisi dans les Paramètres, mais aucun GPU n’est disponible ; le processeur est utilisé à la place.</translation>
    </message>
    <message>
        <source>The model runs on a slow maths library; ask your IT department to install OpenBLAS.</source>
        <translation>Le modèle utilise une bibliothèque de calcul lente ; demandez à votre service informatique d’installer OpenBLAS.</translation>
    </message>
</context>
<context>
    <name>SiteTraining</name>
    <message>
        <source>The workspace needs at least two classes to train a model.</source>
        <translation>L’espace de travail doit avoir au moins deux classes pour entraîner un modèle.</translation>
    </message>
    <message>
        <source>Only %1 labelled training images could be used; at least %2 are needed. Import and label more images first.</source>
        <translation>Seules %1 images d’entraînement étiquetées ont pu être utilisées ; il en faut au moins %2. Importez et étiquetez d’abord davantage d’images.</translation>
    </message>
    <message>
        <source>No model bundle is set. Choose the model bundle folder in Settings.</source>
        <translation>Aucun paquet de modèle n’est défini. Choisissez le dossier du paquet de modèle dans les Paramètres.</translation>
    </message>
    <message>
        <source>Loading the model bundle</source>
        <translation>Chargement du paquet de modèle</translation>
    </message>
    <message>
        <source>this computer (demo federation)</source>
        <translation>cet ordinateur (fédération de démonstration)</translation>
    </message>
    <message>
        <source>Reading images</source>
        <translation>Lecture des images</translation>
    </message>
    <message>
        <source>Saving the model</source>
        <translation>Enregistrement du modèle</translation>
    </message>
    <message>
        <source>This workspace has no demo federation to train with.</source>
        <translation>Cet espace de travail n’a pas de fédération de démonstration avec laquelle s’entraîner.</translation>
    </message>
    <message>
        <source>Reading the other sites&apos; images</source>
        <translation>Lecture des images des autres sites</translation>
    </message>
    <message>
        <source>Federated round %1 of %2</source>
        <translation>Tour fédéré %1 sur %2</translation>
    </message>
</context>
<context>
    <name>UserMessages</name>
    <message>
        <source>The coordinator at %1 does not answer. It may be down, or this computer may not reach it. Try again later, or ask your federation administrator.</source>
        <translation>Le coordinateur à %1 ne répond pas. Il est peut-être arrêté, ou cet ordinateur ne peut pas le joindre. Réessayez plus tard ou demandez à l’administrateur de votre fédération.</translation>
    </message>
    <message>
        <source>This workspace already takes part in federation %1. Open another workspace to join a second one.</source>
        <translation>Cet espace de travail participe déjà à la fédération %1. Ouvrez un autre espace de travail pour en rejoindre une deuxième.</translation>
    </message>
    <message>
        <source>The coordinator refused this enrollment code. It may be mistyped, already used or expired; ask your federation administrator for a new one.</source>
        <translation>Le coordinateur a refusé ce code d’inscription. Il est peut-être mal saisi, déjà utilisé ou expiré ; demandez-en un nouveau à l’administrateur de votre fédération.</translation>
    </message>
    <message>
        <source>The coordinator no longer recognises this site. Ask your federation administrator for a new enrollment code and join again.</source>
        <translation>Le coordinateur ne reconnaît plus ce site. Demandez un nouveau code d’inscription à l’administrateur de votre fédération et rejoignez-la à nouveau.</translation>
    </message>
    <message>
        <source>The coordinator refused this request from this site.</source>
        <translation>Le coordinateur a refusé cette demande de ce site.</translation>
    </message>
    <message>
        <source>The coordinator does not know this federation (it may have been removed).</source>
        <translation>Le coordinateur ne connaît pas cette fédération (elle a peut-être été supprimée).</translation>
    </message>
    <message>
        <source>The coordinator refused the request because it conflicts with the federation&apos;s current state.</source>
        <translation>Le coordinateur a refusé la demande car elle est en conflit avec l’état actuel de la fédération.</translation>
    </message>
    <message>
        <source>The coordinator had a problem answering. Try again later.</source>
        <translation>Le coordinateur a eu un problème pour répondre. Réessayez plus tard.</translation>
    </message>
    <message>
        <source>The coordinator refused the request.</source>
        <translation>Le coordinateur a refusé la demande.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::BundlePage</name>
    <message>
        <source>Check the model files</source>
        <translation>Vérifier les fichiers du modèle</translation>
    </message>
    <message>
        <source>Every site must use exactly the same model files, or the shared model would not fit. This checks the files on this computer against the federation&apos;s.</source>
        <translation>Chaque site doit utiliser exactement les mêmes fichiers de modèle, sinon le modèle partagé ne conviendrait pas. Cette étape compare les fichiers de cet ordinateur à ceux de la fédération.</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Model bundle folder on this computer:</source>
        <translation>Dossier du paquet de modèle sur cet ordinateur :</translation>
    </message>
    <message>
        <source>Model bundle folder</source>
        <translation>Dossier du paquet de modèle</translation>
    </message>
    <message>
        <source>The federation uses the model bundle &quot;%1&quot; (fingerprint %2).</source>
        <translation>La fédération utilise le paquet de modèle « %1 » (empreinte %2).</translation>
    </message>
    <message>
        <source>The model files match the federation&apos;s.</source>
        <translation>Les fichiers du modèle correspondent à ceux de la fédération.</translation>
    </message>
    <message>
        <source>Choose the folder with the model bundle (it contains a file called manifest.json).</source>
        <translation>Choisissez le dossier du paquet de modèle (il contient un fichier nommé manifest.json).</translation>
    </message>
    <message>
        <source>These model files are not the ones the federation uses: this folder holds &quot;%1&quot; (fingerprint %2), the federation expects &quot;%3&quot; (fingerprint %4). Ask your administrator for the right model bundle.</source>
        <translation>Ces fichiers de modèle ne sont pas ceux qu’utilise la fédération : ce dossier contient « %1 » (empreinte %2), la fédération attend « %3 » (empreinte %4). Demandez le bon paquet de modèle à votre administrateur.</translation>
    </message>
    <message>
        <source>The model files could not be checked: %1</source>
        <translation>Les fichiers du modèle n’ont pas pu être vérifiés : %1</translation>
    </message>
    <message>
        <source>Checking the model files</source>
        <translation>Vérification des fichiers du modèle</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CertificatePage</name>
    <message>
        <source>Check the coordinator&apos;s identity</source>
        <translation>Vérifier l’identité du coordinateur</translation>
    </message>
    <message>
        <source>The fingerprint matches the one my federation administrator gave me</source>
        <translation>L’empreinte correspond à celle que m’a donnée l’administrateur de ma fédération</translation>
    </message>
    <message>
        <source>Issued to: %1
Issued by: %2
Valid until: %3</source>
        <translation>Délivré à : %1
Délivré par : %2
Valable jusqu’au : %3</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the one from your administrator and tick the box. If it does not match, do not continue and tell your administrator.</source>
        <translation>Comparez l’empreinte avec celle de votre administrateur et cochez la case. Si elle ne correspond pas, ne continuez pas et prévenez votre administrateur.</translation>
    </message>
    <message>
        <source>Enrolling this site</source>
        <translation>Inscription de ce site</translation>
    </message>
    <message>
        <source>Make sure this site talks to your federation&apos;s coordinator and nobody else: compare its certificate&apos;s fingerprint, or trust the federation&apos;s CA certificate your administrator gave you.</source>
        <translation>Assurez-vous que ce site communique avec le coordinateur de votre fédération et personne d’autre : comparez l’empreinte de son certificat, ou faites confiance au certificat de l’autorité de certification (CA) de la fédération que votre administrateur vous a remis.</translation>
    </message>
    <message>
        <source>Compare the certificate&apos;s fingerprint</source>
        <translation>Comparer l’empreinte du certificat</translation>
    </message>
    <message>
        <source>Trust the federation&apos;s CA certificate (a file from your administrator)</source>
        <translation>Faire confiance au certificat CA de la fédération (un fichier de votre administrateur)</translation>
    </message>
    <message>
        <source>Compare this fingerprint with the one your federation administrator gave you, character by character. If it differs, stop: someone may be pretending to be the coordinator. SHA-256 fingerprint:</source>
        <translation>Comparez cette empreinte, caractère par caractère, avec celle que l’administrateur de votre fédération vous a remise. Si elle diffère, arrêtez : quelqu’un se fait peut-être passer pour le coordinateur. Empreinte SHA-256 :</translation>
    </message>
    <message>
        <source>Choose the CA certificate file…</source>
        <translation>Choisir le fichier du certificat CA…</translation>
    </message>
    <message>
        <source>With the federation&apos;s CA certificate this site also trusts the coordinator&apos;s renewed certificates. It is a .pem file, or the invitation file that came with your enrollment code.</source>
        <translation>Avec le certificat CA de la fédération, ce site fait aussi confiance aux certificats renouvelés du coordinateur. C’est un fichier .pem, ou le fichier d’invitation reçu avec votre code d’inscription.</translation>
    </message>
    <message>
        <source>The federation&apos;s CA certificate</source>
        <translation>Le certificat CA de la fédération</translation>
    </message>
    <message>
        <source>Certificates and invitations (*.pem *.crt *.json);;All files (*)</source>
        <translation>Certificats et invitations (*.pem *.crt *.json);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Checking the coordinator&apos;s certificate against this CA…</source>
        <translation>Vérification du certificat du coordinateur auprès de cette CA…</translation>
    </message>
    <message>
        <source>The coordinator&apos;s certificate is signed by this CA.</source>
        <translation>Le certificat du coordinateur est signé par cette CA.</translation>
    </message>
    <message>
        <source>This CA certificate does not vouch for the coordinator at %1: %2. Choose the file your federation administrator gave you for this federation, or ask them.</source>
        <translation>Ce certificat CA ne garantit pas le coordinateur à l’adresse %1 : %2. Choisissez le fichier que l’administrateur de votre fédération vous a remis pour cette fédération, ou demandez-le-lui.</translation>
    </message>
    <message>
        <source>%1 is not a PEM certificate file (one starts with &quot;-----BEGIN CERTIFICATE-----&quot;). Choose the federation&apos;s CA certificate your administrator gave you.</source>
        <translation>%1 n’est pas un fichier de certificat PEM (un tel fichier commence par « -----BEGIN CERTIFICATE----- »). Choisissez le certificat CA de la fédération que votre administrateur vous a remis.</translation>
    </message>
    <message>
        <source>This CA certificate expired on %1. Ask your federation administrator for the current one.</source>
        <translation>Ce certificat CA a expiré le %1. Demandez le certificat en vigueur à l’administrateur de votre fédération.</translation>
    </message>
    <message>
        <source>Choose the federation&apos;s CA certificate file, or compare the fingerprint instead.</source>
        <translation>Choisissez le fichier du certificat CA de la fédération, ou comparez plutôt l’empreinte.</translation>
    </message>
    <message>
        <source>Wait until the coordinator&apos;s certificate is checked against this CA.</source>
        <translation>Attendez que le certificat du coordinateur soit vérifié auprès de cette CA.</translation>
    </message>
    <message>
        <source>This CA certificate does not vouch for the coordinator.</source>
        <translation>Ce certificat CA ne garantit pas le coordinateur.</translation>
    </message>
    <message>
        <source>CA certificate: %1
SHA-256 fingerprint: %2
Valid until: %3</source>
        <translation>Certificat CA : %1
Empreinte SHA-256 : %2
Valable jusqu’au : %3</translation>
    </message>
    <message>
        <source>Checking the coordinator&apos;s certificate</source>
        <translation>Vérification du certificat du coordinateur</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>%1 ne peut pas être lu.</translation>
    </message>
    <message>
        <source>The invitation file could not be read: %1</source>
        <translation>Le fichier d’invitation n’a pas pu être lu : %1</translation>
    </message>
    <message>
        <source>This invitation file holds no CA certificate, only a fingerprint: compare the fingerprint instead.</source>
        <translation>Ce fichier d’invitation ne contient pas de certificat CA, seulement une empreinte : comparez plutôt l’empreinte.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CheckedWizardPage</name>
    <message>
        <source>Details…</source>
        <translation>Détails…</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ClassMappingModel</name>
    <message>
        <source>(not used)</source>
        <translation>(non utilisée)</translation>
    </message>
    <message>
        <source>Your label</source>
        <translation>Votre étiquette</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Federation class</source>
        <translation>Classe de la fédération</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ClassifyPage</name>
    <message>
        <source>Center</source>
        <translation>Centre</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>Largeur</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Afficher</translation>
    </message>
    <message>
        <source>Could not classify: %1</source>
        <translation>Classement impossible : %1</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Classer</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>Ouvrir une image…</translation>
    </message>
    <message>
        <source>DICOM display window</source>
        <translation>Fenêtre d’affichage DICOM</translation>
    </message>
    <message>
        <source>Back to the file&apos;s window</source>
        <translation>Revenir à la fenêtre du fichier</translation>
    </message>
    <message>
        <source>Save prediction</source>
        <translation>Enregistrer la prédiction</translation>
    </message>
    <message>
        <source>Open an image, drop one here, or double-click one on the Images page.</source>
        <translation>Ouvrez une image, déposez-en une ici, ou double-cliquez sur une image de la page Images.</translation>
    </message>
    <message>
        <source>Ensemble (FAM and MLP together)</source>
        <translation>Ensemble (FAM et MLP réunis)</translation>
    </message>
    <message>
        <source>FAM only (shared federation model)</source>
        <translation>FAM seul (modèle partagé de la fédération)</translation>
    </message>
    <message>
        <source>MLP only (this site&apos;s private model)</source>
        <translation>MLP seul (modèle privé de ce site)</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>Chargement du modèle</translation>
    </message>
    <message>
        <source>Open a workspace first: its model does the classifying.</source>
        <translation>Ouvrez d’abord un espace de travail : c’est son modèle qui classe les images.</translation>
    </message>
    <message>
        <source>No model bundle is set. Choose the model bundle folder in Settings.</source>
        <translation>Aucun paquet de modèle n’est défini. Choisissez le dossier du paquet de modèle dans les Paramètres.</translation>
    </message>
    <message>
        <source>Classifying…</source>
        <translation>Classement en cours…</translation>
    </message>
    <message>
        <source>Classifying</source>
        <translation>Classement</translation>
    </message>
    <message>
        <source>%1 · labelled &quot;%2&quot; in this workspace</source>
        <translation>%1 · étiquetée « %2 » dans cet espace de travail</translation>
    </message>
    <message>
        <source>Most likely: %1 (%2)</source>
        <translation>Le plus probable : %1 (%2)</translation>
    </message>
    <message>
        <source>The model is unsure about this image (uncertainty %1 %): several classes are close. Do not rely on this result.</source>
        <translation>Le modèle n’est pas sûr de lui pour cette image (incertitude %1 %) : plusieurs classes sont proches. Ne vous fiez pas à ce résultat.</translation>
    </message>
    <message>
        <source>Uncertainty: %1 % (low)</source>
        <translation>Incertitude : %1 % (faible)</translation>
    </message>
    <message>
        <source>Model: not trained yet (shared FAM only).</source>
        <translation>Modèle : pas encore entraîné (FAM partagé seulement).</translation>
    </message>
    <message>
        <source>Model version %1.</source>
        <translation>Version du modèle : %1.</translation>
    </message>
    <message>
        <source>The MLP view appears once this site has trained.</source>
        <translation>La vue MLP apparaît dès que ce site a été entraîné.</translation>
    </message>
    <message>
        <source>Demo model with random weights: the result means nothing clinically.</source>
        <translation>Modèle de démonstration aux poids aléatoires : le résultat n’a aucune valeur clinique.</translation>
    </message>
    <message>
        <source>Computed in %1 ms.</source>
        <translation>Calculé en %1 ms.</translation>
    </message>
    <message>
        <source>Prediction not saved</source>
        <translation>Prédiction non enregistrée</translation>
    </message>
    <message>
        <source>The prediction could not be saved: %1</source>
        <translation>La prédiction n’a pas pu être enregistrée : %1</translation>
    </message>
    <message>
        <source>Prediction saved to the workspace.</source>
        <translation>Prédiction enregistrée dans l’espace de travail.</translation>
    </message>
    <message>
        <source>Open an image</source>
        <translation>Ouvrir une image</translation>
    </message>
    <message>
        <source>Soft tissue</source>
        <translation>Tissus mous</translation>
    </message>
    <message>
        <source>Lung</source>
        <translation>Poumon</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Os</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Cerveau</translation>
    </message>
    <message>
        <source>Center %1 HU, width %2 HU</source>
        <translation>Centre %1 UH, largeur %2 UH</translation>
    </message>
    <message>
        <source>Whole range</source>
        <translation>Toute la plage</translation>
    </message>
    <message>
        <source>A window from the lowest to the highest value in this image</source>
        <translation>Une fenêtre de la valeur la plus basse à la plus haute de cette image</translation>
    </message>
    <message>
        <source>Changes the display only. The model classifies the file&apos;s own rendering (with the file&apos;s window), as in training.</source>
        <translation>Ne change que l’affichage. Le modèle classe le rendu propre au fichier (avec la fenêtre du fichier), comme à l’entraînement.</translation>
    </message>
    <message>
        <source>Saved predictions</source>
        <translation>Prédictions enregistrées</translation>
    </message>
    <message>
        <source>Values in this image: %1 to %2 HU</source>
        <translation>Valeurs de cette image : %1 à %2 UH</translation>
    </message>
    <message>
        <source>Values in this image: %1 to %2</source>
        <translation>Valeurs de cette image : %1 à %2</translation>
    </message>
    <message>
        <source>Prediction saved to the workspace (model: %1).</source>
        <translation>Prédiction enregistrée dans l’espace de travail (modèle : %1).</translation>
    </message>
    <message>
        <source>Opening the image</source>
        <translation>Ouverture de l’image</translation>
    </message>
    <message>
        <source>Images and DICOM files (*);;Photos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;DICOM files (*.dcm *.dicom)</source>
        <translation>Images et fichiers DICOM (*);;Photos (*.jpg *.jpeg *.png *.bmp *.tif *.tiff);;Fichiers DICOM (*.dcm *.dicom)</translation>
    </message>
    <message>
        <source>Model card…</source>
        <translation>Fiche du modèle…</translation>
    </message>
    <message>
        <source>What this model was trained on and how well it did on the site&apos;s held-out images</source>
        <translation>Sur quoi ce modèle a été entraîné et ses résultats sur les images réservées du site</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>couleur</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>en niveaux de gris</translation>
    </message>
    <message>
        <source>photo (not DICOM)</source>
        <translation>photo (pas DICOM)</translation>
    </message>
    <message>
        <source> or </source>
        <translation> ou </translation>
    </message>
    <message>
        <source>its modality is %1, the model is for %2</source>
        <translation>sa modalité est %1, le modèle est fait pour %2</translation>
    </message>
    <message>
        <source>its body part is %1, the model is for %2</source>
        <translation>sa région anatomique est %1, le modèle est fait pour %2</translation>
    </message>
    <message>
        <source>it is a %1 image, the model is for %2 images</source>
        <translation>c’est une image %1, le modèle est fait pour des images %2</translation>
    </message>
    <message>
        <source>its features are farther from every training image than %1 of the validation images were (distance %2, threshold %3)</source>
        <translation>ses caractéristiques sont plus éloignées de toutes les images d’entraînement que celles de %1 des images de validation (distance %2, seuil %3)</translation>
    </message>
    <message>
        <source>This image does not look like the images the model was trained on (%1). The result below is shown for reference only: do not rely on it.</source>
        <translation>Cette image ne ressemble pas aux images sur lesquelles le modèle a été entraîné (%1). Le résultat ci-dessous n’est affiché qu’à titre indicatif : ne vous y fiez pas.</translation>
    </message>
    <message>
        <source>This model is no better than chance on its %1 validation images (balanced accuracy %2; chance is %3 for %4 classes). Do not rely on it; tell your site staff.</source>
        <translation>Ce modèle ne fait pas mieux que le hasard sur ses %1 images de validation (exactitude équilibrée %2 ; le hasard donne %3 pour %4 classes). Ne vous y fiez pas ; prévenez l’équipe de votre site.</translation>
    </message>
    <message>
        <source>%1 prediction set: one of: %2</source>
        <translation>Ensemble de prédiction à %1 : l’une de : %2</translation>
    </message>
    <message>
        <source>This set is large (%1 of %2 classes): the model cannot narrow this image down, so the top class alone means little.</source>
        <translation>Cet ensemble est grand (%1 classes sur %2) : le modèle ne parvient pas à préciser cette image, la classe la plus probable seule a donc peu de sens.</translation>
    </message>
    <message>
        <source>The two parts of the model disagree: the FAM (shared) says %1, the MLP (this site&apos;s) says %2. Look at both views and be cautious.</source>
        <translation>Les deux parties du modèle ne sont pas d’accord : le FAM (partagé) dit %1, le MLP (de ce site) dit %2. Regardez les deux vues et soyez prudent.</translation>
    </message>
    <message>
        <source>Probabilities calibrated on %1 validation images.</source>
        <translation>Probabilités calibrées sur %1 images de validation.</translation>
    </message>
    <message>
        <source>Its %1 prediction sets covered the true class in %2 of %3 test images.</source>
        <translation>Ses ensembles de prédiction à %1 contenaient la vraie classe pour %2 des %3 images de test.</translation>
    </message>
    <message>
        <source>Model version %1</source>
        <translation>Version du modèle %1</translation>
    </message>
    <message>
        <source>Bundle %1 (%2), calibrated %3.</source>
        <translation>Paquet %1 (%2), calibré le %3.</translation>
    </message>
    <message>
        <source>DEMO bundle with random weights: these figures say nothing clinical.</source>
        <translation>Paquet de DÉMONSTRATION aux poids aléatoires : ces chiffres n’ont aucune valeur clinique.</translation>
    </message>
    <message>
        <source>Training images per class</source>
        <translation>Images d’entraînement par classe</translation>
    </message>
    <message>
        <source>%1 images: accuracy %2, balanced accuracy %3, macro F1 %4</source>
        <translation>%1 images : exactitude %2, exactitude équilibrée %3, F1 macro %4</translation>
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
        <translation>Pas meilleur que le hasard sur ses images de validation.</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Calibration</translation>
    </message>
    <message>
        <source>Temperature %1; validation negative log-likelihood %2 before, %3 after.</source>
        <translation>Température %1 ; log-vraisemblance négative en validation %2 avant, %3 après.</translation>
    </message>
    <message>
        <source>On %1 test images: expected calibration error %2 before, %3 after; negative log-likelihood %4 before, %5 after.</source>
        <translation>Sur %1 images de test : erreur de calibration attendue %2 avant, %3 après ; log-vraisemblance négative %4 avant, %5 après.</translation>
    </message>
    <message>
        <source>%1 prediction sets covered the true class in %2 of %3 test images (mean set size %4).</source>
        <translation>Les ensembles de prédiction à %1 contenaient la vraie classe pour %2 des %3 images de test (taille moyenne %4).</translation>
    </message>
    <message>
        <source>Images it is for</source>
        <translation>Images pour lesquelles il est fait</translation>
    </message>
    <message>
        <source>Declared by the site: %1</source>
        <translation>Déclaré par le site : %1</translation>
    </message>
    <message>
        <source>Seen in its training images: %1</source>
        <translation>Vu dans ses images d’entraînement : %1</translation>
    </message>
    <message>
        <source>modality %1; body part %2; %3</source>
        <translation>modalité %1 ; région anatomique %2 ; %3</translation>
    </message>
    <message>
        <source>any</source>
        <translation>toute</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>Fiche du modèle</translation>
    </message>
    <message>
        <source>DICOM report</source>
        <translation>Rapport DICOM</translation>
    </message>
    <message>
        <source>Export as DICOM SR…</source>
        <translation>Exporter en DICOM SR…</translation>
    </message>
    <message>
        <source>The selected prediction as a DICOM structured report file (DICOM images only)</source>
        <translation>La prédiction sélectionnée sous forme de fichier de rapport structuré DICOM (images DICOM uniquement)</translation>
    </message>
    <message>
        <source>Send to PACS</source>
        <translation>Envoyer au PACS</translation>
    </message>
    <message>
        <source>Store the selected prediction as a DICOM structured report on the PACS of Settings › PACS, in the image&apos;s study</source>
        <translation>Enregistrer la prédiction sélectionnée sous forme de rapport structuré DICOM sur le PACS défini dans Paramètres › PACS, dans l’examen de l’image</translation>
    </message>
    <message>
        <source>this site has not trained a model yet, so the percentages are raw scores of the shared model</source>
        <translation>ce site n’a pas encore entraîné de modèle, les pourcentages sont donc des scores bruts du modèle partagé</translation>
    </message>
    <message>
        <source>this model had no validation images to calibrate on, so the percentages are the model&apos;s raw scores</source>
        <translation>ce modèle n’avait aucune image de validation sur laquelle se calibrer, les pourcentages sont donc les scores bruts du modèle</translation>
    </message>
    <message>
        <source>this model version was saved without a calibration, so the percentages are the model&apos;s raw scores</source>
        <translation>cette version du modèle a été enregistrée sans calibration, les pourcentages sont donc les scores bruts du modèle</translation>
    </message>
    <message>
        <source>Not calibrated: %1, not probabilities. There is no prediction set and no check against the training images. Do not read them as chances; ask your site staff to import images with a validation share and train again.</source>
        <translation>Non calibré : %1, et non des probabilités. Il n’y a ni ensemble de prédiction ni vérification par rapport aux images d’entraînement. Ne les interprétez pas comme des chances ; demandez à l’équipe de votre site d’importer des images avec une part de validation et de relancer l’entraînement.</translation>
    </message>
    <message>
        <source>Most likely: %1 (raw score %2, not calibrated)</source>
        <translation>Le plus probable : %1 (score brut %2, non calibré)</translation>
    </message>
    <message>
        <source>No prediction set in this view: it was not calibrated on validation images.</source>
        <translation>Pas d’ensemble de prédiction dans cette vue : elle n’a pas été calibrée sur des images de validation.</translation>
    </message>
    <message>
        <source>Raw scores, not calibrated.</source>
        <translation>Scores bruts, non calibrés.</translation>
    </message>
    <message>
        <source>Export as DICOM SR</source>
        <translation>Exporter en DICOM SR</translation>
    </message>
    <message>
        <source>DICOM files (*.dcm)</source>
        <translation>Fichiers DICOM (*.dcm)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ConnectionPage</name>
    <message>
        <source>Test the connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>A last check that the coordinator answers and recognises this site.</source>
        <translation>Une dernière vérification : le coordinateur répond-il et reconnaît-il ce site ?</translation>
    </message>
    <message>
        <source>Test again</source>
        <translation>Tester à nouveau</translation>
    </message>
    <message>
        <source>Connected: the coordinator answers and knows this site.</source>
        <translation>Connecté : le coordinateur répond et connaît ce site.</translation>
    </message>
    <message>
        <source>Testing the connection</source>
        <translation>Test de la connexion</translation>
    </message>
</context>
<context>
    <name>fmc::ui::CoordinatorPage</name>
    <message>
        <source>Connect to the federation</source>
        <translation>Se connecter à la fédération</translation>
    </message>
    <message>
        <source>Your federation administrator gave you the coordinator&apos;s address and a one-time enrollment code.</source>
        <translation>L’administrateur de votre fédération vous a donné l’adresse du coordinateur et un code d’inscription à usage unique.</translation>
    </message>
    <message>
        <source>Coordinator address</source>
        <translation>Adresse du coordinateur</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>Code d’inscription</translation>
    </message>
    <message>
        <source>Type the coordinator&apos;s address, for example https://federation.example.org:8443.</source>
        <translation>Saisissez l’adresse du coordinateur, par exemple https://federation.example.org:8443.</translation>
    </message>
    <message>
        <source>The address starts with http://, which is not encrypted. The federation only works over https:// — ask your administrator for the https address.</source>
        <translation>L’adresse commence par http://, qui n’est pas chiffré. La fédération ne fonctionne qu’en https:// — demandez l’adresse https à votre administrateur.</translation>
    </message>
    <message>
        <source>Type the address with https:// at the start, for example https://%1.</source>
        <translation>Saisissez l’adresse en commençant par https://, par exemple https://%1.</translation>
    </message>
    <message>
        <source>That does not look like a coordinator address. It should look like https://federation.example.org:8443.</source>
        <translation>Cela ne ressemble pas à une adresse de coordinateur. Elle devrait ressembler à https://federation.example.org:8443.</translation>
    </message>
    <message>
        <source>Type the enrollment code your federation administrator gave you.</source>
        <translation>Saisissez le code d’inscription que l’administrateur de votre fédération vous a donné.</translation>
    </message>
    <message>
        <source>The enrollment code looks incomplete or mistyped (it has at least 6 letters, digits or dashes). Check it against the one you received.</source>
        <translation>Le code d’inscription semble incomplet ou mal saisi (il compte au moins 6 lettres, chiffres ou tirets). Vérifiez-le par rapport à celui que vous avez reçu.</translation>
    </message>
    <message>
        <source>Contacting the coordinator</source>
        <translation>Contact avec le coordinateur</translation>
    </message>
    <message>
        <source>Open invitation file…</source>
        <translation>Ouvrir le fichier d’invitation…</translation>
    </message>
    <message>
        <source>The enrollment file your administrator may have sent instead: it holds the address, the code and the federation&apos;s CA certificate.</source>
        <translation>Le fichier d’inscription que votre administrateur a pu vous envoyer à la place : il contient l’adresse, le code et le certificat CA de la fédération.</translation>
    </message>
    <message>
        <source>Invitation file</source>
        <translation>Fichier d’invitation</translation>
    </message>
    <message>
        <source>Invitation files (*.json);;All files (*)</source>
        <translation>Fichiers d’invitation (*.json);;Tous les fichiers (*)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DataPage</name>
    <message>
        <source>Your site&apos;s data</source>
        <translation>Les données de votre site</translation>
    </message>
    <message>
        <source>These are the images your site will train on. The images never leave this computer: only the model&apos;s shared part does.</source>
        <translation>Voici les images sur lesquelles votre site s’entraînera. Les images ne quittent jamais cet ordinateur : seule la partie partagée du modèle en sort.</translation>
    </message>
    <message>
        <source>Import images…</source>
        <translation>Importer des images…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n image(s)</source>
        <translation>
            <numerusform>%1 : %n image</numerusform>
            <numerusform>%1 : %n images</numerusform>
        </translation>
    </message>
    <message>
        <source>Your site has %1 labelled images in the federation&apos;s classes; at least %2 are needed. Import or label more images, then come back.</source>
        <translation>Votre site a %1 images étiquetées dans les classes de la fédération ; il en faut au moins %2. Importez ou étiquetez davantage d’images, puis revenez.</translation>
    </message>
    <message>
        <source>Your images cover only one of the federation&apos;s classes; at least two are needed.</source>
        <translation>Vos images ne couvrent qu’une des classes de la fédération ; il en faut au moins deux.</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>couleur</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>niveaux de gris</translation>
    </message>
    <message>
        <source>The federation is for: %1.</source>
        <translation>La fédération est prévue pour : %1.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DicomBrowserModel</name>
    <message>
        <source>Patient / study / series / image</source>
        <translation>Patient / examen / série / image</translation>
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
        <translation>Modalité</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>Study %1</source>
        <translation>Examen %1</translation>
    </message>
    <message>
        <source>Study of %1</source>
        <translation>Examen du %1</translation>
    </message>
    <message>
        <source>unknown date</source>
        <translation>date inconnue</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Série</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(sans étiquette)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::DonePage</name>
    <message>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <source>This site joins &quot;%1&quot; at %2 with %3 classes. Press Finish to save the setup in this workspace; federated training then starts from the Train page.</source>
        <translation>Ce site rejoint « %1 » sur %2 avec %3 classes. Cliquez sur Terminer pour enregistrer la configuration dans cet espace de travail ; l’entraînement fédéré se lance ensuite depuis la page Entraîner.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::FederationWizard</name>
    <message>
        <source>Join a federation</source>
        <translation>Rejoindre une fédération</translation>
    </message>
    <message>
        <source>The setup could not be saved: %1</source>
        <translation>La configuration n’a pas pu être enregistrée : %1</translation>
    </message>
    <message>
        <source>The invitation file could not be read: %1</source>
        <translation>Le fichier d’invitation n’a pas pu être lu : %1</translation>
    </message>
    <message>
        <source>This workspace already takes part in federation “%1”. Open another workspace to join a second one.</source>
        <translation>Cet espace de travail participe déjà à la fédération « %1 ». Ouvrez un autre espace de travail pour en rejoindre une deuxième.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryChartBinder</name>
    <message>
        <source>Round</source>
        <translation>Tour</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>KiB</source>
        <translation>Kio</translation>
    </message>
    <message>
        <source>Round %1 · %2: %3</source>
        <translation>Tour %1 · %2 : %3</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryModel</name>
    <message>
        <source>Round</source>
        <translation>Tour</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Perte</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Exactitude</translation>
    </message>
    <message>
        <source>Balanced accuracy</source>
        <translation>Exactitude équilibrée</translation>
    </message>
    <message>
        <source>Macro F1</source>
        <translation>F1 macro</translation>
    </message>
    <message>
        <source>Federation accuracy</source>
        <translation>Exactitude de la fédération</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Reçu</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>Secondes</translation>
    </message>
    <message>
        <source>Recall: %1</source>
        <translation>Rappel : %1</translation>
    </message>
</context>
<context>
    <name>fmc::ui::HistoryPage</name>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Export charts (PNG)…</source>
        <translation>Exporter les graphiques (PNG)…</translation>
    </message>
    <message>
        <source>Export data (CSV)…</source>
        <translation>Exporter les données (CSV)…</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Perte d’entraînement</translation>
    </message>
    <message>
        <source>Data exchanged per round</source>
        <translation>Données échangées par tour</translation>
    </message>
    <message>
        <source>Recall per class</source>
        <translation>Rappel par classe</translation>
    </message>
    <message>
        <source>No training yet. Train on the Train page; every round appears here.</source>
        <translation>Aucun entraînement pour l’instant. Entraînez sur la page Entraîner ; chaque tour apparaît ici.</translation>
    </message>
    <message>
        <source>Open a workspace to see its training history.</source>
        <translation>Ouvrez un espace de travail pour voir son historique d’entraînement.</translation>
    </message>
    <message>
        <source>Export the rounds as CSV</source>
        <translation>Exporter les tours en CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Échec de l’exportation</translation>
    </message>
    <message>
        <source>The file could not be written: %1</source>
        <translation>Le fichier n’a pas pu être écrit : %1</translation>
    </message>
    <message>
        <source>Export the charts as PNG</source>
        <translation>Exporter les graphiques en PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Images PNG (*.png)</translation>
    </message>
    <message>
        <source>Accuracy and F1 on held-out images</source>
        <translation>Exactitude et F1 sur les images réservées</translation>
    </message>
    <message numerus="yes">
        <source>interrupted %n time(s)</source>
        <translation>
            <numerusform>interrompu %n fois</numerusform>
            <numerusform>interrompu %n fois</numerusform>
        </translation>
    </message>
    <message>
        <source>This run was interrupted: %1.</source>
        <translation>Cet entraînement a été interrompu : %1.</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
    <message>
        <source>stopped by an error</source>
        <translation>arrêté par une erreur</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImageTableModel</name>
    <message>
        <source>training</source>
        <translation>entraînement</translation>
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
        <translation>(sans étiquette)</translation>
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
        <translation>Fichier</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Étiquette</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalité</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Partition</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
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
        <translation>Né(e) le %1</translation>
    </message>
    <message>
        <source>Frame %1 of %2</source>
        <translation>Trame %1 sur %2</translation>
    </message>
    <message>
        <source>Image %1 of %2</source>
        <translation>Image %1 sur %2</translation>
    </message>
    <message>
        <source>W %1  L %2</source>
        <translation>L %1  N %2</translation>
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
        <translation>Attributs DICOM</translation>
    </message>
    <message>
        <source>Filter tags</source>
        <translation>Filtrer les attributs</translation>
    </message>
    <message>
        <source>Attribute</source>
        <translation>Attribut</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImagesPage</name>
    <message>
        <source>Label not saved</source>
        <translation>Étiquette non enregistrée</translation>
    </message>
    <message>
        <source>The label could not be saved: %1</source>
        <translation>L’étiquette n’a pas pu être enregistrée : %1</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>Échec de l’importation</translation>
    </message>
    <message>
        <source>The import stopped: %1</source>
        <translation>L’importation s’est arrêtée : %1</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Import files…</source>
        <translation>Importer des fichiers…</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>Importer un dossier…</translation>
    </message>
    <message>
        <source>Set label…</source>
        <translation>Définir l’étiquette…</translation>
    </message>
    <message>
        <source>Search file names</source>
        <translation>Rechercher des noms de fichiers</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Grille</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>Tableau</translation>
    </message>
    <message>
        <source>No images yet. Import files or a folder, or drop them here.</source>
        <translation>Aucune image pour l’instant. Importez des fichiers ou un dossier, ou déposez-les ici.</translation>
    </message>
    <message>
        <source>Open or create a workspace to import images.</source>
        <translation>Ouvrez ou créez un espace de travail pour importer des images.</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>(sans étiquette)</translation>
    </message>
    <message>
        <source>All labels</source>
        <translation>Toutes les étiquettes</translation>
    </message>
    <message>
        <source>photo</source>
        <translation>photo</translation>
    </message>
    <message>
        <source>All modalities</source>
        <translation>Toutes les modalités</translation>
    </message>
    <message>
        <source>All splits</source>
        <translation>Toutes les partitions</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>Tous les sites</translation>
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
        <translation>%1 images sur %2</translation>
    </message>
    <message>
        <source>No workspace</source>
        <translation>Aucun espace de travail</translation>
    </message>
    <message>
        <source>Open or create a workspace first, then import images.</source>
        <translation>Ouvrez ou créez d’abord un espace de travail, puis importez des images.</translation>
    </message>
    <message>
        <source>Importing image %1 of %2</source>
        <translation>Importation de l’image %1 sur %2</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>Importation des images</translation>
    </message>
    <message>
        <source>Import images</source>
        <translation>Importer des images</translation>
    </message>
    <message>
        <source>Import a folder of images</source>
        <translation>Importer un dossier d’images</translation>
    </message>
    <message>
        <source>Set label</source>
        <translation>Définir l’étiquette</translation>
    </message>
    <message>
        <source>Select one or more images first.</source>
        <translation>Sélectionnez d’abord une ou plusieurs images.</translation>
    </message>
    <message numerus="yes">
        <source>Label for the %n selected image(s):</source>
        <translation>
            <numerusform>Étiquette de l’image sélectionnée :</numerusform>
            <numerusform>Étiquette des %n images sélectionnées :</numerusform>
        </translation>
    </message>
    <message>
        <source>Import with labels CSV…</source>
        <translation>Importer avec un CSV d’étiquettes…</translation>
    </message>
    <message numerus="yes">
        <source>label &quot;%1&quot; on %n image(s)</source>
        <translation>
            <numerusform>étiquette « %1 » sur %n image</numerusform>
            <numerusform>étiquette « %1 » sur %n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>removal of %n image(s)</source>
        <translation>
            <numerusform>retrait de %n image</numerusform>
            <numerusform>retrait de %n images</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Retirer…</translation>
    </message>
    <message>
        <source>Takes the selected images out of this workspace. The files stay on disk; Edit › Undo puts them back.</source>
        <translation>Retire les images sélectionnées de cet espace de travail. Les fichiers restent sur le disque ; Édition › Annuler les remet.</translation>
    </message>
    <message>
        <source>&amp;Labels:</source>
        <translation>É&amp;tiquettes :</translation>
    </message>
    <message>
        <source>from sub-folder names</source>
        <translation>des noms de sous-dossiers</translation>
    </message>
    <message>
        <source>none (unlabelled)</source>
        <translation>aucune (sans étiquette)</translation>
    </message>
    <message>
        <source>from a CSV file…</source>
        <translation>d’un fichier CSV…</translation>
    </message>
    <message>
        <source>from a DICOM attribute…</source>
        <translation>d’un attribut DICOM…</translation>
    </message>
    <message>
        <source>Sub-folder names: images in &quot;melanoma/&quot; are labelled melanoma. A CSV file has the columns path and label (split and site optional). A DICOM attribute, e.g. BodyPartExamined, labels each DICOM file with its value. Importing files again with labels updates their labels.</source>
        <translation>Noms de sous-dossiers : les images de « melanoma/ » sont étiquetées melanoma. Un fichier CSV a les colonnes path et label (split et site facultatives). Un attribut DICOM, p. ex. BodyPartExamined, étiquette chaque fichier DICOM avec sa valeur. Réimporter des fichiers avec des étiquettes met leurs étiquettes à jour.</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patients</translation>
    </message>
    <message>
        <source>DICOM images by patient, study and series, with a viewer</source>
        <translation>Images DICOM par patient, examen et série, avec une visionneuse</translation>
    </message>
    <message>
        <source>Search patients, IDs, studies, series</source>
        <translation>Chercher patients, ID, examens, séries</translation>
    </message>
    <message>
        <source>Patient and study in the corners</source>
        <translation>Patient et examen dans les coins</translation>
    </message>
    <message>
        <source>DICOM tags…</source>
        <translation>Attributs DICOM…</translation>
    </message>
    <message>
        <source>Window: the file&apos;s own</source>
        <translation>Fenêtre : celle du fichier</translation>
    </message>
    <message>
        <source>Window: %1 (W %2, L %3)</source>
        <translation>Fenêtre : %1 (L %2, N %3)</translation>
    </message>
    <message>
        <source>Select a series or an image to view it. Drag with the right mouse button to change the window, with the left to pan; Ctrl+wheel zooms, the wheel goes through the images.</source>
        <translation>Sélectionnez une série ou une image pour l’afficher. Faites glisser avec le bouton droit pour changer la fenêtre, avec le gauche pour déplacer ; Ctrl+molette zoome, la molette parcourt les images.</translation>
    </message>
    <message>
        <source>No DICOM images with patient and study information in this workspace.</source>
        <translation>Aucune image DICOM avec des informations de patient et d’examen dans cet espace de travail.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) without DICOM patient information (photos) are in the grid and the table.</source>
        <translation>
            <numerusform>%n image sans informations de patient DICOM (photo) est dans la grille et le tableau.</numerusform>
            <numerusform>%n images sans informations de patient DICOM (photos) sont dans la grille et le tableau.</numerusform>
        </translation>
    </message>
    <message>
        <source>Labels CSV file</source>
        <translation>Fichier CSV d’étiquettes</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>Fichiers CSV (*.csv);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Labels from a DICOM attribute</source>
        <translation>Étiquettes d’un attribut DICOM</translation>
    </message>
    <message>
        <source>DICOM attribute keyword whose value becomes the label (e.g. BodyPartExamined, ViewPosition):</source>
        <translation>Mot-clé de l’attribut DICOM dont la valeur devient l’étiquette (p. ex. BodyPartExamined, ViewPosition) :</translation>
    </message>
    <message>
        <source>Images and DICOM files (*);;Photos (%1);;DICOM files (*.dcm *.dicom)</source>
        <translation>Images et fichiers DICOM (*);;Photos (%1);;Fichiers DICOM (*.dcm *.dicom)</translation>
    </message>
    <message>
        <source>Remove from workspace</source>
        <translation>Retirer de l’espace de travail</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n image(s) from this workspace? The files stay on disk. Edit › Undo puts them back.</source>
        <translation>
            <numerusform>Retirer %n image de cet espace de travail ? Le fichier reste sur le disque. Édition › Annuler la remet.</numerusform>
            <numerusform>Retirer %n images de cet espace de travail ? Les fichiers restent sur le disque. Édition › Annuler les remet.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not removed</source>
        <translation>Non retirées</translation>
    </message>
    <message>
        <source>Not put back</source>
        <translation>Non remises</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>Classer</translation>
    </message>
    <message>
        <source>Remove from workspace…</source>
        <translation>Retirer de l’espace de travail…</translation>
    </message>
    <message>
        <source>Show in the viewer</source>
        <translation>Afficher dans la visionneuse</translation>
    </message>
    <message>
        <source>Window: W %1, L %2 (dragged)</source>
        <translation>Fenêtre : L %1, N %2 (réglée à la souris)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportCsvDialog</name>
    <message>
        <source>Import with a labels CSV</source>
        <translation>Importer avec un CSV d’étiquettes</translation>
    </message>
    <message>
        <source>The CSV&apos;s folder</source>
        <translation>Le dossier du CSV</translation>
    </message>
    <message>
        <source>{} stands for the value of the file column, e.g. {}.png for a column of image ids, {:03}.png to pad them with zeros to 3 digits. Relative paths start at the CSV&apos;s folder.</source>
        <translation>{} représente la valeur de la colonne des fichiers, p. ex. {}.png pour une colonne d’identifiants d’images, {:03}.png pour les compléter par des zéros à 3 chiffres. Les chemins relatifs partent du dossier du CSV.</translation>
    </message>
    <message>
        <source>Labels CSV:</source>
        <translation>CSV d’étiquettes :</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Folder to import:</source>
        <translation>Dossier à importer :</translation>
    </message>
    <message>
        <source>File column:</source>
        <translation>Colonne des fichiers :</translation>
    </message>
    <message>
        <source>Label column:</source>
        <translation>Colonne des étiquettes :</translation>
    </message>
    <message>
        <source>Path pattern:</source>
        <translation>Modèle de chemin :</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importer</translation>
    </message>
    <message>
        <source>Labels CSV</source>
        <translation>CSV d’étiquettes</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>Fichiers CSV (*.csv);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Folder to import</source>
        <translation>Dossier à importer</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportReportDialog</name>
    <message>
        <source>Import report</source>
        <translation>Rapport d’importation</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ImportReportModel</name>
    <message numerus="yes">
        <source>%n image(s) imported</source>
        <translation>
            <numerusform>%n image importée</numerusform>
            <numerusform>%n images importées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicate(s) skipped</source>
        <translation>
            <numerusform>%n doublon ignoré</numerusform>
            <numerusform>%n doublons ignorés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be used</source>
        <translation>
            <numerusform>%n fichier n’a pas pu être utilisé</numerusform>
            <numerusform>%n fichiers n’ont pas pu être utilisés</numerusform>
        </translation>
    </message>
    <message>
        <source>The import was cancelled; the files before it stay imported.</source>
        <translation>L’importation a été annulée ; les fichiers traités avant restent importés.</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <source>Why it could not be used</source>
        <translation>Pourquoi il n’a pas pu être utilisé</translation>
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
        <translation>Classer</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Research use only — not a medical device. Do not use it to diagnose or treat patients.</source>
        <translation>Réservé à la recherche — ce n’est pas un dispositif médical. Ne l’utilisez pas pour diagnostiquer ou traiter des patients.</translation>
    </message>
    <message>
        <source>Demo not ready</source>
        <translation>Démonstration non prête</translation>
    </message>
    <message>
        <source>The demo workspace could not be prepared: %1</source>
        <translation>L’espace de démonstration n’a pas pu être préparé : %1</translation>
    </message>
    <message>
        <source>Welcome to FedMedCLIP</source>
        <translation>Bienvenue dans FedMedCLIP</translation>
    </message>
    <message>
        <source>Train a medical image classifier together with other hospitals, without sharing images. Start with a workspace for your site&apos;s images, or try the demo first.</source>
        <translation>Entraînez un classificateur d’images médicales avec d’autres hôpitaux, sans partager d’images. Commencez par un espace de travail pour les images de votre site, ou essayez d’abord la démonstration.</translation>
    </message>
    <message>
        <source>Open a workspace…</source>
        <translation>Ouvrir un espace de travail…</translation>
    </message>
    <message>
        <source>Create a workspace…</source>
        <translation>Créer un espace de travail…</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Essayer la démonstration</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>&amp;Nouvel espace de travail…</translation>
    </message>
    <message>
        <source>&amp;Open workspace…</source>
        <translation>&amp;Ouvrir un espace de travail…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Ouvrir un espace &amp;récent</translation>
    </message>
    <message>
        <source>Open the &amp;demo workspace</source>
        <translation>Ouvrir l’espace de &amp;démonstration</translation>
    </message>
    <message>
        <source>&amp;Close workspace</source>
        <translation>&amp;Fermer l’espace de travail</translation>
    </message>
    <message>
        <source>&amp;Import files…</source>
        <translation>&amp;Importer des fichiers…</translation>
    </message>
    <message>
        <source>Import &amp;folder…</source>
        <translation>Importer un d&amp;ossier…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>F&amp;ederation</source>
        <translation>F&amp;édération</translation>
    </message>
    <message>
        <source>&amp;Join a federation…</source>
        <translation>&amp;Rejoindre une fédération…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>O&amp;utils</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;About FedMedCLIP</source>
        <translation>À &amp;propos de FedMedCLIP</translation>
    </message>
    <message>
        <source>This build of the app has no federation client.</source>
        <translation>Cette version de l’application n’a pas de client de fédération.</translation>
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
        <translation>DÉMONSTRATION — modèle de démonstration aux poids aléatoires et images de démonstration synthétiques. Pas d’usage clinique.</translation>
    </message>
    <message>
        <source>DEMO MODEL — random weights, not for clinical use. Choose a real model bundle in Settings.</source>
        <translation>MODÈLE DE DÉMONSTRATION — poids aléatoires, pas d’usage clinique. Choisissez un vrai paquet de modèle dans les Paramètres.</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>Veuillez patienter</translation>
    </message>
    <message>
        <source>Wait for the running task to finish or cancel it first.</source>
        <translation>Attendez la fin de la tâche en cours ou annulez-la d’abord.</translation>
    </message>
    <message>
        <source>Workspace not opened</source>
        <translation>Espace de travail non ouvert</translation>
    </message>
    <message>
        <source>The workspace could not be opened: %1</source>
        <translation>L’espace de travail n’a pas pu être ouvert : %1</translation>
    </message>
    <message>
        <source>Workspace not created</source>
        <translation>Espace de travail non créé</translation>
    </message>
    <message>
        <source>The workspace could not be created: %1</source>
        <translation>L’espace de travail n’a pas pu être créé : %1</translation>
    </message>
    <message>
        <source>Preparing the demo workspace</source>
        <translation>Préparation de l’espace de démonstration</translation>
    </message>
    <message>
        <source>Choose an empty folder for the new workspace</source>
        <translation>Choisissez un dossier vide pour le nouvel espace de travail</translation>
    </message>
    <message>
        <source>Open a workspace folder</source>
        <translation>Ouvrir un dossier d’espace de travail</translation>
    </message>
    <message>
        <source>Not a workspace</source>
        <translation>Pas un espace de travail</translation>
    </message>
    <message>
        <source>This folder is not a FedMedCLIP workspace. Use File › New workspace to make one.</source>
        <translation>Ce dossier n’est pas un espace de travail FedMedCLIP. Utilisez Fichier › Nouvel espace de travail pour en créer un.</translation>
    </message>
    <message>
        <source>About FedMedCLIP</source>
        <translation>À propos de FedMedCLIP</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;FedMedCLIP Desktop&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Federated CLIP for medical image classification: frozen CLIP encoders, a shared feature adaptation module trained by the federation and a private model per site. Images never leave the site.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Research use only. Not a medical device.&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;FedMedCLIP Desktop&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;CLIP fédéré pour la classification d’images médicales : encodeurs CLIP figés, un module d’adaptation des caractéristiques partagé, entraîné par la fédération, et un modèle privé par site. Les images ne quittent jamais le site.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Réservé à la recherche. Ce n’est pas un dispositif médical.&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Quit while working?</source>
        <translation>Quitter pendant une tâche ?</translation>
    </message>
    <message>
        <source>A task is still running. Cancel it and quit?</source>
        <translation>Une tâche est encore en cours. L’annuler et quitter ?</translation>
    </message>
    <message>
        <source>Import from &amp;PACS…</source>
        <translation>Importer depuis le &amp;PACS…</translation>
    </message>
    <message>
        <source>The %1 page works on a workspace. Open one or create one first (or try the demo).</source>
        <translation>La page %1 travaille sur un espace de travail. Ouvrez-en ou créez-en un d’abord (ou essayez la démonstration).</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Ctrl+%2)</translation>
    </message>
    <message>
        <source>Recent workspaces</source>
        <translation>Espaces de travail récents</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>Ouvrir %1</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(aucun pour l’instant)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>Guide d’utilisation</translation>
    </message>
    <message>
        <source>The user guide %1 is not installed on this computer.</source>
        <translation>Le guide d’utilisation %1 n’est pas installé sur cet ordinateur.</translation>
    </message>
    <message>
        <source>User guide — %1</source>
        <translation>Guide d’utilisation — %1</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>É&amp;dition</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Rétablir</translation>
    </message>
    <message>
        <source>Set &amp;label…</source>
        <translation>Définir l’é&amp;tiquette…</translation>
    </message>
    <message>
        <source>&amp;Remove from workspace…</source>
        <translation>&amp;Retirer de l’espace de travail…</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>A&amp;ller</translation>
    </message>
    <message>
        <source>&amp;Images</source>
        <translation>&amp;Images</translation>
    </message>
    <message>
        <source>&amp;Classify</source>
        <translation>&amp;Classer</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Entraîner</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Historique</translation>
    </message>
    <message>
        <source>&amp;Start page</source>
        <translation>Page d’&amp;accueil</translation>
    </message>
    <message>
        <source>User guide for &amp;site staff</source>
        <translation>Guide pour le personnel du &amp;site</translation>
    </message>
    <message>
        <source>User guide for &amp;clinicians</source>
        <translation>Guide pour les &amp;cliniciens</translation>
    </message>
</context>
<context>
    <name>fmc::ui::MappingPage</name>
    <message>
        <source>Match your labels to the federation&apos;s classes</source>
        <translation>Associer vos étiquettes aux classes de la fédération</translation>
    </message>
    <message>
        <source>The federation trains on its own list of classes. Tell it which of your labels means which class. Labels you mark as not used stay out of federated training.</source>
        <translation>La fédération s’entraîne sur sa propre liste de classes. Indiquez quelle étiquette de votre site correspond à quelle classe. Les étiquettes marquées comme non utilisées restent en dehors de l’entraînement fédéré.</translation>
    </message>
    <message>
        <source>Classes of &quot;%1&quot;: %2</source>
        <translation>Classes de « %1 » : %2</translation>
    </message>
    <message>
        <source>This workspace has no labelled images yet. Go back later, after importing and labelling images, or import them on the next page.</source>
        <translation>Cet espace de travail n’a pas encore d’images étiquetées. Revenez plus tard, après avoir importé et étiqueté des images, ou importez-les à la page suivante.</translation>
    </message>
    <message>
        <source>Match your labels to at least two of the federation&apos;s classes, so that your site can help train the shared model.</source>
        <translation>Associez vos étiquettes à au moins deux classes de la fédération, pour que votre site puisse contribuer à entraîner le modèle partagé.</translation>
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
        <translation>DIMSE (C-FIND / C-GET ou C-MOVE)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucune</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation>Nom d&apos;utilisateur et mot de passe</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>Jeton Bearer</translation>
    </message>
    <message>
        <source>Remember the password (never in the workspace)</source>
        <translation>Mémoriser le mot de passe (jamais dans l’espace de travail)</translation>
    </message>
    <message>
        <source>PEM file of the hospital&apos;s CA (empty: the system&apos;s)</source>
        <translation>Fichier PEM de l&apos;autorité de certification de l&apos;hôpital (vide : celles du système)</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL :</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>Authentification :</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Nom d&apos;utilisateur :</translation>
    </message>
    <message>
        <source>Password or token:</source>
        <translation>Mot de passe ou jeton :</translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation>Certificat de l&apos;AC :</translation>
    </message>
    <message>
        <source>C-GET (no port to open)</source>
        <translation>C-GET (aucun port à ouvrir)</translation>
    </message>
    <message>
        <source>C-MOVE (the PACS sends to this computer)</source>
        <translation>C-MOVE (le PACS envoie vers cet ordinateur)</translation>
    </message>
    <message>
        <source>(our calling AE title)</source>
        <translation>(notre titre AE appelant)</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Hôte :</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port :</translation>
    </message>
    <message>
        <source>Our AE title (calling):</source>
        <translation>Notre titre AE (appelant) :</translation>
    </message>
    <message>
        <source>PACS AE title (called):</source>
        <translation>Titre AE du PACS (appelé) :</translation>
    </message>
    <message>
        <source>Retrieve with:</source>
        <translation>Récupérer avec :</translation>
    </message>
    <message>
        <source>Move destination AE title:</source>
        <translation>Titre AE de la destination C-MOVE :</translation>
    </message>
    <message>
        <source>Move destination port:</source>
        <translation>Port de la destination C-MOVE :</translation>
    </message>
    <message>
        <source>For C-MOVE the PACS must know the move destination with this computer&apos;s address and port, and that port must be open to the PACS.</source>
        <translation>Pour C-MOVE, le PACS doit connaître la destination C-MOVE avec l’adresse et le port de cet ordinateur, et ce port doit être ouvert au PACS.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Remembered passwords are kept in %1.</source>
        <translation>Les mots de passe mémorisés sont conservés dans %1.</translation>
    </message>
    <message>
        <source>Remembered passwords are kept in %1, readable by you alone, because the platform&apos;s secret store cannot be used: %2</source>
        <translation>Les mots de passe mémorisés sont conservés dans %1, lisible par vous seul, car le coffre de secrets du système est inutilisable : %2</translation>
    </message>
    <message>
        <source>The saved password cannot be read: %1</source>
        <translation>Le mot de passe enregistré ne peut pas être lu : %1</translation>
    </message>
    <message>
        <source>%1 answers and accepts this site.</source>
        <translation>%1 répond et accepte ce site.</translation>
    </message>
    <message>
        <source>The password was not saved: %1</source>
        <translation>Le mot de passe n&apos;a pas été enregistré : %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PacsImportDialog</name>
    <message>
        <source>Import from PACS</source>
        <translation>Importer depuis le PACS</translation>
    </message>
    <message>
        <source>Search studies</source>
        <translation>Rechercher des examens</translation>
    </message>
    <message>
        <source>e.g. DOE^J* (* and ? are wildcards)</source>
        <translation>p. ex. DUPONT^J* (* et ? sont des jokers)</translation>
    </message>
    <message>
        <source>YYYYMMDD</source>
        <translation>AAAAMMJJ</translation>
    </message>
    <message>
        <source>to</source>
        <translation>au</translation>
    </message>
    <message>
        <source>e.g. CT</source>
        <translation>p. ex. CT</translation>
    </message>
    <message>
        <source>Patient name:</source>
        <translation>Nom du patient :</translation>
    </message>
    <message>
        <source>Patient ID:</source>
        <translation>ID du patient :</translation>
    </message>
    <message>
        <source>Study date:</source>
        <translation>Date de l&apos;examen :</translation>
    </message>
    <message>
        <source>Modality:</source>
        <translation>Modalité :</translation>
    </message>
    <message>
        <source>Accession number:</source>
        <translation>Numéro d&apos;accession :</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <source>Study / series</source>
        <translation>Examen / série</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalité</translation>
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
        <translation>Importer les séries cochées</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Cancelled. Nothing was imported; the images retrieved so far are kept and are not fetched again by the next import.</source>
        <translation>Annulé. Rien n&apos;a été importé ; les images déjà récupérées sont conservées et ne seront pas récupérées à nouveau lors de la prochaine importation.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Recherche…</translation>
    </message>
    <message>
        <source>Series %1</source>
        <translation>Série %1</translation>
    </message>
    <message numerus="yes">
        <source>%n study(ies) found. Check the series to import.</source>
        <translation>
            <numerusform>%n examen trouvé. Cochez les séries à importer.</numerusform>
            <numerusform>%n examens trouvés. Cochez les séries à importer.</numerusform>
        </translation>
    </message>
    <message>
        <source>Check at least one study or series first.</source>
        <translation>Cochez d&apos;abord au moins un examen ou une série.</translation>
    </message>
    <message>
        <source>Series %1: cancelled after %2 image(s).</source>
        <translation>Série %1 : annulée après %2 image(s).</translation>
    </message>
    <message>
        <source>Series %1: %2 image(s) retrieved, then: %3</source>
        <translation>Série %1 : %2 image(s) récupérée(s), puis : %3</translation>
    </message>
    <message>
        <source>The images retrieved are imported; import the same series again to fetch the rest.</source>
        <translation>Les images récupérées sont importées ; importez à nouveau les mêmes séries pour récupérer le reste.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) retrieved; importing them.</source>
        <translation>
            <numerusform>%n image récupérée ; importation en cours.</numerusform>
            <numerusform>%n images récupérées ; importation en cours.</numerusform>
        </translation>
    </message>
    <message>
        <source>Retrieve from PACS</source>
        <translation>Récupération depuis le PACS</translation>
    </message>
    <message>
        <source>Series %1 of %2</source>
        <translation>Série %1 sur %2</translation>
    </message>
    <message>
        <source>PACS connection (also in Settings)</source>
        <translation>Connexion au PACS (également dans les Paramètres)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PredictionListModel</name>
    <message>
        <source>Model: %1</source>
        <translation>Modèle : %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Enregistrée</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Prédiction</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Raw scores, not calibrated.</source>
        <translation>Scores bruts, non calibrés.</translation>
    </message>
    <message>
        <source>Out of distribution: %1</source>
        <translation>Hors distribution : %1</translation>
    </message>
    <message>
        <source>%1 (raw score %2, not calibrated)</source>
        <translation>%1 (score brut %2, non calibré)</translation>
    </message>
    <message>
        <source>not like the training images</source>
        <translation>différente des images d’entraînement</translation>
    </message>
    <message>
        <source>model no better than chance</source>
        <translation>modèle pas meilleur que le hasard</translation>
    </message>
    <message>
        <source>%1 set: %2</source>
        <translation>ensemble à %1 : %2</translation>
    </message>
    <message>
        <source>no prediction set</source>
        <translation>pas d’ensemble de prédiction</translation>
    </message>
    <message>
        <source>FAM and MLP disagree</source>
        <translation>FAM et MLP en désaccord</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Vérifications</translation>
    </message>
</context>
<context>
    <name>fmc::ui::PredictionReportExporter</name>
    <message>
        <source>Cancelled: the report was not sent to the PACS.</source>
        <translation>Annulé : le rapport n’a pas été envoyé au PACS.</translation>
    </message>
    <message>
        <source>Export as DICOM SR</source>
        <translation>Exportation en DICOM SR</translation>
    </message>
    <message>
        <source>Writing the structured report…</source>
        <translation>Création du rapport structuré…</translation>
    </message>
    <message>
        <source>Saved the prediction as a DICOM structured report: %1</source>
        <translation>Prédiction enregistrée sous forme de rapport structuré DICOM : %1</translation>
    </message>
    <message>
        <source>Send to PACS</source>
        <translation>Envoi au PACS</translation>
    </message>
    <message>
        <source>No password or token is remembered for %1 (in %2): enter it in Settings › PACS and tick Remember.</source>
        <translation>Aucun mot de passe ni jeton n’est mémorisé pour %1 (dans %2) : saisissez-le dans Paramètres › PACS et cochez « Mémoriser le mot de passe ».</translation>
    </message>
    <message>
        <source>Sending to %1…</source>
        <translation>Envoi à %1…</translation>
    </message>
    <message>
        <source>Sent the structured report to %1.</source>
        <translation>Rapport structuré envoyé à %1.</translation>
    </message>
</context>
<context>
    <name>fmc::ui::ProbabilityModel</name>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Classe</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>Probabilité</translation>
    </message>
    <message>
        <source>Raw score (not calibrated)</source>
        <translation>Score brut (non calibré)</translation>
    </message>
</context>
<context>
    <name>fmc::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>(the workspace&apos;s own bundle)</source>
        <translation>(le paquet propre à l’espace de travail)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Model bundle folder</source>
        <translation>Dossier du paquet de modèle</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>Processeur (CPU)</translation>
    </message>
    <message>
        <source>CUDA (NVIDIA GPU)</source>
        <translation>CUDA (GPU NVIDIA)</translation>
    </message>
    <message>
        <source>No CUDA GPU is available on this computer.</source>
        <translation>Aucun GPU CUDA n’est disponible sur cet ordinateur.</translation>
    </message>
    <message>
        <source>Compute on</source>
        <translation>Calculer sur</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>Threads du processeur</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> Mo</translation>
    </message>
    <message>
        <source>Largest file to import</source>
        <translation>Plus gros fichier importable</translation>
    </message>
    <message>
        <source> megapixels</source>
        <translation> mégapixels</translation>
    </message>
    <message>
        <source>Largest image to import</source>
        <translation>Plus grande image importable</translation>
    </message>
    <message>
        <source>A new language applies the next time the app starts.</source>
        <translation>Une nouvelle langue s’applique au prochain démarrage de l’application.</translation>
    </message>
    <message>
        <source>Workspaces use the bundle they were set up with.</source>
        <translation>Les espaces de travail utilisent le paquet avec lequel ils ont été configurés.</translation>
    </message>
    <message>
        <source>%1, version %2</source>
        <translation>%1, version %2</translation>
    </message>
    <message>
        <source>(demo model: random weights, not for clinical use)</source>
        <translation>(modèle de démonstration : poids aléatoires, pas d’usage clinique)</translation>
    </message>
    <message>
        <source>No readable model bundle in this folder.</source>
        <translation>Aucun paquet de modèle lisible dans ce dossier.</translation>
    </message>
    <message>
        <source>The model bundle folder does not exist.</source>
        <translation>Le dossier du paquet de modèle n’existe pas.</translation>
    </message>
    <message>
        <source>This folder is not a model bundle: it has no manifest.json. Choose the folder that contains it.</source>
        <translation>Ce dossier n’est pas un paquet de modèle : il n’a pas de manifest.json. Choisissez le dossier qui le contient.</translation>
    </message>
    <message>
        <source>The model bundle&apos;s manifest cannot be used: %1</source>
        <translation>Le manifeste du paquet de modèle est inutilisable : %1</translation>
    </message>
    <message>
        <source>Automatic (free cores, one kept for this window)</source>
        <translation>Automatique (cœurs libres, un réservé à cette fenêtre)</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Général</translation>
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
        <translation>exécution %1</translation>
    </message>
    <message>
        <source>Reading images</source>
        <translation>Lecture des images</translation>
    </message>
    <message>
        <source>Training round %1 of %2</source>
        <translation>Tour d’entraînement %1 sur %2</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TaskProgressDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TaskRunner</name>
    <message>
        <source>unknown error</source>
        <translation>erreur inconnue</translation>
    </message>
</context>
<context>
    <name>fmc::ui::TrainPage</name>
    <message numerus="yes">
        <source>%n image(s) could not be read and were left out.</source>
        <translation>
            <numerusform>%n image n’a pas pu être lue et a été écartée.</numerusform>
            <numerusform>%n images n’ont pas pu être lues et ont été écartées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Training stopped: %1</source>
        <translation>Entraînement interrompu : %1</translation>
    </message>
    <message>
        <source>Cancelled. The rounds finished so far are in the history; the saved model is unchanged.</source>
        <translation>Annulé. Les tours déjà terminés figurent dans l’historique ; le modèle enregistré est inchangé.</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <source>&lt;b&gt;Local training&lt;/b&gt;&lt;br&gt;Trains this site&apos;s model on its own labelled images only. Nothing leaves this computer.</source>
        <translation>&lt;b&gt;Entraînement local&lt;/b&gt;&lt;br&gt;Entraîne le modèle de ce site sur ses seules images étiquetées. Rien ne quitte cet ordinateur.</translation>
    </message>
    <message>
        <source> rounds</source>
        <translation> tours</translation>
    </message>
    <message>
        <source>Train locally</source>
        <translation>Entraîner localement</translation>
    </message>
    <message>
        <source>Join a federation…</source>
        <translation>Rejoindre une fédération…</translation>
    </message>
    <message>
        <source>Ask the coordinator for the round&apos;s status</source>
        <translation>Demander l’état du tour au coordinateur</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>This run, live</source>
        <translation>Cette exécution, en direct</translation>
    </message>
    <message>
        <source>No training running.</source>
        <translation>Aucun entraînement en cours.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Member of &quot;%1&quot; at %2, %3 classes. Rounds are run by the coordinator.</source>
        <translation>&lt;b&gt;Entraînement fédéré&lt;/b&gt;&lt;br&gt;Membre de « %1 » sur %2, %3 classes. Les tours sont menés par le coordinateur.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training (demo)&lt;/b&gt;&lt;br&gt;Trains together with two demo sites whose images are on this computer. Only the shared part of the model is exchanged.</source>
        <translation>&lt;b&gt;Entraînement fédéré (démonstration)&lt;/b&gt;&lt;br&gt;S’entraîne avec deux sites de démonstration dont les images sont sur cet ordinateur. Seule la partie partagée du modèle est échangée.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Federated training&lt;/b&gt;&lt;br&gt;Train together with other hospitals without sharing images. Join a federation first.</source>
        <translation>&lt;b&gt;Entraînement fédéré&lt;/b&gt;&lt;br&gt;Entraînez avec d’autres hôpitaux sans partager d’images. Rejoignez d’abord une fédération.</translation>
    </message>
    <message>
        <source>Take part in the federation&apos;s rounds</source>
        <translation>Participer aux tours de la fédération</translation>
    </message>
    <message>
        <source>Run demo federation</source>
        <translation>Lancer la fédération de démonstration</translation>
    </message>
    <message>
        <source>This build of the app has no federation client.</source>
        <translation>Cette version de l’application n’a pas de client de fédération.</translation>
    </message>
    <message>
        <source>Local training</source>
        <translation>Entraînement local</translation>
    </message>
    <message>
        <source>Demo federation</source>
        <translation>Fédération de démonstration</translation>
    </message>
    <message>
        <source>Federated training</source>
        <translation>Entraînement fédéré</translation>
    </message>
    <message>
        <source>Asking the coordinator</source>
        <translation>Interrogation du coordinateur</translation>
    </message>
    <message>
        <source>Cancelling after the current step…</source>
        <translation>Annulation après l’étape en cours…</translation>
    </message>
    <message numerus="yes">
        <source>Done: %n round(s). The model of round %1 (balanced accuracy %2) is saved.</source>
        <translation>
            <numerusform>Terminé : %n tour. Le modèle du tour %1 (exactitude équilibrée %2) est enregistré.</numerusform>
            <numerusform>Terminé : %n tours. Le modèle du tour %1 (exactitude équilibrée %2) est enregistré.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>On the %n test image(s), which played no part in choosing it: accuracy %1, balanced accuracy %2.</source>
        <translation>
            <numerusform>Sur %n image de test, qui n’a joué aucun rôle dans son choix : exactitude %1, exactitude équilibrée %2.</numerusform>
            <numerusform>Sur les %n images de test, qui n’ont joué aucun rôle dans son choix : exactitude %1, exactitude équilibrée %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>There are no validation images, so the round was chosen on the test images and its figures are optimistic.</source>
        <translation>Il n’y a pas d’images de validation : le tour a donc été choisi sur les images de test et ses chiffres sont optimistes.</translation>
    </message>
    <message>
        <source>Coordinator unreachable since %1. This page keeps asking, less often while it does not answer.</source>
        <translation>Coordinateur injoignable depuis %1. Cette page continue de demander, moins souvent tant qu’il ne répond pas.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>Results of round %1: loss %2, accuracy %3, balanced accuracy %4 on held-out images</source>
        <translation>Résultats du tour %1 : perte %2, exactitude %3, exactitude équilibrée %4 sur les images réservées</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>Détails…</translation>
    </message>
</context>
</TS>
