!> The adsorbate molecules of a periodic simulation box and a cell list over them.
!>
!> Positions are fractional coordinates of the box in [0, 1). The box is cut into
!> c1 x c2 x c3 cells at least cutoff/2 wide (perpendicular to each face); the
!> neighbours of a point are the molecules of the 5 x 5 x 5 cells around its cell, each
!> cell visited once when an axis has fewer than 5 cells. Distances use the minimum image,
!> which is exact because every perpendicular width of the box is at least twice the
!> cutoff (a separation shorter than half the smallest width has all fractional components
!> below 1/2 in magnitude).
module adsorbate_cells
    implicit none
    private
    integer, parameter :: dp = kind(1d0)

    type, public :: adsorbate_box
        real(dp) :: box(3, 3) = 0        ! columns: box vectors (Å)
        real(dp) :: cutoff = 0, eps4 = 0, sig2 = 0, shift = 0  ! pair potential (Å, K)
        integer :: n = 0                  ! molecules
        real(dp), allocatable :: s(:, :)  ! (3, capacity) fractional positions
        integer :: c(3) = 1
        integer, allocatable :: members(:, :), counts(:), cell_of(:), slot_of(:)
        integer, allocatable :: stencil(:, :)  ! (3, :) distinct cell offsets to visit
    contains
        procedure :: init => box_init
        procedure :: add => box_add
        procedure :: remove => box_remove
        procedure :: move => box_move
        procedure :: energy => box_energy
    end type
contains

    subroutine box_init(self, box, cutoff, epsilon, sigma, shifted, widths)
        class(adsorbate_box), intent(inout) :: self
        real(dp), intent(in) :: box(3, 3), cutoff, epsilon, sigma, widths(3)
        logical, intent(in) :: shifted
        integer :: d, i, j, k, m, offsets(5, 3), counts(3)
        self%box = box
        self%cutoff = cutoff
        self%eps4 = 4 * epsilon
        self%sig2 = sigma**2
        self%shift = 0
        if (shifted) self%shift = self%eps4 * ((self%sig2 / cutoff**2)**6 - (self%sig2 / cutoff**2)**3)
        self%c = max(1, int(widths / (cutoff / 2)))
        self%n = 0
        allocate(self%s(3, 256), self%cell_of(256), self%slot_of(256))
        allocate(self%counts(product(self%c)), self%members(16, product(self%c)))
        self%counts = 0
        ! distinct offsets per axis: -2..2, or every cell once on a short axis
        do d = 1, 3
            if (self%c(d) >= 5) then
                offsets(:, d) = [-2, -1, 0, 1, 2]
                counts(d) = 5
            else
                counts(d) = self%c(d)
                offsets(1:counts(d), d) = [(m, m = 0, counts(d) - 1)]
            end if
        end do
        allocate(self%stencil(3, product(counts)))
        m = 0
        do i = 1, counts(1)
            do j = 1, counts(2)
                do k = 1, counts(3)
                    m = m + 1
                    self%stencil(:, m) = [offsets(i, 1), offsets(j, 2), offsets(k, 3)]
                end do
            end do
        end do
    end subroutine

    integer function cell_index(self, s) result(c)
        type(adsorbate_box), intent(in) :: self
        real(dp), intent(in) :: s(3)
        integer :: q(3)
        q = min(int(s * self%c), self%c - 1)
        c = 1 + q(1) + self%c(1) * (q(2) + self%c(2) * q(3))
    end function

    subroutine add_to_cell(self, i)
        type(adsorbate_box), intent(inout) :: self
        integer, intent(in) :: i
        integer :: c
        integer, allocatable :: grown(:, :)
        c = cell_index(self, self%s(:, i))
        if (self%counts(c) == size(self%members, 1)) then
            allocate(grown(2 * size(self%members, 1), size(self%members, 2)))
            grown(1:size(self%members, 1), :) = self%members
            call move_alloc(grown, self%members)
        end if
        self%counts(c) = self%counts(c) + 1
        self%members(self%counts(c), c) = i
        self%cell_of(i) = c
        self%slot_of(i) = self%counts(c)
    end subroutine

    subroutine remove_from_cell(self, i)
        type(adsorbate_box), intent(inout) :: self
        integer, intent(in) :: i
        integer :: c, k, last
        c = self%cell_of(i); k = self%slot_of(i)
        last = self%members(self%counts(c), c)
        self%members(k, c) = last
        self%slot_of(last) = k
        self%counts(c) = self%counts(c) - 1
    end subroutine

    !> Adds a molecule at fractional s (wrapped into [0, 1)).
    subroutine box_add(self, s)
        class(adsorbate_box), intent(inout) :: self
        real(dp), intent(in) :: s(3)
        real(dp), allocatable :: grown(:, :)
        integer, allocatable :: g1(:), g2(:)
        if (self%n == size(self%s, 2)) then
            allocate(grown(3, 2 * self%n), g1(2 * self%n), g2(2 * self%n))
            grown(:, 1:self%n) = self%s(:, 1:self%n)
            g1(1:self%n) = self%cell_of(1:self%n); g2(1:self%n) = self%slot_of(1:self%n)
            call move_alloc(grown, self%s); call move_alloc(g1, self%cell_of); call move_alloc(g2, self%slot_of)
        end if
        self%n = self%n + 1
        self%s(:, self%n) = s - floor(s)
        call add_to_cell(self, self%n)
    end subroutine

    !> Removes molecule i; the last molecule takes its index.
    subroutine box_remove(self, i)
        class(adsorbate_box), intent(inout) :: self
        integer, intent(in) :: i
        integer :: last
        call remove_from_cell(self, i)
        last = self%n
        if (i /= last) then
            call remove_from_cell(self, last)
            self%s(:, i) = self%s(:, last)
            call add_to_cell(self, i)
        end if
        self%n = self%n - 1
    end subroutine

    subroutine box_move(self, i, s)
        class(adsorbate_box), intent(inout) :: self
        integer, intent(in) :: i
        real(dp), intent(in) :: s(3)
        call remove_from_cell(self, i)
        self%s(:, i) = s - floor(s)
        call add_to_cell(self, i)
    end subroutine

    !> Pair energy (K) of a molecule at fractional s with all molecules but `skip` (0: none).
    real(dp) function box_energy(self, s, skip) result(u)
        class(adsorbate_box), intent(in) :: self
        real(dp), intent(in) :: s(3)
        integer, intent(in) :: skip
        integer :: q(3), t, c, k, j, qq(3)
        real(dp) :: d(3), r(3), r2, inv6, rc2, w(3)
        rc2 = self%cutoff**2
        w = s - floor(s)
        q = min(int(w * self%c), self%c - 1)
        u = 0
        do t = 1, size(self%stencil, 2)
            qq = modulo(q + self%stencil(:, t), self%c)
            c = 1 + qq(1) + self%c(1) * (qq(2) + self%c(2) * qq(3))
            do k = 1, self%counts(c)
                j = self%members(k, c)
                if (j == skip) cycle
                d = self%s(:, j) - w
                d = d - anint(d)
                r = self%box(:, 1) * d(1) + self%box(:, 2) * d(2) + self%box(:, 3) * d(3)
                r2 = r(1) * r(1) + r(2) * r(2) + r(3) * r(3)
                if (r2 >= rc2) cycle
                inv6 = (self%sig2 / r2)**3
                u = u + self%eps4 * (inv6 * inv6 - inv6) - self%shift
            end do
        end do
    end function
end module adsorbate_cells
