"""The command layer: Typer command groups mounted by ``laomo.cli``.  The only modules
that import Typer or Rich; they parse options, call the library and render.

The modules that declare commands do not use ``from __future__ import annotations``:
Typer reads every command's annotations each time ``laomo`` starts, and evaluating them
from strings (``typing.get_type_hints`` compiles each one) costs more than evaluating
them once at import.  Names imported only for type checking are quoted there.
(assess.py and award.py still have the import: to be removed the same way.)
"""
