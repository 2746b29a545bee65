// The DHCP server: the engine run by one thread over the DHCP sockets. Each wake-up drains the
// sockets, runs every datagram through the engine, commits the lease changes in one
// transaction (fdatasync'ed), and only then sends the replies (so an ACK is never sent for a
// lease that a crash or a power cut could lose).
#include "server/dhcp/dhcp_server.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "base/unique_fd.h"

#include "proto/dhcp/engine.h"
#include "server/dhcp/lease_store.h"
#include "transport/dhcp_socket.h"

namespace pxe::server {

namespace {

namespace pd = proto::dhcp;
using transport::DhcpSocket;
using transport::NetInterface;

constexpr const char* kDefaultLeaseDb = "/var/lib/pxekit/dhcp-leases.db";
constexpr int kMaxWarningsPerSecond = 10;
// While the lease database cannot be written (disk full, read-only, I/O error) no reply goes
// out; the first failure is logged at once, then one line per this long, not one per batch.
constexpr Duration kStoreErrorEvery = std::chrono::seconds(10);
// Datagrams taken from one socket per wake-up: one lease transaction for all of them.
constexpr std::size_t kMaxBatch = 1024;

// A quick look for option 53 = DISCOVER (the engine parses properly; this only orders a batch).
bool is_discover(const Bytes& b) {
  constexpr std::size_t kOptions = 240;  // fixed BOOTP header + magic cookie
  for (std::size_t i = kOptions; i + 1 < b.size();) {
    std::uint8_t code = b[i];
    if (code == 0) { ++i; continue; }
    if (code == 255) break;
    std::uint8_t len = b[i + 1];
    if (code == 53 && len == 1 && i + 2 < b.size()) return b[i + 2] == 1;
    i += 2 + std::size_t(len);
  }
  return false;
}
// How long a ping check waits for an echo reply (dnsmasq waits about 3 s; an answering host
// replies within milliseconds on a LAN).
constexpr Duration kPingWait = std::chrono::milliseconds(500);

class DhcpServerImpl final : public DhcpServer {
 public:
  DhcpServerImpl(config::DhcpSettings s, LeaseStore store)
      : engine_(std::move(s)), store_(std::move(store)), log_(spdlog::default_logger()->clone("dhcp")) {
    set_log_level();
  }
  ~DhcpServerImpl() override { stop(); }

  Result<void> open(const std::vector<pd::Lease>& restored);
  void run() override {
    store_.start_checkpoints();
    thread_ = std::thread([this] { loop(); });
  }
  void stop() override {
    if (stop_.exchange(true)) return;
    wake();
    if (thread_.joinable()) thread_.join();
  }
  void reload(config::DhcpSettings settings) override {
    {
      std::lock_guard lock(reload_mu_);
      reload_ = std::move(settings);
    }
    wake();
  }

 private:
  struct Pending {
    DhcpSocket* socket;
    int ifindex;
  };
  struct ProbeWait {
    std::uint64_t id;
    Ipv4 ip;
    std::uint16_t seq;
    Timestamp deadline;
    Pending via;  // where the DISCOVER came in: its OFFER goes out there
  };

  Result<void> open_sockets();
  void loop();
  void wake() {
    std::uint64_t one = 1;
    if (wake_.valid()) (void)!::write(wake_.get(), &one, sizeof one);
  }
  void set_log_level() {
    if (engine_.settings().log_dhcp && log_->level() > spdlog::level::debug) log_->set_level(spdlog::level::debug);
    engine_.set_quiet(log_->level() > spdlog::level::info);
  }
  // Takes settings that reload() left (the sockets stay as opened: interface= is not re-read).
  void take_reload();
  // Persists the batch's lease changes; false (and the replies must not go out) when it failed.
  bool persist(const pd::Actions& out, Timestamp now);
  const NetInterface* interface_for(int ifindex);
  // Replies grouped per socket and sent in batches (sendmmsg), after the ARP entries they need.
  void send_all(const std::vector<pd::OutDatagram>& replies, const std::vector<Pending>& via);
  void emit(const pd::LogEvent& e);
  // Ping check results (echo replies, expired waits) into the engine; new probes sent.
  void run_probes(Timestamp now, bool readable, pd::Actions& out, std::vector<Pending>& via,
                  std::vector<Pending>& probe_via);

  pd::Engine engine_;
  LeaseStore store_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<DhcpSocket> sockets_;
  std::vector<NetInterface> interfaces_;
  std::optional<transport::PingSocket> ping_;
  std::vector<ProbeWait> probes_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  UniqueFd wake_;  // eventfd: stop() and reload() end the poll at once
  std::mutex reload_mu_;
  std::optional<config::DhcpSettings> reload_;
  SystemClock clock_;
  std::int64_t warn_second_ = 0;
  int warnings_ = 0, suppressed_ = 0;
  // Lease database failures: since when, replies withheld, when last logged.
  std::optional<Timestamp> store_failing_since_;
  Timestamp store_logged_;
  std::uint64_t withheld_ = 0, withheld_logged_ = 0;
};

Result<void> DhcpServerImpl::open_sockets() {
  const auto& s = engine_.settings();
  std::vector<std::string> devices = s.interfaces;
  if (devices.empty()) devices.push_back("");  // all interfaces, one socket
  for (const auto& dev : devices) {
    auto sock = DhcpSocket::open(s.port, dev);
    if (!sock) return sock.error();
    sockets_.push_back(std::move(*sock));
    auto boot = DhcpSocket::open(s.boot_server_port, dev);
    if (!boot) return boot.error();
    sockets_.push_back(std::move(*boot));
  }
  return {};
}

Result<void> DhcpServerImpl::open(const std::vector<pd::Lease>& restored) {
  engine_.restore(restored);
  wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_.valid()) return make_error(std::string("DHCP: eventfd: ") + std::strerror(errno));
  if (auto r = open_sockets(); !r) return r;
  if (engine_.settings().ping_check) {
    auto p = transport::PingSocket::open();
    if (!p) return p.error();
    ping_ = std::move(*p);
  }
  if (auto l = transport::list_interfaces()) interfaces_ = std::move(*l);
  for (const auto& r : engine_.settings().ranges) {
    if (r.proxy) log_->info("DHCP, proxy on subnet {}", r.start.str());
    else log_->info("DHCP, IP range {} -- {}, lease time {}s", r.start.str(), r.end.str(), r.lease_s);
  }
  if (!engine_.settings().interfaces.empty())
    for (const auto& i : engine_.settings().interfaces)
      log_->info("DHCP, sockets bound exclusively to interface {}", i);
  log_->info("DHCP, {} leases restored", restored.size());
  return {};
}

void DhcpServerImpl::take_reload() {
  std::optional<config::DhcpSettings> s;
  {
    std::lock_guard lock(reload_mu_);
    s.swap(reload_);
  }
  if (!s) return;
  engine_.reload(std::move(*s));  // keeps every lease and offer
  set_log_level();
  log_->info("DHCP, settings reloaded: {} dhcp-host, {} dhcp-option; {} leases kept",
             engine_.settings().hosts.size(), engine_.settings().options.size(), engine_.leases().size());
}

bool DhcpServerImpl::persist(const pd::Actions& out, Timestamp now) {
  if (out.lease_changes.empty()) return true;  // nothing to store says nothing about the disk
  auto r = store_.apply(out.lease_changes);
  if (r) {
    if (store_failing_since_) {
      log_->warn("lease database writable again after {}s; {} DHCP replies were not sent while it was not",
                 (now - *store_failing_since_).count() / 1000000, withheld_);
      store_failing_since_.reset();
      withheld_ = withheld_logged_ = 0;
    }
    return true;
  }
  withheld_ += out.replies.size();
  if (!store_failing_since_) {
    store_failing_since_ = store_logged_ = now;
    log_->error("{}: no DHCP reply is sent until a lease can be stored ({} withheld now; TFTP keeps serving)",
                r.error().what, out.replies.size());
  } else if (now - store_logged_ >= kStoreErrorEvery) {
    log_->error("{}: still failing; {} DHCP replies withheld in the last {}s", r.error().what,
                withheld_ - withheld_logged_, (now - store_logged_).count() / 1000000);
    store_logged_ = now;
    withheld_logged_ = withheld_;
  }
  return false;
}

const NetInterface* DhcpServerImpl::interface_for(int ifindex) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (const auto& i : interfaces_)
      if (i.index == ifindex) return &i;
    if (attempt == 0)  // an interface that appeared (or got its address) after start
      if (auto l = transport::list_interfaces()) interfaces_ = std::move(*l);
  }
  return nullptr;
}

void DhcpServerImpl::emit(const pd::LogEvent& e) {
  switch (e.level) {
    case pd::LogLevel::Debug: log_->debug("{}", e.text); break;
    case pd::LogLevel::Info: log_->info("{}", e.text); break;
    case pd::LogLevel::Warn: {
      // Bad input on the wire must not flood the log: at most N warnings a second.
      std::int64_t sec = clock_.now().us / 1000000;
      if (sec != warn_second_) {
        if (suppressed_) log_->warn("{} more warnings suppressed", suppressed_);
        warn_second_ = sec;
        warnings_ = suppressed_ = 0;
      }
      if (++warnings_ <= kMaxWarningsPerSecond) log_->warn("{}", e.text);
      else ++suppressed_;
      break;
    }
  }
}

void DhcpServerImpl::send_all(const std::vector<pd::OutDatagram>& replies, const std::vector<Pending>& via) {
  std::vector<std::vector<transport::DhcpOutgoing>> per_socket(sockets_.size());
  for (std::size_t k = 0; k < replies.size(); ++k) {
    const auto& d = replies[k];
    Ipv4 to = d.to.ip;
    if (d.to.link_unicast) {
      // The client cannot answer ARP yet: write its entry, then unicast (RFC 2131 §4.1).
      auto arp = via[k].socket->set_arp_entry(d.interface, d.to.ip, d.to.mac);
      if (!arp) {
        log_->debug("{}; broadcasting instead", arp.error().what);
        to = Ipv4(0xffffffffu);
      }
    }
    per_socket[std::size_t(via[k].socket - sockets_.data())].push_back(
        {d.payload, to, d.to.port, via[k].ifindex, d.from_ip});
  }
  for (std::size_t i = 0; i < sockets_.size(); ++i)
    if (!per_socket[i].empty())
      if (auto r = sockets_[i].send_many(per_socket[i]); !r)
        log_->warn("failed sending DHCP reply: {}", r.error().what);
}

void DhcpServerImpl::run_probes(Timestamp now, bool readable, pd::Actions& out, std::vector<Pending>& via,
                                std::vector<Pending>& probe_via) {
  auto answer = [&](const ProbeWait& w, bool answered) {
    std::size_t r = out.replies.size(), p = out.probes.size();
    engine_.on_probe_result(w.id, answered, now, out);
    via.insert(via.end(), out.replies.size() - r, w.via);
    probe_via.insert(probe_via.end(), out.probes.size() - p, w.via);
  };
  if (readable)
    for (const auto& reply : ping_->receive())
      for (std::size_t i = 0; i < probes_.size(); ++i)
        if (probes_[i].ip == reply.from && probes_[i].seq == reply.seq) {
          ProbeWait w = probes_[i];
          probes_.erase(probes_.begin() + std::ptrdiff_t(i));
          answer(w, true);
          break;
        }
  for (std::size_t i = 0; i < probes_.size();) {
    if (probes_[i].deadline > now) {
      ++i;
      continue;
    }
    ProbeWait w = probes_[i];
    probes_.erase(probes_.begin() + std::ptrdiff_t(i));
    answer(w, false);
  }
  // Probes asked for in this round (also by the answers above).
  for (std::size_t k = 0; k < out.probes.size(); ++k) {
    const auto& p = out.probes[k];
    ProbeWait w{p.id, p.ip, std::uint16_t(p.id), now + kPingWait, probe_via[k]};
    if (auto r = ping_->send_echo(p.ip, w.seq); !r) {
      log_->debug("{}; taken as unanswered", r.error().what);
      w.deadline = now;
    }
    probes_.push_back(w);
  }
  out.probes.clear();
  probe_via.clear();
}

void DhcpServerImpl::loop() {
  std::vector<pollfd> fds;
  for (auto& s : sockets_) fds.push_back({s.fd(), POLLIN, 0});
  if (ping_) fds.push_back({ping_->fd(), POLLIN, 0});
  fds.push_back({wake_.get(), POLLIN, 0});  // last
  pd::Actions out;
  std::vector<Pending> via, probe_via;
  Timestamp last_timer = clock_.now();
  while (!stop_.load()) {
    int n = ::poll(fds.data(), fds.size(), probes_.empty() ? 200 : 10);
    out.clear();
    via.clear();
    probe_via.clear();
    Timestamp now = clock_.now();
    if (n > 0 && (fds.back().revents & POLLIN)) {
      std::uint64_t count;
      (void)!::read(wake_.get(), &count, sizeof count);
      take_reload();
    }
    if (n > 0) {
      for (std::size_t i = 0; i < sockets_.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        auto batch = sockets_[i].receive(kMaxBatch);
        // Under overload, finish exchanges before starting new ones: DISCOVERs go last.
        std::stable_partition(batch.begin(), batch.end(), [](const auto& dg) { return !is_discover(dg.bytes); });
        for (auto& dg : batch) {
          const NetInterface* iface = interface_for(dg.ifindex);
          if (!iface) continue;
          const auto& ex = engine_.settings().except_interfaces;
          if (std::find(ex.begin(), ex.end(), iface->name) != ex.end()) continue;
          pd::DatagramMeta meta{{iface->name, iface->address, iface->netmask}, dg.src, dg.src_port, dg.dst,
                                sockets_[i].port()};
          std::size_t before = out.replies.size(), probes_before = out.probes.size();
          engine_.on_datagram(dg.bytes, meta, now, out);
          via.insert(via.end(), out.replies.size() - before, Pending{&sockets_[i], dg.ifindex});
          probe_via.insert(probe_via.end(), out.probes.size() - probes_before, Pending{&sockets_[i], dg.ifindex});
        }
      }
    }
    if (ping_) run_probes(now, n > 0 && (fds[sockets_.size()].revents & POLLIN), out, via, probe_via);
    if (now - last_timer >= std::chrono::seconds(1)) {
      engine_.on_timer(now, out);
      last_timer = now;
    }
    // Persist first: a reply whose lease is not on stable storage is not sent.
    if (!persist(out, now)) out.replies.clear();
    send_all(out.replies, via);
    for (const auto& e : out.log) emit(e);
  }
}

}  // namespace

std::string lease_db_path(const config::DhcpSettings& settings) {
  return settings.lease_db.empty() ? kDefaultLeaseDb : settings.lease_db;
}

Result<std::unique_ptr<DhcpServer>> open_dhcp_server(const config::ServeConfig& config) {
  std::string path = lease_db_path(config.dhcp);
  auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  auto store = LeaseStore::open(path);
  if (!store) return store.error();
  auto leases = store->load();
  if (!leases) return leases.error();
  auto server = std::make_unique<DhcpServerImpl>(config.dhcp, std::move(*store));
  if (auto r = server->open(*leases); !r) return r.error();
  return std::unique_ptr<DhcpServer>(std::move(server));
}

Result<std::unique_ptr<DhcpServer>> start_dhcp_server(const config::ServeConfig& config) {
  auto server = open_dhcp_server(config);
  if (server) (*server)->run();
  return server;
}

}  // namespace pxe::server
