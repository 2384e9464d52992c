# pyspark.RDD: a lineage the host keeps; the Python functions stay in the sandbox under a key. Each task runs them
# in its own copy of the interpreter (`_kindling_rdd_partition`, `_kindling_combine`), the way PySpark ships
# pickled functions to Python worker processes.

import bisect
import copy
import math
import random
from collections import defaultdict


class RDD:
    def __init__(self, source, session):
        self._source = source
        self._session = session
        # As PySpark's: set by cache() and persist(), cleared by unpersist().
        self.is_cached = False
        self._storage_level = StorageLevel.NONE

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

    # The level is recorded and shown; each job computes the partitions again (ARCHITECTURE.md, "Decisions").
    def cache(self):
        return self.persist(StorageLevel.MEMORY_ONLY)

    def persist(self, storageLevel=None):
        self.is_cached = True
        self._storage_level = StorageLevel.MEMORY_ONLY if storageLevel is None else storageLevel
        return self

    def unpersist(self, blocking=False):
        self.is_cached = False
        self._storage_level = StorageLevel.NONE
        return self

    def getStorageLevel(self):
        return self._storage_level

    def collectAsMap(self):
        return dict(self.collect())

    def groupBy(self, f, numPartitions=None, partitionFunc=None):
        return self.map(lambda x: (f(x), x)).groupByKey(numPartitions)

    def treeAggregate(self, zeroValue, seqOp, combOp, depth=2):
        if depth < 1:
            raise ValueError('Depth cannot be smaller than 1 but got ' + str(depth) + '.')
        return self.aggregate(zeroValue, seqOp, combOp)

    def treeReduce(self, f, depth=2):
        if depth < 1:
            raise ValueError('Depth cannot be smaller than 1 but got ' + str(depth) + '.')
        return self.reduce(f)

    def saveAsTextFile(self, path, compressionCodecClass=None):
        if compressionCodecClass is not None:
            raise NotImplementedError('not supported in Kindling yet: saveAsTextFile with a compression codec')
        if _kindling('fs.exists', path):
            raise Exception('Output directory ' + path + ' already exists')
        _kindling('rdd.save_text', path, self.mapPartitions(lambda it: [''.join([str(x) + '\n' for x in it])]).collect())

    # Actions computed partition by partition, then finished on the driver, as PySpark computes them.
    def _per_partition(self, f):
        return self.mapPartitions(lambda elements: [f(list(elements))]).collect()

    def reduce(self, f):
        partials = [_reduce_list(f, xs) for xs in self.mapPartitions(lambda it: [list(it)]).collect() if xs]
        if not partials:
            raise ValueError('Can not reduce() empty RDD')
        return _reduce_list(f, partials)

    def fold(self, zeroValue, op):
        return _fold_list(op, zeroValue, self._per_partition(lambda xs: _fold_list(op, zeroValue, xs)))

    def aggregate(self, zeroValue, seqOp, combOp):
        return _fold_list(combOp, zeroValue, self._per_partition(lambda xs: _fold_list(seqOp, zeroValue, xs)))

    def sum(self):
        return _fold_list(lambda a, b: a + b, 0, self._per_partition(lambda xs: sum(xs)))

    def max(self, key=None):
        return self.reduce(lambda a, b: max(a, b) if key is None else max(a, b, key=key))

    def min(self, key=None):
        return self.reduce(lambda a, b: min(a, b) if key is None else min(a, b, key=key))

    def stats(self):
        merged = StatCounter([])
        for part in self._per_partition(lambda xs: StatCounter(xs)._state()):
            merged.mergeStats(_stat_counter_of(part))
        return merged

    def mean(self):
        return self.stats().mean()

    def variance(self):
        return self.stats().variance()

    def stdev(self):
        return self.stats().stdev()

    def sampleVariance(self):
        return self.stats().sampleVariance()

    def sampleStdev(self):
        return self.stats().sampleStdev()

    def countByValue(self):
        counts = defaultdict(int)
        for part in self._per_partition(_count_values):
            for k, n in part:
                counts[k] += n
        return counts

    def countByKey(self):
        return self.map(lambda kv: kv[0]).countByValue()

    def top(self, num, key=None):
        tops = self._per_partition(lambda xs: sorted(xs, key=key, reverse=True)[:num])
        return sorted([x for part in tops for x in part], key=key, reverse=True)[:num]

    def takeOrdered(self, num, key=None):
        firsts = self._per_partition(lambda xs: sorted(xs, key=key)[:num])
        return sorted([x for part in firsts for x in part], key=key)[:num]

    def lookup(self, key):
        return self.filter(lambda kv: kv[0] == key).values().collect()

    def isEmpty(self):
        return len(self.take(1)) == 0

    def keyBy(self, f):
        return self.map(lambda x: (f(x), x))

    def foreach(self, f):
        self.mapPartitions(lambda it: [f(x) for x in it] and []).count()

    def foreachPartition(self, f):
        self.mapPartitions(lambda it: (f(it), [])[1]).count()

    def toLocalIterator(self, prefetchPartitions=False):
        return iter(self.collect())

    def union(self, other):
        return self._derive('rdd.union', other._source)

    def cartesian(self, other):
        return self._derive('rdd.cartesian', other._source)

    def coalesce(self, numPartitions, shuffle=False):
        return self._derive('rdd.coalesce', numPartitions, shuffle)

    def repartition(self, numPartitions):
        return self.coalesce(numPartitions, True)

    def partitionBy(self, numPartitions, partitionFunc=None):
        if partitionFunc is None:
            return self._derive('rdd.partition_by', numPartitions, None)
        return self._derive('rdd.partition_by', numPartitions, _kindling_register(partitionFunc))

    def combineByKey(self, createCombiner, mergeValue, mergeCombiners, numPartitions=None, partitionFunc=None):
        local = _kindling_register((createCombiner, mergeValue))
        return self._derive('rdd.combine_by_key', local, _kindling_register(mergeCombiners), numPartitions)

    def aggregateByKey(self, zeroValue, seqFunc, combFunc, numPartitions=None, partitionFunc=None):
        return self.combineByKey(lambda v: seqFunc(copy.deepcopy(zeroValue), v), seqFunc, combFunc, numPartitions)

    def foldByKey(self, zeroValue, func, numPartitions=None, partitionFunc=None):
        return self.combineByKey(lambda v: func(copy.deepcopy(zeroValue), v), func, func, numPartitions)

    # Joins group both sides' values under their key, tagged with their side, and pair them up per key.
    def _tagged_groups(self, others, numPartitions):
        tagged = self.mapValues(lambda v: (0, v))
        for side in range(len(others)):
            tagged = tagged.union(others[side].mapValues(_tagger(side + 1)))
        return tagged.groupByKey(numPartitions)

    def join(self, other, numPartitions=None):
        return self._tagged_groups([other], numPartitions).flatMapValues(lambda vs: _pairs(vs, False, False))

    def leftOuterJoin(self, other, numPartitions=None):
        return self._tagged_groups([other], numPartitions).flatMapValues(lambda vs: _pairs(vs, False, True))

    def rightOuterJoin(self, other, numPartitions=None):
        return self._tagged_groups([other], numPartitions).flatMapValues(lambda vs: _pairs(vs, True, False))

    def fullOuterJoin(self, other, numPartitions=None):
        return self._tagged_groups([other], numPartitions).flatMapValues(lambda vs: _pairs(vs, True, True))

    def cogroup(self, other, numPartitions=None):
        return self._tagged_groups([other], numPartitions).mapValues(lambda vs: _by_side(vs, 2))

    def groupWith(self, other, *others):
        sides = [other] + list(others)
        return self._tagged_groups(sides, None).mapValues(lambda vs: _by_side(vs, len(sides) + 1))

    def subtractByKey(self, other, numPartitions=None):
        kept = self.cogroup(other, numPartitions).filter(lambda kv: len(kv[1][0]) > 0 and len(kv[1][1]) == 0)
        return kept.flatMapValues(lambda sides: sides[0])

    def subtract(self, other, numPartitions=None):
        return self.map(lambda x: (x, True)).subtractByKey(other.map(lambda x: (x, True)), numPartitions).keys()

    def intersection(self, other):
        both = self.map(lambda x: (x, None)).cogroup(other.map(lambda x: (x, None)))
        return both.filter(lambda kv: len(kv[1][0]) > 0 and len(kv[1][1]) > 0).keys()

    def zipWithIndex(self):
        starts = [0]
        if self.getNumPartitions() > 1:
            counts = self._per_partition(lambda xs: len(xs))
            for n in counts[:-1]:
                starts.append(starts[-1] + n)
        return self.mapPartitionsWithIndex(lambda k, it: [(x, starts[k] + i) for i, x in enumerate(it)])

    def zipWithUniqueId(self):
        n = self.getNumPartitions()
        return self.mapPartitionsWithIndex(lambda k, it: [(x, i * n + k) for i, x in enumerate(it)])

    def sample(self, withReplacement, fraction, seed=None):
        if fraction < 0.0:
            raise ValueError('Fraction must be nonnegative.')
        seed = random.randint(0, 9223372036854775807) if seed is None else seed
        return self.mapPartitionsWithIndex(lambda split, it: _sampled(split, it, withReplacement, fraction, seed))

    def sortByKey(self, ascending=True, numPartitions=None, keyfunc=lambda x: x):
        if numPartitions is None:
            numPartitions = self.getNumPartitions()
        in_order = lambda it: sorted(it, key=lambda kv: keyfunc(kv[0]), reverse=not ascending)
        if numPartitions == 1:
            single = self.coalesce(1) if self.getNumPartitions() > 1 else self
            return single.mapPartitions(in_order)
        size = self.count()
        if not size:
            return self
        # Range partitioning, as PySpark does it: bounds between parts from a sorted sample of the keys.
        fraction = min(numPartitions * 20.0 / max(size, 1), 1.0)
        keys = sorted(self.sample(False, fraction, 1).map(lambda kv: kv[0]).collect(), key=keyfunc)
        bounds = [keys[int(len(keys) * (i + 1) / numPartitions)] for i in range(0, numPartitions - 1)]

        def part_of(k):
            p = bisect.bisect_left(bounds, keyfunc(k))
            return p if ascending else numPartitions - 1 - p
        return self.partitionBy(numPartitions, part_of).mapPartitions(in_order)

    def sortBy(self, keyfunc, ascending=True, numPartitions=None):
        return self.keyBy(keyfunc).sortByKey(ascending, numPartitions).values()


def _reduce_list(f, xs):
    acc = xs[0]
    for x in xs[1:]:
        acc = f(acc, x)
    return acc


def _fold_list(f, zero, xs):
    acc = zero
    for x in xs:
        acc = f(acc, x)
    return acc


def _count_values(xs):
    counts = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    return list(counts.items())


def _tagger(side):
    return lambda v: (side, v)


def _by_side(tagged, sides):
    values = [[] for _ in range(sides)]
    for side, v in tagged:
        values[side].append(v)
    return tuple(values)


def _pairs(tagged, keep_unmatched_right, keep_unmatched_left):
    left, right = _by_side(tagged, 2)
    if keep_unmatched_left and not right:
        right = [None]
    if keep_unmatched_right and not left:
        left = [None]
    return [(v, w) for v in left for w in right]


def _sampled(split, elements, with_replacement, fraction, seed):
    # PySpark's RDDSampler: Python's random generator per partition, seeded `seed ^ split`, stirred ten times.
    rng = random.Random(seed ^ split)
    for _ in range(10):
        rng.randint(0, 1)
    if not with_replacement:
        return [x for x in elements if rng.random() < fraction]
    kept = []
    for x in elements:
        kept.extend([x] * _poisson(rng, fraction))
    return kept


def _poisson(rng, mean):
    # Knuth's method below a mean of 20, the sum of exponential gaps above.
    k = 0
    if mean < 20.0:
        limit = math.exp(-mean)
        p = rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    p = rng.expovariate(mean)
    while p < 1.0:
        k += 1
        p += rng.expovariate(mean)
    return k


class StatCounter:
    # Count, mean and spread of numbers, merged partition by partition (Welford's method, as PySpark's).
    def __init__(self, values):
        self.n = 0
        self.mu = 0.0
        self.m2 = 0.0
        self.maxValue = float('-inf')
        self.minValue = float('inf')
        for v in values:
            self.merge(v)

    def _state(self):
        return (self.n, self.mu, self.m2, self.maxValue, self.minValue)

    def merge(self, value):
        delta = value - self.mu
        self.n += 1
        self.mu += delta / self.n
        self.m2 += delta * (value - self.mu)
        self.maxValue = max(self.maxValue, value)
        self.minValue = min(self.minValue, value)
        return self

    def mergeStats(self, other):
        if self.n == 0:
            self.n, self.mu, self.m2, self.maxValue, self.minValue = other._state()
        elif other.n != 0:
            delta = other.mu - self.mu
            total = self.n + other.n
            if other.n * 10 < self.n:
                self.mu = self.mu + (delta * other.n) / total
            elif self.n * 10 < other.n:
                self.mu = other.mu - (delta * self.n) / total
            else:
                self.mu = (self.mu * self.n + other.mu * other.n) / total
            self.maxValue = max(self.maxValue, other.maxValue)
            self.minValue = min(self.minValue, other.minValue)
            self.m2 += other.m2 + (delta * delta * self.n * other.n) / total
            self.n = total
        return self

    def count(self):
        return self.n

    def mean(self):
        return self.mu

    def sum(self):
        return self.n * self.mu

    def min(self):
        return self.minValue

    def max(self):
        return self.maxValue

    def variance(self):
        return float('nan') if self.n == 0 else self.m2 / self.n

    def sampleVariance(self):
        return float('nan') if self.n <= 1 else self.m2 / (self.n - 1)

    def stdev(self):
        return math.sqrt(self.variance())

    def sampleStdev(self):
        return math.sqrt(self.sampleVariance())

    def __repr__(self):
        return '(count: %s, mean: %s, stdev: %s, max: %s, min: %s)' % (self.count(), self.mean(), self.stdev(), self.max(), self.min())


def _stat_counter_of(state):
    counter = StatCounter([])
    counter.n, counter.mu, counter.m2, counter.maxValue, counter.minValue = state
    return counter


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
    if kind == 'combine_locally':
        return _combine_locally(f[0], f[1], elements)
    if kind == 'merge_combiners':
        return _kindling_combine(f, elements)
    if kind == 'partition_key':
        return [(f(kv[0]), kv) for kv in elements]
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


# combineByKey's map side: a combiner made from a key's first value, later values merged into it.
def _combine_locally(create, merge_value, pairs):
    combined = {}
    for kv in pairs:
        _kindling_failed_row[0] = kv
        k = kv[0]
        combined[k] = merge_value(combined[k], kv[1]) if k in combined else create(kv[1])
    return list(combined.items())


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
