// TFTP server settings: filled from dnsmasq.conf lines (enable-tftp, tftp-root, tftp-no-blocksize,
// tftp-max, tftp-mtu, tftp-lowercase, tftp-port-range, tftp-secure, ...) or pxekit serve flags,
// consumed by server/tftp. Defaults follow dnsmasq's where it has one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pxe::config {

struct TftpSettings {
  bool enabled = false;                 // enable-tftp
  std::string root;                     // tftp-root (every path is confined to it)
  std::string address = "0.0.0.0";      // where to listen
  std::uint16_t port = 69;
  std::vector<std::string> interfaces;  // interface= lines (empty: all)
  bool no_blocksize = false;            // tftp-no-blocksize: ignore the blksize option
  std::uint32_t max_transfers = 50;     // tftp-max
  // tftp-max-per-client: running transfers per client address. A PXE client reads one file at a
  // time (two with a tsize probe racing its retry); 4 leaves room and keeps one host from taking
  // every slot of tftp-max.
  std::uint32_t max_per_client = 4;
  std::uint32_t mtu = 0;                // tftp-mtu (0: from the interface)
  bool lowercase = false;               // tftp-lowercase: lower-case requested names
  bool case_insensitive = false;        // look a name up case-insensitively (Windows boot files)
  std::uint16_t port_range_low = 0;     // tftp-port-range (0: any ephemeral port)
  std::uint16_t port_range_high = 0;
  bool secure = false;                  // tftp-secure: only files owned by the server's user
  bool allow_write = false;             // WRQ refused unless enabled
  std::string write_dir;                // the only directory WRQ may write into (under root)
  bool write_overwrite = false;         // WRQ may replace an existing file there (else ERROR 6)
  // tftp-max-upload-size: an upload larger than this (announced by tsize, or found while writing)
  // ends with ERROR 3 and leaves nothing behind. 4 GiB: any boot image or crash dump, not a disk.
  std::uint64_t max_upload_size = 4ull << 30;
  std::uint32_t max_windowsize = 64;    // cap for RFC 7440 windowsize
  // A peer that never answers (no ACK to the first DATA/OACK, no DATA 1 of an upload) is given up
  // this long after the server's first answer, whatever RFC 2349 `timeout` it asked for
  // (tftp-first-answer-timeout, seconds in dnsmasq.conf).
  std::uint32_t first_answer_ms = 5000;
  // A transfer with no progress for this long is given up (tftp-idle-timeout); there is no limit
  // on a transfer that keeps moving.
  std::uint32_t idle_timeout_s = 30;
  std::uint32_t retransmit_ms = 1000;      // first retransmission timeout (doubles up to 8 s)
  std::uint32_t max_retries = 6;           // consecutive timeouts before a transfer is given up
  double rate_limit_per_s = 20;            // new requests per second and client address (0: no limit)
  double rate_limit_burst = 100;           // requests a client may make at once
};

}  // namespace pxe::config
