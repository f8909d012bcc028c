#include "mail/compose.h"

#include <gmime/gmime.h>

#include <memory>

#include "mail/gmime_support.h"

namespace dsar::mail {
namespace {

// A UTF-8, quoted-printable text part of `subtype` holding `body`.
GMimeObject* TextPart(const char* subtype, const std::string& body) {
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(body.data(), body.size()));
  GPtr<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(GMIME_PART(part), content.get());
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
  g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  return GMIME_OBJECT(part);
}

bool AddMailbox(InternetAddressList* list, const std::string& text) {
  GPtr<InternetAddressList> parsed(internet_address_list_parse(nullptr, text.c_str()));
  if (!parsed || internet_address_list_length(parsed.get()) != 1) return false;
  InternetAddress* a = internet_address_list_get_address(parsed.get(), 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX(a)) return false;
  const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
  if (addr == nullptr || std::string(addr).find('@') == std::string::npos) return false;
  internet_address_list_add(list, a);
  return true;
}

std::string Bracketed(const std::string& id) { return "<" + id + ">"; }

// A Message-ID we may repeat in In-Reply-To / References: id-left "@" id-right, no blanks or
// brackets, at most 250 characters (so a header line stays far below RFC 5322's 998). Others are
// left out rather than sent broken.
bool UsableId(const std::string& id) {
  if (id.empty() || id.size() > 250 || id.find('@') == std::string::npos) return false;
  for (unsigned char c : id)
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>') return false;
  return true;
}

}  // namespace

Result<std::string> ComposeMessage(const OutgoingMail& mail) {
  InitGMimeOnce();
  if (mail.message_id.empty()) return Status::Invalid("an outgoing mail needs a Message-ID");
  if (mail.to.empty()) return Status::Invalid("an outgoing mail needs a recipient");
  GPtr<GMimeMessage> msg(g_mime_message_new(TRUE));
  if (!AddMailbox(g_mime_message_get_from(msg.get()), mail.from))
    return Status::Invalid("the sender '" + mail.from + "' is not one mail address");
  for (const std::string& to : mail.to)
    if (!AddMailbox(g_mime_message_get_to(msg.get()), to)) return Status::Invalid("a recipient is not a mail address");
  g_mime_message_set_subject(msg.get(), mail.subject.c_str(), "utf-8");
  GDateTime* date = g_date_time_new_from_unix_utc(mail.date / kMillisPerSecond);
  g_mime_message_set_date(msg.get(), date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(msg.get(), mail.message_id.c_str());
  GMimeObject* root = GMIME_OBJECT(msg.get());
  if (UsableId(mail.in_reply_to))
    g_mime_object_set_header(root, "In-Reply-To", Bracketed(mail.in_reply_to).c_str(), nullptr);
  std::string refs;
  for (const std::string& r : mail.references)
    if (UsableId(r)) refs += (refs.empty() ? "" : " ") + Bracketed(r);
  if (!refs.empty()) g_mime_object_set_header(root, "References", refs.c_str(), nullptr);
  g_mime_object_set_header(root, "Auto-Submitted", "auto-generated", nullptr);
  g_mime_object_set_header(root, "X-Auto-Response-Suppress", "All", nullptr);
  if (!mail.language.empty()) g_mime_object_set_header(root, "Content-Language", mail.language.c_str(), nullptr);

  if (mail.html.empty()) {
    GPtr<GMimeObject> text(TextPart("plain", mail.text));
    g_mime_message_set_mime_part(msg.get(), text.get());
  } else {
    GPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
    GPtr<GMimeObject> text(TextPart("plain", mail.text));
    GPtr<GMimeObject> html(TextPart("html", mail.html));
    g_mime_multipart_add(alternative.get(), text.get());
    g_mime_multipart_add(alternative.get(), html.get());
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(alternative.get()));
  }

  GMimeFormatOptions* options = g_mime_format_options_clone(nullptr);
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* bytes = g_mime_object_to_string(root, options);
  g_mime_format_options_free(options);
  if (bytes == nullptr) return Status::IoError("GMime could not write the message");
  std::string out(bytes);
  g_free(bytes);
  return out;
}

}  // namespace dsar::mail
