/* What a simulation code that keeps libx3mat loaded needs: a shipped model by name,
 * contributions at its own window centres, memory it can give back, and no thread
 * started per call.
 *
 *   test_host STRUCTURE.cif
 *
 * - x3_model_find / x3_model_load resolve "iza-ar-uptake" (the source tree's models/);
 * - x3_model_contributions_at at the centres of x3_model_windows's grid (symmetry off)
 *   equals x3_model_contributions row by row, from fractional and from Cartesian centres,
 *   and from centres shifted by whole cell vectors; no centres is a valid empty request;
 * - x3_release_memory leaves later predictions bit-for-bit unchanged;
 * - twenty predictions in a row leave the number of threads of the process unchanged
 *   after the first (counted in /proc/self/task). */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: test_host STRUCTURE.cif\n"); return 2; }
    char path[4096];
    int64_t length = 0;
    EXPECT(x3_model_find("iza-ar-uptake", path, sizeof path, &length) == X3_OK);
    EXPECT(length > 0 && strstr(path, "/iza-ar-uptake.safetensors") != NULL);
    x3_model *model = NULL;
    x3_structure *s = NULL;
    EXPECT(x3_model_load("iza-ar-uptake", &model) == X3_OK);
    EXPECT(x3_structure_read_cif(argv[1], NULL, &s) == X3_OK);
    if (!model || !s) { printf("setup failed\n"); return 1; }

    /* every window of the plain grid, and their centres */
    EXPECT(x3_set_symmetry(0, 0.01) == X3_OK);
    int64_t n = 0, t = 0;
    EXPECT(x3_model_sizes(model, NULL, &t) == X3_OK && t == 1);
    EXPECT(x3_model_contributions(model, s, &n, NULL, 0, NULL) == X3_OK && n > 0);
    double *grid = malloc(sizeof(double) * (size_t)n);
    double *frac = malloc(sizeof(double) * 3 * (size_t)n), *cart = malloc(sizeof(double) * 3 * (size_t)n);
    double *at = malloc(sizeof(double) * (size_t)n);
    double property = 0;
    EXPECT(x3_model_contributions(model, s, &n, grid, n, &property) == X3_OK);
    x3_windows *w = NULL;
    EXPECT(x3_model_windows(model, s, &w) == X3_OK);
    EXPECT(x3_windows_centres(w, X3_FRACTIONAL, frac, 3 * n) == X3_OK);
    EXPECT(x3_windows_centres(w, X3_CARTESIAN, cart, 3 * n) == X3_OK);
    x3_windows_free(w);

    double worst = 0;
    EXPECT(x3_model_contributions_at(model, s, X3_FRACTIONAL, n, frac, at, n) == X3_OK);
    for (int64_t i = 0; i < n; i++) worst = fmax(worst, fabs(at[i] - grid[i]));
    printf("fractional centres: max |difference| %.3g over %lld windows\n", worst, (long long)n);
    EXPECT(worst <= 1e-6);

    worst = 0;
    EXPECT(x3_model_contributions_at(model, s, X3_CARTESIAN, n, cart, at, n) == X3_OK);
    for (int64_t i = 0; i < n; i++) worst = fmax(worst, fabs(at[i] - grid[i]));
    printf("Cartesian centres: max |difference| %.3g\n", worst);
    EXPECT(worst <= 1e-6);

    /* no centres: a valid empty request */
    EXPECT(x3_model_contributions_at(model, s, X3_FRACTIONAL, 0, NULL, NULL, 0) == X3_OK);

    /* a centre moved by a lattice vector is the same window */
    for (int64_t i = 0; i < n; i++) { frac[3 * i] += 2; frac[3 * i + 1] -= 1; frac[3 * i + 2] += 5; }
    worst = 0;
    EXPECT(x3_model_contributions_at(model, s, X3_FRACTIONAL, n, frac, at, n) == X3_OK);
    for (int64_t i = 0; i < n; i++) worst = fmax(worst, fabs(at[i] - grid[i]) / fmax(1, fabs(grid[i])));
    printf("shifted centres: max relative difference %.3g\n", worst);
    EXPECT(worst <= 1e-6);  /* the window's atoms are found from other cell images: float rounding */

    /* releasing memory changes nothing, and threads are reused between calls */
    double before = 0, after = 0;
    EXPECT(x3_set_symmetry(1, 0.01) == X3_OK);
    EXPECT(x3_model_predict(model, s, &before) == X3_OK);
    int threads = thread_count();
    for (int k = 0; k < 20; k++) {
        EXPECT(x3_model_predict(model, s, &after) == X3_OK);
        EXPECT(after == before);
        if (k % 5 == 0) EXPECT(x3_release_memory() == X3_OK);
    }
    printf("threads after the first prediction: %d, after 20 more: %d\n", threads, thread_count());
    EXPECT(threads > 0 && thread_count() == threads);

    free(grid); free(frac); free(cart); free(at);
    x3_structure_free(s);
    x3_model_free(model);
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
