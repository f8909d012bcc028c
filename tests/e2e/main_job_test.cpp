// The main job end to end, through the real binary: `dsar serve` on a temporary database with a
// manual clock, every fixture email through `dsar intake-mail`, verification by replying with
// the code read from the delivered mail, a legal hold placed and released, fulfillment against
// the demo company database, and the results read back over the HTTP API and from the tables.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/harness.h"

using namespace dsar::test;
namespace json = boost::json;

namespace {

const std::string kFixtures = std::string(DSAR_SHARED_FIXTURES) + "/mail/requests";
const char* kClock = "2026-11-17T09:00:00Z";

struct ExpectedRow {
  std::string file, outcome, type, subject, requester;
};

std::vector<ExpectedRow> ExpectedTsv() {
  std::ifstream in(kFixtures + "/expected.tsv");
  std::vector<ExpectedRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    cols.resize(7);
    if (cols[0].rfind("TEMPLATE", 0) == 0) continue;
    rows.push_back({cols[0], cols[1], cols[2], cols[3], cols[4]});
  }
  return rows;
}


struct Api;
size_t Fulfilling(const Api& api);

struct Api {
  unsigned short port;
  std::string token;
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "") const {
    return Http(port, method, target, body, {{"Authorization", "Bearer " + token}});
  }
  json::object Request(const std::string& id) const {
    auto r = Call("GET", "/api/v1/requests/" + id);
    REQUIRE(r.status == 200);
    return r.json().as_object();
  }
  std::vector<json::object> ByEmail(const std::string& email) const {
    auto r = Call("GET", "/api/v1/requests?email=" + email);
    REQUIRE(r.status == 200);
    std::vector<json::object> out;
    const json::value body = r.json();
    for (const auto& v : body.at("items").as_array()) out.push_back(v.as_object());
    return out;
  }
  std::string State(const std::string& id) const { return std::string(Request(id).at("state").as_string()); }
  std::vector<std::string> History(const std::string& id) const {
    auto r = Call("GET", "/api/v1/requests/" + id + "/transitions");
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    const json::value body = r.json();
    for (const auto& t : body.at("items").as_array()) {
      const auto& o = t.as_object();
      const std::string from = o.at("from").is_null() ? "-" : std::string(o.at("from").as_string());
      out.push_back(from + ">" + std::string(o.at("to").as_string()) + ":" + std::string(o.at("event").as_string()));
    }
    return out;
  }
};

// reference -> (code, Message-ID with angle brackets) from the verification mails in the Maildir.
std::map<std::string, std::pair<std::string, std::string>> Codes(const Deployment& d) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const auto& f : d.MailFiles()) {
    const std::string text = ReadFile(f);
    std::smatch m;
    const std::string subject = MailHeader(text, "Subject");
    if (!std::regex_search(subject, m, std::regex("^\\[(DSR-[0-9A-Z]{4}-[0-9A-Z]{4})\\]"))) continue;
    const std::string ref = m[1];
    // The code mail (in the requester's language) is the one with the code on its own indented line.
    std::smatch c;
    if (!std::regex_search(text, c, std::regex("\\r?\\n {4}([0-9]{6})\\r?\\n"))) continue;
    out[ref] = {c[1], MailHeader(text, "Message-ID")};
  }
  return out;
}

// How many requests are still in `fulfilling` (their step not yet run).
size_t Fulfilling(const Api& api) {
  auto r = api.Call("GET", "/api/v1/requests?state=fulfilling");
  REQUIRE(r.status == 200);
  const json::value body = r.json();
  return body.at("items").as_array().size();
}

std::string FillTemplate(const std::string& ref, const std::string& code, const std::string& our_id, int n) {
  std::string t = ReadFile(kFixtures + "/TEMPLATE_reply_with_code.eml");
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at; (at = t.find(from)) != std::string::npos;) t.replace(at, from.size(), to);
  };
  replace("{{CODE}}", code);
  replace("{{REFERENCE}}", ref);
  replace("{{OUR_MESSAGE_ID}}", our_id);
  replace("{{MESSAGE_ID}}", "<e2e-reply-" + std::to_string(n) + "@example.com>");
  return t;
}

// A person of the demo company who asked for nothing: all of their rows, in every table.
std::string UnrelatedRows(const Deployment& d, const std::string& account) {
  const std::string db = d.company_db();
  return Query(db, "SELECT * FROM accounts WHERE id = '" + account + "'") + "\n#" +
         Query(db, "SELECT * FROM projects WHERE account_id = '" + account + "' ORDER BY id") + "\n#" +
         Query(db, "SELECT d.* FROM deployments d JOIN projects p ON p.id = d.project_id WHERE p.account_id = '" +
                       account + "' ORDER BY d.id") + "\n#" +
         Query(db, "SELECT * FROM billing WHERE account_id = '" + account + "' ORDER BY invoice_no") + "\n#" +
         Query(db, "SELECT * FROM support_tickets WHERE account_id = '" + account + "' ORDER BY id") + "\n#" +
         Query(db, "SELECT * FROM analytics_identifiers WHERE account_id = '" + account + "' ORDER BY id") + "\n#" +
         Query(db, "SELECT n.* FROM newsletter_subscriptions n JOIN accounts a ON lower(a.email) = lower(n.email) "
                   "WHERE a.id = '" + account + "' ORDER BY n.id");
}

}  // namespace

TEST_CASE("the main job: fixture emails to completed requests, with history, exports and erased rows", "[e2e]") {
  Deployment d;
  const auto expected = ExpectedTsv();
  REQUIRE(expected.size() == 17);

  std::set<std::string> fixture_subjects;
  for (const auto& row : expected) fixture_subjects.insert(row.subject);
  // An unrelated person (not in any fixture), and their rows before anything runs.
  std::string unrelated;
  for (const std::string& line : [&] {
         std::vector<std::string> v;
         std::stringstream ss(Query(d.company_db(), "SELECT id || '|' || lower(email) FROM accounts ORDER BY id LIMIT 50"));
         for (std::string l; std::getline(ss, l);) v.push_back(l);
         return v;
       }()) {
    const auto bar = line.find('|');
    if (!fixture_subjects.count(line.substr(bar + 1))) {
      unrelated = line.substr(0, bar);
      break;
    }
  }
  REQUIRE_FALSE(unrelated.empty());
  const std::string unrelated_before = UnrelatedRows(d, unrelated);
  const std::string alex_account = Query(d.company_db(), "SELECT id FROM accounts WHERE lower(email) = 'alex.morgan@example.com'");
  const std::string alex_kept_invoices = Query(
      d.company_db(), "SELECT invoice_no FROM billing WHERE account_id = '" + alex_account +
                          "' AND status IN ('paid','refunded') ORDER BY invoice_no");
  REQUIRE_FALSE(alex_account.empty());

  int rc = 0;
  const std::string token = d.Cli({"--test-clock", kClock, "token", "create", "--name", "e2e"}, "", &rc);
  REQUIRE(rc == 0);
  REQUIRE(token.size() == 52);
  const unsigned short port = d.StartServer({"--test-clock", kClock});
  const Api api{port, token};

  // 1. Intake: every fixture, through the CLI (the Postfix pipe path) beside the running server.
  std::map<std::string, std::string> line_of;
  for (const auto& row : expected) {
    line_of[row.file] = d.Cli({"--test-clock", kClock, "intake-mail", kFixtures + "/" + row.file}, "", &rc);
    INFO(row.file << " -> " << line_of[row.file]);
    REQUIRE(rc == 0);
  }
  const std::regex ref_re("^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$");
  std::map<std::string, std::string> id_of;  // fixture file -> request id
  for (const auto& row : expected) {
    INFO(row.file << " -> " << line_of[row.file]);
    if (row.outcome == "request") {
      REQUIRE(std::regex_match(line_of[row.file], ref_re));
      const auto found = api.ByEmail(row.subject);
      REQUIRE(found.size() == 1);
      const auto& r = found[0];
      CHECK(r.at("reference").as_string() == line_of[row.file]);
      CHECK(r.at("type").as_string() == row.type);
      CHECK(r.at("channel").as_string() == "email");
      CHECK(r.at("received_at").as_string() == kClock);  // no Received header: our intake time
      if (row.requester.empty()) CHECK(r.at("requester").is_null());
      else CHECK(r.at("requester").at("email").as_string() == row.requester);
      id_of[row.file] = std::string(r.at("id").as_string());
    } else if (row.outcome == "triage") {
      CHECK(std::regex_match(line_of[row.file], std::regex("^triage [0-9]+$")));
      CHECK(api.ByEmail(row.subject).empty());
    }
  }
  // The redelivered message named the first request and created nothing.
  CHECK(line_of["gmail_en_delete_account_redelivered.eml"] == line_of["gmail_en_delete_account.eml"] + " (redelivery)");
  CHECK(api.ByEmail("alex.morgan@example.com").size() == 1);

  const std::string alex = id_of["gmail_en_delete_account.eml"];
  const std::string kenji = id_of["forwarded_by_staff_deletion.eml"];
  const std::string sean = id_of["outlook_en_access_gdpr.eml"];
  const std::string javier = id_of["yahoo_es_portabilidad.eml"];
  const std::string jordan = id_of["gmail_en_ccpa_do_not_sell.eml"];
  const std::string anna = id_of["outlook_en_correction.eml"];
  CHECK(api.Request(alex).at("due_at").as_string() == "2026-12-17T23:59:59.999Z");  // one month (GDPR rule)
  // 15 business days (Cal. Code Regs. tit. 11 § 7026(f)); 26 and 27 November are California holidays.
  CHECK(api.Request(jordan).at("due_at").as_string() == "2026-12-10T23:59:59.999Z");

  // 2. A legal hold on one deletion's data subject.
  auto hold = api.Call("POST", "/api/v1/legal-holds",
                       R"({"subject_email":"kenji.watanabe@example.net","matter":"M-2026-7","reason":"litigation hold"})");
  REQUIRE(hold.status == 201);
  const std::string hold_id(hold.json().at("id").as_string());

  // 3. Verification by reply: the codes come from the delivered mail, never the database.
  std::vector<std::string> verifying;
  for (const auto& [file, id] : id_of)
    if (api.State(id) == "verifying") verifying.push_back(id);
  CHECK(verifying.size() == 13);  // all but the two opt-outs
  std::map<std::string, std::pair<std::string, std::string>> codes;
  REQUIRE(WaitFor([&] {
    codes = Codes(d);
    return codes.size() == verifying.size();
  }));
  const std::string alex_ref(api.Request(alex).at("reference").as_string());
  const auto [alex_code, alex_mid] = codes[alex_ref];
  const std::string wrong = alex_code == "000000" ? "111111" : "000000";
  CHECK(d.Cli({"--test-clock", kClock, "intake-mail"}, FillTemplate(alex_ref, wrong, alex_mid, 0)) == alex_ref + " (reply)");
  CHECK(api.State(alex) == "verifying");
  CHECK(Query(d.db(), "SELECT attempts FROM verifications WHERE request_id = '" + alex + "'") == "1");
  int n = 1;
  for (const std::string& id : verifying) {
    const std::string ref(api.Request(id).at("reference").as_string());
    CHECK(d.Cli({"--test-clock", kClock, "intake-mail"}, FillTemplate(ref, codes[ref].first, codes[ref].second, n++)) == ref + " (reply)");
  }

  // 3b. The authorized agent's deletion waits, verified, until staff record the agent's authority
  // (issue 5 §2, Cal. Code Regs. tit. 11 § 7063(a): a signed permission, and the data subject
  // confirmed with the code mailed to them).
  const std::string dana = id_of["agent_en_ccpa_deletion.eml"];
  REQUIRE(WaitFor([&] { return api.Request(dana).at("identity_verified").as_bool(); }));
  CHECK(api.State(dana) == "verifying");
  auto authorized = api.Call("POST", "/api/v1/requests/" + dana + "/agent-authorization",
                             R"J({"kind":"signed_permission","note":"signed permission attached to the request (PDF)","evidence_ref":"agent_en_ccpa_deletion.eml"})J");
  CHECK(authorized.status == 200);

  // 4. Fulfillment runs in the server's workers; staff complete the correction's task.
  REQUIRE(WaitFor([&] { return api.State(alex) == "completed" && api.State(sean) == "awaiting_approval" &&
                               api.State(javier) == "completed" && api.State(jordan) == "completed" &&
                               api.State(anna) == "awaiting_approval" && Fulfilling(api) == 0; }));
  CHECK(api.State(kenji) == "on_hold");
  // The access packages wait for the redaction review (issue 5 §5); staff look and approve.
  {
    auto review = api.Call("GET", "/api/v1/requests/" + sean + "/package");
    REQUIRE(review.status == 200);
    CHECK(review.json().at("total_rows").as_int64() > 0);
    auto waiting = api.Call("GET", "/api/v1/requests?state=awaiting_approval&type=access");
    REQUIRE(waiting.status == 200);
    const json::value items = waiting.json();
    for (const auto& item : items.at("items").as_array()) {
      const std::string id(item.at("id").as_string());
      CHECK(api.Call("POST", "/api/v1/requests/" + id + "/events", R"({"event":"approve","reason":"reviewed"})").status ==
            200);
    }
    CHECK(api.State(sean) == "completed");
  }
  // The correction: staff approve the exact change (issue 5 §6); the `correct` step applies it.
  CHECK(Query(d.company_db(), "SELECT name FROM accounts WHERE email = 'anna.kowalski@example.org'") == "Anna Kowalsky");
  auto approve = api.Call("POST", "/api/v1/requests/" + anna + "/events",
                          R"({"event":"approve","reason":"surname misspelled","data":{"changes":[)"
                          R"({"table":"accounts","column":"name","value":"Anna Kowalski"}]}})");
  CHECK(approve.status == 200);
  REQUIRE(WaitFor([&] { return api.State(anna) == "completed"; }));
  CHECK(Query(d.company_db(), "SELECT name FROM accounts WHERE email = 'anna.kowalski@example.org'") == "Anna Kowalski");

  // 5. Releasing the hold resumes the deletion by itself.
  auto released = api.Call("DELETE", "/api/v1/legal-holds/" + hold_id, R"({"reason":"matter closed"})");
  REQUIRE(released.status == 200);
  REQUIRE(WaitFor([&] { return api.State(kenji) == "completed"; }));

  // Final states of every request.
  for (const auto& row : expected) {
    if (row.outcome != "request") continue;
    const std::string state = api.State(id_of[row.file]);
    INFO(row.file);
    if (row.type == "objection") CHECK(state == "awaiting_task");
    else CHECK(state == "completed");
  }

  // The full persisted history.
  // The wrong code first: a note for staff with what was refused; then the right one.
  CHECK(api.History(alex) == std::vector<std::string>{"->received:create", "received>verifying:submit",
                                                      "verifying>verifying:message_received",
                                                      "verifying>hold_check:identity_verified",
                                                      "hold_check>fulfilling:holds_clear",
                                                      "fulfilling>completed:fulfilled"});
  CHECK(api.History(kenji) == std::vector<std::string>{
                                  "->received:create", "received>verifying:submit", "verifying>verifying:hold_placed",
                                  "verifying>hold_check:identity_verified", "hold_check>on_hold:hold_active",
                                  "on_hold>hold_check:hold_released", "hold_check>fulfilling:holds_clear",
                                  "fulfilling>completed:fulfilled"});
  CHECK(api.History(jordan) == std::vector<std::string>{"->received:create", "received>fulfilling:submit",
                                                        "fulfilling>completed:fulfilled"});
  CHECK(Query(d.db(), "SELECT DISTINCT at FROM transitions") == "1794906000000");  // the injected clock
  CHECK(Query(d.db(), "SELECT actor FROM transitions WHERE request_id = '" + alex + "' ORDER BY version") ==
        "intake\nsystem\nrequester\nrequester\nsystem\nsystem");

  // The access export: the data subject's rows, nobody else's.
  auto exp = api.Call("GET", "/api/v1/requests/" + sean + "/export");
  REQUIRE(exp.status == 200);
  CHECK(exp.headers["content-type"] == "application/zip");
  CHECK(exp.headers["content-disposition"].find(api.Request(sean).at("reference").as_string().c_str()) !=
        std::string::npos);
  const auto members = ZipMembers(exp.body);
  REQUIRE(members.size() >= 3);
  CHECK(members[0] == "index.html");
  CHECK(members[1] == "data.json");
  const json::value access = json::parse(ZipMember(exp.body, "data.json"));
  const auto& accounts = access.at("tables").at("accounts").at("rows").as_array();
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0].at("email").as_string() == "sean.obrien@example.org");
  for (const auto& m : members) CHECK(ZipMember(exp.body, m).find("alex.morgan@example.com") == std::string::npos);
  CHECK(ZipMember(exp.body, "index.html").find(std::string(api.Request(sean).at("reference").as_string())) !=
        std::string::npos);
  // The portability package: a ZIP.
  auto zip = api.Call("GET", "/api/v1/requests/" + javier + "/export");
  REQUIRE(zip.status == 200);
  CHECK(zip.headers["content-type"] == "application/zip");
  CHECK(zip.body.substr(0, 4) == std::string("PK\x03\x04", 4));

  // Rows left in the demo company database.
  const std::string db = d.company_db();
  CHECK(Query(db, "SELECT count(*) FROM accounts WHERE lower(email) IN ('alex.morgan@example.com', "
                  "'kenji.watanabe@example.net', 'claire.dubois@example.net', 'daan.devries@example.org', "
                  "'lucia.bianchi@example.com', 'dana.whitfield@example.com')") == "0");
  CHECK(Query(db, "SELECT count(*) FROM projects WHERE account_id = '" + alex_account + "'") == "0");
  CHECK(Query(db, "SELECT count(*) FROM analytics_identifiers WHERE account_id = '" + alex_account + "'") == "0");
  // Paid and refunded invoices are kept for tax law, no longer linked to the person.
  if (!alex_kept_invoices.empty()) {
    std::string in_list;
    std::stringstream ss(alex_kept_invoices);
    for (std::string inv; std::getline(ss, inv);) in_list += (in_list.empty() ? "'" : ",'") + inv + "'";
    CHECK(Query(db, "SELECT invoice_no FROM billing WHERE invoice_no IN (" + in_list + ") ORDER BY invoice_no") ==
          alex_kept_invoices);
    CHECK(Query(db, "SELECT count(*) FROM billing WHERE invoice_no IN (" + in_list + ") AND account_id IS NOT NULL") == "0");
  }
  CHECK(Query(db, "SELECT sale_opt_out FROM accounts WHERE lower(email) = 'jordan.lee@example.com'") == "1");
  CHECK(Query(db, "SELECT marketing_opt_in FROM accounts WHERE lower(email) = 'priya.n@example.net'") == "0");
  CHECK(Query(db, "SELECT count(*) FROM newsletter_subscriptions WHERE lower(email) = 'priya.n@example.net' AND subscribed = 1") == "0");
  CHECK(Query(db, "SELECT count(*) FROM accounts WHERE lower(email) = 'sean.obrien@example.org'") == "1");  // access erases nothing
  CHECK(UnrelatedRows(d, unrelated) == unrelated_before);

  // The suppression list (issue 5 §6): Alex was erased, Sean was not. The CLI reads identifiers
  // on stdin, the API in a body, and the demo company's newsletter import refuses Alex only.
  CHECK(d.Cli({"suppression", "check"}, "Alex.Morgan@example.com\nemail:sean.obrien@example.org\naccount_id:" +
                                            alex_account + "\n") == "suppressed\nnot suppressed\nsuppressed");
  // A line that is no identifier is answered "invalid", never "not suppressed", and the exit
  // status says so (65).
  int check_rc = 0;
  CHECK(d.Cli({"suppression", "check"}, "Alex Morgan <alex.morgan@example.com>\nssn:123\n", &check_rc) ==
        "suppressed\ninvalid: not an email address, phone number or account id");
  CHECK(check_rc == 65);
  auto check = api.Call("POST", "/api/v1/suppression/check",
                        R"({"identifiers":[{"value":"alex.morgan@example.com"},{"kind":"email","value":"sean.obrien@example.org"}]})");
  REQUIRE(check.status == 200);
  CHECK(json::serialize(check.json()) ==
        R"({"results":[{"kind":"email","suppressed":true},{"kind":"email","suppressed":false}]})");
  CHECK(d.Cli({"--test-clock", kClock, "demo-import", "newsletter"}, "alex.morgan@example.com\nnew.reader@example.com\n") ==
        "line 1: refused: suppressed (erased on request)\nline 2: imported\nimported 1, refused 1 (suppressed)");
  CHECK(Query(db, "SELECT count(*) FROM newsletter_subscriptions WHERE lower(email) = 'alex.morgan@example.com'") == "0");
  CHECK(Query(db, "SELECT count(*) FROM newsletter_subscriptions WHERE email = 'new.reader@example.com'") == "1");
  CHECK(Query(d.db(), "SELECT count(*) FROM suppression WHERE identifier_hash LIKE '%alex%'") == "0");

  // Personal data and secrets are owner-only, whatever the umask of whoever started dsar.
  for (const std::string& path : {d.db(), d.dir() + "/secret.key", d.exports()}) {
    INFO(path);
    CHECK((std::filesystem::status(path).permissions() &
           (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) == std::filesystem::perms::none);
  }
  CHECK(d.StopServer() == 0);
}

TEST_CASE("a crash between a transition's commit and its mail's delivery leaves exactly one mail", "[e2e][crash]") {
  Deployment d(false);
  // The crash hook ends the server right after the first mail file is written, before the outbox
  // row is marked delivered.
  d.StartServer({"--test-clock", kClock}, {{"DSAR_TEST_CRASH", "after_maildir_write"}});
  int rc = 0;
  const std::string ref = d.Cli({"--test-clock", kClock, "intake-mail", kFixtures + "/gmail_en_delete_account.eml"}, "", &rc);
  REQUIRE(rc == 0);
  CHECK(d.WaitServerExit() == 42);
  CHECK(d.MailFiles().size() == 1);
  CHECK(Query(d.db(), "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == "2");

  d.StartServer({"--test-clock", kClock});
  REQUIRE(WaitFor([&] { return Query(d.db(), "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == "0"; }));
  const auto files = d.MailFiles();
  REQUIRE(files.size() == 2);  // the acknowledgment and the code, each once
  std::set<std::string> ids;
  for (const auto& f : files) ids.insert(MailHeader(ReadFile(f), "Message-ID"));
  CHECK(ids.size() == 2);
  CHECK(Query(d.db(), "SELECT count(*) FROM outbox") == "2");
  // Once delivered, the mail that carried the code no longer holds it.
  CHECK(Query(d.db(), "SELECT count(*) FROM outbox WHERE carries_secret = 1 AND body IS NOT NULL") == "0");
  CHECK(d.StopServer() == 0);
}

TEST_CASE("dsar serve refuses to start on an invalid workflow and names file and line", "[e2e]") {
  Deployment d(false);
  const std::string bad = d.dir() + "/workflows";
  std::filesystem::copy(std::string(DSAR_SOURCE_DIR) + "/workflows", bad);
  std::ofstream(bad + "/deletion.yaml", std::ios::app) << "  extra_state:\n    on: { submit: { to: nowhere } }\n";
  int rc = 0;
  const std::string out = d.Cli({"serve", "--listen", "127.0.0.1:0", "--workflows", bad}, "", &rc, true);
  CHECK(rc != 0);
  CHECK(out.find(bad + "/deletion.yaml:") != std::string::npos);
  CHECK(out.find("nowhere") != std::string::npos);
  // The same check from the command line, with its exit code.
  const std::string check = d.Cli({"workflows", "check", bad}, "", &rc);
  CHECK(rc == 1);
  CHECK(check.find("deletion.yaml:") != std::string::npos);
}

TEST_CASE("dsar workflows check also checks the verification policies and the jurisdiction rules", "[e2e]") {
  Deployment d(false);
  const std::string dir = d.dir() + "/workflows-checked";
  std::filesystem::copy(std::string(DSAR_SOURCE_DIR) + "/workflows", dir, std::filesystem::copy_options::recursive);
  int rc = 0;
  std::string out = d.Cli({"workflows", "check", dir}, "", &rc);
  CHECK(rc == 0);
  // A verification policy with an attempt limit that is not a number, at the end of the file.
  std::ofstream(dir + "/verification/verification.yaml", std::ios::app)
      << "  portability_extra:\n    max_attempts: many\n";
  out = d.Cli({"workflows", "check", dir}, "", &rc);
  CHECK(rc == 1);
  CHECK(out.find(dir + "/verification/verification.yaml:") != std::string::npos);
  CHECK(out.find("ok (id deletion") != std::string::npos);  // the workflows themselves are fine
}
