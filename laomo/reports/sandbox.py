"""工会自己的通知模板（--template .md/.html）：在有界的沙箱中渲染。

A union's template is data it edits, not trusted code.  It runs in Jinja2's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no Python internals, no
mutation of the data; ``jinja2>=3.1.6``, the first release without the known
sandbox escapes), with bounds on everything that could hang laomo or exhaust
memory, each refused with one Chinese line naming the template:

* arithmetic: ``**`` results above ``MAX_POWER_BITS`` bits, ``*`` and ``%``
  producing more than ``MAX_TEXT`` characters, ``%`` format widths above ``MAX_WIDTH``;
* filters and globals with a size argument (``center``, ``indent``, ``wordwrap``,
  ``truncate``, ``format``, ``join``, ``replace``, ``lipsum``, ``range``) checked
  before they run; ``str.format`` widths likewise;
* recursion (a macro calling itself) beyond Python's limit, and ``MemoryError``;
* the output: at most ``MAX_OUTPUT`` characters, checked while it streams;
* time: at most ``MAX_SECONDS`` (nested loops that print nothing), on the main
  thread of a POSIX process (``signal.setitimer``); elsewhere the other bounds hold;
* memory: the process may grow by at most ``MAX_EXTRA_MEMORY`` while rendering
  (``RLIMIT_AS`` on Linux), so string doubling in a recursive macro is a MemoryError at once.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError

if TYPE_CHECKING:
    from jinja2 import Environment

MAX_POWER_BITS = 4096
MAX_TEXT = 1_000_000  # characters one expression may produce
MAX_WIDTH = 10_000  # a width, indent or padding argument
MAX_ITEMS = 100_000  # range(), lipsum paragraphs and the like
MAX_OUTPUT = 5_000_000  # characters of rendered output
MAX_SECONDS = 10.0

_WIDTH_RE = re.compile(r"\d{5,}")  # a number of five digits or more in a format spec


class TemplateLimit(Exception):
    """A bound of the sandbox was hit (message in Chinese)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_width(*values: Any) -> None:
    for v in values:
        if _is_int(v) and abs(v) > MAX_WIDTH:
            raise TemplateLimit(f"宽度 {v} 过大（至多 {MAX_WIDTH}）")


def _check_spec(spec: Any) -> None:
    if isinstance(spec, str) and any(int(m) > MAX_WIDTH for m in _WIDTH_RE.findall(spec)):
        raise TemplateLimit(f"格式「{spec[:40]}」中的宽度过大（至多 {MAX_WIDTH}）")


def _check_text(length: int) -> None:
    if length > MAX_TEXT:
        raise TemplateLimit(f"结果过长（{length:,} 个字符，至多 {MAX_TEXT:,}）")


def _bounded_filters(env: Environment) -> None:
    """Wrap the built-in filters and globals whose arguments decide the size of their result;
    each checks before the real filter runs (with the context the real one is passed)."""
    from jinja2 import pass_environment, pass_eval_context

    f = dict(env.filters)

    def center(value: Any, width: int = 80) -> Any:
        _check_width(width)
        return f["center"](value, width)

    def indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        _check_width(width)
        pad = len(width) if isinstance(width, str) else width if _is_int(width) else 0
        _check_text(len(str(value)) + (str(value).count("\n") + 1) * pad)
        return f["indent"](value, width, *args, **kwargs)

    @pass_environment
    def wordwrap(environment: Any, value: Any, width: int = 79, *args: Any, **kwargs: Any) -> Any:
        _check_width(width)
        return f["wordwrap"](environment, value, width, *args, **kwargs)

    @pass_environment
    def truncate(environment: Any, value: Any, length: int = 255, *args: Any, **kwargs: Any) -> Any:
        _check_width(length)
        return f["truncate"](environment, value, length, *args, **kwargs)

    def format_(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_spec(value)
        return f["format"](value, *args, **kwargs)

    @pass_eval_context
    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = []
        for item in value:
            items.append(item)
            if len(items) > MAX_ITEMS:
                raise TemplateLimit(f"join 的项目过多（至多 {MAX_ITEMS:,}）")
        _check_text(sum(len(str(i)) for i in items) + len(str(d)) * len(items))
        return f["join"](eval_ctx, items, d, attribute)

    @pass_eval_context
    def replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
        s, o, n = str(value), str(old), str(new)
        hits = s.count(o) if o else len(s) + 1
        if _is_int(count) and count >= 0:
            hits = min(hits, count)
        _check_text(len(s) + hits * max(len(n) - len(o), 0))
        return f["replace"](eval_ctx, value, old, new, count)

    env.filters.update(center=center, indent=indent, wordwrap=wordwrap, truncate=truncate,
                       format=format_, join=join, replace=replace)
    lipsum: Callable[..., Any] = env.globals["lipsum"]  # type: ignore[assignment]  # globals are typed object
    rng: Callable[..., Any] = env.globals["range"]  # type: ignore[assignment]

    def bounded_lipsum(n: int = 5, *args: Any, **kwargs: Any) -> Any:
        if _is_int(n) and n > 100:
            raise TemplateLimit(f"lipsum 段数 {n} 过多（至多 100）")
        return lipsum(n, *args, **kwargs)

    def bounded_range(*args: Any) -> Any:
        r = range(*args)
        if len(r) > MAX_ITEMS:
            raise TemplateLimit(f"range 的项目过多（{len(r):,}，至多 {MAX_ITEMS:,}）")
        return rng(*args)

    env.globals.update(lipsum=bounded_lipsum, range=bounded_range)


_sandbox_class: type[Environment] | None = None


def _sandbox_class_() -> type[Environment]:
    global _sandbox_class
    if _sandbox_class is None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class LimitedSandbox(ImmutableSandboxedEnvironment):
            intercepted_binops = frozenset({"*", "**", "%"})

            def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                if operator == "**" and _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1 \
                        and right * abs(left).bit_length() > MAX_POWER_BITS:
                    raise TemplateLimit("乘方的结果过大")
                if operator == "*":
                    for seq, n in ((left, right), (right, left)):
                        if isinstance(seq, (str, list, tuple)) and _is_int(n) and len(seq) * n > MAX_TEXT:
                            raise TemplateLimit("重复的结果过长")
                if operator == "%" and isinstance(left, str):
                    _check_spec(left)
                    if "*" in left:  # widths taken from the arguments: "%*d" % (900000000, 1)
                        args = right if isinstance(right, tuple) else (right,)
                        _check_width(*args)
                return super().call_binop(context, operator, left, right)

            def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
                # str.format / format_map reach here as bound methods of a str: check their specs
                if getattr(__obj, "__name__", "") in ("format", "format_map") and isinstance(
                        getattr(__obj, "__self__", None), str):
                    _check_spec(__obj.__self__)
                    _check_width(*args, *kwargs.values())  # a nested width "{0:{1}}" comes from them
                return super().call(__context, __obj, *args, **kwargs)

        _sandbox_class = LimitedSandbox
    return _sandbox_class


def sandboxed(fmt: str, *, install: Callable[[Environment], None], finalize: Callable[[Any], Any]) -> Environment:
    """A bounded sandbox for a union's own template (``install`` adds laomo's filters)."""
    sandbox = _sandbox_class_()
    # Jinja's default whitespace handling, as the Jinja documentation a union reads describes it
    options: dict[str, Any] = dict(keep_trailing_newline=True)
    if fmt == "html":
        env = sandbox(autoescape=True, **options)
    else:
        env = sandbox(autoescape=False, finalize=finalize, **options)
    _bounded_filters(env)
    install(env)
    return env


MAX_EXTRA_MEMORY = 512 << 20  # bytes of address space a render may add (RLIMIT_AS, POSIX)


@contextmanager
def _memory_limit(extra: int) -> Iterator[None]:
    """Let the process grow by at most ``extra`` bytes while the template renders: an allocation
    beyond it raises MemoryError at once (``'ab' ~ 'ab'`` doubled in a recursive macro, a width
    passed as an argument) instead of taking the machine's memory before the time limit fires.
    Where the process's size or the limit cannot be read (not Linux), the other bounds hold."""
    try:
        import os
        import resource

        with open("/proc/self/statm", encoding="ascii") as fp:
            size = int(fp.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft != resource.RLIM_INFINITY and soft < limit:
            limit = soft
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TemplateLimit(f"渲染超过 {seconds:g} 秒（循环过多？）")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_user_template(path: Path, fmt: str, context: dict[str, Any], *,
                         install: Callable[[Environment], None], finalize: Callable[[Any], Any]) -> str:
    """Render a union's own .md/.html Jinja2 template in the bounded sandbox; errors become one Chinese line."""
    from jinja2 import TemplateError, TemplateSyntaxError
    from jinja2.sandbox import SecurityError

    try:
        source = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LaomoError(f"模板 {path} 不是 UTF-8 文本") from None
    except OSError as exc:
        raise LaomoError(f"无法读取模板 {path}：{exc.strerror or exc}") from None
    env = sandboxed(fmt, install=install, finalize=finalize)
    try:
        with _time_limit(MAX_SECONDS), _memory_limit(MAX_EXTRA_MEMORY):
            parts: list[str] = []
            size = 0
            for chunk in env.from_string(source).generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise TemplateLimit(f"输出过长（超过 {MAX_OUTPUT:,} 个字符）")
                parts.append(chunk)
            return "".join(parts)
    except TemplateSyntaxError as exc:
        raise LaomoError(f"模板 {path} 第 {exc.lineno} 行语法错误：{exc.message}") from None
    except TemplateLimit as exc:
        raise LaomoError(f"模板 {path} 超出限制，已停止渲染：{exc}") from None
    except SecurityError as exc:
        raise LaomoError(f"模板 {path} 试图访问不允许的内容（已拦截）：{exc}") from None
    except RecursionError:
        raise LaomoError(f"模板 {path} 递归过深（宏调用自身？），已停止渲染") from None
    except MemoryError:
        raise LaomoError(f"模板 {path} 渲染所需内存过多，已停止") from None
    except TemplateError as exc:
        raise LaomoError(f"模板 {path} 渲染失败：{exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, OverflowError) as exc:
        raise LaomoError(f"模板 {path} 渲染失败：{exc}") from None
