// Export packages: JSON text, CSV, HTML escaping and ZIP files written byte-for-byte
// reproducibly (same data, same bytes), so a retried export step produces the same package.
//
// Packages can be larger than memory (an access package of a million rows): members are written
// front to back into staged files through OutputFile (CSV records one by one, data.json through
// JsonWriter), and WriteZipFromFiles builds the archive from those files, which libzip reads only
// when it closes the archive. Memory stays bounded by the buffers, whatever the row count.
//
// Thread safety: free functions without shared state; an OutputFile or JsonWriter belongs to one
// thread at a time.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace dsar::fulfillment {

// JSON text indented by two spaces, keys in the object's order, ending with a newline. Doubles
// in shortest round-trip form (non-finite ones as null).
std::string PrettyJson(const boost::json::value& v);

// Appends `s` as a JSON string literal (with its quotes), escaped exactly as
// boost::json::serialize escapes it: \" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx,
// everything else (UTF-8 included) as it is.
void AppendJsonString(std::string& out, std::string_view s);

// One CSV record (RFC 4180): fields quoted when they hold a comma, quote, CR or LF, or begin or
// end with a blank; ends with CRLF. AppendCsvRecord appends the same bytes to `out`.
std::string CsvRecord(const std::vector<std::string>& fields);
void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields);

// `s` with & < > " ' replaced by character references: safe as HTML text and inside a quoted
// attribute value. Every value an HTML page shows goes through it (personal data included).
std::string HtmlEscape(std::string_view s);

// A file written front to back through a buffer of about 256 KiB. Created owner-only (0600: it
// holds personal data), truncated if it exists. The first failure (open, write) is kept; Write
// after a failure does nothing, and Close returns that failure (IoError naming the file).
class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // closes without reporting (call Close to learn about errors)

  Status Open(const std::string& path);
  void Write(std::string_view bytes);
  // Flushes and closes; the first error since Open, if any. Further calls return Ok.
  Status Close();
  std::uint64_t size() const { return size_; }  // bytes written so far
  const std::string& path() const { return path_; }

 private:
  void Flush();

  int fd_ = -1;
  std::string path_;
  std::string buf_;
  std::uint64_t size_ = 0;
  Status error_;
};

// Writes one JSON document to an OutputFile as it goes, in exactly PrettyJson's layout (the same
// document gives the same bytes either way), so a document larger than memory can be written
// with values added one by one. The caller keeps the calls well-formed: a Key before each value
// inside an object, containers closed in order, Finish once at the end (it adds the final
// newline). `out` must outlive the writer.
class JsonWriter {
 public:
  explicit JsonWriter(OutputFile& out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view s);
  void Int(std::int64_t n);
  void Double(double d);  // shortest round-trip form; non-finite as null
  void Bool(bool b);
  void Null();
  void Value(const boost::json::value& v);  // any value, laid out at the current depth
  void Finish();

 private:
  void BeforeValue();
  void Begin(char open);
  void End(char close);

  OutputFile& out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
  std::string scratch_;
};

// A member of a ZIP archive read from a file: its name in the archive and the file's path.
struct ZipMember {
  std::string name;
  std::string file;
};

// Writes a ZIP archive whose members' bytes are read from files while the archive is written (at
// libzip's close), so memory does not grow with the package. Members are deflated, in the order
// given, each dated 1980-01-01 00:00 with Unix mode 0644 whatever the files' own times and modes:
// the same file contents give the same archive bytes. The files must stay until this returns.
// The archive replaces `path` atomically (libzip writes a temporary file and renames it) and is
// synced to disk before this returns, so a caller may then record it as written.
Status WriteZipFromFiles(const std::string& path, const std::vector<ZipMember>& members);

}  // namespace dsar::fulfillment
