"""User-facing errors.  The command layer prints ``str(exc)`` in Chinese and chooses the exit code.

The core never names a command-line flag: an error about one argument carries that
argument's keyword name in ``option`` (``"date"``, ``"on_error"``), and the command layer,
which knows the flags, shows it (``--date``, ``--on-error``).
"""

from __future__ import annotations


class LaomoError(Exception):
    """An error the user can act on: never shown with a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, lines: list[str] | None = None, exit_code: int | None = None,
                 option: str | None = None):
        super().__init__(message)
        self.lines = lines or []
        self.option = option
        if exit_code is not None:
            self.exit_code = exit_code


class NotFound(LaomoError):
    pass


class UsageError(LaomoError):
    """The caller asked for something that cannot be asked that way (a wrong combination of
    arguments, a value outside its range).  The command layer maps it to exit 2 (cli.md);
    library callers catch it like any other :class:`LaomoError`."""

    exit_code = 2
