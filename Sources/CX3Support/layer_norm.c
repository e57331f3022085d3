/* Layer normalisation over the features of each row, vectorised over features (16, 8 or 4
 * lanes, as in vector_math.c). The row sums are kept as 16 partial sums (feature j goes to
 * partial j mod 16; a short last vector adds zeros) and the partials are added in order
 * 0, 1, ..., 15, so every width gives the same bits. */
#include "x3support.h"
#include "vector_lanes.h"
#include <math.h>

/* One width: W lanes; P = 16 / W vectors of partial sums. */
#define X3S_LAYER_NORM_KERNELS(S, W, ATTR)                                               \
    X3S_LANES(S, W, ATTR)                                                                \
    /* mean and 1 / sqrt(variance + eps) of one row */                                   \
    ATTR __attribute__((always_inline)) static inline void ln_moments_##S(const float *x, int64_t f, float eps, \
                                                                         float *mean, float *inv) { \
        vf##S part[16 / W] = {{0}};                                                      \
        for (int64_t j = 0; j < f; j += W)                                               \
            part[(j / W) % (16 / W)] = part[(j / W) % (16 / W)] + load_##S(x + j, f - j < W ? f - j : W); \
        const float m = total16_##S(part) / (float)f;                                   \
        vf##S dev[16 / W] = {{0}};                                                       \
        for (int64_t j = 0; j < f; j += W) {                                             \
            const int64_t n = f - j < W ? f - j : W;                                     \
            vf##S d = load_##S(x + j, n) - m;                                         \
            for (int64_t k = n; k < W; k++) d[k] = 0;                                    \
            dev[(j / W) % (16 / W)] = dev[(j / W) % (16 / W)] + d * d;                   \
        }                                                                                \
        *mean = m;                                                                       \
        *inv = 1 / sqrtf(total16_##S(dev) / (float)f + eps);                            \
    }                                                                                    \
    ATTR static void layer_norm_##S(const float *x, const float *dy, int64_t rows, int64_t f, \
                                    const float *gain, const float *bias, float eps, float *out, \
                                    float *grad_gain, float *grad_bias) {                \
        for (int64_t r = 0; r < rows; r++) {                                             \
            const float *xr = x + r * f;                                                 \
            float mean, inv;                                                             \
            ln_moments_##S(xr, f, eps, &mean, &inv);                                     \
            if (!dy) {                                                                   \
                for (int64_t j = 0; j < f; j += W) {                                     \
                    const int64_t n = f - j < W ? f - j : W;                             \
                    vf##S y = (load_##S(xr + j, n) - mean) * inv * load_##S(gain + j, n) \
                              + load_##S(bias + j, n);                                \
                    store_##S(out + r * f + j, y, n);                                 \
                }                                                                        \
                continue;                                                                \
            }                                                                            \
            /* x^ = (x - mean) inv; dL/dx^ = dy gain; dx = inv (dx^ - mean(dx^) - x^ mean(dx^ x^)) */ \
            const float *g = dy + r * f;                                                 \
            vf##S sd[16 / W] = {{0}}, sdx[16 / W] = {{0}};                               \
            for (int64_t j = 0; j < f; j += W) {                                         \
                const int64_t n = f - j < W ? f - j : W;                                 \
                const vf##S xh = (load_##S(xr + j, n) - mean) * inv, d = load_##S(g + j, n); \
                const vf##S dxh = d * load_##S(gain + j, n);                          \
                store_##S(grad_gain + j, load_##S(grad_gain + j, n) + d * xh, n);  \
                store_##S(grad_bias + j, load_##S(grad_bias + j, n) + d, n);       \
                sd[(j / W) % (16 / W)] = sd[(j / W) % (16 / W)] + dxh;                   \
                sdx[(j / W) % (16 / W)] = sdx[(j / W) % (16 / W)] + dxh * xh;            \
            }                                                                            \
            if (!out) continue;                                                          \
            const float meanD = total16_##S(sd) / (float)f, meanDX = total16_##S(sdx) / (float)f; \
            for (int64_t j = 0; j < f; j += W) {                                         \
                const int64_t n = f - j < W ? f - j : W;                                 \
                const vf##S xh = (load_##S(xr + j, n) - mean) * inv;                  \
                const vf##S dxh = load_##S(g + j, n) * load_##S(gain + j, n);      \
                store_##S(out + r * f + j, inv * (dxh - meanD - xh * meanDX), n);     \
            }                                                                            \
        }                                                                                \
    }

#if defined(__x86_64__)
X3S_LAYER_NORM_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_LAYER_NORM_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_LAYER_NORM_KERNELS(4, 4, )

int x3s_layer_norm_at_width(int width, const float *x, const float *dy, int64_t rows, int64_t features,
                            const float *gain, const float *bias, float eps, float *out, float *grad_gain,
                            float *grad_bias) {
    if (width == 0) width = x3s_vector_width();
    if (!x3s_cpu_has_width(width)) return 0;
#if defined(__x86_64__)
    if (width == 16) { layer_norm_16(x, dy, rows, features, gain, bias, eps, out, grad_gain, grad_bias); return 16; }
    if (width == 8) { layer_norm_8(x, dy, rows, features, gain, bias, eps, out, grad_gain, grad_bias); return 8; }
#endif
    layer_norm_4(x, dy, rows, features, gain, bias, eps, out, grad_gain, grad_bias);
    return 4;
}
