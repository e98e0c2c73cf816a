"""Why a database or file operation failed, in one Chinese line: the one place that reads
SQLite's, the server driver's and the operating system's failures.

Each function returns the line, or None when the failure is not one of these (then it is
a bug, or the caller has a message of its own):

* :func:`explain_sqlite` — a SQLite file that cannot be written or read (locked, read-only,
  full, I/O error, cannot be opened, damaged), naming the file;
* :func:`explain_database` — any database driver's failure (lock timeout, serialisation
  conflict, no connection to the server …);
* :func:`explain_file` — a file or folder the user named that cannot be read or written;
* :func:`explain` — all three in that order (what the command line shows).

This module imports only the standard library at module level and nothing of laomo, so
that any module of the store can use it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path


def explain(exc: BaseException, *, path: Path | None, busy_seconds: int,
            where: str = "LAOMO_DB 或所给的数据库地址") -> str | None:
    """The line for a failure of the database at ``path`` (None: a server database) or of a
    file; ``where`` says where the user gave the database's address."""
    said = explain_sqlite(exc, path, busy_seconds=busy_seconds) if path is not None else None
    return said or explain_database(exc, where=where) or explain_stored_value(exc) or explain_file(exc)


def explain_stored_value(exc: BaseException) -> str | None:
    """A stored value that cannot be read as its column's type (a date edited by hand into
    ``2025/3/1``, text that is not JSON): raised while SQLAlchemy converts a fetched row."""
    if not isinstance(exc, ValueError):
        return None
    tb = exc.__traceback__
    while tb is not None:
        if ("sqlalchemy" in tb.tb_frame.f_code.co_filename and "process" in tb.tb_frame.f_code.co_name.lower()) \
                or "_processors" in tb.tb_frame.f_code.co_filename:
            break
        tb = tb.tb_next
    else:
        if "Invalid isoformat string" not in str(exc):
            return None
    from laomo.safe import scrub, visible

    return (f"数据库中有无法读取的值（{visible(scrub(str(exc)))[:120]}），可能被其他程序直接改动过；"
            "请运行 laomo db check 查看是哪一行")


def explain_sqlite(exc: BaseException, path: Path, *, busy_seconds: int) -> str | None:
    """A SQLite file that cannot be written or read, naming the file (``busy_seconds``: the
    busy timeout the connection waited for a lock)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig)
    low = text.lower()
    if isinstance(exc, OSError) and not isinstance(orig, sqlite3.Error):
        if exc.errno == errno.ENOSPC:
            return f"磁盘空间不足：无法写入 {exc.filename or path}（所在磁盘已满），本次操作未改动数据库；请清理磁盘后重试"
        return None
    if "locked" in low or "busy" in low:
        return (f"数据库 {path} 正被其他程序占用（等待 {busy_seconds} 秒后仍未释放），"
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


def explain_database(exc: BaseException, *, where: str = "LAOMO_DB 或所给的数据库地址") -> str | None:
    """A database driver's failure (SQLite or a server), by the text of the driver's error."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig) if exc.orig is not None else str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return "数据库正被其他程序占用（等待超时），请稍后重试；本次操作未改动数据库"
    if "could not serialize" in low or "deadlock detected" in low:
        return "与其他程序同时写入发生冲突，本次操作未改动数据库，请重试"
    if ("connection failed" in low or "could not connect" in low or "connection refused" in low
            or "server closed the connection" in low or "terminating connection" in low):
        return (f"无法连接数据库服务器（请检查 {where} 中的地址、端口、用户和库名，以及服务器是否在运行）："
                f"{text.splitlines()[0]}")
    if "readonly" in low or "read-only" in low:
        return "数据库文件只读（没有写权限），本次操作未改动数据库"
    if "disk" in low and ("full" in low or "i/o" in low):
        return "磁盘已满或读写出错，本次操作未改动数据库"
    if "unable to open" in low:
        return "无法打开数据库文件（目录不存在或没有权限）"
    if "malformed" in low or "not a database" in low:
        return "数据库文件已损坏或不是 SQLite 数据库，请用 laomo db check 检查并从备份恢复"
    if isinstance(exc, OperationalError):
        return f"数据库操作失败：{text.splitlines()[0]}"
    return None


_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOTDIR: "路径中有一部分不是目录", errno.EISDIR: "这是一个目录", errno.EEXIST: "已存在",
    errno.EROFS: "文件系统只读", errno.ENAMETOOLONG: "路径过长",
}


def explain_file(exc: BaseException) -> str | None:
    """A file the user named that cannot be read or written (a full disk, a missing folder, no permission …)."""
    if not isinstance(exc, OSError):
        return None
    if exc.errno == errno.ENOSPC:
        return f"磁盘空间不足：无法写入 {exc.filename or '文件'}（所在磁盘已满），操作未完成，数据库未改动"
    if exc.errno not in _OS_REASONS or not exc.filename:
        return None
    return f"无法访问 {exc.filename}：{_OS_REASONS[exc.errno]}，操作未完成，未提交的改动已回滚"
