#include "mail/templates.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <regex>
#include <sstream>

#include "core/html.h"

namespace dsar::service {

namespace fs = std::filesystem;

// One template, parsed once at Load (parsing costs about ten times a render). kainjow's render is
// not const — it records the errors of partials and lambdas in the object — so Render works on a
// copy (a few microseconds), which leaves the parsed one untouched and Render thread-safe.
struct MailTemplates::Compiled {
  explicit Compiled(const std::string& text, bool verbatim) : tmpl(text) {
    if (verbatim) tmpl.set_custom_escape([](const std::string& s) { return s; });  // plain text: nothing to escape
  }
  kainjow::mustache::mustache tmpl;
};

namespace {

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsLanguageDir(const std::string& name) {
  static const std::regex lang("[a-z]{2,3}");
  return std::regex_match(name, lang);
}

// One line of text as HTML: escaped, with http(s) URLs as links. A URL is what the regular
// expression https?://[^\s<>"']+[^\s<>"'.,;:!?)\]] finds, leftmost first (after "://", the
// longest run of non-blank characters other than <>"' that is at least two long, ends at a
// character other than .,;:!?)] — a sentence's full stop is not part of the link), matched by
// hand: std::regex took a third of the time of a mail's rendering.
std::string LineToHtml(const std::string& line) {
  auto in_url = [](char c) {  // [^\s<>"'] (\s: the C locale's blanks)
    return c != ' ' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != '<' && c != '>' &&
           c != '"' && c != '\'';
  };
  auto may_end = [&](char c) {  // [^\s<>"'.,;:!?)\]]
    return in_url(c) && c != '.' && c != ',' && c != ';' && c != ':' && c != '!' && c != '?' && c != ')' && c != ']';
  };
  std::string out;
  size_t last = 0;
  for (size_t at = line.find("http"); at != std::string::npos; at = line.find("http", at)) {
    size_t rest = at + 4;
    if (line.compare(rest, 1, "s") == 0 && line.compare(rest + 1, 3, "://") == 0) rest += 4;
    else if (line.compare(rest, 3, "://") == 0) rest += 3;
    else {
      ++at;
      continue;
    }
    size_t run = rest;
    while (run < line.size() && in_url(line[run])) ++run;
    size_t end = run;
    while (end >= rest + 2 && !may_end(line[end - 1])) --end;
    if (end < rest + 2) {  // no URL starts here
      ++at;
      continue;
    }
    out += HtmlEscape(line.substr(last, at - last));
    const std::string href = HtmlEscape(line.substr(at, end - at));
    out += "<a href=\"" + href + "\">" + href + "</a>";
    last = at = end;
  }
  return out + HtmlEscape(line.substr(last));
}

std::string DefaultLanguage(const std::string& language) {
  std::string primary = language.substr(0, language.find_first_of("-_"));
  for (char& c : primary) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return primary.empty() ? "en" : primary;
}

Result<std::pair<std::string, std::string>> ParseTemplate(const std::string& text, const std::string& file) {
  if (text.rfind("Subject: ", 0) != 0) return Status::Invalid(file + ":1: a mail template starts with 'Subject: '");
  const size_t eol = text.find('\n');
  if (eol == std::string::npos || text.compare(eol + 1, 1, "\n") != 0)
    return Status::Invalid(file + ":2: a blank line must follow the Subject line");
  return std::make_pair(text.substr(9, eol - 9), text.substr(eol + 2));
}

Status LoadLabels(const fs::path& path, std::map<std::string, std::map<std::string, std::string>>& labels) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    return Status::Invalid(path.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return Status::Invalid(path.string() + ":1: labels are a mapping of languages");
  for (const auto& lang : root) {
    const std::string where = path.string() + ":" + std::to_string(lang.first.Mark().line + 1) + ": ";
    if (!lang.second.IsMap()) return Status::Invalid(where + "a language maps request types to labels");
    for (const auto& kv : lang.second) {
      if (!kv.second.IsScalar()) return Status::Invalid(where + "a label is a string");
      labels[lang.first.as<std::string>()][kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
  }
  return Status::Ok();
}

}  // namespace

std::string TextToHtml(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  std::string paragraph;  // HTML of the open paragraph
  auto close = [&] {
    if (!paragraph.empty()) out += "<p>" + paragraph + "</p>\n";
    paragraph.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      close();
    } else if (line.rfind("    ", 0) == 0) {  // an indented line: a code or an address, kept as written
      close();
      out += "<pre>" + HtmlEscape(line.substr(line.find_first_not_of(' '))) + "</pre>\n";
    } else {
      paragraph += (paragraph.empty() ? "" : "<br>\n") + LineToHtml(line);
    }
  }
  close();
  return out;
}

Result<MailTemplates> MailTemplates::Load(const std::string& dir) {
  MailTemplates t;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::IoError("mail templates directory " + dir + " not found");
  auto load_dir = [&](const fs::path& d, const std::string& language) -> Status {
    for (const auto& entry : fs::directory_iterator(d)) {
      const std::string file = entry.path().string();
      const std::string fname = entry.path().filename().string();
      if (entry.path().extension() != ".mustache" || fname[0] == '_') continue;
      auto text = ReadFile(entry.path());
      if (!text.ok()) return text.status();
      auto parsed = ParseTemplate(*text, file);
      if (!parsed.ok()) return parsed.status();
      t.templates_[{language, entry.path().stem().string()}] = {std::make_shared<const Compiled>(parsed->first, true),
                                                                 std::make_shared<const Compiled>(parsed->second, true)};
    }
    return Status::Ok();
  };
  if (Status s = load_dir(dir, "en"); !s.ok()) return s;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !IsLanguageDir(name) || name == "en") continue;
    if (Status s = load_dir(entry.path(), name); !s.ok()) return s;
  }
  for (const auto& [key, tmpl] : t.templates_)
    if (key.first != "en" && !t.templates_.count({"en", key.second}))
      return Status::Invalid((fs::path(dir) / key.first / (key.second + ".mustache")).string() +
                             ":1: a translation of '" + key.second + "', which has no English template (" +
                             (fs::path(dir) / (key.second + ".mustache")).string() + ")");
  if (fs::exists(fs::path(dir) / "labels.yaml", ec))
    if (Status s = LoadLabels(fs::path(dir) / "labels.yaml", t.labels_); !s.ok()) return s;
  if (fs::exists(fs::path(dir) / "denial_reasons.yaml", ec))
    if (Status s = LoadLabels(fs::path(dir) / "denial_reasons.yaml", t.denial_reasons_); !s.ok()) return s;
  if (fs::exists(fs::path(dir) / "_layout.html.mustache", ec)) {
    auto layout = ReadFile(fs::path(dir) / "_layout.html.mustache");
    if (!layout.ok()) return layout.status();
    t.layout_ = *layout;
    t.layout_compiled_ = std::make_shared<const Compiled>(t.layout_, false);
  }
  return t;
}

std::string MailTemplates::Label(const Labels& labels, const std::string& key, const std::string& language) {
  for (const std::string& lang : {DefaultLanguage(language), std::string("en")}) {
    auto l = labels.find(lang);
    if (l == labels.end()) continue;
    auto it = l->second.find(key);
    if (it != l->second.end()) return it->second;
  }
  return key;
}

std::string MailTemplates::TypeLabel(const std::string& type, const std::string& language) const {
  return Label(labels_, type, language);
}

std::string MailTemplates::DenialReason(const std::string& code, const std::string& language) const {
  return Label(denial_reasons_, code, language);
}

Result<RenderedMail> MailTemplates::Render(const std::string& name, const std::string& language,
                                           const std::string& type, std::map<std::string, std::string> vars) const {
  std::string lang = DefaultLanguage(language);
  auto it = templates_.find({lang, name});
  if (it == templates_.end()) {
    lang = "en";
    it = templates_.find({lang, name});
  }
  if (it == templates_.end()) return Status::NotFound("no mail template '" + name + "'");
  if (!type.empty()) vars["type_label"] = TypeLabel(type, lang);
  if (auto code = vars.find("reason_code"); code != vars.end()) vars["denial_reason"] = DenialReason(code->second, lang);
  kainjow::mustache::data data;
  for (const auto& [k, v] : vars) data.set(k, v);
  kainjow::mustache::mustache subject(it->second.subject->tmpl), body(it->second.body->tmpl);  // copies (see Compiled)
  if (!subject.is_valid()) return Status::Invalid("template " + name + " subject: " + subject.error_message());
  if (!body.is_valid()) return Status::Invalid("template " + name + " body: " + body.error_message());
  RenderedMail out{subject.render(data), body.render(data), "", lang};
  if (!layout_.empty()) {
    kainjow::mustache::mustache layout(layout_compiled_->tmpl);
    if (!layout.is_valid()) return Status::Invalid("template _layout.html: " + layout.error_message());
    kainjow::mustache::data page;
    page.set("content", TextToHtml(out.body));
    page.set("subject", out.subject);
    page.set("lang", lang);
    if (auto c = vars.find("controller"); c != vars.end()) page.set("controller", c->second);
    out.html = layout.render(page);
  }
  return out;
}

}  // namespace dsar::service
