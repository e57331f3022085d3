!> The framework's potential energy for one adsorbate atom, tabulated on a grid over the
!> unit cell and interpolated trilinearly.
!>
!> Grid point (i, j, k), 0-based, sits at fractional (i/n1, j/n2, k/n3); n_d is the
!> smallest count giving a spacing of at most `spacing` Å along lattice vector d. Each
!> value is the Lennard-Jones sum over every framework atom image within the cutoff (Å;
!> truncated, or shifted to zero at the cutoff), in K (energy / k_B). Values are capped at
!> `overlap` K. A position is an overlap (energy +huge) when any of the 8 corners of its
!> grid cell is at the cap; otherwise its energy is interpolated: tricubic (cubic Lagrange
!> through the 4 x 4 x 4 surrounding points, error O(spacing^4)) unless one of those is at
!> the cap, then trilinear from the 8 corners.
module energy_grid
    implicit none
    private
    integer, parameter :: dp = kind(1d0)

    type, public :: framework_grid
        integer :: n(3) = 0
        real(dp) :: cell(3, 3) = 0  ! columns a, b, c (Å)
        real(dp) :: overlap = 1d5
        real(dp), allocatable :: u(:, :, :)  ! u(0:n1-1, 0:n2-1, 0:n3-1), K
    contains
        procedure :: build => grid_build
        procedure :: energy => grid_energy
    end type

    public :: framework_energy, perpendicular_widths
contains

    !> The three perpendicular widths of a cell (Å): the distances between opposite faces.
    function perpendicular_widths(cell) result(w)
        real(dp), intent(in) :: cell(3, 3)
        real(dp) :: w(3), v
        v = abs(dot_product(cell(:, 1), cross(cell(:, 2), cell(:, 3))))
        w(1) = v / norm2(cross(cell(:, 2), cell(:, 3)))
        w(2) = v / norm2(cross(cell(:, 3), cell(:, 1)))
        w(3) = v / norm2(cross(cell(:, 1), cell(:, 2)))
    end function

    pure function cross(a, b) result(c)
        real(dp), intent(in) :: a(3), b(3)
        real(dp) :: c(3)
        c = [a(2) * b(3) - a(3) * b(2), a(3) * b(1) - a(1) * b(3), a(1) * b(2) - a(2) * b(1)]
    end function

    !> Tabulates the framework energy. frac(3, natoms): fractional positions; eps4(natoms)
    !> = 4 epsilon (K) and sig2(natoms) = sigma^2 (Å^2) of each atom with the adsorbate.
    subroutine grid_build(self, cell, frac, eps4, sig2, cutoff, spacing, shifted)
        class(framework_grid), intent(inout) :: self
        real(dp), intent(in) :: cell(3, 3), frac(:, :), eps4(:), sig2(:), cutoff, spacing
        logical, intent(in) :: shifted
        integer, parameter :: b = 8  ! grid points per block edge
        real(dp), allocatable :: img(:, :), ie4(:), is2(:), ishift(:)
        real(dp), allocatable :: bx(:), by(:), bz(:), be4(:), bs2(:), bshift(:)
        real(dp) :: w(3), halo(3), f(3), centre(3), radius, p(3), r2, rc2, inv6, u, d(3)
        integer :: nimg, nb(3), bi, bj, bk, i, j, k, a, m(3), n1, n2, n3, nblock, ib, cnt
        integer :: lo(3), hi(3)

        self%cell = cell
        self%n = max(4, ceiling([norm2(cell(:, 1)), norm2(cell(:, 2)), norm2(cell(:, 3))] / spacing))
        n1 = self%n(1); n2 = self%n(2); n3 = self%n(3)
        if (allocated(self%u)) deallocate(self%u)
        allocate(self%u(0:n1 - 1, 0:n2 - 1, 0:n3 - 1))
        rc2 = cutoff**2

        ! every image of every atom within the cutoff of the unit cell (fractional margin
        ! cutoff / width along each axis)
        w = perpendicular_widths(cell)
        halo = cutoff / w
        m = ceiling(halo) + 1
        nimg = size(frac, 2) * product(2 * m + 1)
        allocate(img(3, nimg), ie4(nimg), is2(nimg), ishift(nimg))
        nimg = 0
        do a = 1, size(frac, 2)
            do i = -m(1), m(1)
                do j = -m(2), m(2)
                    do k = -m(3), m(3)
                        f = frac(:, a) - floor(frac(:, a)) + [i, j, k]
                        if (any(f < -halo) .or. any(f > 1 + halo)) cycle
                        nimg = nimg + 1
                        img(:, nimg) = matmul(cell, f)
                        ie4(nimg) = eps4(a); is2(nimg) = sig2(a)
                        ishift(nimg) = 0
                        if (shifted) ishift(nimg) = eps4(a) * ((sig2(a) / rc2)**6 - (sig2(a) / rc2)**3)
                    end do
                end do
            end do
        end do

        nb = (self%n + b - 1) / b
        nblock = product(nb)
        !$omp parallel do schedule(dynamic) default(none) &
        !$omp shared(self, img, ie4, is2, ishift, nimg, nb, nblock, n1, n2, n3, rc2, cell, cutoff) &
        !$omp private(ib, bi, bj, bk, lo, hi, centre, radius, bx, by, bz, be4, bs2, bshift, cnt, a, d, &
        !$omp         i, j, k, p, r2, inv6, u)
        do ib = 0, nblock - 1
            bi = mod(ib, nb(1)); bj = mod(ib / nb(1), nb(2)); bk = ib / (nb(1) * nb(2))
            lo = [bi, bj, bk] * b
            hi = min(lo + b, self%n) - 1
            ! the block's centre and the radius of a sphere holding all its points
            centre = matmul(cell, (real(lo + hi, dp) / 2) / self%n)
            radius = 0
            do i = 0, 7
                d = real([merge(lo(1), hi(1), btest(i, 0)), merge(lo(2), hi(2), btest(i, 1)), &
                          merge(lo(3), hi(3), btest(i, 2))], dp) / self%n
                radius = max(radius, norm2(matmul(cell, d) - centre))
            end do
            if (.not. allocated(bx)) allocate(bx(nimg), by(nimg), bz(nimg), be4(nimg), bs2(nimg), bshift(nimg))
            cnt = 0
            do a = 1, nimg
                d = img(:, a) - centre
                if (sum(d * d) <= (cutoff + radius)**2) then
                    cnt = cnt + 1
                    bx(cnt) = img(1, a); by(cnt) = img(2, a); bz(cnt) = img(3, a)
                    be4(cnt) = ie4(a); bs2(cnt) = is2(a); bshift(cnt) = ishift(a)
                end if
            end do
            do k = lo(3), hi(3)
                do j = lo(2), hi(2)
                    do i = lo(1), hi(1)
                        p = matmul(cell, real([i, j, k], dp) / self%n)
                        u = 0
                        !$omp simd reduction(+:u) private(r2, inv6)
                        do a = 1, cnt
                            r2 = (bx(a) - p(1))**2 + (by(a) - p(2))**2 + (bz(a) - p(3))**2
                            inv6 = (bs2(a) / max(r2, 1d-6))**3
                            if (r2 < rc2) u = u + be4(a) * (inv6 * inv6 - inv6) - bshift(a)
                        end do
                        self%u(i, j, k) = min(u, self%overlap)
                    end do
                end do
            end do
        end do
        !$omp end parallel do
    end subroutine

    !> The interpolated framework energy (K) at fractional position s (any image);
    !> huge(1d0) for an overlap. Tricubic (cubic Lagrange through the 4 x 4 x 4 grid points
    !> around s) where none of those is at the cap, else trilinear from the 8 corners.
    real(dp) function grid_energy(self, s) result(u)
        class(framework_grid), intent(in) :: self
        real(dp), intent(in) :: s(3)
        real(dp) :: x(3), t(3), c(0:1, 0:1, 0:1), w(-1:2, 3), plane(-1:2, -1:2), line(-1:2)
        integer :: i0(3), i1(3), idx(-1:2, 3), a, b, d
        x = (s - floor(s)) * self%n
        i0 = min(int(x), self%n - 1)
        t = x - i0
        i1 = mod(i0 + 1, self%n)
        c(0, 0, 0) = self%u(i0(1), i0(2), i0(3)); c(1, 0, 0) = self%u(i1(1), i0(2), i0(3))
        c(0, 1, 0) = self%u(i0(1), i1(2), i0(3)); c(1, 1, 0) = self%u(i1(1), i1(2), i0(3))
        c(0, 0, 1) = self%u(i0(1), i0(2), i1(3)); c(1, 0, 1) = self%u(i1(1), i0(2), i1(3))
        c(0, 1, 1) = self%u(i0(1), i1(2), i1(3)); c(1, 1, 1) = self%u(i1(1), i1(2), i1(3))
        if (maxval(c) >= self%overlap) then
            u = huge(1d0)
            return
        end if
        do d = 1, 3
            idx(:, d) = modulo(i0(d) + [-1, 0, 1, 2], self%n(d))
            w(-1, d) = -t(d) * (t(d) - 1) * (t(d) - 2) / 6
            w(0, d) = (t(d) + 1) * (t(d) - 1) * (t(d) - 2) / 2
            w(1, d) = -(t(d) + 1) * t(d) * (t(d) - 2) / 2
            w(2, d) = (t(d) + 1) * t(d) * (t(d) - 1) / 6
        end do
        do b = -1, 2
            do a = -1, 2
                line = self%u(idx(:, 1), idx(a, 2), idx(b, 3))
                if (maxval(line) >= self%overlap) then
                    ! a capped point among the 64: trilinear from the corners
                    c(:, :, 0) = c(:, :, 0) * (1 - t(3)) + c(:, :, 1) * t(3)
                    c(:, 0, 0) = c(:, 0, 0) * (1 - t(2)) + c(:, 1, 0) * t(2)
                    u = c(0, 0, 0) * (1 - t(1)) + c(1, 0, 0) * t(1)
                    return
                end if
                plane(a, b) = sum(w(:, 1) * line)
            end do
        end do
        u = sum(w(:, 3) * matmul(w(:, 2), plane))
    end function

    !> The framework energy (K) at Cartesian point p of the unit cell by direct summation
    !> over atom images (no grid): to check the grid. Same arguments as build.
    real(dp) function framework_energy(cell, frac, eps4, sig2, cutoff, shifted, p) result(u)
        real(dp), intent(in) :: cell(3, 3), frac(:, :), eps4(:), sig2(:), cutoff, p(3)
        logical, intent(in) :: shifted
        real(dp) :: w(3), r2, inv6, rc2, d(3)
        integer :: m(3), a, i, j, k
        w = perpendicular_widths(cell)
        m = ceiling(cutoff / w) + 1
        rc2 = cutoff**2
        u = 0
        do a = 1, size(frac, 2)
            do i = -m(1), m(1)
                do j = -m(2), m(2)
                    do k = -m(3), m(3)
                        d = matmul(cell, frac(:, a) - floor(frac(:, a)) + [i, j, k]) - p
                        r2 = sum(d * d)
                        if (r2 >= rc2) cycle
                        inv6 = (sig2(a) / r2)**3
                        u = u + eps4(a) * (inv6 * inv6 - inv6)
                        if (shifted) u = u - eps4(a) * ((sig2(a) / rc2)**6 - (sig2(a) / rc2)**3)
                    end do
                end do
            end do
        end do
    end function
end module energy_grid
