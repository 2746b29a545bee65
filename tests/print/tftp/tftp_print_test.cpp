#include "print/tftp/tftp_print.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace pxe;

namespace {
std::string text(std::string_view s) {
  std::string out;
  print::tftp_text(as_bytes(s), out);
  return out;
}
nlohmann::json json(std::string_view s) {
  std::string out;
  JsonWriter w(out);
  print::tftp_json(as_bytes(s), w);
  return nlohmann::json::parse(out);
}
}  // namespace

// Expected strings are what tcpdump 4.99 -vv prints for the same payloads.
TEST(TftpPrint, RequestLikeTcpdump) {
  EXPECT_EQ(text(std::string("\0\x01" "boot/pxelinux.0\0octet\0tsize\0" "0\0blksize\0" "1408\0", 45)),
            "TFTP, length 45, RRQ \"boot/pxelinux.0\" octet tsize 0 blksize 1408");
}

TEST(TftpPrint, OackAckDataLikeTcpdump) {
  EXPECT_EQ(text(std::string("\0\x06tsize\0" "42\0blksize\0" "1408\0", 24)),
            "TFTP, length 24, OACK tsize 42 blksize 1408");
  EXPECT_EQ(text(std::string("\0\x04\0\0", 4)), "TFTP, length 4, ACK block 0");
  EXPECT_EQ(text(std::string("\0\x03\0\x01xxxxxxxxxx", 14)), "TFTP, length 14, DATA block 1");
}

TEST(TftpPrint, ErrorsLikeTcpdumpAndNamesOptionRefusal) {
  EXPECT_EQ(text(std::string("\0\x05\0\0TFTP Aborted\0", 17)),
            "TFTP, length 17, ERROR EUNDEF \"TFTP Aborted\"");
  EXPECT_EQ(text(std::string("\0\x05\0\x01" "file not found\0", 19)),
            "TFTP, length 19, ERROR ENOTFOUND \"file not found\"");
  // tcpdump prints code 8 as `tftp-err-#8 " "User aborted...`; RFC 2347 defines it.
  EXPECT_EQ(text(std::string("\0\x05\0\x08User aborted the transfer\0", 30)),
            "TFTP, length 30, ERROR EOPTNEG \"User aborted the transfer\"");
  EXPECT_EQ(text(std::string("\0\x05\0\x09x\0", 6)), "TFTP, length 6, ERROR tftp-err-#9 \"x\"");
}

TEST(TftpPrint, TruncatedAndUnknown) {
  EXPECT_EQ(text(std::string("\0\x01" "foo", 5)), "TFTP, length 5, RRQ \"foo\" [|tftp]");
  EXPECT_EQ(text(std::string("\0\x09" "abc", 5)), "TFTP, length 5, tftp-#9");
  EXPECT_EQ(text(std::string("\0", 1)), "TFTP, length 1 [|tftp]");
  EXPECT_EQ(text(std::string("\0\x03\0", 3)), "TFTP, length 3, DATA [|tftp]");
}

TEST(TftpPrint, JsonNamedFields) {
  auto j = json(std::string("\0\x01" "pxelinux.0\0octet\0tsize\0" "0\0", 27));
  EXPECT_EQ(j["opcode"], "RRQ");
  EXPECT_EQ(j["file"], "pxelinux.0");
  EXPECT_EQ(j["mode"], "octet");
  EXPECT_EQ(j["options"]["tsize"], "0");

  j = json(std::string("\0\x03\0\x07" "abcd", 8));
  EXPECT_EQ(j["opcode"], "DATA");
  EXPECT_EQ(j["block"], 7);
  EXPECT_EQ(j["length"], 4);

  j = json(std::string("\0\x05\0\x01nope\0", 9));
  EXPECT_EQ(j["error_code"], 1);
  EXPECT_EQ(j["error_message"], "nope");

  j = json(std::string("\0\x01" "foo", 5));
  EXPECT_EQ(j["opcode"], "RRQ");
  EXPECT_TRUE(j.contains("error"));
}
