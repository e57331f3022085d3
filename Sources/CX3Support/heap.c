#include "x3support.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void x3s_release_heap(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
