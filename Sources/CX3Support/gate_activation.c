/* The gate activation after its gate GEMM, one pass per row, vectorised over channels (16,
 * 8 or 4 lanes, as in vector_math.c): row 0 (l = 0) through SiLU, every row of degree
 * l >= 1 times sigmoid of its gate. Each gate's sigmoid is computed once per row of
 * features and in double lanes (silu_lanes.h), so every width gives the same bits. */
#include "x3support.h"
#include "silu_lanes.h"

enum { MAX_GATES = X3S_GATE_MAX_DEGREE };

#define X3S_GATE_KERNELS(S, W, ATTR)                                                     \
    X3S_SILU_LANES(S, W, ATTR)                                                           \
    /* sigmoid(g) and its derivative sigmoid(g) (1 - sigmoid(g)), in double lanes */     \
    ATTR __attribute__((always_inline)) static inline vf##S sigmoid_##S(vf##S gf, vf##S *derivative) { \
        vd##S v = __builtin_convertvector(gf, vd##S), e;                                 \
        X3S_EXP(vd##S, vi##S, -v, e);                                                    \
        vd##S s = 1.0 / (1.0 + e);                                                       \
        *derivative = __builtin_convertvector(s * (e * s), vf##S);                       \
        return __builtin_convertvector(s, vf##S);                                        \
    }                                                                                    \
    ATTR static void gate_##S(const float *x, const float *g, const float *dy, int64_t rows, int64_t k, \
                              int64_t gates, int64_t c, const int32_t *degree, float *out, float *dg) { \
        vf##S s[MAX_GATES], ds[MAX_GATES], acc[MAX_GATES];                               \
        for (int64_t r = 0; r < rows; r++) {                                             \
            const float *xr = x + r * k * c, *gr = g + r * gates * c;                    \
            const float *dyr = dy ? dy + r * k * c : 0;                                  \
            float *o = out + r * k * c;                                                  \
            for (int64_t j = 0; j < c; j += W) {                                         \
                const int64_t w = c - j < W ? c - j : W;                                 \
                for (int64_t l = 0; l < gates; l++) {                                    \
                    s[l] = sigmoid_##S(load_##S(gr + l * c + j, w), &ds[l]);             \
                    acc[l] = (vf##S){0};                                                 \
                }                                                                        \
                const vf##S x0 = load_##S(xr + j, w);                                    \
                if (!dy) {                                                               \
                    store_##S(o + j, silu_lanes_##S(x0), w);                             \
                    for (int64_t i = 1; i < k; i++)                                      \
                        store_##S(o + i * c + j, load_##S(xr + i * c + j, w) * s[degree[i] - 1], w); \
                    continue;                                                            \
                }                                                                        \
                store_##S(o + j, silu_grad_lanes_##S(x0, load_##S(dyr + j, w)), w);      \
                for (int64_t i = 1; i < k; i++) {                                        \
                    const vf##S d = load_##S(dyr + i * c + j, w), xi = load_##S(xr + i * c + j, w); \
                    acc[degree[i] - 1] = acc[degree[i] - 1] + d * xi;                    \
                    store_##S(o + i * c + j, d * s[degree[i] - 1], w);                   \
                }                                                                        \
                for (int64_t l = 0; l < gates; l++)                                      \
                    store_##S(dg + (r * gates + l) * c + j, acc[l] * ds[l], w);          \
            }                                                                            \
        }                                                                                \
    }

#if defined(__x86_64__)
X3S_GATE_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_GATE_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_GATE_KERNELS(4, 4, )

int x3s_gate_at_width(int width, const float *x, const float *g, const float *dy, int64_t rows, int64_t k,
                      int64_t gates, int64_t channels, const int32_t *degree, float *out, float *dg) {
    if (gates < 1 || gates > MAX_GATES) return -1;
    for (int64_t i = 1; i < k; i++)
        if (degree[i] < 1 || degree[i] > gates) return -1;
    if (width == 0) width = x3s_vector_width();
    if (!x3s_cpu_has_width(width)) return 0;
#if defined(__x86_64__)
    if (width == 16) { gate_16(x, g, dy, rows, k, gates, channels, degree, out, dg); return 16; }
    if (width == 8) { gate_8(x, g, dy, rows, k, gates, channels, degree, out, dg); return 8; }
#endif
    gate_4(x, g, dy, rows, k, gates, channels, degree, out, dg);
    return 4;
}
