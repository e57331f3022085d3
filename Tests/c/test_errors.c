/* Bad input through the C API: every case must return the documented status, leave the
 * output untouched, and set a last-error message that names the problem (file, line and
 * field for input files). Never a crash.
 *
 *   test_c_errors [SHARED_DATA_DIR]   (the real-file truncation case needs the data) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x3mat.h>

static char dir[256];
static const char *shared;

/* A valid CIF; cases below break it one way at a time. Line numbers are 1-based. */
static const char *GOOD =
    "data_good\n"                         /* 1 */
    "_cell_length_a 5.0\n"                /* 2 */
    "_cell_length_b 6.0\n"                /* 3 */
    "_cell_length_c 7.0\n"                /* 4 */
    "_cell_angle_alpha 90\n"              /* 5 */
    "_cell_angle_beta 90\n"               /* 6 */
    "_cell_angle_gamma 90\n"              /* 7 */
    "loop_\n"                             /* 8 */
    "_atom_site_label\n"                  /* 9 */
    "_atom_site_type_symbol\n"            /* 10 */
    "_atom_site_fract_x\n"                /* 11 */
    "_atom_site_fract_y\n"                /* 12 */
    "_atom_site_fract_z\n"                /* 13 */
    "Si1 Si 0.10 0.20 0.30\n"             /* 14 */
    "O1 O 0.40 0.50 0.60\n";              /* 15 */

static char *replace(const char *text, const char *from, const char *to) {
    const char *at = strstr(text, from);
    if (!at) { fprintf(stderr, "fixture has no '%s'\n", from); exit(3); }
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

/* Writes text to DIR/name and returns the path (static buffer per call site ok). */
static const char *write_file(const char *name, const char *text, size_t len) {
    static char path[8][512];
    static int k = 0;
    char *p = path[k++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
    return p;
}

static x3_structure *SENTINEL = (x3_structure *)0x1;  /* outputs must stay untouched */

static x3_status read_text_file(const char *name, const char *text) {
    x3_structure *out = SENTINEL;
    x3_status st = x3_structure_read_cif(write_file(name, text, strlen(text)), NULL, &out);
    if (out != SENTINEL && st != X3_OK) return (x3_status)-1;
    if (st == X3_OK) x3_structure_free(out);
    return st;
}

static double CUBE[9] = {5, 0, 0, 0, 5, 0, 0, 0, 5};
static double POS[6] = {0.1, 0.1, 0.1, 0.5, 0.5, 0.5};
static int32_t Z[2] = {14, 8};

static x3_status arrays(const double *cell, int64_t n, const double *pos, int32_t coords, const int32_t *z) {
    x3_structure *out = SENTINEL;
    x3_status st = x3_structure_from_arrays(cell, n, pos, coords, z, &out);
    if (out != SENTINEL && st != X3_OK) return (x3_status)-1;
    if (st == X3_OK) x3_structure_free(out);
    return st;
}

static x3_structure *good_structure(void) {
    x3_structure *s = NULL;
    if (x3_structure_parse_cif(GOOD, NULL, &s) != X3_OK) { fprintf(stderr, "fixture: %s\n", x3_last_error()); exit(3); }
    return s;
}

/* ---- the cases ------------------------------------------------------------------ */
static x3_status c_null_path(void) { x3_structure *o = SENTINEL; return x3_structure_read_cif(NULL, NULL, &o); }
static x3_status c_null_out(void) { return x3_structure_read_cif("x.cif", NULL, NULL); }
static x3_status c_null_text(void) { x3_structure *o = SENTINEL; return x3_structure_parse_cif(NULL, NULL, &o); }
static x3_status c_missing_file(void) { x3_structure *o = SENTINEL; return x3_structure_read_cif("/nonexistent/dir/missing.cif", NULL, &o); }
static x3_status c_truncated_loop(void) {
    return read_text_file("truncated.cif", replace(GOOD, "O1 O 0.40 0.50 0.60\n", "O1 O 0.40\n"));
}
static x3_status c_truncated_real(void) {
    char path[1024];
    snprintf(path, sizeof path, "%s/iza/cif/LTA.cif", shared);
    FILE *f = fopen(path, "rb");
    if (!f) return (x3_status)-2;  /* no data: reported as a skip, never as a pass */
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    /* cut in the middle of the last atom row */
    size_t cut = n;
    while (cut > 0 && buf[cut - 1] == '\n') cut--;
    cut -= 10;
    x3_structure *o = SENTINEL;
    return x3_structure_read_cif(write_file("LTA_truncated.cif", buf, cut), NULL, &o);
}
static x3_status c_unclosed_quote(void) {
    return read_text_file("quote.cif", replace(GOOD, "data_good\n", "data_good\n_title 'never closed\n"));
}
static x3_status c_missing_cell_field(void) {
    return read_text_file("nocell.cif", replace(GOOD, "_cell_length_b 6.0\n", ""));
}
static x3_status c_non_numeric_cell(void) {
    return read_text_file("badcell.cif", replace(GOOD, "_cell_length_c 7.0", "_cell_length_c seven"));
}
static x3_status c_non_numeric_coordinate(void) {
    return read_text_file("badcoord.cif", replace(GOOD, "O1 O 0.40 0.50", "O1 O 0.4O 0.50"));
}
static x3_status c_unknown_element(void) {
    return read_text_file("element.cif", replace(GOOD, "O1 O 0.40", "Qq1 Qq 0.40"));
}
static x3_status c_zero_volume_cif(void) {
    return read_text_file("flat.cif", replace(GOOD, "_cell_angle_gamma 90", "_cell_angle_gamma 180"));
}
static x3_status c_impossible_angles_cif(void) {
    return read_text_file("angles.cif", replace(replace(GOOD, "_cell_angle_alpha 90", "_cell_angle_alpha 20"),
                                                "_cell_angle_beta 90", "_cell_angle_beta 30"));
}
static x3_status c_space_group_without_ops(void) {
    return read_text_file("sg.cif", replace(GOOD, "loop_\n", "_symmetry_space_group_name_H-M 'I m m a'\nloop_\n"));
}
static x3_status c_empty_text(void) { x3_structure *o = SENTINEL; return x3_structure_parse_cif("", NULL, &o); }
static x3_status c_wrong_block(void) { x3_structure *o = SENTINEL; return x3_structure_parse_cif(GOOD, "other", &o); }
static x3_status c_zero_volume_arrays(void) {
    double flat[9] = {5, 0, 0, 0, 5, 0, 5, 5, 0};
    return arrays(flat, 2, POS, X3_FRACTIONAL, Z);
}
static x3_status c_nan_cell(void) { double c[9] = {5, 0, 0, 0, NAN, 0, 0, 0, 5}; return arrays(c, 2, POS, X3_FRACTIONAL, Z); }
static x3_status c_null_cell(void) { return arrays(NULL, 2, POS, X3_FRACTIONAL, Z); }
static x3_status c_negative_count(void) { return arrays(CUBE, -1, POS, X3_FRACTIONAL, Z); }
static x3_status c_huge_count(void) { return arrays(CUBE, INT64_MAX, POS, X3_FRACTIONAL, Z); }
static x3_status c_null_positions(void) { return arrays(CUBE, 2, NULL, X3_FRACTIONAL, Z); }
static x3_status c_null_numbers(void) { return arrays(CUBE, 2, POS, X3_FRACTIONAL, NULL); }
static x3_status c_bad_atomic_number(void) { int32_t z[2] = {14, 0}; return arrays(CUBE, 2, POS, X3_FRACTIONAL, z); }
static x3_status c_nan_position(void) { double p[6] = {0.1, 0.1, 0.1, 0.5, NAN, 0.5}; return arrays(CUBE, 2, p, X3_CARTESIAN, Z); }
static x3_status c_bad_coordinates_flag(void) { return arrays(CUBE, 2, POS, 7, Z); }
static x3_status c_positions_buffer_too_small(void) {
    x3_structure *s = good_structure();
    double out[5];
    x3_status st = x3_structure_positions(s, X3_FRACTIONAL, out, 5);
    x3_structure_free(s);
    return st;
}
static x3_status c_formula_buffer_too_small(void) {
    x3_structure *s = good_structure();
    char out[3] = "zz";
    int64_t len = -1;
    x3_status st = x3_structure_formula(s, out, 3, &len);
    x3_structure_free(s);
    if (len != 3 || strcmp(out, "zz") != 0) return (x3_status)-1;  /* "OSi": 3 chars + NUL */
    return st;
}
static x3_status c_null_handle(void) { int64_t n; return x3_structure_atom_count(NULL, &n); }
static x3_status c_null_output(void) {
    x3_structure *s = good_structure();
    x3_status st = x3_structure_density(s, NULL);
    x3_structure_free(s);
    return st;
}
static x3_status c_use_after_free(void) {
    x3_structure *s = good_structure();
    x3_structure_free(s);
    int64_t n = -7;
    x3_status st = x3_structure_atom_count(s, &n);
    return n == -7 ? st : (x3_status)-1;
}
static x3_status c_warning_index(void) {
    x3_structure *s = good_structure();
    char buf[64];
    x3_status st = x3_structure_warning(s, 3, buf, sizeof buf, NULL);
    x3_structure_free(s);
    return st;
}
static x3_status c_element_zero(void) { char b[8]; return x3_element_symbol(0, b, sizeof b, NULL); }
static x3_status c_write_unwritable(void) {
    x3_structure *s = good_structure();
    x3_status st = x3_structure_write_cif(s, "/nonexistent/dir/out.cif");
    x3_structure_free(s);
    return st;
}

/* windows */
static x3_windows *WSENTINEL = (x3_windows *)0x1;
static x3_status sample(double radius, double step, int64_t cap) {
    x3_structure *s = good_structure();
    x3_windows *w = WSENTINEL;
    x3_status st = x3_windows_sample(s, radius, step, cap, &w);
    x3_structure_free(s);
    if (w != WSENTINEL && st != X3_OK) return (x3_status)-1;
    if (st == X3_OK) x3_windows_free(w);
    return st;
}
static x3_status c_window_radius_zero(void) { return sample(0, 2, 0); }
static x3_status c_window_radius_negative(void) { return sample(-6, 2, 0); }
static x3_status c_window_radius_nan(void) { return sample(NAN, 2, 0); }
static x3_status c_window_step_zero(void) { return sample(6, 0, 0); }
static x3_status c_window_step_nan(void) { return sample(6, NAN, 0); }
static x3_status c_window_step_tiny(void) { return sample(6, 1e-300, 0); }
static x3_status c_window_cap(void) { return sample(6, 1, 100); } /* 5 x 6 x 7 = 210 > 100 */
static x3_status c_window_huge_radius(void) { return sample(1e6, 2, 0); }
static x3_status c_window_empty_structure(void) {
    x3_structure *s = NULL;
    if (x3_structure_from_arrays(CUBE, 0, NULL, X3_FRACTIONAL, NULL, &s) != X3_OK) return (x3_status)-1;
    x3_windows *w = WSENTINEL;
    x3_status st = x3_windows_sample(s, 6, 2, 0, &w);
    x3_structure_free(s);
    return w == WSENTINEL ? st : (x3_status)-1;
}
static x3_status c_window_null_structure(void) { x3_windows *w = WSENTINEL; return x3_windows_sample(NULL, 6, 2, 0, &w); }
static x3_status c_window_structure_as_windows(void) {
    x3_structure *s = good_structure();
    int64_t n;
    x3_status st = x3_windows_count((const x3_windows *)s, &n);
    x3_structure_free(s);
    return st;
}
static x3_status c_window_nan_centre(void) {
    x3_structure *s = good_structure();
    double c[6] = {0, 0, 0, 1, NAN, 1};
    x3_windows *w = WSENTINEL;
    x3_status st = x3_windows_at(s, 6, 2, c, X3_CARTESIAN, &w);
    x3_structure_free(s);
    return w == WSENTINEL ? st : (x3_status)-1;
}
static x3_status c_window_null_centres(void) {
    x3_structure *s = good_structure();
    x3_windows *w = WSENTINEL;
    x3_status st = x3_windows_at(s, 6, 3, NULL, X3_CARTESIAN, &w);
    x3_structure_free(s);
    return st;
}
static x3_status c_window_grid_of_given_centres(void) {
    x3_structure *s = good_structure();
    double c[3] = {0, 0, 0};
    int64_t shape[3] = {-1, -1, -1};
    x3_windows *w = NULL;
    if (x3_windows_at(s, 6, 1, c, X3_FRACTIONAL, &w) != X3_OK) return (x3_status)-1;
    x3_status st = x3_windows_grid(w, shape, NULL);
    x3_windows_free(w);
    x3_structure_free(s);
    return shape[0] == -1 ? st : (x3_status)-1;
}
static x3_status c_window_index(void) {
    x3_structure *s = good_structure();
    x3_windows *w = NULL;
    if (x3_windows_sample(s, 6, 2, 0, &w) != X3_OK) return (x3_status)-1;
    int64_t n;
    x3_status st = x3_windows_atom_count(w, 1000, &n);
    x3_windows_free(w);
    x3_structure_free(s);
    return st;
}
static x3_status c_window_atoms_buffer(void) {
    x3_structure *s = good_structure();
    x3_windows *w = NULL;
    if (x3_windows_sample(s, 6, 2, 0, &w) != X3_OK) return (x3_status)-1;
    int32_t z[2] = {-5, -5};
    x3_status st = x3_windows_atoms(w, 0, z, NULL, NULL, NULL, 2);
    x3_windows_free(w);
    x3_structure_free(s);
    return z[0] == -5 ? st : (x3_status)-1;
}

/* site identity */
static x3_status c_hash_edge_range(void) {
    const char *labels[2] = {"Si", "O"};
    int64_t edges[2] = {0, 2};
    char buf[64];
    return x3_wl_hash(2, labels, 1, edges, 3, 16, buf, sizeof buf, NULL);
}
static x3_status c_hash_iterations(void) {
    const char *labels[1] = {"Si"};
    char buf[64];
    return x3_wl_hash(1, labels, 0, NULL, 0, 16, buf, sizeof buf, NULL);
}
static x3_status c_hash_null_label(void) {
    const char *labels[2] = {"Si", NULL};
    char buf[64];
    return x3_wl_hash(2, labels, 0, NULL, 3, 16, buf, sizeof buf, NULL);
}
static x3_status c_hash_digest(void) {
    char buf[256];
    return x3_wl_hash(0, NULL, 0, NULL, 3, 65, buf, sizeof buf, NULL);
}
static x3_status c_site_hashes_bad_removal(void) {
    x3_structure *s = good_structure();
    x3_windows *w = NULL;
    if (x3_windows_sample(s, 6, 2, 0, &w) != X3_OK) return (x3_status)-1;
    char buf[33 * 64];
    x3_status st = x3_windows_site_hashes(w, 1.2, "O:squash", 3, 16, buf, sizeof buf);
    x3_windows_free(w);
    x3_structure_free(s);
    return st;
}
static x3_status c_site_hashes_buffer(void) {
    x3_structure *s = good_structure();
    x3_windows *w = NULL;
    if (x3_windows_sample(s, 6, 2, 0, &w) != X3_OK) return (x3_status)-1;
    char buf[33];
    x3_status st = x3_windows_site_hashes(w, 1.2, "", 3, 16, buf, sizeof buf);
    x3_windows_free(w);
    x3_structure_free(s);
    return st;
}
static x3_status c_site_hashes_tolerance(void) {
    x3_structure *s = good_structure();
    x3_windows *w = NULL;
    if (x3_windows_sample(s, 6, 2, 0, &w) != X3_OK) return (x3_status)-1;
    char buf[33 * 64];
    x3_status st = x3_windows_site_hashes(w, NAN, "", 3, 16, buf, sizeof buf);
    x3_windows_free(w);
    x3_structure_free(s);
    return st;
}
static x3_status c_catalogue_unknown_element(void) {
    x3_catalogue *c = (x3_catalogue *)0x1;
    x3_status st = x3_catalogue_new(1.2, "Xx:delete", 3, 16, 0, NULL, &c);
    return c == (x3_catalogue *)0x1 ? st : (x3_status)-1;
}
static x3_status c_catalogue_missing_values(void) {
    const char *names[1] = {"co2"};
    x3_catalogue *c = NULL;
    if (x3_catalogue_new(1.2, "", 3, 16, 1, names, &c) != X3_OK) return (x3_status)-1;
    x3_structure *s = good_structure();
    x3_windows *w = NULL;
    if (x3_windows_sample(s, 6, 2, 0, &w) != X3_OK) return (x3_status)-1;
    x3_status st = x3_catalogue_add(c, "good", w, NULL, 0);
    x3_windows_free(w);
    x3_structure_free(s);
    x3_catalogue_free(c);
    return st;
}
static x3_status c_catalogue_unwritable(void) {
    x3_catalogue *c = NULL;
    if (x3_catalogue_new(1.2, "", 3, 16, 0, NULL, &c) != X3_OK) return (x3_status)-1;
    x3_status st = x3_catalogue_write(c, "/proc/no/such/dir", -1, 0);
    x3_catalogue_free(c);
    return st;
}

/* models */
static x3_status c_model_unknown_key(void) {
    x3_model *m = (x3_model *)0x1;
    x3_status st = x3_model_create("{\"chanels\": 8}", &m);
    return m == (x3_model *)0x1 ? st : (x3_status)-1;
}
static x3_status c_model_bad_json(void) { x3_model *m = NULL; return x3_model_create("{\"lmax\": }", &m); }
static x3_status c_model_missing_file(void) { x3_model *m = NULL; return x3_model_load("/nonexistent/m.safetensors", &m); }
static x3_status c_model_unknown_name(void) { x3_model *m = NULL; return x3_model_load("no-such-model", &m); }
static x3_status c_model_find_null(void) { char b[8]; return x3_model_find(NULL, b, 8, NULL); }

/* x3_model_contributions_at: a model (shipped, by name) and a small structure */
static x3_status with_model(x3_status (*body)(x3_model *, x3_structure *)) {
    x3_model *m = NULL;
    x3_structure *s = NULL;
    double cell[9] = {8, 0, 0, 0, 8, 0, 0, 0, 8}, pos[6] = {0, 0, 0, 0.5, 0.5, 0.5};
    int32_t z[2] = {14, 8};
    if (x3_model_load("iza-ar-uptake", &m) != X3_OK) return (x3_status)-1;
    if (x3_structure_from_arrays(cell, 2, pos, X3_FRACTIONAL, z, &s) != X3_OK) return (x3_status)-1;
    x3_clear_error();
    x3_status st = body(m, s);
    x3_structure_free(s);
    x3_model_free(m);
    return st;
}
static x3_status at_null_centres(x3_model *m, x3_structure *s) {
    double c[2];
    return x3_model_contributions_at(m, s, X3_CARTESIAN, 2, NULL, c, 2);
}
static x3_status at_nan_centre(x3_model *m, x3_structure *s) {
    double xyz[6] = {1, 1, 1, 2, NAN, 2}, c[2] = {-7, -7};
    x3_status st = x3_model_contributions_at(m, s, X3_CARTESIAN, 2, xyz, c, 2);
    return c[0] == -7 && c[1] == -7 ? st : (x3_status)-1;
}
static x3_status at_small_buffer(x3_model *m, x3_structure *s) {
    double xyz[6] = {1, 1, 1, 2, 2, 2}, c[1];
    return x3_model_contributions_at(m, s, X3_CARTESIAN, 2, xyz, c, 1);
}
static x3_status at_bad_coordinates(x3_model *m, x3_structure *s) {
    double xyz[3] = {1, 1, 1}, c[1];
    return x3_model_contributions_at(m, s, 5, 1, xyz, c, 1);
}
static x3_status at_far_centre(x3_model *m, x3_structure *s) {
    double xyz[3] = {1e7, 0, 0}, c[1];
    return x3_model_contributions_at(m, s, X3_FRACTIONAL, 1, xyz, c, 1);
}
static x3_status at_freed_model(x3_model *m, x3_structure *s) {
    (void)m;
    x3_model *gone = NULL;
    if (x3_model_load("iza-ar-uptake", &gone) != X3_OK) return (x3_status)-1;
    x3_model_free(gone);
    double xyz[3] = {1, 1, 1}, c[1];
    return x3_model_contributions_at(gone, s, X3_CARTESIAN, 1, xyz, c, 1);
}
static x3_status at_null_structure(x3_model *m, x3_structure *s) {
    (void)s;
    double xyz[3] = {1, 1, 1}, c[1];
    return x3_model_contributions_at(m, NULL, X3_CARTESIAN, 1, xyz, c, 1);
}
static x3_status c_at_null_centres(void) { return with_model(at_null_centres); }
static x3_status c_at_nan_centre(void) { return with_model(at_nan_centre); }
static x3_status c_at_small_buffer(void) { return with_model(at_small_buffer); }
static x3_status c_at_bad_coordinates(void) { return with_model(at_bad_coordinates); }
static x3_status c_at_far_centre(void) { return with_model(at_far_centre); }
static x3_status c_at_freed_model(void) { return with_model(at_freed_model); }
static x3_status c_at_null_structure(void) { return with_model(at_null_structure); }

static x3_status c_model_not_safetensors(void) {
    x3_model *m = NULL;
    return x3_model_load(write_file("junk.safetensors", GOOD, strlen(GOOD)), &m);
}

struct test_case {
    const char *name;
    x3_status (*run)(void);
    x3_status expected;
    const char *fragments[3]; /* all must appear in x3_last_error() */
};

static const struct test_case CASES[] = {
    {"NULL path", c_null_path, X3_ERR_NULL_ARGUMENT, {"x3_structure_read_cif", "'path' is NULL"}},
    {"NULL out", c_null_out, X3_ERR_NULL_ARGUMENT, {"'out' is NULL"}},
    {"NULL CIF text", c_null_text, X3_ERR_NULL_ARGUMENT, {"'text' is NULL"}},
    {"missing file", c_missing_file, X3_ERR_IO, {"/nonexistent/dir/missing.cif", "No such file"}},
    {"truncated loop row", c_truncated_loop, X3_ERR_PARSE, {"truncated.cif:15:", "'_atom_site_label'", "incomplete row"}},
    {"truncated real IZA file", c_truncated_real, X3_ERR_PARSE, {"LTA_truncated.cif:", "incomplete row"}},
    {"unclosed quote", c_unclosed_quote, X3_ERR_PARSE, {"quote.cif:2:", "not closed"}},
    {"missing cell field", c_missing_cell_field, X3_ERR_PARSE, {"nocell.cif:1:", "field '_cell_length_b'", "missing"}},
    {"non-numeric cell", c_non_numeric_cell, X3_ERR_PARSE, {"badcell.cif:4:", "field '_cell_length_c'", "'seven' is not a number"}},
    {"non-numeric coordinate", c_non_numeric_coordinate, X3_ERR_PARSE, {"badcoord.cif:15:", "field '_atom_site_fract_x'", "'0.4O'"}},
    {"unknown element", c_unknown_element, X3_ERR_UNKNOWN_ELEMENT, {"element.cif:15:", "field '_atom_site_type_symbol'", "'Qq'"}},
    {"zero-volume cell (CIF)", c_zero_volume_cif, X3_ERR_INVALID_CELL, {"flat.cif:2:", "gamma"}},
    {"impossible angles (CIF)", c_impossible_angles_cif, X3_ERR_INVALID_CELL, {"angles.cif:", "describe no cell"}},
    {"space group without operators", c_space_group_without_ops, X3_ERR_UNSUPPORTED, {"sg.cif:8:", "'I m m a'"}},
    {"empty CIF text", c_empty_text, X3_ERR_PARSE, {"<string>", "no data_ block"}},
    {"unknown data block", c_wrong_block, X3_ERR_INVALID_ARGUMENT, {"'other'", "'good'"}},
    {"zero-volume cell (arrays)", c_zero_volume_arrays, X3_ERR_INVALID_CELL, {"zero volume"}},
    {"NaN in cell", c_nan_cell, X3_ERR_INVALID_CELL, {"non-finite"}},
    {"NULL cell", c_null_cell, X3_ERR_NULL_ARGUMENT, {"'cell' is NULL"}},
    {"negative atom count", c_negative_count, X3_ERR_INVALID_ARGUMENT, {"natoms = -1 is negative"}},
    {"absurd atom count", c_huge_count, X3_ERR_INVALID_ARGUMENT, {"exceeds the limit"}},
    {"NULL positions", c_null_positions, X3_ERR_NULL_ARGUMENT, {"'positions' is NULL"}},
    {"NULL atomic numbers", c_null_numbers, X3_ERR_NULL_ARGUMENT, {"'atomic_numbers' is NULL"}},
    {"atomic number 0", c_bad_atomic_number, X3_ERR_UNKNOWN_ELEMENT, {"atomic_numbers[1] = 0"}},
    {"NaN position", c_nan_position, X3_ERR_INVALID_ARGUMENT, {"positions[1]", "not finite"}},
    {"bad coordinates flag", c_bad_coordinates_flag, X3_ERR_INVALID_ARGUMENT, {"coordinates = 7"}},
    {"positions buffer too small", c_positions_buffer_too_small, X3_ERR_BUFFER_TOO_SMALL, {"needs 6 elements", "capacity is 5"}},
    {"formula buffer too small", c_formula_buffer_too_small, X3_ERR_BUFFER_TOO_SMALL, {"needs 4 bytes"}},
    {"NULL structure handle", c_null_handle, X3_ERR_NULL_ARGUMENT, {"'structure' is NULL"}},
    {"NULL output pointer", c_null_output, X3_ERR_NULL_ARGUMENT, {"'density' is NULL"}},
    {"use after free", c_use_after_free, X3_ERR_INVALID_ARGUMENT, {"not a live libx3mat handle"}},
    {"warning index out of range", c_warning_index, X3_ERR_INDEX_OUT_OF_RANGE, {"warning index 3"}},
    {"element 0", c_element_zero, X3_ERR_UNKNOWN_ELEMENT, {"atomic number 0"}},
    {"unwritable output path", c_write_unwritable, X3_ERR_IO, {"/nonexistent/dir/out.cif"}},
    {"window radius 0", c_window_radius_zero, X3_ERR_INVALID_ARGUMENT, {"x3_windows_sample", "radius = 0"}},
    {"window radius negative", c_window_radius_negative, X3_ERR_INVALID_ARGUMENT, {"radius = -6"}},
    {"window radius NaN", c_window_radius_nan, X3_ERR_INVALID_ARGUMENT, {"radius = nan"}},
    {"window step 0", c_window_step_zero, X3_ERR_INVALID_ARGUMENT, {"step = 0"}},
    {"window step NaN", c_window_step_nan, X3_ERR_INVALID_ARGUMENT, {"step = nan"}},
    {"window step 1e-300", c_window_step_tiny, X3_ERR_OUT_OF_MEMORY, {"cap of 1000000 windows"}},
    {"window cap", c_window_cap, X3_ERR_OUT_OF_MEMORY, {"5 x 6 x 7", "cap of 100 windows"}},
    {"window radius 1e6", c_window_huge_radius, X3_ERR_OUT_OF_MEMORY, {"cap of 100000000 atoms"}},
    {"windows of empty structure", c_window_empty_structure, X3_ERR_INVALID_ARGUMENT, {"no atoms"}},
    {"windows of NULL structure", c_window_null_structure, X3_ERR_NULL_ARGUMENT, {"'structure' is NULL"}},
    {"structure passed as windows", c_window_structure_as_windows, X3_ERR_INVALID_ARGUMENT, {"handle of another type"}},
    {"NaN window centre", c_window_nan_centre, X3_ERR_INVALID_ARGUMENT, {"x3_windows_at", "centre 1", "not finite"}},
    {"NULL window centres", c_window_null_centres, X3_ERR_NULL_ARGUMENT, {"'centres' is NULL"}},
    {"grid of given centres", c_window_grid_of_given_centres, X3_ERR_INVALID_ARGUMENT, {"no grid"}},
    {"window index out of range", c_window_index, X3_ERR_INDEX_OUT_OF_RANGE, {"window index 1000"}},
    {"window atoms buffer", c_window_atoms_buffer, X3_ERR_BUFFER_TOO_SMALL, {"capacity is 2"}},
    {"hash: edge out of range", c_hash_edge_range, X3_ERR_INDEX_OUT_OF_RANGE, {"x3_wl_hash", "edge 0 = (0, 2)"}},
    {"hash: 0 iterations", c_hash_iterations, X3_ERR_INVALID_ARGUMENT, {"iterations = 0"}},
    {"hash: NULL label", c_hash_null_label, X3_ERR_NULL_ARGUMENT, {"labels[1] is NULL"}},
    {"hash: digest size 65", c_hash_digest, X3_ERR_INVALID_ARGUMENT, {"digest size = 65"}},
    {"site hashes: bad removal", c_site_hashes_bad_removal, X3_ERR_INVALID_ARGUMENT, {"'O:squash'", "ELEMENT:delete"}},
    {"site hashes: small buffer", c_site_hashes_buffer, X3_ERR_BUFFER_TOO_SMALL, {"'hashes' needs"}},
    {"site hashes: NaN tolerance", c_site_hashes_tolerance, X3_ERR_INVALID_ARGUMENT, {"bond tolerance = nan"}},
    {"catalogue: unknown element", c_catalogue_unknown_element, X3_ERR_UNKNOWN_ELEMENT, {"'Xx'"}},
    {"catalogue: missing values", c_catalogue_missing_values, X3_ERR_INVALID_ARGUMENT, {"x3_catalogue_add", "1 target(s)"}},
    {"catalogue: unwritable dir", c_catalogue_unwritable, X3_ERR_IO, {"/proc/no/such/dir"}},
    {"model: unknown config key", c_model_unknown_key, X3_ERR_PARSE, {"x3_model_create", "unknown configuration key 'chanels'"}},
    {"model: bad JSON", c_model_bad_json, X3_ERR_PARSE, {"<config>", "JSON at byte"}},
    {"model: missing file", c_model_missing_file, X3_ERR_IO, {"/nonexistent/m.safetensors"}},
    {"model: not safetensors", c_model_not_safetensors, X3_ERR_PARSE, {"junk.safetensors"}},
    {"model: unknown name", c_model_unknown_name, X3_ERR_IO, {"no model file 'no-such-model'", "X3MAT_MODEL_PATH"}},
    {"model find: NULL name", c_model_find_null, X3_ERR_NULL_ARGUMENT, {"x3_model_find", "'name' is NULL"}},
    {"centres: NULL", c_at_null_centres, X3_ERR_NULL_ARGUMENT, {"x3_model_contributions_at", "'centres' is NULL"}},
    {"centres: NaN", c_at_nan_centre, X3_ERR_INVALID_ARGUMENT, {"centre 1", "not finite"}},
    {"centres: small buffer", c_at_small_buffer, X3_ERR_BUFFER_TOO_SMALL, {"'contributions' needs 2", "capacity is 1"}},
    {"centres: bad coordinates", c_at_bad_coordinates, X3_ERR_INVALID_ARGUMENT, {"coordinates = 5"}},
    {"centres: 1e7 cells away", c_at_far_centre, X3_ERR_INVALID_ARGUMENT, {"centre 0", "cells from the origin"}},
    {"centres: freed model", c_at_freed_model, X3_ERR_INVALID_ARGUMENT, {"not a live libx3mat handle"}},
    {"centres: NULL structure", c_at_null_structure, X3_ERR_NULL_ARGUMENT, {"'structure' is NULL"}},
};

int main(int argc, char **argv) {
    shared = argc > 1 ? argv[1] : "../shared/data";
    snprintf(dir, sizeof dir, "/tmp/x3mat-test-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 3; }
    int failed = 0, passed = 0, skipped = 0;
    size_t n = sizeof CASES / sizeof CASES[0];
    for (size_t i = 0; i < n; i++) {
        const struct test_case *c = &CASES[i];
        x3_clear_error();
        x3_status got = c->run();
        if ((int)got == -2) { printf("SKIP %-32s (no shared data)\n", c->name); skipped++; continue; }
        const char *msg = x3_last_error();
        int ok = got == c->expected;
        for (int k = 0; k < 3 && c->fragments[k]; k++)
            if (!strstr(msg, c->fragments[k])) ok = 0;
        printf("%s %-32s %s (%d) | %s\n", ok ? "ok  " : "FAIL", c->name, x3_status_name(got), (int)got, msg);
        if (ok) passed++; else failed++;
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed == 0 && passed >= 15 ? 0 : 1;
}
