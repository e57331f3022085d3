/* Explains a prediction: the contribution map of target 1 on the window grid (its mean
 * is the predicted property, its maximum the strongest window), then every file of
 * `x3mat explain` (cube and XSF maps, a 2x finer map, histogram, sites) into a folder.
 *
 *   cc explain.c -I$PREFIX/include -L$PREFIX/lib -lx3mat
 *   ./a.out models/iza-ar-uptake.safetensors LTA.cif lta-explained
 */
#include <stdio.h>
#include <stdlib.h>

#include "x3mat.h"

static int fail(const char *what) {
    fprintf(stderr, "error: %s: %s\n", what, x3_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL.safetensors FILE.cif OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    x3_model *model = NULL;
    x3_structure *s = NULL;
    if (x3_model_load(argv[1], &model) != X3_OK) return fail(argv[1]);
    if (x3_structure_read_cif(argv[2], NULL, &s) != X3_OK) return fail(argv[2]);

    /* the map's shape (no evaluation), then its values: C order, k3 fastest */
    int64_t shape[3];
    if (x3_model_map(model, s, 0, NULL, shape, NULL, 0) != X3_OK) return fail("map shape");
    int64_t n = shape[0] * shape[1] * shape[2];
    double *map = malloc(sizeof(double) * (size_t)n);
    if (x3_model_map(model, s, 0, NULL, shape, map, n) != X3_OK) return fail("map");
    double sum = 0;
    int64_t best = 0;
    for (int64_t i = 0; i < n; i++) {
        sum += map[i];
        if (map[i] > map[best]) best = i;
    }
    double property = 0;
    if (x3_model_predict(model, s, &property) != X3_OK) return fail("predict");
    double mean = sum / (double)n;
    if (mean - property > 1e-9 * (1 + property) || property - mean > 1e-9 * (1 + property)) {
        fprintf(stderr, "error: the map's mean %.9f is not the property %.9f\n", mean, property);
        return 1;
    }
    printf("map %lld x %lld x %lld, mean %.6f = property\n", (long long)shape[0], (long long)shape[1],
           (long long)shape[2], mean);
    int64_t k1 = best / (shape[1] * shape[2]), k2 = best / shape[2] % shape[1], k3 = best % shape[2];
    printf("strongest window at fractional (%.3f, %.3f, %.3f): %.4f\n", (double)k1 / (double)shape[0],
           (double)k2 / (double)shape[1], (double)k3 / (double)shape[2], map[best]);

    /* a finer map: 2x per axis, Fourier-interpolated (the same values at the windows) */
    int32_t refine[3] = {2, 2, 2};
    int64_t fine_shape[3];
    if (x3_model_map(model, s, 0, refine, fine_shape, NULL, 0) != X3_OK) return fail("fine shape");
    printf("fine map %lld x %lld x %lld\n", (long long)fine_shape[0], (long long)fine_shape[1], (long long)fine_shape[2]);

    /* every file of `x3mat explain` */
    if (x3_model_explain(model, s, argv[3], "{\"refine\": 2, \"top\": 3}") != X3_OK) return fail("explain");
    printf("wrote %s/explanation.json\n", argv[3]);

    /* a bad request: the error names the option */
    if (x3_model_explain(model, s, argv[3], "{\"strong\": \"medium\"}") == X3_OK) return fail("accepted a bad option");
    printf("refused: %s\n", x3_last_error());

    free(map);
    x3_structure_free(s);
    x3_model_free(model);
    return 0;
}
