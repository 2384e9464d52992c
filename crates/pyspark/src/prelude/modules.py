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


class _ArgparseModule:
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
_sql_module = _module(_SqlModule, dict(list(_SQL.items()) + list(_SUBMODULES.items())), _SQL)
_PYSPARK = {'SparkConf': SparkConf, 'SparkContext': SparkContext, 'RDD': RDD, 'StorageLevel': StorageLevel}
_kindling_pyspark = _module(_PysparkModule, dict(list(_PYSPARK.items()) + [('sql', _sql_module)]), _PYSPARK)
_kindling_argparse = _module(_ArgparseModule, {'ArgumentParser': ArgumentParser, 'Namespace': Namespace}, ())

# What `from <module> import *` binds, by module path (the lowering spells the names out).
_kindling_star_names = {
    'pyspark': _kindling_pyspark.__all__,
    'pyspark.sql': _sql_module.__all__,
    'pyspark.sql.types': _SUBMODULES['types'].__all__,
    'pyspark.sql.functions': _SUBMODULES['functions'].__all__,
    'pyspark.sql.window': _SUBMODULES['window'].__all__,
}
