"""Widgets every panel shares: fields bound to the document, and the chart base."""
