"""The Risk tab: its inputs panel, the tornado, distribution, fan and split charts, the runner."""
