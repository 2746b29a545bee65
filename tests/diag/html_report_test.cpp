// The HTML report: verdicts, findings, one arrow per ladder step, escaping of wire text, the cap
// on long ladders, and nothing fetched from elsewhere.
#include "diag/html_report.h"

#include <gtest/gtest.h>

#include "diag/html_ladder.h"
#include "diag/ladder_steps.h"

namespace pxe::diag {
namespace {

using test::count;

// Steps on the capture's clock (2026-11-22 04:14:54 UTC).
LadderStep step(std::uint64_t frame, double seconds, bool from_client, std::string peer, std::string label,
                bool failing = false, bool noise = false) {
  return test::step(frame, seconds, from_client, std::move(peer), std::move(label), failing, noise, 1795320894000000);
}

ClientReport failing_client() {
  ClientReport c;
  c.key = "52:54:00:42:00:10";
  c.mac = *Mac::parse(c.key);
  c.firmware = Firmware::BiosPxeRom;
  c.firmware_detail = "PXEClient:Arch:00000:UNDI:002001";
  c.last_stage = Stage::OfferSelection;
  c.failed = true;
  c.screen = "PXE-E53: No boot filename received";
  c.ladder = {
      step(1, 0.0, true, "255.255.255.255", "DHCPDISCOVER"),
      step(2, 0.9, false, "192.168.42.1", "DHCPOFFER 192.168.42.17", true),
      step(3, 4.0, true, "255.255.255.255", "DHCPDISCOVER"),
      step(4, 4.8, false, "192.168.42.1", "DHCPOFFER 192.168.42.17 <script>alert(1)</script>",
           true),
      step(5, 5.0, true, "192.168.42.1", "RRQ probe.0 tsize", false, true),
  };
  Finding f;
  f.id = "no-boot-filename";
  f.code = "PXE-E53";
  f.screen = c.screen;
  f.cause = "Every DHCPOFFER lacked a boot file name & the ROM gave up.";
  f.evidence = {{2, c.ladder[1].time, "DHCPOFFER 192.168.42.17 from 192.168.42.1 without a boot file"},
                {4, c.ladder[3].time, "DHCPOFFER again without a boot file"}};
  f.fix_dnsmasq = "dhcp-boot=pxelinux.0";
  f.fix_pxekit = "pxekit serve --boot-file pxelinux.0";
  c.findings.push_back(f);
  return c;
}

ClientReport booting_client() {
  ClientReport c;
  c.key = "52:54:00:42:00:20";
  c.mac = *Mac::parse(c.key);
  c.ips = {Ipv4(192, 168, 42, 18)};
  c.firmware = Firmware::Ipxe;
  c.last_stage = Stage::KernelInitrd;
  c.screen = "booted vmlinuz";
  c.ladder = {
      step(10, 0.0, true, "255.255.255.255", "DHCPDISCOVER"),
      step(11, 0.1, false, "192.168.42.1", "DHCPOFFER 192.168.42.18"),
      step(12, 0.1, false, "192.168.42.2", "DHCPOFFER (proxy) file pxelinux.0"),
      step(13, 1.0, true, "192.168.42.2", "RRQ pxelinux.0"),
      step(14, 1.1, false, "192.168.42.2", "DATA 1 (512 bytes)"),
      step(15, 1.2, true, "192.168.42.2", "ACK 1"),
  };
  return c;
}

Report sample_report() {
  Report r;
  r.source = "captures/bios-no-bootfile.pcap";
  r.frames = 42;
  r.clients = {failing_client(), booting_client()};
  return r;
}

TEST(HtmlReport, SummaryShowsEachClientsVerdict) {
  std::string html = render_html(sample_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("52:54:00:42:00:10"), std::string::npos);
  EXPECT_NE(html.find("FAILED"), std::string::npos);
  EXPECT_NE(html.find("PXE-E53"), std::string::npos);
  EXPECT_NE(html.find("PXE-E53: No boot filename received"), std::string::npos);
  EXPECT_NE(html.find("BIOS PXE ROM"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge ok\">OK</span>"), std::string::npos);
  EXPECT_NE(html.find("booted vmlinuz"), std::string::npos);
  EXPECT_EQ(count(html, "<tr class=\"failed\">"), 1u);
  EXPECT_EQ(count(html, "<tr class=\"ok\">"), 1u);
}

TEST(HtmlReport, FindingShowsIdCauseEvidenceAndFixes) {
  std::string html = render_html(sample_report());
  EXPECT_NE(html.find("<code>no-boot-filename</code>"), std::string::npos);
  EXPECT_NE(html.find("lacked a boot file name &amp; the ROM"), std::string::npos);
  EXPECT_NE(html.find("frame 4 \u00b7 +4.800 s"), std::string::npos);
  EXPECT_NE(html.find("<code>dhcp-boot=pxelinux.0</code>"), std::string::npos);
  EXPECT_NE(html.find("<code>pxekit serve --boot-file pxelinux.0</code>"), std::string::npos);
}

TEST(HtmlReport, OneArrowPerStepFailingHighlightedNoiseDimmed) {
  std::string html = render_html(sample_report());
  EXPECT_EQ(count(html, "<svg class=\"ladder\""), 2u);
  EXPECT_EQ(count(html, "<g class=\"arrow "), 11u);
  EXPECT_EQ(count(html, "<g class=\"arrow rep failing\""), 2u);
  EXPECT_EQ(count(html, "<g class=\"arrow req noise\""), 1u);
  EXPECT_EQ(count(html, " bcast\""), 3u);
  // Lanes: the client and one server for the first; two servers for the second.
  EXPECT_EQ(count(html, "<g class=\"lane\">"), 2u + 3u);
  EXPECT_NE(html.find("+4.800"), std::string::npos);  // relative to the first step
  EXPECT_NE(html.find("data-frame=\"4\""), std::string::npos);
}

TEST(HtmlReport, WireTextIsEscaped) {
  std::string html = render_html(sample_report());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html_escape("a<b>&\"c'\x01"), "a&lt;b&gt;&amp;&quot;c&#39;\uFFFD");
  EXPECT_EQ(html_escape(std::string("nul\0x", 5)), "nul\uFFFDx");
}

TEST(HtmlReport, SelfContained) {
  std::string html = render_html(sample_report());
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // The only URL is the SVG namespace.
  EXPECT_EQ(count(html, "http"), count(html, "http://www.w3.org/2000/svg"));
}

TEST(HtmlReport, LongLadderIsCappedButKeepsFailingSteps) {
  Report r;
  r.source = "big.pcap";
  ClientReport c = failing_client();
  c.ladder.clear();
  for (std::uint64_t i = 1; i <= 1000; ++i)
    c.ladder.push_back(step(i, double(i) / 100, i % 2 == 1, "192.168.42.1", "DATA",
                            i == 10 || i == 700 || i == 1000));
  r.clients.push_back(c);
  std::string html = render_html(r);
  EXPECT_EQ(count(html, "<g class=\"arrow "), 400u);
  EXPECT_EQ(count(html, " failing\""), 3u);
  EXPECT_NE(html.find("data-frame=\"700\""), std::string::npos);
  EXPECT_NE(html.find("data-frame=\"1000\""), std::string::npos);
  EXPECT_NE(html.find("600 more steps not drawn"), std::string::npos);
  EXPECT_GE(count(html, "<g class=\"gap\">"), 1u);

  HtmlOptions small;
  small.max_steps = 50;
  EXPECT_EQ(count(render_html(r, small), "<g class=\"arrow "), 50u);
}

TEST(HtmlReport, EmptyReportAndNetworkFindings) {
  Report r;
  r.source = "empty.pcap";
  Finding rogue;
  rogue.id = "rogue-dhcp-server";
  rogue.severity = Severity::Warning;
  rogue.cause = "Two DHCP servers answered.";
  r.network.push_back(rogue);
  std::string html = render_html(r);
  EXPECT_NE(html.find("No PXE client seen."), std::string::npos);
  EXPECT_NE(html.find("<code>rogue-dhcp-server</code>"), std::string::npos);
  EXPECT_NE(html.find("finding warning"), std::string::npos);
  EXPECT_EQ(count(html, "<g class=\"arrow "), 0u);
}

TEST(HtmlLadder, ShortenCountsCharactersNotBytes) {
  EXPECT_EQ(html::shorten("abcdef", 4), "abcd\u2026");
  EXPECT_EQ(html::shorten("abc", 4), "abc");
  EXPECT_EQ(html::shorten("\u00e9\u00e9\u00e9\u00e9\u00e9", 2), "\u00e9\u00e9\u2026");
  EXPECT_EQ(html::relative_seconds(Timestamp{2500000}, Timestamp{1000000}), "+1.500");
}

}  // namespace
}  // namespace pxe::diag
