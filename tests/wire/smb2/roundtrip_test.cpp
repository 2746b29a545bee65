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

// Every prefix of every recorded message is either decoded or reported as an Error; the
// sanitizer build turns any out-of-bounds read into a failure here.
TEST(Smb2RoundTrip, EveryTruncationFailsCleanly) {
  for (const auto& [name, framed] : test::smb2_fixtures()) {
    ByteSpan whole(framed);
    for (std::size_t n = 0; n < whole.size(); ++n) {
      ByteSpan cut = whole.first(n);
      (void)parse_nbss(cut);
      if (n < 4) continue;
      ByteSpan msg = cut.subspan(4);
      (void)parse_smb1(msg);
      (void)parse_transform_header(msg);
      Chain c = split_chain(msg);
      for (const auto& e : c.elements) {
        auto h = parse_header(e.pdu);
        if (h) (void)parse_body(*h, e.pdu);
      }
    }
  }
}

}  // namespace
}  // namespace pxe::wire::smb2
