#define _GNU_SOURCE
#include "x3support.h"
#include <dlfcn.h>

const char *x3s_library_path(void) {
    Dl_info info;
    if (dladdr((void *)&x3s_library_path, &info) == 0 || info.dli_fname == NULL) return "";
    return info.dli_fname;
}
