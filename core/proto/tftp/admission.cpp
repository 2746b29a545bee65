#include "proto/tftp/admission.h"

#include <variant>

#include "base/text.h"

namespace pxe::proto::tftp {

namespace wt = wire::tftp;

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Drop: return "drop";
    case Verdict::Refuse: return "refuse";
    case Verdict::StartRead: return "read";
    case Verdict::StartWrite: return "write";
    case Verdict::Keep: return "keep";
    case Verdict::Replace: return "replace";
  }
  return "?";
}

namespace {

Admission drop(DropReason reason, std::string why) {
  Admission a;
  a.verdict = Verdict::Drop;
  a.dropped = reason;
  a.why = std::move(why);
  return a;
}

Admission refuse(wt::ErrorCode code, std::string message, std::string why) {
  Admission a;
  a.verdict = Verdict::Refuse;
  a.code = code;
  a.message = std::move(message);
  a.why = std::move(why);
  return a;
}

}  // namespace

Admission admit(ByteSpan datagram, Ipv4 from, const Running& running, const AdmissionLimits& limits,
                RateLimiter& rate, Timestamp now) {
  auto parsed = wt::parse(datagram);
  if (!parsed) return drop(DropReason::Malformed, "malformed");
  auto* req = std::get_if<wt::Request>(&*parsed);
  if (!req) return drop(DropReason::NotARequest, "not a request");  // an ERROR here is never answered

  const SameEndpoint* same = nullptr;
  for (const auto& t : running.same_endpoint)
    if (t.write == req->write && t.name == req->filename && iequals(t.mode, req->mode)) same = &t;
  std::size_t total = running.total, from_client = running.from_client;
  if (same) {
    if (!same->answered) {
      Admission a;
      a.verdict = Verdict::Keep;
      a.why = "retransmitted request";
      return a;
    }
    if (req->write) return drop(DropReason::DuplicateWrite, "duplicate write request");  // never replace an upload in progress
    if (!same->stalled) {  // a late copy of the request that started this transfer
      Admission a;
      a.verdict = Verdict::Keep;
      a.why = "retransmitted request, transfer moving";
      return a;
    }
    // The replaced transfer's slot is the new one's.
    if (total) --total;
    if (from_client) --from_client;
  }
  if (!rate.allow(from, now)) return drop(DropReason::RateLimited, "rate limited");
  auto no = [&](wt::ErrorCode code, std::string message, std::string why) {
    Admission a = refuse(code, std::move(message), std::move(why));
    a.request = std::move(*req);  // for the log line
    return a;
  };
  if (req->write && !limits.writable) return no(wt::ErrorCode::AccessViolation, "Write not allowed", "read-only server");
  bool netascii = iequals(req->mode, "netascii");
  if (!netascii && !iequals(req->mode, "octet"))
    return no(wt::ErrorCode::IllegalOperation, "Unsupported mode", "unsupported mode " + req->mode);
  if (from_client >= limits.max_per_client)
    return no(wt::ErrorCode::NotDefined, "Too many transfers from this client", "per-client cap");
  if (total >= limits.max_transfers) return no(wt::ErrorCode::NotDefined, "Too many transfers", "total cap");

  Admission a;
  a.verdict = same ? Verdict::Replace : req->write ? Verdict::StartWrite : Verdict::StartRead;
  if (same) a.replace = same->id;
  a.why = same ? "client started over" : "";
  a.netascii = netascii;
  a.request = std::move(*req);
  return a;
}

}  // namespace pxe::proto::tftp
