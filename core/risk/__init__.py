"""Risk: the Monte Carlo over many paths (a fast method matching the hourly engine), tornado
and the hybrid split sweep."""
