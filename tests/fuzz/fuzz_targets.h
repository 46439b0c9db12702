/* The fuzz targets' entry points. Each fuzz_<name>.c defines
 * mm_fuzz_<name>() and, unless MM_FUZZ_REPLAY is defined, libFuzzer's
 * LLVMFuzzerTestOneInput calling it; the replay test (tests/unit/
 * test_fuzz_replay.c) links all four and runs the kept inputs through them.
 *
 * Targets check properties beyond "does not crash" (round trips, secrets
 * masked, counts that add up); a broken property aborts with a message so
 * that libFuzzer keeps the input and the replay test fails. */
#ifndef MM_FUZZ_TARGETS_H
#define MM_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int mm_fuzz_config(const uint8_t *data, size_t size);
int mm_fuzz_meta_json(const uint8_t *data, size_t size);
int mm_fuzz_segment(const uint8_t *data, size_t size);
int mm_fuzz_dsn(const uint8_t *data, size_t size);

#ifdef MM_FUZZ_REPLAY
#define MM_FUZZ_ENTRY(fn)
#else
#define MM_FUZZ_ENTRY(fn)                                                                          \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                  \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fn(data, size); }
#endif

#endif
