#include "api/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/problem.h"

namespace dsar::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

class Session;

// How much of an unread (refused) body we swallow before closing, so that the client reads our
// 413 instead of a connection reset.
constexpr std::size_t kDrainLimit = 8 * 1024 * 1024;
constexpr std::chrono::seconds kDrainTime{5};

bool IsHttpError(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

}  // namespace

// Members in destruction-safe order: the registry outlives the io_context, whose destruction
// may destroy sessions that unregister themselves.
struct Server::Impl {
  Impl(const ServerOptions& o, Handler& h) : options(o), handler(h), acceptor(net::make_strand(ioc)) {}

  const ServerOptions options;
  Handler& handler;

  mutable std::mutex mu;
  bool started = false;                                    // guarded by mu
  bool stopping = false;                                   // guarded by mu
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu

  net::io_context ioc;
  tcp::acceptor acceptor;  // used on its strand only once the threads run
  std::vector<std::thread> threads;
  tcp::endpoint bound;
  std::once_flag stop_once;

  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  void Log(std::string_view line) const {
    if (options.log) options.log(line);
  }
  // Registers a started session; false when the server is stopping (the caller closes it).
  bool Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
  }
};

namespace {

// One connection: stream, buffer, parser, response. Every step runs on the stream's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
    error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = ep.address().to_string();
  }
  ~Session() { server_.Unregister(this); }

  void Run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::DoReadHeader, shared_from_this())); }

  // From any thread: cancels pending operations and closes the socket, on the strand.
  void Cancel() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void DoReadHeader() {
    header_parser_.emplace();
    header_parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    header_parser_->body_limit(boost::none);  // the route's limit is applied once the header is known
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *header_parser_,
                            beast::bind_front_handler(&Session::OnReadHeader, shared_from_this()));
  }

  void OnReadHeader(error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout)
      return DoClose();
    if (ec == http::error::header_limit)
      return SendProblem(431, "the request header is too large");
    if (ec) {
      if (IsHttpError(ec) || ec == http::error::partial_message)
        return SendProblem(400, "malformed HTTP request");
      return DoClose();  // reset, broken pipe, ...
    }
    started_ = std::chrono::steady_clock::now();
    const auto& h = header_parser_->get();
    const std::size_t limit = server_.handler.BodyLimit(std::string_view(h.method_string()), std::string_view(h.target()));
    last_limit_ = limit;
    const auto length = header_parser_->content_length();
    if (length && *length > limit) return SendProblem(413, LimitDetail(limit), std::string_view(h.target()));
    body_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    body_parser_->body_limit(limit);
    if (body_parser_->is_done()) return OnReadBody({}, 0);
    const auto& req = body_parser_->get();
    auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      continue_.emplace(http::status::continue_, req.version());
      stream_.expires_after(server_.options.write_timeout);
      return http::async_write(stream_, *continue_, beast::bind_front_handler(&Session::DoReadBody, shared_from_this()));
    }
    DoReadBody({}, 0);
  }

  void DoReadBody(error_code ec, std::size_t) {
    if (ec) return DoClose();
    stream_.expires_after(server_.options.read_timeout);
    http::async_read(stream_, buffer_, *body_parser_, beast::bind_front_handler(&Session::OnReadBody, shared_from_this()));
  }

  void OnReadBody(error_code ec, std::size_t) {
    if (ec == http::error::body_limit)
      return SendProblem(413, LimitDetail(last_limit_), std::string_view(body_parser_->get().target()));
    if (ec == net::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream)
      return DoClose();
    if (ec) {
      if (IsHttpError(ec)) return SendProblem(400, "malformed HTTP request");
      return DoClose();
    }
    auto msg = body_parser_->release();
    body_parser_.reset();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      auto [it, inserted] = req.headers.try_emplace(name, std::string(f.value()));
      if (!inserted) it->second += ", " + std::string(f.value());
    }
    req.body = std::move(msg.body());
    req.client = client_;
    const bool keep_alive = msg.keep_alive();
    Response res = server_.handler.Handle(req);
    Send(std::move(res), keep_alive, msg.version());
  }

  static std::string LimitDetail(std::size_t limit) {
    return "the request body is larger than this endpoint accepts (" + std::to_string(limit) + " bytes)";
  }

  // An error found while reading: answer, then close (the rest of the request is not read).
  // `target`: the request target when it is known (its path becomes the problem's `instance`).
  void SendProblem(int status, std::string_view detail, std::string_view target = {}) {
    if (!started_) started_ = std::chrono::steady_clock::now();
    Response r = ProblemResponse(status, detail, target.substr(0, target.find('?')));
    r.route = "-";
    drain_after_ = true;
    Send(std::move(r), false, 11);
  }

  void Send(Response res, bool keep_alive, unsigned version) {
    const int status = res.status;
    const std::string route = res.route.empty() ? "-" : res.route;
    if (!res.file_path.empty()) {
      http::file_body::value_type file;
      error_code fec;
      file.open(res.file_path.c_str(), beast::file_mode::scan, fec);
      if (fec) {
        res = ProblemResponse(500, "the file could not be read");
        res.route = route;
      } else {
        file_res_.emplace(std::piecewise_construct, std::make_tuple(std::move(file)),
                          std::make_tuple(static_cast<http::status>(res.status), version));
        Fill(*file_res_, res, keep_alive);
        file_res_->prepare_payload();
        LogRequest(route, status);
        stream_.expires_after(server_.options.write_timeout);
        return http::async_write(stream_, *file_res_,
                                 beast::bind_front_handler(&Session::OnWrite, shared_from_this(), file_res_->need_eof()));
      }
    }
    string_res_.emplace(static_cast<http::status>(res.status), version);
    Fill(*string_res_, res, keep_alive);
    string_res_->body() = std::move(res.body);
    string_res_->prepare_payload();
    LogRequest(route, res.status);
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, *string_res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), string_res_->need_eof()));
  }

  template <class Message>
  void Fill(Message& m, const Response& res, bool keep_alive) {
    m.set(http::field::server, "dsar");
    for (const auto& [k, v] : res.headers) m.insert(k, v);
    m.keep_alive(keep_alive && !drain_after_);
  }

  void LogRequest(const std::string& route, int status) {
    if (!server_.options.log) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                          started_.value_or(std::chrono::steady_clock::now()))
                        .count();
    server_.Log("http route=\"" + route + "\" status=" + std::to_string(status) + " ms=" + std::to_string(ms));
    started_.reset();
  }

  void OnWrite(bool close, error_code ec, std::size_t) {
    string_res_.reset();
    file_res_.reset();
    if (ec) return DoClose();
    if (drain_after_) return DoDrain();
    if (close) return DoClose();
    DoReadHeader();
  }

  // Half-close, then read and drop what the client still sends (bounded in bytes and time),
  // so that it can read the answer before the connection goes away.
  void DoDrain() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return DoClose();
    stream_.expires_after(kDrainTime);
    DrainSome();
  }
  void DrainSome() {
    stream_.async_read_some(net::buffer(drain_buf_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kDrainLimit) return self->DoClose();
      self->DrainSome();
    });
  }

  void DoClose() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> body_parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> string_res_;
  std::optional<http::response<http::file_body>> file_res_;
  std::optional<std::chrono::steady_clock::time_point> started_;
  std::size_t last_limit_ = 0;
  bool drain_after_ = false;
  std::size_t drained_ = 0;
  std::array<char, 16 * 1024> drain_buf_{};
};

}  // namespace

bool Server::Impl::Register(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu);
  if (stopping) return false;
  sessions.emplace(s.get(), s);
  return true;
}

void Server::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void Server::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // stopping
  if (!ec) {
    auto session = std::make_shared<Session>(std::move(socket), *this);
    if (!Register(session)) return;  // stopping: the socket closes with the session
    session->Run();
  } else {
    Log("http accept failed: " + ec.message());
  }
  DoAccept();
}

Server::Server(service::Engine& service, int threads)
    : owned_handler_(std::make_unique<ApiHandler>(service)) {
  ServerOptions o;
  o.threads = threads;
  impl_ = std::make_unique<Impl>(o, *owned_handler_);
}

Server::Server(service::Engine& service, ServerOptions options)
    : owned_handler_(std::make_unique<ApiHandler>(service)),
      impl_(std::make_unique<Impl>(options, *owned_handler_)) {}

Server::Server(Handler& handler, ServerOptions options) : impl_(std::make_unique<Impl>(options, handler)) {}

Server::~Server() { Stop(); }

Result<unsigned short> Server::Start() { return Start(impl_->options.host, impl_->options.port); }

Result<unsigned short> Server::Start(const std::string& host_in, unsigned short port) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mu);
    if (s.started || s.stopping) return Status::Invalid("the server was already started");
    s.started = true;
  }
  if (s.options.threads < 1) return Status::Invalid("the server needs at least one thread");
  error_code ec;
  const std::string host = host_in == "localhost" ? "127.0.0.1" : host_in;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return Status::Invalid("listen address '" + host_in + "' is not an IP address");
  const tcp::endpoint endpoint(address, port);
  const std::string where = (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
  auto& acc = s.acceptor;
  auto fail = [&](const char* what) {
    error_code ignored;
    acc.close(ignored);
    return Status::IoError(std::string(what) + " " + where + ": " + ec.message());
  };
  if (acc.open(endpoint.protocol(), ec); ec) return fail("cannot open a socket for");
  if (acc.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("cannot set SO_REUSEADDR for");
  if (acc.bind(endpoint, ec); ec) return fail("cannot bind");
  if (acc.listen(net::socket_base::max_listen_connections, ec); ec) return fail("cannot listen on");
  s.bound = acc.local_endpoint(ec);
  if (ec) return fail("cannot read the bound address of");
  s.DoAccept();
  Impl* raw = impl_.get();
  for (int i = 0; i < s.options.threads; ++i) {
    s.threads.emplace_back([raw] {
      for (;;) {
        try {
          raw->ioc.run();
          return;
        } catch (const std::exception& e) {
          raw->Log(std::string("http thread: uncaught exception: ") + e.what());
        }
      }
    });
  }
  return s.bound.port();
}

void Server::Stop() {
  std::call_once(impl_->stop_once, [this] {
    Impl& s = *impl_;
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(s.mu);
      s.stopping = true;
      for (auto& [p, w] : s.sessions)
        if (auto sp = w.lock()) live.push_back(std::move(sp));
    }
    if (s.threads.empty()) {  // never started (or failed to): nothing runs
      error_code ec;
      s.acceptor.close(ec);
      return;
    }
    net::post(s.acceptor.get_executor(), [&s] {
      error_code ec;
      s.acceptor.close(ec);
    });
    for (auto& session : live) session->Cancel();
    live.clear();
    for (auto& t : s.threads)
      if (t.joinable()) t.join();
    s.threads.clear();
  });
}

unsigned short Server::port() const { return impl_->bound.port(); }

std::string Server::address() const {
  const auto a = impl_->bound.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(impl_->bound.port());
}

std::size_t Server::TEST_SessionCount() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

Result<ListenAddress> ParseListen(std::string_view hp) {
  ListenAddress out;
  std::string_view port;
  if (!hp.empty() && hp.front() == '[') {
    const auto close = hp.find(']');
    if (close == std::string_view::npos || close + 1 >= hp.size() || hp[close + 1] != ':')
      return Status::Invalid("listen address '" + std::string(hp) + "' must be [IPv6]:PORT");
    out.host = std::string(hp.substr(1, close - 1));
    port = hp.substr(close + 2);
  } else {
    const auto colon = hp.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return Status::Invalid("listen address '" + std::string(hp) + "' must be HOST:PORT");
    out.host = std::string(hp.substr(0, colon));
    port = hp.substr(colon + 1);
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || v > 65535)
    return Status::Invalid("listen address '" + std::string(hp) + "' has no valid port (0-65535)");
  out.port = static_cast<unsigned short>(v);
  error_code aec;
  if (out.host != "localhost") {
    net::ip::make_address(out.host, aec);
    if (aec) return Status::Invalid("listen address '" + std::string(hp) + "': '" + out.host + "' is not an IP address");
  }
  return out;
}

}  // namespace dsar::api
