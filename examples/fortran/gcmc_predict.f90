! A GCMC-style use of a trained model: the host code keeps its framework as plain arrays
! (cell, fractional positions, atomic numbers), hands them to libx3mat, and asks the
! model for the property and for the contribution of the window nearest a guest
! molecule. Here the arrays are copied from a CIF, then the cell is strained by +-1 % as a
! flexible-framework move would, and the prediction is asked again for each.
!
!   gfortran -I$PREFIX/include gcmc_predict.f90 -L$PREFIX/lib -lx3matf -lx3mat
!   ./a.out models/iza-ar-uptake.safetensors LTA.cif
program gcmc_predict
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    type(x3_model) :: model
    type(x3_structure) :: from_file, framework
    type(x3_windows) :: windows
    character(len=4096) :: model_path, cif_path
    real(c_double) :: cell(3, 3), strain, reference(8), property(8), guest(3), d, best
    real(c_double), allocatable :: frac(:, :), contributions(:, :), centres(:, :), map(:, :, :)
    integer :: g(3)
    integer(c_int32_t), allocatable :: z(:)
    integer :: k, w, nearest
    integer(c_int64_t) :: nwindows, norbits, noperations

    if (command_argument_count() /= 2) then
        print '(a)', 'usage: gcmc_predict MODEL.safetensors FRAMEWORK.cif'
        stop 2
    end if
    call get_command_argument(1, model_path)
    call get_command_argument(2, cif_path)
    if (model%load(trim(model_path)) /= X3_OK) call fail()
    if (model%targets() > size(property)) call fail()

    ! the host code's own arrays
    if (from_file%read_cif(trim(cif_path)) /= X3_OK) call fail()
    cell = from_file%cell()
    if (from_file%positions(X3_FRACTIONAL, frac) /= X3_OK) call fail()
    if (from_file%atomic_numbers(z) /= X3_OK) call fail()
    if (model%predict(from_file, reference) /= X3_OK) call fail()
    ! symmetry: one window per orbit is evaluated; every window of the same grid (mode 2)
    ! gives the same property, as the network is invariant under the crystal's operations
    if (model%orbits(from_file, nwindows, norbits, noperations) /= X3_OK) call fail()
    print '(a, i0, a, i0, a, i0, a)', 'windows ', nwindows, ', evaluated ', norbits, ' (', noperations, &
        ' symmetry operations)'
    if (x3_set_symmetry(2, 0.01d0) /= X3_OK) call fail()
    if (model%predict(from_file, property) /= X3_OK) call fail()
    if (abs(property(1) - reference(1)) > 1d-5 * max(1d0, abs(reference(1)))) call fail()
    if (x3_set_symmetry(1, 0.01d0) /= X3_OK) call fail()
    call from_file%free()

    do k = -1, 1
        strain = 1.0d0 + 0.01d0 * k
        if (framework%from_arrays(cell * strain, frac, X3_FRACTIONAL, z) /= X3_OK) call fail()
        if (model%predict(framework, property) /= X3_OK) call fail()
        print '(a, f5.2, a, f0.4)', 'cell x ', strain, ': property 1 = ', property(1)
        if (k == 0) then
            ! the unstrained arrays give the same framework as the file, hence the same number
            if (abs(property(1) - reference(1)) > 1d-9 * max(1d0, abs(reference(1)))) call fail()
            print '(a, f0.4)', 'from arrays = from CIF: ', reference(1)
            ! the window nearest a guest at the cell's centre, and its contribution
            if (model%contributions(framework, contributions, property) /= X3_OK) call fail()
            if (model%windows(framework, windows) /= X3_OK) call fail()
            if (windows%centres(X3_CARTESIAN, centres) /= X3_OK) call fail()
            if (size(centres, 2) /= size(contributions, 2)) call fail()
            guest = 0.5d0 * (cell(:, 1) + cell(:, 2) + cell(:, 3))
            best = huge(best); nearest = 0
            do w = 1, size(centres, 2)
                d = norm2(centres(:, w) - guest)
                if (d < best) then
                    best = d; nearest = w
                end if
            end do
            if (abs(sum(contributions(1, :)) / size(contributions, 2) - property(1)) > 1d-9) call fail()
            print '(a, i0, a, i0, a, f5.3, a, f0.4)', 'windows ', size(contributions, 2), '; nearest the guest: ', &
                nearest, ' (', best, ' A away), contribution ', contributions(1, nearest)
            ! the same number from the contribution map: map(k1+1, k2+1, k3+1) is the window at
            ! fractional (k1/n1, k2/n2, k3/n3); the guest sits at fractional (1/2, 1/2, 1/2)
            if (model%map(framework, 1, map) /= X3_OK) call fail()
            g = nint(0.5d0 * shape(map)) + 1
            if (abs(map(g(1), g(2), g(3)) - contributions(1, nearest)) > 1d-12) call fail()
            if (abs(sum(map) / size(map) - property(1)) > 1d-9) call fail()
            print '(a, i0, a, i0, a, i0, a, f0.4)', 'map ', size(map, 1), ' x ', size(map, 2), ' x ', size(map, 3), &
                ': at the guest ', map(g(1), g(2), g(3))
            call windows%free()
        end if
        call framework%free()
    end do
    call model%free()
    ! allocatable arrays of a main program are not freed at its end: free them
    if (allocated(frac)) deallocate(frac)
    if (allocated(contributions)) deallocate(contributions)
    if (allocated(centres)) deallocate(centres)
    if (allocated(map)) deallocate(map)
    if (allocated(z)) deallocate(z)

contains
    subroutine fail()
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end subroutine
end program gcmc_predict
