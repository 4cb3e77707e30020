/* bench/membw: a simple memory-bandwidth yardstick for bench/RESULTS.md.
 * Copies a 64 MiB buffer into another (memcpy) and fills one (memset), each
 * for about a second, and prints "memcpy_GBps=X memset_GBps=Y" (GB = 1e9
 * bytes; memcpy counts bytes copied, i.e. read once and written once).
 *
 * usage: membw [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    size_t n = (size_t)64 << 20;
    char *a = malloc(n), *b = malloc(n);
    if (!a || !b) return 1;
    memset(a, 1, n);
    memset(b, 2, n);
    double t0 = now_s(), t;
    size_t copied = 0;
    do {
        memcpy(b, a, n);
        a[copied % n] ^= (char)b[(copied / 7) % n]; /* keep the copy alive */
        copied += n;
    } while ((t = now_s()) - t0 < secs);
    double cp = copied / (t - t0) / 1e9;
    t0 = now_s();
    size_t set = 0;
    do {
        memset(b, (int)(set & 0x7f), n);
        set += n;
    } while ((t = now_s()) - t0 < secs);
    double ms = set / (t - t0) / 1e9;
    printf("memcpy_GBps=%.2f memset_GBps=%.2f check=%d\n", cp, ms, a[1] + b[n - 1]);
    return 0;
}
