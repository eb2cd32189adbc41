"""The board workbook: Summary, Inputs, one FAST sheet per strategy, Checks, Risk, Layout,
Sources."""
