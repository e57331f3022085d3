/* Per-edge Wigner-D rotations between l-major node features and m-major edge features,
 * in float, vectorised over channels for the CPU it runs on (16 lanes with AVX-512, 8
 * with AVX2, 4 otherwise, chosen on first use as in vector_math.c; contraction off, so
 * every width gives the same bits).
 *
 * An edge's rotation is `rows` rows; row r has width[r] coefficients at
 * blocks[e * per_edge + coef[r] ...], reads (or writes) the width[r] consecutive full
 * l-major rows starting at src0[r] and writes (or reads) m-major row dst[r]. Features are
 * row-major: a node's (or edge's) row k, channel ch at [k * channels + ch] after the
 * node's (edge's) own offset. */
#include "x3support.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#define X3S_ROTATION_KERNELS(SUFFIX, W, ATTR)                                             \
    typedef float r##SUFFIX __attribute__((vector_size(4 * W), aligned(4)));              \
    ATTR static void rotate_in_##SUFFIX(const x3s_rotation *R, int64_t edges, const float *x, \
                                        int64_t x_rows, const int32_t *nodes, int64_t c,  \
                                        float *out, int64_t out_rows, int64_t out_channels, \
                                        int64_t c0) {                                     \
        for (int64_t e = 0; e < edges; e++) {                                             \
            const float *xn = x + (nodes ? (int64_t)nodes[e] : e) * x_rows * c;           \
            const float *b = R->blocks + e * R->per_edge;                                 \
            float *oe = out + e * out_rows * out_channels + c0;                           \
            for (int64_t r = 0; r < R->rows; r++) {                                       \
                const float *w = b + R->coef[r];                                          \
                const float *src = xn + (int64_t)R->src0[r] * c;                          \
                float *dst = oe + (int64_t)R->dst[r] * out_channels;                      \
                int32_t n = R->width[r];                                                  \
                int64_t ch = 0;                                                           \
                for (; ch + W <= c; ch += W) {                                            \
                    r##SUFFIX acc = {0}, v;                                               \
                    for (int32_t j = 0; j < n; j++) {                                     \
                        memcpy(&v, src + j * c + ch, sizeof v);                           \
                        acc += w[j] * v;                                                  \
                    }                                                                     \
                    memcpy(dst + ch, &acc, sizeof acc);                                   \
                }                                                                         \
                for (; ch < c; ch++) {                                                    \
                    float acc = 0;                                                        \
                    for (int32_t j = 0; j < n; j++) acc += w[j] * src[j * c + ch];         \
                    dst[ch] = acc;                                                        \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
    ATTR static void rotate_back_##SUFFIX(const x3s_rotation *R, int64_t edges, const float *g, \
                                          int64_t g_rows, int64_t g_channels, int64_t c0,  \
                                          const int32_t *nodes, float scale, int zero_first, \
                                          float *y, int64_t y_rows, int64_t c) {           \
        for (int64_t e = 0; e < edges; e++) {                                             \
            float *yn = y + (nodes ? (int64_t)nodes[e] : e) * y_rows * c;                 \
            if (zero_first) memset(yn, 0, (size_t)(y_rows * c) * sizeof(float));          \
            const float *b = R->blocks + e * R->per_edge;                                 \
            const float *ge = g + e * g_rows * g_channels + c0;                           \
            for (int64_t r = 0; r < R->rows; r++) {                                       \
                const float *w = b + R->coef[r];                                          \
                const float *src = ge + (int64_t)R->dst[r] * g_channels;                  \
                float *dst = yn + (int64_t)R->src0[r] * c;                                \
                int32_t n = R->width[r];                                                  \
                int64_t ch = 0;                                                           \
                for (; ch + W <= c; ch += W) {                                            \
                    r##SUFFIX v, d;                                                       \
                    memcpy(&v, src + ch, sizeof v);                                       \
                    v = v * scale;                                                        \
                    for (int32_t j = 0; j < n; j++) {                                     \
                        memcpy(&d, dst + j * c + ch, sizeof d);                           \
                        d += w[j] * v;                                                    \
                        memcpy(dst + j * c + ch, &d, sizeof d);                           \
                    }                                                                     \
                }                                                                         \
                for (; ch < c; ch++) {                                                    \
                    float v = src[ch] * scale;                                            \
                    for (int32_t j = 0; j < n; j++) dst[j * c + ch] += w[j] * v;          \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    }

#if defined(__x86_64__)
X3S_ROTATION_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_ROTATION_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_ROTATION_KERNELS(4, 4, )

typedef void (*in_fn)(const x3s_rotation *, int64_t, const float *, int64_t, const int32_t *, int64_t,
                      float *, int64_t, int64_t, int64_t);
typedef void (*back_fn)(const x3s_rotation *, int64_t, const float *, int64_t, int64_t, int64_t,
                        const int32_t *, float, int, float *, int64_t, int64_t);

static in_fn pick_in(int width) {
#if defined(__x86_64__)
    if (width == 16) return rotate_in_16;
    if (width == 8) return rotate_in_8;
#endif
    return width == 4 ? rotate_in_4 : NULL;
}

static back_fn pick_back(int width) {
#if defined(__x86_64__)
    if (width == 16) return rotate_back_16;
    if (width == 8) return rotate_back_8;
#endif
    return width == 4 ? rotate_back_4 : NULL;
}

void x3s_rotate_in(const x3s_rotation *rotation, int64_t edges, const float *x, int64_t x_rows,
                   const int32_t *nodes, int64_t channels, float *out, int64_t out_rows,
                   int64_t out_channels, int64_t channel_offset) {
    pick_in(x3s_vector_width())(rotation, edges, x, x_rows, nodes, channels, out, out_rows, out_channels,
                                channel_offset);
}

void x3s_rotate_back(const x3s_rotation *rotation, int64_t edges, const float *g, int64_t g_rows,
                     int64_t g_channels, int64_t channel_offset, const int32_t *nodes, float scale,
                     int zero_first, float *y, int64_t y_rows, int64_t channels) {
    pick_back(x3s_vector_width())(rotation, edges, g, g_rows, g_channels, channel_offset, nodes, scale,
                                  zero_first, y, y_rows, channels);
}

int x3s_rotate_in_at_width(int width, const x3s_rotation *rotation, int64_t edges, const float *x, int64_t x_rows,
                           const int32_t *nodes, int64_t channels, float *out, int64_t out_rows,
                           int64_t out_channels, int64_t channel_offset) {
    if (!x3s_cpu_has_width(width) || !pick_in(width)) return 0;
    pick_in(width)(rotation, edges, x, x_rows, nodes, channels, out, out_rows, out_channels, channel_offset);
    return width;
}

int x3s_rotate_back_at_width(int width, const x3s_rotation *rotation, int64_t edges, const float *g,
                             int64_t g_rows, int64_t g_channels, int64_t channel_offset, const int32_t *nodes,
                             float scale, int zero_first, float *y, int64_t y_rows, int64_t channels) {
    if (!x3s_cpu_has_width(width) || !pick_back(width)) return 0;
    pick_back(width)(rotation, edges, g, g_rows, g_channels, channel_offset, nodes, scale, zero_first, y, y_rows,
                     channels);
    return width;
}
