from __future__ import annotations

"""Exceptions carrying libx3mat's status and message."""


class X3Error(Exception):
    """A libx3mat call failed. `status` is the x3_status number, `args[0]` the message."""

    status = -1

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class X3NullArgumentError(X3Error, ValueError):
    """A required argument was NULL (e.g. a closed object)."""

    status = 1


class X3InvalidArgumentError(X3Error, ValueError):
    """An argument is outside its documented range."""

    status = 2


class X3IOError(X3Error, OSError):
    """A file could not be read or written, or a model name was not found."""

    status = 3


class X3ParseError(X3Error, ValueError):
    """A CIF, JSON or model file is malformed; the message names where."""

    status = 4


class X3UnknownElementError(X3Error, ValueError):
    """An element symbol or atomic number is not known."""

    status = 5


class X3InvalidCellError(X3Error, ValueError):
    """A cell is degenerate (zero or negative volume, non-finite)."""

    status = 6


class X3OutOfMemoryError(X3Error, MemoryError):
    """An allocation failed or a request would exceed a configured cap."""

    status = 7


class X3BufferTooSmallError(X3Error, ValueError):
    """An output buffer is too small (the binding sizes buffers itself, so this is an internal error)."""

    status = 8


class X3IndexError(X3Error, IndexError):
    """An index (window, warning, target) is out of range."""

    status = 9


class X3UnsupportedError(X3Error, NotImplementedError):
    """A request libx3mat does not support (a newer file format, a CIF feature)."""

    status = 10


class X3DependencyError(X3Error, ImportError):
    """A dependency (OpenBLAS, spglib) is missing or failed."""

    status = 11


_BY_STATUS = {cls.status: cls for cls in (X3NullArgumentError, X3InvalidArgumentError, X3IOError,
                                          X3ParseError, X3UnknownElementError, X3InvalidCellError,
                                          X3OutOfMemoryError, X3BufferTooSmallError, X3IndexError,
                                          X3UnsupportedError, X3DependencyError)}


def error_for_status(status: int, message: str) -> X3Error:
    """The exception for a libx3mat status code, carrying the message."""
    cls = _BY_STATUS.get(status, X3Error)
    return cls(message, status)
