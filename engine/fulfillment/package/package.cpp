#include "fulfillment/package/package.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <boost/json/serialize.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace dsar::fulfillment {

namespace {

constexpr size_t kFileBuffer = 256 * 1024;

void Indent(std::string& out, size_t depth) { out.append(depth * 2, ' '); }

void AppendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

// The items of an object or array between `open` and `close`: none as "{}" / "[]", else one per
// line, indented one level deeper than the brackets; `write` writes one item.
template <class Items, class WriteItem>
void PrettyItems(const Items& items, const char* open, const char* close, std::string& out, size_t depth,
                 WriteItem write) {
  out += open;
  if (items.empty()) {
    out += close;
    return;
  }
  out += "\n";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ",\n";
    first = false;
    Indent(out, depth + 1);
    write(item);
  }
  out += "\n";
  Indent(out, depth);
  out += close;
}

void Pretty(const boost::json::value& v, std::string& out, size_t depth) {
  switch (v.kind()) {
    case boost::json::kind::object:
      PrettyItems(v.get_object(), "{", "}", out, depth, [&](const boost::json::key_value_pair& kv) {
        AppendJsonString(out, kv.key());
        out += ": ";
        Pretty(kv.value(), out, depth + 1);
      });
      return;
    case boost::json::kind::array:
      PrettyItems(v.get_array(), "[", "]", out, depth,
                  [&](const boost::json::value& item) { Pretty(item, out, depth + 1); });
      return;
    case boost::json::kind::double_:
      AppendDouble(out, v.get_double());
      return;
    case boost::json::kind::string:
      AppendJsonString(out, v.get_string());
      return;
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string PrettyJson(const boost::json::value& v) {
  std::string out;
  Pretty(v, out, 0);
  out += "\n";
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    const bool quote = f.find_first_of(",\"\r\n") != std::string::npos ||
                       (!f.empty() && (f.front() == ' ' || f.back() == ' ' || f.front() == '\t' || f.back() == '\t'));
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    size_t plain = 0;
    for (size_t k = 0; k < f.size(); ++k) {
      if (f[k] != '"') continue;
      out.append(f, plain, k + 1 - plain);  // up to and with the quote, which is then doubled
      plain = k;
    }
    out.append(f, plain, std::string::npos);
    out += '"';
  }
  out += "\r\n";
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string out;
  AppendCsvRecord(out, fields);
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// ---- OutputFile ----

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status OutputFile::Open(const std::string& path) {
  if (fd_ >= 0) ::close(fd_);
  path_ = path;
  buf_.clear();
  buf_.reserve(kFileBuffer);
  size_ = 0;
  error_ = Status::Ok();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) error_ = Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  return error_;
}

void OutputFile::Flush() {
  size_t done = 0;
  while (error_.ok() && done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = Status::IoError("cannot write " + path_ + ": " + std::strerror(n < 0 ? errno : EIO));
      break;
    }
    done += static_cast<size_t>(n);
  }
  buf_.clear();
}

void OutputFile::Write(std::string_view bytes) {
  if (!error_.ok() || fd_ < 0) return;
  buf_.append(bytes);
  size_ += bytes.size();
  if (buf_.size() >= kFileBuffer) Flush();
}

Status OutputFile::Close() {
  if (fd_ < 0) return error_;
  if (error_.ok()) Flush();
  if (::close(fd_) != 0 && error_.ok()) error_ = Status::IoError("cannot write " + path_ + ": " + std::strerror(errno));
  fd_ = -1;
  Status st = error_;
  error_ = Status::Ok();
  return st;
}

// ---- JsonWriter ----

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;  // the document's value
  scratch_.assign(first_.back() ? "\n" : ",\n");
  first_.back() = false;
  Indent(scratch_, first_.size());
  out_.Write(scratch_);
}

void JsonWriter::Begin(char open) {
  BeforeValue();
  out_.Write(std::string_view(&open, 1));
  first_.push_back(true);
}

void JsonWriter::End(char close) {
  const bool empty = first_.back();
  first_.pop_back();
  scratch_.clear();
  if (!empty) {
    scratch_ += '\n';
    Indent(scratch_, first_.size());
  }
  scratch_ += close;
  out_.Write(scratch_);
}

void JsonWriter::BeginObject() { Begin('{'); }
void JsonWriter::EndObject() { End('}'); }
void JsonWriter::BeginArray() { Begin('['); }
void JsonWriter::EndArray() { End(']'); }

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  scratch_.clear();
  AppendJsonString(scratch_, key);
  scratch_ += ": ";
  out_.Write(scratch_);
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  scratch_.clear();
  AppendJsonString(scratch_, s);
  out_.Write(scratch_);
}

void JsonWriter::Int(std::int64_t n) {
  BeforeValue();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out_.Write(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

void JsonWriter::Double(double d) {
  BeforeValue();
  scratch_.clear();
  AppendDouble(scratch_, d);
  out_.Write(scratch_);
}

void JsonWriter::Bool(bool b) {
  BeforeValue();
  out_.Write(b ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.Write("null");
}

void JsonWriter::Value(const boost::json::value& v) {
  BeforeValue();
  scratch_.clear();
  Pretty(v, scratch_, first_.size());
  out_.Write(scratch_);
}

void JsonWriter::Finish() { out_.Write("\n"); }

// ---- ZIP ----

namespace {

// Syncs a file or folder to disk.
Status Sync(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IoError("cannot sync " + path + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

Status WriteZipFromFiles(const std::string& path, const std::vector<ZipMember>& members) {
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return Status::IoError("cannot create " + path + ": " + msg);
  }
  auto fail = [&](const std::string& what) {
    std::string msg = what + ": " + zip_strerror(za);
    zip_discard(za);
    return Status::IoError(msg);
  };
  for (const auto& m : members) {
    // Opened and read by libzip at zip_close, one member after the other.
    zip_source_t* src = zip_source_file(za, m.file.c_str(), 0, -1);
    if (!src) return fail("cannot add " + m.name + " to " + path);
    const zip_int64_t index = zip_file_add(za, m.name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(src);
      return fail("cannot add " + m.name + " to " + path);
    }
    const auto i = static_cast<zip_uint64_t>(index);
    // MS-DOS date 1980-01-01 (day 1, month 1, year 0), time 00:00:00; a regular file, rw-r--r--.
    if (zip_file_set_dostime(za, i, 0, (1 << 5) | 1, 0) < 0 ||
        zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0 ||
        zip_set_file_compression(za, i, ZIP_CM_DEFLATE, 6) < 0)
      return fail("cannot set attributes of " + m.name + " in " + path);
  }
  if (zip_close(za) < 0) return fail("cannot write " + path);
  if (Status st = Sync(path); !st.ok()) return st;
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return Sync(dir.empty() ? std::string(".") : dir.string());
}

}  // namespace dsar::fulfillment
