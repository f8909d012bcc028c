// ParseMessage: ids, dates, addresses, attachments and the reply template; the acceptance defect
// that invalid Message-IDs were cut down ("<hello world@x>" -> "hello") or kept whole (1,200
// chars). The text helpers behind it are tested in text/.
#include <catch2/catch.hpp>

#include <string>

#include "core/time.h"
#include "mail/fixtures.h"
#include "mail/message.h"
#include "raw_message.h"

using namespace dsar;
using namespace dsar::mail;
using test::kPublic;
using test::kRequests;
using test::MustParse;
using test::RawMessage;
using test::ReadFile;

TEST_CASE("received_at is the date of the topmost Received header", "[mail][parse]") {
  SECTION("several Received headers: the first one counts, not Date") {
    const std::string raw =
        "Received: from mx1.nimbus.example by mx.nimbus.example; Tue, 17 Nov 2026 14:05:00 +0000\r\n"
        "Received: from relay.example.org by mx1.nimbus.example;\r\n"
        "\tTue, 17 Nov 2026 15:04:00 +0100 (CET)\r\n"
        "From: a@example.org\r\n"
        "Date: Mon, 16 Nov 2026 09:00:00 -0800\r\n"
        "Subject: x\r\n\r\nbody\r\n";
    const auto m = MustParse(raw);
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2026-11-17T14:05:00Z");
    REQUIRE(m.date);
    CHECK(FormatRfc3339(*m.date) == "2026-11-16T17:00:00Z");
  }
  SECTION("a folded Received header with a ';' in the middle") {
    const std::string raw =
        "Received: from a.example (a.example [192.0.2.1]); by mx.example with ESMTPS id 42\r\n"
        " for <contact@nimbus.example>; Wed, 18 Nov 2026 07:30:15 -0500\r\n"
        "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n";
    const auto m = MustParse(raw);
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2026-11-18T12:30:15Z");
  }
  SECTION("the redelivered fixture") {
    const auto m = MustParse(ReadFile(kRequests / "gmail_en_delete_account_redelivered.eml"));
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2026-11-16T17:13:02Z");
  }
  SECTION("a public fixture with many hops") {
    const auto m = MustParse(ReadFile(kPublic / "flanker_bilingual_b_subject.eml"));
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2010-02-07T22:02:40Z");
  }
  SECTION("no Received header") {
    const auto m = MustParse(ReadFile(kRequests / "gmail_en_delete_account.eml"));
    CHECK_FALSE(m.received_at.has_value());
    REQUIRE(m.date);
    CHECK(FormatRfc3339(*m.date) == "2026-11-16T17:12:44Z");
  }
}

TEST_CASE("bytes GMime cannot read as a message are Invalid", "[mail][parse]") {
  CHECK(ParseMessage("").status().IsInvalid());
  CHECK(ParseMessage("no headers here, just words\x01\x02").status().IsInvalid());
  CHECK(ParseMessage(std::string("\xff\xfe\x00\x01", 4)).status().IsInvalid());
  CHECK(ParseMessage(std::string(255, ' ') + "\nFrom: a@example.com\n\nhi\n").status().IsInvalid());
}

TEST_CASE("ids, addresses and attachments", "[mail][parse]") {
  const std::string raw =
      "From: \"Ortiz, Sam\" <sam@ortiz.example>\r\n"
      "Reply-To: Dana <dana@example.com>\r\n"
      "To: Privacy <contact@nimbus.example>, undisclosed-recipients:;\r\n"
      "Message-ID: <abc@host.example>\r\n"
      "In-Reply-To: <ours-1@nimbus.example>\r\n"
      "References: <ours-0@nimbus.example> <ours-1@nimbus.example>\r\n"
      "Subject: test\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
      "--b\r\nContent-Type: application/pdf; name=\"auth.pdf\"\r\nContent-Disposition: attachment; filename=\"auth.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";
  const auto m = MustParse(raw);
  CHECK(m.message_id == "abc@host.example");
  CHECK(m.in_reply_to == "ours-1@nimbus.example");
  CHECK(m.references == std::vector<std::string>{"ours-0@nimbus.example", "ours-1@nimbus.example"});
  REQUIRE(m.from);
  CHECK(m.from->name == "Ortiz, Sam");
  CHECK(m.from->email == "sam@ortiz.example");
  REQUIRE(m.reply_to);
  CHECK(m.reply_to->email == "dana@example.com");
  REQUIRE(m.to.size() == 1);
  CHECK(m.to[0].email == "contact@nimbus.example");
  CHECK(m.text == "Hello");
  CHECK(m.attachments == std::vector<std::string>{"auth.pdf"});
}

TEST_CASE("the reply template: reference, code, and no quoted text in fresh_text", "[mail][parse][reply]") {
  std::string raw = ReadFile(kRequests / "TEMPLATE_reply_with_code.eml");
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t p = raw.find(from); p != std::string::npos; p = raw.find(from, p + to.size()))
      raw.replace(p, from.size(), to);
  };
  replace_all("{{CODE}}", "482913");
  replace_all("{{REFERENCE}}", "DSR-7K2M-9QXH");
  replace_all("{{OUR_MESSAGE_ID}}", "<ack-1@nimbus.example>");
  replace_all("{{MESSAGE_ID}}", "<reply-1@example.com>");
  const auto m = MustParse(raw);
  CHECK(m.in_reply_to == "ack-1@nimbus.example");
  CHECK(m.references == std::vector<std::string>{"ack-1@nimbus.example"});
  CHECK(FindReference(m.subject) == "DSR-7K2M-9QXH");
  CHECK(FindReference(m.text) == "DSR-7K2M-9QXH");
  CHECK(FindVerificationCode(m.fresh_text) == "482913");
  CHECK(m.fresh_text.find("delete your account") == std::string::npos);
  CHECK(m.fresh_text.find("DSR-") == std::string::npos);
  CHECK(m.text.find("delete your account") != std::string::npos);
}

TEST_CASE("only valid Message-IDs are kept", "[mail][parse][regress]") {
  auto parse = [](const std::vector<std::string>& headers) {
    RawMessage m;
    m.from = "Robin Vale <robin.vale@example.com>";
    m.subject = "ids";
    m.extra_headers = headers;
    m.body = "Hello";
    return MustParse(m.Build());
  };
  SECTION("an id with a blank is dropped, not cut down to its first word") {
    const auto m = parse({"Message-ID: <hello world@example.com>", "In-Reply-To: <hello world@example.com>",
                          "References: <hello world@example.com> <ok-1@nimbus.example>"});
    CHECK(m.message_id.empty());
    CHECK(m.in_reply_to.empty());
    CHECK(m.references == std::vector<std::string>{"ok-1@nimbus.example"});
  }
  SECTION("an id without '@', or with nothing on one side of it, is dropped") {
    CHECK(parse({"Message-ID: <no-at-sign.example.com>"}).message_id.empty());
    CHECK(parse({"Message-ID: <@example.com>"}).message_id.empty());
    CHECK(parse({"Message-ID: <left@>"}).message_id.empty());
    CHECK(parse({"Message-ID: hello world@example.com"}).message_id.empty());
  }
  SECTION("a 1,200-character id never reaches in_reply_to or references") {
    const std::string huge = std::string(1200 - 13, 'a') + "@example.com";
    REQUIRE(huge.size() == 1199);
    const auto m = parse({"Message-ID: <" + huge + ">", "In-Reply-To: <" + huge + ">",
                          "References: <ours-1@nimbus.example>\r\n <" + huge + ">\r\n <ours-2@nimbus.example>"});
    CHECK(m.message_id.empty());
    CHECK(m.in_reply_to.empty());
    CHECK(m.references == std::vector<std::string>{"ours-1@nimbus.example", "ours-2@nimbus.example"});
    // 250 characters is the limit.
    const std::string longest = std::string(250 - 12, 'b') + "@example.com";
    REQUIRE(longest.size() == 250);
    CHECK(parse({"Message-ID: <" + longest + ">"}).message_id == longest);
    CHECK(parse({"Message-ID: <" + longest.substr(1) + "x1>"}).message_id.empty());
  }
  SECTION("valid ids: the first of several, comments and phrases skipped, no angle brackets") {
    const auto m = parse({"Message-ID: (a comment <x@y>) <abc.123@host.example>",
                          "In-Reply-To: \"Your message of <1 Dec>\" <bad id@x> <good-1@nimbus.example>",
                          "References: a-1@x.example b-2@y.example"});
    CHECK(m.message_id == "abc.123@host.example");
    CHECK(m.in_reply_to == "good-1@nimbus.example");
    CHECK(m.references == std::vector<std::string>{"a-1@x.example", "b-2@y.example"});
    CHECK(parse({"Message-ID: bare-id@host.example"}).message_id == "bare-id@host.example");
    CHECK(parse({"Message-ID: <x@y\r\n .example>"}).message_id.empty());  // folded inside: a blank
  }
}
