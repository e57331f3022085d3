/* Reads a structure from a CIF file and prints its formula, cell and density; then
 * builds the same structure from arrays, the way a simulation code hands its own data
 * to libx3mat, and checks that both agree.
 *
 *   cc structure_info.c $(pkg-config --cflags --libs x3mat) -o structure_info
 *   ./structure_info LTA.cif
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <x3mat.h>

#define CHECK(call)                                                                    \
    do {                                                                               \
        x3_status status_ = (call);                                                    \
        if (status_ != X3_OK) {                                                        \
            fprintf(stderr, "%s: %s\n", x3_status_name(status_), x3_last_error());     \
            return 1;                                                                  \
        }                                                                              \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.cif\n", argv[0]);
        return 2;
    }
    x3_structure *s = NULL;
    CHECK(x3_structure_read_cif(argv[1], NULL, &s));

    char formula[256];
    int64_t natoms = 0;
    double params[6], density = 0, volume = 0;
    CHECK(x3_structure_formula(s, formula, sizeof formula, NULL));
    CHECK(x3_structure_atom_count(s, &natoms));
    CHECK(x3_structure_cell_parameters(s, params));
    CHECK(x3_structure_volume(s, &volume));
    CHECK(x3_structure_density(s, &density));
    printf("libx3mat %s\n", x3_version());
    printf("formula  %s (%lld atoms)\n", formula, (long long)natoms);
    printf("cell     a=%.4f b=%.4f c=%.4f A  alpha=%.3f beta=%.3f gamma=%.3f deg\n", params[0],
           params[1], params[2], params[3], params[4], params[5]);
    printf("volume   %.3f A^3\n", volume);
    printf("density  %.4f g/cm3\n", density);

    /* The same structure from arrays (Cartesian positions in A, atomic numbers). */
    double cell[9];
    double *xyz = malloc(sizeof(double) * 3 * (size_t)natoms);
    int32_t *z = malloc(sizeof(int32_t) * (size_t)natoms);
    CHECK(x3_structure_cell(s, cell));
    CHECK(x3_structure_positions(s, X3_CARTESIAN, xyz, 3 * natoms));
    CHECK(x3_structure_atomic_numbers(s, z, natoms));
    x3_structure *t = NULL;
    CHECK(x3_structure_from_arrays(cell, natoms, xyz, X3_CARTESIAN, z, &t));
    double density2 = 0;
    CHECK(x3_structure_density(t, &density2));
    printf("from arrays: density %.4f g/cm3 (%s)\n", density2,
           fabs(density2 - density) < 1e-9 ? "same" : "DIFFERENT");

    x3_structure_free(t);
    x3_structure_free(s);
    free(xyz);
    free(z);
    return fabs(density2 - density) < 1e-9 ? 0 : 1;
}
