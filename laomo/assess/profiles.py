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


def resolve_profile(session: Session, profile: ProfileArg = None) -> Profile:
    """The profile to use: the argument, else the database setting, else henan-2015."""
    from laomo.rules import DEFAULT_PROFILE, Profile, ProfileError, load_profile

    if isinstance(profile, Profile):
        return profile
    if profile:
        return load_profile(str(profile))
    ref = configured_profile(session)
    if ref is None:
        return load_profile(DEFAULT_PROFILE)
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
    """Validate a profile (a bundled name or a file path) and make it this database's default (audited)."""
    from sqlalchemy import delete, insert

    from laomo.models import Setting
    from laomo.rules import load_profile
    from laomo.store import audit

    p = load_profile(profile)
    old = configured_profile(session)
    conn = session.connection()
    t = Setting.__table__
    conn.execute(delete(t).where(t.c.key == SETTING_KEY))
    conn.execute(insert(t).values(key=SETTING_KEY, value=p.source))
    audit.record_many(conn, [("setting", SETTING_KEY, {"value": old},
                              {"value": p.source, "profile": p.name, "hash": p.hash})])
    return ProfileChoice(p.name, p.source, p.hash, old)


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
