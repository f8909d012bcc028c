#include "core/status.h"

namespace dsar {

const char* KindName(Status::Kind kind) {
  switch (kind) {
    case Status::Kind::kOk: return "OK";
    case Status::Kind::kNotFound: return "NotFound";
    case Status::Kind::kConflict: return "Conflict";
    case Status::Kind::kRefused: return "Refused";
    case Status::Kind::kInvalid: return "Invalid";
    case Status::Kind::kUnprocessable: return "Unprocessable";
    case Status::Kind::kUnauthorized: return "Unauthorized";
    case Status::Kind::kTooLarge: return "TooLarge";
    case Status::Kind::kGone: return "Gone";
    case Status::Kind::kRateLimited: return "RateLimited";
    case Status::Kind::kIoError: return "IoError";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(KindName(kind_)) + ": " + message_;
}

}  // namespace dsar
