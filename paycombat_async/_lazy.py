"""Exports imported on first use (PEP 562), so ``import paycombat_async`` stays cheap.

Building the ~75 attrs model classes is most of what importing every API group costs (attrs
compiles each class's generated methods), and a program that only sends payouts should not pay
for checkouts or customers. Each public name maps to the module that defines it; touching the
name imports that module, in the caller's thread, and caches the value in the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["LazyExports"]


class LazyExports:
    """The lazily imported names of one package: ``name -> module`` (relative to it); a name
    that maps to the module of the same name is that module."""

    def __init__(self, package: str, namespace: dict[str, Any], modules: Mapping[str, str]):
        self._package = package
        self._namespace = namespace
        self.modules = dict(modules)

    def load(self, name: str) -> Any:
        """The value of ``name`` (for the package's ``__getattr__``), imported now if need be."""
        module = self.modules.get(name)
        if module is None:
            raise AttributeError(f"module {self._package!r} has no attribute {name!r}")
        imported = importlib.import_module(module, self._package)
        value = imported if module == f".{name}" else getattr(imported, name)
        self._namespace[name] = value  # later look-ups are plain module attributes
        return value

    def names(self) -> list[str]:
        """What ``dir(package)`` lists: what is loaded, and what can be."""
        return sorted({*self._namespace, *self.modules})
