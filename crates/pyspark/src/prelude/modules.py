# The importable modules. The sandbox asks the host for `import pyspark`; the host answers with the `pyspark`
# object below, and `pyspark.sql.functions` and the like are its attributes. A module is an instance whose class
# holds the members, so that the host can hand it back into the sandbox.

_kindling_objects = {}
_kindling_failed_row = [None]


def _kindling_register(obj):
    # Python functions stay in the sandbox; the engine refers to them by this key.
    key = len(_kindling_objects) + 1
    _kindling_objects[key] = obj
    return key


def _kindling_failed_input():
    return _kindling_failed_row[0]


class _types_module:
    StructType = StructType
    StructField = StructField
    StringType = StringType
    IntegerType = IntegerType
    LongType = LongType
    ShortType = ShortType
    ByteType = ByteType
    DoubleType = DoubleType
    FloatType = FloatType
    BooleanType = BooleanType
    DateType = DateType
    TimestampType = TimestampType
    TimestampNTZType = TimestampNTZType
    BinaryType = BinaryType
    NullType = NullType
    DecimalType = DecimalType
    ArrayType = ArrayType
    MapType = MapType

    Row = Row


class _window_module:
    Window = Window
    WindowSpec = WindowSpec


class _sql_module:
    SparkSession = SparkSession
    Window = Window
    WindowSpec = WindowSpec
    DataFrame = DataFrame
    Column = Column
    GroupedData = GroupedData
    DataFrameReader = DataFrameReader
    DataFrameWriter = DataFrameWriter
    types = _types_module()
    functions = _functions_with_every_name()
    window = _window_module()

    Row = Row


class _pyspark_module:
    SparkConf = SparkConf
    SparkContext = SparkContext
    RDD = RDD
    sql = _sql_module()


_kindling_pyspark = _pyspark_module()
_kindling_pyspark
