// Shared by tests/api: a service over a temporary store, the real server on 127.0.0.1:0, and a
// tiny synchronous Beast client.
#pragma once

#include <regex>
#include <fstream>
#include <iterator>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "api/routes.h"
#include "api/server.h"
#include "core/time.h"
#include "workflow/config.h"
#include "api/presenters.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "identity/suppression.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/corrections.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "schedule/workers.h"
#include "store/store.h"
#include "support/sql.h"

namespace dsar::api::test {

namespace fs = std::filesystem;
namespace json = boost::json;

inline fs::path MakeTempDir(const std::string& tag) {
  std::random_device rd;
  fs::path p = fs::temp_directory_path() / ("dsar-api-" + tag + "-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(p);
  return p;
}

// A Engine over a fresh store in a temporary directory, and one valid API token.
struct ServiceFixture {
  fs::path dir = MakeTempDir("svc");
  ManualClock clock{*ParseRfc3339("2026-03-02T10:00:00Z")};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Engine> svc;
  std::string token;

  ServiceFixture() {
    store::Options so;
    so.path = (dir / "dsar.db").string();
    auto st = store::Store::Open(so);
    INFO(st.status().ToString());
    REQUIRE(st.ok());
    store = std::move(st.value());
    service::Config c;
    c.db_path = so.path;
    c.workflows_dir = DSAR_SOURCE_DIR "/workflows";
    c.templates_dir = DSAR_SOURCE_DIR "/templates/mail";
    c.secret_key_file = (dir / "secret.key").string();
    c.outbox_maildir = (dir / "outbox").string();
    c.exports_dir = (dir / "exports").string();
    c.evidence_dir = (dir / "evidence").string();
    auto s = service::Engine::Create(c, *store, clock);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    svc = std::move(s.value());
    auto t = CreateToken(*svc, "tests");
    REQUIRE(t.ok());
    token = *t;
  }
  ~ServiceFixture() {
    svc.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // The first column of the first row of `sql` (a COUNT), read through the store.
  long Count(const std::string& sql) { return static_cast<long>(test_sql::Count(store->path(), sql)); }

  // A request created through the service (fast, no HTTP).
  store::RequestRow CreateDirect(const std::string& email, const std::string& type = "deletion") {
    service::CreateRequestInput in;
    in.type = type;
    in.subject.email = email;
    auto out = svc->CreateRequest(in);
    INFO(out.status().ToString());
    REQUIRE(out.ok());
    return out->request;
  }

  // The verification code mailed for `request_id`, read from the delivered mail (the Maildir the
  // outbox delivers into), as a requester would: never from the database.
  std::string MailedCode(const std::string& request_id) {
    service::Workers workers(*svc, nullptr);
    REQUIRE(workers.DeliverOutbox().ok());
    auto r = svc->Get(request_id);
    REQUIRE(r.ok());
    std::string code;
    for (const auto& e : fs::directory_iterator(dir / "outbox" / "new")) {
      std::ifstream in(e.path(), std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.find("[" + r->reference + "] Confirm") == std::string::npos) continue;
      std::smatch m;
      if (std::regex_search(text, m, std::regex("\\n\\s+([0-9]{6})\\r?\\n"))) code = m[1];
    }
    return code;
  }
};

// The real server on 127.0.0.1, port 0.
struct ServerFixture : ServiceFixture {
  std::vector<std::string> log;
  std::mutex log_mu;
  std::unique_ptr<Server> server;
  unsigned short port = 0;

  explicit ServerFixture(int threads = 2) {
    ServerOptions o;
    o.threads = threads;
    o.read_timeout = std::chrono::milliseconds(5000);
    o.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu);
      log.emplace_back(line);
    };
    server = std::make_unique<Server>(*svc, o);
    auto p = server->Start("127.0.0.1", 0);
    INFO(p.status().ToString());
    REQUIRE(p.ok());
    port = *p;
    REQUIRE(port != 0);
  }
  ~ServerFixture() {
    server->Stop();
    server.reset();
  }
};

struct HttpResult {
  int status = 0;
  Headers headers;
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  json::value Json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    INFO("body: " << body);
    REQUIRE(!ec);
    return v;
  }
  std::string Str(const char* key) const {
    json::value v = Json();
    REQUIRE(v.is_object());
    auto* p = v.as_object().if_contains(key);
    return p && p->is_string() ? std::string(p->as_string()) : "";
  }
};

// A synchronous HTTP/1.1 client over one connection (keep-alive until destroyed).
class Client {
 public:
  explicit Client(unsigned short port) : socket_(ioc_) {
    namespace net = boost::asio;
    socket_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  HttpResult Send(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::vector<std::pair<std::string, std::string>>& headers = {}, bool chunked = false) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (chunked) req.chunked(true);
    else if (!body.empty() || method == "POST" || method == "DELETE") req.prepare_payload();
    http::write(socket_, req);
    return Read();
  }

  HttpResult Read() {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    parser.get().body().clear();
    http::read(socket_, buffer_, parser);
    auto res = parser.release();
    HttpResult out;
    out.status = res.result_int();
    for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
    out.body = std::move(res.body());
    return out;
  }

  void WriteRaw(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size())); }

  // Reads until the server closes; true when it did (EOF or reset) rather than time out.
  bool ServerClosed() {
    boost::system::error_code ec;
    char buf[256];
    for (;;) {
      socket_.read_some(boost::asio::buffer(buf), ec);
      if (ec) return true;
    }
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// A request for Handle() (no sockets) from 192.0.2.1, with the bearer `token` and `content_type`
// when not empty.
inline Request Req(std::string method, std::string target, std::string body = "", std::string token = "",
                   std::string content_type = "") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.client = "192.0.2.1";
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  if (!content_type.empty()) r.headers["Content-Type"] = std::move(content_type);
  return r;
}

// A JSON response's body as an object.
inline json::object Body(const Response& r) {
  INFO(r.body);
  return json::parse(r.body).as_object();
}

inline std::vector<std::pair<std::string, std::string>> Auth(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// One request on a fresh connection.
inline HttpResult Call(unsigned short port, const std::string& method, const std::string& target,
                       const std::string& body = "", const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  Client c(port);
  return c.Send(method, target, body, headers);
}

inline std::string CreateBody(const std::string& email, const std::string& type = "deletion") {
  json::object o;
  o["type"] = type;
  o["jurisdiction"] = "gdpr";
  o["subject"] = json::object{{"email", email}, {"name", "Test Person"}};
  return json::serialize(o);
}

}  // namespace dsar::api::test
