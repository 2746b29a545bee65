// The server loop (server/loop/service_loop.h): one thread, epoll over the request socket and one
// socket per transfer; timers are the earliest deadline among the transfers.
#include "server/tftp/tftp_server.h"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <vector>

#include "server/loop/service_loop.h"
#include "server/tftp/log.h"
#include "server/tftp/request_handler.h"

namespace pxe::server {

namespace {

using tftp::log;
using tftp::Transfer;

constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;

class TftpServerImpl final : public TftpServer {
 public:
  TftpServerImpl(transport::UdpSocket listen, tftp::RequestHandler handler, std::unique_ptr<ServiceLoop> loop,
                 const Clock& clock)
      : listen_(std::move(listen)), handler_(std::move(handler)), loop_(std::move(loop)), clock_(clock) {}
  ~TftpServerImpl() override { stop(); }

  std::uint16_t port() const override { return port_; }
  std::size_t running() const override { return transfers_.size(); }

  void start() override {
    loop_->start([this](int max_wait_ms) { turn(max_wait_ms); }, [this] { end_all(); });
  }
  void stop() override { loop_->stop([this] { end_all(); }); }
  void poll_once(int max_wait_ms) override {
    if (!loop_->running()) turn(max_wait_ms);
  }

 private:
  void watch_writes(std::uint64_t id, Transfer& t, bool want) {
    loop_->modify(t.fd(), id, EPOLLIN | (want ? EPOLLOUT : 0u));
  }

  // What admission needs to know about the running transfers, for a request from `from`.
  proto::tftp::Running summary(const transport::Endpoint& from) {
    same_.clear();
    proto::tftp::Running r;
    r.total = transfers_.size();
    for (const auto& [id, t] : transfers_) {
      if (t->peer().addr != from.addr) continue;
      ++r.from_client;
      if (t->peer().port == from.port) same_.push_back({id, t->name(), t->mode(), t->is_write(), t->answered(), t->stalled()});
    }
    r.same_endpoint = same_;
    return r;
  }

  // Carries out the admission decision for one datagram on port 69.
  void on_request(const transport::Datagram& d, Timestamp now) {
    auto decision = handler_.admit(d, summary(d.from), now);
    switch (decision.verdict) {
      case proto::tftp::Verdict::Drop:
      case proto::tftp::Verdict::Keep:
        return;
      case proto::tftp::Verdict::Refuse:
        handler_.refuse(listen_, d.from, decision.code, decision.message);
        return;
      case proto::tftp::Verdict::Replace:
        if (auto it = transfers_.find(decision.replace); it != transfers_.end()) {
          transfers_.erase(it);  // closing the socket removes it from epoll
          writing_.erase(decision.replace);
        }
        break;
      case proto::tftp::Verdict::StartRead:
      case proto::tftp::Verdict::StartWrite:
        break;
    }
    auto t = handler_.start(d, decision, listen_, now);
    if (!t || t->ended()) return;
    t->set_mode(decision.request->mode);
    std::uint64_t id = next_id_++;
    loop_->add(t->fd(), id, EPOLLIN | (t->wants_write() ? EPOLLOUT : 0u));
    writing_[id] = t->wants_write();
    transfers_.emplace(id, std::move(t));
  }

  void on_requests(Timestamp now) {
    for (int round = 0; round < 16; ++round) {
      auto got = listen_.receive_batch(32, 1024);  // RFC 2347: requests fit in 512 bytes
      if (!got || got->empty()) return;
      for (const auto& d : *got) {
        // Out of memory while answering one request: that request is lost, the server (and the
        // DHCP server in the same process) goes on.
        try {
          on_request(d, now);
        } catch (const std::bad_alloc&) {
          log()->error("out of memory answering a request from {}: dropped", d.from.str());
        }
      }
    }
  }

  void settle(std::uint64_t id) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) return;
    if (it->second->ended()) {
      transfers_.erase(it);  // closing the socket removes it from epoll
      writing_.erase(id);
      return;
    }
    bool want = it->second->wants_write();
    if (writing_[id] != want) {
      writing_[id] = want;
      watch_writes(id, *it->second, want);
    }
  }

  // Out of memory inside one transfer: that transfer ends (its buffers go with it), the others
  // and the process go on.
  void out_of_memory(std::uint64_t id) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) return;
    log()->error("out of memory in the transfer with {}: ending it", it->second->peer().str());
    try {
      it->second->abort("Out of memory");
    } catch (const std::bad_alloc&) {
    }
    transfers_.erase(it);
    writing_.erase(id);
  }

  int next_timeout_ms(Timestamp now, int cap) const {
    std::optional<Timestamp> next;
    for (const auto& [id, t] : transfers_)
      if (auto at = t->timer(); at && (!next || *at < *next)) next = at;
    return ServiceLoop::wait_ms(next, now, cap);
  }

  // One turn: wait for events (or the earliest timer), handle them, then the due timers.
  void turn(int max_wait_ms) {
    epoll_event events[64];
    int n = ::epoll_wait(loop_->epoll_fd(), events, 64, next_timeout_ms(clock_.now(), max_wait_ms));
    if (n < 0) {
      if (errno != EINTR) log()->error("epoll_wait: {}", std::strerror(errno));
      return;
    }
    Timestamp now = clock_.now();
    for (int i = 0; i < n; ++i) {
      std::uint64_t id = events[i].data.u64;
      if (id == kWakeId) continue;
      if (id == kListenId) {
        on_requests(now);
        continue;
      }
      auto it = transfers_.find(id);
      if (it == transfers_.end()) continue;
      try {
        if (events[i].events & EPOLLOUT) it->second->on_writable();
        if (events[i].events & (EPOLLIN | EPOLLERR)) it->second->on_readable(now);
        settle(id);
      } catch (const std::bad_alloc&) {
        out_of_memory(id);
      }
    }
    now = clock_.now();
    due_.clear();
    for (const auto& [id, t] : transfers_)
      if (auto at = t->timer(); at && *at <= now) due_.push_back(id);
    for (auto id : due_) {
      try {
        transfers_.at(id)->on_timer(now);
        settle(id);
      } catch (const std::bad_alloc&) {
        out_of_memory(id);
      }
    }
  }

  // SIGTERM: every running transfer is told (ERROR 0) and closed; nothing waits for a peer.
  void end_all() {
    if (!transfers_.empty()) log()->info("stopping with {} transfers in progress", transfers_.size());
    for (auto& [id, t] : transfers_) t->abort("server shutting down");
    transfers_.clear();
    writing_.clear();
  }

  transport::UdpSocket listen_;
  tftp::RequestHandler handler_;
  std::unique_ptr<ServiceLoop> loop_;
  const Clock& clock_;
  std::map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;
  std::map<std::uint64_t, bool> writing_;
  std::vector<proto::tftp::SameEndpoint> same_;  // summary()'s scratch
  std::vector<std::uint64_t> due_;               // turn()'s scratch
  std::uint64_t next_id_ = 2;
  std::uint16_t port_ = 0;

  friend Result<std::unique_ptr<TftpServer>> pxe::server::open_tftp_server(const config::TftpSettings&, const Clock&);
};

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

Result<std::unique_ptr<TftpServer>> open_tftp_server(const config::TftpSettings& settings) {
  return open_tftp_server(settings, system_clock());
}

Result<std::unique_ptr<TftpServer>> start_tftp_server(const config::TftpSettings& settings) {
  auto s = open_tftp_server(settings);
  if (s) (*s)->start();
  return s;
}

Result<std::unique_ptr<TftpServer>> open_tftp_server(const config::TftpSettings& settings, const Clock& clock) {
  if (settings.root.empty()) return make_error("no tftp-root given");
  auto root = tftp::TftpRoot::open(settings.root);
  if (!root) return root.error();
  std::string upload_dir;  // WRQ is refused unless an upload directory was given
  if (settings.allow_write || !settings.write_dir.empty()) {
    if (settings.write_dir.empty()) return make_error("uploads enabled without an upload directory");
    auto dir = root->upload_dir(settings.write_dir);
    if (!dir) return dir.error();
    upload_dir = *dir;
    // Temporaries of uploads a crash cut short (no upload of this server runs yet).
    if (auto stale = root->remove_stale_uploads(upload_dir); !stale)
      log()->warn("{}", stale.error().what);
    else if (*stale)
      log()->info("removed {} stale upload temporaries from {}/{}", *stale, settings.root, upload_dir);
  }
  auto addr = Ipv4::parse(settings.address);
  if (!addr) return make_error("listen address is not an IPv4 address: " + settings.address);
  auto listen = transport::UdpSocket::bind(*addr, settings.port);
  if (!listen) return listen.error();
  if (auto pi = listen->enable_pktinfo(); !pi) return pi.error();
  listen->set_buffers(1 << 20);
  auto loop = ServiceLoop::open(kWakeId);
  if (!loop) return loop.error();
  auto local = listen->local();
  auto server = std::make_unique<TftpServerImpl>(std::move(*listen), tftp::RequestHandler(settings, std::move(*root), upload_dir),
                                                 std::move(*loop), clock);
  server->port_ = local.port;
  server->loop_->add(server->listen_.fd(), kListenId, EPOLLIN);
  log()->info("TFTP root is {}, listening on {}", settings.root, local.str());
  if (!upload_dir.empty())
    log()->info("TFTP uploads allowed into {}/{}{}", settings.root, upload_dir,
                settings.write_overwrite ? " (replacing existing files)" : " (new files only)");
  return std::unique_ptr<TftpServer>(std::move(server));
}

}  // namespace pxe::server
