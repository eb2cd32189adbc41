"""Front ends without a window: the ``minepivot`` commands and the benchmarks."""
