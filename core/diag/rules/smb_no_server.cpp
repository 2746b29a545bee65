// `net use` to a machine with no SMB server on port 445 ("System error 53 has occurred. The
// network path was not found."): the client's SYN is answered with a RST (nothing listens: smbd
// not running, or bound to another address), or never answered at all (a firewall drops it; the
// client retransmits its SYN). Only when no connection to the port ever succeeds in the capture:
// a refused attempt before a server came up (a script polling for it) followed by a session is no
// failure, nor is a capture that ends after a single SYN.
#include <map>

#include "diag/rules/common.h"

namespace pxe::diag::rules {

void smb_no_server(const ClientContext& c, std::vector<Finding>& out) {
  struct Conn {
    const Event* first_syn = nullptr;
    const Event* last_syn = nullptr;
    unsigned syns = 0;
    bool accepted = false;          // a SYN-ACK came
    const Event* refused = nullptr;  // a RST from the server before any SYN-ACK
  };
  std::map<std::uint16_t, Conn> conns;
  for (const Event* e : c.smb) {
    Conn& k = conns[smb_connection(*e)];
    if (e->kind == EventKind::TcpOpen) {
      if (!e->from_client) {
        k.accepted = true;
      } else {
        if (k.accepted || k.refused) k = Conn{};  // the client port used again for a new connection
        if (!k.first_syn) k.first_syn = e;
        k.last_syn = e;
        ++k.syns;
      }
    } else if (e->kind == EventKind::TcpClose && e->rst && !e->from_client && k.first_syn && !k.accepted &&
               !k.refused) {
      k.refused = e;
    }
  }
  for (const auto& [port, k] : conns)
    if (k.accepted) return;
  // One finding per client: the first connection that failed says it; the others are retries.
  for (const auto& [port, k] : conns) {
    if (!k.first_syn || k.accepted || (!k.refused && k.syns < 2)) continue;
    Finding f;
    f.id = "smb-no-server";
    f.severity = Severity::Failure;
    f.screen = "System error 53 has occurred. The network path was not found.";
    f.evidence.push_back(evidence(k.first_syn, fmt::format("client SYN to {}:{}", k.first_syn->dst.str(),
                                                           k.first_syn->dport)));
    if (k.refused) {
      f.cause = "nothing listens on the server's SMB port: it answered the client's connection with a TCP reset";
      f.evidence.push_back(evidence(k.refused, "server reset the connection (port closed)"));
      f.fix_dnsmasq = "start the SMB server (systemctl start smbd) and check that it listens on this address "
                      "(smb.conf: interfaces / bind interfaces only, smb ports)";
    } else {
      f.cause = fmt::format("the server never answered the client's {} connection attempts on its SMB port: "
                            "a firewall drops them, or the address is not the server's",
                            k.syns);
      f.evidence.push_back(evidence(k.last_syn, "client SYN again, unanswered"));
      f.fix_dnsmasq = "open TCP port 445 in the server's firewall (ufw allow samba / firewall-cmd --add-service=samba) "
                      "and check the server address in net use";
    }
    f.fix_pxekit = "serve the share from the same process: pxekit serve -C dnsmasq.conf --smb-conf smb.conf (or "
                   "--share NAME=DIR)";
    out.push_back(std::move(f));
    break;
  }
}

}  // namespace pxe::diag::rules
