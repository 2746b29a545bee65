#include "proto/tftp/negotiation.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "base/text.h"

namespace pxe::proto::tftp {

namespace wt = wire::tftp;

std::optional<std::uint64_t> parse_option_number(std::string_view v, std::uint64_t lo, std::uint64_t hi) {
  if (v.empty() || v.size() > 20) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size() || n < lo || n > hi) return std::nullopt;
  return n;
}

std::uint32_t blksize_for_mtu(std::uint32_t mtu) {
  if (mtu <= kIpv4Overhead + kMinBlksize) return kMinBlksize;
  return std::min(mtu - kIpv4Overhead, kMaxBlksize);
}

Negotiated negotiate(const wt::Request& rrq, const ServerLimits& limits,
                     std::optional<std::uint64_t> file_size) {
  Negotiated n;
  // Answer in the order the client asked, each option at most once.
  bool seen_blksize = false, seen_tsize = false, seen_timeout = false, seen_window = false;
  std::optional<std::size_t> windowsize_index;
  for (const auto& opt : rrq.options) {
    if (iequals(opt.name, "blksize") && !seen_blksize && !limits.no_blocksize) {
      seen_blksize = true;
      auto v = parse_option_number(opt.value, kMinBlksize, kMaxBlksize);
      if (!v) continue;
      n.blksize = static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, std::max(limits.max_blksize, kMinBlksize)));
      n.oack.push_back({opt.name, std::to_string(n.blksize)});
    } else if (iequals(opt.name, "tsize") && !seen_tsize) {
      seen_tsize = true;
      if (!file_size) continue;  // netascii: the size on the wire is not known up front
      n.oack.push_back({opt.name, std::to_string(*file_size)});
    } else if (iequals(opt.name, "timeout") && !seen_timeout) {
      seen_timeout = true;
      auto v = parse_option_number(opt.value, 1, 255);
      if (!v) continue;
      n.timeout_s = static_cast<std::uint32_t>(*v);
      n.oack.push_back({opt.name, opt.value});
    } else if (iequals(opt.name, "windowsize") && !seen_window) {
      seen_window = true;
      if (limits.max_windowsize < 1) continue;
      auto v = parse_option_number(opt.value, 1, 65535);
      if (!v) continue;
      n.windowsize = static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, limits.max_windowsize));
      windowsize_index = n.oack.size();
      n.oack.push_back({opt.name, std::to_string(n.windowsize)});
    }
  }
  // blksize may come after windowsize in the request: apply the byte cap once both are known.
  if (windowsize_index && limits.max_window_bytes) {
    std::uint32_t by_bytes = std::max<std::uint32_t>(1, limits.max_window_bytes / n.blksize);
    if (n.windowsize > by_bytes) {
      n.windowsize = by_bytes;
      n.oack[*windowsize_index].value = std::to_string(by_bytes);
    }
  }
  return n;
}

}  // namespace pxe::proto::tftp
