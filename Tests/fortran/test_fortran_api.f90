!> The Fortran module's procedures beyond the examples, each against an independent
!> value: the header's status names, Cordero et al.'s covalent radius of Si (1.11 Å),
!> counts that must agree with each other, files that must read back, and errors that
!> come back as statuses (getters with `status`) instead of stopping the program.
!> With a third argument "unchecked", a getter fails with no `status` to take the error,
!> which must stop the program with the message (CTest matches it).
!>   test_fortran_api SHARED_DATA SCRATCH_DIR [unchecked]
program test_fortran_api
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    type(x3_structure) :: s, t, u, pair(2)
    type(x3_windows) :: w
    type(x3_model) :: m, created, reread, pair_models(2), ens, scaled
    type(x3_catalogue) :: cat
    character(len=1024) :: data, scratch, mode
    character(len=:), allocatable :: text, str, json
    integer(c_int32_t) :: st, major, minor, patch, z, nthreads, rule
    integer(c_int32_t), allocatable :: node_atoms(:), zs(:), source(:), images(:, :)
    integer(c_int64_t), allocatable :: offsets(:), edges(:, :)
    integer(c_int64_t) :: n, value, nsites, nwindows, nstructures, nparams, i
    real(c_double) :: radius, props(1, 2), one(1), two(1), mean(1), spread(1), scale(1)
    integer(c_int64_t) :: evaluated(2)
    integer(c_int32_t) :: statuses(2)
    real(c_double), allocatable :: occ(:), pos(:, :)
    real(c_double), allocatable :: map_one(:, :, :), map_two(:, :, :), map_mean(:, :, :), map_spread(:, :, :)
    logical :: exists
    integer :: failures = 0

    call get_command_argument(1, data)
    call get_command_argument(2, scratch)
    call get_command_argument(3, mode)
    if (mode == "unchecked") then
        print '(i0)', t%natoms()  ! never loaded: must stop with the message, not print 0
        print '(a)', 'FAIL: a failing getter without status went on'
        stop 0, quiet=.true.
    end if

    ! library, errors, elements
    call x3_version_numbers(major, minor, patch)
    call check(x3_version() == itoa(major) // "." // itoa(minor) // "." // itoa(patch), "version numbers")
    call check(x3_status_name(X3_ERR_PARSE) == "X3_ERR_PARSE", "status name")
    ! (a function's results are used only after the statement that calls it: Fortran may
    ! evaluate the operands of one expression in any order)
    st = x3_element_atomic_number("SI", z)
    call check(st == X3_OK .and. z == 14, "atomic number of SI")
    st = x3_element_covalent_radius(14_c_int32_t, radius)
    call check(st == X3_OK .and. abs(radius - 1.11d0) < 1d-12, "covalent radius of Si (Cordero et al. 2008: 1.11 A)")
    call check(x3_element_atomic_number("Xx", z) == X3_ERR_UNKNOWN_ELEMENT, "unknown element")
    call check(len(x3_last_error()) > 0, "message of the last error")
    call x3_clear_error()
    call check(len(x3_last_error()) == 0, "clear_error")
    st = x3_blas_info(str)
    call check(st == X3_OK .and. index(str, "OpenBLAS") == 1, "blas_info")
    call check(x3_set_limit("window_max_count", 5000_c_int64_t) == X3_OK, "set_limit")
    st = x3_get_limit("window_max_count", value)
    call check(st == X3_OK .and. value == 5000, "get_limit")
    call check(x3_set_limit("window_max_count", 0_c_int64_t) == X3_OK, "set_limit default")
    call check(x3_set_limit("no_such_limit", 1_c_int64_t) == X3_ERR_INVALID_ARGUMENT, "unknown limit")
    nthreads = x3_get_num_threads()
    st = x3_set_num_threads(1_c_int32_t)
    call check(st == X3_OK .and. x3_get_num_threads() == 1, "set_num_threads")
    call check(x3_set_num_threads(nthreads) == X3_OK, "thread count restored")

    ! structures: from a file and from the same text, written and read back
    call check(s%read_cif(trim(data) // "/iza/cif/LTA.cif") == X3_OK, "read_cif")
    call read_text(trim(data) // "/iza/cif/LTA.cif", text)
    call check(t%parse_cif(text) == X3_OK, "parse_cif")
    call check(t%formula() == s%formula() .and. t%natoms() == s%natoms(), "parsed text = file")
    call check(s%name() == "LTA", "structure name")
    st = s%occupancies(occ)
    call check(st == X3_OK .and. size(occ) == s%natoms() .and. all(occ == 1), "occupancies")
    call check(s%warning_count() == 0, "no warnings for LTA")
    str = s%warning(1_c_int64_t, st)
    call check(st == X3_ERR_INDEX_OUT_OF_RANGE, "warning out of range is a status")
    call check(s%write_cif(trim(scratch) // "/lta_p1.cif") == X3_OK, "write_cif")
    st = u%read_cif(trim(scratch) // "/lta_p1.cif")
    call check(st == X3_OK, "written CIF reads")
    call check(u%natoms() == s%natoms() .and. abs(u%density() - s%density()) < 1d-9, "written CIF reads back")
    call check(t%read_cif(trim(data) // "/iza/cif/LTA.cif", block="no_such_block") /= X3_OK, "unknown block")

    ! getters report errors through `status` instead of stopping
    call t%free()
    n = t%natoms(st)
    call check(st == X3_ERR_NULL_ARGUMENT, "natoms of a freed structure is a status")
    str = t%formula(st)
    call check(st == X3_ERR_NULL_ARGUMENT .and. str == "", "formula of a freed structure is a status")

    ! windows: offsets, totals, bond graphs
    call check(w%sample(s, 6d0, 2d0) == X3_OK, "windows")
    st = w%offsets(offsets)
    call check(st == X3_OK .and. size(offsets) == w%count() + 1, "offsets")
    call check(offsets(1) == 0 .and. offsets(size(offsets)) == w%total_atoms(), "offsets span every atom")
    call check(w%total_atoms() == w%atom_count(X3_ALL_WINDOWS), "total atoms")
    do i = 1, min(5_c_int64_t, w%count())
        call check(offsets(i + 1) - offsets(i) == w%atom_count(i), "offsets agree with atom counts")
    end do
    st = w%atoms(1_c_int64_t, zs, pos, source, images)
    call check(st == X3_OK, "atoms of window 1")
    st = w%bond_graph(1_c_int64_t, 1.2d0, "O:contract", node_atoms, edges)
    call check(st == X3_OK, "bond graph")
    ! O contracted away: every node is a Si atom of the window; edges join distinct nodes
    call check(size(node_atoms) > 0 .and. all(zs(node_atoms) == 14), "nodes are the window's Si atoms")
    call check(all(edges(1, :) < edges(2, :)) .and. all(edges >= 1) .and. all(edges <= size(node_atoms)), &
               "edges are node pairs u < v")

    ! models: created, saved, read back; the shipped model's card
    call check(created%create('{"channels": 8, "blocks": 1, "seed": 3}') == X3_OK, "create")
    st = x3_model_parameter_count('{"channels": 8, "blocks": 1, "seed": 3}', nparams)
    call check(st == X3_OK, "parameter count")
    call check(created%parameters() == nparams, "parameters of the created model")
    call check(created%card() == "", "a new model has no card")
    call check(created%save(trim(scratch) // "/small.safetensors") == X3_OK, "save")
    call check(reread%load(trim(scratch) // "/small.safetensors") == X3_OK, "load the saved model")
    call check(reread%config() == created%config(), "configuration survives the file")
    call check(m%load("iza-ar-uptake") == X3_OK, "load by name")
    call check(index(m%card(), '"unit":"mol/kg"') > 0, "the shipped card gives the unit")
    call check(index(m%config(), '"targets":["ar_uptake_mol_kg"]') > 0, "configuration JSON")
    ! many structures in one call: LTA and its P1 copy, each as predicted alone
    pair = [s, u]
    st = m%predict_many(pair, props, evaluated, statuses)
    call check(st == X3_OK .and. all(statuses == X3_OK), "predict_many")
    do i = 1, 2
        st = m%predict(pair(i), one)
        call check(st == X3_OK .and. props(1, i) == one(1), "predict_many equals predict")
    end do
    call check(evaluated(1) >= 1 .and. evaluated(1) <= evaluated(2), "windows evaluated: P1 has no fewer orbits")
    ! an ensemble of two small models: their mean, and the sample standard deviation of
    ! two values, |a - b| / sqrt(2)
    call check(pair_models(1)%create('{"channels": 8, "blocks": 1, "seed": 3, "window_step": 4}') == X3_OK .and. &
               pair_models(2)%create('{"channels": 8, "blocks": 1, "seed": 4, "window_step": 4}') == X3_OK, "members")
    call check(ens%ensemble(pair_models) == X3_OK .and. ens%members() == 2 .and. pair_models(1)%members() == 1, &
               "ensemble")
    call check(pair_models(1)%predict(s, one) == X3_OK .and. pair_models(2)%predict(s, two) == X3_OK .and. &
               one(1) /= two(1), "members predict, differently")
    call check(ens%predict_std(s, mean, spread) == X3_OK, "predict_std")
    call check(abs(mean(1) - (one(1) + two(1)) / 2) <= 1d-12 * abs(mean(1)) .and. &
               abs(spread(1) - abs(one(1) - two(1)) / sqrt(2d0)) <= 1d-9 * abs(spread(1)), "ensemble mean and spread")
    call check(ens%spread_scale(scale) == X3_OK .and. scale(1) == 1, "an ensemble's spread scale starts at 1")
    call check(ens%with_spread_scale([3d0], scaled) == X3_OK .and. scaled%spread_scale(scale) == X3_OK .and. &
               scale(1) == 3 .and. scaled%predict_std(s, props(:, 1), props(:, 2)) == X3_OK .and. &
               props(1, 1) == mean(1) .and. abs(props(1, 2) - 3 * spread(1)) <= 1d-14 * props(1, 2), &
               "a spread scale of 3 triples the spread")
    st = ens%spread_calibration(rule)
    call check(st == X3_OK .and. rule == X3_SPREAD_NOT_CALIBRATED, "an ensemble starts not calibrated")
    st = scaled%spread_calibration(rule)
    call check(st == X3_OK .and. rule == X3_SPREAD_NOT_RECORDED, "a scale set by hand has no recorded rule")
    st = ens%with_spread_calibration([2d0], X3_SPREAD_COVERAGE, scaled)
    call check(st == X3_OK, "a scale with its rule")
    st = scaled%spread_calibration(rule)
    call check(st == X3_OK .and. rule == X3_SPREAD_COVERAGE, "the rule given is kept")
    st = ens%with_spread_calibration([2d0], X3_SPREAD_NOT_RECORDED, scaled)
    call check(st == X3_ERR_INVALID_ARGUMENT, "only a rule that fits a scale can be given")
    call scaled%free()
    call check(pair_models(1)%predict_std(s, mean, spread) == X3_OK .and. spread(1) /= spread(1), &
               "a single model's spread is NaN")
    ! and so, window by window, are its contribution map and the map's spread
    call check(pair_models(1)%map(s, 1, map_one) == X3_OK .and. pair_models(2)%map(s, 1, map_two) == X3_OK .and. &
               ens%map(s, 1, map_mean) == X3_OK .and. ens%map_std(s, 1, map_spread) == X3_OK, "maps")
    call check(all(shape(map_mean) == shape(map_one)) .and. all(shape(map_spread) == shape(map_one)) .and. &
               maxval(abs(map_mean - (map_one + map_two) / 2)) <= 1d-12 * maxval(abs(map_mean)) .and. &
               maxval(abs(map_spread - abs(map_one - map_two) / sqrt(2d0))) <= 1d-9 * maxval(map_spread) .and. &
               minval(map_spread) > 0, "ensemble maps: mean and spread per window")

    ! a site catalogue of LTA's windows
    call check(cat%new(1.2d0, "O:contract", 3_c_int32_t, 16_c_int32_t) == X3_OK, "catalogue")
    call check(cat%add("LTA", w) == X3_OK, "catalogue add")
    st = cat%counts(nsites, nwindows, nstructures)
    call check(st == X3_OK, "catalogue counts")
    call check(nwindows == w%count() .and. nstructures == 1 .and. nsites >= 1 .and. nsites <= nwindows, &
               "catalogue counts agree with the windows")
    st = cat%json(X3_RANK_BY_COUNT, 3_c_int64_t, json)
    call check(st == X3_OK .and. index(json, '"sites"') > 0, "catalogue JSON")
    call check(cat%write(trim(scratch) // "/sites", X3_RANK_BY_COUNT, 3_c_int64_t) == X3_OK, "catalogue write")
    inquire(file=trim(scratch) // "/sites/sites.csv", exist=exists)
    call check(exists, "sites.csv written")
    call check(cat%add("LTA again", w, reshape([1d0], [1, 1])) /= X3_OK, "values for a catalogue without targets")

    call cat%free()
    call cat%free()
    call w%free()
    call s%free()
    call u%free()
    call m%free()
    call created%free()
    call reread%free()
    if (failures > 0) then
        print '(i0, a)', failures, ' check(s) failed'
        stop 1, quiet=.true.
    end if
    print '(a)', 'ok: every Fortran procedure checked'

contains

    subroutine check(ok, what)
        logical, intent(in) :: ok
        character(len=*), intent(in) :: what
        if (.not. ok) then
            failures = failures + 1
            print '(a, a, a, a)', 'FAIL: ', what, '; last error: ', x3_last_error()
        end if
    end subroutine

    function itoa(i) result(s)
        integer(c_int32_t), intent(in) :: i
        character(len=:), allocatable :: s
        character(len=16) :: buffer
        write(buffer, '(i0)') i
        s = trim(buffer)
    end function

    subroutine read_text(path, text)
        character(len=*), intent(in) :: path
        character(len=:), allocatable, intent(out) :: text
        integer :: unit, size_bytes
        open(newunit=unit, file=path, access='stream', form='unformatted', status='old')
        inquire(unit=unit, size=size_bytes)
        allocate(character(len=size_bytes) :: text)
        read(unit) text
        close(unit)
    end subroutine
end program test_fortran_api
