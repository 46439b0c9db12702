/* Minimal unit-test support: each tests/unit/test_*.c defines cases with
 * MM_TEST and a main that calls MM_RUN for each; a failed check prints the
 * file, line and both values, and the process exits non-zero. */
#ifndef MM_TESTLIB_H
#define MM_TESTLIB_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int mm_test_failures;
extern const char *mm_test_current;

#define MM_TEST(name) static void name(void)

#define MM_RUN(name)                                                                               \
    do {                                                                                           \
        int before_ = mm_test_failures;                                                            \
        mm_test_current = #name;                                                                   \
        name();                                                                                    \
        printf("%s %s\n", mm_test_failures == before_ ? "ok  " : "FAIL", #name);                   \
    } while (0)

#define MM_TEST_EXIT() mm_test_finish()

#define MM_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, mm_test_current,  \
                    #cond);                                                                        \
            mm_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define MM_CHECK_INT(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__,    \
                    mm_test_current, #a, a_, #b, b_);                                              \
            mm_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define MM_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            fprintf(stderr, "%s:%d: %s: %s\n  got:      \"%s\"\n  expected: \"%s\"\n", __FILE__,   \
                    __LINE__, mm_test_current, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");        \
            mm_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define MM_CHECK_MEM(a, b, n)                                                                      \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0) {                                                          \
            fprintf(stderr, "%s:%d: %s: %s differs from %s over %zu bytes\n", __FILE__, __LINE__,  \
                    mm_test_current, #a, #b, (size_t)(n));                                         \
            mm_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

int mm_test_finish(void);

/* A fresh private directory under $TMPDIR, removed by mm_test_rmtree. */
char *mm_test_tmpdir(const char *tag);
void mm_test_rmtree(const char *dir);
/* Writes bytes to dir/name (creating parent directories). Returns 0 or -1. */
int mm_test_write_file(const char *dir, const char *name, const void *data, size_t len);
/* Reads a whole file; *len gets its size. NULL on failure. */
char *mm_test_read_file(const char *path, size_t *len);
/* Path of a file in the source tree ($MM_SOURCE_DIR or the compiled-in root). */
char *mm_test_source_path(const char *relative);

#endif
