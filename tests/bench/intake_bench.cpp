// Intake benchmark (issue 4 §9): messages per second through intake — read from a Maildir,
// parse, classify, store durably, move to cur/ — against GMime parse-only on the same messages,
// as ratios measured in one run. Not a test: scripts/bench runs it on a release build.
//
// The corpus: every message in <fixtures>/requests (but the reply template) and <fixtures>/public,
// repeated into N variants, each with its own Message-ID and a sender made unique by a `+bN` tag
// (so that each is a new message, and most a new request), written into a temporary Maildir.
//   (a) parse only: mail::ParseMessage over the N messages in memory;
//   (b) MaildirIntake, batches of `--batch` messages, one transaction each, ten batches a scan, on
//       one thread; and (b2) the same with the next batch parsed on a second thread while one is
//       stored (MaildirIntake's parse_ahead: what `dsar serve` runs on a machine with two cores);
//   (c) one message per transaction: read, IntakeMail, move (the path before batches);
//   and where the time of (b) goes, phase by phase (the same steps, timed one by one).
//
// Before timing anything it checks that classification decides what it decided when
// kDecisionsDigest was recorded: one line per message (every .eml of the fixtures, and one variant
// of each) with what intake decides from it without the store — machine-generated or not, and
// the whole Classification — and one line per paragraph of its fresh text classified alone,
// hashed together. A speed-up must change no result: a different digest fails the run (exit
// status 3), and --dump-decisions FILE writes the lines to compare with a build from before the
// change. A deliberate change of parsing or classification records the new digest here.
//
//   intake_bench [--messages N] [--batch B] [--fixtures DIR] [--source DIR] [--dir DIR]
//                [--dump-decisions FILE] [--only-batch 1]
// --only-batch 1 runs (a) and (b) alone, under a profiler (perf record) for instance.
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "core/time.h"
#include "mail/message.h"
#include "intake/maildir_watcher.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "identity/suppression.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/corrections.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of this thread so far (user and system), in seconds: the rates in CPU time do not
// depend on what else the machine runs (they leave out waiting, for fsync above all).
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  return true;
}

// Variant `n` of a message: its own Message-ID (replacing the one it has, or added), and a `+bN`
// tag on the From address.
std::string Vary(const std::string& raw, int n) {
  const bool crlf = raw.find("\r\n") != std::string::npos;
  const std::string eol = crlf ? "\r\n" : "\n";
  size_t header_end = raw.find(eol + eol);
  if (header_end == std::string::npos) header_end = raw.size();
  std::string head = raw.substr(0, header_end), rest = raw.substr(header_end);
  std::vector<std::string> lines;  // header fields, folded lines joined to their field
  for (size_t at = 0; at <= head.size();) {
    size_t e = head.find(eol, at);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(at, e - at);
    if (!lines.empty() && !line.empty() && (line[0] == ' ' || line[0] == '\t')) lines.back() += eol + line;
    else lines.push_back(line);
    at = e + eol.size();
  }
  const std::string id = "Message-ID: <bench-" + std::to_string(n) + "@bench.example>";
  bool had_id = false;
  for (std::string& l : lines) {
    if (IStartsWith(l, "Message-ID:")) {
      l = id;
      had_id = true;
    } else if (IStartsWith(l, "From:")) {
      const size_t atsign = l.rfind('@');
      if (atsign != std::string::npos) l.insert(atsign, "+b" + std::to_string(n));
    }
  }
  std::string out = had_id ? "" : id + eol;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? eol : "") + lines[i];
  return out + rest;
}

void SyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The digest of the decision lines over the shared fixtures (mail/requests and mail/public) as
// they were when it was recorded (kCorpusDigest: every .eml file's name and bytes), recorded
// before the classification speed-up (issue 4 §9).
constexpr const char* kCorpusDigest = "89732cd5db596e09d0d6de51b7093833736f551b38a5219f35794c2d9967ca9a";
constexpr const char* kDecisionsDigest = "85ced544f021646e0c11f14404c9d0b83efd48e556e863ea4a0f4843c039883e";

std::string Field(std::string_view s) {  // a field of a decision line: no tab or newline inside
  std::string out(s);
  for (char& c : out)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return out;
}

std::string ClassificationFields(const mail::Classification& c) {
  std::string line = c.outcome == mail::Classification::Outcome::kRequest ? "request" : "triage";
  line += "\ttypes=";
  for (RequestType t : c.types) line += std::string(RequestTypeName(t)) + ",";
  line += "\ttype=" + (c.type ? std::string(RequestTypeName(*c.type)) : "-");
  line += "\tsubject_person=" + Field(c.subject.email) + "|" + Field(c.subject.name) + "|" + Field(c.subject.phone) +
          "|" + Field(c.subject.account_id);
  if (c.requester)
    line += "\trequester=" + Field(c.requester->email) + "|" + Field(c.requester->name) + "|" +
            Field(c.requester->relationship) + "|" + Field(c.requester->authority);
  line += "\tjurisdiction=" + c.jurisdiction_hint + "\tlanguage=" + c.language + "\treason=" + Field(c.reason);
  return line;
}

// What intake decides from one message without the store, as lines: the message, then each
// paragraph of its fresh text classified on its own (more inputs for the rules).
std::string DecisionLines(const std::string& name, const std::string& raw) {
  auto parsed = mail::ParseMessage(raw);
  if (!parsed.ok()) return name + "\tunreadable\t" + Field(parsed.status().message()) + "\n";
  const mail::ParsedMessage& p = *parsed;
  std::string line = name;
  if (auto machine = mail::MachineGenerated(p)) line += "\tmachine=" + Field(*machine);
  line += "\t" + ClassificationFields(mail::Classify(p)) + "\n";
  mail::ParsedMessage one = p;
  int n = 0;
  for (size_t at = 0; at < p.fresh_text.size();) {
    size_t end = p.fresh_text.find("\n\n", at);
    if (end == std::string::npos) end = p.fresh_text.size();
    one.text = one.fresh_text = p.fresh_text.substr(at, end - at);
    one.subject = n % 2 ? p.subject : "";
    line += name + "#" + std::to_string(++n) + "\t" + ClassificationFields(mail::Classify(one)) + "\n";
    at = end + 2;
  }
  return line;
}

struct Engine {
  service::Config cfg;
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Engine> svc;
};

// A fresh deployment in `dir` (database, Maildir with the messages in new/, outbox).
std::unique_ptr<Engine> Fresh(const fs::path& dir, const std::string& source, const std::vector<std::string>& messages) {
  fs::remove_all(dir);
  fs::create_directories(dir / "inbox" / "new");
  fs::create_directories(dir / "inbox" / "cur");
  fs::create_directories(dir / "inbox" / "tmp");
  auto e = std::make_unique<Engine>();
  e->cfg.db_path = (dir / "dsar.db").string();
  e->cfg.workflows_dir = source + "/workflows";
  e->cfg.templates_dir = source + "/templates/mail";
  e->cfg.secret_key_file = (dir / "secret.key").string();
  e->cfg.outbox_maildir = (dir / "outbox").string();
  e->cfg.exports_dir = (dir / "exports").string();
  e->cfg.intake_maildir = (dir / "inbox").string();
  auto st = store::Store::Open({e->cfg.db_path});
  if (!st.ok()) throw std::runtime_error(st.status().ToString());
  e->store = std::move(st.value());
  auto svc = service::Engine::Create(e->cfg, *e->store, e->clock);
  if (!svc.ok()) throw std::runtime_error(svc.status().ToString());
  e->svc = std::move(svc.value());
  // Names in order, and mtimes one second apart: the watcher takes them in this order.
  const auto t0 = fs::file_time_type::clock::now() - std::chrono::hours(24);
  for (size_t i = 0; i < messages.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%010zu.M%zuP1.bench", 1795000000 + i, i);
    const fs::path file = dir / "inbox" / "new" / name;
    std::ofstream(file, std::ios::binary) << messages[i];
    fs::last_write_time(file, t0 + std::chrono::seconds(i));
  }
  ::sync();  // the writes above are setup, not part of what is measured
  return e;
}

std::vector<fs::path> NewFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir / "inbox" / "new")) files.push_back(f.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Outcomes(Engine& e) {
  std::string out;
  for (const auto& row : test_sql::Rows(e.store->path(),
                                        "SELECT outcome, count(*) FROM inbound_messages GROUP BY outcome ORDER BY outcome"))
    out += (out.empty() ? "" : " ") + row[0] + "=" + row[1];
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 3000, batch = 100;
  std::string fixtures = DSAR_BENCH_FIXTURES, source = DSAR_BENCH_SOURCE;
  fs::path dir = fs::temp_directory_path() / "dsar-intake-bench";
  std::string dump_decisions;
  bool only_batch = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--messages")) n = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch")) batch = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--fixtures")) fixtures = argv[i + 1];
    else if (!std::strcmp(argv[i], "--source")) source = argv[i + 1];
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--dump-decisions")) dump_decisions = argv[i + 1];
    else if (!std::strcmp(argv[i], "--only-batch")) only_batch = std::strcmp(argv[i + 1], "0") != 0;
  }
  try {
    // The corpus.
    std::vector<std::string> corpus;
    int from_requests = 0, from_public = 0;
    for (const char* sub : {"requests", "public"}) {
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(fs::path(fixtures) / sub))
        if (f.path().extension() == ".eml" && f.path().filename().string().rfind("TEMPLATE", 0) != 0) files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) corpus.push_back(ReadAll(f));
      (std::strcmp(sub, "requests") == 0 ? from_requests : from_public) = static_cast<int>(files.size());
    }
    if (corpus.empty()) throw std::runtime_error("no messages under " + fixtures);

    // The decisions check: every .eml of the fixtures (the reply template too), and a variant of each.
    {
      std::vector<fs::path> files;
      for (const char* sub : {"requests", "public"})
        for (const auto& f : fs::directory_iterator(fs::path(fixtures) / sub))
          if (f.path().extension() == ".eml") files.push_back(f.path());
      std::sort(files.begin(), files.end());
      Sha256 corpus_hash, decisions_hash;
      std::string lines;
      for (size_t i = 0; i < files.size(); ++i) {
        const std::string name = files[i].parent_path().filename().string() + "/" + files[i].filename().string();
        const std::string raw = ReadAll(files[i]);
        corpus_hash.Update(name + "\n" + std::to_string(raw.size()) + "\n");
        corpus_hash.Update(raw);
        lines += DecisionLines(name, raw);
        lines += DecisionLines(name + "@variant", Vary(raw, static_cast<int>(i)));
      }
      decisions_hash.Update(lines);
      const std::string corpus_digest = corpus_hash.HexDigest(), digest = decisions_hash.HexDigest();
      if (!dump_decisions.empty()) std::ofstream(dump_decisions, std::ios::binary) << lines;
      if (corpus_digest != kCorpusDigest) {
        std::printf("decisions: %zu messages, digest %s (not checked: another corpus than the recorded one, %s)\n",
                    2 * files.size(), digest.c_str(), corpus_digest.c_str());
      } else if (digest != kDecisionsDigest) {
        std::fprintf(stderr,
                     "intake_bench: classification decides differently than when the digest was recorded (%s, "
                     "recorded %s); compare --dump-decisions with a build from before the change\n",
                     digest.c_str(), kDecisionsDigest);
        return 3;
      } else {
        std::printf("decisions: %zu messages, the same as recorded (digest %.16s)\n", 2 * files.size(), digest.c_str());
      }
    }
    std::vector<std::string> messages;
    size_t bytes = 0;
    for (int i = 0; i < n; ++i) {
      messages.push_back(Vary(corpus[static_cast<size_t>(i) % corpus.size()], i));
      bytes += messages.back().size();
    }
    std::printf("corpus: %zu fixture messages (%d requests, %d public) as %d variants, mean %.1f KiB; batch %d\n",
                corpus.size(), from_requests, from_public, n, bytes / 1024.0 / n, batch);

    // (a) Parse only (after one warm-up pass over the corpus).
    for (const auto& m : corpus) (void)mail::ParseMessage(m);
    std::vector<mail::ParsedMessage> parsed;
    parsed.reserve(messages.size());
    auto t = Steady::now();
    double cpu = CpuSeconds();
    for (const auto& m : messages) {
      auto p = mail::ParseMessage(m);
      if (p.ok()) parsed.push_back(std::move(p.value()));
    }
    const double parse_s = Seconds(Steady::now() - t);
    const double parse_cpu_s = CpuSeconds() - cpu;
    const double parse_rate = n / parse_s;
    // Classify alone, on the messages intake classifies (not machine-generated mail).
    std::vector<const mail::ParsedMessage*> by_person;
    for (const auto& p : parsed)
      if (!mail::MachineGenerated(p)) by_person.push_back(&p);
    t = Steady::now();
    for (const auto* p : by_person) (void)mail::Classify(*p);
    const double classify_s = Seconds(Steady::now() - t);
    parsed.clear();

    // (b) The Maildir watcher, batches of `batch`, one transaction each, ten batches a scan (as
    // `dsar serve` runs it); then (b2) the same parsing ahead on a second thread.
    double batch_s = 0, batch_cpu_s = 0, batch2_s = 0;
    std::string batch_outcomes, batch2_outcomes;
    for (bool ahead : {false, true}) {
      auto e = Fresh(dir, source, messages);
      service::MaildirIntake intake(*e->svc, e->cfg.intake_maildir,
                                    {.batch = batch, .batches_per_scan = 10, .parse_ahead = ahead});
      int done = 0;
      t = Steady::now();
      cpu = CpuSeconds();
      while (done < n) {
        auto m = intake.ScanOnce();
        if (!m.ok()) throw std::runtime_error(m.status().ToString());
        if (*m == 0) throw std::runtime_error("the watcher stopped after " + std::to_string(done) + " messages");
        done += *m;
      }
      (ahead ? batch2_s : batch_s) = Seconds(Steady::now() - t);
      if (!ahead) batch_cpu_s = CpuSeconds() - cpu;  // (b2's helper thread would not be counted)
      (ahead ? batch2_outcomes : batch_outcomes) = Outcomes(*e);
    }
    if (batch2_outcomes != batch_outcomes)
      throw std::runtime_error("parsing ahead changed the outcomes: " + batch2_outcomes);
    const double batch_rate = n / batch_s, batch2_rate = n / batch2_s;
    const double cpu_ratio = parse_cpu_s / batch_cpu_s;
    if (only_batch) {
      std::printf("outcomes: %s\nparse_only_per_s=%.0f\nintake_batch_per_s=%.0f ratio=%.2f (in CPU time: %.2f)\n"
                  "intake_batch_parse_ahead_per_s=%.0f ratio=%.2f\n",
                  batch_outcomes.c_str(), parse_rate, batch_rate, batch_rate / parse_rate, cpu_ratio, batch2_rate,
                  batch2_rate / parse_rate);
      fs::remove_all(dir);
      return 0;
    }

    // (c) One message per transaction: read, IntakeMail, move; cur/ synced every 100 moves.
    double single_s = 0;
    {
      auto e = Fresh(dir, source, messages);
      const fs::path cur = fs::path(e->cfg.intake_maildir) / "cur";
      const auto files = NewFiles(dir);
      t = Steady::now();
      int moved = 0;
      for (const auto& f : files) {
        const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        auto raw = service::ReadMail(fd, e->cfg.max_message_bytes);
        ::close(fd);
        if (!raw.ok()) throw std::runtime_error(raw.status().ToString());
        auto out = IntakeMail(*e->svc, *raw, f.filename().string());
        if (!out.ok()) throw std::runtime_error(out.status().ToString());
        fs::rename(f, cur / (f.filename().string() + ":2,"));
        if (++moved % 100 == 0) SyncDir(cur);
      }
      SyncDir(cur);
      single_s = Seconds(Steady::now() - t);
    }
    const double single_rate = n / single_s;

    // Where (b)'s time goes: the watcher's steps, timed one by one.
    double read_s = 0, prepare_s = 0, begin_s = 0, work_s = 0, commit_s = 0, move_s = 0;
    {
      auto e = Fresh(dir, source, messages);
      const fs::path cur = fs::path(e->cfg.intake_maildir) / "cur";
      const auto files = NewFiles(dir);
      for (size_t at = 0; at < files.size(); at += static_cast<size_t>(batch)) {
        const size_t end = std::min(files.size(), at + static_cast<size_t>(batch));
        auto t0 = Steady::now();
        std::vector<service::MailBytes> read;
        for (size_t i = at; i < end; ++i) {
          const int fd = ::open(files[i].c_str(), O_RDONLY | O_CLOEXEC);
          auto raw = service::ReadMail(fd, e->cfg.max_message_bytes);
          ::close(fd);
          read.push_back(std::move(raw.value()));
        }
        auto t1 = Steady::now();
        std::vector<service::PreparedMail> prepared;
        for (size_t i = at; i < end; ++i) prepared.push_back(PrepareMail(*e->svc, read[i - at], files[i].filename().string()));
        auto t2 = Steady::now();
        Steady::time_point in_begin, in_end;
        Status s = e->store->Transact([&](store::Tx& tx) -> Status {
          in_begin = Steady::now();
          const Millis now = e->clock.Now();
          for (const auto& p : prepared) {
            auto out = IntakeMailInTx(*e->svc, tx, p, now);
            if (!out.ok()) return out.status();
          }
          in_end = Steady::now();
          return Status::Ok();
        });
        if (!s.ok()) throw std::runtime_error(s.ToString());
        auto t3 = Steady::now();
        for (size_t i = at; i < end; ++i) fs::rename(files[i], cur / (files[i].filename().string() + ":2,"));
        SyncDir(cur);
        auto t4 = Steady::now();
        read_s += Seconds(t1 - t0);
        prepare_s += Seconds(t2 - t1);
        begin_s += Seconds(in_begin - t2);
        work_s += Seconds(in_end - in_begin);
        commit_s += Seconds(t3 - in_end);
        move_s += Seconds(t4 - t3);
      }
    }

    std::printf("outcomes: %s\n", batch_outcomes.c_str());
    std::printf("parse_only_per_s=%.0f\n", parse_rate);
    std::printf("intake_batch_per_s=%.0f ratio=%.2f (MaildirIntake, batches of %d, one transaction each)\n", batch_rate,
                batch_rate / parse_rate, batch);
    std::printf("cpu_us_per_message: parse_only=%.0f intake_batch=%.0f ratio=%.2f (thread CPU time, waits left out)\n",
                parse_cpu_s * 1e6 / n, batch_cpu_s * 1e6 / n, cpu_ratio);
    std::printf("intake_batch_parse_ahead_per_s=%.0f ratio=%.2f (the same, the next batch parsed on a second thread)\n", batch2_rate,
                batch2_rate / parse_rate);
    std::printf("intake_single_per_s=%.0f ratio=%.2f (one transaction per message)\n", single_rate,
                single_rate / parse_rate);
    const double us = 1e6 / n;
    std::printf("phases_us_per_message (batches of %d): read=%.0f parse+hash=%.0f begin=%.0f "
                "in_transaction=%.0f (of which classify: %.0f) commit=%.0f move+sync=%.0f\n",
                batch, read_s * us, prepare_s * us, begin_s * us, work_s * us, classify_s * us, commit_s * us,
                move_s * us);
    std::printf("parse_only_us_per_message=%.0f classify_us_per_classified_message=%.0f (%zu of %d classified)\n",
                parse_s * us, classify_s * 1e6 / std::max<size_t>(1, by_person.size()), by_person.size(), n);
    std::printf("peak_rss_kib=%ld\n", PeakRssKiB());
    fs::remove_all(dir);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "intake_bench: %s\n", ex.what());
    return 1;
  }
  return 0;
}
