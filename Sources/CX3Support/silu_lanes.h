/* SiLU and its derivative on one vector of W float lanes, shared by the elementwise SiLU
 * kernels (vector_math.c) and the S2 activation (s2_activation.c).
 *
 * The arithmetic is done in double lanes and each result rounded to float once, so SiLU
 * and its derivative come out within about half a float ulp (closer than float expf and
 * float arithmetic give). exp(x): x = n ln 2 + r with |r| <= ln 2 / 2 (n rounded by
 * adding 1.5 * 2^52; ln 2 split in two parts so that n ln 2 is exact), the degree-7 Taylor
 * polynomial of e^r (truncation error below 6e-9 relative, far under a float ulp),
 * scaled by 2^n through the exponent bits; x is clamped to [-700, 700], beyond which the
 * float results are 0, x or infinity anyway. A NaN input gives NaN.
 *
 * The float-lane versions (silu_float_lanes, silu_grad_float_lanes) do the same in float
 * lanes, twice the lanes per instruction: exp(x) with x clamped to [-87, 88] (where e^x
 * stays a normal float), the same reduction and polynomial, then x / (1 + e^-x). They are
 * within a few float ulps (SiLU: 2.4 at most over 32 million inputs in [-30, 30]; the
 * tests bound both by 4 ulps, the derivative also by 4e-8 absolute near its root at
 * x = -1.28), for sums that lose more than that anyway (the S2 grid's quadrature).
 *
 * Every width computes each lane with the same operations in the same order, fused
 * multiply-adds at the same places and contraction off elsewhere (a width without FMA
 * instructions gets libm's fma, which is correctly rounded too), so results do not depend
 * on the width: the same numbers on any x86-64 CPU. */
#ifndef X3S_SILU_LANES_H
#define X3S_SILU_LANES_H
#include "vector_lanes.h"

#pragma STDC FP_CONTRACT OFF

#define X3S_FMA(a, b, c) __builtin_elementwise_fma(a, b, c)

/* OUT = exp(IN) in double lanes (D: W doubles, DI: W int64), as described above; a
 * macro rather than a function, so that no wide vector is passed by value. */
#define X3S_EXP(D, DI, IN, OUT)                                                          \
    do {                                                                                 \
        const D one_ = (D){0} + 1.0;                                                     \
        D x_ = __builtin_elementwise_min(__builtin_elementwise_max(IN, (D){0} - 700.0),  \
                                         (D){0} + 700.0);                                \
        D t_ = X3S_FMA(x_, one_ * 1.4426950408889634, one_ * 6755399441055744.0);        \
        D n_ = t_ - 6755399441055744.0;                                                  \
        D r_ = X3S_FMA(n_, one_ * 2.1219444005469058e-4, X3S_FMA(n_, one_ * -0.693359375, x_)); \
        D p_ = one_ * (1.0 / 5040.0);                                                    \
        p_ = X3S_FMA(p_, r_, one_ * (1.0 / 720.0));                                      \
        p_ = X3S_FMA(p_, r_, one_ * (1.0 / 120.0));                                      \
        p_ = X3S_FMA(p_, r_, one_ * (1.0 / 24.0));                                       \
        p_ = X3S_FMA(p_, r_, one_ * (1.0 / 6.0));                                        \
        p_ = X3S_FMA(p_, r_, one_ * 0.5);                                                \
        p_ = X3S_FMA(p_, r_, one_);                                                      \
        p_ = X3S_FMA(p_, r_, one_);                                                      \
        DI bits_ = ((DI)t_ - 0x4338000000000000LL + 1023) << 52;                         \
        OUT = p_ * (D)bits_;                                                             \
    } while (0)

/* OUT = exp(IN) in float lanes (F: W floats, FI: W int32), as X3S_EXP. */
#define X3S_EXP_FLOAT(F, FI, IN, OUT)                                                    \
    do {                                                                                 \
        const F one_ = (F){0} + 1.0f;                                                    \
        F x_ = __builtin_elementwise_min(__builtin_elementwise_max(IN, one_ * -87.0f), one_ * 88.0f); \
        F t_ = X3S_FMA(x_, one_ * 1.44269504f, one_ * 12582912.0f);                     \
        F n_ = t_ - 12582912.0f;                                                         \
        F r_ = X3S_FMA(n_, one_ * 2.12194440e-4f, X3S_FMA(n_, one_ * -0.693359375f, x_)); \
        F p_ = one_ * (1.0f / 5040.0f);                                                  \
        p_ = X3S_FMA(p_, r_, one_ * (1.0f / 720.0f));                                    \
        p_ = X3S_FMA(p_, r_, one_ * (1.0f / 120.0f));                                    \
        p_ = X3S_FMA(p_, r_, one_ * (1.0f / 24.0f));                                     \
        p_ = X3S_FMA(p_, r_, one_ * (1.0f / 6.0f));                                      \
        p_ = X3S_FMA(p_, r_, one_ * 0.5f);                                               \
        p_ = X3S_FMA(p_, r_, one_);                                                      \
        p_ = X3S_FMA(p_, r_, one_);                                                      \
        FI bits_ = ((FI)t_ - 0x4B400000 + 127) << 23;                                    \
        OUT = p_ * (F)bits_;                                                             \
    } while (0)

/* One width: the lanes of vector_lanes.h, W doubles (vd##S), W int64 (vi##S) and W int32
 * (vj##S), and the lane functions
 * silu_lanes_##S(x) = x sigmoid(x) and silu_grad_lanes_##S(x, g) = g sigmoid(x)
 * (1 + x (1 - sigmoid(x))), and their float-lane versions silu_float_lanes_##S and
 * silu_grad_float_lanes_##S. ATTR is the target attribute. */
#define X3S_SILU_LANES(S, W, ATTR)                                                       \
    X3S_LANES(S, W, ATTR)                                                                \
    typedef double vd##S __attribute__((vector_size(8 * W), aligned(8)));                \
    typedef int64_t vi##S __attribute__((vector_size(8 * W), aligned(8)));               \
    typedef int32_t vj##S __attribute__((vector_size(4 * W), aligned(4)));               \
    ATTR __attribute__((always_inline)) static inline vf##S silu_lanes_##S(vf##S xf) {   \
        vd##S v = __builtin_convertvector(xf, vd##S), e;                                 \
        X3S_EXP(vd##S, vi##S, -v, e);                                                    \
        vd##S s = 1.0 / (1.0 + e);                                                       \
        return __builtin_convertvector(v * s, vf##S);                                    \
    }                                                                                    \
    ATTR __attribute__((always_inline)) static inline vf##S silu_grad_lanes_##S(vf##S xf, vf##S gf) { \
        vd##S v = __builtin_convertvector(xf, vd##S), g = __builtin_convertvector(gf, vd##S), e; \
        X3S_EXP(vd##S, vi##S, -v, e);                                                    \
        vd##S s = 1.0 / (1.0 + e);                                                       \
        return __builtin_convertvector(g * s * (1.0 + v * (1.0 - s)), vf##S);            \
    }                                                                                    \
    ATTR __attribute__((always_inline)) static inline vf##S silu_float_lanes_##S(vf##S x) { \
        vf##S e;                                                                         \
        X3S_EXP_FLOAT(vf##S, vj##S, -x, e);                                              \
        return x / (1.0f + e);                                                           \
    }                                                                                    \
    ATTR __attribute__((always_inline)) static inline vf##S silu_grad_float_lanes_##S(vf##S x, vf##S g) { \
        vf##S e;                                                                         \
        X3S_EXP_FLOAT(vf##S, vj##S, -x, e);                                              \
        vf##S s = 1.0f / (1.0f + e);  /* 1 - s = e s, without the cancellation */        \
        return g * s * X3S_FMA(x, e * s, (vf##S){0} + 1.0f);                             \
    }

#endif
