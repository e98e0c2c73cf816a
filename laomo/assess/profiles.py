"""Which rules profile an assessment uses, and the database setting that chooses it.

The profile used: the ``profile`` argument (a :class:`~laomo.rules.Profile`, or
a bundled name or a file path), else the database setting ``rules_profile``
(:func:`use_profile`), else ``henan-2015``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.rules.engine import engine_for

if TYPE_CHECKING:
    from sqlmodel import Session

    from laomo.rules import Profile

#: The key of the Setting row that holds the database's profile (a bundled name or a file path).
SETTING_KEY = "rules_profile"

#: What a profile argument may be: a loaded profile, a bundled name or a file path; None: the default.
ProfileArg = Any


def configured_profile(session: Session) -> str | None:
    """The profile stored with :func:`use_profile` (a bundled name or a file path), if any."""
    from sqlalchemy import select

    from laomo.models import Setting

    t = Setting.__table__
    value = session.connection().execute(select(t.c.value).where(t.c.key == SETTING_KEY)).scalar()
    return value or None


#: A setting value naming a profile kept in the database (adopted from a file) by its hash.
STORED = "sha256:"


def resolve_profile(session: Session, profile: ProfileArg = None) -> Profile:
    """The profile to use: the argument, else the database setting, else henan-2015.

    A profile adopted from a file (:func:`use_profile`) is read from the database as it was
    adopted, whatever the file holds now (:func:`profile_drift` says when it changed)."""
    from laomo.rules import DEFAULT_PROFILE, Profile, ProfileError, load_profile

    if isinstance(profile, Profile):
        return profile
    if profile:
        return load_profile(str(profile))
    ref = configured_profile(session)
    if ref is None:
        return load_profile(DEFAULT_PROFILE)
    if ref.startswith(STORED):
        stored = stored_profile(session, profile_hash=ref[len(STORED):])
        if stored is None:
            raise ProfileError(f"数据库设置的规则（{ref}）在数据库中找不到；请用 `laomo assess rules use` 重新设置",
                               option="rules")
        return stored
    try:
        return load_profile(ref)
    except ProfileError as exc:
        raise ProfileError(
            f"数据库设置使用的规则「{ref}」无法加载：{exc}；请用 `laomo assess rules use NAME` 重新设置，"
            "或另行指定规则文件", lines=exc.lines, option="rules") from None


@dataclass(frozen=True)
class ProfileChoice:
    """The profile :func:`use_profile` made the database's default, and the one it replaced."""

    profile: str
    source: str
    profile_hash: str
    previous: str | None

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "source": self.source, "profile_hash": self.profile_hash,
                "previous": self.previous}


def use_profile(session: Session, *, profile: str) -> ProfileChoice:
    """Validate a profile (a bundled name or a file path) and make it this database's default (audited).

    A file is adopted: its content (and hash) is kept in the database and used from then on, so a
    later edit or move of the file changes nothing until it is adopted again."""
    from sqlalchemy import delete, insert

    from laomo.models import Setting
    from laomo.rules import bundled_names, load_profile
    from laomo.store import audit

    p = load_profile(profile)
    value = p.source if p.source in bundled_names() else STORED + p.hash
    if value.startswith(STORED):
        remember_profile(session, p)
    old = configured_profile(session)
    conn = session.connection()
    t = Setting.__table__
    conn.execute(delete(t).where(t.c.key == SETTING_KEY))
    conn.execute(insert(t).values(key=SETTING_KEY, value=value))
    audit.record_many(conn, [("setting", SETTING_KEY, {"value": old},
                              {"value": value, "profile": p.name, "hash": p.hash, "source": p.source})])
    return ProfileChoice(p.name, p.source, p.hash, old)


def remember_profile(session: Session, profile: Profile) -> None:
    """Keep ``profile``'s content in the database under its hash (once; a stored run calls this)."""
    import datetime as dt

    from sqlalchemy import insert, select

    from laomo.models import StoredProfile
    from laomo.rules.profile import profile_data

    t = StoredProfile.__table__
    conn = session.connection()
    if conn.execute(select(t.c.hash).where(t.c.hash == profile.hash)).first() is None:
        conn.execute(insert(t).values(hash=profile.hash, name=profile.name, source=profile.source[:1000],
                                      content=profile_data(profile), stored_at=dt.datetime.now(dt.UTC)))


def stored_profile(session: Session | Any, *, profile_hash: str) -> Profile | None:
    """The profile kept under ``profile_hash`` (:func:`remember_profile`), or None."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session as OrmSession

    from laomo.models import StoredProfile
    from laomo.rules.profile import build_profile

    t = StoredProfile.__table__
    conn = session.connection() if isinstance(session, OrmSession) else session
    row = conn.execute(select(t.c.name, t.c.source, t.c.content).where(t.c.hash == profile_hash)).first()
    if row is None:
        return None
    return build_profile(dict(row.content), shown=f"数据库中保存的规则 {row.name}", source=row.source)


def profile_drift(session: Session) -> str | None:
    """A warning when the database's adopted profile came from a file that has changed since."""
    from pathlib import Path

    from laomo.rules import ProfileError, load_profile

    ref = configured_profile(session)
    if ref is None or not ref.startswith(STORED):
        return None
    adopted = stored_profile(session, profile_hash=ref[len(STORED):])
    if adopted is None or not Path(adopted.source).is_file():
        return None
    try:
        now = load_profile(adopted.source)
    except ProfileError:
        return f"规则文件 {adopted.source} 自采用后已改动且现在无效；仍按采用时的内容（{adopted.hash[:12]}）考核"
    if now.hash == adopted.hash:
        return None
    return (f"规则文件 {adopted.source} 自采用后已改动（采用时 {adopted.hash[:12]}，现在 {now.hash[:12]}）；"
            "仍按采用时的内容考核，要改用新内容请再次运行 laomo assess rules use")


@dataclass(frozen=True)
class BundledProfile:
    name: str
    title: str
    profile_hash: str
    standards: list[str]
    default: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "profile_hash": self.profile_hash,
                "standards": self.standards, "default": self.default}


@dataclass(frozen=True)
class ProfileList:
    """The bundled profiles, and the one in use (``configured``: chosen by the database setting)."""

    current: str
    configured: bool
    profiles: list[BundledProfile]

    def to_json(self) -> dict[str, Any]:
        return {"current": self.current, "configured": self.configured,
                "profiles": [p.to_json() for p in self.profiles]}


def list_profiles(session: Session | None = None) -> ProfileList:
    """The bundled profiles (name, title, hash) and the one in use for this database (None: no database)."""
    from laomo.rules import DEFAULT_PROFILE, bundled_names, load_profile

    current = configured_profile(session) if session is not None else None
    if current is not None and current.startswith(STORED):
        assert session is not None
        adopted = stored_profile(session, profile_hash=current[len(STORED):])
        current = f"{adopted.name}（{adopted.source}，已存入数据库）" if adopted is not None else current
    out = []
    for name in bundled_names():
        p = load_profile(name)
        out.append(BundledProfile(p.name, p.title, p.hash, [s.id for s in p.standards], name == DEFAULT_PROFILE))
    return ProfileList(current or DEFAULT_PROFILE, current is not None, out)


@dataclass(frozen=True)
class ProfileText:
    """A profile in words (``rules``: its checks, ladder, items, grades, cap and recommendations, as
    the engine says them), the facts it uses and the vocabulary of facts."""

    profile: str
    title: str
    description: str
    source: str
    profile_hash: str
    rules: dict[str, Any]
    facts_used: dict[str, str]
    facts: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "title": self.title, "description": self.description,
                "source": self.source, "profile_hash": self.profile_hash, **self.rules,
                "facts_used": self.facts_used, "facts": self.facts}


def show_profile(profile: str) -> ProfileText:
    """A profile (a bundled name or a file path) in words, and the facts it uses."""
    from laomo.rules import load_profile, vocab
    from laomo.rules.expr import fact_names, label_of

    p = load_profile(profile)
    used: list[str] = []
    for s in p.all_checks:
        used += fact_names(s.check)
    facts = [{"fact": d.name, "label": label_of(d.name, p.labels), "type": d.type, "phase": d.phase}
             for d in vocab.FACTS.values()]
    facts.append({"fact": "inspection_<项目>", "label": "现场检查评分（如 inspection_D2）",
                  "type": "number", "phase": "base"})
    return ProfileText(p.name, p.title, p.description, p.source, p.hash, engine_for(p).rules_text(),
                       {n: label_of(n, p.labels) for n in dict.fromkeys(used)}, facts)
