# pyspark.sql.functions (imported as F): every function builds a Column on the host, which knows each function's
# arguments — which are columns (a string names a column) and which are plain values (a format, a separator).

class UserDefinedFunction:
    # A Python function applied per row by the executors. The function stays in the sandbox under `_key`; each
    # task calls it through a copy of the interpreter (see the host's `udf` module).
    def __init__(self, func, returnType):
        self.func = func
        self.returnType = returnType if not isinstance(returnType, str) else _type_from_name(returnType)
        self._key = _kindling_register(func)
        self.__name__ = _function_name(func)

    def __call__(self, *cols):
        return Column(_kindling('udf.call', self._key, self.__name__, _type_name(self.returnType), list(cols)))


def _function_name(func):
    # The sandbox's functions have no `__name__`; their repr is `<function 'name' at 0x…>`.
    text = repr(func)
    if text.startswith('<function '):
        return text[len('<function '):].split(' ')[0].strip("'")
    return text


def _call(name, *args):
    return Column(_kindling('functions.call', name, *args))


def _aggregate(name, column, distinct=False, *more):
    return Column(_kindling('functions.aggregate', name, column, distinct, *more))


class _functions_module:
    def col(self, col):
        return Column(_kindling('functions.col', col))

    def column(self, col):
        return self.col(col)

    def lit(self, col):
        if type(col) is Column:
            return col
        return Column(_kindling('functions.lit', col))

    def expr(self, str):
        return Column(_kindling('functions.expr', str))

    def when(self, condition, value):
        return Column(_kindling('functions.when', condition, value))

    def broadcast(self, df):
        return df._derive('dataframe.broadcast')

    def asc(self, col):
        return Column(_kindling('column.sort', self.col(col), True))

    def desc(self, col):
        return Column(_kindling('column.sort', self.col(col), False))

    def udf(self, f=None, returnType=None, useArrow=None):
        if returnType is None:
            returnType = StringType()
        if f is None or isinstance(f, str) or hasattr(f, 'simpleString'):
            if f is not None:
                returnType = f
            return lambda func: UserDefinedFunction(func, returnType)
        return UserDefinedFunction(f, returnType)

    def to_date(self, col, format=None):
        return _call('to_date', col) if format is None else _call('to_date', col, format)

    def to_timestamp(self, col, format=None):
        return _call('to_timestamp', col) if format is None else _call('to_timestamp', col, format)

    def date_trunc(self, format, timestamp):
        return _call('date_trunc', format, timestamp)

    def year(self, col):
        return _call('year', col)

    def month(self, col):
        return _call('month', col)

    def dayofmonth(self, col):
        return _call('dayofmonth', col)

    def dayofweek(self, col):
        return _call('dayofweek', col)

    def hour(self, col):
        return _call('hour', col)

    def minute(self, col):
        return _call('minute', col)

    def second(self, col):
        return _call('second', col)

    def datediff(self, end, start):
        return _call('datediff', end, start)

    def unix_timestamp(self, timestamp=None, format='yyyy-MM-dd HH:mm:ss'):
        return _call('unix_timestamp', timestamp, format)

    def date_format(self, date, format):
        return _call('date_format', date, format)

    def concat(self, *cols):
        return _call('concat', *cols)

    def concat_ws(self, sep, *cols):
        return _call('concat_ws', sep, *cols)

    def upper(self, col):
        return _call('upper', col)

    def lower(self, col):
        return _call('lower', col)

    def trim(self, col):
        return _call('trim', col)

    def substring(self, str, pos, len):
        return _call('substring', str, pos, len)

    def length(self, col):
        return _call('length', col)

    def coalesce(self, *cols):
        return _call('coalesce', *cols)

    def round(self, col, scale=0):
        return _call('round', col, scale)

    def abs(self, col):
        return _call('abs', col)

    def greatest(self, *cols):
        return _call('greatest', *cols)

    def least(self, *cols):
        return _call('least', *cols)

    def sum(self, col):
        return _aggregate('sum', col)

    def avg(self, col):
        return _aggregate('avg', col)

    def mean(self, col):
        return _aggregate('mean', col)

    def min(self, col):
        return _aggregate('min', col)

    def max(self, col):
        return _aggregate('max', col)

    def first(self, col, ignorenulls=False):
        return _aggregate('first_ignore_nulls' if ignorenulls else 'first', col)

    def last(self, col, ignorenulls=False):
        return _aggregate('last_ignore_nulls' if ignorenulls else 'last', col)

    def first_value(self, col, ignoreNulls=None):
        return self.first(col, bool(ignoreNulls))

    def last_value(self, col, ignoreNulls=None):
        return self.last(col, bool(ignoreNulls))

    def any_value(self, col, ignoreNulls=None):
        return self.first(col, bool(ignoreNulls))

    def count(self, col):
        return _aggregate('count', col)

    def countDistinct(self, col, *cols):
        return _aggregate('count', col, True, *cols)

    def count_distinct(self, col, *cols):
        return _aggregate('count', col, True, *cols)

    def sum_distinct(self, col):
        return _aggregate('sum', col, True)
