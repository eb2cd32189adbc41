"""What every strategy of a project shares: the hourly grid, the prices and their rankings,
the Bitcoin network, and the exact arithmetic the engine's results are built with."""
