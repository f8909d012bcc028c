// Status: the result of an operation that may fail, after LevelDB's Status.
//
// Success is cheap (no allocation). A failure carries a named Kind and a human-readable
// message; callers test the kind with the predicates and never parse the message. A refusal
// by a workflow is a Kind (Refused), not an exception. engine/api maps each Kind to an HTTP
// status in one table (api/problem.cpp).
//
// Thread safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/time.h"

namespace dsar {

class Status {
 public:
  enum class Kind {
    kOk = 0,
    kNotFound,      // the named thing does not exist
    kConflict,      // a stale version or a uniqueness clash; retry after re-reading
    kRefused,       // the workflow (or a policy) refuses the event in the current state
    kInvalid,       // the input is malformed or fails validation
    kUnprocessable, // well-formed input naming something unknown (e.g. an unknown request type)
    kUnauthorized,  // missing or wrong credentials
    kTooLarge,      // input over a configured limit
    kGone,          // it existed and is gone for good: a used, replaced or expired link or callback
                    // token, a package file deleted after its link expired
    kRateLimited,   // too many attempts: retry after retry_after_ms() (> 0)
    kIoError,       // the file system, SQLite or a peer failed
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Kind::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Kind::kConflict, std::move(m)); }
  static Status Refused(std::string m) { return Status(Kind::kRefused, std::move(m)); }
  static Status Invalid(std::string m) { return Status(Kind::kInvalid, std::move(m)); }
  static Status Unprocessable(std::string m) { return Status(Kind::kUnprocessable, std::move(m)); }
  static Status Unauthorized(std::string m) { return Status(Kind::kUnauthorized, std::move(m)); }
  static Status TooLarge(std::string m) { return Status(Kind::kTooLarge, std::move(m)); }
  static Status Gone(std::string m) { return Status(Kind::kGone, std::move(m)); }
  // `retry_after` (ms) is when the next attempt may succeed; at least 1 ms is kept.
  static Status RateLimited(std::string m, Millis retry_after) {
    Status s(Kind::kRateLimited, std::move(m));
    s.retry_after_ms_ = retry_after > 0 ? retry_after : 1;
    return s;
  }
  static Status IoError(std::string m) { return Status(Kind::kIoError, std::move(m)); }

  bool ok() const { return kind_ == Kind::kOk; }
  bool IsNotFound() const { return kind_ == Kind::kNotFound; }
  bool IsConflict() const { return kind_ == Kind::kConflict; }
  bool IsRefused() const { return kind_ == Kind::kRefused; }
  bool IsInvalid() const { return kind_ == Kind::kInvalid; }
  bool IsUnprocessable() const { return kind_ == Kind::kUnprocessable; }
  bool IsUnauthorized() const { return kind_ == Kind::kUnauthorized; }
  bool IsTooLarge() const { return kind_ == Kind::kTooLarge; }
  bool IsGone() const { return kind_ == Kind::kGone; }
  bool IsRateLimited() const { return kind_ == Kind::kRateLimited; }
  bool IsIoError() const { return kind_ == Kind::kIoError; }
  Kind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  // How long (ms) until a RateLimited operation may be tried again; 0 for every other kind.
  Millis retry_after_ms() const { return retry_after_ms_; }
  // "NotFound: <message>", for logs and CLI output.
  std::string ToString() const;

 private:
  Status(Kind k, std::string m) : kind_(k), message_(std::move(m)) {}
  Kind kind_ = Kind::kOk;
  std::string message_;
  Millis retry_after_ms_ = 0;  // kRateLimited only
};

const char* KindName(Status::Kind kind);

// Result<T>: a value or a failed Status. Accessing value() on a failure is a programming error.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}          // NOLINT: must not be ok()
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dsar
