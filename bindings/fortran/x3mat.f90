!> Fortran interface to libx3mat (include/x3mat.h), over iso_c_binding: every function
!> of the C API is reachable, through a type-bound procedure of the handle it works on
!> (x3_structure, x3_windows, x3_model, x3_catalogue) or a module procedure.
!>
!> Conventions (those of x3mat.h): lengths in Å, angles in degrees, density in g/cm³.
!> Arrays of positions are (3, natoms): column i is atom i, which is exactly the C
!> row-major natoms x 3 layout. The cell is (3, 3) with column j = lattice vector j
!> (a, b, c), the same memory as the C row-major matrix whose rows are a, b, c. Window,
!> atom, warning and target numbers are 1-based.
!>
!> Integer kinds, one rule: integer(c_int32_t) for what C declares int32_t (statuses,
!> flags, atomic numbers, iteration counts, digest sizes, target numbers, refinement
!> factors, thread counts); integer(c_int64_t) for what C declares int64_t (counts,
!> sizes, window and atom numbers, limits).
!>
!> Errors are returned, never hidden: a procedure that can fail is an
!> integer(c_int32_t) function returning the C status (X3_OK = 0 on success;
!> x3_last_error() gives the message), or, when it returns a value (a count, the
!> formula, ...), takes an optional `status` argument: given, it receives the status;
!> left out, a failure stops the program with the message (error stop).
!>
!>   use x3mat
!>   type(x3_structure) :: s
!>   if (s%read_cif("LTA.cif") /= X3_OK) print *, x3_last_error()
!>   print *, s%formula(), s%density()
!>   call s%free()
module x3mat
    use, intrinsic :: iso_c_binding
    implicit none
    private

    ! status codes (x3_status)
    integer(c_int32_t), parameter, public :: X3_OK = 0, X3_ERR_NULL_ARGUMENT = 1, &
        X3_ERR_INVALID_ARGUMENT = 2, X3_ERR_IO = 3, X3_ERR_PARSE = 4, X3_ERR_UNKNOWN_ELEMENT = 5, &
        X3_ERR_INVALID_CELL = 6, X3_ERR_OUT_OF_MEMORY = 7, X3_ERR_BUFFER_TOO_SMALL = 8, &
        X3_ERR_INDEX_OUT_OF_RANGE = 9, X3_ERR_UNSUPPORTED = 10, X3_ERR_DEPENDENCY = 11, &
        X3_ERR_INTERNAL = 99
    ! coordinates (x3_coordinates)
    integer(c_int32_t), parameter, public :: X3_FRACTIONAL = 0, X3_CARTESIAN = 1
    ! how an ensemble's spread scale was fitted (x3_spread_calibration)
    integer(c_int32_t), parameter, public :: X3_SPREAD_NOT_CALIBRATED = 0, X3_SPREAD_LIKELIHOOD = 1, &
        X3_SPREAD_COVERAGE = 2, X3_SPREAD_NOT_RECORDED = 3

    public :: x3_version, x3_version_numbers, x3_last_error, x3_clear_error, x3_status_name, x3_site_hash
    public :: x3_element_atomic_number, x3_element_covalent_radius, x3_blas_info
    public :: x3_set_num_threads, x3_get_num_threads, x3_set_limit, x3_get_limit, x3_model_parameter_count

    !> A crystal structure (x3_structure *). Release with %free().
    type, public :: x3_structure
        type(c_ptr) :: ptr = c_null_ptr
    contains
        procedure :: read_cif => structure_read_cif
        procedure :: parse_cif => structure_parse_cif
        procedure :: from_arrays => structure_from_arrays
        procedure :: write_cif => structure_write_cif
        procedure :: name => structure_name
        procedure :: natoms => structure_natoms
        procedure :: cell => structure_cell
        procedure :: cell_parameters => structure_cell_parameters
        procedure :: volume => structure_volume
        procedure :: density => structure_density
        procedure :: positions => structure_positions
        procedure :: atomic_numbers => structure_atomic_numbers
        procedure :: occupancies => structure_occupancies
        procedure :: formula => structure_formula
        procedure :: warning_count => structure_warning_count
        procedure :: warning => structure_warning
        procedure :: space_group => structure_space_group
        procedure :: free => structure_free
    end type x3_structure

    !> Detection windows of a structure (x3_windows *). Release with %free().
    !> Fortran indices are 1-based: window i is C window i-1, and source atoms are
    !> numbered from 1 like the structure's atoms. Positions are (3, natoms), Å, relative
    !> to the window centre; images (3, natoms) are the integer cell offsets n, the atom
    !> sitting at fractional f(source) + n. Conventions in include/x3mat.h.
    type, public :: x3_windows
        type(c_ptr) :: ptr = c_null_ptr
    contains
        procedure :: sample => windows_sample
        procedure :: at => windows_at
        procedure :: count => windows_count
        procedure :: grid_shape => windows_grid_shape
        procedure :: radius => windows_radius
        procedure :: centres => windows_centres
        procedure :: atom_count => windows_atom_count
        procedure :: total_atoms => windows_total_atoms
        procedure :: offsets => windows_offsets
        procedure :: atoms => windows_atoms
        procedure :: bond_graph => windows_bond_graph
        procedure :: site_hashes => windows_site_hashes
        procedure :: free => windows_free
    end type x3_windows

    integer(c_int64_t), parameter, public :: X3_ALL_WINDOWS = -1

    !> A trained model (x3_model *). Release with %free(). Properties are in the units of
    !> the model's targets (e.g. mol/kg for Ar uptake, eV for a band gap).
    type, public :: x3_model
        type(c_ptr) :: ptr = c_null_ptr
    contains
        procedure :: load => model_load
        procedure :: create => model_create
        procedure :: save => model_save
        procedure :: targets => model_targets
        procedure :: parameters => model_parameters
        procedure :: config => model_config
        procedure :: card => model_card
        procedure :: predict => model_predict
        procedure :: predict_std => model_predict_std
        procedure :: members => model_members
        procedure :: spread_scale => model_spread_scale
        procedure :: spread_calibration => model_spread_calibration
        procedure :: with_spread_scale => model_with_spread_scale
        procedure :: with_spread_calibration => model_with_spread_calibration
        procedure :: ensemble => model_ensemble
        procedure :: predict_many => model_predict_many
        procedure :: contributions => model_contributions
        procedure :: contributions_at => model_contributions_at
        procedure :: windows => model_windows
        procedure :: map => model_map
        procedure :: map_std => model_map_std
        procedure :: explain => model_explain
        procedure :: orbits => model_orbits
        procedure :: free => model_free
    end type x3_model

    !> A site catalogue (x3_catalogue *): windows of many structures grouped by site hash,
    !> with counts and per-target statistics. Release with %free().
    type, public :: x3_catalogue
        type(c_ptr) :: ptr = c_null_ptr
    contains
        procedure :: new => catalogue_new
        procedure :: add => catalogue_add
        procedure :: counts => catalogue_counts
        procedure :: json => catalogue_json
        procedure :: write => catalogue_write
        procedure :: free => catalogue_free
    end type x3_catalogue

    !> Ranking of a catalogue's sites by window count (rather than by a target's mean).
    integer(c_int32_t), parameter, public :: X3_RANK_BY_COUNT = 0

    !> Progress of x3_train (include/x3mat.h, x3_training_progress); phase is one of the
    !> X3_PHASE_* values.
    type, public, bind(C) :: x3_training_progress
        integer(c_int32_t) :: phase, epoch, epochs, step, steps_per_epoch, reserved
        integer(c_int64_t) :: done, total
        real(c_double) :: loss, validation_mae, elapsed, eta
    end type x3_training_progress
    integer(c_int32_t), parameter, public :: X3_PHASE_WINDOWS = 0, X3_PHASE_TRAINING = 1, &
        X3_PHASE_VALIDATING = 2, X3_PHASE_EPOCH_END = 3

    !> A progress callback for x3_train: return 0 to go on, anything else to stop.
    abstract interface
        function x3_progress_callback(progress, user_data) bind(C) result(stop)
            import :: x3_training_progress, c_ptr, c_int32_t
            type(x3_training_progress), intent(in) :: progress
            type(c_ptr), value :: user_data
            integer(c_int32_t) :: stop
        end function
    end interface
    public :: x3_progress_callback, x3_train, x3_set_symmetry, x3_get_symmetry
    public :: x3_model_find, x3_release_memory, x3_element_symbol, x3_element_mass

    !> The C string-out functions on a handle: (handle, buffer, capacity, length).
    abstract interface
        function handle_string_out(h, buffer, capacity, length) bind(C)
            import :: c_ptr, c_char, c_int64_t, c_int32_t
            type(c_ptr), value :: h
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: handle_string_out
        end function
    end interface
    ! the handle string-out functions of the C API
    procedure(handle_string_out), bind(C, name="x3_structure_formula") :: c_formula
    procedure(handle_string_out), bind(C, name="x3_structure_name") :: c_structure_name
    procedure(handle_string_out), bind(C, name="x3_model_config") :: c_model_config
    procedure(handle_string_out), bind(C, name="x3_model_card") :: c_model_card

    interface
        function c_version() bind(C, name="x3_version")
            import :: c_ptr
            type(c_ptr) :: c_version
        end function
        function c_last_error() bind(C, name="x3_last_error")
            import :: c_ptr
            type(c_ptr) :: c_last_error
        end function
        function c_strlen(s) bind(C, name="strlen")
            import :: c_ptr, c_size_t
            type(c_ptr), value :: s
            integer(c_size_t) :: c_strlen
        end function
        function c_read_cif(path, block, out) bind(C, name="x3_structure_read_cif")
            import :: c_char, c_ptr, c_int32_t
            character(kind=c_char), intent(in) :: path(*)
            type(c_ptr), value :: block
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_read_cif
        end function
        function c_from_arrays(cell, natoms, positions, coordinates, z, out) &
                bind(C, name="x3_structure_from_arrays")
            import :: c_double, c_int64_t, c_int32_t, c_ptr
            real(c_double), intent(in) :: cell(*)
            integer(c_int64_t), value :: natoms
            real(c_double), intent(in) :: positions(*)
            integer(c_int32_t), value :: coordinates
            integer(c_int32_t), intent(in) :: z(*)
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_from_arrays
        end function
        subroutine c_free(s) bind(C, name="x3_structure_free")
            import :: c_ptr
            type(c_ptr), value :: s
        end subroutine
        function c_atom_count(s, n) bind(C, name="x3_structure_atom_count")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            integer(c_int64_t), intent(out) :: n
            integer(c_int32_t) :: c_atom_count
        end function
        function c_doubles(s, out) bind(C, name="x3_structure_cell")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: s
            real(c_double), intent(out) :: out(*)
            integer(c_int32_t) :: c_doubles
        end function
        function c_cell_parameters(s, out) bind(C, name="x3_structure_cell_parameters")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: s
            real(c_double), intent(out) :: out(*)
            integer(c_int32_t) :: c_cell_parameters
        end function
        function c_volume(s, v) bind(C, name="x3_structure_volume")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: s
            real(c_double), intent(out) :: v
            integer(c_int32_t) :: c_volume
        end function
        function c_density(s, v) bind(C, name="x3_structure_density")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: s
            real(c_double), intent(out) :: v
            integer(c_int32_t) :: c_density
        end function
        function c_positions(s, coordinates, out, capacity) bind(C, name="x3_structure_positions")
            import :: c_ptr, c_double, c_int32_t, c_int64_t
            type(c_ptr), value :: s
            integer(c_int32_t), value :: coordinates
            real(c_double), intent(out) :: out(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_positions
        end function
        function c_atomic_numbers(s, out, capacity) bind(C, name="x3_structure_atomic_numbers")
            import :: c_ptr, c_int32_t, c_int64_t
            type(c_ptr), value :: s
            integer(c_int32_t), intent(out) :: out(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_atomic_numbers
        end function
        function c_windows_sample(s, radius, step, max_windows, out) bind(C, name="x3_windows_sample")
            import :: c_ptr, c_double, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            real(c_double), value :: radius, step
            integer(c_int64_t), value :: max_windows
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_windows_sample
        end function
        function c_windows_at(s, radius, n, centres, coordinates, out) bind(C, name="x3_windows_at")
            import :: c_ptr, c_double, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            real(c_double), value :: radius
            integer(c_int64_t), value :: n
            real(c_double), intent(in) :: centres(*)
            integer(c_int32_t), value :: coordinates
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_windows_at
        end function
        subroutine c_windows_free(w) bind(C, name="x3_windows_free")
            import :: c_ptr
            type(c_ptr), value :: w
        end subroutine
        function c_windows_count(w, n) bind(C, name="x3_windows_count")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: w
            integer(c_int64_t), intent(out) :: n
            integer(c_int32_t) :: c_windows_count
        end function
        function c_windows_grid(w, shape, step) bind(C, name="x3_windows_grid")
            import :: c_ptr, c_int64_t, c_int32_t, c_double
            type(c_ptr), value :: w
            integer(c_int64_t), intent(out) :: shape(3)
            real(c_double), intent(out) :: step
            integer(c_int32_t) :: c_windows_grid
        end function
        function c_windows_radius(w, radius) bind(C, name="x3_windows_radius")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: w
            real(c_double), intent(out) :: radius
            integer(c_int32_t) :: c_windows_radius
        end function
        function c_windows_centres(w, coordinates, out, capacity) bind(C, name="x3_windows_centres")
            import :: c_ptr, c_double, c_int32_t, c_int64_t
            type(c_ptr), value :: w
            integer(c_int32_t), value :: coordinates
            real(c_double), intent(out) :: out(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_windows_centres
        end function
        function c_windows_atom_count(w, i, n) bind(C, name="x3_windows_atom_count")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: w
            integer(c_int64_t), value :: i
            integer(c_int64_t), intent(out) :: n
            integer(c_int32_t) :: c_windows_atom_count
        end function
        function c_windows_atoms(w, i, z, positions, source, images, capacity) bind(C, name="x3_windows_atoms")
            import :: c_ptr, c_int64_t, c_int32_t, c_double
            type(c_ptr), value :: w
            integer(c_int64_t), value :: i
            integer(c_int32_t), intent(out) :: z(*)
            real(c_double), intent(out) :: positions(*)
            integer(c_int32_t), intent(out) :: source(*), images(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_windows_atoms
        end function
        function c_wl_hash(nnodes, labels, nedges, edges, iterations, digest_size, buffer, capacity, length) &
                bind(C, name="x3_wl_hash")
            import :: c_int64_t, c_ptr, c_int32_t, c_char
            integer(c_int64_t), value :: nnodes, nedges
            type(c_ptr), intent(in) :: labels(*)
            integer(c_int64_t), intent(in) :: edges(*)
            integer(c_int32_t), value :: iterations, digest_size
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_wl_hash
        end function
        function c_windows_site_hashes(w, tolerance, remove, iterations, digest_size, hashes, capacity) &
                bind(C, name="x3_windows_site_hashes")
            import :: c_ptr, c_double, c_char, c_int32_t, c_int64_t
            type(c_ptr), value :: w
            real(c_double), value :: tolerance
            character(kind=c_char), intent(in) :: remove(*)
            integer(c_int32_t), value :: iterations, digest_size
            character(kind=c_char), intent(out) :: hashes(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_windows_site_hashes
        end function
        function c_model_load(path, out) bind(C, name="x3_model_load")
            import :: c_char, c_ptr, c_int32_t
            character(kind=c_char), intent(in) :: path(*)
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_model_load
        end function
        subroutine c_model_free(m) bind(C, name="x3_model_free")
            import :: c_ptr
            type(c_ptr), value :: m
        end subroutine
        function c_model_find(name, buffer, capacity, length) bind(C, name="x3_model_find")
            import :: c_char, c_int64_t, c_int32_t
            character(kind=c_char), intent(in) :: name(*)
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_model_find
        end function
        function c_model_contributions_at(m, s, coordinates, n, centres, contributions, capacity) &
                bind(C, name="x3_model_contributions_at")
            import :: c_ptr, c_int32_t, c_int64_t, c_double
            type(c_ptr), value :: m, s
            integer(c_int32_t), value :: coordinates
            integer(c_int64_t), value :: n, capacity
            real(c_double), intent(in) :: centres(*)
            real(c_double), intent(out) :: contributions(*)
            integer(c_int32_t) :: c_model_contributions_at
        end function
        !> Returns the network's pooled work buffers and the C heap's free memory to the
        !> system (x3_release_memory in include/x3mat.h); predictions do not change.
        function x3_release_memory() bind(C, name="x3_release_memory")
            import :: c_int32_t
            integer(c_int32_t) :: x3_release_memory
        end function
        !> The standard atomic mass (g/mol) of element z.
        function x3_element_mass(z, mass) bind(C, name="x3_element_mass")
            import :: c_int32_t, c_double
            integer(c_int32_t), value :: z
            real(c_double), intent(out) :: mass
            integer(c_int32_t) :: x3_element_mass
        end function
        function c_element_symbol(z, buffer, capacity, length) bind(C, name="x3_element_symbol")
            import :: c_char, c_int32_t, c_int64_t
            integer(c_int32_t), value :: z
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_element_symbol
        end function
        function c_model_sizes(m, parameters, targets) bind(C, name="x3_model_sizes")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: m
            integer(c_int64_t), intent(out) :: parameters, targets
            integer(c_int32_t) :: c_model_sizes
        end function
        function c_model_predict(m, s, property) bind(C, name="x3_model_predict")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: m, s
            real(c_double), intent(out) :: property(*)
            integer(c_int32_t) :: c_model_predict
        end function
        function c_model_members(m, members) bind(C, name="x3_model_members")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: m
            integer(c_int64_t), intent(out) :: members
            integer(c_int32_t) :: c_model_members
        end function
        function c_model_ensemble(models, n, out) bind(C, name="x3_model_ensemble")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), intent(in) :: models(*)
            integer(c_int64_t), value :: n
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_model_ensemble
        end function
        function c_model_spread_scale(m, scale) bind(C, name="x3_model_spread_scale")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: m
            real(c_double), intent(out) :: scale(*)
            integer(c_int32_t) :: c_model_spread_scale
        end function
        function c_model_spread_calibration(m, rule) bind(C, name="x3_model_spread_calibration")
            import :: c_ptr, c_int32_t
            type(c_ptr), value :: m
            integer(c_int32_t), intent(out) :: rule
            integer(c_int32_t) :: c_model_spread_calibration
        end function
        function c_model_with_spread_scale(m, scale, out) bind(C, name="x3_model_with_spread_scale")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: m
            real(c_double), intent(in) :: scale(*)
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_model_with_spread_scale
        end function
        function c_model_with_spread_calibration(m, scale, rule, out) bind(C, name="x3_model_with_spread_calibration")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: m
            real(c_double), intent(in) :: scale(*)
            integer(c_int32_t), value :: rule
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_model_with_spread_calibration
        end function
        function c_model_predict_std(m, s, property, std) bind(C, name="x3_model_predict_std")
            import :: c_ptr, c_double, c_int32_t
            type(c_ptr), value :: m, s
            real(c_double), intent(out) :: property(*), std(*)
            integer(c_int32_t) :: c_model_predict_std
        end function
        function c_model_predict_many_std(m, n, structures, properties, stds, nevaluated, statuses) &
                bind(C, name="x3_model_predict_many_std")
            import :: c_ptr, c_double, c_int32_t, c_int64_t
            type(c_ptr), value :: m
            integer(c_int64_t), value :: n
            type(c_ptr), intent(in) :: structures(*)
            real(c_double), intent(out) :: properties(*), stds(*)
            integer(c_int64_t), intent(out) :: nevaluated(*)
            integer(c_int32_t), intent(out) :: statuses(*)
            integer(c_int32_t) :: c_model_predict_many_std
        end function
        function c_model_predict_many(m, n, structures, properties, nevaluated, statuses) &
                bind(C, name="x3_model_predict_many")
            import :: c_ptr, c_double, c_int32_t, c_int64_t
            type(c_ptr), value :: m
            integer(c_int64_t), value :: n
            type(c_ptr), intent(in) :: structures(*)
            real(c_double), intent(out) :: properties(*)
            integer(c_int64_t), intent(out) :: nevaluated(*)
            integer(c_int32_t), intent(out) :: statuses(*)
            integer(c_int32_t) :: c_model_predict_many
        end function
        function c_model_contributions(m, s, nwindows, contributions, capacity, property) &
                bind(C, name="x3_model_contributions")
            import :: c_ptr, c_double, c_int64_t, c_int32_t
            type(c_ptr), value :: m, s
            integer(c_int64_t), intent(out) :: nwindows
            type(c_ptr), value :: contributions
            integer(c_int64_t), value :: capacity
            type(c_ptr), value :: property
            integer(c_int32_t) :: c_model_contributions
        end function
        function c_model_windows(m, s, out) bind(C, name="x3_model_windows")
            import :: c_ptr, c_int32_t
            type(c_ptr), value :: m, s
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_model_windows
        end function
        function c_model_map(m, s, target, refine, shape, values, capacity) bind(C, name="x3_model_map")
            import :: c_ptr, c_int32_t, c_int64_t
            type(c_ptr), value :: m, s
            integer(c_int32_t), value :: target
            integer(c_int32_t), intent(in) :: refine(3)
            integer(c_int64_t), intent(out) :: shape(3)
            type(c_ptr), value :: values
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_model_map
        end function
        function c_model_map_std(m, s, target, shape, values, capacity) bind(C, name="x3_model_map_std")
            import :: c_ptr, c_int32_t, c_int64_t
            type(c_ptr), value :: m, s
            integer(c_int32_t), value :: target
            integer(c_int64_t), intent(out) :: shape(3)
            type(c_ptr), value :: values
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_model_map_std
        end function
        function c_model_explain(m, s, directory, options_json) bind(C, name="x3_model_explain")
            import :: c_ptr, c_char, c_int32_t
            type(c_ptr), value :: m, s
            character(kind=c_char), intent(in) :: directory(*), options_json(*)
            integer(c_int32_t) :: c_model_explain
        end function
        function c_train(data_dir, targets, output_dir, config_json, options_json, progress, user_data, &
                finished) bind(C, name="x3_train")
            import :: c_char, c_funptr, c_ptr, c_int32_t
            character(kind=c_char), intent(in) :: data_dir(*), targets(*), output_dir(*), config_json(*), &
                options_json(*)
            type(c_funptr), value :: progress
            type(c_ptr), value :: user_data
            integer(c_int32_t), intent(out) :: finished
            integer(c_int32_t) :: c_train
        end function
        function x3_set_symmetry(enabled, tolerance) bind(C, name="x3_set_symmetry")
            import :: c_int32_t, c_double
            integer(c_int32_t), value :: enabled
            real(c_double), value :: tolerance
            integer(c_int32_t) :: x3_set_symmetry
        end function
        function x3_get_symmetry(enabled, tolerance) bind(C, name="x3_get_symmetry")
            import :: c_int32_t, c_double
            integer(c_int32_t), intent(out) :: enabled
            real(c_double), intent(out) :: tolerance
            integer(c_int32_t) :: x3_get_symmetry
        end function
        function c_structure_space_group(s, tolerance, number, symbol, capacity, length) &
                bind(C, name="x3_structure_space_group")
            import :: c_ptr, c_double, c_int32_t, c_int64_t
            type(c_ptr), value :: s
            real(c_double), value :: tolerance
            integer(c_int32_t), intent(out) :: number
            type(c_ptr), value :: symbol, length
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_structure_space_group
        end function
        function c_model_orbits(m, s, nwindows, norbits, noperations) bind(C, name="x3_model_orbits")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: m, s
            integer(c_int64_t), intent(out) :: nwindows, norbits, noperations
            integer(c_int32_t) :: c_model_orbits
        end function
        subroutine x3_version_numbers(major, minor, patch) bind(C, name="x3_version_numbers")
            import :: c_int32_t
            integer(c_int32_t), intent(out) :: major, minor, patch
        end subroutine
        !> Clears this thread's last error message.
        subroutine x3_clear_error() bind(C, name="x3_clear_error")
        end subroutine
        function c_status_name(status) bind(C, name="x3_status_name")
            import :: c_int32_t, c_ptr
            integer(c_int32_t), value :: status
            type(c_ptr) :: c_status_name
        end function
        function c_element_atomic_number(symbol, z) bind(C, name="x3_element_atomic_number")
            import :: c_char, c_int32_t
            character(kind=c_char), intent(in) :: symbol(*)
            integer(c_int32_t), intent(out) :: z
            integer(c_int32_t) :: c_element_atomic_number
        end function
        !> The covalent radius (Å) of element z (Cordero et al., Dalton Trans. 2008).
        function x3_element_covalent_radius(z, radius) bind(C, name="x3_element_covalent_radius")
            import :: c_int32_t, c_double
            integer(c_int32_t), value :: z
            real(c_double), intent(out) :: radius
            integer(c_int32_t) :: x3_element_covalent_radius
        end function
        function c_blas_info(buffer, capacity, length) bind(C, name="x3_blas_info")
            import :: c_char, c_int64_t, c_int32_t
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_blas_info
        end function
        !> Threads of libx3mat's own parallel loops, process-wide (0: $X3MAT_NUM_THREADS, else
        !> the number of CPUs).
        function x3_set_num_threads(n) bind(C, name="x3_set_num_threads")
            import :: c_int32_t
            integer(c_int32_t), value :: n
            integer(c_int32_t) :: x3_set_num_threads
        end function
        !> The number of threads libx3mat's parallel loops use now.
        function x3_get_num_threads() bind(C, name="x3_get_num_threads")
            import :: c_int32_t
            integer(c_int32_t) :: x3_get_num_threads
        end function
        function c_set_limit(name, value) bind(C, name="x3_set_limit")
            import :: c_char, c_int64_t, c_int32_t
            character(kind=c_char), intent(in) :: name(*)
            integer(c_int64_t), value :: value
            integer(c_int32_t) :: c_set_limit
        end function
        function c_get_limit(name, value) bind(C, name="x3_get_limit")
            import :: c_char, c_int64_t, c_int32_t
            character(kind=c_char), intent(in) :: name(*)
            integer(c_int64_t), intent(out) :: value
            integer(c_int32_t) :: c_get_limit
        end function
        function c_parse_cif(text, block, out) bind(C, name="x3_structure_parse_cif")
            import :: c_char, c_ptr, c_int32_t
            character(kind=c_char), intent(in) :: text(*)
            type(c_ptr), value :: block
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_parse_cif
        end function
        function c_write_cif(s, path) bind(C, name="x3_structure_write_cif")
            import :: c_char, c_ptr, c_int32_t
            type(c_ptr), value :: s
            character(kind=c_char), intent(in) :: path(*)
            integer(c_int32_t) :: c_write_cif
        end function
        function c_occupancies(s, out, capacity) bind(C, name="x3_structure_occupancies")
            import :: c_ptr, c_double, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            real(c_double), intent(out) :: out(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_occupancies
        end function
        function c_warning_count(s, n) bind(C, name="x3_structure_warning_count")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            integer(c_int64_t), intent(out) :: n
            integer(c_int32_t) :: c_warning_count
        end function
        function c_warning(s, index, buffer, capacity, length) bind(C, name="x3_structure_warning")
            import :: c_ptr, c_char, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            integer(c_int64_t), value :: index
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_warning
        end function
        function c_windows_total_atoms(w, n) bind(C, name="x3_windows_total_atoms")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: w
            integer(c_int64_t), intent(out) :: n
            integer(c_int32_t) :: c_windows_total_atoms
        end function
        function c_windows_offsets(w, offsets, capacity) bind(C, name="x3_windows_offsets")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: w
            integer(c_int64_t), intent(out) :: offsets(*)
            integer(c_int64_t), value :: capacity
            integer(c_int32_t) :: c_windows_offsets
        end function
        function c_windows_bond_graph(w, window, tolerance, remove, nnodes, nedges, node_atoms, node_capacity, &
                edges, edge_capacity) bind(C, name="x3_windows_bond_graph")
            import :: c_ptr, c_int64_t, c_int32_t, c_double, c_char
            type(c_ptr), value :: w
            integer(c_int64_t), value :: window
            real(c_double), value :: tolerance
            character(kind=c_char), intent(in) :: remove(*)
            integer(c_int64_t), intent(out) :: nnodes, nedges
            integer(c_int32_t), intent(out) :: node_atoms(*)
            integer(c_int64_t), value :: node_capacity
            integer(c_int64_t), intent(out) :: edges(*)
            integer(c_int64_t), value :: edge_capacity
            integer(c_int32_t) :: c_windows_bond_graph
        end function
        function c_model_create(config_json, out) bind(C, name="x3_model_create")
            import :: c_char, c_ptr, c_int32_t
            character(kind=c_char), intent(in) :: config_json(*)
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_model_create
        end function
        function c_model_save(m, path) bind(C, name="x3_model_save")
            import :: c_char, c_ptr, c_int32_t
            type(c_ptr), value :: m
            character(kind=c_char), intent(in) :: path(*)
            integer(c_int32_t) :: c_model_save
        end function
        function c_model_parameter_count(config_json, n) bind(C, name="x3_model_parameter_count")
            import :: c_char, c_int64_t, c_int32_t
            character(kind=c_char), intent(in) :: config_json(*)
            integer(c_int64_t), intent(out) :: n
            integer(c_int32_t) :: c_model_parameter_count
        end function
        function c_catalogue_new(tolerance, remove, iterations, digest_size, ntargets, names, out) &
                bind(C, name="x3_catalogue_new")
            import :: c_double, c_char, c_int32_t, c_int64_t, c_ptr
            real(c_double), value :: tolerance
            character(kind=c_char), intent(in) :: remove(*)
            integer(c_int32_t), value :: iterations, digest_size
            integer(c_int64_t), value :: ntargets
            type(c_ptr), intent(in) :: names(*)
            type(c_ptr), intent(out) :: out
            integer(c_int32_t) :: c_catalogue_new
        end function
        function c_catalogue_add(c, id, w, values, nvalues) bind(C, name="x3_catalogue_add")
            import :: c_ptr, c_char, c_int64_t, c_int32_t
            type(c_ptr), value :: c
            character(kind=c_char), intent(in) :: id(*)
            type(c_ptr), value :: w, values
            integer(c_int64_t), value :: nvalues
            integer(c_int32_t) :: c_catalogue_add
        end function
        function c_catalogue_counts(c, sites, windows, structures) bind(C, name="x3_catalogue_counts")
            import :: c_ptr, c_int64_t, c_int32_t
            type(c_ptr), value :: c
            integer(c_int64_t), intent(out) :: sites, windows, structures
            integer(c_int32_t) :: c_catalogue_counts
        end function
        function c_catalogue_json(c, rank_by, top, buffer, capacity, length) bind(C, name="x3_catalogue_json")
            import :: c_ptr, c_char, c_int64_t, c_int32_t
            type(c_ptr), value :: c
            integer(c_int32_t), value :: rank_by
            integer(c_int64_t), value :: top
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_catalogue_json
        end function
        function c_catalogue_write(c, directory, rank_by, top) bind(C, name="x3_catalogue_write")
            import :: c_ptr, c_char, c_int64_t, c_int32_t
            type(c_ptr), value :: c
            character(kind=c_char), intent(in) :: directory(*)
            integer(c_int32_t), value :: rank_by
            integer(c_int64_t), value :: top
            integer(c_int32_t) :: c_catalogue_write
        end function
        subroutine c_catalogue_free(c) bind(C, name="x3_catalogue_free")
            import :: c_ptr
            type(c_ptr), value :: c
        end subroutine
    end interface

contains

    !> Copies a NUL-terminated C string into a Fortran string.
    function from_c(p) result(s)
        type(c_ptr), intent(in) :: p
        character(len=:), allocatable :: s
        character(kind=c_char), pointer :: chars(:)
        integer :: n, i
        if (.not. c_associated(p)) then
            s = ""
            return
        end if
        n = int(c_strlen(p))
        call c_f_pointer(p, chars, [n])
        allocate(character(len=n) :: s)
        do i = 1, n
            s(i:i) = chars(i)
        end do
    end function

    !> Version of the loaded library, e.g. "0.1.0".
    function x3_version() result(s)
        character(len=:), allocatable :: s
        s = from_c(c_version())
    end function

    !> Message of the most recent failed libx3mat call on this thread.
    function x3_last_error() result(s)
        character(len=:), allocatable :: s
        s = from_c(c_last_error())
    end function

    !> The file of a model given by name (e.g. "iza-ar-uptake"), searched as x3_model_find
    !> in include/x3mat.h describes ($X3MAT_MODEL_PATH, models/ beside libx3mat,
    !> PREFIX/share/x3mat/models, the source tree's models/); a path is returned as it is.
    integer(c_int32_t) function x3_model_find(name, path) result(status)
        character(len=*), intent(in) :: name
        character(len=:), allocatable, intent(out) :: path
        character(kind=c_char), allocatable :: buffer(:)
        character(kind=c_char) :: probe(1)
        integer(c_int64_t) :: n
        path = ""
        status = c_model_find(trim(name) // c_null_char, probe, 0_c_int64_t, n)
        if (status /= X3_ERR_BUFFER_TOO_SMALL) return
        allocate(buffer(n + 1))
        status = c_model_find(trim(name) // c_null_char, buffer, n + 1, n)
        if (status == X3_OK) path = chars_to_string(buffer, int(n))
    end function

    !> The symbol of element z (e.g. "Si" for 14).
    integer(c_int32_t) function x3_element_symbol(z, symbol) result(status)
        integer(c_int32_t), intent(in) :: z
        character(len=:), allocatable, intent(out) :: symbol
        character(kind=c_char) :: buffer(8)
        integer(c_int64_t) :: n
        symbol = ""
        status = c_element_symbol(z, buffer, 8_c_int64_t, n)
        if (status == X3_OK) symbol = chars_to_string(buffer, int(n))
    end function

    !> The first n characters of a C character array.
    pure function chars_to_string(chars, n) result(s)
        character(kind=c_char), intent(in) :: chars(:)
        integer, intent(in) :: n
        character(len=n) :: s
        integer :: i
        do i = 1, n
            s(i:i) = chars(i)
        end do
    end function

    !> Hands a status to the caller's optional `status`, or, when the caller gave none,
    !> stops the program on failure with the message: a getter never hides an error.
    subroutine report(st, what, status)
        integer(c_int32_t), intent(in) :: st
        character(len=*), intent(in) :: what
        integer(c_int32_t), intent(out), optional :: status
        if (present(status)) then
            status = st
        else if (st /= X3_OK) then
            error stop "x3mat: " // what // ": " // x3_last_error()
        end if
    end subroutine

    !> A C string-out function's text for handle h (sized by a first call).
    integer(c_int32_t) function string_of(f, h, s) result(status)
        procedure(handle_string_out) :: f
        type(c_ptr), intent(in) :: h
        character(len=:), allocatable, intent(out) :: s
        character(kind=c_char), allocatable :: buffer(:)
        character(kind=c_char) :: probe(1)
        integer(c_int64_t) :: n
        s = ""
        status = f(h, probe, 0_c_int64_t, n)
        if (status == X3_ERR_BUFFER_TOO_SMALL) then
            allocate(buffer(n + 1))
            status = f(h, buffer, n + 1, n)
        else if (status == X3_OK) then
            return  ! an empty string
        end if
        if (status == X3_OK) s = chars_to_string(buffer, int(n))
    end function

    !> A C string made from a Fortran string (trailing blanks dropped).
    pure function c_string(s) result(c)
        character(len=*), intent(in) :: s
        character(kind=c_char, len=len_trim(s) + 1) :: c
        c = trim(s) // c_null_char
    end function

    !> The enumerator name of a status, e.g. "X3_ERR_PARSE".
    function x3_status_name(status) result(s)
        integer(c_int32_t), intent(in) :: status
        character(len=:), allocatable :: s
        s = from_c(c_status_name(status))
    end function

    !> The atomic number of an element symbol, any capitalisation ("Si", "SI").
    integer(c_int32_t) function x3_element_atomic_number(symbol, z) result(status)
        character(len=*), intent(in) :: symbol
        integer(c_int32_t), intent(out) :: z
        status = c_element_atomic_number(c_string(symbol), z)
    end function

    !> The dense linear algebra in use (OpenBLAS library, kernel family, threads).
    integer(c_int32_t) function x3_blas_info(info) result(status)
        character(len=:), allocatable, intent(out) :: info
        character(kind=c_char) :: buffer(1024)
        integer(c_int64_t) :: n
        info = ""
        status = c_blas_info(buffer, int(size(buffer), c_int64_t), n)
        if (status == X3_OK) info = chars_to_string(buffer, int(n))
    end function

    !> Sets a process-wide cap ("cif_max_atoms", "cif_max_operations", "window_max_count",
    !> "window_max_atoms"; 0 restores the default): see x3_set_limit in include/x3mat.h.
    integer(c_int32_t) function x3_set_limit(name, value) result(status)
        character(len=*), intent(in) :: name
        integer(c_int64_t), intent(in) :: value
        status = c_set_limit(c_string(name), value)
    end function

    !> The cap in force for a limit of x3_set_limit.
    integer(c_int32_t) function x3_get_limit(name, value) result(status)
        character(len=*), intent(in) :: name
        integer(c_int64_t), intent(out) :: value
        status = c_get_limit(c_string(name), value)
    end function

    !> The number of parameters a configuration (JSON, "" for the defaults) defines,
    !> without building the model.
    integer(c_int32_t) function x3_model_parameter_count(config_json, parameters) result(status)
        character(len=*), intent(in) :: config_json
        integer(c_int64_t), intent(out) :: parameters
        status = c_model_parameter_count(c_string(config_json), parameters)
    end function

    !> Reads a CIF file (symmetry expanded): its first data block, or the block named
    !> `block` (without "data_"). Returns the status.
    integer(c_int32_t) function structure_read_cif(self, path, block) result(status)
        class(x3_structure), intent(inout) :: self
        character(len=*), intent(in) :: path
        character(len=*), intent(in), optional :: block
        character(kind=c_char, len=:), allocatable, target :: b
        type(c_ptr) :: out, bp
        call self%free()
        bp = c_null_ptr
        if (present(block)) then
            b = c_string(block)
            bp = c_loc(b)
        end if
        status = c_read_cif(c_string(path), bp, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Reads a structure from CIF text in memory (as read_cif; messages name "<string>").
    integer(c_int32_t) function structure_parse_cif(self, text, block) result(status)
        class(x3_structure), intent(inout) :: self
        character(len=*), intent(in) :: text
        character(len=*), intent(in), optional :: block
        character(kind=c_char, len=:), allocatable, target :: b
        type(c_ptr) :: out, bp
        call self%free()
        bp = c_null_ptr
        if (present(block)) then
            b = c_string(block)
            bp = c_loc(b)
        end if
        status = c_parse_cif(text // c_null_char, bp, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Writes the structure as a P1 CIF (atomically).
    integer(c_int32_t) function structure_write_cif(self, path) result(status)
        class(x3_structure), intent(in) :: self
        character(len=*), intent(in) :: path
        status = c_write_cif(self%ptr, c_string(path))
    end function

    !> The structure's name: the CIF data block name ("" for arrays).
    function structure_name(self, status) result(s)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        character(len=:), allocatable :: s
        call report(string_of(c_structure_name, self%ptr, s), "structure name", status)
    end function

    !> Site occupancies (natoms): 1 unless the CIF said otherwise.
    integer(c_int32_t) function structure_occupancies(self, occupancies) result(status)
        class(x3_structure), intent(in) :: self
        real(c_double), allocatable, intent(out) :: occupancies(:)
        integer(c_int64_t) :: n
        status = c_atom_count(self%ptr, n)
        if (status /= X3_OK) n = 0
        allocate(occupancies(n))
        if (status == X3_OK) status = c_occupancies(self%ptr, occupancies, n)
    end function

    !> Number of warnings the CIF reader recorded (partial occupancy, merged atoms).
    integer(c_int64_t) function structure_warning_count(self, status) result(n)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        n = 0
        call report(c_warning_count(self%ptr, n), "structure warning count", status)
    end function

    !> Warning i (1-based).
    function structure_warning(self, i, status) result(s)
        class(x3_structure), intent(in) :: self
        integer(c_int64_t), intent(in) :: i
        integer(c_int32_t), intent(out), optional :: status
        character(len=:), allocatable :: s
        character(kind=c_char), allocatable :: buffer(:)
        character(kind=c_char) :: probe(1)
        integer(c_int64_t) :: n
        integer(c_int32_t) :: st
        s = ""
        st = c_warning(self%ptr, i - 1, probe, 0_c_int64_t, n)
        if (st == X3_ERR_BUFFER_TOO_SMALL) then
            allocate(buffer(n + 1))
            st = c_warning(self%ptr, i - 1, buffer, n + 1, n)
            if (st == X3_OK) s = chars_to_string(buffer, int(n))
        end if
        call report(st, "structure warning", status)
    end function

    !> Builds a structure from a cell (3,3: columns a, b, c, Å), positions (3, natoms),
    !> their kind (X3_FRACTIONAL or X3_CARTESIAN) and atomic numbers (natoms).
    integer(c_int32_t) function structure_from_arrays(self, cell, positions, coordinates, &
            atomic_numbers) result(status)
        class(x3_structure), intent(inout) :: self
        real(c_double), intent(in) :: cell(3, 3), positions(:, :)
        integer(c_int32_t), intent(in) :: coordinates, atomic_numbers(:)
        type(c_ptr) :: out
        call self%free()
        if (size(positions, 1) /= 3 .or. size(positions, 2) /= size(atomic_numbers)) then
            status = X3_ERR_INVALID_ARGUMENT
            return
        end if
        status = c_from_arrays(cell, int(size(atomic_numbers), c_int64_t), positions, coordinates, &
                               atomic_numbers, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Number of atoms in the cell.
    integer(c_int64_t) function structure_natoms(self, status) result(n)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        n = 0
        call report(c_atom_count(self%ptr, n), "structure atom count", status)
    end function

    !> Cell matrix (3,3), column j = lattice vector j, Å.
    function structure_cell(self, status) result(cell)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        real(c_double) :: cell(3, 3)
        cell = 0
        call report(c_doubles(self%ptr, cell), "structure cell", status)
    end function

    !> a, b, c (Å), alpha, beta, gamma (degrees).
    function structure_cell_parameters(self, status) result(p)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        real(c_double) :: p(6)
        p = 0
        call report(c_cell_parameters(self%ptr, p), "structure cell parameters", status)
    end function

    !> Cell volume, Å³.
    real(c_double) function structure_volume(self, status) result(v)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        v = 0
        call report(c_volume(self%ptr, v), "structure volume", status)
    end function

    !> Density, g/cm³.
    real(c_double) function structure_density(self, status) result(v)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        v = 0
        call report(c_density(self%ptr, v), "structure density", status)
    end function

    !> Positions (3, natoms), fractional or Cartesian (Å).
    integer(c_int32_t) function structure_positions(self, coordinates, positions) result(status)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(in) :: coordinates
        real(c_double), allocatable, intent(out) :: positions(:, :)
        integer(c_int64_t) :: n
        status = c_atom_count(self%ptr, n)
        if (status /= X3_OK) n = 0
        allocate(positions(3, n))
        if (status == X3_OK) status = c_positions(self%ptr, coordinates, positions, 3 * n)
    end function

    !> Atomic numbers (natoms).
    integer(c_int32_t) function structure_atomic_numbers(self, z) result(status)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), allocatable, intent(out) :: z(:)
        integer(c_int64_t) :: n
        status = c_atom_count(self%ptr, n)
        if (status /= X3_OK) n = 0
        allocate(z(n))
        if (status == X3_OK) status = c_atomic_numbers(self%ptr, z, n)
    end function

    !> Hill formula of the cell contents.
    function structure_formula(self, status) result(s)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        character(len=:), allocatable :: s
        call report(string_of(c_formula, self%ptr, s), "structure formula", status)
    end function

    !> spglib's space group of the atoms at a distance tolerance (Å): International
    !> Tables number (1...230).
    integer(c_int32_t) function structure_space_group(self, tolerance, number) result(status)
        class(x3_structure), intent(in) :: self
        real(c_double), intent(in) :: tolerance
        integer(c_int32_t), intent(out) :: number
        status = c_structure_space_group(self%ptr, tolerance, number, c_null_ptr, 0_c_int64_t, c_null_ptr)
    end function

    !> Releases the structure; safe to call twice.
    subroutine structure_free(self)
        class(x3_structure), intent(inout) :: self
        if (c_associated(self%ptr)) call c_free(self%ptr)
        self%ptr = c_null_ptr
    end subroutine

    !> Windows of radius `radius` (Å) on the grid of step `step` (Å). max_windows caps
    !> the grid (default 1,000,000). Returns the status.
    integer(c_int32_t) function windows_sample(self, structure, radius, step, max_windows) result(status)
        class(x3_windows), intent(inout) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), intent(in) :: radius, step
        integer(c_int64_t), intent(in), optional :: max_windows
        integer(c_int64_t) :: cap
        type(c_ptr) :: out
        call self%free()
        cap = 0
        if (present(max_windows)) cap = max_windows
        status = c_windows_sample(structure%ptr, radius, step, cap, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Windows of radius `radius` (Å) at given centres (3, n), X3_FRACTIONAL or
    !> X3_CARTESIAN (Å) — e.g. the positions of a GCMC code's guest molecules.
    integer(c_int32_t) function windows_at(self, structure, radius, centres, coordinates) result(status)
        class(x3_windows), intent(inout) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), intent(in) :: radius, centres(:, :)
        integer(c_int32_t), intent(in) :: coordinates
        type(c_ptr) :: out
        call self%free()
        if (size(centres, 1) /= 3) then
            status = X3_ERR_INVALID_ARGUMENT
            return
        end if
        status = c_windows_at(structure%ptr, radius, int(size(centres, 2), c_int64_t), centres, &
                              coordinates, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Number of windows.
    integer(c_int64_t) function windows_count(self, status) result(n)
        class(x3_windows), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        n = 0
        call report(c_windows_count(self%ptr, n), "window count", status)
    end function

    !> Atoms summed over all windows.
    integer(c_int64_t) function windows_total_atoms(self, status) result(n)
        class(x3_windows), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        n = 0
        call report(c_windows_total_atoms(self%ptr, n), "window total atoms", status)
    end function

    !> count + 1 offsets: window i's atoms are entries offsets(i) + 1 .. offsets(i + 1) of
    !> the arrays of %atoms(X3_ALL_WINDOWS, ...); offsets(1) = 0.
    integer(c_int32_t) function windows_offsets(self, offsets) result(status)
        class(x3_windows), intent(in) :: self
        integer(c_int64_t), allocatable, intent(out) :: offsets(:)
        integer(c_int64_t) :: n
        status = c_windows_count(self%ptr, n)
        if (status /= X3_OK) n = -1
        allocate(offsets(n + 1))
        if (status == X3_OK) status = c_windows_offsets(self%ptr, offsets, n + 1)
    end function

    !> The bond graph of window i (1-based) after removal ("" none, or e.g. "O:contract",
    !> "H:delete"; bonded when d < tolerance x the sum of covalent radii): node k is window
    !> atom node_atoms(k) (1-based), edges(:, e) = (u, v) node numbers, u < v, sorted.
    integer(c_int32_t) function windows_bond_graph(self, i, tolerance, remove, node_atoms, edges) result(status)
        class(x3_windows), intent(in) :: self
        integer(c_int64_t), intent(in) :: i
        real(c_double), intent(in) :: tolerance
        character(len=*), intent(in) :: remove
        integer(c_int32_t), allocatable, intent(out) :: node_atoms(:)
        integer(c_int64_t), allocatable, intent(out) :: edges(:, :)
        integer(c_int64_t) :: nn, ne
        integer(c_int32_t) :: probe_nodes(1)
        integer(c_int64_t) :: probe_edges(2)
        status = c_windows_bond_graph(self%ptr, i - 1, tolerance, c_string(remove), nn, ne, probe_nodes, &
                                      0_c_int64_t, probe_edges, 0_c_int64_t)
        if (status /= X3_OK .and. status /= X3_ERR_BUFFER_TOO_SMALL) then
            allocate(node_atoms(0), edges(2, 0))
            return
        end if
        allocate(node_atoms(nn), edges(2, ne))
        status = X3_OK
        if (nn == 0) return
        status = c_windows_bond_graph(self%ptr, i - 1, tolerance, c_string(remove), nn, ne, node_atoms, nn, &
                                      edges, 2 * ne)
        node_atoms = node_atoms + 1
        edges = edges + 1
    end function

    !> Grid shape (n1, n2, n3) and step (Å); an error status for windows made by %at.
    integer(c_int32_t) function windows_grid_shape(self, shape, step) result(status)
        class(x3_windows), intent(in) :: self
        integer(c_int64_t), intent(out) :: shape(3)
        real(c_double), intent(out), optional :: step
        real(c_double) :: s
        shape = 0
        status = c_windows_grid(self%ptr, shape, s)
        if (present(step)) step = s
    end function

    !> The windows' radius (Å).
    integer(c_int32_t) function windows_radius(self, radius) result(status)
        class(x3_windows), intent(in) :: self
        real(c_double), intent(out) :: radius
        status = c_windows_radius(self%ptr, radius)
    end function

    !> Window centres (3, count), fractional or Cartesian (Å).
    integer(c_int32_t) function windows_centres(self, coordinates, centres) result(status)
        class(x3_windows), intent(in) :: self
        integer(c_int32_t), intent(in) :: coordinates
        real(c_double), allocatable, intent(out) :: centres(:, :)
        integer(c_int64_t) :: n
        status = c_windows_count(self%ptr, n)
        if (status /= X3_OK) n = 0
        allocate(centres(3, n))
        if (status == X3_OK) status = c_windows_centres(self%ptr, coordinates, centres, 3 * n)
    end function

    !> Atoms in window i (1-based), or in all windows for X3_ALL_WINDOWS.
    integer(c_int64_t) function windows_atom_count(self, i, status) result(n)
        class(x3_windows), intent(in) :: self
        integer(c_int64_t), intent(in) :: i
        integer(c_int32_t), intent(out), optional :: status
        integer(c_int64_t) :: c_index
        c_index = i - 1
        if (i == X3_ALL_WINDOWS) c_index = X3_ALL_WINDOWS
        n = 0
        call report(c_windows_atom_count(self%ptr, c_index, n), "window atom count", status)
    end function

    !> The atoms of window i (1-based; X3_ALL_WINDOWS for all, concatenated): atomic
    !> numbers, positions (3, n) relative to the centre (Å), source atoms (1-based) and
    !> image offsets (3, n).
    integer(c_int32_t) function windows_atoms(self, i, z, positions, source, images) result(status)
        class(x3_windows), intent(in) :: self
        integer(c_int64_t), intent(in) :: i
        integer(c_int32_t), allocatable, intent(out) :: z(:), source(:), images(:, :)
        real(c_double), allocatable, intent(out) :: positions(:, :)
        integer(c_int64_t) :: n, c_index
        c_index = i - 1
        if (i == X3_ALL_WINDOWS) c_index = X3_ALL_WINDOWS
        status = c_windows_atom_count(self%ptr, c_index, n)
        if (status /= X3_OK) n = 0
        allocate(z(n), source(n), images(3, n), positions(3, n))
        if (status /= X3_OK) return
        status = c_windows_atoms(self%ptr, c_index, z, positions, source, images, n)
        source = source + 1
    end function

    !> Releases the windows; safe to call twice.
    subroutine windows_free(self)
        class(x3_windows), intent(inout) :: self
        if (c_associated(self%ptr)) call c_windows_free(self%ptr)
        self%ptr = c_null_ptr
    end subroutine

    !> Weisfeiler-Lehman hash of a graph, identical to NetworkX's
    !> weisfeiler_lehman_graph_hash(G, node_attr=..., iterations, digest_size): nodes
    !> 1..n labelled labels(i) (trailing blanks ignored), edges(:, k) = (u, v) with
    !> 1-based node numbers. Returns "" and sets status on error.
    function x3_site_hash(labels, edges, iterations, digest_size, status) result(h)
        character(len=*), intent(in) :: labels(:)
        integer(c_int64_t), intent(in) :: edges(:, :)
        integer(c_int32_t), intent(in) :: iterations, digest_size
        integer(c_int32_t), intent(out), optional :: status
        character(len=:), allocatable :: h
        character(kind=c_char, len=len(labels) + 1), allocatable, target :: text(:)
        type(c_ptr), allocatable :: ptrs(:)
        integer(c_int64_t), allocatable :: e0(:, :)
        character(kind=c_char) :: buffer(129)
        integer(c_int64_t) :: length
        integer(c_int32_t) :: st
        integer :: i
        allocate(text(max(1, size(labels))), ptrs(max(1, size(labels))))
        do i = 1, size(labels)
            text(i) = trim(labels(i)) // c_null_char
            ptrs(i) = c_loc(text(i))
        end do
        h = ""
        if (size(edges, 1) /= 2 .and. size(edges) > 0) then
            st = X3_ERR_INVALID_ARGUMENT
        else
            allocate(e0(2, max(1, size(edges, 2))))
            e0 = 0
            if (size(edges) > 0) e0(:, 1:size(edges, 2)) = edges - 1
            st = c_wl_hash(int(size(labels), c_int64_t), ptrs, int(size(edges) / 2, c_int64_t), e0, &
                           iterations, digest_size, buffer, int(size(buffer), c_int64_t), length)
            if (st == X3_OK) then
                h = repeat(' ', int(length))
                do i = 1, int(length)
                    h(i:i) = buffer(i)
                end do
            end if
        end if
        if (present(status)) status = st
    end function

    !> Site hash of every window (bond tolerance, removal such as "O:contract" or
    !> "H:delete"; see include/x3mat.h): hashes(i) for window i.
    integer(c_int32_t) function windows_site_hashes(self, tolerance, remove, iterations, digest_size, &
            hashes) result(status)
        class(x3_windows), intent(in) :: self
        real(c_double), intent(in) :: tolerance
        character(len=*), intent(in) :: remove
        integer(c_int32_t), intent(in) :: iterations, digest_size
        character(len=:), allocatable, intent(out) :: hashes(:)
        character(kind=c_char), allocatable :: raw(:)
        integer(c_int64_t) :: n, stride, i, j
        status = c_windows_count(self%ptr, n)
        if (status /= X3_OK) n = 0
        stride = 2 * digest_size + 1
        allocate(character(len=2 * digest_size) :: hashes(n))
        allocate(raw(max(1_c_int64_t, n * stride)))
        if (status /= X3_OK) return
        status = c_windows_site_hashes(self%ptr, tolerance, trim(remove) // c_null_char, iterations, &
                                       digest_size, raw, n * stride)
        if (status /= X3_OK) return
        do i = 1, n
            do j = 1, 2 * digest_size
                hashes(i)(j:j) = raw((i - 1) * stride + j)
            end do
        end do
    end function

    !> Loads a model: a file written by x3mat train, or a shipped model by name (e.g.
    !> "iza-ar-uptake"; see x3_model_find).
    integer(c_int32_t) function model_load(self, path) result(status)
        class(x3_model), intent(inout) :: self
        character(len=*), intent(in) :: path
        type(c_ptr) :: out
        call self%free()
        status = c_model_load(trim(path) // c_null_char, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> A model with fresh random weights; config_json as x3_model_create ("" for the
    !> defaults).
    integer(c_int32_t) function model_create(self, config_json) result(status)
        class(x3_model), intent(inout) :: self
        character(len=*), intent(in) :: config_json
        type(c_ptr) :: out
        call self%free()
        status = c_model_create(c_string(config_json), out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Writes the model file (atomically).
    integer(c_int32_t) function model_save(self, path) result(status)
        class(x3_model), intent(in) :: self
        character(len=*), intent(in) :: path
        status = c_model_save(self%ptr, c_string(path))
    end function

    !> Number of targets (properties) the model predicts.
    integer(c_int64_t) function model_targets(self, status) result(n)
        class(x3_model), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        integer(c_int64_t) :: parameters
        n = 0
        call report(c_model_sizes(self%ptr, parameters, n), "model targets", status)
    end function

    !> Number of parameters.
    integer(c_int64_t) function model_parameters(self, status) result(n)
        class(x3_model), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        integer(c_int64_t) :: targets
        n = 0
        call report(c_model_sizes(self%ptr, n, targets), "model parameters", status)
    end function

    !> The full configuration as JSON.
    function model_config(self, status) result(s)
        class(x3_model), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        character(len=:), allocatable :: s
        call report(string_of(c_model_config, self%ptr, s), "model configuration", status)
    end function

    !> The model card as JSON ("" when the model has none): targets with units,
    !> conditions and strong end, training data and licence, metrics on the held-out
    !> set (under the key "test" or "validation", as x3mat.h says).
    function model_card(self, status) result(s)
        class(x3_model), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        character(len=:), allocatable :: s
        call report(string_of(c_model_card, self%ptr, s), "model card", status)
    end function

    !> The predicted property per target (size self%targets()): the mean of the window
    !> contributions.
    integer(c_int32_t) function model_predict(self, structure, property) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), intent(out) :: property(:)
        integer(c_int64_t) :: t
        t = self%targets(status)
        if (status /= X3_OK) return
        if (size(property) < t) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        status = c_model_predict(self%ptr, structure%ptr, property)
    end function

    !> Number of models: 1, or an ensemble's members (x3_model_members). An ensemble
    !> predicts the members' mean; %predict_std also gives the uncertainty.
    integer(c_int64_t) function model_members(self, status) result(n)
        class(x3_model), intent(in) :: self
        integer(c_int32_t), intent(out), optional :: status
        n = 0
        call report(c_model_members(self%ptr, n), "model members", status)
    end function

    !> Per target (size self%targets()), the factor every standard deviation of the
    !> ensemble is multiplied by (x3_model_spread_scale): 1 until calibrated, and for a
    !> single model.
    integer(c_int32_t) function model_spread_scale(self, scale) result(status)
        class(x3_model), intent(in) :: self
        real(c_double), intent(out) :: scale(:)
        if (size(scale) < self%targets(status)) status = X3_ERR_BUFFER_TOO_SMALL
        if (status /= X3_OK) return
        status = c_model_spread_scale(self%ptr, scale)
    end function

    !> The rule that fitted the spread scale (x3_model_spread_calibration): one of
    !> X3_SPREAD_NOT_CALIBRATED, X3_SPREAD_LIKELIHOOD, X3_SPREAD_COVERAGE, X3_SPREAD_NOT_RECORDED.
    integer(c_int32_t) function model_spread_calibration(self, rule) result(status)
        class(x3_model), intent(in) :: self
        integer(c_int32_t), intent(out) :: rule
        rule = X3_SPREAD_NOT_CALIBRATED
        status = c_model_spread_calibration(self%ptr, rule)
    end function

    !> Makes `scaled` this ensemble with its spread scale replaced by `scale` (one factor
    !> > 0 per target; x3_model_with_spread_scale). This handle is unchanged.
    integer(c_int32_t) function model_with_spread_scale(self, scale, scaled) result(status)
        class(x3_model), intent(in) :: self
        real(c_double), intent(in) :: scale(:)
        type(x3_model), intent(inout) :: scaled
        type(c_ptr) :: out
        if (size(scale) < self%targets(status)) status = X3_ERR_BUFFER_TOO_SMALL
        if (status /= X3_OK) return
        status = c_model_with_spread_scale(self%ptr, scale, out)
        if (status /= X3_OK) return
        call scaled%free()
        scaled%ptr = out
    end function

    !> As with_spread_scale, recording that `rule` (X3_SPREAD_LIKELIHOOD or
    !> X3_SPREAD_COVERAGE) fitted the scale (x3_model_with_spread_calibration).
    integer(c_int32_t) function model_with_spread_calibration(self, scale, rule, scaled) result(status)
        class(x3_model), intent(in) :: self
        real(c_double), intent(in) :: scale(:)
        integer(c_int32_t), intent(in) :: rule
        type(x3_model), intent(inout) :: scaled
        type(c_ptr) :: out
        if (size(scale) < self%targets(status)) status = X3_ERR_BUFFER_TOO_SMALL
        if (status /= X3_OK) return
        status = c_model_with_spread_calibration(self%ptr, scale, rule, out)
        if (status /= X3_OK) return
        call scaled%free()
        scaled%ptr = out
    end function

    !> Makes this handle an ensemble of the given models (x3_model_ensemble: same targets
    !> and windows; the inputs stay valid and unchanged).
    integer(c_int32_t) function model_ensemble(self, models) result(status)
        class(x3_model), intent(inout) :: self
        type(x3_model), intent(in) :: models(:)
        type(c_ptr), allocatable :: ptrs(:)
        type(c_ptr) :: out
        integer :: i
        allocate(ptrs(size(models)))
        do i = 1, size(models)
            ptrs(i) = models(i)%ptr
        end do
        status = c_model_ensemble(ptrs, int(size(models), c_int64_t), out)
        if (status /= X3_OK) return
        call self%free()
        self%ptr = out
    end function

    !> The predicted property per target and its uncertainty, the ensemble members'
    !> sample standard deviation (NaN for a single model); both of size self%targets().
    integer(c_int32_t) function model_predict_std(self, structure, property, std) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), intent(out) :: property(:), std(:)
        integer(c_int64_t) :: t
        t = self%targets(status)
        if (status /= X3_OK) return
        if (size(property) < t .or. size(std) < t) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        status = c_model_predict_std(self%ptr, structure%ptr, property, std)
    end function

    !> Predicts many structures in one call (x3_model_predict_many): properties(:, i) is
    !> structure i's prediction per target, evaluated(i) its windows evaluated, statuses(i)
    !> X3_OK or why it failed (its properties then NaN). The result is X3_OK when every
    !> structure was predicted, else the first failure's status (x3_last_error says why).
    integer(c_int32_t) function model_predict_many(self, structures, properties, evaluated, statuses) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structures(:)
        real(c_double), intent(out) :: properties(:, :)
        integer(c_int64_t), intent(out) :: evaluated(:)
        integer(c_int32_t), intent(out) :: statuses(:)
        type(c_ptr), allocatable :: ptrs(:)
        integer(c_int64_t) :: t
        integer :: i
        t = self%targets(status)
        if (status /= X3_OK) return
        if (size(properties, 1) < t .or. size(properties, 2) < size(structures) .or. &
            size(evaluated) < size(structures) .or. size(statuses) < size(structures)) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        if (size(properties, 1) /= t) then
            status = X3_ERR_INVALID_ARGUMENT  ! a leading dimension other than the target count
            return
        end if
        allocate(ptrs(size(structures)))
        do i = 1, size(structures)
            ptrs(i) = structures(i)%ptr
        end do
        status = c_model_predict_many(self%ptr, int(size(structures), c_int64_t), ptrs, properties, evaluated, statuses)
    end function

    !> Per-window contributions (targets, windows) -- column w is window w, in the order of
    !> %windows() -- and the property per target.
    integer(c_int32_t) function model_contributions(self, structure, contributions, property) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), allocatable, target, intent(out) :: contributions(:, :)
        real(c_double), target, intent(out) :: property(:)
        integer(c_int64_t) :: n, t
        t = self%targets(status)
        if (status /= X3_OK) return
        if (size(property) < t) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        status = c_model_contributions(self%ptr, structure%ptr, n, c_null_ptr, 0_c_int64_t, c_null_ptr)
        if (status /= X3_OK) return
        allocate(contributions(t, n))
        status = c_model_contributions(self%ptr, structure%ptr, n, c_loc(contributions), t * n, &
                                       c_loc(property))
    end function

    !> Contributions (targets, ncentres) of windows cut with the model's radius at the
    !> caller's centres (3, ncentres): coordinates X3_FRACTIONAL or X3_CARTESIAN (Å), any
    !> cell image. No window grid is built and no symmetry reduction is made.
    integer(c_int32_t) function model_contributions_at(self, structure, coordinates, centres, contributions) &
            result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        integer(c_int32_t), intent(in) :: coordinates
        real(c_double), intent(in) :: centres(:, :)
        real(c_double), intent(out) :: contributions(:, :)
        integer(c_int64_t) :: t
        t = self%targets(status)
        if (status /= X3_OK) return
        if (size(centres, 1) /= 3 .or. size(contributions, 2) < size(centres, 2) &
                .or. size(contributions, 1) /= t) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        status = c_model_contributions_at(self%ptr, structure%ptr, coordinates, int(size(centres, 2), c_int64_t), &
                                          centres, contributions, int(size(contributions), c_int64_t))
    end function

    !> The windows the model evaluates (its radius and step), e.g. for their centres.
    integer(c_int32_t) function model_windows(self, structure, windows) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        type(x3_windows), intent(inout) :: windows
        type(c_ptr) :: out
        call windows%free()
        status = c_model_windows(self%ptr, structure%ptr, out)
        if (status == X3_OK) windows%ptr = out
    end function

    !> The contribution map of target `target` (1-based) on the model's window grid:
    !> map(k1+1, k2+1, k3+1) is the window at fractional (k1/n1, k2/n2, k3/n3), in the
    !> target's units; its mean is the predicted property (an ensemble's: of the members'
    !> mean contributions; %map_std gives their spread). `refine` (default 1 1 1)
    !> Fourier-interpolates it onto a grid that many times finer per axis.
    integer(c_int32_t) function model_map(self, structure, target, map, refine) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        integer(c_int32_t), intent(in) :: target
        real(c_double), allocatable, intent(out) :: map(:, :, :)
        integer(c_int32_t), intent(in), optional :: refine(3)
        integer(c_int32_t) :: f(3)
        integer(c_int64_t) :: shape(3)
        real(c_double), allocatable, target :: flat(:)
        f = 1
        if (present(refine)) f = refine
        status = c_model_map(self%ptr, structure%ptr, target - 1, f, shape, c_null_ptr, 0_c_int64_t)
        if (status /= X3_OK) return
        allocate(flat(product(shape)))
        status = c_model_map(self%ptr, structure%ptr, target - 1, f, shape, c_loc(flat), &
                             int(size(flat), c_int64_t))
        if (status /= X3_OK) return
        ! C order (k3 fastest) into a Fortran (k1, k2, k3) array
        map = reshape(flat, [integer :: shape(1), shape(2), shape(3)], order=[3, 2, 1])
    end function

    !> The uncertainty of %map (not refined), laid out as it: at each window, the ensemble
    !> members' sample standard deviation (n - 1) of its contribution; NaN for one model.
    integer(c_int32_t) function model_map_std(self, structure, target, map) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        integer(c_int32_t), intent(in) :: target
        real(c_double), allocatable, intent(out) :: map(:, :, :)
        integer(c_int64_t) :: shape(3)
        real(c_double), allocatable, target :: flat(:)
        status = c_model_map_std(self%ptr, structure%ptr, target - 1, shape, c_null_ptr, 0_c_int64_t)
        if (status /= X3_OK) return
        allocate(flat(product(shape)))
        status = c_model_map_std(self%ptr, structure%ptr, target - 1, shape, c_loc(flat), &
                                 int(size(flat), c_int64_t))
        if (status /= X3_OK) return
        map = reshape(flat, [integer :: shape(1), shape(2), shape(3)], order=[3, 2, 1])
    end function

    !> Writes the files of `x3mat explain` (maps as cube and XSF, histogram, sites,
    !> explanation.json) into `directory`; options_json as for x3_model_explain ("" or
    !> "{}" for the defaults).
    integer(c_int32_t) function model_explain(self, structure, directory, options_json) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        character(len=*), intent(in) :: directory, options_json
        status = c_model_explain(self%ptr, structure%ptr, trim(directory) // c_null_char, &
                                 trim(options_json) // c_null_char)
    end function

    !> The windows of the model's evaluation of a structure under the symmetry setting
    !> (x3_set_symmetry): grid points, windows evaluated (one per orbit) and symmetry
    !> operations used. Evaluates nothing.
    integer(c_int32_t) function model_orbits(self, structure, nwindows, norbits, noperations) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        integer(c_int64_t), intent(out) :: nwindows, norbits, noperations
        status = c_model_orbits(self%ptr, structure%ptr, nwindows, norbits, noperations)
    end function

    subroutine model_free(self)
        class(x3_model), intent(inout) :: self
        if (c_associated(self%ptr)) call c_model_free(self%ptr)
        self%ptr = c_null_ptr
    end subroutine

    !> A new, empty site catalogue: bond tolerance, removal ("" none, "O:contract",
    !> "H:delete", ...), Weisfeiler-Lehman iterations, BLAKE2b digest size (bytes) and
    !> the names of the targets whose per-window values %add takes (none: counts only).
    integer(c_int32_t) function catalogue_new(self, tolerance, remove, iterations, digest_size, targets) &
            result(status)
        class(x3_catalogue), intent(inout) :: self
        real(c_double), intent(in) :: tolerance
        character(len=*), intent(in) :: remove
        integer(c_int32_t), intent(in) :: iterations, digest_size
        character(len=*), intent(in), optional :: targets(:)
        character(kind=c_char, len=:), allocatable, target :: text(:)
        type(c_ptr), allocatable :: names(:)
        type(c_ptr) :: out
        integer :: i, n
        call self%free()
        n = 0
        if (present(targets)) n = size(targets)
        if (n > 0) then
            allocate(character(kind=c_char, len=len(targets) + 1) :: text(n))
        else
            allocate(character(kind=c_char, len=1) :: text(1))
        end if
        allocate(names(max(1, n)))
        names = c_null_ptr
        do i = 1, n
            text(i) = trim(targets(i)) // c_null_char
            names(i) = c_loc(text(i))
        end do
        status = c_catalogue_new(tolerance, c_string(remove), iterations, digest_size, int(n, c_int64_t), names, out)
        if (status == X3_OK) self%ptr = out
    end function

    !> Adds every window of one structure under `structure_id`; values (targets, windows):
    !> each window's value per target (required when the catalogue has targets).
    integer(c_int32_t) function catalogue_add(self, structure_id, windows, values) result(status)
        class(x3_catalogue), intent(inout) :: self
        character(len=*), intent(in) :: structure_id
        type(x3_windows), intent(in) :: windows
        real(c_double), intent(in), optional, target, contiguous :: values(:, :)
        if (present(values)) then
            status = c_catalogue_add(self%ptr, c_string(structure_id), windows%ptr, c_loc(values), &
                                     int(size(values), c_int64_t))
        else
            status = c_catalogue_add(self%ptr, c_string(structure_id), windows%ptr, c_null_ptr, 0_c_int64_t)
        end if
    end function

    !> Distinct sites, windows and structures added so far.
    integer(c_int32_t) function catalogue_counts(self, sites, windows, structures) result(status)
        class(x3_catalogue), intent(in) :: self
        integer(c_int64_t), intent(out) :: sites, windows, structures
        status = c_catalogue_counts(self%ptr, sites, windows, structures)
    end function

    !> The catalogue as JSON, sites ranked by the mean of target rank_by (1-based) or by
    !> window count (X3_RANK_BY_COUNT), at most `top` sites (all for top <= 0).
    integer(c_int32_t) function catalogue_json(self, rank_by, top, json) result(status)
        class(x3_catalogue), intent(in) :: self
        integer(c_int32_t), intent(in) :: rank_by
        integer(c_int64_t), intent(in) :: top
        character(len=:), allocatable, intent(out) :: json
        character(kind=c_char), allocatable :: buffer(:)
        character(kind=c_char) :: probe(1)
        integer(c_int64_t) :: n
        json = ""
        status = c_catalogue_json(self%ptr, rank_by - 1, top, probe, 0_c_int64_t, n)
        if (status /= X3_ERR_BUFFER_TOO_SMALL) return
        allocate(buffer(n + 1))
        status = c_catalogue_json(self%ptr, rank_by - 1, top, buffer, n + 1, n)
        if (status == X3_OK) json = chars_to_string(buffer, int(n))
    end function

    !> Writes DIRECTORY/sites.csv, sites.json and sites/NNNN_HASH.xyz, ranked as %json.
    integer(c_int32_t) function catalogue_write(self, directory, rank_by, top) result(status)
        class(x3_catalogue), intent(in) :: self
        character(len=*), intent(in) :: directory
        integer(c_int32_t), intent(in) :: rank_by
        integer(c_int64_t), intent(in) :: top
        status = c_catalogue_write(self%ptr, c_string(directory), rank_by - 1, top)
    end function

    !> Releases the catalogue; safe to call twice.
    subroutine catalogue_free(self)
        class(x3_catalogue), intent(inout) :: self
        if (c_associated(self%ptr)) call c_catalogue_free(self%ptr)
        self%ptr = c_null_ptr
    end subroutine

    !> Trains a model (x3_train in include/x3mat.h): data_dir with cif/ and labels.csv,
    !> targets (comma-separated label columns), output_dir for the model and logs, config
    !> and options as JSON ("" for defaults), an optional progress callback.
    !> finished = .true. when training ran to its last epoch.
    integer(c_int32_t) function x3_train(data_dir, targets, output_dir, config_json, options_json, &
            finished, progress) result(status)
        character(len=*), intent(in) :: data_dir, targets, output_dir, config_json, options_json
        logical, intent(out) :: finished
        procedure(x3_progress_callback), optional :: progress
        type(c_funptr) :: callback
        integer(c_int32_t) :: done
        callback = c_null_funptr
        if (present(progress)) callback = c_funloc(progress)
        status = c_train(trim(data_dir) // c_null_char, trim(targets) // c_null_char, &
                         trim(output_dir) // c_null_char, trim(config_json) // c_null_char, &
                         trim(options_json) // c_null_char, callback, c_null_ptr, done)
        finished = status == X3_OK .and. done == 1
    end function

end module x3mat
