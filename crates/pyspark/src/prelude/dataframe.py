# pyspark.sql.DataFrame and its companions. The engine holds the plan; a DataFrame object keeps its handle and, as
# PySpark's properties would give them, its columns, schema and one Column per column name (`df.VendorID`).

import random

_RESERVED = ('columns', 'schema', 'dtypes', 'rdd', 'write', 'sparkSession', 'na', 'stat', 'is_cached', 'storageLevel')


class _NoValue:
    pass


def _unresolved_column(name, columns):
    # The engine's message for a name no column has (analyzer.rs, `unresolved_column_message`), made here because
    # df[[...]] cannot ask the host: up to five columns, the closest in edit distance first, ties in column order.
    quoted = ['`' + c + '`' for c in columns]
    closest = sorted(quoted, key=lambda c: _edit_distance(c, name))[:5]
    return ('[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `' + name
            + '` cannot be resolved. Did you mean one of the following? [' + ', '.join(closest) + ']. SQLSTATE: 42703')


def _edit_distance(a, b):
    previous = list(range(len(b) + 1))
    for i in range(len(a)):
        current = [i + 1]
        for j in range(len(b)):
            cost = 0 if a[i] == b[j] else 1
            current.append(min(previous[j] + cost, previous[j + 1] + 1, current[j] + 1))
        previous = current
    return previous[len(b)]


_NO_VALUE = _NoValue()


class DataFrame:
    def __init__(self, description, session):
        handle, fields = description
        # The engine's handle, or ('pending', op, parent handle, argument) for a DataFrame made by df[...], which
        # cannot call the host: the host resolves it, and `_handle()` keeps what it resolved to.
        self._h = handle
        self._fields = fields
        self.sparkSession = session
        self.columns = [f[0] for f in fields]
        self.schema = StructType([StructField(f[0], _type_from_spec(f[4]), f[2]) for f in fields])
        self.dtypes = [(f[0], f[1]) for f in fields]
        self.rdd = RDD(('dataframe', handle), session)
        self.write = DataFrameWriter(self, 'parquet', None, {}, [])
        self.na = DataFrameNaFunctions(self)
        self.stat = DataFrameStatFunctions(self)
        # PySpark's `is_cached` is set by cache() and unpersist(); `storageLevel` (a property there) is kept with it.
        self.is_cached = False
        self.storageLevel = StorageLevel.NONE
        self._by_name = {}
        for f in fields:
            name = f[0]
            if f[3] is not None:
                self._by_name[name.lower()] = _with_field_columns(Column(f[3]), f[4])
            if f[3] is not None and name.isidentifier() and name not in _RESERVED and not hasattr(DataFrame, name):
                setattr(self, name, self._by_name[name.lower()])

    def _derive(self, op, *args):
        return DataFrame(_kindling(op, self._handle(), *args), self.sparkSession)

    def __repr__(self):
        return 'DataFrame[' + ', '.join([name + ': ' + t for (name, t) in self.dtypes]) + ']'

    def __getitem__(self, item):
        # A dunder method cannot call the host: known columns come from this object, anything else is resolved
        # by the host when the Column is used; df[[names]] and df[condition] are DataFrames made when first used.
        if isinstance(item, int):
            item = self.columns[item]
        if isinstance(item, str):
            known = self._by_name.get(item.lower())
            return known if known is not None else _operator('dataframe_column', (self._h, item), item)
        if type(item) is Column:
            return DataFrame((('pending', 'filter', self._h, item), self._fields), self.sparkSession)
        if isinstance(item, (list, tuple)):
            return DataFrame((('pending', 'select', self._h, list(item)), self._fields_named(item)), self.sparkSession)
        raise TypeError('[NOT_COLUMN_OR_INT_OR_LIST_OR_STR_OR_TUPLE] Argument `item` should be a Column, int, list, '
                        'str or tuple, got ' + type(item).__name__ + '.')

    def _fields_named(self, names):
        fields = []
        for name in names:
            if type(name) is Column:
                name = name._sql
            if type(name) is not str:
                raise NotImplementedError('not supported in Kindling yet: df[[...]] with ' + repr(name)
                                          + ' (only names of its columns); df.select(...) takes any column')
            matching = [f for f in self._fields if f[0].lower() == name.lower()]
            if not matching:
                # AnalysisException, as the select PySpark runs here would raise (the sandbox's is Exception).
                raise Exception(_unresolved_column(name, self.columns))
            fields.append(matching[0])
        return fields

    def _handle(self):
        if type(self._h) is tuple:
            self._h = _kindling('dataframe.resolve', self._h)[0]
        return self._h

    def select(self, *cols):
        return self._derive('dataframe.select', _flatten(cols))

    def selectExpr(self, *expr):
        return self._derive('dataframe.select_expr', _flatten(expr))

    def filter(self, condition):
        return self._derive('dataframe.filter', condition)

    def where(self, condition):
        return self.filter(condition)

    def withColumn(self, colName, col):
        return self._derive('dataframe.with_column', colName, col)

    def withColumns(self, *colsMap):
        df = self
        for name, col in colsMap[0].items():
            df = df.withColumn(name, col)
        return df

    def withColumnRenamed(self, existing, new):
        return self._derive('dataframe.with_column_renamed', existing, new)

    def withColumnsRenamed(self, colsMap):
        df = self
        for existing, new in colsMap.items():
            df = df.withColumnRenamed(existing, new)
        return df

    def toDF(self, *cols):
        return self._derive('dataframe.to_df', list(cols))

    def drop(self, *cols):
        return self._derive('dataframe.drop', list(cols))

    def groupBy(self, *cols):
        keys = [self._by_ordinal(c, False) for c in _flatten(cols)]
        return GroupedData(_kindling('dataframe.group_by', self._handle(), keys), self.sparkSession)

    def groupby(self, *cols):
        return self.groupBy(*cols)

    def rollup(self, *cols):
        keys = [self._by_ordinal(c, False) for c in _flatten(cols)]
        return GroupedData(_kindling('dataframe.rollup', self._handle(), keys), self.sparkSession)

    def groupingSets(self, groupingSets, *cols):
        keys = [self._by_ordinal(c, False) for c in _flatten(cols)]
        sets = [list(s) if isinstance(s, (list, tuple)) else [s] for s in groupingSets]
        return GroupedData(_kindling('dataframe.grouping_sets', self._handle(), keys, sets), self.sparkSession)

    def cube(self, *cols):
        keys = [self._by_ordinal(c, False) for c in _flatten(cols)]
        return GroupedData(_kindling('dataframe.cube', self._handle(), keys), self.sparkSession)

    def agg(self, *exprs):
        return self.groupBy().agg(*exprs)

    def distinct(self):
        return self._derive('dataframe.distinct')

    def sample(self, withReplacement=None, fraction=None, seed=None):
        # PySpark's forms: sample(0.5), sample(0.5, 3), sample(False, 0.5, 3), sample(fraction=0.5, seed=3).
        given_with_replacement = type(withReplacement) is bool and isinstance(fraction, float)
        omitted_by_keyword = withReplacement is None and isinstance(fraction, float)
        omitted_by_position = isinstance(withReplacement, float)
        if not (given_with_replacement or omitted_by_keyword or omitted_by_position):
            raise TypeError('[NOT_EXPECTED_TYPE] Argument `withReplacement (optional), fraction (required) and seed '
                            '(optional)` should be bool, float or int, got '
                            + ', '.join([type(a).__name__ for a in [withReplacement, fraction, seed]]) + '.')
        if omitted_by_position:
            if fraction is not None:
                seed = int(fraction)
            fraction = withReplacement
            withReplacement = None
        if withReplacement:
            raise NotImplementedError('not supported in Kindling yet: DataFrame.sample(withReplacement=True)')
        return self._derive('dataframe.sample', fraction, _seed_or_random(seed))

    def sampleBy(self, col, fractions, seed=None):
        # Spark keeps a row when a draw of rand(seed) falls below its stratum's fraction (0 for other strata).
        if not isinstance(fractions, dict):
            raise TypeError('[NOT_EXPECTED_TYPE] Argument `fractions` should be dict, got ' + type(fractions).__name__ + '.')
        for value in fractions.values():
            if value < 0.0 or value > 1.0:
                raise ValueError('requirement failed: Fractions must be in [0, 1], but got ' + _scala_map(fractions) + '.')
        if seed is None:
            seed = random.randint(0, 9223372036854775807)
        stratum = col if type(col) is Column else _SUBMODULES['functions'].col(col)
        keep = None
        for key in fractions:
            test = _kindling_compare('<', _SUBMODULES['functions'].rand(seed), fractions[key])
            keep = _SUBMODULES['functions'].when(stratum == key, test) if keep is None else keep.when(stratum == key, test)
        return self.filter(_SUBMODULES['functions'].lit(False) if keep is None else keep.otherwise(False))

    def toJSON(self, use_unicode=True):
        whole = _SUBMODULES['functions'].struct(*[_SUBMODULES['functions'].col(name) for name in self.columns])
        return self.select(_SUBMODULES['functions'].to_json(whole)).rdd.map(lambda row: row[0])

    def randomSplit(self, weights, seed=None):
        for w in weights:
            if w < 0.0:
                raise ValueError("[VALUE_NOT_POSITIVE] Value for `weights` must be positive, got '" + str(w) + "'.")
        parts = _kindling('dataframe.random_split', self._handle(), [float(w) for w in weights], _seed_or_random(seed))
        return [DataFrame(part, self.sparkSession) for part in parts]

    def foreach(self, f):
        self.rdd.foreach(f)

    def foreachPartition(self, f):
        self.rdd.foreachPartition(f)

    def toLocalIterator(self, prefetchPartitions=False):
        return iter(self.collect())

    # df.corr / df.cov (also df.stat.corr): one aggregation's value, as PySpark computes them.
    def corr(self, col1, col2, method=None):
        if method is not None and method != 'pearson':
            raise ValueError("[VALUE_NOT_ALLOWED] Value for `method` has to be amongst the following values: ['pearson'].")
        return self.agg(_SUBMODULES['functions'].corr(col1, col2)).collect()[0][0]

    def cov(self, col1, col2):
        return self.agg(_SUBMODULES['functions'].covar_samp(col1, col2)).collect()[0][0]

    def approxQuantile(self, col, probabilities, relativeError):
        # Spark's quantile summaries of the column's numbers (NULL and NaN left out), as percentile_approx keeps
        # them: one job for every column.
        if not isinstance(col, (str, list, tuple)):
            raise TypeError('[NOT_EXPECTED_TYPE] Argument `col` should be list, str or tuple, got ' + type(col).__name__ + '.')
        if not isinstance(probabilities, (list, tuple)):
            raise TypeError('[NOT_EXPECTED_TYPE] Argument `probabilities` should be list or tuple, got '
                            + type(probabilities).__name__ + '.')
        for p in probabilities:
            if not isinstance(p, (float, int)) or p < 0 or p > 1:
                raise TypeError('[NOT_EXPECTED_TYPE] Argument `probabilities` should be list[float, int], got '
                                + type(p).__name__ + '.')
        if not isinstance(relativeError, (float, int)):
            raise TypeError('[NOT_EXPECTED_TYPE] Argument `relativeError` should be float or int, got '
                            + type(relativeError).__name__ + '.')
        if relativeError < 0:
            raise ValueError("[NEGATIVE_VALUE] Value for `relativeError` must be greater than or equal to 0, got '"
                             + str(float(relativeError)) + "'.")
        F = _SUBMODULES['functions']
        names = [col] if isinstance(col, str) else list(col)
        numbers = [F.nanvl(F.col(name).cast('double'), F.lit(None).cast('double')) for name in names]
        # The summary's relative error is the inverse of percentile_approx's accuracy.
        accuracy = 2147483647 if relativeError == 0 else max(1, min(2147483647, int(1.0 / relativeError)))
        row = self.select(*[F.percentile_approx(n, [float(p) for p in probabilities], accuracy) for n in numbers]).collect()[0]
        found = [[] if row[i] is None else [float(v) for v in row[i]] for i in range(len(names))]
        return found[0] if isinstance(col, str) else found

    def crosstab(self, col1, col2):
        # A row per value of col1, a column per value of col2 (sorted as text), the count of each pair (0 if none).
        counts = self.groupBy(col1, col2).count().collect()
        text = lambda v: 'null' if v is None else str(v)
        rows = sorted(set([text(r[0]) for r in counts]))
        columns = sorted(set([text(r[1]) for r in counts]))
        table = {}
        for r in counts:
            table[(text(r[0]), text(r[1]))] = r[2]
        fields = [StructField(col1 + '_' + col2, StringType(), True)] + [StructField(c, LongType(), False) for c in columns]
        data = [tuple([row] + [table.get((row, c), 0) for c in columns]) for row in rows]
        return self.sparkSession.createDataFrame(data, StructType(fields))

    def unpivot(self, ids, values, variableColumnName, valueColumnName):
        values = None if values is None else _column_list(values)
        return self._derive('dataframe.unpivot', _column_list(ids), values, variableColumnName, valueColumnName)

    def melt(self, ids, values, variableColumnName, valueColumnName):
        return self.unpivot(ids, values, variableColumnName, valueColumnName)

    def dropDuplicates(self, subset=None):
        return self._derive('dataframe.drop_duplicates', subset)

    def drop_duplicates(self, subset=None):
        return self.dropDuplicates(subset)

    def orderBy(self, *cols, ascending=None):
        return self._derive('dataframe.order_by', [self._by_ordinal(c, True) for c in _flatten(cols)], ascending)

    def _by_ordinal(self, col, sorting):
        # orderBy(1) / groupBy(1): the column at that position, counted from 1; orderBy(-1) sorts it descending.
        if not isinstance(col, int) or isinstance(col, bool):
            return col
        if col == 0:
            raise IndexError('[ZERO_INDEX] Index 0 is not allowed: column ordinals start at 1.')
        if col < 0 and not sorting:
            raise IndexError('[INDEX_NOT_POSITIVE] Index ' + str(col) + ' must be positive.')
        name = self.columns[abs(col) - 1]
        return self[name].desc() if col < 0 else name

    def sort(self, *cols, ascending=None):
        return self.orderBy(*cols, ascending=ascending)

    def sortWithinPartitions(self, *cols, ascending=None):
        return self._derive('dataframe.sort_within_partitions', [self._by_ordinal(c, True) for c in _flatten(cols)], ascending)

    def limit(self, num):
        return self._derive('dataframe.limit', num)

    def repartition(self, numPartitions, *cols):
        if not isinstance(numPartitions, int):
            return self._derive('dataframe.repartition', None, [numPartitions] + list(cols))
        return self._derive('dataframe.repartition', numPartitions, list(cols))

    def inputFiles(self):
        return _kindling('dataframe.input_files', self._handle())

    def repartitionByRange(self, numPartitions, *cols):
        if not isinstance(numPartitions, int):
            return self._derive('dataframe.repartition_by_range', None, [numPartitions] + list(cols))
        if len(cols) == 0:
            raise ValueError('[CANNOT_BE_EMPTY] At least one partition-by expression must be specified.')
        return self._derive('dataframe.repartition_by_range', numPartitions, list(cols))

    def coalesce(self, numPartitions):
        return self._derive('dataframe.coalesce', numPartitions)

    def union(self, other):
        return self._derive('dataframe.union', other)

    def unionAll(self, other):
        return self.union(other)

    def unionByName(self, other, allowMissingColumns=False):
        return self._derive('dataframe.union_by_name', other, bool(allowMissingColumns))

    def intersect(self, other):
        return self._derive('dataframe.intersect', other)

    def intersectAll(self, other):
        return self._derive('dataframe.intersect_all', other)

    def subtract(self, other):
        return self._derive('dataframe.subtract', other)

    def exceptAll(self, other):
        return self._derive('dataframe.except_all', other)

    def transform(self, func, *args, **kwargs):
        result = func(self, *args, **kwargs)
        if not isinstance(result, DataFrame):
            raise TypeError('[INVALID_RETURN_TYPE_FOR_DATAFRAME] Return type of the function `' + func.__name__
                            + '` should be DataFrame, got ' + type(result).__name__ + '.')
        return result

    def describe(self, *cols):
        return self._derive('dataframe.describe', _flatten(cols))

    def summary(self, *statistics):
        return self._derive('dataframe.summary', list(statistics))

    def fillna(self, value, subset=None):
        return self._derive('dataframe.fill_na', value, subset)

    def dropna(self, how='any', thresh=None, subset=None):
        return self._derive('dataframe.drop_na', how, thresh, subset)

    def join(self, other, on=None, how=None):
        return self._derive('dataframe.join', other, on, how)

    def crossJoin(self, other):
        return self._derive('dataframe.cross_join', other)

    def alias(self, alias):
        return self._derive('dataframe.alias', alias)

    def hint(self, name, *parameters):
        if name.lower() == 'broadcast':
            return self._derive('dataframe.broadcast')
        return self

    def cache(self):
        return self.persist()

    def persist(self, storageLevel=None):
        level = StorageLevel.MEMORY_AND_DISK_DESER if storageLevel is None else storageLevel
        flags = _kindling('dataframe.persist', self._handle(), level._flags())
        self.is_cached = True
        self.storageLevel = StorageLevel(*flags)
        return self

    def unpersist(self, blocking=False):
        _kindling('dataframe.unpersist', self._handle())
        self.is_cached = False
        self.storageLevel = StorageLevel.NONE
        return self

    def createOrReplaceTempView(self, name):
        _kindling('dataframe.create_or_replace_temp_view', self._handle(), name)

    def createTempView(self, name):
        _kindling('dataframe.create_temp_view', self._handle(), name)

    def registerTempTable(self, name):
        _kindling('dataframe.register_temp_table', self._handle(), name)

    def count(self):
        return _kindling('dataframe.count', self._handle())

    def collect(self):
        return _kindling_rows(_kindling('dataframe.collect', self._handle()), self.schema)

    def take(self, num):
        return _kindling_rows(_kindling('dataframe.take', self._handle(), num), self.schema)

    def head(self, n=None):
        if n is None:
            rows = self.take(1)
            return rows[0] if rows else None
        return self.take(n)

    def first(self):
        return self.head()

    def tail(self, num):
        rows = self.collect()
        return rows[len(rows) - num:] if num < len(rows) else rows

    def isEmpty(self):
        return len(self.take(1)) == 0

    def show(self, n=20, truncate=True, vertical=False):
        _kindling('dataframe.show', self._handle(), n, truncate, vertical)

    def printSchema(self, level=None):
        _kindling('dataframe.print_schema', self._handle(), level)

    def explain(self, extended=None, mode=None):
        _kindling('dataframe.explain', self._handle(), extended, mode)

    def toPandas(self):
        raise NotImplementedError('toPandas() needs pandas, which Kindling\'s Python sandbox does not have; '
                                  'use collect() or show()')


def _with_field_columns(column, spec):
    # `df.pickup.borough`: the sandbox has no __getattr__, so a struct column carries one attribute per field
    # (not those that would hide a Column method), nested structs all the way down.
    if isinstance(spec, tuple) and spec[0] == 'struct':
        for (name, field_spec, nullable) in spec[1]:
            if name.isidentifier() and not hasattr(Column, name) and not name.startswith('_'):
                setattr(column, name, _with_field_columns(column.getField(name), field_spec))
    return column


def _flatten(cols):
    # PySpark accepts columns spread out or as one list: select('a', 'b') and select(['a', 'b']).
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        return list(cols[0])
    return list(cols)


def _seed_or_random(seed):
    if seed is not None:
        return int(seed)
    return random.randint(0, 9223372036854775807)


def _column_list(cols):
    # One column (a name or a Column) or a list or tuple of them.
    return list(cols) if isinstance(cols, (list, tuple)) else [cols]


class StorageLevel:
    # Where cached partitions are kept. Kindling keeps them in memory whatever the level; the level is shown.
    def __init__(self, useDisk, useMemory, useOffHeap, deserialized, replication=1):
        self.useDisk = useDisk
        self.useMemory = useMemory
        self.useOffHeap = useOffHeap
        self.deserialized = deserialized
        self.replication = replication

    def _flags(self):
        return (self.useDisk, self.useMemory, self.useOffHeap, self.deserialized, self.replication)

    def __eq__(self, other):
        return type(other) is StorageLevel and self._flags() == other._flags()

    def __repr__(self):
        return 'StorageLevel(%s, %s, %s, %s, %s)' % self._flags()

    def __str__(self):
        result = ''
        result += 'Disk ' if self.useDisk else ''
        result += 'Memory ' if self.useMemory else ''
        result += 'OffHeap ' if self.useOffHeap else ''
        result += 'Deserialized ' if self.deserialized else 'Serialized '
        return result + str(self.replication) + 'x Replicated'


StorageLevel.DISK_ONLY = StorageLevel(True, False, False, False)
StorageLevel.DISK_ONLY_2 = StorageLevel(True, False, False, False, 2)
StorageLevel.DISK_ONLY_3 = StorageLevel(True, False, False, False, 3)
StorageLevel.MEMORY_ONLY = StorageLevel(False, True, False, False)
StorageLevel.MEMORY_ONLY_2 = StorageLevel(False, True, False, False, 2)
StorageLevel.MEMORY_AND_DISK = StorageLevel(True, True, False, False)
StorageLevel.MEMORY_AND_DISK_2 = StorageLevel(True, True, False, False, 2)
StorageLevel.OFF_HEAP = StorageLevel(True, True, True, False, 1)
StorageLevel.MEMORY_AND_DISK_DESER = StorageLevel(True, True, False, True)
StorageLevel.NONE = StorageLevel(False, False, False, False)


class DataFrameStatFunctions:
    # df.stat: the statistics methods.
    def __init__(self, df):
        self._df = df

    def corr(self, col1, col2, method=None):
        return self._df.corr(col1, col2, method)

    def cov(self, col1, col2):
        return self._df.cov(col1, col2)

    def approxQuantile(self, col, probabilities, relativeError):
        return self._df.approxQuantile(col, probabilities, relativeError)

    def crosstab(self, col1, col2):
        return self._df.crosstab(col1, col2)

    def sampleBy(self, col, fractions, seed=None):
        return self._df.sampleBy(col, fractions, seed)


class DataFrameNaFunctions:
    # df.na: the missing-value methods under their short names.
    def __init__(self, df):
        self._df = df

    def fill(self, value, subset=None):
        return self._df.fillna(value, subset)

    def drop(self, how='any', thresh=None, subset=None):
        return self._df.dropna(how, thresh, subset)


# The methods whose defaults are the `_NO_VALUE` marker are attached after their class: the sandbox evaluates a
# default inside a class body, which does not see the prelude's names.
def _dataframe_replace(self, to_replace, value=_NO_VALUE, subset=None):
    if isinstance(to_replace, dict):
        if value is not _NO_VALUE and value is not None and subset is None:
            subset = value
        pairs = list(to_replace.items())
    else:
        if value is _NO_VALUE:
            raise TypeError('value argument is required when to_replace is not a dictionary.')
        olds = list(to_replace) if isinstance(to_replace, (list, tuple)) else [to_replace]
        if isinstance(value, (list, tuple)):
            if len(value) != len(olds):
                raise ValueError('[LENGTH_SHOULD_BE_THE_SAME] to_replace and value should be of the same length, got '
                                 + str(len(olds)) + ' and ' + str(len(value)) + '.')
            news = list(value)
        else:
            news = [value for _ in olds]
        pairs = list(zip(olds, news))
    return self._derive('dataframe.replace', [tuple(p) for p in pairs], subset)


def _na_replace(self, to_replace, value=_NO_VALUE, subset=None):
    return self._df.replace(to_replace, value, subset)


DataFrame.replace = _dataframe_replace
DataFrameNaFunctions.replace = _na_replace


class GroupedData:
    def __init__(self, handle, session):
        self._h = handle
        self._session = session

    def _derive(self, op, *args):
        return DataFrame(_kindling(op, self._h, *args), self._session)

    def agg(self, *exprs):
        if len(exprs) == 1 and isinstance(exprs[0], dict):
            return self._derive('grouped.agg_dict', list(exprs[0].items()))
        return self._derive('grouped.agg', _flatten(exprs))

    def count(self):
        return self._derive('grouped.count')

    def pivot(self, pivot_col, values=None):
        return GroupedData(_kindling('grouped.pivot', self._h, pivot_col, values), self._session)

    def sum(self, *cols):
        return self._derive('grouped.apply', 'sum', list(cols))

    def avg(self, *cols):
        return self._derive('grouped.apply', 'avg', list(cols))

    def mean(self, *cols):
        return self._derive('grouped.apply', 'avg', list(cols))

    def min(self, *cols):
        return self._derive('grouped.apply', 'min', list(cols))

    def max(self, *cols):
        return self._derive('grouped.apply', 'max', list(cols))


class DataFrameWriter:
    # df.write: every setting returns a new writer, so one df.write never leaks settings into another.
    def __init__(self, df, format, mode, options, partition_by):
        self._df = df
        self._format = format
        self._mode = mode
        self._options = options
        self._partition_by = partition_by

    def _with(self, format=None, mode=None, options=None, partition_by=None):
        return DataFrameWriter(self._df, format if format is not None else self._format,
                               mode if mode is not None else self._mode,
                               options if options is not None else self._options,
                               partition_by if partition_by is not None else self._partition_by)

    def format(self, source):
        return self._with(format=source)

    def mode(self, saveMode):
        return self._with(mode=saveMode)

    def option(self, key, value):
        options = dict(self._options)
        options[key] = value
        return self._with(options=options)

    def options(self, **options):
        merged = dict(self._options)
        merged.update(options)
        return self._with(options=merged)

    def partitionBy(self, *cols):
        return self._with(partition_by=_flatten(cols))

    def save(self, path=None, format=None, mode=None, **options):
        writer = self._with(format=format, mode=mode).options(**options)
        _kindling('dataframe.write', writer._df._handle(), writer._format, path, writer._mode, writer._options,
                  writer._partition_by)

    def parquet(self, path, mode=None, partitionBy=None, compression=None):
        writer = self._with(mode=mode, partition_by=partitionBy)
        if compression is not None:
            writer = writer.option('compression', compression)
        writer.save(path, format='parquet')

    def csv(self, path, mode=None, compression=None, header=None):
        writer = self._with(mode=mode)
        if compression is not None:
            writer = writer.option('compression', compression)
        if header is not None:
            writer = writer.option('header', header)
        writer.save(path, format='csv')

    def json(self, path, mode=None, compression=None):
        writer = self._with(mode=mode)
        if compression is not None:
            writer = writer.option('compression', compression)
        writer.save(path, format='json')


class Row:
    # pyspark.sql.Row: a record whose fields are read by name (row.zone, row['zone']) or by position (row[0]),
    # compared and hashed as a tuple of its values. Row('a', 'b') without values is a row "class": calling it,
    # Row('a', 'b')(1, 2), makes Row(a=1, b=2). The sandbox has no class inheritance, so a Row holds its values
    # rather than being a tuple; each field is also set as an attribute, unless it would hide one of Row's methods.
    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError('[CANNOT_SET_TOGETHER] args and kwargs should not be set together.')
        if kwargs:
            self.__fields__ = list(kwargs.keys())
            self._values = tuple(kwargs.values())
            for name, value in kwargs.items():
                if name not in _ROW_MEMBERS:
                    setattr(self, name, value)
        else:
            self.__fields__ = None
            self._values = tuple(args)

    def asDict(self, recursive=False):
        if self.__fields__ is None:
            raise TypeError('[CANNOT_CONVERT_TYPE] Cannot convert None into a dict.')
        if not recursive:
            return dict(zip(self.__fields__, self._values))
        return dict(zip(self.__fields__, [_row_as_plain(v) for v in self._values]))

    def count(self, value):
        return self._values.count(value)

    def index(self, value):
        return self._values.index(value)

    def __call__(self, *args):
        if len(args) > len(self._values):
            raise ValueError('[TOO_MANY_VALUES] Expected ' + str(len(self._values)) + ' values for `fields`, got '
                             + str(len(args)) + '.')
        return _kindling_row(list(self._values), list(args))

    def __getitem__(self, item):
        if isinstance(item, str):
            if self.__fields__ is None or item not in self.__fields__:
                raise ValueError(item)
            return self._values[self.__fields__.index(item)]
        return self._values[item]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __contains__(self, item):
        if self.__fields__ is not None:
            return item in self.__fields__
        return item in self._values

    def __eq__(self, other):
        return self._values == tuple(other)

    def __ne__(self, other):
        return self._values != tuple(other)

    def __lt__(self, other):
        return self._values < tuple(other)

    def __le__(self, other):
        return self._values <= tuple(other)

    def __gt__(self, other):
        return self._values > tuple(other)

    def __ge__(self, other):
        return self._values >= tuple(other)

    def __hash__(self):
        return hash(self._values)

    def __repr__(self):
        if self.__fields__ is None:
            return '<Row(' + ', '.join([repr(v) for v in self._values]) + ')>'
        return 'Row(' + ', '.join([k + '=' + repr(v) for k, v in zip(self.__fields__, self._values)]) + ')'


_ROW_MEMBERS = ('asDict', 'count', 'index')


def _kindling_len(value):
    # The lowering pass turns `len(x)` into this: a Row's length is its number of values, as a tuple's is.
    if isinstance(value, Row):
        return len(value._values)
    return len(value)


def _kindling_row(fields, values):
    # A Row with these fields and values, in order (also how the host's rows become Rows).
    row = Row(*values)
    row.__fields__ = list(fields)
    for name, value in zip(fields, values):
        if name not in _ROW_MEMBERS:
            setattr(row, name, value)
    return row


def _kindling_rows(collected, schema):
    # The host hands collected rows over as (column names, [values, …], whether structs are inside); the program
    # sees Rows, nested ones too.
    names, rows, structs_inside = collected
    if structs_inside:
        types = [f.dataType for f in schema.fields]
        return [_kindling_row(names, [_nested_rows(v, t) for (v, t) in zip(values, types)]) for values in rows]
    return [_kindling_row(names, values) for values in rows]


def _nested_rows(value, data_type):
    # A struct arrives as a tuple of its values; in PySpark it is a Row (row['x'], asDict, `in`).
    if value is None:
        return None
    if isinstance(data_type, StructType):
        return _kindling_row(data_type.names, [_nested_rows(v, f.dataType) for (v, f) in zip(value, data_type.fields)])
    if isinstance(data_type, ArrayType):
        return [_nested_rows(v, data_type.elementType) for v in value]
    if isinstance(data_type, MapType):
        return {_nested_rows(k, data_type.keyType): _nested_rows(v, data_type.valueType) for (k, v) in value.items()}
    return value


def _row_as_plain(value):
    if isinstance(value, Row):
        return value.asDict(True)
    if isinstance(value, list):
        return [_row_as_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _row_as_plain(v) for k, v in value.items()}
    return value


def _scala_map(pairs):
    # How Scala prints a Map: Map(a -> 0.1, b -> 2.0).
    return 'Map(' + ', '.join([str(k) + ' -> ' + repr(float(v)) for k, v in pairs.items()]) + ')'
