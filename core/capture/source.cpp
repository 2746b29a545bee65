#include "capture/source.h"

#include <pcap/pcap.h>

namespace pxe::capture {

struct PcapSource::Handle {
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
  return s;
}

PcapSource::Next PcapSource::next(RawFrame& frame) {
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
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
