#include "workflow/config.h"

#include <yaml-cpp/yaml.h>

namespace dsar::service {

Result<Config> LoadConfig(const std::string& path) {
  Config c;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::IoError("cannot read config file " + path);
  } catch (const YAML::Exception& e) {
    return Status::Invalid(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return Status::Invalid(path + ":1: the config must be a mapping");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    const std::string where = path + ":" + std::to_string(kv.first.Mark().line + 1) + ": ";
    try {
      if (key == "db_path") c.db_path = v.as<std::string>();
      else if (key == "workflows_dir") c.workflows_dir = v.as<std::string>();
      else if (key == "templates_dir") c.templates_dir = v.as<std::string>();
      else if (key == "secret_key_file") c.secret_key_file = v.as<std::string>();
      else if (key == "outbox_maildir") c.outbox_maildir = v.as<std::string>();
      else if (key == "mail_transport") c.mail_transport = v.as<std::string>();
      else if (key == "smtp_url") c.smtp_url = v.as<std::string>();
      else if (key == "smtp_tls") c.smtp_tls = v.as<std::string>();
      else if (key == "smtp_username") c.smtp_username = v.as<std::string>();
      else if (key == "smtp_password_file") c.smtp_password_file = v.as<std::string>();
      else if (key == "smtp_ca_file") c.smtp_ca_file = v.as<std::string>();
      else if (key == "smtp_timeout_seconds") c.smtp_timeout_seconds = v.as<int>();
      else if (key == "mail_retry_initial_seconds") c.mail_retry_initial = v.as<long>() * kMillisPerSecond;
      else if (key == "mail_retry_max_seconds") c.mail_retry_max = v.as<long>() * kMillisPerSecond;
      else if (key == "mail_max_attempts") c.mail_max_attempts = v.as<int>();
      else if (key == "intake_maildir") c.intake_maildir = v.as<std::string>();
      else if (key == "max_message_bytes") {
        c.max_message_bytes = v.as<std::int64_t>();
        if (c.max_message_bytes < 65536) return Status::Invalid(where + "'max_message_bytes' must be at least 65536");
      }
      else if (key == "exports_dir") c.exports_dir = v.as<std::string>();
      else if (key == "evidence_dir") c.evidence_dir = v.as<std::string>();
      else if (key == "company_db") c.company_db = v.as<std::string>();
      else if (key == "systems_map") c.systems_map = v.as<std::string>();
      else if (key == "listen") c.listen = v.as<std::string>();
      else if (key == "controller_name") c.controller_name = v.as<std::string>();
      else if (key == "mail_from") c.mail_from = v.as<std::string>();
      else if (key == "mail_domain") c.mail_domain = v.as<std::string>();
      else if (key == "public_base_url") c.public_base_url = v.as<std::string>();
      else if (key == "download_link_days") c.download_link_days = v.as<int>();
      else if (key == "download_max") c.download_max = v.as<int>();
      else if (key == "access_review") c.access_review = v.as<bool>();
      else if (key == "verification_code_ttl_minutes") c.verification_code_ttl = v.as<long>() * kMillisPerMinute;
      else if (key == "verification_max_attempts") c.verification_max_attempts = v.as<int>();
      else if (key == "worker_interval_ms") c.worker_interval = v.as<long>();
      else if (key == "time_zone") c.time_zone = v.as<std::string>();
      else if (key == "calendars") c.calendars = v.as<std::map<std::string, std::string>>();
      else if (key == "reminder_days_before") c.reminder_days_before = v.as<std::vector<int>>();
      else if (key == "staff_mail") c.staff_mail = v.as<std::string>();
      else if (key == "escalation_mail") c.escalation_mail = v.as<std::string>();
      else if (key == "requester_reminder_after_days") c.requester_reminder_after = v.as<long>() * kMillisPerDay;
      else if (key == "retention_request_days") c.retention_request_days = v.as<int>();
      else if (key == "retention_raw_mail_days") c.retention_raw_mail_days = v.as<int>();
      else if (key == "retention_verification_days") c.retention_verification_days = v.as<int>();
      else if (key == "retention_export_days") c.retention_export_days = v.as<int>();
      else return Status::Invalid(where + "unknown key '" + key + "'");
    } catch (const YAML::Exception&) {
      return Status::Invalid(where + "'" + key + "' has the wrong type");
    }
  }
  for (const auto& [key, days] : {std::pair{"retention_request_days", c.retention_request_days},
                                  {"retention_raw_mail_days", c.retention_raw_mail_days},
                                  {"retention_verification_days", c.retention_verification_days},
                                  {"retention_export_days", c.retention_export_days},
                                  {"download_link_days", c.download_link_days}})
    if (days < 1) return Status::Invalid(path + ": " + key + " must be at least 1 (days)");
  if (c.download_max < 1) return Status::Invalid(path + ": download_max must be at least 1");
  return c;
}

}  // namespace dsar::service
