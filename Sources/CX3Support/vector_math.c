/* Elementwise SiLU over float arrays, vectorised for the CPU it runs on.
 *
 * The same code is compiled three times with GCC/Clang vector extensions: 16 lanes for
 * AVX-512, 8 for AVX2 + FMA, 4 for the x86-64 baseline (SSE2) and other CPUs; the first
 * call picks the widest the CPU supports (x3s_cpu_has_avx512_skx, x3s_cpu_has_avx2_fma).
 * The lane arithmetic and its accuracy are described in silu_lanes.h: every width gives
 * the same bits, and an element's bits do not depend on its position (the tail is padded
 * to a full vector). */
#include "x3support.h"
#include "silu_lanes.h"
#include <pthread.h>
#include <stdlib.h>

/* One width: the loops over W-lane vectors. ATTR is the target attribute. */
#define X3S_SILU_KERNELS(S, W, ATTR)                                                     \
    X3S_SILU_LANES(S, W, ATTR)                                                           \
    ATTR static void silu_forward_##S(const float *x, int64_t count, float *y) {         \
        for (int64_t i = 0; i < count; i += W) {                                         \
            int64_t n = count - i < W ? count - i : W;                                   \
            store_##S(y + i, silu_lanes_##S(load_##S(x + i, n)), n);                     \
        }                                                                                \
    }                                                                                    \
    ATTR static void silu_backward_##S(const float *x, const float *dy, int64_t count,   \
                                       float *dx) {                                      \
        for (int64_t i = 0; i < count; i += W) {                                         \
            int64_t n = count - i < W ? count - i : W;                                   \
            store_##S(dx + i, silu_grad_lanes_##S(load_##S(x + i, n), load_##S(dy + i, n)), n); \
        }                                                                                \
    }                                                                                    \
    /* the float-lane versions, for the tests */                                         \
    ATTR static void silu_float_##S(int backward, const float *x, const float *dy, int64_t count, \
                                    float *out) {                                        \
        for (int64_t i = 0; i < count; i += W) {                                         \
            int64_t n = count - i < W ? count - i : W;                                   \
            vf##S v = load_##S(x + i, n);                                                \
            store_##S(out + i, backward ? silu_grad_float_lanes_##S(v, load_##S(dy + i, n))   \
                                        : silu_float_lanes_##S(v), n);                   \
        }                                                                                \
    }

#if defined(__x86_64__)
X3S_SILU_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_SILU_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_SILU_KERNELS(4, 4, )

typedef void (*forward_fn)(const float *, int64_t, float *);
typedef void (*backward_fn)(const float *, const float *, int64_t, float *);
static forward_fn chosen_forward = silu_forward_4;
static backward_fn chosen_backward = silu_backward_4;
static int chosen_width = 4;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose(void) {
    const char *force = getenv("X3MAT_VECTOR_WIDTH"); /* tests compare the widths */
    int want = force && force[0] ? atoi(force) : 16;
#if defined(__x86_64__)
    if (want >= 16 && x3s_cpu_has_width(16)) {
        chosen_forward = silu_forward_16; chosen_backward = silu_backward_16; chosen_width = 16;
    } else if (want >= 8 && x3s_cpu_has_width(8)) {
        chosen_forward = silu_forward_8; chosen_backward = silu_backward_8; chosen_width = 8;
    }
#else
    (void)want;
#endif
}

int x3s_cpu_has_width(int width) {
#if defined(__x86_64__)
    if (width == 16) return x3s_cpu_has_avx512_skx();
    if (width == 8) return x3s_cpu_has_avx2_fma();
#endif
    return width == 4;
}

int x3s_silu_at_width(int width, int variant, const float *x, const float *dy, int64_t count, float *out) {
    if (!x3s_cpu_has_width(width)) return 0;
    const int backward = variant & 1;
#if defined(__x86_64__)
    if (width == 16) {
        if (variant & 2) silu_float_16(backward, x, dy, count, out);
        else if (backward) silu_backward_16(x, dy, count, out); else silu_forward_16(x, count, out);
        return 16;
    }
    if (width == 8) {
        if (variant & 2) silu_float_8(backward, x, dy, count, out);
        else if (backward) silu_backward_8(x, dy, count, out); else silu_forward_8(x, count, out);
        return 8;
    }
#endif
    if (variant & 2) silu_float_4(backward, x, dy, count, out);
    else if (backward) silu_backward_4(x, dy, count, out); else silu_forward_4(x, count, out);
    return 4;
}

int x3s_vector_width(void) {
    pthread_once(&chosen_once, choose);
    return chosen_width;
}

void x3s_silu_forward(const float *x, int64_t count, float *y) {
    pthread_once(&chosen_once, choose);
    chosen_forward(x, count, y);
}

void x3s_silu_backward(const float *x, const float *dy, int64_t count, float *dx) {
    pthread_once(&chosen_once, choose);
    chosen_backward(x, dy, count, dx);
}
