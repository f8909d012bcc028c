#include "service/templates.h"

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <sstream>

namespace dsar::service {

Result<MailTemplates> MailTemplates::Load(const std::string& dir) {
  MailTemplates t;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Status::IoError("mail templates directory " + dir + " not found");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".mustache") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string file = entry.path().string();
    if (text.rfind("Subject: ", 0) != 0) return Status::Invalid(file + ":1: a mail template starts with 'Subject: '");
    const size_t eol = text.find('\n');
    if (eol == std::string::npos || text.compare(eol + 1, 1, "\n") != 0)
      return Status::Invalid(file + ":2: a blank line must follow the Subject line");
    t.templates_[entry.path().stem().string()] = {text.substr(9, eol - 9), text.substr(eol + 2)};
  }
  return t;
}

Result<RenderedMail> MailTemplates::Render(const std::string& name, const std::map<std::string, std::string>& vars) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return Status::NotFound("no mail template '" + name + "'");
  kainjow::mustache::data data;
  for (const auto& [k, v] : vars) data.set(k, v);
  kainjow::mustache::mustache subject(it->second.subject), body(it->second.body);
  if (!subject.is_valid()) return Status::Invalid("template " + name + " subject: " + subject.error_message());
  if (!body.is_valid()) return Status::Invalid("template " + name + " body: " + body.error_message());
  return RenderedMail{subject.render(data), body.render(data)};
}

}  // namespace dsar::service
