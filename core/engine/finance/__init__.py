"""Money arithmetic, below the blocks and the cash flow: assets (``assets``), tax (``tax``) and
what flows are worth (``returns``)."""
