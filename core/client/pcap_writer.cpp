#include "client/pcap_writer.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace pxe::client {

namespace {

constexpr std::uint32_t kPcapMagic = 0xa1b2c3d4;  // microsecond timestamps
constexpr std::uint32_t kLinkTypeEthernet = 1;     // DLT_EN10MB
constexpr std::uint32_t kSnapLen = 65535;

}  // namespace

Result<std::unique_ptr<PcapWriter>> PcapWriter::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return make_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  // The global header in the writer's byte order, as libpcap writes it (readers check the magic).
  ByteWriter w;
  w.u32le(kPcapMagic);
  w.u16le(2);
  w.u16le(4);
  w.u32le(0);  // thiszone
  w.u32le(0);  // sigfigs
  w.u32le(kSnapLen);
  w.u32le(kLinkTypeEthernet);
  std::unique_ptr<PcapWriter> out(new PcapWriter(f, path));
  if (std::fwrite(w.data().data(), 1, w.size(), f) != w.size()) out->failed_ = true;
  return out;
}

PcapWriter::~PcapWriter() {
  if (f_) std::fclose(f_);
}

void PcapWriter::write(ByteSpan frame, Timestamp at) {
  if (!f_) return;
  ByteWriter w(16 + frame.size());
  w.u32le(std::uint32_t(at.us / 1000000));
  w.u32le(std::uint32_t(at.us % 1000000));
  auto len = std::uint32_t(std::min<std::size_t>(frame.size(), kSnapLen));
  w.u32le(len);
  w.u32le(std::uint32_t(frame.size()));
  w.bytes(frame.first(len));
  if (std::fwrite(w.data().data(), 1, w.size(), f_) != w.size()) failed_ = true;
}

Result<void> PcapWriter::close() {
  if (!f_) return {};
  bool bad = std::fflush(f_) != 0 || failed_;
  bad = std::fclose(f_) != 0 || bad;
  f_ = nullptr;
  if (bad) return make_error(fmt::format("writing {} failed", path_));
  return {};
}

}  // namespace pxe::client
