/* Per-edge Wigner-D rotations between l-major node features and m-major edge features,
 * in float, vectorised over channels for the CPU it runs on (16 lanes with AVX-512, 8
 * with AVX2, 4 otherwise, chosen on first use as in vector_math.c; contraction off, so
 * every width gives the same bits).
 *
 * An edge's rotation is `rows` rows; row r has width[r] coefficients at
 * blocks[e * per_edge + coef[r] ...], reads (or writes) the width[r] consecutive full
 * l-major rows starting at src0[r] and writes (or reads) m-major row dst[r]. Features are
 * row-major: a node's (or edge's) row k, channel ch at [k * channels + ch] after the
 * node's (edge's) own offset.
 *
 * The rotation in can also multiply its results by per-edge weights on the way out (the
 * SO(2) convolution's radial modulation): each modulated value is the rotated value times
 * its weight, rounded once, as the elementwise product of the two would give. */
#include "x3support.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

/* Rows of one degree are rotated together, up to this many (orders -2 ... 2). */
enum { X3S_ROTATION_GROUP = 5 };

#define X3S_ROTATION_KERNELS(SUFFIX, W, ATTR)                                             \
    typedef float r##SUFFIX __attribute__((vector_size(4 * W), aligned(4)));              \
    /* rows q0 ..< q0 + G of one edge, which read the same n full rows: each source   \
     * vector is loaded once and feeds G independent sums (the order of each sum is    \
     * the row-by-row order, so the bits are the same) */                              \
    ATTR __attribute__((always_inline)) static inline void rotate_in_rows_##SUFFIX(    \
        const x3s_rotation *R, const float *b, const float *src, int64_t c, int64_t e,  \
        const x3s_modulation *mod, float *out, float *modulated, int64_t oe,           \
        int64_t out_channels, int64_t c0, int64_t q0, const int G) {                   \
        const int32_t n = R->width[q0];                                                 \
        const float *w[X3S_ROTATION_GROUP];                                             \
        int64_t at[X3S_ROTATION_GROUP];                                                 \
        const float *mw[X3S_ROTATION_GROUP];                                            \
        for (int q = 0; q < G; q++) {                                                   \
            w[q] = b + R->coef[q0 + q];                                                 \
            at[q] = oe + (int64_t)R->dst[q0 + q] * out_channels;                        \
            mw[q] = mod ? mod->weights + e * mod->stride + mod->offset[R->dst[q0 + q]] + c0 : 0; \
        }                                                                               \
        int64_t ch = 0;                                                                 \
        for (; ch + W <= c; ch += W) {                                                  \
            r##SUFFIX acc[X3S_ROTATION_GROUP], v;                                       \
            for (int q = 0; q < G; q++) acc[q] = (r##SUFFIX){0};                        \
            for (int32_t j = 0; j < n; j++) {                                           \
                memcpy(&v, src + j * c + ch, sizeof v);                                 \
                for (int q = 0; q < G; q++) acc[q] += w[q][j] * v;                      \
            }                                                                           \
            for (int q = 0; q < G; q++) {                                               \
                if (out) memcpy(out + at[q] + ch, &acc[q], sizeof v);                   \
                if (mod) {                                                              \
                    memcpy(&v, mw[q] + ch, sizeof v);                                   \
                    v = acc[q] * v;                                                     \
                    memcpy(modulated + at[q] + ch, &v, sizeof v);                       \
                }                                                                       \
            }                                                                           \
        }                                                                               \
        for (; ch < c; ch++) {                                                          \
            for (int q = 0; q < G; q++) {                                               \
                float acc = 0;                                                          \
                for (int32_t j = 0; j < n; j++) acc += w[q][j] * src[j * c + ch];       \
                if (out) out[at[q] + ch] = acc;                                         \
                if (mod) modulated[at[q] + ch] = acc * mw[q][ch];                       \
            }                                                                           \
        }                                                                               \
    }                                                                                   \
    ATTR static void rotate_in_##SUFFIX(const x3s_rotation *R, int64_t edges, const float *x, \
                                        int64_t x_rows, const int32_t *nodes, int64_t c,  \
                                        const x3s_modulation *mod, float *out, float *modulated, \
                                        int64_t out_rows, int64_t out_channels, int64_t c0) { \
        for (int64_t e = 0; e < edges; e++) {                                             \
            const float *xn = x + (nodes ? (int64_t)nodes[e] : e) * x_rows * c;           \
            const float *b = R->blocks + e * R->per_edge;                                 \
            const int64_t oe = e * out_rows * out_channels + c0;                          \
            for (int64_t r = 0; r < R->rows;) {                                           \
                /* the rows from r on that read the same full rows, at most a group */   \
                int64_t g = r + 1;                                                        \
                while (g < R->rows && g - r < X3S_ROTATION_GROUP && R->src0[g] == R->src0[r] && \
                       R->width[g] == R->width[r])                                        \
                    g++;                                                                  \
                const float *src = xn + (int64_t)R->src0[r] * c;                          \
                switch (g - r) {                                                          \
                case 1: rotate_in_rows_##SUFFIX(R, b, src, c, e, mod, out, modulated, oe, out_channels, c0, r, 1); break; \
                case 2: rotate_in_rows_##SUFFIX(R, b, src, c, e, mod, out, modulated, oe, out_channels, c0, r, 2); break; \
                case 3: rotate_in_rows_##SUFFIX(R, b, src, c, e, mod, out, modulated, oe, out_channels, c0, r, 3); break; \
                case 4: rotate_in_rows_##SUFFIX(R, b, src, c, e, mod, out, modulated, oe, out_channels, c0, r, 4); break; \
                default: rotate_in_rows_##SUFFIX(R, b, src, c, e, mod, out, modulated, oe, out_channels, c0, r, 5); break; \
                }                                                                         \
                r = g;                                                                    \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
    /* the adjoint for rows q0 ..< q0 + G of one edge, which write the same n full     \
     * rows: each full row is loaded and stored once and receives the G rows' terms in \
     * row order (the order of the row-by-row loop, so the bits are the same) */       \
    ATTR __attribute__((always_inline)) static inline void rotate_back_rows_##SUFFIX(  \
        const x3s_rotation *R, const float *b, const float *ge, int64_t g_channels,     \
        float scale, float *dst, int64_t c, int64_t q0, const int G) {                  \
        const int32_t n = R->width[q0];                                                 \
        const float *w[X3S_ROTATION_GROUP], *src[X3S_ROTATION_GROUP];                   \
        for (int q = 0; q < G; q++) {                                                   \
            w[q] = b + R->coef[q0 + q];                                                 \
            src[q] = ge + (int64_t)R->dst[q0 + q] * g_channels;                         \
        }                                                                               \
        int64_t ch = 0;                                                                 \
        for (; ch + W <= c; ch += W) {                                                  \
            r##SUFFIX v[X3S_ROTATION_GROUP], d;                                         \
            for (int q = 0; q < G; q++) {                                               \
                memcpy(&v[q], src[q] + ch, sizeof d);                                   \
                v[q] = v[q] * scale;                                                    \
            }                                                                           \
            for (int32_t j = 0; j < n; j++) {                                           \
                memcpy(&d, dst + j * c + ch, sizeof d);                                 \
                for (int q = 0; q < G; q++) d += w[q][j] * v[q];                        \
                memcpy(dst + j * c + ch, &d, sizeof d);                                 \
            }                                                                           \
        }                                                                               \
        for (; ch < c; ch++) {                                                          \
            for (int q = 0; q < G; q++) {                                               \
                float v = src[q][ch] * scale;                                           \
                for (int32_t j = 0; j < n; j++) dst[j * c + ch] += w[q][j] * v;         \
            }                                                                           \
        }                                                                               \
    }                                                                                   \
    ATTR static void rotate_back_##SUFFIX(const x3s_rotation *R, int64_t edges, const float *g, \
                                          int64_t g_rows, int64_t g_channels, int64_t c0,  \
                                          const int32_t *nodes, float scale, int zero_first, \
                                          float *y, int64_t y_rows, int64_t c) {           \
        for (int64_t e = 0; e < edges; e++) {                                             \
            float *yn = y + (nodes ? (int64_t)nodes[e] : e) * y_rows * c;                 \
            if (zero_first) memset(yn, 0, (size_t)(y_rows * c) * sizeof(float));          \
            const float *b = R->blocks + e * R->per_edge;                                 \
            const float *ge = g + e * g_rows * g_channels + c0;                           \
            for (int64_t r = 0; r < R->rows;) {                                           \
                int64_t k = r + 1;                                                        \
                while (k < R->rows && k - r < X3S_ROTATION_GROUP && R->src0[k] == R->src0[r] && \
                       R->width[k] == R->width[r])                                        \
                    k++;                                                                  \
                float *dst = yn + (int64_t)R->src0[r] * c;                                \
                switch (k - r) {                                                          \
                case 1: rotate_back_rows_##SUFFIX(R, b, ge, g_channels, scale, dst, c, r, 1); break; \
                case 2: rotate_back_rows_##SUFFIX(R, b, ge, g_channels, scale, dst, c, r, 2); break; \
                case 3: rotate_back_rows_##SUFFIX(R, b, ge, g_channels, scale, dst, c, r, 3); break; \
                case 4: rotate_back_rows_##SUFFIX(R, b, ge, g_channels, scale, dst, c, r, 4); break; \
                default: rotate_back_rows_##SUFFIX(R, b, ge, g_channels, scale, dst, c, r, 5); break; \
                }                                                                         \
                r = k;                                                                    \
            }                                                                             \
        }                                                                                 \
    }

#if defined(__x86_64__)
X3S_ROTATION_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_ROTATION_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_ROTATION_KERNELS(4, 4, )

typedef void (*in_fn)(const x3s_rotation *, int64_t, const float *, int64_t, const int32_t *, int64_t,
                      const x3s_modulation *, float *, float *, int64_t, int64_t, int64_t);
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
                   const int32_t *nodes, int64_t channels, const x3s_modulation *modulation, float *out,
                   float *modulated, int64_t out_rows, int64_t out_channels, int64_t channel_offset) {
    pick_in(x3s_vector_width())(rotation, edges, x, x_rows, nodes, channels, modulation, out, modulated, out_rows,
                                out_channels, channel_offset);
}

void x3s_rotate_back(const x3s_rotation *rotation, int64_t edges, const float *g, int64_t g_rows,
                     int64_t g_channels, int64_t channel_offset, const int32_t *nodes, float scale,
                     int zero_first, float *y, int64_t y_rows, int64_t channels) {
    pick_back(x3s_vector_width())(rotation, edges, g, g_rows, g_channels, channel_offset, nodes, scale,
                                  zero_first, y, y_rows, channels);
}

int x3s_rotate_in_at_width(int width, const x3s_rotation *rotation, int64_t edges, const float *x, int64_t x_rows,
                           const int32_t *nodes, int64_t channels, const x3s_modulation *modulation, float *out,
                           float *modulated, int64_t out_rows, int64_t out_channels, int64_t channel_offset) {
    if (!x3s_cpu_has_width(width) || !pick_in(width)) return 0;
    pick_in(width)(rotation, edges, x, x_rows, nodes, channels, modulation, out, modulated, out_rows, out_channels,
                   channel_offset);
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
