!> x3mat-gcmc: grand-canonical Monte Carlo of a Lennard-Jones adsorbate in a rigid
!> framework, with a libx3mat model in the same process.
!>
!> Before simulating, the model predicts the framework's uptake and its contribution map;
!> after, the program compares the map with the simulation on the model's window grid
!> (Spearman's rho against the adsorbate density and against the mean number of molecules
!> in each window's sphere, next to the same rho for a trivial proxy: minus the number of
!> framework atoms in the window) and classifies the strongest window as Interior (its
!> centre is where an adsorbate atom is attracted: framework energy < 0) or Exterior (on
!> the wall). Run with --help for the options.
program x3mat_gcmc
    use, intrinsic :: iso_c_binding
    use, intrinsic :: iso_fortran_env, only: int64, error_unit, output_unit
    use x3mat
    use force_field
    use energy_grid
    use gcmc_simulation
    use gcmc_statistics
    implicit none
    integer, parameter :: dp = kind(1d0)

    type options
        character(len=1024) :: model = 'iza-ar-uptake', forcefield = '', molecule = '', windows_out = '', restart = ''
        logical :: use_model = .true., biased = .false., quiet = .false.
        real(dp) :: temperature = 87, pressure = 101325, cutoff = 12.8_dp, spacing = 0.1_dp, bias_floor = 0.1_dp
        integer :: init_cycles = 2000, cycles = 5000, blocks = 5, seed = 1, check_grid = 0, funnel = 0, trials = 10
    end type

    type(options) :: opt
    character(len=1024), allocatable :: inputs(:)
    type(force_field_set) :: ff
    type(molecule_definition) :: molecule
    type(x3_model) :: model
    character(len=:), allocatable :: message

    call parse_arguments(opt, inputs)
    message = ff%read(trim(opt%forcefield))
    if (message /= '') call die(message)
    message = molecule%read(trim(opt%molecule))
    if (message /= '') call die(message)
    if (opt%use_model) then
        if (model%load(trim(opt%model)) /= X3_OK) call die('model ' // trim(opt%model) // ': ' // x3_last_error())
    end if
    if (opt%funnel > 0) then
        call funnel(inputs)
    else
        call simulate(inputs(1))
    end if
    call model%free()

contains

    !> Simulates one framework and, with a model, compares its map with the simulation.
    subroutine simulate(path, predicted, uptake, error)
        character(len=*), intent(in) :: path
        real(dp), intent(out), optional :: predicted, uptake, error
        type(x3_structure) :: s
        type(x3_windows) :: windows
        type(gcmc_run) :: run
        real(dp), allocatable :: frac(:, :), eps4(:), sig2(:), map(:, :, :), density(:, :, :), spheres(:, :, :)
        real(dp), allocatable :: proxy(:, :, :)
        integer(c_int32_t), allocatable :: z(:)
        integer(c_int64_t) :: grid_n(3), natoms
        real(dp) :: cell(3, 3), eps, sig, mass, m, property(8), t0, t1, t2, radius, drift, u_strong
        real(dp) :: rho(4), strong_frac(3), mol_kg, err_kg
        integer :: a, c, shape3(3), best(3), i, j, k
        logical :: ok
        character(len=32) :: adsorbate, pseudo
        character(len=:), allocatable :: symbol, kind

        if (s%read_cif(trim(path)) /= X3_OK) call die(x3_last_error())
        cell = s%cell()
        if (s%positions(X3_FRACTIONAL, frac) /= X3_OK) call die(x3_last_error())
        if (s%atomic_numbers(z) /= X3_OK) call die(x3_last_error())
        adsorbate = molecule%atom
        call ff%pair(adsorbate, adsorbate, eps, sig, ok)
        if (.not. ok) call die(trim(opt%molecule) // ': its atom "' // trim(adsorbate) // &
                               '" has no Lennard-Jones parameters in ' // trim(opt%forcefield))
        allocate(eps4(size(z)), sig2(size(z)))
        mass = 0
        do a = 1, size(z)
            if (x3_element_symbol(z(a), symbol) /= X3_OK) call die(x3_last_error())
            pseudo = ff%atom_of_element(symbol)
            if (pseudo == '') call die(trim(path) // ': no pseudo atom with Lennard-Jones parameters for element ' &
                                       // symbol // ' in ' // trim(opt%forcefield))
            call ff%pair(pseudo, adsorbate, eps4(a), sig2(a), ok)
            eps4(a) = 4 * eps4(a); sig2(a) = sig2(a)**2
            mass = mass + ff%mass_of(pseudo)
        end do

        ! the model's prediction and map, on its window grid
        if (opt%use_model) then
            if (model%map(s, 1, map) /= X3_OK) call die(trim(path) // ': ' // x3_last_error())
            property(1) = sum(map) / size(map)
            shape3 = shape(map)
            if (model%windows(s, windows) /= X3_OK) call die(x3_last_error())
            allocate(proxy(shape3(1), shape3(2), shape3(3)))
            do i = 1, shape3(1)
                do j = 1, shape3(2)
                    do k = 1, shape3(3)
                        natoms = windows%atom_count(int(((i - 1) * shape3(2) + (j - 1)) * shape3(3) + k, c_int64_t))
                        if (natoms < 0) call die(x3_last_error())
                        proxy(i, j, k) = -real(natoms, dp)
                    end do
                end do
            end do
            if (windows%grid_shape(grid_n) /= X3_OK) call die(x3_last_error())
            if (any(grid_n /= shape3)) call die('internal: window grid and map disagree')
            if (windows%radius(radius) /= X3_OK) call die(x3_last_error())
            call windows%free()
            if (x3_release_memory() /= X3_OK) call die(x3_last_error())  ! the network's buffers, before simulating
            if (.not. opt%quiet) print '(a, a, a, f0.3, a, i0, a, i0, a, i0, a)', 'model ', trim(opt%model), &
                ': predicted uptake ', property(1), ' (', shape3(1), ' x ', shape3(2), ' x ', shape3(3), ' windows)'
            if (present(predicted)) predicted = property(1)
        else
            shape3 = max(1, ceiling([norm2(cell(:, 1)), norm2(cell(:, 2)), norm2(cell(:, 3))] / 2))
        end if

        ! framework energy grid
        t0 = wall_seconds()
        call run%grid%build(cell, frac, eps4, sig2, opt%cutoff, opt%spacing, ff%shifted)
        t1 = wall_seconds()
        if (.not. opt%quiet) print '(a, i0, a, i0, a, i0, a, f0.3, a, f0.1, a)', 'energy grid ', run%grid%n(1), ' x ', &
            run%grid%n(2), ' x ', run%grid%n(3), ' (spacing <= ', opt%spacing, ' A, tricubic) in ', t1 - t0, ' s'
        if (opt%check_grid > 0) call check_grid(run, cell, frac, eps4, sig2)

        call run%init(cell, opt%temperature, opt%pressure, opt%cutoff, eps, sig, ff%shifted, shape3)
        run%trials = opt%trials
        if (opt%biased) call run%set_bias(map, opt%bias_floor)
        if (.not. opt%quiet) print '(a, 3(i0, a), f0.1, a, f0.1, a, es10.4, a)', 'box ', run%reps(1), ' x ', &
            run%reps(2), ' x ', run%reps(3), ' cells, ', run%volume, ' A^3, ', opt%temperature, ' K, beta f = ', &
            run%beta_f, ' /A^3'
        call random_seed_from(opt%seed)
        if (opt%restart /= '') call read_restart(run, opt%restart)
        call run%loading%init(opt%blocks, opt%cycles)
        do c = 1, opt%init_cycles + opt%cycles
            call run%cycle(tune=c <= opt%init_cycles)
            if (c > opt%init_cycles) call run%sample()
            if (.not. opt%quiet .and. mod(c, max(1, (opt%init_cycles + opt%cycles) / 10)) == 0) &
                print '(a, i0, a, i0, a, i0, a, f0.3, a)', '  cycle ', c, '/', opt%init_cycles + opt%cycles, &
                    ': ', run%ads%n, ' molecules, max step ', run%max_step, ' A'
        end do
        t2 = wall_seconds()
        drift = run%energy - run%total_energy()

        m = run%loading%mean()
        mol_kg = m / mass * 1000
        err_kg = run%loading%error() / mass * 1000
        print '(a, a)', 'framework ', trim(path)
        print '(a, f0.4, a, f0.4, a, f0.3, a, f0.3, a, i0, a)', 'simulated uptake: ', mol_kg, ' +- ', err_kg, &
            ' mol/kg (', m, ' +- ', run%loading%error(), ' molecules/cell; error from ', opt%blocks, ' blocks)'
        do a = 1, 4
            if (run%attempts(a) > 0) print '(2x, a, a, i0, a, f0.4)', move_names(a), ': ', run%attempts(a), &
                ' attempts, acceptance ', real(run%accepted(a), dp) / run%attempts(a)
        end do
        print '(a, i0, a, i0, a, f0.2, a, f0.2, a, es9.2, a)', 'cycles ', opt%init_cycles, ' + ', opt%cycles, &
            ', grid ', t1 - t0, ' s, Monte Carlo ', t2 - t1, ' s; energy drift ', drift, ' K'
        if (present(uptake)) uptake = mol_kg
        if (present(error)) error = err_kg

        if (opt%use_model) then
            density = run%window_density()
            spheres = run%sphere_counts(radius)
            rho = [spearman(pack(map, .true.), pack(density, .true.)), spearman(pack(map, .true.), pack(spheres, .true.)), &
                   spearman(pack(proxy, .true.), pack(density, .true.)), &
                   spearman(pack(proxy, .true.), pack(spheres, .true.))]
            print '(a, f0.4, a, f0.4)', 'spearman map vs density: ', rho(1), ', map vs molecules in window: ', rho(2)
            print '(a, f0.4, a, f0.4)', 'spearman proxy vs density: ', rho(3), ', proxy vs molecules in window: ', rho(4)
            best = maxloc(map)
            strong_frac = real(best - 1, dp) / shape3
            u_strong = run%grid%energy(strong_frac)
            kind = merge('Interior', 'Exterior', u_strong < 0)
            print '(a, 3f7.4, a, f0.3, a, es10.3, a, es10.3, a, a)', 'strongest window at fractional', strong_frac, &
                ', contribution ', maxval(map), ', framework energy ', min(u_strong, 1d99), &
                ' K (1E+99: inside the wall), density ', &
                density(best(1), best(2), best(3)), ' /A^3: ', kind
            print '(a, a, 8(a, es12.5), 2a)', 'RESULT ', trim(basename(path)), ' predicted=', property(1), &
                ' simulated=', mol_kg, ' error=', err_kg, ' rho_density=', rho(1), ' rho_sphere=', rho(2), &
                ' proxy_density=', rho(3), ' proxy_sphere=', rho(4), ' mc_seconds=', t2 - t1, ' site=', kind
            if (opt%windows_out /= '') then
                call write_windows(opt%windows_out, map, density, spheres, proxy, run)
            end if
        else
            print '(a, a, 3(a, es12.5))', 'RESULT ', trim(basename(path)), ' simulated=', mol_kg, ' error=', err_kg, &
                ' mc_seconds=', t2 - t1
        end if
        call s%free()
    end subroutine

    !> Ranks frameworks by predicted uptake and simulates the top opt%funnel.
    subroutine funnel(paths)
        character(len=*), intent(in) :: paths(:)
        type(x3_structure) :: s
        real(dp) :: predicted(size(paths)), p(8), sim, err
        integer :: order(size(paths)), i, k, n
        do i = 1, size(paths)
            predicted(i) = -huge(1d0)
            if (s%read_cif(trim(paths(i))) /= X3_OK) then
                write(error_unit, '(a)') 'skipped: ' // x3_last_error()
                cycle
            end if
            if (model%predict(s, p) /= X3_OK) then
                write(error_unit, '(a)') 'skipped ' // trim(paths(i)) // ': ' // x3_last_error()
            else
                predicted(i) = p(1)
            end if
            call s%free()
        end do
        order = sort_order(-predicted)  ! best first; ties in the given order
        n = min(opt%funnel, size(paths))
        print '(a, i0, a, i0, a)', 'funnel: ', size(paths), ' frameworks ranked by predicted uptake; simulating the top ', &
            n, ':'
        do k = 1, n
            i = order(k)
            print '(i4, 2x, a, a, f0.3)', k, trim(basename(paths(i))), ' predicted ', predicted(i)
        end do
        do k = 1, n
            i = order(k)
            call simulate(paths(i), uptake=sim, error=err)
            print '(a, i0, 2x, a, a, f0.3, a, f0.3, a, f0.3)', 'FUNNEL ', k, trim(basename(paths(i))), ' predicted ', &
                predicted(i), ' simulated ', sim, ' +- ', err
        end do
    end subroutine

    !> Grid energy against direct summation at random points where the grid gives < 0 K.
    subroutine check_grid(run, cell, frac, eps4, sig2)
        type(gcmc_run), intent(in) :: run
        real(dp), intent(in) :: cell(3, 3), frac(:, :), eps4(:), sig2(:)
        real(dp) :: f(3), ug, ud, sq, worst
        integer :: n
        n = 0; sq = 0; worst = 0
        call random_seed_from(opt%seed + 1000)
        do while (n < opt%check_grid)
            call random_number(f)
            ug = run%grid%energy(f)
            if (ug >= 0) cycle
            ud = framework_energy(cell, frac, eps4, sig2, opt%cutoff, ff%shifted, matmul(cell, f))
            n = n + 1
            sq = sq + (ug - ud)**2
            worst = max(worst, abs(ug - ud))
        end do
        print '(a, i0, a, f0.3, a, f0.3, a)', 'grid check at ', n, ' attractive points: rms error ', sqrt(sq / n), &
            ' K, max ', worst, ' K'
    end subroutine

    subroutine write_windows(path, map, density, spheres, proxy, run)
        character(len=*), intent(in) :: path
        real(dp), intent(in) :: map(:, :, :), density(:, :, :), spheres(:, :, :), proxy(:, :, :)
        type(gcmc_run), intent(in) :: run
        integer :: unit, i, j, k, io
        real(dp) :: f(3)
        open(newunit=unit, file=trim(path), status='replace', action='write', iostat=io)
        if (io /= 0) call die(trim(path) // ': cannot write')
        write(unit, '(a)') 'window,fx,fy,fz,contribution,density_per_A3,molecules_in_window,framework_atoms,' // &
            'framework_energy_K'
        do i = 1, size(map, 1)
            do j = 1, size(map, 2)
                do k = 1, size(map, 3)
                    f = real([i - 1, j - 1, k - 1], dp) / shape(map)
                    write(unit, '(i0, 3(",", f0.6), 5(",", es14.6))') ((i - 1) * size(map, 2) + j - 1) * size(map, 3) &
                        + k - 1, f, map(i, j, k), density(i, j, k), spheres(i, j, k), -proxy(i, j, k), &
                        min(run%grid%energy(f), 1d99)
                end do
            end do
        end do
        close(unit)
    end subroutine

    !> Starts from the adsorbate positions of a RASPA restart file ("Adsorbate-atom-position:
    !> MOLECULE ATOM x y z", Cartesian Å in a box of the same cells).
    subroutine read_restart(run, path)
        type(gcmc_run), intent(inout) :: run
        character(len=*), intent(in) :: path
        character(len=512) :: line
        character(len=64) :: tag
        integer :: unit, io, lineno, molecule_id, atom_id
        real(dp) :: x(3), host
        integer :: i
        open(newunit=unit, file=trim(path), status='old', action='read', iostat=io)
        if (io /= 0) call die(trim(path) // ': cannot open')
        lineno = 0
        do
            read(unit, '(a)', iostat=io) line
            if (io /= 0) exit
            lineno = lineno + 1
            if (index(line, 'Adsorbate-atom-position:') /= 1) cycle
            read(line, *, iostat=io) tag, molecule_id, atom_id, x
            if (io /= 0) call die(trim(path) // ':' // itoa(lineno) // ': expected "Adsorbate-atom-position: i j x y z"')
            call run%ads%add(matmul(run%inverse_box, x))
        end do
        close(unit)
        run%energy = run%total_energy()
        host = 0
        do i = 1, run%ads%n
            host = host + run%grid%energy(run%ads%s(:, i) * run%reps)
        end do
        print '(a, i0, a, a)', 'started from ', run%ads%n, ' molecules of ', trim(path)
        print '(a, f0.2, a, f0.2, a)', '  host/adsorbate energy ', host, ' K, adsorbate/adsorbate energy ', &
            run%energy - host, ' K'
    end subroutine

    !> Wall-clock seconds since an arbitrary origin.
    real(dp) function wall_seconds()
        integer(int64) :: count, rate
        call system_clock(count, rate)
        wall_seconds = real(count, dp) / real(rate, dp)
    end function

    subroutine random_seed_from(seed)
        integer, intent(in) :: seed
        integer :: n, i
        integer, allocatable :: state(:)
        call random_seed(size=n)
        allocate(state(n))
        state = [(seed * 7919 + 104729 * i, i = 1, n)]
        call random_seed(put=state)
    end subroutine

    function basename(path) result(name)
        character(len=*), intent(in) :: path
        character(len=:), allocatable :: name
        integer :: slash, dot
        slash = index(trim(path), '/', back=.true.)
        name = trim(path(slash + 1:))
        dot = index(name, '.cif', back=.true.)
        if (dot > 1) name = name(:dot - 1)
    end function

    subroutine parse_arguments(opt, inputs)
        type(options), intent(inout) :: opt
        character(len=1024), allocatable, intent(out) :: inputs(:)
        character(len=1024) :: arg, value, shared
        integer :: i, n, io, count
        character(len=1024) :: found(4096)
        call get_environment_variable('X3MAT_SHARED_DATA', shared)
        if (shared == '') shared = '../shared/data'
        opt%forcefield = trim(shared) // '/forcefields/iza_argon'
        opt%molecule = trim(shared) // '/forcefields/raspa2/ExampleDefinitions/argon.def'
        n = command_argument_count()
        count = 0
        i = 1
        do while (i <= n)
            call get_command_argument(i, arg)
            value = ''
            if (arg(1:2) == '--' .and. .not. any(arg == [character(len=1024) :: '--help', '--no-model', &
                    '--biased-insertion', '--quiet'])) then
                if (i == n) call die('option ' // trim(arg) // ' needs a value')
                i = i + 1
                call get_command_argument(i, value)
            end if
            io = 0
            select case (arg)
            case ('--help', '-h'); call usage(); stop
            case ('--model'); opt%model = value
            case ('--no-model'); opt%use_model = .false.
            case ('--forcefield'); opt%forcefield = value
            case ('--molecule'); opt%molecule = value
            case ('--windows-out'); opt%windows_out = value
            case ('--restart'); opt%restart = value
            case ('--biased-insertion'); opt%biased = .true.
            case ('--quiet'); opt%quiet = .true.
            case ('--temperature'); read(value, *, iostat=io) opt%temperature
            case ('--pressure'); read(value, *, iostat=io) opt%pressure
            case ('--cutoff'); read(value, *, iostat=io) opt%cutoff
            case ('--grid-spacing'); read(value, *, iostat=io) opt%spacing
            case ('--bias-floor'); read(value, *, iostat=io) opt%bias_floor
            case ('--init-cycles'); read(value, *, iostat=io) opt%init_cycles
            case ('--cycles'); read(value, *, iostat=io) opt%cycles
            case ('--blocks'); read(value, *, iostat=io) opt%blocks
            case ('--seed'); read(value, *, iostat=io) opt%seed
            case ('--check-grid'); read(value, *, iostat=io) opt%check_grid
            case ('--funnel'); read(value, *, iostat=io) opt%funnel
            case ('--trials'); read(value, *, iostat=io) opt%trials
            case default
                if (arg(1:1) == '-') call die('unknown option ' // trim(arg) // ' (see --help)')
                count = count + 1
                if (count > size(found)) call die('at most 4096 frameworks')
                found(count) = arg
            end select
            if (io /= 0) call die('option ' // trim(arg) // ': "' // trim(value) // '" is not a number')
            i = i + 1
        end do
        if (opt%temperature <= 0 .or. opt%pressure <= 0 .or. opt%cutoff <= 0 .or. opt%spacing <= 0.01_dp &
            .or. opt%cycles < opt%blocks .or. opt%blocks < 2 .or. opt%init_cycles < 0 .or. opt%bias_floor <= 0 &
            .or. opt%trials < 1) &
            call die('options out of range: temperature, pressure, cutoff > 0; grid spacing > 0.01 A; ' // &
                     'blocks >= 2; cycles >= blocks; init cycles >= 0; bias floor > 0; trials >= 1')
        if (count == 0) then
            call usage()
            call die('no framework CIF given')
        end if
        if (count > 1 .and. opt%funnel == 0) call die('several frameworks need --funnel K')
        if ((opt%biased .or. opt%funnel > 0) .and. .not. opt%use_model) &
            call die('--biased-insertion and --funnel need a model')
        inputs = found(1:count)
    end subroutine

    subroutine usage()
        print '(a)', 'usage: x3mat-gcmc [options] FRAMEWORK.cif'
        print '(a)', '       x3mat-gcmc --funnel K [options] A.cif B.cif ...   (simulate the K best predicted)'
        print '(a)', ''
        print '(a)', 'Grand-canonical Monte Carlo of a one-atom Lennard-Jones adsorbate in a rigid framework'
        print '(a)', '(RASPA-format force field), with a libx3mat model in the same process.'
        print '(a)', ''
        print '(a)', '  --model NAME|FILE     libx3mat model (default iza-ar-uptake); --no-model to skip'
        print '(a)', '  --forcefield DIR      pseudo_atoms.def and force_field_mixing_rules.def'
        print '(a)', '                        (default $X3MAT_SHARED_DATA/forcefields/iza_argon)'
        print '(a)', '  --molecule FILE       molecule definition (default .../raspa2/ExampleDefinitions/argon.def)'
        print '(a)', '  --temperature K       default 87'
        print '(a)', '  --pressure PA         fugacity, ideal gas (default 101325)'
        print '(a)', '  --cutoff A            Lennard-Jones cutoff (default 12.8)'
        print '(a)', '  --grid-spacing A      framework energy grid (default 0.1)'
        print '(a)', '  --init-cycles N       equilibration cycles (default 2000)'
        print '(a)', '  --cycles N            production cycles (default 5000); a cycle is max(20, N) moves'
        print '(a)', '  --blocks N            blocks for the error bars (default 5)'
        print '(a)', '  --seed N              random seed (default 1)'
        print '(a)', '  --trials K            Rosenbluth trial positions per insertion, deletion and'
        print '(a)', '                        reinsertion (default 10, as RASPA; 1 = plain moves)'
        print '(a)', '  --biased-insertion    draw insertion trials from the contribution map (acceptance corrected)'
        print '(a)', '  --bias-floor F        share of the mean weight every voxel keeps (default 0.1)'
        print '(a)', '  --windows-out FILE    per-window CSV: contribution, density, molecules, atoms, energy'
        print '(a)', '  --restart FILE        start from the adsorbate positions of a RASPA restart file'
        print '(a)', '  --check-grid N        compare the grid with direct sums at N attractive points'
        print '(a)', '  --quiet               no progress lines'
    end subroutine

    subroutine die(text)
        character(len=*), intent(in) :: text
        write(error_unit, '(a)') 'x3mat-gcmc: ' // text
        stop 1, quiet=.true.
    end subroutine
end program x3mat_gcmc
