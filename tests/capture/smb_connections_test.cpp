// SMB by content on any TCP port: the NBSS + SMB2/SMB1 heuristic, judged once per connection,
// which side is the server, and the bounded connection table.
#include "capture/smb_connections.h"

#include <gtest/gtest.h>

using namespace pxe;
using namespace pxe::capture;

namespace {

constexpr std::uint32_t kClient = 0x7f000001, kServer = 0x7f000002;
constexpr std::uint16_t kCport = 40000, kSport = 4445;

// An NBSS session message holding the start of an SMB2 header (StructureSize 64).
Bytes smb2_segment(bool response, std::size_t smb_len = 64) {
  Bytes b = {0, std::uint8_t(smb_len >> 16), std::uint8_t(smb_len >> 8), std::uint8_t(smb_len)};
  Bytes smb(smb_len, 0);
  smb[0] = 0xfe, smb[1] = 'S', smb[2] = 'M', smb[3] = 'B', smb[4] = 64;
  if (response) smb[16] = 0x01;  // SERVER_TO_REDIR
  b.insert(b.end(), smb.begin(), smb.end());
  return b;
}

Bytes smb1_negotiate() {
  Bytes b = {0, 0, 0, 40, 0xff, 'S', 'M', 'B', 0x72};
  b.resize(44, 0);
  return b;
}

Bytes text(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

SmbConnections::Verdict from_client(SmbConnections& c, const Bytes& data, bool syn = false, bool ack = true) {
  return c.classify(kClient, kCport, kServer, kSport, syn, ack, ByteSpan(data));
}
SmbConnections::Verdict from_server(SmbConnections& c, const Bytes& data, bool syn = false, bool ack = true) {
  return c.classify(kServer, kSport, kClient, kCport, syn, ack, ByteSpan(data));
}

}  // namespace

TEST(SmbHeuristic, AcceptsAnNbssMessageHoldingAnSmb2OrSmb1Header) {
  bool from_server = true;
  EXPECT_TRUE(SmbConnections::looks_like_smb(smb2_segment(false), &from_server));
  EXPECT_FALSE(from_server);
  EXPECT_TRUE(SmbConnections::looks_like_smb(smb2_segment(true), &from_server));
  EXPECT_TRUE(from_server);
  EXPECT_TRUE(SmbConnections::looks_like_smb(smb1_negotiate(), &from_server));
  EXPECT_FALSE(from_server);
}

TEST(SmbHeuristic, RejectsOtherTcpAndImplausibleHeaders) {
  EXPECT_FALSE(SmbConnections::looks_like_smb(text("GET / HTTP/1.1\r\n\r\n")));
  EXPECT_FALSE(SmbConnections::looks_like_smb(text("SSH-2.0-OpenSSH_9.2\r\n")));
  EXPECT_FALSE(SmbConnections::looks_like_smb(Bytes{0, 0, 0, 64, 0xfe, 'S', 'M'}));  // too short
  Bytes keepalive = smb2_segment(false);
  keepalive[0] = 0x85;  // NBSS keepalive, not a session message
  EXPECT_FALSE(SmbConnections::looks_like_smb(keepalive));
  Bytes short_len = smb2_segment(false);
  short_len[3] = 20;  // NBSS length below an SMB2 header's 64 bytes
  EXPECT_FALSE(SmbConnections::looks_like_smb(short_len));
  Bytes bad_structure = smb2_segment(false);
  bad_structure[8] = 65;  // StructureSize is always 64
  EXPECT_FALSE(SmbConnections::looks_like_smb(bad_structure));
  Bytes transform = smb2_segment(false);
  transform[4] = 0xfd;  // a TRANSFORM header never opens a connection
  EXPECT_FALSE(SmbConnections::looks_like_smb(transform));
}

TEST(SmbConnections, StandardPortsAreSmbWithoutEntries) {
  SmbConnections c;
  auto v = c.classify(kClient, kCport, kServer, 445, true, false, {});
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, 445);
  v = c.classify(kServer, 139, kClient, kCport, false, true, ByteSpan(text("x")));
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, 139);
  EXPECT_EQ(c.size(), 0u);
}

TEST(SmbConnections, JudgesTheFirstDataSegmentAndTakesTheServerFromTheSyn) {
  SmbConnections c;
  EXPECT_FALSE(from_client(c, {}, true, false).smb);  // SYN: not judged yet
  EXPECT_FALSE(from_server(c, {}, true, true).smb);   // SYN+ACK
  EXPECT_FALSE(from_client(c, {}).smb);               // ACK
  auto v = from_client(c, smb2_segment(false));
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
  v = from_server(c, smb2_segment(true));
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
  v = from_client(c, text("any bytes later on"));  // judged once: stays SMB
  EXPECT_TRUE(v.smb);
  v = from_server(c, {}, false, true);  // and so do its bare ACKs and FINs
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
}

TEST(SmbConnections, TheSynDecidesTheServerEvenWhenTheServerSpeaksFirst) {
  // The client's SYN went to port 4445; the first data is the server's (a response).
  SmbConnections c;
  from_client(c, {}, true, false);
  auto v = from_server(c, smb2_segment(true));
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
}

TEST(SmbConnections, WithoutTheHandshakeTheFirstMessageSaysWhichSideIsTheServer) {
  SmbConnections a;  // capture began with a server response
  auto v = from_server(a, smb2_segment(true));
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
  SmbConnections b;  // capture began with a client request
  v = from_client(b, smb2_segment(false));
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
  SmbConnections s;  // the SYN+ACK alone names the server
  from_server(s, {}, true, true);
  v = from_server(s, smb2_segment(false));  // an odd request from the server's port
  EXPECT_TRUE(v.smb);
  EXPECT_EQ(v.server_port, kSport);
}

TEST(SmbConnections, AConnectionThatStartedAsSomethingElseIsNeverSmb) {
  SmbConnections c;
  from_client(c, {}, true, false);
  EXPECT_FALSE(from_client(c, text("GET / HTTP/1.1\r\n\r\n")).smb);
  EXPECT_FALSE(from_server(c, smb2_segment(true)).smb);  // an HTTP body holding SMB bytes
  EXPECT_FALSE(from_client(c, smb2_segment(false)).smb);
}

TEST(SmbConnections, ANewSynOnAReusedFourTupleIsJudgedAgain) {
  SmbConnections c;
  from_client(c, {}, true, false);
  EXPECT_FALSE(from_client(c, text("not smb at all")).smb);
  from_client(c, {}, true, false);
  EXPECT_TRUE(from_client(c, smb2_segment(false)).smb);
}

TEST(SmbConnections, BareSegmentsOfUnknownConnectionsTakeNoEntry) {
  SmbConnections c;
  EXPECT_FALSE(from_client(c, {}).smb);
  EXPECT_EQ(c.size(), 0u);
}

TEST(SmbConnections, TableStaysBoundedAndKeepsActiveConnections) {
  SmbConnections c(4);
  from_client(c, smb2_segment(false));  // the SMB connection, busy throughout
  for (std::uint16_t port = 1; port <= 1000; ++port) {
    c.classify(kClient, std::uint16_t(50000 + port), kServer, 80, true, false, {});
    EXPECT_LE(c.size(), 8u);
    if (port % 3 == 0) {
      auto v = from_server(c, text("more data"));
      EXPECT_TRUE(v.smb) << "forgotten after " << port << " other connections";
      EXPECT_EQ(v.server_port, kSport);
    }
  }
}
