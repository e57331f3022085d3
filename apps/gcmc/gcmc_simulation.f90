!> Grand-canonical Monte Carlo of a one-atom Lennard-Jones adsorbate in a rigid framework.
!>
!> Ensemble: fixed chemical potential (fugacity f, Pa), volume and temperature (K); energies
!> in K (energy / k_B). The simulation box is the unit cell repeated reps(d) times along
!> each lattice vector, so that every perpendicular width is at least twice the cutoff.
!> Moves, chosen at random with fixed probabilities: translation (a uniform displacement
!> of at most max_step Å along each Cartesian axis, tuned during equilibration towards 50 %
!> acceptance), reinsertion, insertion and deletion (equally likely). Insertion,
!> deletion and reinsertion use k trial positions (Rosenbluth sampling, as RASPA's
!> configurational-bias swap does for a one-atom molecule; Frenkel and Smit, Understanding
!> Molecular Simulation, ch. 13). With beta = 1 / T, beta f in molecules per Å^3 and the
!> Rosenbluth weight W = sum over trials of exp(-beta U_j) / (V p(x_j)):
!>   insertion (one of k trials, chosen with probability proportional to its term):
!>       min(1, beta f V / (N + 1) W / k)
!>   deletion of a molecule (its own term plus k - 1 trials): min(1, N / (beta f V) k / W)
!>   reinsertion: min(1, W_new / W_old), uniform trials
!> where p(x) is the density trial positions are drawn from: uniform (V p = 1), or, with
!> a bias, p = P_k M / V for a point of voxel k of the model's window grid (M voxels,
!> voxel probabilities P_k). The bias changes the efficiency, not the ensemble.
!> One cycle is max(20, N) moves. Averages are taken once per cycle after equilibration.
module gcmc_simulation
    use, intrinsic :: iso_fortran_env, only: int64
    use energy_grid
    use adsorbate_cells
    use gcmc_statistics
    implicit none
    private
    integer, parameter :: dp = kind(1d0)
    real(dp), parameter :: boltzmann = 1.380649d-23  ! J/K
    !> Histogram bins per window grid step (odd, so that a window point's voxel is whole bins).
    integer, parameter, public :: refine = 5

    enum, bind(c)
        enumerator :: move_translate = 1, move_reinsert, move_insert, move_delete
    end enum
    character(len=11), parameter, public :: move_names(4) = &
        [character(len=11) :: 'translation', 'reinsertion', 'insertion', 'deletion']

    type, public :: gcmc_run
        type(framework_grid) :: grid
        type(adsorbate_box) :: ads
        real(dp) :: cell(3, 3) = 0, inverse_box(3, 3) = 0
        integer :: reps(3) = 1
        real(dp) :: temperature = 0, beta_f = 0, volume = 0, max_step = 1
        real(dp) :: p_translate = 0.25_dp, p_reinsert = 0.25_dp
        integer :: trials = 10  ! Rosenbluth trial positions per insertion, deletion, reinsertion
        real(dp) :: energy = 0  ! running total energy of the adsorbate (K)
        integer(int64) :: attempts(4) = 0, accepted(4) = 0
        ! insertion bias on the window grid
        logical :: biased = .false.
        integer :: window_shape(3) = 0
        real(dp), allocatable :: cumulative(:), voxel_p(:)  ! P_k and its cumulative sum
        ! sampling: occupancy histogram on a grid `refine` times finer than the window grid
        ! (bins centred on fractional b / (refine n)), summed over samples and over the
        ! box's unit cells; the loading in molecules per cell
        real(dp), allocatable :: histogram(:, :, :)
        integer :: samples = 0
        type(block_average) :: loading
    contains
        procedure :: init => run_init
        procedure :: set_bias => run_set_bias
        procedure :: cycle => run_cycle
        procedure :: sample => run_sample
        procedure :: total_energy => run_total_energy
        procedure :: window_density => run_window_density
        procedure :: sphere_counts => run_sphere_counts
    end type
contains

    !> Sets up the box around a framework grid already built. epsilon/sigma: adsorbate pair
    !> parameters (K, Å); fugacity in Pa; window_shape: the model's window grid.
    subroutine run_init(self, cell, temperature, fugacity, cutoff, epsilon, sigma, shifted, window_shape)
        class(gcmc_run), intent(inout) :: self
        real(dp), intent(in) :: cell(3, 3), temperature, fugacity, cutoff, epsilon, sigma
        logical, intent(in) :: shifted
        integer, intent(in) :: window_shape(3)
        real(dp) :: box(3, 3)
        integer :: d
        self%cell = cell
        self%reps = max(1, ceiling(2 * cutoff / perpendicular_widths(cell) - 1d-12))
        do d = 1, 3
            box(:, d) = cell(:, d) * self%reps(d)
        end do
        self%inverse_box = inverse3(box)
        self%volume = abs(det3(box))
        self%temperature = temperature
        self%beta_f = fugacity / (boltzmann * temperature) * 1d-30  ! molecules / Å^3
        call self%ads%init(box, cutoff, epsilon, sigma, shifted, perpendicular_widths(box))
        self%window_shape = window_shape
        allocate(self%histogram(0:refine * window_shape(1) - 1, 0:refine * window_shape(2) - 1, &
                                0:refine * window_shape(3) - 1))
        self%histogram = 0
        allocate(self%voxel_p(product(window_shape)), self%cumulative(product(window_shape)))
        self%voxel_p = 1d0 / size(self%voxel_p)
        self%biased = .false.
        self%max_step = 1
        self%energy = 0
    end subroutine

    !> Insertion bias from a map on the window grid (values per voxel, C order k3 fastest as
    !> x3_model_map gives them, here map(k1, k2, k3) 1-based): P_k proportional to
    !> max(map_k, 0) + floor * mean(max(map, 0)), so every voxel keeps a share.
    subroutine run_set_bias(self, map, floor)
        class(gcmc_run), intent(inout) :: self
        real(dp), intent(in) :: map(:, :, :), floor
        real(dp) :: positive(size(map, 1), size(map, 2), size(map, 3))
        integer :: i, j, k, v
        positive = max(map, 0d0)
        positive = positive + floor * max(sum(positive) / size(positive), tiny(1d0))
        do i = 1, size(map, 1)
            do j = 1, size(map, 2)
                do k = 1, size(map, 3)
                    v = voxel_index(self, [i - 1, j - 1, k - 1])
                    self%voxel_p(v) = positive(i, j, k)
                end do
            end do
        end do
        self%voxel_p = self%voxel_p / sum(self%voxel_p)
        self%cumulative(1) = self%voxel_p(1)
        do v = 2, size(self%voxel_p)
            self%cumulative(v) = self%cumulative(v - 1) + self%voxel_p(v)
        end do
        self%cumulative(size(self%cumulative)) = 1
        self%biased = .true.
    end subroutine

    integer function voxel_index(self, k) result(v)
        type(gcmc_run), intent(in) :: self
        integer, intent(in) :: k(3)
        v = 1 + k(3) + self%window_shape(3) * (k(2) + self%window_shape(2) * k(1))
    end function

    !> V p(x) for a point at box fractional s: 1 without bias.
    real(dp) function bias_ratio(self, s) result(r)
        type(gcmc_run), intent(in) :: self
        real(dp), intent(in) :: s(3)
        real(dp) :: f(3)
        r = 1
        if (.not. self%biased) return
        f = s * self%reps
        f = f - floor(f)
        r = self%voxel_p(voxel_index(self, modulo(nint(f * self%window_shape), self%window_shape))) &
            * size(self%voxel_p)
    end function

    !> An insertion position (box fractional): uniform, or a voxel drawn with P_k, a uniform
    !> point of it, and a uniform choice of unit cell.
    function insertion_point(self) result(s)
        type(gcmc_run), intent(in) :: self
        real(dp) :: s(3), u(3), x
        integer :: lo, hi, mid, v, k(3), ws(3)
        call random_number(s)
        if (.not. self%biased) return
        call random_number(x)
        lo = 1; hi = size(self%cumulative)
        do while (lo < hi)
            mid = (lo + hi) / 2
            if (self%cumulative(mid) < x) then
                lo = mid + 1
            else
                hi = mid
            end if
        end do
        v = lo - 1
        ws = self%window_shape
        k = [v / (ws(2) * ws(3)), mod(v / ws(3), ws(2)), mod(v, ws(3))]
        call random_number(u)
        s = (k + u - 0.5_dp) / ws               ! unit-cell fractional, in the voxel
        call random_number(u)
        s = (s - floor(s) + int(u * self%reps)) / self%reps
    end function

    !> Energy (K) of a molecule at box fractional s with the framework and with all other
    !> molecules but `skip`; huge(1d0) on a framework overlap.
    real(dp) function molecule_energy(self, s, skip) result(u)
        type(gcmc_run), intent(in) :: self
        real(dp), intent(in) :: s(3)
        integer, intent(in) :: skip
        u = self%grid%energy(s * self%reps)
        if (u < huge(1d0)) u = u + self%ads%energy(s, skip)
    end function

    logical function accept(ratio_log)
        real(dp), intent(in) :: ratio_log  ! log of the acceptance ratio
        real(dp) :: x
        if (ratio_log >= 0) then
            accept = .true.
        else
            call random_number(x)
            accept = x < exp(ratio_log)
        end if
    end function

    !> One cycle: max(20, N) moves. tune: adjust max_step towards 50 % translation acceptance.
    subroutine run_cycle(self, tune)
        class(gcmc_run), intent(inout) :: self
        logical, intent(in) :: tune
        integer :: steps, step, i, kind
        integer(int64) :: tried, taken
        real(dp) :: x, s(3), d(3), u_old, u_new, beta, logr, lw_new, lw_old
        beta = 1 / self%temperature
        tried = self%attempts(move_translate); taken = self%accepted(move_translate)
        steps = max(20, self%ads%n)
        do step = 1, steps
            call random_number(x)
            if (x < self%p_translate) then
                kind = move_translate
            else if (x < self%p_translate + self%p_reinsert) then
                kind = move_reinsert
            else if (x < (1 + self%p_translate + self%p_reinsert) / 2) then
                kind = move_insert
            else
                kind = move_delete
            end if
            if ((kind == move_translate .or. kind == move_reinsert .or. kind == move_delete) &
                .and. self%ads%n == 0) cycle
            self%attempts(kind) = self%attempts(kind) + 1
            select case (kind)
            case (move_translate)
                i = random_index(self%ads%n)
                call random_number(d)
                d = (2 * d - 1) * self%max_step
                s = self%ads%s(:, i) + matmul(self%inverse_box, d)
                u_new = molecule_energy(self, s, i)
                if (u_new >= huge(1d0)) cycle
                u_old = molecule_energy(self, self%ads%s(:, i), i)
                if (accept(-beta * (u_new - u_old))) then
                    call self%ads%move(i, s)
                    self%energy = self%energy + u_new - u_old
                    self%accepted(kind) = self%accepted(kind) + 1
                end if
            case (move_reinsert)
                i = random_index(self%ads%n)
                u_old = molecule_energy(self, self%ads%s(:, i), i)
                call rosenbluth(self, i, .false., lw_new, s, u_new)
                if (lw_new == -huge(1d0)) cycle
                lw_old = rosenbluth_old(self, i, .false., u_old)
                if (accept(lw_new - lw_old)) then
                    call self%ads%move(i, s)
                    self%energy = self%energy + u_new - u_old
                    self%accepted(kind) = self%accepted(kind) + 1
                end if
            case (move_insert)
                call rosenbluth(self, 0, self%biased, lw_new, s, u_new)
                if (lw_new == -huge(1d0)) cycle
                logr = log(self%beta_f * self%volume / (self%ads%n + 1)) + lw_new - log(real(self%trials, dp))
                if (accept(logr)) then
                    call self%ads%add(s)
                    self%energy = self%energy + u_new
                    self%accepted(kind) = self%accepted(kind) + 1
                end if
            case (move_delete)
                i = random_index(self%ads%n)
                u_old = molecule_energy(self, self%ads%s(:, i), i)
                lw_old = rosenbluth_old(self, i, self%biased, u_old)
                logr = log(self%ads%n / (self%beta_f * self%volume)) + log(real(self%trials, dp)) - lw_old
                if (accept(logr)) then
                    call self%ads%remove(i)
                    self%energy = self%energy - u_old
                    self%accepted(kind) = self%accepted(kind) + 1
                end if
            end select
        end do
        if (tune .and. self%attempts(move_translate) - tried > 10) then
            x = real(self%accepted(move_translate) - taken, dp) / (self%attempts(move_translate) - tried)
            self%max_step = min(5d0, max(0.05_dp, self%max_step * merge(1.05_dp, 0.95_dp, x > 0.5_dp)))
        end if
    end subroutine

    !> Rosenbluth selection among self%trials trial positions (uniform, or from the bias
    !> density when `biased`) for a molecule that ignores molecule `skip`: the log of the
    !> Rosenbluth weight W = sum_j exp(-beta U_j) / (V p(x_j)), the chosen position
    !> (probability proportional to its term) and its energy. -huge when every trial overlaps.
    subroutine rosenbluth(self, skip, biased, log_w, chosen, u_chosen)
        type(gcmc_run), intent(in) :: self
        integer, intent(in) :: skip
        logical, intent(in) :: biased
        real(dp), intent(out) :: log_w, chosen(3), u_chosen
        real(dp) :: s(3, self%trials), u(self%trials), lw(self%trials), x, top, acc
        integer :: j
        do j = 1, self%trials
            if (biased) then
                s(:, j) = insertion_point(self)
            else
                call random_number(s(:, j))
            end if
            u(j) = molecule_energy(self, s(:, j), skip)
            lw(j) = -huge(1d0)
            if (u(j) < huge(1d0)) then
                lw(j) = -u(j) / self%temperature
                if (biased) lw(j) = lw(j) - log(bias_ratio(self, s(:, j)))
            end if
        end do
        log_w = log_sum_exp(lw)
        chosen = 0; u_chosen = huge(1d0)
        if (log_w == -huge(1d0)) return
        call random_number(x)
        top = 0
        do j = 1, self%trials
            if (lw(j) == -huge(1d0)) cycle
            acc = exp(lw(j) - log_w)
            top = top + acc
            chosen = s(:, j); u_chosen = u(j)
            if (x < top) exit
        end do
    end subroutine

    !> The log Rosenbluth weight of molecule i where it is (energy u_i) together with
    !> self%trials - 1 fresh trial positions, for the reverse of a Rosenbluth insertion.
    real(dp) function rosenbluth_old(self, i, biased, u_i) result(log_w)
        type(gcmc_run), intent(in) :: self
        integer, intent(in) :: i
        logical, intent(in) :: biased
        real(dp), intent(in) :: u_i
        real(dp) :: s(3), u, lw(self%trials)
        integer :: j
        lw(1) = -u_i / self%temperature
        if (biased) lw(1) = lw(1) - log(bias_ratio(self, self%ads%s(:, i)))
        do j = 2, self%trials
            if (biased) then
                s = insertion_point(self)
            else
                call random_number(s)
            end if
            u = molecule_energy(self, s, i)
            lw(j) = -huge(1d0)
            if (u < huge(1d0)) then
                lw(j) = -u / self%temperature
                if (biased) lw(j) = lw(j) - log(bias_ratio(self, s))
            end if
        end do
        log_w = log_sum_exp(lw)
    end function

    !> log(sum(exp(x))) without overflow; -huge when every x is -huge.
    pure real(dp) function log_sum_exp(x) result(r)
        real(dp), intent(in) :: x(:)
        real(dp) :: top
        top = maxval(x)
        r = -huge(1d0)
        if (top == -huge(1d0)) return
        r = top + log(sum(exp(x - top), mask=x > -huge(1d0)))
    end function

    integer function random_index(n)
        integer, intent(in) :: n
        real(dp) :: x
        call random_number(x)
        random_index = min(n, 1 + int(x * n))
    end function

    !> Records the current state: the loading (molecules per unit cell) and the occupancy
    !> histogram.
    subroutine run_sample(self)
        class(gcmc_run), intent(inout) :: self
        integer :: i, fine(3), b(3)
        real(dp) :: f(3)
        call self%loading%add(real(self%ads%n, dp) / product(self%reps))
        fine = refine * self%window_shape
        do i = 1, self%ads%n
            f = self%ads%s(:, i) * self%reps
            f = f - floor(f)
            b = modulo(nint(f * fine), fine)
            self%histogram(b(1), b(2), b(3)) = self%histogram(b(1), b(2), b(3)) + 1
        end do
        self%samples = self%samples + 1
    end subroutine

    !> The total adsorbate energy (K) computed from scratch: to check the running total.
    real(dp) function run_total_energy(self) result(u)
        class(gcmc_run), intent(in) :: self
        integer :: i
        u = 0
        do i = 1, self%ads%n
            u = u + self%grid%energy(self%ads%s(:, i) * self%reps) + 0.5_dp * self%ads%energy(self%ads%s(:, i), i)
        end do
    end function

    !> Mean adsorbate density (molecules / Å^3) in the voxel of each window grid point
    !> (k1, k2, k3), 1-based: the voxel holds the fractional points nearest that point.
    function run_window_density(self) result(density)
        class(gcmc_run), intent(in) :: self
        real(dp) :: density(self%window_shape(1), self%window_shape(2), self%window_shape(3))
        integer :: i, j, k, t, fine(3), half
        real(dp) :: voxel
        fine = refine * self%window_shape
        half = (refine - 1) / 2
        voxel = abs(det3(self%cell)) / product(self%window_shape)
        do k = 1, self%window_shape(3)
            do j = 1, self%window_shape(2)
                do i = 1, self%window_shape(1)
                    density(i, j, k) = sum(self%histogram( &
                        modulo([(refine * (i - 1) - half + t, t = 0, refine - 1)], fine(1)), &
                        modulo([(refine * (j - 1) - half + t, t = 0, refine - 1)], fine(2)), &
                        modulo([(refine * (k - 1) - half + t, t = 0, refine - 1)], fine(3))))
                end do
            end do
        end do
        density = density / max(1, self%samples) / product(self%reps) / voxel
    end function

    !> Mean number of molecules within `radius` (Å) of each window grid point (k1, k2, k3),
    !> 1-based, counting every periodic image: the sum of histogram bins whose centres lie
    !> in the sphere (bins of 1/5 of the window grid step).
    function run_sphere_counts(self, radius) result(counts)
        class(gcmc_run), intent(in) :: self
        real(dp), intent(in) :: radius
        real(dp) :: counts(self%window_shape(1), self%window_shape(2), self%window_shape(3))
        integer :: fine(3), reach(3), i, j, k, a, b, c, m, nst
        integer, allocatable :: stencil(:, :)
        real(dp) :: r(3)
        fine = refine * self%window_shape
        reach = ceiling(radius / perpendicular_widths(self%cell) * fine) + 1
        allocate(stencil(3, product(2 * reach + 1)))
        nst = 0
        do a = -reach(1), reach(1)
            do b = -reach(2), reach(2)
                do c = -reach(3), reach(3)
                    r = matmul(self%cell, real([a, b, c], dp) / fine)
                    if (norm2(r) > radius) cycle
                    nst = nst + 1
                    stencil(:, nst) = [a, b, c]
                end do
            end do
        end do
        do k = 1, self%window_shape(3)
            do j = 1, self%window_shape(2)
                do i = 1, self%window_shape(1)
                    counts(i, j, k) = 0
                    do m = 1, nst
                        counts(i, j, k) = counts(i, j, k) + self%histogram( &
                            modulo(refine * (i - 1) + stencil(1, m), fine(1)), &
                            modulo(refine * (j - 1) + stencil(2, m), fine(2)), &
                            modulo(refine * (k - 1) + stencil(3, m), fine(3)))
                    end do
                end do
            end do
        end do
        counts = counts / max(1, self%samples) / product(self%reps)
    end function

    pure real(dp) function det3(m)
        real(dp), intent(in) :: m(3, 3)
        det3 = m(1, 1) * (m(2, 2) * m(3, 3) - m(3, 2) * m(2, 3)) - m(1, 2) * (m(2, 1) * m(3, 3) - m(3, 1) * m(2, 3)) &
             + m(1, 3) * (m(2, 1) * m(3, 2) - m(3, 1) * m(2, 2))
    end function

    pure function inverse3(m) result(inv)
        real(dp), intent(in) :: m(3, 3)
        real(dp) :: inv(3, 3)
        inv(1, 1) = m(2, 2) * m(3, 3) - m(2, 3) * m(3, 2)
        inv(1, 2) = m(1, 3) * m(3, 2) - m(1, 2) * m(3, 3)
        inv(1, 3) = m(1, 2) * m(2, 3) - m(1, 3) * m(2, 2)
        inv(2, 1) = m(2, 3) * m(3, 1) - m(2, 1) * m(3, 3)
        inv(2, 2) = m(1, 1) * m(3, 3) - m(1, 3) * m(3, 1)
        inv(2, 3) = m(1, 3) * m(2, 1) - m(1, 1) * m(2, 3)
        inv(3, 1) = m(2, 1) * m(3, 2) - m(2, 2) * m(3, 1)
        inv(3, 2) = m(1, 2) * m(3, 1) - m(1, 1) * m(3, 2)
        inv(3, 3) = m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)
        inv = inv / det3(m)
    end function
end module gcmc_simulation
