// `dsar serve`: the HTTP API, the workers (outbox, jobs, timers) and the scheduler in one
// process on the embedded SQLite store. SIGINT/SIGTERM stop it cleanly: the listener closes,
// in-flight requests finish, workers stop after their current item, exit 0.
#pragma once

#include <string>

#include <memory>

#include "core/time.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "requests/engine.h"
#include "workflow/config.h"

namespace dsar::app {

struct ServeOptions {
  std::string listen;      // overrides the config's listen when set
  int threads = 2;
};

// The company's systems that fulfillment acts on (config.systems_map over config.company_db), or
// null when either file is absent (then every fulfillment step fails, visibly). Invalid when the
// systems map is broken. Also sets the service's account resolver when `service` is given.
Result<std::shared_ptr<fulfillment::Fulfiller>> OpenCompanySystems(const service::Config& config,
                                                                   service::Engine* service);

// Runs until a stop signal; returns the process exit code.
int Serve(const service::Config& config, const ServeOptions& options, std::unique_ptr<Clock> clock);

}  // namespace dsar::app
