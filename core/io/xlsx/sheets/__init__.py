"""The board workbook's sheets, one module each: Summary, Inputs, a strategy's FAST sheet,
Checks and Sources, the floor plans, the Risk sheet. Each writes its sheet from the rows below
it (``core.io.xlsx.debt``, ``assets``, ``strategyrows``, ``hourly``, ``prices``, ``rows``)."""
