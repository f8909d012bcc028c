// Mail templates (Mustache, kainjow), one file per template: `<dir>/<name>.mustache`, whose
// first line is `Subject: ...` and whose body follows a blank line. Loaded once; rendering is
// pure. Thread-safe after Load.
#pragma once

#include <map>
#include <string>

#include "core/status.h"

namespace dsar::service {

struct RenderedMail {
  std::string subject;
  std::string body;
};

class MailTemplates {
 public:
  // Loads every *.mustache file in `dir`. Invalid names the file when one has no Subject line.
  static Result<MailTemplates> Load(const std::string& dir);
  // NotFound for an unknown template; Invalid when the template fails to render.
  Result<RenderedMail> Render(const std::string& name, const std::map<std::string, std::string>& vars) const;
  bool Has(const std::string& name) const { return templates_.count(name) != 0; }

 private:
  struct Template {
    std::string subject, body;
  };
  std::map<std::string, Template> templates_;
};

}  // namespace dsar::service
