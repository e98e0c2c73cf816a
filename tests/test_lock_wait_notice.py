"""A change that must wait for another writer's lock says so once, on stderr, with the longest
wait (issue 15, item 10); a change that finds the database free says nothing of the kind."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from laomo.store.engine import BUSY_TIMEOUT_MS


@pytest.mark.sqlite_only
def test_waiting_for_another_writer_is_said_once(cli, laomo_db):
    other = sqlite3.connect(str(laomo_db), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock for a second
    timer = threading.Timer(1.0, lambda: other.execute("COMMIT"))
    timer.start()
    try:
        r = cli("register", "person", "--code", "P1", "--name", "张三")
    finally:
        timer.join()
        other.close()
    assert r.code == 0, r
    assert r.err.count("正在写入数据库") == 1
    assert f"最多等 {BUSY_TIMEOUT_MS // 1000} 秒" in r.err
    assert "已登记人员 P1" in r.out


def test_a_free_database_says_nothing_about_waiting(cli, laomo_db):
    r = cli("register", "person", "--code", "P1", "--name", "张三")
    assert r.code == 0 and "正在写入数据库" not in r.err


@pytest.mark.postgres_only
def test_on_a_server_the_wait_names_the_other_laomo_command(cli, laomo_db):
    """On PostgreSQL the writer that holds the lock is known by its application name: a laomo
    command connects as ``laomo <command> <subcommand>``."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(str(laomo_db))
    other = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                            application_name="laomo register import", autocommit=False)
    other.execute("LOCK TABLE audit IN EXCLUSIVE MODE")  # another writer holds the write lock for a second
    timer = threading.Timer(1.5, other.commit)
    timer.start()
    try:
        r = cli("register", "person", "--code", "P1", "--name", "张三")
    finally:
        timer.join()
        other.close()
    assert r.code == 0, r
    assert r.err.count("正在写入数据库") == 1 and "另一个命令（laomo register import）" in r.err, r
    assert f"最多等 {BUSY_TIMEOUT_MS // 1000} 秒" in r.err
