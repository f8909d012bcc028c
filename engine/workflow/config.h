// Deployment configuration: where things live and the engine's policies. Every path is
// relative to the working directory unless absolute. Loaded from the YAML file given to
// `--config` (keys as the member names below); absent keys keep these defaults.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace dsar::service {

struct Config {
  std::string db_path = "var/dsar.db";
  std::string workflows_dir = "workflows";
  std::string templates_dir = "templates/mail";
  std::string secret_key_file = "var/secret.key";  // the HMAC key for secrets at rest; outside the database
  // Outbound mail (mail_transport.h): "maildir" (development: delivered mail lands in
  // outbox_maildir) or "smtp" (a relay, by libcurl).
  std::string mail_transport = "maildir";
  std::string outbox_maildir = "var/mail/outbox";
  std::string smtp_url;               // smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS)
  std::string smtp_tls = "required";  // STARTTLS on smtp://: required, opportunistic or none
  std::string smtp_username;          // "" = no AUTH
  std::string smtp_password_file;     // the password, first line; kept out of this file
  std::string smtp_ca_file;           // a CA bundle for the relay's certificate; "" = the system's
  int smtp_timeout_seconds = 60;      // per message
  // Retries: a failed attempt is tried again after mail_retry_initial, doubling up to
  // mail_retry_max; after mail_max_attempts attempts (or at once on a 5xx reply) the mail has
  // failed permanently and the request records `mail_failed`.
  Millis mail_retry_initial = kMillisPerMinute;
  Millis mail_retry_max = 6 * kMillisPerHour;
  int mail_max_attempts = 10;
  // A Maildir `dsar serve` takes inbound mail from ("" = off): each message in `new/` goes through
  // intake and is moved to `cur/` (info `:2,`) once its transaction committed (maildir_intake.h).
  std::string intake_maildir;
  // The largest inbound message intake handles (every channel): a larger one is refused, and still
  // recorded (its SHA-256, true size and first 64 KiB) with outcome `refused`; POST /intake/mail
  // answers 413 above it (request_service.h, IntakeMail). At least 65536.
  std::int64_t max_message_bytes = 25 * 1024 * 1024;
  std::string exports_dir = "var/exports";
  // Files staff upload as evidence when they complete a task (issue 5 §4), one folder per request
  // reference, each file named by its SHA-256; folders 0700, files 0600.
  std::string evidence_dir = "var/evidence";
  std::string company_db = "var/nimbus.db";        // the demo company's systems (fulfillment target)
  std::string systems_map = "demo/systems.yaml";
  std::string listen = "127.0.0.1:8080";
  std::string controller_name = "Nimbus Cloud";
  std::string mail_from = "privacy@nimbus.example";
  std::string mail_domain = "nimbus.example";      // right-hand side of our Message-IDs
  std::string public_base_url = "http://127.0.0.1:8080";
  // Download links for access / portability packages (issue 5 §5): `<public_base_url>/d/<token>`
  // works this many days and this many downloads; the package is deleted once it expired.
  int download_link_days = 7;
  int download_max = 5;
  // Redaction review before release (issue 5 §5; GDPR Art. 15(4)): an access package that holds
  // rows waits in `awaiting_approval` until staff approve it (after redacting other people's data);
  // false releases it (link and completion mail) as soon as it is built.
  bool access_review = true;
  // Identity verification by one-time code.
  Millis verification_code_ttl = 24 * kMillisPerHour;
  int verification_max_attempts = 5;
  // Worker cadence in `dsar serve`.
  Millis worker_interval = 200;

  // Legal deadlines (issue 3). The controller's IANA time zone: a deadline is the end of the due
  // day there. Jurisdiction rules and holiday calendars are read from `<workflows_dir>/jurisdictions`
  // and `<workflows_dir>/calendars`; `calendars` overrides a jurisdiction's default calendar
  // (e.g. {gdpr: france}).
  std::string time_zone = "UTC";
  std::map<std::string, std::string> calendars;
  // Reminders: staff are reminded at the start of the local day this many days before the due
  // day, then warned when a request is overdue and every day after while it stays overdue.
  std::vector<int> reminder_days_before = {7, 2};
  std::string staff_mail = "privacy-team@nimbus.example";      // reminders
  std::string escalation_mail = "privacy-lead@nimbus.example"; // overdue warnings, with staff_mail
  // The requester is reminded once to confirm their request this long after the code was sent.
  Millis requester_reminder_after = 7 * kMillisPerDay;

  // Records retention (issue 5 §8), in days after a request closed (its last transition, into a
  // final state). Request records are kept at least 24 months (Cal. Code Regs. tit. 11 § 7101(a))
  // and then purged whole, leaving a tombstone without personal data; the raw inbound mail (a
  // message linked to no request: days after intake), the verification code hashes and the
  // packages (exports) go earlier.
  int retention_request_days = 730;
  int retention_raw_mail_days = 90;
  int retention_verification_days = 30;
  int retention_export_days = 30;
};

// Reads `path` (YAML) over the defaults. Invalid names the file, line and key.
Result<Config> LoadConfig(const std::string& path);

}  // namespace dsar::service
