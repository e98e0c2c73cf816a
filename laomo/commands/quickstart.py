"""`laomo quickstart`: the demo county."""

from pathlib import Path
from typing import Annotated

import typer

from laomo.commands.common import STATE, emit_json, info
from laomo.commands.group import Group
from laomo.commands.options import JsonOpt

app = Group()  # holds the top-level `quickstart` command; mounted without a name by laomo.cli


# --- quickstart ------------------------------------------------------------------


@app.command("quickstart")
def quickstart_cmd(
    directory: Annotated[Path, typer.Argument(help="演示目录（默认 ./laomo-demo）")] = Path("laomo-demo"),
    json_out: JsonOpt = False,
) -> None:
    """生成一个演示县的数据，导入并汇总，告诉你数据库和报表在哪里。

    演示数据库总是 DIR/laomo.db（除非用 --db 明确指定），绝不写入 LAOMO_DB 指向的正式台账。
    """
    from laomo.demo.quickstart import run_quickstart

    result = run_quickstart(directory, db=STATE.db, progress=lambda m: info(m))
    if json_out:
        emit_json(result)
        return
    typer.echo(result["text"])

