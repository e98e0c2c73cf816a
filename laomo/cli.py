"""laomo 命令行入口（Typer）。命令函数只解析选项并调用核心函数。

Start-up is kept fast: this module imports only Typer and the standard
library; every command imports the core (SQLAlchemy, SQLModel, openpyxl …)
inside its function.
"""

import sys
from typing import Annotated

import typer

from laomo.commands.common import STATE, handle_errors, masked_argv
from laomo.commands.group import Group
from laomo.commands.options import DbOpt, QuietOpt

HELP = """劳模和工匠人才创新工作室管理工具：登记、达标检查、年度考核、命名与动态管理、统计上报。

数据库：--db 路径或地址，否则环境变量 LAOMO_DB，否则当前目录下的 laomo.db。
"""

app = Group(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from laomo import __version__

        typer.echo(f"laomo {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    db: DbOpt = None,
    quiet: QuietOpt = False,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（同命令自身的 --json）")] = False,
    version: Annotated[bool, typer.Option("--version", help="显示版本号", is_eager=True,
                                          callback=_version)] = False,
) -> None:
    """The global options, and the command line every audit entry of this run records (set
    here rather than in :func:`main` so that ``laomo --help`` does not load the audit module).
    A command given ``--db``/``--quiet`` after its name overrides these (laomo.commands.group)."""
    from laomo.store import audit

    STATE.db = db
    STATE.quiet = quiet
    STATE.json = json_out
    audit.set_command(masked_argv(STATE.argv))


def _mount() -> None:
    """Mount every command group; each lives in its own module under ``laomo.commands``."""
    from laomo.commands import assess, award, db, quickstart, register, report

    app.add_typer(db.init_app)
    app.add_typer(quickstart.app)
    app.add_typer(register.app, name="register")
    app.add_typer(db.app, name="db")
    app.add_typer(assess.app, name="assess")
    app.add_typer(award.app, name="award")
    app.add_typer(report.app, name="report")


_mount()


def main(argv: list[str] | None = None) -> int:
    """Run one command line; returns the exit code (cli.md).  The command line goes to the audit
    log once, through :func:`_main`, before any command runs."""
    args = list(sys.argv[1:] if argv is None else argv)
    STATE.argv = args
    return handle_errors(lambda: _run(args))


def run() -> int:
    """Entry point of the ``laomo`` script and of ``python -m laomo``: :func:`main`, then the
    process is made ready to end (:func:`_ready_to_exit`)."""
    try:
        return main()
    finally:
        _ready_to_exit()


def _ready_to_exit() -> None:
    """Close every database connection, then keep the interpreter's exit from walking the heap.

    The connections are closed here, not left to the interpreter: closing SQLite's last
    connection folds the write-ahead log into the database file, so the file is complete on
    its own (a clerk may copy just ``laomo.db``).  Then every object still alive is frozen
    (``gc.freeze``): the exit's cycle collections skip them.  Those collections walk
    SQLAlchemy's, pydantic's and the table classes' objects several times over as modules are
    torn down, about 0.3 s of every command that touched the database, for memory the
    operating system takes back at once.  Only the script does this, never :func:`main`, which
    tests call many times in one process."""
    import contextlib
    import gc

    store = sys.modules.get("laomo.store.db")
    if store is not None:
        # a connection that fails to close (a full disk) keeps its log beside the file, where
        # SQLite reads it again at the next start: nothing is lost, so no error at the very end
        with contextlib.suppress(Exception):
            store.dispose_all()
    gc.freeze()


def _run(args: list[str]) -> object:
    import os

    from laomo.errors import UsageError
    from laomo.safe import has_surrogates, readable

    for arg in args:  # bytes that are not UTF-8: a GBK terminal; an existing file's name is fine
        if has_surrogates(arg) and not os.path.lexists(arg):
            raise UsageError(f"参数「{readable(arg)}」不是 UTF-8 文字（终端可能是 GBK 编码）；"
                             "请把终端的编码设为 UTF-8 后重试")
    return app(args=args, prog_name="laomo", standalone_mode=False)

