"""Floor plans: footprints, loads and block counts, layout checks, auto-layout."""
