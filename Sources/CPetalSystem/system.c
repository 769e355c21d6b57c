#define _GNU_SOURCE
#include "CPetalSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static volatile int signal_pipe_fd = -1;

static void write_signal(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (signal_pipe_fd >= 0) { (void)!write(signal_pipe_fd, &byte, 1); }
    errno = saved;
}

int petal_install_signal_pipe(int write_fd, const int *signals, int count) {
    signal_pipe_fd = write_fd;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = write_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}

void petal_default_signal(int signo) { signal(signo, SIG_DFL); }
void petal_ignore_signal(int signo) { signal(signo, SIG_IGN); }

int petal_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

pid_t petal_spawn(const char *path, char *const argv[], char *const envp[],
                  const int *fd_map, int fd_count, int new_group) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    // Each source is first copied above every target, so no dup2 can clobber a later source and
    // none is a no-op dup2 onto itself (which would leave FD_CLOEXEC set). dup2 clears FD_CLOEXEC
    // on the target, so exactly the mapped descriptors survive exec.
    int copies[64];
    int count = fd_count < 64 ? fd_count : 64;
    for (int i = 0; i < count; i++) {
        copies[i] = fcntl(fd_map[i * 2], F_DUPFD_CLOEXEC, 64);
        posix_spawn_file_actions_adddup2(&actions, copies[i] >= 0 ? copies[i] : fd_map[i * 2], fd_map[i * 2 + 1]);
    }

    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (new_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);

    pid_t pid = 0;
    int rc = posix_spawn(&pid, path, &actions, &attr, argv, envp);
    for (int i = 0; i < count; i++) {
        if (copies[i] >= 0) close(copies[i]);
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}

int petal_exited(int status) { return WIFEXITED(status); }
int petal_exit_code(int status) { return WEXITSTATUS(status); }
int petal_signaled(int status) { return WIFSIGNALED(status); }
int petal_term_signal(int status) { return WTERMSIG(status); }

int petal_become_subreaper(void) {
#ifdef PR_SET_CHILD_SUBREAPER
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#else
    return -1;
#endif
}
