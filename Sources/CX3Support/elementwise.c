/* Elementwise float loops of the network (products, sums, column sums), vectorised for
 * the CPU it runs on: 16 lanes with AVX-512, 8 with AVX2, 4 otherwise, chosen as in
 * vector_math.c (x3s_vector_width). Each element is one IEEE operation (or, for
 * multiply-add, a rounded product then a rounded sum: contraction is off), so every width
 * gives the same bits, and the same as the plain C loop. Column sums add the rows in
 * order, as the plain loop does. Swift's own loops are compiled for baseline x86-64 and
 * with overflow checks on their indices, which keeps them scalar. */
#include "x3support.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

/* One width: BODY(i, W-vector type) over full vectors, then the scalar tail. */
#define X3S_ELEMENTWISE_KERNELS(SUFFIX, W, ATTR)                                           \
    typedef float e##SUFFIX __attribute__((vector_size(4 * W), aligned(4)));              \
    ATTR static void mul_##SUFFIX(const float *a, const float *b, int64_t n, float *y) {   \
        int64_t i = 0;                                                                     \
        for (; i + W <= n; i += W) {                                                       \
            e##SUFFIX u, v;                                                                \
            memcpy(&u, a + i, sizeof u); memcpy(&v, b + i, sizeof v);                      \
            u = u * v;                                                                     \
            memcpy(y + i, &u, sizeof u);                                                   \
        }                                                                                  \
        for (; i < n; i++) y[i] = a[i] * b[i];                                             \
    }                                                                                      \
    ATTR static void mul_add_##SUFFIX(const float *a, const float *b, int64_t n, float *y) { \
        int64_t i = 0;                                                                     \
        for (; i + W <= n; i += W) {                                                       \
            e##SUFFIX u, v, s;                                                             \
            memcpy(&u, a + i, sizeof u); memcpy(&v, b + i, sizeof v);                      \
            memcpy(&s, y + i, sizeof s);                                                   \
            s = s + u * v;                                                                 \
            memcpy(y + i, &s, sizeof s);                                                   \
        }                                                                                  \
        for (; i < n; i++) y[i] = y[i] + a[i] * b[i];                                      \
    }                                                                                      \
    ATTR static void add_##SUFFIX(const float *a, int64_t n, float *y) {                  \
        int64_t i = 0;                                                                     \
        for (; i + W <= n; i += W) {                                                       \
            e##SUFFIX u, s;                                                                \
            memcpy(&u, a + i, sizeof u); memcpy(&s, y + i, sizeof s);                      \
            s = s + u;                                                                     \
            memcpy(y + i, &s, sizeof s);                                                   \
        }                                                                                  \
        for (; i < n; i++) y[i] = y[i] + a[i];                                             \
    }                                                                                      \
    ATTR static void sum_rows_##SUFFIX(const float *x, int64_t rows, int64_t cols, int64_t ld, \
                                       float *y) {                                         \
        int64_t j = 0;                                                                     \
        for (; j + W <= cols; j += W) {                                                    \
            e##SUFFIX s, u;                                                                \
            memcpy(&s, y + j, sizeof s);                                                   \
            for (int64_t r = 0; r < rows; r++) {                                           \
                memcpy(&u, x + r * ld + j, sizeof u);                                      \
                s = s + u;                                                                 \
            }                                                                              \
            memcpy(y + j, &s, sizeof s);                                                   \
        }                                                                                  \
        for (; j < cols; j++) {                                                            \
            float s = y[j];                                                                \
            for (int64_t r = 0; r < rows; r++) s = s + x[r * ld + j];                      \
            y[j] = s;                                                                      \
        }                                                                                  \
    }

#if defined(__x86_64__)
X3S_ELEMENTWISE_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_ELEMENTWISE_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_ELEMENTWISE_KERNELS(4, 4, )

/* The kernels of one width; width 0 means the CPU's (x3s_vector_width). NULL when this CPU
 * lacks that width. */
typedef struct {
    void (*mul)(const float *, const float *, int64_t, float *);
    void (*mul_add)(const float *, const float *, int64_t, float *);
    void (*add)(const float *, int64_t, float *);
    void (*sum_rows)(const float *, int64_t, int64_t, int64_t, float *);
} kernels;

static const kernels *pick(int width) {
#if defined(__x86_64__)
    static const kernels k16 = {mul_16, mul_add_16, add_16, sum_rows_16};
    static const kernels k8 = {mul_8, mul_add_8, add_8, sum_rows_8};
#endif
    static const kernels k4 = {mul_4, mul_add_4, add_4, sum_rows_4};
    if (width == 0) width = x3s_vector_width();
    if (!x3s_cpu_has_width(width)) return NULL;
#if defined(__x86_64__)
    if (width == 16) return &k16;
    if (width == 8) return &k8;
#endif
    return width == 4 ? &k4 : NULL;
}

void x3s_mul(const float *a, const float *b, int64_t n, float *y) { pick(0)->mul(a, b, n, y); }
void x3s_mul_add(const float *a, const float *b, int64_t n, float *y) { pick(0)->mul_add(a, b, n, y); }
void x3s_add(const float *a, int64_t n, float *y) { pick(0)->add(a, n, y); }
void x3s_sum_rows(const float *x, int64_t rows, int64_t cols, int64_t ld, float *y) {
    pick(0)->sum_rows(x, rows, cols, ld, y);
}

int x3s_elementwise_at_width(int width, int op, const float *a, const float *b, int64_t rows, int64_t cols,
                             int64_t ld, float *y) {
    const kernels *k = pick(width);
    if (!k || width == 0) return 0;
    switch (op) {
    case 0: k->mul(a, b, cols, y); break;
    case 1: k->mul_add(a, b, cols, y); break;
    case 2: k->add(a, cols, y); break;
    case 3: k->sum_rows(a, rows, cols, ld, y); break;
    default: return 0;
    }
    return width;
}
