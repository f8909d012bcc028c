#include "app/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/serve.h"
#include "core/time.h"
#include "workflow/config.h"
#include "requests/engine.h"
#include "identity/api_tokens.h"
#include "identity/suppression.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "requests/deployment_check.h"
#include "store/store.h"
#include "workflow/check_command.h"
#include "workflow/loader.h"
#include "workflow/rules_loader.h"
#include "workflow/verification_policy.h"

namespace dsar::app {

namespace {

struct Common {
  std::string db;
  std::string config_file;
  std::string workflows;
  std::string test_clock;  // RFC 3339: a manual clock standing at this instant (tests)
};

// The clock every subcommand reads: the system clock, or the --test-clock instant.
Result<std::unique_ptr<Clock>> MakeClock(const Common& c) {
  if (c.test_clock.empty()) return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
  auto start = ParseRfc3339(c.test_clock);
  if (!start) return Status::Invalid("--test-clock: not an RFC 3339 instant: " + c.test_clock);
  return std::unique_ptr<Clock>(std::make_unique<ManualClock>(*start));
}

Result<service::Config> ResolveConfig(const Common& c) {
  service::Config cfg;
  if (!c.config_file.empty()) {
    auto loaded = service::LoadConfig(c.config_file);
    if (!loaded.ok()) return loaded.status();
    cfg = *loaded;
  }
  if (!c.db.empty()) cfg.db_path = c.db;
  if (!c.workflows.empty()) cfg.workflows_dir = c.workflows;
  return cfg;
}

int Fail(const Status& s) {
  std::cerr << "dsar: " << s.message() << "\n";
  return s.IsInvalid() || s.kind() == Status::Kind::kUnprocessable ? 2 : 1;
}

// What a one-shot command needs: the configuration, the clock, the store and the service, opened
// the same way `dsar serve` opens them.
struct Engine {
  service::Config config;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Engine> service;

  Status Open(const Common& common) {
    auto cfg = ResolveConfig(common);
    if (!cfg.ok()) return cfg.status();
    config = *cfg;
    auto c = MakeClock(common);
    if (!c.ok()) return c.status();
    clock = std::move(c.value());
    auto st = store::Store::Open({config.db_path});
    if (!st.ok()) return st.status();
    store = std::move(st.value());
    auto svc = service::Engine::Create(config, *store, *clock);
    if (!svc.ok()) return svc.status();
    service = std::move(svc.value());
    auto systems = OpenCompanySystems(config, service.get());
    return systems.ok() ? Status::Ok() : systems.status();
  }
};

int Migrate(const Common& common) {
  auto cfg = ResolveConfig(common);
  if (!cfg.ok()) return Fail(cfg.status());
  store::Options opt;
  opt.path = cfg->db_path;
  opt.migrate = false;
  auto st = store::Store::Open(opt);
  if (!st.ok()) return Fail(st.status());
  auto n = (*st)->Migrate();
  if (!n.ok()) return Fail(n.status());
  std::cout << "applied " << *n << " migration(s) to " << cfg->db_path << "\n";
  return 0;
}

int TokenCreate(const Common& common, const std::string& name) {
  Engine engine;
  if (Status st = engine.Open(common); !st.ok()) return Fail(st);
  service::Engine* svc = engine.service.get();
  auto token = CreateToken(*svc, name);
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << "\n";
  return 0;
}

// Each message is read in bounded memory (service::ReadMail): at most max_message_bytes of it is
// held; a longer one is refused and recorded (its SHA-256 and size over every byte, its first
// 64 KiB), and its line is `refused: <reason>`.
constexpr int kExitTempFail = 75;  // sysexits.h EX_TEMPFAIL

int IntakeMail(const Common& common, const std::vector<std::string>& files) {
  Engine engine;
  if (Status st = engine.Open(common); !st.ok()) {  // a mail server retries rather than bounce
    Fail(st);
    return kExitTempFail;
  }
  service::Engine* svc = engine.service.get();
  const std::int64_t limit = engine.config.max_message_bytes;
  auto ingest = [&](int fd, const std::string& label) -> int {
    auto bytes = service::ReadMail(fd, limit);
    if (!bytes.ok()) {
      std::cerr << "dsar: cannot read " << label << ": " << bytes.status().message() << "\n";
      return 1;
    }
    auto out = IntakeMail(*svc, *bytes);
    if (!out.ok()) {
      // Not stored (the database is busy, full or unwritable): EX_TEMPFAIL, so that a mail
      // server piping to us keeps the message and tries again rather than bouncing it.
      std::cerr << "dsar: " << label << ": " << out.status().message() << "\n";
      return kExitTempFail;
    }
    std::cout << out->line << "\n";
    return 0;
  };
  if (files.empty()) return ingest(STDIN_FILENO, "stdin");
  int rc = 0;
  for (const std::string& f : files) {
    const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "dsar: cannot read " << f << ": " << std::strerror(errno) << "\n";
      rc = 1;
      continue;
    }
    rc |= ingest(fd, f);
    ::close(fd);
  }
  return rc;
}

// Lines of `in` (or of `file` when given), without their line ends.
Result<std::vector<std::string>> ReadLines(const std::string& file) {
  std::vector<std::string> lines;
  std::ifstream f;
  if (!file.empty()) {
    f.open(file);
    if (!f) return Status::IoError("cannot read " + file);
  }
  std::istream& in = file.empty() ? std::cin : f;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

// `dsar suppression check`: one identifier per line on stdin ("email:…", "phone:…",
// "account_id:…", "mailto:…", "Name <address>", or a bare value whose kind is guessed); one line
// out per line in, in order: "suppressed", "not suppressed", or "invalid: …" for a line that is
// no email address, phone number or account id (never answered "not suppressed": a caller must
// not import what it could not check). The identifiers are not echoed. Exit 0, or 65
// (EX_DATAERR) when a line was invalid.
int SuppressionCheck(const Common& common) {
  Engine engine;
  if (Status st = engine.Open(common); !st.ok()) return Fail(st);
  auto lines = ReadLines("");
  if (!lines.ok()) return Fail(lines.status());
  bool invalid = false;
  for (const auto& line : *lines) {
    const service::Identifier id = service::ParseIdentifierLine(line);
    if (service::SuppressionHash(engine.service->secrets(), id).empty()) {
      std::cout << "invalid: not an email address, phone number or account id\n";
      invalid = true;
      continue;
    }
    auto s = IsSuppressed(*engine.service, id.kind, id.value);
    if (!s.ok()) return Fail(s.status());
    std::cout << (*s ? "suppressed" : "not suppressed") << "\n";
  }
  return invalid ? 65 : 0;
}

// `dsar demo-import newsletter [FILE]`: the demo company's newsletter import, one address per
// line (stdin when no file), refusing suppressed addresses; one outcome line per input line,
// "line N: <outcome>", then a total. Exit 0, or 1 when the company database cannot be written.
int DemoImportNewsletter(const Common& common, const std::string& file) {
  Engine engine;
  if (Status st = engine.Open(common); !st.ok()) return Fail(st);
  auto lines = ReadLines(file);
  if (!lines.ok()) return Fail(lines.status());
  auto out = service::ImportNewsletter(*engine.store, engine.service->secrets(), engine.config.company_db, *lines,
                                       engine.clock->Now());
  if (!out.ok()) return Fail(out.status());
  int imported = 0, refused = 0;
  for (size_t i = 0; i < out->size(); ++i) {
    std::cout << "line " << (i + 1) << ": " << (*out)[i] << "\n";
    imported += (*out)[i] == "imported";
    refused += (*out)[i].rfind("refused", 0) == 0;
  }
  std::cout << "imported " << imported << ", refused " << refused << " (suppressed)\n";
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"dsar: data subject request workflow engine"};
  app.require_subcommand(1);
  Common common;
  app.add_option("--db", common.db, "SQLite database (default ./var/dsar.db)");
  app.add_option("--config", common.config_file, "configuration file (YAML)");
  app.add_option("--test-clock", common.test_clock, "a manual clock standing at this RFC 3339 instant (tests only)");

  ServeOptions serve_opts;
  auto* serve = app.add_subcommand("serve", "run the HTTP API, workers and scheduler");
  serve->add_option("--listen", serve_opts.listen, "HOST:PORT (default 127.0.0.1:8080)");
  serve->add_option("--workflows", common.workflows, "workflow directory (default ./workflows)");
  serve->add_option("--threads", serve_opts.threads, "HTTP threads (default 2)");

  std::vector<std::string> files;
  auto* intake = app.add_subcommand("intake-mail", "ingest RFC 5322 messages (stdin when no file)");
  intake->add_option("files", files, "message files");

  auto* wf = app.add_subcommand("workflows", "workflow definitions");
  wf->require_subcommand(1);
  std::string check_dir = "workflows";
  auto* check = wf->add_subcommand("check", "check workflow files; prints file:line: message for each error");
  check->add_option("dir", check_dir, "directory (default ./workflows)");

  auto* migrate = app.add_subcommand("migrate", "apply pending database migrations");

  auto* token = app.add_subcommand("token", "API tokens");
  token->require_subcommand(1);
  std::string token_name = "staff";
  auto* token_create = token->add_subcommand("create", "create an API token; prints it once (only its hash is kept)");
  token_create->add_option("--name", token_name, "a label for the token");

  auto* suppression = app.add_subcommand("suppression", "the suppression list of erased people (keyed hashes)");
  suppression->require_subcommand(1);
  auto* suppression_check = suppression->add_subcommand(
      "check", "reads identifiers on stdin (email:…, phone:…, account_id:… or bare); prints suppressed / not suppressed");

  auto* demo_import = app.add_subcommand("demo-import", "the demo company's imports, which refuse suppressed people");
  demo_import->require_subcommand(1);
  std::string import_file;
  auto* import_newsletter = demo_import->add_subcommand("newsletter", "subscribe addresses (one a line) to the newsletter");
  import_newsletter->add_option("file", import_file, "file of addresses (stdin when none)");

  CLI11_PARSE(app, argc, argv);

  if (auto clock = MakeClock(common); !clock.ok()) return Fail(clock.status());
  if (*check) {
    // Each file on its own, then against this deployment (mail templates, fulfillment steps, one
    // workflow per request type): the same checks `dsar serve` makes before it starts.
    if (int rc = workflow::CheckWorkflowsCommand(check_dir, std::cout); rc != 0) return rc;
    if (!std::filesystem::is_directory(check_dir)) return 0;
    auto cfg = ResolveConfig(common);
    if (!cfg.ok()) return Fail(cfg.status());
    auto templates = service::MailTemplates::Load(cfg->templates_dir);
    if (!templates.ok()) return Fail(templates.status());
    auto problems =
        service::CheckDeployment(workflow::LoadWorkflowDir(check_dir).workflows, check_dir, *templates, cfg->templates_dir);
    // The data beside the workflows that `dsar serve` also loads: calendars and jurisdiction
    // rules (deadlines), and the verification policies.
    const workflow::DeadlineData deadlines = workflow::LoadDeadlineData(check_dir);
    problems.insert(problems.end(), deadlines.errors.begin(), deadlines.errors.end());
    const workflow::VerificationPolicyLoad policies = workflow::LoadVerificationPolicyDir(check_dir);
    problems.insert(problems.end(), policies.errors.begin(), policies.errors.end());
    for (const auto& d : problems) std::cout << d.ToString() << "\n";
    return problems.empty() ? 0 : 1;
  }
  if (*migrate) return Migrate(common);
  if (*token_create) return TokenCreate(common, token_name);
  if (*intake) return IntakeMail(common, files);
  if (*suppression_check) return SuppressionCheck(common);
  if (*import_newsletter) return DemoImportNewsletter(common, import_file);
  if (*serve) {
    auto cfg = ResolveConfig(common);
    if (!cfg.ok()) return Fail(cfg.status());
    auto clock = MakeClock(common);
    if (!clock.ok()) return Fail(clock.status());
    return Serve(*cfg, serve_opts, std::move(clock.value()));
  }
  return 2;
}

}  // namespace dsar::app
