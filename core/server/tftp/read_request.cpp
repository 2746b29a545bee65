#include "server/tftp/read_request.h"

#include <fmt/format.h>

#include <chrono>

#include "base/text.h"

namespace pxe::server::tftp {

namespace pt = proto::tftp;
namespace wt = wire::tftp;

bool interface_matches(const std::string& pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*')
    return name.substr(0, pattern.size() - 1) == std::string_view(pattern).substr(0, pattern.size() - 1);
  return name == pattern;
}

bool interface_served(const config::TftpSettings& settings, std::string_view name) {
  if (settings.interfaces.empty() || name == "lo") return true;
  for (const auto& p : settings.interfaces)
    if (interface_matches(p, name)) return true;
  return false;
}

pt::AdmissionLimits admission_limits(const config::TftpSettings& settings, bool writable) {
  return {settings.max_transfers, settings.max_per_client, writable};
}

pt::ServerLimits server_limits(const config::TftpSettings& settings, std::uint32_t mtu) {
  pt::ServerLimits limits;
  limits.max_blksize = pt::blksize_for_mtu(mtu);
  limits.no_blocksize = settings.no_blocksize;
  limits.max_windowsize = settings.max_windowsize;
  return limits;
}

pt::Timing transfer_timing(const config::TftpSettings& settings, const pt::Negotiated& neg) {
  pt::Timing timing;
  timing.retransmit = std::chrono::milliseconds(settings.retransmit_ms ? settings.retransmit_ms : 1000);
  if (neg.timeout_s) timing.retransmit = std::chrono::seconds(*neg.timeout_s);  // RFC 2349
  timing.max_retries = settings.max_retries;
  // Whatever `timeout` the peer asked for, a silent peer gives its slot back this soon.
  timing.first_answer = std::chrono::milliseconds(settings.first_answer_ms);
  timing.idle = std::chrono::seconds(settings.idle_timeout_s);
  return timing;
}

std::variant<ReadReady, ReadRefused> prepare_read(const wt::Request& req, bool netascii, Ipv4 peer,
                                                  const TftpRoot& root, const NameRules& rules,
                                                  const config::TftpSettings& settings, std::uint32_t mtu) {
  const std::string ip = peer.str();
  auto rel = normalize_name(req.filename, root.path(), rules);
  if (!rel)
    return ReadRefused{wt::ErrorCode::AccessViolation, "Access violation",
                       fmt::format("refusing {} for {}: {}", log_safe(req.filename), ip, rel.error().what)};
  auto opened = root.open_file(*rel, rules, settings.secure);
  if (auto* err = std::get_if<OpenError>(&opened)) {
    std::string full = root.path() + "/" + log_safe(*rel);
    std::string line = err->code == wt::ErrorCode::FileNotFound
                           ? fmt::format("file {} not found for {}", full, ip)
                           : fmt::format("cannot read {} for {}: {}", full, ip, err->detail);
    return ReadRefused{err->code, err->message, std::move(line)};
  }
  auto& file = std::get<TftpRoot::Opened>(opened);
  ReadReady ready;
  ready.path = file.path;
  std::optional<std::uint64_t> tsize;
  if (netascii) {  // converted while it is read, in bounded memory; its size is unknown (no tsize)
    ready.source = std::make_unique<pt::NetasciiSource>(std::move(file.file));
  } else {
    tsize = file.file->size();
    ready.source = std::move(file.file);
  }
  ready.negotiated = pt::negotiate(req, server_limits(settings, mtu), tsize);
  ready.timing = transfer_timing(settings, ready.negotiated);
  return ready;
}

}  // namespace pxe::server::tftp
