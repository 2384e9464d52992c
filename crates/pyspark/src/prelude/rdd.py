# pyspark.RDD: a lineage the host keeps; the Python functions stay in the sandbox under a key. Each task runs them
# in its own copy of the interpreter (`_kindling_rdd_partition`, `_kindling_combine`), the way PySpark ships
# pickled functions to Python worker processes.

class RDD:
    def __init__(self, source, session):
        self._source = source
        self._session = session

    def _derive(self, op, *args):
        return RDD(('rdd', _kindling(op, self._source, *args)), self._session)

    def _narrow(self, kind, f):
        return self._derive('rdd.narrow', kind, _kindling_register(f))

    def map(self, f, preservesPartitioning=False):
        return self._narrow('map', f)

    def filter(self, f):
        return self._narrow('filter', f)

    def flatMap(self, f, preservesPartitioning=False):
        return self._narrow('flatMap', f)

    def mapPartitions(self, f, preservesPartitioning=False):
        return self._narrow('mapPartitions', f)

    def mapPartitionsWithIndex(self, f, preservesPartitioning=False):
        return self._narrow('mapPartitionsWithIndex', f)

    def mapValues(self, f):
        return self._narrow('mapValues', f)

    def flatMapValues(self, f):
        return self._narrow('flatMapValues', f)

    def keys(self):
        return self._narrow('keys', None)

    def values(self):
        return self._narrow('values', None)

    def distinct(self, numPartitions=None):
        return self.map(lambda x: (x, None)).reduceByKey(lambda x, _: x, numPartitions).map(lambda x: x[0])

    def glom(self):
        return self._narrow('glom', None)

    def reduceByKey(self, func, numPartitions=None, partitionFunc=None):
        return self._derive('rdd.reduce_by_key', _kindling_register(func), numPartitions)

    def groupByKey(self, numPartitions=None, partitionFunc=None):
        return self._derive('rdd.group_by_key', numPartitions)

    def getNumPartitions(self):
        return _kindling('rdd.num_partitions', self._source)

    def collect(self):
        return _kindling('rdd.collect', self._source, None)

    def take(self, num):
        return _kindling('rdd.collect', self._source, num)

    def first(self):
        rows = self.take(1)
        if not rows:
            raise ValueError('RDD is empty')
        return rows[0]

    def count(self):
        return _kindling('rdd.count', self._source)

    def toDF(self, schema=None, sampleRatio=None):
        return DataFrame(_kindling('rdd.to_df', self._source, _schema_spec(schema)), self._session)

    def cache(self):
        return self

    def persist(self, storageLevel=None):
        return self


# What a task runs: the narrow steps of a stage over one partition's elements, in order. Each element is noted in
# `_kindling_failed_row` before a function sees it, so that when the function raises, the host can tell which.
def _kindling_rdd_partition(steps, index, elements, names):
    if names is not None:
        elements = [_kindling_row(names, values) for values in elements]
    noted = _kindling_failed_row
    for kind, key in steps:
        f = _kindling_objects.get(key)
        if kind == 'map':
            mapped = []
            for x in elements:
                noted[0] = x
                mapped.append(f(x))
            elements = mapped
        elif kind == 'filter':
            kept = []
            for x in elements:
                noted[0] = x
                if f(x):
                    kept.append(x)
            elements = kept
        elif kind == 'flatMap':
            flat = []
            for x in elements:
                noted[0] = x
                flat.extend(f(x))
            elements = flat
        elif kind == 'mapValues':
            mapped = []
            for kv in elements:
                noted[0] = kv
                mapped.append((kv[0], f(kv[1])))
            elements = mapped
        elif kind == 'flatMapValues':
            flat = []
            for kv in elements:
                noted[0] = kv
                flat.extend([(kv[0], v) for v in f(kv[1])])
            elements = flat
        else:
            noted[0] = None
            elements = _kindling_whole_partition(kind, f, index, elements)
    if elements and _kindling_holds_row(elements[0]):
        return [_kindling_to_wire(x) for x in elements]
    return elements


# A Row is an object of this interpreter, which cannot leave it: between the driver and the tasks, and through
# shuffles, it travels as a named tuple called Row (one type per set of field names), which the host reads as a
# row. Back in an interpreter it stays that named tuple: fields by name (`row.zone`) and position still work.
_ROW_TYPES = {}


# An RDD's elements are alike: whether the first holds a Row, itself or as an item, decides whether the partition
# is converted — walking every element of every partition would cost more than the steps.
def _kindling_holds_row(x):
    if type(x) is tuple or type(x) is list:
        return any([type(v) is Row for v in x])
    return type(x) is Row


def _kindling_to_wire(x):
    if type(x) is Row:
        if x.__fields__ is None:
            return x._values
        fields = tuple(x.__fields__)
        if fields not in _ROW_TYPES:
            _ROW_TYPES[fields] = namedtuple('Row', list(fields))
        return _ROW_TYPES[fields](*x._values)
    # Only plain tuples and lists are looked into: a named tuple keeps its type (and holds no Row).
    if type(x) is tuple:
        return tuple([_kindling_to_wire(v) for v in x])
    if type(x) is list:
        return [_kindling_to_wire(v) for v in x]
    return x


# The steps that take the partition as a whole.
def _kindling_whole_partition(kind, f, index, elements):
    if kind == 'mapPartitions':
        return list(f(iter(elements)))
    if kind == 'mapPartitionsWithIndex':
        return list(f(index, iter(elements)))
    if kind == 'keys':
        return [kv[0] for kv in elements]
    if kind == 'values':
        return [kv[1] for kv in elements]
    if kind == 'glom':
        return [elements]
    if kind == 'combine':
        return _kindling_combine(f, elements)
    if kind == 'group':
        return _kindling_group(elements, False)
    if kind == 'merge_groups':
        return _kindling_group(elements, True)
    raise ValueError('unknown RDD step ' + kind)


# reduceByKey's combine, on both sides of the shuffle: values of equal keys merged, keys in first-seen order.
def _kindling_combine(f, pairs):
    merged = {}
    for kv in pairs:
        k = kv[0]
        if k in merged:
            _kindling_failed_row[0] = kv
            merged[k] = f(merged[k], kv[1])
        else:
            merged[k] = kv[1]
    return list(merged.items())


# groupByKey: every value of a key in a list, keys in first-seen order. The reduce side joins the map side's lists.
def _kindling_group(pairs, lists):
    grouped = {}
    for k, v in pairs:
        if k not in grouped:
            grouped[k] = []
        if lists:
            grouped[k].extend(v)
        else:
            grouped[k].append(v)
    return list(grouped.items())


# A UDF over one batch: the function applied to each row's arguments. The row being worked on is noted first, so
# that when the function raises, the host can tell which row failed.
def _kindling_udf_batch(key, rows):
    f = _kindling_objects[key]
    results = []
    for row in rows:
        _kindling_failed_row[0] = len(results)
        results.append(f(*row))
    return results
