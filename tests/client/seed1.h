// Seed 1's setup for the simulated client's tests: its dnsmasq.conf with a temporary TFTP root of
// dummy files, and for the WinPE stage its smb.conf (as written, the share's path replaced) with a
// share holding setup.exe. Helpers to read a client's report.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "client/session.h"
#include "support/seed_configs.h"
#include "support/test_paths.h"

namespace pxe::client::test {

namespace fs = std::filesystem;
// Seed 1's dnsmasq.conf (musteresel's blog) with a temporary TFTP root holding dummy bytes for
// the binaries: the simulation fetches them, it does not run them.
class Seed1 {
 public:
  explicit Seed1(const std::string& boot = "dhcp-boot=boot/pxelinux.0\n",
                 const std::string& range = "192.168.42.10,192.168.42.20") : dir_("pxekit-client") {
    auto root = dir_ / "tftp";
    fs::create_directories(root / "boot" / "pxelinux.cfg");
    file(root / "boot" / "pxelinux.0", std::string(42430, 'P'));
    file(root / "boot" / "ldlinux.c32", std::string(120000, 'L'));
    file(root / "boot" / "menu.c32", std::string(30000, 'M'));
    file(root / "boot" / "libutil.c32", std::string(20000, 'U'));
    file(root / "memdisk", std::string(26000, 'D'));
    file(root / "boot" / "winpe.iso", std::string(300000, 'I'));
    file(root / "boot" / "pxelinux.cfg" / "default",
         "UI         menu.c32\nMENU TITLE Network Boot\nTIMEOUT    50\n"
         "LABEL      winpe\nMENU LABEL Boot Windows PE from network\nKERNEL     /memdisk\nINITRD     winpe.iso\n"
         "APPEND     iso raw\nLABEL      localboot\nMENU LABEL Boot from local disk\nLOCALBOOT  0\n");
    file(dir_ / "dnsmasq.conf", "port=0\ninterface=eno1\nbind-interfaces\ndhcp-option=3,192.168.42.1\n"
                                "dhcp-option=6,8.8.8.8,8.8.4.4\ndhcp-range=" + range + ",12h\n" +
                                    boot + "enable-tftp\ntftp-root=" + root.string() + "\n");
  }
  SessionOptions options(const std::string& profile = "bios") const {
    SessionOptions o;
    o.conf_path = (dir_ / "dnsmasq.conf").string();
    o.profile = profile;
    return o;
  }
  fs::path root() const { return dir_ / "tftp"; }

  // The WinPE stage: a share directory (setup.exe of `setup_size` pseudo-random bytes, sources/),
  // seed 1's smb.conf as written with its path pointing there, and `net use` of \\192.168.42.1\GUEST
  // (the in-process server's address for seed 1's range) with /user:USER PASS when `user` is set.
  SessionOptions winpe_share(const std::string& user = "user", const std::string& password = "pass",
                             const std::string& share = "GUEST", std::size_t setup_size = 3'000'000) {
    fs::create_directories(dir_ / "win10iso" / "sources");
    setup_.resize(setup_size);
    std::uint32_t x = 2463534242u;  // xorshift32: incompressible, reproducible bytes
    for (auto& b : setup_) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      b = static_cast<char>(x);
    }
    file(dir_ / "win10iso" / "setup.exe", setup_);
    file(dir_ / "win10iso" / "sources" / "boot.wim", "wim");
    std::string conf = pxe::test::kSeedSmbConf;
    conf.replace(conf.find("/tmp/win10iso"), std::string("/tmp/win10iso").size(), (dir_ / "win10iso").string());
    file(dir_ / "smb.conf", conf);
    SessionOptions o = options("winpe");
    o.smb.conf_path = (dir_ / "smb.conf").string();
    NetUse nu;
    nu.server = Ipv4(192, 168, 42, 1);
    nu.share = share;
    nu.user = user;
    nu.password = password;
    o.net_use = nu;
    return o;
  }
  const std::string& setup_exe() const { return setup_; }
  fs::path dir() const { return dir_.path(); }

 private:
  static void file(const fs::path& p, const std::string& content) { std::ofstream(p, std::ios::binary) << content; }
  pxe::test::TempDir dir_;
  std::string setup_;
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
