#define _GNU_SOURCE
#include "x3support.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int x3s_cpu_has_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int x3s_cpu_has_avx512_skx(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

/* CBLAS constants (cblas.h): fixed by the CBLAS standard. */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                         const double *, int, double, double *, int);
typedef char *(*corename_fn)(void);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_status = -1;
static char load_error[512];
static char core_source[16];
static char library_name[512];
static sgemm_fn p_sgemm;
static dgemm_fn p_dgemm;
static corename_fn p_corename;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;

/* The OpenBLAS to use: $X3MAT_OPENBLAS when set (and only it), else the system's
 * libopenblas.so.0 / libopenblas.so, else $X3MAT_OPENBLAS_FALLBACK (the Python package
 * points it at the OpenBLAS of the scipy-openblas32 wheel, for machines without one). */
static void *open_openblas(int flags) {
    const char *override = getenv("X3MAT_OPENBLAS");
    if (override && override[0]) {
        void *h = dlopen(override, flags);
        if (h) snprintf(library_name, sizeof library_name, "%s", override);
        return h;
    }
    static const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *h = dlopen(names[i], flags);
        if (h) { snprintf(library_name, sizeof library_name, "%s", names[i]); return h; }
    }
    const char *fallback = getenv("X3MAT_OPENBLAS_FALLBACK");
    if (fallback && fallback[0]) {
        void *h = dlopen(fallback, flags);
        if (h) snprintf(library_name, sizeof library_name, "%s", fallback);
        return h;
    }
    return NULL;
}

/* A function of OpenBLAS: its plain name, or with the "scipy_" prefix that the
 * scipy-openblas wheels give every symbol (so that they never clash with another BLAS). */
static void *blas_symbol(void *h, const char *name) {
    void *f = dlsym(h, name);
    if (f) return f;
    char prefixed[128];
    snprintf(prefixed, sizeof prefixed, "scipy_%s", name);
    return dlsym(h, prefixed);
}

static void do_load(void) {
    /* Already in the process (the host linked it)? Then its kernels are chosen. */
    void *h = open_openblas(RTLD_NOW | RTLD_NOLOAD);
    if (h) {
        snprintf(core_source, sizeof core_source, "openblas");
        const char *user = getenv("OPENBLAS_CORETYPE");
        if (user && user[0]) snprintf(core_source, sizeof core_source, "user");
    } else {
        const char *user = getenv("OPENBLAS_CORETYPE");
        if (user && user[0]) {
            snprintf(core_source, sizeof core_source, "user");
        } else {
            const char *choice = NULL;
            if (x3s_cpu_has_avx512_skx()) choice = "SkylakeX";
            else if (x3s_cpu_has_avx2_fma()) choice = "Haswell";
            if (choice) {
                setenv("OPENBLAS_CORETYPE", choice, 0);
                snprintf(core_source, sizeof core_source, "libx3mat");
            } else {
                snprintf(core_source, sizeof core_source, "openblas");
            }
        }
        h = open_openblas(RTLD_NOW | RTLD_LOCAL);
    }
    if (!h) {
        snprintf(load_error, sizeof load_error,
                 "cannot load OpenBLAS (tried $X3MAT_OPENBLAS, libopenblas.so.0, "
                 "libopenblas.so, $X3MAT_OPENBLAS_FALLBACK): %s; install it, e.g. "
                 "`apt-get install libopenblas0` or `pip install scipy-openblas32`",
                 dlerror());
        return;
    }
    p_sgemm = (sgemm_fn)blas_symbol(h, "cblas_sgemm");
    p_dgemm = (dgemm_fn)blas_symbol(h, "cblas_dgemm");
    p_corename = (corename_fn)blas_symbol(h, "openblas_get_corename");
    p_set_threads = (set_threads_fn)blas_symbol(h, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)blas_symbol(h, "openblas_get_num_threads");
    if (!p_sgemm || !p_dgemm) {
        snprintf(load_error, sizeof load_error,
                 "%s has no cblas_sgemm/cblas_dgemm: not an OpenBLAS library", library_name);
        return;
    }
    /* libx3mat parallelises over windows itself (X3MAT_NUM_THREADS threads, each with its
     * own GEMMs), so OpenBLAS runs single-threaded: the cores are not oversubscribed, and
     * no caller ever changes OpenBLAS's process-wide thread count while another thread's
     * GEMM runs (toggling it per call made concurrent runs differ in the last bits). */
    if (p_set_threads) p_set_threads(1);
    load_status = 0;
}

int x3s_blas_load(void) {
    pthread_once(&once, do_load);
    return load_status;
}

const char *x3s_blas_error(void) { return load_error; }
const char *x3s_blas_coretype_source(void) { return core_source; }
const char *x3s_blas_library(void) { return library_name; }

const char *x3s_blas_corename(void) {
    if (load_status != 0 || !p_corename) return "";
    const char *name = p_corename();
    return name ? name : "";
}

void x3s_blas_set_threads(int n) {
    if (load_status == 0 && p_set_threads && n > 0) p_set_threads(n);
}

int x3s_blas_get_threads(void) {
    return (load_status == 0 && p_get_threads) ? p_get_threads() : 0;
}

void x3s_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a,
               int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    p_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
            a, lda, b, ldb, beta, c, ldc);
}

void x3s_dgemm(int transA, int transB, int m, int n, int k, double alpha, const double *a,
               int lda, const double *b, int ldb, double beta, double *c, int ldc) {
    p_dgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
            a, lda, b, ldb, beta, c, ldc);
}
