// The dnsmasq log reader: the seed's plain lines, the syslog form with --log-dhcp details, and
// every log recorded beside the captures.
#include "diag/dnsmasq_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "support/test_paths.h"

namespace pxe::diag {
namespace {

namespace fs = std::filesystem;

// The log of the first seed (a laptop booting pxelinux, memdisk and WinPE from dnsmasq 2.78).
constexpr const char* kSeedLog = R"(dnsmasq: started, version 2.78 DNS disabled
dnsmasq: compile time options: IPv6 GNU-getopt DBus no-i18n IDN DHCP DHCPv6 no-Lua TFTP conntrack ipset auth DNSSEC loop-detect inotify
dnsmasq-dhcp: DHCP, IP range 192.168.42.10 -- 192.168.42.20, lease time 12h
dnsmasq-dhcp: DHCP, sockets bound exclusively to interface eno1
dnsmasq-tftp: TFTP root is /tmp/win-pxe/tftp 
dnsmasq-dhcp: DHCPDISCOVER(eno1) 20:6a:8a:0f:74:75 
dnsmasq-dhcp: DHCPOFFER(eno1) 192.168.42.17 20:6a:8a:0f:74:75 
dnsmasq-dhcp: DHCPREQUEST(eno1) 192.168.42.17 20:6a:8a:0f:74:75 
dnsmasq-dhcp: DHCPACK(eno1) 192.168.42.17 20:6a:8a:0f:74:75 
dnsmasq-tftp: error 0 TFTP Aborted received from 192.168.42.17
dnsmasq-tftp: failed sending /tmp/win-pxe/tftp/boot/pxelinux.0 to 192.168.42.17
dnsmasq-tftp: sent /tmp/win-pxe/tftp/boot/pxelinux.0 to 192.168.42.17
dnsmasq-tftp: sent /tmp/win-pxe/tftp/boot/ldlinux.c32 to 192.168.42.17
dnsmasq-tftp: file /tmp/win-pxe/tftp/boot/pxelinux.cfg/d66ef100-a6d7-11df-9f1a-f938a66fc054 not found
dnsmasq-tftp: file /tmp/win-pxe/tftp/boot/pxelinux.cfg/01-20-6a-8a-0f-74-75 not found
dnsmasq-tftp: file /tmp/win-pxe/tftp/boot/pxelinux.cfg/C0A82A11 not found
dnsmasq-tftp: sent /tmp/win-pxe/tftp/boot/pxelinux.cfg/default to 192.168.42.17
dnsmasq-tftp: sent /tmp/win-pxe/tftp/boot/menu.c32 to 192.168.42.17
dnsmasq-tftp: sent /tmp/win-pxe/tftp/boot//memdisk to 192.168.42.17
dnsmasq-dhcp: DHCPDISCOVER(eno1) 20:6a:8a:0f:74:75 
dnsmasq-dhcp: DHCPOFFER(eno1) 192.168.42.17 20:6a:8a:0f:74:75 
dnsmasq-dhcp: DHCPREQUEST(eno1) 192.168.42.17 20:6a:8a:0f:74:75 
dnsmasq-dhcp: DHCPACK(eno1) 192.168.42.17 20:6a:8a:0f:74:75 minint-t10cd8a
)";

const Mac kLaptop = *Mac::parse("20:6a:8a:0f:74:75");
const Mac kQemu = *Mac::parse("52:54:00:42:00:10");
const Ipv4 kClient(192, 168, 42, 17);

// An EventList: the events' text lives in its store, so tests keep the list, not copies.
EventList read(const std::string& text, DnsmasqLogStats* stats = nullptr) {
  std::istringstream in(text);
  DnsmasqLogOptions options;
  options.year = 2026;
  options.stats = stats;
  auto result = read_dnsmasq_log(in, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().what);
  return result.ok() ? std::move(*result) : EventList{};
}

EventList read_capture_log(const std::string& name) {
  DnsmasqLogOptions options;
  options.year = 2026;
  auto result = read_dnsmasq_log(pxe::test::captures_dir() + "/" + name, options);
  EXPECT_TRUE(result.ok()) << name << ": " << (result.ok() ? "" : result.error().what);
  return result.ok() ? std::move(*result) : EventList{};
}

// Copies of events of one kind: valid while `events` (their text) is.
std::vector<Event> of(const EventList& events, EventKind kind, int msg_type = -1) {
  std::vector<Event> out;
  for (const auto& e : events)
    if (e.kind == kind && (msg_type < 0 || e.msg_type == msg_type)) out.push_back(e);
  return out;
}

std::string basename(std::string_view path) { return fs::path(path).filename().string(); }

TEST(DnsmasqLog, SeedDhcpLinesBecomeClientAndServerEvents) {
  auto events = read(kSeedLog);
  auto discovers = of(events, EventKind::DhcpFromClient, 1);
  auto offers = of(events, EventKind::DhcpFromServer, 2);
  auto acks = of(events, EventKind::DhcpFromServer, 5);
  ASSERT_EQ(discovers.size(), 2u);
  ASSERT_EQ(offers.size(), 2u);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(discovers[0].client_mac, kLaptop);
  EXPECT_TRUE(discovers[0].from_client);
  EXPECT_EQ(discovers[0].frame, 6u);  // the line number
  EXPECT_EQ(offers[0].yiaddr, kClient);
  EXPECT_FALSE(offers[0].from_client);
  EXPECT_TRUE(offers[0].bootfile.empty());  // the plain form does not say
  EXPECT_EQ(of(events, EventKind::DhcpFromClient, 3)[0].requested_ip, kClient);
  EXPECT_EQ(acks[0].hostname, "");
  EXPECT_EQ(acks[1].hostname, "minint-t10cd8a");
}

TEST(DnsmasqLog, SeedLinesWithoutTimestampsKeepTheirOrder) {
  auto events = read(kSeedLog);
  ASSERT_FALSE(events.empty());
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_LT(events[i - 1].time, events[i].time);
    EXPECT_LT(events[i - 1].frame, events[i].frame);
  }
  EXPECT_EQ(events[0].time.us, 6);  // no timestamp: the line number as microseconds
}

TEST(DnsmasqLog, TsizeProbeAbortIsTheClientsErrorAndNamesTheFile) {
  auto events = read(kSeedLog);
  auto errors = of(events, EventKind::TftpError);
  ASSERT_GE(errors.size(), 1u);
  const Event& abort = errors[0];
  EXPECT_TRUE(abort.from_client);
  EXPECT_EQ(abort.error_code, 0);
  EXPECT_EQ(abort.error_message, "TFTP Aborted");
  EXPECT_EQ(abort.src, kClient);
  EXPECT_EQ(abort.client_mac, kLaptop);  // from the DHCPACK for 192.168.42.17
  // "failed sending" right after it only names the file: no second error.
  EXPECT_EQ(basename(abort.filename), "pxelinux.0");
  EXPECT_EQ(abort.frame, 10u);
  EXPECT_NE(errors[1].error_code, 0);
}

TEST(DnsmasqLog, SeedTftpSentAndNotFound) {
  auto events = read(kSeedLog);
  auto sent = of(events, EventKind::TftpSent);
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[0].filename, "/tmp/win-pxe/tftp/boot/pxelinux.0");  // the full path
  EXPECT_EQ(sent[0].dst, kClient);
  EXPECT_FALSE(sent[0].from_client);
  EXPECT_EQ(basename(sent[4].filename), "memdisk");
  EXPECT_TRUE(sent[0].src.is_zero());  // without --log-dhcp no line names the server
  auto errors = of(events, EventKind::TftpError);
  ASSERT_EQ(errors.size(), 4u);
  for (std::size_t i = 1; i < errors.size(); ++i) {
    EXPECT_EQ(errors[i].error_code, 1);
    EXPECT_FALSE(errors[i].from_client);
    EXPECT_EQ(errors[i].dst, kClient);  // old dnsmasq says not for whom: the last TFTP client
  }
  EXPECT_EQ(basename(errors[2].filename), "01-20-6a-8a-0f-74-75");
}

TEST(DnsmasqLog, FailedSendingAloneIsAServerError) {
  auto events = read("dnsmasq-tftp: failed sending /srv/tftp/big.iso to 10.0.0.5\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::TftpError);
  EXPECT_FALSE(events[0].from_client);
  EXPECT_EQ(events[0].error_code, 0);
  EXPECT_EQ(events[0].filename, "/srv/tftp/big.iso");
  EXPECT_EQ(events[0].dst, Ipv4(10, 0, 0, 5));
}

TEST(DnsmasqLog, NakAndNoAddressCarryTheirReason) {
  auto events = read(
      "dnsmasq-dhcp: DHCPREQUEST(eth0) 10.1.1.9 52:54:00:42:00:10\n"
      "dnsmasq-dhcp: DHCPNAK(eth0) 10.1.1.9 52:54:00:42:00:10 wrong address\n"
      "dnsmasq-dhcp: DHCPDISCOVER(eth0) 52:54:00:42:00:10 no address available\n"
      "dnsmasq-dhcp: DHCPINFORM(eth0) 10.1.1.20 52:54:00:42:00:10\n"
      "dnsmasq-dhcp: DHCPRELEASE(eth0) 10.1.1.20 52:54:00:42:00:10\n");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[1].msg_type, 6);
  EXPECT_EQ(events[1].kind, EventKind::DhcpFromServer);
  EXPECT_EQ(events[1].requested_ip, Ipv4(10, 1, 1, 9));
  EXPECT_EQ(events[1].error_message, "wrong address");
  EXPECT_EQ(events[2].msg_type, 1);
  EXPECT_EQ(events[2].error_message, "no address available");
  EXPECT_EQ(events[3].msg_type, 8);
  EXPECT_EQ(events[3].ciaddr, Ipv4(10, 1, 1, 20));
  EXPECT_EQ(events[4].msg_type, 7);
  EXPECT_TRUE(events[4].from_client);
}

TEST(DnsmasqLog, PxeLinesAndTftpAccessErrors) {
  auto events = read(
      "dnsmasq-dhcp: PXE(eth0) 52:54:00:42:00:10 proxy-ignored\n"
      "dnsmasq-dhcp: PXE(eth0) 192.168.42.17 52:54:00:42:00:10 PXEClient:Arch:00000\n"
      "dnsmasq-tftp: cannot access /srv/tftp/pxelinux.0: Permission denied\n"
      "dnsmasq-tftp: unsupported request from 192.168.42.17\n");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].kind, EventKind::DhcpFromClient);  // ignored: no answer follows
  EXPECT_EQ(events[1].kind, EventKind::DhcpFromClient);
  EXPECT_EQ(events[1].dport, 4011);
  EXPECT_EQ(events[2].kind, EventKind::DhcpFromServer);
  EXPECT_EQ(events[2].msg_type, 5);
  EXPECT_TRUE(events[2].bootfile.empty());  // older dnsmasq logged the vendor class there
  EXPECT_EQ(events[3].kind, EventKind::TftpError);
  EXPECT_EQ(events[3].error_code, 2);
  EXPECT_EQ(events[3].filename, "/srv/tftp/pxelinux.0");
  EXPECT_EQ(events[4].error_code, 4);
  EXPECT_EQ(events[4].dst, kClient);
}

TEST(DnsmasqLog, MalformedLinesAreCountedAndSkipped) {
  DnsmasqLogStats stats;
  auto events = read(
      "dnsmasq-dhcp: DHCPOFFER(eth0 192.168.42.17 not-a-mac\n"
      "dnsmasq-dhcp: DHCPACK(eth0) 192.168.42.17 zz:zz\n"
      "dnsmasq-tftp: sent /x to nowhere\n"
      "dnsmasq-tftp: error x oops received from 1.2.3.4\n"
      "dnsmasq-dhcp: DHCP, IP range 192.168.42.10 -- 192.168.42.20, lease time 12h\n"
      "dnsmasq-dhcp: DHCPDISCOVER(eth0) 52:54:00:42:00:10\n"
      "a line from something else\n",
      &stats);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].frame, 6u);
  EXPECT_EQ(stats.lines, 7u);
  EXPECT_EQ(stats.dnsmasq_lines, 6u);
  EXPECT_EQ(stats.malformed, 4u);
  ASSERT_EQ(stats.problems.size(), 4u);
  EXPECT_NE(stats.problems[0].what.find("line 1"), std::string::npos);
}

TEST(DnsmasqLog, TextWithoutDnsmasqLinesIsAnError) {
  std::istringstream in("hello\nworld\n");
  auto result = read_dnsmasq_log(in);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().what.find("no dnsmasq log lines"), std::string::npos);
  std::istringstream empty("");
  EXPECT_TRUE(read_dnsmasq_log(empty).ok());
  EXPECT_FALSE(read_dnsmasq_log(std::string("/nonexistent/dnsmasq.log")).ok());
}

TEST(DnsmasqLog, TimestampsSyslogIsoAndNewYear) {
  auto events = read(
      "Dec 31 23:59:59 host dnsmasq-dhcp[7]: DHCPDISCOVER(eth0) 52:54:00:42:00:10\n"
      "Jan  1 00:00:01 host dnsmasq-dhcp[7]: DHCPDISCOVER(eth0) 52:54:00:42:00:10\n"
      "2026-11-22T04:15:18.250+01:00 host dnsmasq-dhcp[7]: DHCPDISCOVER(eth0) 52:54:00:42:00:10\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].time.us, 1798761599LL * 1000000);  // 2026-12-31T23:59:59Z
  EXPECT_EQ(events[1].time.us, 1798761601LL * 1000000);  // 2027-01-01T00:00:01Z
  EXPECT_EQ(events[2].time.us, 1795317318LL * 1000000 + 250000);  // 03:15:18.25Z
}

TEST(DnsmasqLog, CaptureLogDetailsAttachByTransaction) {
  auto events = read_capture_log("bios-pxelinux-menu.dnsmasq.log");
  auto discovers = of(events, EventKind::DhcpFromClient, 1);
  auto offers = of(events, EventKind::DhcpFromServer, 2);
  auto acks = of(events, EventKind::DhcpFromServer, 5);
  ASSERT_EQ(discovers.size(), 2u);
  ASSERT_EQ(offers.size(), 2u);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(discovers[0].xid, 2574542641u);
  EXPECT_EQ(discovers[0].vendor_class, "PXEClient:Arch:00000:UNDI:002001");
  EXPECT_EQ(discovers[0].user_class, "iPXE");
  EXPECT_EQ(discovers[0].client_mac, kQemu);
  for (const auto& reply : {offers[0], offers[1], acks[0]}) {
    EXPECT_EQ(reply.bootfile, "pxelinux.0");
    EXPECT_EQ(reply.siaddr, Ipv4(192, 168, 42, 1));
    EXPECT_EQ(reply.yiaddr, kClient);
    EXPECT_EQ(reply.client_mac, kQemu);
  }
  // Nov 22 04:14:54 in the year given.
  EXPECT_EQ(discovers[0].time.us, 1795320894LL * 1000000);
  auto sent = of(events, EventKind::TftpSent);
  ASSERT_EQ(sent.size(), 6u);  // pxelinux.cfg/default is fetched twice
  EXPECT_EQ(basename(sent[0].filename), "pxelinux.0");
  EXPECT_EQ(sent[0].client_mac, kQemu);
  EXPECT_EQ(sent[0].src, Ipv4(192, 168, 42, 1));  // the server that acknowledged the address
  auto not_found = of(events, EventKind::TftpError);
  ASSERT_EQ(not_found.size(), 10u);
  EXPECT_EQ(basename(not_found[1].filename), "01-52-54-00-42-00-10");
  EXPECT_EQ(not_found[1].dst, kClient);
}

TEST(DnsmasqLog, CaptureNoBootfileOffersHaveNoBootfile) {
  auto events = read_capture_log("bios-no-bootfile.dnsmasq.log");
  auto offers = of(events, EventKind::DhcpFromServer, 2);
  ASSERT_EQ(offers.size(), 2u);
  for (const auto& o : offers) {
    EXPECT_TRUE(o.bootfile.empty());
    EXPECT_EQ(o.server_id, Ipv4(192, 168, 42, 1));  // from "sent ... option: 54"
    EXPECT_EQ(o.src, Ipv4(192, 168, 42, 1));
  }
  EXPECT_TRUE(of(events, EventKind::TftpSent).empty());
}

TEST(DnsmasqLog, CaptureMissingFileIsNotFoundForTheClient) {
  auto events = read_capture_log("bios-missing-file.dnsmasq.log");
  auto acks = of(events, EventKind::DhcpFromServer, 5);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].bootfile, "nonexistent.0");
  auto errors = of(events, EventKind::TftpError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error_code, 1);
  EXPECT_FALSE(errors[0].from_client);
  EXPECT_EQ(errors[0].filename, "/tmp/pxkcap/tftp/nonexistent.0");
  EXPECT_EQ(errors[0].dst, kClient);
  EXPECT_EQ(errors[0].client_mac, kQemu);
  EXPECT_EQ(errors[0].src, Ipv4(192, 168, 42, 1));
}

TEST(DnsmasqLog, CaptureUefiAbortIsError8FromTheClient) {
  auto events = read_capture_log("edk2-syslinux-menu.dnsmasq.log");
  auto errors = of(events, EventKind::TftpError);
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(errors[0].from_client);
  EXPECT_EQ(errors[0].error_code, 8);
  EXPECT_EQ(errors[0].error_message, "User aborted the transfer");
  EXPECT_EQ(errors[0].src, kClient);
  EXPECT_EQ(errors[0].dst, Ipv4(192, 168, 42, 1));
  auto offers = of(events, EventKind::DhcpFromServer, 2);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0].bootfile, "syslinux.efi");  // option 67
  EXPECT_EQ(offers[1].bootfile, "pxelinux.0");    // the BOOTP file field ("bootfile name:")
  EXPECT_EQ(of(events, EventKind::DhcpFromClient, 1)[0].vendor_class,
            "PXEClient:Arch:00007:UNDI:003000");
}

TEST(DnsmasqLog, CaptureProxyLogHasProxyOffersAndABootServerAck) {
  auto events = read_capture_log("proxydhcp-bios.proxy.dnsmasq.log");
  auto offers = of(events, EventKind::DhcpFromServer, 2);
  ASSERT_EQ(offers.size(), 3u);
  for (const auto& o : offers) {
    EXPECT_TRUE(o.yiaddr.is_zero());
    EXPECT_TRUE(o.has_pxe_options);
    EXPECT_EQ(o.pxe_discovery_control, 3);  // 43.6 = 06:01:03
    EXPECT_EQ(o.vendor_class, "PXEClient");  // option 60 shown in hex
    EXPECT_EQ(o.client_mac, kQemu);
  }
  EXPECT_EQ(of(events, EventKind::DhcpFromClient, 1).size(), 3u);
  auto requests = of(events, EventKind::DhcpFromClient, 3);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].dport, 4011);
  EXPECT_EQ(requests[0].ciaddr, kClient);
  EXPECT_EQ(requests[0].vendor_class, "PXEClient");
  EXPECT_EQ(requests[0].dst, Ipv4(192, 168, 42, 2));  // the boot server that answered
  auto acks = of(events, EventKind::DhcpFromServer, 5);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].sport, 4011);
  EXPECT_EQ(acks[0].bootfile, "pxelinux.0");
  EXPECT_TRUE(acks[0].pxe_boot_item);
  EXPECT_EQ(acks[0].siaddr, Ipv4(192, 168, 42, 2));
  EXPECT_EQ(acks[0].src, Ipv4(192, 168, 42, 2));  // no option 54 logged: the next server
  auto sent = of(events, EventKind::TftpSent);
  ASSERT_EQ(sent.size(), 6u);
  EXPECT_EQ(sent[0].src, Ipv4(192, 168, 42, 2));
}

TEST(DnsmasqLog, CaptureLinuxClientsHostnameReleaseAndMissingFile) {
  auto events = read_capture_log("linux-clients.dnsmasq.log");
  auto discovers = of(events, EventKind::DhcpFromClient, 1);
  ASSERT_FALSE(discovers.empty());
  EXPECT_EQ(discovers[0].hostname, "pxkcap-cli");
  EXPECT_EQ(discovers[0].vendor_class, "pxekit-capture");  // udhcpc -V
  auto releases = of(events, EventKind::DhcpFromClient, 7);
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].ciaddr, Ipv4(192, 168, 42, 11));
  auto errors = of(events, EventKind::TftpError);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(basename(errors[0].filename), "missing.bin");
  EXPECT_EQ(errors[0].client_mac, *Mac::parse("52:54:00:42:00:20"));
}

TEST(DnsmasqLog, CaptureAccessViolationGoesToTheLastAckedClient) {
  // "cannot access FILE: Permission denied" names no client and nothing follows it.
  auto events = read_capture_log("bios-access-violation.dnsmasq.log");
  auto errors = of(events, EventKind::TftpError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error_code, 2);
  EXPECT_EQ(errors[0].dst, kClient);
  EXPECT_EQ(errors[0].client_mac, kQemu);
}

TEST(DnsmasqLog, CaptureCannotReadAndFailedSendingAreOneError) {
  auto events = read_capture_log("bios-bootfile-is-dir.dnsmasq.log");
  auto errors = of(events, EventKind::TftpError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error_code, 0);
  EXPECT_EQ(errors[0].filename, "/tmp/pxkcap/tftp/pxelinux.cfg");
  EXPECT_NE(errors[0].error_message.find("Is a directory"), std::string::npos);
  EXPECT_EQ(errors[0].dst, kClient);
  EXPECT_EQ(errors[0].client_mac, kQemu);
}

TEST(DnsmasqLog, ClientArchitectureComesFromTheVendorClass) {
  auto bios = of(read_capture_log("bios-efi-nbp.dnsmasq.log"), EventKind::DhcpFromClient, 1);
  ASSERT_FALSE(bios.empty());
  EXPECT_EQ(bios[0].arch, ArchList{0});
  auto uefi = of(read_capture_log("edk2-bios-nbp.dnsmasq.log"), EventKind::DhcpFromClient, 1);
  ASSERT_FALSE(uefi.empty());
  EXPECT_EQ(uefi[0].arch, ArchList{7});
  auto linux_client = of(read_capture_log("linux-clients.dnsmasq.log"), EventKind::DhcpFromClient, 1);
  ASSERT_FALSE(linux_client.empty());
  EXPECT_TRUE(linux_client[0].arch.empty());
}

TEST(DnsmasqLog, TftpRootLineSaysTftpIsOn) {
  auto stats_of = [](const std::string& name) {
    DnsmasqLogStats stats;
    DnsmasqLogOptions options;
    options.year = 2026;
    options.stats = &stats;
    EXPECT_TRUE(read_dnsmasq_log(pxe::test::captures_dir() + "/" + name, options).ok());
    return stats;
  };
  EXPECT_TRUE(stats_of("bios-arp-unanswered.dnsmasq.log").tftp_enabled);
  EXPECT_FALSE(stats_of("bios-no-tftp.dnsmasq.log").tftp_enabled);
}

TEST(DnsmasqLog, CaptureProxyAckWithoutBootFileIsAPort4011Exchange) {
  // EDK2 asks the proxy on 4011; dnsmasq logs it as a second "PXE(...) MAC proxy" line whose
  // reply is message-type 5.
  auto events = read_capture_log("edk2-proxy-x86pc-only.proxy.dnsmasq.log");
  auto requests = of(events, EventKind::DhcpFromClient, 3);
  auto acks = of(events, EventKind::DhcpFromServer, 5);
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(requests[0].dport, 4011);
  EXPECT_EQ(requests[0].dst, Ipv4(192, 168, 42, 2));
  EXPECT_EQ(acks[0].sport, 4011);
  EXPECT_TRUE(acks[0].bootfile.empty());
  EXPECT_FALSE(of(events, EventKind::DhcpFromServer, 2).empty());  // the proxy offer before it
}

TEST(DnsmasqLog, EveryCaptureLogParsesCleanlyInOrder) {
  int logs = 0;
  for (const auto& entry : fs::directory_iterator(pxe::test::captures_dir())) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".dnsmasq.log")) continue;
    ++logs;
    DnsmasqLogStats stats;
    DnsmasqLogOptions options;
    options.stats = &stats;
    auto result = read_dnsmasq_log(entry.path().string(), options);
    ASSERT_TRUE(result.ok()) << name;
    EXPECT_EQ(stats.malformed, 0u) << name << ": "
                                   << (stats.problems.empty() ? "" : stats.problems[0].what);
    EXPECT_EQ(stats.dnsmasq_lines, stats.lines) << name;
    EXPECT_FALSE(result->empty()) << name;
    EXPECT_TRUE(std::is_sorted(result->begin(), result->end(),
                               [](const Event& a, const Event& b) { return a.time < b.time; }))
        << name;
  }
  EXPECT_GE(logs, 10);
}

}  // namespace
}  // namespace pxe::diag
