#!/usr/bin/python3
# The status each request gets from an SMB server, one line per probe, for diffing pxekit against
# Samba on the same trees (tests/server/smb_interop/impacket_status_test.cpp). impacket
# (python3-impacket); run with Debian's /usr/bin/python3.
#   status_table.py HOST PORT
# The trees are smb_peers.h's: GUEST (setup.exe of 3000000 bytes, sources/, .hidden) and PRIVATE.
import hashlib
import sys

from impacket import smb3structs as s3
from impacket.nt_errors import ERROR_MESSAGES
from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb import SMB_DIALECT

host, port = sys.argv[1], int(sys.argv[2])


def status_name(e):
    code = e.getErrorCode() if hasattr(e, "getErrorCode") else None
    if code is None:
        return "ERROR " + type(e).__name__
    return ERROR_MESSAGES.get(code, ("0x%08x" % code,))[0]


def probe(label, fn):
    try:
        r = fn()
        print(f"{label}: OK{(' ' + r) if r else ''}")
    except SessionError as e:
        print(f"{label}: {status_name(e)}")
    except Exception as e:  # impacket raises others for refused connections
        print(f"{label}: {type(e).__name__}")


def connect(dialect, user="user", password="pass"):
    c = SMBConnection(host, host, sess_port=port, preferredDialect=dialect)
    c.login(user, password)
    return c


dialects = [("2.0.2", s3.SMB2_DIALECT_002), ("2.1", s3.SMB2_DIALECT_21), ("3.0", s3.SMB2_DIALECT_30)]
for name, d in dialects:
    probe(f"{name} login user", lambda: "dialect 0x%04x" % connect(d).getDialect())
probe("negotiate from SMB1 (multi-protocol)", lambda: "stayed SMB1" if SMBConnection(host, host, sess_port=port).getDialect() == SMB_DIALECT else "SMB2")
probe("login wrong password", lambda: connect(s3.SMB2_DIALECT_21, "user", "wrong") and "")
probe("login unknown user", lambda: "guest" if connect(s3.SMB2_DIALECT_21, "nosuchuser", "x").isGuestSession() else "not guest")

c = connect(s3.SMB2_DIALECT_21)
probe("tree NOSUCH", lambda: c.connectTree("NOSUCH") and "")
probe("tree IPC$", lambda: c.connectTree("IPC$") and "")
tid = c.connectTree("GUEST")
probe("list *", lambda: " ".join(sorted(f.get_longname() for f in c.listPath("GUEST", "*"))))
probe("list sources\\*.wim", lambda: " ".join(sorted(f.get_longname() for f in c.listPath("GUEST", "sources\\*.wim"))))
probe("list nomatch*", lambda: " ".join(f.get_longname() for f in c.listPath("GUEST", "nomatch*")))

READ = 0x00120089
WRITE = 0x00120116


def open_file(path, access=READ, disposition=s3.FILE_OPEN, options=0):
    return c.openFile(tid, path, desiredAccess=access, creationDisposition=disposition, creationOption=options)


def read_hash(path, offset, length):
    fid = open_file(path)
    try:
        data = c.readFile(tid, fid, offset, length)
        return f"{len(data)} bytes {hashlib.sha256(data).hexdigest()[:16]}"
    finally:
        c.closeFile(tid, fid)


probe("open setup.exe", lambda: c.closeFile(tid, open_file("setup.exe")) and "")
probe("open SETUP.EXE (case)", lambda: c.closeFile(tid, open_file("SETUP.EXE")) and "")
probe("read setup.exe 0..65536", lambda: read_hash("setup.exe", 0, 65536))
probe("read setup.exe 2999000..+4096", lambda: read_hash("setup.exe", 2999000, 4096))
probe("read setup.exe at EOF", lambda: read_hash("setup.exe", 3000000, 10))
probe("open nosuch.exe", lambda: open_file("nosuch.exe") and "")
probe("open nosuchdir\\x", lambda: open_file("nosuchdir\\x") and "")
probe("open setup.exe\\x", lambda: open_file("setup.exe\\x") and "")
probe("open ..\\x", lambda: open_file("..\\x") and "")
probe("open sources\\..\\..\\x", lambda: open_file("sources\\..\\..\\x") and "")
probe("open setup.exe:stream", lambda: open_file("setup.exe:stream") and "")
probe("open setup.exe for write", lambda: open_file("setup.exe", WRITE) and "")
probe("create new.txt", lambda: open_file("new.txt", WRITE, s3.FILE_CREATE) and "")
probe("open sources as file (NON_DIRECTORY)", lambda: open_file("sources", READ, s3.FILE_OPEN, s3.FILE_NON_DIRECTORY_FILE) and "")
probe("open setup.exe as dir (DIRECTORY)", lambda: open_file("setup.exe", READ, s3.FILE_OPEN, s3.FILE_DIRECTORY_FILE) and "")


def write_on_read_handle():
    fid = open_file("setup.exe")
    try:
        c.writeFile(tid, fid, b"x", 0)
    finally:
        c.closeFile(tid, fid)


probe("write on a read handle", write_on_read_handle)
probe("delete setup.exe", lambda: c.deleteFile("GUEST", "setup.exe") and "")
probe("mkdir newdir", lambda: c.createDirectory("GUEST", "newdir") and "")
probe("rename setup.exe", lambda: c.rename("GUEST", "setup.exe", "x.exe") and "")


def list_index_specified():
    # A page of "." and "..", then INDEX_SPECIFIED with FileIndex 1, twice: the server goes on
    # from where it stopped (FileIndex is the object store's to honour, [MS-FSA] 2.1.5.6; neither
    # Samba nor pxekit does). The rest is sorted: Samba lists in directory order. (A page of "."
    # alone is avoided: Samba 4.17 then starts the next page at "." again, index or not.)
    d = open_file("sources", READ, s3.FILE_OPEN, s3.FILE_DIRECTORY_FILE)
    smb = c.getSMBServer()
    cls = s3.FILE_DIRECTORY_INFORMATION

    def names(buf):
        out, off = [], 0
        while True:
            nxt = int.from_bytes(buf[off:off + 4], "little")
            n = int.from_bytes(buf[off + 60:off + 64], "little")
            out.append(buf[off + 64:off + 64 + n].decode("utf-16le"))
            if nxt == 0:
                return out
            off += nxt

    try:
        first = names(smb.queryDirectory(tid, d, "*", informationClass=cls, maxBufferSize=150))
        rest = names(smb.queryDirectory(tid, d, "*", resumeIndex=1, informationClass=cls))
        try:
            smb.queryDirectory(tid, d, "*", resumeIndex=1, informationClass=cls)
            after = "more entries"
        except Exception as e:
            code = e.get_error_code() if hasattr(e, "get_error_code") else None
            after = ERROR_MESSAGES.get(code, ("0x%08x" % code,))[0] if code is not None else type(e).__name__
        return f"{' '.join(first)} | {' '.join(sorted(rest))} | {after}"
    finally:
        c.closeFile(tid, d)


probe("list sources with INDEX_SPECIFIED", list_index_specified)


def names_of(path):
    # FileNameInformation (9), FileAllInformation (18, name at 100) and
    # FileAlternateNameInformation (21) of an open named in another case than on disk: the
    # on-disk spelling, as Windows and Samba report it.
    fid = open_file(path)
    smb = c.getSMBServer()
    try:
        out = []
        for cls, at in ((9, 4), (18, 100), (21, 4)):
            b = smb.queryInfo(tid, fid, fileInfoClass=cls)
            n = int.from_bytes(b[at - 4:at], "little")
            out.append(f"{cls}={b[at:at + n].decode('utf-16le')}")
        return " ".join(out)
    finally:
        c.closeFile(tid, fid)


probe("names of SETUP.EXE", lambda: names_of("SETUP.EXE"))
probe("names of SOURCES\\Install.WIM", lambda: names_of("SOURCES\\Install.WIM"))
