/* Shift a process's wall clock (CLOCK_REALTIME) by the seconds written in a file, while
 * its monotonic and boot clocks run on untouched: what an NTP step does to a laptop at a
 * venue. LD_PRELOAD it with CLOCKSHIFT_FILE=<path>; write e.g. "-3600" to the file at any
 * time to set the clock back an hour. libfaketime fakes the monotonic clock too (or breaks
 * Python's sleep when told not to), so the tests build this instead (tests/support/clock.py).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static long long cached_ns;
static long long checked_at = -1;

static long long shift_ns(void) {
    struct timespec mono;
    real_clock_gettime(CLOCK_MONOTONIC, &mono);
    long long now = mono.tv_sec * 1000000000LL + mono.tv_nsec;
    if (checked_at >= 0 && now - checked_at < 20000000LL) /* re-read every 20 ms */
        return cached_ns;
    checked_at = now;
    const char *path = getenv("CLOCKSHIFT_FILE");
    double seconds = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        if (fscanf(f, "%lf", &seconds) != 1)
            seconds = 0;
        fclose(f);
    }
    cached_ns = (long long)(seconds * 1e9);
    return cached_ns;
}

int clock_gettime(clockid_t clk, struct timespec *ts) {
    if (!real_clock_gettime)
        real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
    int r = real_clock_gettime(clk, ts);
    if (r == 0 && (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE)) {
        long long t = ts->tv_sec * 1000000000LL + ts->tv_nsec + shift_ns();
        ts->tv_sec = t / 1000000000LL;
        ts->tv_nsec = t % 1000000000LL;
        if (ts->tv_nsec < 0) {
            ts->tv_nsec += 1000000000LL;
            ts->tv_sec -= 1;
        }
    }
    return r;
}

int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    struct timespec ts;
    int r = clock_gettime(CLOCK_REALTIME, &ts);
    if (r == 0 && tv) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return r;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out)
        *out = ts.tv_sec;
    return ts.tv_sec;
}
