"""File names from titles that every desktop accepts."""

import pytest

from core.model.format import file_stem


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        (
            "West Texas 100 MW: mine, convert or hybrid",
            "West Texas 100 MW- mine, convert or hybrid",
        ),
        ('a/b\\c|d?e*f<g>h"i', "a-b-c-d-e-f-g-h-i"),
        ("Board review.", "Board review"),
        ("CON", "CON_"),
        ("nul.txt", "nul.txt_"),
        ("   ", "MinePivot project"),
        ("tab\there", "tab-here"),
    ],
)
def test_file_stem_is_safe_on_windows_macos_and_linux(title, stem):
    assert file_stem(title) == stem


def test_file_stem_is_at_most_120_characters():
    assert len(file_stem("x" * 500)) == 120
