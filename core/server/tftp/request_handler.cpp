#include "server/tftp/request_handler.h"

#include <net/if.h>

#include <chrono>
#include <variant>

#include "base/text.h"
#include "proto/tftp/negotiation.h"
#include "server/tftp/log.h"
#include "server/tftp/read_request.h"

namespace pxe::server::tftp {

namespace pt = proto::tftp;
namespace wt = wire::tftp;


bool RequestHandler::interface_allowed(int ifindex) const {
  if (settings_.interfaces.empty() || ifindex == 0) return true;
  char name[IF_NAMESIZE] = {};
  // Looked up per request (interfaces come, go and get renamed; requests are few).
  return ::if_indextoname(static_cast<unsigned>(ifindex), name) && interface_served(settings_, name);
}

RequestHandler::RequestHandler(const config::TftpSettings& settings, TftpRoot root, std::string upload_dir)
    : settings_(settings),
      root_(std::move(root)),
      upload_dir_(std::move(upload_dir)),
      rules_{settings.lowercase, settings.case_insensitive},
      limits_(admission_limits(settings, !upload_dir_.empty())),
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
      if (a.dropped == pt::DropReason::RateLimited) {
        ++stats_.rate_limited;
        if (now - last_rate_log_ > std::chrono::seconds(1)) {
          last_rate_log_ = now;
          log()->warn("rate limit: dropping requests from {}", d.from.addr.str());
        }
      } else if (a.dropped == pt::DropReason::DuplicateWrite) {
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
  const bool netascii = decision.netascii;
  if (req->write) return on_write(d, *req, listen, now);
  const std::uint32_t mtu = mtu_for(d.from);
  auto prepared = prepare_read(*req, netascii, d.from.addr, root_, rules_, settings_, mtu);
  if (auto* refused = std::get_if<ReadRefused>(&prepared)) {
    log()->warn("{}", refused->log_line);
    refuse(listen, d.from, refused->code, refused->message);
    return nullptr;
  }
  auto& ready = std::get<ReadReady>(prepared);
  const pt::Negotiated& neg = ready.negotiated;

  auto sock = transfer_socket_for(d, listen);
  if (!sock) return nullptr;
  log()->debug("RRQ {} from {} mode {} blksize {} windowsize {} (path MTU {})", log_safe(req->filename), d.from.str(),
               log_safe(req->mode),
               neg.blksize, neg.windowsize, mtu);
  auto sender = std::make_unique<pt::Sender>(*ready.source, neg, ready.timing);
  auto t = std::make_unique<Transfer>(std::move(*sock), d.from, ready.path, req->filename, std::move(ready.source),
                                      std::move(sender));
  t->start(now);
  return t;
}

pt::Timing RequestHandler::timing_for(const pt::Negotiated& neg) const { return transfer_timing(settings_, neg); }

std::uint32_t RequestHandler::mtu_for(const transport::Endpoint& peer) const {
  return settings_.mtu ? settings_.mtu : transport::path_mtu(peer).value_or(1500);
}

pt::ServerLimits RequestHandler::limits_for(const transport::Endpoint& peer, std::uint32_t& mtu) const {
  mtu = mtu_for(peer);
  return server_limits(settings_, mtu);
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
