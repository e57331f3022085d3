/* Cuts a structure into detection windows and summarises them; then asks for the window
 * around one point, as a GCMC code would for a guest molecule's position.
 *
 *   cc windows_summary.c $(pkg-config --cflags --libs x3mat) -o windows_summary
 *   ./windows_summary LTA.cif [RADIUS=6] [STEP=2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <x3mat.h>

#define CHECK(call)                                                         \
    do {                                                                    \
        x3_status st_ = (call);                                             \
        if (st_ != X3_OK) {                                                 \
            fprintf(stderr, "error (%s): %s\n", x3_status_name(st_), x3_last_error()); \
            return 1;                                                       \
        }                                                                   \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.cif [RADIUS] [STEP]\n", argv[0]);
        return 2;
    }
    double radius = argc > 2 ? atof(argv[2]) : 6.0, step = argc > 3 ? atof(argv[3]) : 2.0;
    x3_structure *s = NULL;
    CHECK(x3_structure_read_cif(argv[1], NULL, &s));

    x3_windows *w = NULL;
    CHECK(x3_windows_sample(s, radius, step, 0, &w));
    int64_t shape[3], count, total;
    CHECK(x3_windows_grid(w, shape, NULL));
    CHECK(x3_windows_count(w, &count));
    CHECK(x3_windows_total_atoms(w, &total));
    int64_t *offsets = malloc(sizeof(int64_t) * (size_t)(count + 1));
    CHECK(x3_windows_offsets(w, offsets, count + 1));
    int64_t lo = total, hi = 0, empty = 0;
    for (int64_t i = 0; i < count; i++) {
        int64_t n = offsets[i + 1] - offsets[i];
        if (n < lo) lo = n;
        if (n > hi) hi = n;
        if (n == 0) empty++;
    }
    printf("windows  R = %.3f A, step %.3f A, grid %lld x %lld x %lld = %lld\n", radius, step,
           (long long)shape[0], (long long)shape[1], (long long)shape[2], (long long)count);
    printf("atoms    %lld in all windows; per window min %lld, mean %.3f, max %lld; empty %lld\n",
           (long long)total, (long long)lo, (double)total / (double)count, (long long)hi, (long long)empty);

    /* one window around a point given in fractional coordinates */
    double point[3] = {0.1, 0.2, 0.3};
    x3_windows *at = NULL;
    CHECK(x3_windows_at(s, radius, 1, point, X3_FRACTIONAL, &at));
    int64_t n = 0;
    CHECK(x3_windows_atom_count(at, 0, &n));
    printf("point    (0.1, 0.2, 0.3): %lld atoms within %.3f A\n", (long long)n, radius);

    free(offsets);
    x3_windows_free(at);
    x3_windows_free(w);
    x3_structure_free(s);
    return 0;
}
