// Seed 1's setup (support/seed1_tree.h) as the simulated client's SessionOptions, and helpers to
// read a client's report.
#pragma once

#include <algorithm>
#include <string>

#include "client/session.h"
#include "support/seed1_tree.h"

namespace pxe::client::test {

class Seed1 : public pxe::test::Seed1Tree {
 public:
  using Seed1Tree::Seed1Tree;

  SessionOptions options(const std::string& profile = "bios") const {
    SessionOptions o;
    o.conf_path = conf();
    o.profile = profile;
    return o;
  }
  // The WinPE stage: `net use` of \\192.168.42.1\<share> (the in-process server's address for
  // seed 1's range) with /user:USER PASS when `user` is set, against seed 1's smb.conf.
  SessionOptions winpe_share(const std::string& user = "user", const std::string& password = "pass",
                             const std::string& share = "GUEST", std::size_t setup_size = 3'000'000) {
    SessionOptions o = options("winpe");
    o.smb.conf_path = smb_conf(setup_size);
    NetUse nu;
    nu.server = Ipv4(192, 168, 42, 1);
    nu.share = share;
    nu.user = user;
    nu.password = password;
    o.net_use = nu;
    return o;
  }
};

inline bool on_screen(const ClientReport& r, const std::string& line) {
  return std::find(r.screen.begin(), r.screen.end(), line) != r.screen.end();
}

inline std::string screen_of(const ClientReport& r) {
  std::string s;
  for (const auto& l : r.screen) s += "  | " + l + "\n";
  return s;
}

inline ClientReport run_one(const SessionOptions& o) {
  auto r = run_in_process(o);
  EXPECT_TRUE(r) << (r ? "" : r.error().what);
  if (!r) return {};
  EXPECT_EQ(r->clients.size(), 1u);
  return r->clients.front();
}

}  // namespace pxe::client::test
