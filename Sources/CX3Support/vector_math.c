/* Elementwise SiLU over float arrays, vectorised for the CPU it runs on.
 *
 * The same code is compiled three times with GCC/Clang vector extensions: 16 lanes for
 * AVX-512, 8 for AVX2 + FMA, 4 for the x86-64 baseline (SSE2) and other CPUs; the first
 * call picks the widest the CPU supports (x3s_cpu_has_avx512_skx, x3s_cpu_has_avx2_fma).
 * Every width computes each element with the same operations, in the same order and
 * without fused multiply-adds (contraction is off), so results do not depend on the width
 * chosen or on an element's position (the tail is padded to a full vector): the same
 * numbers on any x86-64 CPU.
 *
 * The arithmetic is done in double lanes and each result rounded to float once, so SiLU
 * and its derivative come out within about half a float ulp (closer than float expf and
 * float arithmetic give). exp(x): x = n ln 2 + r with |r| <= ln 2 / 2 (n rounded by
 * adding 1.5 * 2^52; ln 2 split in two parts so that n ln 2 is exact), the degree-7 Taylor
 * polynomial of e^r (truncation error below 6e-9 relative, far under a float ulp),
 * scaled by 2^n through the exponent bits; x is clamped to [-700, 700], beyond which the
 * float results are 0, x or infinity anyway. A NaN input gives NaN. */
#include "x3support.h"
#include <pthread.h>

#pragma STDC FP_CONTRACT OFF
#include <stdlib.h>

/* OUT = exp(IN) in double lanes (D: W doubles, DI: W int64), as described above; a
 * macro rather than a function, so that no wide vector is passed by value. */
#define X3S_EXP(D, DI, IN, OUT)                                                          \
    do {                                                                                 \
        D x_ = __builtin_elementwise_min(__builtin_elementwise_max(IN, (D){0} - 700.0),  \
                                         (D){0} + 700.0);                                \
        D t_ = x_ * 1.4426950408889634 + 6755399441055744.0;                             \
        D n_ = t_ - 6755399441055744.0;                                                  \
        D r_ = (x_ - n_ * 0.693359375) + n_ * 2.1219444005469058e-4;                     \
        D p_ = (D){0} + (1.0 / 5040.0);                                                  \
        p_ = p_ * r_ + (1.0 / 720.0);                                                    \
        p_ = p_ * r_ + (1.0 / 120.0);                                                    \
        p_ = p_ * r_ + (1.0 / 24.0);                                                     \
        p_ = p_ * r_ + (1.0 / 6.0);                                                      \
        p_ = p_ * r_ + 0.5;                                                              \
        p_ = p_ * r_ + 1.0;                                                              \
        p_ = p_ * r_ + 1.0;                                                              \
        DI bits_ = ((DI)t_ - 0x4338000000000000LL + 1023) << 52;                         \
        OUT = p_ * (D)bits_;                                                             \
    } while (0)

/* One width: W float lanes, computed as W doubles. ATTR is the target attribute. */
#define X3S_SILU_KERNELS(SUFFIX, W, ATTR)                                                \
    typedef float v##SUFFIX __attribute__((vector_size(4 * W), aligned(4)));             \
    typedef double d##SUFFIX __attribute__((vector_size(8 * W), aligned(8)));            \
    typedef int64_t di##SUFFIX __attribute__((vector_size(8 * W), aligned(8)));          \
    ATTR static inline v##SUFFIX load_##SUFFIX(const float *p, int64_t n) {              \
        v##SUFFIX v = {0};                                                               \
        if (n == W) { __builtin_memcpy(&v, p, sizeof v); return v; }                    \
        for (int64_t k = 0; k < n; k++) v[k] = p[k];                                     \
        return v;                                                                        \
    }                                                                                    \
    ATTR static inline void store_##SUFFIX(float *p, v##SUFFIX v, int64_t n) {          \
        if (n == W) { __builtin_memcpy(p, &v, sizeof v); return; }                      \
        for (int64_t k = 0; k < n; k++) p[k] = v[k];                                     \
    }                                                                                    \
    ATTR static void silu_forward_##SUFFIX(const float *x, int64_t count, float *y) {   \
        for (int64_t i = 0; i < count; i += W) {                                         \
            int64_t n = count - i < W ? count - i : W;                                   \
            d##SUFFIX v = __builtin_convertvector(load_##SUFFIX(x + i, n), d##SUFFIX), e; \
            X3S_EXP(d##SUFFIX, di##SUFFIX, -v, e);                                       \
            d##SUFFIX s = 1.0 / (1.0 + e);                                               \
            store_##SUFFIX(y + i, __builtin_convertvector(v * s, v##SUFFIX), n);         \
        }                                                                                \
    }                                                                                    \
    ATTR static void silu_backward_##SUFFIX(const float *x, const float *dy, int64_t count, \
                                            float *dx) {                                 \
        for (int64_t i = 0; i < count; i += W) {                                         \
            int64_t n = count - i < W ? count - i : W;                                   \
            d##SUFFIX v = __builtin_convertvector(load_##SUFFIX(x + i, n), d##SUFFIX);   \
            d##SUFFIX g = __builtin_convertvector(load_##SUFFIX(dy + i, n), d##SUFFIX), e; \
            X3S_EXP(d##SUFFIX, di##SUFFIX, -v, e);                                       \
            d##SUFFIX s = 1.0 / (1.0 + e);                                               \
            store_##SUFFIX(dx + i, __builtin_convertvector(g * s * (1.0 + v * (1.0 - s)), v##SUFFIX), n); \
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

int x3s_silu_at_width(int width, int backward, const float *x, const float *dy, int64_t count, float *out) {
    if (!x3s_cpu_has_width(width)) return 0;
#if defined(__x86_64__)
    if (width == 16) {
        if (backward) silu_backward_16(x, dy, count, out); else silu_forward_16(x, count, out);
        return 16;
    }
    if (width == 8) {
        if (backward) silu_backward_8(x, dy, count, out); else silu_forward_8(x, count, out);
        return 8;
    }
#endif
    if (backward) silu_backward_4(x, dy, count, out); else silu_forward_4(x, count, out);
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
