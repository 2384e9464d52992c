# pyspark.sql.window: which rows a window function sees. A WindowSpec is plain data here (the partition columns,
# the order columns and the frame); Column.over hands it to the host, which builds the engine's window expression.
# `Window` is an instance rather than a class with static methods: the sandbox looks members up on instances.

class WindowSpec:
    def __init__(self, partition, order, frame):
        self._partition = partition
        self._order = order
        self._frame = frame

    def partitionBy(self, *cols):
        return WindowSpec(_flatten(cols), self._order, self._frame)

    def orderBy(self, *cols):
        return WindowSpec(self._partition, _flatten(cols), self._frame)

    def rowsBetween(self, start, end):
        return WindowSpec(self._partition, self._order, ('rows', _window_bound(start), _window_bound(end)))

    def rangeBetween(self, start, end):
        return WindowSpec(self._partition, self._order, ('range', _window_bound(start), _window_bound(end)))

    def __repr__(self):
        return '<pyspark.sql.window.WindowSpec object>'


def _window_bound(value):
    # PySpark passes any bound at or beyond ±sys.maxsize on as unbounded.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError('[NOT_INT] Argument `start` and `end` should be int, got ' + type(value).__name__ + '.')
    if value <= -9223372036854775807:
        return 'unboundedPreceding'
    if value >= 9223372036854775807:
        return 'unboundedFollowing'
    return value


class _Window:
    unboundedPreceding = -9223372036854775808
    unboundedFollowing = 9223372036854775807
    currentRow = 0

    def partitionBy(self, *cols):
        return WindowSpec([], [], None).partitionBy(*cols)

    def orderBy(self, *cols):
        return WindowSpec([], [], None).orderBy(*cols)

    def rowsBetween(self, start, end):
        return WindowSpec([], [], None).rowsBetween(start, end)

    def rangeBetween(self, start, end):
        return WindowSpec([], [], None).rangeBetween(start, end)


Window = _Window()
