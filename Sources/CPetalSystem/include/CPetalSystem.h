#ifndef CPETAL_SYSTEM_H
#define CPETAL_SYSTEM_H
#include <sys/types.h>

/// Installs handlers for the given signals that write the signal number as one byte to `write_fd`
/// (the self-pipe trick: a poll loop then reads signals like any other input). Returns 0 or -1.
int petal_install_signal_pipe(int write_fd, const int *signals, int count);

/// Restores the default disposition of a signal.
void petal_default_signal(int signo);

/// Ignores a signal (SIGPIPE in processes that write to sockets and pipes).
void petal_ignore_signal(int signo);

/// pipe2(O_CLOEXEC), which Glibc does not export to Swift.
int petal_pipe_cloexec(int fds[2]);

/// Spawns `path` with `argv`/`envp`. `fd_map` holds `fd_count` pairs (source, target): each source
/// descriptor becomes the child's target descriptor (0 stdin, 1 stdout, 2 stderr, 3 ...). Signal
/// dispositions and the mask are reset to defaults in the child. With `new_group` the child leads a
/// process group of its own. Returns the pid, or -errno.
pid_t petal_spawn(const char *path, char *const argv[], char *const envp[],
                  const int *fd_map, int fd_count, int new_group);

/// Decoders for waitpid's status (macros in C, invisible to Swift).
int petal_exited(int status);
int petal_exit_code(int status);
int petal_signaled(int status);
int petal_term_signal(int status);

/// Makes this process the reaper of its orphaned descendants (prctl PR_SET_CHILD_SUBREAPER, Linux):
/// a process that kills supervisors with -9 then collects their children instead of PID 1, which
/// in containers often reaps nothing. Returns 0, or -1 where it is not supported.
int petal_become_subreaper(void);

#endif
