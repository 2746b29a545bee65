// Seed 1's setup on disk, for the tests of the simulated client (library and command line): its
// dnsmasq.conf (musteresel's blog, with `dhcp-boot=` as given and a temporary TFTP root) over a
// tree of dummy files for the binaries (the simulation fetches them, it does not run them), and
// for the WinPE stage its smb.conf as written, the share's path pointing at a directory that
// holds setup.exe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/seed_configs.h"
#include "support/test_paths.h"

namespace pxe::test {

class Seed1Tree {
 public:
  explicit Seed1Tree(const std::string& boot = "dhcp-boot=boot/pxelinux.0\n",
                     const std::string& range = "192.168.42.10,192.168.42.20")
      : dir_("pxekit-client") {
    namespace fs = std::filesystem;
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

  std::filesystem::path dir() const { return dir_.path(); }
  std::filesystem::path root() const { return dir_ / "tftp"; }
  std::string conf() const { return (dir_ / "dnsmasq.conf").string(); }

  // The share (setup.exe of `setup_size` pseudo-random bytes, sources/) and seed 1's smb.conf as
  // written with its path pointing there; the smb.conf's path.
  std::string smb_conf(std::size_t setup_size = 3'000'000) {
    namespace fs = std::filesystem;
    fs::create_directories(dir_ / "win10iso" / "sources");
    setup_.resize(setup_size);
    std::uint32_t x = 2463534242u;  // xorshift32: incompressible, reproducible bytes
    for (auto& b : setup_) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      b = static_cast<char>(x);
    }
    file(dir_ / "win10iso" / "setup.exe", setup_);
    file(dir_ / "win10iso" / "sources" / "boot.wim", "wim");
    std::string smb = kSeedSmbConf;
    smb.replace(smb.find("/tmp/win10iso"), std::string("/tmp/win10iso").size(), (dir_ / "win10iso").string());
    file(dir_ / "smb.conf", smb);
    return (dir_ / "smb.conf").string();
  }
  // setup.exe's bytes, once smb_conf() made them.
  const std::string& setup_exe() const { return setup_; }

 private:
  static void file(const std::filesystem::path& p, const std::string& content) {
    std::ofstream(p, std::ios::binary) << content;
  }
  TempDir dir_;
  std::string setup_;
};

}  // namespace pxe::test
