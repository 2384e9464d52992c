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

    def __call__(self, *cols, **kwargs):
        key = self._key
        keywords = list(kwargs)
        if keywords:
            # The executors pass every argument by position; this function hands the trailing ones on by name.
            key = _kindling_register(_with_keywords(self.func, len(cols), keywords))
        arguments = list(cols) + [kwargs[k] for k in keywords]
        return Column(_kindling('udf.call', key, self.__name__, _type_name(self.returnType), arguments, keywords))


def _with_keywords(func, positional, keywords):
    def call(*values):
        named = {}
        for i in range(len(keywords)):
            named[keywords[i]] = values[positional + i]
        return func(*values[:positional], **named)
    return call


def _function_name(func):
    # The sandbox's functions have no `__name__`; their repr is `<function 'name' at 0x…>`.
    text = repr(func)
    if text.startswith('<function '):
        return text[len('<function '):].split(' ')[0].strip("'")
    return text


def _call(name, *args):
    return Column(_kindling('functions.call', name, *args))


def _options_map(options):
    # A reader's options, as the constant map Spark's functions take them.
    entries = []
    for key in options:
        entries.append(Column(_kindling('functions.lit', key)))
        entries.append(Column(_kindling('functions.lit', str(options[key]))))
    return _call('map', *entries)


def _column_of(col):
    # A Column, or the column a string names.
    return col if type(col) is Column else Column(_kindling('functions.col', col))


def _trim(name, col, trim):
    # The characters to cut (a column, or the column a string names) come first, as Spark's functions take them.
    if trim is None:
        return _call(name, col)
    return _call(name, trim, col)


def _call_given(name, *args):
    # Optional arguments left out (None) at the end are not passed: the engine's defaults apply.
    given = list(args)
    while given and given[-1] is None:
        given.pop()
    return _call(name, *given)


def _aggregate(name, column, distinct=False, *more):
    return Column(_kindling('functions.aggregate', name, column, distinct, *more))


def _percentages(percentage):
    # A list of percentages is an array literal, as PySpark makes it.
    if isinstance(percentage, (list, tuple)):
        return Column(_kindling('functions.call', 'array', *[Column(_kindling('functions.lit', p)) for p in percentage]))
    return percentage


# PySpark names a lambda's parameters x, y, z, each numbered by one counter of every variable made.
_lambda_variables = [0]


def _lambda(f):
    # The sandbox cannot read a function's parameters, so the lambda is called with one, two, then three
    # variables until it accepts them, as PySpark's reading of its signature would decide.
    name = _function_name(f)
    for count in (1, 2, 3):
        names = [('x', 'y', 'z')[i] + '_' + str(_lambda_variables[0] + 1 + i) for i in range(count)]
        # Taken before the call: a lambda made inside this one's body numbers its variables after these.
        _lambda_variables[0] += count
        try:
            body = f(*[Column(_kindling('functions.col', n)) for n in names])
        except TypeError as error:
            if str(error).startswith(name + '()'):
                _lambda_variables[0] -= count
                continue
            raise
        if type(body) is not Column:
            raise ValueError('[HIGHER_ORDER_FUNCTION_SHOULD_RETURN_COLUMN] Function `' + name
                             + '` should return Column, got ' + type(body).__name__ + '.')
        return [names, body]
    raise ValueError('[WRONG_NUM_ARGS_FOR_HIGHER_ORDER_FUNCTION] Function `' + name
                     + '` should take between 1 and 3 arguments.')


def _higher_order(name, values, *functions):
    lambdas = []
    for f in functions:
        if f is not None:
            lambdas.extend(_lambda(f))
    return Column(_kindling('functions.higher_order', name, len(values), *values, *lambdas))


def _window_function(name, *args):
    return Column(_kindling('functions.window_function', name, *args))


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

    def asc_nulls_first(self, col):
        return _column_of(col).asc_nulls_first()

    def asc_nulls_last(self, col):
        return _column_of(col).asc_nulls_last()

    def desc_nulls_first(self, col):
        return _column_of(col).desc_nulls_first()

    def desc_nulls_last(self, col):
        return _column_of(col).desc_nulls_last()

    def array_agg(self, col):
        return _aggregate('collect_list', col)

    def asc(self, col):
        return Column(_kindling('column.sort', _column_of(col), True))

    def desc(self, col):
        return Column(_kindling('column.sort', _column_of(col), False))

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

    def to_timestamp_ltz(self, timestamp, format=None):
        return _call_given('to_timestamp_ltz', timestamp, format)

    def make_dt_interval(self, days=None, hours=None, mins=None, secs=None):
        # PySpark passes 0 for each field left out.
        return _call('make_dt_interval', *[0 if field is None else field for field in (days, hours, mins, secs)])

    def make_ym_interval(self, years=None, months=None):
        return _call('make_ym_interval', *[0 if field is None else field for field in (years, months)])

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

    def date_diff(self, end, start):
        return _call('date_diff', end, start)

    def unix_timestamp(self, timestamp=None, format='yyyy-MM-dd HH:mm:ss'):
        return _call('unix_timestamp', timestamp, format)

    def date_format(self, date, format):
        return _call('date_format', date, format)

    def concat(self, *cols):
        return _call('concat', *cols)

    def array(self, *cols):
        return _call('array', *_flatten(cols))

    def struct(self, *cols):
        return _call('struct', *_flatten(cols))

    def named_struct(self, *cols):
        return _call('named_struct', *cols)

    def create_map(self, *cols):
        return _call('map', *_flatten(cols))

    def split(self, str, pattern, limit=-1):
        return _call('split', str, pattern, limit)

    def size(self, col):
        return _call('size', col)

    def cardinality(self, col):
        return _call('cardinality', col)

    def array_contains(self, col, value):
        return _call('array_contains', col, value)

    def element_at(self, col, extraction):
        return _call('element_at', col, extraction)

    def sort_array(self, col, asc=True):
        return _call('sort_array', col, asc)

    def array_distinct(self, col):
        return _call('array_distinct', col)

    def flatten(self, col):
        return _call('flatten', col)

    def hash(self, *cols):
        return _call('hash', *cols)

    def map_keys(self, col):
        return _call('map_keys', col)

    def map_values(self, col):
        return _call('map_values', col)

    def array_join(self, col, delimiter, null_replacement=None):
        return _call_given('array_join', col, delimiter, null_replacement)

    def slice(self, x, start, length):
        return _call('slice', x, start, length)

    def array_max(self, col):
        return _call('array_max', col)

    def array_min(self, col):
        return _call('array_min', col)

    def array_position(self, col, value):
        return _call('array_position', col, value)

    def array_remove(self, col, element):
        return _call('array_remove', col, element)

    def array_union(self, col1, col2):
        return _call('array_union', col1, col2)

    def array_intersect(self, col1, col2):
        return _call('array_intersect', col1, col2)

    def array_except(self, col1, col2):
        return _call('array_except', col1, col2)

    def arrays_overlap(self, a1, a2):
        return _call('arrays_overlap', a1, a2)

    def explode(self, col):
        return Column(_kindling('functions.generator', 'explode', col))

    def inline(self, col):
        return Column(_kindling('functions.generator', 'inline', col))

    def inline_outer(self, col):
        return Column(_kindling('functions.generator', 'inline_outer', col))

    def stack(self, *cols):
        return Column(_kindling('functions.generator', 'stack', *cols))

    def json_tuple(self, col, *fields):
        if len(fields) == 0:
            raise ValueError('[CANNOT_BE_EMPTY] At least one field must be specified.')
        return Column(_kindling('functions.generator', 'json_tuple', col, *fields))

    def explode_outer(self, col):
        return Column(_kindling('functions.generator', 'explode_outer', col))

    def posexplode(self, col):
        return Column(_kindling('functions.generator', 'posexplode', col))

    def posexplode_outer(self, col):
        return Column(_kindling('functions.generator', 'posexplode_outer', col))

    def concat_ws(self, sep, *cols):
        return _call('concat_ws', sep, *cols)

    def upper(self, col):
        return _call('upper', col)

    def lower(self, col):
        return _call('lower', col)

    def trim(self, col, trim=None):
        return _trim('trim', col, trim)

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
        return _aggregate('first_value', col, False, bool(ignoreNulls))

    def last_value(self, col, ignoreNulls=None):
        return _aggregate('last_value', col, False, bool(ignoreNulls))

    def any_value(self, col, ignoreNulls=None):
        return _aggregate('any_value', col, False, bool(ignoreNulls))

    def histogram_numeric(self, col, nBins):
        return _aggregate('histogram_numeric', col, False, nBins)

    def percentile_approx(self, col, percentage, accuracy=10000):
        return _aggregate('percentile_approx', col, False, _percentages(percentage), accuracy)

    def approx_percentile(self, col, percentage, accuracy=10000):
        return _aggregate('approx_percentile', col, False, _percentages(percentage), accuracy)

    def percentile(self, col, percentage, frequency=1):
        return _aggregate('percentile', col, False, _percentages(percentage), frequency)

    def median(self, col):
        return _aggregate('median', col)

    def collect_list(self, col):
        return _aggregate('collect_list', col)

    def collect_set(self, col):
        return _aggregate('collect_set', col)

    def count(self, col):
        return _aggregate('count', col)

    def countDistinct(self, col, *cols):
        return _aggregate('count', col, True, *cols)

    def count_distinct(self, col, *cols):
        return _aggregate('count', col, True, *cols)

    def sum_distinct(self, col):
        return _aggregate('sum', col, True)

    def isnull(self, col):
        return _call_given('isnull', col)

    def isnotnull(self, col):
        return _call_given('isnotnull', col)

    def isnan(self, col):
        return _call_given('isnan', col)

    def nanvl(self, col1, col2):
        return _call_given('nanvl', col1, col2)

    def log(self, arg1, arg2=None):
        if arg2 is None:
            return _call_given('ln', arg1)
        return _call_given('log', arg1, arg2)

    def log10(self, col):
        return _call_given('log10', col)

    def log2(self, col):
        return _call_given('log2', col)

    def ln(self, col):
        return _call_given('ln', col)

    def regexp_replace(self, string, pattern, replacement, position=None):
        return _call_given('regexp_replace', string, pattern, replacement, position)

    def regexp_extract(self, str, pattern, idx):
        return _call_given('regexp_extract', str, pattern, idx)

    def regexp_like(self, str, regexp):
        return _call_given('regexp_like', str, regexp)

    def rlike(self, str, regexp):
        return _call_given('rlike', str, regexp)

    def try_divide(self, left, right):
        return _call_given('try_divide', left, right)

    def count_if(self, col):
        return _call_given('count_if', col)

    def sumDistinct(self, col):
        return _aggregate('sum', col, True)

    # Functions that only make sense over a window (Column.over).
    def row_number(self):
        return _window_function('row_number')

    def rank(self):
        return _window_function('rank')

    def dense_rank(self):
        return _window_function('dense_rank')

    def percent_rank(self):
        return _window_function('percent_rank')

    def cume_dist(self):
        return _window_function('cume_dist')

    def ntile(self, n):
        return _window_function('ntile', n)

    def lag(self, col, offset=1, default=None):
        return _window_function('lag', col, offset, default)

    def lead(self, col, offset=1, default=None):
        return _window_function('lead', col, offset, default)

    def nth_value(self, col, offset, ignoreNulls=False):
        return _window_function('nth_value', col, offset, ignoreNulls)

    # Statistics of spread, from running moments (crates/engine/src/aggregate/moments.rs).
    def stddev(self, col):
        return _aggregate('stddev', col)

    def std(self, col):
        return _aggregate('std', col)

    def stddev_samp(self, col):
        return _aggregate('stddev_samp', col)

    def stddev_pop(self, col):
        return _aggregate('stddev_pop', col)

    def variance(self, col):
        return _aggregate('variance', col)

    def var_samp(self, col):
        return _aggregate('var_samp', col)

    def var_pop(self, col):
        return _aggregate('var_pop', col)

    def skewness(self, col):
        return _aggregate('skewness', col)

    def kurtosis(self, col):
        return _aggregate('kurtosis', col)

    def corr(self, col1, col2):
        return _aggregate('corr', col1, False, col2)

    def covar_samp(self, col1, col2):
        return _aggregate('covar_samp', col1, False, col2)

    def covar_pop(self, col1, col2):
        return _aggregate('covar_pop', col1, False, col2)

    # The long tail of Spark's functions, each the engine's function of the same name (see value_arguments in
    # crates/pyspark/src/host/column.rs for which arguments are values rather than column names).
    def startswith(self, str, prefix):
        return _call_given('startswith', str, prefix)

    def endswith(self, str, suffix):
        return _call_given('endswith', str, suffix)

    def contains(self, left, right):
        return _call_given('contains', left, right)

    def left(self, str, len):
        return _call_given('left', str, len)

    def right(self, str, len):
        return _call_given('right', str, len)

    def replace(self, src, search, replace=None):
        return _call_given('replace', src, search, replace)

    def lpad(self, col, len, pad):
        return _call_given('lpad', col, len, pad)

    def rpad(self, col, len, pad):
        return _call_given('rpad', col, len, pad)

    def ltrim(self, col, trim=None):
        return _trim('ltrim', col, trim)

    def rtrim(self, col, trim=None):
        return _trim('rtrim', col, trim)

    def btrim(self, str, trim=None):
        return _call_given('btrim', str, trim)

    def split_part(self, src, delimiter, partNum):
        return _call_given('split_part', src, delimiter, partNum)

    def repeat(self, col, n):
        return _call_given('repeat', col, n)

    def reverse(self, col):
        return _call_given('reverse', col)

    def instr(self, str, substr, start=None, occurrence=None):
        if start is None and occurrence is None:
            return _call('instr', str, substr)
        if occurrence is None:
            return _call('instr', str, substr, start)
        return _call('instr', str, substr, 1 if start is None else start, occurrence)

    def locate(self, substr, str, pos=1):
        return _call_given('locate', substr, str, pos)

    def ascii(self, col):
        return _call_given('ascii', col)

    def char(self, col):
        return _call_given('char', col)

    def initcap(self, col):
        return _call_given('initcap', col)

    def from_json(self, col, schema, options=None):
        if hasattr(schema, 'simpleString'):
            schema = schema.simpleString()
        if type(schema) is str:
            schema = Column(_kindling('functions.lit', schema))
        return _call('from_json', col, schema)

    def from_csv(self, col, schema, options=None):
        if type(schema) is str:
            schema = Column(_kindling('functions.lit', schema))
        if options is None:
            return _call('from_csv', col, schema)
        return _call('from_csv', col, schema, _options_map(options))

    def to_csv(self, col, options=None):
        if options is None:
            return _call('to_csv', col)
        return _call('to_csv', col, _options_map(options))

    def product(self, col):
        return _aggregate('product', col)

    def bit_and(self, col):
        return _aggregate('bit_and', col)

    def bit_or(self, col):
        return _aggregate('bit_or', col)

    def bit_xor(self, col):
        return _aggregate('bit_xor', col)

    def max_by(self, col, ord):
        return _aggregate('max_by', col, False, ord)

    def min_by(self, col, ord):
        return _aggregate('min_by', col, False, ord)

    def mode(self, col, deterministic=False):
        return _aggregate('mode', col)

    def approx_count_distinct(self, col, rsd=None):
        return _aggregate('approx_count_distinct', col, False, rsd)

    def approxCountDistinct(self, col, rsd=None):
        _kindling('session.warn', 'FutureWarning: Deprecated in 2.1, use approx_count_distinct instead.')
        return self.approx_count_distinct(col, rsd)

    def rand(self, seed=None):
        return _call_given('rand', seed)

    def randn(self, seed=None):
        return _call_given('randn', seed)

    def monotonically_increasing_id(self):
        return _call('monotonically_increasing_id')

    def spark_partition_id(self):
        return _call('spark_partition_id')

    def input_file_name(self):
        return _call('input_file_name')

    def md5(self, col):
        return _call('md5', col)

    def sha1(self, col):
        return _call('sha1', col)

    def sha2(self, col, numBits):
        if numBits not in (0, 224, 256, 384, 512):
            raise ValueError('[VALUE_NOT_ALLOWED] Value for `numBits` has to be amongst the following values: '
                             '[0, 224, 256, 384, 512].')
        return _call('sha2', col, numBits)

    def crc32(self, col):
        return _call('crc32', col)

    def levenshtein(self, left, right, threshold=None):
        return _call_given('levenshtein', left, right, threshold)

    def soundex(self, col):
        return _call('soundex', col)

    def format_number(self, col, d):
        return _call('format_number', col, d)

    def months_between(self, date1, date2, roundOff=True):
        return _call('months_between', date1, date2, roundOff)

    def trunc(self, date, format):
        return _call('trunc', date, format)

    def translate(self, srcCol, matching, replace):
        return _call_given('translate', srcCol, matching, replace)

    def hex(self, col):
        return _call_given('hex', col)

    def unhex(self, col):
        return _call_given('unhex', col)

    def ceil(self, col, scale=None):
        return _call_given('ceil', col, scale)

    def ceiling(self, col, scale=None):
        return _call_given('ceiling', col, scale)

    def floor(self, col, scale=None):
        return _call_given('floor', col, scale)

    def pmod(self, dividend, divisor):
        return _call_given('pmod', dividend, divisor)

    def sqrt(self, col):
        return _call_given('sqrt', col)

    def exp(self, col):
        return _call_given('exp', col)

    def ln(self, col):
        return _call_given('ln', col)

    def log10(self, col):
        return _call_given('log10', col)

    def log2(self, col):
        return _call_given('log2', col)

    def pow(self, col1, col2):
        return _call_given('power', col1, col2)

    def power(self, col1, col2):
        return _call_given('power', col1, col2)

    def sign(self, col):
        return _call_given('sign', col)

    def signum(self, col):
        return _call_given('signum', col)

    def positive(self, col):
        return _call_given('positive', col)

    def negative(self, col):
        return _call_given('negative', col)

    def sin(self, col):
        return _call_given('sin', col)

    def cos(self, col):
        return _call_given('cos', col)

    def tan(self, col):
        return _call_given('tan', col)

    def sec(self, col):
        return _call_given('sec', col)

    def csc(self, col):
        return _call_given('csc', col)

    def cot(self, col):
        return _call_given('cot', col)

    def degrees(self, col):
        return _call_given('degrees', col)

    def radians(self, col):
        return _call_given('radians', col)

    def bround(self, col, scale=None):
        return _call_given('bround', col, scale)

    def width_bucket(self, v, min, max, numBucket):
        return _call_given('width_bucket', v, min, max, numBucket)

    def date_add(self, start, days):
        return _call_given('date_add', start, days)

    def dateadd(self, start, days):
        return _call_given('date_add', start, days)

    def date_sub(self, start, days):
        return _call_given('date_sub', start, days)

    def next_day(self, date, dayOfWeek):
        return _call_given('next_day', date, dayOfWeek)

    def make_date(self, year, month, day):
        return _call_given('make_date', year, month, day)

    def last_day(self, date):
        return _call_given('last_day', date)

    def add_months(self, start, months):
        return _call_given('add_months', start, months)

    def dayofyear(self, col):
        return _call_given('dayofyear', col)

    def weekofyear(self, col):
        return _call_given('weekofyear', col)

    def quarter(self, col):
        return _call_given('quarter', col)

    def weekday(self, col):
        return _call_given('weekday', col)

    def timestamp_seconds(self, col):
        return _call_given('timestamp_seconds', col)

    def unix_date(self, col):
        return _call_given('unix_date', col)

    def date_from_unix_date(self, days):
        return _call_given('date_from_unix_date', days)

    def encode(self, col, charset):
        return _call_given('encode', col, charset)

    def decode(self, col, charset):
        return _call_given('decode', col, charset)

    def to_binary(self, col, format=None):
        return _call_given('to_binary', col, format)

    def to_number(self, col, format):
        return _call_given('to_number', col, format)

    def is_valid_utf8(self, str):
        return _call_given('is_valid_utf8', str)

    def make_valid_utf8(self, str):
        return _call_given('make_valid_utf8', str)

    def validate_utf8(self, str):
        return _call_given('validate_utf8', str)

    def try_validate_utf8(self, str):
        return _call_given('try_validate_utf8', str)

    def timestamp_add(self, unit, quantity, ts):
        return _call_given('timestampadd', unit, quantity, ts)

    def timestamp_diff(self, unit, start, end):
        return _call_given('timestampdiff', unit, start, end)

    def nvl(self, col1, col2):
        return _call_given('nvl', col1, col2)

    def ifnull(self, col1, col2):
        return _call_given('ifnull', col1, col2)

    def nullif(self, col1, col2):
        return _call_given('nullif', col1, col2)

    def nvl2(self, col1, col2, col3):
        return _call_given('nvl2', col1, col2, col3)

    def from_unixtime(self, timestamp, format='yyyy-MM-dd HH:mm:ss'):
        return _call_given('from_unixtime', timestamp, format)

    def to_char(self, col, format):
        return _call_given('to_char', col, format)

    def to_varchar(self, col, format):
        return _call_given('to_varchar', col, format)

    def every(self, col):
        return _aggregate('every', col)

    def bool_and(self, col):
        return _aggregate('bool_and', col)

    def some(self, col):
        return _aggregate('some', col)

    def bool_or(self, col):
        return _aggregate('bool_or', col)

    def current_date(self):
        return _call('current_date')

    def curdate(self):
        return _call('curdate')

    def current_timestamp(self):
        return _call('current_timestamp')

    def now(self):
        return _call('now')

    def conv(self, col, fromBase, toBase):
        return _call_given('conv', col, fromBase, toBase)

    def bin(self, col):
        return _call_given('bin', col)

    def octet_length(self, col):
        return _call_given('octet_length', col)

    def bit_length(self, col):
        return _call_given('bit_length', col)

    def to_timestamp_ntz(self, timestamp, format=None):
        return _call_given('to_timestamp_ntz', timestamp, format)

    def regr_count(self, y, x):
        return _call('regr_count', y, x)

    def regr_avgx(self, y, x):
        return _call('regr_avgx', y, x)

    def regr_avgy(self, y, x):
        return _call('regr_avgy', y, x)

    def regr_sxx(self, y, x):
        return _call('regr_sxx', y, x)

    def regr_sxy(self, y, x):
        return _aggregate('regr_sxy', y, False, x)

    def regr_r2(self, y, x):
        return _aggregate('regr_r2', y, False, x)

    def regr_slope(self, y, x):
        return _aggregate('regr_slope', y, False, x)

    def regr_intercept(self, y, x):
        return _aggregate('regr_intercept', y, False, x)

    def regr_syy(self, y, x):
        return _call('regr_syy', y, x)

    def listagg(self, col, delimiter=None):
        return Column(_kindling('functions.listagg', 'listagg', col, delimiter, False))

    def listagg_distinct(self, col, delimiter=None):
        return Column(_kindling('functions.listagg', 'listagg', col, delimiter, True))

    def string_agg(self, col, delimiter=None):
        return Column(_kindling('functions.listagg', 'string_agg', col, delimiter, False))

    def string_agg_distinct(self, col, delimiter=None):
        return Column(_kindling('functions.listagg', 'string_agg', col, delimiter, True))

    def grouping(self, col):
        return _call('grouping', col)

    def grouping_id(self, *cols):
        return _call('grouping_id', *cols)

    def window(self, timeColumn, windowDuration, slideDuration=None, startTime=None):
        return Column(_kindling('functions.time_window', timeColumn, windowDuration, slideDuration, startTime))

    def window_time(self, windowColumn):
        return _call('window_time', windowColumn)

    def transform(self, col, f):
        return _higher_order('transform', [col], f)

    def filter(self, col, f):
        return _higher_order('filter', [col], f)

    def exists(self, col, f):
        return _higher_order('exists', [col], f)

    def forall(self, col, f):
        return _higher_order('forall', [col], f)

    def aggregate(self, col, initialValue, merge, finish=None):
        return _higher_order('aggregate', [col, initialValue], merge, finish)

    def reduce(self, col, initialValue, merge, finish=None):
        return _higher_order('reduce', [col, initialValue], merge, finish)

    def zip_with(self, left, right, f):
        return _higher_order('zip_with', [left, right], f)

    def array_sort(self, col, comparator=None):
        if comparator is None:
            return _call('array_sort', col)
        return _higher_order('array_sort', [col], comparator)

    def map_filter(self, col, f):
        return _higher_order('map_filter', [col], f)

    def transform_keys(self, col, f):
        return _higher_order('transform_keys', [col], f)

    def transform_values(self, col, f):
        return _higher_order('transform_values', [col], f)

    def map_zip_with(self, col1, col2, f):
        return _higher_order('map_zip_with', [col1, col2], f)


# Every public name of PySpark's `functions` module (pyspark 4.3). Those Kindling does not have yet are still
# there, and say so when called, instead of failing with an AttributeError.
_PYSPARK_FUNCTION_NAMES = (
    'AnalyzeArgument', 'AnalyzeResult', 'ArrowUDFType', 'OrderingColumn', 'PandasUDFType', 'PartitioningColumn',
    'SelectedColumn', 'SkipRestOfInputTableException', 'UserDefinedFunction', 'UserDefinedTableFunction', 'abs',
    'acos', 'acosh', 'add_months', 'aes_decrypt', 'aes_encrypt', 'aggregate', 'any_value', 'approx_count_distinct',
    'approx_percentile', 'array', 'array_agg', 'array_append', 'array_compact', 'array_contains', 'array_distinct',
    'array_except', 'array_insert', 'array_intersect', 'array_join', 'array_max', 'array_min', 'array_position',
    'array_prepend', 'array_remove', 'array_repeat', 'array_size', 'array_sort', 'array_union', 'arrays_overlap',
    'arrays_zip', 'arrow_udf', 'arrow_udtf', 'asc', 'asc_nulls_first', 'asc_nulls_last', 'ascii', 'asin', 'asinh',
    'assert_true', 'atan', 'atan2', 'atanh', 'avg', 'base64', 'bin', 'bit_and', 'bit_count', 'bit_get', 'bit_length',
    'bit_or', 'bit_xor', 'bitmap_and_agg', 'bitmap_bit_position', 'bitmap_bucket_number', 'bitmap_construct_agg',
    'bitmap_count', 'bitmap_or_agg', 'bitwise_not', 'bool_and', 'bool_or', 'broadcast', 'bround', 'btrim', 'bucket',
    'call_function', 'call_udf', 'cardinality', 'cbrt', 'ceil', 'ceiling', 'char', 'char_length', 'character_length',
    'coalesce', 'col', 'collate', 'collation', 'collect_list', 'collect_set', 'collect_union', 'column', 'concat',
    'concat_ws', 'contains', 'conv', 'convert_timezone', 'corr', 'cos', 'cosh', 'cot', 'count', 'count_distinct',
    'count_if', 'count_min_sketch', 'counter_diff', 'covar_pop', 'covar_samp', 'crc32', 'create_map', 'csc',
    'cume_dist', 'curdate', 'current_catalog', 'current_database', 'current_date', 'current_path', 'current_schema',
    'current_time', 'current_timestamp', 'current_timezone', 'current_user', 'date_add', 'date_diff', 'date_format',
    'date_from_unix_date', 'date_part', 'date_sub', 'date_trunc', 'dateadd', 'datediff', 'datepart', 'day',
    'dayname', 'dayofmonth', 'dayofweek', 'dayofyear', 'days', 'decode', 'degrees', 'dense_rank', 'desc',
    'desc_nulls_first', 'desc_nulls_last', 'e', 'element_at', 'elt', 'encode', 'endswith', 'equal_null', 'every',
    'exists', 'exp', 'explode', 'explode_outer', 'expm1', 'expr', 'extract', 'factorial', 'filter', 'find_in_set',
    'first', 'first_value', 'flatten', 'floor', 'forall', 'format_number', 'format_string', 'from_base32',
    'from_csv', 'from_json', 'from_unixtime', 'from_utc_timestamp', 'from_xml', 'get', 'get_json_object', 'getbit',
    'greatest', 'grouping', 'grouping_id', 'hash', 'hex', 'histogram_numeric', 'hll_sketch_agg',
    'hll_sketch_estimate', 'hll_union', 'hll_union_agg', 'hmac', 'hour', 'hours', 'hypot', 'ifnull', 'ilike',
    'initcap', 'inline', 'inline_outer', 'input_file_block_length', 'input_file_block_start', 'input_file_name',
    'instr', 'is_valid_utf8', 'is_valid_variant', 'is_variant_null', 'isnan', 'isnotnull', 'isnull',
    'jaro_winkler_similarity', 'java_method', 'json_array_length', 'json_object_keys', 'json_tuple',
    'kll_merge_agg_bigint', 'kll_merge_agg_double', 'kll_merge_agg_float', 'kll_sketch_agg_bigint',
    'kll_sketch_agg_double', 'kll_sketch_agg_float', 'kll_sketch_get_n_bigint', 'kll_sketch_get_n_double',
    'kll_sketch_get_n_float', 'kll_sketch_get_quantile_bigint', 'kll_sketch_get_quantile_double',
    'kll_sketch_get_quantile_float', 'kll_sketch_get_rank_bigint', 'kll_sketch_get_rank_double',
    'kll_sketch_get_rank_float', 'kll_sketch_merge_bigint', 'kll_sketch_merge_double', 'kll_sketch_merge_float',
    'kll_sketch_to_string_bigint', 'kll_sketch_to_string_double', 'kll_sketch_to_string_float', 'kurtosis', 'lag',
    'last', 'last_day', 'last_value', 'lcase', 'lead', 'least', 'left', 'length', 'levenshtein', 'like', 'listagg',
    'listagg_distinct', 'lit', 'ln', 'localtimestamp', 'locate', 'log', 'log10', 'log1p', 'log2', 'lower', 'lpad',
    'ltrim', 'make_date', 'make_dt_interval', 'make_interval', 'make_time', 'make_timestamp', 'make_timestamp_ltz',
    'make_timestamp_ntz', 'make_valid_utf8', 'make_ym_interval', 'map_concat', 'map_contains_key', 'map_entries',
    'map_filter', 'map_from_arrays', 'map_from_entries', 'map_keys', 'map_values', 'map_zip_with', 'mask', 'max',
    'max_by', 'md5', 'mean', 'median', 'min', 'min_by', 'minute', 'mode', 'monotonically_increasing_id', 'month',
    'monthname', 'months', 'months_between', 'named_struct', 'nanvl', 'negate', 'negative', 'next_day', 'now',
    'nth_value', 'ntile', 'nullif', 'nullifzero', 'nvl', 'nvl2', 'octet_length', 'overlay', 'pandas_udf',
    'parse_json', 'parse_url', 'percent_rank', 'percentile', 'percentile_approx', 'pi', 'pmod', 'posexplode',
    'posexplode_outer', 'position', 'positive', 'pow', 'power', 'printf', 'product', 'quarter', 'quote', 'radians',
    'raise_error', 'rand', 'randn', 'randstr', 'rank', 'reduce', 'reflect', 'regexp', 'regexp_count',
    'regexp_extract', 'regexp_extract_all', 'regexp_instr', 'regexp_like', 'regexp_replace', 'regexp_substr',
    'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy',
    'regr_syy', 'repeat', 'replace', 'reverse', 'right', 'rint', 'rlike', 'round', 'row_number', 'rpad', 'rtrim',
    'schema_of_csv', 'schema_of_json', 'schema_of_variant', 'schema_of_variant_agg', 'schema_of_xml', 'sec',
    'second', 'sentences', 'sequence', 'session_user', 'session_window', 'sha', 'sha1', 'sha2', 'shiftleft',
    'shiftright', 'shiftrightunsigned', 'shuffle', 'sign', 'signum', 'sin', 'sinh', 'size', 'skewness', 'slice',
    'some', 'sort_array', 'soundex', 'spark_partition_id', 'split', 'split_part', 'sqrt', 'st_asbinary',
    'st_geogfromwkb', 'st_geomfromwkb', 'st_setsrid', 'st_srid', 'stack', 'startswith', 'std', 'stddev',
    'stddev_pop', 'stddev_samp', 'str_to_map', 'string_agg', 'string_agg_distinct', 'struct', 'substr', 'substring',
    'substring_index', 'sum', 'sum_distinct', 'tan', 'tanh', 'theta_difference', 'theta_intersection',
    'theta_intersection_agg', 'theta_sketch_agg', 'theta_sketch_estimate', 'theta_union', 'theta_union_agg',
    'time_bucket', 'time_diff', 'time_from_micros', 'time_from_millis', 'time_from_seconds', 'time_to_micros',
    'time_to_millis', 'time_to_seconds', 'time_trunc', 'timestamp_add', 'timestamp_diff', 'timestamp_micros',
    'timestamp_millis', 'timestamp_nanos', 'timestamp_seconds', 'to_base32', 'to_binary', 'to_char', 'to_csv',
    'to_date', 'to_json', 'to_number', 'to_time', 'to_timestamp', 'to_timestamp_ltz', 'to_timestamp_ntz',
    'to_unix_timestamp', 'to_utc_timestamp', 'to_varchar', 'to_variant_object', 'to_xml', 'transform',
    'transform_keys', 'transform_values', 'translate', 'trim', 'trunc', 'try_add', 'try_aes_decrypt', 'try_avg',
    'try_divide', 'try_element_at', 'try_make_interval', 'try_make_timestamp', 'try_make_timestamp_ltz',
    'try_make_timestamp_ntz', 'try_mod', 'try_multiply', 'try_parse_json', 'try_parse_url', 'try_reflect',
    'try_subtract', 'try_sum', 'try_to_binary', 'try_to_date', 'try_to_number', 'try_to_time', 'try_to_timestamp',
    'try_url_decode', 'try_validate_utf8', 'try_variant_array_append', 'try_variant_get', 'try_variant_insert',
    'try_variant_set', 'tuple_difference_double', 'tuple_difference_integer', 'tuple_difference_theta_double',
    'tuple_difference_theta_integer', 'tuple_intersection_agg_double', 'tuple_intersection_agg_integer',
    'tuple_intersection_double', 'tuple_intersection_integer', 'tuple_intersection_theta_double',
    'tuple_intersection_theta_integer', 'tuple_sketch_agg_double', 'tuple_sketch_agg_integer',
    'tuple_sketch_estimate_double', 'tuple_sketch_estimate_integer', 'tuple_sketch_summary_double',
    'tuple_sketch_summary_integer', 'tuple_sketch_theta_double', 'tuple_sketch_theta_integer',
    'tuple_union_agg_double', 'tuple_union_agg_integer', 'tuple_union_double', 'tuple_union_integer',
    'tuple_union_theta_double', 'tuple_union_theta_integer', 'typeof', 'ucase', 'udf', 'udtf', 'unbase64', 'unhex',
    'uniform', 'unix_date', 'unix_micros', 'unix_millis', 'unix_nanos', 'unix_seconds', 'unix_timestamp',
    'unwrap_udt', 'upper', 'url_decode', 'url_encode', 'user', 'validate_utf8', 'var_pop', 'var_samp', 'variance',
    'variant_array_append', 'variant_delete', 'variant_get', 'variant_insert', 'variant_set', 'variant_strip_nulls',
    'vector_avg', 'vector_cosine_similarity', 'vector_inner_product', 'vector_l2_distance', 'vector_norm',
    'vector_normalize', 'vector_sum', 'version', 'weekday', 'weekofyear', 'when', 'width_bucket', 'window',
    'window_time', 'xpath', 'xpath_boolean', 'xpath_double', 'xpath_float', 'xpath_int', 'xpath_long',
    'xpath_number', 'xpath_short', 'xpath_string', 'xxhash64', 'year', 'years', 'zeroifnull', 'zip_with',
)


def _not_supported_function(name):
    # A method of the functions module: its first argument is the module.
    def call(module, *args, **kwargs):
        raise NotImplementedError('not supported in Kindling yet: functions.' + name)
    return call


def _functions_with_every_name():
    _with_scalar_functions(_functions_module)
    _functions_module.__all__ = _PYSPARK_FUNCTION_NAMES
    for name in _PYSPARK_FUNCTION_NAMES:
        if not hasattr(_functions_module, name):
            setattr(_functions_module, name, _not_supported_function(name))
    return _functions_module()
