// Fulfillment steps on a small company database with known rows (demo schema, demo map).

#include "fulfillment/connectors/sql/fulfiller.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "fulfillment/helpers.h"
#include "fulfillment/package/package.h"
#include "fulfillment/systems_map.h"

using namespace dsar;
using namespace dsar::fulfillment;
using namespace dsar::fulfillment::testing;
namespace json = boost::json;

namespace {

DataSubject Alex() {
  DataSubject s;
  s.email = "  alex.morgan@EXAMPLE.com";  // as a requester might type it
  s.name = "Alex Morgan";
  return s;
}

std::vector<std::string> Strings(const json::value& rows, const char* key) {
  std::vector<std::string> out;
  for (const auto& r : rows.as_array()) {
    const auto& v = r.at(key);
    out.push_back(v.is_string() ? std::string(v.as_string()) : json::serialize(v));
  }
  return out;
}

// Every table's dump.
std::map<std::string, std::map<long long, std::string>> DumpAll(const std::string& db,
                                                                const std::vector<std::string>& tables) {
  std::map<std::string, std::map<long long, std::string>> out;
  for (const auto& t : tables) out[t] = Dump(db, t);
  return out;
}

// The rowids of Alex's rows in the small company database, per table.
const std::map<std::string, std::set<long long>>& AlexRowids() {
  // accounts/projects/deployments/billing were inserted in a known order (rowid = position).
  static const std::map<std::string, std::set<long long>> ids = {
      {"accounts", {1}},        {"projects", {1, 3}}, {"deployments", {1, 3, 4}}, {"billing", {1, 3, 4}},
      {"newsletter_subscriptions", {1}}, {"support_tickets", {1, 2}}, {"analytics_identifiers", {1, 3}},
  };
  return ids;
}

// Checks that every row not in `skip` is byte-for-byte what it was.
void CheckOthersUnchanged(const std::map<std::string, std::map<long long, std::string>>& before,
                          const std::map<std::string, std::map<long long, std::string>>& after,
                          const std::map<std::string, std::set<long long>>& skip) {
  for (const auto& [table, rows] : before) {
    const auto s = skip.count(table) ? skip.at(table) : std::set<long long>{};
    for (const auto& [rowid, row] : rows) {
      if (s.count(rowid)) continue;
      INFO(table << " rowid " << rowid);
      REQUIRE(after.at(table).count(rowid) == 1);
      CHECK(after.at(table).at(rowid) == row);
    }
  }
}

}  // namespace

TEST_CASE("export_access writes every linked row with the map's metadata", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  const auto before = DumpAll(db, DemoTables());

  auto r = fulfiller.Run("export_access", "REF-1", Alex(), kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string path = dir / "exports/REF-1/access.zip";
  REQUIRE(r->files == std::vector<std::string>{path});
  CHECK(r->summary.at("step") == "export_access");
  CHECK(r->summary.at("reference") == "REF-1");
  CHECK(r->summary.at("found") == true);
  CHECK(r->summary.at("message") ==
        "We hold 14 records about you in 7 tables of Nimbus Cloud production database; your access package holds "
        "all of them.");
  CHECK(r->summary.at("file") == json::value(path));
  CHECK(r->summary.at("generated_at") == "2026-11-20T09:00:00Z");
  CHECK(r->summary.at("total_rows") == 14);
  CHECK(r->summary.at("tables").at("deployments").at("rows") == 3);
  CHECK_FALSE(r->summary.contains("unmapped_columns"));

  // A summary for people first, then everything machine-readable: one CSV per table with rows.
  CHECK(ZipNames(path) == std::vector<std::string>{"index.html", "data.json", "accounts.csv", "projects.csv",
                                                   "deployments.csv", "billing.csv", "newsletter_subscriptions.csv",
                                                   "support_tickets.csv", "analytics_identifiers.csv"});
  // Every column but the withheld password hash, in table order; RFC 4180 quoting.
  CHECK(ZipEntry(path, "accounts.csv") ==
        "id,email,name,phone,country,region,language,plan,status,created_at,last_login_at,last_login_ip,"
        "marketing_opt_in,sale_opt_out\r\n"
        "acc_alex,Alex.Morgan@example.com,Alex Morgan,'+44 7700 900123,GB,,en,pro,active,2022-03-01T10:00:00Z,"
        "2026-10-01T08:00:00Z,192.0.2.10,1,0\r\n");
  CHECK(ZipEntry(path, "projects.csv") ==
        "id,account_id,name,description,visibility,created_at\r\n"
        "prj_a1,acc_alex,climate-notebook,\"Climate, \"\"daily\"\" data\",private,2022-03-02T10:00:00Z\r\n"
        "prj_a2,acc_alex,thesis,,public,2023-04-01T10:00:00Z\r\n");
  CHECK(ZipEntry(path, "support_tickets.csv") ==
        "id,account_id,requester_email,requester_name,subject,body,status,channel,created_at,closed_at\r\n"
        "1,acc_alex,alex.morgan@example.com,Alex Morgan,Kernel keeps restarting,\"My kernel restarts.\nAlex\","
        "closed,email,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z\r\n"
        "2,,alex.morgan@example.com,Alex M.,Custom domain,How do I use my own domain?,open,web,"
        "2024-02-01T00:00:00Z,\r\n");
  CHECK(ZipEntry(path, "analytics_identifiers.csv") ==
        "id,account_id,kind,identifier,user_agent,first_seen,last_seen,shared_with_partners\r\n"
        "1,acc_alex,cookie,ck_alex1,UA-1,2024-01-01T00:00:00Z,2024-06-01T00:00:00Z,1\r\n"
        "3,acc_alex,ad_id,ad_alex1,UA-3,2024-02-01T00:00:00Z,2024-07-01T00:00:00Z,0\r\n");

  // index.html: counts and links, the Art. 15 information from the map; no rows.
  const std::string html = ZipEntry(path, "index.html");
  CHECK_THAT(html, Catch::Contains("<h1>Your personal data held by Nimbus Cloud Ltd.</h1>"));
  CHECK_THAT(html, Catch::Contains("request <strong>REF-1</strong> of Alex Morgan (alex.morgan@example.com). It "
                                   "was prepared on 2026-11-20 (UTC)."));
  CHECK_THAT(html, Catch::Contains("<tr><td>deployments</td><td>Published deployments of a project (linked through "
                                   "projects to the account).</td><td>service data</td><td class=\"n\">3</td><td><a "
                                   "href=\"deployments.csv\">deployments.csv</a></td></tr>"));
  CHECK_THAT(html, Catch::Contains("<li>accounts.password_hash: a one-way hash of the password;"));
  CHECK_THAT(html, Catch::Contains("<dt>Data protection officer</dt><dd>dpo@nimbus.example</dd>"));
  CHECK_THAT(html, Catch::Contains("We make no decisions about you based solely on automated processing"));
  CHECK(html.find("$argon2id") == std::string::npos);
  CHECK(html.find("King Street") == std::string::npos);  // no row values
  CHECK(html.find("+44 7700") == std::string::npos);

  const std::string text = ZipEntry(path, "data.json");
  const json::value doc = json::parse(text);
  CHECK(doc.at("format") == "dsar-access-export/1");
  CHECK(doc.at("reference") == "REF-1");
  CHECK(doc.at("generated_at") == "2026-11-20T09:00:00Z");
  CHECK(doc.at("controller").at("name") == "Nimbus Cloud Ltd.");
  CHECK(text == PrettyJson(doc));  // streamed, in the same layout as before
  const auto& tables = doc.at("tables");
  std::vector<std::string> order;
  for (const auto& kv : tables.as_object()) order.push_back(kv.key());
  CHECK(order == DemoTables());

  const auto& accounts = tables.at("accounts");
  REQUIRE(accounts.at("rows").as_array().size() == 1);
  const auto& me = accounts.at("rows").at(0);
  CHECK(me.at("id") == "acc_alex");
  CHECK(me.at("email") == "Alex.Morgan@example.com");
  CHECK(me.at("name") == "Alex Morgan");
  CHECK(me.at("phone") == "+44 7700 900123");
  CHECK(me.at("region").is_null());
  CHECK(me.at("marketing_opt_in") == 1);
  CHECK_FALSE(me.as_object().contains("password_hash"));  // withheld, with the reason in the metadata
  CHECK_THAT(std::string(accounts.at("fields").at("password_hash").at("withheld").as_string()),
             Catch::Contains("security"));
  CHECK(accounts.at("category") == "account data");
  CHECK_THAT(std::string(accounts.at("purpose").as_string()), Catch::Contains("Art. 6(1)(b)"));
  CHECK(accounts.at("recipients").as_array().size() == 2);
  CHECK(accounts.at("fields").at("email").at("provided_by_subject") == true);
  CHECK(accounts.at("fields").at("last_login_ip").at("retention") == "90 days of login history");

  CHECK(Strings(tables.at("projects").at("rows"), "id") == std::vector<std::string>{"prj_a1", "prj_a2"});
  CHECK(tables.at("projects").at("rows").at(0).at("description") == "Climate, \"daily\" data");
  CHECK(Strings(tables.at("deployments").at("rows"), "id") ==
        std::vector<std::string>{"dep_a1p", "dep_a1s", "dep_a2p"});
  const auto& billing = tables.at("billing");
  CHECK(Strings(billing.at("rows"), "invoice_no") == std::vector<std::string>{"NC-000001", "NC-000003", "NC-000004"});
  CHECK(billing.at("rows").at(0).at("amount_cents") == 1200);
  CHECK(billing.at("rows").at(0).at("card_last4") == "4242");
  CHECK_THAT(std::string(billing.at("retention").as_string()), Catch::Contains("10 years"));
  CHECK(billing.at("fields").at("card_last4").at("category") == "financial data");
  CHECK(Strings(tables.at("newsletter_subscriptions").at("rows"), "email") ==
        std::vector<std::string>{"ALEX.MORGAN@Example.com "});
  CHECK(Strings(tables.at("support_tickets").at("rows"), "id") == std::vector<std::string>{"1", "2"});
  CHECK(Strings(tables.at("analytics_identifiers").at("rows"), "identifier") ==
        std::vector<std::string>{"ck_alex1", "ad_alex1"});

  // Nobody else's data, and nothing changed.
  for (const auto& name : ZipNames(path)) {
    const std::string member = ZipEntry(path, name);
    INFO(name);
    CHECK(member.find("Blake") == std::string::npos);
    CHECK(member.find("blake") == std::string::npos);
    CHECK(member.find("Xander") == std::string::npos);
    CHECK(member.find("reader@") == std::string::npos);
    CHECK(member.find("hash-alex") == std::string::npos);  // withheld
  }
  CHECK(DumpAll(db, DemoTables()) == before);
  // The staging folder is gone; the package is all that is left.
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir / "exports/REF-1")) left.push_back(e.path().string());
  CHECK(left == std::vector<std::string>{path});
}

TEST_CASE("a subject can be found by account id alone", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  DataSubject by_id;
  by_id.account_id = "acc_alex";
  auto r = fulfiller.Run("export_access", "REF-ID", by_id);
  REQUIRE(r.ok());
  // Without the email, the newsletter row and the ticket sent without an account are not found.
  CHECK(r->summary.at("tables").at("accounts").at("rows") == 1);
  CHECK(r->summary.at("tables").at("deployments").at("rows") == 3);
  CHECK(r->summary.at("tables").at("newsletter_subscriptions").at("rows") == 0);
  CHECK(r->summary.at("tables").at("support_tickets").at("rows") == 1);

  DataSubject nobody;
  nobody.email = "nobody@example.com";
  auto none = fulfiller.Run("export_access", "REF-NONE", nobody, kNow);
  REQUIRE(none.ok());
  CHECK(none->summary.at("total_rows") == 0);
  CHECK(none->summary.at("found") == false);
  CHECK(none->files.empty());
}

TEST_CASE("export_portability writes data.json and one CSV per table, provided fields only", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  auto r = fulfiller.Run("export_portability", "REF-2", Alex(), kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string zip = dir / "exports/REF-2/portability.zip";
  REQUIRE(r->files == std::vector<std::string>{zip});
  CHECK(r->summary.at("found") == true);
  CHECK(r->summary.at("message") ==
        "Your portability package holds the data you provided to us: 12 records from 6 tables of Nimbus Cloud "
        "production database, as JSON and CSV.");
  CHECK(r->summary.at("total_rows") == 12);

  // analytics_identifiers has no field the subject provided: no CSV for it.
  CHECK(ZipNames(zip) == std::vector<std::string>{"data.json", "accounts.csv", "projects.csv", "deployments.csv",
                                                  "billing.csv", "newsletter_subscriptions.csv",
                                                  "support_tickets.csv"});
  CHECK(ZipEntry(zip, "accounts.csv") ==
        "email,name,phone,country,region,language,plan,marketing_opt_in,sale_opt_out\r\n"
        "Alex.Morgan@example.com,Alex Morgan,'+44 7700 900123,GB,,en,pro,1,0\r\n");
  CHECK(ZipEntry(zip, "projects.csv") ==
        "name,description,visibility\r\n"
        "climate-notebook,\"Climate, \"\"daily\"\" data\",private\r\n"
        "thesis,,public\r\n");
  CHECK(ZipEntry(zip, "deployments.csv") == "environment,region\r\nproduction,eu-west\r\nstaging,eu-west\r\n"
                                            "production,us-east\r\n");
  CHECK(ZipEntry(zip, "billing.csv") ==
        "card_brand,card_last4,billing_name,billing_address,billing_country,vat_id\r\n"
        "visa,4242,Alex Morgan,\"1 King Street, Exampleton\",GB,\r\n"
        "visa,4242,Alex Morgan,\"1 King Street, Exampleton\",GB,\r\n"
        ",,Alex Morgan,\"1 King Street, Exampleton\",GB,\r\n");
  CHECK(ZipEntry(zip, "newsletter_subscriptions.csv") == "email,subscribed,topics\r\n\"ALEX.MORGAN@Example.com \",1,product\r\n");
  CHECK(ZipEntry(zip, "support_tickets.csv") ==
        "requester_email,requester_name,subject,body\r\n"
        "alex.morgan@example.com,Alex Morgan,Kernel keeps restarting,\"My kernel restarts.\nAlex\"\r\n"
        "alex.morgan@example.com,Alex M.,Custom domain,How do I use my own domain?\r\n");

  const std::string data_text = ZipEntry(zip, "data.json");
  const json::value data = json::parse(data_text);
  CHECK(data_text == PrettyJson(data));
  CHECK(data.at("format") == "dsar-portability-export/1");
  CHECK(data.at("reference") == "REF-2");
  CHECK(data.at("generated_at") == "2026-11-20T09:00:00Z");
  CHECK(data.at("tables").at("projects") == json::parse(R"([
    {"name": "climate-notebook", "description": "Climate, \"daily\" data", "visibility": "private"},
    {"name": "thesis", "description": null, "visibility": "public"}])"));
  const auto& acc = data.at("tables").at("accounts").at(0).as_object();
  CHECK(acc.at("name") == "Alex Morgan");
  CHECK(acc.at("marketing_opt_in") == 1);
  CHECK_FALSE(acc.contains("id"));
  CHECK_FALSE(acc.contains("created_at"));
  CHECK_FALSE(acc.contains("password_hash"));
  CHECK_FALSE(data.at("tables").as_object().contains("analytics_identifiers"));
  CHECK(r->summary.at("tables").at("billing").at("rows") == 3);

  // The same data gives the same bytes: redone when the file has gone, the package is identical
  // (dated as the first time, whatever the clock says now).
  const std::string first = ReadFile(zip);
  std::filesystem::remove(zip);
  auto again = fulfiller.Run("export_portability", "REF-2", Alex(), kNow + 86400000);
  REQUIRE(again.ok());
  CHECK(ReadFile(zip) == first);
  CHECK(again->summary == r->summary);
}

TEST_CASE("erase deletes, nulls, masks and keeps per the map, and touches nobody else", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  const auto before = DumpAll(db, DemoTables());

  auto r = fulfiller.Run("erase", "REF-3", Alex());
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const auto after = DumpAll(db, DemoTables());
  CheckOthersUnchanged(before, after, AlexRowids());

  // Exactly these rows are left of Alex.
  CHECK(Column(db, "SELECT id FROM accounts ORDER BY rowid") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(Column(db, "SELECT id FROM projects ORDER BY rowid") == std::vector<std::string>{"prj_b1"});
  CHECK(Column(db, "SELECT id FROM deployments ORDER BY rowid") == std::vector<std::string>{"dep_b1p"});
  CHECK(Column(db, "SELECT id FROM newsletter_subscriptions ORDER BY rowid") == std::vector<std::string>{"2", "3"});
  CHECK(Column(db, "SELECT id FROM analytics_identifiers ORDER BY rowid") == std::vector<std::string>{"2"});
  // Paid and refunded invoices stay for tax law, without the account link and card details;
  // the void one goes.
  CHECK(after.at("billing").at(1) ==
        "'NC-000001'|NULL|'2025-01-01T00:00:00Z'|'paid'|'GBP'|1200|240|NULL|NULL|'Alex Morgan'|"
        "'1 King Street, Exampleton'|'GB'|NULL");
  CHECK(after.at("billing").at(3) ==
        "'NC-000003'|NULL|'2025-02-01T00:00:00Z'|'refunded'|'GBP'|1200|240|NULL|NULL|'Alex Morgan'|"
        "'1 King Street, Exampleton'|'GB'|NULL");
  CHECK(after.at("billing").count(4) == 0);
  CHECK(after.at("billing").size() == 4);
  // Tickets stay for statistics; the person and the text are gone.
  CHECK(after.at("support_tickets").at(1) ==
        "1|NULL|'erased@invalid'|NULL|'[erased]'|'[erased]'|'closed'|'email'|'2024-01-01T00:00:00Z'|"
        "'2024-01-02T00:00:00Z'");
  CHECK(after.at("support_tickets").at(2) ==
        "2|NULL|'erased@invalid'|NULL|'[erased]'|'[erased]'|'open'|'web'|'2024-02-01T00:00:00Z'|NULL");

  // The report.
  const auto& t = r->summary.at("tables");
  CHECK(t.at("accounts").at("strategy") == "delete");
  CHECK(t.at("accounts").at("deleted") == 1);
  CHECK(t.at("accounts").at("kept") == 0);
  CHECK(t.at("deployments").at("deleted") == 3);
  CHECK(t.at("billing").at("linked") == 3);
  CHECK(t.at("billing").at("deleted") == 1);
  CHECK(t.at("billing").at("kept") == 2);
  CHECK(t.at("billing").at("nulled") == 2);
  CHECK(t.at("billing").at("fields_nulled") == json::parse(R"(["account_id","card_brand","card_last4"])"));
  CHECK_THAT(std::string(t.at("billing").at("reason").as_string()), Catch::Contains("GDPR Art. 17(3)(b)"));
  CHECK(t.at("billing").at("fields_kept") ==
        json::parse(R"(["invoice_no","issued_at","status","currency","amount_cents","vat_cents","billing_name",
                        "billing_address","billing_country","vat_id"])"));
  CHECK(t.at("support_tickets").at("strategy") == "fields");
  CHECK(t.at("support_tickets").at("kept") == 2);
  CHECK(t.at("support_tickets").at("masked") == 2);
  CHECK(t.at("support_tickets").at("nulled") == 2);
  CHECK(t.at("support_tickets").at("fields_masked") == json::parse(R"(["requester_email","subject","body"])"));
  CHECK(r->summary.at("total_linked") == 14);
  CHECK(r->summary.at("total_deleted") == 10);
  CHECK(r->summary.at("total_kept") == 4);

  SECTION("re-running the step changes nothing and reports the same") {
    auto again = fulfiller.Run("erase", "REF-3", Alex());
    REQUIRE(again.ok());
    CHECK(again->summary == r->summary);
    CHECK(DumpAll(db, DemoTables()) == after);
  }
  SECTION("a new request of the same person finds nothing left to erase") {
    DataSubject with_id = Alex();
    with_id.account_id = "acc_alex";
    auto fresh = fulfiller.Run("erase", "REF-3b", with_id);
    REQUIRE(fresh.ok());
    CHECK(fresh->summary.at("total_linked") == 0);
    CHECK(DumpAll(db, DemoTables()) == after);
  }
  SECTION("an access export afterwards shows nothing of Alex") {
    auto exp = fulfiller.Run("export_access", "REF-3c", Alex());
    REQUIRE(exp.ok());
    CHECK(exp->summary.at("total_rows") == 0);
    CHECK(exp->summary.at("found") == false);
    CHECK(exp->files.empty());
    CHECK_FALSE(std::filesystem::exists(dir / "exports/REF-3c"));
  }
}

TEST_CASE("opt-outs set the map's flags on the subject's rows only", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  const auto before = DumpAll(db, DemoTables());

  auto sale = fulfiller.Run("opt_out_sale", "REF-4", Alex());
  INFO(sale.status().ToString());
  REQUIRE(sale.ok());
  CHECK(Column(db, "SELECT sale_opt_out FROM accounts ORDER BY rowid") == std::vector<std::string>{"1", "0", "0"});
  CHECK(Column(db, "SELECT shared_with_partners FROM analytics_identifiers ORDER BY rowid") ==
        std::vector<std::string>{"0", "1", "0"});
  CHECK(sale->summary.at("flags") == json::parse(R"([
    {"table":"accounts","field":"sale_opt_out","value":1,"linked":1,"changed":1},
    {"table":"analytics_identifiers","field":"shared_with_partners","value":0,"linked":2,"changed":1}])"));

  auto marketing = fulfiller.Run("opt_out_marketing", "REF-5", Alex());
  REQUIRE(marketing.ok());
  CHECK(Column(db, "SELECT marketing_opt_in FROM accounts ORDER BY rowid") == std::vector<std::string>{"0", "1", "0"});
  CHECK(Column(db, "SELECT subscribed FROM newsletter_subscriptions ORDER BY rowid") ==
        std::vector<std::string>{"0", "1", "0"});
  CHECK(marketing->summary.at("total_changed") == 2);

  // Only those columns of Alex's rows changed.
  const auto after = DumpAll(db, DemoTables());
  CheckOthersUnchanged(before, after,
                       {{"accounts", {1}}, {"analytics_identifiers", {1}}, {"newsletter_subscriptions", {1}}});

  // Idempotent: the same reference replays its summary; a new one changes nothing more.
  auto again = fulfiller.Run("opt_out_sale", "REF-4", Alex());
  REQUIRE(again.ok());
  CHECK(again->summary == sale->summary);
  auto fresh = fulfiller.Run("opt_out_marketing", "REF-6", Alex());
  REQUIRE(fresh.ok());
  CHECK(fresh->summary.at("total_changed") == 0);
  CHECK(fresh->summary.at("total_linked") == 2);
  CHECK(DumpAll(db, DemoTables()) == after);
}

TEST_CASE("a table added to the map is exported and erased without code changes", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Sql(db, R"SQL(
CREATE TABLE chat_messages (id INTEGER PRIMARY KEY, account_id TEXT, message TEXT, sent_at TEXT, client TEXT);
INSERT INTO chat_messages VALUES (1, 'acc_alex', 'hello from Alex', '2024-05-01T00:00:00Z', 'ios'),
                                 (2, 'acc_blake', 'hello from Blake', '2024-05-02T00:00:00Z', 'web'),
                                 (3, 'acc_alex', 'bye', '2024-05-03T00:00:00Z', 'web');
CREATE TABLE deployment_logs (id INTEGER PRIMARY KEY, deployment_id TEXT, client_ip TEXT, line TEXT);
INSERT INTO deployment_logs VALUES (1, 'dep_a1p', '192.0.2.11', 'GET /'),
                                   (2, 'dep_b1p', '198.51.100.8', 'GET /'),
                                   (3, 'dep_a2p', '192.0.2.12', 'POST /run');
)SQL");
  // Appended under `tables:` (the demo map ends with its last table).
  const std::string map_path = dir / "systems.yaml";
  WriteFile(map_path, ReadFile(DemoMapPath()) + R"(
  chat_messages:
    link: { column: account_id, matches: account_id }
    category: correspondence
    purpose: in-app chat with support
    source: the data subject
    recipients: [support staff]
    retention: 1 year
    erase: delete
    fields:
      id: { provided_by_subject: false }
      account_id: { provided_by_subject: false }
      message: { provided_by_subject: true }
      sent_at: { provided_by_subject: false }

  deployment_logs:
    link: { column: deployment_id, via: deployments, references: id }
    category: network identifier
    purpose: abuse prevention
    source: observed by the service
    recipients: [staff]
    retention: 30 days
    erase: { strategy: fields, reason: request statistics }
    fields:
      id: { erase: keep }
      deployment_id: { erase: keep }
      client_ip: { erase: mask, keep_last: 2 }
      line: { erase: keep, category: usage data }
)");
  auto map = LoadSystemsMap(map_path);
  INFO(map.status().ToString());
  REQUIRE(map.ok());
  Fulfiller fulfiller(*map, db, dir / "exports");

  auto exp = fulfiller.Run("export_access", "REF-7", Alex());
  INFO(exp.status().ToString());
  REQUIRE(exp.ok());
  const json::value doc = json::parse(ZipEntry(dir / "exports/REF-7/access.zip", "data.json"));
  CHECK(Strings(doc.at("tables").at("chat_messages").at("rows"), "message") ==
        std::vector<std::string>{"hello from Alex", "bye"});
  CHECK(doc.at("tables").at("chat_messages").at("purpose") == "in-app chat with support");
  // A column the map does not describe is still shown, marked unclassified, and reported.
  CHECK(Strings(doc.at("tables").at("chat_messages").at("rows"), "client") == std::vector<std::string>{"ios", "web"});
  CHECK(doc.at("tables").at("chat_messages").at("fields").at("client").at("category") == "unclassified");
  CHECK(exp->summary.at("unmapped_columns") == json::parse(R"({"chat_messages":["client"]})"));
  // Three links deep: deployment_logs -> deployments -> projects -> accounts.
  CHECK(Strings(doc.at("tables").at("deployment_logs").at("rows"), "line") ==
        std::vector<std::string>{"GET /", "POST /run"});
  CHECK(doc.at("tables").at("deployment_logs").at("fields").at("line").at("category") == "usage data");

  auto portability = fulfiller.Run("export_portability", "REF-7", Alex());
  REQUIRE(portability.ok());
  CHECK(ZipEntry(dir / "exports/REF-7/portability.zip", "chat_messages.csv") ==
        "message\r\nhello from Alex\r\nbye\r\n");

  const auto before_logs = Dump(db, "deployment_logs");
  auto erased = fulfiller.Run("erase", "REF-7", Alex());
  REQUIRE(erased.ok());
  CHECK(Column(db, "SELECT message FROM chat_messages ORDER BY rowid") ==
        std::vector<std::string>{"hello from Blake"});
  CHECK(erased->summary.at("tables").at("chat_messages").at("deleted") == 2);
  const auto logs = Dump(db, "deployment_logs");
  CHECK(logs.at(1) == "1|'dep_a1p'|'********11'|'GET /'");
  CHECK(logs.at(2) == before_logs.at(2));
  CHECK(logs.at(3) == "3|'dep_a2p'|'********12'|'POST /run'");
  CHECK(erased->summary.at("tables").at("deployment_logs").at("masked") == 2);
  CHECK(erased->summary.at("tables").at("deployment_logs").at("fields_kept") ==
        json::parse(R"(["id","deployment_id","line"])"));
  CHECK(erased->summary.at("tables").at("deployment_logs").at("reason") == "request statistics");
}

TEST_CASE("a map naming a column the database lacks fails before changing anything", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  const std::string map_path = dir / "systems.yaml";
  std::string text = ReadFile(DemoMapPath());
  const std::string from = "      vat_id: { category: identifier, provided_by_subject: true }";
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  const int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n')) + 1;
  text.replace(pos, from.size(), "      tax_number: { category: identifier, provided_by_subject: true }");
  WriteFile(map_path, text);
  auto map = LoadSystemsMap(map_path);
  REQUIRE(map.ok());
  const auto before = DumpAll(db, DemoTables());
  Fulfiller fulfiller(*map, db, dir / "exports");
  auto r = fulfiller.Run("erase", "REF-8", Alex());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsInvalid());
  CHECK(r.status().message() ==
        map_path + ":" + std::to_string(line) + ": column billing.tax_number is not in the company database");
  CHECK(DumpAll(db, DemoTables()) == before);
}

TEST_CASE("an erasure that fails at a table keeps the tables before it erased and resumes there", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  // support_tickets.status is NOT NULL: nulling it fails at the sixth table, after accounts,
  // projects, deployments, billing and newsletter_subscriptions were erased, each in its own
  // transaction (issue 5 §4: units of a step).
  const std::string map_path = dir / "systems.yaml";
  std::string text = ReadFile(DemoMapPath());
  const std::string from = "      status: { provided_by_subject: false, source: Nimbus Cloud, erase: keep }";
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), "      status: { provided_by_subject: false, source: Nimbus Cloud, erase: null }");
  WriteFile(map_path, text);
  auto map = LoadSystemsMap(map_path);
  REQUIRE(map.ok());
  const auto before = DumpAll(db, DemoTables());
  Fulfiller fulfiller(*map, db, dir / "exports");
  auto r = fulfiller.Run("erase", "REF-10", Alex());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsIoError());
  CHECK_THAT(r.status().message(), Catch::Contains("NOT NULL constraint failed: support_tickets.status"));
  const auto mid = DumpAll(db, DemoTables());
  CHECK(mid.at("support_tickets") == before.at("support_tickets"));
  CHECK(mid.at("analytics_identifiers") == before.at("analytics_identifiers"));
  CHECK(Column(db, "SELECT id FROM accounts ORDER BY rowid") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(Column(db, "SELECT step FROM dsar_fulfillment_log WHERE reference = 'REF-10' ORDER BY rowid") ==
        std::vector<std::string>{"erase/_subject", "erase/accounts", "erase/projects", "erase/deployments",
                                 "erase/billing", "erase/newsletter_subscriptions"});

  // With the map fixed, the same request's erasure resumes at support_tickets and reports what an
  // undisturbed run reports; the projects (linked through the account erased before) are known
  // from the recorded resolution.
  Fulfiller fixed(DemoMap(), db, dir / "exports");
  auto ok = fixed.Run("erase", "REF-10", Alex());
  REQUIRE(ok.ok());
  CHECK(ok->summary.at("total_deleted") == 10);
  CHECK(ok->summary.at("total_linked") == 14);
  CHECK(ok->summary.at("tables").at("projects").at("deleted") == 2);

  TempDir other;
  const std::string clean = MakeSmallCompanyDb(other);
  auto undisturbed = Fulfiller(DemoMap(), clean, other / "exports").Run("erase", "REF-10", Alex());
  REQUIRE(undisturbed.ok());
  CHECK(ok->summary == undisturbed->summary);
  CHECK(DumpAll(db, DemoTables()) == DumpAll(clean, DemoTables()));
  // Once every table is erased, the recorded resolution (account ids, row ids) goes too.
  CHECK(Column(db, "SELECT count(*) FROM dsar_fulfillment_log WHERE step = 'erase/_subject'") ==
        std::vector<std::string>{"0"});
  // And a replay of the finished step still answers from the journal.
  auto replay = fixed.Run("erase", "REF-10", Alex());
  REQUIRE(replay.ok());
  CHECK(replay->summary == ok->summary);
}

TEST_CASE("bad calls are refused with a named kind", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  CHECK(fulfiller.Run("shred", "REF-9", Alex()).status().IsNotFound());
  CHECK(fulfiller.Run("export_access", "../etc", Alex()).status().IsInvalid());
  CHECK(fulfiller.Run("export_access", "", Alex()).status().IsInvalid());
  CHECK(fulfiller.Run("erase", "REF-9", DataSubject{}).status().IsInvalid());
  Fulfiller missing(DemoMap(), dir / "no-such.db", dir / "exports");
  CHECK(missing.Run("export_access", "REF-9", Alex()).status().IsIoError());
  CHECK_FALSE(std::filesystem::exists(dir / "no-such.db"));
  CHECK(Fulfiller::Steps() ==
        std::vector<std::string>{"export_access", "export_portability", "erase", "opt_out_sale", "opt_out_marketing", "correct"});
}

TEST_CASE("a resumed erasure never erases a row that took over a recorded rowid in between", "[fulfillment]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  // The fourth table fails, after the subject and every table's rows were resolved and recorded.
  Sql(db, "CREATE TRIGGER billing_ro BEFORE DELETE ON billing BEGIN SELECT RAISE(ABORT, 'billing is locked'); END;");
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  auto r = fulfiller.Run("erase", "REF-11", Alex());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("billing is locked"));
  // Meanwhile Alex unsubscribed on their own, and a new reader got the freed row id 1.
  Sql(db, "DELETE FROM newsletter_subscriptions WHERE id = 1; "
          "INSERT INTO newsletter_subscriptions (id, email, subscribed, topics, source, subscribed_at, consent_ip) "
          "VALUES (1, 'new.reader@example.net', 1, 'tips', 'footer_form', '2026-11-20T00:00:00Z', NULL); "
          "DROP TRIGGER billing_ro;");
  auto ok = fulfiller.Run("erase", "REF-11", Alex());
  REQUIRE(ok.ok());
  CHECK(Column(db, "SELECT id || ':' || email FROM newsletter_subscriptions ORDER BY rowid") ==
        std::vector<std::string>{"1:new.reader@example.net", "2:blake.rivers@example.org", "3:reader@example.net"});
  CHECK(ok->summary.at("tables").at("newsletter_subscriptions").at("linked") == 0);
  CHECK(ok->summary.at("tables").at("billing").at("deleted") == 1);
}
