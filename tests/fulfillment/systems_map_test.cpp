// Loading systems maps: the demo map, and broken maps whose errors name file and line.

#include "fulfillment/systems_map.h"

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"

using namespace dsar;
using namespace dsar::fulfillment;
using namespace dsar::fulfillment::testing;

TEST_CASE("the demo systems map loads with every table, link and erasure rule", "[fulfillment][map]") {
  auto map = LoadSystemsMap(DemoMapPath());
  INFO(map.status().ToString());
  REQUIRE(map.ok());
  const SystemsMap& m = **map;
  std::vector<std::string> names;
  for (const auto& t : m.tables) names.push_back(t.name);
  CHECK(names == DemoTables());
  CHECK(m.subject.table == "accounts");
  CHECK(m.subject.email_column == "email");

  const TableSpec* dep = m.Table("deployments");
  REQUIRE(dep);
  REQUIRE(dep->links.size() == 1);
  CHECK(dep->links[0].kind == Link::Kind::kVia);
  CHECK(dep->links[0].via == "projects");
  CHECK(dep->links[0].references == "id");

  const TableSpec* billing = m.Table("billing");
  REQUIRE(billing);
  CHECK(billing->erase == TableErase::kDelete);
  REQUIRE(billing->keep_if);
  CHECK(billing->keep_if->column == "status");
  CHECK(billing->keep_if->values == std::vector<std::string>{"paid", "refunded"});
  CHECK_THAT(billing->erase_reason, Catch::Contains("Art. 17(3)(b)"));
  CHECK(billing->Field("card_last4")->erase == FieldErase::kNull);  // `erase: null` in YAML
  CHECK(billing->Field("billing_name")->erase == FieldErase::kUnset);
  CHECK(billing->Field("billing_name")->provided_by_subject);
  CHECK(billing->Field("amount_cents")->category == "financial data");  // inherited from the table
  CHECK(billing->Field("amount_cents")->retention == billing->retention);

  const TableSpec* tickets = m.Table("support_tickets");
  CHECK(tickets->erase == TableErase::kFields);
  CHECK(tickets->Field("requester_email")->erase == FieldErase::kMask);
  CHECK(tickets->Field("requester_email")->mask_with == std::optional<std::string>("erased@invalid"));
  CHECK(tickets->links.size() == 2);

  CHECK_FALSE(m.Table("accounts")->Field("password_hash")->withheld.empty());
  // Verification data points (Cal. Code Regs. tit. 11 § 7062): never the withheld hash or the email.
  CHECK(VerificationPointNames(m) ==
        std::vector<std::string>{"billing_address", "card_last4", "name", "phone"});
  CHECK(m.Table("billing")->Field("billing_name")->verification_point == "name");
  CHECK(m.Table("accounts")->Field("password_hash")->verification_point.empty());
  CHECK(m.Table("accounts")->Field("email")->verification_point.empty());

  // What an access package tells the person beyond the tables (GDPR Art. 15(1)(e)-(h)).
  CHECK(m.system == "Nimbus Cloud production database");
  CHECK(m.controller.name == "Nimbus Cloud Ltd.");
  CHECK_THAT(m.controller.contact, Catch::StartsWith("privacy@nimbus.example; "));
  CHECK(m.controller.dpo == "dpo@nimbus.example");
  CHECK_THAT(m.automated_decision_making, Catch::StartsWith("We make no decisions about you based solely on "
                                                            "automated processing"));
  CHECK_THAT(m.automated_decision_making, Catch::Contains("(GDPR Art. 22)"));
  CHECK(m.automated_decision_making.find('\n') == std::string::npos);  // folded
  CHECK_THAT(m.rights, Catch::Contains("California Privacy Protection Agency"));

  REQUIRE(m.sale_opt_outs.size() == 2);
  CHECK(m.sale_opt_outs[0].table == "accounts");
  CHECK(m.sale_opt_outs[0].field == "sale_opt_out");
  CHECK(m.sale_opt_outs[0].int_value == std::optional<std::int64_t>(1));
  REQUIRE(m.marketing_opt_outs.size() == 2);
  CHECK(m.marketing_opt_outs[1].table == "newsletter_subscriptions");
  CHECK(m.marketing_opt_outs[1].field == "subscribed");
  CHECK(m.marketing_opt_outs[1].int_value == std::optional<std::int64_t>(0));

  // Every field states the attributes an access export reports.
  for (const auto& t : m.tables) {
    for (const auto& f : t.fields) {
      INFO(t.name << "." << f.name);
      CHECK_FALSE(f.category.empty());
      CHECK_FALSE(f.purpose.empty());
      CHECK_FALSE(f.source.empty());
      CHECK_FALSE(f.recipients.empty());
      CHECK_FALSE(f.retention.empty());
    }
  }
}

TEST_CASE("identifiers are checked before they can reach SQL", "[fulfillment][map]") {
  CHECK(IsValidIdentifier("accounts"));
  CHECK(IsValidIdentifier("_x1"));
  CHECK_FALSE(IsValidIdentifier(""));
  CHECK_FALSE(IsValidIdentifier("1abc"));
  CHECK_FALSE(IsValidIdentifier("a b"));
  CHECK_FALSE(IsValidIdentifier("a\"b"));
  CHECK_FALSE(IsValidIdentifier("x;DROP TABLE accounts"));
  CHECK_FALSE(IsValidIdentifier("sqlite_master"));
  CHECK_FALSE(IsValidIdentifier("SQLite_schema"));
}

namespace {

// A valid one-table map; tests break one line of it.
const char* kGood = R"(version: 1
subject: { table: people, id: id, email: email }
tables:
  people:
    link:
      - { column: email, matches: email }
    category: account data
    purpose: service
    source: the person
    recipients: [staff]
    retention: forever
    erase: delete
    fields:
      email: { provided_by_subject: true }
      name: { provided_by_subject: true }
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

std::string LoadError(const TempDir& dir, const std::string& text) {
  const std::string path = dir / "systems.yaml";
  WriteFile(path, text);
  auto map = LoadSystemsMap(path);
  REQUIRE_FALSE(map.ok());
  CHECK(map.status().IsInvalid());
  return map.status().message();
}

// A broken map: `good` with `from` replaced by `to` is refused with "<file>:<expected>".
struct BadCase {
  std::string name, from, to, expected;  // expected: the message after "<file>:"
};

// One SECTION per case: the map is refused with file:line and the reason.
void CheckRefused(const TempDir& dir, const std::string& good, const std::vector<BadCase>& cases) {
  const std::string file = dir / "systems.yaml";
  for (const auto& c : cases) {
    SECTION(c.name) {
      const std::string message = LoadError(dir, Replace(good, c.from, c.to));
      INFO(message);
      CHECK(message.rfind(file + ":" + c.expected, 0) == 0);
    }
  }
}

}  // namespace

TEST_CASE("a broken systems map is refused with file:line and the reason", "[fulfillment][map]") {
  TempDir dir;
  const std::string file = dir / "systems.yaml";
  {
    WriteFile(file, kGood);
    auto ok = LoadSystemsMap(file);
    INFO(ok.status().ToString());
    REQUIRE(ok.ok());
    // controller, automated_decision_making and rights are optional.
    CHECK((*ok)->controller.name.empty());
    CHECK((*ok)->automated_decision_making.empty());
    CHECK((*ok)->rights.empty());
  }

  const std::vector<BadCase> cases = {
      {"YAML syntax error", "      name: { provided_by_subject: true }", "      name: { provided_by_subject: true",
       "16: "},
      {"unknown table strategy", "    erase: delete", "    erase: shred",
       "12: table people erase: unknown strategy 'shred' (expected delete, keep or fields)"},
      {"table name not an identifier", "  people:", "  \"people; DROP TABLE x\":",
       "4: table name 'people; DROP TABLE x' is not a valid SQL identifier"},
      {"column not an identifier", "{ column: email, matches: email }", "{ column: \"e\\\"mail\", matches: email }",
       "6: table people link.column 'e\"mail' is not a valid SQL identifier"},
      {"keep without a reason", "    erase: delete", "    erase: keep",
       "12: table people erase: keep needs a reason"},
      {"misspelt key", "    erase: delete", "    erasse: delete", "12: unknown key 'erasse' in table people"},
      {"link via a table not in the map", "{ column: email, matches: email }",
       "{ column: team_id, via: teams, references: id }", "6: table people links via 'teams', which is not in the map"},
      {"unknown match", "matches: email }", "matches: phone }",
       "6: table people link.matches: unknown 'phone' (expected email or account_id)"},
      {"fields strategy without a field's erase", "    erase: delete", "    erase: fields",
       "14: field people.email needs erase (null, mask or keep)"},
      {"per-field delete", "      name: { provided_by_subject: true }", "      name: { erase: delete }",
       "15: field people.name.erase: 'delete' applies to whole rows"},
      {"provided_by_subject not a boolean", "      name: { provided_by_subject: true }",
       "      name: { provided_by_subject: maybe }", "15: field people.name.provided_by_subject must be true or false"},
      {"no link", "    link:\n      - { column: email, matches: email }\n", "",
       "4: table people needs 'link' (how its rows link to a person)"},
      {"keep_if needs a reason", "    erase: delete",
       "    erase: { strategy: delete, keep_if: { column: name, in: [x] } }",
       "12: table people erase: keep_if needs a reason"},
      {"controller without a name", "tables:", "controller:\n  contact: privacy@example.com\ntables:",
       "3: controller needs 'name' (who is responsible for the data)"},
      {"controller with an unknown key", "tables:", "controller: { name: Example Ltd., phone: 123 }\ntables:",
       "3: unknown key 'phone' in controller"},
      {"controller not a mapping", "tables:", "controller: Example Ltd.\ntables:",
       "3: controller must be a mapping"},
      {"controller name not a text", "tables:", "controller:\n  name: [Example]\ntables:",
       "4: controller.name must be a text"},
      {"automated decision-making not a text", "tables:", "automated_decision_making:\n  - none\ntables:",
       "4: automated_decision_making must be a text"},
      {"rights not a text", "tables:", "rights: { how: mail }\ntables:", "3: rights must be a text"},
      {"verification point on the subject's email column", "      email: { provided_by_subject: true }",
       "      email: { provided_by_subject: true, verification_point: email }",
       "14: field people.email: the subject's email column cannot be a verification data point"},
      {"verification point on a withheld field", "      name: { provided_by_subject: true }",
       "      name: { withheld: a secret, verification_point: name }",
       "15: field people.name: a withheld field (a secret) cannot be a verification data point"},
      {"verification point not snake_case", "      name: { provided_by_subject: true }",
       "      name: { verification_point: Full Name }",
       "15: field people.name.verification_point must be a snake_case name (a-z, 0-9, _; at most 40)"},
      {"opt-out flag on a table not in the map", "tables:",
       "opt_outs:\n  sale:\n    - { table: ghosts, field: sold, value: 1 }\ntables:",
       "5: opt-out flag ghosts.sold: table 'ghosts' is not in the map"},
  };
  CheckRefused(dir, kGood, cases);

  SECTION("tables linking via each other in a cycle") {
    const std::string text = std::string(kGood) + R"(  a:
    link: { column: b_id, via: b, references: id }
    category: c
    purpose: p
    erase: delete
    fields: { id: }
  b:
    link: { column: a_id, via: a, references: id }
    category: c
    purpose: p
    erase: delete
    fields: { id: }
)";
    const std::string message = LoadError(dir, text);
    INFO(message);
    CHECK(message.rfind(file + ":23: tables link via each other in a cycle (b -> a)", 0) == 0);
  }

  SECTION("a missing file") {
    auto map = LoadSystemsMap(dir / "nope.yaml");
    REQUIRE_FALSE(map.ok());
    CHECK(map.status().IsInvalid());
    CHECK_THAT(map.status().message(), Catch::StartsWith(dir / "nope.yaml"));
  }
}

TEST_CASE("the data points the demo company holds for a data subject", "[fulfillment][map][data_points]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  auto map = LoadSystemsMap(DemoMapPath());
  REQUIRE(map.ok());
  Fulfiller f(*map, db, dir / "exports");
  CHECK(f.DataPointNames() ==
        std::vector<std::string>{"billing_address", "card_last4", "name", "phone"});
  DataSubject alex;
  alex.email = "alex.morgan@example.com";
  auto v = f.DataPointValues(alex);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  // Accounts first (map order), then one value per invoice; NULLs are left out.
  CHECK(v->at("name") == std::vector<std::string>{"Alex Morgan", "Alex Morgan", "Alex Morgan", "Alex Morgan"});
  CHECK(v->at("phone") == std::vector<std::string>{"+44 7700 900123"});
  // Country, region and plan take few values: the demo company does not rely on them (§ 7062).
  CHECK(v->count("country") == 0);
  CHECK(v->count("plan") == 0);
  CHECK(v->at("card_last4") == std::vector<std::string>{"4242", "4242"});
  CHECK(v->at("billing_address").size() == 3);
  // Someone the company does not know: nothing held.
  DataSubject nobody;
  nobody.email = "nobody@example.com";
  auto none = f.DataPointValues(nobody);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

// Connectors (issue 5 §4): webhook and manual systems, processors and the backups' retention.
TEST_CASE("systems, processors and backups load, and their mistakes are refused with file:line", "[fulfillment][map]") {
  TempDir dir;
  const std::string file = dir / "systems.yaml";
  const std::string good = std::string(kGood) + R"(systems:
  crm:
    kind: webhook
    description: CRM
    endpoint: https://crm.example/dsar
    secret_file: var/crm.secret
    connect_timeout: 2s
    timeout: 10s
    actions: [erase, opt_out_marketing]
  archive:
    kind: manual
    instructions: Shred the paper file.
    actions: erase
processors:
  mailer:
    endpoint: http://127.0.0.1:9/hook
    secret_file: var/mailer.secret
    completion: callback
    callback_timeout: 2d
    receives: [deletion, opt_out_sale]
backups:
  retention_days: 35
)";
  WriteFile(file, good);
  auto ok = LoadSystemsMap(file);
  INFO(ok.status().ToString());
  REQUIRE(ok.ok());
  const auto& cs = (*ok)->connectors;
  REQUIRE(cs.size() == 3);
  CHECK(cs[0].name == "crm");
  CHECK(cs[0].kind == ConnectorSpec::Kind::kWebhook);
  CHECK_FALSE(cs[0].processor);
  CHECK(cs[0].webhook.connect_timeout == 2000);
  CHECK(cs[0].webhook.timeout == 10000);
  CHECK_FALSE(cs[0].webhook.callback);
  CHECK(cs[0].actions == std::vector<std::string>{"erase", "opt_out_marketing"});
  CHECK(cs[1].kind == ConnectorSpec::Kind::kManual);
  CHECK(cs[1].instructions == "Shred the paper file.");
  CHECK(cs[2].processor);
  CHECK(cs[2].webhook.callback);
  CHECK(cs[2].webhook.callback_timeout == 2 * kMillisPerDay);
  CHECK(cs[2].actions == std::vector<std::string>{"erase", "opt_out_sale"});  // deletion → erase
  CHECK(cs[2].Takes("erase"));
  CHECK_FALSE(cs[2].Takes("opt_out_marketing"));
  CHECK((*ok)->backups.retention_days == 35);

  const std::vector<BadCase> cases = {
      {"unknown kind", "    kind: manual", "    kind: fax", "26: system archive.kind: unknown 'fax' (expected webhook or manual)"},
      {"endpoint not http", "https://crm.example/dsar", "ftp://crm.example/dsar",
       "20: system crm.endpoint must be an http:// or https:// URL"},
      {"no secret file", "    secret_file: var/crm.secret\n", "", "17: system crm needs 'secret_file'"},
      {"bad duration", "    timeout: 10s", "    timeout: ten", "23: system crm.timeout: 'ten' is not a duration"},
      {"unknown action", "[erase, opt_out_marketing]", "[erase, export_access]",
       "24: system crm.actions: unknown 'export_access' (expected erase, opt_out_sale or opt_out_marketing)"},
      {"unknown request type", "[deletion, opt_out_sale]", "[deletion, access]",
       "35: processor mailer.receives: unknown request type 'access'"},
      {"callback_timeout without callback", "    completion: callback\n", "",
       "33: processor mailer: callback_timeout goes with completion: callback"},
      {"manual without instructions", "    instructions: Shred the paper file.\n", "",
       "25: system archive needs 'instructions'"},
      {"misspelt key", "    receives:", "    recieves:", "35: unknown key 'recieves' in processor mailer"},
      {"backups out of range", "  retention_days: 35", "  retention_days: 0",
       "37: backups.retention_days must be a whole number of days from 1 to 3650"},
  };
  CheckRefused(dir, good, cases);
}
