# pyspark.sql.SparkSession, its builder, the reader, the runtime config, and pyspark.SparkContext / SparkConf.

import re


class SparkConf:
    def __init__(self, loadDefaults=True):
        self._settings = {}

    def set(self, key, value):
        self._settings[key] = str(value)
        return self

    def setMaster(self, value):
        return self.set('spark.master', value)

    def setAppName(self, value):
        return self.set('spark.app.name', value)

    def setAll(self, pairs):
        for key, value in pairs:
            self.set(key, value)
        return self

    def get(self, key, defaultValue=None):
        return self._settings.get(key, defaultValue)

    def getAll(self):
        return list(self._settings.items())


class _Builder:
    # Every call returns a new builder, so settings never leak from one builder chain into another.
    def __init__(self, settings):
        self._settings = settings

    def config(self, key=None, value=None, conf=None, map=None):
        settings = dict(self._settings)
        if conf is not None:
            settings.update(conf._settings)
        if map is not None:
            for k, v in map.items():
                settings[k] = str(v)
        if key is not None:
            settings[key] = str(value)
        return _Builder(settings)

    def master(self, master):
        return self.config('spark.master', master)

    def appName(self, name):
        return self.config('spark.app.name', name)

    def enableHiveSupport(self):
        return self

    def getOrCreate(self):
        return SparkSession(_kindling('session.get_or_create', list(self._settings.items())))


class SparkSession:
    def __init__(self, description):
        self.version, app_name, master, parallelism = description
        self.sparkContext = SparkContext(self, app_name, master, parallelism)
        self.conf = RuntimeConfig()
        self.read = DataFrameReader(self, None, {}, None)
        self.catalog = Catalog(self)
        self.udf = UDFRegistration()

    def sql(self, sqlQuery, args=None, **kwargs):
        if not kwargs:
            return DataFrame(_kindling('session.sql', sqlQuery, args), self)
        # `{name}` fields: a DataFrame becomes a temporary view for this query, a Column its name, a str a literal.
        views = []
        texts = {}
        try:
            for name in kwargs:
                texts[name] = _sql_text_of(kwargs[name], name, views)
            return DataFrame(_kindling('session.sql', sqlQuery.format(**texts), args), self)
        finally:
            for view in views:
                _kindling('catalog.drop_temp_view', view)

    def table(self, tableName):
        return DataFrame(_kindling('session.table', tableName), self)

    def createDataFrame(self, data, schema=None, samplingRatio=None, verifySchema=True):
        if type(data) is RDD:
            return data.toDF(schema)
        return DataFrame(_kindling('session.create_dataframe', list(data), _schema_spec(schema)), self)

    def range(self, start, end=None, step=1, numPartitions=None):
        if end is None:
            start, end = 0, start
        return DataFrame(_kindling('session.range', start, end, step, numPartitions), self)

    def stop(self):
        _kindling('session.stop')

    def newSession(self):
        return self


SparkSession.builder = _Builder({})

_SQL_VIEWS = [0]


def _sql_text_of(value, name, views):
    if type(value) is DataFrame:
        _SQL_VIEWS[0] += 1
        view = '_pyspark_' + ('%032x' % _SQL_VIEWS[0])
        value.createOrReplaceTempView(view)
        views.append(view)
        return view
    if type(value) is Column:
        return _kindling('column.plain_reference', value, name, repr(value))
    if isinstance(value, str):
        return "'" + value.replace('\\', '\\\\').replace("'", "\\'") + "'"
    return value


class _NoDefault:
    pass


_NO_DEFAULT = _NoDefault()


class RuntimeConfig:
    def set(self, key, value):
        _kindling('conf.set', key, value)


    def unset(self, key):
        _kindling('conf.unset', key)


# Attached after the class: the sandbox evaluates a default inside a class body, which does not see the prelude's
# names.
def _conf_get(self, key, default=_NO_DEFAULT):
    return _kindling('conf.get', key, default)


RuntimeConfig.get = _conf_get


class UDFRegistration:
    # spark.udf: Python functions registered for SQL by name.
    def register(self, name, f, returnType=None):
        if type(f) is UserDefinedFunction:
            if returnType is not None:
                raise TypeError('[CANNOT_SPECIFY_RETURN_TYPE_FOR_UDF] returnType can not be specified when `f` is a '
                                'user-defined function, but got ' + repr(returnType) + '.')
            func, returnType = f.func, f.returnType
        else:
            func = f
            returnType = StringType() if returnType is None else returnType
        registered = UserDefinedFunction(func, returnType)
        registered.__name__ = name
        _kindling('udf.register', name, registered._key, _type_name(registered.returnType))
        return registered


class Table:
    # What spark.catalog.listTables() lists (PySpark's named tuple): Kindling's tables are temporary views.
    def __init__(self, name, catalog, namespace, description, tableType, isTemporary):
        self.name = name
        self.catalog = catalog
        self.namespace = namespace
        self.description = description
        self.tableType = tableType
        self.isTemporary = isTemporary

    def __eq__(self, other):
        return type(other) is Table and repr(self) == repr(other)

    def __repr__(self):
        return ('Table(name=' + repr(self.name) + ', catalog=' + repr(self.catalog) + ', namespace='
                + repr(self.namespace) + ', description=' + repr(self.description) + ', tableType='
                + repr(self.tableType) + ', isTemporary=' + repr(self.isTemporary) + ')')


class CatalogColumn:
    # What spark.catalog.listColumns() lists (PySpark's catalog `Column` named tuple).
    def __init__(self, name, dataType, nullable):
        self.name = name
        self.description = None
        self.dataType = dataType
        self.nullable = nullable
        self.isPartition = False
        self.isBucket = False
        self.isCluster = False

    def __repr__(self):
        return ('Column(name=' + repr(self.name) + ', description=None, dataType=' + repr(self.dataType)
                + ', nullable=' + repr(self.nullable) + ', isPartition=False, isBucket=False, isCluster=False)')


def _matches_table_pattern(name, pattern):
    # Spark's pattern for listing tables: alternatives split by '|', '*' any run of characters, case ignored.
    for part in pattern.split('|'):
        regex = '.*'.join([re.escape(piece) for piece in part.strip().split('*')])
        if re.fullmatch(regex, name, re.IGNORECASE):
            return True
    return False


class Catalog:
    def __init__(self, session):
        self._session = session

    def listTables(self, dbName=None, pattern=None):
        # Spark keeps a temporary view's name in lower case.
        names = [name.lower() for name in _kindling('catalog.list_tables')]
        return [Table(name, None, [], None, 'TEMPORARY', True) for name in names
                if pattern is None or _matches_table_pattern(name, pattern)]

    def listColumns(self, tableName, dbName=None):
        return [CatalogColumn(f.name, f.dataType.simpleString(), f.nullable) for f in self._session.table(tableName).schema]

    def currentDatabase(self):
        return 'default'

    def currentCatalog(self):
        return 'spark_catalog'

    def dropTempView(self, viewName):
        return _kindling('catalog.drop_temp_view', viewName)

    def tableExists(self, tableName, dbName=None):
        return _kindling('catalog.table_exists', tableName)

    def clearCache(self):
        _kindling('catalog.clear_cache')


class SparkContext:
    def __init__(self, session, app_name, master, parallelism):
        self._session = session
        self.appName = app_name
        self.master = master
        self.defaultParallelism = parallelism
        self.version = session.version

    def parallelize(self, c, numSlices=None):
        source = ('parallelize', [_kindling_to_wire(x) for x in c], numSlices, type(c) is range)
        return RDD(('rdd', _kindling('rdd.source', source)), self._session)

    def range(self, start, end=None, step=1, numSlices=None):
        if end is None:
            start, end = 0, start
        return self.parallelize(range(start, end, step), numSlices)

    def emptyRDD(self):
        return self.parallelize([], 1)

    def textFile(self, name, minPartitions=None, use_unicode=True):
        return RDD(('rdd', _kindling('rdd.text_file', name, minPartitions)), self._session)

    def wholeTextFiles(self, path, minPartitions=None, use_unicode=True):
        return RDD(('rdd', _kindling('rdd.whole_text_files', path, minPartitions)), self._session)

    def setLogLevel(self, logLevel):
        pass

    def stop(self):
        _kindling('session.stop')


class DataFrameReader:
    # spark.read: like the writer, every setting returns a new reader.
    def __init__(self, session, format, options, schema):
        self._session = session
        self._format = format
        self._options = options
        self._schema = schema

    def format(self, source):
        return DataFrameReader(self._session, source, self._options, self._schema)

    def option(self, key, value):
        options = dict(self._options)
        options[key] = value
        return DataFrameReader(self._session, self._format, options, self._schema)

    def options(self, **options):
        merged = dict(self._options)
        merged.update(options)
        return DataFrameReader(self._session, self._format, merged, self._schema)

    def schema(self, schema):
        return DataFrameReader(self._session, self._format, self._options, _schema_spec(schema))

    def load(self, path=None, format=None, schema=None, **options):
        reader = self.options(**options)
        if schema is not None:
            reader = reader.schema(schema)
        paths = path if isinstance(path, (list, tuple)) else [path]
        fmt = format if format is not None else (reader._format if reader._format is not None else 'parquet')
        return DataFrame(_kindling('session.read', fmt, list(paths), reader._options, reader._schema), self._session)

    def parquet(self, *paths, **options):
        return self.load(list(paths), format='parquet', **options)

    def csv(self, path, schema=None, sep=None, header=None, inferSchema=None, **options):
        for key, value in (('sep', sep), ('header', header), ('inferSchema', inferSchema)):
            if value is not None:
                options[key] = value
        return self.load(path, format='csv', schema=schema, **options)

    def json(self, path, schema=None, **options):
        return self.load(path, format='json', schema=schema, **options)

    def table(self, tableName):
        return self._session.table(tableName)
