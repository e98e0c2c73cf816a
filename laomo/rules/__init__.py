"""规则即数据：内置与自定义的规则文件（TOML），以及对它们求值的小引擎。

* :mod:`laomo.rules.vocab`   — the fact vocabulary (names, Chinese labels, types);
* :mod:`laomo.rules.expr`    — checks: parsing, validation, evaluation, failure text;
* :mod:`laomo.rules.profile` — the profile schema (pydantic), ``extends``, hashing, loading;
* :mod:`laomo.rules.engine`  — the compiled evaluator: standards, ladder, items, grades,
  the 优秀 cap and the recommendations.

Bundled profiles are the ``*.toml`` files of this package: ``henan-2015`` (the
default), ``anyang-8``, ``enterprise-5`` and ``hebei-2021``.

Importing this package pulls in pydantic; the CLI imports it lazily.
"""

from __future__ import annotations

from laomo.rules.profile import (
    DEFAULT_PROFILE,
    Profile,
    ProfileError,
    bundled_names,
    load_profile,
    validate_file,
)

__all__ = ["DEFAULT_PROFILE", "Profile", "ProfileError", "bundled_names", "load_profile", "validate_file"]
