// Issue 5 §6 (what follows deletion): after an erasure the keyed hashes of the person's
// identifiers go into the suppression list; the demo company's newsletter import refuses them,
// and takes everyone else.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "identity/suppression.h"
#include "schedule/workers.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;

namespace {

// A deletion of `email`'s data, verified and erased against the small company database.
store::RequestRow Erased(Fixture& f, const std::string& db, const std::string& email, const std::string& phone = "") {
  auto map = fulfillment::LoadSystemsMap(fulfillment::testing::DemoMapPath());
  REQUIRE(map.ok());
  auto fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, db, f.cfg.exports_dir);
  service::CreateRequestInput in;
  in.type = "deletion";
  in.jurisdiction = "gdpr";
  in.subject.email = email;
  in.subject.phone = phone;
  auto r = f.svc->CreateRequest(in);
  REQUIRE(r.ok());
  auto v = Verify(*f.svc, r->request.id, f.CodeFor(r->request.reference), "requester");
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  service::Workers w(*f.svc, fulfiller);
  REQUIRE(w.RunJobs().ok());
  auto done = f.svc->Get(r->request.id);
  REQUIRE(done->state == "completed");
  return *done;
}

}  // namespace

TEST_CASE("identifiers are normalised before they are hashed", "[service][suppression]") {
  CHECK(service::NormalizeIdentifier("email", "  Alex.Morgan@Example.COM ") == "alex.morgan@example.com");
  CHECK(service::NormalizeIdentifier("email", "not an address") == "");
  CHECK(service::NormalizeIdentifier("phone", "+44 7700 900123") == "+447700900123");
  CHECK(service::NormalizeIdentifier("phone", "(555) 010-0199") == "5550100199");
  CHECK(service::NormalizeIdentifier("phone", "12-34") == "");
  CHECK(service::NormalizeIdentifier("account_id", " acc_alex ") == "acc_alex");
  CHECK(service::GuessIdentifierKind("a@b.example") == "email");
  CHECK(service::GuessIdentifierKind("+1 555 0100") == "phone");
  CHECK(service::GuessIdentifierKind("acc_alex") == "account_id");
  CHECK(service::ParseIdentifierLine("phone: +44 7700 900123").kind == "phone");
  CHECK(service::ParseIdentifierLine("account_id:acc_7").value == "acc_7");
  // The shapes people paste: any case of the kind, mailto:, "Name <address>", quotes.
  for (const char* line : {"Email:alex.morgan@example.com", "mailto:alex.morgan@example.com",
                           "Alex Morgan <alex.morgan@example.com>", "\"alex.morgan@example.com\""}) {
    INFO(line);
    const auto id = service::ParseIdentifierLine(line);
    CHECK(id.kind == "email");
    CHECK(service::NormalizeIdentifier(id.kind, id.value) == "alex.morgan@example.com");
  }
  // An unknown kind is no identifier of ours: no hash, never "not suppressed".
  CHECK(service::ParseIdentifierLine("ssn:123").kind.empty());
  for (const char* junk : {"+", "-", "()", "+-", "\xff\xfe"}) {
    INFO(junk);
    const auto id = service::ParseIdentifierLine(junk);
    CHECK(service::NormalizeIdentifier(id.kind, id.value).empty());
  }
  const auto secrets = service::Secrets::FromKey(std::string(32, 'k'));
  CHECK(service::SuppressionHash(secrets, {"email", "ALEX.morgan@example.com"}) ==
        service::SuppressionHash(secrets, {"email", " alex.morgan@example.com"}));
  CHECK(service::SuppressionHash(secrets, {"email", "alex.morgan@example.com"}) ==
        secrets.KeyedHash("suppression:email:alex.morgan@example.com"));
  CHECK(service::SuppressionHash(secrets, {"email", "alex.morgan@example.com"}).size() == 64);
  CHECK(service::SuppressionHash(secrets, service::ParseIdentifierLine("ssn:123")).empty());
}

TEST_CASE("an erased person's re-import is refused, another person's is not", "[service][suppression]") {
  Fixture f;
  fulfillment::testing::TempDir company;
  const std::string db = fulfillment::testing::MakeSmallCompanyDb(company);
  CHECK(f.Count("SELECT count(*) FROM suppression") == 0);
  const auto r = Erased(f, db, "alex.morgan@example.com", "+44 7700 900123");

  // The keyed hashes: the email, the phone (the request's and the account's are the same number),
  // the account id the map found; nothing in clear.
  CHECK(f.Count("SELECT count(*) FROM suppression") == 3);
  CHECK(f.Count("SELECT count(*) FROM suppression WHERE kind = 'account_id'") == 1);
  CHECK(f.Text("SELECT group_concat(reference) FROM suppression") ==
        r.reference + "," + r.reference + "," + r.reference);
  const std::string all = f.Text("SELECT group_concat(kind || identifier_hash || reference || added_at, '|') FROM suppression");
  for (const char* clear : {"alex", "Alex", "7700", "acc_"}) CHECK(all.find(clear) == std::string::npos);

  CHECK(*IsSuppressed(*f.svc, "email", " ALEX.Morgan@example.com"));
  CHECK(*IsSuppressed(*f.svc, "account_id", "acc_alex"));
  CHECK(*IsSuppressed(*f.svc, "phone", "+44 (0)7700 900123") == false);  // a different number once normalised
  CHECK(*IsSuppressed(*f.svc, "phone", "+447700900123"));
  CHECK_FALSE(*IsSuppressed(*f.svc, "email", "blake.rivers@example.org"));
  CHECK_FALSE(*IsSuppressed(*f.svc, "account_id", "acc_blake"));

  // The demo company's newsletter import consults the list.
  CHECK(fulfillment::testing::Column(db, "SELECT count(*) FROM newsletter_subscriptions WHERE lower(trim(email)) = "
                                         "'alex.morgan@example.com'") == std::vector<std::string>{"0"});
  auto out = service::ImportNewsletter(f.svc->store(), f.svc->secrets(), db,
                                       {"Alex.Morgan@example.com", "new.person@example.com", "not-an-address",
                                        "blake.rivers@example.org"},
                                       kStart);
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  CHECK(*out == std::vector<std::string>{"refused: suppressed (erased on request)", "imported",
                                         "invalid: not an email address", "already subscribed"});
  CHECK(fulfillment::testing::Column(db, "SELECT count(*) FROM newsletter_subscriptions WHERE lower(trim(email)) = "
                                         "'alex.morgan@example.com'") == std::vector<std::string>{"0"});
  CHECK(fulfillment::testing::Column(db, "SELECT source || ' ' || subscribed_at FROM newsletter_subscriptions "
                                         "WHERE email = 'new.person@example.com'") ==
        std::vector<std::string>{"import 2026-11-20T09:00:00Z"});

  // A second erasure of the same person adds nothing twice.
  service::Identifier again{"email", "alex.morgan@example.com"};
  REQUIRE(f.store->Transact([&](store::Tx& tx) -> Status {
    auto n = service::AddSuppressionsInTx(tx, f.svc->secrets(), {again}, "DSR-TEST-0001", kStart);
    if (!n.ok()) return n.status();
    CHECK(*n == 0);
    return Status::Ok();
  }).ok());
}

TEST_CASE("the suppression list outlives the purge of the request", "[service][suppression]") {
  Fixture f;
  fulfillment::testing::TempDir company;
  const std::string db = fulfillment::testing::MakeSmallCompanyDb(company);
  Erased(f, db, "alex.morgan@example.com");
  // No phone on the request: the map's subject table had one (demo/systems.yaml subject.phone).
  const long before = f.Count("SELECT count(*) FROM suppression");
  REQUIRE(before == 3);
  CHECK(*IsSuppressed(*f.svc, "phone", "+44 7700 900123"));
  f.clock.Advance(731LL * kMillisPerDay);
  service::Workers w(*f.svc, nullptr);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM requests") == 0);
  CHECK(f.Count("SELECT count(*) FROM suppression") == before);
  CHECK(*IsSuppressed(*f.svc, "email", "alex.morgan@example.com"));
}
