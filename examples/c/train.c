/* Trains a small model from C with a progress callback, stops it after its first
 * epoch, resumes it to the end, and predicts with the result.
 *
 *   cc train.c -I$PREFIX/include -L$PREFIX/lib -lx3mat
 *   ./a.out ../shared/data/iza runs/c
 */
#include <stdio.h>
#include <string.h>

#include "x3mat.h"

static int32_t report(const x3_training_progress *p, void *user_data) {
    int *stop_after = user_data;
    if (p->phase == X3_PHASE_EPOCH_END) {
        printf("epoch %d/%d: loss %.4f, validation MAE %.4f\n", p->epoch, p->epochs, p->loss, p->validation_mae);
        if (stop_after && p->epoch == *stop_after) return 1; /* ask to stop */
    }
    return 0;
}

static int fail(const char *what) {
    fprintf(stderr, "error: %s: %s\n", what, x3_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA_DIR OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    const char *config = "{\"lmax\": 1, \"mmax\": 1, \"channels\": 8, \"attention_channels\": 8, \"heads\": 2, "
                         "\"value_channels_per_head\": 4, \"ffn_channels\": 8, \"blocks\": 1, \"window_step\": 5}";
    const char *options = "{\"epochs\": 3, \"batch_structures\": 4, \"limit\": 12, \"seed\": 1}";
    int stop_after = 1;
    int32_t finished = -1;
    if (x3_train(argv[1], "ar_uptake_mol_kg", argv[2], config, options, report, &stop_after, &finished) != X3_OK)
        return fail("x3_train");
    printf("stopped: finished = %d\n", finished);
    if (finished != 0) return fail("the callback's stop was ignored");
    if (x3_train(argv[1], "ar_uptake_mol_kg", argv[2], NULL, "{\"resume\": true, \"limit\": 12}", report, NULL,
                 &finished) != X3_OK)
        return fail("resume");
    printf("resumed: finished = %d\n", finished);

    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", argv[2]);
    x3_model *model = NULL;
    x3_structure *s = NULL;
    if (x3_model_load(path, &model) != X3_OK) return fail(path);
    char cif[4096];
    snprintf(cif, sizeof cif, "%s/cif/LTA.cif", argv[1]);
    if (x3_structure_read_cif(cif, NULL, &s) != X3_OK) return fail(cif);
    double y = 0;
    if (x3_model_predict(model, s, &y) != X3_OK) return fail("predict");
    printf("LTA: predicted Ar uptake %.4f mol/kg\n", y);
    x3_structure_free(s);
    x3_model_free(model);
    return 0;
}
