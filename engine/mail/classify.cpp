// Classify, FindReference, FindVerificationCode.
//
// Classification is keyword and phrase based, per language (en, de, fr, es, it, nl, pt, ja),
// over the subject and the fresh text (quoted replies and signatures removed by
// ParseMessage). Text is folded (lower case, no accents, ASCII quotes, full-width ASCII and
// half-width katakana normalised) and split into sentences of words; a phrase pattern is a
// sequence of word alternatives ("delet*" matches by prefix) with bounded gaps ("~4": up to
// four other words), matched inside one sentence. Each type sums the weights of its matching
// patterns; the best type wins when it reaches kRequestThreshold. Matches inside a question
// ("Do you sell my data?") do not count unless the question is a polite request ("Could you
// delete my account?") or the pattern is one that asks for the requester's own data ("What
// data do you hold about me?").
//
// Japanese is written without spaces, so its patterns (kJaRules) are sequences of substring
// alternatives with gaps counted in characters ("開示 ~20 請求|お願い"), matched on the folded
// sentence text; sentences end at 。！？ as well, a line break inside a sentence (after 、 or a
// particle, or in a hard-wrapped line) joins without a blank, and a sentence ending in か is a
// question. Words split where the script changes, so "CSV形式" is "csv" + "形式" for the
// word patterns. A negative weight takes back, within its sentence, what another pattern
// gave: a negation ("削除しないで") or a wording that names two rights as one ("利用停止・消去",
// the APPI erasure request, counts as deletion, not also as objection).
//
// In the other languages a match that asks for nothing does not count (NotAsked): a verb under a
// negation in its clause ("Please don't delete my account", "löschen Sie mein Konto nicht", "ne
// pas supprimer", "no borren"), a deletion of someone or something else ("remove John from my
// team account") or of a business record ("die doppelte Rechnung"), and an objection in a
// sentence that is not about personal data or its processing ("I object to the price increase").
//
// No rule is keyed to particular addresses, names or messages.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <unordered_map>

#include "mail/message.h"
#include "mail/text.h"

namespace dsar::mail {
namespace {

// ---------------------------------------------------------------------------------------
// Patterns.

struct Alt {
  std::string word;
  bool prefix = false;
};
struct Elem {
  std::vector<Alt> alts;
  int gap_before = 0;  // other words allowed between the previous element and this one
};
struct Pattern {
  std::vector<Elem> elems;
  int weight = 0;
  bool ok_in_question = false;
  bool cjk = false;  // substrings of the sentence text, gaps in characters (kJaRules)
  std::size_t key = 0;  // cjk: the element whose position is the match's ("@" in the spec)
  bool about_data = false;  // counts only in a sentence about personal data (AboutPersonalData)
};

struct Rule {
  RequestType type;
  const char* spec;
  int weight;
  bool ok_in_question = false;
  bool about_data = false;
};

// Rule::about_data: a verb alone ("I object", "Widerspruch") that names a right only when the
// sentence is about personal data or its processing, not a price increase.
constexpr bool kAboutData = true;

constexpr int kRequestThreshold = 3;
constexpr auto kAccess = RequestType::kAccess;
constexpr auto kDeletion = RequestType::kDeletion;
constexpr auto kPortability = RequestType::kPortability;
constexpr auto kCorrection = RequestType::kCorrection;
constexpr auto kSale = RequestType::kOptOutSale;
constexpr auto kMarketing = RequestType::kOptOutMarketing;
constexpr auto kObjection = RequestType::kObjection;

#define ART "art|arts|article|articles|artikel|articulo|articolo|artigo"

// Pattern syntax: words separated by blanks; "a|b" alternatives; "x*" prefix; "~N" (or
// "~" = 3) allows up to N other words before the next element. Words are written folded
// and split as the text is ("don't" -> "don t", "e-mail" -> "e mail").
const Rule kRules[] = {
    // ---- access -------------------------------------------------------------------
    {kAccess, "subject|data|personal ~1 access ~1 request*", 4},
    {kAccess, "sar|dsar", 2},
    {kAccess, "right|rights ~2 of|to ~1 access", 3},
    {kAccess, "right ~1 to ~1 know", 3},
    {kAccess, "access ~3 my|personal|the|all ~3 data|information|records|info", 3},
    {kAccess, "copy|copies ~4 my|personal|all|the ~3 data|information|records|info", 3},
    {kAccess, "what|which ~3 data|information|info ~5 hold|have|store|keep|collect|collected|process|processing|stored|held ~3 about|on|of|from|regarding ~1 me|myself", 3, true},
    {kAccess, "disclose ~6 data|information ~6 collected|hold|have|about", 2},
    {kAccess, "send ~3 me ~6 data|information ~5 hold|have|store|stored|collected|about", 2},
    {kAccess, "send|give|provide|email|mail|forward|show ~3 me|us ~3 everything|all|anything|whatever ~4 you ~3 hold|have|store|keep|collected|process|know", 3},
    {kAccess, "request|requesting|requests ~3 access", 2},
    {kAccess, ART " ~1 15", 3},
    {kAccess, "1798 100|110|115", 3},
    {kAccess, "categories ~6 personal ~2 data|information", 2},
    {kAccess, "request|requests|requesting ~2 to ~1 know", 3},
    {kAccess, "specific ~1 pieces ~3 personal|information|data", 3},
    {kAccess, "auskunft*|datenauskunft*|selbstauskunft*", 3},
    // Information about the company's own practice ("eine Auskunft über Ihre Fristen") is not access.
    {kAccess, "auskunft* ~1 uber|zu|zur|zum ~1 ihre|ihren|ihrer|ihrem|eure|euren ~2 frist*|aufbewahrung*|speicherdauer|speicherfrist*|loschfrist*|loeschfrist*|praxis|richtlinie*|vorgehen*|verfahren|preis*|konditionen", -3},
    {kAccess, "kopie ~4 daten|personenbezogenen|informationen", 3},
    {kAccess, "welche ~4 daten ~6 gespeichert|speichern|verarbeiten|verarbeitet|haben|vorliegen", 3, true},
    {kAccess, "zugang|einsicht ~3 daten", 2},
    {kAccess, "droit ~2 acces", 3},
    {kAccess, "acces ~3 donnees|informations", 3},
    {kAccess, "acceder|accedere|acessar|aceder ~3 donnees|informations|datos|informacion|dati|informazioni|dados|informacoes", 3},
    {kAccess, "copie ~4 donnees|informations", 3},
    {kAccess, "quelles ~3 donnees ~6 detenez|conservez|traitez|avez|possedez", 3, true},
    {kAccess, "communication|communiquer ~4 donnees", 2},
    {kAccess, "derecho ~2 acceso", 3},
    {kAccess, "acceso ~3 datos|informacion", 3},
    {kAccess, "copia ~4 datos|informacion", 3},
    {kAccess, "que ~3 datos ~6 tienen|tienes|almacenan|tratan|guardan|conservan|disponen", 3, true},
    {kAccess, "diritto ~2 accesso", 3},
    {kAccess, "accesso ~3 dati|informazioni", 3},
    {kAccess, "copia ~4 dati|informazioni", 3},
    {kAccess, "quali ~3 dati ~6 conservate|trattate|avete|detenete|possedete", 3, true},
    {kAccess, "inzage*", 3},
    {kAccess, "kopie ~4 gegevens|persoonsgegevens", 3},
    {kAccess, "welke ~3 gegevens|persoonsgegevens ~6 verwerkt|verwerken|bewaart|bewaren|heeft|hebben|opgeslagen", 3, true},
    {kAccess, "direito ~2 acesso", 3},
    {kAccess, "acesso ~3 dados|informacoes", 3},
    {kAccess, "copia ~4 dados|informacoes", 3},
    {kAccess, "confirmacao ~3 existencia ~3 tratamento", 3},
    {kAccess, "quais ~3 dados ~6 possuem|tem|armazenam|tratam|guardam", 3, true},

    // ---- deletion -----------------------------------------------------------------
    {kDeletion, "delete|erase|remove|wipe|purge|destroy ~4 my|all|personal|our|the|this|her|his|their ~4 data|information|account|accounts|details|profile|records|everything|info|history", 3},
    {kDeletion, "delete|erase|remove ~2 me ~3 from ~3 database|databases|systems|system|records|servers", 3},
    {kDeletion, "deletion|erasure|removal ~4 data|information|account|request|details|profile|records", 3},
    {kDeletion, "data|account|information ~1 deletion|erasure|removal", 3},
    {kDeletion, "right ~2 erasure|deletion|delete", 3},
    {kDeletion, "right ~2 be ~1 forgotten", 3},
    {kDeletion, "forget ~1 me", 2},
    {kDeletion, "close|cancel|terminate|deactivate ~3 my ~3 account", 2},
    {kDeletion, "account ~3 closed|deleted|removed|erased", 2},
    {kDeletion, "data|information ~3 deleted|erased|removed|destroyed", 2},
    {kDeletion, ART " ~1 17", 3},
    {kDeletion, "1798 105", 3},
    {kDeletion, "losch*|loesch*|gelosch*|geloesch*", 3},
    {kDeletion, "entfern* ~6 daten|konto|account|profil|angaben", 3},
    {kDeletion, "daten|konto|account|profil ~6 entfern*", 3},
    {kDeletion, "recht ~3 vergessen*", 3},
    {kDeletion, "konto|account|benutzerkonto|kundenkonto ~4 kundig*|schliess*|aufloes*|auflos*", 2},
    {kDeletion, "effacement", 3},
    {kDeletion, "effac*|supprim* ~6 donnees|compte|informations|profil|coordonnees", 3},
    {kDeletion, "donnees|compte|informations ~4 effac*|supprim*", 3},
    {kDeletion, "suppression ~4 donnees|compte|informations|profil", 3},
    {kDeletion, "droit ~2 oubli", 3},
    {kDeletion, "fermer|cloturer ~3 compte", 2},
    {kDeletion, "suprim*|elimin*|borr*|cancel*|destru* ~6 datos|cuenta|informacion|perfil", 3},
    {kDeletion, "datos|cuenta|informacion ~4 suprim*|elimin*|borr*", 3},
    {kDeletion, "supresion|eliminacion|borrado|cancelacion ~4 datos|cuenta|informacion", 3},
    {kDeletion, "derecho ~2 olvido|supresion", 3},
    {kDeletion, "cancell*|elimin*|rimuov*|rimozione|distrugg* ~6 dati|account|profilo|informazion*|conto", 3},
    {kDeletion, "dati|account|profilo ~4 cancellat*|eliminat*|rimoss*", 3},
    {kDeletion, "cancellazione|eliminazione ~4 dati|account|profilo", 3},
    {kDeletion, "diritto ~2 oblio|cancellazione", 3},
    {kDeletion, "verwijder*|wis|wissen|vernietig* ~6 gegevens|persoonsgegevens|account|profiel|data|accountgegevens", 3},
    {kDeletion, "gegevens|persoonsgegevens|account|profiel|data ~6 verwijder*|wissen|gewist|vernietigen", 3},
    {kDeletion, "recht ~2 vergetelheid", 3},
    {kDeletion, "recht ~2 op ~2 verwijdering|gegevenswissing", 3},
    {kDeletion, "exclu*|apag*|elimin*|delet*|remov* ~6 dados|conta|informacoes|perfil|cadastro", 3},
    {kDeletion, "dados|conta|cadastro ~4 excluid*|apagad*|eliminad*|removid*", 3},
    {kDeletion, "exclusao|eliminacao|apagamento|remocao ~4 dados|conta|cadastro|informacoes", 3},
    {kDeletion, "direito ~2 esquecimento|eliminacao", 3},

    // ---- portability --------------------------------------------------------------
    {kPortability, "portab*", 4},
    {kPortability, "machine ~1 readable|readible", 4},
    {kPortability, "machinereadable", 4},
    {kPortability, "structured ~4 format", 3},
    {kPortability, "commonly ~1 used ~3 format", 3},
    {kPortability, "transfer|transmit|port|move|send ~4 my ~3 data|information ~6 another|other|new|different|competitor", 3},
    {kPortability, "export ~3 my|all ~3 data|information", 3},
    {kPortability, "json|csv|xml", 1},
    {kPortability, ART " ~1 20", 4},
    {kPortability, "datenubertragbarkeit*|datenuebertragbarkeit*|ubertragbarkeit*|uebertragbarkeit*", 4},
    {kPortability, "maschinenlesbar*", 4},
    {kPortability, "strukturiert* ~4 format", 3},
    {kPortability, "ubertrag*|uebertrag*|ubermittel* ~6 anderen|andere ~2 anbieter|verantwortlich*", 2},
    {kPortability, "lisible ~2 par ~2 machine", 4},
    {kPortability, "format ~3 structure", 3},
    {kPortability, "transferer|transmettre ~4 donnees ~4 autre", 3},
    {kPortability, "lectura ~1 mecanica", 4},
    {kPortability, "formato ~2 estructurado", 3},
    {kPortability, "transmitir|transferir ~4 datos ~4 otro|otra", 3},
    {kPortability, "leggibile ~3 automatico|dispositivo|macchina", 4},
    {kPortability, "formato ~2 strutturato", 3},
    {kPortability, "trasmettere|trasferire ~4 dati ~4 altro", 3},
    {kPortability, "overdraagbaarheid|dataportabiliteit|gegevensoverdraagbaarheid", 4},
    {kPortability, "machine ~1 leesbaar|leesbare", 4},
    {kPortability, "machineleesbaar*", 4},
    {kPortability, "gestructureerd* ~3 formaat|vorm", 3},
    {kPortability, "export ~4 gegevens|data|persoonsgegevens", 3},
    {kPortability, "leitura ~1 automatica|mecanica", 4},
    {kPortability, "formato ~2 estruturado", 3},
    {kPortability, "legivel ~2 por ~2 maquina", 4},

    // ---- correction ---------------------------------------------------------------
    {kCorrection, "correct|rectify|update|fix|amend|change|edit ~5 my|the ~4 name|surname|address|email|details|data|information|record|records|spelling|birth|phone|number|birthday|postcode|title", 3},
    {kCorrection, "rectification|rectify|correction ~4 data|name|information|details|record|records", 3},
    {kCorrection, "right ~2 rectification|correction", 3},
    {kCorrection, "misspell*|misspelt|typo", 1},
    {kCorrection, "name|surname|address|email|details|data|information|spelling|birth ~3 misspell*|misspelt", 2},
    {kCorrection, "wrong|incorrect|inaccurate|outdated|mistake ~3 name|surname|address|email|details|data|information|spelling|birth|record", 2},
    {kCorrection, "name|surname|address|details|data|information ~3 wrong|incorrect|inaccurate|outdated", 2},
    {kCorrection, "correct|fix|amend|update|rectify ~1 it|this|that|them", 1},
    {kCorrection, "please|kindly ~2 correct|fix|amend|update|rectify ~1 it|this|that|them", 1},
    {kCorrection, "should ~1 be|read|say", 1},
    {kCorrection, ART " ~1 16", 3},
    {kCorrection, "1798 106", 3},
    {kCorrection, "berichtig*|korrigier*|korrektur|aktualisier*|andern|aendern ~6 name*|nachname*|adresse|daten|angaben|mail|anschrift|schreibweise", 3},
    {kCorrection, "name*|nachname*|adresse|daten|angaben|anschrift ~6 berichtig*|korrigier*|aktualisier*|andern|aendern|geandert", 3},
    {kCorrection, "berichtigung", 3},
    {kCorrection, "korrigier*|berichtig* ~2 sie|es|ihn|das|diese|diesen", 2},
    {kCorrection, "falsch*|fehlerhaft*|unrichtig*|veraltet*|unvollstandig* ~4 name*|nachname*|adresse|daten|angaben|anschrift|geschrieben", 2},
    {kCorrection, "name*|nachname*|adresse|daten|angaben ~4 falsch*|fehlerhaft*|unrichtig*|veraltet*", 2},
    {kCorrection, "rectif*|corrig*|modifi*|actualis* ~6 nom|adresse|donnees|informations|coordonnees|orthographe|prenom", 3},
    {kCorrection, "mettre ~2 jour ~6 nom|adresse|donnees|informations|coordonnees", 3},
    {kCorrection, "rectification", 3},
    {kCorrection, "errone*|incorrect*|inexact*|faute ~4 nom|adresse|donnees|informations|orthographe", 2},
    {kCorrection, "nom|prenom|adresse|donnees|informations ~4 errone*|incorrect*|inexact*|mal", 2},
    {kCorrection, "rectifi*|corrig* ~2 le|la|les|cela|ceci", 2},
    {kCorrection, "le|la|les ~1 rectifier|corriger|modifier", 2},
    {kCorrection, "mal ~1 orthographi*|ecrit*", 2},
    {kCorrection, "erreur ~3 nom|prenom|adresse|coordonnees|donnees", 2},
    {kCorrection, "rectific*|correg*|corrig*|corrij*|actualiz*|actualic*|modific*|cambi* ~6 nombre|apellido|apellidos|direccion|datos|informacion|correo", 3},
    {kCorrection, "erroneo*|incorrect*|inexact*|equivocad*|mal ~4 nombre|apellido|direccion|datos|escrito", 2},
    {kCorrection, "nombre|apellido|direccion|datos ~4 erroneo*|incorrect*|inexact*|mal", 2},
    {kCorrection, "rettific*|corregg*|correzione|aggiorn*|modific*|cambi* ~6 nome|cognome|indirizzo|dati|informazioni", 3},
    {kCorrection, "rettific*", 2},
    {kCorrection, "errat*|inesatt*|sbagliat* ~4 nome|cognome|indirizzo|dati|scritto", 2},
    {kCorrection, "nome|cognome|indirizzo|dati ~4 errat*|inesatt*|sbagliat*", 2},
    {kCorrection, "corrigeer*|corrigeren|correctie|aanpass*|wijzig*|rectific*|verbeter*|bijwerk* ~6 naam|achternaam|adres|gegevens|persoonsgegevens|mailadres", 3},
    {kCorrection, "gegevens|naam|achternaam|adres ~6 corrigeren|aanpassen|wijzigen|verbeteren|rectificeren|bijwerken|gecorrigeerd|aangepast", 3},
    {kCorrection, "rectificatie|correctie", 3},
    {kCorrection, "onjuist*|verkeerd*|fout*|onjuiste ~4 naam|achternaam|adres|gegevens|gespeld|geschreven", 2},
    {kCorrection, "naam|achternaam|adres|gegevens ~4 onjuist*|verkeerd*|fout*", 2},
    {kCorrection, "aanpass*|corrigeer*|corrigeren|wijzig* ~2 dit|dat|het", 2},
    {kCorrection, "retific*|corrig*|correcao|atualiz*|alter*|modific* ~6 nome|sobrenome|endereco|dados|informacoes|email", 3},
    {kCorrection, "retificacao|correcao", 3},
    {kCorrection, "incorret*|errad*|inexat*|desatualizad* ~4 nome|sobrenome|endereco|dados|escrito", 2},
    {kCorrection, "nome|sobrenome|endereco|dados ~4 incorret*|errad*|inexat*|desatualizad*", 2},

    // ---- opt_out_sale -------------------------------------------------------------
    {kSale, "do ~1 not ~2 sell|share", 4},
    {kSale, "don ~1 t ~2 sell|share", 4},
    {kSale, "opt|opting ~1 out ~5 sale|selling|sell|sharing|share|sold", 4},
    {kSale, "stop|cease ~2 selling|sharing", 4},
    {kSale, "not ~1 to ~1 sell|share", 3},
    {kSale, "never ~2 sell|share", 2},
    {kSale, "sale|selling ~2 of ~2 my ~3 data|information", 2},
    {kSale, "1798 120|135", 4},
    {kSale, "nicht ~4 verkauf*|verkaufen|weitergeben|weiterverkauf*", 4},
    {kSale, "geben ~5 nicht ~4 weiter", 4},
    {kSale, "untersag*|widerspr* ~6 verkauf*|weitergabe|weiterverkauf*", 4},
    {kSale, "verkauf*|weitergabe|weiterverkauf* ~6 widerspr*|untersag*|einstell*|stopp*", 4},
    {kSale, "kein* ~2 verkauf*|weitergabe", 4},
    {kSale, "verkauf* ~5 nicht", 3},
    {kSale, "ne ~4 pas ~3 vendre|partager|vendez|partagez|vende|cedez|ceder", 4},
    {kSale, "vente|partage|cession ~3 donnees", 2},
    {kSale, "opposition|oppose ~4 vente|partage|cession", 4},
    {kSale, "no ~4 vend*|compart*|ced*", 4},
    {kSale, "venta|cesion ~3 datos", 2},
    {kSale, "oposicion|opongo ~4 venta|cesion", 4},
    {kSale, "non ~4 vend*|condivid*|ced*", 4},
    {kSale, "vendita|cessione ~3 dati", 2},
    {kSale, "opposizione|oppongo ~4 vendita|cessione", 4},
    {kSale, "niet ~4 verkop*|verkoop*|verkocht|delen|deelt|doorverkop*", 4},
    {kSale, "verkoop|verkopen|deel ~5 niet", 3},
    {kSale, "verkoop ~3 gegevens", 2},
    {kSale, "nao ~4 vend*|compartilh*|partilh*", 4},
    {kSale, "venda|compartilhamento ~3 dados", 2},
    {kSale, "oposicao|oponho ~4 venda|compartilhamento", 4},

    // ---- opt_out_marketing --------------------------------------------------------
    {kMarketing, "unsubscrib*", 4},
    {kMarketing, "newsletter*", 1},
    {kMarketing, "opt|opting ~1 out ~5 marketing|newsletter*|emails|mailing|mails|communications|promotions", 4},
    {kMarketing, "take|remove|delete ~2 me ~4 off|from ~5 list|lists|mailing|newsletter*|distribution", 4},
    {kMarketing, "stop ~3 sending ~5 emails|mails|newsletters|messages|marketing|promotions|me|offers", 3},
    {kMarketing, "stop ~3 emailing|mailing|spamming|texting", 3},
    {kMarketing, "no ~2 more ~3 emails|marketing|newsletters|promotional|mails|messages", 3},
    {kMarketing, "don ~1 t ~2 want ~4 emails|marketing|newsletters|mails|messages|promotions", 3},
    {kMarketing, "don|not ~2 send|email|mail ~3 newsletter*|marketing|emails|mails|promotions|offers|ads|adverts", 3},
    {kMarketing, "mailing ~1 list", 1},
    {kMarketing, "marketing|promotional ~2 emails|mails|messages|communications", 2},
    {kMarketing, "abmeld*|abbestell*|austragen|ausgetragen|abmeldung", 4},
    {kMarketing, "keine ~4 werbung|werbemails|werbe*|newsletter|mails|nachrichten|angebote", 3},
    {kMarketing, "werbung ~4 einstellen|stoppen|beenden|unterlassen", 3},
    {kMarketing, "tragen ~5 aus", 3},
    {kMarketing, "bestellen|bestelle|bestellt|melden|melde|meldet ~4 mich|newsletter*|werbung|werbe*|mails|infobrief*|rundbrief*|verteiler|abo|abonnement ~5 ab", 3},
    {kMarketing, "newsletter ~4 abmelden|abbestellen|kundigen|beenden", 4},
    {kMarketing, "desabonn*|desinscri*|desinscription", 4},
    {kMarketing, "ne ~3 plus ~5 recevoir|envoyer ~5 emails|mails|newsletter|messages|courriels|publicite*|offres|communications|lettre|lettres|infolettre*", 3},
    {kMarketing, "lettre|lettres ~1 d ~1 information|informations|actualites|actualite", 1},
    {kMarketing, "infolettre*", 1},
    {kMarketing, "retirer|retirez ~3 liste", 3},
    {kMarketing, "dar|darme|darse|darle ~2 de ~1 baja", 4},
    {kMarketing, "baja ~3 suscripcion|newsletter|boletin|lista|comunicaciones", 4},
    {kMarketing, "cancelar|anular ~3 suscripcion", 4},
    {kMarketing, "no ~3 recibir|enviar|envien|enviarme ~5 correos|emails|publicidad|boletin|newsletter|comunicaciones|mensajes", 3},
    {kMarketing, "correos ~2 publicitarios|comerciales|promocionales", 2},
    {kMarketing, "disiscri*|disiscrizione", 4},
    {kMarketing, "cancellare|annullare ~3 iscrizione", 4},
    {kMarketing, "non ~3 ricevere|inviare|inviarmi ~5 email|mail|newsletter|comunicazioni|messaggi|promozioni|pubblicita", 3},
    {kMarketing, "rimuov*|togliere|toglietemi|cancellatemi ~4 lista|mailing|newsletter", 4},
    {kMarketing, "comunicazioni ~2 commerciali|promozionali|marketing", 2},
    {kMarketing, "afmeld*|uitschrijv*|uitschrijving", 4},
    {kMarketing, "geen ~4 nieuwsbrie*|mails|reclame|marketing|berichten|aanbiedingen", 3},
    {kMarketing, "nieuwsbrie*", 1},
    {kMarketing, "descadastr*|desinscrever|desinscricao", 4},
    {kMarketing, "cancelar ~3 inscricao|assinatura|subscricao", 4},
    {kMarketing, "nao ~3 receber|enviar|enviem ~5 emails|mails|mensagens|newsletter|marketing|promocoes|comunicacoes", 3},
    {kMarketing, "remover|retirar|tirar|tirem ~4 lista|mailing|newsletter", 4},

    // ---- objection ----------------------------------------------------------------
    {kObjection, "i ~2 object", 4, false, kAboutData},
    {kObjection, "objection|objecting|object ~3 to ~5 processing|use|profiling|using", 4, false, kAboutData},
    {kObjection, "right ~2 to ~1 object", 3, false, kAboutData},
    {kObjection, "stop|cease ~3 processing ~3 my|personal", 3},
    {kObjection, "restrict|restriction ~3 processing", 2},
    {kObjection, "withdraw|revoke|withdrawing ~3 my ~2 consent", 3},
    {kObjection, "legitimate ~1 interest|interests", 2},
    {kObjection, "profiling", 1},
    {kObjection, ART " ~1 21", 3},
    {kObjection, "widerspr*|widerspruch", 4, false, kAboutData},
    {kObjection, "verarbeitung ~6 einstellen|beenden|einschranken|unterlassen", 3},
    {kObjection, "stellen ~3 verarbeitung ~6 ein", 3},
    {kObjection, "einwilligung ~4 widerruf*|zuruck*", 3},
    {kObjection, "berechtigt* ~1 interess*", 2},
    {kObjection, "m ~1 oppose|opposer", 4, false, kAboutData},
    {kObjection, "opposition ~4 traitement|profilage", 4},
    {kObjection, "droit ~2 opposition", 3},
    {kObjection, "retire|retirer ~3 consentement", 3},
    {kObjection, "interet* ~1 legitime*", 2},
    {kObjection, "me ~1 opongo", 4, false, kAboutData},
    {kObjection, "oponerme|oposicion ~4 tratamiento|elaboracion|perfiles", 4},
    {kObjection, "derecho ~2 oposicion", 3},
    {kObjection, "retiro|retirar ~3 consentimiento", 3},
    {kObjection, "interes* ~1 legitimo*", 2},
    {kObjection, "mi ~1 oppongo", 4, false, kAboutData},
    {kObjection, "oppormi|opposizione ~4 trattamento|profilazione", 4},
    {kObjection, "diritto ~2 opposizione", 3},
    {kObjection, "revoco|revocare|ritiro ~3 consenso", 3},
    {kObjection, "interesse ~1 legittimo", 2},
    {kObjection, "bezwaar", 4, false, kAboutData},
    {kObjection, "trek ~4 toestemming", 3},
    {kObjection, "intrekken ~3 toestemming", 3},
    {kObjection, "toestemming ~3 intrekken|in", 2},
    {kObjection, "gerechtvaardigd* ~1 belang", 2},
    {kObjection, "me ~1 oponho", 4, false, kAboutData},
    {kObjection, "oponho|opor ~1 me", 4, false, kAboutData},  // "Oponho-me", "opor-me"
    {kObjection, "oposicao ~4 tratamento", 4},
    {kObjection, "direito ~2 oposicao", 3},
    {kObjection, "revogo|revogar|revogacao ~3 consentimento", 3},
};
#undef ART

// Japanese (個人情報保護法 / APPI terms as people write them to a company, and the GDPR/CCPA
// terms in Japanese). Same syntax, but each alternative is a substring of the folded sentence
// and "~N" allows up to N other characters; "@" marks the element that names the right when an
// object comes first ("個人情報 ~6 @削除"): its position orders the rights asked for ("個人情報の
// 開示と削除" asks for access first). Words are written folded: ASCII in lower case.
#define JA_ASK                                                                                    \
  "ください|下さい|お願い|願います|願いたく|希望|請求|求め|要求|依頼|申請|申し入れ|申入れ|申し立て|申立|" \
  "たい|たく|ほしい|欲しい|いただ|頂|もらい|もらえ|くれ"
#define JA_ERASE "削除|消去|抹消|破棄|廃棄"
#define JA_DATA "個人情報|個人データ|データ|情報|アカウント|登録|会員|履歴|記録|プロフィール|id|アドレス"
#define JA_FIELD                                                                               \
  "氏名|名前|住所|アドレス|電話番号|生年月日|登録情報|個人情報|情報|データ|登録内容|表記|漢字|姓|名字|苗字|" \
  "ふりがな|フリガナ|会社名|勤務先|所属"
#define JA_ME "私|自分|わたし|わたくし|当方"
#define JA_HELD "保有|保存|保管|保持|管理|取得|収集|把握|持って|お持ち"
#define JA_STOP "停止|中止|やめ|止め|拒否|しないで|しないよう|ないで|ないよう|控え|反対|同意しません|望みません"
#define JA_MAILS                                                                                  \
  "メルマガ|メールマガジン|ニュースレター|広告メール|宣伝メール|案内メール|販促メール|営業メール|お知らせメール|" \
  "キャンペーンメール|プロモーション|dm|ダイレクトメール|メール配信|配信メール|広告|宣伝|マーケティング"

const Rule kJaRules[] = {
    // ---- access (開示, APPI Art. 33; アクセス権, GDPR Art. 15) --------------------------------
    {kAccess, "開示請求|開示要求|開示依頼|開示の請求|開示を請求|開示等の請求", 4},
    {kAccess, "開示 ~20 " JA_ASK, 3},
    {kAccess, "開示 ~4 不要|結構|必要ありません|必要ない|いりません|しないで|しなくて|たくない", -4},
    {kAccess, "保有個人データ", 1},
    {kAccess, "個人情報|個人データ|データ|情報|記録 ~6 @写し|コピー|複製", 3},
    {kAccess, JA_ME " ~15 どのような|どんな|どういった|何の|いかなる ~10 情報|データ ~15 " JA_HELD, 3, true},
    {kAccess, "どのような|どんな|どういった|何の|いかなる ~10 " JA_ME " ~10 情報|データ ~15 " JA_HELD, 3, true},
    {kAccess, JA_ME " ~10 個人情報|個人データ|データ|情報 ~4 @一覧|送付して|送って|提供して|教えて|確認|開示|見せて", 3, true},
    {kAccess, "個人情報|個人データ ~6 @確認させて|確認したい|見せて|閲覧|送付して|送って|提供して|教えて", 2},
    {kAccess, JA_ME " ~40 " JA_HELD " ~8 内容|情報|データ ~6 @教えて|開示|見せて|送って|送付して|一覧", 3, true},
    {kAccess, "アクセス権", 3},
    {kAccess, "データ|情報 ~4 @アクセス ~6 請求|要求|求め|希望|お願い", 3},
    {kAccess, "利用目的 ~6 通知|開示|教えて|説明 ~10 " JA_ASK, 3},

    // ---- deletion (削除・消去, APPI Art. 34-35; 忘れられる権利, GDPR Art. 17) ------------------
    {kDeletion, JA_ERASE " ~8 " JA_ASK, 3},
    {kDeletion, JA_DATA " ~6 @" JA_ERASE, 1},
    {kDeletion, "データ|情報|アカウント ~4 @消して ~3 ください|下さい|ほしい|欲しい|いただ|頂", 3},
    {kDeletion, "退会 ~8 " JA_ASK, 2},
    {kDeletion, "アカウント ~6 @閉鎖|解約|廃止 ~8 " JA_ASK, 2},
    {kDeletion, "忘れられる権利|消去権|削除権|消去する権利|削除する権利|消去の権利|削除の権利", 3},
    {kDeletion, JA_ERASE " ~2 しないで|しないよう|されないよう|せず|不要|しなくて|しません|たくない|たくありません", -4},
    {kDeletion, JA_ERASE " ~3 方法|手順|仕方|やり方", -3},
    {kDeletion, JA_ERASE " ~15 取り消し|取り消します|取消|撤回|キャンセル", -4},  // a request taken back

    // ---- portability (データポータビリティ, GDPR Art. 20) ---------------------------------------
    {kPortability, "ポータビリティ|可搬性", 4},
    {kPortability, "機械可読|機械判読|機械で読|機械読み取り", 4},
    {kPortability, "構造化 ~6 形式|フォーマット|データ", 3},
    {kPortability, "データ|情報 ~15 @他社|他の|別の|新しい|乗り換え ~10 サービス|事業者|会社|プロバイダ|アプリ ~10 移行|移し|移す|移転|転送|送信|提供|引き継", 3},
    {kPortability, "データ|情報 ~8 @エクスポート|書き出し ~8 " JA_ASK, 3},
    {kPortability, "データ|情報 ~8 @ダウンロード ~8 " JA_ASK, 2},

    // ---- correction (訂正・追加・削除 of wrong data, APPI Art. 34) -------------------------------
    {kCorrection, "訂正", 1},
    {kCorrection, "訂正|修正|変更|更新 ~8 " JA_ASK, 2},
    {kCorrection, JA_FIELD " ~12 @訂正|修正|変更|更新|直し|書き換え ~8 " JA_ASK, 3},
    {kCorrection, "間違|誤り|誤っ|誤記|誤字|誤登録|違って|古い|古く ~8 登録|表記|記載|名前|氏名|住所|情報|データ", 2},
    {kCorrection, JA_FIELD " ~8 @間違|誤り|誤っ|誤記|誤字|違って|古い|古く|変わり|変わっ", 2},
    {kCorrection, "正しくは|正しい ~6 名前|氏名|住所|表記|アドレス|漢字", 1},

    // ---- opt_out_sale (第三者提供の停止, APPI Art. 35(3); CCPA opt-out) -------------------------
    {kSale, "第三者提供 ~10 " JA_STOP "|オプトアウト", 4},
    {kSale, "第三者|他社|外部|広告主 ~10 提供|共有|販売|売却|開示|渡|流 ~10 " JA_STOP, 4},
    {kSale, "販売|売却|売ら|売買|売っ|売る ~6 " JA_STOP "|禁止|オプトアウト", 4},
    {kSale, "共有 ~6 しないで|しないよう|停止|中止|やめ|止め|拒否", 3},

    // ---- opt_out_marketing (配信停止) ---------------------------------------------------------
    {kMarketing, "配信停止|配信解除|配信中止|購読解除|購読停止|配信不要|受信拒否|送信停止", 4},
    {kMarketing, "配信 ~4 停止|解除|中止|やめ|止め|不要|しないで|拒否|オフ", 4},
    {kMarketing, JA_MAILS " ~10 解除|停止|中止|やめ|止め|不要|いりません|要りません|送らないで|送信しないで|"
                 "配信しないで|しないで|使わないで|拒否|オプトアウト|退会|届かないよう|受け取りたくない|受信したくない", 4},
    {kMarketing, "メール ~3 送らないで|送信しないで|送付しないで|届かないよう|不要|停止", 3},
    {kMarketing, "送らないで|送信しないで|送付しないで|配信しないで|届かないよう", 2},
    {kMarketing, "メーリングリスト|配信リスト|送信リスト ~8 削除|外し|除外|解除", 4},
    {kMarketing, "メルマガ|メールマガジン|ニュースレター|広告メール|宣伝メール|案内メール|販促メール|営業メール|"
                 "ダイレクトメール|配信メール", 1},

    // ---- objection (利用停止, APPI Art. 35; 異議, GDPR Art. 21) --------------------------------
    {kObjection, "利用|使用|取り扱い|取扱い|取扱|処理 ~4 停止|中止|やめ|止め|控え ~10 " JA_ASK, 3},
    {kObjection, "利用停止|使用停止 ~3 消去|削除", -3},
    {kObjection, "利用|使用 ~2 しないで|しないよう|されたくない|しないこと", 3},
    {kObjection, "異議", 3, false, kAboutData},
    {kObjection, "異議 ~3 ありません|ない|なし|ございません", -4},
    {kObjection, "同意 ~8 撤回|取り消|取消|取下げ|取り下げ", 3},
    {kObjection, "プロファイリング", 1},
    {kObjection, "正当な利益|正当な利害", 2},
};
#undef JA_ASK
#undef JA_ERASE
#undef JA_DATA
#undef JA_FIELD
#undef JA_ME
#undef JA_HELD
#undef JA_STOP
#undef JA_MAILS

// When two types score the same, the more specific one wins.
constexpr std::array<RequestType, 7> kTieOrder = {kSale, kObjection, kPortability, kCorrection,
                                                  kDeletion, kAccess, kMarketing};

Pattern Compile(const Rule& rule, bool cjk = false) {
  Pattern p;
  p.weight = rule.weight;
  p.ok_in_question = rule.ok_in_question;
  p.about_data = rule.about_data;
  p.cjk = cjk;
  int gap = 0;
  std::string_view spec = rule.spec;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    while (pos < spec.size() && spec[pos] == ' ') ++pos;
    std::size_t end = spec.find(' ', pos);
    if (end == std::string_view::npos) end = spec.size();
    const std::string_view tok = spec.substr(pos, end - pos);
    pos = end;
    if (tok.empty()) continue;
    if (tok.front() == '~') {
      gap = tok.size() == 1 ? 3 : std::stoi(std::string(tok.substr(1)));
      continue;
    }
    Elem e;
    e.gap_before = gap;
    gap = 0;
    std::string_view alts = tok;
    if (alts.front() == '@') {
      p.key = p.elems.size();
      alts.remove_prefix(1);
    }
    std::size_t a = 0;
    while (a <= alts.size()) {
      std::size_t bar = alts.find('|', a);
      if (bar == std::string_view::npos) bar = alts.size();
      std::string_view w = alts.substr(a, bar - a);
      Alt alt;
      if (!w.empty() && w.back() == '*') {
        alt.prefix = true;
        w.remove_suffix(1);
      }
      alt.word = std::string(w);
      if (!alt.word.empty()) e.alts.push_back(std::move(alt));
      a = bar + 1;
    }
    p.elems.push_back(std::move(e));
  }
  return p;
}

bool AltMatches(const Elem& e, const std::string& word) {
  for (const Alt& a : e.alts) {
    if (a.prefix ? word.compare(0, a.word.size(), a.word) == 0 : word == a.word) return true;
  }
  return false;
}

bool MatchFrom(const Pattern& p, const std::vector<std::string>& words, std::size_t elem, std::size_t start) {
  if (elem == p.elems.size()) return true;
  const std::size_t last = std::min(words.size(), start + static_cast<std::size_t>(p.elems[elem].gap_before) + 1);
  for (std::size_t k = start; k < last; ++k) {
    if (AltMatches(p.elems[elem], words[k]) && MatchFrom(p, words, elem + 1, k + 1)) return true;
  }
  return false;
}

// The index of the word where the first match of `p` in `words` starts, or npos.
std::size_t MatchStart(const Pattern& p, const std::vector<std::string>& words) {
  if (p.elems.empty()) return std::string::npos;
  for (std::size_t s = 0; s < words.size(); ++s) {
    if (AltMatches(p.elems[0], words[s]) && MatchFrom(p, words, 1, s + 1)) return s;
  }
  return std::string::npos;
}

// The byte index of the code point after the one at text[i].
std::size_t NextCodePoint(std::string_view text, std::size_t i) {
  ++i;
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// Cjk patterns: element `elem` starts within gap_before characters of text[start]; `key_at`
// gets where the key element matched.
bool MatchTextFrom(const Pattern& p, std::string_view text, std::size_t elem, std::size_t start,
                   std::size_t& key_at) {
  if (elem == p.elems.size()) return true;
  const Elem& e = p.elems[elem];
  std::size_t q = start;
  for (int skipped = 0;; ++skipped) {
    for (const Alt& a : e.alts) {
      if (text.compare(q, a.word.size(), a.word) != 0) continue;
      if (elem == p.key) key_at = q;
      if (MatchTextFrom(p, text, elem + 1, q + a.word.size(), key_at)) return true;
    }
    if (q >= text.size() || skipped >= e.gap_before) return false;
    q = NextCodePoint(text, q);
  }
}

// The byte index in `text` of the key element of the first match of cjk pattern `p`, or npos.
std::size_t MatchTextStart(const Pattern& p, std::string_view text) {
  if (p.elems.empty()) return std::string::npos;
  for (std::size_t q = 0; q < text.size(); q = NextCodePoint(text, q)) {
    for (const Alt& a : p.elems[0].alts) {
      std::size_t key_at = q;
      if (text.compare(q, a.word.size(), a.word) == 0 && MatchTextFrom(p, text, 1, q + a.word.size(), key_at))
        return key_at;
    }
  }
  return std::string::npos;
}

// ---------------------------------------------------------------------------------------
// Sentences.

struct Sentence {
  std::vector<std::string> words;  // folded
  std::string text;                // folded, for the cjk patterns
  bool cjk = false;                // holds Han or kana
  bool question = false;
};

// The code point at s[i] (U+FFFD when the byte does not start valid UTF-8); `len` gets its size.
std::uint32_t CodePointAt(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  len = 1;
  if (b0 < 0x80) return b0;
  const std::size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0xFFFD;
  std::uint32_t cp = b0 & (0xFF >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (b & 0x3F);
  }
  len = n;
  return cp;
}

// Han, kana and Hangul: scripts whose words are not separated by blanks (or, for Hangul, not
// always), matched by the cjk patterns. Japanese punctuation (、。「」・) is not among them.
bool IsCjkLetter(std::uint32_t cp) {
  return (cp >= 0x3041 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x3005 || cp == 0x3006 ||
         (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool IsKana(std::uint32_t cp) { return (cp >= 0x3041 && cp <= 0x30FA) || cp == 0x30FC; }

// Punctuation and symbols outside ASCII that separate words: general punctuation, arrows, box
// drawing, shapes, dingbats, CJK punctuation and the remaining full-width forms.
bool IsSymbol(std::uint32_t cp) {
  return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2500 && cp <= 0x27BF) ||
         (cp >= 0x3000 && cp <= 0x3004) || (cp >= 0x3007 && cp <= 0x303F) || cp == 0x30FB ||
         (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFFEF) || cp == 0xFFFD;
}

// Words of folded text: runs of ASCII letters and digits (with other letters, e.g. Greek or
// Cyrillic), and separately runs of Han and kana, so a change of script is a word boundary.
std::vector<std::string> Words(std::string_view folded) {
  enum Kind { kGap, kLatin, kCjk };
  std::vector<std::string> out;
  std::size_t start = 0;
  Kind run = kGap;
  std::size_t i = 0;
  while (i <= folded.size()) {
    Kind kind = kGap;
    std::size_t len = 1;
    if (i < folded.size()) {
      const std::uint32_t cp = CodePointAt(folded, i, len);
      if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) kind = kLatin;
      else if (IsCjkLetter(cp)) kind = kCjk;
      else if (cp >= 0x80 && !IsSymbol(cp)) kind = kLatin;
    }
    if (kind != run) {
      if (run != kGap) out.emplace_back(folded.substr(start, i - start));
      start = i;
      run = kind;
    }
    if (i == folded.size()) break;
    i += len;
  }
  return out;
}

bool HasCjk(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    if (IsCjkLetter(CodePointAt(s, i, len))) return true;
    i += len;
  }
  return false;
}

// The last code point of `s` (0 when empty).
std::uint32_t LastCodePoint(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  std::size_t len = 0;
  return CodePointAt(s, i, len);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Where `p` first matches in `s`: a word index, or for a cjk pattern the byte index in s.text of
// its key element.
std::size_t MatchStart(const Pattern& p, const Sentence& s) {
  if (p.cjk) return s.cjk ? MatchTextStart(p, s.text) : std::string::npos;
  return MatchStart(p, s.words);
}

bool Matches(const Pattern& p, const Sentence& s) { return MatchStart(p, s) != std::string::npos; }

// ---------------------------------------------------------------------------------------
// Pattern sets.

using ElemIds = std::vector<std::uint32_t>;

// Scratch space of PatternSet::Candidates, reused across the sentences of a message.
struct MatchScratch {
  std::vector<std::uint32_t> elem_stamp, pattern_stamp;  // == stamp: marked for the current sentence
  std::uint32_t stamp = 0;
  std::vector<std::uint32_t> touched;  // patterns with a marked element
};

// Patterns with an index of their alternatives that tells which of them can match a sentence at
// all: a pattern matches only when each of its elements has a word of the sentence that one of
// its alternatives matches (for a cjk pattern: an alternative found in the sentence's text). Only
// those (a few per sentence) run the matcher; the others cannot match, so the results are those
// of running every pattern, at a fraction of the cost. Immutable once built.
class PatternSet {
 public:
  explicit PatternSet(std::vector<Pattern> patterns) : patterns_(std::move(patterns)), trie_(1) {
    std::map<std::string, ElemIds> cjk;
    for (std::uint32_t pi = 0; pi < patterns_.size(); ++pi) {
      const Pattern& p = patterns_[pi];
      first_elem_.push_back(static_cast<std::uint32_t>(elem_pattern_.size()));
      for (const Elem& e : p.elems) {
        const auto id = static_cast<std::uint32_t>(elem_pattern_.size());
        elem_pattern_.push_back(pi);
        for (const Alt& a : e.alts) {
          if (p.cjk) cjk[a.word].push_back(id);
          else Add(a.word, a.prefix, id);
        }
      }
    }
    first_elem_.push_back(static_cast<std::uint32_t>(elem_pattern_.size()));
    cjk_alts_.assign(cjk.begin(), cjk.end());
  }

  const std::vector<Pattern>& patterns() const { return patterns_; }

  // The indices of the patterns that may match `s`, ascending, into `out` (the others cannot).
  void Candidates(const Sentence& s, MatchScratch& m, std::vector<std::uint32_t>& out) const {
    out.clear();
    m.elem_stamp.resize(std::max(m.elem_stamp.size(), elem_pattern_.size()), 0);
    m.pattern_stamp.resize(std::max(m.pattern_stamp.size(), patterns_.size()), 0);
    m.touched.clear();
    const std::uint32_t stamp = ++m.stamp;
    auto mark = [&](const ElemIds& ids) {
      for (std::uint32_t id : ids) {
        m.elem_stamp[id] = stamp;
        const std::uint32_t pi = elem_pattern_[id];
        if (m.pattern_stamp[pi] != stamp) {
          m.pattern_stamp[pi] = stamp;
          m.touched.push_back(pi);
        }
      }
    };
    for (const std::string& w : s.words) {  // down the trie: each prefix alternative on the way, then the word
      std::uint32_t n = w.empty() ? 0 : root_[static_cast<unsigned char>(w[0])];
      for (std::size_t i = 1; n != 0 && i <= w.size(); ++i) {
        mark(trie_[n].prefix);
        if (i == w.size()) {
          mark(trie_[n].exact);
          break;
        }
        const auto& next = trie_[n].next;
        auto it = std::find_if(next.begin(), next.end(), [&](const auto& e) { return e.first == w[i]; });
        n = it == next.end() ? 0 : it->second;
      }
    }
    if (s.cjk)
      for (const auto& [alt, ids] : cjk_alts_)
        if (s.text.find(alt) != std::string::npos) mark(ids);
    for (std::uint32_t pi : m.touched) {
      bool all = first_elem_[pi] < first_elem_[pi + 1];
      for (std::uint32_t id = first_elem_[pi]; all && id < first_elem_[pi + 1]; ++id) all = m.elem_stamp[id] == stamp;
      if (all) out.push_back(pi);
    }
    std::sort(out.begin(), out.end());
  }

 private:
  struct Node {
    std::vector<std::pair<char, std::uint32_t>> next;
    ElemIds exact;   // elements with this whole word as an alternative
    ElemIds prefix;  // elements with this as a prefix alternative ("delet" of "delet*")
  };

  void Add(const std::string& word, bool prefix, std::uint32_t id) {  // (word is not empty)
    std::uint32_t n = 0;
    for (const char ch : word) {
      auto& next = trie_[n].next;
      auto it = std::find_if(next.begin(), next.end(), [&](const auto& e) { return e.first == ch; });
      if (it != next.end()) {
        n = it->second;
        continue;
      }
      const auto child = static_cast<std::uint32_t>(trie_.size());
      next.emplace_back(ch, child);
      if (n == 0) root_[static_cast<unsigned char>(ch)] = child;
      trie_.emplace_back();  // (after this, `next` may dangle: not used again)
      n = child;
    }
    (prefix ? trie_[n].prefix : trie_[n].exact).push_back(id);
  }

  std::vector<Pattern> patterns_;
  std::vector<std::uint32_t> elem_pattern_;  // element id -> its pattern (a pattern's elements are consecutive)
  std::vector<std::uint32_t> first_elem_;    // pattern -> its first element id; [size] = the element count
  std::vector<Node> trie_;                   // the word alternatives, byte by byte; [0] is the root
  std::array<std::uint32_t, 256> root_{};    // the root's children by byte (0: none), for speed
  std::vector<std::pair<std::string, ElemIds>> cjk_alts_;  // the cjk alternatives (substrings)
};

struct CompiledRules {
  std::vector<RequestType> types;  // of each pattern of `set`
  PatternSet set;
};

const CompiledRules& Rules() {
  static const CompiledRules rules = [] {
    std::vector<RequestType> types;
    std::vector<Pattern> patterns;
    for (const Rule& rule : kRules) {
      types.push_back(rule.type);
      patterns.push_back(Compile(rule));
    }
    for (const Rule& rule : kJaRules) {
      types.push_back(rule.type);
      patterns.push_back(Compile(rule, true));
    }
    return CompiledRules{std::move(types), PatternSet(std::move(patterns))};
  }();
  return rules;
}


bool IsUpperStart(std::string_view s) {
  if (s.empty()) return false;
  const auto b = static_cast<unsigned char>(s[0]);
  if (b >= 'A' && b <= 'Z') return true;
  // Latin-1 capitals (U+00C0..U+00DE) are C3 80..C3 9E.
  return b == 0xC3 && s.size() > 1 && static_cast<unsigned char>(s[1]) >= 0x80 &&
         static_cast<unsigned char>(s[1]) <= 0x9E;
}

// Splits text into sentences: at ? ! ; (and the Japanese 。？！) and at a '.' followed by a
// blank and a capital or a line end; at a blank line; at a line end after a short line or one
// ending in punctuation (greetings, form rows), but not inside a hard-wrapped paragraph. A
// line ending in Han or kana joins the next without a blank when it ends in 、 or a particle
// or is a hard-wrapped one (50 columns or more, a wide character counting two); a Japanese
// sentence ending in か is a question.
std::vector<Sentence> SplitSentences(std::string_view text) {
  std::vector<Sentence> out;
  std::string cur;
  auto flush = [&](bool question) {
    Sentence s;
    s.text = FoldForMatching(cur);
    s.words = Words(s.text);
    s.cjk = HasCjk(s.text);
    std::string_view t = s.text;
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
    s.question = question || (s.cjk && EndsWith(t, "か"));
    if (!s.words.empty()) out.push_back(std::move(s));
    cur.clear();
  };
  static constexpr std::string_view kFullStop = "。", kHalfStop = "｡", kWideStop = "．";
  static constexpr std::string_view kWideQuestion = "？", kWideBang = "！";
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '?' || c == '!' || c == ';') {
      flush(c == '?');
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0xE0) {
      const std::string_view rest = text.substr(i, 3);
      if (rest == kFullStop || rest == kHalfStop || rest == kWideStop || rest == kWideBang ||
          rest == kWideQuestion) {
        flush(rest == kWideQuestion);
        i += 2;
        continue;
      }
    }
    if (c == '.') {
      std::size_t j = i + 1;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j >= text.size() || text[j] == '\n' || (j > i + 1 && IsUpperStart(text.substr(j)))) {
        flush(false);
        continue;
      }
    }
    if (c == '\n') {
      std::string_view line = text.substr(line_start, i - line_start);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.remove_suffix(1);
      line_start = i + 1;
      const bool blank_next = i + 1 < text.size() && text[i + 1] == '\n';
      const std::uint32_t last = LastCodePoint(line);
      if (IsCjkLetter(last) || last == 0x3001 || last == 0xFF0C) {
        // Columns: a wide (3-byte) character counts two.
        std::size_t wide = 0;
        for (std::size_t k = 0; k < line.size();) {
          std::size_t len = 0;
          if (IsCjkLetter(CodePointAt(line, k, len)) && len == 3) ++wide;
          k += len;
        }
        static const std::uint32_t kParticles[] = {0x3001, 0xFF0C, 0x306E /*の*/, 0x3092 /*を*/, 0x306B /*に*/,
                                                   0x306F /*は*/, 0x304C /*が*/, 0x3068 /*と*/, 0x3067 /*で*/,
                                                   0x3078 /*へ*/, 0x3084 /*や*/, 0x3082 /*も*/, 0x3066 /*て*/};
        const bool particle = std::find(std::begin(kParticles), std::end(kParticles), last) != std::end(kParticles);
        if (blank_next || !(particle || line.size() - wide >= 50)) flush(false);
        continue;
      }
      const bool punct = !line.empty() && std::strchr(".!?:;,", line.back()) != nullptr;
      if (blank_next || punct || line.size() < 50 || line.find('\t') != std::string_view::npos) {
        flush(false);
        continue;
      }
      cur += ' ';
      continue;
    }
    cur += c;
  }
  flush(false);
  return out;
}

bool HasWord(const Sentence& s, std::initializer_list<const char*> words, std::size_t within = SIZE_MAX) {
  for (std::size_t i = 0; i < s.words.size() && i < within; ++i) {
    for (const char* w : words) {
      if (s.words[i] == w) return true;
    }
  }
  return false;
}

bool TextHasAny(std::string_view text, std::initializer_list<std::string_view> parts) {
  for (std::string_view p : parts) {
    if (text.find(p) != std::string_view::npos) return true;
  }
  return false;
}

// A question that is really a polite request ("Could you delete my account?",
// "削除していただけますか").
bool IsPoliteRequest(const Sentence& s) {
  if (s.words.empty()) return false;
  if (s.cjk) {
    // Asking to be told something (教えて, 知りたい, いつ頃, どのように, ...) is a question. A
    // request is asked with a polite form ("削除していただけますか", "いただくことは可能でしょうか");
    // "削除は可能ですか" without one is a question.
    if (TextHasAny(s.text, {"教えて", "知りたい", "伺いたい", "お伺い", "質問", "どのくらい", "どれくらい", "どの程度",
                            "どのように", "どうすれば", "どうやって", "いつ頃", "いつごろ", "いつまで", "いつから",
                            "なぜ", "どうして"}))
      return false;
    if (TextHasAny(s.text, {"いただ", "頂", "ください", "下さい", "お願い", "もらえ", "くれ", "願え"})) return true;
  }
  // Asking to be told something is a question, however polite.
  if (HasWord(s, {"tell", "explain", "inform", "know", "clarify", "wissen", "sagen", "erklaren", "mitteilen",
                  "dire", "expliquer", "savoir", "decir", "explicar", "saber", "dirmi", "spiegare", "sapere",
                  "vertellen", "uitleggen", "weten", "dizer", "informar", "whether", "ob", "how", "why",
                  "when", "warum", "wann", "comment", "pourquoi", "quand", "como", "perche", "quando", "hoe",
                  "waarom", "wanneer"},
              6)) {
    return false;
  }
  if (HasWord(s, {"please", "kindly", "bitte", "plait", "favor", "favore", "alstublieft", "aub", "gentileza"}))
    return true;
  static const char* const kModalsWithPronoun[] = {"can", "could", "would", "will", "konnen", "konnten",
                                                   "wurden", "pouvez", "pourriez", "voudriez", "kunt",
                                                   "kunnen", "zou", "zoudt", "wilt", "kun"};
  static const char* const kPoliteModals[] = {"podrian", "podria", "pueden", "puede", "potreste", "potete",
                                              "potrebbe", "podem", "poderiam", "poderia", "pode"};
  // The modal may follow a greeting ("Hi Tom, could you ...").
  for (std::size_t k = 0; k < s.words.size() && k < 4; ++k) {
    const std::string& w = s.words[k];
    for (const char* m : kPoliteModals) {
      if (w == m) return true;
    }
    for (const char* m : kModalsWithPronoun) {
      if (w != m) continue;
      for (std::size_t j = k + 1; j < s.words.size() && j <= k + 2; ++j) {
        for (const char* p : {"you", "u", "sie", "vous", "jullie", "ihr"}) {
          if (s.words[j] == p) return true;
        }
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Language.

struct LanguageWords {
  const char* code;
  std::vector<const char*> words;
};

const std::vector<LanguageWords>& LanguageTable() {
  static const std::vector<LanguageWords> table = {
      {"en", {"the", "and", "to", "of", "my", "i", "you", "your", "please", "is", "are", "for", "with", "this",
              "that", "have", "hello", "hi", "thanks", "regards", "dear", "would", "me", "not", "it", "on",
              "be", "do", "delete", "unsubscribe", "request", "information", "account", "want", "any"}},
      {"de", {"der", "die", "das", "und", "ich", "sie", "mein", "meine", "meiner", "meinen", "mit", "von", "zu",
              "nicht", "bitte", "ist", "sehr", "geehrte", "geehrter", "damen", "herren", "grussen", "freundlichen",
              "hiermit", "uber", "daten", "fur", "auf", "eine", "einen", "den", "dem", "ihre", "ihnen", "gruss"}},
      {"fr", {"le", "la", "les", "et", "je", "vous", "mon", "ma", "mes", "des", "du", "pour", "avec", "pas",
              "est", "bonjour", "merci", "cordialement", "une", "donnees", "votre", "vos", "qui", "dans",
              "sur", "au", "aux", "madame", "monsieur", "demande", "conformement"}},
      {"es", {"el", "los", "las", "y", "yo", "mi", "mis", "del", "por", "para", "con", "una", "es", "hola",
              "gracias", "saludo", "saludos", "datos", "su", "sus", "cuenta", "al", "solicitud", "envienme",
              "atentamente", "derecho", "ustedes", "quiero", "quisiera", "pero", "desde", "sobre", "todos",
              "todas", "les", "pido"}},
      {"it", {"il", "lo", "gli", "io", "mio", "mia", "miei", "mie", "di", "della", "dei", "per", "che", "sono",
              "grazie", "saluti", "dati", "ai", "cordiali", "gentili", "chiedo", "vorrei", "non", "questo",
              "richiesta", "distinti", "presente", "sensi", "degli", "alla", "delle", "allo", "nel", "nella",
              "sul", "sulla", "vostro", "vostra", "vostre", "vi", "prego", "ogni", "tutti", "tutte", "anche"}},
      {"nl", {"het", "een", "en", "ik", "mijn", "u", "uw", "van", "voor", "met", "niet", "graag", "groet",
              "groeten", "bedankt", "vriendelijke", "gegevens", "dat", "te", "om", "op", "ook", "beste", "zijn",
              "wilt", "verzoek", "persoonsgegevens", "alle"}},
      {"pt", {"o", "os", "as", "eu", "meu", "meus", "minha", "minhas", "do", "da", "dos", "das", "com", "uma",
              "nao", "obrigado", "obrigada", "ola", "atenciosamente", "dados", "seus", "voce", "ao", "aos", "em",
              "solicito", "termos", "pessoais", "conta", "podem", "pelo", "pela", "na", "seu", "sua", "voces",
              "gostaria", "peco", "quero"}},
  };
  return table;
}

// The language with the most of its common words; Japanese when kana (which no other language
// writes) outnumber them, at one word for two kana.
// A common word -> the languages (indices in LanguageTable) that list it, once per listing.
const std::unordered_map<std::string_view, std::vector<std::size_t>>& LanguageIndex() {
  static const auto index = [] {
    std::unordered_map<std::string_view, std::vector<std::size_t>> m;
    const auto& table = LanguageTable();
    for (std::size_t li = 0; li < table.size(); ++li)
      for (const char* w : table[li].words) m[w].push_back(li);
    return m;
  }();
  return index;
}

std::string DetectLanguage(const std::vector<Sentence>& sentences) {
  const auto& table = LanguageTable();
  const auto& index = LanguageIndex();
  std::vector<int> score(table.size(), 0);
  int kana = 0;
  for (const Sentence& s : sentences) {
    for (std::size_t i = 0; s.cjk && i < s.text.size();) {
      std::size_t len = 0;
      if (IsKana(CodePointAt(s.text, i, len))) ++kana;
      i += len;
    }
    for (const std::string& w : s.words) {
      if (auto it = index.find(w); it != index.end())
        for (std::size_t li : it->second) ++score[li];
    }
  }
  std::string best = "en";
  int best_score = 0;
  for (std::size_t li = 0; li < table.size(); ++li) {  // the first of equal scores wins, as listed
    if (score[li] > best_score) {
      best = table[li].code;
      best_score = score[li];
    }
  }
  if (kana >= 2 && kana / 2 > best_score) return "ja";
  return best;
}

// ---------------------------------------------------------------------------------------
// Jurisdiction hint.

bool IsAlnumByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Position of `word` as a whole word in `text` (case-sensitive), or npos.
std::size_t FindWord(std::string_view text, std::string_view word) {
  std::size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string_view::npos) {
    const bool left = pos == 0 || !IsAlnumByte(text[pos - 1]);
    const std::size_t end = pos + word.size();
    const bool right = end >= text.size() || !IsAlnumByte(text[end]);
    if (left && right) return pos;
    ++pos;
  }
  return std::string_view::npos;
}

// A country, state or region named in a form field -> jurisdiction code, or "".
std::string JurisdictionOfPlace(std::string_view value) {
  const std::string f = FoldForMatching(value);
  const std::vector<std::string> words = Words(f);
  std::string joined = " ";
  for (const auto& w : words) joined += w + " ";
  struct Place {
    const char* name;
    const char* code;
  };
  static const Place kPlaces[] = {
      {"united kingdom", "uk_gdpr"}, {"uk", "uk_gdpr"}, {"great britain", "uk_gdpr"}, {"england", "uk_gdpr"},
      {"scotland", "uk_gdpr"}, {"wales", "uk_gdpr"}, {"northern ireland", "uk_gdpr"}, {"royaume uni", "uk_gdpr"},
      {"vereinigtes konigreich", "uk_gdpr"}, {"reino unido", "uk_gdpr"}, {"regno unito", "uk_gdpr"},
      {"verenigd koninkrijk", "uk_gdpr"},
      {"california", "ccpa"}, {"californie", "ccpa"}, {"kalifornien", "ccpa"}, {"californien", "ccpa"},
      {"virginia", "vcdpa"}, {"colorado", "cpa"}, {"connecticut", "ctdpa"}, {"texas", "tdpsa"},
      {"brazil", "lgpd"}, {"brasil", "lgpd"}, {"bresil", "lgpd"}, {"brasilien", "lgpd"}, {"brasile", "lgpd"},
      {"brazilie", "lgpd"},
      {"canada", "pipeda"}, {"kanada", "pipeda"}, {"canada", "pipeda"},
      {"austria", "gdpr"}, {"osterreich", "gdpr"}, {"autriche", "gdpr"}, {"oostenrijk", "gdpr"},
      {"belgium", "gdpr"}, {"belgique", "gdpr"}, {"belgie", "gdpr"}, {"belgien", "gdpr"}, {"belgica", "gdpr"}, {"belgio", "gdpr"},
      {"bulgaria", "gdpr"}, {"bulgarien", "gdpr"}, {"bulgarie", "gdpr"}, {"croatia", "gdpr"}, {"kroatien", "gdpr"},
      {"croatie", "gdpr"}, {"croacia", "gdpr"}, {"croazia", "gdpr"}, {"hrvatska", "gdpr"}, {"cyprus", "gdpr"},
      {"zypern", "gdpr"}, {"chypre", "gdpr"}, {"chipre", "gdpr"}, {"cipro", "gdpr"},
      {"czech", "gdpr"}, {"czechia", "gdpr"}, {"tschechien", "gdpr"}, {"tchequie", "gdpr"}, {"chequia", "gdpr"},
      {"denmark", "gdpr"}, {"danemark", "gdpr"}, {"danmark", "gdpr"}, {"dinamarca", "gdpr"}, {"danimarca", "gdpr"},
      {"denemarken", "gdpr"}, {"estonia", "gdpr"}, {"estland", "gdpr"}, {"finland", "gdpr"}, {"finnland", "gdpr"},
      {"finlande", "gdpr"}, {"finlandia", "gdpr"}, {"suomi", "gdpr"}, {"france", "gdpr"}, {"frankreich", "gdpr"},
      {"francia", "gdpr"}, {"frankrijk", "gdpr"}, {"franca", "gdpr"}, {"germany", "gdpr"}, {"deutschland", "gdpr"},
      {"allemagne", "gdpr"}, {"alemania", "gdpr"}, {"germania", "gdpr"}, {"duitsland", "gdpr"}, {"alemanha", "gdpr"},
      {"greece", "gdpr"}, {"griechenland", "gdpr"}, {"grece", "gdpr"}, {"grecia", "gdpr"}, {"griekenland", "gdpr"},
      {"hungary", "gdpr"}, {"ungarn", "gdpr"}, {"hongrie", "gdpr"}, {"hungria", "gdpr"}, {"ungheria", "gdpr"},
      {"ireland", "gdpr"}, {"irland", "gdpr"}, {"irlande", "gdpr"}, {"irlanda", "gdpr"}, {"ierland", "gdpr"},
      {"italy", "gdpr"}, {"italia", "gdpr"}, {"italie", "gdpr"}, {"italien", "gdpr"}, {"italie", "gdpr"},
      {"latvia", "gdpr"}, {"lettland", "gdpr"}, {"lithuania", "gdpr"}, {"litauen", "gdpr"},
      {"luxembourg", "gdpr"}, {"luxemburg", "gdpr"}, {"luxemburgo", "gdpr"}, {"lussemburgo", "gdpr"},
      {"malta", "gdpr"}, {"netherlands", "gdpr"}, {"nederland", "gdpr"}, {"niederlande", "gdpr"},
      {"pays bas", "gdpr"}, {"paises bajos", "gdpr"}, {"paesi bassi", "gdpr"}, {"holland", "gdpr"},
      {"the netherlands", "gdpr"}, {"poland", "gdpr"}, {"polen", "gdpr"}, {"pologne", "gdpr"}, {"polonia", "gdpr"},
      {"polska", "gdpr"}, {"portugal", "gdpr"}, {"portogallo", "gdpr"}, {"romania", "gdpr"}, {"rumanien", "gdpr"},
      {"roumanie", "gdpr"}, {"rumania", "gdpr"}, {"roemenie", "gdpr"}, {"slovakia", "gdpr"}, {"slowakei", "gdpr"},
      {"slovenia", "gdpr"}, {"slowenien", "gdpr"}, {"spain", "gdpr"}, {"espana", "gdpr"}, {"espagne", "gdpr"},
      {"spanien", "gdpr"}, {"spagna", "gdpr"}, {"spanje", "gdpr"}, {"espanha", "gdpr"}, {"sweden", "gdpr"},
      {"schweden", "gdpr"}, {"suede", "gdpr"}, {"suecia", "gdpr"}, {"svezia", "gdpr"}, {"zweden", "gdpr"},
      {"sverige", "gdpr"}, {"iceland", "gdpr"}, {"island", "gdpr"}, {"islande", "gdpr"}, {"liechtenstein", "gdpr"},
      {"norway", "gdpr"}, {"norwegen", "gdpr"}, {"norvege", "gdpr"}, {"noruega", "gdpr"}, {"norvegia", "gdpr"},
      {"noorwegen", "gdpr"}, {"norge", "gdpr"}, {"european union", "gdpr"}, {"eu", "gdpr"}, {"eea", "gdpr"},
      {"europe", "gdpr"}, {"europa", "gdpr"},
  };
  for (const Place& p : kPlaces) {
    if (joined.find(std::string(" ") + p.name + " ") != std::string::npos) return p.code;
  }
  // Written in Japanese: substrings, the more specific first ("北アイルランド" before
  // "アイルランド"); an empty code is a place with no jurisdiction of ours.
  static const Place kJaPlaces[] = {
      {"ウェストバージニア", ""}, {"北アイルランド", "uk_gdpr"}, {"英国", "uk_gdpr"}, {"イギリス", "uk_gdpr"},
      {"イングランド", "uk_gdpr"}, {"スコットランド", "uk_gdpr"}, {"ウェールズ", "uk_gdpr"}, {"連合王国", "uk_gdpr"},
      {"カリフォルニア", "ccpa"}, {"バージニア", "vcdpa"}, {"コロラド", "cpa"}, {"コネチカット", "ctdpa"},
      {"テキサス", "tdpsa"}, {"ブラジル", "lgpd"}, {"カナダ", "pipeda"},
      {"ドイツ", "gdpr"}, {"フランス", "gdpr"}, {"スペイン", "gdpr"}, {"イタリア", "gdpr"}, {"オランダ", "gdpr"},
      {"ベルギー", "gdpr"}, {"オーストリア", "gdpr"}, {"アイルランド", "gdpr"}, {"ポルトガル", "gdpr"},
      {"スウェーデン", "gdpr"}, {"デンマーク", "gdpr"}, {"フィンランド", "gdpr"}, {"ポーランド", "gdpr"},
      {"ギリシャ", "gdpr"}, {"ギリシア", "gdpr"}, {"チェコ", "gdpr"}, {"ハンガリー", "gdpr"}, {"ルーマニア", "gdpr"},
      {"ブルガリア", "gdpr"}, {"クロアチア", "gdpr"}, {"スロバキア", "gdpr"}, {"スロベニア", "gdpr"},
      {"エストニア", "gdpr"}, {"ラトビア", "gdpr"}, {"リトアニア", "gdpr"}, {"ルクセンブルク", "gdpr"},
      {"マルタ", "gdpr"}, {"キプロス", "gdpr"}, {"ノルウェー", "gdpr"}, {"アイスランド", "gdpr"},
      {"リヒテンシュタイン", "gdpr"}, {"欧州連合", "gdpr"}, {"欧州経済領域", "gdpr"}, {"ヨーロッパ", "gdpr"},
      {"欧州", "gdpr"},
  };
  for (const Place& p : kJaPlaces) {
    if (f.find(p.name) != std::string::npos) return p.code;
  }
  return "";
}

struct FormField {
  std::string key;  // folded
  std::string value;
};

// "Key<TAB>Value" rows (HTML tables) and short "Key: Value" lines.
std::vector<FormField> FormFields(std::string_view text) {
  std::vector<FormField> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::size_t sep = line.find('\t');
    std::size_t sep_len = 1;
    if (sep == std::string_view::npos) {
      sep = line.find(':');
      // Japanese forms write the full-width colon: "お名前：山田太郎".
      if (const std::size_t wide = line.find("："); wide != std::string_view::npos && wide < sep) {
        sep = wide;
        sep_len = 3;
      }
    }
    if (sep == std::string_view::npos || sep == 0 || sep > 40) continue;
    std::string key = FoldForMatching(line.substr(0, sep));
    while (!key.empty() && (key.back() == ' ' || key.back() == ':' || key.back() == '*')) key.pop_back();
    while (!key.empty() && key.front() == ' ') key.erase(0, 1);
    std::string_view value = line.substr(sep + sep_len);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == ':')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
    if (key.empty() || value.empty()) continue;
    out.push_back({key, std::string(value)});
  }
  return out;
}

bool KeyIs(const std::string& key, std::initializer_list<const char*> names) {
  const std::vector<std::string> words = Words(key);
  if (words.empty() || words.size() > 4) return false;
  for (const char* n : names) {
    const std::vector<std::string> nw = Words(n);
    if (words == nw) return true;
  }
  return false;
}

bool KeyMentions(const std::string& key, std::initializer_list<const char*> names) {
  const std::vector<std::string> words = Words(key);
  if (words.empty() || words.size() > 4) return false;
  for (const auto& w : words) {
    for (const char* n : names) {
      if (w == n) return true;
    }
  }
  return false;
}

// True when `text` right before `pos` ends with one of `prefixes`.
bool PrecededBy(std::string_view text, std::size_t pos, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (pos >= p.size() && text.substr(pos - p.size(), p.size()) == p) return true;
  }
  return false;
}

// The jurisdiction a sender names: a statute (acronym, name or section), residence in a state
// with its own law ("California resident", "カリフォルニア州在住"), or a country or state in a web
// form's field. Only codes of the jurisdictions contract are returned: Japan's 個人情報保護法
// (APPI) has no jurisdiction of ours, so it gives no hint. `language` is the message's
// (DetectLanguage).
std::string JurisdictionHint(std::string_view raw_text, const std::vector<FormField>& fields,
                             std::string_view language) {
  // Statutes named in the text; the earliest mention wins. Full-width letters ("ＧＤＰＲ") are
  // read as ASCII, and most acronyms in any case ("Gdpr", "dsgvo"); AVG only in capitals and in
  // Dutch mail (elsewhere it is an antivirus brand).
  const std::string text = NarrowWidth(raw_text);
  std::string upper = text;
  for (char& ch : upper) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  struct Named {
    const char* word;
    const char* code;
    bool any_case = true;
  };
  static const Named kAcronyms[] = {
      {"UK GDPR", "uk_gdpr"},    {"UK-GDPR", "uk_gdpr"},   {"英国GDPR", "uk_gdpr"}, {"英国のGDPR", "uk_gdpr"},
      {"英国 GDPR", "uk_gdpr"},  {"イギリスGDPR", "uk_gdpr"}, {"イギリスのGDPR", "uk_gdpr"}, {"DPA 2018", "uk_gdpr"},
      {"GDPR", "gdpr"},          {"DSGVO", "gdpr"},        {"DS-GVO", "gdpr"},      {"RGPD", "gdpr"},
      {"AVG", "gdpr", false},    {"UAVG", "gdpr"},         {"BDSG", "gdpr"},        {"LOPDGDD", "gdpr"},
      {"2016/679", "gdpr"},      {"CCPA", "ccpa"},         {"CPRA", "ccpa"},        {"LGPD", "lgpd"},
      {"PIPEDA", "pipeda"},      {"LPRPDE", "pipeda"},     {"VCDPA", "vcdpa"},      {"CTDPA", "ctdpa"},
      {"TDPSA", "tdpsa"},
  };
  std::size_t best_pos = std::string_view::npos;
  std::string best;
  auto consider = [&](std::size_t pos, const char* code) {
    if (pos != std::string_view::npos && (best_pos == std::string_view::npos || pos < best_pos)) {
      best_pos = pos;
      best = code;
    }
  };
  for (const Named& n : kAcronyms) {
    if (std::string_view(n.word) == "AVG" && language != "nl") continue;
    const std::string& hay = n.any_case ? upper : text;
    const std::size_t pos = FindWord(hay, n.word);
    if (pos == std::string_view::npos) continue;
    // "UK GDPR" (英国GDPR) is not the EU regulation.
    if (std::string_view(n.code) == "gdpr" &&
        PrecededBy(upper, pos, {"UK ", "UK-", "英国", "英国の", "英国 ", "イギリス", "イギリスの", "イギリス "})) {
      continue;
    }
    consider(pos, n.code);
  }
  const std::string folded = FoldForMatching(text);
  std::string joined = " ";
  for (const auto& w : Words(folded)) joined += w + " ";
  static const Named kPhrases[] = {
      {" general data protection regulation ", "gdpr"},
      {" datenschutz grundverordnung ", "gdpr"},
      {" datenschutzgrundverordnung ", "gdpr"},
      {" bundesdatenschutzgesetz ", "gdpr"},
      {" reglement general sur la protection des donnees ", "gdpr"},
      {" loi informatique et libertes ", "gdpr"},
      {" reglamento general de proteccion de datos ", "gdpr"},
      {" regolamento generale sulla protezione dei dati ", "gdpr"},
      {" regolamento ue 2016 679 ", "gdpr"},
      {" codice in materia di protezione dei dati personali ", "gdpr"},
      {" algemene verordening gegevensbescherming ", "gdpr"},
      {" regulamento geral sobre a protecao de dados ", "gdpr"},
      {" regulamento geral de protecao de dados ", "gdpr"},
      {" data protection act 2018 ", "uk_gdpr"},
      {" california resident ", "ccpa"},
      {" resident of california ", "ccpa"},
      {" california consumer ", "ccpa"},
      {" california privacy rights act ", "ccpa"},
      {" live in california ", "ccpa"},
      {" resident in california ", "ccpa"},
      {" residente en california ", "ccpa"},
      {" residente de california ", "ccpa"},
      {" residente na california ", "ccpa"},
      {" reside in california ", "ccpa"},
      {" cal civ code ", "ccpa"},
      {" civil code 1798 ", "ccpa"},
      {" 1798 1", "ccpa"},  // Cal. Civ. Code §§ 1798.100-1798.199
      {" lei geral de protecao de dados ", "lgpd"},
      {" lei 13 709 ", "lgpd"},
      {" lei no 13 709 ", "lgpd"},
      {" lei n 13 709 ", "lgpd"},
      {" 13 709 2018 ", "lgpd"},
      {" virginia resident ", "vcdpa"},
      {" resident of virginia ", "vcdpa"},
      {" virginia consumer data protection act ", "vcdpa"},
      {" colorado resident ", "cpa"},
      {" colorado privacy act ", "cpa"},
      {" resident of colorado ", "cpa"},
      {" connecticut resident ", "ctdpa"},
      {" resident of connecticut ", "ctdpa"},
      {" connecticut data privacy act ", "ctdpa"},
      {" texas resident ", "tdpsa"},
      {" resident of texas ", "tdpsa"},
      {" texas data privacy and security act ", "tdpsa"},
      {" personal information protection and electronic documents act ", "pipeda"},
      {" loi sur la protection des renseignements personnels et les documents electroniques ", "pipeda"},
  };
  // In Japanese (substrings of the folded text): the statutes' Japanese names and residence.
  static const Named kJaPhrases[] = {
      {"英国一般データ保護規則", "uk_gdpr"},
      {"英国データ保護法", "uk_gdpr"},
      {"イギリスのデータ保護法", "uk_gdpr"},
      {"一般データ保護規則", "gdpr"},
      {"一般データ保護規制", "gdpr"},
      {"カリフォルニア州消費者プライバシー法", "ccpa"},
      {"カリフォルニア州プライバシー権法", "ccpa"},
      {"カリフォルニア州在住", "ccpa"},
      {"カリフォルニア在住", "ccpa"},
      {"カリフォルニア州に在住", "ccpa"},
      {"カリフォルニア州に住", "ccpa"},
      {"カリフォルニア州の住民", "ccpa"},
      {"カリフォルニア州民", "ccpa"},
      {"カリフォルニア州居住", "ccpa"},
      {"ブラジル一般データ保護法", "lgpd"},
      {"ブラジル一般個人データ保護法", "lgpd"},
      {"ブラジル個人情報保護法", "lgpd"},
      {"ブラジルの個人情報保護法", "lgpd"},
      {"カナダ個人情報保護法", "pipeda"},
      {"カナダの個人情報保護法", "pipeda"},
      {"個人情報保護及び電子文書法", "pipeda"},
      {"個人情報保護および電子文書法", "pipeda"},
      {"バージニア州消費者データ保護法", "vcdpa"},
      {"バージニア州在住", "vcdpa"},
      {"コロラド州プライバシー法", "cpa"},
      {"コロラド州在住", "cpa"},
      {"コネチカット州データプライバシー法", "ctdpa"},
      {"コネチカット州在住", "ctdpa"},
      {"テキサス州データプライバシー", "tdpsa"},
      {"テキサス州在住", "tdpsa"},
  };
  // Phrase positions are in `joined` or `folded`, not `text`; they only decide when no
  // acronym does.
  if (best.empty()) {
    std::size_t phrase_pos = std::string::npos;
    for (const Named& n : kPhrases) {
      // joined.find(n.word), searched from the phrase's first letter (the leading blank is before
      // every word: std::string::find would compare the phrase at each of them).
      std::size_t pos = std::string::npos;
      if (n.word[0] != ' ' || n.word[1] == '\0') {
        pos = joined.find(n.word);
      } else {
        const std::string_view rest = std::string_view(n.word).substr(1);
        pos = joined.find(rest, 1);
        while (pos != std::string::npos && joined[pos - 1] != ' ') pos = joined.find(rest, pos + 1);
        if (pos != std::string::npos) --pos;
      }
      if (pos != std::string::npos && pos < phrase_pos) {
        phrase_pos = pos;
        best = n.code;
      }
    }
  }
  if (best.empty()) {
    std::size_t phrase_pos = std::string::npos;
    for (const Named& n : kJaPhrases) {
      const std::size_t pos = folded.find(n.word);
      if (pos != std::string::npos && pos < phrase_pos) {
        phrase_pos = pos;
        best = n.code;
      }
    }
  }
  if (!best.empty()) return best;
  for (const FormField& f : fields) {
    if (KeyMentions(f.key, {"country", "state", "region", "land", "pays", "pais", "paese", "location",
                            "residence", "jurisdiction", "staat", "provincia", "estado", "wohnsitz", "wohnort",
                            "province", "nazione", "regione", "bundesland"}) ||
        TextHasAny(f.key, {"国", "地域", "居住", "在住", "お住まい", "州", "所在地"})) {
      std::string code = JurisdictionOfPlace(f.value);
      if (!code.empty()) return code;
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Who is who.

std::string LowerEmail(std::string_view e) { return NormalizeEmail(e); }

bool SameEmail(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && LowerEmail(a) == LowerEmail(b);
}

bool IsAutomatedSender(const Address& a) {
  const std::string e = LowerEmail(a.email);
  const std::string local = e.substr(0, e.find('@'));
  static const char* const kAnywhere[] = {"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
                                          "do_not_reply", "webform", "wordpress", "notification", "typeform",
                                          "jotform", "wufoo", "formspree", "hubspot"};
  for (const char* m : kAnywhere) {
    if (local.find(m) != std::string::npos) return true;
  }
  // Short markers only as a whole dot/dash/underscore-separated part ("forms", "web-forms").
  static const char* const kParts[] = {"form", "forms", "web", "website", "mailer", "notify", "automated",
                                       "system", "contactform", "bot"};
  std::size_t pos = 0;
  while (pos <= local.size()) {
    std::size_t end = local.find_first_of(".-_+", pos);
    if (end == std::string::npos) end = local.size();
    const std::string part = local.substr(pos, end - pos);
    for (const char* m : kParts) {
      if (part == m) return true;
    }
    pos = end + 1;
  }
  return false;
}

// A display name worth keeping as the data subject's name, on one line (CollapseControls).
std::string SensibleName(std::string_view name) {
  std::string n = CollapseControls(name);
  while (!n.empty() && (n.front() == ' ' || n.front() == '"' || n.front() == '\'')) n.erase(0, 1);
  while (!n.empty() && (n.back() == ' ' || n.back() == '"' || n.back() == '\'')) n.pop_back();
  if (n.empty() || n.size() > 80 || n.find('@') != std::string::npos) return "";
  const std::string f = FoldForMatching(n);
  if (f.find("reply") != std::string::npos || f.find("form") != std::string::npos) return "";
  return n;
}

bool IsEmailByte(char c) {
  return IsAlnumByte(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%' || c == '\'';
}

struct FoundEmail {
  std::string email;
  std::size_t pos;
};

// Every addr-spec written in `text`, in order.
std::vector<FoundEmail> EmailsIn(std::string_view text) {
  std::vector<FoundEmail> out;
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t b = at;
    while (b > 0 && IsEmailByte(text[b - 1])) --b;
    std::size_t e = at + 1;
    while (e < text.size() && (IsAlnumByte(text[e]) || text[e] == '.' || text[e] == '-')) ++e;
    while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-')) --e;
    while (b < at && (text[b] == '.' || text[b] == '\'')) ++b;
    if (b == at || e == at + 1) continue;
    const std::string_view domain = text.substr(at + 1, e - at - 1);
    if (domain.find('.') == std::string_view::npos) continue;
    out.push_back({std::string(text.substr(b, e - b)), b});
  }
  return out;
}

// A name written in Han or katakana right before `before` ends ("依頼人 山田花子様（" -> "山田花子",
// "娘の佐藤 美咲 <" -> "佐藤 美咲"): the run of Han and katakana, with one blank between family
// and given name, without honorifics (様, さん, 氏, 殿) and without the role words before it
// (依頼人, 息子, ...); empty when there is none.
std::string CjkNameBefore(std::string_view before_raw) {
  std::string before = NarrowWidth(before_raw);
  auto trim_end = [&] {
    while (!before.empty() && std::strchr(" \t(<[:\"'", before.back()) != nullptr) before.pop_back();
    for (std::string_view open : {"「", "『", "【", "〈", "《"}) {
      if (EndsWith(before, open)) before.resize(before.size() - open.size());
    }
  };
  trim_end();
  for (std::string_view h : {"様", "さん", "氏", "殿", "君", "ちゃん"}) {
    if (EndsWith(before, h)) {
      before.resize(before.size() - h.size());
      break;
    }
  }
  trim_end();
  auto name_char = [](std::uint32_t cp) {
    return (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x3005 || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF);
  };
  auto hiragana = [](std::uint32_t cp) { return cp >= 0x3041 && cp <= 0x3096; };
  auto prev = [&](std::size_t end, std::size_t& at) {  // the code point before `end`
    at = end - 1;
    while (at > 0 && (static_cast<unsigned char>(before[at]) & 0xC0) == 0x80) --at;
    std::size_t len = 0;
    return CodePointAt(before, at, len);
  };
  std::size_t start = before.size();
  int chars = 0;
  // A given name in hiragana ("さくら") counts only after a family name in Han or katakana.
  bool kana_given = false;
  while (start > 0 && chars < 8) {
    std::size_t at = 0;
    if (!hiragana(prev(start, at))) break;
    start = at;
    ++chars;
    kana_given = true;
  }
  bool blank_used = false;
  if (kana_given && start > 0) {
    std::size_t at = 0;
    if (prev(start, at) == ' ') {
      start = at;
      blank_used = true;
    }
  }
  int family = 0;
  while (start > 0 && chars < 12) {
    std::size_t at = 0;
    const std::uint32_t cp = prev(start, at);
    if (name_char(cp)) {
      start = at;
      ++chars;
      ++family;
      continue;
    }
    // One blank between two parts of the name.
    if (cp == ' ' && !blank_used && chars > 0 && at > 0) {
      std::size_t before_blank = 0;
      if (name_char(prev(at, before_blank))) {
        blank_used = true;
        start = at;
        continue;
      }
    }
    break;
  }
  if (kana_given && family == 0) start = before.size();  // kana alone may be particles, not a name
  std::string name = before.substr(start);
  // Role words end where the name begins.
  static const char* const kRoles[] = {"依頼人", "依頼者", "代理人", "本人", "顧客", "お客様", "クライアント",
                                       "委任者", "息子", "娘", "長男", "長女", "次男", "次女", "子供", "子ども",
                                       "未成年", "弊所", "当方", "私"};
  for (const char* role : kRoles) {
    const std::size_t at = name.rfind(role);
    if (at != std::string::npos) name.erase(0, at + std::strlen(role));
  }
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::size_t count = 0;
  for (std::size_t i = 0; i < name.size(); i = NextCodePoint(name, i)) ++count;
  return count >= 2 ? name : std::string();
}

// The name just before an address written as "Name (addr)" / "Name <addr>": capitalised
// words and name particles ("de", "van", ...), without titles and role words; or a name in
// Han or katakana (CjkNameBefore).
std::string NameBefore(std::string_view text, std::size_t pos) {
  std::size_t line_start = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::string_view before = text.substr(line_start, pos - line_start);
  if (std::string cjk = CjkNameBefore(before); !cjk.empty()) return cjk;
  while (!before.empty() && (before.back() == ' ' || before.back() == '(' || before.back() == '<' ||
                             before.back() == '[' || before.back() == ':'))
    before.remove_suffix(1);
  static const char* const kParticles[] = {"de", "da", "di", "do", "dos", "das", "del", "della", "van", "von",
                                           "der", "den", "du", "le", "la", "ter", "ten", "y", "e"};
  static const char* const kStop[] = {"herrn", "herr", "frau", "mr", "mrs", "ms", "miss", "dr", "prof", "madame",
                                      "monsieur", "mme", "mlle", "m", "sr", "sra", "srta", "senor", "senora",
                                      "signor", "signora", "sig", "dhr", "mevr", "mevrouw", "meneer", "sr",
                                      "client", "cliente", "clients", "mandant", "mandanten", "mandantin",
                                      "klient", "klientin", "kunde", "kundin", "tochter", "sohn", "kind",
                                      "daughter", "son", "child", "assistito", "assistita", "clienten"};
  std::vector<std::string_view> words;
  while (!before.empty() && words.size() < 6) {
    const std::size_t sp = before.find_last_of(" \t,;:(");
    std::string_view w = sp == std::string_view::npos ? before : before.substr(sp + 1);
    while (!w.empty() && (w.back() == '.')) w.remove_suffix(1);
    const std::string fw = FoldForMatching(w);
    bool particle = false;
    for (const char* p : kParticles) particle = particle || fw == p;
    bool stop = false;
    for (const char* p : kStop) stop = stop || fw == p;
    if (w.empty() || stop || (!particle && !IsUpperStart(w))) break;
    words.insert(words.begin(), w);
    if (sp == std::string_view::npos || before[sp] != ' ') break;
    before = before.substr(0, sp);
    while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  }
  // Leading particles belong to the sentence, not the name.
  while (!words.empty()) {
    const std::string fw = FoldForMatching(words.front());
    bool particle = false;
    for (const char* p : kParticles) particle = particle || fw == p;
    if (!particle) break;
    words.erase(words.begin());
  }
  if (words.size() > 4) words.erase(words.begin(), words.end() - 4);
  std::string name;
  for (const auto& w : words) {
    if (!name.empty()) name += ' ';
    name += w;
  }
  // A lone capitalised word is more likely a sentence start than a name.
  return words.size() >= 2 ? name : std::string();
}

struct AgentSignals {
  bool on_behalf = false;  // writing for someone else
  bool parent = false;
  bool strong = false;  // "authorized agent", "power of attorney", "my client"
};

AgentSignals DetectAgent(const std::vector<Sentence>& sentences) {
  // One set: the strong signals, then the weak ones (from strong_end), then kin (from weak_end).
  struct Signals {
    PatternSet set;
    std::size_t strong_end, weak_end;
  };
  static const Signals kSignals = [] {
    std::vector<Pattern> v;
    for (const char* s :
         {"authorized|authorised|authorizing ~1 agent", "power ~1 of ~1 attorney", "my ~1 client|clients",
          "behalf ~1 of ~2 my ~1 client|clients", "bevollmachtigt*|vollmacht", "mein* ~1 mandant*", "im ~1 auftrag ~2 meines|meiner",
          "mandataire|mandat", "mon|ma ~1 client|cliente", "agente ~1 autorizado|autorizzato", "mi ~1 cliente|representado|representada",
          "apoderad*", "il ~1 mio|la ~1 mia ~1 cliente|assistit*", "mio|mia ~1 cliente|assistito|assistita", "gemachtigde|machtiging",
          "mijn ~1 client|clienten", "meu|minha ~1 cliente", "procurador*|procuracao"}) {
      v.push_back(Compile(Rule{kAccess, s, 1}));
    }
    // Japanese: 代理人 (agent, 法定代理人 a parent or guardian), 委任状 (power of attorney),
    // 依頼人 (a lawyer's client), 受任 (mandate accepted).
    v.push_back(Compile(Rule{kAccess, "代理人|委任状|委任を受け|依頼人|依頼者様|ご依頼者|受任", 1}, true));
    const std::size_t strong_end = v.size();
    for (const char* s : {"on ~1 behalf ~1 of", "acting ~2 for", "im ~1 namen|auftrag ~1 von", "au ~1 nom ~1 de",
                          "pour ~1 le ~1 compte ~1 de", "en ~1 nombre ~1 de", "en ~1 representacion ~1 de",
                          "per ~1 conto ~1 di", "in ~1 nome ~1 di", "namens", "in ~1 opdracht ~1 van",
                          "em ~1 nome ~1 de", "em ~1 representacao ~1 de"}) {
      v.push_back(Compile(Rule{kAccess, s, 1}));
    }
    v.push_back(Compile(Rule{kAccess, "に代わって|の代わりに|に代わり|代理で|代理として|を代理|代理申請|代理請求", 1}, true));
    const std::size_t weak_end = v.size();
    v.push_back(Compile(Rule{
        kAccess,
        "my|mein|meine|meines|meiner|mon|ma|mi|mio|mia|mijn|meu|minha ~1 son|daughter|child|children|kid|sohn|tochter|kind|kindes|fils|fille|enfant|hijo|hija|figlio|figlia|zoon|dochter|filho|filha|crianca",
        1}));
    v.push_back(Compile(Rule{kAccess, "息子|娘|子供|子ども|長男|長女|次男|次女|未成年の子", 1}, true));
    return Signals{PatternSet(std::move(v)), strong_end, weak_end};
  }();
  AgentSignals a;
  MatchScratch scratch;
  std::vector<std::uint32_t> candidates;
  for (const Sentence& s : sentences) {
    kSignals.set.Candidates(s, scratch, candidates);
    for (std::uint32_t pi : candidates) {
      if (MatchStart(kSignals.set.patterns()[pi], s) == std::string::npos) continue;
      if (pi < kSignals.strong_end) a.strong = a.on_behalf = true;
      else if (pi < kSignals.weak_end) a.on_behalf = true;
      else a.parent = true;
    }
  }
  if (!a.on_behalf) a.parent = false;
  return a;
}

std::string AuthorityOf(const std::vector<Sentence>& sentences, bool has_attachment) {
  static const std::vector<Pattern> kAttorney = [] {
    std::vector<Pattern> v;
    for (const char* spec : {"power ~1 of ~1 attorney", "vollmacht*", "procuration", "procuracao", "poder ~1 notarial",
                             "procura", "volmacht", "mandat ~1 ecrit|signe"}) {
      v.push_back(Compile(Rule{kAccess, spec, 1}));
    }
    v.push_back(Compile(Rule{kAccess, "委任状", 1}, true));
    return v;
  }();
  static const Pattern kSignedJa =
      Compile(Rule{kAccess, "同意書|承諾書|署名 ~8 同意|委任|承諾|書面", 1}, true);
  static const Pattern kSigned = Compile(Rule{
      kAccess,
      "signed|unterschrieben*|unterzeichnet*|signe|signee|firmad*|firmat*|getekend*|ondertekend*|assinad* ~3 authori*|permission|consent|autoriz*|authorization|ermachtigung|mandat*|machtiging|delega|letter|declaration",
      1});
  for (const Sentence& s : sentences) {
    for (const Pattern& p : kAttorney) {
      if (Matches(p, s)) return "power of attorney";
    }
  }
  for (const Sentence& s : sentences) {
    if (Matches(kSigned, s) || Matches(kSignedJa, s)) return "signed permission";
  }
  return has_attachment ? "signed permission" : "";
}

// ---------------------------------------------------------------------------------------
// Wording that asks for nothing.
//
// A pattern can match words that are not a request: a negated verb ("Please don't delete my
// account", "Bitte löschen Sie mein Konto nicht", "Merci de ne pas supprimer", "no borren mi
// cuenta", "Ich möchte nichts löschen lassen"); a deletion of someone or something else
// ("remove John from my team account") or of a business record rather than personal data
// ("löschen Sie die doppelte Rechnung"); an objection to something other than the processing of
// personal data ("I object to the price increase"). Such a match does not count. The opt-outs of
// sale and marketing are worded as negations ("do not sell", "keine Werbung"), so negation is
// not checked for them; Japanese negations are patterns of their own (kJaRules).

bool WordIn(std::string_view w, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

bool WordStarts(std::string_view w, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (w.substr(0, p.size()) == p) return true;
  }
  return false;
}

// The clause of each word of `s`: clauses end at a comma, colon, parenthesis, quote or a dash
// between blanks; one that starts with "that" (dass, que, che, dat) continues the one before
// ("Ich möchte nicht, dass Sie meine Daten löschen").
std::vector<std::size_t> Clauses(const Sentence& s) {
  std::vector<std::size_t> out;
  out.reserve(s.words.size());
  std::size_t clause = 0;
  std::string piece;
  auto flush = [&] {
    const std::vector<std::string> words = Words(piece);
    piece.clear();
    if (words.empty()) return;
    const bool continues = !out.empty() && WordIn(words.front(), {"that", "dass", "que", "qu", "che", "dat"});
    for (std::size_t k = 0; k < words.size(); ++k) out.push_back(continues ? out.back() : clause);
    ++clause;
  };
  const std::string_view t = s.text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool dash = c == '-' && i > 0 && t[i - 1] == ' ' && i + 1 < t.size() && t[i + 1] == ' ';
    if (c == ',' || c == ':' || c == '(' || c == ')' || c == '"' || dash) {
      flush();
      continue;
    }
    piece += c;
  }
  flush();
  if (out.size() != s.words.size()) out.assign(s.words.size(), 0);  // one clause, as a fallback
  return out;
}

// Words that join two clauses ("and", "but", "so"): a negation does not reach across them.
bool IsConjunction(std::string_view w) {
  return WordIn(w, {"and", "but", "so", "then", "therefore", "instead", "or", "und", "aber", "sondern", "dann",
                    "deshalb", "daher", "darum", "stattdessen", "oder", "et", "mais", "donc", "alors", "ou", "y",
                    "pero", "sino", "entonces", "o", "e", "ma", "quindi", "invece", "oppure", "en", "maar", "dus",
                    "daarom", "of", "mas", "entao", "portanto", "porem"});
}

bool IsPoliteness(std::string_view w) {
  return WordIn(w, {"please", "kindly", "bitte", "svp", "plait", "favor", "favore", "graag", "alstublieft", "aub",
                    "gentileza"});
}

// True when words[i] negates: "not", "never", "don't" (en), "ne ... pas" (fr), "no", "nunca"
// (es), "non", "mai" (it), "não", "nunca" (pt), and the German and Dutch ones, which may stand
// anywhere in the clause ("löschen Sie mein Konto nicht"): `clause_wide`. Followed by "more",
// "longer" (mehr, meer, plus, più, mais) it means "no longer", and by "only" (nur, seulement,
// solo, alleen, apenas) "not only": neither says not to do what is asked.
bool IsNegation(const std::vector<std::string>& w, std::size_t i, bool& clause_wide) {
  clause_wide = false;
  for (std::size_t k = i + 1; k < w.size() && k <= i + 2; ++k) {
    if (WordIn(w[k], {"more", "longer", "mehr", "meer", "plus", "piu", "mais", "mas", "only", "just", "nur",
                      "seulement", "uniquement", "solo", "solamente", "soltanto", "alleen", "apenas", "somente"}))
      return false;
  }
  const std::string& x = w[i];
  if (WordIn(x, {"nicht", "nichts", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
                 "niet", "niets", "geen", "nooit"})) {
    clause_wide = true;
    return true;
  }
  if (WordIn(x, {"not", "never", "dont", "no", "nunca", "jamas", "non", "mai", "nao", "nem", "ni"})) return true;
  if (x == "t") return i > 0 && WordIn(w[i - 1], {"don", "doesn", "didn", "won", "wouldn", "shouldn", "mustn"});
  if (x == "ne" || x == "n") {  // French: with "pas", "jamais", "rien", "aucun(e)" after it
    for (std::size_t k = i + 1; k < w.size() && k <= i + 4; ++k) {
      if (WordIn(w[k], {"pas", "jamais", "rien", "aucun", "aucune", "point"})) return true;
    }
  }
  return false;
}

// True when a negation governs the verb at word `verb` of `s`: one before it in its clause,
// within four words ("no": three) with no conjunction or "please" between; or a German or Dutch
// one anywhere in its clause with no conjunction between.
bool Negated(const Sentence& s, const std::vector<std::size_t>& clause, std::size_t verb) {
  const std::vector<std::string>& w = s.words;
  bool wide = false;
  for (std::size_t k = verb; k-- > 0;) {
    if (clause[k] != clause[verb] || IsConjunction(w[k])) break;
    if (IsNegation(w, k, wide) && (wide || verb - k <= (w[k] == "no" ? 3u : 4u))) return true;
    if (IsPoliteness(w[k])) break;
  }
  for (std::size_t k = verb + 1; k < w.size(); ++k) {
    if (clause[k] != clause[verb] || IsConjunction(w[k])) break;
    if (IsNegation(w, k, wide) && wide) return true;
  }
  return false;
}

// Articles, possessives and pronouns (folded), which name nothing themselves.
bool IsDeterminerOrPronoun(std::string_view w) {
  return WordIn(w, {"the", "a", "an", "my", "our", "your", "his", "her", "their", "this", "that", "these", "those",
                    "all", "any", "every", "some", "of", "it", "them", "you", "us", "i", "also", "too", "sie", "die",
                    "der", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "mein", "meine",
                    "meinen", "meinem", "meiner", "meines", "unser", "unsere", "unseren", "ihr", "ihre", "ihren",
                    "ihrem", "ihrer", "alle", "allen", "samtliche", "es", "auch", "vous", "la", "le", "les", "l",
                    "un", "une", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "ce", "cet", "cette", "ces",
                    "aussi", "je", "j", "el", "los", "las", "una", "mis", "su", "sus", "este", "esta", "estos",
                    "estas", "usted", "ustedes", "al", "lo", "les", "tambien", "il", "i", "gli", "uno", "mio",
                    "mia", "miei", "mie", "vostro", "vostra", "questo", "questa", "anche", "vi", "ci", "het", "een",
                    "mijn", "uw", "onze", "ons", "dit", "deze", "ook", "u", "je", "jullie", "o", "os", "as", "um",
                    "uma", "meu", "minha", "meus", "minhas", "seu", "sua", "seus", "suas", "isso", "isto", "tambem",
                    "voce", "voces"});
}

// Words that name the sender's personal data, or the sender.
bool IsPersonalDataWord(std::string_view w) {
  return WordIn(w, {"data", "daten", "donnees", "datos", "dati", "gegevens", "dados", "info", "details", "angaben",
                    "account", "accounts", "konto", "benutzerkonto", "kundenkonto", "compte", "cuenta", "conto",
                    "conta", "cadastro", "profile", "profil", "perfil", "profilo", "profiel", "records", "history",
                    "coordonnees", "everything", "alles", "tout", "tous", "toutes", "todo", "todos", "todas",
                    "tudo", "tutto", "tutti", "me", "mich", "moi", "mi", "mij", "myself", "email", "mail",
                    "address", "adresse", "adres", "direccion", "indirizzo", "endereco", "name", "nom", "nombre",
                    "nome", "naam", "phone", "telephone"}) ||
         WordStarts(w, {"persoonsgegevens", "personenbezogen", "personal", "personnel", "persoonlijk", "pessoa",
                        "information", "informacion", "informazion", "informacoes", "informatie", "telefon",
                        "photo", "foto", "picture", "image"});
}

// Business records: deleting one ("die doppelte Rechnung") is not an erasure request.
bool IsBusinessRecordWord(std::string_view w) {
  return WordIn(w, {"invoice", "invoices", "bill", "bills", "receipt", "receipts", "order", "orders", "payment",
                    "payments", "transaction", "transactions", "charge", "charges", "refund", "refunds", "quote",
                    "quotes", "rechnung", "rechnungen", "gutschrift", "gutschriften", "quittung", "quittungen",
                    "beleg", "belege", "bestellung", "bestellungen", "zahlung", "zahlungen", "abbuchung",
                    "abbuchungen", "lastschrift", "lastschriften", "mahnung", "mahnungen", "angebot", "angebote",
                    "facture", "factures", "commande", "commandes", "paiement", "paiements", "prelevement",
                    "prelevements", "devis", "recu", "recus", "factura", "facturas", "recibo", "recibos", "pedido",
                    "pedidos", "cobro", "cobros", "cargo", "cargos", "pago", "pagos", "presupuesto", "fattura",
                    "fatture", "ricevuta", "ricevute", "ordine", "ordini", "pagamento", "pagamenti", "addebito",
                    "addebiti", "preventivo", "factuur", "facturen", "bon", "bonnetje", "bestelling",
                    "bestellingen", "betaling", "betalingen", "afschrijving", "offerte", "fatura", "faturas",
                    "boleto", "boletos", "cobranca", "cobrancas", "encomenda", "encomendas"});
}

bool IsDeletionVerb(std::string_view w) {
  return WordStarts(w, {"delet", "eras", "remov", "wipe", "purg", "destroy", "losch", "loesch", "gelosch",
                        "geloesch", "entfern", "supprim", "effac", "suprim", "elimin", "borr", "cancel", "rimuov",
                        "distrugg", "verwijder", "vernietig", "exclu", "apag"}) ||
         WordIn(w, {"wis", "wissen", "gewist"});
}

// True when a deletion verb in the clause of word `at` takes someone or something else out of
// a container ("remove John from my team account", "Max aus meinem Konto entfernen"): the words
// between the verb and a "from" that leads to an account, profile, team or list (or, with the
// verb last, the clause's words before that "from") name no personal data of the sender.
bool RemovesSomethingElse(const Sentence& s, const std::vector<std::size_t>& clause, std::size_t at) {
  const std::vector<std::string>& w = s.words;
  std::size_t first = at, last = at;
  while (first > 0 && clause[first - 1] == clause[at]) --first;
  while (last + 1 < w.size() && clause[last + 1] == clause[at]) ++last;
  for (std::size_t p = first; p <= last; ++p) {
    if (!WordIn(w[p], {"from", "off", "aus", "von", "vom", "de", "du", "d", "del", "da", "dal", "dalla", "dallo",
                       "dai", "uit", "van", "do", "dos", "das", "desde"}))
      continue;
    std::size_t container = std::string::npos;  // "from [my team] account", with no verb in between
    for (std::size_t k = p + 1; k <= last && k <= p + 3 && !IsDeletionVerb(w[k]); ++k) {
      if (WordIn(w[k], {"account", "accounts", "profile", "team", "workspace", "organisation", "organization",
                        "group", "project", "list", "konto", "benutzerkonto", "kundenkonto", "profil", "compte",
                        "equipe", "cuenta", "perfil", "equipo", "conto", "profilo", "squadra", "gruppo", "profiel",
                        "conta", "grupo", "lista", "liste"})) {
        container = k;
        break;
      }
    }
    if (container == std::string::npos) continue;
    std::size_t verb = std::string::npos;  // the nearest deletion verb before the "from", else after it
    for (std::size_t k = first; k < p; ++k) {
      if (IsDeletionVerb(w[k])) verb = k;
    }
    for (std::size_t k = container + 1; verb == std::string::npos && k <= last; ++k) {
      if (IsDeletionVerb(w[k])) verb = k;
    }
    if (verb == std::string::npos) continue;
    const std::size_t from = verb < p ? verb + 1 : first;
    bool personal = false, other = false;
    for (std::size_t k = from; k < p; ++k) {
      if (IsPersonalDataWord(w[k])) personal = true;
      else if (!IsPoliteness(w[k]) && !IsConjunction(w[k]) && !IsDeterminerOrPronoun(w[k])) other = true;
    }
    if (other && !personal) return true;
  }
  return false;
}

// True when `s` is about personal data or its processing (data, processing, profiling, tracking,
// marketing, consent, legitimate interests, a data protection statute, in our languages): an
// objection must be to that, not to a price increase.
bool AboutPersonalData(const Sentence& s) {
  if (s.cjk && TextHasAny(s.text, {"個人情報", "個人データ", "データ", "情報", "利用", "取り扱い", "取扱", "処理",
                                   "プロファイリング", "マーケティング", "広告", "ダイレクトメール", "クッキー", "同意",
                                   "正当な利益"}))
    return true;
  for (const std::string& w : s.words) {
    if (WordIn(w, {"data", "daten", "donnees", "datos", "dati", "gegevens", "dados", "info", "marketing",
                   "reclame", "prospection", "einwilligung", "consentement", "consentimiento", "consenso",
                   "toestemming", "consentimento", "gdpr", "dsgvo", "rgpd", "avg", "lgpd", "ccpa"}) ||
        WordStarts(w, {"persoonsgegevens", "personenbezogen", "personal", "personnel", "persoonlijk", "pessoa",
                       "information", "informacion", "informazion", "informacoes", "informatie", "process",
                       "verarbeit", "traitement", "tratamiento", "trattament", "tratamento", "verwerk", "profil",
                       "perfil", "track", "analy", "analis", "werb", "publicit", "pubblicit", "publicidad",
                       "cookie", "consent", "legitim", "legittim", "gerechtvaardigd", "berechtigt"}))
      return true;
  }
  return false;
}

// The word index after the match of `p` that starts at word `start` (as MatchStart finds it), or
// npos.
std::size_t MatchEndFrom(const Pattern& p, const std::vector<std::string>& words, std::size_t elem,
                         std::size_t start) {
  if (elem == p.elems.size()) return start;
  const std::size_t last = std::min(words.size(), start + static_cast<std::size_t>(p.elems[elem].gap_before) + 1);
  for (std::size_t k = start; k < last; ++k) {
    if (!AltMatches(p.elems[elem], words[k])) continue;
    const std::size_t end = MatchEndFrom(p, words, elem + 1, k + 1);
    if (end != std::string::npos) return end;
  }
  return std::string::npos;
}

bool IsObjectionVerb(std::string_view w) {
  return WordStarts(w, {"object", "widerspr", "oppos", "oppon", "opong", "opon", "opor", "bezwaar", "withdraw",
                        "revok", "revoc", "revog", "retir", "stop", "cease", "restrict", "intrek", "trek"});
}

// Why the match of word pattern or cjk pattern `p`, for `type`, at `at` in `s` (MatchStart) asks
// for nothing: "negated" or "about something else"; nullptr when it asks. Negation is checked for
// deletion and objection, whose wrong reading does harm or binds us; a missed access or
// correction request only waits for staff. `clauses` is scratch space for Clauses(s), filled on
// first use (empty before).
const char* NotAsked(RequestType type, const Pattern& p, const Sentence& s, std::size_t at,
                     std::vector<std::size_t>& clauses) {
  if (p.about_data && !AboutPersonalData(s)) return "about something else";
  if (p.cjk) {  // Japanese negations are patterns of their own; a business record is checked here
    const bool record = TextHasAny(s.text, {"請求書", "領収書", "見積書", "納品書", "注文書", "明細書", "インボイス"});
    const bool personal = TextHasAny(s.text, {"個人情報", "個人データ", "データ", "アカウント", "会員", "履歴", "記録",
                                              "プロフィール", "アドレス", "氏名", "名前", "住所", "登録情報"});
    return type == kDeletion && record && !personal ? "about something else" : nullptr;
  }
  if ((type != kDeletion && type != kObjection) || p.elems.empty()) return nullptr;
  const std::size_t end = MatchEndFrom(p, s.words, 1, at + 1);
  if (end == std::string::npos) return nullptr;
  if (clauses.empty()) clauses = Clauses(s);
  // The verb, which may come last ("mi cuenta, por favor bórrenla", "I do not object"); else the
  // first word.
  std::size_t verb = at;
  for (std::size_t k = at; k < end; ++k) {
    if (type == kDeletion ? IsDeletionVerb(s.words[k]) : IsObjectionVerb(s.words[k])) verb = k;
  }
  if (Negated(s, clauses, verb)) return "negated";
  if (type != kDeletion) return nullptr;
  if (RemovesSomethingElse(s, clauses, at)) return "about something else";
  // A business record, and no personal data, in the clauses of the match.
  std::size_t first = at, last = end - 1;
  while (first > 0 && clauses[first - 1] == clauses[at]) --first;
  while (last + 1 < s.words.size() && clauses[last + 1] == clauses[end - 1]) ++last;
  bool record = false, personal = false;
  for (std::size_t k = first; k <= last; ++k) {
    record = record || IsBusinessRecordWord(s.words[k]);
    personal = personal || IsPersonalDataWord(s.words[k]);
  }
  return record && !personal ? "about something else" : nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------

Classification Classify(const ParsedMessage& message) {
  Classification c;
  Address sender = message.from.value_or(Address{});
  std::string subject_line = message.subject;
  std::string body = message.fresh_text.substr(0, std::min<std::size_t>(message.fresh_text.size(), 20000));
  bool forwarded = false;

  // contract — who is who: a staff member who forwards a person's mail is neither subject
  // nor requester; the forwarded sender is the one who asked.
  if (auto fwd = FindForwardedBlock(body, SubjectIsForward(message.subject));
      fwd && !SameEmail(fwd->from.email, sender.email)) {
    sender = fwd->from;
    forwarded = true;
    if (!fwd->subject.empty()) subject_line = fwd->subject;
    body = fwd->note + "\n\n" + fwd->body;
  }

  // A web form relayed by an automated sender: the person is in Reply-To or the form.
  const std::vector<FormField> fields = FormFields(body);
  std::optional<Address> form_person;
  for (const FormField& f : fields) {
    if (KeyIs(f.key, {"email", "e mail", "email address", "e mail address", "your email", "mail", "courriel",
                      "adresse email", "adresse e mail", "correo", "correo electronico", "indirizzo email",
                      "e mailadres", "emailadres", "endereco de email", "endereco de e mail", "メールアドレス",
                      "メール", "e メール", "e メールアドレス", "連絡先メールアドレス", "ご連絡先メールアドレス",
                      "電子メール", "メールアドレス 必須"})) {
      const auto found = EmailsIn(f.value);
      if (!found.empty() && !form_person) form_person = Address{"", found.front().email};
    }
  }
  if (form_person) {
    for (const FormField& f : fields) {
      if (KeyIs(f.key, {"name", "full name", "your name", "nom", "nom complet", "nombre", "nome", "naam",
                        "vollstandiger name", "nombre completo", "nome completo", "お名前", "名前", "氏名", "ご氏名",
                        "お名前 必須", "氏名 必須"})) {
        form_person->name = f.value;
        break;
      }
    }
  }
  const bool relay =
      !forwarded && message.from &&
      (IsAutomatedSender(*message.from) ||
       (message.reply_to && form_person && SameEmail(message.reply_to->email, form_person->email)));
  if (relay) {
    if (message.reply_to && !IsAutomatedSender(*message.reply_to)) {
      sender = *message.reply_to;
      if (sender.name.empty() && form_person && SameEmail(form_person->email, sender.email))
        sender.name = form_person->name;
    } else if (form_person) {
      sender = *form_person;
    }
  }

  // The words. A reply's subject ("Re: ...") was written for the earlier message, often ours
  // ("Re: Unsubscribe anytime from our newsletter"): only what the sender wrote now counts.
  if (SubjectIsReply(subject_line)) subject_line.clear();
  std::vector<Sentence> sentences = SplitSentences(subject_line);
  const std::size_t subject_sentences = sentences.size();
  for (auto& s : SplitSentences(body)) sentences.push_back(std::move(s));
  c.language = DetectLanguage(sentences);
  c.jurisdiction_hint = JurisdictionHint(subject_line + "\n" + body, fields, c.language);

  std::map<RequestType, int> score;
  // Where each type is first asked for, in the order written: the body (what the sender wrote
  // now) before the subject line, then sentence, then word.
  using Position = std::array<std::size_t, 3>;
  std::map<RequestType, Position> first_at;
  int questions = 0;  // questions that would have matched a request pattern
  int not_asked = 0;  // matches that ask for nothing (NotAsked): negated, or about something else
  MatchScratch scratch;
  std::vector<std::uint32_t> candidates;
  const CompiledRules& rules = Rules();
  for (std::size_t si = 0; si < sentences.size(); ++si) {
    const Sentence& s = sentences[si];
    rules.set.Candidates(s, scratch, candidates);
    const bool discounted = s.question && !IsPoliteRequest(s);
    bool matched_in_question = false;
    // A sentence gives each type the sum of its patterns' weights, when that is positive (a
    // negative weight only takes back within its sentence), at the first positive match.
    std::map<RequestType, int> here;
    std::map<RequestType, std::size_t> at_here;
    std::vector<std::size_t> clauses;  // NotAsked's scratch space, per sentence
    for (std::uint32_t pi : candidates) {  // (the other patterns cannot match)
      const RequestType type = rules.types[pi];
      const Pattern& pattern = rules.set.patterns()[pi];
      const std::size_t at = MatchStart(pattern, s);
      if (at == std::string::npos) continue;
      if (discounted && !pattern.ok_in_question) {
        matched_in_question = matched_in_question || pattern.weight > 0;
        continue;
      }
      if (pattern.weight > 0 && NotAsked(type, pattern, s, at, clauses)) {
        ++not_asked;
        continue;
      }
      here[type] += pattern.weight;
      if (pattern.weight <= 0) continue;
      auto [it, fresh] = at_here.emplace(type, at);
      if (!fresh) it->second = std::min(it->second, at);
    }
    for (const auto& [type, weight] : here) {
      const auto at = at_here.find(type);
      if (weight <= 0 || at == at_here.end()) continue;
      score[type] += weight;
      const Position pos = {si < subject_sentences ? 1u : 0u, si, at->second};
      auto [it, fresh] = first_at.emplace(type, pos);
      if (!fresh && pos < it->second) it->second = pos;
    }
    if (matched_in_question) ++questions;
  }
  std::optional<RequestType> best;
  int best_score = 0;
  for (RequestType t : kTieOrder) {
    if (score[t] > best_score) {
      best = t;
      best_score = score[t];
    }
  }

  // The data subject: the sender, unless an authorized agent (or a parent) writes for
  // someone whose address is given in the text.
  c.subject.email = sender.email;
  c.subject.name = SensibleName(sender.name);
  const AgentSignals agent = DetectAgent(sentences);
  if (agent.on_behalf) {
    std::optional<FoundEmail> other;
    for (const FoundEmail& e : EmailsIn(body)) {
      if (SameEmail(e.email, sender.email)) continue;
      if (message.from && SameEmail(e.email, message.from->email)) continue;
      if (message.reply_to && SameEmail(e.email, message.reply_to->email)) continue;
      bool ours = false;
      for (const Address& to : message.to) ours = ours || SameEmail(e.email, to.email);
      if (ours) continue;
      other = e;
      break;
    }
    if (other) {
      Requester r;
      r.email = sender.email;
      r.name = SensibleName(sender.name);
      r.relationship = agent.parent ? "parent" : "authorized_agent";
      r.authority = AuthorityOf(sentences, !message.attachments.empty());
      c.requester = std::move(r);
      c.subject = DataSubject{};
      c.subject.email = other->email;
      c.subject.name = CollapseControls(NameBefore(body, other->pos));
    } else if (agent.strong && best) {
      c.outcome = Classification::Outcome::kTriage;
      c.reason = "written by an authorized agent, but the data subject's email address is not given";
      return c;
    }
  }

  if (c.subject.email.empty()) {
    c.reason = "no sender address";
    return c;
  }
  if (!best || best_score < kRequestThreshold) {
    c.reason = questions > 0   ? "a question about privacy, not a recognisable request"
               : not_asked > 0 ? "a request's words, but negated or about something else (\"don't delete\", "
                                 "\"remove John from my team\", an invoice): not a request"
                               : "no data subject request recognised";
    return c;
  }
  c.outcome = Classification::Outcome::kRequest;
  // Every right asked for on its own strength, in the order written. Rights that one wording
  // names together count once, as the narrower one: a copy in a machine-readable format is
  // portability (which includes the copy), an objection to the sale of data or to marketing is
  // that opt-out.
  auto asks = [&](RequestType t) { return score[t] >= kRequestThreshold && first_at.count(t) > 0; };
  std::vector<std::pair<Position, RequestType>> asked;
  for (RequestType t : kTieOrder) {
    if (!asks(t)) continue;
    if (t == kAccess && asks(kPortability)) continue;
    if (t == kObjection && (asks(kSale) || asks(kMarketing))) continue;
    asked.emplace_back(first_at[t], t);
  }
  std::sort(asked.begin(), asked.end());
  for (const auto& a : asked) c.types.push_back(a.second);
  if (c.types.empty()) c.types.push_back(*best);
  c.type = c.types.front();
  return c;
}

std::string FindReference(std::string_view text) {
  auto crockford = [](char ch) -> char {
    char u = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    if (u == 'O') return '0';
    if (u == 'I' || u == 'L') return '1';
    if ((u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z' && u != 'U')) return u;
    return 0;
  };
  for (std::size_t i = 0; i + 13 <= text.size(); ++i) {
    if (i > 0 && IsAlnumByte(text[i - 1])) continue;
    if ((text[i] != 'D' && text[i] != 'd') || (text[i + 1] != 'S' && text[i + 1] != 's') ||
        (text[i + 2] != 'R' && text[i + 2] != 'r') || text[i + 3] != '-' || text[i + 8] != '-')
      continue;
    std::string ref = "DSR-";
    bool ok = true;
    for (std::size_t k = 4; k < 13 && ok; ++k) {
      if (k == 8) {
        ref += '-';
        continue;
      }
      const char ch = crockford(text[i + k]);
      ok = ch != 0;
      ref += ch;
    }
    if (!ok) continue;
    if (i + 13 < text.size() && IsAlnumByte(text[i + 13])) continue;
    return ref;
  }
  return "";
}

std::string FindVerificationCode(std::string_view fresh_text) {
  // Full-width digits ("４７９２８９", as Japanese input writes them) are read as ASCII.
  const std::string narrowed = NarrowWidth(fresh_text);
  const std::string_view t = narrowed;
  auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  struct Candidate {
    std::string code;
    std::size_t pos;  // where its digits start in `t`
    std::size_t end;  // after its last digit
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < t.size();) {
    if (!is_digit(t[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < t.size() && is_digit(t[j])) ++j;
    const std::size_t len = j - i;
    // Digits glued to letters, or part of a date, time, phone or decimal number, are not a code.
    const bool left_ok = i == 0 || (!IsAlnumByte(t[i - 1]) &&
                                    !((t[i - 1] == '-' || t[i - 1] == '.' || t[i - 1] == '/' ||
                                       t[i - 1] == ':' || t[i - 1] == ',' || t[i - 1] == '+') &&
                                      i >= 2 && is_digit(t[i - 2])) &&
                                    t[i - 1] != '+');
    const bool right_ok = j == t.size() || (!IsAlnumByte(t[j]) &&
                                            !((t[j] == '-' || t[j] == '.' || t[j] == '/' || t[j] == ':' ||
                                               t[j] == ',') &&
                                              j + 1 < t.size() && is_digit(t[j + 1])));
    if (len == 6 && left_ok && right_ok) candidates.push_back({std::string(t.substr(i, 6)), i, j});
    // "123 456", not inside a longer run of digit groups ("030 123 456").
    if (len == 3 && left_ok && j + 4 <= t.size() && (t[j] == ' ' || t[j] == '-') && is_digit(t[j + 1]) &&
        is_digit(t[j + 2]) && is_digit(t[j + 3]) && (j + 4 == t.size() || !IsAlnumByte(t[j + 4])) &&
        !(i >= 2 && t[i - 1] == ' ' && is_digit(t[i - 2])) &&
        !(j + 5 < t.size() && (t[j + 4] == ' ' || t[j + 4] == '-') && is_digit(t[j + 5]))) {
      candidates.push_back({std::string(t.substr(i, 3)) + std::string(t.substr(j + 1, 3)), i, j + 4});
    }
    i = j;
  }
  if (candidates.empty()) return "";

  // The text of the candidate's sentence before it (at most 40 bytes) and after it (30).
  auto is_sentence_end = [&](std::size_t k) {
    const bool stop = t[k] == '.' || t[k] == '!' || t[k] == '?';
    return (stop && (k + 1 == t.size() || t[k + 1] == ' ' || t[k + 1] == '\n')) || t.substr(k, 3) == "。";
  };
  auto before = [&](const Candidate& c) {
    std::size_t from = c.pos >= 40 ? c.pos - 40 : 0;
    while (from > 0 && (static_cast<unsigned char>(t[from]) & 0xC0) == 0x80) --from;
    for (std::size_t k = from; k < c.pos; ++k) {
      if (is_sentence_end(k)) from = k + 1;
    }
    return t.substr(from, c.pos - from);
  };
  auto after = [&](const Candidate& c) {
    std::size_t to = std::min(t.size(), c.end + 30);
    while (to < t.size() && (static_cast<unsigned char>(t[to]) & 0xC0) == 0x80) ++to;
    for (std::size_t k = c.end; k < to; ++k) {
      if (is_sentence_end(k)) to = k;
    }
    return t.substr(c.end, to - c.end);
  };
  // A word that introduces a code in one of our languages ("code", "Code", "código", "codice",
  // "Bestätigungscode", "verificatiecode", "コード", "認証番号", ...), not a postcode, zip code,
  // bar code or discount code.
  auto has_code_word = [](std::string_view raw) {
    const std::string f = FoldForMatching(raw);
    if (TextHasAny(f, {"コード", "認証番号", "確認番号", "暗証番号", "ワンタイム"}) &&
        !TextHasAny(f, {"バーコード", "qrコード", "郵便"}))
      return true;
    const std::vector<std::string> words = Words(f);
    for (std::size_t k = 0; k < words.size(); ++k) {
      const std::string& w = words[k];
      const bool code = WordStarts(w, {"cod", "verif"}) || WordIn(w, {"kode", "otp", "pin", "tan"}) ||
                        (w.size() > 4 && w.compare(w.size() - 4, 4, "code") == 0);
      if (!code || WordIn(w, {"postcode", "zipcode", "barcode", "areacode", "qrcode", "promocode", "postalcode"}))
        continue;
      if (k > 0 && WordIn(words[k - 1], {"post", "postal", "zip", "area", "country", "promo", "promotional",
                                         "discount", "voucher", "coupon", "gift", "bar", "qr", "sort", "dialling",
                                         "dialing", "tracking", "customer", "client", "order", "source", "rabatt",
                                         "gutschein"}))
        continue;
      if (k + 1 < words.size() && WordIn(words[k + 1], {"postal", "postale", "fiscale", "promocional", "sconto"}))
        continue;
      return true;
    }
    return false;
  };
  // A label that says the number is something else ("customer number", "Kundennummer", "order").
  auto has_other_label = [](std::string_view raw) {
    const std::string f = FoldForMatching(raw);
    if (TextHasAny(f, {"電話", "注文", "会員番号", "お客様番号", "顧客番号", "郵便"})) return true;
    for (const std::string& w : Words(f)) {
      if (WordIn(w, {"number", "no", "nr", "nummer", "numero", "ticket", "order", "customer", "client", "phone",
                     "tel", "mobile", "invoice", "account", "konto", "iban", "ref", "reference", "referenz", "id",
                     "rechnung", "facture", "factura", "fattura", "factuur", "fatura", "commande", "pedido",
                     "ordine", "bestelling", "bestellung", "auftrag", "postcode", "zipcode", "zip", "postal",
                     "postale", "postleitzahl", "plz", "cap", "cep"}) ||
          WordStarts(w, {"kunden", "telefon", "bestellnummer", "rechnungsnummer", "auftragsnummer"}))
        return true;
    }
    return false;
  };
  // 1. Introduced as a code ("My code is 123456"), the first such number; 2. followed by a code
  // word ("123456 is the code").
  for (const Candidate& c : candidates) {
    if (has_code_word(before(c))) return c.code;
  }
  for (const Candidate& c : candidates) {
    if (has_code_word(after(c))) return c.code;
  }
  // 3. On a line of its own; 4. essentially all the sender wrote (a few words around the only
  // number). Neither when a label names it as something else.
  for (const Candidate& c : candidates) {
    std::size_t line_start = t.rfind('\n', c.pos);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    std::size_t line_end = t.find('\n', c.end);
    if (line_end == std::string_view::npos) line_end = t.size();
    auto is_trim = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || std::strchr(".,;:!", ch) != nullptr; };
    while (line_start < c.pos && is_trim(t[line_start])) ++line_start;
    while (line_end > c.end && is_trim(t[line_end - 1])) --line_end;
    if (line_start == c.pos && line_end == c.end && !has_other_label(before(c))) return c.code;
  }
  if (candidates.size() == 1) {
    const Candidate& c = candidates.front();
    const std::string rest = std::string(t.substr(0, c.pos)) + " " + std::string(t.substr(c.end));
    if (Words(FoldForMatching(rest)).size() <= 6 && !has_other_label(before(c))) return c.code;
  }
  return "";
}

}  // namespace dsar::mail
