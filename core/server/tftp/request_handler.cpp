#include "server/tftp/request_handler.h"

#include <net/if.h>

#include <chrono>
#include <variant>

#include "base/text.h"
#include "proto/tftp/negotiation.h"
#include "server/tftp/log.h"

namespace pxe::server::tftp {

namespace pt = proto::tftp;
namespace wt = wire::tftp;

namespace {


// dnsmasq's interface= matching: an exact name, or a prefix ending in '*'.
bool interface_matches(const std::string& pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*')
    return name.substr(0, pattern.size() - 1) == std::string_view(pattern).substr(0, pattern.size() - 1);
  return name == pattern;
}

}  // namespace

bool RequestHandler::interface_allowed(int ifindex) const {
  if (settings_.interfaces.empty() || ifindex == 0) return true;
  char name[IF_NAMESIZE] = {};
  bool ok = false;
  if (::if_indextoname(static_cast<unsigned>(ifindex), name)) {
    std::string_view n(name);
    ok = n == "lo";  // as in dnsmasq, the loopback interface is always served alongside interface=
    for (const auto& p : settings_.interfaces) ok = ok || interface_matches(p, n);
  }
  return ok;  // looked up per request (interfaces come, go and get renamed; requests are few)
}

RequestHandler::RequestHandler(const config::TftpSettings& settings, TftpRoot root, std::string upload_dir)
    : settings_(settings),
      root_(std::move(root)),
      upload_dir_(std::move(upload_dir)),
      rules_{settings.lowercase, settings.case_insensitive},
      limits_{settings.max_transfers, settings.max_per_client, !upload_dir_.empty()},
      limiter_(settings.rate_limit_per_s, settings.rate_limit_burst) {}

void RequestHandler::refuse(transport::UdpSocket& listen, const transport::Endpoint& to, wt::ErrorCode code,
                            const std::string& message) {
  ++stats_.refused;
  (void)listen.send_to(wt::encode(wt::ErrorPacket{static_cast<std::uint16_t>(code), message}), to);
}

Result<transport::UdpSocket> RequestHandler::transfer_socket(Ipv4 local) const {
  if (settings_.port_range_low != 0 && settings_.port_range_high >= settings_.port_range_low)
    return transport::UdpSocket::bind_in_range(local, settings_.port_range_low, settings_.port_range_high);
  return transport::UdpSocket::bind(local, 0);
}

pt::Admission RequestHandler::admit(const transport::Datagram& d, const pt::Running& running, Timestamp now) {
  if (!interface_allowed(d.ifindex)) {  // interface=: requests arriving elsewhere get no answer
    ++stats_.other_interface;
    log()->debug("ignoring a request from {} on interface index {}: not an interface= of this server", d.from.str(),
                 d.ifindex);
    pt::Admission a;
    a.why = "other interface";
    return a;
  }
  pt::Admission a = pt::admit(d.bytes, d.from.addr, running, limits_, limiter_, now);
  switch (a.verdict) {
    case pt::Verdict::Drop:
      if (a.why == "rate limited") {
        ++stats_.rate_limited;
        if (now - last_rate_log_ > std::chrono::seconds(1)) {
          last_rate_log_ = now;
          log()->warn("rate limit: dropping requests from {}", d.from.addr.str());
        }
      } else if (a.why == "duplicate write request") {
        ++stats_.duplicates;
      } else {
        ++stats_.malformed;
        log()->debug("ignoring a datagram from {} on the request port: {}", d.from.str(), a.why);
      }
      break;
    case pt::Verdict::Keep:
      ++stats_.duplicates;
      break;
    case pt::Verdict::Refuse:
      log()->warn("refusing {} from {}: {}", a.request ? log_safe(a.request->filename) : std::string("a request"),
                  d.from.str(), log_safe(a.why));  // a.why may quote the request (its mode)
      break;
    case pt::Verdict::Replace:
      ++stats_.replaced;
      log()->debug("{} started {} over: replacing its transfer", d.from.str(), log_safe(a.request->filename));
      break;
    default:
      break;
  }
  return a;
}

std::unique_ptr<Transfer> RequestHandler::start(const transport::Datagram& d, pt::Admission& decision,
                                                transport::UdpSocket& listen, Timestamp now) {
  if (!decision.starts() || !decision.request) return nullptr;
  const wt::Request* req = &*decision.request;
  const std::string ip = d.from.addr.str();
  const bool netascii = decision.netascii;
  if (req->write) return on_write(d, *req, listen, now);
  auto rel = normalize_name(req->filename, root_.path(), rules_);
  if (!rel) {
    log()->warn("refusing {} for {}: {}", log_safe(req->filename), ip, rel.error().what);
    refuse(listen, d.from, wt::ErrorCode::AccessViolation, "Access violation");
    return nullptr;
  }
  auto opened = root_.open_file(*rel, rules_, settings_.secure);
  if (auto* err = std::get_if<OpenError>(&opened)) {
    std::string full = root_.path() + "/" + log_safe(*rel);
    if (err->code == wt::ErrorCode::FileNotFound)
      log()->warn("file {} not found for {}", full, ip);
    else
      log()->warn("cannot read {} for {}: {}", full, ip, err->detail);
    refuse(listen, d.from, err->code, err->message);
    return nullptr;
  }
  auto& file = std::get<TftpRoot::Opened>(opened);

  std::unique_ptr<pt::FileSource> source;
  std::optional<std::uint64_t> tsize;
  if (netascii) {  // converted while it is read, in bounded memory; its size is unknown (no tsize)
    source = std::make_unique<pt::NetasciiSource>(std::move(file.file));
  } else {
    tsize = file.file->size();
    source = std::move(file.file);
  }

  std::uint32_t mtu = 0;
  pt::Negotiated neg = pt::negotiate(*req, limits_for(d.from, mtu), tsize);

  pt::Timing timing = timing_for(neg);

  auto sock = transfer_socket_for(d, listen);
  if (!sock) return nullptr;
  log()->debug("RRQ {} from {} mode {} blksize {} windowsize {} (path MTU {})", log_safe(req->filename), d.from.str(),
               log_safe(req->mode),
               neg.blksize, neg.windowsize, mtu);
  auto sender = std::make_unique<pt::Sender>(*source, neg, timing);
  auto t = std::make_unique<Transfer>(std::move(*sock), d.from, file.path, req->filename, std::move(source),
                                      std::move(sender));
  t->start(now);
  return t;
}

pt::Timing RequestHandler::timing_for(const pt::Negotiated& neg) const {
  pt::Timing timing;
  timing.retransmit = std::chrono::milliseconds(settings_.retransmit_ms ? settings_.retransmit_ms : 1000);
  if (neg.timeout_s) timing.retransmit = std::chrono::seconds(*neg.timeout_s);  // RFC 2349
  timing.max_retries = settings_.max_retries;
  // Whatever `timeout` the peer asked for, a silent peer gives its slot back this soon.
  timing.first_answer = std::chrono::milliseconds(settings_.first_answer_ms);
  timing.idle = std::chrono::seconds(settings_.idle_timeout_s);
  return timing;
}

pt::ServerLimits RequestHandler::limits_for(const transport::Endpoint& peer, std::uint32_t& mtu) const {
  mtu = settings_.mtu ? settings_.mtu : transport::path_mtu(peer).value_or(1500);
  pt::ServerLimits limits;
  limits.max_blksize = pt::blksize_for_mtu(mtu);
  limits.no_blocksize = settings_.no_blocksize;
  limits.max_windowsize = settings_.max_windowsize;
  return limits;
}

std::optional<transport::UdpSocket> RequestHandler::transfer_socket_for(const transport::Datagram& d,
                                                                        transport::UdpSocket& listen) {
  // Answer from the address the client talked to (a server bound to 0.0.0.0 may have several).
  Ipv4 local = !d.to.is_zero() ? d.to : listen.local().addr;
  auto sock = transfer_socket(local);
  if (!sock) {
    log()->error("no socket for a transfer with {}: {}", d.from.addr.str(), sock.error().what);
    refuse(listen, d.from, wt::ErrorCode::NotDefined, "Server out of ports");
    return std::nullopt;
  }
  return std::move(*sock);
}

// WRQ into the upload directory: a hidden temporary file, renamed into place by the last block.
std::unique_ptr<Transfer> RequestHandler::on_write(const transport::Datagram& d, const wt::Request& req,
                                                   transport::UdpSocket& listen, Timestamp now) {
  const std::string ip = d.from.addr.str();
  // Upload names are taken as sent (tftp-lowercase and the case-insensitive lookup are for reads).
  auto rel = normalize_name(req.filename, root_.path(), NameRules{});
  if (!rel) {
    log()->warn("refusing to write {} for {}: {}", log_safe(req.filename), ip, rel.error().what);
    refuse(listen, d.from, wt::ErrorCode::AccessViolation, "Access violation");
    return nullptr;
  }
  bool netascii = iequals(req.mode, "netascii");
  // RFC 2349: in a WRQ, tsize is the size the client is about to send; the server echoes it, or
  // refuses with ERROR 3 a size over tftp-max-upload-size or the free space.
  std::optional<std::uint64_t> tsize;
  if (const auto* t = wt::find_option(req.options, "tsize"); t && !netascii)
    tsize = pt::parse_option_number(t->value, 0, UINT64_MAX);
  UploadRules upload;
  upload.overwrite = settings_.write_overwrite;
  upload.max_bytes = settings_.max_upload_size;
  upload.announced = tsize;
  auto created = root_.create_upload(*rel, upload_dir_, upload);
  if (auto* err = std::get_if<OpenError>(&created)) {
    log()->warn("refusing to write {} for {}: {}", root_.path() + "/" + log_safe(*rel), ip, err->detail);
    refuse(listen, d.from, err->code, err->message);
    return nullptr;
  }
  auto& file = std::get<TftpRoot::Created>(created);
  pt::ReceiverConfig rc;
  rc.filename = req.filename;
  rc.mode = req.mode;
  std::uint32_t mtu = 0;
  rc.serve_write = pt::negotiate(req, limits_for(d.from, mtu), tsize);
  rc.timing = timing_for(*rc.serve_write);

  auto sock = transfer_socket_for(d, listen);
  if (!sock) return nullptr;
  log()->debug("WRQ {} from {} mode {} blksize {} windowsize {}", log_safe(req.filename), d.from.str(), log_safe(req.mode),
               rc.serve_write->blksize, rc.serve_write->windowsize);
  // The receiver writes to the file itself, or through a netascii converter in front of it.
  struct Netascii final : pt::FileSink {
    explicit Netascii(std::unique_ptr<pt::FileSink> f) : file(std::move(f)), conv(*file) {}
    Result<void> write(ByteSpan b) override { return conv.write(b); }
    Result<void> finish() override { return conv.finish(); }
    std::unique_ptr<pt::FileSink> file;
    pt::NetasciiSink conv;
  };
  FdSink* fd_sink = file.file.get();
  std::unique_ptr<pt::FileSink> outer = std::move(file.file);
  if (netascii) outer = std::make_unique<Netascii>(std::move(outer));
  auto receiver = std::make_unique<pt::Receiver>(*outer, std::move(rc));
  auto t = std::make_unique<Transfer>(std::move(*sock), d.from, file.path, req.filename, std::move(outer),
                                      std::move(receiver), [fd_sink] { return fd_sink->commit(); }, nullptr);
  t->start(now);
  return t;
}

}  // namespace pxe::server::tftp
