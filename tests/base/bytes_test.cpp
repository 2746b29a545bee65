#include "base/addr.h"
#include "base/bytes.h"
#include "base/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace pxe;

TEST(ByteReader, ReadsBigAndLittleEndian) {
  const std::uint8_t d[] = {1, 2, 3, 4, 5, 6, 7, 8};
  ByteReader r(d);
  EXPECT_EQ(r.u16be(), 0x0102);
  EXPECT_EQ(r.u16le(), 0x0403);
  EXPECT_EQ(r.u32be(), 0x05060708u);
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.failed());
}

TEST(ByteReader, ShortReadFailsStickyAndRemembersOffset) {
  const std::uint8_t d[] = {1, 2, 3};
  ByteReader r(d);
  EXPECT_EQ(r.u16be(), 0x0102);
  EXPECT_EQ(r.u32be(), 0u);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.fail_offset(), 2u);
  EXPECT_EQ(r.u8(), 0);  // stays failed even though a byte is left
  EXPECT_TRUE(r.take(1).empty());
}

TEST(ByteWriter, WritesFieldsAndPatches) {
  ByteWriter w;
  w.u16be(0x0102);
  w.u32le(0x0a0b0c0d);
  w.fixed_str("ab", 4);
  w.put_u16le_at(0, 0xbeef);
  EXPECT_EQ(w.data(), (Bytes{0xef, 0xbe, 0x0d, 0x0c, 0x0b, 0x0a, 'a', 'b', 0, 0}));
}

TEST(Addresses, FormatAndParse) {
  EXPECT_EQ(Ipv4(192, 168, 42, 17).str(), "192.168.42.17");
  EXPECT_EQ(Ipv4(0u).str(), "0.0.0.0");
  EXPECT_EQ(Ipv4::parse("255.255.255.255")->value, 0xffffffffu);
  EXPECT_FALSE(Ipv4::parse("256.1.1.1"));
  EXPECT_FALSE(Ipv4::parse("1.2.3"));
  EXPECT_FALSE(Ipv4::parse("1.2.3.4x"));
  auto m = Mac::parse("20:6a:8a:0f:74:75");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->str(), "20:6a:8a:0f:74:75");
  EXPECT_FALSE(Mac::parse("20:6a:8a:0f:74"));
  EXPECT_EQ(hex(Bytes{0x01, 0xab}, ':'), "01:ab");
}

TEST(JsonWriter, ProducesValidJsonWithEscapes) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("s", std::string_view("a\"b\\c\n\x01\xff"))
      .field("n", 42)
      .field("neg", -1)
      .field("b", true);
  w.key("arr").begin_array().value(1).value("x").begin_object().end_object().end_array();
  w.key("z").null();
  w.end_object();
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["s"], std::string("a\"b\\c\n\x01\xc3\xbf"));
  EXPECT_EQ(j["n"], 42);
  EXPECT_EQ(j["neg"], -1);
  EXPECT_EQ(j["arr"].size(), 3u);
  EXPECT_TRUE(j["z"].is_null());
}
