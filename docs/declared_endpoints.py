"""A griffe extension: the methods a resource declares with ``endpoint(...)``, documented as the
methods they are at run time.

griffe reads the source, where ``create = endpoint(doc=..., request=CreatePayoutRequest, ...)``
is an assignment: it would show an attribute with no docstring. At run time the class attribute
is a real function, with the request class's signature and the declared docstring (what
``help()`` shows); this extension puts that function in place of the attribute.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import griffe

from paycombat_async.resources._declare import _Method

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}


def _text(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


class DeclaredEndpoints(griffe.Extension):
    """Replaces each declared endpoint of a ``paycombat_async.resources`` class by its function."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        if not cls.path.startswith("paycombat_async.resources."):
            return
        module = importlib.import_module(cls.module.path)
        runtime = getattr(module, cls.name, None)
        if runtime is None:
            return
        for name, declared in vars(runtime).items():
            if not isinstance(declared, _Method) or name not in cls.members:
                continue
            cls.set_member(name, self._function(cls, name, getattr(runtime, name)))

    @staticmethod
    def _function(cls: griffe.Class, name: str, function: Any) -> griffe.Function:
        signature = inspect.signature(function)
        parameters = griffe.Parameters(
            griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword),
            *(
                griffe.Parameter(
                    parameter.name,
                    annotation=_text(parameter.annotation),
                    kind=_KINDS[parameter.kind],
                    default=None
                    if parameter.default is inspect.Parameter.empty
                    else repr(parameter.default),
                )
                for parameter in signature.parameters.values()
            ),
        )
        attribute = cls.members[name]
        made = griffe.Function(
            name,
            lineno=attribute.lineno,
            endlineno=attribute.endlineno,
            parameters=parameters,
            returns=_text(signature.return_annotation),
            parent=cls,
        )
        # parsed as the class's docstring is (the handler's docstring_style)
        style = cls.docstring
        made.docstring = griffe.Docstring(
            inspect.cleandoc(function.__doc__ or ""),
            parent=made,
            parser=style.parser if style else None,
            parser_options=style.parser_options if style else None,
        )
        if inspect.iscoroutinefunction(function):
            made.labels.add("async")
        return made
