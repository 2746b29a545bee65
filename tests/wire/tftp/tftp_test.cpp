#include "wire/tftp/tftp.h"

#include <gtest/gtest.h>

#include <string>

using namespace pxe;
using namespace pxe::wire::tftp;

namespace {
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }
// A string literal with its embedded NULs, sized by the compiler (not by hand).
template <std::size_t N>
std::string lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}
// The BIOS ROM's first RRQ from the seed: "boot/pxelinux.0" octet tsize 0.
const std::string kSeedRrq = lit("\0\x01" "boot/pxelinux.0\0octet\0tsize\0" "0\0");
}  // namespace

TEST(TftpCodec, ParsesSeedRrqWithTsizeOption) {
  Bytes b = bytes_of(kSeedRrq);
  auto p = parse(b);
  ASSERT_TRUE(p) << p.error().what;
  auto& req = std::get<Request>(*p);
  EXPECT_FALSE(req.write);
  EXPECT_EQ(req.filename, "boot/pxelinux.0");
  EXPECT_EQ(req.mode, "octet");
  ASSERT_EQ(req.options.size(), 1u);
  EXPECT_EQ(req.options[0], (Option{"tsize", "0"}));
  EXPECT_EQ(opcode_of(*p), Opcode::Rrq);
}

TEST(TftpCodec, RoundTripsEveryOpcodeByteExact) {
  std::vector<std::string> packets = {
      kSeedRrq,
      lit("\0\x02up.bin\0netascii\0"),
      lit("\0\x03\0\x01hello"),
      lit("\0\x03\xff\xff"),  // empty final block at the wrap point
      lit("\0\x04\0\0"),
      lit("\0\x05\0\x01" "file not found\0"),
      lit("\0\x06tsize\0" "26624\0blksize\0" "1408\0windowsize\0" "4\0"),
  };
  for (const auto& s : packets) {
    Bytes b = bytes_of(s);
    auto p = parse(b);
    ASSERT_TRUE(p) << p.error().what;
    EXPECT_EQ(encode(*p), b);
  }
}

TEST(TftpCodec, DataPayloadAndBlock) {
  Bytes b = bytes_of(lit("\0\x03\x01\x02" "abc"));
  auto p = parse(b);
  ASSERT_TRUE(p);
  auto& d = std::get<Data>(*p);
  EXPECT_EQ(d.block, 0x0102);
  EXPECT_EQ(std::string(d.payload.begin(), d.payload.end()), "abc");
}

TEST(TftpCodec, ErrorFields) {
  Bytes b = bytes_of(lit("\0\x05\0\x08User aborted the transfer\0"));
  auto p = parse(b);
  ASSERT_TRUE(p);
  auto& e = std::get<ErrorPacket>(*p);
  EXPECT_EQ(e.code, 8);
  EXPECT_EQ(e.message, "User aborted the transfer");
}

TEST(TftpCodec, FindsOptionsCaseInsensitively) {
  Bytes b = bytes_of(lit("\0\x01" "f\0OCTET\0BLKSIZE\0" "1468\0"));
  auto p = parse(b);
  ASSERT_TRUE(p);
  auto& req = std::get<Request>(*p);
  const Option* o = find_option(req.options, "blksize");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->value, "1468");
  EXPECT_EQ(find_option(req.options, "tsize"), nullptr);
}

TEST(TftpCodec, RejectsMalformedWithOffset) {
  struct Case {
    std::string bytes;
    std::string what;
  };
  std::vector<Case> cases = {
      {lit("\0"), "opcode"},
      {lit("\0\x01" "foo"), "filename: missing NUL"},
      {lit("\0\x01" "foo\0oct"), "mode: missing NUL"},
      {lit("\0\x01" "foo\0octet\0tsize\0"), "option value: missing NUL"},
      {lit("\0\x03\x01"), "DATA shorter"},
      {lit("\0\x04\0\x01\0"), "trailing"},
      {lit("\0\x05\0\x01oops"), "error message: missing NUL"},
      {lit("\0\x05\0\x01oops\0x"), "ERROR with trailing bytes"},
      {lit("\0\x09"), "unknown TFTP opcode 9"},
  };
  for (const auto& c : cases) {
    Bytes b = bytes_of(c.bytes);
    auto p = parse(b);
    ASSERT_FALSE(p) << c.what;
    EXPECT_NE(p.error().what.find(c.what), std::string::npos) << p.error().what;
    EXPECT_LE(p.error().offset, b.size());
  }
}

TEST(TftpCodec, EveryTruncationOfAValidRequestIsHandled) {
  Bytes b = bytes_of(kSeedRrq);
  // Cut right after "octet\0" the request is complete without options; every other cut is an
  // error (never a crash or an out-of-bounds read, which the ASan build checks).
  const std::size_t after_mode = 2 + 16 + 6;
  for (std::size_t n = 0; n < b.size(); ++n) {
    auto p = parse(ByteSpan(b.data(), n));
    if (n == after_mode) {
      ASSERT_TRUE(p);
      EXPECT_TRUE(std::get<Request>(*p).options.empty());
    } else {
      EXPECT_FALSE(p) << "prefix of length " << n << " should not parse";
    }
  }
}
