"""The base of every input model: strict types, unknown keys rejected, finite, immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base: strict types, unknown keys rejected, finite numbers only, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
