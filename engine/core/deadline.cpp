#include "core/deadline.h"

namespace dsar {

namespace {
unsigned DaysInMonth(int y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::int64_t DayOf(Millis t) { return t >= 0 ? t / kMillisPerDay : -((-t + kMillisPerDay - 1) / kMillisPerDay); }

Millis EndOfDay(std::int64_t day) { return (day + 1) * kMillisPerDay - 1; }

std::int64_t AddBusinessDays(std::int64_t day, int n) {
  while (n > 0) {
    ++day;
    const std::int64_t weekday = ((day % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday (4); 0 = Sunday
    if (weekday != 0 && weekday != 6) --n;
  }
  return day;
}
}  // namespace

void AddMonthsClamped(int& y, unsigned& m, unsigned& d, int months) {
  int total = y * 12 + static_cast<int>(m) - 1 + months;
  y = total / 12;
  m = static_cast<unsigned>(total % 12) + 1;
  d = std::min(d, DaysInMonth(y, m));
}

Millis ComputeDueAt(const std::string& jurisdiction, const std::string& request_type, Millis received_at) {
  const std::int64_t day = DayOf(received_at);
  auto plus_days = [&](int n) { return EndOfDay(day + n); };
  if (jurisdiction == "ccpa" && request_type == "opt_out_sale") return EndOfDay(AddBusinessDays(day, 15));
  if (jurisdiction == "ccpa" || jurisdiction == "vcdpa" || jurisdiction == "cpa" || jurisdiction == "ctdpa" ||
      jurisdiction == "tdpsa")
    return plus_days(45);
  if (jurisdiction == "lgpd") return plus_days(15);
  if (jurisdiction == "pipeda") return plus_days(30);
  int y;
  unsigned m, d;
  CivilFromDays(day, y, m, d);
  if (jurisdiction == "uk_gdpr") {
    // Day of receipt is day 1: the corresponding date a month later is the last day.
    AddMonthsClamped(y, m, d, 1);
    return EndOfDay(DaysFromCivil(y, m, d));
  }
  // GDPR and unknown: the period starts the day after receipt and ends on the same-numbered day.
  AddMonthsClamped(y, m, d, 1);
  return EndOfDay(DaysFromCivil(y, m, d));
}

}  // namespace dsar
