"""Syscall probe for the filter sandbox's seccomp launcher (test/sandbox-seccomp.test.ts).

Calls each syscall the launcher refuses, with arguments that make an unfiltered kernel answer
something other than EPERM where it can (ESRCH, EFAULT, EINVAL, ENOENT, success, ...), so the
probe tells the filter's EPERM apart from a missing capability. Prints (or returns) one JSON
object: syscall -> "ok" or the errno name. x86_64 numbers.
"""

import ctypes
import errno
import json
import os
import platform
import socket

NR = {
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "chroot": 161,
    "unshare": 272,
    "setns": 308,
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
    "bpf": 321,
    "perf_event_open": 298,
    "userfaultfd": 323,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "reboot": 169,
    "swapon": 167,
    "swapoff": 168,
    "acct": 163,
    "open_by_handle_at": 304,
    "name_to_handle_at": 303,
    "personality": 135,
    "io_uring_setup": 425,
    "socket": 41,
    "socketpair": 53,
    "clone": 56,
    "clone3": 435,
    "ioctl": 16,
    "iopl": 172,
}

ADDR_NO_RANDOMIZE = 0x0040000
CLONE_NEWUSER = 0x10000000
SIGCHLD = 17
TIOCSTI = 0x5412


def probe_syscalls() -> dict[str, str]:
    """Each refused syscall's outcome, what must still work, and the process's seccomp mode."""
    if platform.machine() != "x86_64":
        return {"arch": platform.machine()}
    libc = ctypes.CDLL(None, use_errno=True)
    call = libc.syscall
    call.restype = ctypes.c_long
    root = ctypes.c_char_p(b"/")
    missing = ctypes.c_char_p(b"/nonexistent-alertlab")
    pair = (ctypes.c_int * 2)()
    ch = ctypes.c_char(b"x")
    me = os.getpid()
    calls = {
        "ptrace": ("ptrace", 2, me, 0, 0),  # PEEKDATA on itself: ESRCH
        "process_vm_readv": ("process_vm_readv", me, 0, 0, 0, 0, 0),
        "process_vm_writev": ("process_vm_writev", me, 0, 0, 0, 0, 0),
        "mount": ("mount", 1, 1, 1, 0, 0),
        "umount2": ("umount2", root, 0xFFF),
        "pivot_root": ("pivot_root", root, root),
        "chroot": ("chroot", missing),
        "unshare": ("unshare", 0),
        "setns": ("setns", -1, 0),
        "keyctl": ("keyctl", 9999, 0, 0, 0, 0),
        "add_key": ("add_key", 0, 0, 0, 0, 0),
        "request_key": ("request_key", 0, 0, 0, 0),
        "bpf": ("bpf", 9999, 0, 0),
        "perf_event_open": ("perf_event_open", 0, 0, -1, -1, 0),
        "userfaultfd": ("userfaultfd", 1),  # UFFD_USER_MODE_ONLY
        "kexec_load": ("kexec_load", 0, 0, 0, 0),
        "kexec_file_load": ("kexec_file_load", -1, -1, 0, 0, 0),
        "init_module": ("init_module", 0, 0, 0),
        "finit_module": ("finit_module", -1, 0, 0),
        "delete_module": ("delete_module", 0, 0),
        "reboot": ("reboot", 0, 0, 0, 0),
        "swapon": ("swapon", missing, 0),
        "swapoff": ("swapoff", missing),
        "acct": ("acct", missing),
        "open_by_handle_at": ("open_by_handle_at", -1, 0, 0),
        "name_to_handle_at": ("name_to_handle_at", -100, root, 0, 0, 0),
        "personality": ("personality", ADDR_NO_RANDOMIZE),
        "io_uring_setup": ("io_uring_setup", 1, 0),
        "socket_inet": ("socket", 2, 1, 0),
        "socket_inet6": ("socket", 10, 1, 0),
        "socket_netlink": ("socket", 16, 3, 0),
        "socket_packet": ("socket", 17, 3, 0),
        "socketpair_inet": ("socketpair", 2, 1, 0, pair),
        "clone_newuser": ("clone", CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
        "clone3": ("clone3", 0, 0),
        "ioctl_tiocsti": ("ioctl", 0, TIOCSTI, ctypes.byref(ch)),
        "iopl": ("iopl", 3),
    }
    out = {"arch": platform.machine()}
    for name, (syscall, *args) in calls.items():
        ctypes.set_errno(0)
        r = call(NR[syscall], *args)
        err = ctypes.get_errno()
        if syscall == "clone" and r == 0:
            os._exit(0)  # the child of a clone that went through
        if syscall == "clone" and r > 0:
            os.waitpid(r, 0)
        out[name] = "ok" if r >= 0 else errno.errorcode.get(err, str(err))
    # what must keep working: Unix sockets, fork, threads come from the runtime itself
    a, b = socket.socketpair()
    a.close()
    b.close()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    out["fork"] = "ok"
    with open("/proc/self/status") as f:
        status = f.read()
    out["seccomp"] = status.split("Seccomp:")[1].split()[0]
    out["nnp"] = status.split("NoNewPrivs:")[1].split()[0]
    return out


if __name__ == "__main__":
    print(json.dumps(probe_syscalls()))
