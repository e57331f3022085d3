!> Statistics of the simulation: block averages and Spearman's rank correlation.
module gcmc_statistics
    implicit none
    private
    integer, parameter :: dp = kind(1d0)

    !> Running sums of one observable over equal blocks of the production run.
    type, public :: block_average
        integer :: nblocks = 5, per_block = 1, count = 0
        real(dp), allocatable :: sums(:)
    contains
        procedure :: init => blocks_init
        procedure :: add => blocks_add
        procedure :: mean => blocks_mean
        procedure :: error => blocks_error
    end type

    public :: spearman, ranks, sort_order
contains

    !> nblocks blocks of `samples / nblocks` samples each (the remainder goes to the last).
    subroutine blocks_init(self, nblocks, samples)
        class(block_average), intent(inout) :: self
        integer, intent(in) :: nblocks, samples
        self%nblocks = max(2, nblocks)
        self%per_block = max(1, samples / self%nblocks)
        self%count = 0
        if (allocated(self%sums)) deallocate(self%sums)
        allocate(self%sums(self%nblocks))
        self%sums = 0
    end subroutine

    subroutine blocks_add(self, x)
        class(block_average), intent(inout) :: self
        real(dp), intent(in) :: x
        integer :: b
        b = min(self%nblocks, self%count / self%per_block + 1)
        self%sums(b) = self%sums(b) + x
        self%count = self%count + 1
    end subroutine

    !> Per-block means (a block's samples: per_block, the last one the remainder too).
    function block_means(self) result(m)
        type(block_average), intent(in) :: self
        real(dp) :: m(self%nblocks)
        integer :: b, n
        do b = 1, self%nblocks
            n = self%per_block
            if (b == self%nblocks) n = self%count - (self%nblocks - 1) * self%per_block
            m(b) = self%sums(b) / max(1, n)
        end do
    end function

    real(dp) function blocks_mean(self) result(m)
        class(block_average), intent(in) :: self
        m = sum(self%sums) / max(1, self%count)
    end function

    !> The standard error of the mean from the spread of the block means:
    !> sd(block means) / sqrt(nblocks).
    real(dp) function blocks_error(self) result(e)
        class(block_average), intent(in) :: self
        real(dp) :: m(self%nblocks)
        m = block_means(self)
        e = sqrt(sum((m - sum(m) / self%nblocks)**2) / (self%nblocks - 1) / self%nblocks)
    end function

    !> Ranks 1..n of x, ties given their average rank.
    function ranks(x) result(r)
        real(dp), intent(in) :: x(:)
        real(dp) :: r(size(x))
        integer :: order(size(x)), i, j, k
        order = sort_order(x)
        i = 1
        do while (i <= size(x))
            j = i
            do while (j < size(x))
                if (x(order(j + 1)) /= x(order(i))) exit
                j = j + 1
            end do
            do k = i, j
                r(order(k)) = 0.5_dp * (i + j)
            end do
            i = j + 1
        end do
    end function

    !> Spearman's rank correlation: the Pearson correlation of the ranks (average ranks for
    !> ties). 0 when either input is constant.
    real(dp) function spearman(x, y) result(rho)
        real(dp), intent(in) :: x(:), y(:)
        real(dp) :: rx(size(x)), ry(size(y)), sx, sy
        rx = ranks(x); ry = ranks(y)
        rx = rx - sum(rx) / size(rx)
        ry = ry - sum(ry) / size(ry)
        sx = sqrt(sum(rx * rx)); sy = sqrt(sum(ry * ry))
        rho = 0
        if (sx > 0 .and. sy > 0) rho = sum(rx * ry) / (sx * sy)
    end function

    !> The permutation sorting x ascending (merge sort; stable).
    function sort_order(x) result(order)
        real(dp), intent(in) :: x(:)
        integer :: order(size(x)), work(size(x)), width, lo, mid, hi, i, j, k
        order = [(i, i = 1, size(x))]
        width = 1
        do while (width < size(x))
            do lo = 1, size(x), 2 * width
                mid = min(lo + width, size(x) + 1)
                hi = min(lo + 2 * width, size(x) + 1)
                i = lo; j = mid; k = lo
                do while (k < hi)
                    if (i < mid .and. (j >= hi .or. x(order(min(i, size(x)))) <= x(order(min(j, size(x)))))) then
                        work(k) = order(i); i = i + 1
                    else
                        work(k) = order(j); j = j + 1
                    end if
                    k = k + 1
                end do
            end do
            order = work
            width = 2 * width
        end do
    end function
end module gcmc_statistics
