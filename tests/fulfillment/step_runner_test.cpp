// The step runner on its own: a store, fake connectors registered by kind, and a fake host that
// records the events it is asked to apply (no request service, no company database, no HTTP).
#include "fulfillment/step_runner.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/sql/sql_connector.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "store/store.h"

using namespace dsar;
namespace json = boost::json;
namespace ft = dsar::fulfillment::testing;

namespace {

class FixedClock : public Clock {
 public:
  Millis Now() const override { return 1'795'165'200'000; }
};

// Records the events applied; the request always waits for its fulfillment.
class FakeHost : public fulfillment::StepHost {
 public:
  std::vector<Event> applied;

  Status Apply(store::Tx&, store::RequestRow&, const Event& event) override {
    applied.push_back(event);
    return Status::Ok();
  }
  Result<bool> AwaitsFulfillment(store::Tx&, const store::RequestRow&) override { return true; }
  Result<std::vector<fulfillment::CorrectionChange>> ParseCorrections(const json::object&) override {
    return std::vector<fulfillment::CorrectionChange>{};
  }
  Status SuppressErased(store::Tx&, const store::RequestRow&, const std::vector<std::string>&,
                        const std::vector<std::string>&) override {
    return Status::Ok();
  }
  std::string HoldCitation(const std::string&) override { return ""; }
  std::string NewCallbackToken() override { return "token"; }
  std::string CallbackTokenHash(const std::string& token) override { return "hash:" + token; }
};

// Outcomes to answer with, one per run, and the runs counted.
struct Script {
  std::vector<fulfillment::StepOutcome> outcomes;
  int runs = 0;
  fulfillment::StepOutcome Next() {
    REQUIRE(runs < static_cast<int>(outcomes.size()));
    return outcomes[runs++];
  }
};

// A system's connector that answers from a script.
class ScriptedConnector : public fulfillment::Connector {
 public:
  explicit ScriptedConnector(std::vector<fulfillment::StepOutcome> outcomes) : script{std::move(outcomes)} {}
  Script script;
  fulfillment::StepOutcome Run(const fulfillment::StepContext&) override { return script.Next(); }
};

// The company database's connector with a scripted Run: its results are collected as the real
// one's (units of the company database, read back from the ledger on a retry).
class ScriptedCompany : public fulfillment::SqlConnector {
 public:
  ScriptedCompany(std::shared_ptr<fulfillment::Fulfiller> f, std::vector<fulfillment::StepOutcome> outcomes)
      : SqlConnector(std::move(f)), script{std::move(outcomes)} {}
  Script script;
  fulfillment::StepOutcome Run(const fulfillment::StepContext&) override { return script.Next(); }
};

struct Runner {
  ft::TempDir dir;
  FixedClock clock;
  FakeHost host;
  std::unique_ptr<store::Store> store;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller;
  std::unique_ptr<fulfillment::StepRunner> runner;
  std::string request_id = "req-1";

  // The demo map with a webhook system `crm` that takes part in opt_out_sale.
  Runner() {
    const std::string map_path = dir / "systems.yaml";
    ft::WriteFile(map_path, ft::ReadFile(ft::DemoMapPath()) + R"(
systems:
  crm:
    kind: webhook
    description: Customer relationship management
    endpoint: http://127.0.0.1:9/hook
    secret_file: )" + (dir / "hook.secret") + R"(
    actions: [erase, opt_out_sale]
)");
    auto map = fulfillment::LoadSystemsMap(map_path);
    if (!map.ok()) FAIL(map.status().ToString());
    fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, dir / "company.db", dir / "exports");
    auto opened = store::Store::Open({dir / "dsar.db"});
    REQUIRE(opened.ok());
    store = std::move(opened.value());
    runner = std::make_unique<fulfillment::StepRunner>(*store, clock, host, fulfiller, nullptr, "https://dsar.test");
    REQUIRE(store->Transact([&](store::Tx& tx) -> Status {
                     if (Status s = tx.PutWorkflowDefinition("h", "wf", 1, "wf.yaml", "id: wf", clock.Now()); !s.ok())
                       return s;
                     store::RequestRow r;
                     r.id = request_id;
                     r.reference = "DSR-1";
                     r.type = "opt_out_sale";
                     r.state = "fulfilling";
                     r.subject_json = R"({"email":"alex.morgan@example.com"})";
                     r.subject_email = "alex.morgan@example.com";
                     r.channel = "email";
                     r.received_at = r.created_at = r.updated_at = clock.Now();
                     r.workflow_id = "wf";
                     r.workflow_hash = "h";
                     return tx.InsertRequest(r);
                   })
                .ok());
  }

  // A pending `fulfill: <step>` job, as the workflow's effect (or a retry) schedules it.
  void Schedule(const std::string& step, int n) {
    store::JobRow j;
    j.request_id = request_id;
    j.kind = "fulfill";
    j.step = step;
    j.idempotency_key = request_id + ":" + step + ":" + std::to_string(n);
    j.status = "pending";
    j.created_at = clock.Now();
    REQUIRE(store->Transact([&](store::Tx& tx) { return tx.InsertJob(j); }).ok());
  }

  // The ledger as "system/table kind status runs", oldest first.
  std::vector<std::string> Ledger() {
    std::vector<std::string> out;
    REQUIRE(store->Read([&](store::Tx& tx) -> Status {
                     auto rows = tx.LedgerFor(request_id);
                     if (!rows.ok()) return rows.status();
                     for (const auto& l : *rows)
                       out.push_back(l.system + "/" + l.table_name + " " + l.kind + " " + l.status + " " +
                                     std::to_string(l.runs));
                     return Status::Ok();
                   })
                .ok());
    return out;
  }
};

fulfillment::StepOutcome CompanyDone() {
  fulfillment::StepOutcome done = fulfillment::StepOutcome::Done(R"({"summary":{"flags":[]},"files":[]})");
  fulfillment::StepResult unit;
  unit.summary["flags"] = json::array();
  done.unit = unit;
  return done;
}

}  // namespace

TEST_CASE("the plan: the company database's units in map order, then the map's systems", "[fulfillment][steps]") {
  Runner r;
  store::JobRow job;
  job.id = 7;
  job.request_id = r.request_id;
  job.step = "erase";
  const auto plan = r.runner->Plan(job);
  const auto& tables = ft::DemoTables();
  REQUIRE(plan.size() == tables.size() + 1);
  for (size_t i = 0; i < tables.size(); ++i) {
    CHECK(plan[i].system == "company_db");
    CHECK(plan[i].table_name == tables[i]);
    CHECK(plan[i].kind == "sqlite");
    CHECK(plan[i].idempotency_key == "req-1/erase/company_db/" + tables[i]);
    CHECK(plan[i].job_id == 7);
  }
  CHECK(plan.back().system == "crm");
  CHECK(plan.back().kind == "webhook");
  CHECK(plan.back().idempotency_key == "req-1/erase/crm/");
  job.step = "opt_out_marketing";  // crm takes no part: the company database alone
  const auto alone = r.runner->Plan(job);
  REQUIRE(alone.size() == 1);
  CHECK(alone[0].idempotency_key == "req-1/opt_out_marketing/company_db/");
}

TEST_CASE("a step that failed runs again on the retry, and the steps done before it do not",
          "[fulfillment][steps]") {
  Runner r;
  auto company = std::make_shared<ScriptedCompany>(r.fulfiller, std::vector<fulfillment::StepOutcome>{CompanyDone()});
  auto crm = std::make_shared<ScriptedConnector>(std::vector<fulfillment::StepOutcome>{
      fulfillment::StepOutcome::Failed("the webhook answered HTTP 503"),
      fulfillment::StepOutcome::Done(R"({"status":"completed"})")});
  r.runner->SetConnector("sqlite", company);
  r.runner->SetConnector("webhook", crm);

  r.Schedule("opt_out_sale", 1);
  REQUIRE(*r.runner->RunJobs() == 1);
  REQUIRE(r.host.applied.size() == 1);
  const Event& failed = r.host.applied[0];
  CHECK(failed.name == "step_failed");
  CHECK(failed.data.at("system") == "crm");
  CHECK(failed.data.at("kind") == "webhook");
  CHECK(failed.data.at("ledger_step") == "req-1/opt_out_sale/crm/");
  CHECK(failed.data.at("cause") == "the webhook answered HTTP 503");
  CHECK(failed.reason == "opt_out_sale failed at crm: the webhook answered HTTP 503");
  CHECK(r.Ledger() == std::vector<std::string>{"company_db/ sqlite done 1", "crm/ webhook failed 1"});
  CHECK(company->script.runs == 1);
  CHECK(crm->script.runs == 1);

  r.Schedule("opt_out_sale", 2);  // staff `retry`: the workflow schedules the job again
  REQUIRE(*r.runner->RunJobs() == 1);
  CHECK(company->script.runs == 1);  // done: never run again
  CHECK(crm->script.runs == 2);
  CHECK(r.Ledger() == std::vector<std::string>{"company_db/ sqlite done 1", "crm/ webhook done 2"});
  REQUIRE(r.host.applied.size() == 2);
  const Event& fulfilled = r.host.applied[1];
  CHECK(fulfilled.name == "fulfilled");
  // The summary from the ledger's results: the company database's unit read back, the system's entry.
  const json::object& summary = fulfilled.data.at("summary").as_object();
  CHECK(summary.at("flags") == json::array());
  CHECK(json::serialize(summary.at("systems")) ==
        R"([{"system":"crm","kind":"webhook","description":"Customer relationship management","result":{"status":"completed"}}])");
  CHECK(*r.runner->RunJobs() == 0);  // nothing pending
}

TEST_CASE("a kind with no connector fails the step, naming the kind", "[fulfillment][steps]") {
  Runner r;
  r.runner->SetConnector("sqlite",
                         std::make_shared<ScriptedCompany>(r.fulfiller, std::vector<fulfillment::StepOutcome>{CompanyDone()}));
  r.runner->SetConnector("webhook", nullptr);
  r.Schedule("opt_out_sale", 1);
  REQUIRE(*r.runner->RunJobs() == 1);
  REQUIRE(r.host.applied.size() == 1);
  CHECK(r.host.applied[0].name == "step_failed");
  CHECK(r.host.applied[0].data.at("cause") == "no connector runs steps of kind 'webhook'");
}
