"""The sandbox's data (catalogue, state and its rules) does not depend on its handlers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import paycombat_async.sandbox

SANDBOX = Path(paycombat_async.sandbox.__file__).parent


@pytest.mark.parametrize("module", ["_catalogue.py", "_state.py", "_faults.py", "_pdf.py"])
def test_data_modules_import_no_handler(module: str) -> None:
    tree = ast.parse((SANDBOX / module).read_text(encoding="utf-8"))
    imported = [
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert not [name for name in imported if name.startswith("handlers")], imported
