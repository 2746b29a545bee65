#include "proto/smb2/dispatch.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "wire/smb2/netbios.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace fl = wire::smb2::flags;
using wire::smb2::Command;
using wire::smb2::kHeaderSize;

// [MS-SMB2] 2.2.3 ... 2.2.39: the request StructureSize of each command.
constexpr std::array<CommandSpec, 19> kTable{{
    /* NEGOTIATE       */ {36, false, false, false, handle_negotiate},
    /* SESSION_SETUP   */ {25, false, false, false, handle_session_setup},
    /* LOGOFF          */ {4, true, false, false, handle_logoff},
    /* TREE_CONNECT    */ {9, true, false, false, handle_tree_connect},
    /* TREE_DISCONNECT */ {4, true, true, false, handle_tree_disconnect},
    /* CREATE          */ {57, true, true, false, handle_create},
    /* CLOSE           */ {24, true, true, false, handle_close},
    /* FLUSH           */ {24, true, true, true, handle_flush},
    /* READ            */ {49, true, true, false, handle_read},
    /* WRITE           */ {49, true, true, true, handle_write},
    /* LOCK            */ {48, true, true, false, handle_lock},
    /* IOCTL           */ {57, true, true, false, handle_ioctl},
    /* CANCEL          */ {4, false, false, false, nullptr},
    /* ECHO            */ {4, false, false, false, handle_echo},
    /* QUERY_DIRECTORY */ {33, true, true, false, handle_query_directory},
    /* CHANGE_NOTIFY   */ {32, true, true, false, handle_change_notify},
    /* QUERY_INFO      */ {41, true, true, false, handle_query_info},
    /* SET_INFO        */ {33, true, true, true, handle_set_info},
    /* OPLOCK_BREAK    */ {24, true, true, false, handle_oplock_break},
}};

std::uint32_t u32_at(ByteSpan pdu, std::size_t off) {
  ByteReader r(pdu);
  r.seek(off);
  return r.u32le();
}

// The payload a request moves, as [MS-SMB2] 3.3.5.2.5 counts it for the CreditCharge: the
// larger of what it sends and what it asks back.
std::uint64_t credit_payload(const wire::smb2::Header& h, ByteSpan pdu) {
  std::uint64_t sent = pdu.size() > kHeaderSize ? pdu.size() - kHeaderSize : 0;
  std::uint64_t back = 0;
  constexpr std::size_t b = kHeaderSize;
  switch (Command(h.command)) {
    case Command::Read: back = u32_at(pdu, b + 4); break;
    case Command::Write: sent = std::max<std::uint64_t>(sent, u32_at(pdu, b + 4)); break;
    case Command::QueryDirectory: back = u32_at(pdu, b + 28); break;
    case Command::ChangeNotify: back = u32_at(pdu, b + 4); break;
    case Command::QueryInfo: back = u32_at(pdu, b + 4); break;
    case Command::Ioctl:
      back = std::max(u32_at(pdu, b + 32), u32_at(pdu, b + 44));
      break;
    default: break;
  }
  return std::max(sent, back);
}

// Credits for a response: what the client asked (at least 1), up to the cap counting what it
// still holds; never leave it with none.
std::uint16_t grant_credits(ConnState& c, std::uint16_t requested) {
  std::uint64_t cap = c.ctx->limits.max_credits;
  std::uint64_t have = c.credits.available();
  std::uint64_t want = std::max<std::uint64_t>(requested, 1);
  std::uint64_t g = have >= cap ? 0 : std::min(want, cap - have);
  if (g == 0 && have == 0) g = 1;
  g = c.credits.grant(g, 2 * cap);
  return std::uint16_t(g);
}

struct Element {
  Bytes bytes;  // SMB2 header + body, padded when not last
  std::optional<signing::Signer> signer;  // signs it once its padding is known
  std::shared_ptr<ShareFile> send_file;
  std::uint64_t send_offset = 0;
  std::uint32_t send_length = 0;
};

// Writes the header over the 64-byte placeholder at the start of `pdu`.
void write_header(Bytes& pdu, const wire::smb2::Header& h) {
  ByteWriter hw(kHeaderSize);
  wire::smb2::encode_header(h, hw);
  std::copy(hw.data().begin(), hw.data().end(), pdu.begin());
}

}  // namespace

Reply::Reply() : w(256) { w.zeros(kHeaderSize); }

void Reply::fail(std::uint32_t s, ByteSpan data) {
  status = s;
  w = ByteWriter(128);
  w.zeros(kHeaderSize);
  wire::smb2::ErrorResponse e;
  e.error_data = data;
  wire::smb2::encode_error_response(e, w);
  send_file.reset();
  file_id.reset();
  go_async = false;
}

const CommandSpec* command_spec(std::uint16_t command) {
  return command < kTable.size() ? &kTable[command] : nullptr;
}

Bytes nbss_message(ByteSpan smb2) {
  ByteWriter w(smb2.size() + 4);
  wire::smb2::encode_nbss(w, smb2);
  return w.take();
}

std::string hex_id(std::uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(id));
  return buf;
}

std::string human_size(std::uint64_t n) {
  char buf[32];
  if (n < 1024) std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  else if (n < (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f KB", double(n) / 1024);
  else if (n < (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f MB", double(n) / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%.2f GB", double(n) / (1ull << 30));
  return buf;
}

Open* find_open(ConnState& c, Request& rq, const wire::smb2::FileId& id) {
  wire::smb2::FileId want = id;
  if (id.is_related()) {
    if (!rq.previous_file) return nullptr;
    want = *rq.previous_file;
  }
  auto it = c.opens.find(want.volatile_);
  if (it == c.opens.end() || it->second.id.persistent != want.persistent) return nullptr;
  Open& o = it->second;
  if (o.session_id != rq.hdr.session_id || o.tree_id != rq.hdr.tree_id) return nullptr;
  return &o;
}

std::optional<std::string> process_message(ConnState& c, ByteSpan message, Actions& out) {
  wire::smb2::Chain chain = wire::smb2::split_chain(message);
  if (chain.elements.empty())
    return "malformed SMB2 message: " + chain.error.what;
  if (chain.failed) return "malformed SMB2 compound: " + chain.error.what;

  std::vector<Element> answers;
  Actions after;
  std::optional<std::uint32_t> previous_status;
  std::optional<wire::smb2::FileId> previous_file;
  std::uint64_t previous_session = 0;
  std::uint32_t previous_tree = 0;
  const std::size_t n = chain.elements.size();

  for (std::size_t i = 0; i < n; ++i) {
    ByteSpan pdu = chain.elements[i].pdu;
    auto parsed = wire::smb2::parse_header(pdu);
    if (!parsed) return "malformed SMB2 header: " + parsed.error().what;
    wire::smb2::Header hdr = *parsed;
    if (hdr.is_response()) return "a response where a request belongs";
    const bool signed_request = hdr.is_signed();

    if (Command(hdr.command) == Command::Cancel) {
      // No credit, no answer: it completes the request it names.
      cancel_pending(c, hdr, out);
      continue;
    }

    // MessageId and credits.
    std::uint64_t charge = c.large_mtu() ? std::max<std::uint16_t>(hdr.credit_charge, 1) : 1;
    if (!c.credits.consume(hdr.message_id, charge))
      return "MessageId " + std::to_string(hdr.message_id) + " (charge " + std::to_string(charge) +
             ") outside the credit window or used twice";

    // NEGOTIATE first and once.
    bool negotiate = Command(hdr.command) == Command::Negotiate;
    if (c.phase == ConnState::Phase::Negotiated && negotiate)
      return "a second NEGOTIATE on the connection";
    if (c.phase != ConnState::Phase::Negotiated && !negotiate)
      return std::string(wire::smb2::command_name(hdr.command).empty()
                             ? "a request"
                             : wire::smb2::command_name(hdr.command)) +
             " before NEGOTIATE";

    bool related = hdr.is_related();
    if (related && i > 0) {
      if (hdr.session_id == ~0ull) hdr.session_id = previous_session;
      if (hdr.tree_id == ~0u) hdr.tree_id = previous_tree;
    }

    Request rq;
    rq.hdr = hdr;
    rq.pdu = pdu;
    rq.last_in_chain = i + 1 == n;
    if (related) rq.previous_file = previous_file;
    Reply rp;

    const CommandSpec* spec = command_spec(hdr.command);
    Session* session = nullptr;
    std::optional<signing::Signer> signer;
    bool signing_required = false;
    // A binding SESSION_SETUP is signed with Session.SigningKey, every other request with the
    // channel's key (3.3.5.2.4).
    const bool binding = Command(hdr.command) == Command::SessionSetup &&
                         pdu.size() > kHeaderSize + 2 &&
                         (pdu[kHeaderSize + 2] & wire::smb2::kSessionSetupBinding);
    auto with_session = [&](Session* s) {
      session = s;
      if (s && binding && s->signer) {
        signer = s->signer;
        signing_required = s->signing_required;
      } else if (s) {
        if (const auto& ch = c.channel_signer(*s)) {
          signer = ch;
          signing_required = s->signing_required;
        }
      }
    };
    with_session(c.session(hdr.session_id));

    std::uint32_t early = st::kSuccess;
    if (related && i == 0) {
      early = st::kInvalidParameter;
    } else if (related && previous_status && wire::smb2::is_error(*previous_status)) {
      early = *previous_status;
    } else if (!spec) {
      early = st::kInvalidParameter;
    } else if (pdu.size() < kHeaderSize + 2 ||
               std::uint16_t(pdu[kHeaderSize] | pdu[kHeaderSize + 1] << 8) != spec->structure_size) {
      // OPLOCK_BREAK also comes as a 36-byte lease break acknowledgment.
      bool lease_ack = Command(hdr.command) == Command::OplockBreak && pdu.size() >= kHeaderSize + 2 &&
                       (pdu[kHeaderSize] | pdu[kHeaderSize + 1] << 8) == 36;
      if (!lease_ack) early = st::kInvalidParameter;
    }
    if (early == st::kSuccess && spec && spec->needs_session) {
      if (!session) early = st::kUserSessionDeleted;
      else if (session->state != Session::State::Valid && Command(hdr.command) != Command::Logoff)
        early = st::kUserSessionDeleted;
    }
    if (early == st::kSuccess && session && Command(hdr.command) != Command::Negotiate) {
      // [MS-SMB2] 3.3.5.2.4: a signed request is verified with its session's key; a session that
      // requires signing refuses unsigned requests. SESSION_SETUP of a session in progress has
      // no key yet.
      if (signed_request && signer) {
        if (!signer->verify(pdu)) early = st::kAccessDenied;
      } else if (!signed_request && signing_required &&
                 Command(hdr.command) != Command::SessionSetup) {
        early = st::kAccessDenied;
      }
    } else if (early == st::kSuccess && !session && signed_request && hdr.session_id != 0 &&
               Command(hdr.command) != Command::SessionSetup && spec && spec->needs_session) {
      early = st::kUserSessionDeleted;
    }
    if (early == st::kSuccess && spec && spec->needs_tree) {
      auto t = session->trees.find(hdr.tree_id);
      if (t == session->trees.end()) early = st::kNetworkNameDeleted;
      else rq.tree = &t->second;
    }
    if (early == st::kSuccess && c.large_mtu()) {
      std::uint64_t payload = credit_payload(hdr, pdu);
      std::uint64_t needed = payload == 0 ? 1 : (payload - 1) / 65536 + 1;
      if (charge < needed) early = st::kInvalidParameter;
    }

    bool will_sign = signer && (signing_required || signed_request);
    if (early != st::kSuccess) {
      rp.fail(early);
    } else {
      rq.session = session;
      rq.may_send_file = n == 1 && !will_sign;
      spec->handler(c, rq, rp);
    }
    if (rp.disconnect) {
      for (auto& a : after) emit(out, std::move(a));
      return rp.disconnect;
    }
    if (rp.no_response) continue;

    // The session the response belongs to (SESSION_SETUP may have created or finished one;
    // LOGOFF removed its own after we took its signer).
    std::uint64_t rsp_session = rp.session_id.value_or(hdr.session_id);
    if (Session* s = c.session(rsp_session)) {
      if (const auto& ch = c.channel_signer(*s)) {
        signer = ch;
        signing_required = s->signing_required;
      }
    }
    if (rp.sign_with) signer = rp.sign_with;
    bool sign = signer && rp.sign != Reply::Sign::Never &&
                (signing_required || signed_request || rp.sign == Reply::Sign::Always) &&
                rp.status != st::kUserSessionDeleted;

    wire::smb2::Header h;
    h.credit_charge = hdr.credit_charge;
    h.command = hdr.command;
    h.message_id = hdr.message_id;
    h.process_id = hdr.process_id;
    h.tree_id = rp.tree_id.value_or(hdr.tree_id);
    h.session_id = rsp_session;
    h.flags = fl::kServerToRedir | (hdr.flags & fl::kRelatedOperations) |
              (hdr.flags & fl::kPriorityMask);

    if (rp.go_async) {
      // Interim response now (error body, STATUS_PENDING, unsigned, credits granted); the
      // final one comes with CANCEL or CLOSE.
      if (c.pending.size() >= c.ctx->limits.max_pending_per_connection) {
        rp.fail(st::kInsufficientResources);
      } else {
        PendingAsync p;
        p.async_id = c.next_async_id++;
        p.message_id = hdr.message_id;
        p.command = hdr.command;
        p.credit_charge = hdr.credit_charge;
        p.session_id = rsp_session;
        p.tree_id = h.tree_id;
        p.file_id = rp.file_id.value_or(wire::smb2::FileId{});
        p.sign = signer && (signing_required || signed_request);
        c.pending.push_back(p);
        rp.fail(st::kPending);
        h.flags |= fl::kAsyncCommand;
        h.async_id = p.async_id;
        sign = false;
      }
    }

    h.status = rp.status;
    h.credits = grant_credits(c, hdr.credits);

    Element e;
    e.send_file = std::move(rp.send_file);
    e.send_offset = rp.send_offset;
    e.send_length = rp.send_length;
    e.bytes = rp.w.take();
    write_header(e.bytes, h);
    if (sign) e.signer = signer;

    // 3.1.1 pre-auth integrity: the connection hash covers NEGOTIATE, a session's its
    // SESSION_SETUP exchange up to (not including) the final response.
    if (c.dialect == wire::smb2::dialect::k311) {
      if (negotiate && rp.status == st::kSuccess) {
        c.preauth.update(pdu);
        c.preauth.update(e.bytes);
      } else if (Command(hdr.command) == Command::SessionSetup &&
                 rp.status == st::kMoreProcessingRequired) {
        if (auto b = c.bindings.find(rsp_session); b != c.bindings.end()) {
          // A binding's responses are signed (Session.SigningKey): the hash covers them as sent.
          if (e.signer) e.signer->sign_in_place(e.bytes);
          b->second.preauth.update(e.bytes);
        }
        else if (Session* s = c.session(rsp_session))
          s->preauth.update(e.bytes);
      }
    }

    previous_status = rp.status;
    previous_session = rsp_session;
    previous_tree = h.tree_id;
    if (rp.file_id) previous_file = rp.file_id;
    else if (wire::smb2::is_error(rp.status)) previous_file.reset();
    answers.push_back(std::move(e));
    for (auto& a : rp.after) after.push_back(std::move(a));
  }

  if (!answers.empty()) {
    // Link the elements: each but the last padded to 8 bytes, NextCommand set, then signed
    // over its padded length (3.3.5.2.7).
    ByteWriter msg;
    bool single = answers.size() == 1;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      Element& e = answers[i];
      if (i + 1 < answers.size()) {
        while (e.bytes.size() % 8) e.bytes.push_back(0);
        std::uint32_t next = std::uint32_t(e.bytes.size());
        for (int k = 0; k < 4; ++k) e.bytes[20 + k] = std::uint8_t(next >> (8 * k));
      }
      if (e.signer) e.signer->sign_in_place(e.bytes);
      if (single && e.send_file) {
        // Zero-copy READ: the NBSS length counts the file data that follows the head.
        std::size_t total = e.bytes.size() + e.send_length;
        SendFileData f;
        ByteWriter hw(4 + e.bytes.size());
        hw.u8(wire::smb2::kNbssSessionMessage);
        hw.u8(std::uint8_t(total >> 16));
        hw.u8(std::uint8_t(total >> 8));
        hw.u8(std::uint8_t(total));
        hw.bytes(e.bytes);
        f.head = hw.take();
        f.file = std::move(e.send_file);
        f.offset = e.send_offset;
        f.length = e.send_length;
        emit(out, std::move(f));
        for (auto& a : after) emit(out, std::move(a));
        return std::nullopt;
      }
      msg.bytes(e.bytes);
    }
    emit(out, SendBytes{nbss_message(msg.data())});
  }
  for (auto& a : after) emit(out, std::move(a));
  return std::nullopt;
}

}  // namespace pxe::proto::smb2
