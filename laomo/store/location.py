"""数据库在哪里，以及在消息里怎样称呼它：全项目只有这一处决定数据库的位置。

* Location: ``--db`` (passed in), else the environment variable ``LAOMO_DB``,
  else ``./laomo.db``.  A plain path is a SQLite file; anything with ``://`` is
  a SQLAlchemy URL (``postgresql+psycopg://…``).
* In messages a database is named by :func:`describe` (a SQLite file by its
  path, a server by its URL without the password), and a text that may quote
  the URL (a driver's error) goes through :func:`redact` first: these two are
  the one place that hides a database password.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV_VAR = "LAOMO_DB"
DEFAULT_PATH = "laomo.db"

# user:password@ in a URL that SQLAlchemy cannot parse (a bad port, say)
_PASSWORD_RE = re.compile(r"(://[^:/@]*:)[^@/]*@")


def resolve_url(db: str | None = None) -> str:
    """The SQLAlchemy URL of the database to use."""
    value = db or os.environ.get(ENV_VAR) or DEFAULT_PATH
    if "://" in value:
        return value
    path = str(expand(value).resolve())
    if "?" in path:  # SQLAlchemy would read the rest as options and open another file
        from laomo.errors import UsageError

        raise UsageError(f"数据库路径不能含有「?」：{value}（需要连接选项时请写成 sqlite:////路径?选项）", option="db")
    return "sqlite:///" + path


def expand(value: str | Path) -> Path:
    """``~`` and ``~user`` expanded; an unknown user is one clear line, not a stack."""
    try:
        return Path(value).expanduser()
    except RuntimeError:
        from laomo.errors import UsageError

        raise UsageError(f"无法展开路径 {value}：没有这个用户，或无法确定其主目录") from None


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another server.  A query (``?timeout=60``) is the
    driver's options, not part of the file name (SQLAlchemy reads it the same way)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.partition("?")[0]
    return Path(path) if path and path != ":memory:" else None


def describe(url: str) -> str:
    """The database for messages: a SQLite file's path, a server's URL without its password
    (hidden even when the URL does not parse)."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return _PASSWORD_RE.sub(r"\1***@", url)


def _password(url: str) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:
        match = _PASSWORD_RE.search(url)
        password = match.group(0)[len(match.group(1)):-1] if match else None
    return str(password) if password else None


def redact(text: str, url: str) -> str:
    """``text`` (an error from the driver, say) with ``url`` written as :func:`describe` writes it
    and its password, wherever else it appears, as ``***``."""
    if url and url in text:
        text = text.replace(url, describe(url))
    password = _password(url)
    return text.replace(password, "***") if password else text
