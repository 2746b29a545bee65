// The first seed's dnsmasq.conf and smb.conf, byte for byte as the blog gives them (trailing
// comments included): read by the config tests, served by the DHCP and SMB end-to-end tests.
#pragma once

namespace pxe::test {

inline constexpr const char* kSeedDnsmasqConf =
    "port=0 # disable DNS server\n"
    "interface=eno1\n"
    "bind-interfaces\n"
    "dhcp-option=3,192.168.42.1 # default gateway\n"
    "dhcp-option=6,8.8.8.8,8.8.4.4 # dns servers\n"
    "dhcp-range=192.168.42.10,192.168.42.20,12h\n"
    "dhcp-boot=boot/pxelinux.0\n"
    "enable-tftp\n"
    "tftp-root=/tmp/win-pxe/tftp\n";

inline constexpr const char* kSeedSmbConf =
    "[global]\n"
    "map to guest = Bad User # Required\n"
    "workgroup = home\n"
    "log level = 5\n"
    "unix extensions = No\n"
    "client min protocol = SMB2\n"
    "client max protocol = SMB3\n"
    "\n"
    "min protocol = SMB2\n"
    "max protocol = SMB3\n"
    "\n"
    "state directory = /tmp/win-pxe/samba\n"
    "pid directory = /tmp/win-pxe/samba\n"
    "cache directory = /tmp/win-pxe/samba\n"
    "lock directory = /tmp/win-pxe/samba\n"
    "\n"
    "# \"guest\" in between [] is the name of the share\n"
    "[guest]\n"
    "path = /tmp/win10iso # Required\n"
    "readonly = yes\n"
    "guest ok = yes # Required\n";

}  // namespace pxe::test
