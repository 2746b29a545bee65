#include "wire/smb2/spnego.h"

#include <algorithm>

#include <fmt/format.h>

namespace pxe::wire::spnego {

namespace der {

namespace {

std::string tag_str(std::uint8_t t) { return fmt::format("0x{:02x}", t); }

}  // namespace

Result<Tlv> Reader::next() {
  const std::size_t start = pos_;
  const std::size_t left = data_.size() - std::min(pos_, data_.size());
  if (left < 2)
    return make_error(left == 0 ? "DER: expected a tag, found the end"
                                : "DER: truncated header (1 byte left)",
                      base_ + start);
  std::uint8_t tag = data_[pos_];
  if ((tag & 0x1f) == 0x1f)
    return make_error(fmt::format("DER: high tag number form ({}) not supported", tag_str(tag)),
                      base_ + start);
  std::size_t p = pos_ + 1;
  std::uint8_t first = data_[p++];
  std::size_t len = 0;
  if (first < 0x80) {
    len = first;
  } else if (first == 0x80) {
    return make_error(fmt::format("DER: indefinite length in {}", tag_str(tag)), base_ + start + 1);
  } else {
    std::size_t n = first & 0x7f;
    if (n > 4)
      return make_error(fmt::format("DER: length of {} takes {} bytes (at most 4)", tag_str(tag), n),
                        base_ + start + 1);
    if (data_.size() - p < n)
      return make_error(fmt::format("DER: truncated length of {}", tag_str(tag)), base_ + start + 1);
    for (std::size_t i = 0; i < n; ++i) len = len << 8 | data_[p++];
  }
  std::size_t have = data_.size() - p;
  if (len > have)
    return make_error(fmt::format("DER: {} claims {} bytes, {} left", tag_str(tag), len, have),
                      base_ + start + 1);
  Tlv t;
  t.tag = tag;
  t.value = data_.subspan(p, len);
  t.whole = data_.subspan(start, p + len - start);
  t.offset = base_ + start;
  pos_ = p + len;
  return t;
}

Result<Tlv> Reader::expect(std::uint8_t tag, std::string_view what) {
  if (at_end())
    return make_error(fmt::format("DER: expected {} ({}), found the end", what, tag_str(tag)),
                      offset());
  auto t = next();
  if (!t) return t;
  if (t->tag != tag)
    return make_error(fmt::format("DER: expected {} ({}), found tag {}", what, tag_str(tag),
                                  tag_str(t->tag)),
                      t->offset);
  return t;
}

Reader children(const Tlv& t) {
  return Reader(t.value, t.offset + std::size_t(t.whole.size() - t.value.size()));
}

void write(ByteWriter& w, std::uint8_t tag, ByteSpan value) {
  w.u8(tag);
  std::size_t n = value.size();
  if (n < 0x80) {
    w.u8(std::uint8_t(n));
  } else {
    std::uint8_t bytes = 0;
    for (std::size_t v = n; v; v >>= 8) ++bytes;
    w.u8(std::uint8_t(0x80 | bytes));
    for (int i = bytes - 1; i >= 0; --i) w.u8(std::uint8_t(n >> (8 * i)));
  }
  w.bytes(value);
}

Bytes tlv(std::uint8_t tag, ByteSpan value) {
  ByteWriter w(value.size() + 6);
  write(w, tag, value);
  return w.take();
}

std::string oid_str(ByteSpan c) {
  if (c.empty() || (c.back() & 0x80)) return "?";
  std::string out;
  std::uint64_t v = 0;
  bool first = true;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (v > (std::uint64_t(1) << 56)) return "?";
    v = v << 7 | (c[i] & 0x7f);
    if (c[i] & 0x80) continue;
    if (first) {
      std::uint64_t a = v < 40 ? 0 : v < 80 ? 1 : 2;
      out = fmt::format("{}.{}", a, v - 40 * a);
      first = false;
    } else {
      out += fmt::format(".{}", v);
    }
    v = 0;
  }
  return out;
}

}  // namespace der

std::string_view neg_state_name(NegState s) {
  switch (s) {
    case NegState::AcceptCompleted: return "accept-completed";
    case NegState::AcceptIncomplete: return "accept-incomplete";
    case NegState::Reject: return "reject";
    case NegState::RequestMic: return "request-mic";
  }
  return "?";
}

bool NegTokenInit::offers(ByteSpan oid) const {
  return std::any_of(mech_types.begin(), mech_types.end(), [&](const Bytes& m) {
    return std::equal(m.begin(), m.end(), oid.begin(), oid.end());
  });
}

namespace {

Bytes copy(ByteSpan s) { return Bytes(s.begin(), s.end()); }

// The content of an explicit context tag [n] must be exactly one TLV of `inner` tag.
Result<der::Tlv> inner(const der::Tlv& outer, std::uint8_t tag, std::string_view what) {
  der::Reader r = der::children(outer);
  auto t = r.expect(tag, what);
  if (!t) return t;
  if (!r.at_end())
    return make_error(fmt::format("SPNEGO: trailing bytes after {}", what), r.offset());
  return t;
}

Result<ByteSpan> octets(const der::Tlv& outer, std::string_view what) {
  auto t = inner(outer, der::kOctetString, what);
  if (!t) return t.error();
  return t->value;
}

// The parsed tokens as views into the buffer: the one walker behind parse() (which copies) and
// mech_token_of() (which does not).
struct InitView {
  std::vector<ByteSpan> mech_types;
  ByteSpan mech_types_der;
  std::optional<ByteSpan> mech_token, mech_list_mic;
  std::optional<std::string> hint_name;
};
struct RespView {
  std::optional<NegState> neg_state;
  std::optional<ByteSpan> supported_mech, response_token, mech_list_mic;
};

std::optional<Bytes> copy(const std::optional<ByteSpan>& s) {
  if (!s) return std::nullopt;
  return copy(*s);
}

// Context tags of a SEQUENCE must increase (DER, and RFC 4178's field order).
Result<void> in_order(const der::Tlv& t, int& last) {
  int n = t.tag & 0x1f;
  if ((t.tag & 0xe0) != 0xa0)
    return make_error(fmt::format("SPNEGO: expected a context tag [n], found 0x{:02x}", t.tag),
                      t.offset);
  if (n <= last)
    return make_error(fmt::format("SPNEGO: field [{}] out of order or repeated", n), t.offset);
  last = n;
  return {};
}

Result<InitView> parse_init_body(const der::Tlv& a0) {
  der::Reader outer = der::children(a0);
  auto seq = outer.expect(der::kSequence, "NegTokenInit SEQUENCE");
  if (!seq) return seq.error();
  InitView m;
  bool have_mechs = false;
  der::Reader r = der::children(*seq);
  int last = -1;
  while (!r.at_end()) {
    auto f = r.next();
    if (!f) return f.error();
    if (auto o = in_order(*f, last); !o) return o.error();
    switch (f->tag) {
      case der::context(0): {  // mechTypes
        auto list = inner(*f, der::kSequence, "MechTypeList SEQUENCE");
        if (!list) return list.error();
        m.mech_types_der = list->whole;
        der::Reader lr = der::children(*list);
        while (!lr.at_end()) {
          auto oid = lr.expect(der::kOid, "mech OID");
          if (!oid) return oid.error();
          if (oid->value.empty()) return make_error("SPNEGO: empty mech OID", oid->offset);
          m.mech_types.push_back(oid->value);
        }
        have_mechs = true;
        break;
      }
      case der::context(1):  // reqFlags (BIT STRING), ignored
        break;
      case der::context(2): {
        auto v = octets(*f, "mechToken OCTET STRING");
        if (!v) return v.error();
        m.mech_token = *v;
        break;
      }
      case der::context(3): {  // mechListMIC (RFC 4178) or negHints (NegTokenInit2)
        der::Reader cr = der::children(*f);
        auto c = cr.next();
        if (!c) return c.error();
        if (c->tag == der::kOctetString) {
          auto v = octets(*f, "mechListMIC OCTET STRING");
          if (!v) return v.error();
          m.mech_list_mic = *v;
        } else if (c->tag == der::kSequence) {
          der::Reader hr = der::children(*c);
          while (!hr.at_end()) {
            auto h = hr.next();
            if (!h) return h.error();
            if (h->tag == der::context(0)) {
              auto s = inner(*h, der::kGeneralString, "hintName GeneralString");
              if (!s) return s.error();
              m.hint_name = std::string(s->value.begin(), s->value.end());
            }
          }
        } else {
          return make_error(fmt::format("SPNEGO: [3] holds tag 0x{:02x}, expected an OCTET STRING "
                                        "or negHints SEQUENCE", c->tag),
                            c->offset);
        }
        break;
      }
      case der::context(4): {  // NegTokenInit2 mechListMIC
        auto v = octets(*f, "mechListMIC OCTET STRING");
        if (!v) return v.error();
        m.mech_list_mic = *v;
        break;
      }
      default:
        break;  // unknown extension fields are skipped
    }
  }
  if (!have_mechs) return make_error("SPNEGO: NegTokenInit without mechTypes", seq->offset);
  return m;
}

Result<RespView> parse_resp_body(const der::Tlv& a1) {
  der::Reader outer = der::children(a1);
  auto seq = outer.expect(der::kSequence, "NegTokenResp SEQUENCE");
  if (!seq) return seq.error();
  RespView m;
  der::Reader r = der::children(*seq);
  int last = -1;
  while (!r.at_end()) {
    auto f = r.next();
    if (!f) return f.error();
    if (auto o = in_order(*f, last); !o) return o.error();
    switch (f->tag) {
      case der::context(0): {
        auto e = inner(*f, der::kEnumerated, "negState ENUMERATED");
        if (!e) return e.error();
        if (e->value.size() != 1 || e->value[0] > 3)
          return make_error("SPNEGO: negState is not one of 0..3", e->offset);
        m.neg_state = NegState(e->value[0]);
        break;
      }
      case der::context(1): {
        auto o = inner(*f, der::kOid, "supportedMech OID");
        if (!o) return o.error();
        m.supported_mech = o->value;
        break;
      }
      case der::context(2): {
        auto v = octets(*f, "responseToken OCTET STRING");
        if (!v) return v.error();
        m.response_token = *v;
        break;
      }
      case der::context(3): {
        auto v = octets(*f, "mechListMIC OCTET STRING");
        if (!v) return v.error();
        m.mech_list_mic = *v;
        break;
      }
      default:
        break;
    }
  }
  return m;
}

constexpr std::string_view kNtlmsspSignature{"NTLMSSP\0", 8};

bool is_raw_ntlmssp(ByteSpan token) {
  return token.size() >= kNtlmsspSignature.size() &&
         std::equal(kNtlmsspSignature.begin(), kNtlmsspSignature.end(), token.begin());
}

Result<InitView> init_view(ByteSpan token) {
  der::Reader top(token);
  auto app = top.expect(der::kApplication0, "InitialContextToken [APPLICATION 0]");
  if (!app) return app.error();
  der::Reader r = der::children(*app);
  auto oid = r.expect(der::kOid, "thisMech OID");
  if (!oid) return oid.error();
  if (!std::equal(oid->value.begin(), oid->value.end(), kSpnegoOid.begin(), kSpnegoOid.end()))
    return make_error(fmt::format("SPNEGO: thisMech is {}, expected 1.3.6.1.5.5.2",
                                  der::oid_str(oid->value)),
                      oid->offset);
  auto body = r.expect(der::context(0), "negTokenInit [0]");
  if (!body) return body.error();
  return parse_init_body(*body);
}

Result<RespView> resp_view(ByteSpan token) {
  der::Reader top(token);
  auto body = top.expect(der::context(1), "negTokenResp [1]");
  if (!body) return body.error();
  return parse_resp_body(*body);
}

}  // namespace

Result<NegTokenInit> parse_init(ByteSpan token) {
  auto v = init_view(token);
  if (!v) return v.error();
  NegTokenInit m;
  for (ByteSpan oid : v->mech_types) m.mech_types.push_back(copy(oid));
  m.mech_types_der = copy(v->mech_types_der);
  m.mech_token = copy(v->mech_token);
  m.mech_list_mic = copy(v->mech_list_mic);
  m.hint_name = std::move(v->hint_name);
  return m;
}

Result<NegTokenResp> parse_resp(ByteSpan token) {
  auto v = resp_view(token);
  if (!v) return v.error();
  NegTokenResp m;
  m.neg_state = v->neg_state;
  m.supported_mech = copy(v->supported_mech);
  m.response_token = copy(v->response_token);
  m.mech_list_mic = copy(v->mech_list_mic);
  return m;
}

Result<ByteSpan> mech_token_of(ByteSpan token) {
  if (is_raw_ntlmssp(token)) return token;
  if (!token.empty() && token[0] == der::kApplication0) {
    auto v = init_view(token);
    if (!v) return v.error();
    if (!v->mech_token) return make_error("SPNEGO: negTokenInit without a mechToken");
    return *v->mech_token;
  }
  auto v = resp_view(token);
  if (!v) return v.error();
  if (!v->response_token) return make_error("SPNEGO: negTokenResp without a responseToken");
  return *v->response_token;
}

std::optional<NegState> neg_state_of(ByteSpan token) {
  if (token.empty() || token[0] != der::context(1)) return std::nullopt;
  auto v = resp_view(token);
  if (!v) return std::nullopt;
  return v->neg_state;
}

Result<Token> parse(ByteSpan token) {
  Token t;
  if (token.empty()) return make_error("SPNEGO: empty security buffer");
  if (is_raw_ntlmssp(token)) {
    t.kind = Token::Kind::RawNtlmssp;
    t.raw = copy(token);
    return t;
  }
  if (token[0] == der::kApplication0) {
    auto m = parse_init(token);
    if (!m) return m.error();
    t.kind = Token::Kind::Init;
    t.init = std::move(*m);
    return t;
  }
  if (token[0] == der::context(1)) {
    auto m = parse_resp(token);
    if (!m) return m.error();
    t.kind = Token::Kind::Resp;
    t.resp = std::move(*m);
    return t;
  }
  return make_error(fmt::format("SPNEGO: buffer starts with 0x{:02x}, expected 0x60 "
                                "(negTokenInit), 0xa1 (negTokenResp) or \"NTLMSSP\"",
                                token[0]));
}

namespace {

Bytes mech_type_list(const std::vector<Bytes>& mechs) {
  ByteWriter oids;
  for (const auto& m : mechs) der::write(oids, der::kOid, m);
  return der::tlv(der::kSequence, oids.data());
}

Bytes wrap_initial_context(ByteSpan neg_token_init_seq) {
  ByteWriter inner;
  der::write(inner, der::kOid, kSpnegoOid);
  der::write(inner, der::context(0), neg_token_init_seq);
  return der::tlv(der::kApplication0, inner.data());
}

}  // namespace

Bytes encode_init2(const std::vector<Bytes>& mechs, std::string_view hint) {
  ByteWriter fields;
  der::write(fields, der::context(0), mech_type_list(mechs));
  if (!hint.empty()) {
    Bytes name = der::tlv(der::context(0), der::tlv(der::kGeneralString, as_bytes(hint)));
    der::write(fields, der::context(3), der::tlv(der::kSequence, name));
  }
  return wrap_initial_context(der::tlv(der::kSequence, fields.data()));
}

Bytes encode_init(const NegTokenInit& m) {
  ByteWriter fields;
  der::write(fields, der::context(0),
             m.mech_types_der.empty() ? mech_type_list(m.mech_types) : m.mech_types_der);
  if (m.mech_token) der::write(fields, der::context(2), der::tlv(der::kOctetString, *m.mech_token));
  if (m.mech_list_mic)
    der::write(fields, der::context(3), der::tlv(der::kOctetString, *m.mech_list_mic));
  return wrap_initial_context(der::tlv(der::kSequence, fields.data()));
}

Bytes encode_resp(const NegTokenResp& m) {
  ByteWriter fields;
  if (m.neg_state) {
    const std::uint8_t v[] = {std::uint8_t(*m.neg_state)};
    der::write(fields, der::context(0), der::tlv(der::kEnumerated, v));
  }
  if (m.supported_mech) der::write(fields, der::context(1), der::tlv(der::kOid, *m.supported_mech));
  if (m.response_token)
    der::write(fields, der::context(2), der::tlv(der::kOctetString, *m.response_token));
  if (m.mech_list_mic)
    der::write(fields, der::context(3), der::tlv(der::kOctetString, *m.mech_list_mic));
  return der::tlv(der::context(1), der::tlv(der::kSequence, fields.data()));
}

}  // namespace pxe::wire::spnego
