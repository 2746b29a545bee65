// libFuzzer harness: a SESSION_SETUP security buffer through the SPNEGO codec (parse, re-encode,
// re-parse: the same values) and through the server's Authenticator, both as the first token and
// as the second one after the recorded NEGOTIATE of smb2-server.md appendix A.1 (the seed corpus
// holds that session's tokens). Nothing may crash; a user session must carry a key, a guest or
// anonymous one none; the second step never asks for more.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/smb2/auth.h"
#include "wire/smb2/spnego.h"

namespace {

using namespace pxe;
namespace spnego = wire::spnego;

// SESSION_SETUP request 1's security buffer (negTokenInit around the NTLMSSP NEGOTIATE).
const std::uint8_t kNegTokenInit[] = {
    0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e,
    0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa2, 0x2a,
    0x04, 0x28, 0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00, 0x15, 0x82,
    0x08, 0x62, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00,
    0x00, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f};

// Samba's server challenge d50fb6cb7d035a36, so the recorded AUTHENTICATE verifies.
class A1Random final : public Random {
 public:
  std::uint32_t next() override { return n_++ == 0 ? 0xcbb60fd5 : 0x365a037d; }

 private:
  int n_ = 0;
};

proto::smb2::AuthSettings settings() {
  proto::smb2::AuthSettings s;
  s.accounts.push_back({"user", "pass"});
  s.map_to_guest = config::MapToGuest::BadUser;
  s.netbios_name = "SMBRESEARCH";
  s.workgroup = "SMBRESEARCH";
  s.dns_name = "vm";
  return s;
}

void check(const proto::smb2::AuthResult& r) {
  using State = proto::smb2::AuthResult::State;
  if (r.state == State::Done) {
    bool keyless = r.identity.guest || r.identity.anonymous;
    if (keyless == r.session_key.has_value()) std::abort();
  }
  if (r.state == State::Failed && (r.why.empty() || !r.token.empty())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteSpan in(data, size);

  auto t = spnego::parse(in);
  if (t && t->kind == spnego::Token::Kind::Resp) {
    auto again = spnego::parse_resp(spnego::encode_resp(t->resp));
    if (!again || !(*again == t->resp)) std::abort();
  }
  if (t && t->kind == spnego::Token::Kind::Init) {
    auto again = spnego::parse_init(spnego::encode_init(t->init));
    if (!again || again->mech_types != t->init.mech_types ||
        again->mech_types_der != t->init.mech_types_der ||
        again->mech_token != t->init.mech_token || again->mech_list_mic != t->init.mech_list_mic)
      std::abort();
  }

  static const auto s = settings();
  {
    A1Random rnd;
    proto::smb2::Authenticator first(s, rnd, 0x01dd7a275cb73d1a);
    check(first.step(in));
  }
  {
    A1Random rnd;
    proto::smb2::Authenticator auth(s, rnd, 0x01dd7a275cb73d1a);
    auto r1 = auth.step(kNegTokenInit);
    if (r1.state != proto::smb2::AuthResult::State::Continue) std::abort();
    auto r2 = auth.step(in);
    if (r2.state == proto::smb2::AuthResult::State::Continue) std::abort();
    check(r2);
  }
  return 0;
}
