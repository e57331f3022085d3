/*
 * x3mat.h — the C interface of libx3mat.
 *
 * libx3mat implements X(3)mat: interpretable, symmetry-aware machine learning for
 * nanoporous materials (zeolites, MOFs). This header is the library's only public
 * interface; C, Fortran (bindings/fortran) and Python (bindings/python) use it.
 *
 * Conventions, for every function below:
 *
 *  - Status. Functions return x3_status; X3_OK (0) is success. On failure nothing is
 *    written to output arguments, and x3_last_error() returns a message for people
 *    that names the problem (for input files: "path:line: field '_tag': what").
 *  - Errors are per thread: x3_last_error() describes the most recent failure of a
 *    libx3mat call *on the calling thread*. Success does not clear it.
 *  - Handles are opaque pointers (x3_structure *). A function that creates one
 *    (`*_read_*`, `*_parse_*`, `*_from_*`) hands ownership to the caller, who releases
 *    it with the matching `*_free` exactly once. `*_free(NULL)` does nothing. Passing a
 *    freed or foreign pointer returns X3_ERR_INVALID_ARGUMENT instead of crashing
 *    wherever libx3mat can tell (it keeps a registry of live handles).
 *  - Strings in: NUL-terminated UTF-8, owned by the caller, read only during the call.
 *  - Strings out: the caller passes (char *buffer, int64_t capacity, int64_t *length).
 *    The function writes the string and its NUL into buffer when it fits in capacity
 *    bytes; *length (if length is not NULL) always receives the string's length without
 *    the NUL. If it does not fit, nothing is written and X3_ERR_BUFFER_TOO_SMALL is
 *    returned, so `f(..., NULL, 0, &n)` asks for the size.
 *  - Arrays out: the caller passes a buffer and its capacity in elements (not bytes).
 *    Too small a capacity returns X3_ERR_BUFFER_TOO_SMALL and writes nothing.
 *  - Const char * returned by a function (x3_version, x3_last_error, x3_status_name)
 *    is owned by libx3mat; never free it.
 *  - Units: lengths in Å, angles in degrees, masses in g/mol (u), densities in g/cm³,
 *    volumes in Å³.
 *  - Cell matrix: 3x3, row-major, rows are the lattice vectors a, b, c (Å):
 *    cell[3*i + j] is Cartesian component j of lattice vector i. Cartesian position
 *    r = f1*a + f2*b + f3*c for fractional coordinates (f1, f2, f3).
 *  - Positions: natoms x 3, row-major (atom i is positions[3*i .. 3*i+2]), fractional or
 *    Cartesian as the x3_coordinates argument says. Fortran callers pass a (3, natoms)
 *    array, which has this layout.
 *  - Indices are 0-based; counts are int64_t and must not be negative.
 *  - Thread safety: distinct handles may be used from different threads at once; one
 *    handle may be read from several threads at once; freeing a handle while another
 *    thread uses it is an error in the calling program.
 */
#ifndef X3MAT_H
#define X3MAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ---------------------------------------------------------------------- */

#define X3_VERSION_MAJOR 0
#define X3_VERSION_MINOR 1
#define X3_VERSION_PATCH 0
#define X3_VERSION_STRING "0.1.0"
/** Compare versions: X3_VERSION_NUMBER >= X3_VERSION_ENCODE(0, 1, 0). */
#define X3_VERSION_ENCODE(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define X3_VERSION_NUMBER X3_VERSION_ENCODE(X3_VERSION_MAJOR, X3_VERSION_MINOR, X3_VERSION_PATCH)

#if defined(__GNUC__) || defined(__clang__)
#define X3_API __attribute__((visibility("default")))
#else
#define X3_API
#endif

/** Version of the loaded library, "MAJOR.MINOR.PATCH". Compare with X3_VERSION_STRING
 *  to detect a header/library mismatch. */
X3_API const char *x3_version(void);

/** Version numbers of the loaded library. Any pointer may be NULL. */
X3_API void x3_version_numbers(int32_t *major, int32_t *minor, int32_t *patch);

/* ---- status and errors ------------------------------------------------------------ */

/** Status codes. The numbers are fixed forever; new codes are only appended. */
typedef enum x3_status {
    X3_OK = 0,
    X3_ERR_NULL_ARGUMENT = 1,      /**< a required pointer argument was NULL */
    X3_ERR_INVALID_ARGUMENT = 2,   /**< out of domain: negative count, NaN, bad flag, dead handle */
    X3_ERR_IO = 3,                 /**< a file could not be opened, read or written */
    X3_ERR_PARSE = 4,              /**< malformed input text (CIF, CSV, model file) */
    X3_ERR_UNKNOWN_ELEMENT = 5,    /**< element symbol or atomic number not in the table (Z 1..96) */
    X3_ERR_INVALID_CELL = 6,       /**< degenerate cell: zero volume, impossible angles */
    X3_ERR_OUT_OF_MEMORY = 7,      /**< allocation failed or a configured size cap was exceeded */
    X3_ERR_BUFFER_TOO_SMALL = 8,   /**< caller's buffer smaller than the data */
    X3_ERR_INDEX_OUT_OF_RANGE = 9, /**< an index outside its valid range */
    X3_ERR_UNSUPPORTED = 10,       /**< valid input using a feature libx3mat does not implement */
    X3_ERR_DEPENDENCY = 11,        /**< a runtime dependency (OpenBLAS) could not be loaded */
    X3_ERR_INTERNAL = 99           /**< a bug in libx3mat: please report the message */
} x3_status;

/** The most recent error message of a libx3mat call on this thread; "" if none. The
 *  string is owned by libx3mat and valid until the next failing call on this thread. */
X3_API const char *x3_last_error(void);

/** Clears this thread's last error message. */
X3_API void x3_clear_error(void);

/** The enumerator name of a status ("X3_ERR_PARSE"); "X3_UNKNOWN_STATUS" otherwise.
 *  Owned by libx3mat. */
X3_API const char *x3_status_name(int32_t status);

/* ---- elements --------------------------------------------------------------------- */

/** Symbol of element `z` (1..96), e.g. "Si". String-out convention. */
X3_API x3_status x3_element_symbol(int32_t z, char *buffer, int64_t capacity, int64_t *length);

/** Atomic number of a symbol, any capitalisation ("Si", "SI"). */
X3_API x3_status x3_element_atomic_number(const char *symbol, int32_t *z);

/** Standard atomic weight of element `z`, g/mol (IUPAC 2016). */
X3_API x3_status x3_element_mass(int32_t z, double *mass);

/** Covalent radius of element `z`, Å (Cordero et al., Dalton Trans. 2008, 2832). */
X3_API x3_status x3_element_covalent_radius(int32_t z, double *radius);

/* ---- crystal structures ----------------------------------------------------------- */

/** A periodic crystal structure: a cell and the atoms of one unit cell. Opaque. */
typedef struct x3_structure x3_structure;

/** How positions are given or wanted. */
typedef enum x3_coordinates {
    X3_FRACTIONAL = 0, /**< fractional coordinates of the cell vectors */
    X3_CARTESIAN = 1   /**< Cartesian coordinates, Å, in the frame of the cell matrix */
} x3_coordinates;

/** Limits that make every input end quickly in a result or an error (see x3_structure_*):
 *  cell vectors of 0.5 to 10,000 Å, and |a·(b×c)| at least 0.01 of |a||b||c| (a reduced
 *  cell has at least 0.5; a flatter one is X3_ERR_INVALID_CELL: reduce it first). CIF
 *  files: at most 1,024 distinct symmetry operators (X3_ERR_UNSUPPORTED), operators with
 *  whole-number rotation coefficients in -2..2 and finite translations, |coordinates| up
 *  to 1e6, at most 200,000 atoms after expansion (X3_ERR_OUT_OF_MEMORY) and at most one
 *  atom per Å³ (sites overlapping beyond any solid: X3_ERR_PARSE). Files that are not
 *  regular files (devices, FIFOs) are X3_ERR_IO. */

/** Reads a structure from a CIF file.
 *  block: data block name without "data_" (case-insensitive), or NULL for the first.
 *  Symmetry operators are applied and coinciding images (< 0.05 Å) merged; positions are
 *  wrapped into [0, 1). The cell is oriented with a along x and b in the xy plane.
 *  Partial occupancy is kept and reported (see x3_structure_warning). On success *out
 *  owns a new handle: free it with x3_structure_free. */
X3_API x3_status x3_structure_read_cif(const char *path, const char *block, x3_structure **out);

/** Reads a structure from CIF text in memory (same rules as x3_structure_read_cif;
 *  messages name the source "<string>"). */
X3_API x3_status x3_structure_parse_cif(const char *text, const char *block, x3_structure **out);

/** Builds a structure from arrays — the path simulation codes use.
 *  cell: 3x3 row-major, rows a, b, c in Å (see conventions).
 *  natoms >= 0; positions: natoms x 3 row-major, as `coordinates` says (kept as given,
 *  not wrapped); atomic_numbers: natoms values in 1..96. positions and atomic_numbers
 *  may be NULL only when natoms == 0. *out owns a new handle. */
X3_API x3_status x3_structure_from_arrays(const double *cell, int64_t natoms, const double *positions,
                                          int32_t coordinates, const int32_t *atomic_numbers,
                                          x3_structure **out);

/** Releases a structure. NULL is ignored. */
X3_API void x3_structure_free(x3_structure *structure);

/** Number of atoms in the cell. */
X3_API x3_status x3_structure_atom_count(const x3_structure *structure, int64_t *natoms);

/** The cell matrix, 9 doubles, row-major rows a, b, c, Å. */
X3_API x3_status x3_structure_cell(const x3_structure *structure, double *cell);

/** Cell parameters: 6 doubles a, b, c (Å), alpha, beta, gamma (degrees). */
X3_API x3_status x3_structure_cell_parameters(const x3_structure *structure, double *parameters);

/** Cell volume, Å³ (positive). */
X3_API x3_status x3_structure_volume(const x3_structure *structure, double *volume);

/** Mass density of the cell contents, g/cm³. */
X3_API x3_status x3_structure_density(const x3_structure *structure, double *density);

/** Positions into `positions` (capacity >= 3*natoms doubles), natoms x 3 row-major. */
X3_API x3_status x3_structure_positions(const x3_structure *structure, int32_t coordinates,
                                        double *positions, int64_t capacity);

/** Atomic numbers into `atomic_numbers` (capacity >= natoms). */
X3_API x3_status x3_structure_atomic_numbers(const x3_structure *structure, int32_t *atomic_numbers,
                                             int64_t capacity);

/** Site occupancies into `occupancies` (capacity >= natoms); 1 unless the CIF said otherwise. */
X3_API x3_status x3_structure_occupancies(const x3_structure *structure, double *occupancies,
                                          int64_t capacity);

/** Chemical formula of the cell contents in Hill order ("O48Si24", "C14H24Cu2N4O6").
 *  String-out convention. */
X3_API x3_status x3_structure_formula(const x3_structure *structure, char *buffer, int64_t capacity,
                                      int64_t *length);

/** The structure's name: the CIF data block name ("" for arrays). String-out convention. */
X3_API x3_status x3_structure_name(const x3_structure *structure, char *buffer, int64_t capacity,
                                   int64_t *length);

/** Number of warnings the CIF reader recorded (partial occupancy, merged atoms). */
X3_API x3_status x3_structure_warning_count(const x3_structure *structure, int64_t *count);

/** Warning `index` (0-based). String-out convention. */
X3_API x3_status x3_structure_warning(const x3_structure *structure, int64_t index, char *buffer,
                                      int64_t capacity, int64_t *length);

/** Writes the structure as a P1 CIF (atomically: a temporary file renamed into place). */
X3_API x3_status x3_structure_write_cif(const x3_structure *structure, const char *path);

/* ---- detection windows ------------------------------------------------------------ */

/** Detection windows of a structure: for each centre, every atom of the infinite
 *  periodic crystal within a radius R of it. Opaque; release with x3_windows_free.
 *
 *  Conventions (fixed):
 *  - Grid. With step s (Å), lattice vector i gets n_i = max(1, ceil(|a_i| / s - 1e-9))
 *    points; grid point (k1, k2, k3), 0 <= k_i < n_i, is the window centred at fractional
 *    (k1/n1, k2/n2, k3/n3) — offset 0: the cell origin is a centre, and a 2x1x1 supercell
 *    with n1' = 2*n1 has exactly the cell's centres.
 *  - Window order: C order with k3 fastest, index = (k1*n2 + k2)*n3 + k3 (the data order
 *    of a Gaussian cube file). Windows at caller-given centres keep the caller's order.
 *  - Membership: an atom image is in a window when its distance d to the centre has
 *    d*d <= R*R (inclusive), in double precision.
 *  - Atom images. Source atom j (0-based, as in the structure) with image offset
 *    n = (n1, n2, n3) sits at fractional f_j + n, f_j being the structure's stored
 *    fractional position (x3_structure_positions). A window may hold several images of
 *    one atom (R larger than the cell), each exactly once. Its position in the window
 *    is (f_j + n)·cell − centre: Cartesian, Å, relative to the centre.
 *  - Within a window, atoms are sorted by source index, then n1, n2, n3.
 *  - Windows with no atoms are legal (their atom count is 0).
 *  - Caps: a grid of more than max_windows windows, or windows holding more than
 *    100,000,000 atoms in total (44 bytes each), are refused with
 *    X3_ERR_OUT_OF_MEMORY before anything large is allocated.
 *  - The work runs on x3_get_num_threads() threads; the result does not depend on it. */
typedef struct x3_windows x3_windows;

/** x3_windows_atoms's `window` argument for all windows at once, concatenated in window
 *  order (window w's atoms start at offsets[w], see x3_windows_offsets). */
#define X3_ALL_WINDOWS (-1)

/** Windows of radius `radius` (Å, > 0) on the grid of step `step` (Å, > 0) over the cell.
 *  max_windows: the cap on the grid size; <= 0 means the default, 1,000,000; at most
 *  100,000,000.
 *  Errors: X3_ERR_INVALID_ARGUMENT for a non-positive or non-finite radius or step, an
 *  empty structure, or atoms more than 1e6 cells from the origin; X3_ERR_OUT_OF_MEMORY
 *  beyond a cap. *out owns a new handle. */
X3_API x3_status x3_windows_sample(const x3_structure *structure, double radius, double step,
                                   int64_t max_windows, x3_windows **out);

/** Windows of radius `radius` (Å) at ncentres caller-given centres (ncentres x 3,
 *  row-major, fractional or Cartesian Å as `coordinates` says; not wrapped, so image
 *  offsets refer to the structure's stored positions). The path a GCMC code or a map
 *  refinement uses. centres may be NULL only when ncentres == 0. More than 1,000,000
 *  centres in one call, or windows holding more than the atom cap in total, give
 *  X3_ERR_OUT_OF_MEMORY before anything large is allocated. */
X3_API x3_status x3_windows_at(const x3_structure *structure, double radius, int64_t ncentres,
                               const double *centres, int32_t coordinates, x3_windows **out);

/** Releases windows. NULL is ignored. */
X3_API void x3_windows_free(x3_windows *windows);

/** Number of windows (n1*n2*n3 for a grid). */
X3_API x3_status x3_windows_count(const x3_windows *windows, int64_t *count);

/** The window radius, Å. */
X3_API x3_status x3_windows_radius(const x3_windows *windows, double *radius);

/** The grid: shape[3] = (n1, n2, n3) and, if step is not NULL, the step in Å.
 *  X3_ERR_INVALID_ARGUMENT for windows made by x3_windows_at, which have no grid. */
X3_API x3_status x3_windows_grid(const x3_windows *windows, int64_t *shape, double *step);

/** Window centres, count x 3 row-major, fractional or Cartesian (Å); capacity in doubles. */
X3_API x3_status x3_windows_centres(const x3_windows *windows, int32_t coordinates, double *centres,
                                    int64_t capacity);

/** Atoms summed over all windows. */
X3_API x3_status x3_windows_total_atoms(const x3_windows *windows, int64_t *total);

/** count + 1 offsets: window w's atoms are entries offsets[w] .. offsets[w+1]-1 of the
 *  X3_ALL_WINDOWS arrays; offsets[0] = 0, offsets[count] = total atoms. */
X3_API x3_status x3_windows_offsets(const x3_windows *windows, int64_t *offsets, int64_t capacity);

/** Number of atoms in window `window` (0-based), or in all windows for X3_ALL_WINDOWS. */
X3_API x3_status x3_windows_atom_count(const x3_windows *windows, int64_t window, int64_t *natoms);

/** The atoms of window `window` (0-based), or of all windows for X3_ALL_WINDOWS:
 *  atomic_numbers[natoms], positions[natoms x 3] (Cartesian Å relative to the centre),
 *  source_atoms[natoms] (0-based atom index in the structure), images[natoms x 3]
 *  (image offsets n). Any of the four arrays may be NULL to skip it; capacity is in
 *  atoms (a positions buffer then holds 3*capacity doubles). X3_ERR_BUFFER_TOO_SMALL
 *  when capacity < natoms and some array is requested. */
X3_API x3_status x3_windows_atoms(const x3_windows *windows, int64_t window, int32_t *atomic_numbers,
                                  double *positions, int32_t *source_atoms, int32_t *images,
                                  int64_t capacity);

/* ---- site identity: bond graphs and Weisfeiler-Lehman hashes ------------------------ */

/** The Weisfeiler-Lehman hash of a graph, byte-identical to NetworkX (>= 3.5)
 *  weisfeiler_lehman_graph_hash(G, node_attr=<label>, iterations, digest_size) for the
 *  undirected graph G with nodes 0..nnodes-1 labelled labels[i] (ASCII strings) and
 *  edges (edges[2k], edges[2k+1]) (0-based; duplicates collapse as in nx.Graph, a
 *  self-loop makes a node its own neighbour). iterations >= 1; digest_size 1..64 bytes.
 *  The hash is 2*digest_size lower-case hex digits. String-out convention. The empty
 *  graph (nnodes 0) is legal. labels/edges may be NULL when their count is 0. */
X3_API x3_status x3_wl_hash(int64_t nnodes, const char *const *labels, int64_t nedges,
                            const int64_t *edges, int32_t iterations, int32_t digest_size,
                            char *buffer, int64_t capacity, int64_t *length);

/** Bond graphs of windows.
 *  - Two atoms of a window are bonded when their distance is below
 *    tolerance * (r_i + r_j), r the covalent radii of Cordero et al. (2008). The usual
 *    tolerance is 1.2: Si-O and the bonds of MOFs fall at 0.9-1.1 x, the closest
 *    non-bonded contacts at >= 1.4 x.
 *  - `remove` lists elements to take out before hashing, "H:delete,O:contract" (NULL or
 *    "" for none): delete drops the atom and its bonds; contract drops it and bonds its
 *    neighbours pairwise (O in silica: the graph becomes the T-atom network). Atoms are
 *    processed in window order.
 *  - Nodes are labelled by element symbol ("Si") and keep the window's atom order. */

/** The bond graph of window `window` (0-based) after removal: *nnodes nodes, node k being
 *  window atom node_atoms[k] (0-based index within the window), and *nedges edges
 *  (edges[2k], edges[2k+1]) between node indices, u < v, sorted. *nnodes and *nedges are
 *  always set, so capacities of 0 ask for the sizes (X3_ERR_BUFFER_TOO_SMALL when there
 *  is anything to write); node_capacity counts int32 values, edge_capacity int64 values
 *  (2 per edge). */
X3_API x3_status x3_windows_bond_graph(const x3_windows *windows, int64_t window, double tolerance,
                                       const char *remove, int64_t *nnodes, int64_t *nedges,
                                       int32_t *node_atoms, int64_t node_capacity, int64_t *edges,
                                       int64_t edge_capacity);

/** The WL hash of every window's bond graph (nodes labelled by element, as
 *  x3_wl_hash). Hash w is the NUL-terminated string at hashes + w*(2*digest_size + 1);
 *  capacity (bytes) must be at least count*(2*digest_size + 1). */
X3_API x3_status x3_windows_site_hashes(const x3_windows *windows, double tolerance, const char *remove,
                                        int32_t iterations, int32_t digest_size, char *hashes,
                                        int64_t capacity);

/** A site catalogue: the windows of many structures grouped by WL hash, with a count, the
 *  number of structures, one example window (the first seen: structure id, window
 *  index, centre, all its atoms) and per-target mean / sample standard deviation / n of
 *  per-window values supplied with the windows (e.g. a model's contributions). Opaque;
 *  release with x3_catalogue_free. */
typedef struct x3_catalogue x3_catalogue;

/** A new, empty catalogue. Bond and hash options as above; ntargets target names (may
 *  be 0, then windows carry no values). *out owns a new handle. */
X3_API x3_status x3_catalogue_new(double tolerance, const char *remove, int32_t iterations, int32_t digest_size,
                                  int64_t ntargets, const char *const *target_names, x3_catalogue **out);

/** Releases a catalogue. NULL is ignored. */
X3_API void x3_catalogue_free(x3_catalogue *catalogue);

/** Adds every window of one structure under the id `structure_id`. values: count x
 *  ntargets doubles, row-major (window w, target t at w*ntargets + t), finite; nvalues
 *  must equal count x ntargets (checked before values is read), so NULL with nvalues 0
 *  when the catalogue has no targets. */
X3_API x3_status x3_catalogue_add(x3_catalogue *catalogue, const char *structure_id, const x3_windows *windows,
                                  const double *values, int64_t nvalues);

/** Distinct sites, windows and structures added so far. Any pointer may be NULL. */
X3_API x3_status x3_catalogue_counts(const x3_catalogue *catalogue, int64_t *sites, int64_t *windows,
                                     int64_t *structures);

/** The catalogue as JSON (options, targets, totals, and the sites ranked by the mean of
 *  target `rank_by` descending, or by window count for rank_by = -1; ties by hash),
 *  at most `top` sites (all for top <= 0). String-out convention. */
X3_API x3_status x3_catalogue_json(const x3_catalogue *catalogue, int32_t rank_by, int64_t top, char *buffer,
                                   int64_t capacity, int64_t *length);

/** Writes DIRECTORY/sites.csv, DIRECTORY/sites.json and DIRECTORY/sites/NNNN_HASH.xyz
 *  (the example window of each listed site, all atoms, centred), ranked as in
 *  x3_catalogue_json; creates the directory; each file is written atomically. */
X3_API x3_status x3_catalogue_write(const x3_catalogue *catalogue, const char *directory, int32_t rank_by,
                                    int64_t top);

/* ---- the equivariant network -------------------------------------------------------- */

/** An X(3)mat model: an EquiformerV2-style equivariant graph transformer that maps each
 *  detection window to a contribution per target; the material's property is the mean of
 *  its windows' contributions. Opaque; release with x3_model_free.
 *  Files are safetensors: the weights as F32 tensors and, in the header's
 *  __metadata__, format "x3mat-model", format_version "1" and the configuration as JSON
 *  (every hyperparameter, target names and normalisation, window radius and step).
 *  Python's safetensors.numpy.load_file reads the weights. */
typedef struct x3_model x3_model;

/** A model with fresh random weights (seeded by the configuration's "seed"). config_json:
 *  a JSON object of configuration keys, with their defaults (`x3mat options model` gives
 *  each one's range and meaning): "lmax" (3), "mmax" (2), "channels" (32),
 *  "attention_channels" (32), "heads" (4), "value_channels_per_head" (8),
 *  "ffn_channels" (64), "blocks" (2), "radial_basis" (16), "radial_hidden" (32),
 *  "edge_embedding" (8), "cutoff" (5 Å), "max_neighbours" (20), "probe" (true),
 *  "average_degree" (16), "readout_hidden" (32), "targets" (["y"]), "target_mean" ([0]),
 *  "target_std" ([1]), "per_volume" ([false]: per target, learn target × density (g/cm³)
 *  and divide by each structure's density, for per-mass targets), "window_radius" (6 Å), "window_step" (2 Å), "activation" ("gate";
 *  or "s2"), "s2_resolution" (12), "seed" (0; an integer, or a decimal string above 2^53).
 *  Missing keys take defaults, unknown keys are an error. NULL or "" for all defaults. */
X3_API x3_status x3_model_create(const char *config_json, x3_model **out);

/** The number of parameters a configuration (as x3_model_create takes it) defines, found
 *  without allocating them: to size a model before building it. x3_model_create refuses
 *  more than 2^30 parameters (X3_ERR_OUT_OF_MEMORY). */
X3_API x3_status x3_model_parameter_count(const char *config_json, int64_t *parameters);

/** Loads a model file, given by path or by name (as x3_model_find resolves it: a name is
 *  a string with no '/', no ".safetensors" suffix and no file of that name in the working
 *  directory). A truncated, corrupted or inconsistent file gives X3_ERR_PARSE with what is
 *  wrong; a newer format version X3_ERR_UNSUPPORTED; an unknown name X3_ERR_IO with the
 *  folders searched. */
X3_API x3_status x3_model_load(const char *path, x3_model **out);

/** The file of a model given by name, e.g. "iza-ar-uptake" (string-out convention); a path
 *  is returned as it is. NAME.safetensors is looked for in, in order: each folder of
 *  $X3MAT_MODEL_PATH (separated by ':'), models/ beside libx3mat.so (the Python wheel's),
 *  PREFIX/share/x3mat/models for libx3mat (or the calling program) installed in
 *  PREFIX/lib, PREFIX/lib/TRIPLET or PREFIX/bin, and the models/ folder of the source tree
 *  libx3mat was built from. X3_ERR_IO when no folder has it. */
X3_API x3_status x3_model_find(const char *name, char *buffer, int64_t capacity, int64_t *length);

/** Writes a model file (atomically). */
X3_API x3_status x3_model_save(const x3_model *model, const char *path);

/** Releases a model. NULL is ignored. */
X3_API void x3_model_free(x3_model *model);

/** The full configuration as JSON (string-out convention). */
X3_API x3_status x3_model_config(const x3_model *model, char *buffer, int64_t capacity, int64_t *length);

/** The model card as JSON (string-out convention), "" when the model has none: what the
 *  model is for. Keys: "description"; "targets" (in the model's order), each with "name",
 *  "unit", "conditions", "strong" ("high" or "low": which end of its contributions is
 *  strong) and optionally metrics on the held-out set {"mae", "rmse", "r2"} (in the
 *  target's unit); "training_data" {"source", "licence", "structures", "training", and
 *  the held-out count}; optionally "command". The held-out set's key is "test" (chose
 *  neither weights nor epoch) or "validation" (chose the epoch), the same in
 *  "training_data" and every target. `x3mat card` writes cards into model files. */
X3_API x3_status x3_model_card(const x3_model *model, char *buffer, int64_t capacity, int64_t *length);

/** Number of parameters (an ensemble's: all members' together) and of targets. Either
 *  pointer may be NULL. */
X3_API x3_status x3_model_sizes(const x3_model *model, int64_t *parameters, int64_t *targets);

/** Number of models in the handle: 1, or an ensemble's members. A model file may hold an
 *  ensemble (`x3mat ensemble` writes one); x3_model_load reads it into one handle, and
 *  every function that predicts then gives the members' mean: each window's contribution
 *  and the property are averaged over the members. The *_std functions also give the
 *  uncertainty, the members' sample standard deviation (n - 1) of the property (NaN for a
 *  single model). x3_model_map gives an ensemble's map of the mean, x3_model_map_std the
 *  map of the members' standard deviation, and x3_model_explain writes both (the second
 *  as TARGET_std.cube/.xsf). */
X3_API x3_status x3_model_members(const x3_model *model, int64_t *members);

/** A new handle holding the models of n handles as one ensemble (an ensemble given adds
 *  its members; the inputs stay valid and are not changed). They must predict the same
 *  targets on the same windows (radius and step), else X3_ERR_INVALID_ARGUMENT. The card
 *  is the first's, the spread scale 1; x3_model_save writes the ensemble as one file. */
X3_API x3_status x3_model_ensemble(const x3_model *const *models, int64_t n, x3_model **out);

/** Per target (ntargets values), the factor by which every standard deviation of an
 *  ensemble (property and contributions) is multiplied: a few members usually disagree
 *  less than they err, and a calibrated ensemble (`x3mat evaluate --calibrate`) corrects
 *  for it. 1 until calibrated, and for a single model. */
X3_API x3_status x3_model_spread_scale(const x3_model *model, double *scale);

/** How an ensemble's spread scale was fitted (x3_model_spread_calibration), on held-out
 *  structures with z = (label - property) / std. */
typedef enum x3_spread_calibration {
    X3_SPREAD_NOT_CALIBRATED = 0, /**< scale 1: the members' own spread (and a single model) */
    X3_SPREAD_LIKELIHOOD = 1,     /**< sqrt(mean(z^2)): mean z^2 = 1 on the calibration set */
    X3_SPREAD_COVERAGE = 2,       /**< 68.27th percentile of |z|: ±1 std held 68.27 % of it */
    X3_SPREAD_NOT_RECORDED = 3    /**< a scale set by x3_model_with_spread_scale, or read from
                                       a file written before the rule was recorded */
} x3_spread_calibration;

/** The rule that fitted the spread scale, an x3_spread_calibration (x3_model_save keeps
 *  it; `x3mat evaluate --calibrate` and x3_train's snapshot ensembles record it). */
X3_API x3_status x3_model_spread_calibration(const x3_model *model, int32_t *rule);

/** A new handle: the ensemble with its spread scale replaced by scale (ntargets finite
 *  values > 0; x3_model_save keeps it; its rule is X3_SPREAD_NOT_RECORDED). X3_ERR_INVALID_ARGUMENT for a single model or
 *  a bad value. The scale that fits held-out structures best under a Gaussian is the
 *  current one times sqrt(mean(z^2)), z = (label - property) / std; the one under which
 *  ±1 std holds 68.27 % of them, the current one times the 68.27th percentile of |z|
 *  (`x3mat evaluate --calibrate` computes either). */
X3_API x3_status x3_model_with_spread_scale(const x3_model *model, const double *scale, x3_model **out);

/** As x3_model_with_spread_scale, recording that rule (X3_SPREAD_LIKELIHOOD or
 *  X3_SPREAD_COVERAGE, else X3_ERR_INVALID_ARGUMENT) fitted the scale: for a scale
 *  computed outside the library, e.g. with NumPy from x3_model_predict_std. */
X3_API x3_status x3_model_with_spread_calibration(const x3_model *model, const double *scale, int32_t rule,
                                                  x3_model **out);

/* ---- symmetry ---------------------------------------------------------------------------
 * The network gives windows related by a symmetry operation of the crystal the same
 * contribution, so every x3_model_* function below evaluates one window per orbit and
 * gives its value to the whole orbit. The symmetry of a structure: the operations its CIF
 * lists (when more than the identity), else spglib's search; either way only those that
 * map the atoms onto atoms of the same element within the tolerance (Å) are kept, and
 * only if they form a group (else none). The window grid is then symmetry-adapted: the
 * smallest n1 x n2 x n3 with ni >= ceil(|ai| / step) that the kept operations with
 * translations in multiples of 1/24 map onto itself (a translation of 1/4 along a needs
 * n1 divisible by 4; axes a rotation exchanges get equal counts). Operations that cannot
 * map such a grid onto itself are left out. With symmetry off, the plain grid of
 * x3_windows_sample and every window. */

/** Chooses symmetry-reduced evaluation for the whole process: enabled 1 (the default:
 *  one window per orbit), 0 (the plain grid, every window) or 2 (every window of the
 *  symmetry-adapted grid: to check the reduction against a full evaluation); tolerance in
 *  Å (0 < t <= 0.5; default 0.01). */
X3_API x3_status x3_set_symmetry(int32_t enabled, double tolerance);

/** The current symmetry setting. Either pointer may be NULL. */
X3_API x3_status x3_get_symmetry(int32_t *enabled, double *tolerance);

/** spglib's space group of a structure's atoms at a distance tolerance (Å): the
 *  International Tables number (1...230) and the Hermann–Mauguin symbol (string-out
 *  convention; symbol NULL, capacity 0 and length NULL to skip it). A failed search
 *  (atoms too close, say) gives X3_ERR_DEPENDENCY with spglib's message. */
X3_API x3_status x3_structure_space_group(const x3_structure *structure, double tolerance, int32_t *number,
                                          char *symbol, int64_t capacity, int64_t *length);

/** The windows a model's evaluation of a structure uses under the current symmetry
 *  setting: grid points (nwindows), windows evaluated (norbits) and symmetry operations
 *  used (noperations, 1 without symmetry). Nothing is evaluated. Any pointer may be NULL. */
X3_API x3_status x3_model_orbits(const x3_model *model, const x3_structure *structure, int64_t *nwindows,
                                 int64_t *norbits, int64_t *noperations);

/** Evaluates a structure: cuts it into windows with the model's radius and step on the
 *  grid of the current symmetry setting (see above; with symmetry off, the grid and order
 *  of x3_windows_sample), and writes each window's contribution per target,
 *  nwindows x ntargets row-major, in the targets' units. *nwindows is always set; a call
 *  with contributions and property NULL and capacity 0 only counts the windows (no
 *  evaluation). property (ntargets values, may be NULL) receives the mean over windows:
 *  the predicted property. contributions may be NULL (capacity 0) to get the property only. */
X3_API x3_status x3_model_contributions(const x3_model *model, const x3_structure *structure, int64_t *nwindows,
                                        double *contributions, int64_t capacity, double *property);

/** The predicted property of a structure per target (the mean of its windows'
 *  contributions, in the targets' units): property receives ntargets values
 *  (x3_model_sizes). The same numbers as x3_model_contributions's property. */
X3_API x3_status x3_model_predict(const x3_model *model, const x3_structure *structure, double *property);

/** x3_model_predict, and in std (ntargets values) each target's uncertainty: the
 *  ensemble members' sample standard deviation of the property (n - 1), NaN for a single
 *  model (x3_model_members). */
X3_API x3_status x3_model_predict_std(const x3_model *model, const x3_structure *structure, double *property,
                                      double *std);

/** Predicts n structures in one call, as `x3mat screen` does: their windows are evaluated
 *  in shared batches, so many small structures keep every thread busy, and each
 *  structure's numbers equal x3_model_predict's. properties receives n x ntargets values
 *  (row-major, the targets' units); nevaluated (n values, may be NULL) the windows
 *  evaluated per structure (one per orbit of the symmetry setting); statuses (n values,
 *  may be NULL) X3_OK or the reason a structure could not be predicted, its properties
 *  then NaN. A failing structure does not stop the others: every output is filled, and the
 *  call returns X3_OK when all were predicted, else the status of the first that was not,
 *  with its message ("structure i: ...") in x3_last_error. */
X3_API x3_status x3_model_predict_many(const x3_model *model, int64_t n, const x3_structure *const *structures,
                                       double *properties, int64_t *nevaluated, int32_t *statuses);

/** x3_model_predict_many, and in stds (n x ntargets values, row-major) each property's
 *  uncertainty as x3_model_predict_std gives it (NaN for a single model and for a
 *  structure that failed). */
X3_API x3_status x3_model_predict_many_std(const x3_model *model, int64_t n, const x3_structure *const *structures,
                                           double *properties, double *stds, int64_t *nevaluated, int32_t *statuses);

/** Contributions of windows at caller-given centres, without building the structure's
 *  window grid: ncentres x 3 coordinates (coordinates X3_FRACTIONAL or X3_CARTESIAN, Å;
 *  any cell image), each cut with the model's radius and evaluated; contributions receives
 *  ncentres x ntargets values, row-major, in the targets' units (capacity: its length).
 *  No symmetry reduction. ncentres 0 is a valid empty request. X3_ERR_INVALID_ARGUMENT for
 *  a centre that is not finite or lies more than 1e6 cells from the origin,
 *  X3_ERR_BUFFER_TOO_SMALL when capacity < ncentres x ntargets. */
X3_API x3_status x3_model_contributions_at(const x3_model *model, const x3_structure *structure, int32_t coordinates,
                                           int64_t ncentres, const double *centres, double *contributions,
                                           int64_t capacity);

/** The windows the model evaluates for a structure (its radius and step, on the grid of
 *  the current symmetry setting; the order of x3_model_contributions's rows), e.g. to place contributions at their centres.
 *  Release with x3_windows_free. */
X3_API x3_status x3_model_windows(const x3_model *model, const x3_structure *structure, x3_windows **out);

/* ---- Interpretation -------------------------------------------------------------------
 * A contribution map is one target's window contributions laid on the model's window
 * grid of the cell (symmetry-adapted unless symmetry is off): n1 x n2 x n3 values, C order with k3 fastest (the order of
 * x3_windows_sample and of a Gaussian cube file), grid point (k1, k2, k3) at fractional
 * (k1/n1, k2/n2, k3/n3), values in the target's units. Its mean is the predicted
 * property. */

/** Explains a prediction by writing into `directory` (created if missing; files replaced
 *  atomically):
 *    TARGET.cube, TARGET.xsf   each target's contribution map with the structure
 *                              (cube lengths in bohr, XSF in angstrom; XSF repeats the
 *                              periodic face, so it holds (n1+1)(n2+1)(n3+1) values)
 *    TARGET_fine.cube          with "refine": the map Fourier-interpolated onto a finer grid
 *    A_over_B.cube, .xsf       with "selectivity": the ratio map, 0 where undefined
 *    histogram_TARGET.csv      the contributions' histogram, bins classed strong/medium/weak
 *    sites_TARGET/             the strongest sites (sites.csv, sites.json, sites/NNNN_HASH.xyz)
 *    windows.csv               every window's grid index, centre, atoms and contributions
 *    explanation.json          a summary: property, map range, classes, guards, top sites,
 *                              and the list of these files; written last
 *  While writing, the folder holds a file INCOMPLETE and no explanation.json, so an
 *  interrupted call leaves that mark; the files an earlier explanation.json lists are
 *  removed first, so no file of another run stays beside these. One call per folder at a time.
 *  options_json (NULL or "" for defaults) is an object of explain options, with their
 *  defaults (`x3mat options explain` gives each one's range and meaning):
 *    "refine" (1)          N or [N1, N2, N3]: also each map N times finer per axis
 *                          (Fourier-interpolated; product at most 1000; 1: no fine map)
 *    "selectivity" ([])    [["a", "b"], ...]: ratio maps a/b, targets by name or 0-based index
 *    "guard" (0.001)       a ratio is undefined where |b| <= guard * max |b|
 *    "bins" (20)           histogram bins
 *    "strong" (the model card's, else "high")  which end is strong: "high", or "low" for
 *                          band gaps
 *    "top" (5)             sites listed per target
 *    "removal" ("auto")    atoms dropped from site bond graphs ("auto": H deleted when the
 *                          structure has C, else O contracted; "none"; or e.g. "O:contract,H:delete")
 *    "threads" (X3MAT_NUM_THREADS or the number of CPUs; x3_set_num_threads sets the default)
 *  Symmetry follows x3_set_symmetry. Unknown keys are an error.
 *  The structure's name (x3_structure_name) names it in the files. */
X3_API x3_status x3_model_explain(const x3_model *model, const x3_structure *structure, const char *directory,
                                  const char *options_json);

/** One target's contribution map (0-based `target`), optionally Fourier-interpolated
 *  `refine` = {f1, f2, f3} times finer per axis (NULL: not refined). shape receives
 *  {n1*f1, n2*f2, n3*f3} always; with values NULL and capacity 0 nothing is evaluated
 *  (a shape query). Otherwise values (capacity >= the product) receives the map. */
X3_API x3_status x3_model_map(const x3_model *model, const x3_structure *structure, int32_t target,
                              const int32_t refine[3], int64_t shape[3], double *values, int64_t capacity);

/** The uncertainty of one target's contribution map: at each window of the grid, the
 *  ensemble members' sample standard deviation (n - 1) of its contribution (NaN everywhere
 *  for a single model). shape, values and capacity as for x3_model_map; not refined (a
 *  standard deviation is not a band-limited field). */
X3_API x3_status x3_model_map_std(const x3_model *model, const x3_structure *structure, int32_t target,
                                  int64_t shape[3], double *values, int64_t capacity);

/* ---- training ----------------------------------------------------------------------- */

/** What x3_train reports to its callback. */
typedef enum x3_training_phase {
    X3_PHASE_WINDOWS = 0,     /**< cutting structures into windows (done/total structures) */
    X3_PHASE_TRAINING = 1,    /**< an optimizer step finished (step of steps_per_epoch) */
    X3_PHASE_VALIDATING = 2,  /**< evaluating held-out structures (done/total windows) */
    X3_PHASE_EPOCH_END = 3    /**< an epoch ended; validation_mae is its validation MAE */
} x3_training_phase;

/** Progress of a training run (72 bytes, no padding; Fortran: type(x3_training_progress)). */
typedef struct x3_training_progress {
    int32_t phase;           /**< an x3_training_phase */
    int32_t epoch;           /**< the epoch in progress, from 1 */
    int32_t epochs;
    int32_t step;            /**< optimizer steps done in this epoch */
    int32_t steps_per_epoch;
    int32_t reserved;
    int64_t done, total;     /**< progress within the phase */
    double loss;             /**< mean training loss of this epoch so far (normalised targets) */
    double validation_mae;   /**< latest validation MAE of the first target (its units); NaN before one */
    double elapsed;          /**< seconds since x3_train began */
    double eta;              /**< estimated seconds to go; NaN when unknown */
} x3_training_progress;

/** Called by x3_train after every step and phase change; return 0 to go on, anything
 *  else to stop (a checkpoint is written; train again with "resume" to continue). */
typedef int32_t (*x3_progress_callback)(const x3_training_progress *progress, void *user_data);

/** Trains a model (the engine behind `x3mat train`).
 *  data_dir: a folder with cif/<id>.cif (or <id>.cif) and labels.csv; targets: the label
 *  columns to learn, comma-separated ("co2_uptake,ch4_uptake"). Structures that cannot
 *  be read, or lack a label, are skipped. output_dir receives model.safetensors (the best
 *  model on validation; load it with x3_model_load), checkpoint.safetensors, metrics.csv,
 *  split.csv and, when training ends, predictions_validation.csv and evaluation.json;
 *  every file is written atomically.
 *  config_json: the model configuration (as x3_model_create; NULL or "" for defaults).
 *  options_json (NULL or "" for defaults): training options, with their defaults
 *  (`x3mat options training` gives each one's range and meaning): "epochs" (60),
 *  "batch_structures" (8), "windows_per_structure" (4; 0 = all), "learning_rate" (0.002),
 *  "weight_decay" (1e-4), "warmup_fraction" (0.05), "final_learning_rate_fraction" (0.02),
 *  "clip_norm" (5), "loss" ("l1"; or "mse"), "ema_decay" (0 = off; else validation and
 *  the saved models use an exponential moving average of the weights with this decay per
 *  step), "snapshots" (1; n >= 2: a snapshot ensemble, the learning-rate schedule run n
 *  times over epochs / n epochs each, the weights at the end of each cycle written as
 *  snapshot-K.safetensors and, when training ends, together as ensemble.safetensors with
 *  its spread calibrated on the validation set, whose mean and spread are then the final
 *  predictions; epochs must be a multiple of n), "calibration" ("likelihood"; the spread
 *  scale is then the root mean square of the validation z = |label − mean| / σ, or with
 *  "coverage" the 68.27th percentile of z, so that ±1σ holds 68.27 % of those labels),
 *  "validation_fraction" (0.2),
 *  "test_fraction" (0), "folds" (0; k >= 2: k seeded cross-validation folds of the
 *  structures outside the test set, validation_fraction then unused), "fold" (0; the fold
 *  held out for validation), "seed" (0; an integer, or a decimal string above 2^53),
 *  "validation_windows" (0 = all), "training_limit" (0 = all; a nested seeded subset of
 *  the training set), "symmetry" (true: one window per orbit of the symmetry-adapted
 *  grid, weighted by its size; false: every window of the plain grid),
 *  "symmetry_tolerance" (0.01 Å); and run settings "labels" (CSV path), "id_column",
 *  "limit", "threads", "time_budget" (seconds), "resume" (true: continue the run in
 *  output_dir with its saved options and configuration, which then must not be given),
 *  "init" (the path of a model file: a new run that starts from that model's weights,
 *  configuration and target normalisation, as `x3mat train --init`; config_json must
 *  then be NULL or "", targets must be the model's in its order, and the split comes
 *  from the options, so give the seed and fractions it was trained with to keep its
 *  held-out structures held out). Unknown keys are an error.
 *  progress may be NULL. *finished (may be NULL) is 1 when training ran to its last
 *  epoch, 0 when it stopped early (callback or time budget); a run stopped in its final
 *  evaluation keeps each finished pass of a model over a held-out set, and "resume" goes
 *  on with the next. The same data, options, seed and thread count give the same model
 *  bit for bit, resumed or not. */
X3_API x3_status x3_train(const char *data_dir, const char *targets, const char *output_dir, const char *config_json,
                          const char *options_json, x3_progress_callback progress, void *user_data,
                          int32_t *finished);

/* ---- runtime ---------------------------------------------------------------------- */

/** Sets the number of threads libx3mat's own parallel loops use (window sampling,
 *  later the network); 0 restores the default: $X3MAT_NUM_THREADS if set, else the
 *  number of online CPUs. Process-wide. libx3mat runs OpenBLAS single-threaded and
 *  parallelises over windows itself, so results depend on this count only (not on load
 *  or on OPENBLAS_NUM_THREADS), and other OpenBLAS users in the process are unaffected
 *  unless they share libx3mat's copy of libopenblas.
 *  X3_ERR_INVALID_ARGUMENT outside 0..max(8, 4 x online CPUs): every thread keeps its own
 *  work buffers, so more threads than that would only multiply memory. */
X3_API x3_status x3_set_num_threads(int32_t n);

/** The number of threads libx3mat's parallel loops use now. */
X3_API int32_t x3_get_num_threads(void);

/* Memory and threads of a long-lived host. libx3mat's parallel loops run on a pool of
 * worker threads created on first use and kept for the life of the process (no thread is
 * created per call); they sleep while idle. The network's work buffers are recycled
 * between calls in a process-wide pool that only grows: a host that predicts repeatedly
 * keeps the peak memory of its largest call until it calls x3_release_memory. Nothing
 * is trimmed automatically. */

/** Returns the network's pooled work buffers and the C allocator's free memory
 *  (malloc_trim) to the system. Safe at any time, including while other threads use
 *  libx3mat (their buffers in use are not touched). Results do not change. */
X3_API x3_status x3_release_memory(void);

/** Process-wide caps on the work and memory of one request; past one, the request fails
 *  (X3_ERR_OUT_OF_MEMORY, or X3_ERR_UNSUPPORTED for operators) before the large
 *  allocation. By name, with default and settable range:
 *    "cif_max_atoms"       200,000      atoms of a CIF structure after symmetry expansion
 *                                       (1..100,000,000)
 *    "cif_max_operations"  1,024        distinct symmetry operators of a CIF (1..100,000)
 *    "window_max_count"    1,000,000    windows of one request: a grid (unless max_windows
 *                                       is given) or x3_windows_at's centres (1..100,000,000)
 *    "window_max_atoms"    100,000,000  atoms gathered over one request's windows, 44 bytes
 *                                       each (1..10,000,000,000)
 *  value 0 restores the default. X3_ERR_INVALID_ARGUMENT for an unknown name (the message
 *  lists the names) or a value outside the range. */
X3_API x3_status x3_set_limit(const char *name, int64_t value);

/** The cap in force for a limit of x3_set_limit. */
X3_API x3_status x3_get_limit(const char *name, int64_t *value);

/** Describes the dense linear algebra in use, e.g.
 *  "OpenBLAS libopenblas.so.0, core SkylakeX (chosen by libx3mat), 1 threads".
 *  Loads OpenBLAS if not yet loaded: libx3mat sets OPENBLAS_CORETYPE from the CPU's
 *  features before loading it, unless the environment already sets it, because
 *  OpenBLAS 0.3.21 falls back to slow kernels on CPUs it does not recognise.
 *  String-out convention; X3_ERR_DEPENDENCY if OpenBLAS cannot be loaded. */
X3_API x3_status x3_blas_info(char *buffer, int64_t capacity, int64_t *length);

#ifdef __cplusplus
}
#endif

#endif /* X3MAT_H */
