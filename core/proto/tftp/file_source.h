// Where a sender reads the file it serves, and where a receiver writes: injected, so the server
// reads through a file descriptor and the tests read from memory.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::proto::tftp {

class FileSource {
 public:
  virtual ~FileSource() = default;
  // Size in bytes when known up front (octet mode; needed for tsize).
  virtual std::optional<std::uint64_t> size() const = 0;
  // Reads up to dst.size() bytes at `offset`; fewer only at the end of the file.
  virtual Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) = 0;
};

class FileSink {
 public:
  virtual ~FileSink() = default;
  virtual Result<void> write(ByteSpan data) = 0;
  // Called once after the last block, before its ACK.
  virtual Result<void> finish() { return {}; }
};

// A netascii upload stored as local text (CR LF -> LF, CR NUL -> CR), converted block by block: a
// CR at the end of one block pairs with the first byte of the next.
class NetasciiSink final : public FileSink {
 public:
  explicit NetasciiSink(FileSink& inner) : inner_(inner) {}
  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;

 private:
  FileSink& inner_;
  bool pending_cr_ = false;
  Bytes buf_;
};

class MemorySource final : public FileSource {
 public:
  explicit MemorySource(Bytes data) : data_(std::move(data)) {}
  std::optional<std::uint64_t> size() const override { return data_.size(); }
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override;

 private:
  Bytes data_;
};

class MemorySink final : public FileSink {
 public:
  Result<void> write(ByteSpan data) override {
    bytes.insert(bytes.end(), data.begin(), data.end());
    return {};
  }
  Bytes bytes;
};

// RFC 1350 netascii (RFC 764): LF -> CR LF, a bare CR -> CR NUL, of a whole buffer. The server
// converts while streaming (NetasciiSource); this is the plain definition, kept for tests and
// small in-memory uses.
Bytes to_netascii(ByteSpan raw);
// The reverse, for a receiver in netascii mode.
Bytes from_netascii(ByteSpan wire);

// A file served in netascii mode, converted while it is read: memory stays bounded (a 64 KiB read
// buffer and at most kMaxMarks checkpoints) whatever the file's size. Its size is not known
// before the whole file is read, so tsize is not offered for it (size() is empty).
//
// An output offset maps to a position in the raw file that depends on every CR and LF before
// it. The Sender reads forward in chunks, so the usual read starts where the last one ended;
// a re-read (retransmission, or a window that overlaps the Sender's last chunk) or any backwards
// read starts from the nearest remembered position: the start of one of the last few reads, one
// of the positions taken every kSliceBytes of the last 512 KiB converted, or a checkpoint taken
// every `mark_every` output bytes. When the checkpoints reach kMaxMarks, every other one is dropped and the spacing
// doubles, so a backwards read rescans at most about (output so far / (kMaxMarks / 2)) bytes,
// never the file from its start.
class NetasciiSource final : public FileSource {
 public:
  static constexpr std::size_t kBufferBytes = 64 * 1024;
  static constexpr std::size_t kMaxMarks = 1024;
  static constexpr std::size_t kSliceBytes = 16 * 1024;

  explicit NetasciiSource(std::unique_ptr<FileSource> raw, std::uint64_t mark_every = 256 * 1024);
  std::optional<std::uint64_t> size() const override { return std::nullopt; }
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override;

  // Bytes held for the conversion (buffer and checkpoints): what "bounded" means, for tests.
  std::size_t memory_bytes() const;

 private:
  // Where output offset `out` is in the raw file. `half`: the output stands between the two
  // bytes that raw[raw - 1] became, and `second` (LF or NUL) comes next.
  struct Pos {
    std::uint64_t out = 0;
    std::uint64_t raw = 0;
    bool half = false;
    std::uint8_t second = 0;
  };

  Pos start_for(std::uint64_t offset) const;
  // Converts from `p` up to output offset `until` or the end of the file; writes to `dst` (when
  // given) and returns the output bytes produced.
  Result<std::size_t> convert(Pos& p, std::uint64_t until, std::uint8_t* dst);
  // The buffered raw bytes from `raw` on (reading them when not buffered); empty at the end.
  Result<ByteSpan> raw_at(std::uint64_t raw);
  void mark(const Pos& p);

  std::unique_ptr<FileSource> raw_;
  Bytes buf_;
  std::uint64_t buf_start_ = 0;
  std::size_t buf_len_ = 0;
  Pos cur_;                      // where the last read ended
  std::array<Pos, 4> recent_{};  // where the last reads started (a ring)
  std::size_t recent_next_ = 0;
  std::array<Pos, 32> slices_{};  // every kSliceBytes of the latest conversion (a ring)
  std::size_t slice_next_ = 0;
  std::vector<Pos> marks_;       // sorted by out
  std::uint64_t mark_every_;
};

}  // namespace pxe::proto::tftp
