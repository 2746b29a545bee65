// pxekit leases [--db FILE] [--all] [--format text|json]: the leases in the DHCP server's
// SQLite database (read-only; safe while the server runs).
#include "cmd_leases.h"

#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "base/json_writer.h"
#include "server/dhcp/lease_store.h"

namespace pxekit {

namespace {

std::string remaining(pxe::Timestamp expires, pxe::Timestamp now) {
  if (expires == pxe::proto::dhcp::kNever) return "infinite";
  if (expires <= now) return "expired";
  auto s = (expires - now).count() / 1000000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", (long long)(s / 3600), (long long)(s / 60 % 60),
                (long long)(s % 60));
  return buf;
}

}  // namespace

void add_leases(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string db = "/var/lib/pxekit/dhcp-leases.db";
    bool all = false;
    std::string format = "text";
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("leases", "List DHCP leases from the lease database");
  cmd->add_option("--db", o->db, "lease database (SQLite), as given to pxekit serve")->capture_default_str();
  cmd->add_flag("--all", o->all, "also list expired, released and declined entries");
  cmd->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &exit_code] {
    auto store = pxe::server::LeaseStore::open(o->db, true);
    auto leases = store ? store->load() : pxe::Result<std::vector<pxe::proto::dhcp::Lease>>(store.error());
    if (!leases) {
      std::fprintf(stderr, "pxekit leases: %s\n", leases.error().what.c_str());
      exit_code = 3;
      return;
    }
    auto now = pxe::SystemClock().now();
    for (const auto& l : *leases) {
      bool active = (l.state == pxe::proto::dhcp::LeaseState::Bound ||
                     l.state == pxe::proto::dhcp::LeaseState::Offered) && l.expires > now;
      if (!active && !o->all) continue;
      auto state = std::string(pxe::proto::dhcp::lease_state_name(l.state));
      if (o->format == "json") {
        std::string line;
        pxe::JsonWriter w(line);
        w.begin_object().field("ip", l.ip.str()).field("mac", l.mac.str()).field("state", state);
        w.field("expires_us", std::int64_t(l.expires.us)).field("hostname", l.hostname).field("client", l.client_key);
        w.end_object();
        std::printf("%s\n", line.c_str());
      } else {
        std::printf("%-15s %s %-8s %-10s %s %s\n", l.ip.str().c_str(), l.mac.str().c_str(), state.c_str(),
                    remaining(l.expires, now).c_str(), l.hostname.empty() ? "*" : l.hostname.c_str(),
                    l.client_key.c_str());
      }
    }
    exit_code = 0;
  });
}

}  // namespace pxekit
