// Issue 5 §6 (correction; GDPR Art. 16, Cal. Civ. Code § 1798.106, Cal. Code Regs. tit. 11 § 7023):
// staff approve the exact field -> value per table/column of the systems map, the `correct` step
// applies it to the demo company's database, and the history records before and after.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "schedule/workers.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;
namespace json = boost::json;

namespace {

struct Corrections {
  Fixture f;
  fulfillment::testing::TempDir company;
  std::string db;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller;

  Corrections() {
    db = fulfillment::testing::MakeSmallCompanyDb(company);
    auto map = fulfillment::LoadSystemsMap(fulfillment::testing::DemoMapPath());
    REQUIRE(map.ok());
    fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, db, f.cfg.exports_dir);
    auto fl = fulfiller;
    f.svc->SetCorrectionCheck([fl](const std::vector<fulfillment::CorrectionChange>& c) { return fl->CheckCorrections(c); });
  }

  store::RequestRow Verified(const std::string& email) {
    service::CreateRequestInput in;
    in.type = "correction";
    in.jurisdiction = "ccpa";
    in.subject.email = email;
    in.details["corrections"] = json::array{json::object{{"field", "name"}, {"value", "Alexandra Morgan"}}};
    auto r = f.svc->CreateRequest(in);
    REQUIRE(r.ok());
    auto v = Verify(*f.svc, r->request.id, f.CodeFor(r->request.reference), "requester");
    REQUIRE(v.ok());
    return *v;
  }

  Result<service::RequestView> Approve(const std::string& id, const std::string& changes) {
    Event ev;
    ev.name = "approve";
    ev.actor = "staff:carol";
    ev.reason = "the requester showed her passport";
    ev.data["changes"] = json::parse(changes);
    return f.svc->ApplyStaffEvent(id, ev, std::nullopt);
  }
};

}  // namespace

TEST_CASE("an approved correction is applied to the company's rows, before and after in the history",
          "[service][correction]") {
  Corrections c;
  auto r = c.Verified("alex.morgan@example.com");
  REQUIRE(r.state == "awaiting_approval");
  // The intake's free text stays in the request's details.
  CHECK(c.f.svc->Get(r.id)->details_json.find("Alexandra Morgan") != std::string::npos);

  // Refused changes: nothing recorded.
  CHECK(c.Approve(r.id, "[]").status().IsInvalid());
  CHECK(c.Approve(r.id, R"([{"table":"accounts","column":"name"}])").status().IsInvalid());
  CHECK(c.Approve(r.id, R"([{"table":"accounts","column":"name","value":{"x":1}}])").status().IsInvalid());
  auto unknown = c.Approve(r.id, R"([{"table":"payroll","column":"name","value":"x"}])");
  CHECK(unknown.status().kind() == Status::Kind::kUnprocessable);
  CHECK(unknown.status().message().find("has no table 'payroll'") != std::string::npos);
  CHECK(c.Approve(r.id, R"([{"table":"accounts","column":"nickname","value":"x"}])").status().kind() == Status::Kind::kUnprocessable);
  CHECK(c.Approve(r.id, R"([{"table":"accounts","column":"password_hash","value":"x"}])").status().kind() == Status::Kind::kUnprocessable);
  CHECK(c.Approve(r.id, R"([{"table":"projects","column":"account_id","value":"acc_x"}])").status().kind() == Status::Kind::kUnprocessable);
  CHECK(c.Approve(r.id, R"([{"table":"accounts","column":"id","value":"acc_x"}])").status().kind() == Status::Kind::kUnprocessable);
  // The email that finds the person's rows (a new one would hand the account to another mailbox).
  auto email = c.Approve(r.id, R"([{"table":"accounts","column":"email","value":"evil@example.com"}])");
  CHECK(email.status().kind() == Status::Kind::kUnprocessable);
  CHECK(email.status().message() == "change accounts.email: the column links rows to the person; it is not corrected");
  // An opt-out flag changes only through an opt-out request.
  auto flag = c.Approve(r.id, R"([{"table":"accounts","column":"sale_opt_out","value":0}])");
  CHECK(flag.status().kind() == Status::Kind::kUnprocessable);
  CHECK(flag.status().message() == "change accounts.sale_opt_out: an opt-out flag changes only through an opt-out request");
  CHECK(c.f.Count("SELECT count(*) FROM transitions WHERE event = 'approve'") == 0);

  const auto before_accounts = fulfillment::testing::Column(c.db, "SELECT name FROM accounts ORDER BY id");
  CHECK(fulfillment::testing::Column(c.db, "SELECT billing_name FROM billing WHERE account_id = 'acc_alex' "
                                           "ORDER BY invoice_no") ==
        std::vector<std::string>{"Alex Morgan", "Alex Morgan", "Alex Morgan"});
  auto approved = c.Approve(r.id, R"([{"table":"accounts","column":"name","value":"Alexandra Morgan"},)"
                                  R"({"table":"billing","column":"billing_name","value":"Alexandra Morgan"}])");
  INFO(approved.status().ToString());
  REQUIRE(approved.ok());
  CHECK(approved->state == "fulfilling");
  service::Workers w(*c.f.svc, c.fulfiller);
  REQUIRE(w.RunJobs().ok());
  CHECK(c.f.svc->Get(r.id)->state == "completed");

  // The demo company's rows after: only the subject's, only the named columns.
  CHECK(fulfillment::testing::Column(c.db, "SELECT name FROM accounts WHERE id = 'acc_alex'") ==
        std::vector<std::string>{"Alexandra Morgan"});
  CHECK(fulfillment::testing::Column(c.db, "SELECT billing_name FROM billing WHERE account_id = 'acc_alex' "
                                           "ORDER BY invoice_no") ==
        std::vector<std::string>{"Alexandra Morgan", "Alexandra Morgan", "Alexandra Morgan"});
  CHECK(fulfillment::testing::Column(c.db, "SELECT name FROM accounts WHERE id = 'acc_xalex'") ==
        std::vector<std::string>{"Xander Morgan"});
  CHECK(fulfillment::testing::Column(c.db, "SELECT billing_name FROM billing WHERE account_id = 'acc_blake' LIMIT 1") ==
        std::vector<std::string>{"Blake Rivers"});

  // The history: who approved what (and why), then each row's value before and after.
  auto history = c.f.svc->Transitions(r.id);
  REQUIRE(history.ok());
  const store::TransitionRow& approve = (*history)[history->size() - 2];
  CHECK(approve.event == "approve");
  CHECK(approve.actor == "staff:carol");
  CHECK(approve.reason == "the requester showed her passport");
  const store::TransitionRow& done = history->back();
  CHECK(done.event == "fulfilled");
  CHECK(done.from_state.value_or("") == "fulfilling");
  CHECK(done.to_state == "completed");
  const json::value data = json::parse(done.data_json);
  CHECK(data.at("approved_by") == "staff:carol");
  const auto& changes = data.at("summary").at("changes").as_array();
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].at("table") == "accounts");
  CHECK(changes[0].at("column") == "name");
  CHECK(changes[0].at("changed") == 1);
  REQUIRE(changes[0].at("rows").as_array().size() == 1);
  CHECK(changes[0].at("rows").as_array()[0].at("before") == "Alex Morgan");
  CHECK(changes[0].at("rows").as_array()[0].at("after") == "Alexandra Morgan");
  CHECK(changes[0].at("rows").as_array()[0].at("rowid").is_int64());
  CHECK(changes[0].at("rows").as_array()[0].at("key").at("id") == "acc_alex");
  CHECK(changes[1].at("rows").as_array()[0].at("key").at("invoice_no") == "NC-000001");
  CHECK(changes[1].at("changed") == 3);
  CHECK(data.at("summary").at("total_changed") == 4);
  // The requester's mail says what was corrected; the company's journal keeps no before value.
  CHECK(c.f.Text("SELECT body FROM outbox WHERE template = 'completed'").find("name in accounts (1 record)") !=
        std::string::npos);
  const auto journal = fulfillment::testing::Column(c.db, "SELECT summary FROM dsar_fulfillment_log WHERE step = 'correct'");
  REQUIRE(journal.size() == 1);
  CHECK(journal[0].find("Alex Morgan") == std::string::npos);
  CHECK(journal[0].find("Alexandra Morgan") != std::string::npos);
}

TEST_CASE("a correction is denied with a reason from the fixed list", "[service][correction]") {
  Corrections c;
  auto r = c.Verified("alex.morgan@example.com");
  Event deny;
  deny.name = "deny";
  deny.actor = "staff:carol";
  deny.reason = "Our records match the documents you sent.";
  deny.data["reason_code"] = "exempt_data";
  auto d = c.f.svc->ApplyStaffEvent(r.id, deny, std::nullopt);
  INFO(d.status().ToString());
  REQUIRE(d.ok());
  CHECK(d->state == "denied");
  CHECK(fulfillment::testing::Column(c.db, "SELECT name FROM accounts WHERE id = 'acc_alex'") ==
        std::vector<std::string>{"Alex Morgan"});
}
