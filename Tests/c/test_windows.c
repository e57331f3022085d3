/* The window API through libx3mat.so, checked against a brute-force search written here:
 * for a skewed triclinic toy crystal, every window's atom set (source atom and image
 * offset) equals the set of images within R found by scanning a box of images wide
 * enough for any centre in the cell. Also: per-window and all-window getters agree, and
 * x3_windows_at reproduces the grid. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x3mat.h>

#include "check.h"

#define NATOMS 5
/* a = (4, 0, 0), b = (3.2, 2.1, 0) (gamma about 33 deg), c = (-1.5, 1.0, 3.6). */
static const double CELL[9] = {4, 0, 0, 3.2, 2.1, 0, -1.5, 1.0, 3.6};
static const double FRAC[NATOMS * 3] = {0.1, 0.2, 0.3, 0.9, 0.05, 0.5, 0.5, 0.5, 0.5,
                                        0.33, 0.77, 0.01, 0.6, 0.4, 0.95};
static const int32_t Z[NATOMS] = {14, 8, 8, 30, 1};
static const double R = 5.0;

static void cart(const double f[3], double r[3]) {
    for (int j = 0; j < 3; j++) r[j] = f[0] * CELL[j] + f[1] * CELL[3 + j] + f[2] * CELL[6 + j];
}

/* Sorted-key comparison helpers: key = (source, n1, n2, n3). */
static int cmp_key(const void *a, const void *b) {
    const int *x = a, *y = b;
    for (int i = 0; i < 4; i++) if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

int main(void) {
    x3_structure *s = NULL;
    EXPECT(x3_structure_from_arrays(CELL, NATOMS, FRAC, X3_FRACTIONAL, Z, &s) == X3_OK);
    x3_windows *w = NULL;
    EXPECT(x3_windows_sample(s, R, 1.5, 0, &w) == X3_OK);
    int64_t shape[3], count, total;
    double step = 0, radius = 0;
    EXPECT(x3_windows_grid(w, shape, &step) == X3_OK && step == 1.5);
    EXPECT(x3_windows_radius(w, &radius) == X3_OK && radius == R);
    EXPECT(x3_windows_count(w, &count) == X3_OK && count == shape[0] * shape[1] * shape[2]);
    /* |a| = 4 -> 3 points, |b| = 3.828 -> 3, |c| = 4.014 -> 3 */
    EXPECT(shape[0] == 3 && shape[1] == 3 && shape[2] == 3);
    EXPECT(x3_windows_total_atoms(w, &total) == X3_OK && total > 0);

    int64_t *offsets = malloc(sizeof(int64_t) * (size_t)(count + 1));
    EXPECT(x3_windows_offsets(w, offsets, count + 1) == X3_OK);
    EXPECT(offsets[0] == 0 && offsets[count] == total);
    int32_t *z = malloc(sizeof(int32_t) * (size_t)total), *src = malloc(sizeof(int32_t) * (size_t)total);
    int32_t *img = malloc(sizeof(int32_t) * 3 * (size_t)total);
    double *pos = malloc(sizeof(double) * 3 * (size_t)total);
    int64_t all = -1;
    EXPECT(x3_windows_atom_count(w, X3_ALL_WINDOWS, &all) == X3_OK && all == total);
    EXPECT(x3_windows_atoms(w, X3_ALL_WINDOWS, z, pos, src, img, total) == X3_OK);
    double *centres = malloc(sizeof(double) * 3 * (size_t)count);
    EXPECT(x3_windows_centres(w, X3_FRACTIONAL, centres, 3 * count) == X3_OK);

    /* Brute force: images |n_i| <= 4 cover any centre in the cell for this cell and R
     * (perpendicular widths >= 1.9 A, so R / width + 1 < 4). */
    int mismatched = 0, boundary = 0;
    int *mine = malloc(sizeof(int) * 4 * 4096), *ref = malloc(sizeof(int) * 4 * 4096);
    for (int64_t win = 0; win < count; win++) {
        int64_t k1 = win / (shape[1] * shape[2]), k2 = (win / shape[2]) % shape[1], k3 = win % shape[2];
        EXPECT(fabs(centres[3 * win] - (double)k1 / shape[0]) < 1e-15);
        EXPECT(fabs(centres[3 * win + 1] - (double)k2 / shape[1]) < 1e-15);
        EXPECT(fabs(centres[3 * win + 2] - (double)k3 / shape[2]) < 1e-15);
        double c[3];
        cart(&centres[3 * win], c);
        int nref = 0;
        for (int j = 0; j < NATOMS; j++)
            for (int n1 = -4; n1 <= 4; n1++)
                for (int n2 = -4; n2 <= 4; n2++)
                    for (int n3 = -4; n3 <= 4; n3++) {
                        double f[3] = {FRAC[3 * j] + n1, FRAC[3 * j + 1] + n2, FRAC[3 * j + 2] + n3}, r[3];
                        cart(f, r);
                        double d = sqrt((r[0] - c[0]) * (r[0] - c[0]) + (r[1] - c[1]) * (r[1] - c[1]) +
                                        (r[2] - c[2]) * (r[2] - c[2]));
                        if (fabs(d - R) < 1e-9) boundary++;
                        if (d <= R) {
                            int *k = &ref[4 * nref++];
                            k[0] = j; k[1] = n1; k[2] = n2; k[3] = n3;
                        }
                    }
        int nmine = (int)(offsets[win + 1] - offsets[win]);
        for (int e = 0; e < nmine; e++) {
            int64_t g = offsets[win] + e;
            int *k = &mine[4 * e];
            k[0] = src[g]; k[1] = img[3 * g]; k[2] = img[3 * g + 1]; k[3] = img[3 * g + 2];
            EXPECT(z[g] == Z[src[g]]);
            /* position = (f + n) . cell - centre */
            double f[3] = {FRAC[3 * src[g]] + k[1], FRAC[3 * src[g] + 1] + k[2], FRAC[3 * src[g] + 2] + k[3]}, r[3];
            cart(f, r);
            for (int j = 0; j < 3; j++) EXPECT(fabs(r[j] - c[j] - pos[3 * g + j]) < 1e-12);
        }
        /* libx3mat's order is already sorted by (source, image); check, then compare. */
        int sorted = 1;
        for (int e = 1; e < nmine; e++) if (cmp_key(&mine[4 * (e - 1)], &mine[4 * e]) >= 0) sorted = 0;
        EXPECT(sorted);
        qsort(ref, (size_t)nref, sizeof(int) * 4, cmp_key);
        if (nref != nmine || memcmp(ref, mine, sizeof(int) * 4 * (size_t)nref) != 0) mismatched++;

        /* one window alone equals its slice of the all-window arrays */
        int64_t n1 = -1;
        EXPECT(x3_windows_atom_count(w, win, &n1) == X3_OK && n1 == nmine);
        int32_t zz[4096], ss[4096], ii[3 * 4096];
        double pp[3 * 4096];
        EXPECT(x3_windows_atoms(w, win, zz, pp, ss, ii, 4096) == X3_OK);
        EXPECT(memcmp(zz, &z[offsets[win]], sizeof(int32_t) * (size_t)nmine) == 0);
        EXPECT(memcmp(pp, &pos[3 * offsets[win]], sizeof(double) * 3 * (size_t)nmine) == 0);
    }
    EXPECT(mismatched == 0);
    printf("%lld windows, %lld atoms, %d windows differ from brute force, %d image(s) within 1e-9 A of R\n",
           (long long)count, (long long)total, mismatched, boundary);

    /* the same centres given by the caller, in Cartesian form, give the same windows */
    double *cc = malloc(sizeof(double) * 3 * (size_t)count);
    EXPECT(x3_windows_centres(w, X3_CARTESIAN, cc, 3 * count) == X3_OK);
    x3_windows *at = NULL;
    EXPECT(x3_windows_at(s, R, count, cc, X3_CARTESIAN, &at) == X3_OK);
    int64_t total2 = -1;
    EXPECT(x3_windows_total_atoms(at, &total2) == X3_OK && total2 == total);
    int32_t *src2 = malloc(sizeof(int32_t) * (size_t)total);
    EXPECT(x3_windows_atoms(at, X3_ALL_WINDOWS, NULL, NULL, src2, NULL, total) == X3_OK);
    EXPECT(memcmp(src, src2, sizeof(int32_t) * (size_t)total) == 0);
    /* a zero-centre request is legal and empty */
    x3_windows *none = NULL;
    int64_t zero = -1;
    EXPECT(x3_windows_at(s, R, 0, NULL, X3_FRACTIONAL, &none) == X3_OK);
    EXPECT(x3_windows_count(none, &zero) == X3_OK && zero == 0);

    /* thread count: settable, 0 restores the default; the windows do not change */
    EXPECT(x3_set_num_threads(1) == X3_OK && x3_get_num_threads() == 1);
    x3_windows *one = NULL;
    EXPECT(x3_windows_sample(s, R, 1.5, 0, &one) == X3_OK);
    int32_t *src3 = malloc(sizeof(int32_t) * (size_t)total);
    EXPECT(x3_windows_atoms(one, X3_ALL_WINDOWS, NULL, NULL, src3, NULL, total) == X3_OK);
    EXPECT(memcmp(src, src3, sizeof(int32_t) * (size_t)total) == 0);
    EXPECT(x3_set_num_threads(0) == X3_OK && x3_get_num_threads() >= 1);
    EXPECT(x3_set_num_threads(-1) == X3_ERR_INVALID_ARGUMENT);

    x3_windows_free(one);
    x3_windows_free(none);
    x3_windows_free(at);
    x3_windows_free(w);
    x3_windows_free(NULL);
    x3_structure_free(s);
    free(offsets); free(z); free(src); free(img); free(pos); free(centres); free(mine); free(ref);
    free(cc); free(src2); free(src3);
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
