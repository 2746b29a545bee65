#!/usr/bin/env bash
# Re-record the PXE/DHCP/TFTP/SMB reference captures in captures/.
#
#   sudo captures/record.sh all          # every scenario
#   sudo captures/record.sh <name> ...   # one or more scenarios
#   captures/record.sh list              # scenario names
#
# All traffic stays inside network namespaces / veth / tap / bridge devices
# that this script creates (every name starts with "pxkcap") and inside
# 192.168.42.0/24, which only exists in those namespaces.  Everything created
# is removed again by the EXIT trap.  Each scenario has a hard deadline.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${PXKCAP_OUT:-$HERE}"

SCENARIOS=(bios-pxelinux-menu bios-no-bootfile bios-no-tftp bios-missing-file
           proxydhcp-bios proxydhcp-uefi uefi-syslinux-menu linux-clients
           smb2-guest-and-user)

NS_SRV=pxkcap-srv      # server: bridge pxkcap-br0 = 192.168.42.1, tap for QEMU
NS_PRX=pxkcap-prx      # second server (proxyDHCP) 192.168.42.2 via veth
NS_CLI=pxkcap-cli      # Linux client (busybox udhcpc, curl, tftp-hpa)
NS_SMB=pxkcap-smb      # Samba on the loopback of its own namespace
BR=pxkcap-br0
TAP=pxkcap-tap0
SRV_IP=192.168.42.1
PRX_IP=192.168.42.2
VM_MAC=52:54:00:42:00:10
CLI_MAC=52:54:00:42:00:20
VM_UUID=8d3a6f0e-4b1c-4d2e-9f00-5058454b4954   # fixed, so pxelinux's config search is stable

PXELINUX=/usr/lib/PXELINUX/pxelinux.0
BIOSMOD=/usr/lib/syslinux/modules/bios
SYSLINUX_EFI=/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi
EFIMOD=/usr/lib/syslinux/modules/efi64
IPXE_BIOS_ROM=/usr/lib/ipxe/qemu/pxe-e1000.rom
IPXE_EFI_ROM=/usr/lib/ipxe/qemu/efi-e1000.rom
OVMF=/usr/share/ovmf/OVMF.fd

WORK=""
PIDS=()

log() { printf '[record] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- cleanup --
cleanup() {
    local rc=$?
    set +e
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    sleep 0.3
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    PIDS=()
    local ns
    for ns in "$NS_SRV" "$NS_PRX" "$NS_CLI" "$NS_SMB"; do
        if ip netns list | grep -qw "$ns"; then
            # anything still running inside one of our namespaces was started by us
            local left
            left=$(ip netns pids "$ns" 2>/dev/null)
            [ -n "$left" ] && kill -9 $left 2>/dev/null
            ip netns del "$ns"
        fi
    done
    [ -n "$WORK" ] && [ -d "$WORK" ] && rm -rf "$WORK"
    WORK=""
    return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------- topology ----
# pxkcap-srv: bridge pxkcap-br0 (192.168.42.1/24) with port pxkcap-tap0 (QEMU)
make_srv() {
    ip netns add "$NS_SRV"
    ip -n "$NS_SRV" link set lo up
    ip -n "$NS_SRV" link add "$BR" type bridge stp_state 0 forward_delay 0
    ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR"
    ip -n "$NS_SRV" link set "$BR" up
    # keep the bridge silent on IPv6 (no router solicitations / MLD from us)
    ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

add_tap() {
    ip -n "$NS_SRV" tuntap add dev "$TAP" mode tap
    ip -n "$NS_SRV" link set "$TAP" master "$BR"
    ip -n "$NS_SRV" link set "$TAP" up
}

# add_peer_ns <ns> <ifname-in-ns> <bridge-port-name> <ip/len or ""> <mac>
add_peer_ns() {
    local ns=$1 ifn=$2 port=$3 addr=$4 mac=$5
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip -n "$NS_SRV" link add "$port" type veth peer name "$ifn" netns "$ns"
    ip -n "$NS_SRV" link set "$port" master "$BR"
    ip -n "$NS_SRV" link set "$port" up
    ip -n "$ns" link set "$ifn" address "$mac"
    [ -n "$addr" ] && ip -n "$ns" addr add "$addr" dev "$ifn"
    ip -n "$ns" link set "$ifn" up
}

# --------------------------------------------------------------- helpers ---
# bg <ns> <cmd...>: start a background process inside a namespace
bg() {
    local ns=$1; shift
    ip netns exec "$ns" "$@" &
    PIDS+=($!)
}

start_capture() {     # start_capture <ns> <iface> <file> [filter...]
    local ns=$1 ifn=$2 file=$3; shift 3
    ip netns exec "$ns" tcpdump -i "$ifn" -s 0 -U -n -Z root -w "$file" "$@" \
        2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    PIDS+=($CAP_PID)
    local i
    for i in $(seq 50); do
        grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && return 0
        sleep 0.1
    done
    log "tcpdump did not start"; cat "$WORK/tcpdump.err" >&2; return 1
}

stop_capture() {
    sleep 1
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    grep -E 'packets (captured|received|dropped)' "$WORK/tcpdump.err" | sed 's/^/[tcpdump] /' >&2 || true
}

# tftp_tree_bios <dir>: Debian 12 pxelinux + modules + menu config like the seed's
tftp_tree_bios() {
    local d=$1
    mkdir -p "$d/pxelinux.cfg"
    cp "$PXELINUX" "$d/"
    cp "$BIOSMOD"/{ldlinux.c32,menu.c32,libutil.c32,libcom32.c32} "$d/"
    cat >"$d/pxelinux.cfg/default" <<'EOF'
SERIAL 0 115200
UI         menu.c32
MENU TITLE pxekit capture menu
TIMEOUT    600

LABEL      winpe
MENU LABEL Boot Windows PE from network
KERNEL     /memdisk
INITRD     winpe.iso
APPEND     iso raw

LABEL      localboot
MENU LABEL Boot from local disk
LOCALBOOT  0
EOF
}

tftp_tree_efi() {
    local d=$1
    mkdir -p "$d/pxelinux.cfg"
    cp "$SYSLINUX_EFI" "$d/"
    cp "$EFIMOD"/{ldlinux.e64,menu.c32,libutil.c32,libcom32.c32} "$d/"
    cat >"$d/pxelinux.cfg/default" <<'EOF'
SERIAL 0 115200
UI         menu.c32
MENU TITLE pxekit capture menu
TIMEOUT    600

LABEL      linux
MENU LABEL Boot a kernel from the network
KERNEL     /vmlinuz
APPEND     initrd=/initrd.img

LABEL      exit
MENU LABEL Return to firmware
LOCALBOOT  -1
EOF
}

# write_dnsmasq_conf <file> <name> <iface> <extra lines...>
write_dnsmasq_conf() {
    local f=$1 name=$2 ifn=$3; shift 3
    {
        echo "# generated by captures/record.sh ($name)"
        echo "port=0"
        echo "interface=$ifn"
        echo "bind-interfaces"
        echo "log-dhcp"
        echo "log-facility=$WORK/$name.dnsmasq.log"
        echo "pid-file=$WORK/$name.dnsmasq.pid"
        echo "dhcp-leasefile=$WORK/$name.leases"
        local l
        for l in "$@"; do echo "$l"; done
    } >"$f"
}

start_dnsmasq() {     # start_dnsmasq <ns> <conf>
    local ns=$1 conf=$2
    bg "$ns" /usr/sbin/dnsmasq --keep-in-foreground --conf-file="$conf"
    sleep 0.5
}

# run_qemu <bios|uefi> <console file> <deadline s> <regex to stop at> [linger s]
# Runs QEMU (TCG) inside pxkcap-srv on the tap; stops it once the serial
# console matches the regex (after <linger> more seconds) or at the deadline.
run_qemu() {
    local fw=$1 con=$2 deadline=$3 until=$4 linger=${5:-1}
    local fwargs romfile
    if [ "$fw" = bios ]; then
        fwargs=(-boot n); romfile=$IPXE_BIOS_ROM
    else
        fwargs=(-bios "$OVMF"); romfile=$IPXE_EFI_ROM
    fi
    : >"$con"
    ip netns exec "$NS_SRV" qemu-system-x86_64 -accel tcg -m 256 -nographic \
        -monitor none -serial "file:$con" -uuid "$VM_UUID" "${fwargs[@]}" \
        -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" \
        -device "e1000,netdev=n0,mac=$VM_MAC,romfile=$romfile" \
        </dev/null >"$WORK/qemu.out" 2>&1 &
    local qpid=$!
    PIDS+=($qpid)
    local t0=$SECONDS hit=0
    while [ $((SECONDS - t0)) -lt "$deadline" ]; do
        if ! kill -0 "$qpid" 2>/dev/null; then break; fi
        if grep -aqE "$until" "$con"; then hit=1; sleep "$linger"; break; fi
        sleep 0.5
    done
    kill "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
    if [ $hit = 1 ]; then
        log "console matched /$until/ after $((SECONDS - t0)) s"
    else
        log "console did NOT match /$until/ within ${deadline}s (stopped anyway)"
    fi
}

finish() {            # finish <name>: copy results into captures/
    local name=$1 f
    for f in "$WORK/$name".pcap "$WORK/$name".*.log "$WORK/$name".*.txt; do
        [ -e "$f" ] || continue
        # make paths in logs independent of the temp dir name
        case "$f" in
            *.log|*.txt) sed -i "s#$WORK#/tmp/pxkcap#g" "$f" ;;
        esac
        install -m 0644 "$f" "$OUT/"
        log "wrote $OUT/$(basename "$f")"
    done
}

# ------------------------------------------------------------- scenarios ---
# one DHCP+TFTP dnsmasq on the bridge, QEMU BIOS client
bios_single() {   # bios_single <name> <deadline> <regex> <linger> <dnsmasq lines...>
    local name=$1 deadline=$2 until=$3 linger=$4; shift 4
    make_srv; add_tap
    tftp_tree_bios "$WORK/tftp"
    write_dnsmasq_conf "$WORK/dnsmasq.conf" "$name" "$BR" \
        "dhcp-range=192.168.42.10,192.168.42.20,12h" \
        "dhcp-option=3,$SRV_IP" "$@"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dnsmasq.conf"
    run_qemu bios "$WORK/$name.console.txt" "$deadline" "$until" "$linger"
    stop_capture
    finish "$name"
}

sc_bios-pxelinux-menu() {
    bios_single bios-pxelinux-menu 90 'pxekit capture menu' 2 \
        "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}

sc_bios-no-bootfile() {
    bios_single bios-no-bootfile 60 'Nothing to boot' 1 \
        "enable-tftp" "tftp-root=$WORK/tftp"
}

sc_bios-no-tftp() {
    bios_single bios-no-tftp 90 'Connection timed out|No more network devices' 1 \
        "dhcp-boot=pxelinux.0"
}

sc_bios-missing-file() {
    bios_single bios-missing-file 60 'No such file|No more network devices' 1 \
        "dhcp-boot=nonexistent.0" "enable-tftp" "tftp-root=$WORK/tftp"
}

# plain DHCP server on 192.168.42.1 + proxyDHCP/TFTP on 192.168.42.2
proxy_common() {   # proxy_common <name> <bios|uefi> <deadline> <regex>
    local name=$1 fw=$2 deadline=$3 until=$4
    make_srv; add_tap
    add_peer_ns "$NS_PRX" pxkcap-p0 pxkcap-p1 "$PRX_IP/24" 52:54:00:42:00:02
    mkdir -p "$WORK/tftp"
    tftp_tree_bios "$WORK/tftp"
    tftp_tree_efi "$WORK/tftp-efi"
    cp "$WORK/tftp-efi"/{syslinux.efi,ldlinux.e64} "$WORK/tftp/"
    mkdir -p "$WORK/tftp/efi64"
    # syslinux.efi looks for its modules next to itself; keep BIOS and EFI
    # menu.c32 apart: EFI clients get efi64/syslinux.efi
    cp "$WORK/tftp-efi"/{syslinux.efi,ldlinux.e64,menu.c32,libutil.c32,libcom32.c32} "$WORK/tftp/efi64/"
    mkdir -p "$WORK/tftp/efi64/pxelinux.cfg"
    cp "$WORK/tftp-efi/pxelinux.cfg/default" "$WORK/tftp/efi64/pxelinux.cfg/default"
    rm -rf "$WORK/tftp-efi"
    write_dnsmasq_conf "$WORK/dhcp.conf" "$name.dhcp" "$BR" \
        "dhcp-range=192.168.42.10,192.168.42.20,12h" \
        "dhcp-option=3,$SRV_IP"
    write_dnsmasq_conf "$WORK/proxy.conf" "$name.proxy" pxkcap-p0 \
        "dhcp-range=192.168.42.0,proxy" \
        "pxe-prompt=\"pxekit proxyDHCP\",0" \
        "pxe-service=x86PC,\"PXE Netboot (BIOS)\",pxelinux" \
        "pxe-service=x86-64_EFI,\"UEFI Netboot\",efi64/syslinux" \
        "enable-tftp" "tftp-root=$WORK/tftp"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dhcp.conf"
    start_dnsmasq "$NS_PRX" "$WORK/proxy.conf"
    run_qemu "$fw" "$WORK/$name.console.txt" "$deadline" "$until" 2
    stop_capture
    finish "$name"
}

sc_proxydhcp-bios() { proxy_common proxydhcp-bios bios 90 'pxekit capture menu'; }
sc_proxydhcp-uefi() { proxy_common proxydhcp-uefi uefi 90 'pxekit capture menu'; }

sc_uefi-syslinux-menu() {
    local name=uefi-syslinux-menu
    make_srv; add_tap
    tftp_tree_efi "$WORK/tftp"
    cp "$PXELINUX" "$WORK/tftp/"
    write_dnsmasq_conf "$WORK/dnsmasq.conf" "$name" "$BR" \
        "dhcp-range=192.168.42.10,192.168.42.20,12h" \
        "dhcp-option=3,$SRV_IP" \
        "dhcp-match=set:efi-x86_64,option:client-arch,7" \
        "dhcp-boot=tag:efi-x86_64,syslinux.efi" \
        "dhcp-boot=tag:!efi-x86_64,pxelinux.0" \
        "enable-tftp" "tftp-root=$WORK/tftp"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dnsmasq.conf"
    run_qemu uefi "$WORK/$name.console.txt" 90 'pxekit capture menu' 2
    stop_capture
    finish "$name"
}

sc_linux-clients() {
    echo TODO >&2; return 1
}

sc_smb2-guest-and-user() {
    echo TODO >&2; return 1
}

# ------------------------------------------------------------------ main ---
run_one() {
    local name=$1
    if ! declare -F "sc_$name" >/dev/null; then
        log "unknown scenario '$name' (known: ${SCENARIOS[*]})"; return 2
    fi
    WORK=$(mktemp -d /tmp/pxkcap.XXXXXX)
    chmod 755 "$WORK"
    log "=== $name (work dir $WORK)"
    local t0=$SECONDS
    "sc_$name"
    log "=== $name done in $((SECONDS - t0)) s"
    cleanup
}

main() {
    if [ $# -eq 0 ]; then
        echo "usage: $0 all | list | <scenario>..." >&2; exit 2
    fi
    if [ "$1" = list ]; then printf '%s\n' "${SCENARIOS[@]}"; exit 0; fi
    if [ "$(id -u)" != 0 ]; then echo "$0: must run as root" >&2; exit 1; fi
    local names=("$@")
    [ "$1" = all ] && names=("${SCENARIOS[@]}")
    local n
    for n in "${names[@]}"; do
        run_one "$n"
    done
}

main "$@"
