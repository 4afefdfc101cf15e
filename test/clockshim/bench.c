/*
 * bench: cost of one clock read, unshimmed vs shimmed, in one process (pgchaos-clockshim).
 *   bench [path-to-pgchaos-clockshim] [rounds]
 * Forks a child that, on request, times 1,000,000 calls of clock_gettime(CLOCK_REALTIME),
 * clock_gettime(CLOCK_MONOTONIC) and gettimeofday. The parent alternates "unshimmed" and
 * "shimmed (+10 s)" rounds (plus a raw syscall for reference, never shimmed) (so background load hits both alike) and prints the minimum and
 * median ns/call of each. Build: gcc -O2 -Wall -Wextra -o bench bench.c
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void measure(double out[4])
{
    const int n = 1000000;
    struct timespec t;
    struct timeval tv;
    double a = now();
    for (int i = 0; i < n; i++) clock_gettime(CLOCK_REALTIME, &t);
    double b = now();
    for (int i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &t);
    double c = now();
    for (int i = 0; i < n; i++) gettimeofday(&tv, NULL);
    double d = now();
    for (int i = 0; i < n / 10; i++) syscall(SYS_clock_gettime, CLOCK_REALTIME, &t);
    double e = now();
    out[0] = (b - a) / n; out[1] = (c - b) / n; out[2] = (d - c) / n; out[3] = (e - d) / (n / 10);
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int run(const char *tool, const char *verb, pid_t pid, const char *arg)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s %d %s", tool, verb, pid, arg ? arg : "");
    return system(cmd);
}

int main(int argc, char **argv)
{
    const char *tool = argc > 1 ? argv[1] : "pgchaos-clockshim";
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    int req[2], rep[2];
    if (pipe(req) || pipe(rep)) return 1;
    pid_t c = fork();
    if (c == 0) {
        char x;
        close(req[1]);
        close(rep[0]);
        while (read(req[0], &x, 1) == 1) {
            double r[4];
            measure(r);
            if (write(rep[1], r, sizeof r) != sizeof r) break;
        }
        _exit(0);
    }
    close(req[0]);
    close(rep[1]);
    double (*res)[2][4] = calloc(rounds, sizeof *res);
    for (int i = 0; i < rounds; i++) {
        for (int s = 0; s < 2; s++) {
            if (s == 1 && run(tool, "set", c, "10") != 0) return 1;
            if (write(req[1], "m", 1) != 1 || read(rep[0], res[i][s], sizeof res[i][s]) != sizeof res[i][s]) return 1;
            if (s == 1 && run(tool, "clear", c, NULL) != 0) return 1;
        }
    }
    close(req[1]);
    waitpid(c, NULL, 0);
    const char *names[4] = {"clock_gettime(CLOCK_REALTIME)", "clock_gettime(CLOCK_MONOTONIC)", "gettimeofday",
                            "syscall(SYS_clock_gettime) (ref)"};
    printf("%-32s %22s %22s\n", "ns/call (min / median)", "unshimmed", "shimmed");
    for (int k = 0; k < 4; k++) {
        double v[2][rounds];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < rounds; i++) v[s][i] = res[i][s][k];
            qsort(v[s], rounds, sizeof(double), cmp);
        }
        printf("%-32s %10.1f / %-10.1f %10.1f / %-10.1f\n", names[k], v[0][0], v[0][rounds / 2], v[1][0], v[1][rounds / 2]);
    }
    return 0;
}
