/* rc_test: the unit-test convention. Each tests/unit/test_*.c is one binary;
 * it defines tests with RC_TEST(name) and lists them in RC_TEST_MAIN(...).
 * Each test prints "ok NAME" or "FAIL NAME: file:line: what"; the binary's
 * last line is "N passed, N failed" and its exit status is non-zero on any
 * failure. tests/run.py adds the binaries' counts into the suite's total. */
#ifndef RC_TEST_H
#define RC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rc_test_failed_now;

#define RC_TEST(name) static void name(void)

#define RC_FAIL(...)                                                                               \
    do {                                                                                           \
        printf("  %s:%d: ", __FILE__, __LINE__);                                                   \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        rc_test_failed_now = 1;                                                                    \
        return;                                                                                    \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) RC_FAIL("check failed: %s", #cond);                                           \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                                        \
        if (_a != _b) RC_FAIL("%s == %lld, expected %lld", #a, _a, _b);                            \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *_a = (a), *_b = (b);                                                           \
        if (!_a || strcmp(_a, _b))                                                                 \
            RC_FAIL("%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b);                  \
    } while (0)

/* Compares a length-delimited byte string with a C string. */
#define CHECK_MEM(p, n, s)                                                                         \
    do {                                                                                           \
        const char *_p = (const char *)(p);                                                        \
        size_t _n = (n);                                                                           \
        const char *_s = (s);                                                                      \
        if (_n != strlen(_s) || memcmp(_p, _s, _n))                                                \
            RC_FAIL("%s == \"%.*s\", expected \"%s\"", #p, (int)_n, _p, _s);                       \
    } while (0)

typedef struct rc_test_case {
    const char *name;
    void (*fn)(void);
} rc_test_case;

#define RC_T(fn)                                                                                   \
    {                                                                                              \
#fn, fn                                                                                    \
    }

static inline int rc_test_run(const rc_test_case *cases, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        rc_test_failed_now = 0;
        cases[i].fn();
        if (rc_test_failed_now) {
            printf("FAIL %s\n", cases[i].name);
            failed++;
        } else {
            printf("ok %s\n", cases[i].name);
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define RC_TEST_MAIN(...)                                                                          \
    int main(void)                                                                                 \
    {                                                                                              \
        static const rc_test_case cases[] = {__VA_ARGS__};                                         \
        return rc_test_run(cases, sizeof cases / sizeof cases[0]);                                 \
    }

#endif
