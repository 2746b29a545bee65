// Every recorded PDU decodes, and re-encoding the decoded values gives the same bytes.
#include <gtest/gtest.h>

#include "base/addr.h"
#include "wire/smb2/message.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/smb1.h"
#include "wire/smb2/smb2_fixtures.h"

namespace pxe::wire::smb2 {
namespace {

TEST(Smb2RoundTrip, FixturesLoad) {
  EXPECT_GE(test::smb2_fixtures().size(), 60u);
}

TEST(Smb2RoundTrip, EveryRecordedPduDecodesAndReencodesByteExact) {
  int pdus = 0;
  for (const auto& [name, framed] : test::smb2_fixtures()) {
    SCOPED_TRACE(name);
    auto frame = parse_nbss(framed);
    ASSERT_TRUE(frame.ok()) << frame.error().what;
    if (sniff(frame->payload) != Protocol::Smb2) continue;
    Chain chain = split_chain(frame->payload);
    ASSERT_FALSE(chain.failed) << chain.error.what;
    for (const auto& e : chain.elements) {
      auto h = parse_header(e.pdu);
      ASSERT_TRUE(h.ok()) << h.error().what;
      auto body = parse_body(*h, e.pdu);
      ASSERT_TRUE(body.ok()) << body.error().what << " at " << body.error().offset;
      Bytes again = encode_pdu(*h, *body);
      EXPECT_EQ(hex(again), hex(e.pdu));
      ++pdus;
    }
  }
  EXPECT_GE(pdus, 60);
}

TEST(Smb2RoundTrip, NbssFramingReencodes) {
  for (const auto& [name, framed] : test::smb2_fixtures()) {
    auto frame = parse_nbss(framed);
    ASSERT_TRUE(frame.ok());
    ByteWriter w;
    encode_nbss(w, frame->payload, frame->type);
    EXPECT_EQ(w.data(), framed) << name;
  }
}

// Every strict prefix of every recorded message is refused where the bytes run out: NBSS
// because its length promises more, an SMB2 header cut short is never read, and any error points
// inside the bytes it was given. The sanitizer build also turns an out-of-bounds read into a
// failure here.
TEST(Smb2RoundTrip, EveryTruncationFailsCleanly) {
  std::size_t cuts = 0, short_headers = 0, smb2_fixtures = 0;
  for (const auto& [name, framed] : test::smb2_fixtures()) {
    SCOPED_TRACE(name);
    ByteSpan whole(framed);
    bool smb2 = whole.size() > 4 + kHeaderSize && sniff(whole.subspan(4)) == Protocol::Smb2;
    smb2_fixtures += smb2;
    for (std::size_t n = 0; n < whole.size(); ++n) {
      ByteSpan cut = whole.first(n);
      auto nbss = parse_nbss(cut);
      ASSERT_FALSE(nbss.ok()) << "a frame cut at " << n << " of " << whole.size() << " was accepted";
      EXPECT_LE(nbss.error().offset, cut.size());
      ++cuts;
      if (n < 4) continue;
      ByteSpan msg = cut.subspan(4);
      if (auto m = parse_smb1(msg); !m) {
        EXPECT_LE(m.error().offset, msg.size());
      }
      if (auto t = parse_transform_header(msg); !t) {
        EXPECT_LE(t.error().offset, msg.size());
      }
      Chain c = split_chain(msg);
      if (c.failed) {
        EXPECT_LE(c.error.offset, msg.size()) << "cut at " << n;
      }
      bool header_read = false;
      for (const auto& e : c.elements) {
        ASSERT_LE(e.offset + e.pdu.size(), msg.size()) << "cut at " << n;
        auto h = parse_header(e.pdu);
        if (!h) {
          EXPECT_LE(h.error().offset, e.pdu.size());
          continue;
        }
        header_read = true;
        if (auto body = parse_body(*h, e.pdu); !body) {
          EXPECT_LE(body.error().offset, e.pdu.size()) << "cut at " << n;
        }
      }
      if (smb2 && msg.size() < kHeaderSize) {
        EXPECT_FALSE(header_read) << "a 64-byte SMB2 header was read from " << msg.size() << " bytes";
        ++short_headers;
      }
    }
  }
  EXPECT_GT(smb2_fixtures, 0u);
  EXPECT_EQ(short_headers, smb2_fixtures * kHeaderSize);  // each SMB2 fixture cut inside its header
  EXPECT_GT(cuts, smb2_fixtures * kHeaderSize);
}

}  // namespace
}  // namespace pxe::wire::smb2
