"""Ownership of a libx3mat handle by a Python object."""
from __future__ import annotations

from typing import Any, Callable, ClassVar

from ._lib import c_handle


class OwnedHandle:
    """Owns one libx3mat handle and releases it exactly once: with `close()`, at the end of
    a `with` block, or when the object is collected. A closed object's methods raise
    X3NullArgumentError (the C functions are given NULL)."""

    #: the C function that releases this kind of handle (set by each subclass)
    _release: ClassVar[Callable[[Any], None]]

    def __init__(self, _handle: int | None):
        self._handle = c_handle(_handle)

    def close(self) -> None:
        """Releases the handle now (idempotent)."""
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            type(self)._release(handle)
        self._handle = c_handle()

    @property
    def closed(self) -> bool:
        """True once the handle has been released."""
        handle = getattr(self, "_handle", None)
        return handle is None or not handle.value

    def __del__(self) -> None:
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
