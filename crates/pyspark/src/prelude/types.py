# pyspark.sql.types: Spark's data types as Python objects. A type's simpleString is also how Kindling's engine
# names it; the host sends and receives types by that name. The sandbox has no class inheritance, so the type
# classes are given their shared methods once they are defined (`_share_type_methods`).

def _type_simple_string(self):
    return self._name


def _type_repr(self):
    return type(self).__name__ + '()'


def _type_eq(self, other):
    return type(self) is type(other) and self.simpleString() == other.simpleString()


def _type_hash(self):
    return hash(self.simpleString())


class StringType:
    _name = 'string'


class IntegerType:
    _name = 'int'


class LongType:
    _name = 'bigint'


class ShortType:
    _name = 'smallint'


class ByteType:
    _name = 'tinyint'


class DoubleType:
    _name = 'double'


class FloatType:
    _name = 'float'


class BooleanType:
    _name = 'boolean'


class DateType:
    _name = 'date'


class TimestampType:
    _name = 'timestamp'


class TimestampNTZType:
    _name = 'timestamp_ntz'


class BinaryType:
    _name = 'binary'


class NullType:
    _name = 'void'


class DecimalType:
    def __init__(self, precision=10, scale=0):
        self.precision = precision
        self.scale = scale
        self._name = 'decimal(' + str(precision) + ',' + str(scale) + ')'

    def __repr__(self):
        return 'DecimalType(' + str(self.precision) + ', ' + str(self.scale) + ')'


def _interval_fields(start, end, default_end):
    # PySpark's interval types: no fields is the widest form, one field is that field alone.
    if start is None and end is None:
        return 0, default_end
    if end is None:
        return start, start
    return start, end


def _interval_simple_string(self):
    start, end = self._field_names[self.startField], self._field_names[self.endField]
    return 'interval ' + start if start == end else 'interval ' + start + ' to ' + end


class DayTimeIntervalType:
    DAY = 0
    HOUR = 1
    MINUTE = 2
    SECOND = 3
    _field_names = ('day', 'hour', 'minute', 'second')

    def __init__(self, startField=None, endField=None):
        self.startField, self.endField = _interval_fields(startField, endField, 3)

    def __repr__(self):
        return 'DayTimeIntervalType(' + str(self.startField) + ', ' + str(self.endField) + ')'


class YearMonthIntervalType:
    YEAR = 0
    MONTH = 1
    _field_names = ('year', 'month')

    def __init__(self, startField=None, endField=None):
        self.startField, self.endField = _interval_fields(startField, endField, 1)

    def __repr__(self):
        return 'YearMonthIntervalType(' + str(self.startField) + ', ' + str(self.endField) + ')'


class ArrayType:
    def __init__(self, elementType, containsNull=True):
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self):
        return 'array<' + self.elementType.simpleString() + '>'

    def typeName(self):
        return 'array'

    def __repr__(self):
        return 'ArrayType(' + repr(self.elementType) + ', ' + str(self.containsNull) + ')'


class MapType:
    def __init__(self, keyType, valueType, valueContainsNull=True):
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self):
        return 'map<' + self.keyType.simpleString() + ',' + self.valueType.simpleString() + '>'

    def typeName(self):
        return 'map'

    def __repr__(self):
        return 'MapType(' + repr(self.keyType) + ', ' + repr(self.valueType) + ', ' + str(self.valueContainsNull) + ')'


def _share_type_methods():
    for data_type in _TYPES_BY_NAME.values():
        data_type.simpleString = _type_simple_string
        data_type.__repr__ = _type_repr
    DecimalType.simpleString = _type_simple_string
    DayTimeIntervalType.simpleString = _interval_simple_string
    YearMonthIntervalType.simpleString = _interval_simple_string
    for data_type in list(_TYPES_BY_NAME.values()) + [DecimalType, ArrayType, MapType, DayTimeIntervalType, YearMonthIntervalType]:
        data_type.__eq__ = _type_eq
        data_type.__hash__ = _type_hash


_TYPES_BY_NAME = {
    'string': StringType, 'int': IntegerType, 'bigint': LongType, 'smallint': ShortType, 'tinyint': ByteType,
    'double': DoubleType, 'float': FloatType, 'boolean': BooleanType, 'date': DateType,
    'timestamp': TimestampType, 'timestamp_ntz': TimestampNTZType, 'binary': BinaryType, 'void': NullType,
}
_share_type_methods()


def _type_from_name(name):
    if name.startswith('decimal('):
        precision, scale = name[8:-1].split(',')
        return DecimalType(int(precision), int(scale))
    if name.startswith('interval '):
        fields = name[9:].split(' to ')
        interval_type = YearMonthIntervalType if fields[0] in YearMonthIntervalType._field_names else DayTimeIntervalType
        start = interval_type._field_names.index(fields[0])
        return interval_type(start, interval_type._field_names.index(fields[-1]))
    return _TYPES_BY_NAME[name]()


def _type_name(data_type):
    # A type given as a DataType object or as a name ('long', 'string', 'decimal(10,2)').
    if hasattr(data_type, 'simpleString'):
        return data_type.simpleString()
    if isinstance(data_type, str):
        return data_type
    raise TypeError('a data type must be a DataType such as types.StringType() or a name, not ' + repr(data_type))


class StructField:
    def __init__(self, name, dataType, nullable=True, metadata=None):
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata if metadata is not None else {}

    def simpleString(self):
        return self.name + ':' + self.dataType.simpleString()

    def __repr__(self):
        return "StructField('" + self.name + "', " + repr(self.dataType) + ', ' + str(self.nullable) + ')'

    def __eq__(self, other):
        return (isinstance(other, StructField) and self.name == other.name and self.dataType == other.dataType
                and self.nullable == other.nullable)

    def _spec(self):
        return (self.name, _type_spec(self.dataType), self.nullable)


class StructType:
    def typeName(self):
        return 'struct'

    def __init__(self, fields=None):
        self.fields = list(fields) if fields is not None else []
        self.names = [f.name for f in self.fields]

    def add(self, field, data_type=None, nullable=True):
        if isinstance(field, StructField):
            return StructType(self.fields + [field])
        if isinstance(data_type, str):
            data_type = _type_from_name(data_type)
        return StructType(self.fields + [StructField(field, data_type, nullable)])

    def fieldNames(self):
        return list(self.names)

    def simpleString(self):
        return 'struct<' + ','.join([f.simpleString() for f in self.fields]) + '>'

    def __repr__(self):
        return 'StructType([' + ', '.join([repr(f) for f in self.fields]) + '])'

    def __eq__(self, other):
        return isinstance(other, StructType) and self.fields == other.fields

    def __len__(self):
        return len(self.fields)

    def __iter__(self):
        return iter(self.fields)

    def __getitem__(self, key):
        if isinstance(key, str):
            for f in self.fields:
                if f.name == key:
                    return f
            raise KeyError('No StructField named ' + key)
        return self.fields[key]

    def _spec(self):
        return [f._spec() for f in self.fields]


def _schema_spec(schema):
    # What the host receives for a schema: field specs, a DDL string, or a list of column names.
    if isinstance(schema, StructType):
        return schema._spec()
    if isinstance(schema, (str, list, tuple)) or schema is None:
        return schema
    raise TypeError('schema must be a StructType, a DDL string or a list of names, not ' + repr(schema))


def _struct_from_spec(fields):
    return StructType([StructField(name, _type_from_spec(t), nullable) for (name, t, nullable) in fields])


def _type_spec(data_type):
    # How a type travels to the host: its name, or for a nested type a tuple that also says which parts may be
    # NULL (a name alone cannot).
    if isinstance(data_type, ArrayType):
        return ('array', _type_spec(data_type.elementType), data_type.containsNull)
    if isinstance(data_type, MapType):
        return ('map', _type_spec(data_type.keyType), _type_spec(data_type.valueType), data_type.valueContainsNull)
    if isinstance(data_type, StructType):
        return ('struct', data_type._spec())
    return _type_name(data_type)


def _type_from_spec(spec):
    if isinstance(spec, tuple):
        if spec[0] == 'array':
            return ArrayType(_type_from_spec(spec[1]), spec[2])
        if spec[0] == 'map':
            return MapType(_type_from_spec(spec[1]), _type_from_spec(spec[2]), spec[3])
        return _struct_from_spec(spec[1])
    return _type_from_name(spec)
