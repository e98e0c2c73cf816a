"""数据库出错时说什么：把 SQLite 文件的故障（被占用、只读、磁盘满、损坏…）说成一句中文。

:func:`explain_failure` is the store's one classifier of a database failure the
user can act on; :func:`first_line` is the one way an exception is quoted in a
message (its first line).  Neither touches the database.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from laomo.store import engine
from laomo.store.location import sqlite_path


def first_line(exc: BaseException) -> str:
    """The first line of a (database) exception's text, for a one-line message."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def explain_failure(exc: BaseException, url: str) -> str | None:
    """A Chinese line for a SQLite file that cannot be written or read (locked, read-only, full,
    I/O error, cannot be opened, damaged), naming the file; None for anything else."""
    path = sqlite_path(url)
    if path is None:
        return None
    orig = getattr(exc, "orig", None) or exc
    text = str(orig)
    low = text.lower()
    if isinstance(exc, OSError) and not isinstance(orig, sqlite3.Error):
        if exc.errno == 28:
            return f"磁盘空间不足：无法写入 {exc.filename or path}（所在磁盘已满），本次操作未改动数据库；请清理磁盘后重试"
        return None
    if "locked" in low or "busy" in low:
        return (f"数据库 {path} 正被其他程序占用（等待 {engine.BUSY_TIMEOUT_MS // 1000} 秒后仍未释放），"
                "请稍后重试；本次操作未改动数据库")
    if "readonly" in low or "read-only" in low:
        return _read_only(path)
    if "disk is full" in low:
        return f"磁盘空间不足：无法写入数据库 {path}（所在磁盘已满），本次操作未改动数据库；请清理磁盘后重试"
    if "disk i/o error" in low:
        return (f"读写数据库文件 {path} 时出错（磁盘 I/O 错误，可能是磁盘已满、文件过大或磁盘故障），"
                "本次操作未改动数据库；请检查磁盘后用 laomo db check 检查")
    if "unable to open" in low:
        return _cannot_open(path, text)
    if "malformed" in low or "not a database" in low:
        return f"数据库文件 {path} 已损坏或不是 SQLite 数据库，请用 laomo db check 检查并从备份恢复"
    return None


def _cannot_open(path: Path, text: str) -> str:
    if not path.parent.is_dir():
        return f"无法打开数据库 {path}：所在目录不存在"
    if path.exists() and not os.access(path, os.R_OK):
        return f"无法打开数据库 {path}：没有读取权限"
    if _read_only_fs(path) or not os.access(path.parent, os.W_OK | os.X_OK):
        return _read_only(path)  # WAL needs -wal/-shm beside the file, even to read
    return f"无法打开数据库 {path}（{text.splitlines()[0] if text else '原因未知'}）"


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _read_only(path: Path) -> str:
    """Why a SQLite file cannot be written: the file, its -wal/-shm, the directory or the file system."""
    tail = "本次操作未改动数据库；查看类命令（report、db check）仍可使用"
    no_wal = (f"SQLite 需要在数据库旁创建 {path.name}-wal 和 {path.name}-shm（查看也需要），"
              "本次操作未改动数据库；请把数据库复制到可写的位置再使用")
    if _read_only_fs(path):
        return f"数据库 {path} 所在的文件系统是只读的：{no_wal}"
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists() and not os.access(p, os.W_OK):
            return f"数据库文件 {p} 只读（当前用户没有写权限），无法写入；{tail}"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"数据库 {path} 所在的目录 {path.parent} 不可写：{no_wal}，或授予该目录写权限"
    return f"数据库 {path} 只读，无法写入；{tail}"
