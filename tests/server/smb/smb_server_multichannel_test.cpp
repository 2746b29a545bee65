// Multichannel through the SMB service over loopback sockets: one session on two TCP connections
// (SESSION_SETUP with SMB2_SESSION_FLAG_BINDING on the second), and what one connection's
// request does to the other: CLOSE on the second channel completes the CHANGE_NOTIFY pending on
// the first, which the service sends there (Connection::take_deferred after its turn).
#include <gtest/gtest.h>

#include <optional>

#include "proto/smb2/memory_share.h"
#include "proto/smb2/ntlm.h"
#include "proto/smb2/signing.h"
#include "server/smb/smb_server.h"
#include "server/smb/smb_test_support.h"
#include "transport/tcp.h"
#include "wire/smb2/close.h"
#include "wire/smb2/create.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/query.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/status.h"
#include "wire/smb2/tree_connect.h"

namespace pxe::server {
namespace {

namespace w = wire::smb2;
namespace st = w::status;
namespace signing = proto::smb2::signing;
using transport::TcpConnection;

struct Response {
  w::Header h;
  Bytes pdu;
  w::Body body;
};

// One SMB2 client connection over a socket, 3.0.2 (no pre-auth hash to keep), requests signed
// when it has a key.
class Channel {
 public:
  Channel(SmbServer& server, TcpConnection sock) : server_(server), sock_(std::move(sock)) {}

  Response call(w::Header h, const w::Body& body) {
    h.message_id = next_mid_++;
    h.credits = 32;
    h.session_id = session_id;
    h.tree_id = tree_id;
    Bytes pdu = w::encode_pdu(h, body);
    if (signer) signer->sign_in_place(pdu);
    ByteWriter out;
    w::encode_nbss(out, pdu);
    EXPECT_EQ(*sock_.write(out.data()), out.data().size());
    auto r = next();
    EXPECT_TRUE(r.has_value()) << "no response to " << w::command_name(h.command);
    return r.value_or(Response{});
  }
  static w::Header header(w::Command c) {
    w::Header h;
    h.command = std::uint16_t(c);
    h.credit_charge = 1;
    return h;
  }
  // The next whole message from the server (turning its loop), if one comes.
  std::optional<Response> next(int turns = 200) {
    for (int i = 0; i < turns; ++i) {
      std::uint8_t buf[65536];
      auto r = sock_.read(buf);
      if (r && r->bytes > 0) rx_.insert(rx_.end(), buf, buf + r->bytes);
      auto size = w::nbss_frame_size(rx_);
      if (size && rx_.size() >= *size) {
        Response out;
        auto frame = w::parse_nbss(ByteSpan(rx_).first(*size));
        EXPECT_TRUE(frame.ok());
        if (!frame.ok()) return std::nullopt;
        out.pdu.assign(frame->payload.begin(), frame->payload.end());
        rx_.erase(rx_.begin(), rx_.begin() + std::ptrdiff_t(*size));
        auto h = w::parse_header(out.pdu);
        EXPECT_TRUE(h.ok());
        if (!h.ok()) return std::nullopt;
        out.h = *h;
        auto b = w::parse_body(out.h, out.pdu);
        EXPECT_TRUE(b.ok());
        if (b.ok()) out.body = *b;
        return out;
      }
      server_.poll_once(10);
    }
    return std::nullopt;
  }

  void negotiate() {
    w::NegotiateRequest n;
    n.security_mode = w::security_mode::kSigningEnabled;
    n.capabilities = 0x7f;
    n.client_guid = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
    n.dialects = {w::dialect::k302};
    Response r = call(header(w::Command::Negotiate), n);
    ASSERT_EQ(r.h.status, st::kSuccess);
    EXPECT_TRUE(std::get<w::NegotiateResponse>(r.body).capabilities & w::capability::kMultiChannel);
  }

  // NTLMv2 for user/pass: a new session, or (bind_to) a further channel of that session, its
  // requests signed with the session's key. Afterwards `signer` is this channel's.
  std::uint32_t logon(const Channel* bind_to = nullptr) {
    namespace nf = wire::ntlmssp::flag;
    wire::ntlmssp::Negotiate neg;
    neg.flags = nf::kUnicode | nf::kRequestTarget | nf::kNtlm | nf::kSign | nf::kAlwaysSign |
                nf::kExtendedSessionSecurity | nf::k128;
    w::SessionSetupRequest ss;
    ss.security_mode = w::security_mode::kSigningEnabled;
    ss.flags = bind_to ? w::kSessionSetupBinding : 0;
    if (bind_to) {
      session_id = bind_to->session_id;
      signer = bind_to->signer;
    }
    ss.security_buffer = wire::ntlmssp::encode(neg);
    Response r1 = call(header(w::Command::SessionSetup), ss);
    if (r1.h.status != st::kMoreProcessingRequired) return r1.h.status;
    session_id = r1.h.session_id;
    auto raw = wire::ntlmssp::find_in_spnego(std::get<w::SessionSetupResponse>(r1.body).security_buffer);
    if (!raw) return 0xFFFFFFFF;
    auto chal = wire::ntlmssp::parse(*raw);
    if (!chal.ok()) return 0xFFFFFFFF;
    wire::ntlmssp::Authenticate auth;
    auth.flags = neg.flags;
    auth.user = "user";
    auth.domain = "WORKGROUP";
    auth.workstation = "CLIENT";
    auto nt = proto::smb2::ntlm::ntlmv2_response(proto::smb2::ntlm::nt_hash("pass"), auth.user,
                                                 auth.domain, chal->challenge, {1, 2, 3, 4, 5, 6, 7, 8});
    auth.nt_response = std::move(nt.nt_response);
    auth.lm_response = Bytes(24, 0);
    ss.security_buffer = wire::ntlmssp::encode(auth);
    Response r2 = call(header(w::Command::SessionSetup), ss);
    if (r2.h.status == st::kSuccess) {
      signer = signing::Signer::for_session(w::dialect::k302, nt.session_base_key, {});
      EXPECT_TRUE(signer->verify(r2.pdu)) << "the final SESSION_SETUP is signed with this channel's key";
    }
    return r2.h.status;
  }

  std::uint64_t session_id = 0;
  std::uint32_t tree_id = 0;
  std::optional<signing::Signer> signer;

 private:
  SmbServer& server_;
  TcpConnection sock_;
  Bytes rx_;
  std::uint64_t next_mid_ = 0;
};

TEST(SmbServerMultichannel, ACloseOnOneChannelCompletesTheNotifyPendingOnTheOther) {
  auto share = std::make_unique<proto::smb2::MemoryShare>();
  share->add_dir("sources");
  auto server = smb_test::open_loopback_server(std::move(share));
  ASSERT_TRUE(server) << server.error().what;
  auto connect = [&] { return smb_test::connect_to(**server); };

  Channel a(**server, connect());
  a.negotiate();
  ASSERT_EQ(a.logon(), st::kSuccess);
  w::TreeConnectRequest t;
  t.path = "\\\\127.0.0.1\\GUEST";
  Response tc = a.call(Channel::header(w::Command::TreeConnect), t);
  ASSERT_EQ(tc.h.status, st::kSuccess);
  a.tree_id = tc.h.tree_id;
  w::CreateRequest cr;
  cr.impersonation_level = 2;
  cr.desired_access = 0x00120089;
  cr.share_access = 7;
  cr.create_disposition = w::disposition::kOpen;
  cr.name = "sources";
  Response created = a.call(Channel::header(w::Command::Create), cr);
  ASSERT_EQ(created.h.status, st::kSuccess);
  w::FileId dir = std::get<w::CreateResponse>(created.body).file_id;
  w::ChangeNotifyRequest n;
  n.output_buffer_length = 4096;
  n.file_id = dir;
  n.completion_filter = 0x17;
  Response interim = a.call(Channel::header(w::Command::ChangeNotify), n);
  ASSERT_EQ(interim.h.status, st::kPending);

  Channel b(**server, connect());
  b.negotiate();
  ASSERT_EQ(b.logon(&a), st::kSuccess);
  EXPECT_EQ(b.session_id, a.session_id);
  b.tree_id = a.tree_id;
  w::CloseRequest cl;
  cl.file_id = dir;
  Response closed = b.call(Channel::header(w::Command::Close), cl);
  EXPECT_EQ(closed.h.status, st::kSuccess);
  EXPECT_TRUE(b.signer->verify(closed.pdu));

  auto cleanup = a.next();
  ASSERT_TRUE(cleanup.has_value()) << "the first channel heard nothing";
  EXPECT_EQ(cleanup->h.status, st::kNotifyCleanup);
  EXPECT_EQ(cleanup->h.message_id, interim.h.message_id);
  EXPECT_EQ(cleanup->h.async_id, interim.h.async_id);
  EXPECT_TRUE(a.signer->verify(cleanup->pdu));
}

}  // namespace
}  // namespace pxe::server
