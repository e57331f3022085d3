/* Predicts a structure's property with a trained model and lists the windows that
 * contribute most, with their centres.
 *
 *   cc predict.c -I$PREFIX/include -L$PREFIX/lib -lx3mat
 *   ./a.out models/iza-ar-uptake.safetensors LTA.cif
 */
#include <stdio.h>
#include <stdlib.h>

#include "x3mat.h"

static int fail(const char *what) {
    fprintf(stderr, "error: %s: %s\n", what, x3_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL.safetensors FILE.cif\n", argv[0]);
        return 2;
    }
    x3_model *model = NULL;
    x3_structure *s = NULL;
    x3_windows *w = NULL;
    if (x3_model_load(argv[1], &model) != X3_OK) return fail(argv[1]);
    if (x3_structure_read_cif(argv[2], NULL, &s) != X3_OK) return fail(argv[2]);
    int64_t ntargets = 0, nwindows = 0;
    x3_model_sizes(model, NULL, &ntargets);

    /* count the windows, then evaluate them */
    if (x3_model_contributions(model, s, &nwindows, NULL, 0, NULL) != X3_OK) return fail("count");
    double *c = malloc(sizeof(double) * (size_t)(nwindows * ntargets));
    double *property = malloc(sizeof(double) * (size_t)ntargets);
    if (x3_model_contributions(model, s, &nwindows, c, nwindows * ntargets, property) != X3_OK)
        return fail("contributions");
    printf("property 1 = %.4f (mean of %lld windows)\n", property[0], (long long)nwindows);

    /* the same number from x3_model_predict */
    double check = 0;
    if (x3_model_predict(model, s, &check) != X3_OK) return fail("predict");
    if (check != property[0]) return fail("x3_model_predict disagrees");

    /* the three windows with the highest contribution to target 1, and where they are */
    if (x3_model_windows(model, s, &w) != X3_OK) return fail("windows");
    double *centres = malloc(sizeof(double) * 3 * (size_t)nwindows);
    if (x3_windows_centres(w, X3_CARTESIAN, centres, 3 * nwindows) != X3_OK) return fail("centres");
    int64_t top[3] = {-1, -1, -1};
    for (int64_t i = 0; i < nwindows; i++) {
        for (int k = 0; k < 3; k++) {
            if (top[k] < 0 || c[i * ntargets] > c[top[k] * ntargets]) {
                for (int j = 2; j > k; j--) top[j] = top[j - 1];
                top[k] = i;
                break;
            }
        }
    }
    for (int k = 0; k < 3 && top[k] >= 0; k++) {
        int64_t i = top[k];
        printf("window %lld at (%.2f, %.2f, %.2f) A: contribution %.4f\n", (long long)i, centres[3 * i],
               centres[3 * i + 1], centres[3 * i + 2], c[i * ntargets]);
    }
    free(centres);
    free(c);
    free(property);
    x3_windows_free(w);
    x3_structure_free(s);
    x3_model_free(model);
    return 0;
}
