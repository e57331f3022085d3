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

#define X3S_S2_KERNELS(S, W, ATTR)                                                       \
    X3S_SILU_LANES(S, W, ATTR)                                                           \
    /* a[m] = sum over rows of theta[r] v[r], grouped by order; rows from `first` */     \
    ATTR __attribute__((always_inline)) static inline void by_order_##S(                 \
        const x3s_s2_plan *p, const float *theta, const vf##S *v, int64_t first, vf##S *a) { \
        for (int64_t m = 0; m < p->orders; m++) a[m] = (vf##S){0};                        \
        for (int64_t r = first; r < p->rows; r++)                                        \
            a[p->order[r]] = X3S_FMA((vf##S){0} + theta[r], v[r], a[p->order[r]]);       \
    }                                                                                    \
    /* the even and odd parts of sum_m B_m(k) a[m] */                                    \
    ATTR __attribute__((always_inline)) static inline void parts_##S(                    \
        const x3s_s2_plan *p, const float *phi, const vf##S *a, vf##S *even, vf##S *odd) { \
        vf##S e = {0}, o = {0};                                                          \
        for (int64_t m = 0; m < p->even_orders; m++) e = X3S_FMA((vf##S){0} + phi[m], a[m], e); \
        for (int64_t m = p->even_orders; m < p->orders; m++)                             \
            o = X3S_FMA((vf##S){0} + phi[m], a[m], o);                                   \
        *even = e; *odd = o;                                                             \
    }                                                                                    \
    /* b[m] += B_m(k) (u + v) for even m, B_m(k) (u - v) for odd m */                   \
    ATTR __attribute__((always_inline)) static inline void add_parts_##S(                \
        const x3s_s2_plan *p, const float *phi, vf##S u, vf##S v, vf##S *b) {            \
        vf##S sum = u + v, difference = u - v;                                           \
        for (int64_t m = 0; m < p->even_orders; m++) b[m] = X3S_FMA((vf##S){0} + phi[m], sum, b[m]); \
        for (int64_t m = p->even_orders; m < p->orders; m++)                             \
            b[m] = X3S_FMA((vf##S){0} + phi[m], difference, b[m]);                       \
    }                                                                                    \
    ATTR static void s2_forward_##S(const x3s_s2_plan *p, const float *x, int64_t n,     \
                                    int64_t channels, float *y) {                        \
        const int64_t R = p->rows, H = p->half_longitudes;                               \
        vf##S xr[MAX_ROWS], acc[MAX_ROWS], a[MAX_ORDERS], b[MAX_ORDERS];                 \
        for (int64_t e = 0; e < n; e++) {                                                \
            const float *xe = x + e * R * channels;                                      \
            float *ye = y + e * R * channels;                                            \
            for (int64_t j = 0; j < channels; j += W) {                                  \
                const int64_t w = channels - j < W ? channels - j : W;                   \
                for (int64_t r = 0; r < R; r++) {                                        \
                    xr[r] = load_##S(xe + r * channels + j, w);                          \
                    acc[r] = (vf##S){0};                                                 \
                }                                                                        \
                for (int64_t t = 0; t < p->rings; t++) {                                 \
                    by_order_##S(p, p->to_grid + t * R, xr, 0, a);                       \
                    for (int64_t m = 0; m < p->orders; m++) b[m] = (vf##S){0};           \
                    for (int64_t k = 0; k < H; k++) {                                    \
                        const float *phi = p->phi + k * p->orders;                       \
                        vf##S even, odd;                                                 \
                        parts_##S(p, phi, a, &even, &odd);                               \
                        add_parts_##S(p, phi, silu_float_lanes_##S(even + odd),          \
                                      silu_float_lanes_##S(even - odd), b);              \
                    }                                                                    \
                    const float *back = p->from_grid + t * R;                            \
                    for (int64_t r = 1; r < R; r++)                                      \
                        acc[r] = X3S_FMA((vf##S){0} + back[r], b[p->order[r]], acc[r]);  \
                }                                                                        \
                store_##S(ye + j, silu_lanes_##S(xr[0]), w);                             \
                for (int64_t r = 1; r < R; r++) store_##S(ye + r * channels + j, acc[r], w); \
            }                                                                            \
        }                                                                                \
    }                                                                                    \
    ATTR static void s2_backward_##S(const x3s_s2_plan *p, const float *x, const float *dy, \
                                     int64_t n, int64_t channels, float *dx) {           \
        const int64_t R = p->rows, H = p->half_longitudes;                               \
        vf##S xr[MAX_ROWS], gr[MAX_ROWS], acc[MAX_ROWS];                                 \
        vf##S a[MAX_ORDERS], g[MAX_ORDERS], b[MAX_ORDERS];                               \
        for (int64_t e = 0; e < n; e++) {                                                \
            const float *xe = x + e * R * channels, *ge = dy + e * R * channels;         \
            float *de = dx + e * R * channels;                                           \
            for (int64_t j = 0; j < channels; j += W) {                                  \
                const int64_t w = channels - j < W ? channels - j : W;                   \
                for (int64_t r = 0; r < R; r++) {                                        \
                    xr[r] = load_##S(xe + r * channels + j, w);                          \
                    gr[r] = load_##S(ge + r * channels + j, w);                          \
                    acc[r] = (vf##S){0};                                                 \
                }                                                                        \
                for (int64_t t = 0; t < p->rings; t++) {                                 \
                    const float *to = p->to_grid + t * R;                                \
                    by_order_##S(p, to, xr, 0, a);                                       \
                    /* row 0's output is SiLU of x_0 directly: its gradient skips the grid */ \
                    by_order_##S(p, p->from_grid + t * R, gr, 1, g);                     \
                    for (int64_t m = 0; m < p->orders; m++) b[m] = (vf##S){0};           \
                    for (int64_t k = 0; k < H; k++) {                                    \
                        const float *phi = p->phi + k * p->orders;                       \
                        vf##S even, odd, geven, godd;                                    \
                        parts_##S(p, phi, a, &even, &odd);                               \
                        parts_##S(p, phi, g, &geven, &godd);                             \
                        add_parts_##S(p, phi, silu_grad_float_lanes_##S(even + odd, geven + godd), \
                                      silu_grad_float_lanes_##S(even - odd, geven - godd), b); \
                    }                                                                    \
                    for (int64_t r = 0; r < R; r++)                                      \
                        acc[r] = X3S_FMA((vf##S){0} + to[r], b[p->order[r]], acc[r]);    \
                }                                                                        \
                store_##S(de + j, acc[0] + silu_grad_lanes_##S(xr[0], gr[0]), w);        \
                for (int64_t r = 1; r < R; r++) store_##S(de + r * channels + j, acc[r], w); \
            }                                                                            \
        }                                                                                \
    }

#if defined(__x86_64__)
X3S_S2_KERNELS(16, 16, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))
X3S_S2_KERNELS(8, 8, __attribute__((target("avx2,fma"))))
#endif
X3S_S2_KERNELS(4, 4, )

static int valid(const x3s_s2_plan *p) {
    return p->rows >= 1 && p->rows <= MAX_ROWS && p->orders >= 1 && p->orders <= MAX_ORDERS &&
           p->even_orders >= 0 && p->even_orders <= p->orders && p->rings >= 1 && p->half_longitudes >= 1;
}

int x3s_s2_at_width(int width, int backward, const x3s_s2_plan *plan, const float *x, const float *dy,
                    int64_t n, int64_t channels, float *out) {
    if (!valid(plan)) return -1;
    if (width == 0) width = x3s_vector_width();
    if (!x3s_cpu_has_width(width)) return 0;
#if defined(__x86_64__)
    if (width == 16) {
        if (backward) s2_backward_16(plan, x, dy, n, channels, out); else s2_forward_16(plan, x, n, channels, out);
        return 16;
    }
    if (width == 8) {
        if (backward) s2_backward_8(plan, x, dy, n, channels, out); else s2_forward_8(plan, x, n, channels, out);
        return 8;
    }
#endif
    if (backward) s2_backward_4(plan, x, dy, n, channels, out); else s2_forward_4(plan, x, n, channels, out);
    return 4;
}

int x3s_s2_forward(const x3s_s2_plan *plan, const float *x, int64_t n, int64_t channels, float *y) {
    return x3s_s2_at_width(0, 0, plan, x, NULL, n, channels, y) > 0 ? 0 : -1;
}

int x3s_s2_backward(const x3s_s2_plan *plan, const float *x, const float *dy, int64_t n, int64_t channels,
                    float *dx) {
    return x3s_s2_at_width(0, 1, plan, x, dy, n, channels, dx) > 0 ? 0 : -1;
}
