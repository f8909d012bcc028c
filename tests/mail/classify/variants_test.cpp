// Our own messages, in other words than the shared fixtures: at least two per request type
// and per language (en de fr es it nl pt), plus questions that must go to triage and the
// who-is-who cases (authorized agent, parent, staff forward, web-form relay).
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <map>

#include "mail/message.h"
#include "mail/raw_message.h"

using namespace dsar;
using namespace dsar::mail;

namespace {

struct Variant {
  const char* lang;
  const char* type;  // request type, or "" for triage
  const char* subject;
  const char* body;
  const char* hint = "";  // expected jurisdiction hint
};

// Sender names cycle through this list so each message looks like a real one.
const char* const kPeople[][2] = {
    {"Harriet Vance", "harriet.vance@example.com"},   {"Jonas Keller", "j.keller@example.de"},
    {"Élodie Marchand", "elodie.m@example.fr"},        {"Tomás Herrera", "tomas.herrera@example.es"},
    {"Francesca Conti", "f.conti@example.it"},         {"Sanne Bakker", "sanne.bakker@example.nl"},
    {"João Pereira", "joao.pereira@example.com.br"},    {"Liam Walsh", "liam.walsh@example.ie"},
};

const Variant kVariants[] = {
    // ---------------------------------------------------------------- en
    {"en", "access", "Request for my personal data",
     "Hi,\n\nCould you send me a copy of the personal information Nimbus holds on me? I'd like to see what "
     "you've collected over the years.\n\nThanks"},
    {"en", "access", "Data access",
     "Hello,\nI'm exercising my right of access. Please provide all data you store about me, including logs "
     "and analytics identifiers.\nBest"},
    {"en", "deletion", "Close my account and erase my data",
     "Hello, I'd like you to erase everything you have on me and close my Nimbus account. I don't plan to "
     "use the service again."},
    {"en", "deletion", "Right to be forgotten",
     "I am invoking my right to be forgotten. Wipe my profile, projects and billing history from your "
     "systems, under the UK GDPR.",
     "uk_gdpr"},
    {"en", "portability", "Export of my notebooks",
     "Please export all my data in a machine-readable format (JSON is fine) so I can move to another "
     "provider."},
    {"en", "portability", "Data portability request",
     "I'd like to receive my data in a structured, commonly used format, and have it transmitted to a new "
     "service if possible."},
    {"en", "correction", "Update my address",
     "Hi, I moved last month. Please update the address on my account to 12 Harbour Road, Cork. The old "
     "one is outdated."},
    {"en", "correction", "Incorrect date of birth",
     "Your records show an incorrect date of birth for me. Kindly rectify it to 4 March 1990."},
    {"en", "opt_out_sale", "Opt out of sale",
     "As a California resident I want to opt out of the sale and sharing of my personal information.", "ccpa"},
    {"en", "opt_out_sale", "Stop sharing my info",
     "Please stop sharing my details with advertisers and data brokers. Thank you."},
    {"en", "opt_out_marketing", "Too many emails",
     "Please remove me from your mailing list, I get three promo emails a week."},
    {"en", "opt_out_marketing", "Newsletter", "Stop sending me newsletters and product announcements please."},
    {"en", "objection", "Profiling",
     "I object to you using my usage data for profiling and analytics based on legitimate interests."},
    {"en", "objection", "Processing of my data",
     "I withdraw my consent and ask you to cease processing my personal data for product analytics."},
    // ---------------------------------------------------------------- de
    {"de", "access", "Anfrage zu meinen gespeicherten Daten",
     "Guten Tag,\n\nbitte teilen Sie mir mit, welche personenbezogenen Daten Sie über mich gespeichert "
     "haben, und senden Sie mir eine Kopie.\n\nViele Grüße"},
    {"de", "access", "Bitte um Datenauskunft",
     "Hallo, ich möchte wissen, welche Informationen Ihr Unternehmen zu meinem Konto verarbeitet. Bitte "
     "erteilen Sie mir eine vollständige Datenauskunft nach der DSGVO.",
     "gdpr"},
    {"de", "deletion", "Konto löschen",
     "Hallo,\nbitte löschen Sie mein Benutzerkonto und alle damit verbundenen Daten. Danke!"},
    {"de", "deletion", "Entfernung meiner Daten",
     "Sehr geehrtes Team,\nich fordere Sie auf, sämtliche personenbezogenen Daten über mich zu entfernen "
     "(Recht auf Vergessenwerden)."},
    {"de", "portability", "Datenübertragbarkeit",
     "Ich möchte meine Daten in einem maschinenlesbaren Format erhalten, um zu einem anderen Anbieter zu "
     "wechseln."},
    {"de", "portability", "Export meiner Notebooks",
     "Bitte übermitteln Sie meine Daten in einem strukturierten, gängigen Format direkt an einen anderen "
     "Anbieter (Art. 20 DSGVO).",
     "gdpr"},
    {"de", "correction", "Falscher Nachname",
     "Mein Nachname ist in Ihrem System falsch geschrieben. Bitte korrigieren Sie ihn auf „Müller“."},
    {"de", "correction", "Adresse aktualisieren",
     "Bitte aktualisieren Sie meine Anschrift, meine neue Adresse lautet Lindenstraße 5, 10115 Berlin."},
    {"de", "opt_out_sale", "Kein Verkauf meiner Daten",
     "Ich untersage ausdrücklich den Verkauf oder die Weitergabe meiner Daten an Dritte."},
    {"de", "opt_out_sale", "Weitergabe an Dritte",
     "Bitte verkaufen Sie meine personenbezogenen Daten nicht und geben Sie sie nicht an Werbepartner "
     "weiter."},
    {"de", "opt_out_marketing", "Newsletter abbestellen",
     "Bitte tragen Sie mich aus Ihrem Newsletter-Verteiler aus."},
    {"de", "opt_out_marketing", "Keine Werbung mehr", "Ich möchte keine Werbe-E-Mails mehr von Ihnen bekommen."},
    {"de", "objection", "Widerspruch gegen Profiling",
     "Hiermit widerspreche ich der Verarbeitung meiner Daten zu Analysezwecken gemäß Art. 21 DS-GVO.", "gdpr"},
    {"de", "objection", "Einwilligung",
     "Bitte stellen Sie die Verarbeitung meiner Nutzungsdaten für Tracking ein; ich ziehe meine "
     "Einwilligung zurück."},
    // ---------------------------------------------------------------- fr
    {"fr", "access", "Accès à mes données",
     "Bonjour,\n\nje souhaite obtenir une copie de l'ensemble des informations personnelles que vous "
     "détenez à mon sujet.\n\nCordialement"},
    {"fr", "access", "Droit d'accès",
     "Madame, Monsieur,\nen vertu de l'article 15 du RGPD, merci de me communiquer toutes les données me "
     "concernant.",
     "gdpr"},
    {"fr", "deletion", "Suppression de compte",
     "Bonjour, merci de supprimer définitivement mon compte ainsi que toutes mes informations."},
    {"fr", "deletion", "Droit à l'oubli",
     "Je vous prie d'effacer toutes les données qui me concernent de vos serveurs."},
    {"fr", "portability", "Portabilité",
     "Pourriez-vous me transmettre mes données dans un format structuré et lisible par machine ?"},
    {"fr", "portability", "Export de mes données",
     "Je souhaite récupérer mes données dans un format structuré afin de les transférer à un autre service."},
    {"fr", "correction", "Erreur sur mon prénom",
     "Mon prénom est mal orthographié dans votre base. Merci de le rectifier : il s'agit de « Hélène »."},
    {"fr", "correction", "Mise à jour de mes coordonnées",
     "Mon adresse e-mail de contact a changé, veuillez mettre à jour mes coordonnées."},
    {"fr", "opt_out_sale", "Ne vendez pas mes données",
     "Je vous demande de ne pas vendre ni partager mes informations personnelles avec des tiers."},
    {"fr", "opt_out_sale", "Cession de données",
     "Je m'oppose à la cession de mes données à vos partenaires commerciaux."},
    {"fr", "opt_out_marketing", "Désinscription", "Merci de me retirer de votre liste de diffusion."},
    {"fr", "opt_out_marketing", "Plus de newsletter",
     "Je ne souhaite plus recevoir vos emails promotionnels ni votre lettre d'information."},
    {"fr", "objection", "Opposition au traitement",
     "Je m'oppose au traitement de mes données à des fins de profilage publicitaire."},
    {"fr", "objection", "Retrait de mon consentement",
     "Je retire mon consentement et vous demande d'arrêter tout traitement de mes données fondé sur votre "
     "intérêt légitime."},
    // ---------------------------------------------------------------- es
    {"es", "access", "Derecho de acceso",
     "Hola, quisiera saber qué datos personales tienen sobre mí y recibir una copia de los mismos."},
    {"es", "access", "Solicitud de información",
     "Les solicito acceso a toda la información personal que conservan de mi cuenta."},
    {"es", "deletion", "Borrar mi cuenta",
     "Por favor, eliminen mi cuenta y todos mis datos personales de sus sistemas."},
    {"es", "deletion", "Derecho al olvido",
     "Solicito la supresión de toda mi información personal, conforme al Reglamento General de Protección "
     "de Datos.",
     "gdpr"},
    {"es", "portability", "Portabilidad",
     "Quiero que me envíen mis datos en un formato estructurado para llevarlos a otro proveedor."},
    {"es", "portability", "Exportar mis datos",
     "Necesito mis datos en formato de lectura mecánica (CSV o JSON), por favor."},
    {"es", "correction", "Corregir mi apellido",
     "Mi segundo apellido aparece mal escrito, debería ser «Fernández». ¿Pueden corregirlo?"},
    {"es", "correction", "Datos desactualizados",
     "Mi dirección postal ha cambiado. Les pido que actualicen mis datos con la nueva dirección."},
    {"es", "opt_out_sale", "No vendan mis datos",
     "Les pido que no vendan ni compartan mi información personal con terceros."},
    {"es", "opt_out_sale", "Venta de datos personales",
     "Soy residente en California y me opongo a la venta de mis datos.", "ccpa"},
    {"es", "opt_out_marketing", "Darme de baja", "Quiero darme de baja de su boletín de noticias."},
    {"es", "opt_out_marketing", "Publicidad", "No quiero recibir más correos publicitarios de su parte."},
    {"es", "objection", "Oposición al tratamiento",
     "Me opongo al tratamiento de mis datos con fines de elaboración de perfiles."},
    {"es", "objection", "Retiro del consentimiento",
     "Retiro mi consentimiento para el uso de mis datos en análisis basados en su interés legítimo."},
    // ---------------------------------------------------------------- it
    {"it", "access", "Accesso ai miei dati",
     "Buongiorno, vorrei sapere quali dati personali avete su di me e riceverne una copia."},
    {"it", "access", "Richiesta copia dati",
     "Vi chiedo di inviarmi una copia di tutti i dati che trattate a mio nome."},
    {"it", "deletion", "Cancellazione account",
     "Salve, vi chiedo di eliminare il mio account e tutti i dati associati."},
    {"it", "deletion", "Diritto all'oblio",
     "Esercito il diritto all'oblio: rimuovete ogni informazione che mi riguarda."},
    {"it", "portability", "Portabilità dei dati",
     "Vorrei ricevere i miei dati in un formato strutturato e leggibile da dispositivo automatico."},
    {"it", "portability", "Trasferimento dati",
     "Vi prego di trasmettere i miei dati direttamente a un altro fornitore di servizi."},
    {"it", "correction", "Rettifica indirizzo",
     "Il mio indirizzo risulta errato, vi prego di correggerlo con quello nuovo."},
    {"it", "correction", "Nome sbagliato",
     "Il mio cognome è scritto in modo sbagliato sul profilo: per favore aggiornatelo."},
    {"it", "opt_out_sale", "Non vendete i miei dati",
     "Vi chiedo di non vendere né condividere i miei dati personali con terzi."},
    {"it", "opt_out_sale", "Opposizione alla vendita",
     "Mi oppongo alla vendita delle mie informazioni a società pubblicitarie."},
    {"it", "opt_out_marketing", "Disiscrizione newsletter", "Per favore cancellatemi dalla vostra newsletter."},
    {"it", "opt_out_marketing", "Basta email promozionali",
     "Non voglio più ricevere comunicazioni commerciali da parte vostra."},
    {"it", "objection", "Opposizione al trattamento",
     "Mi oppongo al trattamento dei miei dati per finalità di profilazione, ai sensi del GDPR.", "gdpr"},
    {"it", "objection", "Revoca del consenso",
     "Revoco il consenso al trattamento dei miei dati basato sul vostro interesse legittimo."},
    // ---------------------------------------------------------------- nl
    {"nl", "access", "Inzageverzoek",
     "Beste,\n\nik wil graag weten welke persoonsgegevens u van mij verwerkt.\n\nGroet"},
    {"nl", "access", "Kopie van mijn gegevens",
     "Kunt u mij een kopie sturen van alle gegevens die u over mij bewaart?"},
    {"nl", "deletion", "Account verwijderen", "Wilt u mijn account en alle bijbehorende gegevens wissen?"},
    {"nl", "deletion", "Recht op vergetelheid",
     "Ik verzoek u al mijn gegevens uit uw systemen te verwijderen, conform de AVG.", "gdpr"},
    {"nl", "portability", "Gegevensoverdraagbaarheid",
     "Ik wil mijn gegevens ontvangen in een gestructureerde, machineleesbare vorm."},
    {"nl", "portability", "Overstappen",
     "Graag ontvang ik een export van al mijn data om over te stappen naar een andere dienst, in "
     "CSV-formaat."},
    {"nl", "correction", "Naam onjuist", "Mijn achternaam is verkeerd gespeld. Wilt u dit aanpassen?"},
    {"nl", "correction", "Adreswijziging",
     "Mijn adres is gewijzigd. Graag mijn gegevens bijwerken naar Kerkstraat 12, Utrecht."},
    {"nl", "opt_out_sale", "Verkoop mijn gegevens niet",
     "Ik wil niet dat u mijn persoonsgegevens verkoopt of deelt met derden."},
    {"nl", "opt_out_sale", "Adverteerders", "Deel mijn gegevens alstublieft niet met adverteerders."},
    {"nl", "opt_out_marketing", "Afmelden nieuwsbrief", "Graag afmelden voor alle marketingmails."},
    {"nl", "opt_out_marketing", "Geen reclame meer", "Ik wil geen e-mails met aanbiedingen meer ontvangen."},
    {"nl", "objection", "Bezwaar tegen verwerking",
     "Ik maak bezwaar tegen het gebruik van mijn gegevens voor profilering."},
    {"nl", "objection", "Toestemming intrekken",
     "Ik trek mijn toestemming voor analytische cookies en tracking in."},
    // ---------------------------------------------------------------- pt
    {"pt", "access", "Acesso aos meus dados",
     "Olá, gostaria de receber uma cópia de todos os dados pessoais que vocês possuem sobre mim."},
    {"pt", "access", "Pedido de informações (LGPD)",
     "Solicito que me informem quais dados pessoais meus vocês armazenam e com quem os compartilham.", "lgpd"},
    {"pt", "deletion", "Excluir minha conta", "Por favor, excluam minha conta e apaguem todos os meus dados."},
    {"pt", "deletion", "Eliminação de dados",
     "Peço a eliminação de todas as minhas informações pessoais dos vossos sistemas, nos termos do RGPD.",
     "gdpr"},
    {"pt", "portability", "Portabilidade",
     "Quero receber meus dados em formato estruturado para transferi-los a outro fornecedor."},
    {"pt", "portability", "Transferência dos dados",
     "Solicito a portabilidade dos meus dados para outro serviço, em formato de leitura automática."},
    {"pt", "correction", "Corrigir meu nome",
     "Meu sobrenome está escrito errado no cadastro. Podem corrigir, por favor?"},
    {"pt", "correction", "Atualização de endereço", "Meu endereço mudou; peço que atualizem meus dados cadastrais."},
    {"pt", "opt_out_sale", "Não vendam meus dados",
     "Peço que não vendam nem compartilhem minhas informações pessoais."},
    {"pt", "opt_out_sale", "Compartilhamento de dados",
     "Não autorizo o compartilhamento dos meus dados com parceiros comerciais."},
    {"pt", "opt_out_marketing", "Descadastrar", "Quero ser descadastrado da lista de e-mails promocionais."},
    {"pt", "opt_out_marketing", "Parar newsletter",
     "Não quero mais receber newsletters nem mensagens de marketing."},
    {"pt", "objection", "Oposição ao tratamento",
     "Oponho-me ao tratamento dos meus dados para fins de criação de perfis."},
    {"pt", "objection", "Revogação do consentimento",
     "Revogo o consentimento dado para o uso dos meus dados em campanhas."},

    // ------------------------------------------------- questions and other mail: triage
    {"en", "", "Retention", "How long do you keep my data after I cancel my subscription?"},
    {"en", "", "Data sales?", "Hi there, do you sell customer data to third parties? Just curious."},
    {"en", "", "Login problem", "I can't log into my account, the password reset mail never arrives."},
    {"de", "", "Frage", "Wie lange speichern Sie meine Daten eigentlich?"},
    {"de", "", "Datenverkauf", "Verkaufen Sie meine Daten an Dritte?"},
    {"fr", "", "Question", "Combien de temps conservez-vous mes données ?"},
    {"es", "", "Pregunta", "¿Venden ustedes mis datos a terceros?"},
    {"it", "", "Domanda", "Per quanto tempo conservate i miei dati?"},
    {"nl", "", "Vraag", "Hoe lang bewaart u mijn gegevens?"},
    {"pt", "", "Dúvida", "Vocês vendem meus dados para terceiros?"},
};

std::string BuildMessage(const char* name, const char* email, const Variant& v, int n) {
  test::RawMessage m;
  m.from = std::string(name) + " <" + email + ">";
  m.subject = v.subject;  // raw 8-bit UTF-8, as many clients send
  m.date = "Wed, 25 Nov 2026 10:00:00 +0100";
  m.message_id = "variant-" + std::to_string(n) + "@example.org";
  m.body = v.body;
  return m.Build();
}

}  // namespace

TEST_CASE("own variants: two or more per request type and per language", "[mail][classify][variants]") {
  std::map<std::string, std::map<std::string, int>> coverage;  // lang -> type -> count
  int n = 0;
  for (const Variant& v : kVariants) {
    const auto& person = kPeople[n % (sizeof(kPeople) / sizeof(kPeople[0]))];
    const std::string raw = BuildMessage(person[0], person[1], v, n);
    ++n;
    INFO("variant [" << v.lang << "] " << v.subject << ": " << v.body);
    auto parsed = ParseMessage(raw);
    REQUIRE(parsed.ok());
    const Classification c = Classify(*parsed);
    CHECK(c.language == v.lang);
    CHECK(c.subject.email == person[1]);
    CHECK(c.subject.name == person[0]);
    CHECK_FALSE(c.requester.has_value());
    CHECK(c.jurisdiction_hint == v.hint);
    if (std::string(v.type).empty()) {
      CHECK(c.outcome == Classification::Outcome::kTriage);
      CHECK_FALSE(c.type.has_value());
    } else {
      CHECK(c.outcome == Classification::Outcome::kRequest);
      REQUIRE(c.type.has_value());
      CHECK(RequestTypeName(*c.type) == v.type);
      ++coverage[v.lang][v.type];
    }
  }
  for (const char* lang : {"en", "de", "fr", "es", "it", "nl", "pt"}) {
    for (RequestType t : AllRequestTypes()) {
      INFO(lang << " " << RequestTypeName(t));
      CHECK(coverage[lang][std::string(RequestTypeName(t))] >= 2);
    }
  }
}

using test::ClassifyRaw;

TEST_CASE("a parent writing for a child: the child is the data subject", "[mail][classify][who]") {
  const auto c = ClassifyRaw(
      "From: Mark Clarke <mark.clarke@example.net>\r\nTo: contact@nimbus.example\r\n"
      "Subject: My daughter's account\r\n\r\n"
      "Hello, I am writing on behalf of my daughter Emma Clarke (emma.clarke@example.net), who is 15.\r\n"
      "Please delete her account and data.\r\n");
  REQUIRE(c.outcome == Classification::Outcome::kRequest);
  CHECK(*c.type == RequestType::kDeletion);
  CHECK(c.subject.email == "emma.clarke@example.net");
  CHECK(c.subject.name == "Emma Clarke");
  REQUIRE(c.requester);
  CHECK(c.requester->email == "mark.clarke@example.net");
  CHECK(c.requester->relationship == "parent");
}

TEST_CASE("an authorized agent in German, with a power of attorney", "[mail][classify][who]") {
  const auto c = ClassifyRaw(
      "From: =?utf-8?q?Kanzlei_M=C3=BCller?= <kanzlei@mueller-recht.example>\r\nTo: contact@nimbus.example\r\n"
      "Subject: Auskunftsverlangen\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "Sehr geehrte Damen und Herren,\r\n\r\nim Auftrag meines Mandanten Herrn Lukas Weber "
      "<lukas.weber@example.de> verlange ich Auskunft gemäß Art. 15 DSGVO. Die Vollmacht liegt bei.\r\n");
  REQUIRE(c.outcome == Classification::Outcome::kRequest);
  CHECK(*c.type == RequestType::kAccess);
  CHECK(c.subject.email == "lukas.weber@example.de");
  CHECK(c.subject.name == "Lukas Weber");
  REQUIRE(c.requester);
  CHECK(c.requester->email == "kanzlei@mueller-recht.example");
  CHECK(c.requester->relationship == "authorized_agent");
  CHECK(c.requester->authority == "power of attorney");
  CHECK(c.jurisdiction_hint == "gdpr");
  CHECK(c.language == "de");
}

TEST_CASE("an agent who does not give the client's address goes to triage", "[mail][classify][who]") {
  const auto c = ClassifyRaw(
      "From: Sam Agent <agent@privacy-agents.example>\r\nTo: contact@nimbus.example\r\nSubject: Deletion\r\n\r\n"
      "As an authorized agent for my client Pat Doe, I request deletion of all personal data.\r\n");
  CHECK(c.outcome == Classification::Outcome::kTriage);
  CHECK_FALSE(c.reason.empty());
}

TEST_CASE("a staff forward in Outlook style (FW:) names the forwarded sender", "[mail][classify][who]") {
  const auto c = ClassifyRaw(
      "From: Support Desk <support@nimbus.example>\r\nTo: contact@nimbus.example\r\n"
      "Subject: TR: suppression\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "Voir ci-dessous.\r\n\r\n________________________________\r\n"
      "De : Camille Martin <camille.martin@example.fr>\r\nEnvoyé : lundi 23 novembre 2026 10:00\r\n"
      "À : support@nimbus.example\r\nObjet : suppression\r\n\r\n"
      "Bonjour, merci de supprimer mon compte.\r\nCamille\r\n");
  REQUIRE(c.outcome == Classification::Outcome::kRequest);
  CHECK(*c.type == RequestType::kDeletion);
  CHECK(c.subject.email == "camille.martin@example.fr");
  CHECK(c.subject.name == "Camille Martin");
  CHECK_FALSE(c.requester.has_value());
  CHECK(c.language == "fr");
}

TEST_CASE("an Apple Mail 'Begin forwarded message' names the forwarded sender", "[mail][classify][who]") {
  const auto c = ClassifyRaw(
      "From: Tom <tom@nimbus.example>\r\nTo: contact@nimbus.example\r\nSubject: Fwd: my data\r\n\r\n"
      "Forwarding this one.\r\n\r\nBegin forwarded message:\r\n\r\n"
      "From: Grace Hopper <grace.h@example.org>\r\nSubject: my data\r\n"
      "Date: 20 November 2026 at 10:00:00 GMT\r\nTo: tom@nimbus.example\r\n\r\n"
      "Hi Tom, can you send me a copy of all the data Nimbus holds about me?\r\nGrace\r\n");
  REQUIRE(c.outcome == Classification::Outcome::kRequest);
  CHECK(*c.type == RequestType::kAccess);
  CHECK(c.subject.email == "grace.h@example.org");
}

TEST_CASE("web forms relayed by an automated sender", "[mail][classify][who]") {
  SECTION("HTML table, no Reply-To, country in the form") {
    const auto c = ClassifyRaw(
        "From: Nimbus Forms <notifications@forms.example>\r\nTo: contact@nimbus.example\r\n"
        "Subject: Privacy form submission\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<table><tr><th>Full name</th><td>Karl Svensson</td></tr>"
        "<tr><th>E-mail</th><td><a href=\"mailto:karl.s@example.se\">karl.s@example.se</a></td></tr>"
        "<tr><th>Country</th><td>Sweden</td></tr>"
        "<tr><th>Request</th><td>I want a copy of my data</td></tr></table>\r\n");
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(*c.type == RequestType::kAccess);
    CHECK(c.subject.email == "karl.s@example.se");
    CHECK(c.subject.name == "Karl Svensson");
    CHECK(c.jurisdiction_hint == "gdpr");
  }
  SECTION("plain-text form with Reply-To and a US state") {
    const auto c = ClassifyRaw(
        "From: WordPress <wordpress@nimbus.example>\r\nReply-To: Ben Ortega <ben.ortega@example.com>\r\n"
        "To: contact@nimbus.example\r\nSubject: New submission\r\n\r\n"
        "Name: Ben Ortega\r\nEmail: ben.ortega@example.com\r\nState: California\r\n"
        "Request type: Do not sell my personal information\r\n");
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(*c.type == RequestType::kOptOutSale);
    CHECK(c.subject.email == "ben.ortega@example.com");
    CHECK(c.jurisdiction_hint == "ccpa");
  }
}

TEST_CASE("quoted text never makes a request", "[mail][classify]") {
  const auto c = ClassifyRaw(
      "From: Ana Lima <ana.lima@example.com>\r\nTo: contact@nimbus.example\r\nSubject: Re: your invoice\r\n\r\n"
      "Thanks, got it.\r\n\r\nOn Tue, 24 Nov 2026 at 09:00, Nimbus <billing@nimbus.example> wrote:\r\n"
      "> To unsubscribe or delete your account, visit the settings page.\r\n");
  CHECK(c.outcome == Classification::Outcome::kTriage);
}
