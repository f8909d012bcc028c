#include "fulfillment/package.h"

#include <zip.h>

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace dsar::fulfillment {

namespace {

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

void Pretty(const boost::json::value& v, std::string& out, int depth) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      bool first = true;
      for (const auto& kv : o) {
        if (!first) out += ",\n";
        first = false;
        Indent(out, depth + 1);
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += ": ";
        Pretty(kv.value(), out, depth + 1);
      }
      out += "\n";
      Indent(out, depth);
      out += "}";
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      bool first = true;
      for (const auto& item : a) {
        if (!first) out += ",\n";
        first = false;
        Indent(out, depth + 1);
        Pretty(item, out, depth + 1);
      }
      out += "\n";
      Indent(out, depth);
      out += "]";
      return;
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, r.ptr);
      return;
    }
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

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string out;
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
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::IoError("cannot write " + tmp);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

Status WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries) {
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
  // The entries' bytes must stay alive until zip_close: `entries` is the caller's and outlives it.
  for (const auto& [name, bytes] : entries) {
    zip_source_t* src = zip_source_buffer(za, bytes.data(), bytes.size(), 0);
    if (!src) return fail("cannot add " + name + " to " + path);
    const zip_int64_t index = zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(src);
      return fail("cannot add " + name + " to " + path);
    }
    // MS-DOS date 1980-01-01 (day 1, month 1, year 0), time 00:00:00.
    if (zip_file_set_dostime(za, static_cast<zip_uint64_t>(index), 0, (1 << 5) | 1, 0) < 0 ||
        zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 9) < 0)
      return fail("cannot set attributes of " + name + " in " + path);
  }
  if (zip_close(za) < 0) return fail("cannot write " + path);
  return Status::Ok();
}

}  // namespace dsar::fulfillment
