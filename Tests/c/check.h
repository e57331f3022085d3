/* A minimal check macro for the C API tests: counts checks, prints each failure with
 * its line and libx3mat's last error, and lets the test continue. */
#ifndef X3MAT_TEST_CHECK_H
#define X3MAT_TEST_CHECK_H
#include <stdio.h>
#include <x3mat.h>

static int failures = 0, checks = 0;
#define EXPECT(cond)                                                             \
    do {                                                                         \
        checks++;                                                                \
        if (!(cond)) {                                                           \
            failures++;                                                          \
            printf("FAIL %s:%d: %s | last error: %s\n", __FILE__, __LINE__, #cond, \
                   x3_last_error());                                             \
        }                                                                        \
    } while (0)
#endif
