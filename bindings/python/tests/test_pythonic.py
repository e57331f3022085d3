"""The Python classes behave like Python objects: readable reprs, context managers that
release their handles, structures given as Structure, CIF path, ase.Atoms or pymatgen
Structure with the same result, and type information shipped (py.typed)."""
import pathlib

import pytest

import x3mat


def test_reprs_describe_the_objects(shared):
    cif = shared / "iza" / "cif" / "LTA.cif"
    with x3mat.Model.load("iza-ar-uptake") as model, x3mat.Structure.from_cif(cif) as s:
        # the count of a network of this configuration (x3_model_parameter_count), times
        # the members of an ensemble
        count = x3mat.Model.parameter_count_of(model.config) * model.members
        assert repr(model).startswith(f"Model(targets=['ar_uptake_mol_kg'], {count} parameters")
        assert repr(model).endswith(f", an ensemble of {model.members})" if model.members > 1 else " Å)")
        assert "O48Si24" in repr(s) and "a=11.9190" in repr(s)
        with s.windows(6, 2) as w:
            assert repr(w) == f"Windows(216 windows, grid 6x6x6, radius 6.0 Å, {w.total_atoms} atoms)"
            cat = x3mat.SiteCatalogue()
            cat.add("LTA", w)
            assert repr(cat).startswith(f"SiteCatalogue({len(cat)} sites over 216 windows")


def test_with_blocks_and_close_release_handles_once(shared):
    with x3mat.Model.load("iza-ar-uptake") as model:
        assert not model.closed
    assert model.closed and repr(model) == "Model(closed)"
    with pytest.raises(x3mat.X3NullArgumentError):
        model.predict(shared / "iza" / "cif" / "LTA.cif")
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "LTA.cif")
    s.close()
    s.close()  # idempotent
    assert s.closed and repr(s) == "Structure(closed)"


def test_structures_are_accepted_in_every_form(shared):
    pytest.importorskip("ase")
    import ase.io
    from pymatgen.core import Structure as PymatgenStructure

    cif = shared / "iza" / "cif" / "SOD.cif"
    model = x3mat.Model.load("iza-ar-uptake")
    reference = model.predict(x3mat.Structure.from_cif(cif))["ar_uptake_mol_kg"]
    for given in (cif, str(cif), ase.io.read(cif), PymatgenStructure.from_file(cif)):
        got = model.predict(given)["ar_uptake_mol_kg"]
        # the CIF path is the same structure bit for bit; ASE and pymatgen round positions
        # through their own readers (float64), hence a relative tolerance
        assert got == pytest.approx(reference, rel=1e-6), type(given)
    with pytest.raises(TypeError, match="not a structure: int"):
        model.predict(3)


def test_type_information_is_shipped():
    assert (pathlib.Path(x3mat.__file__).parent / "py.typed").exists()


def test_every_public_class_and_function_is_documented():
    import ast

    missing = []
    for path in pathlib.Path(x3mat.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if not ast.get_docstring(node):
                    missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert not missing, missing
