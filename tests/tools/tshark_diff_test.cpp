// Differential test against tshark: for every capture, the DHCP message types, options,
// addresses and file names, TFTP opcodes/blocks/files/options/errors, ARP, ICMP and SMB2 fields
// that `pxekit decode --format json` reports must agree with `tshark -T fields` on the same file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_paths.h"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // keeps TFTP options in wire order
using namespace pxe::test;

namespace {

const std::vector<std::string> kFields = {
    "frame.number",      "dhcp.option.dhcp",  "dhcp.option.type",   "dhcp.ip.client",
    "dhcp.ip.your",      "dhcp.ip.server",    "dhcp.ip.relay",      "dhcp.file",
    "tftp.opcode",       "tftp.source_file",  "tftp.destination_file", "tftp.block",
    "tftp.error.code",   "tftp.option.name",  "tftp.option.value",  "arp.opcode",
    "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "icmp.type",        "icmp.code",
    "smb2.cmd",          "smb2.nt_status",    "smb2.msg_id",        "smb2.sesid"};

using Row = std::map<std::string, std::string>;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

// Captures with SMB on a port tshark does not decode as NBSS by itself: tshark is told (Decode
// As); pxekit finds it by content.
const std::map<std::string, std::string> kDecodeAs = {
    {"smb2-pxekit-port-4445.pcap", "tcp.port==4445,nbss"}};

std::map<std::uint64_t, Row> tshark_rows(const std::string& pcap, const std::string& name) {
  std::string cmd = "tshark -n -r '" + pcap + "' -T fields -E separator=/t -E occurrence=a -E aggregator=,";
  if (auto it = kDecodeAs.find(name); it != kDecodeAs.end()) cmd += " -d " + it->second;
  for (const auto& f : kFields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::string out;
  EXPECT_EQ(run(cmd, &out), 0) << cmd;
  std::map<std::uint64_t, Row> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto cols = split(line, '\t');
    cols.resize(kFields.size());
    Row r;
    for (std::size_t i = 0; i < kFields.size(); ++i) r[kFields[i]] = cols[i];
    rows[std::stoull(cols[0])] = r;
  }
  return rows;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

// tshark prints DHCP/SMB numbers in decimal or 0x-hex depending on the field; normalise.
std::string num(const std::string& s) {
  if (s.empty()) return s;
  return std::to_string(std::stoull(s, nullptr, 0));
}

std::string nums(const std::string& list) {
  std::vector<std::string> v;
  for (const auto& x : split(list, ',')) v.push_back(num(x));
  return join(v);
}

std::string strip_options(const std::string& list) {
  std::vector<std::string> v;
  for (const auto& x : split(list, ','))
    if (x != "0" && x != "255" && !x.empty()) v.push_back(x);
  return join(v);
}

class TsharkDiff : public ::testing::TestWithParam<std::string> {};

TEST_P(TsharkDiff, FieldsAgreeWithTshark) {
  if (!have_program("tshark")) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
  std::string pcap = captures_dir() + "/" + GetParam();
  auto theirs = tshark_rows(pcap, GetParam());
  std::string out;
  ASSERT_EQ(run(pxekit_binary() + " decode --format json '" + pcap + "'", &out), 0);
  std::istringstream in(out);
  std::string line;
  std::size_t compared_dhcp = 0, compared_tftp = 0, compared_other = 0;
  while (std::getline(in, line)) {
    json j = json::parse(line);
    std::uint64_t n = j["frame"];
    ASSERT_TRUE(theirs.count(n)) << "tshark has no frame " << n;
    Row& t = theirs[n];
    SCOPED_TRACE("frame " + std::to_string(n));
    // A sender's UDP GSO frame is one datagram to tshark (a DATA of its first block) and one
    // line per datagram it holds to us: the first line is the one to compare.
    if (j.contains("udp") && j["udp"].contains("gso") && j["udp"]["gso"]["datagram"] != 1) continue;
    if (!t["dhcp.option.type"].empty()) {
      EXPECT_TRUE(j.contains("dhcp")) << "tshark decoded DHCP where we did not";
    }
    if (!t["smb2.cmd"].empty()) {
      EXPECT_TRUE(j.contains("smb2")) << "tshark decoded SMB2 where we did not";
    }
    if (j.contains("dhcp") && !t["dhcp.option.type"].empty()) {
      const json& d = j["dhcp"];
      std::vector<std::string> codes;
      for (const auto& o : d["options"]) codes.push_back(std::to_string(o["code"].get<int>()));
      EXPECT_EQ(strip_options(join(codes)), strip_options(t["dhcp.option.type"]));
      if (!t["dhcp.option.dhcp"].empty()) {
        static const std::map<std::string, int> types = {
            {"Discover", 1}, {"Offer", 2}, {"Request", 3}, {"Decline", 4}, {"ACK", 5},
            {"NAK", 6},      {"Release", 7}, {"Inform", 8}};
        ASSERT_TRUE(d.contains("message_type"));
        EXPECT_EQ(std::to_string(types.at(d["message_type"].get<std::string>())), t["dhcp.option.dhcp"]);
      }
      EXPECT_EQ(d["ciaddr"], t["dhcp.ip.client"]);
      EXPECT_EQ(d["yiaddr"], t["dhcp.ip.your"]);
      EXPECT_EQ(d["siaddr"], t["dhcp.ip.server"]);
      EXPECT_EQ(d["giaddr"], t["dhcp.ip.relay"]);
      EXPECT_EQ(d["file"].get<std::string>(), t["dhcp.file"]);
      ++compared_dhcp;
    }
    // tshark also decodes the datagram quoted inside an ICMP error; we report it as the
    // ICMP's "orig", so TFTP fields are compared on frames that carry TFTP themselves.
    if (j.contains("tftp") && !j.contains("icmp")) {
      const json& f = j["tftp"];
      static const std::map<std::string, int> op = {{"RRQ", 1}, {"WRQ", 2}, {"DATA", 3},
                                                   {"ACK", 4}, {"ERROR", 5}, {"OACK", 6}};
      ASSERT_TRUE(f.contains("opcode"));
      EXPECT_EQ(std::to_string(op.at(f["opcode"].get<std::string>())), t["tftp.opcode"]);
      if (f.contains("file")) {
        std::string theirs_file = t["tftp.source_file"].empty() ? t["tftp.destination_file"]
                                                                : t["tftp.source_file"];
        EXPECT_EQ(f["file"].get<std::string>(), theirs_file);
      }
      if (f.contains("block")) {
        EXPECT_EQ(std::to_string(f["block"].get<int>()), t["tftp.block"]);
      }
      if (f.contains("error_code")) {
        EXPECT_EQ(std::to_string(f["error_code"].get<int>()), t["tftp.error.code"]);
      }
      if (f.contains("options")) {
        std::vector<std::string> names, values;
        for (auto it = f["options"].begin(); it != f["options"].end(); ++it) {
          names.push_back(it.key());
          values.push_back(it.value().get<std::string>());
        }
        EXPECT_EQ(join(names), t["tftp.option.name"]);
        EXPECT_EQ(join(values), t["tftp.option.value"]);
      }
      ++compared_tftp;
    } else if (!j.contains("icmp") && j.contains("udp")) {
      EXPECT_TRUE(t["tftp.opcode"].empty()) << "tshark saw TFTP where we did not";
    }
    if (j.contains("arp")) {
      EXPECT_EQ(j["arp"]["op"] == "request" ? "1" : "2", t["arp.opcode"]);
      EXPECT_EQ(j["arp"]["sender_ip"], t["arp.src.proto_ipv4"]);
      EXPECT_EQ(j["arp"]["target_ip"], t["arp.dst.proto_ipv4"]);
      ++compared_other;
    }
    if (j.contains("icmp")) {
      std::string types = split(t["icmp.type"], ',')[0], codes = split(t["icmp.code"], ',')[0];
      EXPECT_EQ(std::to_string(j["icmp"]["type"].get<int>()), types);
      EXPECT_EQ(std::to_string(j["icmp"]["code"].get<int>()), codes);
      ++compared_other;
    }
    if (j.contains("smb2")) {
      std::vector<std::string> cmd, status, mid, sid;
      for (const auto& p : j["smb2"]) {
        cmd.push_back(std::to_string(p["command_code"].get<int>()));
        // tshark shows NT status on responses only (in requests the field is reserved).
        if (p["is_response"].get<bool>())
          status.push_back(std::to_string(p["status_code"].get<std::uint64_t>()));
        mid.push_back(std::to_string(p["message_id"].get<std::uint64_t>()));
        sid.push_back(std::to_string(p["session_id"].get<std::uint64_t>()));
      }
      EXPECT_EQ(join(cmd), nums(t["smb2.cmd"]));
      EXPECT_EQ(join(status), nums(t["smb2.nt_status"]));
      EXPECT_EQ(join(mid), nums(t["smb2.msg_id"]));
      EXPECT_EQ(join(sid), nums(t["smb2.sesid"]));
      ++compared_other;
    }
  }
  RecordProperty("dhcp", int(compared_dhcp));
  RecordProperty("tftp", int(compared_tftp));
  EXPECT_GT(compared_dhcp + compared_tftp + compared_other, 0u) << "nothing was compared";
}

std::vector<std::string> pcaps() {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(captures_dir()))
    if (e.path().extension() == ".pcap" || e.path().extension() == ".pcapng")
      v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

INSTANTIATE_TEST_SUITE_P(Captures, TsharkDiff, ::testing::ValuesIn(pcaps()), [](const auto& param_info) {
  std::string n = fs::path(param_info.param).stem().string();
  std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(c); }, '_');
  return n;
});

}  // namespace
