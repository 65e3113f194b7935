"""z3, loaded when first used: the modules of this package read ``z3`` from here instead of ``import z3``.

A scan whose questions are all answered before anything is encoded for z3 (at 2,000 roles: mix, chain-heavy and
federation-heavy) never needs z3, whose import costs ~0.05 s of CPU per process (its Python modules, the native
library, its main context): about a twentieth of such a process. So :data:`z3` is the module ``z3`` registered in
``sys.modules`` under :class:`importlib.util.LazyLoader`, which executes it when one of its attributes is first read
(``z3.Bool``, ``z3.BoolRef`` in an ``isinstance``). It is the same module object ``import z3`` returns everywhere
else, so terms built through either are of the same classes and context. Two rules keep it lazy: no module of this
package builds a z3 term at import (constant regular expressions are ``functools.cache`` functions), and none runs
``import z3`` itself, since an import statement reads the module's ``__spec__``, which loads it (Python 3.11).
When z3 is imported already, :data:`z3` is that module; ``tests/smt/test_lazy_z3.py`` checks that a scan needing
no solver leaves z3 unloaded and that one needing it finds the same.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING


def deferred(name: str) -> ModuleType:
    """The module ``name`` from ``sys.modules``; when it is not there yet, registered there to be executed on first
    attribute access. Importing it later (``import name``) executes it then, as an ordinary import would have; a
    module that cannot be found is imported at once, to fail as ``import name`` does."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return importlib.import_module(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


if TYPE_CHECKING:
    import z3 as z3  # type: ignore[import-untyped]
else:
    z3 = deferred("z3")

__all__ = ["deferred", "z3"]
