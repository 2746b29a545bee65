// One simulated PXE machine on a transport::Link: it speaks Ethernet (its own MAC, ARP for the
// boot server, answers ARP for the address it got) and walks a netboot stage by stage,
//
//   dhcp ─> bootserver (4011, when the offers call for it) ─> arp ─> tftp-nbp (size probe, then
//   the boot file) ─> pxelinux-config (ldlinux, the config search, parse) ─> menu (UI module,
//   shown) ─> kernel (the chosen label's kernel and initrd) ─> winpe-dhcp (WinPE's own DHCP)
//   ─> winpe-share (`net use` of the install share over SMB2, then a read of setup.exe)
//
// driving the sans-I/O machines (proto::dhcp::DhcpClient, proto::tftp::Receiver, and for the share
// proto::tcp::Endpoint carrying proto::smb2::SmbClient) with the firmware
// profile's packets and timers. It writes what the firmware would print (screen.h), a step line
// per event with the packet that caused it (-v), and the time each stage took.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "client/firmware_profile.h"
#include "client/screen.h"
#include "proto/dhcp/client.h"
#include "proto/smb2/client.h"
#include "proto/tcp/endpoint.h"
#include "proto/tftp/receiver.h"
#include "transport/frame.h"
#include "transport/link.h"

namespace pxe::client {

// WinPE's `net use DRIVE \\server\share [/user:USER PASSWORD]`, then a read of `file` from it.
struct NetUse {
  Ipv4 server;
  std::string share;
  std::string user;      // empty: no /user (an anonymous session)
  std::string password;
  std::string drive = "I:";
  std::string file = "setup.exe";
  bool require_signing = false;  // the client requires SMB signing (Windows 11 24H2's default)
  std::string command() const;  // as typed at the prompt
};
// "\\192.168.42.1\GUEST" (or with forward slashes); the server must be an IPv4 address.
Result<NetUse> parse_unc(std::string_view unc);

struct ClientOptions {
  FirmwareProfile profile;
  Mac mac;
  std::optional<Stage> until;        // default: profile.default_until
  std::optional<std::string> label;  // pxelinux label to boot (default: the config's default)
  // The winpe profile's share; with it the default `until` is winpe-share.
  std::optional<NetUse> net_use;
};

struct StageTime {
  Stage stage;
  Timestamp start, end;
};

struct ClientReport {
  Mac mac;
  std::vector<std::string> screen;  // the firmware's lines
  std::vector<std::string> steps;   // -v: "+0.000s dhcp: DHCPOFFER from ..."
  std::vector<StageTime> stages;    // completed stages with their times
  std::optional<Stage> reached;     // the last stage completed
  std::optional<Failure> failure;
  std::optional<Stage> failed_in;   // the stage that was running when it failed
  std::optional<proto::smb2::ClientDone> share;  // winpe-share: the listing and the file read
  bool finished = false;            // reached `until`, or failed
  bool ok() const { return finished && !failure; }
};

// A file on its way to the client: for a progress bar.
struct Progress {
  std::string file;
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> total;  // tsize, or the SMB file's size, when known
};

class SimulatedClient : public transport::Station {
 public:
  SimulatedClient(transport::FrameOut& link, ClientOptions options, Random& rng);
  ~SimulatedClient() override;

  // Powers on at `now` (the first DISCOVER goes out).
  void start(Timestamp now);
  // Powers on later, when the Link's clock reaches `at` (a classroom switched on row by row).
  void power_on_at(Timestamp at) { pending_start_ = at; }
  bool finished() const { return report_.finished; }
  const ClientReport& report() const { return report_; }
  Stage until() const { return until_; }
  // The TFTP transfer or the SMB read under way, if any.
  std::optional<Progress> progress() const;

  void on_frame(ByteSpan frame, Timestamp now) override;
  std::optional<Timestamp> next_deadline() const override;
  void on_time(Timestamp now) override;

 private:
  struct Transfer;
  struct Fetched {
    bool ok = false;
    std::uint64_t bytes = 0;
    std::optional<std::uint64_t> tsize;
    bool answered = false;
    proto::tftp::FailReason reason{};
    std::uint16_t code = 0;
    std::string message;
    Bytes data;  // when asked to keep it (config files)
  };
  using Then = std::function<void(const Fetched&, Timestamp)>;

  // DHCP (the firmware's, then WinPE's).
  void dhcp_apply(proto::dhcp::ClientActions& acts, Timestamp now);
  void dhcp_done(const proto::dhcp::ClientBoot& boot, Timestamp now);
  void dhcp_failed(proto::dhcp::ClientFailure f, Timestamp now);
  // ARP for the boot server.
  void arp_send(Timestamp now);
  void on_arp(const transport::ArpFrame& a, Timestamp now);
  // TFTP: one transfer at a time, as firmware does.
  void fetch(std::string name, std::vector<wire::tftp::Option> options, const proto::tftp::Timing& timing,
             bool probe, bool keep, Timestamp now, Then then);
  void tftp_apply(proto::tftp::Actions acts, Timestamp now);
  void fetch_nbp(Timestamp now);
  void nbp_fetched(const Fetched& r, Timestamp now);
  // pxelinux.
  void pxelinux_start(Timestamp now);
  void pxelinux_ldlinux(std::size_t i, Timestamp now);
  void pxelinux_config(std::size_t i, Timestamp now);
  void pxelinux_parse(const std::string& name, const Bytes& text, Timestamp now);
  void pxelinux_ui(std::size_t i, Timestamp now);
  void pxelinux_menu(Timestamp now);
  void pxelinux_kernel(Timestamp now);
  void winpe_start(Timestamp now);
  // WinPE's net use (winpe_stage.cpp).
  struct Share;
  void share_start(Timestamp now);
  void share_connect(Timestamp now);
  void share_frame(const transport::TcpFrame& f, Timestamp now);
  void share_time(Timestamp now);
  void share_tcp(std::vector<proto::tcp::Action>& acts, Timestamp now);
  void share_smb(std::vector<proto::smb2::ClientAction>& acts, Timestamp now);
  void share_failed(int system_error, const std::string& reason, Timestamp now);
  std::optional<Timestamp> share_deadline() const;
  // Stages and the end.
  void begin(Stage s, Timestamp now);
  void complete(Stage s, Timestamp now);  // finishes the run when s is `until`
  void fail(Failure why, Timestamp now);
  void tftp_fail(const Fetched& r, const std::string& name, Timestamp now);
  void step(Timestamp now, std::string text);
  void show(const std::vector<std::string>& lines);
  void send_udp(Mac dst_mac, Ipv4 dst_ip, std::uint16_t src_port, std::uint16_t dst_port, Bytes payload);
  ScreenFacts facts() const;

  transport::FrameOut& link_;
  ClientOptions opt_;
  Random& rng_;
  Stage until_;
  ClientReport report_;
  Timestamp powered_on_{};
  std::optional<Timestamp> pending_start_;
  std::optional<Stage> stage_;
  Timestamp stage_start_{};

  std::unique_ptr<proto::dhcp::DhcpClient> dhcp_;
  std::optional<Timestamp> dhcp_timer_;
  std::optional<proto::dhcp::ClientBoot> boot_;
  bool saw_address_offer_ = false, saw_proxy_offer_ = false, winpe_ = false;
  // The last request to port 4011 carried a boot item (43.71): boot server discovery (E78), not
  // the ProxyDHCP request (E55).
  bool boot_item_sent_ = false;
  Ipv4 ip_;

  Ipv4 server_ip_;
  std::optional<Mac> server_mac_;
  unsigned arp_tries_ = 0;
  std::optional<Timestamp> arp_timer_;

  std::unique_ptr<Transfer> transfer_;
  std::uint16_t next_port_;
  std::uint64_t nbp_size_ = 0;
  std::uint16_t tftp_code_ = 0;  // the last TFTP ERROR received, for the screen
  std::string tftp_message_;

  // pxelinux state
  struct Pxelinux;
  std::unique_ptr<Pxelinux> px_;
  std::unique_ptr<Share> share_;
  bool arp_waiting_ = false;
};

}  // namespace pxe::client
