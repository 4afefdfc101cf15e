/*
 * pgchaos-clockshim: per-process wall-clock skew through the vDSO (works for Go programs too).
 *
 *   pgchaos-clockshim set <pid> <offset-seconds>      install the shim, or change its offset
 *   pgchaos-clockshim get <pid>                       print the offset in seconds, or "none"
 *   pgchaos-clockshim clear <pid>                     restore the original vDSO code
 *   pgchaos-clockshim watch <offset-seconds> [--comm REGEX] [--interval-ms N] [--offset-file PATH]
 *                           [--drift-per-min SECONDS]
 *   pgchaos-clockshim selftest                        fork a child, shim it, check, clear; exit 0/1
 *
 * Exit status 0 on success, 1 on failure with a one-line reason on stderr.
 *
 * `watch` runs inside a container until SIGTERM/SIGINT/SIGHUP: every interval (default 100 ms) it
 * looks at every process whose /proc/PID/comm matches REGEX (POSIX ERE; default: all processes
 * except itself, PID 1 and other pgchaos-clockshim processes) and installs or corrects the offset;
 * new processes are caught within one interval (children forked from a shimmed process inherit
 * the skew at once; an exec'd program runs unskewed until the next pass). The offset is re-read
 * from --offset-file on every pass when that file exists, so a harness changes it live by
 * rewriting the file; --drift-per-min adds a growing offset (updated once a second). On SIGTERM it
 * clears every matching process and exits 0 (1 if some could not be cleared). It logs one line per
 * change to stdout, prefixed "[pgchaos] clockshim watch[PID]:". Offset 0 means "cleared", not
 * "installed with offset 0". Checking an unchanged process costs two pread()s; changes run in a
 * short-lived child process.
 *
 * DESIGN
 * ------
 * All containers share the kernel's clock, so skew has to be injected per process. Programs
 * read the wall clock through the vDSO (glibc's clock_gettime/gettimeofday/time resolve to it;
 * Go calls __vdso_clock_gettime through a pointer it caches at start-up; no syscall happens),
 * so LD_PRELOAD tricks miss Go and a syscall filter would miss everything. Instead this tool
 * patches the vDSO *code* of one process:
 *
 * 1. Stop every thread with PTRACE_SEIZE + PTRACE_INTERRUPT (no SIGSTOP is sent), re-listing
 *    /proc/PID/task until no new thread shows up. Signals that arrive meanwhile are held back
 *    and re-delivered on detach.
 * 2. Make the process mmap one page ("hook page", r-x, named [anon:pgchaos-clockshim] where the
 *    kernel supports it) within +-2 GiB of its [vdso]: save a thread's registers, point its RIP
 *    at an existing `syscall` (0f 05) inside the vDSO, set orig_rax = -1 (so the kernel's
 *    syscall-restart logic leaves RIP alone), single-step, read RAX, restore the registers
 *    (which also lets an interrupted syscall restart normally). The page is never unmapped, so no
 *    thread can ever return into a hole; after `clear` it is reused by the next `set`.
 * 3. The hook page holds a header (magic, the vDSO base, the original bytes of every patched
 *    entry, the offset), two trampolines and three hooks. The tool keeps no state of its own.
 *      trampoline = the whole instructions that the 5-byte jump overwrites at the entry of
 *        __vdso_clock_gettime / __vdso_gettimeofday, copied and relocated (RIP-relative
 *        displacements are re-based; that is why the page must be within +-2 GiB, which also
 *        keeps the vvar data reachable), then `jmp entry+N` back into the original function.
 *        Only a small whitelist of instructions is accepted (push/pop/mov/lea/ALU/endbr64/nop,
 *        ...); any branch, call, ret or unknown opcode in the prologue makes `set` refuse with an
 *        error instead of guessing. On this kernel (6.x) the prologues are
 *        `push rbp; mov rbp,rsp; push r14` and `push rbp; lea r10,[rip+X]`.
 *      hook_clock_gettime: clock ids other than CLOCK_REALTIME(0), CLOCK_REALTIME_COARSE(5) and
 *        CLOCK_TAI(11) tail-jump to the trampoline (MONOTONIC, BOOTTIME, CPU clocks untouched);
 *        otherwise it calls the trampoline (the genuine vDSO code: ~the same ~20-50 ns, no
 *        syscall) and adds the offset to the timespec, normalising tv_nsec.
 *      hook_gettimeofday: calls its trampoline, adds the offset (microseconds) to *tv.
 *      hook_time: implemented as hook_clock_gettime(CLOCK_REALTIME_COARSE) -- the vDSO's time()
 *        reads that same coarse clock -- so time()'s own prologue never needs relocating.
 *    The offset is one 64-bit word (seconds << 30 | nanoseconds, nanoseconds in [0, 1e9)); two
 *    such slots plus a one-byte selector let `set` change the offset while the process runs:
 *    write the idle slot, then flip the selector (a single byte, so readers never see a torn
 *    value). Changing the offset of an installed shim stops only one thread, for microseconds.
 * 4. Every thread whose RIP lies inside the 5 bytes about to be overwritten is single-stepped out
 *    of them first; then `jmp rel32 hook` is written at each entry with PTRACE_POKEDATA (the
 *    kernel breaks copy-on-write, so the vDSO page becomes private to that process: other
 *    processes, and the parent of a later fork, are unaffected). `clear` zeroes the offset
 *    first, then writes the original bytes back.
 * 5. Consequences: the skew survives fork (the child inherits the patched private page) but
 *    not exec (a new image gets a fresh vDSO). Direct syscalls (syscall(SYS_clock_gettime)) and
 *    clocks the vDSO itself hands to the kernel (CLOCK_REALTIME_ALARM, ...) are not skewed.
 *
 * Known limits: a thread that was interrupted by a signal in the middle of a patched prologue and
 * is still inside its signal handler would resume into the new bytes (a window of one or two
 * instructions while a handler runs; not observed in practice). Branch targets inside the
 * relocated prologue are assumed not to exist (compilers never jump into a prologue). A vfork
 * child shares its parent's memory until it execs; patching the parent while such a child runs
 * (microseconds between vfork and exec, during which it reads no clock) is not guarded against.
 *
 * PERMISSIONS: ptrace needs the same uid/gid as the target (real, effective and saved) and a
 * dumpable target, or CAP_SYS_PTRACE. `docker exec -u <owner>` with Docker's default capabilities
 * and default seccomp profile is enough. Run as root without CAP_SYS_PTRACE (plain `docker exec`)
 * the tool switches to the target's uid/gid itself (setfsuid for reading, setresuid in a short-
 * lived child for patching), so one root `watch` covers processes of every user in a container.
 * CAP_SYS_PTRACE is only needed for targets that are not dumpable (prctl(PR_SET_DUMPABLE, 0),
 * setuid binaries) or, from the host, when not running as root.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif
#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

#define PROG "pgchaos-clockshim"
#define PAGE 4096UL
#define JMP_LEN 5
#define NS_PER_S 1000000000LL
#define HOOK_MAGIC "PGCSHIM\1"
#define HOOK_VERSION 1
#define VMA_NAME "pgchaos-clockshim"
#define VMA_NAME_OFF 4032

enum { FN_CGT, FN_GTOD, FN_TIME, NFN };
static const char *const fn_names[NFN][2] = {
    {"__vdso_clock_gettime", "clock_gettime"},
    {"__vdso_gettimeofday", "gettimeofday"},
    {"__vdso_time", "time"},
};

/* ------------------------------------------------------------------------------------------ */
/* The hook page. The first 256 bytes are the header (struct hook_hdr, filled in by C); the
 * code after it is assembled here and copied verbatim: it only uses addresses relative to
 * itself, so it works at whatever address the page is mapped. */

struct hook_rec {                /* 64 bytes */
    uint64_t addr;               /* vDSO function entry; 0 = slot unused */
    uint8_t kind;                /* FN_* */
    uint8_t patch_len;           /* bytes of the jump written at addr */
    uint8_t reloc_len;           /* bytes of whole instructions copied into the trampoline */
    uint8_t pad[5];
    uint8_t orig[16];            /* original bytes at addr */
    uint8_t patch[16];           /* the jump written at addr */
    uint32_t hook_off;           /* offset of the hook in the page */
    uint32_t pad2;
    uint64_t reserved;
};

struct hook_hdr {                /* 256 bytes */
    char magic[8];
    uint32_t version;
    uint32_t code_len;
    uint64_t vdso_base;
    uint64_t vdso_len;
    uint64_t sel;                /* 32: low bit selects the live slot */
    int64_t slot[2];             /* 40, 48: packed offset: seconds << 30 | nanoseconds */
    uint64_t created;            /* 56: unix time of installation (informational) */
    struct hook_rec rec[NFN];    /* 64 */
};
_Static_assert(sizeof(struct hook_rec) == 64, "hook_rec layout");
_Static_assert(sizeof(struct hook_hdr) == 256, "hook_hdr layout");
_Static_assert(offsetof(struct hook_hdr, sel) == 32, "sel offset");
_Static_assert(offsetof(struct hook_hdr, slot) == 40, "slot offset");

#define TRAMP_CGT_OFF 256
#define TRAMP_GTOD_OFF 320
#define TRAMP_LEN 64

__asm__(
    ".pushsection .rodata.pgchaos_hook,\"a\",@progbits\n"
    ".balign 64\n"
    ".globl pgc_tpl_start\n.hidden pgc_tpl_start\n"
    "pgc_tpl_start:\n"
    "  .fill 32,1,0\n"                    /* magic .. vdso_len */
    ".Lpgc_sel:   .quad 0\n"              /* 32 */
    ".Lpgc_slots: .quad 0, 0\n"           /* 40, 48 */
    "  .fill 200,1,0\n"                   /* created, records: up to 256 */
    ".Lpgc_tramp_cgt:  .fill 64,1,0xcc\n" /* 256 */
    ".Lpgc_tramp_gtod: .fill 64,1,0xcc\n" /* 320 */
    /* int clock_gettime(clockid_t id, struct timespec *ts) */
    ".globl pgc_hook_cgt\n.hidden pgc_hook_cgt\n"
    "pgc_hook_cgt:\n"
    ".Lpgc_hook_cgt:\n"
    "  cmpl $0, %edi\n"
    "  je 1f\n"
    "  cmpl $5, %edi\n"
    "  je 1f\n"
    "  cmpl $11, %edi\n"
    "  jne .Lpgc_tramp_cgt\n"             /* not a wall clock: the original, untouched */
    "1:pushq %rbx\n"
    "  movq %rsi, %rbx\n"
    "  call .Lpgc_tramp_cgt\n"
    "  testl %eax, %eax\n"
    "  jnz 2f\n"
    "  movzbl .Lpgc_sel(%rip), %ecx\n"
    "  andl $1, %ecx\n"
    "  leaq .Lpgc_slots(%rip), %rdx\n"
    "  movq (%rdx,%rcx,8), %rdx\n"
    "  movl %edx, %ecx\n"
    "  andl $0x3fffffff, %ecx\n"          /* offset nanoseconds */
    "  sarq $30, %rdx\n"                  /* offset seconds */
    "  addq (%rbx), %rdx\n"
    "  addq 8(%rbx), %rcx\n"
    "  cmpq $999999999, %rcx\n"
    "  jbe 3f\n"
    "  subq $1000000000, %rcx\n"
    "  incq %rdx\n"
    "3:movq %rdx, (%rbx)\n"
    "  movq %rcx, 8(%rbx)\n"
    "2:popq %rbx\n"
    "  ret\n"
    /* int gettimeofday(struct timeval *tv, struct timezone *tz) */
    ".globl pgc_hook_gtod\n.hidden pgc_hook_gtod\n"
    "pgc_hook_gtod:\n"
    "  pushq %rbx\n"
    "  movq %rdi, %rbx\n"
    "  call .Lpgc_tramp_gtod\n"
    "  testl %eax, %eax\n"
    "  jnz 2f\n"
    "  testq %rbx, %rbx\n"
    "  jz 2f\n"
    "  movzbl .Lpgc_sel(%rip), %ecx\n"
    "  andl $1, %ecx\n"
    "  leaq .Lpgc_slots(%rip), %rdx\n"
    "  movq (%rdx,%rcx,8), %rdx\n"
    "  movl %edx, %ecx\n"
    "  andl $0x3fffffff, %ecx\n"
    "  sarq $30, %rdx\n"
    "  imulq $274877907, %rcx, %rcx\n"    /* ns / 1000, exact for ns < 2^32 */
    "  shrq $38, %rcx\n"
    "  addq (%rbx), %rdx\n"
    "  addq 8(%rbx), %rcx\n"
    "  cmpq $999999, %rcx\n"
    "  jbe 3f\n"
    "  subq $1000000, %rcx\n"
    "  incq %rdx\n"
    "3:movq %rdx, (%rbx)\n"
    "  movq %rcx, 8(%rbx)\n"
    "  xorl %eax, %eax\n"
    "2:popq %rbx\n"
    "  ret\n"
    /* time_t time(time_t *t): the vDSO's time() reads the coarse realtime clock */
    ".globl pgc_hook_time\n.hidden pgc_hook_time\n"
    "pgc_hook_time:\n"
    "  pushq %rbx\n"
    "  subq $16, %rsp\n"
    "  movq %rdi, %rbx\n"
    "  movl $5, %edi\n"
    "  movq %rsp, %rsi\n"
    "  call .Lpgc_hook_cgt\n"
    "  testl %eax, %eax\n"
    "  jnz 4f\n"
    "  movq (%rsp), %rax\n"
    "  testq %rbx, %rbx\n"
    "  jz 1f\n"
    "  movq %rax, (%rbx)\n"
    "1:addq $16, %rsp\n"
    "  popq %rbx\n"
    "  ret\n"
    "4:movq %rbx, %rdi\n"                 /* cannot happen; fall back to the syscall */
    "  movl $201, %eax\n"
    "  syscall\n"
    "  jmp 1b\n"
    ".globl pgc_tpl_end\n.hidden pgc_tpl_end\n"
    "pgc_tpl_end:\n"
    ".popsection\n");

extern const unsigned char pgc_tpl_start[], pgc_tpl_end[];
extern const unsigned char pgc_hook_cgt[], pgc_hook_gtod[], pgc_hook_time[];

/* ------------------------------------------------------------------------------------------ */
/* errors */

static char g_err[512];
static int g_errno;            /* errno behind the last failure (EPERM: permission problem) */
static int g_verbose;

__attribute__((format(printf, 2, 3))) static int fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_err, sizeof g_err, fmt, ap);
    va_end(ap);
    g_errno = err;
    return -1;
}

__attribute__((format(printf, 1, 2))) static void vlog(const char *fmt, ...)
{
    if (!g_verbose) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* offsets: seconds (double) <-> packed word */

static int pack_offset(double sec, int64_t *out)
{
    if (!(sec > -8.0e9 && sec < 8.0e9)) return fail(EINVAL, "offset %g s out of range (+-8e9 s)", sec);
    double x = sec * 1e9;
    int64_t ns = (int64_t)(x < 0 ? x - 0.5 : x + 0.5);
    int64_t s = ns / NS_PER_S, r = ns % NS_PER_S;
    if (r < 0) { r += NS_PER_S; s -= 1; }
    *out = (int64_t)(((uint64_t)s << 30) | (uint64_t)r);
    return 0;
}

static double unpack_offset(int64_t p)
{
    int64_t s = p >> 30; /* arithmetic shift on gcc */
    int64_t r = p & 0x3fffffff;
    return (double)s + (double)r / 1e9;
}

static void format_offset(int64_t p, char *buf, size_t len)
{
    int64_t s = p >> 30, r = p & 0x3fffffff;
    if (s < 0 && r > 0) { s += 1; r = NS_PER_S - r; snprintf(buf, len, "-%" PRId64 ".%09" PRId64, -s, r); }
    else if (s < 0) snprintf(buf, len, "-%" PRId64 ".%09" PRId64, -s, r);
    else snprintf(buf, len, "%" PRId64 ".%09" PRId64, s, r);
}

static int parse_offset(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (end && isspace((unsigned char)*end)) end++;
    if (errno || end == s || *end) return fail(EINVAL, "bad offset '%s' (seconds, e.g. -40 or 2.5)", s);
    return pack_offset(v, out);
}

/* ------------------------------------------------------------------------------------------ */
/* /proc helpers */

struct map {
    uint64_t lo, hi;
    char perms[5];
    uint64_t off;
    int anon;                    /* no backing file */
    char name[64];
};

static int read_maps(pid_t pid, struct map **out, int *n)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        if (e == ENOENT) return fail(ESRCH, "pid %d: no such process", pid);
        return fail(e == EACCES ? EPERM : e, "pid %d: cannot read %s: %s (need same uid or CAP_SYS_PTRACE)",
                    pid, path, strerror(e));
    }
    int cap = 64, cnt = 0;
    struct map *m = malloc(cap * sizeof *m);
    while (m && fgets(line, sizeof line, f)) {
        if (cnt == cap) {
            cap *= 2;
            struct map *nm = realloc(m, cap * sizeof *m);
            if (!nm) { free(m); m = NULL; break; }
            m = nm;
        }
        struct map *e = &m[cnt];
        unsigned long lo, hi, off, ino;
        char perms[8] = "", dev[16] = "";
        int pos = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, dev, &ino, &pos) < 6) continue;
        e->lo = lo; e->hi = hi; e->off = off;
        memcpy(e->perms, perms, 4); e->perms[4] = 0;
        char *name = line + pos;
        name[strcspn(name, "\n")] = 0;
        snprintf(e->name, sizeof e->name, "%s", name);
        e->anon = (ino == 0 && (name[0] == 0 || name[0] == '['));
        cnt++;
    }
    fclose(f);
    if (!m) return fail(ENOMEM, "out of memory");
    if (cnt == 0) { free(m); return fail(ESRCH, "pid %d: empty address space (kernel thread or exiting)", pid); }
    *out = m;
    *n = cnt;
    return 0;
}

/* uid/gid: real, effective, saved */
static int proc_ids(pid_t pid, uid_t uid[3], gid_t gid[3])
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "re");
    if (!f) return fail(ESRCH, "pid %d: no such process", pid);
    int got = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned a, b, c;
        if (sscanf(line, "Uid: %u %u %u", &a, &b, &c) == 3) { uid[0] = a; uid[1] = b; uid[2] = c; got |= 1; }
        if (sscanf(line, "Gid: %u %u %u", &a, &b, &c) == 3) { gid[0] = a; gid[1] = b; gid[2] = c; got |= 2; }
    }
    fclose(f);
    return got == 3 ? 0 : fail(ESRCH, "pid %d: cannot parse %s", pid, path);
}

static int have_cap_sys_ptrace(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned long long eff = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &eff) == 1) break;
    fclose(f);
    return (eff >> 19) & 1; /* CAP_SYS_PTRACE */
}

static int read_comm(pid_t pid, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t r = read(fd, buf, len - 1);
    close(fd);
    if (r <= 0) return -1;
    buf[r] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

/* Root without CAP_SYS_PTRACE cannot ptrace another user's process, but may become that user.
 * Temporary (fs ids) for opening /proc files in the long-running watcher, permanent in the
 * one-shot commands and in the watcher's per-operation children. */
struct fscred { int switched; uid_t olduid; gid_t oldgid; };

static void fscred_enter(pid_t pid, struct fscred *c)
{
    uid_t u[3]; gid_t g[3];
    c->switched = 0;
    if (geteuid() != 0 || proc_ids(pid, u, g) < 0 || u[1] == 0) return;
    c->oldgid = setfsgid(g[1]);
    c->olduid = setfsuid(u[1]);
    c->switched = 1;
}

static void fscred_leave(struct fscred *c)
{
    if (!c->switched) return;
    setfsuid(c->olduid);
    setfsgid(c->oldgid);
    c->switched = 0;
}

static int become_owner(pid_t pid)
{
    uid_t u[3]; gid_t g[3];
    if (geteuid() != 0) return fail(EPERM, "not root");
    if (proc_ids(pid, u, g) < 0) return -1;
    if (u[0] != u[1] || u[1] != u[2] || g[0] != g[1] || g[1] != g[2])
        return fail(EPERM, "pid %d: mixed uids/gids (%u/%u/%u, %u/%u/%u): need CAP_SYS_PTRACE", pid,
                    u[0], u[1], u[2], g[0], g[1], g[2]);
    if (u[0] == 0 && g[0] == 0) return 0;
    if (setgroups(0, NULL) < 0 && errno != EPERM) return fail(errno, "setgroups: %s", strerror(errno));
    if (setresgid(g[0], g[0], g[0]) < 0) return fail(EPERM, "setresgid(%u): %s", g[0], strerror(errno));
    if (setresuid(u[0], u[0], u[0]) < 0) return fail(EPERM, "setresuid(%u): %s", u[0], strerror(errno));
    vlog("running as uid %u gid %u (owner of pid %d)", u[0], g[0], pid);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* x86-64 instruction length decoder for the small set of instructions that may be relocated */

struct insn {
    int len;
    int rip_off;                 /* offset of a RIP-relative disp32 within the insn, or -1 */
};

static int decode_insn(const uint8_t *p, int avail, struct insn *in)
{
    int i = 0, opsz16 = 0, rexw = 0, modrm = 0, imm = 0;
    in->rip_off = -1;
    while (i < avail && (p[i] == 0x66 || p[i] == 0x67 || p[i] == 0xf2 || p[i] == 0xf3 || p[i] == 0x2e ||
                         p[i] == 0x3e || p[i] == 0x26 || p[i] == 0x36 || p[i] == 0x64 || p[i] == 0x65)) {
        if (p[i] == 0x66) opsz16 = 1;
        i++;
    }
    if (i < avail && (p[i] & 0xf0) == 0x40) { rexw = (p[i] & 8) != 0; i++; }
    if (i >= avail) return -1;
    uint8_t op = p[i++];
    int imm_z = opsz16 ? 2 : 4; /* "Iz" */
    if (op == 0x0f) {
        if (i >= avail) return -1;
        uint8_t op2 = p[i++];
        if (op2 == 0x1e || op2 == 0x1f) modrm = 1;               /* endbr64 (f3 0f 1e fa), nopl */
        else if (op2 >= 0x40 && op2 <= 0x4f) modrm = 1;          /* cmovcc */
        else if (op2 == 0xaf || op2 == 0xb6 || op2 == 0xb7 || op2 == 0xbe || op2 == 0xbf) modrm = 1;
        else if (op2 >= 0x90 && op2 <= 0x9f) modrm = 1;          /* setcc */
        else return -1;                                          /* jcc, syscall, rdtsc, ... */
    } else if (op < 0x40) {
        int lo = op & 7;
        if (op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e || lo == 6 || lo == 7) return -1;
        if (lo <= 3) modrm = 1;                                  /* ALU r/m, r */
        else if (lo == 4) imm = 1;                               /* ALU al, imm8 */
        else imm = imm_z;                                        /* ALU eax, imm32 */
    } else if (op >= 0x50 && op <= 0x5f) {
        /* push/pop reg */
    } else if (op == 0x63 || (op >= 0x84 && op <= 0x8b) || op == 0x8d || op == 0xd1 || op == 0xd3) {
        modrm = 1;
    } else if (op == 0x69 || op == 0x81 || op == 0xc7) {
        modrm = 1; imm = imm_z;
    } else if (op == 0x6b || op == 0x80 || op == 0x83 || op == 0xc6 || op == 0xc1) {
        modrm = 1; imm = 1;
    } else if (op == 0x90) {
        /* nop */
    } else if (op >= 0xb0 && op <= 0xb7) {
        imm = 1;
    } else if (op >= 0xb8 && op <= 0xbf) {
        imm = rexw ? 8 : imm_z;
    } else if (op == 0xf6 || op == 0xf7) {
        if (i >= avail) return -1;
        int reg = (p[i] >> 3) & 7;
        if (reg >= 2) return -1;                                 /* only test r/m, imm */
        modrm = 1; imm = op == 0xf6 ? 1 : imm_z;
    } else {
        return -1;                                               /* branches, call, ret, int3, ... */
    }
    if (modrm) {
        if (i >= avail) return -1;
        uint8_t m = p[i++];
        int mod = m >> 6, rm = m & 7;
        if (op == 0x8d && mod == 3) return -1;
        if (mod != 3 && rm == 4) {
            if (i >= avail) return -1;
            uint8_t sib = p[i++];
            if (mod == 0 && (sib & 7) == 5) i += 4;
        }
        if (mod == 0 && rm == 5) { in->rip_off = i; i += 4; }
        else if (mod == 1) i += 1;
        else if (mod == 2) i += 4;
    }
    i += imm;
    if (i > avail || i > 15) return -1;
    in->len = i;
    return 0;
}

/* Copy the whole instructions covering the first JMP_LEN bytes at fn_addr into out (which will
 * live at out_addr), re-basing RIP-relative displacements, followed by a jump back. */
static int build_trampoline(const char *what, const uint8_t orig[16], uint64_t fn_addr, uint8_t *out,
                            uint64_t out_addr, int *reloc_len)
{
    int off = 0, n = 0;
    while (off < JMP_LEN) {
        struct insn in;
        if (decode_insn(orig + off, 16 - off, &in) < 0)
            return fail(ENOTSUP,
                        "cannot relocate the prologue of %s: unsupported instruction at +%d "
                        "(%02x %02x %02x %02x); refusing to patch",
                        what, off, orig[off], orig[off + 1], orig[off + 2], orig[off + 3]);
        memcpy(out + n, orig + off, in.len);
        if (in.rip_off >= 0) {
            int32_t d;
            memcpy(&d, orig + off + in.rip_off, 4);
            int64_t target = (int64_t)(fn_addr + off + in.len) + d;
            int64_t nd = target - (int64_t)(out_addr + n + in.len);
            if (nd < INT32_MIN || nd > INT32_MAX)
                return fail(ERANGE, "%s: RIP-relative operand out of reach of the hook page", what);
            int32_t nd32 = (int32_t)nd;
            memcpy(out + n + in.rip_off, &nd32, 4);
        }
        off += in.len;
        n += in.len;
    }
    int64_t rel = (int64_t)(fn_addr + off) - (int64_t)(out_addr + n + 5);
    if (rel < INT32_MIN || rel > INT32_MAX) return fail(ERANGE, "%s: hook page out of jump range", what);
    int32_t rel32 = (int32_t)rel;
    out[n] = 0xe9;
    memcpy(out + n + 1, &rel32, 4);
    if (n + 5 > TRAMP_LEN) return fail(ENOTSUP, "%s: trampoline too long", what);
    *reloc_len = off;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* the target process */

struct thr {
    pid_t tid;
    int nsig;
    int sig[8];                  /* signals held back while stopped, re-delivered on detach */
};

struct target {
    pid_t pid;
    int memfd;
    struct thr *thr;
    int nthr, cap;
    uint64_t vdso_lo, vdso_hi;
    uint8_t *img;                /* copy of the [vdso] mapping */
    uint64_t fn[NFN];            /* absolute entry addresses, 0 = absent */
    uint64_t page;               /* our hook page, 0 = none */
    struct hook_hdr hdr;         /* its header, when page != 0 */
    struct map *maps;
    int nmaps;
};

static int mem_read(struct target *t, uint64_t addr, void *buf, size_t len)
{
    ssize_t r = pread(t->memfd, buf, len, (off_t)addr);
    if (r == (ssize_t)len) return 0;
    if (r < 0) return fail(errno, "pid %d: read of %zu bytes at %#" PRIx64 " failed: %s", t->pid, len, addr, strerror(errno));
    return fail(ESRCH, "pid %d: short read at %#" PRIx64 " (process exited or exec'd?)", t->pid, addr);
}

static void target_free_image(struct target *t)
{
    free(t->img); t->img = NULL;
    free(t->maps); t->maps = NULL; t->nmaps = 0;
    memset(t->fn, 0, sizeof t->fn);
    t->page = 0;
}

static void target_close(struct target *t)
{
    target_free_image(t);
    if (t->memfd >= 0) close(t->memfd);
    t->memfd = -1;
    free(t->thr); t->thr = NULL; t->nthr = t->cap = 0;
}

static int vdso_symbols(struct target *t)
{
    size_t len = t->vdso_hi - t->vdso_lo;
    const uint8_t *img = t->img;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail(ENOEXEC, "pid %d: [vdso] is not a 64-bit ELF image", t->pid);
    if (eh->e_machine != EM_X86_64) return fail(ENOEXEC, "pid %d: [vdso] is not x86-64", t->pid);
    /* load bias: vaddr of the first PT_LOAD maps to vdso_lo */
    uint64_t first_vaddr = 0;
    if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len) return fail(ENOEXEC, "pid %d: bad vDSO phdrs", t->pid);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD) { first_vaddr = ph[i].p_vaddr - ph[i].p_offset; break; }
    if (eh->e_shoff == 0 || eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len)
        return fail(ENOEXEC, "pid %d: vDSO has no section headers", t->pid);
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM) continue;
        if (sh[i].sh_link >= eh->e_shnum) break;
        const Elf64_Shdr *strs = &sh[sh[i].sh_link];
        if (sh[i].sh_offset + sh[i].sh_size > len || strs->sh_offset + strs->sh_size > len) break;
        const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
        size_t nsym = sh[i].sh_size / sizeof(Elf64_Sym);
        const char *str = (const char *)(img + strs->sh_offset);
        for (int f = 0; f < NFN; f++) {
            for (int alt = 0; alt < 2 && !t->fn[f]; alt++) {
                for (size_t s = 0; s < nsym; s++) {
                    if (sym[s].st_name >= strs->sh_size || sym[s].st_shndx == SHN_UNDEF) continue;
                    if (ELF64_ST_TYPE(sym[s].st_info) != STT_FUNC) continue;
                    if (strcmp(str + sym[s].st_name, fn_names[f][alt])) continue;
                    uint64_t a = t->vdso_lo + (sym[s].st_value - first_vaddr);
                    if (a >= t->vdso_lo && a + 16 <= t->vdso_hi) t->fn[f] = a;
                    break;
                }
            }
        }
        break;
    }
    if (!t->fn[FN_CGT]) return fail(ENOENT, "pid %d: vDSO has no __vdso_clock_gettime", t->pid);
    return 0;
}

static int header_ok(const struct target *t, const struct hook_hdr *h)
{
    return !memcmp(h->magic, HOOK_MAGIC, 8) && h->version == HOOK_VERSION &&
           h->code_len == (uint32_t)(pgc_tpl_end - pgc_tpl_start) && h->vdso_base == t->vdso_lo;
}

/* Is the jump of record i in place at its function entry? */
static int rec_patched(struct target *t, int i)
{
    const struct hook_rec *r = &t->hdr.rec[i];
    uint8_t cur[16];
    if (!t->page || !r->addr || r->addr != t->fn[i] || !r->patch_len) return 0;
    if (mem_read(t, r->addr, cur, r->patch_len) < 0) return 0;
    return !memcmp(cur, r->patch, r->patch_len);
}

static int fully_installed(struct target *t)
{
    if (!t->page || !rec_patched(t, FN_CGT)) return 0;
    for (int i = 0; i < NFN; i++)
        if (t->hdr.rec[i].addr && !rec_patched(t, i)) return 0;
    return 1;
}

static int any_patched(struct target *t)
{
    for (int i = 0; i < NFN; i++)
        if (rec_patched(t, i)) return 1;
    return 0;
}

static int find_hook_page(struct target *t)
{
    t->page = 0;
    uint8_t b[5];
    /* 1: follow the jump at clock_gettime's entry */
    if (mem_read(t, t->fn[FN_CGT], b, 5) == 0 && b[0] == 0xe9) {
        int32_t rel;
        memcpy(&rel, b + 1, 4);
        uint64_t dst = t->fn[FN_CGT] + 5 + (int64_t)rel;
        uint64_t pg = dst & ~(PAGE - 1);
        struct hook_hdr h;
        if (mem_read(t, pg, &h, sizeof h) == 0 && header_ok(t, &h)) { t->page = pg; t->hdr = h; return 0; }
    }
    /* 2: a page left from an earlier install (after clear) */
    for (int i = 0; i < t->nmaps; i++) {
        struct map *m = &t->maps[i];
        if (m->hi - m->lo != PAGE || strcmp(m->perms, "r-xp") || !m->anon) continue;
        if (m->name[0] && strcmp(m->name, "[anon:" VMA_NAME "]")) continue;
        struct hook_hdr h;
        if (mem_read(t, m->lo, &h, sizeof h) == 0 && header_ok(t, &h)) { t->page = m->lo; t->hdr = h; return 0; }
    }
    return 0;
}

static int target_load(struct target *t)
{
    target_free_image(t);
    if (read_maps(t->pid, &t->maps, &t->nmaps) < 0) return -1;
    t->vdso_lo = t->vdso_hi = 0;
    for (int i = 0; i < t->nmaps; i++)
        if (!strcmp(t->maps[i].name, "[vdso]")) { t->vdso_lo = t->maps[i].lo; t->vdso_hi = t->maps[i].hi; break; }
    if (!t->vdso_lo) return fail(ENOENT, "pid %d: no [vdso] mapping", t->pid);
    size_t len = t->vdso_hi - t->vdso_lo;
    if (len > (1u << 20)) return fail(ENOEXEC, "pid %d: [vdso] too large", t->pid);
    t->img = malloc(len);
    if (!t->img) return fail(ENOMEM, "out of memory");
    if (mem_read(t, t->vdso_lo, t->img, len) < 0) return -1;
    if (vdso_symbols(t) < 0) return -1;
    return find_hook_page(t);
}

static int target_open(struct target *t, pid_t pid)
{
    memset(t, 0, sizeof *t);
    t->memfd = -1;
    t->pid = pid;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    if (pid <= 0) return fail(EINVAL, "bad pid %d", pid);
    if (pid == getpid()) return fail(EINVAL, "pid %d: refusing to shim myself", pid);
    t->memfd = open(path, O_RDONLY | O_CLOEXEC);
    if (t->memfd < 0) {
        int e = errno;
        if (e == ENOENT) return fail(ESRCH, "pid %d: no such process", pid);
        if (e == ESRCH) return fail(ESRCH, "pid %d: no [vdso] mapping (kernel thread or exiting)", pid);
        if (e == EACCES || e == EPERM)
            return fail(EPERM, "pid %d: cannot open %s: %s (need same uid or CAP_SYS_PTRACE)", pid, path, strerror(e));
        return fail(e, "pid %d: cannot open %s: %s", pid, path, strerror(e));
    }
    return target_load(t);
}

/* ------------------------------------------------------------------------------------------ */
/* ptrace: stop / step / detach */

static struct thr *thr_find(struct target *t, pid_t tid)
{
    for (int i = 0; i < t->nthr; i++)
        if (t->thr[i].tid == tid) return &t->thr[i];
    return NULL;
}

static void thr_remove(struct target *t, pid_t tid)
{
    for (int i = 0; i < t->nthr; i++)
        if (t->thr[i].tid == tid) { t->thr[i] = t->thr[--t->nthr]; return; }
}

static void hold_signal(struct thr *th, int sig)
{
    for (int i = 0; i < th->nsig; i++)
        if (th->sig[i] == sig && sig < SIGRTMIN) return; /* standard signals do not queue */
    if (th->nsig < 8) th->sig[th->nsig++] = sig;
}

enum { ST_STOPPED, ST_GONE, ST_STEPPED };

/* Wait for the next stop of tid. Signal-delivery-stops are held back and the thread resumed
 * into its pending stop (suppress_to_interrupt), so no user code runs. */
static int wait_stop(struct target *t, struct thr *th, double deadline, int stepping)
{
    for (;;) {
        int st;
        pid_t r = waitpid(th->tid, &st, __WALL | WNOHANG);
        if (r == 0) {
            if (now_mono() > deadline)
                return fail(ETIMEDOUT, "pid %d: thread %d did not stop within the time limit (frozen container?)",
                            t->pid, th->tid);
            sleep_us(50);
            continue;
        }
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == ECHILD) return ST_GONE;
            return fail(errno, "waitpid(%d): %s", th->tid, strerror(errno));
        }
        if (WIFEXITED(st) || WIFSIGNALED(st)) return ST_GONE;
        if (!WIFSTOPPED(st)) continue;
        int sig = WSTOPSIG(st), ev = st >> 16;
        if (ev == PTRACE_EVENT_STOP) {
            if (!stepping) return ST_STOPPED;
            /* a group-stop or interrupt trap before the step executed: step again */
            if (ptrace(PTRACE_SINGLESTEP, th->tid, 0, 0) < 0) return fail(errno, "PTRACE_SINGLESTEP %d: %s", th->tid, strerror(errno));
            continue;
        }
        if (ev) { /* an event we did not ask for */
            if (ptrace(stepping ? PTRACE_SINGLESTEP : PTRACE_CONT, th->tid, 0, 0) < 0)
                return fail(errno, "ptrace resume %d: %s", th->tid, strerror(errno));
            continue;
        }
        if (stepping && sig == SIGTRAP) {
            siginfo_t si;
            if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) == 0 && si.si_code > 0) return ST_STEPPED;
        }
        hold_signal(th, sig);
        if (ptrace(stepping ? PTRACE_SINGLESTEP : PTRACE_CONT, th->tid, 0, 0) < 0)
            return fail(errno, "ptrace resume %d: %s", th->tid, strerror(errno));
    }
}

static int thread_state(pid_t pid, pid_t tid)
{
    char path[96], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

/* Stop every thread (max_threads 0) or just one. */
static int stop_threads(struct target *t, int max_threads)
{
    double deadline = now_mono() + 5.0;
    for (int round = 0;; round++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task", t->pid);
        DIR *d = opendir(path);
        if (!d) return fail(ESRCH, "pid %d: no such process", t->pid);
        int first_new = t->nthr, added = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (max_threads && t->nthr >= max_threads) break;
            pid_t tid = atoi(de->d_name);
            if (tid <= 0 || thr_find(t, tid)) continue;
            int s = thread_state(t->pid, tid);
            if (s == 'Z' || s == 'X' || s == 0) continue;
            if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0) {
                int e = errno;
                if (e == ESRCH) continue;
                closedir(d);
                if (e == EPERM)
                    return fail(EPERM, "ptrace: Operation not permitted (need same uid or CAP_SYS_PTRACE; pid %d may "
                                       "be traced already or not dumpable)", t->pid);
                return fail(e, "ptrace(PTRACE_SEIZE, %d): %s", tid, strerror(e));
            }
            if (t->nthr == t->cap) {
                t->cap = t->cap ? 2 * t->cap : 16;
                struct thr *nt = realloc(t->thr, t->cap * sizeof *nt);
                if (!nt) { closedir(d); return fail(ENOMEM, "out of memory"); }
                t->thr = nt;
            }
            memset(&t->thr[t->nthr], 0, sizeof t->thr[0]);
            t->thr[t->nthr++].tid = tid;
            ptrace(PTRACE_INTERRUPT, tid, 0, 0);
            added++;
        }
        closedir(d);
        for (int i = first_new; i < t->nthr;) {
            int r = wait_stop(t, &t->thr[i], deadline, 0);
            if (r < 0) return -1;
            if (r == ST_GONE) { thr_remove(t, t->thr[i].tid); continue; }
            i++;
        }
        if (!added || max_threads) break;
        if (round > 1000) return fail(EAGAIN, "pid %d: threads keep appearing", t->pid);
    }
    if (t->nthr == 0) return fail(ESRCH, "pid %d: no thread could be stopped (exited?)", t->pid);
    vlog("pid %d: %d thread(s) stopped", t->pid, t->nthr);
    return 0;
}

static void detach_all(struct target *t)
{
    for (int i = 0; i < t->nthr; i++) {
        struct thr *th = &t->thr[i];
        int sig = th->nsig ? th->sig[0] : 0;
        if (ptrace(PTRACE_DETACH, th->tid, 0, (void *)(long)sig) < 0 && errno != ESRCH)
            vlog("detach %d: %s", th->tid, strerror(errno));
        for (int k = 1; k < th->nsig; k++) syscall(SYS_tgkill, t->pid, th->tid, th->sig[k]);
    }
    t->nthr = 0;
}

static int step_one(struct target *t, struct thr *th)
{
    if (ptrace(PTRACE_SINGLESTEP, th->tid, 0, 0) < 0) return fail(errno, "PTRACE_SINGLESTEP %d: %s", th->tid, strerror(errno));
    int r = wait_stop(t, th, now_mono() + 5.0, 1);
    if (r < 0) return -1;
    if (r == ST_GONE) return fail(ESRCH, "pid %d: thread %d exited while stepping", t->pid, th->tid);
    return 0;
}

/* Write bytes with PTRACE_POKEDATA (through a stopped thread); unaligned edges are merged. */
static int poke_bytes(struct target *t, uint64_t addr, const void *buf, size_t len)
{
    const uint8_t *src = buf;
    pid_t tid = t->thr[0].tid;
    while (len) {
        uint64_t base = addr & ~7UL;
        size_t skip = addr - base, n = 8 - skip < len ? 8 - skip : len;
        union { long l; uint8_t b[8]; } w;
        if (skip || n < 8) {
            errno = 0;
            w.l = ptrace(PTRACE_PEEKDATA, tid, (void *)base, 0);
            if (errno) return fail(errno, "pid %d: PTRACE_PEEKDATA %#" PRIx64 ": %s", t->pid, base, strerror(errno));
        }
        memcpy(w.b + skip, src, n);
        if (ptrace(PTRACE_POKEDATA, tid, (void *)base, (void *)w.l) < 0)
            return fail(errno, "pid %d: PTRACE_POKEDATA %#" PRIx64 ": %s", t->pid, base, strerror(errno));
        addr += n; src += n; len -= n;
    }
    return 0;
}

/* Run one system call in the target on a stopped thread. */
static int inject_syscall(struct target *t, long nr, const long a[6], long *ret)
{
    const uint8_t *img = t->img;
    size_t len = t->vdso_hi - t->vdso_lo;
    uint64_t sc = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (img[i] == 0x0f && img[i + 1] == 0x05) { sc = t->vdso_lo + i; break; }
    if (!sc) return fail(ENOENT, "pid %d: no syscall instruction in [vdso]", t->pid);
    struct thr *th = &t->thr[0];
    struct user_regs_struct saved, r;
    if (ptrace(PTRACE_GETREGS, th->tid, 0, &saved) < 0) return fail(errno, "PTRACE_GETREGS: %s", strerror(errno));
    r = saved;
    r.rax = nr; r.rdi = a[0]; r.rsi = a[1]; r.rdx = a[2]; r.r10 = a[3]; r.r8 = a[4]; r.r9 = a[5];
    r.rip = sc;
    r.orig_rax = -1; /* no syscall restart may rewind RIP */
    if (ptrace(PTRACE_SETREGS, th->tid, 0, &r) < 0) return fail(errno, "PTRACE_SETREGS: %s", strerror(errno));
    int rc = step_one(t, th);
    if (rc == 0) {
        if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) < 0) rc = fail(errno, "PTRACE_GETREGS: %s", strerror(errno));
        else if (r.rip != sc + 2) rc = fail(EFAULT, "pid %d: injected syscall did not complete (rip %#llx)", t->pid, r.rip);
        else *ret = (long)r.rax;
    }
    if (ptrace(PTRACE_SETREGS, th->tid, 0, &saved) < 0 && rc == 0)
        rc = fail(errno, "PTRACE_SETREGS (restore): %s", strerror(errno));
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* install / update / clear */

static uint64_t find_gap(struct target *t)
{
    const uint64_t lo_limit = 0x10000, hi_limit = 0x7ffffffff000ULL, reach = 1ULL << 30;
    uint64_t best = 0, bestd = ~0ULL, prev_end = lo_limit;
    const char *prev_name = "";
    for (int i = 0; i <= t->nmaps; i++) {
        uint64_t start = i < t->nmaps ? t->maps[i].lo : hi_limit;
        const char *name = i < t->nmaps ? t->maps[i].name : "";
        if (start > prev_end && start - prev_end >= PAGE) {
            uint64_t cand[2] = {start - PAGE, prev_end};
            if (!strcmp(name, "[stack]")) cand[0] = start > prev_end + (256ULL << 20) ? start - (256ULL << 20) : 0;
            if (!strcmp(prev_name, "[heap]")) cand[1] = prev_end + (256ULL << 20) < start ? prev_end + (256ULL << 20) : 0;
            for (int k = 0; k < 2; k++) {
                uint64_t c = cand[k];
                if (!c || c < lo_limit || c + PAGE > hi_limit) continue;
                uint64_t d = c < t->vdso_lo ? t->vdso_lo - c : c - t->vdso_lo;
                if (d < bestd) { bestd = d; best = c; }
            }
        }
        if (i < t->nmaps && t->maps[i].hi > prev_end) { prev_end = t->maps[i].hi; prev_name = name; }
    }
    if (!best || bestd > reach) { fail(ENOMEM, "pid %d: no free page within 1 GiB of [vdso]", t->pid); return 0; }
    return best;
}

static int write_offset(struct target *t, int64_t packed)
{
    struct hook_hdr h;
    if (mem_read(t, t->page, &h, sizeof h) < 0) return -1;
    uint64_t idle = (h.sel & 1) ^ 1;
    if (poke_bytes(t, t->page + offsetof(struct hook_hdr, slot) + 8 * idle, &packed, 8) < 0) return -1;
    return poke_bytes(t, t->page + offsetof(struct hook_hdr, sel), &idle, 8);
}

static int install(struct target *t, int64_t packed)
{
    uint8_t orig[NFN][16];
    memset(orig, 0, sizeof orig);
    for (int i = 0; i < NFN; i++) {
        if (!t->fn[i]) continue;
        if (rec_patched(t, i)) memcpy(orig[i], t->hdr.rec[i].orig, 16);
        else if (mem_read(t, t->fn[i], orig[i], 16) < 0) return -1;
        if (orig[i][0] == 0xe9 && !rec_patched(t, i))
            return fail(EBUSY, "pid %d: %s already starts with a jump (patched by another tool?)", t->pid, fn_names[i][0]);
    }

    int reuse = t->page != 0;
    uint64_t page = t->page;
    if (!reuse) {
        page = find_gap(t);
        if (!page) return -1;
        long a[6] = {(long)page, (long)PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0};
        long ret = 0;
        if (inject_syscall(t, SYS_mmap, a, &ret) < 0) return -1;
        if (ret < 0 && ret > -4096) return fail(-ret, "pid %d: mmap in target failed: %s", t->pid, strerror(-ret));
        if ((uint64_t)ret != page) {
            long u[6] = {ret, (long)PAGE, 0, 0, 0, 0}, ur;
            inject_syscall(t, SYS_munmap, u, &ur);
            return fail(ENOMEM, "pid %d: mmap in target returned %#lx instead of %#" PRIx64, t->pid, ret, page);
        }
        vlog("pid %d: hook page at %#" PRIx64 " ([vdso] at %#" PRIx64 ")", t->pid, page, t->vdso_lo);
    }

    /* the page image */
    uint8_t img[PAGE];
    size_t code_len = pgc_tpl_end - pgc_tpl_start;
    if (code_len > VMA_NAME_OFF) return fail(EFAULT, "internal: hook template too large");
    memset(img, 0, sizeof img);
    memcpy(img, pgc_tpl_start, code_len);
    memcpy(img + VMA_NAME_OFF, VMA_NAME, sizeof VMA_NAME);
    struct hook_hdr *h = (struct hook_hdr *)img;
    memcpy(h->magic, HOOK_MAGIC, 8);
    h->version = HOOK_VERSION;
    h->code_len = (uint32_t)code_len;
    h->vdso_base = t->vdso_lo;
    h->vdso_len = t->vdso_hi - t->vdso_lo;
    h->sel = 0;
    h->slot[0] = h->slot[1] = packed;
    h->created = reuse ? t->hdr.created : (uint64_t)time(NULL);
    uint32_t hooks[NFN] = {(uint32_t)(pgc_hook_cgt - pgc_tpl_start), (uint32_t)(pgc_hook_gtod - pgc_tpl_start),
                           (uint32_t)(pgc_hook_time - pgc_tpl_start)};
    for (int i = 0; i < NFN; i++) {
        if (!t->fn[i]) continue;
        struct hook_rec *r = &h->rec[i];
        r->addr = t->fn[i];
        r->kind = (uint8_t)i;
        r->patch_len = JMP_LEN;
        memcpy(r->orig, orig[i], 16);
        r->hook_off = hooks[i];
        if (i == FN_CGT || i == FN_GTOD) {
            int off = i == FN_CGT ? TRAMP_CGT_OFF : TRAMP_GTOD_OFF, rl = 0;
            if (build_trampoline(fn_names[i][0], orig[i], t->fn[i], img + off, page + off, &rl) < 0) return -1;
            r->reloc_len = (uint8_t)rl;
        }
        int64_t rel = (int64_t)(page + hooks[i]) - (int64_t)(t->fn[i] + JMP_LEN);
        if (rel < INT32_MIN || rel > INT32_MAX) return fail(ERANGE, "pid %d: hook page out of jump range", t->pid);
        int32_t rel32 = (int32_t)rel;
        r->patch[0] = 0xe9;
        memcpy(r->patch + 1, &rel32, 4);
    }

    /* write the page: only the words that differ from what is there */
    uint8_t cur[PAGE];
    if (reuse) {
        if (mem_read(t, page, cur, PAGE) < 0) return -1;
        /* code must be identical (a thread may be executing it); only data may change */
        if (memcmp(cur + sizeof(struct hook_hdr), img + sizeof(struct hook_hdr), code_len - sizeof(struct hook_hdr)))
            return fail(EBUSY, "pid %d: existing hook page has different code; refusing to rewrite it", t->pid);
    } else {
        memset(cur, 0, sizeof cur);
    }
    for (size_t o = 0; o < PAGE; o += 8)
        if (memcmp(cur + o, img + o, 8) && poke_bytes(t, page + o, img + o, 8) < 0) return -1;
    if (!reuse) {
        long a[6] = {PR_SET_VMA, PR_SET_VMA_ANON_NAME, (long)page, (long)PAGE, (long)(page + VMA_NAME_OFF), 0}, ret;
        if (inject_syscall(t, SYS_prctl, a, &ret) == 0 && ret != 0) vlog("naming the hook page failed: %ld (harmless)", ret);
    }
    t->page = page;
    t->hdr = *h;

    /* move threads out of the bytes about to be overwritten */
    for (int k = 0; k < t->nthr; k++) {
        struct thr *th = &t->thr[k];
        for (int steps = 0;; steps++) {
            struct user_regs_struct r;
            if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) < 0) return fail(errno, "PTRACE_GETREGS %d: %s", th->tid, strerror(errno));
            int inside = 0;
            for (int i = 0; i < NFN; i++)
                if (t->fn[i] && r.rip > t->fn[i] && r.rip < t->fn[i] + JMP_LEN) inside = 1;
            if (!inside) break;
            if (steps > 64) return fail(EBUSY, "pid %d: thread %d stuck inside a vDSO prologue", t->pid, th->tid);
            vlog("thread %d at %#llx: stepping out of a patched prologue", th->tid, r.rip);
            if (step_one(t, th) < 0) return -1;
        }
    }

    /* the jumps; clock_gettime last, it is how `get` recognises an installed shim */
    static const int order[NFN] = {FN_TIME, FN_GTOD, FN_CGT};
    for (int k = 0; k < NFN; k++) {
        int i = order[k];
        if (!t->fn[i] || rec_patched(t, i)) continue;
        if (poke_bytes(t, t->fn[i], h->rec[i].patch, JMP_LEN) < 0) return -1;
    }
    return 0;
}

/* Detach and close a target without losing the first error the operation recorded. */
static int release_target(struct target *t, int rc)
{
    char keep[sizeof g_err];
    int keep_errno = g_errno;
    memcpy(keep, g_err, sizeof keep);
    if (t->nthr) detach_all(t);
    target_close(t);
    memcpy(g_err, keep, sizeof keep);
    g_errno = keep_errno;
    return rc;
}

static int op_set(pid_t pid, int64_t packed)
{
    struct target t;
    int rc = -1;
    if (target_open(&t, pid) < 0) goto out;
    if (fully_installed(&t)) {
        if (stop_threads(&t, 1) < 0) goto out;
        rc = write_offset(&t, packed);
        goto out;
    }
    if (stop_threads(&t, 0) < 0) goto out;
    if (target_load(&t) < 0) goto out; /* the image may have changed (exec) before the stop */
    if (fully_installed(&t)) rc = write_offset(&t, packed);
    else rc = install(&t, packed);
out:
    return release_target(&t, rc);
}

static int op_clear(pid_t pid)
{
    struct target t;
    int rc = -1;
    if (target_open(&t, pid) < 0) goto out;
    if (!t.page || !any_patched(&t)) { rc = 0; goto out; }
    if (stop_threads(&t, 0) < 0) goto out;
    if (target_load(&t) < 0) goto out;
    if (!t.page || !any_patched(&t)) { rc = 0; goto out; }
    int64_t zero[2] = {0, 0};
    if (poke_bytes(&t, t.page + offsetof(struct hook_hdr, slot), zero, sizeof zero) < 0) goto out;
    static const int order[NFN] = {FN_CGT, FN_GTOD, FN_TIME};
    for (int k = 0; k < NFN; k++) {
        int i = order[k];
        if (!rec_patched(&t, i)) continue;
        if (poke_bytes(&t, t.hdr.rec[i].addr, t.hdr.rec[i].orig, t.hdr.rec[i].patch_len) < 0) goto out;
    }
    rc = 0;
out:
    return release_target(&t, rc);
}

/* 1 and *packed set if installed, 0 if not, -1 on error */
static int op_get(pid_t pid, int64_t *packed)
{
    struct target t;
    int rc = -1;
    if (target_open(&t, pid) < 0) goto out;
    rc = 0;
    if (t.page && rec_patched(&t, FN_CGT)) {
        struct hook_hdr h;
        if (mem_read(&t, t.page, &h, sizeof h) < 0) { rc = -1; goto out; }
        *packed = h.slot[h.sel & 1];
        rc = 1;
    }
out:
    target_close(&t);
    return rc;
}

enum { OP_SET, OP_CLEAR, OP_GET };

/* One operation, retried as the target's owner when permission is missing and we are root. */
static int run_op(int op, pid_t pid, int64_t packed, int64_t *got)
{
    int rc;
    for (int attempt = 0;; attempt++) {
        g_errno = 0;
        rc = op == OP_SET ? op_set(pid, packed) : op == OP_CLEAR ? op_clear(pid) : op_get(pid, got);
        if (rc >= 0 || g_errno != EPERM || attempt || geteuid() != 0) break;
        char keep[sizeof g_err];
        memcpy(keep, g_err, sizeof keep);
        if (become_owner(pid) < 0) { memcpy(g_err, keep, sizeof keep); break; }
    }
    return rc;
}

/* The same, in a short-lived child: a hung or killed operation then cannot leave threads of the
 * target attached, and the credential switch does not stick to the watcher. */
static int run_op_child(int op, pid_t pid, int64_t packed, char *err, size_t errlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { snprintf(err, errlen, "pipe: %s", strerror(errno)); return -1; }
    pid_t c = fork();
    if (c < 0) { close(p[0]); close(p[1]); snprintf(err, errlen, "fork: %s", strerror(errno)); return -1; }
    if (c == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        alarm(20);
        close(p[0]);
        uid_t u[3]; gid_t g[3];
        if (geteuid() == 0 && !have_cap_sys_ptrace() && proc_ids(pid, u, g) == 0 && u[0] != 0) {
            if (become_owner(pid) < 0) { if (write(p[1], g_err, strlen(g_err)) < 0) _exit(1); _exit(1); }
        }
        int64_t got;
        int rc = run_op(op, pid, packed, &got);
        if (rc < 0 && write(p[1], g_err, strlen(g_err)) < 0) _exit(1);
        _exit(rc < 0 ? 1 : 0);
    }
    close(p[1]);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(p[0], err + n, errlen - 1 - n);
        if (r > 0) { n += r; if (n >= errlen - 1) break; continue; }
        if (r < 0 && errno == EINTR) continue;
        break;
    }
    err[n] = 0;
    close(p[0]);
    int st = 0;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (!n) snprintf(err, errlen, "operation on pid %d failed (status %#x)", pid, st);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* watch */

static volatile sig_atomic_t g_stop;
static void on_term(int sig) { (void)sig; g_stop = 1; }

struct wproc {
    pid_t pid;
    int memfd;                   /* opened once (as the owner); fails to read after exit/exec */
    uint64_t cgt;                /* its __vdso_clock_gettime */
    int seen;
    int shimmed;
    int64_t cur;
    char comm[32];
    char lasterr[512];
    double retry_at;
};

static struct wproc *g_w;
static int g_nw, g_capw;

static struct wproc *w_get(pid_t pid)
{
    for (int i = 0; i < g_nw; i++)
        if (g_w[i].pid == pid) return &g_w[i];
    if (g_nw == g_capw) {
        g_capw = g_capw ? 2 * g_capw : 64;
        struct wproc *n = realloc(g_w, g_capw * sizeof *n);
        if (!n) return NULL;
        g_w = n;
    }
    struct wproc *w = &g_w[g_nw++];
    memset(w, 0, sizeof *w);
    w->pid = pid;
    w->memfd = -1;
    return w;
}

static void w_reset(struct wproc *w)
{
    if (w->memfd >= 0) close(w->memfd);
    w->memfd = -1;
    w->cgt = 0;
}

/* Cheap look at a process: is the shim installed, with which offset. 0 ok, -1 error. */
static int w_probe(struct wproc *w)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (w->memfd < 0) {
            struct fscred fc;
            struct target t;
            fscred_enter(w->pid, &fc);
            int rc = target_open(&t, w->pid);
            fscred_leave(&fc);
            if (rc < 0) { target_close(&t); return -1; }
            w->cgt = t.fn[FN_CGT];
            w->memfd = t.memfd;
            t.memfd = -1;
            target_close(&t);
        }
        uint8_t b[5];
        if (pread(w->memfd, b, 5, (off_t)w->cgt) != 5) { w_reset(w); continue; } /* exited or exec'd */
        w->shimmed = 0;
        if (b[0] != 0xe9) return 0;
        int32_t rel;
        memcpy(&rel, b + 1, 4);
        uint64_t pg = (w->cgt + 5 + (int64_t)rel) & ~(PAGE - 1);
        struct hook_hdr h;
        if (pread(w->memfd, &h, 64, (off_t)pg) != 64) { w_reset(w); continue; }
        if (memcmp(h.magic, HOOK_MAGIC, 8)) return 0;
        w->shimmed = 1;
        w->cur = h.slot[h.sel & 1];
        return 0;
    }
    return fail(ESRCH, "pid %d: gone", w->pid);
}

static int read_offset_file(const char *path, int64_t *packed)
{
    char buf[128];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *s = buf;
    while (isspace((unsigned char)*s)) s++;
    return parse_offset(s, packed);
}

static void wlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wlog(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("[pgchaos] clockshim watch[%d]: ", getpid());
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}

/* Log lines per command name: the first few processes of each name are logged individually,
 * then one note; short-lived processes (sleep, psql, ...) would otherwise flood the log. The
 * counts restart when the offset changes. */
#define LOG_PER_COMM 3
static struct { char comm[32]; int n; } g_clog[64];
static int g_nclog;

static void comm_log_reset(void) { g_nclog = 0; }

static int comm_logged(const char *comm)
{
    int i;
    for (i = 0; i < g_nclog; i++)
        if (!strcmp(g_clog[i].comm, comm)) break;
    if (i == g_nclog) {
        if (g_nclog == 64) return 1;
        snprintf(g_clog[g_nclog].comm, sizeof g_clog[0].comm, "%s", comm);
        g_clog[g_nclog++].n = 0;
    }
    int n = ++g_clog[i].n;
    if (n == LOG_PER_COMM + 1) wlog("(further updates of '%s' processes are not logged)", comm);
    return n > LOG_PER_COMM;
}

/* One pass over /proc. Returns the number of processes that are (still) shimmed. */
static int watch_pass(regex_t *re, int64_t want, int clear_all)
{
    DIR *d = opendir("/proc");
    if (!d) return 0;
    pid_t self = getpid();
    double now = now_mono();
    int shimmed = 0;
    for (int i = 0; i < g_nw; i++) g_w[i].seen = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0])) continue;
        pid_t pid = atoi(de->d_name);
        char comm[32];
        if (pid <= 1 || pid == self || read_comm(pid, comm, sizeof comm) < 0) continue;
        if (!strncmp(comm, "pgchaos-clocks", 14)) continue; /* any clockshim, incl. our own children */
        if (!strncmp(comm, "runc:", 5)) continue;           /* docker exec's transient init */
        if (re && regexec(re, comm, 0, NULL, 0)) continue;
        struct wproc *w = w_get(pid);
        if (!w) continue;
        w->seen = 1;
        if (strcmp(w->comm, comm)) { snprintf(w->comm, sizeof w->comm, "%s", comm); w->lasterr[0] = 0; }
        if (!clear_all && w->retry_at > now) continue;
        if (w_probe(w) < 0) {
            if (g_errno != ESRCH && strcmp(w->lasterr, g_err)) {
                wlog("pid %d (%s): %s", pid, comm, g_err);
                snprintf(w->lasterr, sizeof w->lasterr, "%s", g_err);
            }
            w->retry_at = now + 5;
            continue;
        }
        int op = -1;
        if (clear_all || want == 0) { if (w->shimmed) op = OP_CLEAR; }
        else if (!w->shimmed || w->cur != want) op = OP_SET;
        if (op < 0) { shimmed += w->shimmed; continue; }
        char err[512], off[48];
        if (run_op_child(op, pid, want, err, sizeof err) < 0) {
            if (kill(pid, 0) < 0 && errno == ESRCH) { w->seen = 0; continue; } /* exited meanwhile */
            if (strcmp(w->lasterr, err)) {
                wlog("pid %d (%s): %s", pid, comm, err);
                snprintf(w->lasterr, sizeof w->lasterr, "%s", err);
            }
            w->retry_at = now + 2;
            shimmed += w->shimmed;
            continue;
        }
        w->lasterr[0] = 0;
        w->retry_at = 0;
        int quiet = comm_logged(comm);
        if (op == OP_CLEAR) {
            if (!quiet) wlog("pid %d (%s): cleared", pid, comm);
            w->shimmed = 0;
        } else {
            format_offset(want, off, sizeof off);
            if (!quiet) wlog("pid %d (%s): offset %s s", pid, comm, off);
            w->shimmed = 1;
            w->cur = want;
            shimmed++;
        }
    }
    closedir(d);
    for (int i = 0; i < g_nw;) {
        if (!g_w[i].seen) { w_reset(&g_w[i]); g_w[i] = g_w[--g_nw]; continue; }
        i++;
    }
    return shimmed;
}

static int cmd_watch(int argc, char **argv)
{
    const char *comm_re = NULL, *offset_file = NULL, *offset_arg = NULL;
    long interval_ms = 100;
    double drift = 0; /* seconds of extra offset per minute of real time */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--comm") && i + 1 < argc) comm_re = argv[++i];
        else if (!strcmp(argv[i], "--interval-ms") && i + 1 < argc) interval_ms = atol(argv[++i]);
        else if (!strcmp(argv[i], "--offset-file") && i + 1 < argc) offset_file = argv[++i];
        else if (!strcmp(argv[i], "--drift-per-min") && i + 1 < argc) {
            int64_t d;
            if (parse_offset(argv[++i], &d) < 0) { fprintf(stderr, PROG ": --drift-per-min: %s\n", g_err); return 1; }
            drift = unpack_offset(d);
        }
        else if (!strcmp(argv[i], "-v")) g_verbose = 1;
        else if (!offset_arg) offset_arg = argv[i];
        else { fprintf(stderr, PROG ": watch: unexpected argument '%s'\n", argv[i]); return 1; }
    }
    if (!offset_arg) { fprintf(stderr, PROG ": watch: missing <offset-seconds>\n"); return 1; }
    if (interval_ms < 10) interval_ms = 10;
    int64_t base, want;
    if (parse_offset(offset_arg, &base) < 0) { fprintf(stderr, PROG ": %s\n", g_err); return 1; }
    regex_t re;
    if (comm_re) {
        int e = regcomp(&re, comm_re, REG_EXTENDED | REG_NOSUB);
        if (e) {
            char m[128];
            regerror(e, &re, m, sizeof m);
            fprintf(stderr, PROG ": bad --comm regex '%s': %s\n", comm_re, m);
            return 1;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (offset_file) read_offset_file(offset_file, &base);
    want = base;
    char off[48];
    format_offset(base, off, sizeof off);
    wlog("started: offset %s s%s, comm %s, every %ld ms%s%s", off, drift ? " plus drift" : "", comm_re ? comm_re : "(all)",
         interval_ms, offset_file ? ", offset file " : "", offset_file ? offset_file : "");
    if (drift) wlog("drift %+.6f s per minute (offset updated once a second)", drift);
    double t0 = now_mono(), last_drift = -1;
    while (!g_stop) {
        if (offset_file) {
            int64_t v;
            if (read_offset_file(offset_file, &v) == 0 && v != base) {
                base = v;
                format_offset(base, off, sizeof off);
                wlog("offset changed to %s s%s", off, drift ? " plus drift" : "");
                comm_log_reset();
                last_drift = -1;
            }
        }
        if (!drift) want = base;
        else if (last_drift < 0 || now_mono() - last_drift >= 1.0) {
            last_drift = now_mono();
            if (pack_offset(unpack_offset(base) + drift * (last_drift - t0) / 60.0, &want) < 0) want = base;
        }
        watch_pass(comm_re ? &re : NULL, want, 0);
        if (!g_stop) sleep_us(interval_ms * 1000);
    }
    wlog("stopping: clearing");
    comm_log_reset();
    int left = 0;
    for (int k = 0; k < 3; k++)
        if ((left = watch_pass(comm_re ? &re : NULL, 0, 1)) == 0) break;
    wlog(left ? "stopped; %d process(es) could not be cleared" : "stopped", left);
    return left ? 1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* selftest */

struct sample {
    struct timespec rt, rtc, tai, mono;
    struct timeval tv;
    time_t t;
    double ns_rt, ns_mono;       /* cost per call, measured when asked */
};

static volatile int g_spin, g_pause_spin;
static void *spinner(void *arg)
{
    (void)arg;
    struct timespec ts;
    struct timeval tv;
    while (!g_spin) {
        if (g_pause_spin) { sleep_us(1000); continue; }
        clock_gettime(CLOCK_REALTIME, &ts);
        gettimeofday(&tv, NULL);
        clock_gettime(CLOCK_MONOTONIC, &ts);
    }
    return NULL;
}

static double bench_clock(clockid_t id)
{
    struct timespec ts, a, b;
    const int n = 2000000;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) clock_gettime(id, &ts);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

static void take_sample(struct sample *s, int bench)
{
    clock_gettime(CLOCK_REALTIME, &s->rt);
    clock_gettime(CLOCK_REALTIME_COARSE, &s->rtc);
    clock_gettime(CLOCK_TAI, &s->tai);
    clock_gettime(CLOCK_MONOTONIC, &s->mono);
    gettimeofday(&s->tv, NULL);
    s->t = time(NULL);
    g_pause_spin = bench; /* the spinners would compete with the measurement */
    s->ns_rt = bench ? bench_clock(CLOCK_REALTIME) : 0;
    s->ns_mono = bench ? bench_clock(CLOCK_MONOTONIC) : 0;
    g_pause_spin = 0;
}

static double ts_d(struct timespec ts) { return ts.tv_sec + ts.tv_nsec / 1e9; }

static int child_sample(int wfd, int rfd, struct sample *s, int bench)
{
    char c = bench ? 'b' : 's';
    if (write(wfd, &c, 1) != 1) return -1;
    size_t n = 0;
    while (n < sizeof *s) {
        ssize_t r = read(rfd, (char *)s + n, sizeof *s - n);
        if (r <= 0) { if (r < 0 && errno == EINTR) continue; return -1; }
        n += r;
    }
    return 0;
}

static int check(int ok, const char *what, double got, double want, int *failures)
{
    printf("  %-58s %s (got %+.3f, want %+.3f)\n", what, ok ? "ok" : "FAIL", got, want);
    if (!ok) (*failures)++;
    return ok;
}

static int check_offset(const char *label, struct sample *c, struct sample *me, double want, int *failures)
{
    char what[128];
    double tol = 0.25;
    double d_rt = ts_d(c->rt) - ts_d(me->rt), d_rtc = ts_d(c->rtc) - ts_d(me->rtc), d_tai = ts_d(c->tai) - ts_d(me->tai);
    double d_mono = ts_d(c->mono) - ts_d(me->mono);
    double d_tv = (c->tv.tv_sec + c->tv.tv_usec / 1e6) - (me->tv.tv_sec + me->tv.tv_usec / 1e6);
    double d_t = (double)(c->t - me->t);
    snprintf(what, sizeof what, "%s: CLOCK_REALTIME offset", label);
    check(d_rt > want - tol && d_rt < want + tol, what, d_rt, want, failures);
    snprintf(what, sizeof what, "%s: CLOCK_REALTIME_COARSE offset", label);
    check(d_rtc > want - tol && d_rtc < want + tol, what, d_rtc, want, failures);
    snprintf(what, sizeof what, "%s: CLOCK_TAI offset", label);
    check(d_tai > want - tol && d_tai < want + tol, what, d_tai, want, failures);
    snprintf(what, sizeof what, "%s: gettimeofday offset", label);
    check(d_tv > want - tol && d_tv < want + tol, what, d_tv, want, failures);
    snprintf(what, sizeof what, "%s: time() offset", label);
    check(d_t > want - 1.5 && d_t < want + 1.5, what, d_t, want, failures);
    snprintf(what, sizeof what, "%s: CLOCK_MONOTONIC untouched", label);
    check(d_mono > -tol && d_mono < tol, what, d_mono, 0, failures);
    return 0;
}

/* The prologue relocator on known byte patterns: this kernel's, CET's endbr64, and refusals. */
static void selftest_decoder(int *failures)
{
    static const struct {
        const char *what;
        uint8_t code[16];
        int ok, reloc;
    } cases[] = {
        {"push rbp; mov rbp,rsp; push r14", {0x55, 0x48, 0x89, 0xe5, 0x41, 0x56, 0x53}, 1, 6},
        {"push rbp; lea r10,[rip+d]", {0x55, 0x4c, 0x8d, 0x15, 0xe8, 0x97, 0xff, 0xff, 0x48, 0x89, 0xe5}, 1, 8},
        {"cmpl $imm32,[rip+d] (time)", {0x81, 0x3d, 0x3a, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x74}, 1, 10},
        {"endbr64; push rbp", {0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5}, 1, 5},
        {"jmp rel8 (refused)", {0xeb, 0x05, 0x90, 0x90, 0x90, 0x90, 0x90}, 0, 0},
        {"push rbp; call rel32 (refused)", {0x55, 0xe8, 0x00, 0x00, 0x00, 0x00}, 0, 0},
        {"push rbp; ret (refused)", {0x55, 0xc3, 0x90, 0x90, 0x90, 0x90}, 0, 0},
    };
    const uint64_t fn = 0x7f0000001000ULL, tr = 0x7effff000100ULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[TRAMP_LEN];
        int rl = 0;
        int rc = build_trampoline("test", cases[i].code, fn, out, tr, &rl);
        int ok = cases[i].ok ? rc == 0 && rl == cases[i].reloc : rc < 0 && strstr(g_err, "refusing to patch") != NULL;
        if (ok && rc == 0) {
            /* the jump back lands right after the relocated bytes */
            int32_t rel;
            memcpy(&rel, out + rl + 1, 4);
            ok = out[rl] == 0xe9 && tr + rl + 5 + (int64_t)rel == fn + rl;
            /* RIP-relative operands still reach the same address */
            if (ok && cases[i].code[1] == 0x4c) {
                int32_t d0, d1;
                memcpy(&d0, cases[i].code + 4, 4);
                memcpy(&d1, out + 4, 4);
                ok = fn + 8 + (int64_t)d0 == tr + 8 + (int64_t)d1;
            }
        }
        printf("  %-58s %s\n", cases[i].what, ok ? "ok" : "FAIL");
        if (!ok) (*failures)++;
    }
}

static int cmd_selftest(void)
{
    int to_child[2], from_child[2];
    if (pipe(to_child) < 0 || pipe(from_child) < 0) { fprintf(stderr, PROG ": pipe: %s\n", strerror(errno)); return 1; }
    fflush(stdout);
    pid_t c = fork();
    if (c < 0) { fprintf(stderr, PROG ": fork: %s\n", strerror(errno)); return 1; }
    if (c == 0) {
        close(to_child[1]);
        close(from_child[0]);
        pthread_t th[2];
        for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, spinner, NULL);
        for (;;) {
            char cmd;
            ssize_t r = read(to_child[0], &cmd, 1); /* blocks: exercises syscall restart */
            if (r < 0 && errno == EINTR) continue;
            if (r != 1 || cmd == 'q') break;
            struct sample s;
            take_sample(&s, cmd == 'b');
            if (write(from_child[1], &s, sizeof s) != sizeof s) break;
        }
        g_spin = 1;
        _exit(0);
    }
    close(to_child[0]);
    close(from_child[1]);
    int failures = 0;
    struct sample cs, me;
    int64_t packed, got;
    char buf[48];
    printf("selftest: prologue relocation\n");
    selftest_decoder(&failures);
    printf("selftest: child pid %d (3 threads)\n", c);

#define STEP(expr, what)                                                         \
    do {                                                                          \
        if ((expr) < 0) {                                                         \
            printf("  %-58s FAIL: %s\n", what, g_err);                           \
            failures++;                                                           \
            goto done;                                                            \
        }                                                                         \
    } while (0)
#define SAMPLE(bench)                                                            \
    do {                                                                          \
        take_sample(&me, 0);                                                      \
        STEP(child_sample(to_child[1], from_child[0], &cs, bench), "child sample"); \
    } while (0)

    SAMPLE(1);
    double ns_plain_rt = cs.ns_rt, ns_plain_mono = cs.ns_mono;
    check_offset("unshimmed", &cs, &me, 0, &failures);
    STEP(op_get(c, &got), "get (before)");

    pack_offset(1000.25, &packed);
    STEP(op_set(c, packed), "set +1000.25");
    SAMPLE(1);
    double ns_shim_rt = cs.ns_rt, ns_shim_mono = cs.ns_mono;
    check_offset("+1000.25", &cs, &me, 1000.25, &failures);
    struct sample parent_now;
    take_sample(&parent_now, 0);
    struct timespec sys_rt;
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &sys_rt);
    check(ts_d(parent_now.rt) - ts_d(sys_rt) < 0.25 && ts_d(parent_now.rt) - ts_d(sys_rt) > -0.25,
          "parent's own clock untouched", ts_d(parent_now.rt) - ts_d(sys_rt), 0, &failures);

    pack_offset(-40.5, &packed);
    STEP(op_set(c, packed), "set -40.5 (update)");
    SAMPLE(0);
    check_offset("-40.5", &cs, &me, -40.5, &failures);
    int r = op_get(c, &got);
    format_offset(r == 1 ? got : 0, buf, sizeof buf);
    check(r == 1 && got == packed, "get reports -40.5", r == 1 ? unpack_offset(got) : 0, -40.5, &failures);

    STEP(op_clear(c), "clear");
    SAMPLE(0);
    check_offset("cleared", &cs, &me, 0, &failures);
    r = op_get(c, &got);
    check(r == 0, "get reports none after clear", r, 0, &failures);

    pack_offset(3600, &packed);
    STEP(op_set(c, packed), "set +3600 (reusing the hook page)");
    SAMPLE(0);
    check_offset("+3600", &cs, &me, 3600, &failures);
    for (int i = 0; i < 50; i++) {
        pack_offset((i % 7) - 3.5, &packed);
        STEP(op_set(c, packed), "set (cycle)");
        if (i % 5 == 4) STEP(op_clear(c), "clear (cycle)");
    }
    STEP(op_clear(c), "clear (final)");
    SAMPLE(0);
    check_offset("after 50 cycles + clear", &cs, &me, 0, &failures);

    printf("  ns/call CLOCK_REALTIME:  %.1f unshimmed, %.1f shimmed\n", ns_plain_rt, ns_shim_rt);
    printf("  ns/call CLOCK_MONOTONIC: %.1f unshimmed, %.1f shimmed\n", ns_plain_mono, ns_shim_mono);
done:
    if (write(to_child[1], "q", 1) < 0) {}
    close(to_child[1]);
    close(from_child[0]);
    int st = 0;
    waitpid(c, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("  %-58s FAIL (status %#x)\n", "child exited cleanly", st);
        failures++;
    }
    printf("selftest: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: " PROG " set <pid> <offset-seconds>\n"
            "       " PROG " get <pid>\n"
            "       " PROG " clear <pid>\n"
            "       " PROG " watch <offset-seconds> [--comm REGEX] [--interval-ms N] [--offset-file PATH]\n"
            "                                 [--drift-per-min SECONDS]\n"
            "       " PROG " selftest\n"
            "Skews CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_TAI, gettimeofday and time of one\n"
            "process by patching its vDSO (works for Go). Add -v for detail.\n");
}

static int parse_pid(const char *s, pid_t *pid)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end || v <= 0 || v > 0x3fffffff) return fail(EINVAL, "bad pid '%s'", s);
    *pid = (pid_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    int ac = 0;
    char *av[64];
    for (int i = 1; i < argc && ac < 63; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) g_verbose = 1;
        else av[ac++] = argv[i];
    }
    av[ac] = NULL;
    if (ac < 1) { usage(); return 1; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *cmd = av[0];
    if (!strcmp(cmd, "watch")) return cmd_watch(ac - 1, av + 1);
    if (!strcmp(cmd, "selftest")) { alarm(120); return cmd_selftest(); }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) { usage(); return 0; }

    pid_t pid;
    int64_t packed = 0, got = 0;
    int op;
    if (!strcmp(cmd, "set") && ac == 3) {
        if (parse_pid(av[1], &pid) < 0 || parse_offset(av[2], &packed) < 0) goto err;
        op = OP_SET;
    } else if (!strcmp(cmd, "get") && ac == 2) {
        if (parse_pid(av[1], &pid) < 0) goto err;
        op = OP_GET;
    } else if (!strcmp(cmd, "clear") && ac == 2) {
        if (parse_pid(av[1], &pid) < 0) goto err;
        op = OP_CLEAR;
    } else {
        usage();
        return 1;
    }
    /* if we die while threads are stopped, the kernel detaches them */
    alarm(30);
    int rc = run_op(op, pid, packed, &got);
    if (rc < 0) goto err;
    if (op == OP_GET) {
        char buf[48];
        if (rc == 1) format_offset(got, buf, sizeof buf);
        printf("%s\n", rc == 1 ? buf : "none");
    }
    return 0;
err:
    fprintf(stderr, PROG ": %s\n", g_err);
    return 1;
}
