#include "wire/tftp/tftp.h"

#include <algorithm>

#include "base/text.h"

namespace pxe::wire::tftp {

std::string_view opcode_name(std::uint16_t op) {
  switch (op) {
    case 1: return "RRQ";
    case 2: return "WRQ";
    case 3: return "DATA";
    case 4: return "ACK";
    case 5: return "ERROR";
    case 6: return "OACK";
    default: return "";
  }
}

Opcode opcode_of(const Packet& p) {
  struct V {
    Opcode operator()(const Request& r) const { return r.write ? Opcode::Wrq : Opcode::Rrq; }
    Opcode operator()(const Data&) const { return Opcode::Data; }
    Opcode operator()(const Ack&) const { return Opcode::Ack; }
    Opcode operator()(const ErrorPacket&) const { return Opcode::Error; }
    Opcode operator()(const Oack&) const { return Opcode::Oack; }
  };
  return std::visit(V{}, p);
}

const Option* find_option(const std::vector<Option>& options, std::string_view name) {
  for (const auto& o : options)
    if (iequals(o.name, name)) return &o;
  return nullptr;
}

namespace {

// Reads a NUL-terminated string; fails if the terminator is missing.
Result<std::string> read_cstr(ByteReader& r, const char* what) {
  ByteSpan rest = r.whole().subspan(r.offset());
  auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
  if (nul == rest.end())
    return make_error(std::string(what) + ": missing NUL terminator", r.offset());
  std::size_t n = std::size_t(nul - rest.begin());
  ByteSpan s = r.take(n + 1);
  return std::string(reinterpret_cast<const char*>(s.data()), n);
}

Result<std::vector<Option>> read_options(ByteReader& r) {
  std::vector<Option> opts;
  while (!r.at_end()) {
    auto name = read_cstr(r, "option name");
    if (!name) return name.error();
    auto value = read_cstr(r, "option value");
    if (!value) return value.error();
    opts.push_back({std::move(*name), std::move(*value)});
  }
  return opts;
}

}  // namespace

Result<Packet> parse(ByteSpan bytes) {
  ByteReader r(bytes);
  std::uint16_t op = r.u16be();
  if (!r) return make_error("TFTP packet shorter than its 2-byte opcode", 0);
  switch (op) {
    case 1:
    case 2: {
      Request req;
      req.write = op == 2;
      auto file = read_cstr(r, "filename");
      if (!file) return file.error();
      req.filename = std::move(*file);
      auto mode = read_cstr(r, "mode");
      if (!mode) return mode.error();
      req.mode = std::move(*mode);
      auto opts = read_options(r);
      if (!opts) return opts.error();
      req.options = std::move(*opts);
      return Packet(std::move(req));
    }
    case 3: {
      Data d;
      d.block = r.u16be();
      if (!r) return make_error("DATA shorter than its 2-byte block number", r.fail_offset());
      d.payload = r.rest();
      return Packet(d);
    }
    case 4: {
      Ack a;
      a.block = r.u16be();
      if (!r) return make_error("ACK shorter than its 2-byte block number", r.fail_offset());
      if (!r.at_end()) return make_error("ACK with trailing bytes", r.offset());
      return Packet(a);
    }
    case 5: {
      ErrorPacket e;
      e.code = r.u16be();
      if (!r) return make_error("ERROR shorter than its 2-byte code", r.fail_offset());
      auto msg = read_cstr(r, "error message");
      if (!msg) return msg.error();
      e.message = std::move(*msg);
      if (!r.at_end()) return make_error("ERROR with trailing bytes after its message", r.offset());
      return Packet(std::move(e));
    }
    case 6: {
      auto opts = read_options(r);
      if (!opts) return opts.error();
      return Packet(Oack{std::move(*opts)});
    }
    default:
      return make_error("unknown TFTP opcode " + std::to_string(op), 0);
  }
}

Bytes encode(const Packet& packet) {
  ByteWriter w(32);
  w.u16be(static_cast<std::uint16_t>(opcode_of(packet)));
  auto put_opts = [&w](const std::vector<Option>& opts) {
    for (const auto& o : opts) {
      w.str(o.name);
      w.u8(0);
      w.str(o.value);
      w.u8(0);
    }
  };
  if (auto* req = std::get_if<Request>(&packet)) {
    w.str(req->filename);
    w.u8(0);
    w.str(req->mode);
    w.u8(0);
    put_opts(req->options);
  } else if (auto* d = std::get_if<Data>(&packet)) {
    w.u16be(d->block);
    w.bytes(d->payload);
  } else if (auto* a = std::get_if<Ack>(&packet)) {
    w.u16be(a->block);
  } else if (auto* e = std::get_if<ErrorPacket>(&packet)) {
    w.u16be(e->code);
    w.str(e->message);
    w.u8(0);
  } else if (auto* o = std::get_if<Oack>(&packet)) {
    put_opts(o->options);
  }
  return w.take();
}

}  // namespace pxe::wire::tftp
