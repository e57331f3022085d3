! Site identity from Fortran: the WL hash of every window of a zeolite with O contracted
! (the T-atom network), the number of distinct sites, and the hash of a graph the program
! builds itself (a ring of four Si), as NetworkX would compute it.
!
!   gfortran -I$PREFIX/include site_hashes.f90 -L$PREFIX/lib -lx3matf -lx3mat
!   ./a.out LTA.cif
program site_hashes
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    type(x3_structure) :: s
    type(x3_windows) :: w
    character(len=4096) :: path
    character(len=:), allocatable :: hashes(:), ring
    character(len=32), allocatable :: seen(:)
    integer :: i, k, nseen, best, count
    character(len=2) :: si(4) = ['Si', 'Si', 'Si', 'Si']
    integer(c_int64_t) :: edges(2, 4) = reshape([1_c_int64_t, 2_c_int64_t, 2_c_int64_t, 3_c_int64_t, &
                                                 3_c_int64_t, 4_c_int64_t, 4_c_int64_t, 1_c_int64_t], [2, 4])

    if (command_argument_count() /= 1) then
        print '(a)', 'usage: site_hashes FILE.cif'
        stop 2
    end if
    call get_command_argument(1, path)
    if (s%read_cif(trim(path)) /= X3_OK) call fail()
    if (w%sample(s, 6.0d0, 2.0d0) /= X3_OK) call fail()
    if (w%site_hashes(1.2d0, 'O:contract', 3, 16, hashes) /= X3_OK) call fail()

    ! distinct hashes and the most frequent one's count (a small O(n^2) loop is enough here)
    allocate(seen(size(hashes)))
    nseen = 0; best = 0
    do i = 1, size(hashes)
        if (any(seen(1:nseen) == hashes(i))) cycle
        nseen = nseen + 1
        seen(nseen) = hashes(i)
        count = 0
        do k = 1, size(hashes)
            if (hashes(k) == hashes(i)) count = count + 1
        end do
        best = max(best, count)
    end do
    print '(a, i0, a, i0, a, i0)', 'windows ', size(hashes), ', distinct sites ', nseen, ', most frequent ', best

    ring = x3_site_hash(si, edges, 3, 16)
    print '(a, a)', 'Si4 ring ', ring
    call w%free()
    call s%free()
    ! allocatable arrays of a main program are not freed at its end: free them
    if (allocated(hashes)) deallocate(hashes)
    if (allocated(seen)) deallocate(seen)
    if (allocated(ring)) deallocate(ring)
contains
    subroutine fail()
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end subroutine
end program site_hashes
