"""Files: project files and their validation, price import, atomic writes, the example,
build information, the workbook (``xlsx``)."""
