/* bench/runstat: runs a command and writes its wall time, CPU time and peak
 * RSS to a file, for bench/run.py.
 *
 * usage: runstat OUTFILE COMMAND [ARG...]
 * OUTFILE gets one line: "wall_s cpu_s maxrss_kib exit_status".
 *
 * Why not os.wait4 from Python: on Linux a child's ru_maxrss starts at the
 * RSS of the process it was forked from (exec keeps the old mm's high-water
 * mark), so every child of a Python process reports at least Python's ~25
 * MiB. This wrapper is small, so the floor is its own ~1 MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: runstat OUTFILE COMMAND [ARG...]\n");
        return 2;
    }
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("runstat: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("runstat: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("runstat: wait4");
        return 2;
    }
    double wall = now_s() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fprintf(f, "%.6f %.6f %ld %d\n", wall,
            ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                ru.ru_stime.tv_usec / 1e6,
            ru.ru_maxrss, code);
    fclose(f);
    return code;
}
