"""Settings declared once: each reads back as its type through an INI file, and a value of the
wrong type (a file edited by hand) reads as the default."""

from PySide6.QtCore import QByteArray, QSettings

from gui.settings import (
    IMPORT_DECIMAL,
    IMPORT_SITE_OFFSET,
    LAST_FOLDER,
    RECENT_FILES,
    WINDOW_GEOMETRY,
)


def _store(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_values_read_back_as_their_types_through_the_file(tmp_path):
    store = _store(tmp_path)
    RECENT_FILES.write(store, ["/a/one.minepivot"])  # one item: INI reads it back as text
    IMPORT_SITE_OFFSET.write(store, -5.5)
    IMPORT_DECIMAL.write(store, "comma")
    WINDOW_GEOMETRY.write(store, QByteArray(b"\x01\x02"))
    store.sync()
    again = _store(tmp_path)
    assert RECENT_FILES.read(again) == ["/a/one.minepivot"]
    assert IMPORT_SITE_OFFSET.read(again) == -5.5
    assert IMPORT_DECIMAL.read(again) == "comma"
    assert bytes(WINDOW_GEOMETRY.read(again)) == b"\x01\x02"


def test_a_value_of_the_wrong_type_reads_as_the_default(tmp_path):
    (tmp_path / "settings.ini").write_text(
        "[import]\nsite_offset=east\ndecimal=\n[files]\nlast_folder=@Variant(\\0\\0\\0\\x2)\n"
    )
    store = _store(tmp_path)
    assert IMPORT_SITE_OFFSET.read(store) == -6.0
    assert IMPORT_DECIMAL.read(store) is None
    assert isinstance(LAST_FOLDER.read(store), str)
    first = RECENT_FILES.read(store)
    first.append("changed by the caller")
    assert RECENT_FILES.read(store) == []  # the default is not shared
