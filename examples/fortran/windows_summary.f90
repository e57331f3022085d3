! Cuts a structure into detection windows and summarises them; then asks for the window
! around one point, as a GCMC code does for a guest molecule's position.
!
!   gfortran -I$PREFIX/include windows_summary.f90 -L$PREFIX/lib -lx3matf -lx3mat
!   ./a.out LTA.cif
program windows_summary
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    type(x3_structure) :: s
    type(x3_windows) :: w, at
    character(len=4096) :: path
    integer(c_int64_t) :: shape(3), i, n, lo, hi, total, empty
    real(c_double), parameter :: radius = 6.0d0, step = 2.0d0
    real(c_double) :: point(3, 1)
    integer(c_int32_t), allocatable :: z(:), source(:), images(:, :)
    real(c_double), allocatable :: xyz(:, :)

    if (command_argument_count() /= 1) then
        print '(a)', 'usage: windows_summary FILE.cif'
        stop 2
    end if
    call get_command_argument(1, path)
    if (s%read_cif(trim(path)) /= X3_OK) call fail()
    if (w%sample(s, radius, step) /= X3_OK) call fail()
    if (w%grid_shape(shape) /= X3_OK) call fail()

    lo = huge(lo); hi = 0; total = 0; empty = 0
    do i = 1, w%count()
        n = w%atom_count(i)
        lo = min(lo, n); hi = max(hi, n); total = total + n
        if (n == 0) empty = empty + 1
    end do
    print '(a, f0.3, a, f0.3, a, i0, a, i0, a, i0, a, i0)', 'windows  R = ', radius, ' A, step ', step, &
        ' A, grid ', shape(1), ' x ', shape(2), ' x ', shape(3), ' = ', w%count()
    print '(a, i0, a, i0, a, f0.3, a, i0, a, i0)', 'atoms    ', total, ' in all windows; per window min ', lo, &
        ', mean ', real(total, c_double) / real(w%count(), c_double), ', max ', hi, '; empty ', empty
    if (w%atom_count(X3_ALL_WINDOWS) /= total) call fail()

    ! the window around one point (fractional), e.g. a guest molecule's centre
    point(:, 1) = [0.1d0, 0.2d0, 0.3d0]
    if (at%at(s, radius, point, X3_FRACTIONAL) /= X3_OK) call fail()
    if (at%atoms(1_c_int64_t, z, xyz, source, images) /= X3_OK) call fail()
    print '(a, i0, a, f0.3, a)', 'point    (0.1, 0.2, 0.3): ', size(z), ' atoms within ', radius, ' A'
    if (size(z) > 0) then
        if (minval(source) < 1 .or. maxval(source) > s%natoms()) call fail()
        if (maxval(norm2(xyz, dim=1)) > radius) call fail()
    end if

    call at%free()
    call w%free()
    call s%free()
    ! allocatable arrays of a main program are not freed at its end: free them
    if (allocated(z)) deallocate(z)
    if (allocated(source)) deallocate(source)
    if (allocated(images)) deallocate(images)
    if (allocated(xyz)) deallocate(xyz)
contains
    subroutine fail()
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end subroutine
end program windows_summary
