// Bounds-checked big-endian (network order) and little-endian (SMB) byte readers and writers.
// A reader never reads past its span: a short read returns 0 / empty and sets a sticky
// failure flag with the offset, so a parser can read a whole header and check once.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxe {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool at_end() const { return remaining() == 0; }
  bool failed() const { return failed_; }
  explicit operator bool() const { return !failed_; }
  // Offset at which the first short read happened (valid when failed()).
  std::size_t fail_offset() const { return fail_at_; }
  ByteSpan whole() const { return data_; }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return data_[pos_++];
  }
  std::uint16_t u16be() {
    if (!need(2)) return 0;
    std::uint16_t v = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32be() {
    if (!need(4)) return 0;
    std::uint32_t v = std::uint32_t(data_[pos_]) << 24 | std::uint32_t(data_[pos_ + 1]) << 16 |
                      std::uint32_t(data_[pos_ + 2]) << 8 | std::uint32_t(data_[pos_ + 3]);
    pos_ += 4;
    return v;
  }
  std::uint16_t u16le() {
    if (!need(2)) return 0;
    std::uint16_t v = static_cast<std::uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32le() {
    if (!need(4)) return 0;
    std::uint32_t v = std::uint32_t(data_[pos_]) | std::uint32_t(data_[pos_ + 1]) << 8 |
                      std::uint32_t(data_[pos_ + 2]) << 16 | std::uint32_t(data_[pos_ + 3]) << 24;
    pos_ += 4;
    return v;
  }
  std::uint64_t u64le() {
    std::uint64_t lo = u32le();
    std::uint64_t hi = u32le();
    return lo | hi << 32;
  }
  // Takes n bytes; on a short read returns an empty span and fails.
  ByteSpan take(std::size_t n) {
    if (!need(n)) return {};
    ByteSpan s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  // Takes up to n bytes (what is there), failing if fewer than n were available.
  ByteSpan take_upto(std::size_t n) {
    if (failed_) return {};
    std::size_t have = data_.size() - pos_;
    if (have >= n) return take(n);
    ByteSpan s = data_.subspan(pos_, have);
    pos_ = data_.size();
    fail();
    return s;
  }
  ByteSpan rest() {
    if (failed_) return {};
    ByteSpan s = data_.subspan(pos_);
    pos_ = data_.size();
    return s;
  }
  void skip(std::size_t n) { (void)take(n); }
  bool seek(std::size_t off) {
    if (off > data_.size()) { fail(); return false; }
    pos_ = off;
    return true;
  }

 private:
  bool need(std::size_t n) {
    if (failed_) return false;
    if (data_.size() - pos_ < n) { fail(); return false; }
    return true;
  }
  void fail() {
    if (!failed_) fail_at_ = pos_;
    failed_ = true;
  }

  ByteSpan data_;
  std::size_t pos_ = 0;
  std::size_t fail_at_ = 0;
  bool failed_ = false;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { out_.reserve(reserve); }

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16be(std::uint16_t v) { u8(std::uint8_t(v >> 8)); u8(std::uint8_t(v)); }
  void u32be(std::uint32_t v) { u16be(std::uint16_t(v >> 16)); u16be(std::uint16_t(v)); }
  void u16le(std::uint16_t v) { u8(std::uint8_t(v)); u8(std::uint8_t(v >> 8)); }
  void u32le(std::uint32_t v) { u16le(std::uint16_t(v)); u16le(std::uint16_t(v >> 16)); }
  void u64le(std::uint64_t v) { u32le(std::uint32_t(v)); u32le(std::uint32_t(v >> 32)); }
  void bytes(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void str(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  // Writes s into a fixed field of n bytes, truncating or NUL-padding.
  void fixed_str(std::string_view s, std::size_t n) {
    std::size_t k = s.size() < n ? s.size() : n;
    str(s.substr(0, k));
    zeros(n - k);
  }
  void put_u16le_at(std::size_t off, std::uint16_t v) {
    out_[off] = std::uint8_t(v);
    out_[off + 1] = std::uint8_t(v >> 8);
  }
  void put_u16be_at(std::size_t off, std::uint16_t v) {
    out_[off] = std::uint8_t(v >> 8);
    out_[off + 1] = std::uint8_t(v);
  }
  void put_u32le_at(std::size_t off, std::uint32_t v) {
    put_u16le_at(off, std::uint16_t(v));
    put_u16le_at(off + 2, std::uint16_t(v >> 16));
  }
  std::size_t size() const { return out_.size(); }
  const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

inline ByteSpan as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace pxe
