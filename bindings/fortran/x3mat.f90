!> Fortran interface to libx3mat (include/x3mat.h), over iso_c_binding.
!>
!> One derived type per C handle; its procedures return the C status (X3_OK = 0 on
!> success) and x3_last_error() gives the message. Conventions are those of x3mat.h:
!> lengths in Å, angles in degrees, density in g/cm³. Arrays of positions are
!> (3, natoms): column i is atom i, which is exactly the C row-major natoms x 3 layout.
!> The cell is (3, 3) with column j = lattice vector j (a, b, c), the same memory as
!> the C row-major matrix whose rows are a, b, c.
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

    public :: x3_version, x3_last_error, x3_site_hash

    !> A crystal structure (x3_structure *). Release with %free().
    type, public :: x3_structure
        type(c_ptr) :: ptr = c_null_ptr
    contains
        procedure :: read_cif => structure_read_cif
        procedure :: from_arrays => structure_from_arrays
        procedure :: natoms => structure_natoms
        procedure :: cell => structure_cell
        procedure :: cell_parameters => structure_cell_parameters
        procedure :: volume => structure_volume
        procedure :: density => structure_density
        procedure :: positions => structure_positions
        procedure :: atomic_numbers => structure_atomic_numbers
        procedure :: formula => structure_formula
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
        procedure :: atoms => windows_atoms
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
        procedure :: targets => model_targets
        procedure :: predict => model_predict
        procedure :: contributions => model_contributions
        procedure :: contributions_at => model_contributions_at
        procedure :: windows => model_windows
        procedure :: map => model_map
        procedure :: explain => model_explain
        procedure :: orbits => model_orbits
        procedure :: free => model_free
    end type x3_model

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
        function c_formula(s, buffer, capacity, length) bind(C, name="x3_structure_formula")
            import :: c_ptr, c_char, c_int64_t, c_int32_t
            type(c_ptr), value :: s
            character(kind=c_char), intent(out) :: buffer(*)
            integer(c_int64_t), value :: capacity
            integer(c_int64_t), intent(out) :: length
            integer(c_int32_t) :: c_formula
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
    !> in include/x3mat.h describes ($X3MAT_MODEL_PATH, PREFIX/share/x3mat/models, the
    !> source tree's models/); a path is returned as it is.
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

    !> Reads a CIF file (first data block; symmetry expanded). Returns the status.
    integer(c_int32_t) function structure_read_cif(self, path) result(status)
        class(x3_structure), intent(inout) :: self
        character(len=*), intent(in) :: path
        type(c_ptr) :: out
        call self%free()
        status = c_read_cif(trim(path) // c_null_char, c_null_ptr, out)
        if (status == X3_OK) self%ptr = out
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

    !> Number of atoms (-1 if the structure is not loaded).
    integer(c_int64_t) function structure_natoms(self) result(n)
        class(x3_structure), intent(in) :: self
        if (c_atom_count(self%ptr, n) /= X3_OK) n = -1
    end function

    !> Cell matrix (3,3), column j = lattice vector j, Å.
    function structure_cell(self) result(cell)
        class(x3_structure), intent(in) :: self
        real(c_double) :: cell(3, 3)
        cell = 0
        if (c_doubles(self%ptr, cell) /= X3_OK) cell = 0
    end function

    !> a, b, c (Å), alpha, beta, gamma (degrees).
    function structure_cell_parameters(self) result(p)
        class(x3_structure), intent(in) :: self
        real(c_double) :: p(6)
        p = 0
        if (c_cell_parameters(self%ptr, p) /= X3_OK) p = 0
    end function

    real(c_double) function structure_volume(self) result(v)
        class(x3_structure), intent(in) :: self
        if (c_volume(self%ptr, v) /= X3_OK) v = 0
    end function

    !> Density, g/cm³ (0 if the structure is not loaded).
    real(c_double) function structure_density(self) result(v)
        class(x3_structure), intent(in) :: self
        if (c_density(self%ptr, v) /= X3_OK) v = 0
    end function

    !> Positions (3, natoms), fractional or Cartesian (Å).
    integer(c_int32_t) function structure_positions(self, coordinates, positions) result(status)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), intent(in) :: coordinates
        real(c_double), allocatable, intent(out) :: positions(:, :)
        allocate(positions(3, max(0_c_int64_t, self%natoms())))
        status = c_positions(self%ptr, coordinates, positions, int(size(positions), c_int64_t))
    end function

    integer(c_int32_t) function structure_atomic_numbers(self, z) result(status)
        class(x3_structure), intent(in) :: self
        integer(c_int32_t), allocatable, intent(out) :: z(:)
        allocate(z(max(0_c_int64_t, self%natoms())))
        status = c_atomic_numbers(self%ptr, z, int(size(z), c_int64_t))
    end function

    !> Hill formula of the cell contents ("" if the structure is not loaded).
    function structure_formula(self) result(s)
        class(x3_structure), intent(in) :: self
        character(len=:), allocatable :: s
        character(kind=c_char), allocatable :: buffer(:)
        character(kind=c_char) :: probe(1)
        integer(c_int64_t) :: n
        s = ""
        if (c_formula(self%ptr, probe, 0_c_int64_t, n) /= X3_ERR_BUFFER_TOO_SMALL) return
        allocate(buffer(n + 1))
        if (c_formula(self%ptr, buffer, n + 1, n) /= X3_OK) return
        s = chars_to_string(buffer, int(n))
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

    !> Number of windows (-1 if none are loaded).
    integer(c_int64_t) function windows_count(self) result(n)
        class(x3_windows), intent(in) :: self
        if (c_windows_count(self%ptr, n) /= X3_OK) n = -1
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
        allocate(centres(3, max(0_c_int64_t, self%count())))
        status = c_windows_centres(self%ptr, coordinates, centres, int(size(centres), c_int64_t))
    end function

    !> Atoms in window i (1-based), or in all windows for X3_ALL_WINDOWS; -1 on error.
    integer(c_int64_t) function windows_atom_count(self, i) result(n)
        class(x3_windows), intent(in) :: self
        integer(c_int64_t), intent(in) :: i
        integer(c_int64_t) :: c_index
        c_index = i - 1
        if (i == X3_ALL_WINDOWS) c_index = X3_ALL_WINDOWS
        if (c_windows_atom_count(self%ptr, c_index, n) /= X3_OK) n = -1
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
        n = max(0_c_int64_t, self%count())
        stride = 2 * digest_size + 1
        allocate(character(len=2 * digest_size) :: hashes(n))
        allocate(raw(max(1_c_int64_t, n * stride)))
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

    !> Number of targets (properties) the model predicts; 0 for an unloaded model.
    integer function model_targets(self)
        class(x3_model), intent(in) :: self
        integer(c_int64_t) :: parameters, targets
        model_targets = 0
        if (c_model_sizes(self%ptr, parameters, targets) == X3_OK) model_targets = int(targets)
    end function

    !> The predicted property per target (size self%targets()): the mean of the window
    !> contributions.
    integer(c_int32_t) function model_predict(self, structure, property) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), intent(out) :: property(:)
        if (size(property) < self%targets()) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        status = c_model_predict(self%ptr, structure%ptr, property)
    end function

    !> Per-window contributions (targets, windows) -- column w is window w, in the order of
    !> %windows() -- and the property per target.
    integer(c_int32_t) function model_contributions(self, structure, contributions, property) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        real(c_double), allocatable, target, intent(out) :: contributions(:, :)
        real(c_double), target, intent(out) :: property(:)
        integer(c_int64_t) :: n
        integer :: t
        t = self%targets()
        if (size(property) < t) then
            status = X3_ERR_BUFFER_TOO_SMALL
            return
        end if
        status = c_model_contributions(self%ptr, structure%ptr, n, c_null_ptr, 0_c_int64_t, c_null_ptr)
        if (status /= X3_OK) return
        allocate(contributions(t, n))
        status = c_model_contributions(self%ptr, structure%ptr, n, c_loc(contributions), int(t, c_int64_t) * n, &
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
        if (size(centres, 1) /= 3 .or. size(contributions, 2) < size(centres, 2) &
                .or. size(contributions, 1) /= self%targets()) then
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
    !> target's units; its mean is the predicted property. `refine` (default 1 1 1)
    !> Fourier-interpolates it onto a grid that many times finer per axis.
    integer(c_int32_t) function model_map(self, structure, target, map, refine) result(status)
        class(x3_model), intent(in) :: self
        type(x3_structure), intent(in) :: structure
        integer, intent(in) :: target
        real(c_double), allocatable, intent(out) :: map(:, :, :)
        integer, intent(in), optional :: refine(3)
        integer(c_int32_t) :: f(3)
        integer(c_int64_t) :: shape(3)
        real(c_double), allocatable, target :: flat(:)
        f = 1
        if (present(refine)) f = int(refine, c_int32_t)
        status = c_model_map(self%ptr, structure%ptr, int(target - 1, c_int32_t), f, shape, c_null_ptr, 0_c_int64_t)
        if (status /= X3_OK) return
        allocate(flat(product(shape)))
        status = c_model_map(self%ptr, structure%ptr, int(target - 1, c_int32_t), f, shape, c_loc(flat), &
                             int(size(flat), c_int64_t))
        if (status /= X3_OK) return
        ! C order (k3 fastest) into a Fortran (k1, k2, k3) array
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
