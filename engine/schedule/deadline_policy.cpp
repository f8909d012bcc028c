#include "schedule/deadline_policy.h"

#include <date/tz.h>

#include <algorithm>

#include "core/deadline.h"
#include "workflow/rules_loader.h"

namespace dsar::service {

namespace {

using LocalDays = date::local_days;

date::sys_time<std::chrono::milliseconds> Sys(Millis t) {
  return date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t));
}

Millis ToMillis(date::sys_time<std::chrono::milliseconds> t) { return t.time_since_epoch().count(); }

}  // namespace

struct DeadlinePolicy::Impl {
  const date::time_zone* zone = nullptr;
  std::string zone_name;
  std::optional<DeadlineContext> context;

  Result<Deadlines> Compute(const store::RequestRow& r) const {
    return context->Compute(r.jurisdiction, r.type, r.received_at, r.paused_days, r.extensions);
  }

  LocalDays LocalDay(Millis t) const {
    const auto local = zone->to_local(Sys(t));
    return date::floor<date::days>(local);
  }
  // The first instant of a local day; when midnight does not exist (a DST jump), the first
  // instant that does.
  Millis StartOf(LocalDays day) const {
    const auto info = zone->get_info(date::local_seconds(day.time_since_epoch()));
    if (info.result == date::local_info::nonexistent)
      return ToMillis(date::sys_time<std::chrono::milliseconds>(info.first.end));
    return ToMillis(zone->to_sys(date::local_time<std::chrono::milliseconds>(day.time_since_epoch()),
                                 date::choose::earliest));
  }
};

Result<std::shared_ptr<const DeadlinePolicy>> DeadlinePolicy::Load(const Config& config) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->zone = date::locate_zone(config.time_zone);
  } catch (const std::exception& e) {
    return Status::Invalid("time_zone '" + config.time_zone + "' is not an IANA time zone: " + e.what());
  }
  impl->zone_name = config.time_zone;
  workflow::DeadlineData data = workflow::LoadDeadlineData(config.workflows_dir);
  if (!data.ok()) {
    std::string msg = "invalid jurisdiction rules or holiday calendars:";
    for (const auto& d : data.errors) msg += "\n" + d.ToString();
    return Status::Invalid(msg);
  }
  std::map<std::string, std::string> overrides = config.calendars;
  for (auto& [jurisdiction, calendar] : overrides)
    if (calendar == "none") calendar.clear();  // weekends only, as in jurisdictions.yaml
  auto context = DeadlineContext::Make(std::move(data.rules), std::move(data.calendars), impl->zone, overrides);
  if (!context.ok()) return context.status();
  impl->context = std::move(context.value());
  return std::shared_ptr<const DeadlinePolicy>(new DeadlinePolicy(std::move(impl)));
}

DeadlinePolicy::DeadlinePolicy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeadlinePolicy::~DeadlinePolicy() = default;

void DeadlinePolicy::Apply(store::RequestRow& r) const {
  if (!r.duplicate_of.empty()) {
    r.due_at.reset();
    r.ack_due_at.reset();
    return;
  }
  auto d = impl_->Compute(r);
  // A jurisdiction set later may allow fewer extensions, or no stopped clock: what it does not
  // allow does not count (the extension or the pause was taken under the earlier rule).
  if (!d.ok()) d = impl_->context->Compute(r.jurisdiction, r.type, r.received_at, r.paused_days, 0);
  if (!d.ok()) d = impl_->context->Compute(r.jurisdiction, r.type, r.received_at, 0, 0);
  if (!d.ok()) {  // inputs the rules reject outright: no countdown
    r.due_at.reset();
    r.ack_due_at.reset();
    return;
  }
  r.due_at = d->due_at;
  r.ack_due_at = d->ack_due_at;
}

bool DeadlinePolicy::ExtensionAllowed(const store::RequestRow& r, Millis now) const {
  if (!r.duplicate_of.empty()) return false;
  return impl_->context->CheckExtension(r.jurisdiction, r.type, r.received_at, now, r.paused_days, r.extensions).ok();
}

bool DeadlinePolicy::ClockMayPause(const store::RequestRow& r) const {
  return impl_->context->RuleFor(r.jurisdiction).clock_may_pause;
}

bool DeadlinePolicy::PauseAllowed(const store::RequestRow& r, Millis now) const {
  return ClockMayPause(r) && r.due_at && now <= *r.due_at;
}

bool DeadlinePolicy::NeedsJurisdiction(const store::RequestRow& r) const {
  return impl_->context->RuleFor(r.jurisdiction).needs_jurisdiction;
}

std::optional<Period> DeadlinePolicy::AppealPeriod(const store::RequestRow& r) const {
  const JurisdictionRule& rule = impl_->context->RuleFor(r.jurisdiction);
  if (!rule.appeal || r.jurisdiction.empty()) return std::nullopt;
  return rule.appeal->response;
}

std::string DeadlinePolicy::Citation(const store::RequestRow& r) const {
  auto d = impl_->Compute(r);
  return d.ok() ? d->citation : "";
}

int DeadlinePolicy::DaysBetween(Millis from, Millis to) const {
  return static_cast<int>((impl_->LocalDay(to) - impl_->LocalDay(from)).count());
}

std::string DeadlinePolicy::LocalDate(Millis t) const { return date::format("%F", impl_->LocalDay(t)); }

Millis DeadlinePolicy::StartOfLocalDay(Millis t, int days) const {
  return impl_->StartOf(impl_->LocalDay(t) + date::days(days));
}

std::optional<int> DeadlinePolicy::DaysLeft(const store::RequestRow& r, Millis now) const {
  if (!r.due_at || !r.duplicate_of.empty() || r.state == "duplicate" || IsFinalState(r.state) || r.paused_at)
    return std::nullopt;
  return DaysBetween(now, *r.due_at);
}

const std::string& DeadlinePolicy::time_zone() const { return impl_->zone_name; }

}  // namespace dsar::service
