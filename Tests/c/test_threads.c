/* Several threads using libx3mat at once: predictions with one shared model handle equal
 * the serial ones exactly, x3_last_error stays per thread, and concurrent saves of one
 * path each replace the file whole (never a truncated or mixed file, no temporary left).
 *
 *   test_threads MODEL.safetensors A.cif B.cif SCRATCH_DIR
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

enum { THREADS = 8 };

static x3_model *model;
static x3_structure *structures[2];
static double serial[2][8];
static int64_t ntargets;
static const char *scratch;
static pthread_barrier_t barrier;

typedef struct {
    int id;
    int mismatches, errors_wrong, saves_failed;
} job;

static void *work(void *arg) {
    job *j = arg;
    char path[512], expected[64];
    /* threads 0, 2, 4, 6 predict the first structure, 1, 3, 5, 7 the second, all at once */
    pthread_barrier_wait(&barrier);
    double p[8];
    int k = j->id % 2;
    if (x3_model_predict(model, structures[k], p) != X3_OK) j->mismatches++;
    else
        for (int64_t t = 0; t < ntargets; t++)
            if (p[t] != serial[k][t]) j->mismatches++;
    /* every thread fails on its own file, waits until all have failed, then reads its message */
    snprintf(path, sizeof path, "/nonexistent/thread-%d.cif", j->id);
    snprintf(expected, sizeof expected, "thread-%d.cif", j->id);
    x3_structure *s = NULL;
    if (x3_structure_read_cif(path, NULL, &s) != X3_ERR_IO) j->errors_wrong++;
    pthread_barrier_wait(&barrier);
    if (strstr(x3_last_error(), expected) == NULL) j->errors_wrong++;
    /* all threads save the model to one path at once */
    snprintf(path, sizeof path, "%s/shared.safetensors", scratch);
    pthread_barrier_wait(&barrier);
    for (int round = 0; round < 3; round++)
        if (x3_model_save(model, path) != X3_OK) j->saves_failed++;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s MODEL A.cif B.cif SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    scratch = argv[4];
    /* an empty scratch folder */
    mkdir(scratch, 0755);
    DIR *old = opendir(scratch);
    for (struct dirent *e; old && (e = readdir(old));) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
        if (e->d_name[0] != '.') unlink(p);
    }
    if (old) closedir(old);
    EXPECT(x3_model_load(argv[1], &model) == X3_OK);
    EXPECT(x3_structure_read_cif(argv[2], NULL, &structures[0]) == X3_OK);
    EXPECT(x3_structure_read_cif(argv[3], NULL, &structures[1]) == X3_OK);
    if (failures) return 1;
    EXPECT(x3_model_sizes(model, NULL, &ntargets) == X3_OK && ntargets >= 1 && ntargets <= 8);
    for (int k = 0; k < 2; k++) EXPECT(x3_model_predict(model, structures[k], serial[k]) == X3_OK);

    pthread_barrier_init(&barrier, NULL, THREADS);
    pthread_t threads[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.id = i};
        pthread_create(&threads[i], NULL, work, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        EXPECT(jobs[i].mismatches == 0);
        EXPECT(jobs[i].errors_wrong == 0);
        EXPECT(jobs[i].saves_failed == 0);
    }

    /* the file left by the concurrent saves is whole, and nothing else is left beside it */
    char path[512];
    snprintf(path, sizeof path, "%s/shared.safetensors", scratch);
    x3_model *back = NULL;
    EXPECT(x3_model_load(path, &back) == X3_OK);
    double p[8];
    EXPECT(back && x3_model_predict(back, structures[0], p) == X3_OK && p[0] == serial[0][0]);
    x3_model_free(back);
    DIR *d = opendir(scratch);
    int others = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "shared.safetensors") != 0) others++;
    if (d) closedir(d);
    EXPECT(others == 0);

    x3_structure_free(structures[0]);
    x3_structure_free(structures[1]);
    x3_model_free(model);
    printf("%d threads: %d checks, %d failed\n", THREADS, checks, failures);
    return failures ? 1 : 0;
}
