"""The board report: its pages, their pagination, the PDF."""
