// Field-level checks of each command body against traffic recorded from smbclient <-> smbd 4.17.
#include <gtest/gtest.h>

#include <string>

#include "base/addr.h"
#include "wire/smb2/message.h"
#include "wire/smb2/smb1.h"
#include "wire/smb2/smb2_fixtures.h"
#include "wire/smb2/status.h"
#include "wire/smb2/utf16.h"

namespace pxe::wire::smb2 {
namespace {

template <class T>
T body_of(const std::string& fixture) {
  Bytes pdu = test::smb2_fixture(fixture);
  static std::vector<Bytes> keep;  // views in T point into the PDU
  keep.push_back(pdu);
  auto h = parse_header(keep.back());
  EXPECT_TRUE(h.ok()) << fixture;
  if (!h) return T{};
  auto b = parse_body(*h, keep.back());
  EXPECT_TRUE(b.ok()) << fixture << ": " << (b ? "" : b.error().what);
  if (!b) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*b)) << fixture;
  return std::holds_alternative<T>(*b) ? std::get<T>(*b) : T{};
}

TEST(Smb2Negotiate, RequestListsDialectsAndContexts) {
  auto m = body_of<NegotiateRequest>("s1.f4");
  EXPECT_EQ(m.dialects, (std::vector<std::uint16_t>{0x0202, 0x0210, 0x0300, 0x0302, 0x0311}));
  EXPECT_TRUE(m.offers(dialect::k311));
  ASSERT_GE(m.contexts.size(), 2u);
  EXPECT_EQ(m.contexts[0].type, context_type::kPreauthIntegrity);
  EXPECT_EQ(m.contexts[0].algorithm_ids(), (std::vector<std::uint16_t>{1}));  // SHA-512
}

TEST(Smb2Negotiate, ResponseCarriesDialectLimitsAndSpnegoInit) {
  auto m = body_of<NegotiateResponse>("s1.f6");
  EXPECT_EQ(m.dialect_revision, dialect::k311);
  EXPECT_EQ(dialect_str(m.dialect_revision), "3.1.1");
  EXPECT_TRUE(m.security_mode & security_mode::kSigningEnabled);
  EXPECT_GT(m.max_read_size, 0u);
  EXPECT_FALSE(m.security_buffer.empty());
  EXPECT_EQ(m.security_buffer[0], 0x60);  // GSS-API InitialContextToken
  EXPECT_FALSE(m.contexts.empty());
}

TEST(Smb2Negotiate, EncodedRequestWithoutContextsKeepsClientStartTime) {
  NegotiateRequest m;
  m.dialects = {dialect::k202, dialect::k210};
  m.client_start_time = 0x0102030405060708;
  Header h;
  Bytes pdu = encode_pdu(h, m);
  EXPECT_EQ(pdu.size(), kHeaderSize + 36 + 4);
  auto back = parse_negotiate_request(pdu);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
}

TEST(Smb2Negotiate, RejectsWrongStructureSizeAndShortDialectList) {
  Bytes pdu = test::smb2_fixture("s1.f4");
  Bytes bad = pdu;
  bad[64] = 35;
  auto r = parse_negotiate_request(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 64u);
  EXPECT_NE(r.error().what.find("StructureSize 35, expected 36"), std::string::npos);
  bad = pdu;
  bad[66] = 0xFF;  // DialectCount 255
  bad.resize(110);
  EXPECT_FALSE(parse_negotiate_request(bad).ok());
}

TEST(Smb2Negotiate, RefusedNegotiateIsAnErrorResponse) {
  auto e = body_of<ErrorResponse>("s4.f90");
  EXPECT_TRUE(e.error_data.empty());
  auto h = parse_header(test::smb2_fixture("s4.f90"));
  EXPECT_EQ(h->status, status::kNotSupported);
}

TEST(Smb2SessionSetup, RequestAndGuestResponse) {
  auto req = body_of<SessionSetupRequest>("s1.f8");
  EXPECT_FALSE(req.security_buffer.empty());
  auto rsp = body_of<SessionSetupResponse>("s3.f51");
  EXPECT_EQ(rsp.session_flags, session_flag::kIsGuest);
  EXPECT_EQ(session_flags_str(rsp.session_flags), "guest");
  EXPECT_EQ(session_flags_str(session_flag::kIsGuest | session_flag::kIsNull), "guest,null");
}

TEST(Smb2TreeConnect, PathIsUtf8AndBadShareIsAnError) {
  auto req = body_of<TreeConnectRequest>("s1.f18");
  EXPECT_EQ(req.path, "\\\\127.0.0.1\\guest");
  auto rsp = body_of<TreeConnectResponse>("s1.f19");
  EXPECT_EQ(rsp.share_type, share_type::kDisk);
  EXPECT_NE(rsp.maximal_access, 0u);
  auto bad = body_of<TreeConnectRequest>("s5.f112");
  EXPECT_EQ(bad.path, "\\\\127.0.0.1\\nosuch");
  (void)body_of<ErrorResponse>("s5.f113");
  EXPECT_EQ(parse_header(test::smb2_fixture("s5.f113"))->status, status::kBadNetworkName);
}

TEST(Smb2Create, NameDispositionAndResponseFileId) {
  auto req = body_of<CreateRequest>("s1.f34");
  EXPECT_EQ(req.name, "hello.txt");
  EXPECT_EQ(req.create_disposition, disposition::kOpen);
  auto rsp = body_of<CreateResponse>("s1.f35");
  EXPECT_EQ(rsp.end_of_file, 18u);
  EXPECT_EQ(create_action_name(rsp.create_action), "opened");
  auto read = body_of<ReadRequest>("s1.f38");
  EXPECT_EQ(read.file_id, rsp.file_id);
  auto missing = parse_header(test::smb2_fixture("s5.f115"));
  ASSERT_TRUE(missing.ok());
}

TEST(Smb2Create, ContextsRoundTrip) {
  CreateRequest m;
  m.name = "dir\\file.exe";
  m.desired_access = 0x00120089;
  m.create_disposition = disposition::kOpen;
  m.contexts = {{Bytes{'M', 'x', 'A', 'c'}, {}}, {Bytes{'Q', 'F', 'i', 'd'}, {}},
                {Bytes{'D', 'H', '2', 'Q'}, Bytes(32, 7)}};
  Bytes pdu = encode_pdu(Header{}, m);
  auto back = parse_create_request(pdu);
  ASSERT_TRUE(back.ok()) << back.error().what;
  EXPECT_EQ(back->name, m.name);
  EXPECT_EQ(back->contexts, m.contexts);
  EXPECT_EQ(back->contexts[2].name_str(), "DH2Q");
  EXPECT_EQ(encode_pdu(Header{}, *back), pdu);
}

TEST(Smb2Read, RequestAndResponseData) {
  auto req = body_of<ReadRequest>("s1.f38");
  EXPECT_EQ(req.length, 18u);
  EXPECT_EQ(req.offset, 0u);
  auto rsp = body_of<ReadResponse>("s1.f39");
  EXPECT_EQ(rsp.data_length, 18u);
  EXPECT_EQ(std::string(rsp.data.begin(), rsp.data.end()), "hello from pxekit\n");
}

TEST(Smb2Read, DataOffsetPastEndIsAnErrorWithFieldOffset) {
  Bytes pdu = test::smb2_fixture("s1.f39");
  pdu[68] = 0x20;  // DataLength 0x20 > what is there
  auto r = parse_read_response(pdu);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 66u);
}

TEST(Smb2Ioctl, DfsReferralRequestNamesItsCtlCode) {
  auto req = body_of<IoctlRequest>("s1.f14");
  EXPECT_EQ(req.ctl_code, fsctl::kDfsGetReferrals);
  EXPECT_EQ(ctl_code_name(req.ctl_code), "FSCTL_DFS_GET_REFERRALS");
  EXPECT_TRUE(req.file_id.is_related());
  EXPECT_EQ(req.input.size(), 36u);
  EXPECT_EQ(ctl_code_name(0x00140204), "FSCTL_VALIDATE_NEGOTIATE_INFO");
  EXPECT_EQ(ctl_code_name(0x0011C017), "FSCTL_PIPE_TRANSCEIVE");
  EXPECT_EQ(ctl_code_name(0x001401FC), "FSCTL_QUERY_NETWORK_INTERFACE_INFO");
}

TEST(Smb2Ioctl, ValidateNegotiateInfoRoundTrip) {
  ByteWriter in;
  in.u32le(0x7f);
  in.zeros(16);
  in.u16le(1);
  in.u16le(2);
  in.u16le(0x0300);
  in.u16le(0x0302);
  IoctlRequest m;
  m.ctl_code = fsctl::kValidateNegotiateInfo;
  m.file_id = {~0ull, ~0ull};
  m.flags = kIoctlIsFsctl;
  m.max_output_response = 24;
  m.input = in.data();
  Bytes pdu = encode_pdu(Header{}, m);
  auto back = parse_ioctl_request(pdu);
  ASSERT_TRUE(back.ok());
  auto v = parse_validate_negotiate_info(back->input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dialects, (std::vector<std::uint16_t>{0x0300, 0x0302}));
  EXPECT_EQ(encode_pdu(Header{}, *back), pdu);
}

TEST(Smb2QueryDirectory, PatternAndNoMoreFiles) {
  auto req = body_of<QueryDirectoryRequest>("s1.f22");
  EXPECT_EQ(req.pattern, "*");
  EXPECT_EQ(req.info_class, 0x25);
  auto rsp = body_of<OutputResponse>("s1.f23");
  EXPECT_GT(rsp.output.size(), 100u);
  (void)body_of<ErrorResponse>("s1.f25");
}

TEST(Smb2QueryInfo, RequestTypeAndClass) {
  auto req = body_of<QueryInfoRequest>("s1.f30");
  EXPECT_EQ(req.info_type, info_type::kFilesystem);
  EXPECT_EQ(info_type_name(req.info_type), "fs");
}

TEST(Smb1, MultiProtocolNegotiateDialectsAndEncoder) {
  Bytes msg = test::smb2_fixture("s3.f42");
  auto m = parse_smb1(msg);
  ASSERT_TRUE(m.ok()) << m.error().what;
  EXPECT_EQ(m->command, kSmb1Negotiate);
  EXPECT_FALSE(m->is_response());
  EXPECT_EQ(m->dialects,
            (std::vector<std::string>{"NT LANMAN 1.0", "NT LM 0.12", "SMB 2.002", "SMB 2.???"}));
  EXPECT_EQ(hex(encode_smb1_negotiate_request(m->dialects)), hex(msg));
}

TEST(Smb1, UnterminatedDialectIsAnError) {
  Bytes msg = test::smb2_fixture("s3.f42");
  msg.pop_back();
  EXPECT_FALSE(parse_smb1(msg).ok());
}

TEST(Utf16, RoundTripsBmpAndSurrogatePairsAndReplacesLoneSurrogates) {
  std::string s = "\\\\srv\\sh\xC3\xA9re \xF0\x9F\x98\x80";
  EXPECT_EQ(utf16le_to_utf8(utf8_to_utf16le(s)), s);
  const std::uint8_t lone[] = {0x00, 0xD8, 0x41, 0x00};
  EXPECT_EQ(utf16le_to_utf8(lone), "\xEF\xBF\xBD" "A");
  const std::uint8_t odd[] = {0x41, 0x00, 0x42};
  EXPECT_EQ(utf16le_to_utf8(odd), "A\xEF\xBF\xBD");
}

}  // namespace
}  // namespace pxe::wire::smb2
