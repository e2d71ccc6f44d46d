/*
 * clone_probe: ask a running kernel what raw clone()/clone3() says for a
 * batch of flag words.  Written for fork-explorer (not kernel code).
 *
 * On a host (the oracle tests):
 *   clone_probe clone|clone3 [nobody]
 *   stdin:  one flag word per line (0x... or decimal)
 *   stdout: "<flags-hex> ok" or "<flags-hex> <ERRNO-NAME>" per line, same order
 *
 * As /init of a throwaway initramfs under QEMU (fork-explorer verify), built
 * statically: reads /modes ("root", "nobody", "clone3", one per line) and
 * /words, prints "FXV UNAME <release>", then per mode "FXV BEGIN <mode>",
 * one answer line per word, "FXV END <mode> <count>", then "FXV DONE" and
 * powers the machine off.
 *
 * Safety: every attempt happens in a throwaway process T forked from this
 * one (T goes on to the next word only after a refused clone, which leaves
 * nothing behind; after a clone that made a child it ends and a fresh T asks
 * the next word), and this one is a child subreaper, so children made with CLONE_PARENT (whose
 * parent becomes us) and orphans are reaped here with waitpid(__WALL).  The
 * cloned child runs on its own mmap'd stack and executes only the raw `exit`
 * syscall (not exit_group: a CLONE_THREAD child ends only itself) straight
 * from the inline assembly that issued the clone, so it never runs C library
 * code.  The pidfd/parent_tid pointers are valid.  CLONE_VFORK needs nothing
 * special: the child exits at once, which releases the parent.  An alarm
 * kills a stuck T; a stuck reap is reported as "TIMEOUT".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __x86_64__
#error "clone_oracle issues raw x86_64 system calls"
#endif

#define STACK_SIZE (64 * 1024)
#define NR_CLONE 56
#define NR_CLONE3 435
#define NR_EXIT 60

struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

/* The system call, and for the child (rax == 0) an immediate raw exit(0). */
static long raw_syscall_child_exits(long nr, long a1, long a2, long a3, long a4, long a5)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "mov $60, %%eax\n\t"
        "xor %%edi, %%edi\n\t"
        "syscall\n\t"
        "hlt\n"
        "1:\n"
        : "=a"(ret)
        : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
        : "rcx", "r11", "memory");
    return ret;
}

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case EUSERS: return "EUSERS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return NULL;
    }
}

static int drop_to_nobody(void)
{
    if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
        return -1;
    return 0;
}

/* In the throwaway process: one attempt; returns 0 or an errno value.  A refused
 * attempt leaves nothing behind (its stack is unmapped again). */
static int attempt(int use_clone3, uint64_t flags)
{
    char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    static int parent_tid, child_tid, pidfd_slot;
    long r;

    if (stack == MAP_FAILED)
        return 255;
    if (use_clone3) {
        struct clone_args_v2 ca;
        memset(&ca, 0, sizeof(ca));
        ca.flags = flags;
        ca.pidfd = (uintptr_t)&pidfd_slot;
        ca.child_tid = (uintptr_t)&child_tid;
        ca.parent_tid = (uintptr_t)&parent_tid;
        ca.stack = (uintptr_t)stack;
        ca.stack_size = STACK_SIZE;
        r = raw_syscall_child_exits(NR_CLONE3, (long)&ca, sizeof(ca), 0, 0, 0);
    } else {
        /* x86_64 order: flags, newsp, parent_tid, child_tid, tls */
        r = raw_syscall_child_exits(NR_CLONE, (long)flags, (long)(stack + STACK_SIZE),
                                    (long)&parent_tid, (long)&child_tid, 0);
    }
    if (r < 0)
        munmap(stack, STACK_SIZE);
    return r < 0 ? (int)-r : 0;
}

static void reap_all(void)
{
    int status;
    while (waitpid(-1, &status, __WALL) > 0 || errno == EINTR)
        ;
}

static void on_alarm(int sig) { (void)sig; }

struct answer {
    int index, err;
};

/* The throwaway process T: attempts words[first..n) in order and reports each.
 * A refused clone changes nothing in the process that asked (the kernel unwinds
 * it), so T goes on to the next word; after a clone that made a child, T may
 * share its memory, files or signal handlers with that child, so it stops and
 * the next word is asked from a fresh T.  Under TCG this is what makes a mode
 * fast: about one fork per successful word instead of one per word. */
static __attribute__((noreturn)) void attempts(const uint64_t *words, int first, int n, int fd,
                                               int use_clone3, int nobody)
{
    struct answer a;

    if (nobody && drop_to_nobody()) {
        a.index = first;
        a.err = 254;
        _exit(write(fd, &a, sizeof(a)) == sizeof(a) ? 0 : 3);
    }
    for (a.index = first; a.index < n; a.index++) {
        alarm(5);
        a.err = attempt(use_clone3, words[a.index]);
        if (write(fd, &a, sizeof(a)) != sizeof(a))
            _exit(3);
        if (a.err == 0)
            break;
    }
    _exit(0);
}

static void print_answer(uint64_t flags, int err)
{
    if (err == 0) {
        printf("0x%llx ok\n", (unsigned long long)flags);
    } else if (err < 0) {
        printf("0x%llx TIMEOUT\n", (unsigned long long)flags);
    } else if (err == 254) {
        printf("0x%llx SETUID_FAILED\n", (unsigned long long)flags);
    } else {
        const char *name = errno_name(err);
        if (name)
            printf("0x%llx %s\n", (unsigned long long)flags, name);
        else
            printf("0x%llx E%d\n", (unsigned long long)flags, err);
    }
}

#define MAX_WORDS 65536

/* One answer per word read from `in`, in the oracle's output format. */
static int answer_words(FILE *in, int use_clone3, int nobody)
{
    static uint64_t words[MAX_WORDS];
    char line[128];
    int n = 0, next = 0, got, stuck;

    while (n < MAX_WORDS && fgets(line, sizeof(line), in)) {
        char *end;
        uint64_t flags = strtoull(line, &end, 0);
        if (end != line)
            words[n++] = flags;
    }
    while (next < n) {
        int fds[2];
        struct answer a;
        pid_t t;

        if (pipe(fds))
            return -1;
        fflush(stdout);
        t = fork();
        if (t < 0)
            return -1;
        if (t == 0) {
            close(fds[0]);
            attempts(words, next, n, fds[1], use_clone3, nobody);
        }
        close(fds[1]);
        got = stuck = 0;
        for (;;) {
            ssize_t r;

            alarm(10);
            r = read(fds[0], &a, sizeof(a));
            alarm(0);
            if (r != sizeof(a)) {
                stuck = r < 0 && errno == EINTR;
                break;      /* T is done (EOF), or stuck (the alarm) */
            }
            if (a.index != next)
                return -1;
            print_answer(words[next], a.err);
            next++;
            got++;
        }
        close(fds[0]);
        if (next < n && (stuck || got == 0)) {
            /* T said nothing for 10 s (the word hung), or died without a word: say so, go on past it */
            kill(t, SIGKILL);
            print_answer(words[next], -1);
            next++;
        }
        reap_all();
    }
    return n;
}

/* PID 1 of the verification VM: every mode of /modes over /words, then power off. */
static __attribute__((noreturn)) int vm_init(void)
{
    char mode[32];
    struct utsname u;
    FILE *modes = fopen("/modes", "r");

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (uname(&u) == 0)
        printf("FXV UNAME %s\n", u.release);
    while (modes && fgets(mode, sizeof(mode), modes)) {
        FILE *words;
        int n;

        mode[strcspn(mode, "\r\n")] = 0;
        if (!mode[0])
            continue;
        words = fopen("/words", "r");
        if (!words) {
            printf("FXV ERROR no /words\n");
            break;
        }
        printf("FXV BEGIN %s\n", mode);
        n = answer_words(words, !strcmp(mode, "clone3"), !strcmp(mode, "nobody"));
        fclose(words);
        printf("FXV END %s %d\n", mode, n);
    }
    printf("FXV DONE\n");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    int use_clone3, nobody;

    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
        perror("PR_SET_CHILD_SUBREAPER");
        return 2;
    }
    signal(SIGALRM, on_alarm);  /* interrupts a stuck read/waitpid, never kills us */
    if (getpid() == 1)
        return vm_init();
    if (argc < 2 || (strcmp(argv[1], "clone") && strcmp(argv[1], "clone3"))) {
        fprintf(stderr, "usage: %s clone|clone3 [nobody]\n", argv[0]);
        return 2;
    }
    use_clone3 = !strcmp(argv[1], "clone3");
    nobody = argc > 2 && !strcmp(argv[2], "nobody");
    setvbuf(stdout, NULL, _IOLBF, 0);
    return answer_words(stdin, use_clone3, nobody) < 0 ? 2 : 0;
}
