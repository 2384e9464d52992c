# More of pyspark.sql.functions: functions that hand their arguments to the engine's function of the same name
# (math, text, date and time, null handling, arrays and maps, JSON, try_), listed with PySpark's parameter names so
# that keyword calls work and a missing argument is Python's TypeError.
# A string names a column, as in PySpark, except where the engine's function takes a value there (the format of
# format_string, the delimiter of substring_index, a time zone, a number of bits). A parameter written 'lit:name' is
# a value even when it is a string (PySpark wraps it in lit()); 'col:name' names a column even where the engine's
# function of the same name takes a value (printf's format is a column, format_string's a value).

_SCALAR_FUNCTIONS = {
    'acos': ('col',), 'acosh': ('col',), 'asin': ('col',), 'asinh': ('col',), 'atan': ('col',),
    'atanh': ('col',), 'atan2': ('col1', 'col2'), 'cosh': ('col',), 'sinh': ('col',), 'tanh': ('col',),
    'cbrt': ('col',), 'expm1': ('col',), 'log1p': ('col',), 'hypot': ('col1', 'col2'), 'rint': ('col',),
    'factorial': ('col',), 'pi': (), 'e': (),
    'shiftleft': ('col', 'numBits'), 'shiftright': ('col', 'numBits'), 'shiftrightunsigned': ('col', 'numBits'),
    'bit_count': ('col',), 'bitwise_not': ('col',), 'xxhash64': ('*cols',),
    'base64': ('col',), 'unbase64': ('col',), 'substring_index': ('str', 'delim', 'count'),
    'overlay': ('src', 'replace', 'pos', 'len='), 'elt': ('*inputs',), 'find_in_set': ('str', 'str_array'),
    'url_encode': ('str',), 'url_decode': ('str',), 'regexp_count': ('str', 'regexp'),
    'regexp_substr': ('str', 'regexp'), 'regexp_instr': ('str', 'regexp', 'idx='),
    'regexp_extract_all': ('str', 'regexp', 'idx='), 'format_string': ('format', '*cols'),
    'printf': ('col:format', '*cols'), 'lcase': ('str',), 'ucase': ('str',), 'char_length': ('str',),
    'character_length': ('str',), 'substr': ('str', 'col:pos', 'col:len='), 'position': ('col:substr', 'str', 'start='),
    'ilike': ('str', 'pattern'), 'like': ('str', 'pattern'), 'sha': ('col',), 'typeof': ('col',),
    'equal_null': ('col1', 'col2'), 'nullifzero': ('col',), 'zeroifnull': ('col',),
    'day': ('col',), 'dayname': ('col',), 'monthname': ('col',), 'from_utc_timestamp': ('timestamp', 'tz'),
    'to_utc_timestamp': ('timestamp', 'tz'), 'unix_seconds': ('col',), 'unix_millis': ('col',),
    'unix_micros': ('col',), 'timestamp_millis': ('col',), 'timestamp_micros': ('col',),
    'date_part': ('field', 'source'), 'datepart': ('field', 'source'), 'extract': ('field', 'source'),
    'current_timezone': (), 'to_unix_timestamp': ('timestamp', 'format='),
    'make_timestamp': ('years', 'months', 'days', 'hours', 'mins', 'secs', 'timezone='),
    'array_append': ('col', 'lit:value'), 'array_prepend': ('col', 'lit:value'),
    'array_insert': ('arr', 'pos', 'lit:value'), 'array_compact': ('col',), 'array_repeat': ('col', 'count'),
    'array_size': ('col',), 'arrays_zip': ('*cols',), 'sequence': ('start', 'stop', 'step='), 'get': ('col', 'index'),
    'try_element_at': ('col', 'extraction'), 'map_concat': ('*cols',), 'map_entries': ('col',),
    'map_from_arrays': ('col1', 'col2'), 'map_from_entries': ('col',), 'map_contains_key': ('col', 'value'),
    'str_to_map': ('text', 'pairDelim=', 'keyValueDelim='),
    'get_json_object': ('col', 'path'), 'to_json': ('col', 'options='), 'schema_of_json': ('json', 'options='),
    'json_array_length': ('col',), 'json_object_keys': ('col',),
    'try_add': ('left', 'right'), 'try_subtract': ('left', 'right'), 'try_multiply': ('left', 'right'),
    'try_mod': ('left', 'right'), 'try_to_timestamp': ('col', 'format='), 'try_to_date': ('col', 'format='),
    'try_to_number': ('col', 'format'), 'try_to_binary': ('col', 'format='), 'try_url_decode': ('str',),
    'current_user': (), 'user': (), 'session_user': (), 'current_database': (), 'current_schema': (), 'current_catalog': (), 'version': (), 'negate': ('col',),
    'mask': ('col', 'upperChar=', 'lowerChar=', 'digitChar=', 'otherChar='), 'parse_url': ('url', 'partToExtract', 'key='),
    'try_parse_url': ('url', 'partToExtract', 'key='), 'regexp': ('str', 'regexp'),
    'try_make_timestamp': ('years', 'months', 'days', 'hours', 'mins', 'secs', 'timezone='),
}


def _listed(words):
    # As Python lists missing arguments: 'a'; 'a' and 'b'; 'a', 'b', and 'c'.
    if len(words) < 3:
        return ' and '.join(words)
    return ', '.join(words[:-1]) + ', and ' + words[-1]


def _scalar_function(name, parameters):
    # A method of the functions module: its first argument is the module. A parameter written 'name=' may be left
    # out (PySpark's default, None, lets the engine fill in Spark's); '*name' takes any number of values.
    spread = len(parameters) > 0 and parameters[-1].startswith('*')
    listed = [p.split(':')[-1] for p in (parameters[:-1] if spread else parameters)]
    kinds = [p.split(':')[0] if ':' in p else '' for p in parameters]
    named = [p.rstrip('=') for p in listed]
    required = [p for p in listed if not p.endswith('=')]

    def call(module, *args, **kwargs):
        if len(args) > len(named) and not spread:
            raise TypeError(name + '() takes ' + str(len(named)) + ' positional arguments but ' + str(len(args)) + ' were given')
        given = list(args) + [None] * (len(named) - len(args))
        for key in kwargs:
            if key not in named:
                raise TypeError(name + "() got an unexpected keyword argument '" + key + "'")
            given[named.index(key)] = kwargs[key]
        missing = [p for p in required if named.index(p) >= len(args) and p not in kwargs]
        if missing:
            raise TypeError(name + "() missing " + str(len(missing)) + " required positional argument" +
                            ('s' if len(missing) > 1 else '') + ": " + _listed(["'" + p + "'" for p in missing]))
        return _call_given(name, *[_as_kind(kinds[i] if i < len(kinds) else '', given[i]) for i in range(len(given))])
    return call


def _as_kind(kind, value):
    # A value given for a 'lit:' or 'col:' parameter, as PySpark passes it on: None is a NULL constant for a 'lit:'
    # parameter, and otherwise an optional argument left out.
    if type(value) is Column:
        return value
    if kind == 'lit':
        return Column(_kindling('functions.lit', value))
    if kind == 'col' and type(value) is str:
        return Column(_kindling('functions.col', value))
    return value


def _with_scalar_functions(module_class):
    for name in _SCALAR_FUNCTIONS:
        setattr(module_class, name, _scalar_function(name, _SCALAR_FUNCTIONS[name]))
    return module_class
