// The server loop (server/loop/service_loop.h): one thread, level-triggered epoll over the
// listening socket and one socket per connection; the timer is the earliest of the machines' timers (and
// of the lingering closes).
#include "server/smb/smb_server.h"

#include <malloc.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <new>
#include <optional>

#include "base/random.h"
#include "server/loop/service_loop.h"
#include "server/smb/directory_share.h"
#include "server/smb/log.h"
#include "transport/dhcp_socket.h"
#include "transport/tcp.h"
#include "wire/smb2/netbios.h"

namespace pxe::server {

namespace {

using smb::log;
namespace ps = proto::smb2;

constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;
// Bytes read from one socket per turn before the others get theirs.
constexpr std::size_t kReadBudget = 1u << 20;
constexpr std::size_t kReadChunk = 256u << 10;

// A response waiting for the socket: bytes (a whole NBSS message, or the head of a READ response)
// and, for a zero-copy READ, the file range that follows them.
struct OutItem {
  Bytes bytes;
  std::size_t bytes_sent = 0;
  std::shared_ptr<ps::ShareFile> file;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  std::uint32_t file_sent = 0;

  std::size_t remaining() const { return bytes.size() - bytes_sent + (length - file_sent); }
};

struct Conn {
  transport::TcpConnection sock;
  std::string peer;
  std::unique_ptr<ps::Connection> machine;
  std::deque<OutItem> out;
  std::size_t queued = 0;
  std::optional<Timestamp> timer;
  bool reading = true;
  bool writing = false;
  bool closing = false;   // the machine said CloseConnection: flush what is queued, then close
  Timestamp close_by{};   // ... but no later than this
  std::string close_why;
  bool failed = false;    // the socket failed (or the peer left): close now
  std::string fail_why;
  // Bytes read from the socket but not yet given to the machine: reading stopped (the queue
  // reached max_queued_bytes) after the frame that filled it. At most one read's worth.
  Bytes in;
  std::size_t frame_left = 0;  // bytes of a frame whose start the machine holds, still to give it
};

class SmbServerImpl final : public SmbServer {
 public:
  SmbServerImpl(const config::SmbSettings& settings, std::vector<OpenedShare> shares, const SmbServerOptions& options,
                transport::TcpListener listen, std::unique_ptr<ServiceLoop> loop, const Clock& clock)
      : shares_(std::move(shares)), options_(options), listen_(std::move(listen)), loop_(std::move(loop)),
        clock_(clock) {
    ctx_.settings = settings;
    ctx_.limits = options.limits;
    ctx_.random = &random_;
    for (auto& b : ctx_.server_guid) b = static_cast<std::uint8_t>(random_.next());
    ctx_.start_filetime = filetime_of(clock_.now());
    for (auto& s : shares_) ctx_.shares.push_back({s.name, s.share.get(), s.guest_ok});
    ctx_.interfaces_v4 = options.interfaces;
    port_ = listen_.local().port;
    loop_->add(listen_.fd(), kListenId, EPOLLIN);
  }
  ~SmbServerImpl() override { stop(); }

  std::uint16_t port() const override { return port_; }
  std::size_t connections() const override { return conns_.size(); }
  std::size_t queued_bytes() const override {
    std::size_t n = 0;
    for (const auto& [id, c] : conns_) n += c->queued;
    return n;
  }

  void start() override {
    loop_->start([this](int max_wait_ms) { turn(max_wait_ms); }, [this] { end_all(); });
  }
  void stop() override { loop_->stop([this] { end_all(); }); }
  void poll_once(int max_wait_ms) override {
    if (!loop_->running()) turn(max_wait_ms);
  }

 private:
  void update_events(std::uint64_t id, Conn& c) {
    // Hysteresis: reading stops at max_queued_bytes and starts again at half of it.
    bool want_read = !c.closing && !c.failed &&
                     (c.reading ? c.queued < options_.max_queued_bytes : c.queued <= options_.max_queued_bytes / 2);
    bool want_write = !c.out.empty();
    if (want_read == c.reading && want_write == c.writing) return;
    c.reading = want_read;
    c.writing = want_write;
    loop_->modify(c.sock.fd(), id, (want_read ? EPOLLIN : 0u) | (want_write ? EPOLLOUT : 0u));
  }

  void on_accept(Timestamp now) {
    for (int i = 0; i < 64; ++i) {
      auto a = listen_.accept();
      if (!a) {
        // EMFILE and friends: the listener stays readable; pause it instead of spinning.
        log()->error("{}; not accepting for 1 s", a.error().what);
        loop_->remove(listen_.fd());
        accept_paused_until_ = now + std::chrono::seconds(1);
        return;
      }
      if (!a->has_value()) return;
      transport::TcpConnection sock = std::move(**a);
      std::string peer = sock.peer().str();
      if (conns_.size() >= options_.limits.max_connections) {
        log()->warn("{}", smb::event_line(peer, "refused: " + std::to_string(conns_.size()) + " connections open (the limit)"));
        continue;  // closing the socket refuses it
      }
      std::uint64_t id = next_id_++;
      auto conn = std::make_unique<Conn>();
      conn->sock = std::move(sock);
      conn->peer = peer;
      conn->machine = std::make_unique<ps::Connection>(ctx_, now, filetime_of(now));
      loop_->add(conn->sock.fd(), id, EPOLLIN);
      log()->info("{}", smb::event_line(peer, "connected"));
      auto& c = *conns_.emplace(id, std::move(conn)).first->second;
      actions_.clear();
      c.machine->start(actions_);
      apply(id, c, now);
    }
  }

  // Carries out what the machine asked for; then writes what can go now.
  void apply(std::uint64_t id, Conn& c, Timestamp now) {
    take_actions(c, now);
    flush(c);
    update_events(id, c);
  }

  void take_actions(Conn& c, Timestamp now) {
    for (auto& a : actions_) {
      if (auto* s = std::get_if<ps::SendBytes>(&a)) {
        c.queued += s->bytes.size();
        OutItem item;
        item.bytes = std::move(s->bytes);
        c.out.push_back(std::move(item));
      } else if (auto* f = std::get_if<ps::SendFileData>(&a)) {
        queue_file(c, *f);
      } else if (auto* t = std::get_if<ps::SetTimer>(&a)) {
        c.timer = t->at;
      } else if (auto* e = std::get_if<ps::Event>(&a)) {
        log()->info("{}", smb::event_line(c.peer, e->text));
      } else if (auto* x = std::get_if<ps::CloseConnection>(&a)) {
        begin_close(c, x->why, now);
      }
    }
    actions_.clear();
  }

  void begin_close(Conn& c, const std::string& why, Timestamp now) {
    if (c.closing) return;
    c.closing = true;
    c.close_why = why;
    c.close_by = now + options_.close_linger;
  }

  void queue_file(Conn& c, ps::SendFileData& f) {
    OutItem item;
    item.bytes = std::move(f.head);
    if (f.file && f.file->fd() >= 0) {
      item.file = std::move(f.file);
      item.offset = f.offset;
      item.length = f.length;
    } else if (f.length) {
      // No descriptor to sendfile() from: the bytes are read now and sent after the head.
      std::size_t head = item.bytes.size();
      item.bytes.resize(head + f.length);
      auto n = f.file ? f.file->read(f.offset, std::span(item.bytes).subspan(head)) : Result<std::size_t>(make_error("no file"));
      if (!n || *n != f.length) {
        // The READ response announced `length` bytes: anything else breaks the stream.
        begin_close(c, "file read failed or ended early: " + (n ? "short read" : n.error().what), clock_.now());
        return;
      }
    }
    c.queued += item.remaining();
    c.out.push_back(std::move(item));
  }

  // Writes queued responses until the socket takes no more. Consecutive whole messages (and a
  // READ head) leave in one gathered write; a READ's data follows with sendfile().
  void flush(Conn& c) {
    while (!c.out.empty() && !c.failed) {
      ByteSpan parts[64];
      std::size_t n = 0;
      bool file_follows = false;
      for (auto& item : c.out) {
        if (n == 64) break;
        if (item.bytes_sent < item.bytes.size()) parts[n++] = ByteSpan(item.bytes).subspan(item.bytes_sent);
        if (item.file_sent < item.length) {
          file_follows = true;
          break;
        }
      }
      if (n > 0) {
        auto w = c.sock.write_gathered(std::span(parts, n), file_follows);
        if (!w) return fail(c, w.error().what);
        if (*w == 0) return;
        consume_bytes(c, *w);
        continue;
      }
      OutItem& front = c.out.front();
      bool eof = false;
      auto w = c.sock.send_file(front.file->fd(), front.offset + front.file_sent, front.length - front.file_sent, &eof);
      if (!w) return fail(c, w.error().what);
      if (eof) return fail(c, "file ended before the READ's length was sent (changed while served?)");
      if (*w == 0) return;
      front.file_sent += static_cast<std::uint32_t>(*w);
      c.queued -= *w;
      if (front.file_sent == front.length) c.out.pop_front();
    }
  }

  void consume_bytes(Conn& c, std::size_t n) {
    c.queued -= n;
    while (n > 0) {
      OutItem& item = c.out.front();
      std::size_t take = std::min(n, item.bytes.size() - item.bytes_sent);
      item.bytes_sent += take;
      n -= take;
      if (item.bytes_sent == item.bytes.size() && item.file_sent == item.length) c.out.pop_front();
      else if (take == 0) break;  // the head is sent; its file data comes next
    }
    // A fully sent item with nothing to send (e.g. an empty head) is dropped too.
    while (!c.out.empty() && c.out.front().remaining() == 0) c.out.pop_front();
  }

  void fail(Conn& c, const std::string& why) {
    c.failed = true;
    c.fail_why = why;
  }

  bool can_feed(const Conn& c) const { return c.reading && !c.closing && !c.failed; }

  // Gives the machine `bytes` one NBSS frame at a time while the connection is read, so that the
  // responses queued stop within one frame of max_queued_bytes (a 256 KiB read can hold 2,000
  // pipelined READ requests). Returns how many bytes it took; a header split across reads (fewer
  // than 4 bytes) is left for the next.
  std::size_t feed(std::uint64_t id, Conn& c, ByteSpan bytes, Timestamp now) {
    std::size_t used = 0;
    while (used < bytes.size() && can_feed(c) && c.queued < options_.max_queued_bytes) {
      ByteSpan rest = bytes.subspan(used);
      std::size_t n = c.frame_left;
      if (n == 0) {
        auto size = wire::smb2::nbss_frame_size(rest);
        if (!size) break;
        n = *size;
      }
      std::size_t take = std::min(n, rest.size());
      c.frame_left = n - take;
      used += take;
      actions_.clear();
      c.machine->on_bytes(rest.first(take), now, filetime_of(now), actions_);
      take_actions(c, now);
    }
    flush(c);
    update_events(id, c);
    return used;
  }

  // What reading held back, once the queue has drained below half of the limit.
  void feed_held(std::uint64_t id, Conn& c, Timestamp now) {
    if (c.in.empty() || !can_feed(c)) return;
    std::size_t used = feed(id, c, ByteSpan(c.in), now);
    c.in.erase(c.in.begin(), c.in.begin() + std::ptrdiff_t(used));
  }

  void on_readable(std::uint64_t id, Conn& c, Timestamp now) {
    std::size_t budget = kReadBudget;
    rx_.resize(kReadChunk);
    feed_held(id, c, now);
    while (budget > 0 && can_feed(c) && c.in.size() < 4) {
      // A header cut short by the last read is completed from the front of this one.
      const std::size_t held = c.in.size();
      std::copy(c.in.begin(), c.in.end(), rx_.begin());
      auto r = c.sock.read(std::span(rx_.data() + held, std::min(rx_.size() - held, budget)));
      if (!r) return fail(c, r.error().what);
      if (r->eof) return fail(c, "peer closed the connection");
      if (r->bytes == 0) break;
      budget -= r->bytes;
      ByteSpan got(rx_.data(), held + r->bytes);
      std::size_t used = feed(id, c, got, now);
      c.in.assign(got.begin() + std::ptrdiff_t(used), got.end());
    }
  }

  // Ends connections that failed, or that were closed and have sent what they had (or ran out of
  // time to). The machine hears on_close so that it logs what was read.
  void reap(Timestamp now) {
    for (auto it = conns_.begin(); it != conns_.end();) {
      Conn& c = *it->second;
      bool done = c.failed || (c.closing && (c.out.empty() || now >= c.close_by));
      if (!done) {
        ++it;
        continue;
      }
      std::string why = c.failed ? c.fail_why : c.close_why;
      if (!c.failed && c.closing && !c.out.empty()) why += " (" + std::to_string(c.queued) + " bytes unsent)";
      close_conn(c, why);
      it = conns_.erase(it);  // closing the socket removes it from epoll
    }
  }

  void close_conn(Conn& c, const std::string& why) {
    actions_.clear();
    if (!c.machine->closed()) c.machine->on_close(actions_);
    for (auto& a : actions_)
      if (auto* e = std::get_if<ps::Event>(&a)) log()->info("{}", smb::event_line(c.peer, e->text));
    actions_.clear();
    log()->info("{}", smb::event_line(c.peer, "closed: " + why));
  }

  int next_timeout_ms(Timestamp now, int cap) const {
    std::optional<Timestamp> next = accept_paused_until_;
    for (const auto& [id, c] : conns_) {
      std::optional<Timestamp> t = c->closing ? std::optional(c->close_by) : c->timer;
      if (c->closing && c->timer && *c->timer < c->close_by) t = c->timer;
      if (t && (!next || *t < *next)) next = t;
    }
    return ServiceLoop::wait_ms(next, now, cap);
  }

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
        guarded(id, [&] { on_accept(now); });
        continue;
      }
      auto it = conns_.find(id);
      if (it == conns_.end()) continue;
      Conn& c = *it->second;
      guarded(id, [&] {
        if (events[i].events & EPOLLOUT) {
          flush(c);
          // The queue drained enough to read again: first the requests reading held back (the
          // peer may send nothing more until they are answered).
          update_events(id, c);
          feed_held(id, c, now);
        }
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          if (c.reading) on_readable(id, c, now);
          else if (events[i].events & (EPOLLERR | EPOLLHUP)) fail(c, "connection reset");
        }
        update_events(id, c);
      });
    }
    // What one connection's request did to another's (LOGOFF or CLOSE on one channel of a
    // session completing a CHANGE_NOTIFY pending on another).
    for (auto& entry : conns_) {
      const std::uint64_t id = entry.first;  // not a structured binding: clang 14 (the fuzz build) cannot capture one
      Conn& c = *entry.second;
      if (c.failed || !c.machine->has_deferred()) continue;
      guarded(id, [&] {
        actions_.clear();
        c.machine->take_deferred(actions_);
        apply(id, c, now);
      });
    }
    now = clock_.now();
    if (accept_paused_until_ && *accept_paused_until_ <= now) {
      accept_paused_until_.reset();
      loop_->add(listen_.fd(), kListenId, EPOLLIN);
    }
    for (auto& entry : conns_) {
      const std::uint64_t id = entry.first;  // not a structured binding: clang 14 (the fuzz build) cannot capture one
      Conn& c = *entry.second;
      if (!c.timer || *c.timer > now || c.failed) continue;
      c.timer.reset();
      guarded(id, [&] {
        actions_.clear();
        c.machine->on_time(now, actions_);
        apply(id, c, now);
      });
    }
    // Requests held back while a queue was full, now that it has drained (whatever drained it).
    for (auto& entry : conns_) {
      const std::uint64_t id = entry.first;
      Conn& c = *entry.second;
      if (!c.in.empty() && can_feed(c)) guarded(id, [&] { feed_held(id, c, now); });
    }
    reap(now);
  }

  // A connection that runs out of memory is ended; the others go on.
  template <class F>
  void guarded(std::uint64_t id, F&& f) {
    try {
      f();
    } catch (const std::bad_alloc&) {
      actions_.clear();
      auto it = conns_.find(id);
      if (it != conns_.end()) fail(*it->second, "out of memory");
      else log()->error("out of memory accepting a connection");
    }
  }

  void end_all() {
    if (!conns_.empty()) log()->info("stopping with {} connections open", conns_.size());
    for (auto& [id, c] : conns_) close_conn(*c, "server shutting down");
    conns_.clear();
  }

  std::vector<OpenedShare> shares_;
  SmbServerOptions options_;
  SystemRandom random_;
  ps::ServerContext ctx_;
  transport::TcpListener listen_;
  std::unique_ptr<ServiceLoop> loop_;
  const Clock& clock_;
  std::map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  ps::Actions actions_;  // scratch
  Bytes rx_;             // scratch
  std::optional<Timestamp> accept_paused_until_;
  std::uint64_t next_id_ = 2;
  std::uint16_t port_ = 0;
};

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

Result<std::vector<proto::smb2::ServerInterface>> smb_interfaces(const std::string& address) {
  auto addr = Ipv4::parse(address);
  if (!addr) return make_error("not an IPv4 address: " + address);
  auto all = transport::list_interfaces();
  if (!all) return all.error();
  std::vector<proto::smb2::ServerInterface> out;
  auto add = [&](const transport::NetInterface& i) {
    proto::smb2::ServerInterface e;
    std::uint32_t v = i.address.value;
    e.ipv4 = {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
    e.if_index = std::uint32_t(i.index);
    // The kernel's link speed in Mbit/s; none (loopback, some virtual links) or unknown (-1):
    // 1 Gbit/s.
    std::ifstream speed("/sys/class/net/" + i.name + "/speed");
    long mbits = 0;
    if (speed >> mbits && mbits > 0) e.link_speed = std::uint64_t(mbits) * 1000000u;
    out.push_back(e);
  };
  const bool any = addr->is_zero();
  for (const auto& i : *all) {
    bool loopback = (i.address.value >> 24) == 127;
    if (any ? !loopback : i.address == *addr) add(i);
  }
  if (out.empty() && any)  // only loopback here
    for (const auto& i : *all) add(i);
  if (out.empty()) return make_error("no interface has the address " + address);
  return out;
}

std::uint64_t filetime_of(Timestamp t) {
  // Floor division: a time before 1970 keeps its microseconds positive within the second.
  std::int64_t s = t.us / 1000000, us = t.us % 1000000;
  if (us < 0) --s, us += 1000000;
  return ps::filetime_from_unix(s, us * 1000);
}

Result<std::unique_ptr<SmbServer>> open_smb_server(const config::SmbSettings& settings, std::vector<OpenedShare> shares,
                                                   const SmbServerOptions& options) {
  return open_smb_server(settings, std::move(shares), options, system_clock());
}

Result<std::unique_ptr<SmbServer>> open_smb_server(const config::SmbSettings& settings, std::vector<OpenedShare> shares,
                                                   const SmbServerOptions& options, const Clock& clock) {
  auto addr = Ipv4::parse(options.address);
  if (!addr) return make_error("SMB listen address is not an IPv4 address: " + options.address);
  for (const auto& s : shares)
    if (!s.share) return make_error("share [" + s.name + "] has no tree");
  // sendfile() has no MSG_NOSIGNAL: a peer that resets mid-READ must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto listen = transport::TcpListener::bind(*addr, settings.port);
  if (!listen) return listen.error();
  auto loop = ServiceLoop::open(kWakeId);
  if (!loop) return loop.error();
  std::string names;
  for (const auto& s : shares) names += (names.empty() ? "" : ", ") + s.name + (s.guest_ok ? " (guest ok)" : "");
  auto server = std::make_unique<SmbServerImpl>(settings, std::move(shares), options, std::move(*listen), std::move(*loop), clock);
  log()->info("SMB listening on {}:{}, shares: {}", options.address, server->port(), names.empty() ? "none" : names);
  return std::unique_ptr<SmbServer>(std::move(server));
}

Result<std::unique_ptr<SmbServer>> open_smb_service(const config::SmbSettings& settings, const std::string& address) {
  for (const auto& w : settings.warnings) log()->warn("{}", w);
  // A signed READ response (up to 8 MiB) is a fresh buffer each time. Above glibc's mmap threshold
  // every one was mmap'd, page-faulted in, zeroed by the kernel and unmapped again: measured on a
  // 316 MB signed get, that was more than half the server's CPU (1.09 s -> 0.47 s with HMAC once
  // such buffers come from the heap and are reused). Process-wide, so set by the service, not by
  // open_smb_server() (tests).
  ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  auto shares = open_shares(settings);
  if (!shares) return shares.error();
  SmbServerOptions options;
  options.address = address;
  if (settings.multi_channel) {
    auto ifs = smb_interfaces(address);
    if (!ifs) log()->warn("interfaces for FSCTL_QUERY_NETWORK_INTERFACE_INFO: {}", ifs.error().what);
    else options.interfaces = std::move(*ifs);
  }
  return open_smb_server(settings, std::move(*shares), options);
}

Result<std::vector<OpenedShare>> open_shares(const config::SmbSettings& settings) {
  std::vector<OpenedShare> shares;
  for (const auto& s : settings.shares) {
    auto dir = smb::DirectoryShare::open(s.path, s.name);
    if (!dir) return make_error("share [" + s.name + "] " + s.path + ": " + dir.error().what);
    shares.push_back({s.name, s.guest_ok, std::move(*dir)});
  }
  return shares;
}

}  // namespace pxe::server
