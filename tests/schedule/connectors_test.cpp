// Connectors and the step ledger (issue 5 §4): a failed step puts the request in `error` with the
// step and the cause; `retry` resumes at the failed step and never redoes a finished one; manual
// systems become staff tasks completed with evidence; webhook systems and processors get a signed
// POST, complete in the answer or by a one-time callback before a deadline. The erasures run
// against a small company database with the demo schema and map (tests/fulfillment/helpers.h);
// the webhooks go to tests/support/webhook_receiver.py on a free loopback port.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "api/presenters.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "identity/suppression.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/corrections.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "fulfillment/connectors/webhook.h"
#include "fulfillment/connectors/webhook.h"
#include "schedule/workers.h"
#include "support/company_fixture.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;
namespace json = boost::json;
namespace ft = dsar::fulfillment::testing;

namespace {

// The ledger as "system/table status runs", oldest first.
std::vector<std::string> LedgerLines(Fixture& f, const std::string& id) {
  auto rows = Ledger(*f.svc, id);
  REQUIRE(rows.ok());
  std::vector<std::string> out;
  for (const auto& l : *rows)
    out.push_back(l.system + "/" + l.table_name + " " + l.status + " " + std::to_string(l.runs));
  return out;
}

// A verified deletion of Alex, in `fulfilling`.
store::RequestRow VerifiedDeletion(Fixture& f, const std::string& email = "alex.morgan@example.com") {
  const auto r = f.Create("deletion", email);
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  REQUIRE(f.svc->Get(r.id)->state == "fulfilling");
  return r;
}

json::object Summary(Fixture& f, const std::string& id) {
  auto done = f.Events(id, "fulfilled");
  REQUIRE(done.size() == 1);
  json::object s = Data(done[0]).at("summary").as_object();
  s.erase("reference");  // differs between two fixtures
  return s;
}

// tests/support/webhook_receiver.py on a free loopback port.
class Receiver {
 public:
  Receiver(const std::string& dir, const std::string& secret_file) : dir_(dir) {
    const std::string ready = dir_ + "/ready", log = dir_ + "/hooks.log", out = dir_ + "/receiver.out";
    std::vector<std::string> args = {"/usr/bin/python3", std::string(DSAR_TESTS_DIR) + "/support/webhook_receiver.py",
                                     "--ready-file", ready, "--secret-file", secret_file, "--log", log};
    pid_ = fork();
    if (pid_ == 0) {
      FILE* o = std::freopen(out.c_str(), "w", stdout);
      (void)o;
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 400 && port_ == 0; ++i) {
      const std::string text = ft::ReadFile(ready);
      if (text.rfind("ready ", 0) == 0 && text.back() == '\n') port_ = std::stoi(text.substr(6));
      else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(port_ > 0);
  }
  ~Receiver() {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<json::object> Calls() const {
    std::vector<json::object> out;
    std::istringstream in(ft::ReadFile(dir_ + "/hooks.log"));
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line).as_object());
    return out;
  }

 private:
  std::string dir_;
  int pid_ = -1;
  int port_ = 0;
};

std::string Str(const json::value& v) { return std::string(v.as_string()); }

}  // namespace

TEST_CASE("connectors: the webhook signature is HMAC-SHA-256 over the timestamp, a dot and the body",
          "[service][connectors]") {
  // The same value as Python's hmac.new(b"whsec-test-0123456789", b"1795165200." + body, sha256).
  CHECK(fulfillment::WebhookSignature("whsec-test-0123456789", 1795165200, R"({"event":"dsar.fulfillment"})") ==
        "v1=2170fd8961a8434621196b108ac04536cbd6d44af2e225790fa890d4f3130c47");
}

TEST_CASE("connectors: an erasure that fails at the second table goes to error with the step and cause, and "
          "retry resumes there, leaving what an undisturbed run leaves",
          "[service][connectors][ledger]") {
  // The undisturbed run, for comparison.
  Fixture g;
  Company clean(g);
  const auto u = VerifiedDeletion(g);
  service::Workers wu(*g.svc, clean.fulfiller);
  REQUIRE(*wu.RunJobs() == 1);
  REQUIRE(g.svc->Get(u.id)->state == "completed");

  Fixture f;
  Company c(f);
  const auto r = VerifiedDeletion(f);
  // projects, the map's second table, made unwritable.
  ft::Sql(c.db, "CREATE TRIGGER projects_ro BEFORE DELETE ON projects BEGIN "
                "SELECT RAISE(ABORT, 'projects is read-only'); END;");
  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "error");
  auto failed = f.Events(r.id, "step_failed");
  REQUIRE(failed.size() == 1);
  const json::object d = Data(failed[0]);
  CHECK(d.at("system") == "company_db");
  CHECK(d.at("table") == "projects");
  CHECK(d.at("action") == "erase");
  CHECK(d.at("kind") == "sqlite");
  CHECK(Str(d.at("ledger_step")) == r.id + "/erase/company_db/projects");
  CHECK_THAT(Str(d.at("cause")), Catch::Contains("projects is read-only"));
  CHECK_THAT(failed[0].reason, Catch::StartsWith("erase failed at company_db/projects: "));
  CHECK(LedgerLines(f, r.id) == std::vector<std::string>{"company_db/accounts done 1", "company_db/projects failed 1"});
  // The first table is erased, the second untouched.
  CHECK(c.Ids("accounts") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(c.Ids("projects") == std::vector<std::string>{"prj_a1", "prj_b1", "prj_a2"});

  // Fixed, then retried by staff: resumes at projects; accounts is not run again.
  ft::Sql(c.db, "DROP TRIGGER projects_ro");
  Event retry;
  retry.name = "retry";
  retry.actor = "staff:alice";
  REQUIRE(f.svc->ApplyStaffEvent(r.id, retry, std::nullopt).ok());
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(LedgerLines(f, r.id) ==
        std::vector<std::string>{"company_db/accounts done 1", "company_db/projects done 2",
                                 "company_db/deployments done 1", "company_db/billing done 1",
                                 "company_db/newsletter_subscriptions done 1", "company_db/support_tickets done 1",
                                 "company_db/analytics_identifiers done 1"});
  CHECK(ft::Column(c.db, "SELECT count(*) FROM dsar_fulfillment_log WHERE step = 'erase/accounts'") ==
        std::vector<std::string>{"1"});

  // Rows left in each table, and the report: as the undisturbed run's.
  for (const std::string& table : ft::DemoTables()) {
    INFO(table);
    CHECK(ft::Dump(c.db, table) == ft::Dump(clean.db, table));
  }
  CHECK(c.Ids("projects") == std::vector<std::string>{"prj_b1"});
  CHECK(c.Ids("deployments") == std::vector<std::string>{"dep_b1p"});
  CHECK(Summary(f, r.id) == Summary(g, u.id));
  CHECK(Summary(f, r.id).at("total_deleted") == 10);
}

TEST_CASE("connectors: a manual system's step is a staff task; the request waits, and completing it with a "
          "file as evidence resumes the erasure",
          "[service][connectors][tasks]") {
  Fixture f;
  f.cfg.evidence_dir = (f.dir / "evidence").string();
  f.Open();
  Company c(f, R"(
systems:
  paper_archive:
    kind: manual
    description: Signed paper contracts in the office archive
    instructions: Shred the data subject's paper contract and upload the destruction certificate.
    actions: [erase]
)");
  const auto r = VerifiedDeletion(f);
  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "awaiting_task");
  auto opened = f.Events(r.id, "task_opened");
  REQUIRE(opened.size() == 1);
  CHECK(Data(opened[0]).at("task") == "erase_paper_archive");
  CHECK(Data(opened[0]).at("system") == "paper_archive");
  CHECK(Data(opened[0]).at("instructions") ==
        "Shred the data subject's paper contract and upload the destruction certificate.");
  CHECK(LedgerLines(f, r.id).back() == "paper_archive/ waiting 1");
  CHECK(LedgerLines(f, r.id).size() == 8);  // seven tables done, the task waiting
  auto open = Tasks(*f.svc, "");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK((*open)[0].job.step == "erase_paper_archive");
  CHECK((*open)[0].reference == r.reference);

  // Neither a note nor a file: refused; an unknown task: refused by the request.
  CHECK(CompleteTask(*f.svc, r.id, "erase_paper_archive", "", std::nullopt, "staff:alice", std::nullopt)
            .status()
            .IsInvalid());
  CHECK(CompleteTask(*f.svc, r.id, "shred", "done", std::nullopt, "staff:alice", std::nullopt).status().IsRefused());

  const std::string pdf = "%PDF-1.4 certificate of destruction\n";
  service::EvidenceUpload file{pdf, "application/pdf"};
  auto done = CompleteTask(*f.svc, r.id, "erase_paper_archive", "shredded on 2026-11-20", file, "staff:alice",
                                  std::nullopt);
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  CHECK(done->state == "fulfilling");
  const std::string sha = Sha256Hex(pdf);
  const fs::path stored = f.dir / "evidence" / r.reference / sha;
  CHECK(Slurp(stored) == pdf);
  struct stat st {};
  REQUIRE(::stat(stored.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((f.dir / "evidence" / r.reference).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  auto completed = f.Events(r.id, "complete_task");
  REQUIRE(completed.size() == 1);
  CHECK(completed[0].actor == "staff:alice");
  CHECK(Str(Data(completed[0]).at("evidence").at("sha256")) == sha);
  CHECK(Data(completed[0]).at("evidence").at("size") == static_cast<std::int64_t>(pdf.size()));
  CHECK(f.Text("SELECT sha256 || ' ' || size || ' ' || content_type || ' ' || note FROM task_evidence") ==
        sha + " " + std::to_string(pdf.size()) + " application/pdf shredded on 2026-11-20");

  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  auto lines = LedgerLines(f, r.id);
  CHECK(lines.back() == "paper_archive/ done 1");
  for (size_t i = 0; i + 1 < lines.size(); ++i) CHECK_THAT(lines[i], Catch::EndsWith(" done 1"));  // not run again
  const json::object s = Summary(f, r.id);
  REQUIRE(s.at("systems").as_array().size() == 1);
  CHECK(s.at("systems").at(0).at("system") == "paper_archive");
  CHECK(s.at("systems").at(0).at("result").at("completed").at("note") == "shredded on 2026-11-20");
  CHECK(Tasks(*f.svc, "")->empty());

  // Purged with its request (records retention), the evidence file too.
  f.clock.Advance(731 * kMillisPerDay);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM step_ledger") == 0);
  CHECK(f.Count("SELECT count(*) FROM task_evidence") == 0);
  CHECK_FALSE(fs::exists(f.dir / "evidence" / r.reference));
}

TEST_CASE("connectors: webhook systems and processors get a signed POST; completion in the answer, or by a "
          "one-time callback before the deadline; the deletion mail states the backups' retention",
          "[service][connectors][webhook]") {
  Fixture f;
  ft::TempDir hooks;
  const std::string secret_file = hooks / "hook.secret";
  ft::WriteFile(secret_file, "whsec-test-0123456789\n");
  Receiver rx(hooks.str(), secret_file);
  Company c(f, R"(
systems:
  crm:
    kind: webhook
    description: Customer relationship management
    endpoint: )" + rx.Url("/complete") + R"(
    secret_file: )" + secret_file + R"(
    connect_timeout: 1s
    timeout: 2s
    actions: [erase]
processors:
  mailer:
    description: Newsletter mailing service
    endpoint: )" + rx.Url("/accept") + R"(
    secret_file: )" + secret_file + R"(
    completion: callback
    callback_timeout: 1h
    receives: [deletion, opt_out_marketing]
backups:
  retention_days: 35
)");
  const auto r = VerifiedDeletion(f);
  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  // The CRM completed in its answer; the processor accepted and will call back.
  CHECK(f.svc->Get(r.id)->state == "fulfilling");
  CHECK(LedgerLines(f, r.id).at(7) == "crm/ done 1");
  CHECK(LedgerLines(f, r.id).at(8) == "mailer/ waiting 1");
  const auto calls = rx.Calls();
  REQUIRE(calls.size() == 2);
  for (const auto& call : calls) {
    // The exact signed bytes: the timestamp header, ".", the body as received.
    CHECK(call.at("signature_ok") == true);
    CHECK(call.at("timestamp") == "1795165200");
    CHECK(Str(call.at("signature")) ==
          fulfillment::WebhookSignature("whsec-test-0123456789", 1795165200, Str(call.at("body"))));
    CHECK(call.at("content_type") == "application/json");
  }
  const json::object crm = json::parse(Str(calls[0].at("body"))).as_object();
  CHECK(calls[0].at("path") == "/complete");
  CHECK(Str(calls[0].at("idempotency_key")) == r.id + "/erase/crm/");
  CHECK(crm.at("action") == "erase");
  CHECK(crm.at("request_type") == "deletion");
  CHECK(Str(crm.at("request").at("reference")) == r.reference);
  CHECK(crm.at("subject").at("email") == "alex.morgan@example.com");
  CHECK(crm.at("processor") == false);
  CHECK_FALSE(crm.contains("callback_url"));
  const json::object mailer = json::parse(Str(calls[1].at("body"))).as_object();
  CHECK(mailer.at("processor") == true);
  CHECK(mailer.at("callback_expires_at") == "2026-11-20T10:00:00Z");
  const std::string url = Str(mailer.at("callback_url"));
  const std::string prefix = "http://127.0.0.1:8080/api/v1/callbacks/";
  REQUIRE(url.rfind(prefix, 0) == 0);
  const std::string token = url.substr(prefix.size());
  // Only the token's keyed hash is stored.
  CHECK(f.Count("SELECT count(*) FROM webhook_callbacks WHERE token_hash = '" +
                f.svc->secrets().KeyedHash(service::CallbackHashInput(token)) + "'") == 1);
  CHECK(f.Count("SELECT count(*) FROM webhook_callbacks WHERE instr(token_hash, '" + token + "') > 0") == 0);

  // Nothing new until the callback; then the job resumes and completes.
  CHECK(*w.RunJobs() == 0);
  CHECK(Callback(*f.svc, "not-a-token", json::object{{"status", "completed"}}).status().IsNotFound());
  auto cb = Callback(*f.svc, token, json::object{{"status", "completed"}, {"removed", 12}});
  INFO(cb.status().ToString());
  REQUIRE(cb.ok());
  CHECK(cb->system == "mailer");
  CHECK(f.Events(r.id, "callback_received").size() == 1);
  // Single use.
  CHECK(Callback(*f.svc, token, json::object{{"status", "completed"}}).status().IsGone());
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(LedgerLines(f, r.id).at(8) == "mailer/ done 1");
  CHECK(rx.Calls().size() == 2);  // nobody was called twice
  const json::object s = Summary(f, r.id);
  CHECK(s.at("backups_retention_days") == 35);
  CHECK(s.at("systems").at(0).at("result").at("records_deleted") == 3);
  CHECK(s.at("systems").at(1).at("result").at("removed") == 12);

  // The completed mail says how long backups keep copies.
  REQUIRE(w.DeliverOutbox().ok());
  bool said = false;
  for (const auto& e : fs::directory_iterator(f.dir / "outbox" / "new")) {
    const std::string text = Slurp(e.path());
    if (text.find("is complete") != std::string::npos && text.find(r.reference) != std::string::npos)
      said = text.find("at the latest 35 days from now") != std::string::npos;
  }
  CHECK(said);

  SECTION("no callback before the deadline: the step fails and the request goes to error") {
    const auto late = VerifiedDeletion(f, "blake.rivers@example.org");
    REQUIRE(*w.RunJobs() == 1);
    CHECK(f.svc->Get(late.id)->state == "fulfilling");
    f.clock.Advance(kMillisPerHour + 1);
    REQUIRE(*w.ExpireCallbacks() == 1);
    CHECK(f.svc->Get(late.id)->state == "error");
    auto failed = f.Events(late.id, "step_failed");
    REQUIRE(failed.size() == 1);
    CHECK(Data(failed[0]).at("system") == "mailer");
    CHECK(Data(failed[0]).at("cause") == "no callback came before the deadline, 2026-11-20T10:00:00Z");
    // Its token no longer works.
    const std::string late_url = Str(json::parse(Str(rx.Calls().back().at("body"))).at("callback_url"));
    CHECK(Callback(*f.svc, late_url.substr(prefix.size()), json::object{{"status", "completed"}}).status().IsGone());
    // retry posts again, with the same Idempotency-Key and a new token; the tables are not run again.
    Event retry;
    retry.name = "retry";
    retry.actor = "staff:alice";
    REQUIRE(f.svc->ApplyStaffEvent(late.id, retry, std::nullopt).ok());
    REQUIRE(*w.RunJobs() == 1);
    const auto again = rx.Calls();
    REQUIRE(again.size() == 5);  // crm and mailer for each deletion, then mailer once more
    CHECK(again[4].at("idempotency_key") == again[3].at("idempotency_key"));
    CHECK(Str(again[4].at("idempotency_key")) == late.id + "/erase/mailer/");
    const std::string new_url = Str(json::parse(Str(again[4].at("body"))).at("callback_url"));
    CHECK(new_url != late_url);
    CHECK(LedgerLines(f, late.id).at(0) == "company_db/accounts done 1");
    CHECK(LedgerLines(f, late.id).at(8) == "mailer/ waiting 2");
    REQUIRE(Callback(*f.svc, new_url.substr(prefix.size()), json::object{{"status", "completed"}}).ok());
    REQUIRE(*w.RunJobs() == 1);
    CHECK(f.svc->Get(late.id)->state == "completed");
  }
  SECTION("a webhook that does not answer within its timeout fails the step") {
    Fixture g;
    Company slow(g, "systems:\n  crm:\n    kind: webhook\n    endpoint: " + rx.Url("/slow") +
                        "\n    secret_file: " + secret_file +
                        "\n    connect_timeout: 1s\n    timeout: 1s\n    actions: [erase]\n");
    const auto b = VerifiedDeletion(g);
    service::Workers wb(*g.svc, slow.fulfiller);
    REQUIRE(*wb.RunJobs() == 1);
    CHECK(g.svc->Get(b.id)->state == "error");
    auto failed = g.Events(b.id, "step_failed");
    REQUIRE(failed.size() == 1);
    CHECK_THAT(Str(Data(failed[0]).at("cause")), Catch::StartsWith("the webhook was not answered: Timeout was reached"));
    CHECK(LedgerLines(g, b.id).back() == "crm/ failed 1");
  }
  SECTION("a webhook that answers 500 fails the step") {
    Fixture g;
    Company broken(g, "systems:\n  crm:\n    kind: webhook\n    endpoint: " + rx.Url("/fail") +
                          "\n    secret_file: " + secret_file + "\n    actions: [erase]\n");
    const auto b = VerifiedDeletion(g);
    service::Workers wb(*g.svc, broken.fulfiller);
    REQUIRE(*wb.RunJobs() == 1);
    CHECK(g.svc->Get(b.id)->state == "error");
    auto failed = g.Events(b.id, "step_failed");
    REQUIRE(failed.size() == 1);
    CHECK(Data(failed[0]).at("cause") == "the webhook answered HTTP 500");
    CHECK(Data(failed[0]).at("system") == "crm");
  }
}

TEST_CASE("connectors: an opt-out is passed on to the processors that receive it, and to no one else "
          "(Cal. Code Regs. tit. 11 § 7026(f))",
          "[service][connectors][processors]") {
  Fixture f;
  ft::TempDir hooks;
  const std::string secret_file = hooks / "hook.secret";
  ft::WriteFile(secret_file, "whsec-test-0123456789\n");
  Receiver rx(hooks.str(), secret_file);
  Company c(f, R"(
systems:
  crm:
    kind: webhook
    endpoint: )" + rx.Url("/complete") + R"(
    secret_file: )" + secret_file + R"(
    actions: [erase]
processors:
  mailer:
    description: Newsletter mailing service
    endpoint: )" + rx.Url("/complete") + R"(
    secret_file: )" + secret_file + R"(
    receives: [deletion, opt_out_marketing]
  adsnet:
    description: Advertising partner
    endpoint: )" + rx.Url("/complete") + R"(
    secret_file: )" + secret_file + R"(
    receives: [opt_out_sale]
)");
  const auto r = f.Create("opt_out_marketing", "alex.morgan@example.com");
  REQUIRE(r.state == "fulfilling");
  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(LedgerLines(f, r.id) == std::vector<std::string>{"company_db/ done 1", "mailer/ done 1"});
  CHECK(c.Ids("newsletter_subscriptions", "id || ':' || subscribed") ==
        std::vector<std::string>{"1:0", "2:1", "3:0"});
  const auto calls = rx.Calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].at("signature_ok") == true);
  const json::object body = json::parse(Str(calls[0].at("body"))).as_object();
  CHECK(body.at("system") == "mailer");
  CHECK(body.at("action") == "opt_out_marketing");
  CHECK(body.at("request_type") == "opt_out_marketing");
  CHECK(body.at("processor") == true);
  const json::object s = Summary(f, r.id);
  REQUIRE(s.at("systems").as_array().size() == 1);
  CHECK(s.at("systems").at(0).at("kind") == "processor");
  CHECK(s.at("systems").at(0).at("description") == "Newsletter mailing service");
  CHECK(s.at("systems").at(0).at("result").at("status") == "completed");
  CHECK_FALSE(s.contains("backups_retention_days"));  // said for deletions only
}

namespace {

// The webhook seam (service/webhook.h) with a function in place of the network.
class FakeWebhooks : public fulfillment::WebhookClient {
 public:
  explicit FakeWebhooks(std::function<fulfillment::WebhookAnswer(const fulfillment::WebhookCall&)> fn) : fn_(std::move(fn)) {}
  fulfillment::WebhookAnswer Post(const fulfillment::WebhookCall& call, std::string_view) override { return fn_(call); }

 private:
  std::function<fulfillment::WebhookAnswer(const fulfillment::WebhookCall&)> fn_;
};

}  // namespace

TEST_CASE("connectors: a callback that arrives before the webhook's answer completes the step once",
          "[service][connectors][webhook]") {
  Fixture f;
  ft::TempDir hooks;
  const std::string secret_file = hooks / "hook.secret";
  ft::WriteFile(secret_file, "whsec-test-0123456789\n");
  Company c(f, R"(
processors:
  mailer:
    endpoint: http://127.0.0.1:9/hook
    secret_file: )" + secret_file + R"(
    completion: callback
    receives: [deletion]
)");
  const auto r = VerifiedDeletion(f);
  service::Workers w(*f.svc, c.fulfiller);
  int posts = 0;
  w.SetWebhookClient(std::make_unique<FakeWebhooks>([&](const fulfillment::WebhookCall& call) {
    ++posts;
    const std::string url = Str(json::parse(call.body).at("callback_url"));
    auto cb = Callback(*f.svc, url.substr(url.rfind('/') + 1), json::object{{"status", "completed"}, {"n", 1}});
    CHECK(cb.ok());
    fulfillment::WebhookAnswer a;
    a.reached = true;
    a.status = 202;
    a.body = R"({"status":"accepted"})";
    return a;
  }));
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(LedgerLines(f, r.id).back() == "mailer/ done 1");
  CHECK(f.Events(r.id, "callback_received").size() == 1);
  CHECK(f.Events(r.id, "fulfilled").size() == 1);
  CHECK(Summary(f, r.id).at("systems").at(0).at("result").at("n") == 1);
  // The job the callback scheduled finds the request completed and runs nothing.
  REQUIRE(*w.RunJobs() == 1);
  CHECK(posts == 1);
  CHECK(f.Events(r.id, "fulfilled").size() == 1);
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + r.id + "' AND status = 'cancelled'") == 1);
}

TEST_CASE("connectors: the deletion's completion mail states the backups' retention in every language",
          "[service][connectors][mail]") {
  auto t = service::MailTemplates::Load(std::string(DSAR_SOURCE_DIR) + "/templates/mail");
  REQUIRE(t.ok());
  const std::map<std::string, std::string> expected = {
      {"en", "at the latest 35 days from now."},
      {"de", "spätestens in 35 Tagen."},
      {"fr", "au plus tard dans 35 jours."},
      {"es", "a más tardar dentro de 35 días."},
      {"it", "al più tardi tra 35 giorni."},
      {"nl", "uiterlijk over 35 dagen."},
      {"pt", "o mais tardar dentro de 35 dias."},
      {"ja", "遅くとも35日後までに削除されます。"},
  };
  for (const auto& [lang, text] : expected) {
    INFO(lang);
    std::map<std::string, std::string> vars{{"reference", "DSR-TEST-0001"}, {"controller", "Nimbus Cloud"}};
    auto without = t->Render("completed", lang, "deletion", vars);
    REQUIRE(without.ok());
    CHECK(without->body.find(text) == std::string::npos);
    vars["backups_days"] = "35";
    auto with = t->Render("completed", lang, "deletion", vars);
    REQUIRE(with.ok());
    CHECK(with->language == lang);
    CHECK_THAT(with->body, Catch::Contains(text));
  }
}
