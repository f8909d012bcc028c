// Replies and edge cases of intake found in acceptance: a reply to a closed request waits for
// staff, a reply with more than a code (or a refused code) is a note in the history, our own
// address is never a data subject, and a redelivered machine message says it is ignored.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;

namespace {

std::string Mail(const std::string& from, const std::string& mid, const std::string& subject, const std::string& body,
                 const std::string& in_reply_to = "") {
  return "From: " + from + "\r\nTo: privacy@nimbus.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + mid + ">\r\n" +
         (in_reply_to.empty() ? "" : "In-Reply-To: <" + in_reply_to + ">\r\n") + "\r\n" + body + "\r\n";
}

std::string OurFirstMail(Fixture& f, const std::string& request_id) {
  return f.Text("SELECT message_id FROM outbox WHERE request_id = '" + request_id + "' ORDER BY id LIMIT 1");
}

}  // namespace

TEST_CASE("a reply to a closed request waits in the triage queue, linked to it", "[service][reply]") {
  Fixture f;
  auto in = IntakeMail(*f.svc, Mail("Una <una@example.com>", "u1@example.com", "Unsubscribe", "Please unsubscribe me from all marketing emails."));
  REQUIRE(in.ok());
  const auto r = *f.svc->Get(in->reference);
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:ann", "handled by phone", {}}, std::nullopt).ok());
  auto reply = IntakeMail(*f.svc, Mail("Una <una@example.com>", "u2@example.com", "Re: Unsubscribe",
                                      "Thanks! Now please also delete my account and all my personal data.",
                                      OurFirstMail(f, r.id)));
  REQUIRE(reply.ok());
  CHECK(reply->kind == "triage");
  CHECK(reply->line == "triage " + std::to_string(reply->message_row));
  CHECK(f.Text("SELECT outcome || '|' || request_id || '|' || detail FROM inbound_messages WHERE id = " +
               std::to_string(reply->message_row)) ==
        "triage|" + r.id + "|a reply to " + r.reference + ", which is closed (cancelled)");
  CHECK(f.Count("SELECT count(*) FROM requests") == 1);
}

TEST_CASE("a reply with a refused code or more than a code is a note for staff", "[service][reply]") {
  Fixture f;
  auto in = IntakeMail(*f.svc, Mail("Rex <rex@example.com>", "r1@example.com", "Access", "Please send me a copy of my personal data."));
  REQUIRE(in.ok());
  const auto r = *f.svc->Get(in->reference);
  auto reply = IntakeMail(*f.svc, Mail("Rex <rex@example.com>", "r2@example.com", "Re: Access", "Code: 000000",
                                      OurFirstMail(f, r.id)));
  REQUIRE(reply.ok());
  CHECK(reply->kind == "reply");
  auto ts = f.svc->Transitions(r.id);
  REQUIRE(ts->back().event == "message_received");
  const auto data = boost::json::parse(ts->back().data_json);
  CHECK(std::string(data.at("code").as_string()).rfind("verification code refused: ", 0) == 0);
  CHECK(data.at("note").as_string() == "Code: [code]");
  CHECK(ts->back().data_json.find("000000") == std::string::npos);  // the code itself is never kept

  // The right code with a further wish: verified, and the wish is a note without the code.
  const std::string code = f.NewestCode(r.id);
  auto second = IntakeMail(*f.svc, Mail("Rex <rex@example.com>", "r3@example.com", "Re: Access",
                                       "My code is " + code + ". Also, before you send it, please tell me which "
                                       "systems you looked in and who else received my data.",
                                       OurFirstMail(f, r.id)));
  REQUIRE(second.ok());
  CHECK(f.svc->Get(r.id)->identity_verified);
  auto after = f.svc->Transitions(r.id);
  REQUIRE(after.ok());
  std::string notes;
  for (const auto& t : *after)
    if (t.event == "message_received") notes += t.data_json;
  CHECK(notes.find("My code is [code]. Also, before you send it") != std::string::npos);
  CHECK(notes.find(code) == std::string::npos);
}

TEST_CASE("a reply with the right code and a question, or the code spaced out, keeps the words and never the code",
          "[service][reply]") {
  Fixture f;
  for (const char* shape : {"spaced", "question", "plain", "unread"}) {
    INFO(shape);
    const std::string who = std::string(shape) + "@example.com";
    auto in = IntakeMail(*f.svc, Mail(who, std::string(shape) + "-1@example.com", "Access",
                                     "Please send me a copy of my personal data."));
    REQUIRE(in.ok());
    const auto r = *f.svc->Get(in->reference);
    const std::string code = f.NewestCode(r.id);
    const std::string spaced = code.substr(0, 3) + " " + code.substr(3);
    const std::string unread = code.substr(0, 2) + "-" + code.substr(2, 2) + "-" + code.substr(4);
    const std::string body =
        std::string(shape) == "spaced"     ? "My code is " + spaced + " and I also want to know who you shared my data with."
        : std::string(shape) == "question" ? "My code is " + code + ". Why is this taking so long?"
        : std::string(shape) == "unread"   ? "Le code est " + unread + ". Merci, appelez-moi au +33 6 12 34 56 78."
                                           : "My code is " + code;
    auto reply = IntakeMail(*f.svc, Mail(who, std::string(shape) + "-2@example.com", "Re: Access", body,
                                        OurFirstMail(f, r.id)));
    REQUIRE(reply.ok());
    CHECK(f.svc->Get(r.id)->identity_verified == (std::string(shape) != "unread"));
    const auto notes = f.Events(r.id, "message_received");
    if (std::string(shape) == "plain") {
      CHECK(notes.empty());  // a code and nothing more: no note
      continue;
    }
    REQUIRE(notes.size() == 1);
    const std::string note(Data(notes[0]).at("note").as_string());
    CHECK(note.find("[code]") != std::string::npos);
    CHECK(note.find(code) == std::string::npos);
    CHECK(note.find(spaced) == std::string::npos);
    CHECK(note.find(unread) == std::string::npos);
    if (std::string(shape) == "unread") CHECK(note == "Le code est [code]. Merci, appelez-moi au +33 6 12 34 56 78.");
  }
}

TEST_CASE("our own address is never a data subject", "[service][reply]") {
  Fixture f;
  for (const std::string from : {"Nimbus Privacy <privacy@nimbus.example>", "Ops <ops@NIMBUS.example>"}) {
    auto in = IntakeMail(*f.svc, Mail(from, "own-" + std::to_string(from.size()) + "@x", "Delete",
                                     "Please delete my account and all my personal data."));
    REQUIRE(in.ok());
    CHECK(in->kind == "triage");
  }
  CHECK(f.Count("SELECT count(*) FROM requests") == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox") == 0);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages WHERE detail = 'the data subject''s address is the controller''s own'") == 2);
}

TEST_CASE("a machine message delivered twice is ignored twice", "[service][reply]") {
  Fixture f;
  const std::string auto_reply =
      "From: Away <away@example.com>\r\nTo: privacy@nimbus.example\r\nSubject: Out of office\r\n"
      "Auto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@example.com>\r\n\r\nI am away until Monday.\r\n";
  auto first = IntakeMail(*f.svc, auto_reply);
  auto second = IntakeMail(*f.svc, auto_reply);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->line.rfind("ignored: ", 0) == 0);
  CHECK(second->line == first->line + " (redelivery)");
}

TEST_CASE("the same bytes without a Message-ID delivered twice are one message", "[service][reply]") {
  Fixture f;
  const std::string raw =
      "From: Noid <noid@example.com>\r\nTo: privacy@nimbus.example\r\nSubject: Delete\r\n\r\n"
      "Please delete my account and all my personal data.\r\n";
  auto first = IntakeMail(*f.svc, raw);
  auto second = IntakeMail(*f.svc, raw);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->kind == "request");
  CHECK(second->kind == "redelivery");
  CHECK(second->line == first->reference + " (redelivery)");
  CHECK(f.Count("SELECT count(*) FROM requests") == 1);
  // Other bytes (another mail of the same person) are another message: a duplicate request.
  auto third = IntakeMail(*f.svc, raw + "Thanks\r\n");
  REQUIRE(third.ok());
  CHECK(third->kind == "request");
  CHECK(f.svc->Get(third->reference)->state == "duplicate");
}
