/* Internal C support for libx3mat. Not installed; not part of the public ABI.
 *
 * - thread-local storage of the last error message (x3_last_error reads it);
 * - CPU feature detection;
 * - the OpenBLAS loader. OpenBLAS chooses its kernels once, in its ELF constructor,
 *   from the CPU or from $OPENBLAS_CORETYPE. Debian's 0.3.21 does not know recent Xeons
 *   and falls back to its slowest kernels there, and a dependency's constructor runs
 *   before ours, so libx3mat does not link OpenBLAS: it sets OPENBLAS_CORETYPE from the
 *   CPU's features (unless the user set it) and then dlopen()s OpenBLAS on first use;
 * - returning the C heap's free memory to the system;
 * - the path of the file this code was loaded from;
 * - vectorised kernels (SiLU, elementwise products and sums, per-edge rotations) with a
 *   run-time choice of the CPU's width. */
#ifndef X3SUPPORT_H
#define X3SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- thread-local last error -------------------------------------------------- */
/** Copies `message` (truncated to the buffer size) into this thread's error slot. */
void x3s_set_last_error(const char *message);
/** This thread's last error message; "" when none. Valid until the next set on this thread. */
const char *x3s_last_error(void);
void x3s_clear_last_error(void);

/* ---- CPU features ------------------------------------------------------------- */
int x3s_cpu_has_avx2_fma(void);
/** AVX-512 F, CD, BW, DQ and VL: what OpenBLAS's SkylakeX kernels need. */
int x3s_cpu_has_avx512_skx(void);

/* ---- vectorised elementwise kernels (vector_math.c) ------------------------------- */
/** y = x sigmoid(x) over `count` floats (y may be x). */
void x3s_silu_forward(const float *x, int64_t count, float *y);
/** dx = dy sigmoid(x) (1 + x (1 - sigmoid(x))) over `count` floats (dx may alias x or dy). */
void x3s_silu_backward(const float *x, const float *dy, int64_t count, float *dx);
/** Float lanes of the kernels chosen for this CPU: 16 (AVX-512), 8 (AVX2) or 4;
 *  $X3MAT_VECTOR_WIDTH (4, 8 or 16) caps it. */
int x3s_vector_width(void);
/** 1 when this CPU can run the kernels of `width` lanes (16: AVX-512, 8: AVX2 + FMA, 4: always). */
int x3s_cpu_has_width(int width);
/** For tests: the kernel of one width (4, 8 or 16). variant 0: forward (out = SiLU(x), dy
 *  unused); 1: backward (out = dx); 2 and 3: the same in float lanes, as the S2 activation's
 *  grid uses them (within a few float ulps). Returns the width, or 0 when this CPU lacks it. */
int x3s_silu_at_width(int width, int variant, const float *x, const float *dy, int64_t count, float *out);

/* ---- elementwise products and sums (elementwise.c) -------------------------------- */
/** y = a b over n floats (y may be a or b). */
void x3s_mul(const float *a, const float *b, int64_t n, float *y);
/** y += a b over n floats (the product rounded, then the sum). */
void x3s_mul_add(const float *a, const float *b, int64_t n, float *y);
/** y += a over n floats. */
void x3s_add(const float *a, int64_t n, float *y);
/** y[j] += sum over r = 0, 1, ... rows - 1 (in that order) of x[r ld + j], for j < cols. */
void x3s_sum_rows(const float *x, int64_t rows, int64_t cols, int64_t ld, float *y);
/** For tests: one kernel at one width (4, 8 or 16): op 0 mul, 1 mul_add, 2 add (n = cols),
 *  3 sum_rows (x = a; b unused). Returns the width, or 0 when this CPU lacks it. */
int x3s_elementwise_at_width(int width, int op, const float *a, const float *b, int64_t rows, int64_t cols,
                             int64_t ld, float *y);

/* ---- the S2 activation, fused (s2_activation.c) ---------------------------------- */
enum { X3S_S2_MAX_ROWS = 64, X3S_S2_MAX_ORDERS = 16 };
/** The S2 activation's grid, factored. Feature row r (of `rows`; row 0 is l = 0) has one
 *  of `orders` longitude factors; row[order_start[o]] ... row[order_start[o + 1] - 1] are
 *  the rows of factor o (row[0] = 0). With i the position of r in `row`, the grid values
 *  of coefficients x are f(t, k) = sum_r to_grid[t rows + i] phi_o(k) x_r and the
 *  projection back is y_r = sum_{t, k} from_grid[t rows + i] phi_o(k) SiLU(f(t, k)), for
 *  `rings` latitudes t and 2 half_longitudes longitudes k; from_grid is zero at i = 0.
 *  phi[k orders + o] holds factor o at longitude k < half_longitudes; at longitude
 *  k + half_longitudes it is the same times +1 for o < even_orders and -1 for the others. */
typedef struct x3s_s2_plan {
    int64_t rows, rings, half_longitudes, orders, even_orders;
    const int32_t *row, *order_start;
    const float *to_grid, *from_grid, *phi;
} x3s_s2_plan;
/** The S2 activation of n feature rows x [n, rows, channels] at `width` lanes (4, 8 or 16;
 *  0: this CPU's). Forward (dy NULL): out = y, row 0 SiLU(x_0), rows r >= 1 the
 *  projection above. Backward: out = dx for output gradient dy. out may be x or dy.
 *  Returns the width, 0 when this CPU lacks it, -1 for a plan out of range (rows >
 *  X3S_S2_MAX_ROWS, orders > X3S_S2_MAX_ORDERS, row[0] != 0). */
int x3s_s2_at_width(int width, int backward, const x3s_s2_plan *plan, const float *x, const float *dy,
                    int64_t n, int64_t channels, float *out);

/* ---- the gate activation (gate_activation.c) ------------------------------------- */
enum { X3S_GATE_MAX_DEGREE = 16 };
/** The gate activation of `rows` feature rows x [rows, k, channels] with gate
 *  pre-activations g [rows, gates, channels]; row i's degree is degree[i] (degree[0] = 0,
 *  1 <= degree[i] <= gates otherwise). Forward (dy NULL): out_0 = SiLU(x_0), out_i =
 *  sigmoid(g_{degree[i]-1}) x_i. Backward: out = dx for output gradient dy, and
 *  dg [rows, gates, channels] = sigmoid'(g_l) sum over the rows i of degree l + 1 of
 *  dy_i x_i. width 4, 8 or 16, or 0 for this CPU's. Returns the width, 0 when this CPU
 *  lacks it, -1 for gates or degrees out of range. out aliases neither x nor dy. */
int x3s_gate_at_width(int width, const float *x, const float *g, const float *dy, int64_t rows, int64_t k,
                      int64_t gates, int64_t channels, const int32_t *degree, float *out, float *dg);

/* ---- layer normalisation (layer_norm.c) ------------------------------------------- */
/** Layer normalisation of `rows` rows of `features`: forward (dy NULL): out = (x - mean)
 *  / sqrt(variance + eps) gain + bias. Backward: grad_gain and grad_bias accumulate (+=)
 *  the parameter gradients for output gradient dy, and out (unless NULL) receives dx.
 *  width 4, 8 or 16, or 0 for this CPU's; returns the width, 0 when this CPU lacks it. */
int x3s_layer_norm_at_width(int width, const float *x, const float *dy, int64_t rows, int64_t features,
                            const float *gain, const float *bias, float eps, float *out, float *grad_gain,
                            float *grad_bias);

/* ---- the equivariant RMS norm (rms_norm.c) --------------------------------------- */
/** The equivariant RMS norm of `rows` rows of l-major features [(lmax+1)^2, channels],
 *  gain [lmax+1, channels], bias [channels]: forward (dy NULL) out = y; backward:
 *  grad_gain and grad_bias accumulate (+=) and out (unless NULL) receives dx. width 4, 8
 *  or 16, or 0 for this CPU's; returns the width, 0 when this CPU lacks it. */
int x3s_rms_norm_at_width(int width, const float *x, const float *dy, int64_t rows, int64_t lmax, int64_t channels,
                          const float *gain, const float *bias, float eps, float *out, float *grad_gain,
                          float *grad_bias);

/* ---- per-edge rotations (edge_rotations.c) ---------------------------------------- */
/** The rows of one edge's rotation: row r has width[r] coefficients at
 *  blocks[e * per_edge + coef[r]], pairs full l-major rows src0[r] ... src0[r] + width[r] - 1
 *  with m-major row dst[r]. */
typedef struct x3s_rotation {
    const float *blocks;
    int64_t per_edge, rows;
    const int32_t *coef, *width, *src0, *dst;
} x3s_rotation;
/** Per-edge weights that multiply rotated values: m-major row p of edge e, channel k of
 *  the output row, has weight weights[e * stride + offset[p] + k]. */
typedef struct x3s_modulation {
    const float *weights;
    int64_t stride;
    const int32_t *offset;
} x3s_modulation;
/** out[e, dst[r], offset + ch] = v = sum_j w_rj x[node(e), src0[r] + j, ch] for ch < channels;
 *  node(e) = nodes[e], or e when nodes is NULL; x has x_rows rows of `channels` per node,
 *  out has out_rows rows of out_channels per edge. With a modulation, also
 *  modulated[e, dst[r], offset + ch] = v times its weight (channel k = offset + ch), laid
 *  out as out; out may then be NULL. */
void x3s_rotate_in(const x3s_rotation *rotation, int64_t edges, const float *x, int64_t x_rows,
                   const int32_t *nodes, int64_t channels, const x3s_modulation *modulation, float *out,
                   float *modulated, int64_t out_rows, int64_t out_channels, int64_t channel_offset);
/** The adjoint: y[node(e), src0[r] + j, ch] += w_rj * scale * g[e, dst[r], offset + ch];
 *  with zero_first, each y[node(e)] is zeroed before its edge adds (nodes NULL: y per edge).
 *  Edges adding to one node run in order, so sums are deterministic. */
void x3s_rotate_back(const x3s_rotation *rotation, int64_t edges, const float *g, int64_t g_rows,
                     int64_t g_channels, int64_t channel_offset, const int32_t *nodes, float scale,
                     int zero_first, float *y, int64_t y_rows, int64_t channels);
/** For tests: the kernels of one width (4, 8 or 16); 0 when this CPU lacks it, else the width. */
int x3s_rotate_in_at_width(int width, const x3s_rotation *rotation, int64_t edges, const float *x, int64_t x_rows,
                           const int32_t *nodes, int64_t channels, const x3s_modulation *modulation, float *out,
                           float *modulated, int64_t out_rows, int64_t out_channels, int64_t channel_offset);
int x3s_rotate_back_at_width(int width, const x3s_rotation *rotation, int64_t edges, const float *g,
                             int64_t g_rows, int64_t g_channels, int64_t channel_offset, const int32_t *nodes,
                             float scale, int zero_first, float *y, int64_t y_rows, int64_t channels);

/* ---- OpenBLAS ----------------------------------------------------------------- */
/** Loads OpenBLAS once (thread-safe). Returns 0 on success, -1 with x3s_blas_error(). */
int x3s_blas_load(void);
/** Why loading failed ("" if it did not). */
const char *x3s_blas_error(void);
/** The kernel family OpenBLAS runs, e.g. "Haswell", "SkylakeX"; "" before loading. */
const char *x3s_blas_corename(void);
/** How the kernel family was chosen: "user" ($OPENBLAS_CORETYPE was set before
 *  libx3mat loaded OpenBLAS), "libx3mat" (set by us from the CPU's features),
 *  "openblas" (OpenBLAS's own detection: no AVX2 on this CPU, or OpenBLAS was already
 *  loaded by the host program). "" before loading. */
const char *x3s_blas_coretype_source(void);
/** Path or name of the OpenBLAS library that was loaded. */
const char *x3s_blas_library(void);
void x3s_blas_set_threads(int n);
int x3s_blas_get_threads(void);

/* C = alpha * op(A) op(B) + beta * C, all row-major (CBLAS semantics). trans: 0 or 1.
 * The caller must have had x3s_blas_load() return 0. */
void x3s_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a,
               int lda, const float *b, int ldb, float beta, float *c, int ldc);
void x3s_dgemm(int transA, int transB, int m, int n, int k, double alpha, const double *a,
               int lda, const double *b, int ldb, double beta, double *c, int ldc);

/* ---- memory ------------------------------------------------------------------- */
/** Returns the C allocator's free memory to the system (glibc's malloc_trim); a no-op
 *  with other C libraries. */
void x3s_release_heap(void);

/* ---- location ----------------------------------------------------------------- */
/** The file libx3mat's code was loaded from (libx3mat.so, or a program that links it
 *  statically), as the dynamic loader names it; "" if unknown. */
const char *x3s_library_path(void);

#ifdef __cplusplus
}
#endif
#endif
