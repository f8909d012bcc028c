// The HTTP/1.1 server under the JSON API: Beast over Asio, generic over a Handler.
//
// The server only moves bytes (STYLE.md, Beast row): a session reads a request header, asks
// the handler for the body limit of that method and target, reads the body (over the limit:
// 413, then the connection closes), calls Handler::Handle synchronously on its strand, writes
// the Response, and loops while the client keeps the connection alive. Every read and write
// has a deadline. Each connection has its own strand; the io_context runs on `threads` threads.
//
// Logging: one line per request through ServerOptions::log, with the route pattern, status and
// duration only: never the target (its query may hold an email), headers, bodies or addresses.
//
// Shutdown (rippled row): Stop() closes the acceptor, cancels and closes every registered
// session, then joins the threads. A request already inside Handle() finishes first (its
// answer is not delivered once its socket is closed; its transaction is committed or not as
// the store decides).
//
// Typical use in `dsar serve`:
//   auto listen = api::ParseListen(config.listen);             // "127.0.0.1:8080", "[::1]:0"
//   api::ServerOptions opt;                                     // threads, timeouts, log
//   opt.log = [](std::string_view line) { std::cerr << line << "\n"; };
//   api::Server server(*service, opt);                          // or Server(*service, threads)
//   auto port = server.Start(listen->host, listen->port);      // listening when this returns
//   if (!port.ok()) { print port.status(); return 1; }
//   ... wait for SIGINT/SIGTERM ...
//   server.Stop();                                              // then destroy service, store
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/routes.h"
#include "core/status.h"

namespace dsar::api {

// What a server serves. Implementations must be safe to call from several threads at once.
class Handler {
 public:
  virtual ~Handler() = default;
  // The largest body accepted for this request line, decided before the body is read.
  virtual std::size_t BodyLimit(std::string_view method, std::string_view target) = 0;
  // The response; must not throw.
  virtual Response Handle(const Request& request) = 0;
};

// The JSON API (routes.h) as a Handler. Borrows `service`, which must outlive it.
class ApiHandler final : public Handler {
 public:
  explicit ApiHandler(service::Engine& service) : context_(service) {}
  std::size_t BodyLimit(std::string_view method, std::string_view target) override {
    return BodyLimitFor(method, target, static_cast<std::size_t>(context_.service.config().max_message_bytes));
  }
  Response Handle(const Request& request) override { return api::Handle(request, context_); }
  Context& context() { return context_; }

 private:
  Context context_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address (v4 or v6) or "localhost"
  unsigned short port = 8080;      // 0: any free port (see Server::port())
  int threads = 2;
  std::chrono::milliseconds read_timeout{30000};   // header, and again body, of one request; idle keep-alive
  std::chrono::milliseconds write_timeout{120000}; // one response (exports may be large)
  std::size_t header_limit = 16 * 1024;            // request line + fields; over it: 431
  // One line per request, e.g. "http route=\"GET /requests/{id}\" status=200 ms=3"; may be
  // called from several threads at once. Empty: no logging.
  std::function<void(std::string_view)> log;
};

class Server {
 public:
  // The JSON API (an ApiHandler it owns) over `service`, which must outlive the Server.
  explicit Server(service::Engine& service, int threads = 2);
  Server(service::Engine& service, ServerOptions options);
  // Any handler (tests, other front ends); `handler` is borrowed and must outlive the Server.
  Server(Handler& handler, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // Stop()

  // Binds and listens on host:port (port 0: any free port) and starts the threads; returns the
  // bound port. Invalid for a bad address or a second Start; IoError (naming the address) when
  // it cannot be bound. Listening when this returns.
  Result<unsigned short> Start(const std::string& host, unsigned short port);
  Result<unsigned short> Start();  // options.host, options.port

  // Stops (see above) and waits. Idempotent; a no-op before Start. Must not be called from a
  // handler (it joins the threads that run them). A stopped Server cannot be started again.
  void Stop();

  // The bound port (the real one when the requested port was 0); 0 before Start.
  unsigned short port() const;
  // "host:port" as bound.
  std::string address() const;

  // Test hook: sessions currently registered (open connections).
  std::size_t TEST_SessionCount() const;

  struct Impl;

 private:
  std::unique_ptr<ApiHandler> owned_handler_;
  std::unique_ptr<Impl> impl_;
};

// "HOST:PORT" (or "[v6]:PORT") from `dsar serve --listen`; Invalid with the reason otherwise.
struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};
Result<ListenAddress> ParseListen(std::string_view host_port);

}  // namespace dsar::api
