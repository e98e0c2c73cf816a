"""Write docs/cli.md, the command reference, from the commands' own help.

    python scripts/gen_cli_docs.py --write     # regenerate docs/cli.md
    python scripts/gen_cli_docs.py             # print it

Every command and subcommand gets a section holding exactly what ``laomo … --help``
prints (usage line, description, arguments and options), at a fixed width so that the
file does not depend on the terminal.  tests/test_docs.py fails when the file is stale.
It imports the ``laomo`` of this source tree, whatever is installed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"
WIDTH = 100
REGENERATE = "python scripts/gen_cli_docs.py --write"

HEADER = f"""# laomo 命令参考

<!-- 本文件由 scripts/gen_cli_docs.py 根据各命令的 --help 生成，请勿手工修改。
     命令或帮助文字改动后重新生成：{REGENERATE} -->

每个命令的用法、参数和选项，与 `laomo 命令 --help` 的输出相同。
全局选项 `--db`、`--quiet` 写在命令之前或之后，如 `laomo --db 台账.db report summary` 或
`laomo report summary --db 台账.db`（写在之后的优先）；`--json` 亦可写在命令之前；`-h` 即 `--help`。
"""


def _walk(command: Any, ctx: Any) -> Iterator[tuple[Any, Any]]:
    """Each command under ``command`` (depth first, in the order they were added), with its context."""
    yield command, ctx
    for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
        sub = command.get_command(ctx, name)
        if sub is None or sub.hidden:
            continue
        sub_ctx = sub.context_class(sub, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH)
        yield from _walk(sub, sub_ctx)


def commands() -> list[tuple[str, str, str]]:
    """``(command path, one-line summary, full help)`` for every command."""
    import typer.main

    from laomo.cli import app

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="laomo", terminal_width=WIDTH, max_content_width=WIDTH)
    return [(c.command_path, cmd.get_short_help_str(limit=WIDTH), cmd.get_help(c)) for cmd, c in _walk(root, ctx)]


def _anchor(path: str) -> str:
    return path.replace(" ", "-")


def render() -> str:
    """The whole of docs/cli.md."""
    found = commands()
    toc = [f"- [`{path}`](#{_anchor(path)}) — {summary}" for path, summary, _ in found]
    sections = [f'<a id="{_anchor(path)}"></a>\n## `{path}`\n\n```text\n{text.rstrip()}\n```\n'
                for path, _, text in found]
    return "\n".join([HEADER, "## 目录\n", *toc, "", *sections])


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    text = render()
    if argv == ["--write"]:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)
    elif argv:
        print(__doc__, file=sys.stderr)
        return 2
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
