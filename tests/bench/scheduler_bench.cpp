// Scheduler benchmark (issue 3 §8): with N open requests in the store, each with its pending
// timers, how long the scheduler takes to find the next due timers (the indexed next-due lookup)
// and to fire a batch, and the process's peak memory. Not a test: scripts/bench runs it on a
// release build and prints the figures.
//
//   scheduler_bench [--requests N] [--db PATH]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/time.h"
#include "store/store.h"

using namespace dsar;
using Steady = std::chrono::steady_clock;

namespace {

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  long n = 1000000;
  std::string path = "/tmp/dsar-bench.db";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--requests")) n = std::stol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--db")) path = argv[i + 1];
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  auto opened = store::Store::Open({path});
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  store::Store& st = **opened;
  const Millis t0 = 1795165200000;  // 2026-11-20T09:00:00Z
  const auto load_start = Steady::now();
  // N open requests, each with a state timeout and three reminders spread over 90 days.
  Status s = st.Transact([&](store::Tx& tx) -> Status {
    if (Status w = tx.PutWorkflowDefinition("bench", "bench", 1, "bench", "", t0); !w.ok()) return w;
    for (long i = 0; i < n; ++i) {
      const std::string id = "r" + std::to_string(i);
      const Millis received = t0 + (i % 90) * kMillisPerDay + (i % 86400) * 1000;
      store::RequestRow r;
      r.id = id;
      r.reference = "B-" + id;
      r.type = "access";
      r.state = "verifying";
      r.subject_json = "{}";
      r.subject_email = id + "@example.com";
      r.channel = "api";
      r.received_at = r.created_at = r.updated_at = received;
      r.due_at = received + 30 * kMillisPerDay;
      r.version = 2;
      r.workflow_id = r.workflow_hash = "bench";
      if (Status e = tx.InsertRequest(r); !e.ok()) return e;
      const struct {
        const char* kind;
        const char* event;
        Millis at;
      } timers[] = {{"state", "verification_expired", received + 30 * kMillisPerDay},
                    {"requester_reminder", "verification_reminder", received + 7 * kMillisPerDay},
                    {"staff_reminder", "staff_reminder", received + 23 * kMillisPerDay},
                    {"overdue", "staff_overdue", received + 31 * kMillisPerDay}};
      for (const auto& t : timers) {
        if (Status e = tx.InsertTimer({0, id, "verifying", t.event, t.at, t.kind}); !e.ok()) return e;
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "load: %s\n", s.ToString().c_str());
    return 1;
  }
  const double load_ms = Ms(Steady::now() - load_start);
  const long rss_after_load = PeakRssKiB();

  // The next-due lookup, as the worker does it every tick: the 50 earliest due timers.
  const int kLookups = 2000;
  Millis now = t0 + 45 * kMillisPerDay;
  const auto lookup_start = Steady::now();
  size_t found = 0;
  for (int i = 0; i < kLookups; ++i) {
    st.Read([&](store::Tx& tx) {
      auto due = tx.DueTimers(now, 50);
      if (due.ok()) found += due->size();
      return Status::Ok();
    });
  }
  const double lookup_ms = Ms(Steady::now() - lookup_start) / kLookups;

  // Firing: mark 10,000 due timers fired, one transaction per timer (as the worker commits).
  const int kFire = 2000;
  const auto fire_start = Steady::now();
  int fired = 0;
  while (fired < kFire) {
    std::vector<store::TimerRow> due;
    st.Read([&](store::Tx& tx) {
      auto d = tx.DueTimers(now, 100);
      if (d.ok()) due = std::move(d.value());
      return Status::Ok();
    });
    if (due.empty()) break;
    for (const auto& t : due) {
      st.Transact([&](store::Tx& tx) { return tx.MarkTimerFired(t.id, now); });
      if (++fired == kFire) break;
    }
  }
  const double fire_ms = Ms(Steady::now() - fire_start);
  std::printf("requests=%ld timers=%ld load_s=%.1f\n", n, n * 4, load_ms / 1000);
  std::printf("next_due_lookup_ms=%.4f (50 timers, mean of %d, %zu rows read)\n", lookup_ms, kLookups, found);
  std::printf("fire_per_s=%.0f (%d timers, one transaction each, synchronous=FULL)\n", fired / (fire_ms / 1000), fired);
  std::printf("peak_rss_kib_after_load=%ld peak_rss_kib_end=%ld\n", rss_after_load, PeakRssKiB());
  return 0;
}
