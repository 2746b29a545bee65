// `pxekit serve --interface IF` without a dnsmasq.conf: a DHCP range on the interface's subnet
// and boot files chosen from what the TFTP root holds.
#pragma once

#include <string>

#include "base/addr.h"
#include "config/dhcp_settings.h"

namespace pxe::config {

// Range: from the 10th host of the subnet (or the 2nd on tiny subnets) to the last one before
// broadcast; the server's own address is never offered. Boot files, when `tftp_root` holds them:
// pxelinux.0 / undionly.kpxe for BIOS, syslinux.efi / ipxe.efi / grubx64.efi / bootx64.efi for
// x86-64 UEFI (option 93 = 7 or 9).
DhcpSettings quick_start(const std::string& interface, Ipv4 address, Ipv4 netmask, const std::string& tftp_root);

}  // namespace pxe::config
