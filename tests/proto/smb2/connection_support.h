// Drives a proto::smb2::Connection the way a client would: requests built with the wire encoders,
// every byte the connection sends parsed back with the wire parsers (the "decoder and server
// agree byte for byte" check: a response that does not parse fails the test).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "proto/smb2/connection.h"
#include "proto/smb2/memory_share.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/status.h"

namespace pxe::test::smb2 {

namespace w = pxe::wire::smb2;
namespace p = pxe::proto::smb2;

// One response element, parsed.
struct Rsp {
  w::Header h;
  Bytes pdu;  // this element (with its padding)
  w::Body body;
};

// What a SendFileData becomes on the wire: the head followed by the file range.
inline Bytes flatten(const p::SendFileData& f) {
  Bytes out = f.head;
  Bytes data(f.length);
  auto got = f.file->read(f.offset, data);
  EXPECT_TRUE(got.ok());
  if (got.ok()) data.resize(*got);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

class Client {
 public:
  explicit Client(std::uint16_t max_dialect = w::dialect::k311) {
    ctx.random = &random;
    ctx.server_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ctx.settings.max_protocol = config::SmbDialect(max_dialect);
    ctx.settings.min_protocol = config::SmbDialect::Smb2_02;
    share.add_file("hello.txt", Bytes{'h', 'e', 'l', 'l', 'o', '\n'});
    share.add_dir("sources");
    share.add_file("sources/install.wim", Bytes(200000, 0x5a));
    share.add_file("setup.exe", Bytes(70000, 0x4d));
    ctx.shares.push_back({"GUEST", &share, true});
    ctx.shares.push_back({"PRIVATE", &share, false});
  }

  p::Connection& conn() {
    if (!conn_) {
      conn_ = std::make_unique<p::Connection>(ctx, "192.0.2.7:50000", now, kFiletime);
      p::Actions a;
      conn_->start(a);
      take(a);
    }
    return *conn_;
  }

  // Raw stream bytes in; responses parsed into `responses` (appended).
  void feed(ByteSpan stream) {
    p::Actions a;
    conn().on_bytes(stream, now, kFiletime, a);
    take(a);
  }
  void send_message(ByteSpan smb) {
    ByteWriter fw;
    w::encode_nbss(fw, smb);
    feed(fw.data());
  }

  // A request header with the next MessageId (charge credits).
  w::Header request(w::Command cmd, std::uint16_t charge = 1) {
    w::Header h;
    h.command = std::uint16_t(cmd);
    h.credit_charge = charge;
    h.credits = 32;
    h.message_id = next_mid;
    next_mid += charge ? charge : 1;
    h.session_id = session_id;
    h.tree_id = tree_id;
    return h;
  }

  // Sends one request and returns its one response (fails the test if there is not exactly one).
  Rsp call(const w::Header& h, const w::Body& body) {
    send_message(w::encode_pdu(h, body));
    EXPECT_EQ(responses.size(), 1u) << "responses to " << w::command_name(h.command);
    if (responses.empty()) return {};
    Rsp r = std::move(responses.front());
    responses.clear();
    return r;
  }

  // NEGOTIATE offering `dialects` (3.1.1 contexts when 3.1.1 is offered).
  Rsp negotiate(std::vector<std::uint16_t> dialects,
                std::vector<std::uint16_t> signing_algorithms = {}) {
    w::NegotiateRequest n;
    n.security_mode = w::security_mode::kSigningEnabled;
    n.capabilities = 0x7f;
    n.client_guid = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    n.dialects = std::move(dialects);
    if (n.offers(w::dialect::k311)) {
      ByteWriter pw;
      pw.u16le(1);
      pw.u16le(32);
      pw.u16le(1);
      pw.zeros(32);
      n.contexts.push_back({w::context_type::kPreauthIntegrity, 0, pw.take()});
      if (!signing_algorithms.empty()) {
        ByteWriter sw;
        sw.u16le(std::uint16_t(signing_algorithms.size()));
        for (auto a : signing_algorithms) sw.u16le(a);
        n.contexts.push_back({w::context_type::kSigning, 0, sw.take()});
      }
    }
    negotiate_request = n;
    return call(request(w::Command::Negotiate, 0), n);
  }

  std::vector<Rsp> responses;
  std::vector<p::Event> events;
  std::vector<p::SetTimer> timers;
  std::vector<p::SendFileData> file_sends;
  std::optional<std::string> closed;
  std::vector<Bytes> messages;  // every NBSS message sent, as sent (SendFileData flattened)

  SeededRandom random{42};
  p::MemoryShare share;
  p::ServerContext ctx;
  Timestamp now{1'000'000};
  static constexpr std::uint64_t kFiletime = 0x01DB000000000000ull;
  std::uint64_t next_mid = 0;
  std::uint64_t session_id = 0;
  std::uint32_t tree_id = 0;
  w::NegotiateRequest negotiate_request;

 private:
  void parse_message(const Bytes& nbss) {
    messages.push_back(nbss);
    auto frame = w::parse_nbss(nbss);
    ASSERT_TRUE(frame.ok()) << frame.error().what;
    ASSERT_EQ(frame->payload.size() + 4, nbss.size()) << "one NBSS message per action";
    auto chain = w::split_chain(frame->payload);
    ASSERT_FALSE(chain.failed) << chain.error.what;
    for (const auto& e : chain.elements) {
      auto h = w::parse_header(e.pdu);
      ASSERT_TRUE(h.ok()) << h.error().what;
      EXPECT_TRUE(h->is_response());
      Rsp r;
      r.h = *h;
      r.pdu.assign(e.pdu.begin(), e.pdu.end());
      auto b = w::parse_body(r.h, r.pdu);
      ASSERT_TRUE(b.ok()) << w::command_name(r.h.command) << " " << w::status_str(r.h.status)
                          << ": " << b.error().what;
      r.body = *b;
      responses.push_back(std::move(r));
    }
  }
  void take(p::Actions& actions) {
    for (auto& a : actions) {
      if (auto* s = std::get_if<p::SendBytes>(&a)) {
        parse_message(s->bytes);
      } else if (auto* f = std::get_if<p::SendFileData>(&a)) {
        file_sends.push_back(*f);
        parse_message(flatten(*f));
      } else if (auto* c = std::get_if<p::CloseConnection>(&a)) {
        closed = c->why;
      } else if (auto* t = std::get_if<p::SetTimer>(&a)) {
        timers.push_back(*t);
      } else if (auto* e = std::get_if<p::Event>(&a)) {
        events.push_back(*e);
      }
    }
  }

  std::unique_ptr<p::Connection> conn_;
};

// The body of a response as T (fails the test when it is another type).
template <class T>
const T& body_as(const Rsp& r) {
  static const T empty{};
  const T* b = std::get_if<T>(&r.body);
  EXPECT_NE(b, nullptr) << "response body of " << w::command_name(r.h.command) << " ("
                        << w::status_str(r.h.status) << ") is not the expected type";
  return b ? *b : empty;
}

}  // namespace pxe::test::smb2
