! A host code that keeps libx3mat loaded and predicts again and again, as a Monte Carlo
! code with a flexible framework would: every round strains the cell a little, predicts
! the property, asks for the contributions of windows at random points, and then calls
! x3_release_memory. The resident memory (VmRSS) is printed after the first round and
! then tracked; with the release call it stays flat.
!
!   host_memory MODEL FRAMEWORK.cif SECONDS [MAX_GROWTH_PERCENT [keep]]
!
! With "keep" the release call is skipped (to compare).
!
! The RSS is taken as settled after min(60 s, SECONDS / 4); exits with status 1 when the
! largest RSS after that exceeds the settled RSS by more than MAX_GROWTH_PERCENT
! (default 10).
program host_memory
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    type(x3_model) :: model
    type(x3_structure) :: from_file, framework
    character(len=4096) :: model_name, cif_path, arg
    real(c_double) :: cell(3, 3), property(8), seconds, limit, strain(3)
    real(c_double), allocatable :: frac(:, :), centres(:, :), contributions(:, :)
    integer(c_int32_t), allocatable :: z(:)
    integer(8) :: start, now, rate
    integer :: rounds, rss, rss_settled, rss_max, rss_first
    logical :: release
    real :: elapsed, settle

    if (command_argument_count() < 3) then
        print '(a)', 'usage: host_memory MODEL FRAMEWORK.cif SECONDS [MAX_GROWTH_PERCENT]'
        stop 2
    end if
    call get_command_argument(1, model_name)
    call get_command_argument(2, cif_path)
    call get_command_argument(3, arg)
    read(arg, *) seconds
    limit = 10
    if (command_argument_count() >= 4) then
        call get_command_argument(4, arg)
        read(arg, *) limit
    end if
    release = .true.
    if (command_argument_count() >= 5) then
        call get_command_argument(5, arg)
        release = trim(arg) /= 'keep'
    end if
    if (model%load(trim(model_name)) /= X3_OK) call fail()
    if (from_file%read_cif(trim(cif_path)) /= X3_OK) call fail()
    cell = from_file%cell()
    if (from_file%positions(X3_FRACTIONAL, frac) /= X3_OK) call fail()
    if (from_file%atomic_numbers(z) /= X3_OK) call fail()
    allocate(centres(3, 64), contributions(model%targets(), 64))

    settle = real(min(60d0, seconds / 4))
    call system_clock(start, rate)
    rounds = 0
    rss_first = -1; rss_settled = -1; rss_max = 0
    do
        call random_number(strain)
        if (framework%from_arrays(cell * (1 + 0.02d0 * (strain(1) - 0.5d0)), frac, X3_FRACTIONAL, z) /= X3_OK) &
            call fail()
        if (model%predict(framework, property) /= X3_OK) call fail()
        call random_number(centres)
        if (model%contributions_at(framework, X3_FRACTIONAL, centres, contributions) /= X3_OK) call fail()
        call framework%free()
        if (release) then
            if (x3_release_memory() /= X3_OK) call fail()
        end if
        rounds = rounds + 1
        rss = resident_kib()
        call system_clock(now)
        elapsed = real(now - start) / real(rate)
        if (rss_first < 0) rss_first = rss
        if (rss_settled < 0 .and. elapsed >= settle) rss_settled = rss
        if (rss_settled >= 0) rss_max = max(rss_max, rss)
        if (elapsed >= seconds) exit
    end do
    print '(a, i0, a, f0.1, a, l1)', 'rounds ', rounds, ' in ', elapsed, ' s; x3_release_memory after each: ', release
    print '(a, f0.1, a, i0, a, f0.1, a, f0.1, a)', 'RSS after the first round ', real(rss_first) / 1024, &
        ' MiB; after ', int(settle), ' s ', real(rss_settled) / 1024, ' MiB; largest after that ', &
        real(rss_max) / 1024, ' MiB'
    print '(a, f0.2, a)', 'growth after settling: ', 100.0 * (rss_max - rss_settled) / rss_settled, ' %'
    print '(a, f0.1, a)', 'peak RSS of the process (VmHWM, during the predictions): ', &
        real(status_kib('VmHWM:')) / 1024, ' MiB'
    call from_file%free()
    call model%free()
    if (100.0 * (rss_max - rss_settled) / rss_settled > limit) then
        print '(a, f0.1, a)', 'FAIL: RSS grew by more than ', limit, ' %'
        stop 1
    end if

contains

    !> VmRSS of this process in KiB.
    integer function resident_kib()
        resident_kib = status_kib('VmRSS:')
    end function

    !> A "Name: value kB" field of /proc/self/status in KiB; -1 if missing.
    integer function status_kib(field)
        character(len=*), intent(in) :: field
        character(len=256) :: line
        integer :: unit, io
        status_kib = -1
        open(newunit=unit, file='/proc/self/status', action='read', iostat=io)
        if (io /= 0) return
        do
            read(unit, '(a)', iostat=io) line
            if (io /= 0) exit
            if (line(1:len(field)) == field) then
                read(line(len(field) + 1:), *) status_kib
                exit
            end if
        end do
        close(unit)
    end function

    subroutine fail()
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end subroutine
end program host_memory
