// The HTML report in a real browser: Debian's chromium, headless, loads the page from a file,
// and its DOM still holds the SVG ladder (one arrow per step) and the verdict; its screenshot is
// a PNG of the page. Skipped when chromium is not installed (.ci/packages-test.txt lists it).
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "diag/html_report.h"
#include "diag/ladder_steps.h"
#include "support/test_paths.h"

namespace pxe::diag {
namespace {

namespace fs = std::filesystem;
using pxe::test::have_program;
using pxe::test::run;
using test::count;
using test::step;

Report sample_report() {
  ClientReport bad;
  bad.key = "20:6a:8a:0f:74:75";
  bad.firmware = Firmware::BiosPxeRom;
  bad.firmware_detail = "PXEClient:Arch:00000:UNDI:002001";
  bad.last_stage = Stage::OfferSelection;
  bad.failed = true;
  bad.screen = "PXE-E53: No boot filename received";
  bad.ladder = {step(1, 0.0, true, "255.255.255.255", "DHCPDISCOVER"),
                step(2, 0.9, false, "192.168.42.1", "DHCPOFFER 192.168.42.17", true),
                step(3, 4.0, true, "255.255.255.255", "DHCPDISCOVER"),
                step(4, 4.8, false, "192.168.42.1", "DHCPOFFER 192.168.42.17 <script>x</script>",
                     true),
                step(5, 9.0, true, "255.255.255.255", "DHCPDISCOVER")};
  Finding f;
  f.id = "no-boot-filename";
  f.code = "PXE-E53";
  f.cause = "The DHCP offers carry no boot file name (option 67 or the file field).";
  f.evidence = {{2, bad.ladder[1].time, "DHCPOFFER without a boot file"}};
  f.fix_dnsmasq = "dhcp-boot=pxelinux.0";
  f.fix_pxekit = "pxekit serve --boot-file pxelinux.0";
  bad.findings.push_back(f);

  ClientReport good;
  good.key = "52:54:00:42:00:20";
  good.firmware = Firmware::Ipxe;
  good.last_stage = Stage::KernelInitrd;
  good.screen = "booted vmlinuz";
  good.ladder = {step(10, 0.0, true, "192.168.42.1", "RRQ vmlinuz"),
                 step(11, 0.1, false, "192.168.42.1", "ERROR 0 TFTP Aborted", false, true),
                 step(12, 0.2, true, "192.168.42.1", "RRQ vmlinuz")};
  Report r;
  r.source = "seed-000.pcap";
  r.frames = 12;
  r.clients = {bad, good};
  return r;
}

class ChromiumHtml : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_program("chromium"))
      GTEST_SKIP() << "chromium is not installed (apt-get install chromium): the HTML report "
                      "is not checked in a browser";
    dir_.emplace("pxekit-html");
    html_ = (*dir_ / "report.html").string();
    pxe::test::write_file(html_, render_html(sample_report()));
  }
  // Headless chromium with a fresh profile and nothing fetched in the background.
  int chromium(const std::string& args, std::string* out) {
    std::string profile = (*dir_ / ("profile-" + std::to_string(++runs_))).string();
    std::string cmd = "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic "
                      "--no-first-run --disable-background-networking "
                      "--disable-component-update --disable-sync --hide-scrollbars "
                      "--user-data-dir='" + profile + "' " + args + " 'file://" + html_ +
                      "' 2>/dev/null";
    return run(cmd, out);
  }
  std::optional<pxe::test::TempDir> dir_;  // made once chromium is known to be there
  std::string html_;
  int runs_ = 0;
};

TEST_F(ChromiumHtml, RenderedDomHasTheLadderArrowsAndTheVerdict) {
  std::string dom;
  ASSERT_EQ(chromium("--dump-dom", &dom), 0);
  ASSERT_FALSE(dom.empty());
  EXPECT_EQ(count(dom, "<svg class=\"ladder\""), 2u);
  EXPECT_EQ(count(dom, "class=\"arrow "), 8u);  // one per LadderStep
  EXPECT_EQ(count(dom, "class=\"arrow rep failing\""), 2u);
  EXPECT_EQ(count(dom, "class=\"arrow rep noise\""), 1u);
  EXPECT_NE(dom.find("FAILED"), std::string::npos);
  EXPECT_NE(dom.find("PXE-E53: No boot filename received"), std::string::npos);
  EXPECT_NE(dom.find("no-boot-filename"), std::string::npos);
  // The label from the wire stayed text: the browser made no script element of it.
  EXPECT_EQ(dom.find("<script"), std::string::npos);
  EXPECT_NE(dom.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
}

TEST_F(ChromiumHtml, ScreenshotIsAPngOfThePage) {
  std::string shot = (*dir_ / "shot.png").string();
  ASSERT_EQ(chromium("--screenshot='" + shot + "' --window-size=1280,2000", nullptr), 0);
  ASSERT_TRUE(fs::exists(shot)) << "chromium wrote no screenshot";
  std::string png = pxe::test::read_file(shot);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: width and height, big-endian, at bytes 16..23.
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(png[at])) << 24) |
           (std::uint32_t(std::uint8_t(png[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(png[at + 2])) << 8) | std::uint8_t(png[at + 3]);
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 2000u);
  // A blank page compresses to a few kilobytes; tables, text and the ladder do not.
  EXPECT_GT(png.size(), 20000u);
}

}  // namespace
}  // namespace pxe::diag
