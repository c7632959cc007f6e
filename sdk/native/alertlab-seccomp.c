/*
 * alertlab-seccomp: the last step of the filter sandbox (sdk/src/filter/sandbox.ts). Installs a
 * syscall filter on itself, then execs its arguments; the filter is inherited over execve (the
 * sandbox has set no-new-privs already, and libseccomp sets it again) and by every child.
 *
 *   alertlab-seccomp <command> [args...]
 *
 * Everything is allowed except what a filter has no business doing, which fails with EPERM (so a
 * filter gets a clear error, not a kill): debugging other processes, mounts and namespaces,
 * kernel keyrings, eBPF, perf, userfaultfd, kernel modules and kexec, reboot, swap, accounting,
 * file handles, io_uring (its operations bypass this filter), port I/O, the kernel log, terminal
 * input injection, personality flags that weaken ASLR, and sockets of any family but AF_UNIX
 * (the worker talks to its host over a Unix socket). clone3 answers ENOSYS so libc falls back to
 * clone, whose namespace flags can be checked. Syscalls of another ABI (i386, x32) kill.
 *
 * Built by scripts/build-seccomp.sh (gcc, libseccomp-dev, linked statically against libseccomp).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const DENIED[] = {
    /* other processes */
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    /* mounts and namespaces */
    "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
    /* kernel keyrings */
    "keyctl", "add_key", "request_key",
    /* kernel attack surface */
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "create_module", "reboot", "swapon", "swapoff", "acct",
    "open_by_handle_at", "name_to_handle_at", "iopl", "ioperm", "modify_ldt", "syslog",
    "quotactl", "quotactl_fd", "lookup_dcookie", "uselib", "vhangup", "nfsservctl",
};

static const unsigned long NAMESPACE_FLAGS[] = {
    CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
    CLONE_NEWCGROUP,
};

static int fail(const char *what, int rc) {
  fprintf(stderr, "alertlab-seccomp: %s failed: %s\n", what, strerror(rc < 0 ? -rc : rc));
  return 126;
}

#define ADD(action, name, n, ...)                                                              \
  do {                                                                                         \
    int rc_ = seccomp_rule_add(ctx, action, seccomp_syscall_resolve_name(name), n, __VA_ARGS__); \
    if (rc_ < 0) {                                                                             \
      return fail("seccomp_rule_add(" name ")", rc_);                                         \
    }                                                                                          \
  } while (0)

static int build(scmp_filter_ctx ctx) {
  int rc;
  for (size_t i = 0; i < sizeof DENIED / sizeof DENIED[0]; i++) {
    int nr = seccomp_syscall_resolve_name(DENIED[i]);
    if (nr == __NR_SCMP_ERROR) {
      continue; /* not a syscall on this architecture */
    }
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    if (rc < 0) {
      return fail(DENIED[i], rc);
    }
  }
  /* sockets: AF_UNIX only */
  ADD(SCMP_ACT_ERRNO(EPERM), "socket", 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  ADD(SCMP_ACT_ERRNO(EPERM), "socketpair", 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  /* clone into new namespaces; clone3's flags sit in memory a filter cannot read */
  for (size_t i = 0; i < sizeof NAMESPACE_FLAGS / sizeof NAMESPACE_FLAGS[0]; i++) {
    unsigned long f = NAMESPACE_FLAGS[i];
    ADD(SCMP_ACT_ERRNO(EPERM), "clone", 1, SCMP_A0(SCMP_CMP_MASKED_EQ, f, f));
  }
  if (seccomp_syscall_resolve_name("clone3") != __NR_SCMP_ERROR) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), seccomp_syscall_resolve_name("clone3"), 0);
    if (rc < 0) {
      return fail("seccomp_rule_add(clone3)", rc);
    }
  }
  /* personality: reading it (0xffffffff) is fine; any change is refused (the ones that matter,
   * ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ADDR_COMPAT_LAYOUT, MMAP_PAGE_ZERO, weaken ASLR or W^X;
   * libseccomp cannot test one argument twice in a rule, and no runtime here sets any) */
  ADD(SCMP_ACT_ERRNO(EPERM), "personality", 1, SCMP_A0(SCMP_CMP_NE, 0xffffffffUL));
  /* typing into the controlling terminal of whoever started the controller */
  ADD(SCMP_ACT_ERRNO(EPERM), "ioctl", 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCSTI));
  ADD(SCMP_ACT_ERRNO(EPERM), "ioctl", 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCLINUX));
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(stderr, "usage: alertlab-seccomp <command> [args...]\n");
    return argc < 2 ? 2 : 0;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) {
    return fail("seccomp_init", ENOMEM);
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc < 0) {
    return fail("seccomp_attr_set", rc);
  }
  rc = build(ctx);
  if (rc != 0) {
    return rc;
  }
  rc = seccomp_load(ctx);
  if (rc < 0) {
    return fail("seccomp_load", rc);
  }
  seccomp_release(ctx);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "alertlab-seccomp: cannot run %s: %s\n", argv[1], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}
