"""A tiny evaluator for the conditions of the rules files (Jinja2's expression syntax), so the
oracle can apply ``rules/judgement.yaml`` with its own figures without importing Jinja2.

The subset: numbers, ``true``/``false``/``none``, names, parentheses, ``not``/``and``/``or``,
comparisons (``== != < <= > >=``, chained as Python does), ``+ - * / // %``, unary ``-`` and
``+``, and the filters ``abs``, ``round``, ``int`` and ``float`` (``x | abs``). The
precedence is Jinja2's: a filter binds to the unary expression before it (``-x | abs`` is
``abs(-x)``, ``a * b | abs`` is ``a * abs(b)``). Anything else raises :class:`ExprError`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from typing import Any


class ExprError(ValueError):
    pass


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
                    r"|(?P<op>//|==|!=|<=|>=|[-+*/%<>()|]))")
_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_MUL = {"*": operator.mul, "/": operator.truediv, "//": operator.floordiv, "%": operator.mod}
_ADD = {"+": operator.add, "-": operator.sub}
_FILTERS = {"abs": abs, "round": round, "int": int, "float": float}
_CONST = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot read {text[pos:]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, text: str, names: Mapping[str, Any]) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.names = names

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if t is None or (value is not None and t[1] != value):
            raise ExprError(f"expected {value or 'more'}, got {t[1] if t else 'the end'}")
        self.i += 1
        return t

    def at(self, *values: str) -> bool:
        t = self.peek()
        return t is not None and t[1] in values

    def run(self) -> Any:
        v = self.or_()
        if self.peek() is not None:
            raise ExprError(f"unexpected {self.peek()[1]!r}")
        return v

    def or_(self) -> Any:
        v = self.and_()
        while self.at("or"):
            self.take()
            w = self.and_()
            v = v or w
        return v

    def and_(self) -> Any:
        v = self.not_()
        while self.at("and"):
            self.take()
            w = self.not_()
            v = v and w
        return v

    def not_(self) -> Any:
        if self.at("not"):
            self.take()
            return not self.not_()
        return self.compare()

    def compare(self) -> Any:
        left = self.add()
        result = True
        chained = False
        while self.peek() and self.peek()[1] in _CMP:
            op = _CMP[self.take()[1]]
            right = self.add()
            result = result and op(left, right)
            left, chained = right, True
        return result if chained else left

    def add(self) -> Any:
        v = self.mul()
        while self.peek() and self.peek()[1] in _ADD:
            op = _ADD[self.take()[1]]
            v = op(v, self.mul())
        return v

    def mul(self) -> Any:
        v = self.unary()
        while self.peek() and self.peek()[1] in _MUL:
            op = _MUL[self.take()[1]]
            v = op(v, self.unary())
        return v

    def unary(self) -> Any:
        if self.at("-"):
            self.take()
            v = -self.unary_nofilter()
        elif self.at("+"):
            self.take()
            v = +self.unary_nofilter()
        else:
            v = self.primary()
        return self.filters(v)

    def unary_nofilter(self) -> Any:
        if self.at("-"):
            self.take()
            return -self.unary_nofilter()
        if self.at("+"):
            self.take()
            return self.unary_nofilter()
        return self.primary()

    def filters(self, v: Any) -> Any:
        while self.at("|"):
            self.take()
            kind, name = self.take()
            if kind != "name" or name not in _FILTERS:
                raise ExprError(f"unknown filter {name!r}")
            v = _FILTERS[name](v)
        return v

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "name":
            if value in _CONST:
                return _CONST[value]
            if value in ("and", "or", "not"):
                raise ExprError(f"unexpected {value!r}")
            if value not in self.names:
                raise ExprError(f"unknown name {value!r}")
            return self.names[value]
        if value == "(":
            v = self.or_()
            self.take(")")
            return v
        raise ExprError(f"unexpected {value!r}")


def evaluate(text: str, names: Mapping[str, Any]) -> Any:
    """The value of a condition over ``names``."""
    return _Parser(" ".join(str(text).split()), names).run()
