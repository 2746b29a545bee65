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

NetasciiSource::NetasciiSource(std::unique_ptr<FileSource> raw, std::uint64_t mark_every)
    : raw_(std::move(raw)), buf_(kBufferBytes), mark_every_(std::max<std::uint64_t>(mark_every, 1)) {}

std::size_t NetasciiSource::memory_bytes() const {
  return sizeof(*this) + buf_.capacity() + marks_.capacity() * sizeof(Pos);
}

NetasciiSource::Pos NetasciiSource::start_for(std::uint64_t offset) const {
  Pos best;
  auto consider = [&](const Pos& p) {
    if (p.out <= offset && p.out > best.out) best = p;
  };
  consider(cur_);
  for (const auto& p : recent_) consider(p);
  for (const auto& p : slices_) consider(p);
  auto it = std::upper_bound(marks_.begin(), marks_.end(), offset,
                             [](std::uint64_t off, const Pos& p) { return off < p.out; });
  if (it != marks_.begin()) consider(*std::prev(it));
  return best;
}

Result<ByteSpan> NetasciiSource::raw_at(std::uint64_t raw) {
  if (raw >= buf_start_ && raw - buf_start_ < buf_len_)
    return ByteSpan(buf_.data() + (raw - buf_start_), buf_len_ - (raw - buf_start_));
  auto n = raw_->read(raw, buf_);
  if (!n) return n.error();
  if (*n == 0) return ByteSpan{};  // the end: keep what is buffered for a backwards read
  buf_start_ = raw;
  buf_len_ = *n;
  return ByteSpan(buf_.data(), buf_len_);
}

void NetasciiSource::mark(const Pos& p) {
  if (p.out > slices_[slice_next_ ? slice_next_ - 1 : slices_.size() - 1].out) {
    slices_[slice_next_] = p;
    slice_next_ = (slice_next_ + 1) % slices_.size();
  }
  std::uint64_t last = marks_.empty() ? 0 : marks_.back().out;
  if (p.out < last + mark_every_) return;
  marks_.push_back(p);
  if (marks_.size() < kMaxMarks) return;
  // Keep every second checkpoint (those at 2, 4, 6... spacings) and space new ones twice as far.
  for (std::size_t i = 1; i < marks_.size(); i += 2) marks_[i / 2] = marks_[i];
  marks_.resize(marks_.size() / 2);
  mark_every_ *= 2;
}

Result<std::size_t> NetasciiSource::convert(Pos& p, std::uint64_t until, std::uint8_t* dst) {
  std::size_t produced = 0;
  while (p.out < until) {
    if (p.half) {  // the LF or NUL of a CR pair that the previous read cut in two
      if (dst) dst[produced] = p.second;
      ++produced;
      ++p.out;
      p.half = false;
      continue;
    }
    auto span = raw_at(p.raw);
    if (!span) return span.error();
    if (span->empty()) break;  // the end of the file
    const std::uint8_t* s = span->data();
    const std::size_t n = std::min(span->size(), kSliceBytes);  // a recent position every slice
    std::size_t i = 0;
    while (i < n && p.out < until) {
      // A run of bytes that stay as they are, copied at once.
      const std::size_t lim = i + static_cast<std::size_t>(std::min<std::uint64_t>(n - i, until - p.out));
      std::size_t j = i;
      while (j < lim && s[j] != '\n' && s[j] != '\r') ++j;
      if (dst && j > i) std::memcpy(dst + produced, s + i, j - i);
      produced += j - i;
      p.out += j - i;
      p.raw += j - i;
      i = j;
      if (i == n || p.out == until) break;
      const std::uint8_t second = s[i] == '\n' ? '\n' : '\0';
      if (dst) dst[produced] = '\r';
      ++produced;
      ++p.out;
      ++p.raw;
      ++i;
      if (p.out == until) {
        p.half = true;
        p.second = second;
        break;
      }
      if (dst) dst[produced] = second;
      ++produced;
      ++p.out;
    }
    mark(p);
  }
  return produced;
}

Result<std::size_t> NetasciiSource::read(std::uint64_t offset, std::span<std::uint8_t> dst) {
  Pos p = start_for(offset);
  if (auto skipped = convert(p, offset, nullptr); !skipped) return skipped.error();
  if (p.out < offset) return std::size_t{0};  // the converted file ends before `offset`
  recent_[recent_next_] = p;
  recent_next_ = (recent_next_ + 1) % recent_.size();
  auto n = convert(p, offset + dst.size(), dst.data());
  if (n) cur_ = p;
  return n;
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
