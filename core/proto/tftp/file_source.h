// Where a sender reads the file it serves, and where a receiver writes: injected, so the server
// reads through a file descriptor and the tests read from memory.
#pragma once

#include <cstdint>
#include <optional>

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

// RFC 1350 netascii (RFC 764): LF -> CR LF, a bare CR -> CR NUL. The whole file is converted in
// memory (netascii is used for small text files only); its size is not known before conversion,
// so tsize is not offered for it.
Bytes to_netascii(ByteSpan raw);
// The reverse, for a receiver in netascii mode.
Bytes from_netascii(ByteSpan wire);

}  // namespace pxe::proto::tftp
