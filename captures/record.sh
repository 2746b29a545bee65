#!/usr/bin/env bash
# Re-record the PXE/DHCP/TFTP/SMB reference captures in captures/.
#
#   sudo captures/record.sh all          # every scenario
#   sudo captures/record.sh <name> ...   # one or more scenarios
#   captures/record.sh list              # scenario names
#
# All traffic stays inside network namespaces / veth / tap / bridge devices
# that this script creates (every name starts with "pxkcap") and inside
# 192.168.42.0/24, which only exists in those namespaces (the client-* scenarios,
# where `pxekit client` is the firmware, use namespaces and veths named "pxkrec").  Everything created
# is removed again by the EXIT trap.  Each scenario has a hard deadline.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${PXKCAP_OUT:-$HERE}"

SCENARIOS=(bios-pxelinux-menu bios-no-bootfile bios-no-tftp bios-missing-file
           proxydhcp-bios proxydhcp-uefi uefi-syslinux-menu edk2-syslinux-menu linux-clients
           smb2-guest-and-user smb2-guest-signing-required
           smb2-pxekit-logon-failure smb2-pxekit-guest-refused smb2-pxekit-guest-signing-required
           smb2-pxekit-bad-share smb2-pxekit-server-hangup smb2-pxekit-negotiate-hangup
           smb2-pxekit-port-4445
           bios-no-offer edk2-no-offer bios-only-proxy edk2-only-proxy
           bios-bootserver-silent bios-proxy-4011-silent edk2-proxy-4011-silent edk2-proxy-x86pc-only
           bios-two-dhcp-servers bios-arp-unanswered bios-tftp-stalled bios-efi-nbp edk2-bios-nbp bios-option66-siaddr0
           edk2-no-bootfile edk2-no-tftp edk2-missing-file
           bios-bootfile-is-dir bios-access-violation bios-no-ldlinux bios-no-menu-c32 bios-no-pxelinux-cfg
           client-bios-dnsmasq client-bios-pxekit client-no-bootfile-dnsmasq client-no-bootfile-pxekit
           client-fault-no-offer client-fault-only-proxy-offers client-fault-boot-server-unanswered
           client-fault-arp-unanswered client-fault-tftp-transfer-stalled pxekit-tftp-gso
           client-fault-no-tftp-server-address client-fault-wrong-architecture
           client-proxy-4011-unanswered-dnsmasq client-two-dhcp-servers client-proxy-no-bios-service
           client-winpe-share-pxekit client-winpe-share-samba client-fault-net-use-reset)

NS_SRV=pxkcap-srv      # server: bridge pxkcap-br0 = 192.168.42.1, tap for QEMU
NS_PRX=pxkcap-prx      # second server (proxyDHCP) 192.168.42.2 via veth
NS_CLI=pxkcap-cli      # Linux client (busybox udhcpc, curl, tftp-hpa)
NS_SMB=pxkcap-smb      # Samba on the loopback of its own namespace
NS_RSRV=pxkrec-srv     # client-* scenarios: server end of veth pxkrec-s0 (192.168.42.1)
NS_RCLI=pxkrec-cli     # client-* scenarios: pxekit client on veth pxkrec-c0 (no address)
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
SERVE_ARGS=()   # extra arguments of start_pxekit_serve (client_winpe: --smb-conf)

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
    for ns in "$NS_SRV" "$NS_PRX" "$NS_CLI" "$NS_SMB" "$NS_RSRV" "$NS_RCLI"; do
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
    ip -n "$NS_SRV" link add "$BR" address 52:54:00:42:00:01 type bridge stp_state 0 forward_delay 0
    ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR"
    ip -n "$NS_SRV" link set "$BR" up
    # keep the bridge silent on IPv6 (no router solicitations / MLD from us)
    ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

add_tap() {
    ip -n "$NS_SRV" tuntap add dev "$TAP" mode tap
    ip -n "$NS_SRV" link set "$TAP" address 52:54:00:42:00:fe
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
    ip -n "$NS_SRV" link set "$port" address "${mac%:*}:f${mac: -1}"
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

# The pxelinux menu every capture's TFTP root serves (the seed's winpe entry and a local boot).
capture_menu() {
    cat <<'EOF'
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

# tftp_tree_bios <dir>: Debian 12 pxelinux + modules + menu config like the seed's
tftp_tree_bios() {
    local d=$1
    mkdir -p "$d/pxelinux.cfg"
    cp "$PXELINUX" "$d/"
    cp "$BIOSMOD"/{ldlinux.c32,menu.c32,libutil.c32,libcom32.c32} "$d/"
    { echo "SERIAL 0 115200"; capture_menu; } >"$d/pxelinux.cfg/default"
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
    local fwargs nic
    case "$fw" in
        bios)   # SeaBIOS + iPXE PXE option ROM on an e1000
            fwargs=(-boot n); nic="e1000,netdev=n0,mac=$VM_MAC,romfile=$IPXE_BIOS_ROM" ;;
        uefi)   # OVMF + iPXE EFI driver ROM on an e1000 (iPXE does the boot)
            fwargs=(-bios "$OVMF"); nic="e1000,netdev=n0,mac=$VM_MAC,romfile=$IPXE_EFI_ROM" ;;
        edk2)   # OVMF's own PXE stack (VirtioNetDxe + PxeBcDxe), no option ROM
            fwargs=(-bios "$OVMF"); nic="virtio-net-pci,netdev=n0,mac=$VM_MAC,romfile=" ;;
    esac
    : >"$con"
    ip netns exec "$NS_SRV" qemu-system-x86_64 -accel tcg -m 256 -nographic \
        -monitor none -serial "file:$con" -uuid "$VM_UUID" "${fwargs[@]}" \
        -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" \
        -device "$nic" \
        </dev/null >"$WORK/qemu.out" 2>&1 &
    local qpid=$!
    PIDS+=($qpid)
    local t0=$SECONDS hit=0
    while [ $((SECONDS - t0)) -lt "$deadline" ]; do
        if ! kill -0 "$qpid" 2>/dev/null; then break; fi
        # OVMF's console puts cursor-positioning escapes between characters
        if sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$con" | grep -aqE "$until"; then
            hit=1; sleep "$linger"; break
        fi
        sleep 0.5
    done
    kill "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
    if [ $hit = 1 ]; then
        log "console matched /$until/ after $((SECONDS - t0)) s"
    else
        log "console did NOT match /$until/ within ${deadline}s (stopped anyway)"
        sed "s/^/[qemu] /" "$WORK/qemu.out" >&2
    fi
}

finish() {            # finish <name>: copy results into captures/
    local name=$1 f
    for f in "$WORK/$name".pcap "$WORK/$name".*.log "$WORK/$name".*.txt; do
        [ -e "$f" ] || continue
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
        "pxe-service=x86-64_EFI,\"UEFI Netboot\",efi64/syslinux.efi" \
        "enable-tftp" "tftp-root=$WORK/tftp"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dhcp.conf"
    start_dnsmasq "$NS_PRX" "$WORK/proxy.conf"
    run_qemu "$fw" "$WORK/$name.console.txt" "$deadline" "$until" 2
    stop_capture
    finish "$name"
}

sc_proxydhcp-bios() { proxy_common proxydhcp-bios bios 90 'pxekit capture menu'; }
sc_proxydhcp-uefi() { proxy_common proxydhcp-uefi edk2 90 'pxekit capture menu'; }

sc_uefi-syslinux-menu() { uefi_single uefi-syslinux-menu uefi; }
sc_edk2-syslinux-menu() { uefi_single edk2-syslinux-menu edk2; }

uefi_single() {
    local name=$1 fw=$2
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
    run_qemu "$fw" "$WORK/$name.console.txt" 90 'pxekit capture menu' 2
    stop_capture
    finish "$name"
}

# Linux DHCP/TFTP clients in their own namespace, against dnsmasq
sc_linux-clients() {
    local name=linux-clients
    local cli=(ip netns exec "$NS_CLI")
    make_srv
    add_peer_ns "$NS_CLI" pxkcap-c0 pxkcap-c1 "" "$CLI_MAC"
    add_peer_ns "$NS_PRX" pxkcap-p0 pxkcap-p1 "$PRX_IP/24" 52:54:00:42:00:02
    mkdir -p "$WORK/tftp" "$WORK/dl"
    # deterministic payloads: 20 000 and 49 000 bytes of text
    seq -w 1 4000 >"$WORK/tftp/small.bin"
    seq 100000 106999 >"$WORK/tftp/medium.bin"
    write_dnsmasq_conf "$WORK/dnsmasq.conf" "$name" "$BR" \
        "dhcp-range=192.168.42.10,192.168.42.20,2m" \
        "dhcp-option=3,$SRV_IP" \
        "enable-tftp" "tftp-root=$WORK/tftp"
    local T="$WORK/$name.clients.txt"
    : >"$T"
    # udhcpc hook: configure the address, record the events
    {
        echo '#!/bin/sh'
        echo "echo \"udhcpc event \$1 ip=\$ip subnet=\$subnet router=\$router lease=\$lease serverid=\$serverid\" >>'$T'"
        echo 'case "$1" in'
        echo '  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;'
        echo '  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$subnet" dev "$interface" ;;'
        echo 'esac'
    } >"$WORK/udhcpc.sh"
    chmod +x "$WORK/udhcpc.sh"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dnsmasq.conf"

    # 1. DHCP lease with busybox udhcpc (DISCOVER/OFFER/REQUEST/ACK)
    echo "### busybox udhcpc -f -i pxkcap-c0 -s udhcpc.sh -t 3 -T 2 -x hostname:pxkcap-cli -V pxekit-capture" >>"$T"
    "${cli[@]}" busybox udhcpc -f -i pxkcap-c0 -s "$WORK/udhcpc.sh" -t 3 -T 2 \
        -x hostname:pxkcap-cli -V pxekit-capture >>"$T" 2>&1 &
    local upid=$!
    PIDS+=($upid)
    local i
    for i in $(seq 100); do grep -q 'event bound' "$T" && break; sleep 0.1; done
    grep -q 'event bound' "$T" || { log "udhcpc got no lease"; return 1; }
    sleep 1
    # 2. renew (unicast REQUEST -> ACK)
    echo "### kill -USR1 <udhcpc> (renew)" >>"$T"
    kill -USR1 "$upid"
    sleep 2

    # 3. TFTP fetches
    local url="tftp://$SRV_IP"
    tftp_run() {
        echo "### $*" >>"$T"
        local rc=0
        "${cli[@]}" timeout 30 "$@" >>"$T" 2>&1 || rc=$?
        echo "### exit status $rc" >>"$T"
        sleep 0.5
    }
    tftp_run curl -sS "$url/small.bin" -o "$WORK/dl/c512"
    tftp_run curl -sS --tftp-blksize 1468 "$url/medium.bin" -o "$WORK/dl/c1468"
    # dnsmasq caps blksize at (interface MTU - 32) = 1468, so this one is
    # answered with OACK blksize=1468: no fragments from dnsmasq
    tftp_run curl -sS --tftp-blksize 8192 "$url/medium.bin" -o "$WORK/dl/c8192"
    tftp_run curl -sS --tftp-no-options "$url/small.bin" -o "$WORK/dl/cnoopt"
    tftp_run tftp -v "$SRV_IP" -m binary -c get small.bin "$WORK/dl/hpa"
    tftp_run busybox tftp -g -b 1024 -r medium.bin -l "$WORK/dl/bb1024" "$SRV_IP"
    tftp_run curl -sS "$url/missing.bin" -o "$WORK/dl/missing"
    tftp_run tftp -v "$SRV_IP" -m binary -c get missing.bin "$WORK/dl/missing2"
    # tftpd-hpa (in.tftpd) on 192.168.42.2 grants 8192 -> 8220-byte UDP
    # datagrams, i.e. IPv4 fragments on the 1500-byte MTU links
    bg "$NS_PRX" /usr/sbin/in.tftpd -L -a "$PRX_IP:69" -u nobody -s "$WORK/tftp"
    sleep 0.5
    tftp_run curl -sS --tftp-blksize 8192 "tftp://$PRX_IP/medium.bin" -o "$WORK/dl/h8192"
    tftp_run tftp -v "$PRX_IP" -m binary -c get missing.bin "$WORK/dl/missing3"
    local f
    for f in c512:small c1468:medium c8192:medium cnoopt:small hpa:small bb1024:medium h8192:medium; do
        if cmp -s "$WORK/dl/${f%%:*}" "$WORK/tftp/${f#*:}.bin"; then
            echo "### check: download ${f%%:*} == ${f#*:}.bin" >>"$T"
        else
            echo "### check: download ${f%%:*} != ${f#*:}.bin (MISMATCH)" >>"$T"
        fi
    done

    # 4. release (unicast RELEASE, no reply)
    echo "### kill -USR2 <udhcpc> (release)" >>"$T"
    kill -USR2 "$upid"
    sleep 1
    kill "$upid" 2>/dev/null || true
    wait "$upid" 2>/dev/null || true
    stop_capture
    finish "$name"
}

# Samba (smbd 4.17) on the loopback of its own namespace, smbclient as client
# smb_setup <name>: smbd with the [guest]/[private] smb.conf below on the loopback of
# pxkcap-smb, tcpdump on tcp port 445, T = the clients.txt transcript
smb_setup() {
    local name=$1 S="$WORK/smb"
    ip netns add "$NS_SMB"
    ip -n "$NS_SMB" link set lo up
    mkdir -p "$S"/{lock,state,cache,private,pid,ncalrpc,log,bind-dns} "$WORK/share" "$WORK/dl"
    chmod 755 "$WORK/share"
    printf 'hello from the pxekit guest share\n' >"$WORK/share/hello.txt"
    seq -w 1 2000 >"$WORK/share/boot.ini"
    chmod 644 "$WORK/share"/*
    {
        echo '[global]'
        echo '    workgroup = PXEKIT'
        echo '    netbios name = PXKCAP'
        echo '    server string = pxekit capture'
        echo '    server role = standalone server'
        echo '    map to guest = Bad User'
        echo '    guest account = nobody'
        echo '    server min protocol = SMB2'
        echo '    client min protocol = SMB2'
        echo '    interfaces = lo'
        echo '    bind interfaces only = yes'
        echo '    smb ports = 445'
        echo '    disable netbios = yes'
        echo "    lock directory = $S/lock"
        echo "    state directory = $S/state"
        echo "    cache directory = $S/cache"
        echo "    private dir = $S/private"
        echo "    pid directory = $S/pid"
        echo "    ncalrpc dir = $S/ncalrpc"
        echo "    binddns dir = $S/bind-dns"
        echo "    passdb backend = tdbsam:$S/private/passdb.tdb"
        echo "    log file = $S/log/log.%m"
        echo '    log level = 1'
        echo '    load printers = no'
        echo '    printing = bsd'
        echo '    printcap name = /dev/null'
        echo '    disable spoolss = yes'
        echo '    usershare max shares = 0'
        echo ''
        echo '[guest]'
        echo "    path = $WORK/share"
        echo '    read only = yes'
        echo '    guest ok = yes'
        echo ''
        echo '[private]'
        echo "    path = $WORK/share"
        echo '    read only = yes'
        echo '    valid users = daemon'
    } >"$S/smb.conf"
    # the "real" user: the existing unix account daemon, with a password
    # that exists only in our temporary passdb
    printf 'pxkpass\npxkpass\n' | smbpasswd -c "$S/smb.conf" -s -a daemon >/dev/null
    T="$WORK/$name.clients.txt"
    : >"$T"
    start_capture "$NS_SMB" lo "$WORK/$name.pcap" tcp port 445
    bg "$NS_SMB" setsid smbd --foreground --no-process-group -s "$S/smb.conf"
    local i
    for i in $(seq 100); do
        ip netns exec "$NS_SMB" bash -c 'exec 3<>/dev/tcp/127.0.0.1/445' 2>/dev/null && break
        sleep 0.2
    done
    sleep 0.5
}

sc_smb2-guest-and-user() {
    local name=smb2-guest-and-user S="$WORK/smb" T
    smb_setup "$name"
    smb_run() {
        echo "### $*" >>"$T"
        local rc=0
        ip netns exec "$NS_SMB" timeout 30 "$@" >>"$T" 2>&1 || rc=$?
        echo "### exit status $rc" >>"$T"
        sleep 0.5
    }
    local C=(smbclient -s "$S/smb.conf")
    # -U% = anonymous (empty user name and password, NTLMSSP anonymous);
    # -N alone still sends the login name (root) with no password
    smb_run "${C[@]}" -U% -L //127.0.0.1
    smb_run "${C[@]}" -U% //127.0.0.1/guest -c 'ls'
    smb_run "${C[@]}" -N //127.0.0.1/guest -c 'ls'
    smb_run "${C[@]}" -U 'nosuchuser%whatever' //127.0.0.1/guest -c "ls; get hello.txt $WORK/dl/hello.txt"
    smb_run "${C[@]}" -U 'daemon%pxkpass' //127.0.0.1/private -c "ls; get boot.ini $WORK/dl/boot.ini"
    smb_run "${C[@]}" -U 'daemon%wrongpass' //127.0.0.1/private -c 'ls'
    smb_run "${C[@]}" -N //127.0.0.1/private -c 'ls'
    smb_run "${C[@]}" -N //127.0.0.1/nosuchshare -c 'ls'
    stop_capture
    # free space of the host's disk is not part of the scenario
    sed -i -E 's/[0-9]+ blocks of size ([0-9]+)\. [0-9]+ blocks available/N blocks of size \1. M blocks available/' "$T"
    finish "$name"
}

# smbclient that requires signing (--client-protection=sign), against the guest share: the
# session is a guest session, which cannot be signed, so the client hangs up after
# SESSION_SETUP without a TREE_CONNECT -- what WinPE's "net use" does against a guest-only
# share when guest logons are refused (System error 58).
sc_smb2-guest-signing-required() {
    local name=smb2-guest-signing-required S="$WORK/smb" T
    smb_setup "$name"
    local C=(smbclient -s "$S/smb.conf" --client-protection=sign)
    # -N: the login name (root) with no password, which "map to guest = Bad User" makes a guest
    echo "### ${C[*]} -N //127.0.0.1/guest -c ls" >>"$T"
    local rc=0
    ip netns exec "$NS_SMB" timeout 30 "${C[@]}" -N //127.0.0.1/guest -c ls >>"$T" 2>&1 || rc=$?
    echo "### exit status $rc" >>"$T"
    sleep 0.5
    stop_capture
    finish "$name"
}

# --------------------------------------------- pxekit serve's SMB, failing net use cases ---
# pxekit_smb_setup <name>: pxekit serve (SMB only) on 127.0.0.1:445 in pxkcap-smb, shares GUEST
# (guest ok) and PRIVATE (no guest), account user:pass, map to guest = Bad User; tcpdump on tcp
# port 445 of lo (or the port given; the dissector knows SMB by port 445/139 and by content on
# other ports); T = the clients.txt transcript.
# SMB_PID = pxekit serve's pid.
pxekit_smb_setup() {   # pxekit_smb_setup <name> [port, default 445]
    local name=$1 port=${2:-445} S="$WORK/smb"
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    ip netns add "$NS_SMB"
    ip -n "$NS_SMB" link set lo up
    mkdir -p "$S" "$WORK/share/guest" "$WORK/share/private"
    chmod -R 755 "$WORK/share"
    printf 'hello from the pxekit guest share\n' >"$WORK/share/guest/hello.txt"
    printf 'private\n' >"$WORK/share/private/private.txt"
    chmod 644 "$WORK/share"/*/*.txt
    printf '[global]\n  map to guest = Bad User\n[GUEST]\n  path = %s\n  guest ok = yes\n  read only = yes\n[PRIVATE]\n  path = %s\n  guest ok = no\n  read only = yes\n' \
        "$WORK/share/guest" "$WORK/share/private" >"$S/smb.conf"
    T="$WORK/$name.clients.txt"
    : >"$T"
    start_capture "$NS_SMB" lo "$WORK/$name.pcap" tcp port "$port"
    bg "$NS_SMB" setsid "$PXEKIT" serve --smb-conf "$S/smb.conf" --smb-user user:pass --smb-port "$port" \
        --listen-address 127.0.0.1 --log-level debug >"$WORK/$name.pxekit.log" 2>&1
    SMB_PID=$!
    local i
    for i in $(seq 100); do
        grep -q 'ready: serving' "$WORK/$name.pxekit.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q 'ready: serving' "$WORK/$name.pxekit.log" || { log "pxekit serve did not start"; return 1; }
}

# pxekit_smb_client <name> <smbclient args...>: one smbclient run (-c ls) into the transcript
pxekit_smb_client() {
    local name=$1; shift
    echo "### smbclient $* -c ls" >>"$T"
    local rc=0
    ip netns exec "$NS_SMB" timeout 30 smbclient "$@" -c ls >>"$T" 2>&1 || rc=$?
    echo "### exit status $rc" >>"$T"
    sleep 0.5
    stop_capture
    finish "$name"
}

sc_smb2-pxekit-logon-failure() {           # the account's name with a wrong password
    pxekit_smb_setup smb2-pxekit-logon-failure
    pxekit_smb_client smb2-pxekit-logon-failure -U 'user%wrongpass' //127.0.0.1/PRIVATE
}
sc_smb2-pxekit-guest-refused() {           # guest (-N: login name root, no password) on PRIVATE
    pxekit_smb_setup smb2-pxekit-guest-refused
    pxekit_smb_client smb2-pxekit-guest-refused -N //127.0.0.1/PRIVATE
}
sc_smb2-pxekit-guest-signing-required() {  # a client that must sign, given a guest session
    pxekit_smb_setup smb2-pxekit-guest-signing-required
    pxekit_smb_client smb2-pxekit-guest-signing-required --client-protection=sign -N //127.0.0.1/GUEST
}
sc_smb2-pxekit-bad-share() {               # the right account, a share that does not exist
    pxekit_smb_setup smb2-pxekit-bad-share
    pxekit_smb_client smb2-pxekit-bad-share -U 'user%pass' //127.0.0.1/NOSUCHSHARE
}
sc_smb2-pxekit-negotiate-hangup() {        # Kerberos only: NTLM is all pxekit offers
    pxekit_smb_setup smb2-pxekit-negotiate-hangup
    pxekit_smb_client smb2-pxekit-negotiate-hangup --use-kerberos=required -U 'user%pass' //127.0.0.1/GUEST
}
# On port 4445 (smbclient -p): a listing of GUEST that works, then a share that does not exist.
sc_smb2-pxekit-port-4445() {
    local name=smb2-pxekit-port-4445 share rc
    pxekit_smb_setup "$name" 4445
    for share in GUEST NOSUCHSHARE; do
        echo "### smbclient -p 4445 -U user%pass //127.0.0.1/$share -c ls" >>"$T"
        rc=0
        ip netns exec "$NS_SMB" timeout 30 smbclient -p 4445 -U 'user%pass' "//127.0.0.1/$share" -c ls >>"$T" 2>&1 || rc=$?
        echo "### exit status $rc" >>"$T"
    done
    sed -i -E 's/[0-9]+ blocks of size ([0-9]+)\. [0-9]+ blocks available/N blocks of size \1. M blocks available/' "$T"
    sleep 0.5
    stop_capture
    finish "$name"
}
# The server goes away mid-session: smbclient reads its commands from a pipe (ls, 3 s later ls);
# pxekit serve is stopped (SIGTERM) 1.5 s in, between the two.
sc_smb2-pxekit-server-hangup() {
    local name=smb2-pxekit-server-hangup
    pxekit_smb_setup "$name"
    echo "### (echo ls; sleep 3; echo ls; sleep 1) | smbclient -U user%pass //127.0.0.1/GUEST" >>"$T"
    echo "### kill -TERM <pxekit serve> after 1.5 s" >>"$T"
    local rc=0
    ( (echo ls; sleep 3; echo ls; sleep 1) | ip netns exec "$NS_SMB" timeout 30 smbclient -U 'user%pass' //127.0.0.1/GUEST >>"$T" 2>&1 ) &
    local cpid=$!
    sleep 1.5
    kill -TERM "$SMB_PID"
    wait "$cpid" || rc=$?
    echo "### exit status $rc" >>"$T"
    # free space of the host's disk is not part of the scenario
    sed -i -E 's/[0-9]+ blocks of size ([0-9]+)\. [0-9]+ blocks available/N blocks of size \1. M blocks available/' "$T"
    sleep 0.5
    stop_capture
    finish "$name"
}

# ------------------------------------------------------- fault scenarios ---
# fault_single <name> <bios|uefi|edk2> <bios|efi|mixed> <deadline> <regex> <linger> [dnsmasq lines...]
# One dnsmasq (DHCP and/or TFTP) on the bridge, or none at all when no line
# is given. Hooks, set by the caller: PREP (a function run after the TFTP tree
# is built, before the capture starts) and DURING (a function run in the
# background while QEMU runs, e.g. to freeze the TFTP server mid-transfer).
PREP=""; DURING=""
fault_single() {
    local name=$1 fw=$2 tree=$3 deadline=$4 until=$5 linger=$6; shift 6
    make_srv; add_tap
    case "$tree" in
        bios)  tftp_tree_bios "$WORK/tftp" ;;
        efi)   tftp_tree_efi "$WORK/tftp"; cp "$PXELINUX" "$WORK/tftp/" ;;
        mixed) tftp_tree_bios "$WORK/tftp"; cp "$SYSLINUX_EFI" "$EFIMOD/ldlinux.e64" "$WORK/tftp/" ;;
    esac
    [ -n "$PREP" ] && "$PREP" "$name"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    if [ $# -gt 0 ]; then
        write_dnsmasq_conf "$WORK/dnsmasq.conf" "$name" "$BR" "$@"
        start_dnsmasq "$NS_SRV" "$WORK/dnsmasq.conf"
    fi
    local hook=""
    if [ -n "$DURING" ]; then "$DURING" "$name" & hook=$!; PIDS+=($hook); fi
    run_qemu "$fw" "$WORK/$name.console.txt" "$deadline" "$until" "$linger"
    [ -n "$hook" ] && { kill "$hook" 2>/dev/null || true; wait "$hook" 2>/dev/null || true; }
    stop_capture
    finish "$name"
    PREP=""; DURING=""
}

DHCP_LINES=("dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,192.168.42.1")

# no DHCP server at all: only the capture and the VM on the bridge
sc_bios-no-offer() {
    fault_single bios-no-offer bios bios 90 'No configuration methods|No more network devices' 1
}
sc_edk2-no-offer() {
    fault_single edk2-no-offer edk2 efi 150 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' 1
}

# only a proxyDHCP server (dnsmasq proxy mode) answers; no address anywhere
PROXY_ONLY_LINES=("dhcp-range=192.168.42.0,proxy" "pxe-prompt=\"pxekit proxyDHCP\",0"
                  "pxe-service=x86PC,\"PXE Netboot (BIOS)\",pxelinux"
                  "pxe-service=x86-64_EFI,\"UEFI Netboot\",syslinux.efi"
                  "enable-tftp" "tftp-root=/tmp/pxkcap/tftp")
sc_bios-only-proxy() {
    fault_single bios-only-proxy bios mixed 90 'No configuration methods|No more network devices' 1 \
        "${PROXY_ONLY_LINES[@]}"
}
sc_edk2-only-proxy() {
    fault_single edk2-only-proxy edk2 mixed 150 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' 1 \
        "${PROXY_ONLY_LINES[@]}"
}

# proxyDHCP setup (proxy_common's two servers) with UDP 4011 black-holed on
# the proxy: policy routing in pxkcap-prx drops every datagram to port 4011
# before local delivery (the `local` table rule is moved behind it). Port 67
# still answers, so the proxy offer arrives but the 4011 step never does.
proxy_silent_4011() {   # proxy_silent_4011 <name> <bios|edk2> <deadline> <regex> [pxe-service lines...]
    local name=$1 fw=$2 deadline=$3 until=$4; shift 4
    local services=("$@")
    [ ${#services[@]} -eq 0 ] && services=("pxe-service=x86PC,\"PXE Netboot (BIOS)\",pxelinux"
                                            "pxe-service=x86-64_EFI,\"UEFI Netboot\",syslinux.efi")
    make_srv; add_tap
    add_peer_ns "$NS_PRX" pxkcap-p0 pxkcap-p1 "$PRX_IP/24" 52:54:00:42:00:02
    tftp_tree_bios "$WORK/tftp"
    cp "$SYSLINUX_EFI" "$EFIMOD/ldlinux.e64" "$WORK/tftp/"
    write_dnsmasq_conf "$WORK/dhcp.conf" "$name.dhcp" "$BR" "${DHCP_LINES[@]}"
    write_dnsmasq_conf "$WORK/proxy.conf" "$name.proxy" pxkcap-p0 \
        "dhcp-range=192.168.42.0,proxy" "pxe-prompt=\"pxekit proxyDHCP\",0" \
        "${services[@]}" "enable-tftp" "tftp-root=$WORK/tftp"
    if [ "${BLOCK_4011:-1}" = 1 ]; then
        ip -n "$NS_PRX" rule add pref 10 ipproto udp dport 4011 blackhole
        ip -n "$NS_PRX" rule add pref 100 lookup local
        ip -n "$NS_PRX" rule del pref 0
    fi
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dhcp.conf"
    start_dnsmasq "$NS_PRX" "$WORK/proxy.conf"
    run_qemu "$fw" "$WORK/$name.console.txt" "$deadline" "$until" 1
    stop_capture
    finish "$name"
}
sc_bios-bootserver-silent() {
    proxy_silent_4011 bios-bootserver-silent bios 120 'PXEBS.*(timed out|[Ee]rror)|No more network devices'
}
sc_edk2-proxy-4011-silent() {
    proxy_silent_4011 edk2-proxy-4011-silent edk2 150 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6'
}
# a proxy without a menu (dhcp-boot only): iPXE sends a ProxyDHCP REQUEST (no 43.71) to 4011
sc_bios-proxy-4011-silent() {
    proxy_silent_4011 bios-proxy-4011-silent bios 120 'pxelinux.0.*(\(http|[Ee]rror)|Nothing to boot|No more network devices|pxekit capture menu' \
        "dhcp-boot=pxelinux.0"
}
# the proxy offers a menu with only a BIOS (x86PC) entry; nothing blocked
sc_edk2-proxy-x86pc-only() {
    BLOCK_4011=0 proxy_silent_4011 edk2-proxy-x86pc-only edk2 150 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' \
        "pxe-service=x86PC,\"PXE Netboot (BIOS)\",pxelinux"
}

# a second, "rogue" DHCP server on 192.168.42.2 (no ping check, so it answers first) that
# hands out addresses but no boot file, beside the real PXE server on 192.168.42.1
sc_bios-two-dhcp-servers() {
    local name=bios-two-dhcp-servers
    make_srv; add_tap
    add_peer_ns "$NS_PRX" pxkcap-p0 pxkcap-p1 "$PRX_IP/24" 52:54:00:42:00:02
    tftp_tree_bios "$WORK/tftp"
    write_dnsmasq_conf "$WORK/dhcp.conf" "$name.dhcp" "$BR" "${DHCP_LINES[@]}" \
        "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
    write_dnsmasq_conf "$WORK/rogue.conf" "$name.rogue" pxkcap-p0 \
        "dhcp-range=192.168.42.100,192.168.42.120,12h" "dhcp-option=3,$PRX_IP" "no-ping"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    start_dnsmasq "$NS_SRV" "$WORK/dhcp.conf"
    start_dnsmasq "$NS_PRX" "$WORK/rogue.conf"
    run_qemu bios "$WORK/$name.console.txt" 90 'pxekit capture menu|Nothing to boot|No more network devices' 1
    stop_capture
    finish "$name"
}

# next-server is an address nobody has: the client ARPs for it in vain
sc_bios-arp-unanswered() {
    fault_single bios-arp-unanswered bios bios 90 'pxelinux.0.*(timed out|[Ee]rror|unreachable)|No more network devices' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.0,,192.168.42.99" "enable-tftp" "tftp-root=$WORK/tftp"
}

# the TFTP server freezes (SIGSTOP) after the 20th DATA packet of a 4 MiB boot file
stall_prep() {
    seq -f '%015g' 1 262144 >"$WORK/tftp/big.0"   # 4 MiB of text
    # ~1 Mbit/s towards the VM (token bucket on the tap), so that the transfer is still at its
    # first blocks when the SIGSTOP lands: keeps the capture small
    ip netns exec "$NS_SRV" tc qdisc add dev "$TAP" root tbf rate 1mbit burst 16kb latency 1s
}
stall_during() {
    ip netns exec "$NS_SRV" tcpdump -i "$BR" -n --immediate-mode -c 20 -w /dev/null \
        'udp and src host 192.168.42.1 and udp[8:2] = 3' 2>/dev/null
    local pid
    pid=$(cat "$WORK/bios-tftp-stalled.dnsmasq.pid")
    kill -STOP "$pid"
    log "dnsmasq (pid $pid) stopped after 20 DATA packets"
}
sc_bios-tftp-stalled() {
    PREP=stall_prep DURING=stall_during
    fault_single bios-tftp-stalled bios bios 120 'big.0.*(timed out|[Ee]rror)|No more network devices' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=big.0" "enable-tftp" "tftp-root=$WORK/tftp"
}

# boot file for the other architecture
sc_bios-efi-nbp() {
    fault_single bios-efi-nbp bios mixed 60 'syslinux.efi.*(ok|[Ee]rror)' 8 \
        "${DHCP_LINES[@]}" "dhcp-boot=syslinux.efi" "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_edk2-bios-nbp() {
    fault_single edk2-bios-nbp edk2 efi 120 'failed to load Boot[0-9]+ "UEFI PXEv4|PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}

# The TFTP server named only by option 66, with siaddr 0.0.0.0. dnsmasq cannot
# send this (it puts its own address into siaddr whenever dhcp-boot has none or
# 0.0.0.0), so pxekit's own server does DHCP and TFTP here:
# `dhcp-boot=pxelinux.0,,0.0.0.0` sets siaddr to 0.0.0.0 literally.
PXEKIT="${PXEKIT:-$HERE/../build/tools/pxekit/pxekit}"
sc_bios-option66-siaddr0() {
    local name=bios-option66-siaddr0
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    make_srv; add_tap
    tftp_tree_bios "$WORK/tftp"
    {
        echo "interface=$BR"
        echo "dhcp-range=192.168.42.10,192.168.42.20,12h"
        echo "dhcp-option=3,$SRV_IP"
        echo "dhcp-boot=pxelinux.0,,0.0.0.0"
        echo "dhcp-option=66,\"$SRV_IP\""
        echo "enable-tftp"
        echo "tftp-root=$WORK/tftp"
    } >"$WORK/pxekit.conf"
    start_capture "$NS_SRV" "$BR" "$WORK/$name.pcap"
    bg "$NS_SRV" setsid "$PXEKIT" serve -C "$WORK/pxekit.conf" --db "$WORK/leases.db" \
        --log-dhcp --log-level debug >"$WORK/$name.pxekit.log" 2>&1
    sleep 1
    run_qemu bios "$WORK/$name.console.txt" 90 'pxekit capture menu|[Ee]rror|timed out|not supported|No more network devices' 1
    stop_capture
    finish "$name"
}

# OVMF's own PXE (EDK2) against the BIOS fault cases
sc_edk2-no-bootfile() {
    fault_single edk2-no-bootfile edk2 efi 150 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' 1 \
        "${DHCP_LINES[@]}" "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_edk2-no-tftp() {
    fault_single edk2-no-tftp edk2 efi 120 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=syslinux.efi"
}
sc_edk2-missing-file() {
    fault_single edk2-missing-file edk2 efi 120 'PXE-E[0-9A-F][0-9A-F]|Start PXE over IPv6' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=nonexistent.efi" "enable-tftp" "tftp-root=$WORK/tftp"
}

# the boot file name is a directory: dnsmasq answers TFTP ERROR 0 "cannot read ...: Is a directory"
sc_bios-bootfile-is-dir() {
    fault_single bios-bootfile-is-dir bios bios 60 'pxelinux.cfg.*(\(http|[Ee]rror)|No more network devices' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.cfg" "enable-tftp" "tftp-root=$WORK/tftp"
}

# pxelinux.0 readable only by root: dnsmasq's TFTP runs as user nobody
sc_bios-access-violation() {
    PREP=access_prep
    fault_single bios-access-violation bios bios 60 'pxelinux.0.*(denied|[Ee]rror)|No more network devices' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}
access_prep() { chmod 600 "$WORK/tftp/pxelinux.0"; }

# pxelinux's own files missing
rm_ldlinux() { rm "$WORK/tftp/ldlinux.c32"; }
rm_menu() { rm "$WORK/tftp/menu.c32"; }
rm_cfg() { rm "$WORK/tftp/pxelinux.cfg/default"; }
sc_bios-no-ldlinux() {
    PREP=rm_ldlinux
    fault_single bios-no-ldlinux bios bios 90 'ldlinux.c32' 5 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_bios-no-menu-c32() {
    PREP=rm_menu
    fault_single bios-no-menu-c32 bios bios 90 'boot: ' 1 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_bios-no-pxelinux-cfg() {
    PREP=rm_cfg
    fault_single bios-no-pxelinux-cfg bios bios 90 'Unable to locate configuration file|[Bb]oot failed' 3 \
        "${DHCP_LINES[@]}" "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}

# ------------------------------------------------- pxekit client scenarios ---
# `pxekit client --interface` is the firmware here (no QEMU): it speaks Ethernet itself on
# pxkrec-c0 in pxkrec-cli with the VM's MAC, and writes its own pcap (--record), i.e. the
# frames it sent and received. The server, dnsmasq or `pxekit serve` with the same
# dnsmasq-style conf, runs on pxkrec-s0 (192.168.42.1/24) in pxkrec-srv. The TFTP tree has
# dummy files of a few KB (fixed bytes), so the captures stay small.
client_topology() {
    ip netns add "$NS_RSRV"
    ip netns add "$NS_RCLI"
    local ns
    for ns in "$NS_RSRV" "$NS_RCLI"; do
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    done
    ip -n "$NS_RSRV" link add pxkrec-s0 type veth peer name pxkrec-c0 netns "$NS_RCLI"
    ip -n "$NS_RSRV" link set pxkrec-s0 address 52:54:00:42:00:01
    ip -n "$NS_RSRV" addr add "$SRV_IP/24" dev pxkrec-s0
    ip -n "$NS_RSRV" link set pxkrec-s0 up
    ip -n "$NS_RCLI" link set pxkrec-c0 address 52:54:00:42:00:fe
    ip -n "$NS_RCLI" link set pxkrec-c0 up
}

# dummy_file <path> <bytes>: fixed bytes (the same on every run)
dummy_file() {
    head -c "$2" < <(yes "pxekit capture dummy $(basename "$1")") >"$1"
}

tftp_tree_dummy() {
    local d=$1
    mkdir -p "$d/pxelinux.cfg"
    dummy_file "$d/pxelinux.0" 4096
    dummy_file "$d/ldlinux.c32" 6144
    dummy_file "$d/menu.c32" 3072
    dummy_file "$d/libutil.c32" 2048
    dummy_file "$d/libcom32.c32" 2048
    dummy_file "$d/syslinux.efi" 8192
    dummy_file "$d/memdisk" 4096       # the menu's winpe label (the winpe profile fetches them)
    dummy_file "$d/winpe.iso" 20480
    capture_menu >"$d/pxelinux.cfg/default"
}

# start_pxekit_serve <name> <ns> <iface> <conf lines...>: pxekit serve on <iface> in <ns> with
# the lines given (written to $WORK/pxekit.conf), its log in <name>.pxekit.log
start_pxekit_serve() {
    local name=$1 ns=$2 ifn=$3; shift 3
    {
        echo "# generated by captures/record.sh ($name)"
        echo "port=0"
        echo "interface=$ifn"
        echo "bind-interfaces"
        local l
        for l in "$@"; do echo "$l"; done
    } >"$WORK/pxekit.conf"
    bg "$ns" setsid "$PXEKIT" serve -C "$WORK/pxekit.conf" --db "$WORK/leases.db" "${SERVE_ARGS[@]}" \
        --log-dhcp --log-level debug >"$WORK/$name.pxekit.log" 2>&1
    local i
    for i in $(seq 50); do
        grep -q 'listening on' "$WORK/$name.pxekit.log" 2>/dev/null && break
        sleep 0.1
    done
}

# client_single <name> <dnsmasq|pxekit> <expected exit> [client args...] -- <conf lines...>
client_single() {
    local name=$1 server=$2 want=$3; shift 3
    local cargs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do cargs+=("$1"); shift; done
    shift
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    client_topology
    tftp_tree_dummy "$WORK/tftp"
    if [ "$server" = dnsmasq ]; then
        write_dnsmasq_conf "$WORK/dnsmasq.conf" "$name" pxkrec-s0 \
            "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP" "$@"
        start_dnsmasq "$NS_RSRV" "$WORK/dnsmasq.conf"
    else
        start_pxekit_serve "$name" "$NS_RSRV" pxkrec-s0 \
            "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP" "$@"
    fi
    local rc=0
    ip netns exec "$NS_RCLI" timeout 200 "$PXEKIT" client --interface pxkrec-c0 --mac "$VM_MAC" \
        --profile bios --seed 1 "${cargs[@]}" -v --record "$WORK/$name.pcap" \
        >"$WORK/$name.client.txt" 2>&1 || rc=$?
    sed 's/^/[client] /' "$WORK/$name.client.txt" | tail -5 >&2
    [ "$rc" = "$want" ] || log "pxekit client exited $rc, expected $want"
    finish "$name"
}

sc_client-bios-dnsmasq() {
    client_single client-bios-dnsmasq dnsmasq 0 -- \
        "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_client-bios-pxekit() {
    client_single client-bios-pxekit pxekit 0 -- \
        "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_client-no-bootfile-dnsmasq() {
    client_single client-no-bootfile-dnsmasq dnsmasq 1 -- \
        "enable-tftp" "tftp-root=$WORK/tftp"
}
sc_client-no-bootfile-pxekit() {
    client_single client-no-bootfile-pxekit pxekit 1 -- \
        "enable-tftp" "tftp-root=$WORK/tftp"
}

# WinPE's `net use I: \\192.168.42.1\GUEST /user:user pass` and a read of setup.exe (seed 1),
# after the whole BIOS boot, over the veth: the share from pxekit serve (the seed's smb.conf, its
# path here) or from Samba (smbd 4.17 with the seed's smb.conf plus the directories it writes)
# beside a DHCP/TFTP-only pxekit serve.
# client_winpe <name> <pxekit|samba> <expected exit> [client args...]
client_winpe() {
    local name=$1 smb=$2 want=$3; shift 3
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    client_topology
    tftp_tree_dummy "$WORK/tftp"
    mkdir -p "$WORK/win10iso/sources"
    dummy_file "$WORK/win10iso/setup.exe" 65536
    dummy_file "$WORK/win10iso/sources/boot.wim" 1024
    chmod -R a+rX "$WORK/win10iso"
    # The seed's smb.conf lines (its share's path pointing here); Samba's also say where it writes.
    local S="$WORK/samba"
    mkdir -p "$S"/{lock,state,cache,private,pid,ncalrpc,log,bind-dns}
    {
        # Samba keeps a trailing "# Required" in the value (map to guest = "Bad User # Required"
        # is invalid to it, the path does not exist): its copy has them cut off.
        local req=' # Required'
        [ "$smb" = samba ] && req=''
        echo '[global]'
        echo "map to guest = Bad User$req"
        echo 'workgroup = home'
        echo 'min protocol = SMB2'
        echo 'max protocol = SMB3'
        if [ "$smb" = samba ]; then
            echo "interfaces = $SRV_IP/24"
            echo 'bind interfaces only = yes'
            echo 'disable netbios = yes'
            echo "lock directory = $S/lock"
            echo "state directory = $S/state"
            echo "cache directory = $S/cache"
            echo "private dir = $S/private"
            echo "pid directory = $S/pid"
            echo "ncalrpc dir = $S/ncalrpc"
            echo "binddns dir = $S/bind-dns"
            echo "log file = $S/log/log.%m"
            echo 'load printers = no'
            echo 'printcap name = /dev/null'
            echo 'disable spoolss = yes'
        fi
        echo '[guest]'
        echo "path = $WORK/win10iso$req"
        echo 'readonly = yes'
        echo "guest ok = yes$req"
    } >"$WORK/smb.conf"
    if [ "$smb" = pxekit ]; then
        SERVE_ARGS=(--smb-conf "$WORK/smb.conf")
        start_pxekit_serve "$name" "$NS_RSRV" pxkrec-s0 \
            "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP" \
            "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
        SERVE_ARGS=()
    else
        start_pxekit_serve "$name" "$NS_RSRV" pxkrec-s0 \
            "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP" \
            "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
        ip netns exec "$NS_RSRV" setsid smbd --foreground --no-process-group --debug-stdout -d 1 \
            -s "$WORK/smb.conf" >"$WORK/$name.smbd.log" 2>&1 &
        PIDS+=($!)
        local i
        for i in $(seq 100); do
            ip netns exec "$NS_RSRV" bash -c "exec 3<>/dev/tcp/$SRV_IP/445" 2>/dev/null && break
            sleep 0.2
        done
    fi
    local rc=0
    ip netns exec "$NS_RCLI" timeout 200 "$PXEKIT" client --interface pxkrec-c0 --mac "$VM_MAC" \
        --profile winpe --seed 1 --net-use "\\\\$SRV_IP\\GUEST" "$@" -v --record "$WORK/$name.pcap" \
        >"$WORK/$name.client.txt" 2>&1 || rc=$?
    sed 's/^/[client] /' "$WORK/$name.client.txt" | tail -5 >&2
    [ "$rc" = "$want" ] || log "pxekit client exited $rc, expected $want"
    install -m 0644 "$WORK/smb.conf" "$WORK/$name.smb.conf.txt"
    finish "$name"
}
sc_client-winpe-share-pxekit() {
    client_winpe client-winpe-share-pxekit pxekit 0 --net-user user:pass
}
sc_client-winpe-share-samba() {
    client_winpe client-winpe-share-samba samba 0 --net-user user:pass
}

# PXE-E55 as Microsoft KB 259670 tells it: the DHCP server's own offer says PXEClient (option 60)
# with no boot file and no menu, so the ROM asks that server on port 4011, where nothing listens.
sc_client-proxy-4011-unanswered-dnsmasq() {
    client_single client-proxy-4011-unanswered-dnsmasq dnsmasq 1 -- \
        'dhcp-option=60,"PXEClient"' "enable-tftp" "tftp-root=$WORK/tftp"
}

# Two servers on one segment: the bridge of the QEMU scenarios (pxkcap-br0, 192.168.42.1, in
# pxkcap-srv), a second server on pxkcap-p0 (192.168.42.2, pxkcap-prx) and the client's veth
# pxkcap-c0 in pxkcap-cli (no address; the client speaks Ethernet itself with the VM's MAC).
# client_bridge_run <name> <expected exit> [client args...]: runs the client, then finish.
client_bridge_topology() {
    make_srv
    add_peer_ns "$NS_PRX" pxkcap-p0 pxkcap-p1 "$PRX_IP/24" 52:54:00:42:00:02
    add_peer_ns "$NS_CLI" pxkcap-c0 pxkcap-c1 "" "$CLI_MAC"
}
client_bridge_run() {
    local name=$1 want=$2; shift 2
    local rc=0
    ip netns exec "$NS_CLI" timeout 200 "$PXEKIT" client --interface pxkcap-c0 --mac "$VM_MAC" \
        --profile bios --seed 1 "$@" -v --record "$WORK/$name.pcap" \
        >"$WORK/$name.client.txt" 2>&1 || rc=$?
    sed 's/^/[client] /' "$WORK/$name.client.txt" | tail -5 >&2
    [ "$rc" = "$want" ] || log "pxekit client exited $rc, expected $want"
    finish "$name"
}

# pxekit serve with the boot file on .1, and a second DHCP server without one (dnsmasq, no ping
# check, its own range and router) on .2: the ROM ignores the offer without a boot file.
sc_client-two-dhcp-servers() {
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    local name=client-two-dhcp-servers
    client_bridge_topology
    tftp_tree_dummy "$WORK/tftp"
    start_pxekit_serve "$name" "$NS_SRV" "$BR" \
        "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP" \
        "dhcp-boot=pxelinux.0" "enable-tftp" "tftp-root=$WORK/tftp"
    write_dnsmasq_conf "$WORK/rogue.conf" "$name.rogue" pxkcap-p0 \
        "dhcp-range=192.168.42.100,192.168.42.120,12h" "dhcp-option=3,$PRX_IP" "no-ping"
    start_dnsmasq "$NS_PRX" "$WORK/rogue.conf"
    client_bridge_run "$name" 0
}

# The site's DHCP server (dnsmasq on .1, addresses only) and pxekit serve as proxyDHCP on .2
# with a boot service for UEFI only (x86-64_EFI); the client is the BIOS ROM.
sc_client-proxy-no-bios-service() {
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    local name=client-proxy-no-bios-service
    client_bridge_topology
    tftp_tree_dummy "$WORK/tftp"
    write_dnsmasq_conf "$WORK/dnsmasq.conf" "$name.dhcp" "$BR" \
        "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP"
    start_dnsmasq "$NS_SRV" "$WORK/dnsmasq.conf"
    start_pxekit_serve "$name" "$NS_PRX" pxkcap-p0 \
        "dhcp-range=192.168.42.0,proxy" 'pxe-prompt="pxekit proxyDHCP",0' \
        'pxe-service=x86-64_EFI,"UEFI Netboot",syslinux.efi' "enable-tftp" "tftp-root=$WORK/tftp"
    client_bridge_run "$name" 1
}

# A capture on the sending host: tcpdump on pxekit serve's own end of the veth sees its windowed
# TFTP (one sendmsg with UDP_SEGMENT per window) as one frame per window, before segmentation,
# as a user's tcpdump on a PXE server would. The client is the uefi profile (EDK2: the size probe,
# then blksize 1468 windowsize 4) and stops after the boot file, a dummy of 20000 bytes (14 blocks).
sc_pxekit-tftp-gso() {
    local name=pxekit-tftp-gso
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    client_topology
    mkdir -p "$WORK/tftp"
    dummy_file "$WORK/tftp/syslinux.efi" 20000
    start_pxekit_serve "$name" "$NS_RSRV" pxkrec-s0 \
        "dhcp-range=192.168.42.10,192.168.42.20,12h" "dhcp-option=3,$SRV_IP" \
        "dhcp-boot=syslinux.efi" "enable-tftp" "tftp-root=$WORK/tftp"
    start_capture "$NS_RSRV" pxkrec-s0 "$WORK/$name.pcap"
    local rc=0
    ip netns exec "$NS_RCLI" timeout 60 "$PXEKIT" client --interface pxkrec-c0 --mac "$VM_MAC" \
        --profile uefi --seed 1 --until tftp-nbp -v >"$WORK/$name.client.txt" 2>&1 || rc=$?
    stop_capture
    sed 's/^/[client] /' "$WORK/$name.client.txt" | tail -3 >&2
    [ "$rc" = 0 ] || log "pxekit client exited $rc, expected 0"
    finish "$name"
}

# In-process fault runs: `pxekit client --in-process` against pxekit serve's engines in the same
# process (no sockets, no namespaces; simulated clock, so --timing real costs no wall time), one
# --fault each, so the Intel PXE ROM's own failure shows on the recording.
# client_fault <name> <conf lines (\n-separated)> [client args...]
client_fault() {
    local name=$1 lines=$2; shift 2
    [ -x "$PXEKIT" ] || { log "no pxekit binary at $PXEKIT (set PXEKIT=)"; return 1; }
    tftp_tree_dummy "$WORK/tftp"
    {
        echo "# generated by captures/record.sh ($name)"
        echo "port=0"
        echo "interface=pxkrec-s0"
        echo "bind-interfaces"
        printf '%b\n' "$lines"
        echo "enable-tftp"
        echo "tftp-root=$WORK/tftp"
    } >"$WORK/pxekit.conf"
    local rc=0 profile=(--profile bios)
    [[ " $* " == *" --profile "* ]] && profile=()
    timeout 120 "$PXEKIT" client --in-process -C "$WORK/pxekit.conf" "${profile[@]}" --seed 1 "$@" \
        -v --record "$WORK/$name.pcap" >"$WORK/$name.client.txt" 2>&1 || rc=$?
    sed 's/^/[client] /' "$WORK/$name.client.txt" | grep -E 'PXE-|failed|reached' >&2 || true
    [ "$rc" = 1 ] || log "pxekit client exited $rc, expected 1"
    install -m 0644 "$WORK/pxekit.conf" "$WORK/$name.conf.txt"
    finish "$name"
}
FAULT_DHCP='dhcp-range=192.168.42.10,192.168.42.20,12h\ndhcp-option=3,192.168.42.1'
sc_client-fault-no-offer() {               # PXE-E51
    client_fault client-fault-no-offer "$FAULT_DHCP\ndhcp-boot=pxelinux.0" --fault drop:dhcp-offer
}
sc_client-fault-only-proxy-offers() {      # PXE-E52
    client_fault client-fault-only-proxy-offers \
        'dhcp-range=192.168.42.0,proxy\npxe-prompt="pxekit proxyDHCP",0\npxe-service=x86PC,"PXE Netboot (BIOS)",pxelinux'
}
sc_client-fault-boot-server-unanswered() { # the 4011 request with a boot item, unanswered
    client_fault client-fault-boot-server-unanswered \
        "$FAULT_DHCP"'\npxe-prompt="pxekit PXE menu",0\npxe-service=x86PC,"PXE Netboot (BIOS)",pxelinux' \
        --fault drop:proxy
}
sc_client-fault-arp-unanswered() {         # PXE-E11
    client_fault client-fault-arp-unanswered "$FAULT_DHCP\ndhcp-boot=pxelinux.0" --fault no-arp-reply
}
sc_client-fault-tftp-transfer-stalled() {  # PXE-E35
    client_fault client-fault-tftp-transfer-stalled "$FAULT_DHCP\ndhcp-boot=pxelinux.0" --fault drop:tftp-data
}
sc_client-fault-net-use-reset() {          # System error 58: the SMB server dies at the logon
    mkdir -p "$WORK/win10iso"
    dummy_file "$WORK/win10iso/setup.exe" 4096
    chmod -R a+rX "$WORK/win10iso"
    local conf="$WORK/client-fault-net-use-reset.smb.conf.txt"
    printf '[global]\nmap to guest = Bad User\n[guest]\npath = %s\nguest ok = yes\n' "$WORK/win10iso" >"$conf"
    client_fault client-fault-net-use-reset "$FAULT_DHCP\ndhcp-boot=pxelinux.0" --profile winpe \
        --smb-conf "$conf" --net-use '\\192.168.42.1\GUEST' --net-user user:pass \
        --fault reset:smb-session-setup
}
sc_client-fault-no-tftp-server-address() { # PXE-E7B: siaddr 0, no PXE tags (no fault needed)
    client_fault client-fault-no-tftp-server-address "$FAULT_DHCP\ndhcp-boot=pxelinux.0,,0.0.0.0"
}
sc_client-fault-wrong-architecture() {     # an EFI boot program for the BIOS ROM (no fault needed)
    client_fault client-fault-wrong-architecture "$FAULT_DHCP\ndhcp-boot=syslinux.efi"
}

# ------------------------------------------------------------------ main ---
run_one() {
    local name=$1
    if ! declare -F "sc_$name" >/dev/null; then
        log "unknown scenario '$name' (known: ${SCENARIOS[*]})"; return 2
    fi
    # fixed path: it shows up in dnsmasq's TFTP error messages on the wire
    WORK=/tmp/pxkcap
    rm -rf "$WORK"
    mkdir -m 755 "$WORK"
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
