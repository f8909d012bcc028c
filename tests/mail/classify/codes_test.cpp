// FindReference and FindVerificationCode (mail/classify/codes.cpp; contracts in mail/message.h),
// with the acceptance defect: any 6-digit number in a reply was taken as the verification code,
// full-width digits not.
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <string>

#include "mail/message.h"
#include "mail/raw_message.h"

using namespace dsar;
using namespace dsar::mail;
using test::MustParse;
using test::RawMessage;

TEST_CASE("FindReference and FindVerificationCode", "[mail][reference]") {
  CHECK(FindReference("Re: [DSR-7K2M-9QXH] Confirm") == "DSR-7K2M-9QXH");
  CHECK(FindReference("ref dsr-7k2m-9qxh.") == "DSR-7K2M-9QXH");
  CHECK(FindReference("DSR-7K2O-9QXL") == "DSR-7K20-9QX1");  // Crockford: O->0, L->1
  CHECK(FindReference("DSR-7K2U-9QXH").empty());                 // U is not Crockford
  CHECK(FindReference("XDSR-7K2M-9QXH").empty());
  CHECK(FindReference("DSR-7K2M-9QXHZ").empty());
  CHECK(FindReference("DSR-7K2-9QXH").empty());
  CHECK(FindReference("no reference").empty());

  CHECK(FindVerificationCode("My code is 123456") == "123456");
  CHECK(FindVerificationCode("123456") == "123456");
  CHECK(FindVerificationCode("Code: 123 456, thanks") == "123456");
  CHECK(FindVerificationCode("call +49 1234567 or 2026-11-16") == "");
  CHECK(FindVerificationCode("order 12345 and 1234567") == "");
  CHECK(FindVerificationCode("at 12:30:45 on 16.11.2026, ref A123456") == "");
  CHECK(FindVerificationCode("Ticket 555555. Mein Code lautet 654321.") == "654321");
  CHECK(FindVerificationCode("El código es: 908172") == "908172");
}

TEST_CASE("a verification code: full-width digits, and only a number that is a code", "[mail][reference][regress]") {
  // Full-width digits, as Japanese input writes them.
  CHECK(FindVerificationCode("確認コードは４７９２８９です。") == "479289");
  CHECK(FindVerificationCode("認証コード：４７９２８９") == "479289");
  CHECK(FindVerificationCode("４７９２８９") == "479289");
  CHECK(FindVerificationCode("コードは 479289 です") == "479289");
  // A number that is something else.
  CHECK(FindVerificationCode("Hi, any update? My customer number is 482913 in case you need it.") == "");
  CHECK(FindVerificationCode("My order 482913 hasn't arrived, and I am still waiting for an answer about it.") == "");
  CHECK(FindVerificationCode("Customer number: 482913") == "");
  CHECK(FindVerificationCode("Here's the code. My customer number is 482913") == "");
  CHECK(FindVerificationCode("My postcode is 560001, is that relevant?") == "");
  CHECK(FindVerificationCode("Meine Kundennummer ist 482913, bitte um Rückmeldung zum Stand.") == "");
  CHECK(FindVerificationCode("call me on 030 123 456") == "");
  // Near a code word, in each language, before or after the number.
  CHECK(FindVerificationCode("Mein Bestätigungscode: 482913") == "482913");
  CHECK(FindVerificationCode("Mijn verificatiecode is 482913.") == "482913");
  CHECK(FindVerificationCode("Le code de vérification est 482913") == "482913");
  CHECK(FindVerificationCode("Il codice è 482913") == "482913");
  CHECK(FindVerificationCode("O código de verificação é 482913.") == "482913");
  CHECK(FindVerificationCode("482913 is the code you sent me.") == "482913");
  CHECK(FindVerificationCode("Ticket 555555. Mein Code lautet 654321.") == "654321");
  // On a line of its own, or a short reply that is essentially the code.
  CHECK(FindVerificationCode("Hi,\n\n482913\n\nThanks, Alex") == "482913");
  CHECK(FindVerificationCode("Hi, here you go: 482913 Thanks, Alex") == "482913");
  CHECK(FindVerificationCode("Hi,\n123 456\nAlex") == "123456");
  CHECK(FindVerificationCode("123 456") == "123456");
}

TEST_CASE("a reply with a full-width code is read from the parsed message", "[mail][reference][regress]") {
  RawMessage m;
  m.from = "=?UTF-8?B?5bGx55Sw6Iqx5a2Q?= <hanako.yamada@example.jp>";
  m.subject = "Re: [DSR-7K2M-9QXH] ご本人確認のお願い";
  m.message_id = "reply-fw@example.jp";
  m.extra_headers = {"In-Reply-To: <ack-9@nimbus.example>", "References: <ack-9@nimbus.example>"};
  m.charset = "ISO-2022-JP";
  m.transfer_encoding = "7bit";
  m.body = test::Encode("確認コードは４７９２８９です。\r\nよろしくお願いいたします。\r\n", "ISO-2022-JP");
  const ParsedMessage p = MustParse(m.Build());
  CHECK(FindVerificationCode(p.fresh_text) == "479289");
  CHECK(p.in_reply_to == "ack-9@nimbus.example");
}
