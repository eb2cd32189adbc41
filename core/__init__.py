"""MinePivot's model and engine: pure Python and numpy, never Qt.

Inputs flow one way: ``model`` (validated inputs) → ``engine`` (hourly energy, cash flow, KPIs)
and ``plan`` (floor plans) → ``risk`` (Monte Carlo, sensitivity) → ``io`` (files, workbook) →
``cli`` (the command line and benchmarks). A package imports only those below it.
"""
