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
 * one, which is a child subreaper, so children made with CLONE_PARENT (whose
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

/* In the throwaway process: one attempt; returns 0 or an errno value. */
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
    return r < 0 ? (int)-r : 0;
}

static void reap_all(void)
{
    int status;
    while (waitpid(-1, &status, __WALL) > 0 || errno == EINTR)
        ;
}

static void on_alarm(int sig) { (void)sig; }

/* One answer per word read from `in`, in the oracle's output format. */
static int answer_words(FILE *in, int use_clone3, int nobody)
{
    char line[128];
    int count = 0;

    while (fgets(line, sizeof(line), in)) {
        uint64_t flags;
        int fds[2], err = -1;
        pid_t t;
        char *end;

        flags = strtoull(line, &end, 0);
        if (end == line)
            continue;
        if (pipe(fds))
            return -1;
        fflush(stdout);
        t = fork();
        if (t < 0)
            return -1;
        if (t == 0) {
            close(fds[0]);
            alarm(5);
            if (nobody && drop_to_nobody()) {
                err = 254;
            } else {
                err = attempt(use_clone3, flags);
            }
            if (write(fds[1], &err, sizeof(err)) != sizeof(err))
                _exit(3);
            _exit(0);
        }
        close(fds[1]);
        alarm(10);
        if (read(fds[0], &err, sizeof(err)) != sizeof(err))
            err = -1;
        close(fds[0]);
        reap_all();
        alarm(0);
        count++;
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
    return count;
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
