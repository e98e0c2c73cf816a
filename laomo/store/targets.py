"""laomo 写出的文件（--out、--rejects、db backup）决不能是数据库本身：一处检查。

cli.md "Safety": a file laomo writes is never the database (nor its
``-wal``/``-shm``/``-journal`` files), an input of the same command, a
template, a directory or a device; a symbolic link is never followed to write.
:func:`check_target` says which of these a path is, in one Chinese line, before
anything is opened for writing.  Paths are compared after resolving links and,
where both exist, as the same file (a hard link or another spelling of the path
is caught too).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from laomo.errors import LaomoError
from laomo.store.location import expand, resolve_url, sqlite_path

#: The files of one SQLite database.
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def database_files(db: str | None) -> list[Path]:
    """The files of the database ``db`` (``--db`` value, else ``LAOMO_DB``, else ./laomo.db); none for a server."""
    return url_files(resolve_url(db))


def url_files(url: str) -> list[Path]:
    """The files of the database at the SQLAlchemy URL ``url``; none for a server."""
    path = sqlite_path(url)
    return [] if path is None else [Path(f"{path}{suffix}") for suffix in DATABASE_SUFFIXES]


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_target(path: Path, *, label: str, database: Iterable[Path] = (), inputs: Iterable[Path] = (),
                 template: Path | None = None) -> Path:
    """Refuse ``path`` as a file to write, or return it (``~`` expanded).

    ``label`` names the file in the message (输出文件, 拒收文件, 备份文件);
    ``database``: the files of the database in use (:func:`database_files`);
    ``inputs``: the files the same command reads.
    """
    path = expand(path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise LaomoError(f"{label} {path} 无法使用：{exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise LaomoError(f"{label} {path} 是符号链接，laomo 不跟随链接写入，请直接给出目标文件")
        if stat.S_ISDIR(info.st_mode):
            raise LaomoError(f"{label} {path} 是一个目录，请给出文件名")
        if not stat.S_ISREG(info.st_mode):
            raise LaomoError(f"{label} {path} 不是普通文件（设备或管道），拒绝写入")
    for db_file in database:
        if _same(path, db_file):
            raise LaomoError(f"{label} {path} 就是正在使用的数据库文件，拒绝写入（数据库未改动）")
    for source in inputs:
        if _same(path, source):
            raise LaomoError(f"{label} {path} 就是本命令读取的文件，拒绝写入")
    if template is not None and _same(path, template):
        raise LaomoError(f"{label} {path} 就是模板文件，拒绝写入")
    return path
