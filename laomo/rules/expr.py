"""检查表达式：规则文件里的「条件」——对事实的比较、全部满足、任一满足、取反。

A check is written in a profile either as a short string or as a TOML table:

=====================================  ===========================================
``"has_sign"``                         a boolean fact is true
``"team_size >= 3"``                   a comparison (``>= > <= < == !=``)
``"a + b >= 2"``                       the sum of several number facts
``"leader_honor_level >= 'city'"``     an enumerated fact, compared by rank
``"not has_sign"``                     negation
``{ fact = "team_size", op = ">=", value = 3 }``   the same comparison as a table
``{ all = [check, …] }``               every check passes
``{ any = [check, …] }``               at least one passes
``{ not = check }``                    the check fails
=====================================  ===========================================

Parsing and validation happen once, when the profile is loaded (pydantic
models below, which know the fact vocabulary and reject unknown facts or a
value of the wrong type).  Evaluation then uses :func:`check_source`, which
turns a check into one Python expression (the engine generates one function
per profile from these), or :func:`compile_check`, a function for one check;
assessing 150,000 studios then costs a few dictionary look-ups per check.  :func:`failures` produces the
Chinese failure text ("团队人数 2，要求至少 3") only for checks that failed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

import laomo.rules.vocab as vocab
from laomo.domain.numbers import percent

Op = Literal[">=", ">", "<=", "<", "==", "!="]
OPS = (">=", ">", "<=", "<", "==", "!=")
OP_TEXT = {">=": "至少", ">": "大于", "<=": "至多", "<": "小于", "==": "为", "!=": "不为"}
OP_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_EXPR_RE = re.compile(
    rf"^\s*(?P<facts>{_NAME}(?:\s*\+\s*{_NAME})*)\s*(?:(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>.+?))?\s*$"
)

Labels = Mapping[str, str]
MAX_EXPR = 500  # characters of one condition written as text
MAX_NOTS = 8  # "not not … fact": each is a level of nesting
_NOTS_RE = re.compile(r"^(?:\s*not\s+)*")


def _literal(text: str) -> Any:
    """A literal of the string form: number, true/false, 'text', "text" or a bare word."""
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    low = t.lower()
    if low in ("true", "是"):
        return True
    if low in ("false", "否"):
        return False
    try:
        return int(t.replace("_", ""))
    except ValueError:
        pass
    try:
        return float(t.replace("_", ""))
    except ValueError:
        pass
    if re.search(r"\s", t):
        raise ValueError(f"无法理解的取值「{t}」（文字请加引号）")
    return t


def parse_expression(text: str) -> dict[str, Any]:
    """``"a + b >= 3"`` → ``{"fact": ["a", "b"], "op": ">=", "value": 3}``."""
    if len(text) > MAX_EXPR:  # checked before the regular expression, whose backtracking grows with it
        raise ValueError(f"条件过长（{len(text)} 个字符，至多 {MAX_EXPR}）")
    m = _EXPR_RE.match(text)
    if not m:
        raise ValueError(
            f"无法理解的条件「{text}」；应写成「事实」或「事实 运算符 取值」，例如 team_size >= 3"
        )
    out: dict[str, Any] = {"fact": [f.strip() for f in m.group("facts").split("+")]}
    if m.group("op"):
        out["op"] = m.group("op")
        out["value"] = _literal(m.group("value"))
    return out


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Comparison(_Node):
    """``fact`` (one name, or several summed) compared with ``value``; no ``op``: a boolean fact."""

    fact: list[str] = Field(min_length=1)
    op: Op | None = None
    value: Union[bool, int, float, str, None] = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return parse_expression(data)
        if isinstance(data, dict) and isinstance(data.get("fact"), str):
            data = dict(data)
            data["fact"] = [data["fact"]]
        return data

    @field_validator("fact")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        for name in names:
            if vocab.fact_def(name) is None:
                raise ValueError(f"未知的事实「{name}」（可用的事实见 `laomo assess rules show` 的事实表）")
        return names

    @model_validator(mode="after")
    def _typed(self) -> Comparison:
        defs = [vocab.fact_def(n) for n in self.fact]
        types = {d.type for d in defs if d is not None}
        if len(self.fact) > 1 and types != {"number"}:
            raise ValueError("只有数值型事实可以相加：" + " + ".join(self.fact))
        (ftype,) = types if len(types) == 1 else ("number",)
        if self.op is None:
            if ftype != "bool":
                raise ValueError(f"事实「{self.fact[0]}」不是是/否型，须写比较，例如 {self.fact[0]} >= 1")
            if self.value is not None:
                raise ValueError("有取值而没有运算符 op")
            return self
        if self.value is None:
            raise ValueError("比较缺少取值 value")
        v = self.value
        if ftype == "bool":
            if not isinstance(v, bool) or self.op not in ("==", "!="):
                raise ValueError(f"是/否型事实「{self.fact[0]}」只能写 == true 或 == false")
        elif ftype == "number":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"事实「{self.fact[0]}」是数值，取值「{v}」不是数字")
        elif ftype in vocab.ENUM_OF_TYPE:
            enum = vocab.ENUM_OF_TYPE[ftype]
            parsed = enum.parse(str(v)) if isinstance(v, str) else None
            if parsed is None:
                raise ValueError(f"事实「{self.fact[0]}」的取值应为{enum.name}之一：{enum.choices_text()}，实际为「{v}」")
            object.__setattr__(self, "value", parsed)
        else:  # text
            if self.op not in ("==", "!="):
                raise ValueError(f"文字型事实「{self.fact[0]}」只能用 == 或 !=")
            object.__setattr__(self, "value", str(v))
        return self

    @property
    def ftype(self) -> str:
        d = vocab.fact_def(self.fact[0])
        return d.type if d and len(self.fact) == 1 else "number"


class AllOf(_Node):
    all: list[Check] = Field(min_length=1)


class AnyOf(_Node):
    any: list[Check] = Field(min_length=1)


class Not(_Node):
    not_: Check = Field(alias="not")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            if len(data) > MAX_EXPR or len(_NOTS_RE.match(data).group(0).split()) > MAX_NOTS:  # type: ignore[union-attr]
                raise ValueError(f"条件过长或否定过多（至多 {MAX_EXPR} 个字符、{MAX_NOTS} 个 not）")
            return {"not": re.sub(r"^\s*not\s+", "", data)}
        return data


def _discriminate(v: Any) -> str | None:
    if isinstance(v, str):
        return "<not>" if re.match(r"^\s*not\s+", v) else "<cmp>"
    if isinstance(v, dict):
        for key, tag in (("all", "<all>"), ("any", "<any>"), ("not", "<not>")):
            if key in v:
                return tag
        return "<cmp>"
    for cls, tag in ((Comparison, "<cmp>"), (AllOf, "<all>"), (AnyOf, "<any>"), (Not, "<not>")):
        if isinstance(v, cls):
            return tag
    return None


Check = Annotated[
    Union[
        Annotated[Comparison, Tag("<cmp>")],
        Annotated[AllOf, Tag("<all>")],
        Annotated[AnyOf, Tag("<any>")],
        Annotated[Not, Tag("<not>")],
    ],
    Discriminator(_discriminate, custom_error_type="check",
                  custom_error_message="条件应为字符串或含 fact / all / any / not 的表"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


# --------------------------------------------------------------------------- walking

def fact_names(check: Any) -> list[str]:
    """Every fact a check reads, in order."""
    if isinstance(check, Comparison):
        return list(check.fact)
    if isinstance(check, AllOf):
        return [n for c in check.all for n in fact_names(c)]
    if isinstance(check, AnyOf):
        return [n for c in check.any for n in fact_names(c)]
    if isinstance(check, Not):
        return fact_names(check.not_)
    return []


# --------------------------------------------------------------------------- evaluation

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def evaluate(check: Any, facts: Mapping[str, Any]) -> bool:
    """A validated check read plainly, walking it at every call: the specification that the
    generated code (:func:`check_source`, :func:`compile_check`, the engine's functions) is
    checked against (tests/test_rules_reference.py).  Too slow for a studio at a time.

    A bool fact is ``bool(value)``; a missing value (``None``) fails every comparison but
    ``!=``; summed facts count a missing one as 0; enumerated facts compare by rank.
    """
    if isinstance(check, AllOf):
        return all(evaluate(c, facts) for c in check.all)
    if isinstance(check, AnyOf):
        return any(evaluate(c, facts) for c in check.any)
    if isinstance(check, Not):
        return not evaluate(check.not_, facts)
    assert isinstance(check, Comparison)
    if check.op is None:
        return bool(facts.get(check.fact[0]))
    target = check.value
    if len(check.fact) > 1:
        value = sum((facts.get(n) or 0) for n in check.fact)
    elif check.ftype in vocab.ENUM_OF_TYPE:
        value = vocab.rank(check.ftype, facts.get(check.fact[0]))
        target = vocab.rank(check.ftype, check.value)
    else:
        value = facts.get(check.fact[0])
    if value is None:
        return check.op == "!="
    return _CMP[check.op](value, target)


class CodeGen:
    """Generates straight-line Python for checks (see :func:`check_source`).

    Constants that have no exact literal form and the enumeration rank tables
    are bound as globals of the generated code (:attr:`env`); temporaries of
    the walrus operator get fresh names.
    """

    def __init__(self) -> None:
        self.env: dict[str, Any] = {}
        self._ids: dict[int, str] = {}
        self._n = 0

    def tmp(self) -> str:
        self._n += 1
        return f"_t{self._n}"

    def bind(self, value: Any, prefix: str = "_k") -> str:
        key = id(value)
        name = self._ids.get(key)
        if name is None or self.env.get(name) is not value:
            name = f"{prefix}{len(self.env)}"
            self.env[name] = value
            self._ids[key] = name
        return name

    def const(self, value: Any) -> str:
        """A literal for ``value`` that evaluates to an equal object of the same type."""
        t = type(value)
        if value is None or t is bool or t is int or t is str or (t is float and math.isfinite(value)):
            text = repr(value)
            return f"({text})" if text.startswith("-") else text
        return self.bind(value)

    def rank_table(self, ftype: str) -> str:
        name = f"_rank_{ftype}"
        if name not in self.env:
            enum = vocab.ENUM_OF_TYPE[ftype]
            table = {}
            for v in enum.values:
                r = vocab.rank(ftype, v)
                if r is not None:
                    table[v] = r
            self.env[name] = table
        return name

    def compile(self, source: str, name: str, filename: str = "<laomo-rules>") -> Callable[..., Any]:
        namespace: dict[str, Any] = dict(self.env)
        exec(compile(source, filename, "exec"), namespace)
        return namespace[name]


def check_source(check: Any, gen: CodeGen, get: str = "g") -> str:
    """A Python expression, reading facts through the callable ``get`` (``f.get``), for a validated check.

    It gives the same value as the closure semantics: a bool fact is ``bool(value)``;
    a missing value (``None``) fails every comparison but ``!=``; summed facts count a
    missing one as 0; enumerated facts compare by rank.
    """
    if isinstance(check, AllOf):
        return "(" + " and ".join(check_source(c, gen, get) for c in check.all) + ")"
    if isinstance(check, AnyOf):
        return "(" + " or ".join(check_source(c, gen, get) for c in check.any) + ")"
    if isinstance(check, Not):
        return f"(not {check_source(check.not_, gen, get)})"
    assert isinstance(check, Comparison)
    names = check.fact
    if check.op is None:
        return f"(not not {get}({names[0]!r}))"
    op = check.op
    if len(names) > 1:
        total = " + ".join(["0"] + [f"({get}({n!r}) or 0)" for n in names])
        return f"(({total}) {op} {gen.const(check.value)})"
    name = names[0]
    t = gen.tmp()
    ftype = check.ftype
    if ftype in vocab.ENUM_OF_TYPE:
        table = gen.rank_table(ftype)
        value = f"{table}.get({get}({name!r}))"
        target = gen.const(vocab.rank(ftype, check.value))
    else:
        value = f"{get}({name!r})"
        target = gen.const(check.value)
    if op == "!=":
        return f"(({t} := {value}) is None or {t} != {target})"
    return f"(({t} := {value}) is not None and {t} {op} {target})"


_COMPILED: dict[int, tuple[Any, Callable[[Mapping[str, Any]], bool]]] = {}


def compile_check(check: Any) -> Callable[[Mapping[str, Any]], bool]:
    """A function ``facts -> bool`` for a validated check (generated once per check object)."""
    hit = _COMPILED.get(id(check))
    if hit is not None and hit[0] is check:
        return hit[1]
    gen = CodeGen()
    expr = check_source(check, gen)
    fn = gen.compile(f"def _check(f):\n    g = f.get\n    return {expr}\n", "_check")
    if len(_COMPILED) > 4096:
        _COMPILED.clear()
    _COMPILED[id(check)] = (check, fn)  # keeps the check alive, so its id is not reused
    return fn


def failure_fn(check: Any, labels: Labels | None = None) -> Callable[[Mapping[str, Any]], list[str]]:
    """A function ``facts -> failures(check, facts, labels)``, with the fixed texts made once.

    The labels are read now, not at each call.
    """
    ok = compile_check(check)
    if isinstance(check, AllOf):
        subs = [failure_fn(c, labels) for c in check.all]
        return lambda f: [] if ok(f) else [t for s in subs for t in s(f)]
    if isinstance(check, AnyOf):
        subs = [failure_fn(c, labels) for c in check.any]
        return lambda f: [] if ok(f) else [
            "以下条件均未满足：" + " 或 ".join(f"〔{'；'.join(s(f))}〕" for s in subs)]
    if isinstance(check, Not):
        text = f"不应满足：{describe(check.not_, labels)}"
        return lambda f: [] if ok(f) else [text]
    assert isinstance(check, Comparison)
    names = list(check.fact)
    left = " + ".join(label_of(n, labels) for n in names)
    if check.op is None:
        tail = "，要求为 是"
    else:
        tail = f"，要求{OP_TEXT[check.op]} {format_value(check.value, shown_type(check))}"
    if len(names) > 1:
        def shown(f: Mapping[str, Any]) -> str:
            return format_value(sum((f.get(n) or 0) for n in names))
    else:
        name = names[0]
        ftype = fact_type(name)

        def shown(f: Mapping[str, Any]) -> str:
            return format_value(f.get(name), ftype)
    return lambda f: [] if ok(f) else [f"{left} {shown(f)}{tail}"]


# --------------------------------------------------------------------------- text

def label_of(name: str, labels: Labels | None = None) -> str:
    if labels and name in labels:
        return labels[name]
    d = vocab.fact_def(name)
    return d.label if d else name


def fact_type(name: str) -> str:
    """How a fact's value is shown: its type, or ``share`` for a proportion shown as a percentage."""
    d = vocab.fact_def(name)
    if d is None:
        return "number"
    return "share" if d.share else d.type


def shown_type(check: Comparison) -> str:
    """How the value a comparison is written with is shown (``share``: as a percentage)."""
    return fact_type(check.fact[0]) if len(check.fact) == 1 else "number"


def format_value(value: Any, ftype: str = "number") -> str:
    """A fact value for people: 是/否, 无, Chinese enumeration labels, percentages, trimmed numbers."""
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if ftype in vocab.ENUM_OF_TYPE:
        return vocab.ENUM_OF_TYPE[ftype].label(value)
    if ftype == "share" and isinstance(value, (int, float)):
        return percent(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def format_fact(name: str, facts: Mapping[str, Any]) -> str:
    return format_value(facts.get(name), fact_type(name))


def describe(check: Any, labels: Labels | None = None) -> str:
    """The rule in words: 「团队人数 ≥ 3 且 一线职工成员人数 ≥ 1」."""
    if isinstance(check, AllOf):
        return " 且 ".join(_paren(c, labels) for c in check.all)
    if isinstance(check, AnyOf):
        return " 或 ".join(_paren(c, labels) for c in check.any)
    if isinstance(check, Not):
        return f"非（{describe(check.not_, labels)}）"
    assert isinstance(check, Comparison)
    left = " + ".join(label_of(n, labels) for n in check.fact)
    if check.op is None:
        return left
    return f"{left} {OP_SYMBOL[check.op]} {format_value(check.value, shown_type(check))}"


def _paren(check: Any, labels: Labels | None) -> str:
    text = describe(check, labels)
    return f"（{text}）" if isinstance(check, (AllOf, AnyOf)) else text


def failures(check: Any, facts: Mapping[str, Any], labels: Labels | None = None) -> list[str]:
    """Why a check fails for these facts, one Chinese phrase per failing comparison.

    Empty when the check passes.
    """
    if compile_check(check)(facts):
        return []
    if isinstance(check, AllOf):
        return [t for c in check.all for t in failures(c, facts, labels)]
    if isinstance(check, AnyOf):
        parts = ["；".join(failures(c, facts, labels)) for c in check.any]
        return ["以下条件均未满足：" + " 或 ".join(f"〔{p}〕" for p in parts)]
    if isinstance(check, Not):
        return [f"不应满足：{describe(check.not_, labels)}"]
    assert isinstance(check, Comparison)
    if len(check.fact) > 1:
        value: Any = sum((facts.get(n) or 0) for n in check.fact)
        shown = format_value(value)
    else:
        shown = format_fact(check.fact[0], facts)
    left = " + ".join(label_of(n, labels) for n in check.fact)
    if check.op is None:
        return [f"{left} {shown}，要求为 是"]
    return [f"{left} {shown}，要求{OP_TEXT[check.op]} {format_value(check.value, shown_type(check))}"]
