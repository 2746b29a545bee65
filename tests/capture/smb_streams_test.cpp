// NBSS framing of a TCP stream's bytes: messages, resync after lost framing, and the cost of
// resync on hostile input.
#include "capture/smb_streams.h"

#include <gtest/gtest.h>

#include <string>

using namespace pxe;
using namespace pxe::capture;

namespace {

// One NBSS session message carrying a (minimal) SMB2 header start.
Bytes nbss_message(std::size_t smb_len) {
  Bytes b = {0, std::uint8_t(smb_len >> 16), std::uint8_t(smb_len >> 8), std::uint8_t(smb_len)};
  Bytes smb(smb_len, 0x11);
  if (smb_len >= 4) smb[0] = 0xfe, smb[1] = 'S', smb[2] = 'M', smb[3] = 'B';
  b.insert(b.end(), smb.begin(), smb.end());
  return b;
}

SmbStreams::Split split(const Bytes& b, std::vector<SmbStreams::Message>& out) {
  return SmbStreams::split(ByteSpan(b.data(), b.size()), true, &out);
}

}  // namespace

TEST(NbssFraming, HandsOnWholeMessagesAndKeepsAPartialOne) {
  Bytes stream = nbss_message(64);
  Bytes second = nbss_message(100);
  stream.insert(stream.end(), second.begin(), second.begin() + 50);  // the rest is still in flight
  std::vector<SmbStreams::Message> out;
  auto r = split(stream, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), 64u);
  EXPECT_EQ(out[0].nbss_type, 0);
  EXPECT_TRUE(out[0].from_client);
  EXPECT_EQ(r.consumed, 68u);  // the partial message stays buffered
}

TEST(NbssFraming, SkipsGarbageToTheNextPlausibleHeader) {
  Bytes stream(37, 0x42);  // capture began mid-stream
  Bytes m = nbss_message(64);
  stream.insert(stream.end(), m.begin(), m.end());
  std::vector<SmbStreams::Message> out;
  auto r = split(stream, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), 64u);
  EXPECT_EQ(r.consumed, stream.size());
}

TEST(NbssFraming, KeepsTheLastSevenBytesOfGarbageForAHeaderThatStraddlesSegments) {
  Bytes stream(100, 0x42);
  std::vector<SmbStreams::Message> out;
  auto r = split(stream, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(r.consumed, 93u);
}

TEST(NbssFraming, NeverStepsBackIntoAMessageAlreadyHandedOn) {
  // A message, then 5 bytes that are not a header: the 7-byte tail kept for the next segment
  // must not reach back into the message's last bytes.
  Bytes stream = nbss_message(16);
  stream.insert(stream.end(), {0x42, 0x42, 0x42, 0x42, 0x42});
  std::vector<SmbStreams::Message> out;
  auto r = split(stream, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(r.consumed, 20u);
}

// 1 MiB of tiny messages each followed by a stray byte: every message loses framing once.
// A resync that copies the rest of the buffer makes this ~10^10 byte copies; a cursor makes it
// a few steps per byte.
TEST(NbssFraming, ResyncOnAMegabyteOfHostileBytesIsLinear) {
  Bytes stream;
  const Bytes m = nbss_message(4);
  while (stream.size() < (1u << 20)) {
    stream.insert(stream.end(), m.begin(), m.end());
    stream.push_back(0x42);
  }
  std::vector<SmbStreams::Message> out;
  auto r = split(stream, out);
  EXPECT_EQ(out.size(), stream.size() / (m.size() + 1));
  EXPECT_GE(r.consumed, stream.size() - 7);
  EXPECT_LE(r.examined, 2 * stream.size()) << "resync is not linear in the buffered bytes";
}

TEST(NbssFraming, AMegabyteOfGarbageIsScannedOnce) {
  // Every 8th byte starts a type-0 header whose payload begins 0xfe but is not "\xfeSMB".
  Bytes stream(1u << 20, 0x42);
  for (std::size_t i = 0; i + 4 < stream.size(); i += 8) stream[i] = 0, stream[i + 4] = 0xfe;
  std::vector<SmbStreams::Message> out;
  auto r = split(stream, out);
  EXPECT_TRUE(out.empty());
  EXPECT_GE(r.consumed, stream.size() - 7);
  EXPECT_LE(r.examined, 2 * stream.size());
}
