// One rule per file. Each looks at one client's context and appends findings with a stable id.
// docs/findings.md documents every id.
#pragma once

#include <vector>

#include "diag/client_context.h"

namespace pxe::diag::rules {

using Rule = void (*)(const ClientContext&, std::vector<Finding>&);

void no_offer(const ClientContext&, std::vector<Finding>&);               // PXE-E51
void only_proxy_offers(const ClientContext&, std::vector<Finding>&);      // PXE-E52
void no_boot_filename(const ClientContext&, std::vector<Finding>&);       // PXE-E53
void boot_server_unanswered(const ClientContext&, std::vector<Finding>&); // PXE-E55 / E78
void no_tftp_server_address(const ClientContext&, std::vector<Finding>&); // PXE-E7B, option 66
void arp_unanswered(const ClientContext&, std::vector<Finding>&);         // PXE-E11
void tftp_open_timeout(const ClientContext&, std::vector<Finding>&);      // PXE-E32
void tftp_error(const ClientContext&, std::vector<Finding>&);             // PXE-E3B/E3C/E36, config, modules
void tftp_stalled(const ClientContext&, std::vector<Finding>&);           // PXE-E35
void wrong_architecture(const ClientContext&, std::vector<Finding>&);
void tftp_fragmented(const ClientContext&, std::vector<Finding>&);
void smb_anonymous_hangup(const ClientContext&, std::vector<Finding>&);   // System error 58
void smb_logon_failure(const ClientContext&, std::vector<Finding>&);      // System error 1326
void smb_access_denied(const ClientContext&, std::vector<Finding>&);      // System error 5
void smb_bad_share(const ClientContext&, std::vector<Finding>&);          // System error 67
void smb_guest_signing_required(const ClientContext&, std::vector<Finding>&);  // System error 1272 / 58
void smb_connection_dropped(const ClientContext&, std::vector<Finding>&); // System error 58 / 64
void smb_no_server(const ClientContext&, std::vector<Finding>&);          // System error 53
void benign_noise(const ClientContext&, std::vector<Finding>&);           // tsize probe, config search

inline constexpr Rule kAll[] = {no_offer,          only_proxy_offers, no_boot_filename,
                                boot_server_unanswered, no_tftp_server_address, arp_unanswered,
                                tftp_open_timeout, tftp_error,        tftp_stalled,
                                wrong_architecture, tftp_fragmented,  smb_anonymous_hangup,
                                smb_logon_failure, smb_access_denied, smb_bad_share,
                                smb_guest_signing_required, smb_connection_dropped,
                                smb_no_server,     benign_noise};

}  // namespace pxe::diag::rules
