#include <stdio.h>
#include <string.h>
#include <x3mat.h>
int main(int argc, char **argv) {
    x3_structure *s = NULL;
    char formula[64];
    if (strcmp(x3_version(), X3_VERSION_STRING) != 0) return 1;
    if (x3_structure_read_cif(argv[1], NULL, &s) != X3_OK) { fprintf(stderr, "%s\n", x3_last_error()); return 1; }
    if (x3_structure_formula(s, formula, sizeof formula, NULL) != X3_OK) return 1;
    printf("consumer: %s\n", formula);
    x3_structure_free(s);
    return 0;
}
