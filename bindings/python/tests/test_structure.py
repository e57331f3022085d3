"""The Python binding: construction paths, arrays, errors raised with the library's message."""
import numpy as np
import pytest

import x3mat

CIF = """data_t
_cell_length_a 5 _cell_length_b 6 _cell_length_c 7
_cell_angle_alpha 90 _cell_angle_beta 100 _cell_angle_gamma 90
loop_
_atom_site_label _atom_site_type_symbol _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z
Si1 Si 0.1 0.2 0.3
O1 O 0.4 0.5 0.6
"""


def test_versions_agree():
    assert x3mat.library_version() == x3mat.__version__


def test_cif_string_and_arrays_describe_the_same_structure():
    s = x3mat.Structure.from_cif_string(CIF)
    assert len(s) == 2 and s.formula == "OSi" and s.name == "t"
    t = x3mat.Structure.from_arrays(s.cell, s.positions(), s.atomic_numbers)
    np.testing.assert_allclose(t.positions(cartesian=False), s.positions(cartesian=False), atol=1e-12)
    assert t.density == pytest.approx(s.density, rel=1e-12)
    # volume by hand: a*b*c*sin(beta) for a monoclinic cell
    assert s.volume == pytest.approx(5 * 6 * 7 * np.sin(np.radians(100)), rel=1e-12)


def test_errors_carry_status_and_message(tmp_path):
    bad = tmp_path / "bad.cif"
    bad.write_text(CIF.replace("O1 O 0.4", "O1 O zero"))
    with pytest.raises(x3mat.X3ParseError) as info:
        x3mat.Structure.from_cif(bad)
    assert f"{bad}:7: field '_atom_site_fract_x': 'zero' is not a number" in str(info.value)
    assert info.value.status == 4
    with pytest.raises(x3mat.X3IOError):
        x3mat.Structure.from_cif(tmp_path / "missing.cif")
    with pytest.raises(x3mat.X3InvalidCellError):
        x3mat.Structure.from_arrays(np.zeros((3, 3)), np.zeros((1, 3)), [8])
    with pytest.raises(x3mat.X3UnknownElementError):
        x3mat.Structure.from_arrays(np.eye(3) * 5, np.zeros((1, 3)), [150])


def test_written_cif_reads_back(tmp_path):
    s = x3mat.Structure.from_cif_string(CIF)
    s.write_cif(tmp_path / "out.cif")
    back = x3mat.Structure.from_cif(tmp_path / "out.cif")
    np.testing.assert_allclose(back.positions(), s.positions(), atol=1e-6)


def test_elements():
    assert x3mat.element_symbol(30) == "Zn" and x3mat.atomic_number("si") == 14


def test_blas_kernels_are_not_the_generic_fallback():
    info = x3mat.blas_info()
    assert "OpenBLAS" in info and "Prescott" not in info, info
