#include "app/serve.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "api/server.h"
#include "core/time.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/systems_map.h"
#include "requests/company_systems.h"
#include "intake/maildir_watcher.h"
#include "requests/engine.h"
#include "schedule/workers.h"
#include "store/store.h"

namespace dsar::app {

namespace {

int Fail(const std::string& what, const Status& s) {
  std::cerr << "dsar serve: " << what << ": " << s.message() << "\n";
  return 1;
}

bool SplitHostPort(const std::string& listen, std::string& host, unsigned short& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    const int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (...) {
    return false;
  }
  return !host.empty();
}

}  // namespace

Result<std::shared_ptr<fulfillment::Fulfiller>> OpenCompanySystems(const service::Config& config,
                                                                   service::Engine* service) {
  std::error_code ec;
  if (!std::filesystem::exists(config.systems_map, ec) || !std::filesystem::exists(config.company_db, ec))
    return std::shared_ptr<fulfillment::Fulfiller>();
  auto map = fulfillment::LoadSystemsMap(config.systems_map);
  if (!map.ok()) return map.status();
  auto fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, config.company_db, config.exports_dir);
  fulfiller->KeepReviewData(config.access_review);  // staged rows for the redaction review (issue 5 §5)
  if (service != nullptr) service::ConnectCompanySystems(*service, fulfiller);
  return fulfiller;
}

int Serve(const service::Config& config, const ServeOptions& options, std::unique_ptr<Clock> clock) {
  // Stop signals are taken synchronously by this thread (sigwait); every other thread blocks them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string host;
  unsigned short port = 0;
  const std::string listen = options.listen.empty() ? config.listen : options.listen;
  if (!SplitHostPort(listen, host, port)) return Fail("--listen", Status::Invalid("expected HOST:PORT, got " + listen));

  auto store = store::Store::Open({config.db_path});
  if (!store.ok()) return Fail("store", store.status());
  auto svc = service::Engine::Create(config, **store, *clock);
  if (!svc.ok()) return Fail("start", svc.status());

  auto fulfiller = OpenCompanySystems(config, svc->get());
  if (!fulfiller.ok()) return Fail("systems map", fulfiller.status());
  if (!*fulfiller)
    std::cerr << "dsar serve: no company systems configured (" << config.systems_map << ", " << config.company_db
              << "); fulfillment steps will fail until they are\n";
  auto transport = service::MakeMailTransport(config);
  if (!transport.ok()) return Fail("mail transport", transport.status());
  service::Workers workers(**svc, *fulfiller, std::move(transport.value()));
  if (auto recovered = workers.Recover(); !recovered.ok()) return Fail("recover jobs", recovered.status());
  // The Maildir watcher (config intake_maildir), run by the worker thread: batches of 100, up to
  // ten per scan, the next batch parsed on a second thread while one is stored when the machine
  // has two cores or more (maildir_intake.h).
  std::optional<service::MaildirIntake> intake;
  if (!config.intake_maildir.empty())
    intake.emplace(**svc, config.intake_maildir,
                   service::MaildirIntake::Options{
                       .batch = 100, .batches_per_scan = 10, .parse_ahead = std::thread::hardware_concurrency() >= 2},
                   [](const std::string& line) { std::cerr << "dsar serve: " << line << "\n"; });
  if (const char* crash = std::getenv("DSAR_TEST_CRASH")) {
    const std::string hook(crash);
    if (hook == "after_send" || hook == "after_maildir_write") workers.TEST_CrashAfterSend(true);
    if (hook.rfind("after_timers:", 0) == 0) workers.TEST_CrashAfterTimers(std::stoi(hook.substr(13)));
    if (hook.rfind("maildir_after_commit:", 0) == 0 && intake) intake->TEST_CrashAfterCommit(std::stoi(hook.substr(21)));
  }

  api::Server server(**svc, options.threads);
  auto bound = server.Start(host, port);
  if (!bound.ok()) return Fail("listen", bound.status());
  std::cerr << "dsar serve: listening on " << host << ":" << *bound << "\n";

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread worker_thread([&] {
    std::unique_lock lock(mu);
    while (!stopping) {
      lock.unlock();
      int handled = 0;
      if (intake) {  // first, so that the acknowledgments it queues go out in this round
        auto m = intake->ScanOnce();
        if (!m.ok()) std::cerr << "dsar serve: maildir intake: " << m.status().ToString() << "\n";
        else handled += *m;
      }
      auto n = workers.RunOnce();
      if (!n.ok()) std::cerr << "dsar serve: worker: " << n.status().ToString() << "\n";
      else handled += *n;
      lock.lock();
      if (handled > 0) continue;  // more may be waiting
      cv.wait_for(lock, std::chrono::milliseconds(config.worker_interval), [&] { return stopping; });
    }
  });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "dsar serve: stopping\n";
  server.Stop();
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  worker_thread.join();
  return 0;
}

}  // namespace dsar::app
