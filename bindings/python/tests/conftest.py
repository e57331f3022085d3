import os
import pathlib

import pytest

SHARED = pathlib.Path(os.environ.get("X3MAT_SHARED_DATA",
                                     pathlib.Path(__file__).resolve().parents[3] / ".." / "shared" / "data"))


@pytest.fixture(scope="session")
def shared():
    if not (SHARED / "README.md").exists():
        pytest.skip(f"shared data not found at {SHARED} (set X3MAT_SHARED_DATA)")
    return SHARED
