"""The command groups of ``laomo``: every command accepts the global options where a user
types them (cli.md, Conventions).

* ``--db`` and ``--quiet/-q`` are accepted before the subcommand (``laomo --db x.db award
  apply``) and after it (``laomo award apply --db x.db``); a value given after the
  subcommand overrides the one before it;
* ``--json`` before the subcommand (``laomo --json report summary``) is the command's own
  ``--json``; a command that has no ``--json`` refuses it (exit 2) rather than print text;
* ``-h`` is ``--help``.

Use :class:`Group` instead of ``typer.Typer``; its ``command`` decorator adds the options.
Only Typer and the standard library are imported here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from laomo.commands.errors import fail
from laomo.commands.options import DbOpt, QuietOpt
from laomo.commands.state import STATE

F = TypeVar("F", bound=Callable[..., Any])

#: ``-h`` is ``--help``, on the program and every group and command.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}

#: The options every command accepts after its name, unless it declares its own.
_GLOBAL = (
    inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DbOpt),
    inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=QuietOpt),
)


def with_global_options(fn: F) -> F:
    """``fn`` with ``--db`` and ``--quiet`` added to its options (where it has none of its own),
    and the global options applied to :data:`STATE` and to its own ``quiet``/``json_out``."""
    sig = inspect.signature(fn, eval_str=True)
    own = sig.parameters
    added = [p for p in _GLOBAL if p.name not in own]
    names = {p.name for p in added}

    @functools.wraps(fn)
    def command(**kwargs: Any) -> Any:
        db = kwargs.pop("db") if "db" in names else kwargs.get("db")
        if db is not None:
            STATE.db = db  # after the subcommand wins over before it
        quiet = kwargs.pop("quiet") if "quiet" in names else kwargs["quiet"]
        STATE.quiet = bool(quiet) or STATE.quiet
        if "quiet" in own:
            kwargs["quiet"] = STATE.quiet
        if STATE.json:
            if "json_out" not in own:
                fail("该命令没有 --json 选项", 2)
            kwargs["json_out"] = True
        return fn(**kwargs)

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.values()]
    command.__signature__ = sig.replace(parameters=[*params, *added])  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in (*params, *added)
                               if p.annotation is not inspect.Parameter.empty}
    return command  # type: ignore[return-value]  # same call as fn, by keyword


class Group(typer.Typer):
    """A ``typer.Typer`` whose commands take the global options and ``-h``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", CONTEXT_SETTINGS)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(name, **kwargs)

        def decorator(fn: F) -> F:
            register(with_global_options(fn))
            return fn
        return decorator
