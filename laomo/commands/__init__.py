"""The command layer: Typer command groups mounted by ``laomo.cli``.  The only modules
that import Typer or Rich; they parse options, call the library and render."""
