// Real firmware booting from pxekit: QEMU (TCG) on a tap in a namespace the test creates, with
// `pxekit serve -C` as the DHCP and TFTP server, or as proxyDHCP + boot server + TFTP beside dnsmasq.
//   BIOS: SeaBIOS + iPXE's e1000 ROM -> pxelinux.0 -> menu.c32
//   UEFI: OVMF's own PXE stack (virtio-net, no option ROM; asks windowsize 4) -> syslinux.efi
// The test passes when the pxelinux menu title shows on the serial console. With
// PXE_RECORD_CAPTURES=1 the boot's pcap is copied to captures/qemu-pxekit[-proxy]-<fw>.pcap.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "support/netns.h"
#include "support/test_paths.h"

namespace pxe::server::tftp::test {
namespace {

namespace fs = std::filesystem;
using pxe::test::Netns;
using pxe::test::netns_unavailable;
using pxe::test::slurp;
using pxe::test::wait_until;

constexpr const char* kTitle = "pxekit boot menu";

struct Firmware {
  std::string name;  // bios / uefi
  std::vector<std::string> qemu_args;
  std::vector<std::string> needed_files;
};

Firmware bios() {
  return {"bios",
          {"-boot", "n", "-device", "e1000,netdev=n0,mac=52:54:00:42:00:10,romfile=/usr/lib/ipxe/qemu/pxe-e1000.rom"},
          {"/usr/lib/ipxe/qemu/pxe-e1000.rom", "/usr/lib/PXELINUX/pxelinux.0",
           "/usr/lib/syslinux/modules/bios/ldlinux.c32"}};
}

Firmware uefi() {
  return {"uefi",
          {"-bios", "/usr/share/ovmf/OVMF.fd", "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:42:00:10,romfile="},
          {"/usr/share/ovmf/OVMF.fd", "/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi",
           "/usr/lib/syslinux/modules/efi64/ldlinux.e64"}};
}

void copy_into(const std::string& from, const fs::path& to_dir) {
  fs::copy_file(from, to_dir / fs::path(from).filename(), fs::copy_options::overwrite_existing);
}

void make_tree(const fs::path& root, const std::string& fw) {
  fs::create_directories(root / "pxelinux.cfg");
  if (fw == "bios") {
    copy_into("/usr/lib/PXELINUX/pxelinux.0", root);
    for (auto m : {"ldlinux.c32", "menu.c32", "libutil.c32", "libcom32.c32"})
      copy_into(std::string("/usr/lib/syslinux/modules/bios/") + m, root);
  } else {
    copy_into("/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi", root);
    for (auto m : {"ldlinux.e64", "menu.c32", "libutil.c32", "libcom32.c32"})
      copy_into(std::string("/usr/lib/syslinux/modules/efi64/") + m, root);
  }
  std::ofstream(root / "pxelinux.cfg/default") << "SERIAL 0 115200\n"
                                                  "UI menu.c32\n"
                                                  "MENU TITLE " << kTitle << "\n"
                                                  "TIMEOUT 600\n\n"
                                                  "LABEL local\n"
                                                  "MENU LABEL Boot from local disk\n"
                                                  "LOCALBOOT 0\n";
}

// The console with terminal escapes removed (OVMF positions the cursor between characters).
std::string console_text(const fs::path& p) {
  static const std::regex esc("\x1b\\[[0-9;?]*[a-zA-Z]");
  return std::regex_replace(slurp(p.string()), esc, "");
}

// Who answers DHCP: pxekit alone (`serve -C` with DHCP, boot files and TFTP, like the first seed's
// dnsmasq.conf), or dnsmasq as the site's plain DHCP server in a namespace of its own on the same
// bridge and pxekit beside it as proxyDHCP + port-4011 boot server + TFTP (`dhcp-range=NET,proxy`
// with a `pxe-service` menu item per architecture).
enum class Setup { kPxekitOnly, kProxyBesideDnsmasq };

std::string pxekit_conf(Setup setup, const Netns& ns, const fs::path& work) {
  std::ostringstream c;
  c << "port=0 # no DNS\n"
    << "interface=" << ns.server_if() << "\nbind-interfaces\nlog-dhcp\n"
    << "dhcp-leasefile=" << (work / "leases.db").string() << "\n"
    << "enable-tftp\ntftp-root=" << (work / "root").string() << "\n";
  if (setup == Setup::kPxekitOnly) {
    c << "dhcp-range=10.78.0.10,10.78.0.20,12h\n"
      << "dhcp-match=set:efi-x86_64,option:client-arch,7\n"
      << "dhcp-boot=tag:efi-x86_64,syslinux.efi\n"
      << "dhcp-boot=tag:!efi-x86_64,pxelinux.0\n";
  } else {
    c << "dhcp-range=10.78.0.0,proxy\n"
      << "pxe-service=x86PC,\"pxelinux (BIOS)\",pxelinux\n"
      << "pxe-service=x86-64_EFI,\"syslinux (UEFI)\",syslinux.efi\n";
  }
  return c.str();
}

// A namespace with one end of a veth pair on the test's bridge: another host on the same LAN
// (eth0 at `ip`). Its name, or "" with the reason in *why.
std::string add_lan_host(Netns& ns, const std::string& ip, std::string* why) {
  const std::string host = ns.name("d"), peer = ns.name("h");
  bool ok = ns.add_namespace(host, why) && ns.add_veth(ns.server_ns(), peer, host, "eth0", why) &&
            ns.ip(ns.server_ns(), "link set " + peer + " master " + ns.server_if(), why) &&
            ns.ip(host, "addr add " + ip + "/24 dev eth0", why);
  return ok ? host : "";
}

// Why this boot cannot run here (not root, a program or firmware file missing), or "". The test
// body skips on it: a GTEST_SKIP in a helper only returns from the helper.
std::string boot_unavailable(const Firmware& fw, Setup setup) {
  std::vector<std::string> programs = {"ip", "qemu-system-x86_64", "tcpdump", pxe::test::pxekit_binary()};
  if (setup == Setup::kProxyBesideDnsmasq) programs.push_back("/usr/sbin/dnsmasq");
  if (auto why = netns_unavailable(programs); !why.empty()) return why;
  for (const auto& f : fw.needed_files)
    if (!fs::exists(f)) return f + " is not installed";
  return {};
}

void boot(const Firmware& fw, Setup setup) {

  char tmpl[] = "/tmp/pxkt-qemu-XXXXXX";
  fs::path work = ::mkdtemp(tmpl);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work};
  make_tree(work / "root", fw.name);

  const bool proxy = setup == Setup::kProxyBesideDnsmasq;
  Netns ns(std::string(proxy ? "p" : "q") + (fw.name == "bios" ? "b" : "u"));
  std::string why;
  ASSERT_TRUE(ns.setup_bridge("10.78.0.1/24", &why)) << why;
  std::string dhcp_host;
  if (proxy) {
    // The site's DHCP server: addresses only, no boot information at all.
    dhcp_host = add_lan_host(ns, "10.78.0.2", &why);
    ASSERT_FALSE(dhcp_host.empty()) << why;
    std::ofstream(work / "dnsmasq.conf") << "port=0\ninterface=eth0\nbind-interfaces\nlog-dhcp\n"
                                         << "log-facility=" << (work / "dnsmasq.log").string() << "\n"
                                         << "pid-file=" << (work / "dnsmasq.pid").string() << "\n"
                                         << "dhcp-leasefile=" << (work / "leases").string() << "\n"
                                         << "dhcp-range=10.78.0.10,10.78.0.20,12h\n";
  }
  std::ofstream(work / "pxekit.conf") << pxekit_conf(setup, ns, work);

  const fs::path pcap = work / "boot.pcap";
  ns.spawn(ns.server_ns(), {"tcpdump", "-i", ns.server_if(), "-s", "0", "-U", "-n", "-w", pcap.string()},
           (work / "tcpdump.log").string());
  ASSERT_TRUE(wait_until([&] { return slurp((work / "tcpdump.log").string()).find("listening on") != std::string::npos; },
                         std::chrono::seconds(10)));
  pid_t server = ns.spawn(ns.server_ns(),
                          {pxe::test::pxekit_binary(), "serve", "-C", (work / "pxekit.conf").string(),
                           "--duration", "300"},
                          (work / "pxekit.log").string());
  if (proxy)
    ns.spawn(dhcp_host,
             {"/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=" + (work / "dnsmasq.conf").string()},
             (work / "dnsmasq.out").string());
  ASSERT_TRUE(wait_until([&] { return slurp((work / "pxekit.log").string()).find("listening on") != std::string::npos; },
                         std::chrono::seconds(10)))
      << slurp((work / "pxekit.log").string());

  const fs::path console = work / "console.txt";
  std::vector<std::string> qemu = {"qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-nographic", "-monitor", "none",
                                   "-serial", "file:" + console.string(), "-uuid", "8d3a6f0e-4b1c-4d2e-9f00-5058454b4954",
                                   "-netdev", "tap,id=n0,ifname=" + ns.tap() + ",script=no,downscript=no"};
  qemu.insert(qemu.end(), fw.qemu_args.begin(), fw.qemu_args.end());
  pid_t vm = ns.spawn(ns.server_ns(), qemu, (work / "qemu.out").string());
  bool menu = wait_until([&] { return console_text(console).find(kTitle) != std::string::npos; },
                         std::chrono::seconds(120), std::chrono::milliseconds(500));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ns.stop(vm);
  ns.stop(server);
  ns.teardown();  // stops tcpdump (flushing the pcap) and dnsmasq, removes the namespace

  std::string log = slurp((work / "pxekit.log").string());
  EXPECT_TRUE(menu) << "no menu on the console within 120 s.\n--- console:\n"
                    << console_text(console) << "\n--- pxekit:\n" << log << "\n--- dnsmasq:\n"
                    << slurp((work / "dnsmasq.log").string());
  // pxekit's own log shows each stage it served.
  const std::string file = fw.name == "bios" ? "pxelinux.0" : "syslinux.efi";
  EXPECT_NE(log.find("sent " + (work / "root" / file).string()), std::string::npos) << log;
  if (proxy) {
    EXPECT_NE(log.find("PXE(" + ns.server_if() + ")"), std::string::npos) << "no proxy reply logged:\n" << log;
    EXPECT_NE(slurp((work / "dnsmasq.log").string()).find("DHCPACK"), std::string::npos) << "dnsmasq leased nothing";
  } else {
    EXPECT_NE(log.find("DHCPACK(" + ns.server_if() + ")"), std::string::npos) << log;
  }
  const char* record = std::getenv("PXE_RECORD_CAPTURES");
  if (menu && record && std::string(record) == "1") {
    fs::path dest = fs::path(pxe::test::captures_dir()) /
                    (std::string(proxy ? "qemu-pxekit-proxy-" : "qemu-pxekit-") + fw.name + ".pcap");
    fs::copy_file(pcap, dest, fs::copy_options::overwrite_existing);
  }
}

TEST(QemuPxeBoot, SeabiosIpxeBootsPxelinuxMenuFromPxekit) {
  if (auto why = boot_unavailable(bios(), Setup::kPxekitOnly); !why.empty()) GTEST_SKIP() << why;
  boot(bios(), Setup::kPxekitOnly);
}

TEST(QemuPxeBoot, OvmfBootsSyslinuxEfiMenuFromPxekitWithWindowsize) {
  if (auto why = boot_unavailable(uefi(), Setup::kPxekitOnly); !why.empty()) GTEST_SKIP() << why;
  boot(uefi(), Setup::kPxekitOnly);
}

TEST(QemuPxeBoot, SeabiosIpxeBootsFromPxekitProxyDhcpBesideDnsmasq) {
  if (auto why = boot_unavailable(bios(), Setup::kProxyBesideDnsmasq); !why.empty()) GTEST_SKIP() << why;
  boot(bios(), Setup::kProxyBesideDnsmasq);
}

TEST(QemuPxeBoot, OvmfBootsFromPxekitProxyDhcpBesideDnsmasq) {
  if (auto why = boot_unavailable(uefi(), Setup::kProxyBesideDnsmasq); !why.empty()) GTEST_SKIP() << why;
  boot(uefi(), Setup::kProxyBesideDnsmasq);
}

}  // namespace
}  // namespace pxe::server::tftp::test
