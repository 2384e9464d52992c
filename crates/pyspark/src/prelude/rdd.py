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


# What a task runs: the narrow steps of a stage over one partition's elements, in order.
def _kindling_rdd_partition(steps, index, elements):
    for kind, key in steps:
        f = _kindling_objects.get(key)
        if kind == 'map':
            elements = [f(x) for x in elements]
        elif kind == 'filter':
            elements = [x for x in elements if f(x)]
        elif kind == 'flatMap':
            elements = [y for x in elements for y in f(x)]
        elif kind == 'mapPartitions':
            elements = list(f(iter(elements)))
        elif kind == 'mapPartitionsWithIndex':
            elements = list(f(index, iter(elements)))
        elif kind == 'mapValues':
            elements = [(kv[0], f(kv[1])) for kv in elements]
        elif kind == 'flatMapValues':
            elements = [(kv[0], v) for kv in elements for v in f(kv[1])]
        elif kind == 'keys':
            elements = [kv[0] for kv in elements]
        elif kind == 'values':
            elements = [kv[1] for kv in elements]
    return elements


# reduceByKey's combine, on both sides of the shuffle: values of equal keys merged in first-seen key order.
def _kindling_combine(key, pairs):
    f = _kindling_objects[key]
    merged = {}
    for k, v in pairs:
        if k in merged:
            merged[k] = f(merged[k], v)
        else:
            merged[k] = v
    return list(merged.items())


# groupByKey's reduce side: every value of a key, in arrival order.
def _kindling_group(pairs):
    grouped = {}
    for k, v in pairs:
        if k in grouped:
            grouped[k].append(v)
        else:
            grouped[k] = [v]
    return list(grouped.items())


# A UDF over one batch: the function applied to each row's arguments, remembering which row failed.
def _kindling_udf_batch(key, rows):
    f = _kindling_objects[key]
    results = []
    for row in rows:
        try:
            results.append(f(*row))
        except Exception:
            _kindling_failed_row[0] = len(results)
            raise
    return results
