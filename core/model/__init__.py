"""Inputs as validated immutable models: project, floor plans, equipment catalog, and the
labels, units and field paths every view and export shares."""
