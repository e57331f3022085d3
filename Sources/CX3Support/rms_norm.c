/* The equivariant RMS norm over the l-major features of each row ([k = (lmax+1)^2, C]),
 * vectorised over channels (16, 8 or 4 lanes, as in vector_math.c). Every sum is kept as 16
 * partial sums (channel j goes to partial j mod 16, rows in order; a short last vector adds
 * zeros) and the partials are added in order 0 ... 15, so every width gives the same bits.
 *
 * v = x with the l = 0 row centred; s = mean over l of (sum over degree l of v^2) /
 * ((2l+1) C); y = v g_l / sqrt(s + eps), plus b on l = 0. */
#include "x3support.h"
#include "vector_lanes.h"
#include <math.h>

#define X3S_RMS_NORM_KERNELS(S, W, ATTR)                                                 \
    X3S_LANES(S, W, ATTR)                                                                \
    /* v of row i at channels j ... j + n - 1 (zero beyond n) */                         \
    ATTR __attribute__((always_inline)) static inline vf##S rn_v_##S(const float *xr, int64_t i, int64_t j, \
                                                                    int64_t n, int64_t c, float mean) { \
        vf##S v = load_##S(xr + i * c + j, n);                                        \
        if (i == 0) {                                                                    \
            v = v - mean;                                                                \
            for (int64_t k = n; k < W; k++) v[k] = 0;                                    \
        }                                                                                \
        return v;                                                                        \
    }                                                                                    \
    ATTR static void rms_norm_##S(const float *x, const float *dy, int64_t rows, int64_t lmax, int64_t c, \
                                  const float *gain, const float *bias, float eps, float *out, \
                                  float *grad_gain, float *grad_bias) {                  \
        const int64_t k = (lmax + 1) * (lmax + 1);                                       \
        for (int64_t r = 0; r < rows; r++) {                                             \
            const float *xr = x + r * k * c;                                             \
            vf##S part[16 / W] = {{0}};                                                  \
            for (int64_t j = 0; j < c; j += W)                                           \
                part[(j / W) % (16 / W)] = part[(j / W) % (16 / W)] + load_##S(xr + j, c - j < W ? c - j : W); \
            const float mean = total16_##S(part) / (float)c;                            \
            float s = 0;                                                                 \
            for (int64_t l = 0; l <= lmax; l++) {                                        \
                vf##S sq[16 / W] = {{0}};                                                \
                for (int64_t i = l * l; i < (l + 1) * (l + 1); i++)                      \
                    for (int64_t j = 0; j < c; j += W) {                                 \
                        const vf##S v = rn_v_##S(xr, i, j, c - j < W ? c - j : W, c, mean); \
                        sq[(j / W) % (16 / W)] = sq[(j / W) % (16 / W)] + v * v;         \
                    }                                                                    \
                s = s + total16_##S(sq) / (float)((2 * l + 1) * c);                     \
            }                                                                            \
            s = s / (float)(lmax + 1);                                                   \
            const float inv = 1 / sqrtf(s + eps);                                        \
            if (!dy) {                                                                   \
                float *yr = out + r * k * c;                                             \
                for (int64_t l = 0; l <= lmax; l++)                                      \
                    for (int64_t i = l * l; i < (l + 1) * (l + 1); i++)                  \
                        for (int64_t j = 0; j < c; j += W) {                             \
                            const int64_t n = c - j < W ? c - j : W;                     \
                            vf##S y = rn_v_##S(xr, i, j, n, c, mean) * inv * load_##S(gain + l * c + j, n); \
                            if (i == 0) y = y + load_##S(bias + j, n);                \
                            store_##S(yr + i * c + j, y, n);                          \
                        }                                                                \
                continue;                                                                \
            }                                                                            \
            /* dv_i = inv g dy_i - v_i w_l inv^3 sum (g dy v), w_l = 1 / ((lmax+1)(2l+1) C); \
               then the centring of l = 0: dx_0 = dv_0 - mean(dv_0) */                  \
            const float *gr = dy + r * k * c;                                            \
            for (int64_t j = 0; j < c; j += W) {                                         \
                const int64_t n = c - j < W ? c - j : W;                                 \
                store_##S(grad_bias + j, load_##S(grad_bias + j, n) + load_##S(gr + j, n), n); \
            }                                                                            \
            vf##S dotp[16 / W] = {{0}};                                                  \
            for (int64_t l = 0; l <= lmax; l++)                                          \
                for (int64_t i = l * l; i < (l + 1) * (l + 1); i++)                      \
                    for (int64_t j = 0; j < c; j += W) {                                 \
                        const int64_t n = c - j < W ? c - j : W;                         \
                        const vf##S v = rn_v_##S(xr, i, j, n, c, mean), d = load_##S(gr + i * c + j, n); \
                        const vf##S g = load_##S(gain + l * c + j, n);                \
                        store_##S(grad_gain + l * c + j, load_##S(grad_gain + l * c + j, n) + d * v * inv, n); \
                        dotp[(j / W) % (16 / W)] = dotp[(j / W) % (16 / W)] + d * g * v; \
                    }                                                                    \
            if (!out) continue;                                                          \
            const float dot = total16_##S(dotp), inv3 = inv * inv * inv;                \
            float *dxr = out + r * k * c;                                                \
            vf##S dvsum[16 / W] = {{0}};                                                 \
            for (int64_t l = 0; l <= lmax; l++) {                                        \
                const float w = 1 / (float)((lmax + 1) * (2 * l + 1) * c);               \
                for (int64_t i = l * l; i < (l + 1) * (l + 1); i++)                      \
                    for (int64_t j = 0; j < c; j += W) {                                 \
                        const int64_t n = c - j < W ? c - j : W;                         \
                        const vf##S v = rn_v_##S(xr, i, j, n, c, mean);                  \
                        vf##S dv = inv * load_##S(gain + l * c + j, n) * load_##S(gr + i * c + j, n) \
                                   - v * w * inv3 * dot;                                 \
                        if (i == 0) {                                                    \
                            for (int64_t q = n; q < W; q++) dv[q] = 0;                   \
                            dvsum[(j / W) % (16 / W)] = dvsum[(j / W) % (16 / W)] + dv;  \
                        }                                                                \
                        store_##S(dxr + i * c + j, dv, n);                            \
                    }                                                                    \
            }                                                                            \
            const float dvMean = total16_##S(dvsum) / (float)c;                         \
            for (int64_t j = 0; j < c; j += W) {                                         \
                const int64_t n = c - j < W ? c - j : W;                                 \
                store_##S(dxr + j, load_##S(dxr + j, n) - dvMean, n);             \
            }                                                                            \
        }                                                                                \
    }

#if defined(__x86_64__)
X3S_RMS_NORM_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_RMS_NORM_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_RMS_NORM_KERNELS(4, 4, )

int x3s_rms_norm_at_width(int width, const float *x, const float *dy, int64_t rows, int64_t lmax, int64_t channels,
                          const float *gain, const float *bias, float eps, float *out, float *grad_gain,
                          float *grad_bias) {
    if (width == 0) width = x3s_vector_width();
    if (!x3s_cpu_has_width(width)) return 0;
#if defined(__x86_64__)
    if (width == 16) { rms_norm_16(x, dy, rows, lmax, channels, gain, bias, eps, out, grad_gain, grad_bias); return 16; }
    if (width == 8) { rms_norm_8(x, dy, rows, lmax, channels, gain, bias, eps, out, grad_gain, grad_bias); return 8; }
#endif
    rms_norm_4(x, dy, rows, lmax, channels, gain, bias, eps, out, grad_gain, grad_bias);
    return 4;
}
