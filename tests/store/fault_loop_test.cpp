// SQLite's fault loops (STYLE.md): fail the Nth statement of one transition transaction, for
// N = 1, 2, 3, ... until the transaction succeeds. After each failed attempt nothing of it
// remains (the row counts are unchanged and PRAGMA integrity_check says ok); after the success
// everything is there exactly once. Transient (only statement N fails) and persistent (N and every
// later statement fail) faults, under each read-pool configuration.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;

namespace {

struct TempStore {
  fs::path dir;
  std::unique_ptr<store::Store> store;
  explicit TempStore(int read_connections) {
    char tmpl[] = "/tmp/dsar-fault-XXXXXX";
    dir = mkdtemp(tmpl);
    store::Options o;
    o.path = (dir / "t.db").string();
    o.read_connections = read_connections;
    auto opened = store::Store::Open(o);
    REQUIRE(opened.ok());
    store = std::move(opened.value());
    REQUIRE(store->Transact([](store::Tx& tx) {
      return tx.PutWorkflowDefinition("wf-hash", "wf", 1, "workflows/wf.yaml", "id: wf", 1000);
    }).ok());
  }
  ~TempStore() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string Counts() const {
    std::string out;
    for (const char* table : {"requests", "transitions", "outbox", "timers"})
      out += std::string(table) + "=" + std::to_string(test_sql::Count(store->path(), std::string("SELECT count(*) FROM ") + table)) + " ";
    return out;
  }
  std::string Integrity() const { return test_sql::First(store->path(), "PRAGMA integrity_check"); }
};

store::RequestRow NewRequest(const std::string& id) {
  store::RequestRow r;
  r.id = id;
  r.reference = "DSR-" + id;
  r.type = "access";
  r.state = "verifying";
  r.subject_json = R"({"email":"fault@example.com"})";
  r.subject_email = "fault@example.com";
  r.channel = "api";
  r.received_at = r.created_at = r.updated_at = 2000;
  r.due_at = 2000 + 30 * kMillisPerDay;
  r.version = 1;
  r.workflow_id = "wf";
  r.workflow_hash = "wf-hash";
  return r;
}

// A request's creation as ApplyInTx writes it: the row, its first transition, the mail that
// transition queues (pointing at it) and the state's timer.
Status Create(store::Tx& tx, const std::string& id) {
  const store::RequestRow r = NewRequest(id);
  if (Status s = tx.InsertRequest(r); !s.ok()) return s;
  store::TransitionRow t;
  t.request_id = id;
  t.version = 1;
  t.to_state = "verifying";
  t.event = "created";
  t.actor = "api";
  t.at = 2000;
  t.workflow_hash = "wf-hash";
  auto seq = tx.AppendTransition(t);
  if (!seq.ok()) return seq.status();
  store::OutboxRow o;
  o.request_id = id;
  o.transition_seq = *seq;
  o.template_name = "verification_code";
  o.to_json = R"(["fault@example.com"])";
  o.subject = "Your code";
  o.body = "123456";
  o.carries_secret = true;
  o.message_id = id + "@dsar.test";
  o.created_at = o.next_attempt_at = 2000;
  if (auto ob = tx.InsertOutbox(o); !ob.ok()) return ob.status();
  return tx.InsertTimer({0, id, "verifying", "verification_expired", 2000 + 7 * kMillisPerDay, "state"});
}

// A later transition of the request: the versioned update, its transition, the old state's
// timers cancelled, the new state's timer and mail.
Status Advance(store::Tx& tx, const std::string& id) {
  auto got = tx.GetRequest(id);
  if (!got.ok()) return got.status();
  store::RequestRow r = *got;
  const std::int64_t expected = r.version;
  r.state = "in_progress";
  r.identity_verified = true;
  r.version = expected + 1;
  r.updated_at = 3000;
  if (Status s = tx.UpdateRequest(r, expected); !s.ok()) return s;
  store::TransitionRow t;
  t.request_id = id;
  t.version = r.version;
  t.from_state = "verifying";
  t.to_state = "in_progress";
  t.event = "code_accepted";
  t.actor = "requester";
  t.at = 3000;
  t.workflow_hash = "wf-hash";
  auto seq = tx.AppendTransition(t);
  if (!seq.ok()) return seq.status();
  if (Status s = tx.CancelTimers(id, {"state", "requester_reminder"}, 3000); !s.ok()) return s;
  if (Status s = tx.InsertTimer({0, id, "in_progress", "staff_overdue", 3000 + 30 * kMillisPerDay, "overdue"}); !s.ok())
    return s;
  store::OutboxRow o;
  o.request_id = id;
  o.transition_seq = *seq;
  o.template_name = "acknowledgment";
  o.to_json = R"(["fault@example.com"])";
  o.subject = "We are on it";
  o.body = "Thank you.";
  o.message_id = id + "-ack@dsar.test";
  o.created_at = o.next_attempt_at = 3000;
  if (auto ob = tx.InsertOutbox(o); !ob.ok()) return ob.status();
  return Status::Ok();
}

// How many statements `fn` runs in a transaction that succeeds (BEGIN and COMMIT included),
// counted through the statement hook.
int StatementsOf(store::Store& st, const std::function<Status(store::Tx&)>& fn) {
  int n = 0;
  st.TEST_OnStatement([&](std::string_view sql) {
    if (sql.substr(0, 8) != "ROLLBACK") ++n;
  });
  Status s = st.Transact(fn);
  st.TEST_OnStatement({});
  REQUIRE(s.ok());
  return n;
}

// What a failed transaction must leave as it was: the row counts, the requests' states and
// versions, and the pending timers.
std::string Snapshot(const TempStore& t) {
  return t.Counts() + test_sql::Text(t.store->path(), "SELECT id || ':' || state || ':' || version FROM requests") +
         " " + test_sql::Text(t.store->path(), "SELECT request_id || ':' || kind FROM timers WHERE cancelled_at IS NULL");
}

// Runs `fn` with the Nth statement failing, N = 1, 2, ... until it succeeds; checks every failure
// left the database as it was, and returns the N that succeeded.
int Loop(TempStore& t, bool persistent, const std::function<Status(store::Tx&)>& fn) {
  const std::string before = Snapshot(t);
  for (int n = 1; n < 200; ++n) {
    t.store->TEST_FailStatement(n, persistent);
    const Status s = t.store->Transact(fn);
    t.store->TEST_FailStatement(0, false);
    if (s.ok()) return n;
    INFO("statement " << n << ": " << s.ToString());
    CHECK(s.IsIoError());
    CHECK(s.message().find("injected fault (TEST_FailStatement)") != std::string::npos);
    CHECK(Snapshot(t) == before);
    CHECK(t.Integrity() == "ok");
  }
  FAIL("the transaction never succeeded");
  return 0;
}

}  // namespace

TEST_CASE("fault loop: a request's creation is all or nothing at every failed statement", "[store][fault]") {
  const int readers = GENERATE(0, 4);
  const bool persistent = GENERATE(false, true);
  TempStore t(readers);
  // The statements of the same transaction, counted on another request that is kept.
  const int statements = StatementsOf(*t.store, [](store::Tx& tx) { return Create(tx, "probe"); });
  CHECK(statements == 6);  // BEGIN, 4 inserts, COMMIT
  const std::string before = t.Counts();
  CHECK(before == "requests=1 transitions=1 outbox=1 timers=1 ");

  const int succeeded_at = Loop(t, persistent, [](store::Tx& tx) { return Create(tx, "r1"); });
  CHECK(succeeded_at == statements + 1);  // every statement was failed once
  CHECK(t.Counts() == "requests=2 transitions=2 outbox=2 timers=2 ");
  CHECK(test_sql::Count(t.store->path(), "SELECT count(*) FROM requests WHERE id = 'r1'") == 1);
  CHECK(test_sql::Count(t.store->path(), "SELECT count(*) FROM outbox o JOIN transitions tr ON tr.seq = "
                                         "o.transition_seq WHERE o.request_id = 'r1' AND tr.request_id = 'r1'") == 1);
  CHECK(t.Integrity() == "ok");
  // The store reads it back through its own connections too.
  std::string state;
  REQUIRE(t.store->Read([&](store::Tx& tx) {
    auto r = tx.GetRequest("r1");
    if (!r.ok()) return r.status();
    state = r->state;
    return Status::Ok();
  }).ok());
  CHECK(state == "verifying");
}

TEST_CASE("fault loop: a later transition is all or nothing at every failed statement", "[store][fault]") {
  const int readers = GENERATE(0, 4);
  const bool persistent = GENERATE(false, true);
  TempStore t(readers);
  REQUIRE(t.store->Transact([](store::Tx& tx) { return Create(tx, "r1"); }).ok());
  const std::string before = t.Counts();
  CHECK(before == "requests=1 transitions=1 outbox=1 timers=1 ");

  const int succeeded_at = Loop(t, persistent, [](store::Tx& tx) { return Advance(tx, "r1"); });
  // BEGIN, the read, the update, the transition, 2 timer cancels, the timer, the mail, COMMIT
  CHECK(succeeded_at == 10);
  CHECK(t.Counts() == "requests=1 transitions=2 outbox=2 timers=2 ");
  CHECK(test_sql::Text(t.store->path(), "SELECT state || ':' || version FROM requests") == "in_progress:2");
  CHECK(test_sql::Text(t.store->path(), "SELECT kind FROM timers WHERE cancelled_at IS NULL") == "overdue");
  CHECK(test_sql::Text(t.store->path(), "SELECT version FROM transitions ORDER BY version") == "1,2");
  CHECK(t.Integrity() == "ok");
}
