"""Parser of the Parseq language: tokens → immutable syntax tree (spec §2.1), in linear time.

The grammar below is the single source of truth; the code follows it rule by rule.

    input    := expr EOF
    expr     := or
    or       := and   ( ("or" | "||")  and )*                  left-assoc
    and      := cmp   ( ("and" | "&&") cmp )*                  left-assoc
    cmp      := add   ( ("==" | "!=" | "<" | "<=" | ">" | ">=") add )*   left-assoc: 1<2<3 = (1<2)<3
    add      := mul   ( ("+" | "-") mul )*                     left-assoc
    mul      := unary ( ("*" | "/" | "%" | ":") unary )*       left-assoc; ":" builds a prompt weight "(a:b)"
    unary    := "-" unary | pow                                -2^2 = -(2^2)
    pow      := primary ( "^" unary )?                         right-assoc: 2^3^2 = 2^9; 2^-1 = 0.5
    primary  := NUMBER | STRING | "true" | "false" | IDENT | call | "(" expr ")" | ifexpr
    call     := IDENT "(" [ args [","] ] ")"
    args     := expr ("," expr)*  |  NAME "=" expr ("," NAME "=" expr)*     never mixed; NAME = IDENT or keyword
    ifexpr   := "if" expr expr [ "else" expr ]

    The if-condition is parsed greedily as an expr. If the next token cannot start an expression
    (else, ")", ",", end) and the condition began with a parenthesised group, the condition is that
    group alone and parsing resumes after its ")": ``if (c) -1 else 1`` has the consequent -1.

Why hand-written: the juxtaposed ``if c x else y`` with the condition-group fallback is not LALR, and an
Earley parser is what made Parseq's parse time exponential. The binary levels use an operator stack (no
recursion per operator), so only parentheses, ``if``, ``^`` and calls nest, and that nesting is capped at
MAX_DEPTH. ``unary``, ``pow`` and ``primary`` are one method (``operand``), so a nesting level costs at most
two Python frames: about 400 at MAX_DEPTH, well inside Python's default recursion limit of 1000, which the
language never changes (it runs inside the webui's process).
"""

from __future__ import annotations

from lib_parseq.errors import ParseError
from lib_parseq.language.lexer import Token, tokenize
from lib_parseq.language.nodes import Call, Chain, If, Negate, Node, Number, Power, String, Variable

MAX_LENGTH = 20_000
MAX_DEPTH = 200

# Binary operators by precedence level, loosest first; all left-associative.
BINARY_LEVELS: dict[str, int] = {
    "or": 1, "||": 1,
    "and": 2, "&&": 2,
    "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4,
    "*": 5, "/": 5, "%": 5, ":": 5,
}
_EXPRESSION_START = "an expression (a number, string, name, '(', '-' or 'if')"


def describe(token: Token) -> str:
    """How a token is named in an error message."""
    if token.kind == "end":
        return "end of input"
    if token.kind == "number":
        return f"number '{token.text}'"
    if token.kind == "string":
        return f"string {token.text}"
    if token.kind == "name":
        return f"name '{token.text}'"
    return f"'{token.text}'"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, token: Token | None = None) -> ParseError:
        token = token or self.tok
        return ParseError(message, text=self.text, line=token.line, column=token.column)

    def unexpected(self, expected: str, token: Token | None = None) -> ParseError:
        token = token or self.tok
        return self.error(f"unexpected {describe(token)} — expected {expected}", token)

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def binary_op(self) -> str | None:
        tok = self.tok
        if (tok.kind == "op" or tok.kind == "keyword") and tok.text in BINARY_LEVELS:
            return tok.text
        return None

    def starts_expression(self, token: Token) -> bool:
        if token.kind in ("number", "string", "name"):
            return True
        if token.kind == "keyword":
            return token.text in ("if", "true", "false")
        return token.kind == "op" and token.text in ("(", "-")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression nested too deeply (more than {MAX_DEPTH} levels)")

    # -- grammar ---------------------------------------------------------------------------------
    def parse_input(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            raise self.unexpected("an operator or end of input")
        return node

    def expr(self, first: Node | None = None) -> Node:
        """or/and/cmp/add/mul with an explicit stack of open chains (levels strictly increasing)."""
        self.enter()
        operand = first if first is not None else self.operand()
        stack: list[list] = []  # [level, first, rest, pending_op]
        while True:
            op = self.binary_op()
            level = BINARY_LEVELS[op] if op else 0
            while stack and stack[-1][0] > level:
                lvl, head, rest, pending = stack.pop()
                rest.append((pending, operand))
                operand = Chain(head.line, head.column, head, tuple(rest))
            if op is None:
                break
            if stack and stack[-1][0] == level:
                stack[-1][2].append((stack[-1][3], operand))
                stack[-1][3] = op
            else:
                stack.append([level, operand, [], op])
            self.i += 1
            operand = self.operand()
        self.depth -= 1
        return operand

    def operand(self, base: Node | None = None) -> Node:
        """``unary`` and ``pow`` with ``primary`` inlined (one frame per level); ``base``: an already parsed primary."""
        start = self.tok
        count = 0
        if base is None:
            while self.is_op("-"):
                count += 1
                self.i += 1
            tok = self.tok
            kind = tok.kind
            if kind == "number":
                self.i += 1
                value, unit = tok.value
                base = Number(tok.line, tok.column, value, unit)
            elif kind == "string":
                self.i += 1
                base = String(tok.line, tok.column, tok.value)
            elif kind == "name":
                self.i += 1
                base = self.call(tok) if self.is_op("(") else Variable(tok.line, tok.column, tok.text)
            elif kind == "keyword" and tok.text in ("true", "false"):
                self.i += 1
                base = Number(tok.line, tok.column, 1.0 if tok.text == "true" else 0.0)
            elif kind == "keyword" and tok.text == "if":
                base = self.if_expression()
            elif self.is_op("("):  # the group, inline: parentheses are the commonest nesting
                self.i += 1
                base = self.expr()
                self.close_group()
            else:
                raise self.unexpected(_EXPRESSION_START)
        if self.is_op("^"):
            self.i += 1
            self.enter()
            exponent = self.operand()
            self.depth -= 1
            base = Power(base.line, base.column, base, exponent)
        if count:
            base = Negate(start.line, start.column, count, base)
        return base

    def close_group(self) -> None:
        if not self.is_op(")"):
            raise self.unexpected("')' or an operator")
        self.i += 1

    def call(self, name: Token) -> Node:
        self.i += 1  # "("
        self.enter()
        positional: list[Node] = []
        named: list[tuple[str, int, int, Node]] = []
        while not self.is_op(")"):
            tok = self.tok
            is_named = tok.kind in ("name", "keyword") and self.tokens[self.i + 1].kind == "op" \
                and self.tokens[self.i + 1].text == "="
            if is_named:
                if positional:
                    raise self.error(f"cannot mix positional and named arguments in a call to '{name.text}'", tok)
                self.i += 2
                named.append((tok.text, tok.line, tok.column, self.expr()))
            else:
                if named and self.starts_expression(tok):
                    raise self.error(f"cannot mix positional and named arguments in a call to '{name.text}'", tok)
                if named:
                    raise self.unexpected("a named argument NAME=value or ')'")
                positional.append(self.expr())
            if self.is_op(","):
                self.i += 1
            elif not self.is_op(")"):
                raise self.unexpected(f"',' or ')' to close the call to '{name.text}'")
        self.i += 1
        self.depth -= 1
        return Call(name.line, name.column, name.text, tuple(positional), tuple(named))

    def if_expression(self) -> Node:
        start = self.tok
        self.i += 1
        self.enter()
        condition_start = self.tok
        if self.is_op("("):
            self.i += 1
            group = self.expr()
            self.close_group()
            group_end = self.i
            condition = self.expr(first=self.operand(base=group))
            if not self.starts_expression(self.tok) and self.i != group_end:
                condition, self.i = group, group_end
        else:
            condition = self.expr()
        if not self.starts_expression(self.tok):
            if isinstance(condition, Call):
                source = self.text[condition_start.offset:self.tok.offset].strip()
                rest = source[len(condition.name):].strip()
                raise self.error(
                    f"'if {source}' reads '{source}' as a call of '{condition.name}'; "
                    f"to use '{condition.name}' as the condition write 'if ({condition.name}) {rest}'",
                    condition_start,
                )
            raise self.unexpected("the value after the if-condition (tip: 'if (condition) value else other')")
        consequent = self.expr()
        alternative = None
        if self.tok.kind == "keyword" and self.tok.text == "else":
            self.i += 1
            alternative = self.expr()
        self.depth -= 1
        return If(start.line, start.column, condition, consequent, alternative)


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a syntax tree; raises ParseError with line:column and the expression text."""
    if not isinstance(text, str):
        raise ParseError(f"an expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression too long ({len(text)} characters; the limit is {MAX_LENGTH})",
                         text=text[:200], line=1, column=1)
    parser = _Parser(text)
    if parser.tok.kind == "end":
        raise ParseError("empty expression", text=text, line=1, column=1)
    try:
        return parser.parse_input()
    except RecursionError:  # only when the caller has left less than ~450 frames of Python's recursion limit
        raise ParseError("expression nested too deeply to parse here (Python's recursion limit was reached)",
                         text=text, line=1, column=1) from None
