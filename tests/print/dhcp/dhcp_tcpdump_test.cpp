// Cross-check against the real tcpdump: every sample (and every truncation of the seed DISCOVER)
// goes into a pcap, `tcpdump -nn -vv` prints it, and our text must match character for character
// except for the options we decode further (listed in masked_option()).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "print/dhcp/dhcp_print.h"
#include "support/test_paths.h"
#include "wire/dhcp/dhcp_samples.h"

namespace pxe::print {
namespace {

using namespace pxe::test::dhcp;

void le32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char(v >> (8 * i)));
}
void le16(std::string& s, std::uint16_t v) {
  s.push_back(char(v));
  s.push_back(char(v >> 8));
}
void be16(std::string& s, std::uint16_t v) {
  s.push_back(char(v >> 8));
  s.push_back(char(v));
}

// A pcap (DLT_EN10MB) with one UDP 68 -> 67 datagram per payload; lengths are consistent so
// tcpdump sees each payload as the whole datagram.
std::string make_pcap(const std::vector<Bytes>& payloads) {
  std::string f;
  le32(f, 0xa1b2c3d4);
  le16(f, 2);
  le16(f, 4);
  le32(f, 0);
  le32(f, 0);
  le32(f, 262144);
  le32(f, 1);
  std::uint32_t ts = 0;
  for (const Bytes& p : payloads) {
    std::string fr("\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x00", 14);
    std::string ip;
    ip += "\x45";
    ip.push_back(0);
    be16(ip, std::uint16_t(28 + p.size()));
    ip.append("\0\0\0\0\x40\x11\0\0", 8);
    ip.append("\0\0\0\0\xff\xff\xff\xff", 8);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2) sum += std::uint8_t(ip[i]) << 8 | std::uint8_t(ip[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = char(~sum >> 8);
    ip[11] = char(~sum);
    std::string udp;
    be16(udp, 68);
    be16(udp, 67);
    be16(udp, std::uint16_t(8 + p.size()));
    be16(udp, 0);
    fr += ip + udp;
    fr.append(reinterpret_cast<const char*>(p.data()), p.size());
    le32(f, ts++);
    le32(f, 0);
    le32(f, std::uint32_t(fr.size()));
    le32(f, std::uint32_t(fr.size()));
    f += fr;
  }
  return f;
}

// tcpdump's BOOTP text per packet: from after "[no cksum] " to the start of the next packet.
std::vector<std::string> tcpdump_texts(const std::string& pcap_path) {
  std::string out;
  int rc = pxe::test::run("tcpdump -nn -vv -r " + pcap_path + " 2>/dev/null", &out);
  EXPECT_EQ(rc, 0);
  std::vector<std::string> texts;
  std::size_t pos = 0;
  while (true) {
    std::size_t start = out.find("[no cksum] ", pos);
    if (start == std::string::npos) break;
    start += 11;
    // Next packet header line starts at column 0 with a timestamp.
    std::size_t next = start;
    while (true) {
      next = out.find('\n', next);
      if (next == std::string::npos || next + 1 >= out.size() || (out[next + 1] != '\t' && out[next + 1] != ' ')) break;
      ++next;
    }
    std::size_t end = next == std::string::npos ? out.size() : next;
    texts.push_back(out.substr(start, end - start));
    pos = end;
  }
  return texts;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::size_t pos = 0;
  while (true) {
    std::size_t nl = s.find('\n', pos);
    v.push_back(s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return v;
}

// Options whose value we print differently on purpose (see docs/dhcp-decoding.md).
bool masked_option(unsigned code, bool pxe) {
  return (code == 43 && pxe) || code == 77 || code == 93 || code == 175 || (code >= 208 && code <= 211);
}

// Drops the header and sub-lines of masked options and our overload sections.
std::string mask(const std::string& text, bool pxe) {
  std::string out;
  bool skipping = false;
  for (const std::string& l : lines(text)) {
    if (l.rfind("\t  Options in ", 0) == 0) break;  // our overload sections run to the end
    if (l.rfind("\t    ", 0) == 0 && l.rfind("\t      ", 0) != 0) {
      skipping = false;
      std::size_t open = l.find(" (");
      std::size_t close = l.find("), length ");
      if (open != std::string::npos && close != std::string::npos && close > open) {
        unsigned code = unsigned(std::stoul(l.substr(open + 2, close - open - 2)));
        if (masked_option(code, pxe)) {
          skipping = true;
          out += "<masked option " + std::to_string(code) + ">\n";
          continue;
        }
      }
    } else if (skipping && (l.rfind("\t      ", 0) == 0 || l.rfind("\t\t", 0) == 0 ||
                            l.rfind("\t  trailing", 0) == 0)) {
      continue;
    } else {
      skipping = false;
    }
    out += l + "\n";
  }
  return out;
}

class TcpdumpCrossCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pxe::test::have_program("tcpdump")) GTEST_SKIP() << "tcpdump not installed: cross-check skipped";
  }

  void check(const std::vector<std::pair<std::string, Bytes>>& cases, const std::string& file) {
    std::vector<Bytes> payloads;
    for (const auto& c : cases) payloads.push_back(c.second);
    std::string path = std::string(PXE_BINARY_DIR) + "/" + file;
    pxe::test::write_file(path, make_pcap(payloads));
    auto texts = tcpdump_texts(path);
    ASSERT_EQ(texts.size(), cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
      std::string ours;
      dhcp_text(cases[i].second, ours);
      bool pxe = texts[i].find("Vendor-Class (60), length ") != std::string::npos &&
                 texts[i].find(": \"PXEClient") != std::string::npos;
      EXPECT_EQ(mask(ours, pxe), mask(texts[i], pxe)) << cases[i].first;
    }
  }
};

TEST_F(TcpdumpCrossCheck, SamplesMatchTcpdump) { check(all_samples(), "dhcp_samples.pcap"); }

TEST_F(TcpdumpCrossCheck, EdgeCasesMatchTcpdump) { check(edge_cases(), "dhcp_edge_cases.pcap"); }

TEST_F(TcpdumpCrossCheck, EveryTruncationOfTheSeedDiscoverMatchesTcpdump) {
  std::vector<std::pair<std::string, Bytes>> cases;
  Bytes full = intel_discover();
  for (std::size_t n = 0; n <= 320; ++n)
    cases.push_back({"intel_discover cut at " + std::to_string(n), Bytes(full.begin(), full.begin() + long(n))});
  check(cases, "dhcp_truncated.pcap");
}

TEST_F(TcpdumpCrossCheck, TruncationsOfOtherSamplesMatchTcpdump) {
  std::vector<std::pair<std::string, Bytes>> cases;
  for (const auto& [name, full] : all_samples())
    for (std::size_t n = 200; n < full.size() && n < 420; n += 3)
      cases.push_back({name + " cut at " + std::to_string(n), Bytes(full.begin(), full.begin() + long(n))});
  check(cases, "dhcp_truncated2.pcap");
}

}  // namespace
}  // namespace pxe::print
