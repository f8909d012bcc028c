// The service over a real store in a temporary folder, with the shipped workflows and mail
// templates and a manual clock: shared by the tests in tests/service.
#pragma once

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

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
#include "schedule/workers.h"
#include "support/sql.h"

namespace dsar::test {

namespace fs = std::filesystem;

inline constexpr Millis kStart = 1795165200000;  // 2026-11-20T09:00:00Z

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  fs::path dir;
  service::Config cfg;
  ManualClock clock{kStart};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Engine> svc;

  explicit Fixture(const std::string& workflows = std::string(DSAR_SOURCE_DIR) + "/workflows",
                   const std::string& time_zone = "UTC") {
    char tmpl[] = "/tmp/dsar-svc-XXXXXX";
    dir = mkdtemp(tmpl);
    cfg.db_path = (dir / "dsar.db").string();
    cfg.workflows_dir = workflows;
    cfg.templates_dir = std::string(DSAR_SOURCE_DIR) + "/templates/mail";
    cfg.secret_key_file = (dir / "secret.key").string();
    cfg.outbox_maildir = (dir / "outbox").string();
    cfg.exports_dir = (dir / "exports").string();
    cfg.time_zone = time_zone;
    Open();
  }
  ~Fixture() {
    svc.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void Open() {
    svc.reset();
    store.reset();
    auto st = store::Store::Open({cfg.db_path});
    REQUIRE(st.ok());
    store = std::move(st.value());
    auto s = service::Engine::Create(cfg, *store, clock);
    if (!s.ok()) FAIL(s.status().ToString());
    svc = std::move(s.value());
  }
  long Count(const std::string& sql) { return static_cast<long>(test_sql::Count(store->path(), sql)); }
  std::string Text(const std::string& sql) { return test_sql::First(store->path(), sql); }
  store::RequestRow Create(const std::string& type, const std::string& email, const std::string& jurisdiction = "gdpr") {
    service::CreateRequestInput in;
    in.type = type;
    in.jurisdiction = jurisdiction;
    in.subject.email = email;
    in.subject.name = "Test Person";
    auto r = svc->CreateRequest(in);
    if (!r.ok()) FAIL(r.status().ToString());
    return r->request;
  }
  // The newest code queued for `id`, read from its outbox row before delivery (CodeFor reads
  // delivered mail in directory order, which does not tell the newest).
  std::string NewestCode(const std::string& id) {
    const std::string body = Text("SELECT body FROM outbox WHERE request_id = '" + id +
                                  "' AND template = 'verification_code' ORDER BY id DESC LIMIT 1");
    std::smatch m;
    REQUIRE(std::regex_search(body, m, std::regex("\\n\\s+([0-9]{6})\\r?\\n")));
    return m[1];
  }
  // The request's transitions for `event`, oldest first.
  std::vector<store::TransitionRow> Events(const std::string& id, const std::string& event) {
    std::vector<store::TransitionRow> out;
    auto all = svc->Transitions(id);  // kept alive: never iterate a temporary's contents
    REQUIRE(all.ok());
    for (auto& t : *all)
      if (t.event == event) out.push_back(t);
    return out;
  }
  // Delivers the outbox into the Maildir and reads the newest code mailed for `reference`.
  std::string CodeFor(const std::string& reference) {
    service::Workers w(*svc, nullptr);
    REQUIRE(w.DeliverOutbox().ok());
    std::string code;
    for (const auto& e : fs::directory_iterator(dir / "outbox" / "new")) {
      const std::string text = Slurp(e.path());
      if (text.find("[" + reference + "] Confirm") == std::string::npos) continue;
      std::smatch m;
      if (std::regex_search(text, m, std::regex("\\n\\s+([0-9]{6})\\r?\\n"))) code = m[1];
    }
    REQUIRE(code.size() == 6);
    return code;
  }
};

// A transition's data.
inline boost::json::object Data(const store::TransitionRow& t) { return boost::json::parse(t.data_json).as_object(); }

}  // namespace dsar::test
