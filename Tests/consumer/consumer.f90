program consumer
    use x3mat
    implicit none
    type(x3_structure) :: s
    character(len=1024) :: path
    call get_command_argument(1, path)
    if (s%read_cif(trim(path)) /= X3_OK) stop 1
    print '(a, a)', 'consumer: ', s%formula()
    call s%free()
end program consumer
