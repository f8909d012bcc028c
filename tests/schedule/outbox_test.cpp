// The outbox dispatcher (Workers::DeliverOutbox) over a scripted transport: composition in the
// requester's language with text and HTML parts, threading headers, retries with exponential
// backoff, permanent failures recorded on the request, a relay that is down; and replies that
// join a request as a note for staff.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <deque>

#include "mail/message.h"
#include "support/service_fixture.h"
#include "support/sql.h"

using namespace dsar;
using namespace dsar::test;

namespace {

// A transport that answers from a script (then "sent") and keeps what it was given.
class ScriptedTransport : public service::MailTransport {
 public:
  struct Sent {
    service::Envelope envelope;
    std::string message;
  };
  std::deque<service::SendOutcome> script;
  std::vector<Sent>* log;
  explicit ScriptedTransport(std::vector<Sent>* l) : log(l) {}
  service::SendOutcome Send(const service::Envelope& e, const std::string& m) override {
    log->push_back({e, m});
    if (script.empty()) return {};
    auto out = script.front();
    script.pop_front();
    return out;
  }
};

using Kind = service::SendOutcome::Kind;

struct OutboxFixture : Fixture {
  std::vector<ScriptedTransport::Sent> sent;
  ScriptedTransport* transport = nullptr;
  std::unique_ptr<service::Workers> workers;

  OutboxFixture() {
    cfg.mail_retry_initial = 60 * kMillisPerSecond;
    cfg.mail_retry_max = 200 * kMillisPerSecond;
    cfg.mail_max_attempts = 4;
    Open();
    auto t = std::make_unique<ScriptedTransport>(&sent);
    transport = t.get();
    workers = std::make_unique<service::Workers>(*svc, nullptr, std::move(t));
  }
  int Deliver() {
    auto n = workers->DeliverOutbox();
    REQUIRE(n.ok());
    return *n;
  }
  std::vector<std::string> Events(const std::string& id) {
    std::vector<std::string> out;
    auto ts = svc->Transitions(id);
    REQUIRE(ts.ok());
    for (const auto& t : *ts) out.push_back(t.event);
    return out;
  }
};

mail::ParsedMessage Parse(const std::string& raw) {
  auto p = mail::ParseMessage(raw);
  REQUIRE(p.ok());
  return *p;
}

std::string Header(const mail::ParsedMessage& p, const std::string& name) {
  for (const auto& [n, v] : p.headers)
    if (strcasecmp(n.c_str(), name.c_str()) == 0) return v;
  return "";
}

}  // namespace

TEST_CASE("outbound mail is in the requester's language, with text and HTML parts, and threads",
          "[service][outbox]") {
  OutboxFixture f;
  service::CreateRequestInput in;
  in.type = "access";
  in.jurisdiction = "gdpr";
  in.subject.email = "lena.hoffmann@example.de";
  in.subject.name = "Lena O'Brien-Hoffmann";
  in.language = "de";
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const auto& r = created->request;
  CHECK(f.Deliver() == 2);  // acknowledgment, then the code
  REQUIRE(f.sent.size() == 2);

  const auto ack = Parse(f.sent[0].message);
  const auto code = Parse(f.sent[1].message);
  CHECK(ack.subject == "[" + r.reference + "] Ihr Antrag auf Auskunft (Kopie Ihrer personenbezogenen "
                         "Daten) ist bei uns eingegangen");
  CHECK(ack.text.find("Lena O'Brien-Hoffmann") != std::string::npos);  // plain text: not HTML-escaped
  CHECK(ack.part_types == std::vector<std::string>{"text/plain", "text/html"});
  CHECK(f.sent[0].message.find("O&#39;Brien-Hoffmann") != std::string::npos);  // the HTML part is escaped
  CHECK(Header(ack, "Content-Language") == "de");
  CHECK(Header(ack, "Auto-Submitted") == "auto-generated");
  CHECK(Header(ack, "X-Auto-Response-Suppress") == "All");
  CHECK(ack.to.size() == 1);
  CHECK(ack.to[0].email == "lena.hoffmann@example.de");
  CHECK(f.sent[0].envelope.from == "privacy@nimbus.example");
  CHECK(f.sent[0].envelope.to == std::vector<std::string>{"lena.hoffmann@example.de"});
  // An API request has no message of the requester's: our later mail replies to our first.
  CHECK(ack.in_reply_to.empty());
  CHECK(code.in_reply_to == ack.message_id);
  CHECK(code.references == std::vector<std::string>{ack.message_id});
  // Every line of the composed message fits RFC 5322's limit, and lines end in CRLF.
  for (const auto& s : f.sent) {
    size_t start = 0;
    for (size_t at; (at = s.message.find('\n', start)) != std::string::npos; start = at + 1) {
      CHECK(at > start);
      CHECK(s.message[at - 1] == '\r');
      CHECK(at - start <= 999);
    }
  }
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL AND language = 'de'") == 2);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code' AND body IS NULL "
                "AND body_html IS NULL") == 1);  // the secret is dropped once delivered
}

TEST_CASE("a language without a translation gets English", "[service][outbox]") {
  OutboxFixture f;
  service::CreateRequestInput in;
  in.type = "deletion";
  in.jurisdiction = "gdpr";
  in.subject.email = "ola.nordmann@example.no";
  in.language = "nb";
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  f.Deliver();
  REQUIRE(!f.sent.empty());
  const auto ack = Parse(f.sent[0].message);
  CHECK(ack.subject == "[" + created->request.reference + "] We received your deletion request");
  CHECK(Header(ack, "Content-Language") == "en");
}

TEST_CASE("a failed attempt is retried with exponential backoff, then the mail fails for good",
          "[service][outbox][retry]") {
  OutboxFixture f;
  const auto r = f.Create("deletion", "retry.me@example.com");
  const long ack_id = f.Count("SELECT min(id) FROM outbox");
  // Only the acknowledgment is refused; the code mail goes through.
  for (int i = 0; i < 4; ++i) f.transport->script.push_back({Kind::kRetry, "SMTP 451: try later", false});
  CHECK(f.Deliver() == 0);  // attempt 1 of the acknowledgment fails ...
  // ... and the code mail, attempted in the same round, is the script's next answer: refused too.
  const std::string ack_where = " FROM outbox WHERE id = " + std::to_string(ack_id);
  CHECK(f.Count("SELECT attempts" + ack_where) == 1);
  CHECK(f.Count("SELECT next_attempt_at" + ack_where) == kStart + 60000);
  CHECK(f.Text("SELECT last_error" + ack_where) == "SMTP 451: try later");

  f.clock.Set(kStart + 59000);
  const size_t before = f.sent.size();
  f.Deliver();
  CHECK(f.sent.size() == before);  // not due yet

  f.clock.Set(kStart + 60000);
  f.Deliver();  // attempt 2 of both: refused (the script's last two answers)
  CHECK(f.Count("SELECT attempts" + ack_where) == 2);
  CHECK(f.Count("SELECT next_attempt_at" + ack_where) == kStart + 60000 + 120000);

  f.clock.Set(kStart + 180000);
  f.transport->script = {{Kind::kRetry, "SMTP 451: try later", false}};
  f.Deliver();  // attempt 3: the wait doubles to 240 s but is capped at 200 s; the code mail is sent
  CHECK(f.Count("SELECT attempts" + ack_where) == 3);
  CHECK(f.Count("SELECT next_attempt_at" + ack_where) == kStart + 180000 + 200000);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code' AND delivered_at IS NOT NULL") == 1);

  f.clock.Set(kStart + 380000);
  f.transport->script = {{Kind::kRetry, "SMTP 451: try later", false}};
  f.Deliver();  // attempt 4 = mail_max_attempts: gives up
  CHECK(f.Count("SELECT attempts" + ack_where) == 4);
  CHECK(f.Count("SELECT failed_at" + ack_where) == kStart + 380000);
  CHECK(f.Count("SELECT count(*)" + ack_where + " AND delivered_at IS NULL") == 1);
  const auto events = f.Events(r.id);
  REQUIRE(events.back() == "mail_failed");
  auto ts = f.svc->Transitions(r.id);
  const auto& failed = ts->back();
  CHECK(failed.reason ==
        "the 'acknowledgment' mail could not be delivered: SMTP 451: try later (gave up after 4 attempts)");
  CHECK(failed.from_state == std::optional<std::string>("verifying"));
  CHECK(failed.to_state == "verifying");  // recorded only: the request goes on
  CHECK(failed.actor == "system");
  const auto data = boost::json::parse(failed.data_json);
  CHECK(data.at("outbox").as_int64() == ack_id);
  CHECK(data.at("template").as_string() == "acknowledgment");

  // Never tried again.
  f.clock.Set(kStart + 10 * kMillisPerDay);
  const size_t after = f.sent.size();
  f.Deliver();
  CHECK(f.sent.size() == after);
}

TEST_CASE("a 5xx reply is a permanent failure at once; a secret body is dropped", "[service][outbox][retry]") {
  OutboxFixture f;
  const auto r = f.Create("access", "no.such.mailbox@example.com");
  f.transport->script = {{}, {Kind::kPermanent, "SMTP 550: Failed sending data to the peer", false}};
  f.Deliver();
  CHECK(f.Count("SELECT attempts FROM outbox WHERE template = 'verification_code'") == 1);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code' AND failed_at = " +
                std::to_string(kStart) + " AND body IS NULL AND body_html IS NULL") == 1);
  CHECK(f.Events(r.id).back() == "mail_failed");
  auto got = f.svc->Get(r.id);
  CHECK(got->state == "verifying");
}

TEST_CASE("a mail that cannot be composed fails for good without reaching the transport", "[service][outbox]") {
  OutboxFixture f;
  const auto r = f.Create("access", "fine@example.com");
  test_sql::Exec(f.store->path(), "UPDATE outbox SET to_json = '[\"not an address\"]' WHERE template = 'acknowledgment'");
  f.Deliver();
  CHECK(f.sent.size() == 1);  // only the code mail
  CHECK(f.Text("SELECT last_error FROM outbox WHERE template = 'acknowledgment'") == "a recipient is not a mail address");
  CHECK(f.Events(r.id).back() == "mail_failed");
}

TEST_CASE("when the relay cannot be reached the round stops", "[service][outbox][retry]") {
  OutboxFixture f;
  f.Create("access", "a@example.com");
  f.transport->script = {{Kind::kRetry, "SMTP: Couldn't connect to server", true}};
  CHECK(f.Deliver() == 0);
  CHECK(f.sent.size() == 1);  // the second mail waits for the next round
  CHECK(f.Count("SELECT attempts FROM outbox ORDER BY id LIMIT 1") == 1);
  CHECK(f.Count("SELECT attempts FROM outbox ORDER BY id DESC LIMIT 1") == 0);
  f.clock.Set(kStart + 60000);
  CHECK(f.Deliver() == 2);
}

TEST_CASE("NextAttempt doubles the wait up to the cap", "[service][outbox][retry]") {
  const Millis m = kMillisPerMinute;
  CHECK(service::NextAttempt(0, 1, m, 6 * kMillisPerHour) == m);
  CHECK(service::NextAttempt(0, 2, m, 6 * kMillisPerHour) == 2 * m);
  CHECK(service::NextAttempt(0, 5, m, 6 * kMillisPerHour) == 16 * m);
  CHECK(service::NextAttempt(0, 9, m, 6 * kMillisPerHour) == 256 * m);
  CHECK(service::NextAttempt(0, 10, m, 6 * kMillisPerHour) == 6 * kMillisPerHour);
  CHECK(service::NextAttempt(0, 60, m, 6 * kMillisPerHour) == 6 * kMillisPerHour);  // no overflow
}

TEST_CASE("a reply without a code joins its request as a note for staff", "[service][outbox][reply]") {
  OutboxFixture f;
  const std::string request =
      "From: Sam Lee <sam.lee@example.com>\r\nTo: privacy@nimbus.example\r\n"
      "Subject: Delete my account\r\nMessage-ID: <first@example.com>\r\n"
      "Date: Fri, 20 Nov 2026 08:00:00 +0000\r\n\r\n"
      "Hello, please delete my account and all my personal data.\r\nSam\r\n";
  auto in = IntakeMail(*f.svc, request);
  REQUIRE(in.ok());
  REQUIRE(in->kind == "request");
  f.Deliver();
  REQUIRE(!f.sent.empty());
  const auto ack = Parse(f.sent[0].message);
  CHECK(ack.in_reply_to == "first@example.com");  // our mail threads under the requester's
  const std::string reply =
      "From: Sam Lee <sam.lee@example.com>\r\nTo: privacy@nimbus.example\r\n"
      "Subject: Re: " + ack.subject + "\r\nMessage-ID: <second@example.com>\r\n"
      "In-Reply-To: <" + ack.message_id + ">\r\nReferences: <first@example.com> <" + ack.message_id + ">\r\n"
      "Date: Mon, 23 Nov 2026 08:00:00 +0000\r\n\r\n"
      "Any update on this? I would also like a copy of my data first.\r\n\r\n"
      "On Fri, 20 Nov 2026, privacy@nimbus.example wrote:\r\n> We received your deletion request\r\n";
  auto joined = IntakeMail(*f.svc, reply);
  REQUIRE(joined.ok());
  CHECK(joined->kind == "reply");
  CHECK(joined->reference == in->reference);
  CHECK(f.Count("SELECT count(*) FROM requests") == 1);  // never a new request
  auto ts = f.svc->Transitions(f.svc->Get(in->reference)->id);
  const auto& note = ts->back();
  CHECK(note.event == "message_received");
  CHECK(note.actor == "requester");
  CHECK(note.to_state == "verifying");
  const auto data = boost::json::parse(note.data_json);
  CHECK(data.at("note").as_string() == "Any update on this? I would also like a copy of my data first.");
  CHECK(data.at("inbound_message").as_int64() == joined->message_row);
}
