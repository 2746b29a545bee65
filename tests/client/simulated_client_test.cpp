// The simulated client against pxekit serve's engines on an in-memory Link (run_in_process):
// seed 1's setup (pxelinux menu, memdisk + winpe.iso), and each fault giving the firmware's words.
#include "client/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "client/seed1.h"

using namespace pxe;
using namespace pxe::client;
using namespace pxe::client::test;
namespace fs = std::filesystem;

TEST(SimulatedClient, BiosReachesSeed1sPxelinuxMenu) {
  Seed1 seed;
  auto c = run_one(seed.options());
  EXPECT_TRUE(c.ok()) << screen_of(c);
  EXPECT_EQ(c.reached, Stage::Menu);
  EXPECT_TRUE(on_screen(c, "PXELINUX 6.04 PXE 20200816 Copyright (C) 1994-2015 H. Peter Anvin et al"));
  EXPECT_TRUE(on_screen(c, "Network Boot")) << screen_of(c);
  EXPECT_TRUE(on_screen(c, "> Boot Windows PE from network")) << screen_of(c);
  // Every stage up to the menu, in order.
  std::vector<Stage> stages;
  for (const auto& s : c.stages) stages.push_back(s.stage);
  EXPECT_EQ(stages, (std::vector{Stage::Dhcp, Stage::Arp, Stage::TftpNbp, Stage::PxelinuxConfig, Stage::Menu}));
}

TEST(SimulatedClient, TheConfigSearchGoesInSyslinuxOrder) {
  Seed1 seed;
  auto r = run_in_process(seed.options());
  ASSERT_TRUE(r);
  std::vector<std::string> misses;
  for (const auto& l : r->server_log)
    if (l.find("pxelinux.cfg/") != std::string::npos && l.find("not found") != std::string::npos) misses.push_back(l);
  ASSERT_EQ(misses.size(), 10u) << "uuid, 01-mac, 8 hex ip names";
  EXPECT_NE(misses[1].find("pxelinux.cfg/01-52-54-00-42-00-10 not found"), std::string::npos) << misses[1];
  EXPECT_NE(misses[2].find("pxelinux.cfg/C0A82A0A not found"), std::string::npos) << misses[2];
  EXPECT_NE(misses[9].find("pxelinux.cfg/C not found"), std::string::npos) << misses[9];
}

TEST(SimulatedClient, WinpeLoadsMemdiskAndTheIsoThenDoesItsOwnDhcp) {
  Seed1 seed;
  auto c = run_one(seed.options("winpe"));
  EXPECT_TRUE(c.ok()) << screen_of(c);
  EXPECT_EQ(c.reached, Stage::WinpeDhcp);
  EXPECT_TRUE(on_screen(c, "Loading winpe.iso... ok")) << screen_of(c);
}

TEST(SimulatedClient, LabelChoosesTheEntry) {
  Seed1 seed;
  auto o = seed.options();
  o.until = Stage::Kernel;
  o.label = "localboot";
  auto c = run_one(o);
  EXPECT_TRUE(c.ok()) << screen_of(c);
  EXPECT_TRUE(on_screen(c, "Booting from local disk...")) << screen_of(c);
  o.label = "nosuchlabel";
  auto bad = run_one(o);
  EXPECT_EQ(bad.failure, Failure::ConfigInvalid);
}

TEST(SimulatedClient, NoBootFileIsE53AndStopsInDhcp) {
  Seed1 seed("");
  auto c = run_one(seed.options());
  EXPECT_EQ(c.failure, Failure::NoBootFile);
  EXPECT_EQ(c.failed_in, Stage::Dhcp);
  EXPECT_TRUE(on_screen(c, "PXE-E53: No boot filename received")) << screen_of(c);
  auto u = run_one(seed.options("uefi"));
  EXPECT_TRUE(on_screen(u, "  PXE-E16: No valid offer received.")) << screen_of(u);
  auto i = run_one(seed.options("ipxe"));
  EXPECT_TRUE(on_screen(i, "Nothing to boot: No such file or directory (http://ipxe.org/2d03e13b)")) << screen_of(i);
}

TEST(SimulatedClient, MissingBootFileInEachFirmwaresWords) {
  Seed1 seed("dhcp-boot=nonexistent.0\n");
  auto b = run_one(seed.options());
  EXPECT_EQ(b.failure, Failure::FileNotFound);
  EXPECT_EQ(b.failed_in, Stage::TftpNbp);
  EXPECT_TRUE(on_screen(b, "PXE-E3B: TFTP Error - File Not found")) << screen_of(b);
  auto i = run_one(seed.options("ipxe"));
  EXPECT_TRUE(on_screen(i, "tftp://192.168.42.1/nonexistent.0... No such file or directory (http://ipxe.org/2d12603b)"))
      << screen_of(i);
  auto u = run_one(seed.options("uefi"));
  EXPECT_TRUE(on_screen(u, "  PXE-E23: Client received TFTP error from server.")) << screen_of(u);
}

TEST(SimulatedClient, MissingLdlinuxIsPxelinuxsMessage) {
  Seed1 seed;
  fs::remove(seed.root() / "boot" / "ldlinux.c32");
  auto c = run_one(seed.options());
  EXPECT_EQ(c.failure, Failure::ModuleMissing);
  EXPECT_TRUE(on_screen(c, "Failed to load ldlinux.c32")) << screen_of(c);
}

TEST(SimulatedClient, FaultsGiveTheFirmwaresMessages) {
  Seed1 seed;
  struct Case {
    std::string fault;
    Failure failure;
    std::string line;
  };
  for (const auto& k : std::vector<Case>{
           {"drop:dhcp-offer", Failure::NoOffer, "PXE-E51: No DHCP or proxyDHCP offers were received."},
           {"no-arp-reply", Failure::ArpUnanswered, "PXE-E11: ARP timeout"},
           {"drop:tftp-rrq", Failure::TftpOpenTimeout, "PXE-E32: TFTP open timeout"},
           {"drop:tftp-data", Failure::TftpTimeout, "PXE-E35: TFTP read timeout"},
           {"corrupt:opt67", Failure::FileNotFound, "PXE-E3B: TFTP Error - File Not found"},
           {"mtu:576", Failure::TftpTimeout, "PXE-E35: TFTP read timeout"},
       }) {
    auto o = seed.options();
    o.faults = {*parse_fault(k.fault)};
    auto c = run_one(o);
    EXPECT_EQ(c.failure, k.failure) << k.fault << "\n" << screen_of(c);
    EXPECT_TRUE(on_screen(c, k.line)) << k.fault << "\n" << screen_of(c);
  }
  auto o = seed.options("uefi");
  o.faults = {*parse_fault("drop:dhcp-offer")};
  auto u = run_one(o);
  EXPECT_TRUE(on_screen(u, "  PXE-E18: Server response timeout.")) << screen_of(u);
}

TEST(SimulatedClient, ADelayedDataStreamStillBootsWithRealTimers) {
  Seed1 seed;
  auto o = seed.options();
  o.faults = {*parse_fault("delay:tftp-data:5s")};
  auto c = run_one(o);
  EXPECT_TRUE(c.ok()) << screen_of(c);
}

TEST(SimulatedClient, SeedOnesElevenAddressesServeElevenOfTwelveClients) {
  Seed1 seed;  // dhcp-range=192.168.42.10,192.168.42.20: the pool runs out
  auto o = seed.options();
  o.count = 12;
  o.time_divisor = 100;
  auto r = run_in_process(o);
  ASSERT_TRUE(r);
  auto ok = std::count_if(r->clients.begin(), r->clients.end(), [](const ClientReport& c) { return c.ok(); });
  EXPECT_EQ(ok, 11);
  EXPECT_EQ(r->clients.back().failure, Failure::NoOffer);
}

TEST(SimulatedClient, TwoHundredClientsAtOnceMeetTheFiftyTransferLimit) {
  // dnsmasq's tftp-max default (50): the rest get ERROR 0 "Too many transfers" on the NBP.
  Seed1 seed("dhcp-boot=boot/pxelinux.0\n", "192.168.42.10,192.168.42.250");
  auto o = seed.options();
  o.count = 200;
  o.time_divisor = 100;
  auto r = run_in_process(o);
  ASSERT_TRUE(r);
  auto ok = std::count_if(r->clients.begin(), r->clients.end(), [](const ClientReport& c) { return c.ok(); });
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(r->clients.back().failure, Failure::TftpError);
}

TEST(SimulatedClient, TwoHundredClientsInFastTimingFinishQuickly) {
  Seed1 seed("dhcp-boot=boot/pxelinux.0\n", "192.168.42.10,192.168.42.250");
  auto o = seed.options();
  o.count = 200;
  o.time_divisor = 100;
  o.ramp = std::chrono::milliseconds(20);  // 50/s, as a classroom powers on
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_in_process(o);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r) << r.error().what;
  ASSERT_EQ(r->clients.size(), 200u);
  EXPECT_TRUE(r->all_ok()) << render_session(*r, false);
  std::set<Mac> macs;
  for (const auto& c : r->clients) macs.insert(c.mac);
  EXPECT_EQ(macs.size(), 200u);
  EXPECT_LT(r->simulated, std::chrono::seconds(1)) << "200 clients at 50/s, timers / 100";
  EXPECT_LT(took, std::chrono::seconds(30)) << "200 clients took "
                                            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

TEST(SimulatedClient, ABootFileForTheOtherFirmwareIsWrongArchitecture) {
  Seed1 seed;  // boot/pxelinux.0, a BIOS image
  auto u = run_one(seed.options("uefi"));
  EXPECT_EQ(u.failure, Failure::WrongArchitecture);
  EXPECT_EQ(u.failed_in, Stage::TftpNbp);
  EXPECT_TRUE(on_screen(u, "  NBP file downloaded successfully.")) << screen_of(u);
  Seed1 efi_only("dhcp-boot=syslinux.efi\n");
  std::ofstream(efi_only.root() / "syslinux.efi", std::ios::binary) << std::string(171456, 'E');
  auto b = run_one(efi_only.options("ipxe"));
  EXPECT_EQ(b.failure, Failure::WrongArchitecture) << screen_of(b);
  EXPECT_TRUE(on_screen(b, "syslinux.efi : 171456 bytes [PXE-NBP (may be EFI?)]")) << screen_of(b);
}
