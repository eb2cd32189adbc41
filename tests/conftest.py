"""Shared test set-up. Qt (when the desktop app lands) runs offscreen, set before any app exists."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def ercot_csv():
    """Path of one of the real ERCOT price files in ../shared/data; skip where it is absent."""

    def get(name: str) -> Path:
        path = SHARED_DATA / name
        if not path.exists():
            pytest.skip(
                f"real ERCOT test data not found at {path} (the shared/ folder beside "
                "the project); these tests need it"
            )
        return path

    return get
