// Mail templates: languages, labels, the HTML part, and the load-time checks.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "mail/templates.h"

using namespace dsar;
namespace fs = std::filesystem;

namespace {

const std::string kShipped = std::string(DSAR_SOURCE_DIR) + "/templates/mail";

struct TempDir {
  fs::path dir;
  TempDir() {
    char tmpl[] = "/tmp/dsar-tpl-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
};

}  // namespace

TEST_CASE("TextToHtml: escaped paragraphs, line breaks, codes and links", "[service][templates]") {
  CHECK(service::TextToHtml("Hello Ana & <Bo>,\n\nLine one\nline two: https://x.example/a?b=1&c=2.\n\n    123456\n") ==
        "<p>Hello Ana &amp; &lt;Bo&gt;,</p>\n"
        "<p>Line one<br>\nline two: <a href=\"https://x.example/a?b=1&amp;c=2\">https://x.example/a?b=1&amp;c=2</a>.</p>\n"
        "<pre>123456</pre>\n");
  CHECK(service::TextToHtml("") == "");
}

TEST_CASE("the shipped templates: every requester mail in eight languages, staff mail in English",
          "[service][templates]") {
  auto t = service::MailTemplates::Load(kShipped);
  REQUIRE(t.ok());
  const std::map<std::string, std::string> vars = {{"reference", "DSR-AAAA-BBBB"}, {"controller", "Nimbus Cloud"},
                                                    {"received_date", "2026-11-20"}, {"due_date", "2026-12-21"},
                                                    {"reason", "r"}, {"code", "123456"}, {"expires", "x"},
                                                    {"max_attempts", "5"}, {"days_left", "2"}, {"state", "verifying"}};
  for (const std::string lang : {"en", "de", "fr", "es", "it", "nl", "pt", "ja"}) {
    for (const std::string name : {"acknowledgment", "cancelled", "completed", "denied", "extension_notice", "paused",
                                   "verification_code", "verification_reminder"}) {
      auto m = t->Render(name, lang, "access", vars);
      REQUIRE(m.ok());
      CHECK(m->language == lang);
      CHECK(m->subject.rfind("[DSR-AAAA-BBBB] ", 0) == 0);  // replies join by the reference
      CHECK(m->body.find("{{") == std::string::npos);
      CHECK(m->html.find("<html lang=\"" + lang + "\">") != std::string::npos);
    }
    auto code = t->Render("verification_code", lang, "access", vars);
    CHECK(code->body.find("\n    123456\n") != std::string::npos);
    auto staff = t->Render("staff_reminder", lang, "access", vars);
    CHECK(staff->language == "en");
  }
  CHECK(t->TypeLabel("access", "en") == "access (copy of your personal data)");
  CHECK(t->TypeLabel("deletion", "de-AT") == t->TypeLabel("deletion", "de"));
  CHECK(t->TypeLabel("deletion", "xx") == "deletion");
  auto ja = t->Render("acknowledgment", "ja", "deletion", vars);
  CHECK(ja->body.find(t->TypeLabel("deletion", "ja")) != std::string::npos);
}

TEST_CASE("plain text is not HTML-escaped; the HTML part is", "[service][templates]") {
  TempDir d;
  d.Write("hello.mustache", "Subject: Hi {{name}}\n\nDear {{name}},\n");
  d.Write("_layout.html.mustache", "<html lang=\"{{lang}}\"><title>{{subject}}</title>{{{content}}}</html>");
  auto t = service::MailTemplates::Load(d.dir.string());
  REQUIRE(t.ok());
  auto m = t->Render("hello", "", "", {{"name", "Ann O'Neil & <Co>"}});
  REQUIRE(m.ok());
  CHECK(m->subject == "Hi Ann O'Neil & <Co>");
  CHECK(m->body == "Dear Ann O'Neil & <Co>,\n");
  CHECK(m->html ==
        "<html lang=\"en\"><title>Hi Ann O&apos;Neil &amp; &lt;Co&gt;</title><p>Dear Ann O&#39;Neil &amp; &lt;Co&gt;,</p>\n</html>");
}

TEST_CASE("template directory errors name the file", "[service][templates]") {
  SECTION("a translation without an English original") {
    TempDir d;
    d.Write("hello.mustache", "Subject: Hi\n\nHello\n");
    d.Write("de/bye.mustache", "Subject: Tschüss\n\nTschüss\n");
    auto t = service::MailTemplates::Load(d.dir.string());
    REQUIRE(!t.ok());
    CHECK(t.status().message() == (d.dir / "de/bye.mustache").string() +
                                      ":1: a translation of 'bye', which has no English template (" +
                                      (d.dir / "bye.mustache").string() + ")");
  }
  SECTION("no Subject line in a translation") {
    TempDir d;
    d.Write("hello.mustache", "Subject: Hi\n\nHello\n");
    d.Write("fr/hello.mustache", "Bonjour\n");
    auto t = service::MailTemplates::Load(d.dir.string());
    REQUIRE(!t.ok());
    CHECK(t.status().message() == (d.dir / "fr/hello.mustache").string() + ":1: a mail template starts with 'Subject: '");
  }
  SECTION("labels that are not a mapping of mappings") {
    TempDir d;
    d.Write("hello.mustache", "Subject: Hi\n\nHello\n");
    d.Write("labels.yaml", "en:\n  access: copy\nde: Auskunft\n");
    auto t = service::MailTemplates::Load(d.dir.string());
    REQUIRE(!t.ok());
    CHECK(t.status().message() == (d.dir / "labels.yaml").string() + ":3: a language maps request types to labels");
  }
}
