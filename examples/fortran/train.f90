! Trains a small model from Fortran with a progress callback, then predicts with it.
!
!   gfortran -I$PREFIX/include train.f90 -L$PREFIX/lib -lx3matf -lx3mat
!   ./a.out ../shared/data/iza runs/fortran
program train_model
    use, intrinsic :: iso_c_binding
    use x3mat
    implicit none
    character(len=4096) :: data_dir, output_dir
    character(len=*), parameter :: config = '{"lmax": 1, "mmax": 1, "channels": 8, "attention_channels": 8, ' // &
        '"heads": 2, "value_channels_per_head": 4, "ffn_channels": 8, "blocks": 1, "window_step": 5}'
    character(len=*), parameter :: options = '{"epochs": 2, "batch_structures": 4, "limit": 12, "seed": 1}'
    logical :: finished
    type(x3_model) :: model
    type(x3_structure) :: s
    real(c_double) :: property(1)

    if (command_argument_count() /= 2) then
        print '(a)', 'usage: train DATA_DIR OUTPUT_DIR'
        stop 2
    end if
    call get_command_argument(1, data_dir)
    call get_command_argument(2, output_dir)
    if (x3_train(data_dir, 'ar_uptake_mol_kg', output_dir, config, options, finished, report) /= X3_OK) call fail()
    if (.not. finished) call fail()
    if (model%load(trim(output_dir) // '/model.safetensors') /= X3_OK) call fail()
    if (s%read_cif(trim(data_dir) // '/cif/LTA.cif') /= X3_OK) call fail()
    if (model%predict(s, property) /= X3_OK) call fail()
    print '(a, f0.4, a)', 'LTA: predicted Ar uptake ', property(1), ' mol/kg'
    call s%free()
    call model%free()

contains
    function report(progress, user_data) bind(C) result(stop)
        type(x3_training_progress), intent(in) :: progress
        type(c_ptr), value :: user_data
        integer(c_int32_t) :: stop
        if (progress%phase == X3_PHASE_EPOCH_END) then
            print '(a, i0, a, i0, a, f0.4, a, f0.4)', 'epoch ', progress%epoch, '/', progress%epochs, &
                ': loss ', progress%loss, ', validation MAE ', progress%validation_mae
        end if
        stop = 0
    end function

    subroutine fail()
        print '(a)', 'error: ' // x3_last_error()
        stop 1
    end subroutine
end program train_model
