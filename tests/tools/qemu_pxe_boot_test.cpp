// Real firmware booting from pxekit: QEMU (TCG) on a tap in a namespace the test creates, DHCP from
// dnsmasq with its DNS and TFTP off (port=0, no enable-tftp), TFTP from `pxekit serve`.
//   BIOS: SeaBIOS + iPXE's e1000 ROM -> pxelinux.0 -> menu.c32
//   UEFI: OVMF's own PXE stack (virtio-net, no option ROM; asks windowsize 4) -> syslinux.efi
// The test passes when the pxelinux menu title shows on the serial console. With
// PXE_RECORD_CAPTURES=1 the boot's pcap is copied to captures/qemu-pxekit-<fw>.pcap.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "server/tftp/netns.h"
#include "support/test_paths.h"

namespace pxe::server::tftp::test {
namespace {

namespace fs = std::filesystem;

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

void boot(const Firmware& fw) {
  std::vector<std::string> programs = {"ip", "qemu-system-x86_64", "/usr/sbin/dnsmasq", "tcpdump",
                                       pxe::test::pxekit_binary()};
  if (auto why = netns_unavailable(programs); !why.empty()) GTEST_SKIP() << why;
  for (const auto& f : fw.needed_files)
    if (!fs::exists(f)) GTEST_SKIP() << f << " is not installed";

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

  Netns ns(fw.name == "bios" ? "qb" : "qu", /*with_client=*/false, 78);
  std::string why;
  ASSERT_TRUE(ns.setup(&why)) << why;
  const std::string srv = ns.server_ip();
  std::ofstream(work / "dnsmasq.conf")
      << "port=0\n"  // no DNS; and no enable-tftp: TFTP is pxekit's
      << "interface=" << ns.bridge() << "\nbind-interfaces\nlog-dhcp\n"
      << "log-facility=" << (work / "dnsmasq.log").string() << "\n"
      << "pid-file=" << (work / "dnsmasq.pid").string() << "\n"
      << "dhcp-leasefile=" << (work / "leases").string() << "\n"
      << "dhcp-range=10.78.0.10,10.78.0.20,12h\n"
      << "dhcp-match=set:efi64,option:client-arch,7\n"
      << "dhcp-boot=tag:efi64,syslinux.efi,," << srv << "\n"
      << "dhcp-boot=tag:!efi64,pxelinux.0,," << srv << "\n";

  const fs::path pcap = work / "boot.pcap";
  ns.spawn(ns.server_ns(), {"tcpdump", "-i", ns.bridge(), "-s", "0", "-U", "-n", "-w", pcap.string()},
           (work / "tcpdump.log").string());
  ASSERT_TRUE(wait_until([&] { return slurp((work / "tcpdump.log").string()).find("listening on") != std::string::npos; },
                         std::chrono::seconds(10)));
  pid_t tftp = ns.spawn(ns.server_ns(),
                        {pxe::test::pxekit_binary(), "serve", "--tftp-root", (work / "root").string(),
                         "--listen-address", srv, "--duration", "300"},
                        (work / "pxekit.log").string());
  ns.spawn(ns.server_ns(), {"/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=" + (work / "dnsmasq.conf").string()},
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
                         std::chrono::seconds(90), std::chrono::milliseconds(500));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ns.stop(vm);
  ns.stop(tftp);
  ns.teardown();  // stops tcpdump (flushing the pcap) and dnsmasq, removes the namespace

  std::string pxekit_log = slurp((work / "pxekit.log").string());
  EXPECT_TRUE(menu) << "no menu on the console within 90 s.\n--- console:\n"
                    << console_text(console) << "\n--- pxekit:\n" << pxekit_log << "\n--- dnsmasq:\n"
                    << slurp((work / "dnsmasq.log").string());
  EXPECT_NE(pxekit_log.find("sent " + (work / "root").string()), std::string::npos);
  if (menu && std::getenv("PXE_RECORD_CAPTURES") && std::string(std::getenv("PXE_RECORD_CAPTURES")) == "1") {
    fs::path dest = fs::path(pxe::test::captures_dir()) / ("qemu-pxekit-" + fw.name + ".pcap");
    fs::copy_file(pcap, dest, fs::copy_options::overwrite_existing);
  }
}

TEST(QemuPxeBoot, SeabiosIpxeBootsPxelinuxMenuFromPxekit) { boot(bios()); }

TEST(QemuPxeBoot, OvmfBootsSyslinuxEfiMenuFromPxekitWithWindowsize) { boot(uefi()); }

}  // namespace
}  // namespace pxe::server::tftp::test
