#include "proto/tftp/file_source.h"

#include <algorithm>
#include <cstring>

#include "proto/tftp/actions.h"

namespace pxe::proto::tftp {

std::string_view fail_reason_name(FailReason r) {
  switch (r) {
    case FailReason::PeerError: return "peer-error";
    case FailReason::PeerAborted: return "peer-aborted";
    case FailReason::Timeout: return "timeout";
    case FailReason::TimeLimit: return "time-limit";
    case FailReason::IllegalPacket: return "illegal-packet";
    case FailReason::OptionRefused: return "option-refused";
    case FailReason::FileError: return "file-error";
  }
  return "unknown";
}

void emit(Actions& out, Action action) { out.push_back(std::move(action)); }

std::optional<Bytes> datagram_bytes(const Action& action) {
  if (const auto* s = std::get_if<SendDatagram>(&action)) return s->bytes;
  if (const auto* d = std::get_if<SendData>(&action)) {
    Bytes b(d->header.begin(), d->header.end());
    b.insert(b.end(), d->payload.begin(), d->payload.end());
    return b;
  }
  return std::nullopt;
}

Result<std::size_t> MemorySource::read(std::uint64_t offset, std::span<std::uint8_t> dst) {
  if (offset >= data_.size()) return std::size_t{0};
  std::size_t n = std::min<std::uint64_t>(dst.size(), data_.size() - offset);
  std::memcpy(dst.data(), data_.data() + offset, n);
  return n;
}

Result<void> NetasciiSink::write(ByteSpan data) {
  buf_.clear();
  for (std::uint8_t c : data) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        buf_.push_back('\n');
        continue;
      }
      buf_.push_back('\r');
      if (c == '\0') continue;
    }
    if (c == '\r') pending_cr_ = true;
    else buf_.push_back(c);
  }
  return inner_.write(buf_);
}

Result<void> NetasciiSink::finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    const std::uint8_t cr = '\r';
    if (auto w = inner_.write(ByteSpan(&cr, 1)); !w) return w;
  }
  return inner_.finish();
}

Bytes to_netascii(ByteSpan raw) {
  Bytes out;
  out.reserve(raw.size() + raw.size() / 16);
  for (std::uint8_t c : raw) {
    if (c == '\n') {
      out.push_back('\r');
      out.push_back('\n');
    } else if (c == '\r') {
      out.push_back('\r');
      out.push_back('\0');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Bytes from_netascii(ByteSpan wire) {
  Bytes out;
  out.reserve(wire.size());
  for (std::size_t i = 0; i < wire.size(); ++i) {
    std::uint8_t c = wire[i];
    if (c == '\r' && i + 1 < wire.size() && (wire[i + 1] == '\n' || wire[i + 1] == '\0')) {
      out.push_back(wire[i + 1] == '\n' ? '\n' : '\r');
      ++i;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace pxe::proto::tftp
