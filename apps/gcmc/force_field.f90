!> RASPA-format force-field files: pseudo atoms (pseudo_atoms.def), Lennard-Jones
!> parameters and the mixing rule (force_field_mixing_rules.def), and a molecule
!> definition (e.g. argon.def). Energies are epsilon/k_B in K, lengths in Å, masses in
!> g/mol. Supported: LENNARD_JONES interactions, Lorentz-Berthelot and Jorgensen mixing,
!> truncated or shifted potentials without tail corrections, and molecules of one atom
!> (argon, methane as a united atom, ...). Anything else is refused with the file, line
!> and field.
module force_field
    implicit none
    private
    integer, parameter :: dp = kind(1d0)

    !> One pseudo atom: its name, chemical element and mass.
    type, public :: pseudo_atom
        character(len=32) :: name = '', element = ''
        real(dp) :: mass = 0
    end type

    !> Lennard-Jones parameters of one pseudo atom type.
    type, public :: lj_type
        character(len=32) :: name = ''
        real(dp) :: epsilon = 0, sigma = 0
    end type

    type, public :: force_field_set
        type(pseudo_atom), allocatable :: atoms(:)
        type(lj_type), allocatable :: lj(:)
        character(len=32) :: mixing = ''
        logical :: shifted = .false.
    contains
        procedure :: read => force_field_read
        procedure :: pair => force_field_pair
        procedure :: atom_of_element => force_field_atom_of_element
        procedure :: mass_of => force_field_mass_of
    end type

    !> A molecule definition: its pseudo atom (one-atom molecules only).
    type, public :: molecule_definition
        character(len=32) :: atom = ''
        real(dp) :: critical_temperature = 0, critical_pressure = 0, acentric_factor = 0
    contains
        procedure :: read => molecule_read
    end type

    public :: lower, itoa
contains

    !> Reads DIR/pseudo_atoms.def and DIR/force_field_mixing_rules.def. Returns '' on
    !> success, else a message naming the file, line and field.
    function force_field_read(self, directory) result(error)
        class(force_field_set), intent(inout) :: self
        character(len=*), intent(in) :: directory
        character(len=:), allocatable :: error
        character(len=:), allocatable :: path
        character(len=512) :: line
        character(len=32) :: fields(6)
        integer :: unit, io, n, i, lineno
        error = ''

        path = trim(directory) // '/pseudo_atoms.def'
        open(newunit=unit, file=path, status='old', action='read', iostat=io)
        if (io /= 0) then
            error = path // ': cannot open'
            return
        end if
        lineno = 0
        call read_count(unit, path, lineno, 'number of pseudo atoms', n, error)
        if (error /= '') then
            close(unit); return
        end if
        allocate(self%atoms(n))
        do i = 1, n
            call next_data_line(unit, line, lineno, io)
            if (io /= 0) then
                error = where(path, lineno) // 'expected ' // itoa(n) // ' pseudo atoms, found ' // itoa(i - 1)
                close(unit); return
            end if
            ! name, print, as, chem, oxidation, mass, ...
            read(line, *, iostat=io) fields(1:6)
            if (io == 0) read(fields(6), *, iostat=io) self%atoms(i)%mass
            if (io /= 0 .or. self%atoms(i)%mass <= 0) then
                error = where(path, lineno) // 'field "mass" of pseudo atom "' // trim(fields(1)) // &
                    '" is missing or not a positive number'
                close(unit); return
            end if
            self%atoms(i)%name = fields(1)
            self%atoms(i)%element = fields(4)
        end do
        close(unit)

        path = trim(directory) // '/force_field_mixing_rules.def'
        open(newunit=unit, file=path, status='old', action='read', iostat=io)
        if (io /= 0) then
            error = path // ': cannot open'
            return
        end if
        lineno = 0
        call next_data_line(unit, line, lineno, io)
        select case (lower(adjustl(line)))
        case ('truncated'); self%shifted = .false.
        case ('shifted'); self%shifted = .true.
        case default
            error = where(path, lineno) // 'field "shifted vs truncated": "' // trim(line) // &
                '"; expected truncated or shifted'
            close(unit); return
        end select
        call next_data_line(unit, line, lineno, io)
        if (lower(adjustl(line)) /= 'no') then
            error = where(path, lineno) // 'field "tail corrections": "' // trim(line) // &
                '"; only "no" is supported'
            close(unit); return
        end if
        call read_count(unit, path, lineno, 'number of defined interactions', n, error)
        if (error /= '') then
            close(unit); return
        end if
        allocate(self%lj(n))
        do i = 1, n
            call next_data_line(unit, line, lineno, io)
            read(line, *, iostat=io) fields(1:2)
            if (io /= 0) then
                error = where(path, lineno) // 'expected ' // itoa(n) // ' interactions, found ' // itoa(i - 1)
                close(unit); return
            end if
            if (lower(fields(2)) /= 'lennard_jones') then
                error = where(path, lineno) // 'field "type interaction" of "' // trim(fields(1)) // '": "' // &
                    trim(fields(2)) // '"; only LENNARD_JONES is supported'
                close(unit); return
            end if
            self%lj(i)%name = fields(1)
            read(line, *, iostat=io) fields(1:2), self%lj(i)%epsilon, self%lj(i)%sigma
            if (io /= 0 .or. self%lj(i)%epsilon < 0 .or. self%lj(i)%sigma <= 0) then
                error = where(path, lineno) // 'fields "epsilon" and "sigma" of "' // trim(fields(1)) // &
                    '" must be numbers, epsilon >= 0 K and sigma > 0 A'
                close(unit); return
            end if
        end do
        call next_data_line(unit, line, lineno, io)
        self%mixing = lower(adjustl(line))
        close(unit)
        if (self%mixing /= 'lorentz-berthelot' .and. self%mixing /= 'jorgensen') then
            error = where(path, lineno) // 'field "general mixing rule": "' // trim(line) // &
                '"; supported: Lorentz-Berthelot, Jorgensen'
        end if
    end function

    !> Mixed Lennard-Jones parameters of two pseudo atoms. ok = .false. when either has none.
    subroutine force_field_pair(self, a, b, epsilon, sigma, ok)
        class(force_field_set), intent(in) :: self
        character(len=*), intent(in) :: a, b
        real(dp), intent(out) :: epsilon, sigma
        logical, intent(out) :: ok
        integer :: i, j
        i = find_lj(self, a); j = find_lj(self, b)
        ok = i > 0 .and. j > 0
        epsilon = 0; sigma = 0
        if (.not. ok) return
        epsilon = sqrt(self%lj(i)%epsilon * self%lj(j)%epsilon)
        if (self%mixing == 'jorgensen') then
            sigma = sqrt(self%lj(i)%sigma * self%lj(j)%sigma)
        else
            sigma = 0.5_dp * (self%lj(i)%sigma + self%lj(j)%sigma)
        end if
    end subroutine

    !> The pseudo atom standing for a framework element: one named like the element, else
    !> the first whose chemical element ("chem" column) it is (e.g. T for Si). '' if none.
    function force_field_atom_of_element(self, element) result(name)
        class(force_field_set), intent(in) :: self
        character(len=*), intent(in) :: element
        character(len=32) :: name
        integer :: i
        name = ''
        do i = 1, size(self%atoms)
            if (lower(self%atoms(i)%name) == lower(element) .and. find_lj(self, self%atoms(i)%name) > 0) then
                name = self%atoms(i)%name; return
            end if
        end do
        do i = 1, size(self%atoms)
            if (lower(self%atoms(i)%element) == lower(element) .and. find_lj(self, self%atoms(i)%name) > 0) then
                name = self%atoms(i)%name; return
            end if
        end do
    end function

    !> The mass (g/mol) of a pseudo atom; 0 if unknown.
    real(dp) function force_field_mass_of(self, name) result(mass)
        class(force_field_set), intent(in) :: self
        character(len=*), intent(in) :: name
        integer :: i
        mass = 0
        do i = 1, size(self%atoms)
            if (lower(self%atoms(i)%name) == lower(name)) then
                mass = self%atoms(i)%mass; return
            end if
        end do
    end function

    integer function find_lj(self, name) result(k)
        type(force_field_set), intent(in) :: self
        character(len=*), intent(in) :: name
        do k = 1, size(self%lj)
            if (lower(self%lj(k)%name) == lower(name)) return
        end do
        k = 0
    end function

    !> Reads a RASPA molecule definition of one atom. Returns '' or the error.
    function molecule_read(self, path) result(error)
        class(molecule_definition), intent(inout) :: self
        character(len=*), intent(in) :: path
        character(len=:), allocatable :: error
        character(len=512) :: line
        integer :: unit, io, lineno, natoms, index
        error = ''
        open(newunit=unit, file=path, status='old', action='read', iostat=io)
        if (io /= 0) then
            error = path // ': cannot open'
            return
        end if
        lineno = 0
        call next_data_line(unit, line, lineno, io); read(line, *, iostat=io) self%critical_temperature
        if (io == 0) then
            call next_data_line(unit, line, lineno, io); read(line, *, iostat=io) self%critical_pressure
        end if
        if (io == 0) then
            call next_data_line(unit, line, lineno, io); read(line, *, iostat=io) self%acentric_factor
        end if
        if (io == 0) then
            call next_data_line(unit, line, lineno, io); read(line, *, iostat=io) natoms
        end if
        if (io /= 0) then
            error = where(path, lineno) // '"' // trim(line) // '" is not a number (critical constants, atom count)'
            close(unit); return
        end if
        if (natoms /= 1) then
            error = where(path, lineno) // 'field "Number Of Atoms" is ' // itoa(natoms) // &
                '; only one-atom molecules are supported'
            close(unit); return
        end if
        ! groups, rigid/flexible, atoms in group, then "index type"
        call next_data_line(unit, line, lineno, io)
        call next_data_line(unit, line, lineno, io)
        call next_data_line(unit, line, lineno, io)
        call next_data_line(unit, line, lineno, io)
        read(line, *, iostat=io) index, self%atom
        close(unit)
        if (io /= 0) then
            error = where(path, lineno) // 'field "atomic positions": "' // trim(line) // '"; expected "0 TYPE"'
        end if
    end function

    !> The next data line as a count (1...10000) of `what`; error is '' or names the file,
    !> line and field.
    subroutine read_count(unit, path, lineno, what, n, error)
        integer, intent(in) :: unit
        character(len=*), intent(in) :: path, what
        integer, intent(inout) :: lineno
        integer, intent(out) :: n
        character(len=:), allocatable, intent(out) :: error
        character(len=512) :: line
        integer :: io
        error = ''
        call next_data_line(unit, line, lineno, io)
        read(line, *, iostat=io) n
        if (io /= 0 .or. n < 1 .or. n > 10000) &
            error = where(path, lineno) // 'field "' // what // '": "' // trim(line) // '" is not a count of 1 to 10000'
    end subroutine

    !> The next line that is not a comment (RASPA files alternate "# title" and data lines).
    subroutine next_data_line(unit, line, lineno, io)
        integer, intent(in) :: unit
        character(len=*), intent(out) :: line
        integer, intent(inout) :: lineno
        integer, intent(out) :: io
        do
            read(unit, '(a)', iostat=io) line
            if (io /= 0) then
                line = ''
                return
            end if
            lineno = lineno + 1
            if (len_trim(line) == 0) cycle
            if (adjustl(line) == '' .or. line(verify(line, ' '):verify(line, ' ')) == '#') cycle
            return
        end do
    end subroutine

    function where(path, lineno) result(s)
        character(len=*), intent(in) :: path
        integer, intent(in) :: lineno
        character(len=:), allocatable :: s
        s = path // ':' // itoa(lineno) // ': '
    end function

    !> An integer as text, without blanks.
    function itoa(i) result(s)
        integer, intent(in) :: i
        character(len=:), allocatable :: s
        character(len=24) :: buffer
        write(buffer, '(i0)') i
        s = trim(buffer)
    end function

    pure function lower(s) result(out)
        character(len=*), intent(in) :: s
        character(len=len(s)) :: out
        integer :: i, c
        out = s
        do i = 1, len(s)
            c = iachar(s(i:i))
            if (c >= iachar('A') .and. c <= iachar('Z')) out(i:i) = achar(c + 32)
        end do
    end function
end module force_field
