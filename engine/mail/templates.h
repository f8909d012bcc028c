// Mail templates (Mustache, kainjow), per template and language (issue 4 §7).
//
// Layout of the templates directory:
//   <dir>/<name>.mustache          English, the default; every template exists here
//   <dir>/<lang>/<name>.mustache   a translation (lang: an ISO 639-1 code such as de, fr, ja)
//   <dir>/labels.yaml              the request type as a mail names it, per language
//                                  ({lang: {access: "...", ...}}); optional
//   <dir>/denial_reasons.yaml      a denial's reason code (core/denial.h) as the requester reads
//                                  it, per language (same shape); optional
//   <dir>/_layout.html.mustache    the HTML part's layout (`{{{content}}}`, `{{subject}}`,
//                                  `{{lang}}`, `{{controller}}`); optional: no HTML part without it
// A template file's first line is `Subject: ...`, then a blank line, then the plain-text body.
//
// Rendering picks the requester's language when the template is translated, else English. The
// text part is rendered without HTML escaping (a name like "O'Brien" stays as written); the HTML
// part is the same text, HTML-escaped, with paragraphs, line breaks and links, inside the layout.
// Loaded once, each template parsed (compiled) once at Load; rendering is pure and thread-safe
// after Load.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/status.h"

namespace dsar::service {

struct RenderedMail {
  std::string subject;
  std::string body;      // text/plain
  std::string html;      // text/html; "" when there is no layout
  std::string language;  // the language rendered ("en" when not translated)
};

class MailTemplates {
 public:
  // Loads the directory. Invalid names the file (and line) when a template has no Subject line,
  // a translation has no English original, or labels.yaml is not a mapping of mappings.
  static Result<MailTemplates> Load(const std::string& dir);

  // NotFound for an unknown template; Invalid when the template fails to render. `language` is
  // the requester's ("" or untranslated: English). `type` (a request type) sets `type_label`;
  // a `reason_code` var sets `denial_reason`.
  Result<RenderedMail> Render(const std::string& name, const std::string& language, const std::string& type,
                              std::map<std::string, std::string> vars) const;
  bool Has(const std::string& name) const { return templates_.count({"en", name}) != 0; }
  // The label of a request type in `language` (falling back to English, then to the type id).
  std::string TypeLabel(const std::string& type, const std::string& language) const;
  // The text of a denial reason code in `language` (falling back to English, then to the code).
  std::string DenialReason(const std::string& code, const std::string& language) const;

 private:
  struct Compiled;  // one parsed template (templates.cpp)
  struct Template {
    std::shared_ptr<const Compiled> subject, body;
  };
  std::map<std::pair<std::string, std::string>, Template> templates_;  // by (language, name)
  using Labels = std::map<std::string, std::map<std::string, std::string>>;  // language -> key -> text
  static std::string Label(const Labels& labels, const std::string& key, const std::string& language);
  Labels labels_;          // request types
  Labels denial_reasons_;  // denial reason codes
  std::string layout_;                                                 // "" = no HTML part
  std::shared_ptr<const Compiled> layout_compiled_;                    // parsed layout_
};

// The HTML rendering of a plain-text mail body: escaped, blank-line-separated paragraphs,
// line breaks kept, indented lines (a code) as preformatted text, http(s) URLs as links.
std::string TextToHtml(const std::string& text);

}  // namespace dsar::service
