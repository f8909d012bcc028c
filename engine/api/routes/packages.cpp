// The package of a completed request: export, review and redactions (GDPR Art. 15(4)), download
// links and the requester's /d/{token}.
#include "api/router.h"
#include "core/html.h"

#include <cctype>
#include <filesystem>

#include "api/json_input.h"
#include "release/downloads.h"
#include "release/review.h"
#include "mail/outbox/transport.h"

namespace dsar::api {

namespace json = boost::json;

namespace {

// 200 with the package file as an attachment (streamed by the server from file_path).
Response FileResponse(const service::ExportFile& file) {
  Response r;
  r.status = 200;
  r.file_path = file.path;
  r.headers.emplace_back("Content-Type", file.content_type);
  std::string name;
  for (char ch : file.filename)  // a header-safe filename
    name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.') ? ch : '_';
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

// GET /requests/{id}/export
Response ExportRoute(Call& c) {
  auto file = Export(Svc(c), c.params[0]);
  if (!file.ok()) return Fail(c, file.status());
  return FileResponse(*file);
}

// GET /requests/{id}/package: what the access package under review holds (issue 5 §5).
Response PackageReviewRoute(Call& c) {
  auto o = PackageReview(Svc(c), c.params[0]);
  if (!o.ok()) return Fail(c, o.status());
  return JsonResponse(200, *o);
}

// GET /requests/{id}/package/tables/{table}?offset=0&limit=50 (limit at most 500): one page of
// a table's rows as staged, with the redactions made so far.
Response PackageRowsRoute(Call& c) {
  std::int64_t offset = 0, limit = 50;
  for (const auto& p : c.url.params()) {
    const std::string key = p.key;
    const auto v = ParseInt(p.has_value ? std::string(p.value) : std::string());
    if (key != "offset" && key != "limit")
      return Fail(c, 400, "unknown query parameter '" + key + "' (expected: offset, limit)");
    if (!v || *v < 0 || (key == "limit" && (*v < 1 || *v > 500)))
      return Fail(c, 400, "query parameter '" + key + "' must be " +
                              (key == "limit" ? "an integer from 1 to 500" : "a non-negative integer"));
    (key == "offset" ? offset : limit) = *v;
  }
  auto o = PackageRows(Svc(c), c.params[0], c.params[1], offset, limit);
  if (!o.ok()) return Fail(c, o.status());
  return JsonResponse(200, *o);
}

// POST /requests/{id}/package/redactions {table, row, column?, reason_code, reason,
// expected_version?}: 201 with the package review (GET /package) and the request's version.
Response RedactRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"table", "row", "column", "reason_code", "reason", "expected_version"}, "");
      !s.ok())
    return Fail(c, s);
  service::RedactionInput in;
  Status st;
  if (st = StringField(body, "table", "", true, in.table); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "column", "", false, in.column); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "reason_code", "", true, in.reason_code); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "reason", "", true, in.reason); !st.ok()) return Fail(c, st);
  const json::value* row = body.if_contains("row");
  if (row == nullptr || !row->is_int64() || row->as_int64() < 0)
    return Fail(c, 400, "field 'row' is required: the row's 0-based position in the package's table");
  in.row = row->as_int64();
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  in.actor = c.actor;
  auto done = Redact(Svc(c), c.params[0], in, expected);
  if (!done.ok()) return Fail(c, done.status());
  auto o = PackageReview(Svc(c), done->id);
  if (!o.ok()) return Fail(c, o.status());
  o->emplace("version", done->version);
  return JsonResponse(201, *o);
}

// DELETE /requests/{id}/package/redactions/{version} {reason, expected_version?}: withdraws a
// redaction (its `version` in GET /package); 200 with the package review.
Response UnredactRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"reason", "expected_version"}, ""); !s.ok()) return Fail(c, s);
  std::string reason;
  if (Status s = StringField(body, "reason", "", true, reason); !s.ok()) return Fail(c, s);
  const auto version = ParseInt(c.params[1]);
  if (!version || *version < 1) return Fail(c, 400, "the redaction is named by its version, a positive integer");
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  auto done = Unredact(Svc(c), c.params[0], *version, reason, c.actor, expected);
  if (!done.ok()) return Fail(c, done.status());
  auto o = PackageReview(Svc(c), done->id);
  if (!o.ok()) return Fail(c, o.status());
  o->emplace("version", done->version);
  return JsonResponse(200, *o);
}

namespace {

// The page a person sees when a download link does not work (issue 5 §5): why, and how to get a
// new link. Nothing about the request (not even its reference) is shown to whoever holds the link.
Response DownloadPage(int status, std::string_view why, const service::Config& cfg) {
  const std::string privacy = HtmlEscape(service::AddrSpec(cfg.mail_from));
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Robots-Tag", "noindex");
  r.body = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<title>This download link no longer works</title></head>\n<body>\n"
           "<h1>This download link no longer works</h1>\n<p>" +
           HtmlEscape(why) +
           "</p>\n<p>To get a new link, reply to our email about your request, quoting its reference "
           "(it looks like DSR-XXXX-XXXX), or write to <a href=\"mailto:" +
           privacy + "\">" + privacy + "</a>.</p>\n<p>" + HtmlEscape(cfg.controller_name) +
           " privacy team</p>\n</body></html>\n";
  return r;
}

}  // namespace

// GET /d/{token} (public, outside /api/v1): the requester's download.
Response DownloadRoute(Call& c) {
  if (Status s = c.ctx.download_by_client.Take("client:" + c.req.client, "too many download attempts; try again later");
      !s.ok())
    return Fail(c, s);
  const service::Config& cfg = Svc(c).config();
  auto got = Download(Svc(c), c.params[0]);
  if (!got.ok()) return Fail(c, got.status());
  const std::string& outcome = got->outcome;
  if (outcome == "unknown")
    return DownloadPage(404, "We could not find this download link. Please check that you copied the whole address.",
                        cfg);
  if (outcome == "expired") return DownloadPage(410, "This download link has expired.", cfg);
  if (outcome == "exhausted")
    return DownloadPage(410, "This download link has been used the maximum number of times.", cfg);
  if (outcome == "revoked") return DownloadPage(410, "A newer download link has replaced this one.", cfg);
  if (outcome != "ok") return DownloadPage(410, "The file behind this download link is no longer available.", cfg);
  Response r = FileResponse(got->file);
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

// POST /requests/{id}/download-link (staff; no fields): a new link for the requester.
Response IssueDownloadLinkRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, true, body); !s.ok()) return Fail(c, s);
  if (!body.empty()) return Fail(c, 400, "this endpoint takes no fields");
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  auto link = IssueDownloadLink(Svc(c), row->id, c.actor);
  if (!link.ok()) return Fail(c, link.status());
  json::object o;  // the link itself goes only to the data subject, by mail
  o["reference"] = row->reference;
  o["expires_at"] = FormatRfc3339(link->expires_at);
  o["max_downloads"] = link->max_downloads;
  o["mailed"] = true;
  return JsonResponse(201, o);
}


}  // namespace dsar::api
