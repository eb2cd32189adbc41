"""Files: project files (reading, migrations, saving), price import, atomic writes, the example,
build information, the workbook (``xlsx``)."""
