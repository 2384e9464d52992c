# The importable modules. The sandbox asks the host for `import pyspark`; the host answers with the `pyspark`
# object below, and `pyspark.sql.functions` and the like are its attributes. A module is the one instance of a
# class that holds its members: an object crosses to the host and back only if its own attributes can.

_kindling_objects = {}
_kindling_failed_row = [None]


def _kindling_register(obj):
    # Python functions stay in the sandbox; the engine refers to them by this key.
    key = len(_kindling_objects) + 1
    _kindling_objects[key] = obj
    return key


def _kindling_failed_input():
    return _kindling_failed_row[0]


class _TypesModule:
    pass


class _WindowModule:
    pass


class _SqlModule:
    pass


class _PysparkModule:
    pass


class _ErrorsModule:
    pass


class _UtilsModule:
    pass


class _ArgparseModule:
    pass


class _StoragelevelModule:
    pass


def _module(module_class, members, public):
    # `public` is the module's `__all__`: what `from <module> import *` binds.
    module_class.__all__ = tuple(public)
    for member in members:
        setattr(module_class, member, members[member])
    return module_class()


_TYPES = {
    'StructType': StructType, 'StructField': StructField, 'StringType': StringType, 'IntegerType': IntegerType,
    'LongType': LongType, 'ShortType': ShortType, 'ByteType': ByteType, 'DoubleType': DoubleType,
    'FloatType': FloatType, 'BooleanType': BooleanType, 'DateType': DateType, 'TimestampType': TimestampType,
    'TimestampNTZType': TimestampNTZType, 'BinaryType': BinaryType, 'NullType': NullType,
    'DecimalType': DecimalType, 'ArrayType': ArrayType, 'MapType': MapType, 'Row': Row,
    'DayTimeIntervalType': DayTimeIntervalType, 'YearMonthIntervalType': YearMonthIntervalType,
}
_WINDOW = {'Window': Window, 'WindowSpec': WindowSpec}
_SQL = {
    'SparkSession': SparkSession, 'DataFrame': DataFrame, 'Column': Column, 'GroupedData': GroupedData,
    'DataFrameReader': DataFrameReader, 'DataFrameWriter': DataFrameWriter, 'Row': Row,
    'Window': Window, 'WindowSpec': WindowSpec,
}
_SUBMODULES = {
    'types': _module(_TypesModule, _TYPES, _TYPES),
    'functions': _functions_with_every_name(),
    'window': _module(_WindowModule, _WINDOW, _WINDOW),
}
# PySpark's exception classes. The sandbox has no class inheritance, so each is the built-in class it derives from:
# `except AnalysisException` catches Spark's errors as PySpark's does, and any other Exception too.
_CAPTURED = ['AnalysisException', 'ParseException', 'IllegalArgumentException', 'ArithmeticException',
             'NumberFormatException', 'ArrayIndexOutOfBoundsException', 'DateTimeException', 'SparkRuntimeException',
             'PythonException', 'QueryExecutionException', 'StreamingQueryException', 'TempTableAlreadyExistsException',
             'UnknownException', 'SparkUpgradeException', 'SparkNoSuchElementException', 'PySparkException',
             'PySparkRuntimeError', 'PySparkAssertionError', 'PySparkNotImplementedError']
_ERRORS = {}
for _name in _CAPTURED:
    _ERRORS[_name] = Exception
_ERRORS['PySparkValueError'] = ValueError
_ERRORS['PySparkTypeError'] = TypeError
_ERRORS['PySparkAttributeError'] = AttributeError
_ERRORS['PySparkIndexError'] = IndexError
_ERRORS['PySparkKeyError'] = KeyError
_errors_module = _module(_ErrorsModule, _ERRORS, _ERRORS)
_SUBMODULES['utils'] = _module(_UtilsModule, _ERRORS, ())
_sql_module = _module(_SqlModule, dict(list(_SQL.items()) + list(_SUBMODULES.items())), _SQL)
_PYSPARK = {'SparkConf': SparkConf, 'SparkContext': SparkContext, 'RDD': RDD, 'StorageLevel': StorageLevel}
_storagelevel_module = _module(_StoragelevelModule, {'StorageLevel': StorageLevel}, ('StorageLevel',))
_kindling_pyspark = _module(_PysparkModule, dict(list(_PYSPARK.items()) + [('sql', _sql_module), ('errors', _errors_module),
                                                                          ('storagelevel', _storagelevel_module)]), _PYSPARK)
_kindling_argparse = _module(_ArgparseModule, {'ArgumentParser': ArgumentParser, 'Namespace': Namespace}, ())


# The standard library's `operator` and `string`, which the sandbox lacks: the functions an RDD program passes
# (`reduceByKey(operator.add)`, `sortBy(operator.itemgetter(1))`) and the character sets.
class _OperatorModule:
    def add(self, a, b):
        return a + b

    def sub(self, a, b):
        return a - b

    def mul(self, a, b):
        return a * b

    def truediv(self, a, b):
        return a / b

    def floordiv(self, a, b):
        return a // b

    def mod(self, a, b):
        return a % b

    def pow(self, a, b):
        return a ** b

    def neg(self, a):
        return -a

    def eq(self, a, b):
        return a == b

    def ne(self, a, b):
        return not (a == b)

    def lt(self, a, b):
        return a < b

    def le(self, a, b):
        return a <= b

    def gt(self, a, b):
        return a > b

    def ge(self, a, b):
        return a >= b

    def and_(self, a, b):
        return a & b

    def or_(self, a, b):
        return a | b

    def not_(self, a):
        return not a

    def concat(self, a, b):
        return a + b

    def contains(self, a, b):
        return b in a

    def itemgetter(self, *items):
        if len(items) == 1:
            return lambda obj: obj[items[0]]
        return lambda obj: tuple([obj[item] for item in items])

    def attrgetter(self, *names):
        if len(names) == 1:
            return lambda obj: getattr(obj, names[0])
        return lambda obj: tuple([getattr(obj, name) for name in names])


class _StringModule:
    ascii_lowercase = 'abcdefghijklmnopqrstuvwxyz'
    ascii_uppercase = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    ascii_letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
    digits = '0123456789'
    hexdigits = '0123456789abcdefABCDEF'
    octdigits = '01234567'
    punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
    whitespace = ' \t\n\r\x0b\x0c'
    printable = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c'

    def capwords(self, s, sep=None):
        return (sep or ' ').join([word.capitalize() for word in s.split(sep)])


# `tempfile`, over the session's file system (the disk with the CLI, the page's files in the browser): folders
# to write DataFrames into. A file of its own needs `open`, which the sandbox does not give.
class _TempfileModule:
    tempdir = None

    def gettempdir(self):
        return self.tempdir or _kindling('fs.temp_root')

    def mkdtemp(self, suffix=None, prefix=None, dir=None):
        parent = self.gettempdir() if dir is None else dir
        prefix = 'tmp' if prefix is None else prefix
        if not _kindling('fs.exists', parent):
            name = ''.join([random.choice('abcdefghijklmnopqrstuvwxyz0123456789_') for _ in range(8)])
            raise FileNotFoundError("[Errno 2] No such file or directory: '" + parent.rstrip('/') + '/' + prefix
                                    + name + (suffix or '') + "'")
        return _kindling('fs.make_temp_dir', suffix or '', prefix, parent)

    def TemporaryDirectory(self, suffix=None, prefix=None, dir=None, ignore_cleanup_errors=False, delete=True):
        return _TemporaryDirectory(self.mkdtemp(suffix, prefix, dir), delete)

    def mkstemp(self, suffix=None, prefix=None, dir=None, text=False):
        _no_temp_file('mkstemp')

    def NamedTemporaryFile(self, *args, **kwargs):
        _no_temp_file('NamedTemporaryFile')

    def TemporaryFile(self, *args, **kwargs):
        _no_temp_file('TemporaryFile')


def _no_temp_file(name):
    raise NotImplementedError('not supported in Kindling yet: tempfile.' + name
                              + ' (the sandbox cannot open files); tempfile.mkdtemp() gives a folder to write into')


class _TemporaryDirectory:
    def __init__(self, name, delete):
        self.name = name
        self._delete = delete

    def __enter__(self):
        return self.name

    def __exit__(self, kind, value, traceback):
        if self._delete:
            self.cleanup()
        return False

    def cleanup(self):
        _kindling('fs.remove', self.name)

    def __repr__(self):
        return '<TemporaryDirectory ' + repr(self.name) + '>'


_kindling_tempfile = _TempfileModule()
_kindling_operator = _OperatorModule()
_kindling_string = _StringModule()

# What `from <module> import *` binds, by module path (the lowering spells the names out).
_kindling_star_names = {
    'pyspark': _kindling_pyspark.__all__,
    'pyspark.sql': _sql_module.__all__,
    'pyspark.sql.types': _SUBMODULES['types'].__all__,
    'pyspark.sql.functions': _SUBMODULES['functions'].__all__,
    'pyspark.sql.window': _SUBMODULES['window'].__all__,
    'pyspark.errors': _errors_module.__all__,
}
