// The server loop: one thread, epoll over the request socket, an eventfd for stop() and one
// socket per transfer; timers are the earliest deadline among the transfers.
#include "server/tftp/tftp_server.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

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
  TftpServerImpl(transport::UdpSocket listen, tftp::RequestHandler handler, int epfd, int wakefd)
      : listen_(std::move(listen)), handler_(std::move(handler)), epfd_(epfd), wakefd_(wakefd) {}
  ~TftpServerImpl() override {
    stop();
    ::close(epfd_);
    ::close(wakefd_);
  }

  std::uint16_t port() const override { return port_; }

  void run_in_thread() { thread_ = std::thread([this] { loop(); }); }

  void stop() override {
    if (!thread_.joinable()) return;
    stopping_ = true;
    std::uint64_t one = 1;
    (void)!::write(wakefd_, &one, sizeof one);
    thread_.join();
  }

 private:
  void add(int fd, std::uint64_t id, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = id;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  }

  void watch_writes(std::uint64_t id, Transfer& t, bool want) {
    epoll_event ev{};
    ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
    ev.data.u64 = id;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, t.fd(), &ev);
  }

  void on_requests(Timestamp now) {
    for (int round = 0; round < 16; ++round) {
      auto got = listen_.receive_batch(32, 1024);  // RFC 2347: requests fit in 512 bytes
      if (!got || got->empty()) return;
      for (const auto& d : *got) {
        // A retransmitted RRQ for a transfer that has not heard from the client yet is ignored;
        // a client that starts over from the same port replaces its old transfer.
        bool duplicate = false;
        for (auto it = transfers_.begin(); it != transfers_.end(); ++it) {
          if (!(it->second->peer() == d.from)) continue;
          if (!it->second->progressed()) {
            duplicate = true;
          } else {
            transfers_.erase(it);
          }
          break;
        }
        if (duplicate) continue;
        auto t = handler_.on_request(d, listen_, transfers_.size(), now);
        if (!t || t->ended()) continue;
        std::uint64_t id = next_id_++;
        add(t->fd(), id, EPOLLIN | (t->wants_write() ? EPOLLOUT : 0u));
        writing_[id] = t->wants_write();
        transfers_.emplace(id, std::move(t));
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

  int next_timeout_ms(Timestamp now) const {
    std::optional<Timestamp> next;
    for (const auto& [id, t] : transfers_)
      if (auto at = t->timer(); at && (!next || *at < *next)) next = at;
    if (!next) return 1000;
    auto us = (*next - now).count();
    if (us <= 0) return 0;
    return static_cast<int>(std::min<std::int64_t>((us + 999) / 1000, 1000));
  }

  void loop() {
    SystemClock clock;
    epoll_event events[64];
    while (!stopping_) {
      int n = ::epoll_wait(epfd_, events, 64, next_timeout_ms(clock.now()));
      if (n < 0 && errno != EINTR) {
        log()->error("epoll_wait: {}", std::strerror(errno));
        return;
      }
      Timestamp now = clock.now();
      for (int i = 0; i < n; ++i) {
        std::uint64_t id = events[i].data.u64;
        if (id == kWakeId) continue;
        if (id == kListenId) {
          on_requests(now);
          continue;
        }
        auto it = transfers_.find(id);
        if (it == transfers_.end()) continue;
        if (events[i].events & EPOLLOUT) it->second->on_writable();
        if (events[i].events & (EPOLLIN | EPOLLERR)) it->second->on_readable(now);
        settle(id);
      }
      now = clock.now();
      std::vector<std::uint64_t> due;
      for (const auto& [id, t] : transfers_)
        if (auto at = t->timer(); at && *at <= now) due.push_back(id);
      for (auto id : due) {
        transfers_.at(id)->on_timer(now);
        settle(id);
      }
    }
    if (!transfers_.empty()) log()->info("stopping with {} transfers in progress", transfers_.size());
    transfers_.clear();
  }

  transport::UdpSocket listen_;
  tftp::RequestHandler handler_;
  int epfd_;
  int wakefd_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;
  std::map<std::uint64_t, bool> writing_;
  std::uint64_t next_id_ = 2;
  std::uint16_t port_ = 0;

  friend Result<std::unique_ptr<TftpServer>> pxe::server::start_tftp_server(const config::TftpSettings&);
};

}  // namespace

Result<std::unique_ptr<TftpServer>> start_tftp_server(const config::TftpSettings& settings) {
  if (settings.root.empty()) return make_error("no tftp-root given");
  auto root = tftp::TftpRoot::open(settings.root);
  if (!root) return root.error();
  std::string upload_dir;  // WRQ is refused unless an upload directory was given
  if (settings.allow_write || !settings.write_dir.empty()) {
    if (settings.write_dir.empty()) return make_error("uploads enabled without an upload directory");
    auto dir = root->upload_dir(settings.write_dir);
    if (!dir) return dir.error();
    upload_dir = *dir;
  }
  auto addr = Ipv4::parse(settings.address);
  if (!addr) return make_error("listen address is not an IPv4 address: " + settings.address);
  auto listen = transport::UdpSocket::bind(*addr, settings.port);
  if (!listen) return listen.error();
  if (auto pi = listen->enable_pktinfo(); !pi) return pi.error();
  listen->set_buffers(1 << 20);
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  int wakefd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epfd < 0 || wakefd < 0) {
    if (epfd >= 0) ::close(epfd);
    if (wakefd >= 0) ::close(wakefd);
    return make_error(std::string("epoll/eventfd: ") + std::strerror(errno));
  }
  auto local = listen->local();
  auto server = std::make_unique<TftpServerImpl>(std::move(*listen), tftp::RequestHandler(settings, std::move(*root), upload_dir),
                                                 epfd, wakefd);
  server->port_ = local.port;
  server->add(server->listen_.fd(), kListenId, EPOLLIN);
  server->add(wakefd, kWakeId, EPOLLIN);
  server->run_in_thread();
  log()->info("TFTP root is {}, listening on {}", settings.root, local.str());
  if (!upload_dir.empty())
    log()->info("TFTP uploads allowed into {}/{}{}", settings.root, upload_dir,
                settings.write_overwrite ? " (replacing existing files)" : " (new files only)");
  return std::unique_ptr<TftpServer>(std::move(server));
}

}  // namespace pxe::server
