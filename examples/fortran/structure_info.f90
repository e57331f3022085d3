! Reads a structure from a CIF file and prints its formula, cell and density; then
! rebuilds it from arrays, the way a GCMC code passes its own framework to libx3mat.
!
!   gfortran -I$PREFIX/include structure_info.f90 -L$PREFIX/lib -lx3matf -lx3mat
!   ./a.out LTA.cif
program structure_info
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    type(x3_structure) :: s, t
    character(len=4096) :: path
    real(c_double), allocatable :: xyz(:, :)
    integer(c_int32_t), allocatable :: z(:)
    real(c_double) :: p(6), cell(3, 3)

    if (command_argument_count() /= 1) then
        print '(a)', 'usage: structure_info FILE.cif'
        stop 2
    end if
    call get_command_argument(1, path)

    if (s%read_cif(trim(path)) /= X3_OK) then
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end if
    p = s%cell_parameters()
    print '(a, a)', 'libx3mat ', x3_version()
    print '(a, a, a, i0, a)', 'formula  ', s%formula(), ' (', s%natoms(), ' atoms)'
    print '(a, 3(f0.4, 1x), a, 3(f0.3, 1x), a)', 'cell     ', p(1:3), 'A  ', p(4:6), 'deg'
    print '(a, f0.3, a)', 'volume   ', s%volume(), ' A^3'
    print '(a, f0.4, a)', 'density  ', s%density(), ' g/cm3'

    ! the GCMC path: cell, Cartesian positions (3, natoms) and atomic numbers
    cell = s%cell()
    if (s%positions(X3_CARTESIAN, xyz) /= X3_OK) stop 1
    if (s%atomic_numbers(z) /= X3_OK) stop 1
    if (t%from_arrays(cell, xyz, X3_CARTESIAN, z) /= X3_OK) then
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end if
    print '(a, f0.4, a)', 'from arrays: density ', t%density(), ' g/cm3'
    if (abs(t%density() - s%density()) > 1d-9) stop 1

    call t%free()
    call s%free()
    ! allocatable arrays of a main program are not freed at its end: free them
    deallocate(xyz, z)
end program structure_info
