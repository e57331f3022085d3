/* The structure API through libx3mat.so: conventions of x3mat.h checked one by one. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x3mat.h>

#include "check.h"

/* Quartz-like toy: hexagonal cell, a = 4.9 Å, c = 5.4 Å. */
static const double HEX[9] = {4.9, 0, 0, -2.45, 4.243524478, 0, 0, 0, 5.4};

static void *thread_error(void *arg) {
    (void)arg;
    x3_structure *s = NULL;
    x3_structure_read_cif("/nonexistent/thread.cif", NULL, &s);
    return strstr(x3_last_error(), "thread.cif") ? (void *)1 : NULL;
}

int main(void) {
    /* version: header and library agree */
    EXPECT(strcmp(x3_version(), X3_VERSION_STRING) == 0);
    int32_t ma = -1, mi = -1, pa = -1;
    x3_version_numbers(&ma, &mi, &pa);
    EXPECT(ma == X3_VERSION_MAJOR && mi == X3_VERSION_MINOR && pa == X3_VERSION_PATCH);
    x3_version_numbers(NULL, NULL, NULL);
    EXPECT(strcmp(x3_status_name(X3_ERR_PARSE), "X3_ERR_PARSE") == 0);
    EXPECT(strcmp(x3_status_name(12345), "X3_UNKNOWN_STATUS") == 0);

    /* elements */
    char sym[4];
    int64_t len = 0;
    int32_t z = 0;
    double r = 0, m = 0;
    EXPECT(x3_element_symbol(14, sym, sizeof sym, &len) == X3_OK && strcmp(sym, "Si") == 0 && len == 2);
    EXPECT(x3_element_atomic_number("ZN", &z) == X3_OK && z == 30);
    EXPECT(x3_element_covalent_radius(8, &r) == X3_OK && r == 0.66);
    EXPECT(x3_element_mass(6, &m) == X3_OK && m == 12.011);

    /* arrays: fractional and Cartesian input describe the same structure */
    double frac[6] = {0.47, 0.0, 0.0, 0.41, 0.27, 0.12};
    int32_t zs[2] = {14, 8};
    double cart[6];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            cart[3 * i + j] = frac[3 * i] * HEX[j] + frac[3 * i + 1] * HEX[3 + j] + frac[3 * i + 2] * HEX[6 + j];
    x3_structure *a = NULL, *b = NULL;
    EXPECT(x3_structure_from_arrays(HEX, 2, frac, X3_FRACTIONAL, zs, &a) == X3_OK);
    EXPECT(x3_structure_from_arrays(HEX, 2, cart, X3_CARTESIAN, zs, &b) == X3_OK);
    double fa[6], fb[6], cb[6], cell[9], p[6], vol = 0;
    EXPECT(x3_structure_positions(a, X3_FRACTIONAL, fa, 6) == X3_OK);
    EXPECT(x3_structure_positions(b, X3_FRACTIONAL, fb, 6) == X3_OK);
    EXPECT(x3_structure_positions(b, X3_CARTESIAN, cb, 6) == X3_OK);
    for (int i = 0; i < 6; i++) {
        EXPECT(fabs(fa[i] - frac[i]) < 1e-15);
        EXPECT(fabs(fb[i] - frac[i]) < 1e-12);
        EXPECT(fabs(cb[i] - cart[i]) < 1e-12);
    }
    /* the cell comes back row-major, rows a, b, c */
    EXPECT(x3_structure_cell(a, cell) == X3_OK && memcmp(cell, HEX, sizeof cell) == 0);
    EXPECT(x3_structure_cell_parameters(a, p) == X3_OK);
    EXPECT(fabs(p[0] - 4.9) < 1e-6 && fabs(p[2] - 5.4) < 1e-12 && fabs(p[5] - 120) < 1e-6);
    /* volume = |a x b| c for this cell, by hand: 4.9 * 4.243524478 * 5.4 */
    EXPECT(x3_structure_volume(a, &vol) == X3_OK && fabs(vol - 4.9 * 4.243524478 * 5.4) < 1e-9);

    /* string-out convention: size query with NULL/0, then exact fit */
    int64_t need = -1;
    EXPECT(x3_structure_formula(a, NULL, 0, &need) == X3_ERR_BUFFER_TOO_SMALL && need == 3);
    char f4[4];
    EXPECT(x3_structure_formula(a, f4, 4, NULL) == X3_OK && strcmp(f4, "OSi") == 0);

    /* empty structure is legal from arrays */
    x3_structure *e = NULL;
    int64_t n = -1;
    EXPECT(x3_structure_from_arrays(HEX, 0, NULL, X3_FRACTIONAL, NULL, &e) == X3_OK);
    EXPECT(x3_structure_atom_count(e, &n) == X3_OK && n == 0);
    EXPECT(x3_structure_positions(e, X3_CARTESIAN, NULL, 0) == X3_OK);
    char ef[4] = "x";
    EXPECT(x3_structure_formula(e, ef, 4, NULL) == X3_OK && ef[0] == '\0');
    x3_structure_free(e);

    /* partial occupancy is kept and reported */
    const char *occ =
        "data_occ\n_cell_length_a 5 _cell_length_b 5 _cell_length_c 5\n"
        "_cell_angle_alpha 90 _cell_angle_beta 90 _cell_angle_gamma 90\n"
        "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
        "_atom_site_occupancy\nC1 0 0 0 1.0\nO1 0.5 0.5 0.5 0.25\n";
    x3_structure *o = NULL;
    int64_t nw = 0;
    double occs[2];
    char w[512];
    EXPECT(x3_structure_parse_cif(occ, NULL, &o) == X3_OK);
    EXPECT(x3_structure_warning_count(o, &nw) == X3_OK && nw == 1);
    EXPECT(x3_structure_warning(o, 0, w, sizeof w, NULL) == X3_OK && strstr(w, "O1") && strstr(w, "0.25"));
    EXPECT(x3_structure_occupancies(o, occs, 2) == X3_OK && occs[0] == 1.0 && occs[1] == 0.25);

    /* P1 writer round trip through a file */
    char path[] = "/tmp/x3mat-roundtrip-XXXXXX";
    int fd = mkstemp(path);
    EXPECT(fd >= 0);
    EXPECT(x3_structure_write_cif(a, path) == X3_OK);
    x3_structure *back = NULL;
    double fr[6];
    EXPECT(x3_structure_read_cif(path, NULL, &back) == X3_OK);
    EXPECT(x3_structure_positions(back, X3_CARTESIAN, fr, 6) == X3_OK);
    for (int i = 0; i < 6; i++) EXPECT(fabs(fr[i] - cart[i]) < 1e-6);
    remove(path);

    /* freeing: NULL is ignored; a second free is reported, not a crash */
    x3_structure_free(NULL);
    x3_structure_free(back);
    x3_clear_error();
    x3_structure_free(back);
    EXPECT(strstr(x3_last_error(), "not a live") != NULL);

    /* last error is per thread */
    x3_clear_error();
    pthread_t t;
    void *seen = NULL;
    pthread_create(&t, NULL, thread_error, NULL);
    pthread_join(t, &seen);
    EXPECT(seen == (void *)1);
    EXPECT(strcmp(x3_last_error(), "") == 0);

    /* OpenBLAS is found and its kernels are not the generic fallback */
    char info[512];
    EXPECT(x3_blas_info(info, sizeof info, NULL) == X3_OK);
    printf("blas: %s\n", info);
    EXPECT(strstr(info, "Prescott") == NULL && strstr(info, "Core2") == NULL);

    x3_structure_free(a);
    x3_structure_free(b);
    x3_structure_free(o);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
