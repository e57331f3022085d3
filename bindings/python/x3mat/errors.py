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
    status = 1


class X3InvalidArgumentError(X3Error, ValueError):
    status = 2


class X3IOError(X3Error, OSError):
    status = 3


class X3ParseError(X3Error, ValueError):
    status = 4


class X3UnknownElementError(X3Error, ValueError):
    status = 5


class X3InvalidCellError(X3Error, ValueError):
    status = 6


class X3OutOfMemoryError(X3Error, MemoryError):
    """An allocation failed or a request would exceed a configured cap."""

    status = 7


class X3BufferTooSmallError(X3Error, ValueError):
    status = 8


class X3IndexError(X3Error, IndexError):
    status = 9


class X3UnsupportedError(X3Error, NotImplementedError):
    status = 10


class X3DependencyError(X3Error, ImportError):
    status = 11


_BY_STATUS = {cls.status: cls for cls in (X3NullArgumentError, X3InvalidArgumentError, X3IOError,
                                          X3ParseError, X3UnknownElementError, X3InvalidCellError,
                                          X3OutOfMemoryError, X3BufferTooSmallError, X3IndexError,
                                          X3UnsupportedError, X3DependencyError)}


def error_for_status(status: int, message: str) -> X3Error:
    cls = _BY_STATUS.get(status, X3Error)
    return cls(message, status)
