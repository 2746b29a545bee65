// libFuzzer harness for the SMB2 connection machine (proto/smb2/connection.h): arbitrary stream
// bytes, in arbitrary chunks, after an optional canned prefix that reaches a session and a tree
// (NEGOTIATE 3.1.1, anonymous logon, TREE_CONNECT \\x\GUEST; ids are predictable: the Random
// is constant, so SessionId 0x0000000100000001, TreeId 1, FileIds 1, 2, ...).
// A second mode runs two connections on one ServerContext (one SessionRegistry, as the SMB service
// has), the chunks alternating between them: the second one names the first one's session and
// tree ids (predictable), so the paths where a request meets another connection's session run
// (binding refused, LOGOFF, TREE_CONNECT on a session that has no channel here), and each turn
// ends with the other connection's deferred actions drained, as the service does.
// Invariants: every byte a connection sends parses with the wire parsers (NBSS, compound chain,
// header, body), and memory() stays bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "proto/smb2/connection.h"
#include "proto/smb2/memory_share.h"
#include "wire/smb2/message.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/status.h"

namespace {

using namespace pxe;
namespace w = pxe::wire::smb2;
namespace p = pxe::proto::smb2;

class ConstantRandom final : public Random {
 public:
  std::uint32_t next() override { return 1; }
};

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_smb2_connection: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_message(ByteSpan nbss) {
  auto frame = w::parse_nbss(nbss);
  if (!frame) fail("NBSS", frame.error().what);
  if (frame->payload.size() + 4 != nbss.size()) fail("NBSS", "length does not match the action");
  auto chain = w::split_chain(frame->payload);
  if (chain.failed || chain.elements.empty()) fail("compound", chain.error.what);
  for (const auto& e : chain.elements) {
    auto h = w::parse_header(e.pdu);
    if (!h) fail("header", h.error().what);
    if (!h->is_response()) fail("header", "response without SERVER_TO_REDIR");
    auto b = w::parse_body(*h, e.pdu);
    if (!b) fail("body", std::string(w::command_name(h->command)) + " " + w::status_str(h->status) +
                             ": " + b.error().what);
  }
}

void check(const p::Actions& actions) {
  for (const auto& a : actions) {
    if (const auto* s = std::get_if<p::SendBytes>(&a)) check_message(s->bytes);
    if (std::holds_alternative<p::SendFileData>(a)) fail("SendFileData", "MemoryShare has no fd");
  }
}

Bytes nbss(const Bytes& smb) {
  ByteWriter fw;
  w::encode_nbss(fw, smb);
  return fw.take();
}

// NEGOTIATE 3.1.1, SESSION_SETUP x2 (anonymous, raw NTLMSSP), TREE_CONNECT GUEST.
Bytes canned_prefix() {
  Bytes out;
  auto header = [](w::Command c, std::uint64_t mid, std::uint64_t session, std::uint32_t tree) {
    w::Header h;
    h.command = std::uint16_t(c);
    h.credit_charge = 1;
    h.credits = 64;
    h.message_id = mid;
    h.session_id = session;
    h.tree_id = tree;
    return h;
  };
  w::NegotiateRequest n;
  n.dialects = {w::dialect::k202, w::dialect::k210, w::dialect::k300, w::dialect::k302,
                w::dialect::k311};
  n.security_mode = 1;
  ByteWriter pw;
  pw.u16le(1);
  pw.u16le(0);
  pw.u16le(1);
  n.contexts.push_back({w::context_type::kPreauthIntegrity, 0, pw.take()});
  Bytes m = nbss(w::encode_pdu(header(w::Command::Negotiate, 0, 0, 0), n));
  out.insert(out.end(), m.begin(), m.end());

  namespace nf = pxe::wire::ntlmssp::flag;
  pxe::wire::ntlmssp::Negotiate neg;
  neg.flags = nf::kUnicode | nf::kNtlm | nf::kAnonymous;
  w::SessionSetupRequest ss;
  ss.security_buffer = pxe::wire::ntlmssp::encode(neg);
  m = nbss(w::encode_pdu(header(w::Command::SessionSetup, 1, 0, 0), ss));
  out.insert(out.end(), m.begin(), m.end());
  pxe::wire::ntlmssp::Authenticate anon;
  anon.flags = neg.flags;
  anon.lm_response = Bytes{0};
  ss.security_buffer = pxe::wire::ntlmssp::encode(anon);
  const std::uint64_t session = 0x0000000100000001ull;
  m = nbss(w::encode_pdu(header(w::Command::SessionSetup, 2, session, 0), ss));
  out.insert(out.end(), m.begin(), m.end());
  w::TreeConnectRequest t;
  t.path = "\\\\x\\GUEST";
  m = nbss(w::encode_pdu(header(w::Command::TreeConnect, 3, session, 0), t));
  out.insert(out.end(), m.begin(), m.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Bytes prefix = canned_prefix();
  static p::MemoryShare share = [] {
    p::MemoryShare s;
    s.add_file("hello.txt", Bytes{'h', 'i', '\n'});
    s.add_file("dir/a.bin", Bytes(5000, 7));
    s.add_dir("dir/sub");
    return s;
  }();
  if (size == 0) return 0;
  ConstantRandom random;
  p::ServerContext ctx;
  ctx.random = &random;
  ctx.shares.push_back({"GUEST", &share, true});
  ctx.settings.accounts.push_back({"user", "pass"});
  ctx.limits.max_pdu = 1 << 20;
  ctx.limits.max_read = 1 << 20;
  ctx.limits.max_opens_per_connection = 64;
  ctx.limits.max_sessions_per_connection = 4;
  ctx.interfaces_v4.push_back({127, 0, 0, 1});
  constexpr std::size_t kMemoryBound = 4u << 20;

  p::Connection conn(ctx, Timestamp{0}, 0x01DB000000000000ull);
  p::Connection other(ctx, Timestamp{0}, 0x01DB000000000000ull);
  p::Actions out;
  conn.start(out);
  other.start(out);
  out.clear();
  // First byte: bit 0 = start from the canned session; bits 1..6 = chunk size - 1 (1..64);
  // bit 7 = two connections (the chunks alternate, the second one starts with the canned prefix
  // too when bit 0 is set, so it has its own session beside the first's).
  std::uint8_t mode = data[0];
  const bool two = mode & 0x80;
  ByteSpan in(data + 1, size - 1);
  Timestamp now{0};
  if (mode & 1) {
    conn.on_bytes(prefix, now, 0x01DB000000000000ull, out);
    check(out);
    out.clear();
    if (two) {
      other.on_bytes(prefix, now, 0x01DB000000000000ull, out);
      check(out);
      out.clear();
    }
  }
  auto drain = [&](p::Connection& c) {
    if (!c.has_deferred()) return;
    c.take_deferred(out);
    check(out);
    out.clear();
  };
  std::size_t chunk = std::size_t((mode >> 1) & 0x3f) + 1;
  std::size_t turn = 0;
  for (std::size_t at = 0; at < in.size(); at += chunk, ++turn) {
    p::Connection& c = two && (turn % 2) ? other : conn;
    if (c.closed()) continue;
    now = now + std::chrono::milliseconds(10);
    c.on_bytes(in.subspan(at, std::min(chunk, in.size() - at)), now, 0x01DB000000000000ull, out);
    check(out);
    out.clear();
    drain(conn);
    drain(other);
    if (c.memory() > kMemoryBound) fail("memory", std::to_string(c.memory()) + " bytes held");
  }
  for (p::Connection* c : {&conn, &other}) {
    c->on_time(now + std::chrono::hours(1), out);
    check(out);
    out.clear();
  }
  conn.on_close(out);
  check(out);
  out.clear();
  drain(other);
  other.on_close(out);
  return 0;
}
