/* W float lanes as a GCC/Clang vector type, for the kernels compiled once per vector width
 * (16: AVX-512, 8: AVX2 + FMA, 4: baseline; see vector_math.c): the type vf##S, loads and
 * stores of n <= W floats (the rest of a load is zero), and total16_##S, the sum of 16
 * partial sums held as 16 / W vectors, added in order 0 ... 15 whatever the width. */
#ifndef X3S_VECTOR_LANES_H
#define X3S_VECTOR_LANES_H
#include <stdint.h>

#pragma STDC FP_CONTRACT OFF

#define X3S_LANES(S, W, ATTR)                                                            \
    typedef float vf##S __attribute__((vector_size(4 * W), aligned(4)));                 \
    ATTR __attribute__((always_inline)) static inline vf##S load_##S(const float *p, int64_t n) { \
        vf##S v = {0};                                                                   \
        if (n == W) { __builtin_memcpy(&v, p, sizeof v); return v; }                    \
        for (int64_t k = 0; k < n; k++) v[k] = p[k];                                     \
        return v;                                                                        \
    }                                                                                    \
    ATTR __attribute__((always_inline)) static inline void store_##S(float *p, vf##S v, int64_t n) { \
        if (n == W) { __builtin_memcpy(p, &v, sizeof v); return; }                      \
        for (int64_t k = 0; k < n; k++) p[k] = v[k];                                     \
    }                                                                                    \
    ATTR __attribute__((always_inline)) static inline float total16_##S(const vf##S *part) { \
        float s = 0;                                                                     \
        for (int q = 0; q < 16 / W; q++)                                                 \
            for (int k = 0; k < W; k++) s = s + part[q][k];                              \
        return s;                                                                        \
    }

#endif
