// Deployment configuration: where things live and the engine's policies. Every path is
// relative to the working directory unless absolute. Loaded from the YAML file given to
// `--config` (keys as the member names below); absent keys keep these defaults.
#pragma once

#include <string>

#include "core/status.h"
#include "core/time.h"

namespace dsar::service {

struct Config {
  std::string db_path = "var/dsar.db";
  std::string workflows_dir = "workflows";
  std::string templates_dir = "templates/mail";
  std::string secret_key_file = "var/secret.key";  // the HMAC key for secrets at rest; outside the database
  std::string outbox_maildir = "var/mail/outbox";  // development transport: delivered mail lands here
  std::string exports_dir = "var/exports";
  std::string company_db = "var/nimbus.db";        // the demo company's systems (fulfillment target)
  std::string systems_map = "demo/systems.yaml";
  std::string listen = "127.0.0.1:8080";
  std::string controller_name = "Nimbus Cloud";
  std::string mail_from = "privacy@nimbus.example";
  std::string mail_domain = "nimbus.example";      // right-hand side of our Message-IDs
  std::string public_base_url = "http://127.0.0.1:8080";
  // Identity verification by one-time code.
  Millis verification_code_ttl = 24 * kMillisPerHour;
  int verification_max_attempts = 5;
  // Worker cadence in `dsar serve`.
  Millis worker_interval = 200;
};

// Reads `path` (YAML) over the defaults. Invalid names the file, line and key.
Result<Config> LoadConfig(const std::string& path);

}  // namespace dsar::service
