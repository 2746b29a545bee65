#!/usr/bin/python3
# The 8.3 short names an SMB server gives, as facts that hold on Samba (`mangled names = yes`)
# and pxekit alike, whatever their mangling: for each entry of a FileIdBothDirectoryInformation
# listing of the GUEST root and of sources\, whether it carries a ShortName and whether that is
# the FileAlternateNameInformation of the same file (tests/server/smb_interop/
# impacket_status_test.cpp diffs the two outputs). impacket (python3-impacket); run with Debian's
# /usr/bin/python3.
#   short_names.py HOST PORT
import sys

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

host, port = sys.argv[1], int(sys.argv[2])
c = SMBConnection(host, host, sess_port=port, preferredDialect=s3.SMB2_DIALECT_21)
c.login("user", "pass")
tid = c.connectTree("GUEST")
smb = c.getSMBServer()
READ = 0x00120089


def listing(path):
    d = c.openFile(tid, path, desiredAccess=READ, creationDisposition=s3.FILE_OPEN, creationOption=s3.FILE_DIRECTORY_FILE)
    try:
        buf = smb.queryDirectory(tid, d, "*", informationClass=s3.FILEID_BOTH_DIRECTORY_INFORMATION)
    finally:
        c.closeFile(tid, d)
    out, off = [], 0
    while True:
        nxt = int.from_bytes(buf[off:off + 4], "little")
        n = int.from_bytes(buf[off + 60:off + 64], "little")
        short = buf[off + 70:off + 70 + buf[off + 68]].decode("utf-16le")
        out.append((buf[off + 104:off + 104 + n].decode("utf-16le"), short))
        if nxt == 0:
            return out
        off += nxt


def alternate_name(path):
    f = c.openFile(tid, path, desiredAccess=READ, creationDisposition=s3.FILE_OPEN, creationOption=0)
    try:
        b = smb.queryInfo(tid, f, fileInfoClass=21)
        return b[4:4 + int.from_bytes(b[0:4], "little")].decode("utf-16le")
    finally:
        c.closeFile(tid, f)


for d in ("", "sources"):
    for name, short in sorted(listing(d)):
        path = (d + "\\" if d else "") + name
        if name in (".", ".."):
            print(f"{path}: {'short name ' + short if short else 'no short name'}")
            continue
        alt = alternate_name(path)
        if not short:
            print(f"{path}: no short name; alternate name {'is the name' if alt == name else alt}")
        elif short == alt:
            shape = "8.3, upper case, with ~" if (short == short.upper() and "~" in short and
                                                  len(short.split(".")[0]) <= 8) else short
            print(f"{path}: short name = alternate name ({shape})")
        else:
            print(f"{path}: short name {short} but alternate name {alt}")
