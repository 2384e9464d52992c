# pyspark.sql.Column: an expression the engine holds; the Python object keeps its handle. Operators cannot call
# the host (the sandbox runs dunder methods where a host call cannot pause it), so an operator makes a Column that
# holds the operator and its operands (`_op`, `_args`), which the host turns into an expression when it receives
# it. `<`, `<=`, `>`, `>=` and `!=` reach `_kindling_compare` through the lowering pass (the sandbox dispatches only
# `==` to a class).

class Column:
    def __init__(self, description):
        self._h, self._sql = description

    def __repr__(self):
        return "Column<'" + self._sql + "'>"

    def __eq__(self, other):
        return _binary('==', self, other)

    def __add__(self, other):
        return _binary('+', self, other)

    def __radd__(self, other):
        return _binary('+', other, self)

    def __sub__(self, other):
        return _binary('-', self, other)

    def __rsub__(self, other):
        return _binary('-', other, self)

    def __mul__(self, other):
        return _binary('*', self, other)

    def __rmul__(self, other):
        return _binary('*', other, self)

    def __truediv__(self, other):
        return _binary('/', self, other)

    def __rtruediv__(self, other):
        return _binary('/', other, self)

    def __mod__(self, other):
        return _binary('%', self, other)

    def __rmod__(self, other):
        return _binary('%', other, self)

    def __and__(self, other):
        return _binary('&', self, other)

    def __rand__(self, other):
        return _binary('&', other, self)

    def __or__(self, other):
        return _binary('|', self, other)

    def __ror__(self, other):
        return _binary('|', other, self)

    def bitwiseAND(self, other):
        return _operator('bitwiseAND', (self, other), '(' + _text(self) + ' & ' + _text(other) + ')')

    def bitwiseOR(self, other):
        return _operator('bitwiseOR', (self, other), '(' + _text(self) + ' | ' + _text(other) + ')')

    def bitwiseXOR(self, other):
        return _operator('bitwiseXOR', (self, other), '(' + _text(self) + ' ^ ' + _text(other) + ')')

    def __invert__(self):
        return _operator('not', (self,), '(NOT ' + self._sql + ')')

    def __neg__(self):
        return _operator('negate', (self,), '-' + self._sql)

    def alias(self, *names):
        return Column(_kindling('column.alias', self, *names))

    def name(self, *names):
        return self.alias(*names)

    def cast(self, dataType):
        return Column(_kindling('column.cast', self, _type_name(dataType)))

    def try_cast(self, dataType):
        return Column(_kindling('column.try_cast', self, _type_name(dataType)))

    def astype(self, dataType):
        return self.cast(dataType)

    def isNull(self):
        return Column(_kindling('column.is_null', self))

    def isNotNull(self):
        return Column(_kindling('column.is_not_null', self))

    def isin(self, *values):
        if len(values) == 1 and isinstance(values[0], (list, tuple, set)):
            values = list(values[0])
        return Column(_kindling('column.isin', self, list(values)))

    def between(self, lowerBound, upperBound):
        return Column(_kindling('column.between', self, lowerBound, upperBound))

    def like(self, pattern):
        return Column(_kindling('column.like', self, pattern))

    def ilike(self, pattern):
        return Column(_kindling('functions.call', 'ilike', self, _literal_of(pattern)))

    def isNaN(self):
        return Column(_kindling('functions.call', 'isnan', self))

    def transform(self, f):
        return f(self)

    def startswith(self, other):
        return Column(_kindling('functions.call', 'startswith', self, _literal_of(other)))

    def endswith(self, other):
        return Column(_kindling('functions.call', 'endswith', self, _literal_of(other)))

    def contains(self, other):
        return Column(_kindling('functions.call', 'contains', self, _literal_of(other)))

    def substr(self, startPos, length):
        # Named `substr(…)` as PySpark 4 names it (F.substring keeps `substring(…)`).
        return Column(_kindling('functions.call', 'substr', self, startPos, length))

    def eqNullSafe(self, other):
        return _binary('<=>', self, other)

    def over(self, window):
        if not isinstance(window, WindowSpec):
            raise TypeError('[NOT_WINDOWSPEC] Argument `window` should be a WindowSpec, got ' + type(window).__name__ + '.')
        return Column(_kindling('column.over', self, window._partition, window._order, window._frame))

    def rlike(self, other):
        return Column(_kindling('column.rlike', self, other))

    def asc_nulls_first(self):
        return Column(_kindling('column.sort', self, True, True))

    def asc_nulls_last(self):
        return Column(_kindling('column.sort', self, True, False))

    def desc_nulls_first(self):
        return Column(_kindling('column.sort', self, False, True))

    def desc_nulls_last(self):
        return Column(_kindling('column.sort', self, False, False))

    def asc(self):
        return Column(_kindling('column.sort', self, True))

    def desc(self):
        return Column(_kindling('column.sort', self, False))

    def __getitem__(self, key):
        # An element of an array (from 0), the value of a map's key, or a struct's field: which one is known
        # once the column's type is.
        return _operator('getitem', (self, key), self._sql + '[' + _key_text(key) + ']')

    def getItem(self, key):
        return self[key]

    def getField(self, name):
        return _operator('getfield', (self, name), self._sql + '[' + _key_text(name) + ']')

    def when(self, condition, value):
        return Column(_kindling('column.when', self, condition, value))

    def otherwise(self, value):
        return Column(_kindling('column.otherwise', self, value))


def _key_text(key):
    return "'" + key + "'" if isinstance(key, str) else _text(key)


def _text(operand):
    if type(operand) is Column:
        return operand._sql
    return str(operand)


def _operator(op, operands, text):
    column = Column((None, text))
    column._op = op
    column._args = operands
    return column


def _binary(op, left, right):
    symbol = {'==': '=', '&': 'and', '|': 'or'}.get(op, op)
    return _operator(op, (left, right), symbol + '(' + _text(left) + ', ' + _text(right) + ')')


def _kindling_compare(op, left, right):
    # The lowering pass turns `a < b` into `_kindling_compare('<', a, b)`: a Column builds an expression, any other
    # value compares as Python does.
    if type(left) is Column or type(right) is Column:
        return _binary(op, left, right)
    if op == '<':
        return left < right
    if op == '<=':
        return left <= right
    if op == '>':
        return left > right
    if op == '>=':
        return left >= right
    return left != right


def _literal_of(value):
    # A Column, or a constant: a string here is a value, not a column's name.
    return value if type(value) is Column else Column(_kindling('functions.lit', value))
