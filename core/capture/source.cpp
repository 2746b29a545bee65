#include "capture/source.h"

#include <poll.h>
#include <pcap/pcap.h>

namespace pxe::capture {

struct PcapSource::Handle {
  int live_fd = -1;      // live: the descriptor next() waits on, with its own timeout
  int live_timeout_ms = 0;
  pcap_t* p = nullptr;
  ~Handle() {
    if (p) pcap_close(p);
  }
};

PcapSource::~PcapSource() = default;
PcapSource::PcapSource(PcapSource&&) noexcept = default;
PcapSource& PcapSource::operator=(PcapSource&&) noexcept = default;

LinkType link_type_of(int dlt) {
  switch (dlt) {
    case DLT_EN10MB: return LinkType::Ethernet;
    case DLT_LINUX_SLL: return LinkType::LinuxSll;
    case DLT_RAW:
    case 14:   // DLT_RAW on OpenBSD
    case 228:  // LINKTYPE_IPV4
      return LinkType::RawIp;
    case DLT_NULL:
    case DLT_LOOP:
      return LinkType::Null;
    default: return LinkType::Unsupported;
  }
}

static Result<void> apply_filter(pcap_t* p, const std::string& filter) {
  if (filter.empty()) return {};
  bpf_program prog{};
  if (pcap_compile(p, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return make_error("bad filter '" + filter + "': " + pcap_geterr(p));
  int rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc != 0) return make_error(std::string("cannot set filter: ") + pcap_geterr(p));
  return {};
}

Result<PcapSource> PcapSource::open_file(const std::string& path, const std::string& filter) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
  if (!p) return make_error(path + ": " + err);
  PcapSource s;
  s.h_ = std::make_unique<Handle>();
  s.h_->p = p;
  s.dlt_ = pcap_datalink(p);
  s.link_ = link_type_of(s.dlt_);
  if (auto r = apply_filter(p, filter); !r) return r.error();
  return s;
}

Result<PcapSource> PcapSource::open_live(const LiveOptions& o) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(o.interface.c_str(), err);
  if (!p) return make_error(o.interface + ": " + err);
  PcapSource s;
  s.h_ = std::make_unique<Handle>();
  s.h_->p = p;
  pcap_set_snaplen(p, o.snaplen);
  pcap_set_promisc(p, o.promiscuous ? 1 : 0);
  pcap_set_timeout(p, o.timeout_ms);
  pcap_set_immediate_mode(p, 1);
  int rc = pcap_activate(p);
  if (rc < 0) return make_error(o.interface + ": " + pcap_geterr(p));
  s.dlt_ = pcap_datalink(p);
  s.link_ = link_type_of(s.dlt_);
  if (auto r = apply_filter(p, o.filter); !r) return r.error();
  // libpcap's own timeout does not bound a read on Linux (TPACKET_V3 in immediate mode polls
  // without one), so on a quiet link a blocked read never let the caller check its duration or
  // stop flag. next() waits on the descriptor itself and reads without blocking.
  s.h_->live_fd = pcap_get_selectable_fd(p);
  s.h_->live_timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 100;
  if (s.h_->live_fd < 0 || pcap_setnonblock(p, 1, err) != 0)
    return make_error(o.interface + ": cannot wait on the capture with a timeout");
  return s;
}

PcapSource::Next PcapSource::next(RawFrame& frame) {
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  if (h_->live_fd >= 0) {
    pollfd pfd{h_->live_fd, POLLIN, 0};
    // Nothing within the timeout, or a signal: Timeout, so the caller looks at its clock and flags.
    if (::poll(&pfd, 1, h_->live_timeout_ms) <= 0) return Next::Timeout;
  }
  int rc = pcap_next_ex(h_->p, &hdr, &data);
  if (rc == 1) {
    frame.data = ByteSpan(data, hdr->caplen);
    frame.wire_len = hdr->len;
    frame.time = Timestamp{std::int64_t(hdr->ts.tv_sec) * 1000000 + hdr->ts.tv_usec};
    return Next::Frame;
  }
  if (rc == 0) return Next::Timeout;
  if (rc == PCAP_ERROR_BREAK) return Next::End;
  error_ = pcap_geterr(h_->p);
  return Next::Error;
}

void PcapSource::break_loop() { pcap_breakloop(h_->p); }

}  // namespace pxe::capture
