/* The S2 activation of one row of coefficients at a time, fused: to the grid, SiLU, back,
 * with the grid values kept in registers, vectorised over channels (16, 8 or 4 lanes, as
 * in vector_math.c). See x3s_s2_plan in x3support.h for the factorisation it uses.
 *
 * On the product grid a real spherical harmonic factors into a latitude part and a
 * longitude part, Y_r(t, k) = A_r(t) B_m(r)(k), so the grid values of one ring,
 * f(t, k) = sum_m B_m(k) a_m(t) with a_m(t) = sum_{r: m(r) = m} A_r(t) x_r, cost
 * (orders x longitudes) instead of (rows x longitudes) multiply-adds, and the projection
 * back factors the same way. Longitudes k and k + K/2 (phi and phi + pi) share their
 * factors up to the sign (-1)^m, so even and odd orders are summed apart and each pair of
 * longitudes costs one set of products. SiLU is silu_lanes.h's: in float lanes on the
 * grid (a few ulps, far below the quadrature's own rounding), in double lanes for the
 * l = 0 row, which passes through SiLU alone. Every width gives the same bits. */
#include "x3support.h"
#include "silu_lanes.h"

enum { MAX_ROWS = X3S_S2_MAX_ROWS, MAX_ORDERS = X3S_S2_MAX_ORDERS };

/* One width. s2_body_##S is the whole activation (backward when dy is non-NULL) for M
 * longitude factors, the first ME of them even; s2_run_##S calls it with M and ME as
 * constants for the usual sizes, so that the per-factor values stay in registers. */
#define X3S_S2_KERNELS(S, W, ATTR)                                                       \
    X3S_SILU_LANES(S, W, ATTR)                                                           \
    ATTR __attribute__((always_inline)) static inline void s2_body_##S(                  \
        const x3s_s2_plan *p, const float *x, const float *dy, int64_t n, int64_t channels, \
        float *out, const int64_t M, const int64_t ME, const int backward) {             \
        const int64_t R = p->rows, H = p->half_longitudes, T = p->rings;                 \
        const int32_t *row = p->row, *os = p->order_start;                               \
        vf##S xr[MAX_ROWS], gr[MAX_ROWS], acc[MAX_ROWS], a[MAX_ORDERS], g[MAX_ORDERS], b[MAX_ORDERS]; \
        for (int64_t e = 0; e < n; e++) {                                                \
            const float *xe = x + e * R * channels, *ge = backward ? dy + e * R * channels : 0; \
            float *oe = out + e * R * channels;                                          \
            for (int64_t j = 0; j < channels; j += W) {                                  \
                const int64_t w = channels - j < W ? channels - j : W;                   \
                for (int64_t i = 0; i < R; i++) {                                        \
                    xr[i] = load_##S(xe + row[i] * channels + j, w);                     \
                    if (backward) gr[i] = load_##S(ge + row[i] * channels + j, w);       \
                    acc[i] = (vf##S){0};                                                 \
                }                                                                        \
                for (int64_t t = 0; t < T; t++) {                                        \
                    const float *to = p->to_grid + t * R, *back = p->from_grid + t * R;  \
                    /* per factor: the latitude sums of the coefficients (and of dy) */  \
                    for (int64_t m = 0; m < M; m++) {                                    \
                        vf##S s = {0}, q = {0};                                          \
                        for (int64_t i = os[m]; i < os[m + 1]; i++) {                    \
                            s = X3S_FMA((vf##S){0} + to[i], xr[i], s);                   \
                            if (backward) q = X3S_FMA((vf##S){0} + back[i], gr[i], q);   \
                        }                                                                \
                        a[m] = s; g[m] = q; b[m] = (vf##S){0};                           \
                    }                                                                    \
                    /* longitudes k and k + K/2 together: even factors +, odd factors ± */ \
                    for (int64_t k = 0; k < H; k++) {                                    \
                        const float *phi = p->phi + k * M;                               \
                        vf##S ev = {0}, od = {0}, gev = {0}, god = {0}, u, v;            \
                        for (int64_t m = 0; m < ME; m++) {                               \
                            ev = X3S_FMA((vf##S){0} + phi[m], a[m], ev);                 \
                            if (backward) gev = X3S_FMA((vf##S){0} + phi[m], g[m], gev); \
                        }                                                                \
                        for (int64_t m = ME; m < M; m++) {                               \
                            od = X3S_FMA((vf##S){0} + phi[m], a[m], od);                 \
                            if (backward) god = X3S_FMA((vf##S){0} + phi[m], g[m], god); \
                        }                                                                \
                        if (backward) {                                                  \
                            u = silu_grad_float_lanes_##S(ev + od, gev + god);           \
                            v = silu_grad_float_lanes_##S(ev - od, gev - god);           \
                        } else {                                                         \
                            u = silu_float_lanes_##S(ev + od);                           \
                            v = silu_float_lanes_##S(ev - od);                           \
                        }                                                                \
                        const vf##S sum = u + v, difference = u - v;                     \
                        for (int64_t m = 0; m < ME; m++) b[m] = X3S_FMA((vf##S){0} + phi[m], sum, b[m]); \
                        for (int64_t m = ME; m < M; m++) b[m] = X3S_FMA((vf##S){0} + phi[m], difference, b[m]); \
                    }                                                                    \
                    /* back to the rows: the quadrature forward, the grid's transpose backward */ \
                    const float *wt = backward ? to : back;                              \
                    for (int64_t m = 0; m < M; m++)                                      \
                        for (int64_t i = os[m]; i < os[m + 1]; i++)                      \
                            acc[i] = X3S_FMA((vf##S){0} + wt[i], b[m], acc[i]);          \
                }                                                                        \
                /* row[0] is l = 0, whose output is SiLU of x_0 alone */                 \
                store_##S(oe + j, backward ? acc[0] + silu_grad_lanes_##S(xr[0], gr[0])  \
                                           : silu_lanes_##S(xr[0]), w);                  \
                for (int64_t i = 1; i < R; i++) store_##S(oe + row[i] * channels + j, acc[i], w); \
            }                                                                            \
        }                                                                                \
    }                                                                                    \
    ATTR static void s2_run_##S(const x3s_s2_plan *p, const float *x, const float *dy, int64_t n, \
                                int64_t channels, float *out) {                          \
        const int64_t M = p->orders, ME = p->even_orders;                                \
        if (dy) {                                                                        \
            if (M == 5 && ME == 3) s2_body_##S(p, x, dy, n, channels, out, 5, 3, 1);     \
            else if (M == 7 && ME == 3) s2_body_##S(p, x, dy, n, channels, out, 7, 3, 1); \
            else if (M == 13 && ME == 7) s2_body_##S(p, x, dy, n, channels, out, 13, 7, 1); \
            else s2_body_##S(p, x, dy, n, channels, out, M, ME, 1);                      \
        } else {                                                                         \
            if (M == 5 && ME == 3) s2_body_##S(p, x, 0, n, channels, out, 5, 3, 0);      \
            else if (M == 7 && ME == 3) s2_body_##S(p, x, 0, n, channels, out, 7, 3, 0); \
            else if (M == 13 && ME == 7) s2_body_##S(p, x, 0, n, channels, out, 13, 7, 0); \
            else s2_body_##S(p, x, 0, n, channels, out, M, ME, 0);                       \
        }                                                                                \
    }

#if defined(__x86_64__)
X3S_S2_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_S2_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_S2_KERNELS(4, 4, )

static int valid(const x3s_s2_plan *p) {
    return p->rows >= 1 && p->rows <= MAX_ROWS && p->orders >= 1 && p->orders <= MAX_ORDERS &&
           p->even_orders >= 0 && p->even_orders <= p->orders && p->rings >= 1 && p->half_longitudes >= 1 &&
           p->row[0] == 0 && p->order_start[0] == 0 && p->order_start[p->orders] == p->rows;
}

int x3s_s2_at_width(int width, int backward, const x3s_s2_plan *plan, const float *x, const float *dy,
                    int64_t n, int64_t channels, float *out) {
    if (!valid(plan)) return -1;
    if (width == 0) width = x3s_vector_width();
    if (!x3s_cpu_has_width(width)) return 0;
#if defined(__x86_64__)
    if (width == 16) { s2_run_16(plan, x, backward ? dy : 0, n, channels, out); return 16; }
    if (width == 8) { s2_run_8(plan, x, backward ? dy : 0, n, channels, out); return 8; }
#endif
    s2_run_4(plan, x, backward ? dy : 0, n, channels, out);
    return 4;
}
