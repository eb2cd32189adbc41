"""What the results look like: the charts, KPI cards and the compare table."""
