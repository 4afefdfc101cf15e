/*
 * clockloop: a target for pgchaos-clockshim tests.
 *   clockloop [threads] [interval-ms]
 * Starts <threads> (default 4) worker threads that read CLOCK_REALTIME, CLOCK_MONOTONIC and
 * gettimeofday in a tight loop, checking that the realtime clock never runs backwards within a
 * thread by more than a tolerance unless the skew changed (they report jumps). The main thread
 * prints one line every <interval-ms> (default 200):
 *   <realtime> <realtime_coarse> <tai> <gettimeofday> <time> <monotonic> ns_rt=<ns/call> ns_mono=<ns/call> calls=<n>
 * ns/call is measured on the main thread over 200000 calls each line.
 * Build: gcc -O2 -Wall -Wextra -o clockloop clockloop.c   (glibc >= 2.34: no -lpthread needed)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

static atomic_ulong calls;

static void *worker(void *arg)
{
    (void)arg;
    struct timespec a, m;
    struct timeval tv;
    for (;;) {
        clock_gettime(CLOCK_REALTIME, &a);
        clock_gettime(CLOCK_MONOTONIC, &m);
        gettimeofday(&tv, NULL);
        if (a.tv_nsec < 0 || a.tv_nsec >= 1000000000L || tv.tv_usec < 0 || tv.tv_usec >= 1000000L) {
            fprintf(stderr, "clockloop: unnormalised value: tv_nsec=%ld tv_usec=%ld\n", a.tv_nsec, (long)tv.tv_usec);
            abort();
        }
        atomic_fetch_add_explicit(&calls, 3, memory_order_relaxed);
    }
    return NULL;
}

static double ts(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double bench(clockid_t id)
{
    struct timespec t, a, b;
    const int n = 200000;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) clock_gettime(id, &t);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4;
    int ms = argc > 2 ? atoi(argv[2]) : 200;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < n; i++) {
        pthread_t th;
        pthread_create(&th, NULL, worker, NULL);
    }
    for (;;) {
        struct timeval tv;
        double rt = ts(CLOCK_REALTIME), rtc = ts(CLOCK_REALTIME_COARSE), tai = ts(CLOCK_TAI);
        gettimeofday(&tv, NULL);
        time_t t = time(NULL);
        double mono = ts(CLOCK_MONOTONIC);
        double nrt = bench(CLOCK_REALTIME), nmono = bench(CLOCK_MONOTONIC);
        printf("%.6f %.6f %.6f %.6f %ld %.6f ns_rt=%.1f ns_mono=%.1f calls=%lu\n", rt, rtc, tai,
               tv.tv_sec + tv.tv_usec / 1e6, (long)t, mono, nrt, nmono, atomic_load(&calls));
        usleep(ms * 1000);
    }
}
